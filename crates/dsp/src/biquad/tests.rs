//! Tests of `biquad`.

use super::*;

const FS: f32 = 48_000.0;

/// Magnitude of the filter measured from its impulse response (DFT at one frequency), dB.
fn measured_db(c: &Coefficients, freq_hz: f32) -> f32 {
    let mut state = BiquadState::default();
    let n = 1 << 16;
    let (mut re, mut im) = (0.0_f64, 0.0_f64);
    for i in 0..n {
        let y = f64::from(state.process(c, if i == 0 { 1.0 } else { 0.0 }));
        let phase = -2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS);
        re += y * phase.cos();
        im += y * phase.sin();
    }
    (10.0 * (re * re + im * im).log10()) as f32
}

#[test]
fn cookbook_responses_have_their_defining_values() {
    let bell = Coefficients::design(BiquadKind::Bell, 1_000.0, 1.0, 6.0, FS);
    assert!((bell.magnitude_db(1_000.0, FS) - 6.0).abs() < 1e-3);
    assert!(bell.magnitude_db(20.0, FS).abs() < 0.05);
    let low = Coefficients::design(BiquadKind::LowShelf, 200.0, 0.707, -9.0, FS);
    assert!((low.magnitude_db(10.0, FS) + 9.0).abs() < 0.05);
    assert!(
        (low.magnitude_db(200.0, FS) + 4.5).abs() < 0.05,
        "half gain at f0"
    );
    assert!(low.magnitude_db(15_000.0, FS).abs() < 0.05);
    let high = Coefficients::design(BiquadKind::HighShelf, 5_000.0, 0.707, 12.0, FS);
    assert!((high.magnitude_db(20_000.0, FS) - 12.0).abs() < 0.2);
    assert!(high.magnitude_db(50.0, FS).abs() < 0.05);
    let lp = Coefficients::design(
        BiquadKind::LowPass,
        1_000.0,
        std::f32::consts::FRAC_1_SQRT_2,
        0.0,
        FS,
    );
    assert!(
        (lp.magnitude_db(1_000.0, FS) + 3.0103).abs() < 0.01,
        "−3 dB at f0"
    );
    assert!(
        (lp.magnitude_db(4_000.0, FS) + 24.0).abs() < 0.8,
        "12 dB/octave"
    );
    let hp = Coefficients::design(
        BiquadKind::HighPass,
        100.0,
        std::f32::consts::FRAC_1_SQRT_2,
        0.0,
        FS,
    );
    assert!((hp.magnitude_db(100.0, FS) + 3.0103).abs() < 0.01);
    assert!(hp.magnitude_db(10_000.0, FS).abs() < 0.01);
}

#[test]
fn measured_response_equals_the_analytic_one() {
    let c = Coefficients::design(BiquadKind::Bell, 2_500.0, 4.0, -12.0, FS);
    for f in [50.0, 1_000.0, 2_500.0, 3_000.0, 12_000.0] {
        let (m, a) = (measured_db(&c, f), c.magnitude_db(f, FS));
        assert!((m - a).abs() < 0.01, "{f} Hz: measured {m}, analytic {a}");
    }
}

#[test]
fn silence_after_signal_decays_to_exact_zeros() {
    let mut f = SmoothedBiquad::new(BiquadKind::Bell);
    f.prepare(FS, 20.0);
    f.set(80.0, 8.0, 18.0);
    f.reset();
    let (mut l, mut r) = (vec![1.0; 64], vec![-1.0; 64]);
    f.process(&mut l, &mut r, 2);
    // A narrow +18 dB bell rings for long: its poles lie 2.3e-4 inside the unit circle, so
    // falling 200 dB to the tail floor takes about 100 000 frames.
    let mut zero_from = None;
    for block in 0..1_000 {
        let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
        f.process(&mut l, &mut r, 2);
        if l.iter().chain(&r).all(|&x| x == 0.0) {
            zero_from.get_or_insert(block * 128);
        } else {
            assert!(zero_from.is_none(), "exact zeros stay zeros");
        }
    }
    let zero_from = zero_from.expect("the tail ends in exact zeros");
    assert!((80_000..130_000).contains(&zero_from), "{zero_from}");
}

#[test]
fn glides_do_not_depend_on_block_size() {
    let input: Vec<f32> = (0..4_096)
        .map(|i| ((i * 7919) % 201) as f32 / 100.0 - 1.0)
        .collect();
    let run = |block: usize| {
        let mut f = SmoothedBiquad::new(BiquadKind::Bell);
        f.prepare(FS, 20.0);
        f.reset();
        f.set(4_000.0, 2.0, 12.0);
        let mut out = input.clone();
        let mut right = input.clone();
        for (l, r) in out.chunks_mut(block).zip(right.chunks_mut(block)) {
            f.process(l, r, 2);
        }
        out
    };
    let reference = run(4_096);
    for block in [1, 3, 64, 128] {
        assert_eq!(run(block), reference, "block {block}");
    }
}
