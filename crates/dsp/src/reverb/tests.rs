//! Tests of `reverb`.

use super::*;
use crate::biquad::{BiquadKind, BiquadState, Coefficients};
use crate::test_support::{last_nonzero, render_with_events as render};
use crate::{Processor, StereoBlock};

const FS: f32 = 48_000.0;

/// A parameter change applied before the frame it names.
type Event = (usize, fn(&mut Reverb));

fn prepared(setup: impl FnOnce(&mut Reverb)) -> Reverb {
    let mut reverb = Reverb::new();
    reverb.prepare(FS, 4_096);
    setup(&mut reverb);
    reverb.reset();
    reverb
}

fn impulse(frames: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, r) = (vec![0.0; frames], vec![0.0; frames]);
    l[0] = 1.0;
    (l, r)
}

/// `x` through a cascade of RBJ biquads.
fn filtered(x: &[f32], stages: &[(BiquadKind, f32)]) -> Vec<f32> {
    let mut y = x.to_vec();
    for &(kind, freq_hz) in stages {
        let c = Coefficients::design(kind, freq_hz, std::f32::consts::FRAC_1_SQRT_2, 0.0, FS);
        let mut state = BiquadState::default();
        for v in &mut y {
            *v = state.process(&c, *v);
        }
    }
    y
}

/// RT60, s, by Schroeder backward integration of the energy of `left` + `right`, with a
/// least-squares line through the decay curve between −5 and −35 dB (T30, ISO 3382-1).
fn rt60_s(left: &[f32], right: &[f32]) -> f64 {
    let energy: Vec<f64> = left
        .iter()
        .zip(right)
        .map(|(&l, &r)| f64::from(l) * f64::from(l) + f64::from(r) * f64::from(r))
        .collect();
    let mut edc = vec![0.0; energy.len()];
    let mut sum = 0.0;
    for i in (0..energy.len()).rev() {
        sum += energy[i];
        edc[i] = sum;
    }
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &e) in edc.iter().enumerate() {
        let db = 10.0 * (e / edc[0]).log10();
        if (-35.0..=-5.0).contains(&db) {
            let t = i as f64 / f64::from(FS);
            n += 1.0;
            sx += t;
            sy += db;
            sxx += t * t;
            sxy += t * db;
        }
    }
    let slope_db_per_s = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    -60.0 / slope_db_per_s
}

fn impulse_response(
    kind: ReverbKind,
    decay_s: f32,
    damping: f32,
    seconds: f32,
) -> (Vec<f32>, Vec<f32>) {
    let mut reverb = prepared(|r| {
        r.set_kind(kind);
        r.set_decay_s(decay_s);
        r.set_damping(damping);
        r.set_predelay_ms(0.0);
    });
    render(&mut reverb, &impulse((seconds * FS) as usize), 512, &[])
}

#[test]
fn decay_matches_the_set_rt60() {
    // Reference: the set decay. Broadband impulse responses with damping 0 (so every
    // frequency decays at the set rate), T30 fit.
    for kind in [ReverbKind::Room, ReverbKind::Hall, ReverbKind::Plate] {
        for decay_s in [0.5, 2.0] {
            let (l, r) = impulse_response(kind, decay_s, 0.0, 1.25 * decay_s + 0.3);
            let measured = rt60_s(&l, &r);
            eprintln!("{kind:?}, decay {decay_s} s: RT60 {measured:.3} s");
            let error = measured / f64::from(decay_s) - 1.0;
            assert!(error.abs() < 0.15, "{kind:?} {decay_s} s: {measured:.3} s");
        }
    }
}

