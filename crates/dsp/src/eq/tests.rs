//! Tests of `eq`.

use super::*;

const FS: f32 = 48_000.0;

/// Magnitude of the EQ measured with a sine, dB (steady state, after 0.5 s).
fn measured_db(eq: &mut Equalizer, freq_hz: f32) -> f32 {
    eq.reset();
    let n = 48_000;
    let input: Vec<f32> = (0..n)
        .map(|i| (std::f32::consts::TAU * freq_hz * i as f32 / FS).sin() * 0.25)
        .collect();
    let (mut l, mut r) = (input.clone(), input.clone());
    for (cl, cr) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
        eq.process(cl, cr, 2);
    }
    let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    20.0 * (rms(&l[24_000..]) / rms(&input[24_000..])).log10()
}

fn prepared() -> Equalizer {
    let mut eq = Equalizer::new();
    eq.prepare(FS, 512);
    eq
}

#[test]
fn magnitude_equals_the_rbj_response_at_third_octave_points() {
    let mut eq = prepared();
    eq.set_band(0, 120.0, 6.0, 0.71);
    eq.set_band(1, 450.0, -9.0, 2.0);
    eq.set_band(2, 3_000.0, 4.5, 0.7);
    eq.set_band(3, 9_000.0, -12.0, 0.71);
    let mut worst: f32 = 0.0;
    for k in -17..=13 {
        // ISO third-octave centres from 20 Hz to 20 kHz.
        let f = 1_000.0 * 2f32.powf(k as f32 / 3.0);
        let (measured, analytic) = (measured_db(&mut eq, f), eq.response_db(f));
        worst = worst.max((measured - analytic).abs());
        assert!(
            (measured - analytic).abs() < 0.1,
            "{f} Hz: measured {measured} dB, RBJ {analytic} dB"
        );
    }
    eprintln!("EQ vs RBJ, 31 third-octave points: worst {worst:.4} dB");
    assert!(worst < 0.1);
}

#[test]
fn flat_bands_pass_exactly_and_bypass_removes_the_curve() {
    let mut eq = prepared();
    eq.reset();
    let input: Vec<f32> = (0..512)
        .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
        .collect();
    let (mut l, mut r) = (input.clone(), input.clone());
    eq.process(&mut l, &mut r, 2);
    assert_eq!(l, input, "a flat EQ is the identity");
    eq.set_band(1, 1_000.0, 12.0, 1.0);
    eq.set_bypassed(true);
    eq.reset();
    assert!(measured_db(&mut eq, 1_000.0).abs() < 1e-4);
    eq.set_bypassed(false);
    eq.set_band_bypassed(1, true);
    eq.reset();
    assert!(measured_db(&mut eq, 1_000.0).abs() < 1e-4);
    eq.set_band_bypassed(1, false);
    eq.reset();
    assert!((measured_db(&mut eq, 1_000.0) - 12.0).abs() < 0.1);
}

#[test]
fn shape_switches_and_bypass_fade_without_steps_and_do_not_depend_on_block_size() {
    let input: Vec<f32> = (0..9_600).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
    let run = |block: usize| {
        let mut eq = prepared();
        eq.set_band(0, 200.0, 12.0, 0.71);
        eq.reset();
        let (mut l, mut r) = (input.clone(), input.clone());
        let mut done = 0;
        for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            if done <= 1_000 && done + cl.len() > 1_000 {
                eq.set_band_kind(0, BiquadKind::HighShelf);
            }
            if done <= 5_000 && done + cl.len() > 5_000 {
                eq.set_bypassed(true);
            }
            eq.process(cl, cr, 2);
            done += cl.len();
        }
        l
    };
    // Changes land at block starts, so compare blocks that share those boundaries.
    let reference = run(8);
    for block in [1, 2, 4] {
        let got = run(block);
        let diff = got
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(diff < 1e-6, "block {block}: {diff}");
    }
    let steps = reference
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    // The input's own largest step is 0.025; the boosted signal moves at most ~4x that.
    assert!(steps < 0.12, "largest step {steps}");
}
