//! Tests of `delay`.

use super::*;
use crate::test_support::{last_nonzero, render_with_events as render};
use crate::Processor;

const FS: f32 = 48_000.0;

/// A parameter change applied before the frame it names.
type Event = (usize, fn(&mut Delay));

fn prepared(setup: impl FnOnce(&mut Delay)) -> Delay {
    let mut delay = Delay::new();
    delay.prepare(FS, 4_096);
    setup(&mut delay);
    delay.reset();
    delay
}

fn impulse(frames: usize, left: f32, right: f32) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    l[0] = left;
    r[0] = right;
    (l, r)
}

fn sine(frames: usize, freq_hz: f32, amplitude: f32) -> Vec<f32> {
    (0..frames)
        .map(|i| {
            amplitude * (2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS)).sin() as f32
        })
        .collect()
}

/// Magnitude of the DFT of `x` at `freq_hz`, dB.
fn dft_db(x: &[f32], freq_hz: f32) -> f64 {
    let (mut re, mut im) = (0.0_f64, 0.0_f64);
    for (i, &v) in x.iter().enumerate() {
        let phase = -2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS);
        re += f64::from(v) * phase.cos();
        im += f64::from(v) * phase.sin();
    }
    10.0 * (re * re + im * im).log10()
}

/// Analytic magnitude of the loop low-pass `(1 − a) / (1 − a z⁻¹)` at `freq_hz`, dB.
fn lowpass_db(pole: f32, freq_hz: f32) -> f64 {
    let a = f64::from(pole);
    let w = 2.0 * PI * f64::from(freq_hz) / f64::from(FS);
    let den = 1.0 - 2.0 * a * w.cos() + a * a;
    10.0 * ((1.0 - a) * (1.0 - a) / den).log10()
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn impulse_returns_at_the_time_and_repeats_with_feedback_gain() {
    // Reference: 375 ms at 48 kHz is 18 000 frames; repeat n (n ≥ 1) has passed the loop
    // n − 1 times, so its gain is feedback^(n−1) times the low-pass, which at 20 kHz costs
    // 0.0064 dB per pass at 1 kHz (analytic). Measured at 1 kHz by DFT of each repeat.
    let mut delay = prepared(|d| {
        d.set_feedback(0.5);
        d.set_high_cut_hz(20_000.0);
    });
    let period = 18_000;
    let (l, r) = render(&mut delay, &impulse(6 * period, 1.0, 1.0), 128, &[]);
    assert_eq!(l, r);
    assert!(l[..period].iter().all(|&x| x == 0.0));
    assert_eq!(l[period], 1.0, "the first repeat is the impulse itself");
    assert!(l[period + 1..2 * period].iter().all(|&x| x == 0.0));
    for n in 1..=5 {
        let window = &l[n * period..(n + 1) * period];
        let peak_at = (0..period)
            .max_by(|&a, &b| window[a].abs().total_cmp(&window[b].abs()))
            .unwrap();
        assert_eq!(peak_at, 0, "repeat {n} starts at {n} × 18 000 frames");
        let measured = dft_db(window, 1_000.0);
        let expected = 20.0 * 0.5_f64.log10() * (n - 1) as f64;
        eprintln!("repeat {n}: {measured:.4} dB at 1 kHz, expected {expected:.4} dB");
        assert!(
            (measured - expected).abs() < 0.1,
            "repeat {n}: {measured:.4} dB, expected {expected:.4} dB"
        );
    }
}

#[test]
fn high_cut_lowers_a_high_tone_more_on_each_repeat() {
    // Reference: repeat n carries the loop low-pass n − 1 times, so the level at 8 kHz
    // relative to 500 Hz falls by the analytic |H(8k)/H(500)| of the one-pole on each pass.
    let mut delay = prepared(|d| {
        d.set_time_ms(100.0);
        d.set_feedback(0.9);
        d.set_high_cut_hz(2_000.0);
    });
    let pole = delay.pole.value();
    let per_pass = lowpass_db(pole, 8_000.0) - lowpass_db(pole, 500.0);
    let period = 4_800;
    let (l, _) = render(&mut delay, &impulse(6 * period, 1.0, 1.0), 64, &[]);
    let mut previous = f64::INFINITY;
    for n in 1..=5 {
        let window = &l[n * period..(n + 1) * period];
        let tilt = dft_db(window, 8_000.0) - dft_db(window, 500.0);
        let expected = per_pass * (n - 1) as f64;
        eprintln!("repeat {n}: tilt {tilt:.3} dB, expected {expected:.3} dB");
        assert!(
            (tilt - expected).abs() < 0.1,
            "repeat {n}: 8 kHz − 500 Hz = {tilt:.3} dB, expected {expected:.3} dB"
        );
        assert!(
            tilt < previous - 5.0,
            "repeat {n} is darker than the one before"
        );
        previous = tilt;
    }
}

#[test]
fn ping_pong_alternates_channels() {
    // Reference: the mono sum (0.5 for a left-only impulse) enters the left line; the
    // feedback crosses sides, so odd repeats are on the left, even ones on the right, each
    // feedback (0.5) times the previous one at low frequencies (DC gain of the loop: 1).
    let mut delay = prepared(|d| {
        d.set_ping_pong(true);
        d.set_time_ms(50.0);
        d.set_feedback(0.5);
    });
    let period = 2_400;
    let (l, r) = render(&mut delay, &impulse(7 * period, 1.0, 0.0), 128, &[]);
    assert_eq!(l[period], 0.5);
    for n in 1..=6 {
        let (wl, wr) = (
            &l[n * period..(n + 1) * period],
            &r[n * period..(n + 1) * period],
        );
        let (on, off) = if n % 2 == 1 { (wl, wr) } else { (wr, wl) };
        assert!(
            off.iter().all(|&x| x == 0.0),
            "repeat {n}: the other side is silent"
        );
        let sum: f32 = on.iter().sum();
        let expected = 0.5 * 0.5_f32.powi(n as i32 - 1);
        assert!(
            (sum - expected).abs() < 1e-5,
            "repeat {n}: {sum} vs {expected}"
        );
    }
}

#[test]
fn a_time_glide_bends_pitch_without_jumps() {
    // Reference: a 1 kHz sine of amplitude 0.5 changes by at most 2·0.5·sin(π·1k/48k) =
    // 0.0654 per frame; while the time glides the read head moves at 0.5× to 1.5× speed, so
    // the output may change by at most 1.5× that (plus interpolation error). A jump of the
    // read position would change it by up to 1.0.
    let frames = 5 * 48_000;
    let input = sine(frames, 1_000.0, 0.5);
    let in_step = max_step(&input);
    let mut delay = prepared(|d| {
        d.set_time_ms(100.0);
        d.set_feedback(0.0);
    });
    let events: [Event; 2] = [
        (14_400, |d| d.set_time_ms(1_000.0)),
        (14_400 + 120_000, |d| d.set_time_ms(100.0)),
    ];
    let (l, _) = render(&mut delay, &(input.clone(), input.clone()), 256, &events);
    let out_step = max_step(&l[4_800..]);
    eprintln!("glide: largest step {out_step:.5}, input {in_step:.5}");
    assert!(
        out_step <= 1.5 * in_step + 1e-3,
        "{out_step} vs input {in_step}"
    );
    assert!(
        out_step > 1.2 * in_step,
        "the glide shortening the time raises the pitch: {out_step}"
    );
    // The glides last 2 × 900 ms = 86 400 frames; then the output is the input 48 000
    // (later 4 800) frames late, exactly.
    let settled_long = 14_400 + 86_400;
    for i in settled_long..settled_long + 1_000 {
        assert_eq!(l[i], input[i - 48_000]);
    }
    let settled_short = 14_400 + 120_000 + 86_400;
    for i in settled_short..settled_short + 1_000 {
        assert_eq!(l[i], input[i - 4_800]);
    }
}

#[test]
fn parameter_jumps_do_not_step() {
    // Reference: the output is a sum of 1 kHz sinusoids whose gains move over 20 ms, so
    // sample-to-sample it changes by at most about ω·max|y| (ω = 2π·1k/48k) plus the slow
    // drift of the envelope. A click would exceed that by far.
    let frames = 120_000;
    let input = sine(frames, 1_000.0, 0.5);
    let mut delay = prepared(|d| {
        d.set_time_ms(100.0);
        d.set_feedback(0.2);
        d.set_high_cut_hz(500.0);
    });
    let events: [Event; 6] = [
        (24_000, |d| d.set_ping_pong(true)),
        (36_000, |d| d.set_feedback(0.95)),
        (48_000, |d| d.set_high_cut_hz(20_000.0)),
        (72_000, |d| {
            d.set_ping_pong(false);
            d.set_feedback(0.0);
        }),
        (84_000, |d| d.set_bypassed(true)),
        // Leaving bypass: the lines are empty, the echo of the faded-in input starts 100 ms
        // later without a step.
        (90_012, |d| d.set_bypassed(false)),
    ];
    let (l, r) = render(&mut delay, &(input.clone(), input), 128, &events);
    let omega = 2.0 * (std::f32::consts::PI * 1_000.0 / FS).sin();
    for channel in [&l, &r] {
        let tail = &channel[4_800..];
        let peak = tail.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
        let step = max_step(tail);
        eprintln!(
            "jumps: largest step {step:.5}, bound {:.5}",
            1.05 * omega * peak
        );
        assert!(
            step <= 1.05 * omega * peak,
            "step {step}, bound {}",
            omega * peak
        );
    }
}

#[test]
fn the_tail_reaches_exact_zeros_and_stays_there() {
    // Reference: with feedback 0.5 and a loop low-pass of gain ≤ 1, repeat n peaks below
    // 0.5^(n−1), under the 1e-10 floor from n = 35 on (16 800 frames at 10 ms); the 20 kHz
    // low-pass keeps at least 0.46^(n−1) of it, so repeat 30 (14 400) is still above. The gate
    // then waits one delay (483 frames) plus a block.
    let mut delay = prepared(|d| {
        d.set_time_ms(10.0);
        d.set_feedback(0.5);
        d.set_high_cut_hz(20_000.0);
    });
    let frames = 48_000;
    let (l, r) = render(&mut delay, &impulse(frames, 1.0, -1.0), 128, &[]);
    let last_nonzero = last_nonzero(&l, &r);
    eprintln!("tail: last non-zero frame {last_nonzero}");
    assert!(
        (14_400..16_800 + 483 + 128).contains(&last_nonzero),
        "last non-zero frame {last_nonzero}"
    );
    assert!(!delay.has_state, "the lines were cleared");
}

#[test]
fn bypass_crossfades_to_the_dry_input_in_10_ms() {
    // Reference: 10 ms at 48 kHz = 480 frames; after it the input passes untouched.
    let input = sine(4_800, 440.0, 0.8);
    let mut delay = prepared(|d| d.set_time_ms(1.0));
    let (l, _) = render(
        &mut delay,
        &(input.clone(), input.clone()),
        64,
        &[(960, |d| d.set_bypassed(true))],
    );
    assert_eq!(&l[960 + 479..], &input[960 + 479..]);
    assert_ne!(l[960 + 400], input[960 + 400]);
    assert!(max_step(&l) <= 1.05 * max_step(&input));
    assert!(!delay.has_state, "cleared when fully bypassed");
}