#[test]
fn damping_makes_the_high_band_decay_faster() {
    // Reference: damping 1 asks for an 8 kHz RT60 of 0.2 × the 1 kHz one, damping 0 for
    // equal ones; the 1 kHz RT60 stays the set decay. Bands: 4th-order RBJ low-pass at
    // 500 Hz, band 700–1400 Hz, 4th-order high-pass at 6 kHz.
    let low = [(BiquadKind::LowPass, 500.0), (BiquadKind::LowPass, 500.0)];
    let mid = [
        (BiquadKind::HighPass, 700.0),
        (BiquadKind::HighPass, 700.0),
        (BiquadKind::LowPass, 1_400.0),
        (BiquadKind::LowPass, 1_400.0),
    ];
    let high = [
        (BiquadKind::HighPass, 6_000.0),
        (BiquadKind::HighPass, 6_000.0),
    ];
    let band_rt60 = |ir: &(Vec<f32>, Vec<f32>), stages: &[(BiquadKind, f32)]| {
        rt60_s(&filtered(&ir.0, stages), &filtered(&ir.1, stages))
    };
    let bright = impulse_response(ReverbKind::Hall, 2.0, 0.0, 3.0);
    let dark = impulse_response(ReverbKind::Hall, 2.0, 1.0, 3.0);
    let (bright_low, bright_high) = (band_rt60(&bright, &low), band_rt60(&bright, &high));
    let (dark_low, dark_mid, dark_high) = (
        band_rt60(&dark, &low),
        band_rt60(&dark, &mid),
        band_rt60(&dark, &high),
    );
    eprintln!(
        "damping 0: low {bright_low:.3} s, high {bright_high:.3} s; \
         damping 1: low {dark_low:.3} s, mid {dark_mid:.3} s, high {dark_high:.3} s"
    );
    assert!((bright_high / bright_low - 1.0).abs() < 0.15);
    assert!(dark_high < 0.5 * dark_low, "{dark_high} vs {dark_low}");
    assert!((dark_mid / 2.0 - 1.0).abs() < 0.15, "mid band {dark_mid}");
    assert!(dark_high < 0.6, "8 kHz region: {dark_high}");
}

#[test]
fn absorption_design_is_exact_at_1_khz_and_stable() {
    // Reference: per pass the loop must lose exactly 60·m/(T·fs) dB at 1 kHz, at most
    // 1/1.5 of it at DC (so the DC gain is below 1), and, where reachable, the 8 kHz target
    // of 60·m/(T·(1 − 0.8·damping)·fs) dB. Checked analytically on |k/(1 − b·e^(−jω))|.
    let response_db = |k: f32, b: f32, freq_hz: f64, fs: f64| {
        let (k, b) = (f64::from(k), f64::from(b));
        let w = 2.0 * PI * freq_hz / fs;
        10.0 * (k * k / (1.0 - 2.0 * b * w.cos() + b * b)).log10()
    };
    for fs in [8_000.0_f32, 44_100.0, 48_000.0, 192_000.0] {
        for length_ms in [3.35_f32, 20.0, 106.95] {
            for decay_s in [0.1_f32, 0.5, 2.0, 20.0] {
                for damping in [0.0_f32, 0.5, 1.0] {
                    let m = (length_ms * fs / 1000.0).round();
                    let (k, b) = absorption(m, decay_s, damping, fs);
                    let loss = 60.0 * f64::from(m) / (f64::from(decay_s) * f64::from(fs));
                    let at_mid = response_db(k, b, MID_HZ, f64::from(fs));
                    let at_dc = response_db(k, b, 0.0, f64::from(fs));
                    let case = format!("{fs} Hz, {m} frames, {decay_s} s, damping {damping}");
                    assert!(
                        (at_mid + loss).abs() < 1e-3 * loss.max(1.0),
                        "{case}: {at_mid} dB"
                    );
                    assert!(at_dc <= -loss / 1.5 + 1e-4, "{case}: DC {at_dc} dB");
                    assert!((0.0..=0.95).contains(&b), "{case}: pole {b}");
                    if damping == 0.0 {
                        assert_eq!(b, 0.0);
                    }
                }
            }
        }
    }
    // A reachable 8 kHz target is met: the hall's mean loop at 2 s and damping 1.
    let m = 2_400.0;
    let (k, b) = absorption(m, 2.0, 1.0, FS);
    let at_high = response_db(k, b, HIGH_HZ, 48_000.0);
    let wanted = -60.0 * 2_400.0 / (2.0 * 0.2 * 48_000.0);
    assert!((at_high - wanted).abs() < 1e-3, "{at_high} vs {wanted}");
}

#[test]
fn width_zero_gives_identical_channels_and_full_width_decorrelates() {
    // Reference: width 0 is the mid signal on both sides, exactly; at width 1 the two tap
    // patterns are orthogonal, so the normalized correlation of L and R is near 0.
    let input = (
        crate::white_noise(1, 1.0, 24_000),
        crate::white_noise(2, 1.0, 24_000),
    );
    let mut mono = prepared(|r| r.set_width(0.0));
    let (l, r) = render(&mut mono, &input, 128, &[]);
    assert_eq!(l, r);
    assert!(l.iter().any(|&x| x != 0.0));
    let mut wide = prepared(|_| {});
    let (l, r) = render(&mut wide, &(input.0.clone(), input.0.clone()), 128, &[]);
    let dot = |a: &[f32], b: &[f32]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| f64::from(x) * f64::from(y))
            .sum()
    };
    let correlation = dot(&l, &r) / (dot(&l, &l) * dot(&r, &r)).sqrt();
    eprintln!("width 1, mono input: L/R correlation {correlation:.3}");
    assert!(correlation.abs() < 0.2, "{correlation}");
}

