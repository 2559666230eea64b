//! Tests of `limiter`.

use super::*;
use crate::true_peak::TruePeakMeter;
use std::f64::consts::PI;

const FS: f32 = 48_000.0;

fn limiter(ceiling_dbtp: f32, lookahead_ms: f32, release_ms: f32) -> TruePeakLimiter {
    let mut limiter = TruePeakLimiter::new();
    limiter.prepare(FS, 4_096);
    limiter.set_ceiling_dbtp(ceiling_dbtp);
    limiter.set_lookahead_ms(lookahead_ms);
    limiter.set_release_ms(release_ms);
    limiter.reset();
    limiter
}

fn run(limiter: &mut TruePeakLimiter, input: &[(f32, f32)], block: usize) -> Vec<(f32, f32)> {
    let mut out = Vec::with_capacity(input.len());
    for chunk in input.chunks(block) {
        let mut l: Vec<f32> = chunk.iter().map(|f| f.0).collect();
        let mut r: Vec<f32> = chunk.iter().map(|f| f.1).collect();
        limiter.process(&mut StereoBlock::new(&mut l, &mut r));
        out.extend(l.into_iter().zip(r));
    }
    out
}

fn sine(freq_hz: f64, amplitude: f64, n: usize) -> f32 {
    (amplitude * (2.0 * PI * freq_hz * n as f64 / f64::from(FS)).sin()) as f32
}

fn true_peak_dbtp(signal: &[(f32, f32)]) -> f32 {
    let mut meter = TruePeakMeter::new();
    meter.prepare(FS);
    let l: Vec<f32> = signal.iter().map(|f| f.0).chain([0.0; 16]).collect();
    let r: Vec<f32> = signal.iter().map(|f| f.1).chain([0.0; 16]).collect();
    let [pl, pr] = meter.process(&l, &r);
    20.0 * pl.max(pr).log10()
}

/// Test programme: +20 dBFS noise, abrupt sine bursts (100 Hz … 19 kHz, 0 … +20 dBFS, 40 ms
/// on / 40 ms off, starting at full amplitude), and noise stepping from −30 to +20 dBFS.
fn hot_programme() -> Vec<(f32, f32)> {
    let mut x = Vec::new();
    let (a, b) = (
        crate::white_noise(1, 1.0, 24_000),
        crate::white_noise(2, 1.0, 24_000),
    );
    x.extend(a.iter().zip(&b).map(|(l, r)| (10.0 * l, 10.0 * r)));
    let mut n = 0;
    for freq in [100.0, 1_000.0, 5_000.0, 11_025.0, 15_000.0, 19_000.0] {
        for level_db in [20.0, 6.0, 0.0] {
            let amplitude = 10f64.powf(level_db / 20.0);
            for i in 0..3_840 {
                let on = i < 1_920;
                let s = if on {
                    sine(freq, amplitude, n + 7)
                } else {
                    0.0
                };
                x.push((s, -s));
                n += 1;
            }
        }
    }
    let (a, b) = (
        crate::white_noise(3, 1.0, 9_600),
        crate::white_noise(4, 1.0, 9_600),
    );
    for (i, (l, r)) in a.iter().zip(&b).enumerate() {
        let gain = if (i / 2_400) % 2 == 0 { 0.03 } else { 10.0 };
        x.push((gain * l, gain * r));
    }
    x
}

/// Reference: the ceiling itself. Noise and sine bursts driven up to +20 dBFS come out with
/// a true peak (our BS.1770-4 meter, 4×) at most 0.1 dB over the ceiling, for every
/// look-ahead and several ceilings.
#[test]
fn output_true_peak_stays_under_the_ceiling() {
    let input = hot_programme();
    assert!(true_peak_dbtp(&input) > 19.0);
    for ceiling in [-1.0, -6.0, 0.0, -12.0] {
        for lookahead in [0.5, 2.0, 10.0] {
            for release in [10.0, 100.0] {
                let mut lim = limiter(ceiling, lookahead, release);
                let out = run(&mut lim, &input, 128);
                let peak = true_peak_dbtp(&out);
                println!(
                    "ceiling {ceiling} dBTP, look-ahead {lookahead} ms, release {release} ms: \
                     output {peak:.4} dBTP"
                );
                assert!(
                    peak <= ceiling + 0.1,
                    "ceiling {ceiling}, look-ahead {lookahead} ms, release {release} ms: \
                     output true peak {peak:.3} dBTP"
                );
            }
        }
    }
}

