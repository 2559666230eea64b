//! Tests of `gate`.

use super::*;
use crate::test_support::render_with_changes as render;

const FS: f32 = 48_000.0;

fn prepared() -> Gate {
    let mut g = Gate::new();
    g.prepare(FS, 4_096);
    g
}

fn lin(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

fn db(x: f32) -> f32 {
    20.0 * x.abs().log10()
}

fn run(g: &mut Gate, input: &[f32], block: usize) -> Vec<f32> {
    render(g, input, input, block, &[], &|_, _| {}).0
}

/// Piecewise-constant (DC) input: `(from_frame, level_db)` pairs, so gain = output / input.
fn steps(frames: usize, levels: &[(usize, f32)]) -> Vec<f32> {
    (0..frames)
        .map(|i| {
            let level_db = levels.iter().rev().find(|(from, _)| i >= *from).unwrap().1;
            lin(level_db)
        })
        .collect()
}

fn gains_db(out: &[f32], input: &[f32]) -> Vec<f32> {
    out.iter().zip(input).map(|(o, i)| db(o / i)).collect()
}

#[test]
fn signal_above_threshold_passes_at_unity() {
    let mut g = prepared();
    let input: Vec<f32> = (0..9_600)
        .map(|i| lin(-20.0) * (2.0 * std::f32::consts::PI * 1_000.0 * i as f32 / FS).sin())
        .collect();
    let out = run(&mut g, &input, 128);
    // Opens at frame 1 (the key jumps above −50 dB) and is fully open 48 frames (1 ms) later.
    assert!(out[10].abs() < input[10].abs(), "still opening");
    assert_eq!(&out[49..], &input[49..], "unity gain, bit for bit");
    assert_eq!(g.gain_reduction_db(), 0.0);
}

#[test]
fn below_threshold_ends_attenuated_by_exactly_the_range() {
    for range_db in [40.0, 12.0, 80.0] {
        let mut g = prepared();
        g.set_range_db(range_db);
        g.reset();
        // From reset (closed): −60 dBFS never opens it.
        let input = steps(4_800, &[(0, -60.0)]);
        let gains = gains_db(&run(&mut g, &input, 256), &input);
        assert!(
            gains.iter().all(|&x| (x + range_db).abs() < 1e-4),
            "{range_db}"
        );
        // Open at −20 dBFS, then −70 dBFS: key decay, hold, release, then exactly −range.
        g.reset();
        let input = steps(48_000, &[(0, -20.0), (9_600, -70.0)]);
        let gains = gains_db(&run(&mut g, &input, 256), &input);
        let end = gains[47_999];
        eprintln!("range {range_db} dB: closed gain {end} dB");
        assert!((end + range_db).abs() < 1e-4, "{range_db}: {end}");
        assert!((g.gain_reduction_db() - range_db).abs() < 1e-4);
    }
}

#[test]
fn hysteresis_keeps_the_state_between_the_two_thresholds() {
    // Threshold −50 dB, close threshold −54 dB: −52 dB neither opens nor closes the gate.
    let between = |open_first: bool| {
        let mut g = prepared();
        let first = if open_first { -20.0 } else { -60.0 };
        let input = steps(48_000, &[(0, first), (4_800, -52.0)]);
        let out = run(&mut g, &input, 128);
        db(out[47_999] / input[47_999])
    };
    assert_eq!(between(true), 0.0, "stays open");
    assert!((between(false) + 40.0).abs() < 1e-4, "stays closed");
    // −55 dB is below the close threshold: it closes.
    let mut g = prepared();
    let input = steps(48_000, &[(0, -20.0), (4_800, -55.0)]);
    let out = run(&mut g, &input, 128);
    assert!((db(out[47_999] / input[47_999]) + 40.0).abs() < 1e-4);
}

/// Frame at which the gain first drops below unity after `from`.
fn closing_onset(gains: &[f32], from: usize) -> usize {
    (from..gains.len()).find(|&i| gains[i] < 0.0).unwrap()
}

#[test]
fn hold_keeps_the_gate_open_for_hold_ms() {
    // Reference: after a step from −20 to −70 dBFS the key decays as 0.1·e^(−t/τ),
    // τ = KEY_RELEASE_MS, and crosses the −54 dB close threshold after τ·ln(0.1/10^(−54/20))
    // = τ·34·ln(10)/20; closing starts hold_ms later.
    let step_at = 9_600;
    let crossing_ms = KEY_RELEASE_MS * 34.0 * std::f32::consts::LN_10 / 20.0;
    let mut onset_no_hold = 0;
    for hold_ms in [0.0, 10.0, 50.0, 200.0, 500.0] {
        let mut g = prepared();
        g.set_hold_ms(hold_ms);
        let input = steps(96_000, &[(0, -20.0), (step_at, -70.0)]);
        let gains = gains_db(&run(&mut g, &input, 128), &input);
        let onset = closing_onset(&gains, step_at);
        if hold_ms == 0.0 {
            onset_no_hold = onset;
        }
        let measured_ms = (onset - step_at) as f32 * 1000.0 / FS - crossing_ms;
        let differential_ms = (onset - onset_no_hold) as f32 * 1000.0 / FS;
        eprintln!("hold {hold_ms} ms: measured {measured_ms} ms after the key crossing, {differential_ms} ms after the no-hold onset");
        assert!(
            (measured_ms - hold_ms).abs() < 1.0,
            "{hold_ms}: {measured_ms}"
        );
        assert!((differential_ms - hold_ms).abs() < 1.0 / 48.0 + 1e-4);
    }
}

#[test]
fn attack_and_release_take_their_times_linearly_in_db() {
    for (attack_ms, release_ms) in [(1.0, 100.0), (5.0, 50.0), (20.0, 500.0), (0.05, 5.0)] {
        let mut g = prepared();
        g.set_attack_ms(attack_ms);
        g.set_release_ms(release_ms);
        g.set_hold_ms(0.0);
        let (open_at, quiet_at) = (4_800, 9_600);
        let input = steps(60_000, &[(0, -70.0), (open_at, -20.0), (quiet_at, -70.0)]);
        let gains = gains_db(&run(&mut g, &input, 128), &input);
        // Opening: from the first rise to exactly 0 dB.
        let rise = (open_at..).find(|&i| gains[i] > -40.0).unwrap();
        let open = (rise..).find(|&i| gains[i] == 0.0).unwrap();
        let attack_measured_ms = (open - rise + 1) as f32 * 1000.0 / FS;
        // Closing: from the first drop to −40 dB.
        let drop = closing_onset(&gains, quiet_at);
        let closed = (drop..).find(|&i| gains[i] <= -40.0 + 1e-4).unwrap();
        let release_measured_ms = (closed - drop + 1) as f32 * 1000.0 / FS;
        eprintln!("attack {attack_ms} ms measured {attack_measured_ms} ms; release {release_ms} ms measured {release_measured_ms} ms");
        let frame_ms = 1000.0 / FS;
        assert!((attack_measured_ms - attack_ms).abs() <= (0.1 * attack_ms).max(frame_ms));
        assert!((release_measured_ms / release_ms - 1.0).abs() < 0.1);
        // Linear in dB: half-way through the release the gain is −20 dB.
        let half = drop + (closed - drop) / 2;
        assert!((gains[half] + 20.0).abs() < 0.5, "{}", gains[half]);
    }
}

#[test]
fn gain_never_steps() {
    // The steepest linear change is at the top of the opening ramp:
    // 1 − 10^(−(range / attack_frames)/20) per frame.
    for (attack_ms, range_db) in [(1.0, 40.0), (0.5, 80.0), (10.0, 60.0)] {
        let mut g = prepared();
        g.set_attack_ms(attack_ms);
        g.set_range_db(range_db);
        g.set_hold_ms(5.0);
        g.set_release_ms(20.0);
        g.reset();
        let mut levels = Vec::new();
        for k in 0..20 {
            levels.push((k * 4_800, if k % 2 == 0 { -20.0 } else { -75.0 }));
        }
        let input = steps(96_000, &levels);
        let out = run(&mut g, &input, 128);
        let gains: Vec<f32> = out.iter().zip(&input).map(|(o, i)| o / i).collect();
        let largest = gains
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        let bound = 1.0 - lin(-range_db / (attack_ms * FS / 1000.0));
        eprintln!("attack {attack_ms} ms, range {range_db} dB: largest gain step {largest}, bound {bound}");
        assert!(largest <= bound * 1.001 + 1e-6, "{largest} > {bound}");
        assert!(largest > 0.9 * bound, "the ramp was exercised");
    }
}

#[test]
fn bypass_crossfades_without_steps_and_ends_exactly_dry() {
    let mut g = prepared();
    // −60 dBFS keeps the gate closed (−40 dB), so bypassing raises the gain 100 times.
    let input: Vec<f32> = (0..24_000)
        .map(|i| {
            lin(-60.0) * (1.0 + 0.5 * (2.0 * std::f32::consts::PI * 5.0 * i as f32 / FS).sin())
        })
        .collect();
    let (bypass_at, engage_at) = (4_800, 14_400);
    let (out, _) = render(
        &mut g,
        &input,
        &input,
        64,
        &[bypass_at, engage_at],
        &|g, frame| g.set_bypassed(frame == bypass_at),
    );
    let gains: Vec<f32> = out.iter().zip(&input).map(|(o, i)| o / i).collect();
    let largest = gains
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    // The crossfade moves the gain from 0.01 to 1 in 480 equal steps of 0.99/480.
    assert!(largest <= 0.99 / 480.0 + 1e-6, "{largest}");
    assert_eq!(
        &out[bypass_at + 479..engage_at],
        &input[bypass_at + 479..engage_at]
    );
    assert!(out[bypass_at + 478] != input[bypass_at + 478]);
    assert!((db(gains[engage_at + 480]) + 40.0).abs() < 1e-4);
}

#[test]
fn key_bridges_zero_crossings_of_low_tones_without_hold() {
    // With hold 0, only the key's decay (τ = 20 ms) and the 4 dB hysteresis keep the gate
    // open between the peaks of a tone 0.5 dB above the threshold: the key must not fall
    // 4.5 dB before |sin| catches up with it again. Over half a period (12.5 ms at 40 Hz)
    // an exponential of τ = 20 ms falls 5.4 dB, but |sin| meets it sooner, so 40 Hz stays
    // open; over 16.7 ms (30 Hz) it falls 7.2 dB and the gate chatters.
    let worst_attenuation = |freq_hz: f32| {
        let mut g = prepared();
        g.set_hold_ms(0.0);
        g.reset();
        let input: Vec<f32> = (0..96_000)
            .map(|i| lin(-49.5) * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / FS).sin())
            .collect();
        let gains = gains_db(&run(&mut g, &input, 128), &input);
        // After the first 0.5 s, at the frames where the input is not near a zero crossing.
        (24_000..96_000)
            .filter(|&i| input[i].abs() > 1e-4)
            .map(|i| -gains[i])
            .fold(0.0, f32::max)
    };
    let (at_40, at_30) = (worst_attenuation(40.0), worst_attenuation(30.0));
    eprintln!("hold 0: worst attenuation of a tone 0.5 dB above threshold: 40 Hz {at_40} dB, 30 Hz {at_30} dB");
    assert!(at_40 < 1e-4, "{at_40}");
    assert!(at_30 > 0.1, "{at_30}");
}