#[test]
fn the_tail_reaches_exact_zeros_and_stays_there() {
    // Reference: decay 0.5 s with the default damping 0.5: the response peaks at 0.017
    // (−35 dB); falling the remaining 165 dB to the floor takes 1.375 s at the exact 1 kHz
    // rate (120 dB/s) and at most 2.06 s at the slowest (DC, ≥ 80 dB/s), plus the gate's
    // reach (pre-delay, diffusers, longest loop: 0.14 s). So the last non-zero frame lies
    // between 1.3 s and 2.65 s; the 1 s after it stays exactly zero.
    let mut reverb = prepared(|r| r.set_decay_s(0.5));
    let frames = 4 * 48_000;
    let (l, r) = render(&mut reverb, &impulse(frames), 128, &[]);
    let last_nonzero = last_nonzero(&l, &r);
    eprintln!("tail: last non-zero frame {last_nonzero}");
    assert!(
        (62_400..(2.65 * FS) as usize).contains(&last_nonzero),
        "last non-zero frame {last_nonzero}"
    );
    assert!(frames - last_nonzero > 48_000);
    assert!(!reverb.has_state, "the network was cleared");
}

#[test]
fn the_largest_finite_input_cannot_overflow_the_network() {
    let huge = (vec![f32::MAX; 4_800], vec![-f32::MAX; 4_800]);
    let (l, r) = render(&mut prepared(|r| r.set_decay_s(20.0)), &huge, 128, &[]);
    assert!(l.iter().chain(&r).all(|x| x.is_finite()));
}

#[test]
fn parameter_jumps_do_not_step() {
    // Reference: with a 500 Hz sine in, the output is a 500 Hz sinusoid whose amplitude and
    // phase move slowly, so from one frame to the next it changes by at most ω·max|y|
    // (ω = 2π·500/48k) over the surrounding 10 ms; glides of size and pre-delay bend the
    // pitch by up to 1.5× (the loops by different amounts, so they beat). A click (a step
    // of the order of max|y|) would exceed 2·ω·max|y| = 0.13·max|y| by far.
    let frames = 2 * 48_000 + 24_000;
    let input = faded_in_sine(frames);
    let events: [Event; 10] = [
        (24_000, |r| r.set_decay_s(3.0)),
        (28_800, |r| r.set_size(1.0)),
        (43_200, |r| r.set_size(0.5)),
        (57_600, |r| r.set_predelay_ms(250.0)),
        (86_400, |r| r.set_damping(1.0)),
        (91_200, |r| r.set_width(0.0)),
        (96_000, |r| r.set_kind(ReverbKind::Room)),
        (100_800, |r| r.set_bypassed(true)),
        (105_600, |r| r.set_bypassed(false)),
        (110_400, |r| r.set_decay_s(0.1)),
    ];
    let mut reverb = prepared(|r| {
        r.set_decay_s(0.5);
        r.set_damping(0.0);
        r.set_predelay_ms(0.0);
    });
    let (l, r) = render(&mut reverb, &(input.clone(), input), 128, &events);
    let omega = 2.0 * (std::f32::consts::PI * 500.0 / FS).sin();
    let mut worst = 0.0_f32;
    for channel in [&l, &r] {
        for i in 12_000_usize..frames - 1 {
            let around = &channel[i.saturating_sub(480)..(i + 480).min(frames)];
            let local_peak = around.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
            let step = (channel[i + 1] - channel[i]).abs();
            worst = worst.max(step / (omega * local_peak));
            assert!(
                step <= 2.0 * omega * local_peak,
                "frame {i}: step {step}, local peak {local_peak}"
            );
        }
    }
    eprintln!("parameter jumps: largest step {worst:.3} × ω·local peak");
}