/// Reference: identity. A signal whose true peak stays under the ceiling leaves exactly as it
/// came, delayed by `latency_frames` (107 frames for 2 ms at 48 kHz).
#[test]
fn signal_under_the_ceiling_passes_unchanged_but_delayed() {
    let a = crate::white_noise(9, 1.0, 20_000);
    let input: Vec<(f32, f32)> = (0..20_000)
        .map(|n| (sine(997.0, 0.5, n) + 0.2 * a[n], 0.3 * a[n]))
        .collect();
    assert!(true_peak_dbtp(&input) < -1.2);
    let mut lim = limiter(-1.0, 2.0, 100.0);
    assert_eq!(lim.latency_frames(), 96 + 11);
    let latency = lim.latency_frames();
    let out = run(&mut lim, &input, 64);
    assert!(out[..latency].iter().all(|&f| f == (0.0, 0.0)));
    assert_eq!(&out[latency..], &input[..input.len() - latency]);
    assert_eq!(lim.gain_reduction_db(), 0.0);
}

/// Reference: the exponential release `1 − g(t) ∝ e^(−t/τ)`. A DC level of 0.25 with a
/// 100 ms step to 4.0 (+24 dB): after the step the gain deficit, measured as output/input, is
/// fitted over one time constant; τ within 10 % of the setting.
#[test]
fn release_time_constant_is_the_setting() {
    for release_ms in [10.0_f32, 100.0, 1_000.0] {
        let tau_frames = (release_ms * FS / 1000.0) as usize;
        let step_end = 9_600;
        let frames = step_end + 4 * tau_frames + 9_600;
        let input: Vec<(f32, f32)> = (0..frames)
            .map(|n| {
                let x = if (4_800..step_end).contains(&n) {
                    4.0
                } else {
                    0.25
                };
                (x, x)
            })
            .collect();
        let mut lim = limiter(-1.0, 2.0, release_ms);
        let latency = lim.latency_frames();
        let out = run(&mut lim, &input, 128);
        let deficit = |n: usize| 1.0 - f64::from(out[n + latency].0 / input[n].0);
        // Start once the step and the look-ahead ramp have passed (20 ms after the step).
        let n1 = step_end + 960;
        let n2 = n1 + tau_frames;
        let measured_ms =
            (n2 - n1) as f64 / (deficit(n1) / deficit(n2)).ln() / f64::from(FS) * 1000.0;
        println!("release {release_ms} ms: measured time constant {measured_ms:.2} ms");
        assert!(
            (measured_ms / f64::from(release_ms) - 1.0).abs() < 0.1,
            "release {release_ms} ms: measured {measured_ms:.2} ms"
        );
    }
}

/// Silence gives exact zeros once the delay line has drained; after the release the tail
/// gate returns the limiter to its reset state, so a new signal comes out as from a fresh
/// limiter.
#[test]
fn silence_gives_exact_zeros_and_the_gate_changes_nothing() {
    let mut input = hot_programme();
    input.truncate(24_000);
    let loud_frames = input.len();
    input.extend(std::iter::repeat_n((0.0, 0.0), 96_000));
    let mut lim = limiter(-1.0, 2.0, 100.0);
    let latency = lim.latency_frames();
    let out = run(&mut lim, &input, 128);
    assert!(out[loud_frames + latency..]
        .iter()
        .all(|&f| f == (0.0, 0.0)));
    assert!(lim.idle, "the tail gate engaged after the release");
    let again = hot_programme();
    let resumed = run(&mut lim, &again, 128);
    let fresh = run(&mut limiter(-1.0, 2.0, 100.0), &again, 128);
    let worst = resumed
        .iter()
        .zip(&fresh)
        .map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs()))
        .fold(0.0_f32, f32::max);
    assert!(worst <= 1e-6, "after the gate: differs by {worst}");
}

