//! Tests of `compressor`.

use super::*;
use crate::test_support::render_with_changes as render;

const FS: f32 = 48_000.0;
const MAX_FRAMES: usize = 4_096;

fn prepared() -> Compressor {
    let mut c = Compressor::new();
    c.prepare(FS, MAX_FRAMES);
    c
}

fn db(x: f32) -> f32 {
    20.0 * x.abs().log10()
}

fn lin(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

fn run(c: &mut Compressor, left: &[f32], right: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    render(c, left, right, block, &[], &|_, _| {})
}

/// Reference static characteristic, Giannoulis et al. eq. (4): output level minus input
/// level, dB (make-up excluded).
fn reference_gain_db(x: f32, t: f32, ratio: f32, w: f32) -> f32 {
    let y = if 2.0 * (x - t) < -w {
        x
    } else if w > 0.0 && 2.0 * (x - t).abs() <= w {
        // (For W = 0 the knee is empty: the two outer branches meet at T.)
        x + (1.0 / ratio - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / ratio
    };
    y - x
}

#[test]
fn fast_log_and_exp_are_accurate_to_1e_5_db() {
    // Reference: f64 log2 and powf.
    let mut worst_log = 0.0_f64;
    let mut x = 1e-9_f32;
    while x < 1e9 {
        let err = (f64::from(fast_log2(x)) - f64::from(x).log2()).abs();
        worst_log = worst_log.max(err);
        x *= 1.0137;
    }
    let mut worst_exp_db = 0.0_f64;
    let mut g = -140.0_f32;
    while g < 140.0 {
        let exact = 10f64.powf(f64::from(g) / 20.0);
        let err_db = 20.0 * (f64::from(fast_db_to_lin(g)) / exact).log10();
        worst_exp_db = worst_exp_db.max(err_db.abs());
        g += 0.0173;
    }
    eprintln!("fast_log2 worst {worst_log:e} octaves; fast_db_to_lin worst {worst_exp_db:e} dB");
    assert!(worst_log * 6.0206 < 1e-5, "{worst_log}");
    assert!(worst_exp_db < 1e-5, "{worst_exp_db}");
    assert_eq!(fast_db_to_lin(0.0), 1.0);
    assert_eq!(fast_db_to_lin(-0.0), 1.0);
    assert_eq!(fast_exp2(3.0), 8.0);
}

#[test]
fn static_curve_matches_the_gain_computer_formula() {
    let settings = [
        (-18.0, 4.0, 6.0),
        (-30.0, f32::INFINITY, 0.0),
        (-40.0, 2.0, 12.0),
        (-10.0, 8.0, 24.0),
        (-60.0, f32::INFINITY, 24.0),
        (-24.0, 1.5, 0.0),
    ];
    let mut worst_measured = 0.0_f32;
    let mut worst_static = 0.0_f32;
    for (t, ratio, w) in settings {
        let mut c = prepared();
        c.set_threshold_db(t);
        c.set_ratio(ratio);
        c.set_knee_db(w);
        c.set_attack_ms(0.1);
        c.set_release_ms(10.0);
        for level_db in (-60..=0).map(|d| d as f32) {
            let expected = reference_gain_db(level_db, t, ratio, w);
            let static_err = (c.static_gain_db(level_db) - expected).abs();
            worst_static = worst_static.max(static_err);
            c.reset();
            // A steady (DC) level: 2 000 frames are 400 attack time constants.
            let x = lin(level_db);
            let input = vec![x; 2_000];
            let (out, _) = run(&mut c, &input, &input, 512);
            let measured = db(out[1_999]) - level_db;
            let err = (measured - expected).abs();
            worst_measured = worst_measured.max(err);
            assert!(
                err < 0.1,
                "T {t} R {ratio} W {w} at {level_db} dB: {measured} vs {expected}"
            );
        }
    }
    eprintln!(
        "static curve: worst measured error {worst_measured} dB, static_gain_db {worst_static} dB"
    );
    assert!(worst_static < 1e-4);
}

/// Frames after `from` until the gain reduction (input level minus output level, dB)
/// first satisfies `reached`.
fn frames_until(out: &[f32], input: &[f32], from: usize, reached: impl Fn(f32) -> bool) -> usize {
    (from..out.len())
        .find(|&i| reached(db(input[i]) - db(out[i])))
        .expect("never reached")
        - from
}

#[test]
fn attack_and_release_are_the_detector_time_constants() {
    // Threshold −30, ratio ∞, hard knee: a step from −40 dB (no reduction) to −10 dB asks
    // for 20 dB; the reduction covers 1 − 1/e of it (12.64 dB) after the attack time, and
    // after the step back to −40 dB it falls to 20/e = 7.36 dB after the release time.
    for (attack_ms, release_ms) in [(10.0, 100.0), (1.0, 500.0), (100.0, 50.0)] {
        let mut c = prepared();
        c.set_threshold_db(-30.0);
        c.set_ratio(f32::INFINITY);
        c.set_knee_db(0.0);
        c.set_attack_ms(attack_ms);
        c.set_release_ms(release_ms);
        c.reset();
        let frames = |ms: f32| (ms * FS / 1000.0) as usize;
        let (step_up, step_down) = (1_000, 1_000 + frames(attack_ms) * 12);
        let total = step_down + frames(release_ms) * 12;
        let input: Vec<f32> = (0..total)
            .map(|i| {
                lin(if (step_up..step_down).contains(&i) {
                    -10.0
                } else {
                    -40.0
                })
            })
            .collect();
        let (out, _) = run(&mut c, &input, &input, 128);
        let attack = frames_until(&out, &input, step_up, |gr| {
            gr >= 20.0 * (1.0 - (-1f32).exp())
        });
        let release = frames_until(&out, &input, step_down, |gr| gr <= 20.0 * (-1f32).exp());
        let attack_measured_ms = attack as f32 * 1000.0 / FS;
        let release_measured_ms = release as f32 * 1000.0 / FS;
        eprintln!("attack {attack_ms} ms measured {attack_measured_ms} ms; release {release_ms} ms measured {release_measured_ms} ms");
        assert!((attack_measured_ms / attack_ms - 1.0).abs() < 0.1);
        assert!((release_measured_ms / release_ms - 1.0).abs() < 0.1);
    }
}

fn sine(freq_hz: f32, peak_db: f32, frames: usize) -> Vec<f32> {
    let a = lin(peak_db);
    (0..frames)
        .map(|i| a * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / FS).sin())
        .collect()
}

/// The settled gain reduction on a steady signal: the largest of the last block.
fn settled_reduction_db(c: &mut Compressor, input: &[f32]) -> f32 {
    run(c, input, input, 1_024);
    c.gain_reduction_db()
}

#[test]
fn rms_detector_reads_a_sine_3_db_below_the_peak_detector() {
    // Ratio ∞, hard knee: reduction = level − threshold, so the reductions read the
    // detector levels. A sine's RMS is its peak − 10·log10(2) = −3.01 dB.
    let input = sine(1_000.0, -6.0, 48_000);
    let mut readings = [0.0; 2];
    for (k, detection) in [Detection::Peak, Detection::Rms].into_iter().enumerate() {
        let mut c = prepared();
        c.set_threshold_db(-40.0);
        c.set_ratio(f32::INFINITY);
        c.set_knee_db(0.0);
        c.set_attack_ms(0.1);
        c.set_release_ms(2_000.0);
        c.set_detection(detection);
        c.reset();
        readings[k] = settled_reduction_db(&mut c, &input);
    }
    eprintln!(
        "peak detector GR {} dB, RMS detector GR {} dB",
        readings[0], readings[1]
    );
    assert!((readings[0] - 34.0).abs() < 0.1, "{readings:?}");
    assert!(
        (readings[0] - readings[1] - 3.0103).abs() < 0.1,
        "{readings:?}"
    );
}

#[test]
fn sidechain_high_pass_spares_low_tones() {
    // RBJ high-pass at 200 Hz, Q 1/√2: |H(40 Hz)| ≈ −28 dB, |H(1 kHz)| ≈ 0 dB. A −6 dBFS tone
    // with threshold −30, ratio 4, hard knee asks for (1 − 1/4)·24 = 18 dB.
    let reduction = |freq_hz: f32, hpf_hz: f32| {
        let mut c = prepared();
        c.set_threshold_db(-30.0);
        c.set_knee_db(0.0);
        c.set_attack_ms(1.0);
        c.set_release_ms(1_000.0);
        c.set_sidechain_hpf_hz(hpf_hz);
        c.reset();
        settled_reduction_db(&mut c, &sine(freq_hz, -6.0, 48_000))
    };
    let (low_off, low_on) = (reduction(40.0, 0.0), reduction(40.0, 200.0));
    let (high_off, high_on) = (reduction(1_000.0, 0.0), reduction(1_000.0, 200.0));
    eprintln!("40 Hz: GR {low_off} dB without, {low_on} dB with the HPF; 1 kHz: {high_off} / {high_on} dB");
    assert!((low_off - 18.0).abs() < 0.5, "{low_off}");
    assert!(low_on < low_off - 10.0, "{low_on} vs {low_off}");
    assert!((high_on - high_off).abs() < 0.2, "{high_on} vs {high_off}");
}

#[test]
fn lookahead_delays_the_audio_and_reduction_starts_before_the_transient() {
    let mut c = prepared();
    c.set_lookahead_ms(5.0);
    assert_eq!(c.latency_frames(), 240);
    // Ratio 1: unity gain, so the output is the input delayed by exactly 240 frames.
    c.set_ratio(1.0);
    c.reset();
    let input: Vec<f32> = (0..2_000)
        .map(|i| ((i * 7_919) % 201) as f32 / 100.0 - 1.0)
        .collect();
    let (out, _) = run(&mut c, &input, &input, 100);
    assert!(out[..240].iter().all(|&x| x == 0.0));
    assert_eq!(&out[240..], &input[..2_000 - 240]);

    // Quiet (−40 dB, below the −20 dB threshold) until frame 1 000, loud (−6 dB) after.
    c.set_ratio(4.0);
    c.set_threshold_db(-20.0);
    c.set_knee_db(0.0);
    c.set_attack_ms(1.0);
    c.reset();
    let (quiet, loud) = (lin(-40.0), lin(-6.0));
    let input: Vec<f32> = (0..3_000)
        .map(|i| if i < 1_000 { quiet } else { loud })
        .collect();
    let (out, _) = run(&mut c, &input, &input, 64);
    assert_eq!(
        out[999], quiet,
        "no reduction before the detector sees the transient"
    );
    let reduction_before_transient = db(quiet) - db(out[1_239]);
    eprintln!("lookahead: reduction already {reduction_before_transient} dB one frame before the transient leaves (full 10.5 dB)");
    // After 240 frames = 5 attack time constants: 10.5·(1 − e⁻⁵) = 10.43 dB.
    assert!(
        reduction_before_transient > 10.0,
        "{reduction_before_transient}"
    );
    assert!(
        out[1_240] > out[1_239],
        "the transient itself leaves at frame 1 240"
    );
}

#[test]
fn bypass_crossfades_without_steps_and_ends_exactly_dry() {
    let mut c = prepared();
    c.set_threshold_db(-30.0);
    c.set_lookahead_ms(2.0);
    c.reset();
    let latency = c.latency_frames();
    assert_eq!(latency, 96);
    // A positive, slowly modulated input, so gain = output / delayed input everywhere.
    let input: Vec<f32> = (0..48_000)
        .map(|i| 0.5 * (1.0 + 0.5 * (2.0 * std::f32::consts::PI * 3.0 * i as f32 / FS).sin()))
        .collect();
    let (bypass_at, engage_at) = (24_000, 36_000);
    let (out, _) = render(
        &mut c,
        &input,
        &input,
        128,
        &[bypass_at, engage_at],
        &|c, frame| c.set_bypassed(frame == bypass_at),
    );
    let gain: Vec<f32> = (latency..out.len())
        .map(|i| out[i] / input[i - latency])
        .collect();
    let largest_step = gain
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    // A hard switch would step by 1 − 10^(−18/20) ≈ 0.87.
    eprintln!(
        "bypass: largest gain step {largest_step}, reduction before bypass {} dB",
        -db(gain[bypass_at - latency - 1])
    );
    assert!(largest_step < 0.01, "{largest_step}");
    // Fully dry from the 480th frame (10 ms) after the switch on: the input delayed by the
    // latency, bit for bit.
    for i in bypass_at + 479..engage_at {
        assert_eq!(out[i], input[i - latency], "frame {i}");
    }
    assert!(out[bypass_at + 478] != input[bypass_at + 478 - latency]);
    assert!(gain[engage_at + 960 - latency] < 0.5, "engaged again");
}

fn test_signal(frames: usize) -> (Vec<f32>, Vec<f32>) {
    let tau = 2.0 * std::f32::consts::PI;
    let env = |i: usize| 0.6 * (0.5 + 0.5 * (tau * 1.7 * i as f32 / FS).sin()).powi(2);
    let left = (0..frames)
        .map(|i| {
            if (20_000..22_000).contains(&i) {
                0.0
            } else {
                let t = i as f32 / FS;
                env(i) * ((tau * 110.0 * t).sin() + 0.4 * (tau * 2_300.0 * t).sin())
            }
        })
        .collect();
    let right = (0..frames)
        .map(|i| {
            if (20_000..22_000).contains(&i) {
                0.0
            } else {
                let t = i as f32 / FS;
                0.7 * env(i + 3_000) * (tau * 60.0 * t).sin()
                    + 0.05 * (((i * 7_919) % 201) as f32 / 100.0 - 1.0)
            }
        })
        .collect();
    (left, right)
}

#[test]
fn a_huge_burst_is_clamped_in_the_side_chain() {
    // +600 dBFS for 128 frames: nothing in the detector overflows.
    let (left, right) = test_signal(24_000);
    let mut c = prepared();
    c.set_sidechain_hpf_hz(80.0);
    c.set_lookahead_ms(10.0);
    c.reset();
    let mut huge = left.clone();
    huge[4_000..4_128].fill(1e30);
    let (out, _) = run(&mut c, &huge, &right, 128);
    assert!(out[4_128 + 480..].iter().all(|x| x.is_finite()));
    assert!(c.gain_reduction_db().is_finite());
}

#[test]
fn ratio_and_sidechain_cutoff_have_floors() {
    // The table's ranges are checked by tests/conformance; these limits are the
    // compressor's own: a ratio under 1 reads as 1, a NaN ratio is ignored, a side-chain
    // cutoff under 20 Hz reads as 20 and 0 turns the filter off.
    let mut c = prepared();
    c.set_knee_db(0.0);
    c.set_ratio(f32::NAN);
    assert!((c.static_gain_db(-8.0) + 7.5).abs() < 1e-4, "ratio still 4");
    c.set_ratio(0.5);
    assert_eq!(c.static_gain_db(0.0), 0.0, "ratio clamped to 1");
    c.set_sidechain_hpf_hz(5.0);
    assert_eq!(c.hpf_hz, 20.0);
    c.set_sidechain_hpf_hz(0.0);
    assert_eq!(c.hpf_hz, 0.0);
}

#[test]
fn auto_makeup_gives_back_half_the_reduction_at_0_dbfs() {
    // Threshold −24, ratio 4, knee 6: reduction at 0 dB = (1 − 1/4)·24 = 18 dB, so auto
    // make-up adds 9 dB to the manual 2 dB.
    let mut c = prepared();
    c.set_threshold_db(-24.0);
    c.set_auto_makeup(true);
    c.set_makeup_db(2.0);
    c.set_attack_ms(0.1);
    c.reset();
    assert!((c.static_gain_db(0.0) - (2.0 + 9.0 - 18.0)).abs() < 1e-4);
    assert!((c.static_gain_db(-40.0) - 11.0).abs() < 1e-4);
    let input = vec![1.0; 4_000];
    let (out, _) = run(&mut c, &input, &input, 256);
    let measured = db(out[3_999]);
    eprintln!("auto makeup: 0 dBFS in, {measured} dB out (expected −7: 2 + 9 − 18)");
    assert!((measured + 7.0).abs() < 0.01);
}