#[test]
fn switches_and_jumps_leave_no_broadband_trace() {
    // Reference: the response to a 500 Hz sine is a 500 Hz sinusoid; smooth gain and
    // coefficient changes add almost nothing near 10 kHz, while any step spreads energy over
    // all frequencies. So the output above 10 kHz (8th-order RBJ high-pass) must stay 80 dB
    // below the output peak through a character switch, bypass in and out (which empty the
    // network), and jumps of width, damping and decay. Measured: the worst smooth change
    // (the 20 ms decay ramp) leaves about −100 dB; restarting the network without fading its
    // input in left −43 dB, a linear (not smoothstep) bypass crossfade −72 dB.
    let frames = 2 * 48_000;
    let input = faded_in_sine(frames);
    let events: [Event; 6] = [
        (24_013, |r| r.set_kind(ReverbKind::Room)),
        (36_007, |r| r.set_bypassed(true)),
        (48_011, |r| r.set_bypassed(false)),
        (60_017, |r| r.set_width(0.0)),
        (66_001, |r| r.set_damping(1.0)),
        (72_005, |r| r.set_decay_s(0.2)),
    ];
    let mut reverb = prepared(|r| {
        r.set_decay_s(1.0);
        r.set_predelay_ms(0.0);
    });
    let (l, r) = render(&mut reverb, &(input.clone(), input), 128, &events);
    let high = [(BiquadKind::HighPass, 10_000.0); 4];
    for channel in [&l, &r] {
        let peak = channel[12_000..]
            .iter()
            .fold(0.0_f32, |m, x| m.max(x.abs()));
        let residue = filtered(channel, &high)[12_000..]
            .iter()
            .fold(0.0_f32, |m, x| m.max(x.abs()));
        let below_db = 20.0 * (residue / peak).log10();
        eprintln!("above 10 kHz: {below_db:.1} dB re peak");
        assert!(below_db < -80.0, "{below_db} dB");
    }
}

#[test]
fn size_and_predelay_glides_move_the_read_heads_at_most_half_a_frame_per_frame() {
    // Reference: glides last max(20 ms, 2 × the change), so no read position moves faster
    // than 0.5 frame per frame (pitch within 0.5×..1.5× for one pass), and they land on
    // whole frames. Size 0 → 1 moves the hall's longest loop from 1 711 to 5 134 frames
    // (0.5 and 1.5 × 71.3 ms): 6 846 frames of glide; pre-delay 0 → 250 ms: 24 000 frames.
    let mut reverb = prepared(|r| {
        r.set_size(0.0);
        r.set_predelay_ms(0.0);
    });
    reverb.set_size(1.0);
    reverb.set_predelay_ms(250.0);
    let mut previous = (
        reverb.predelay_frames.value(),
        reverb.length_frames.map(|s| s.value()),
    );
    let (mut fastest, mut size_frames, mut predelay_frames) = (0.0_f32, 0, 0);
    for frame in 1..=25_000 {
        let (mut l, mut r) = ([1e-3_f32], [0.0_f32]);
        reverb.process(&mut StereoBlock::new(&mut l, &mut r));
        let now = (
            reverb.predelay_frames.value(),
            reverb.length_frames.map(|s| s.value()),
        );
        fastest = fastest.max((now.0 - previous.0).abs());
        for (a, b) in now.1.iter().zip(previous.1) {
            fastest = fastest.max((a - b).abs());
        }
        if !reverb.length_frames[7].is_settled() {
            size_frames = frame + 1;
        }
        if !reverb.predelay_frames.is_settled() {
            predelay_frames = frame + 1;
        }
        previous = now;
    }
    assert!(fastest <= 0.5 + 1e-3, "{fastest} frames per frame");
    assert_eq!((size_frames, predelay_frames), (6_846, 24_000));
    assert_eq!(reverb.predelay_frames.value(), 12_000.0);
    assert_eq!(
        reverb.length_frames[7].value(),
        (71.3_f32 * 1.5 * 48.0).round()
    );
}

#[test]
fn bypass_crossfades_to_the_dry_input_in_10_ms() {
    // Reference: 10 ms at 48 kHz = 480 frames; after it the input passes untouched
    // and the network is empty.
    let input = (
        crate::white_noise(9, 1.0, 4_800),
        crate::white_noise(10, 1.0, 4_800),
    );
    let mut reverb = prepared(|_| {});
    let (l, r) = render(
        &mut reverb,
        &input,
        64,
        &[(2_400, |r| r.set_bypassed(true))],
    );
    assert_eq!(&l[2_400 + 479..], &input.0[2_400 + 479..]);
    assert_eq!(&r[2_400 + 479..], &input.1[2_400 + 479..]);
    assert_ne!(l[2_400 + 400], input.0[2_400 + 400]);
    assert!(!reverb.has_state, "cleared when fully bypassed");
}

/// A 500 Hz sine at amplitude 0.5, faded in over 100 ms.
fn faded_in_sine(frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|i| {
            let t = i as f64 / f64::from(FS);
            let fade_in = (t / 0.1).min(1.0);
            (0.5 * fade_in * (2.0 * PI * 500.0 * t).sin()) as f32
        })
        .collect()
}