/// Reference: the input delayed by the latency. Bypassed, the output is exactly that after
/// the 10 ms crossfade, which moves monotonically between the two.
#[test]
fn bypass_crossfades_to_the_delayed_input() {
    let input: Vec<(f32, f32)> = (0..48_000)
        .map(|n| {
            let s = sine(1_000.0, 2.0, n);
            (s, s)
        })
        .collect();
    let mut lim = limiter(-1.0, 2.0, 100.0);
    let latency = lim.latency_frames();
    let mut out = run(&mut lim, &input[..9_600], 128);
    lim.set_bypassed(true);
    out.extend(run(&mut lim, &input[9_600..], 128));
    // The applied gain, sample by sample, where the input is large enough to divide by.
    let gain = |n: usize| out[n + latency].0 / input[n].0;
    let fade_start = 9_600 - latency;
    let fade_end = fade_start + 480;
    let mut previous = 0.0;
    for (n, frame) in input
        .iter()
        .enumerate()
        .take(fade_end + 480)
        .skip(fade_start)
    {
        if frame.0.abs() > 0.5 {
            let g = gain(n);
            assert!(g >= previous - 1e-6, "crossfade not monotonic at {n}: {g}");
            previous = g;
        }
    }
    assert!(out[fade_end + latency..]
        .iter()
        .zip(&input[fade_end..])
        .all(|(o, i)| o == i));
    assert_eq!(lim.gain_reduction_db(), 0.0);
    assert_eq!(lim.latency_frames(), latency);
}

/// Reference: the ceiling minus the tone's true peak. A steady 1 kHz sine with 2.0 peaks
/// (+6.02 dBTP) under a −1 dBTP ceiling reports 7.02 dB of reduction.
#[test]
fn gain_reduction_reports_the_applied_reduction() {
    let input: Vec<(f32, f32)> = (0..9_600)
        .map(|n| {
            let s = sine(1_000.0, 2.0, n);
            (s, s)
        })
        .collect();
    let mut lim = limiter(-1.0, 2.0, 100.0);
    run(&mut lim, &input, 128);
    let reduction = lim.gain_reduction_db();
    println!("gain reduction {reduction:.3} dB (expected 7.02)");
    assert!((reduction - 7.02).abs() < 0.05, "{reduction} dB");
}

/// Reference: brute-force minima and means over the same windows.
#[test]
fn sliding_minimum_and_moving_average_match_brute_force() {
    let values: Vec<f32> = crate::white_noise(77, 1.0, 5_000)
        .iter()
        .map(|v| v.abs())
        .collect();
    for window in [1, 2, 7, 107] {
        let mut min = SlidingMin::default();
        min.allocate(200);
        min.set_window(window);
        let mut average = MovingAverage::default();
        average.allocate(200);
        average.set_length(window);
        for (n, &v) in values.iter().enumerate() {
            let start = (n + 1).saturating_sub(window);
            let expected_min = values[start..=n]
                .iter()
                .fold(f32::INFINITY, |m, &x| m.min(x));
            assert_eq!(min.push(v), expected_min, "window {window}, value {n}");
            // Before the window fills, the average counts the initial 1.0 values.
            let ones = window - (n + 1 - start);
            let sum: f64 =
                values[start..=n].iter().map(|&x| f64::from(x)).sum::<f64>() + ones as f64;
            let expected_mean = (sum / window as f64) as f32;
            let mean = average.push(v);
            assert!(
                (mean - expected_mean).abs() < 1e-6,
                "window {window}, value {n}"
            );
        }
    }
}

/// A change of look-ahead changes the latency and starts from an empty delay line.
#[test]
fn lookahead_change_sets_the_latency_and_clears_the_delay_line() {
    let mut lim = limiter(-1.0, 2.0, 100.0);
    run(&mut lim, &vec![(0.5, 0.5); 1_000], 128);
    lim.set_lookahead_ms(5.0);
    assert_eq!(lim.latency_frames(), 240 + 11);
    let impulse: Vec<(f32, f32)> = (0..1_000)
        .map(|n| if n == 10 { (0.5, -0.5) } else { (0.0, 0.0) })
        .collect();
    let out = run(&mut lim, &impulse, 128);
    for (n, &frame) in out.iter().enumerate() {
        let expected = if n == 10 + 251 {
            (0.5, -0.5)
        } else {
            (0.0, 0.0)
        };
        assert_eq!(frame, expected, "frame {n}");
    }
    lim.set_lookahead_ms(0.1);
    assert_eq!(lim.lookahead_ms(), 0.5);
    assert_eq!(lim.latency_frames(), 24 + 11);
}
