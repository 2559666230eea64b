//! Tests of `loudness`.

use super::*;

const FS: f32 = 48_000.0;

/// Feeds a stereo programme of 1 kHz sine segments (same in both channels, phase continuous
/// from the stream start) to a meter, in blocks of `block` frames.
struct Programme {
    meter: LoudnessMeter,
    frame: u64,
    block: usize,
    left: Vec<f32>,
}

impl Programme {
    fn new(block: usize) -> Programme {
        let mut meter = LoudnessMeter::new();
        meter.prepare(FS);
        meter.reset();
        Programme {
            meter,
            frame: 0,
            block,
            left: vec![0.0; block],
        }
    }

    /// `seconds` of a 1 kHz sine with peaks at `level_dbfs` (silence for `None`).
    fn feed(&mut self, seconds: f64, level_dbfs: Option<f64>) -> &mut Programme {
        let amplitude = level_dbfs.map_or(0.0, |db| 10f64.powf(db / 20.0));
        let mut left = (seconds * f64::from(FS)).round() as usize;
        while left > 0 {
            let n = left.min(self.block);
            for x in &mut self.left[..n] {
                let phase = 2.0 * PI * 1_000.0 * (self.frame % 48_000) as f64 / 48_000.0;
                *x = (amplitude * phase.sin()) as f32;
                self.frame += 1;
            }
            self.meter.process(&self.left[..n], &self.left[..n]);
            left -= n;
        }
        self
    }
}

fn run(segments: &[(f64, Option<f64>)]) -> LoudnessMeter {
    let mut p = Programme::new(4_096);
    for &(seconds, level) in segments {
        p.feed(seconds, level);
    }
    p.meter
}

fn assert_within(what: &str, measured: f32, expected: f64, tolerance: f64) {
    println!("{what}: {measured:.3} (expected {expected:.1} ±{tolerance})");
    assert!(
        (f64::from(measured) - expected).abs() <= tolerance,
        "{what}: measured {measured:.3}, expected {expected:.1} ±{tolerance}"
    );
}

/// BS.1770-4 Annex 1, Tables 1 and 2: the 48 kHz coefficients.
#[test]
fn k_weighting_at_48_khz_equals_the_tables() {
    let [shelf, high_pass] = k_weighting(48_000.0);
    let table_shelf = [
        1.535_124_859_586_97,
        -2.691_696_189_406_38,
        1.198_392_810_852_85,
        -1.690_659_293_182_41,
        0.732_480_774_215_85,
    ];
    let table_high_pass = [1.0, -2.0, 1.0, -1.990_047_454_833_98, 0.990_072_250_366_21];
    for (got, want) in shelf.iter().zip(&table_shelf) {
        assert!((got - want).abs() < 1e-9, "shelf {shelf:?}");
    }
    for (got, want) in high_pass.iter().zip(&table_high_pass) {
        assert!((got - want).abs() < 1e-9, "high-pass {high_pass:?}");
    }
}

/// BS.1770-4: a 0 dBFS 997 Hz sine in one front channel reads −3.01 LKFS, at every rate
/// (within 0.01 LU: the bilinear transform warps the shelf slightly away from 48 kHz).
#[test]
fn full_scale_997_hz_in_one_channel_reads_minus_3_01_at_any_rate() {
    for rate in [32_000.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        let mut meter = LoudnessMeter::new();
        meter.prepare(rate);
        let x: Vec<f32> = (0..(rate as usize) * 2)
            .map(|n| (2.0 * PI * 997.0 * n as f64 / f64::from(rate)).sin() as f32)
            .collect();
        meter.process(&x, &vec![0.0; x.len()]);
        assert_within(
            &format!("I at {rate} Hz"),
            meter.integrated_lufs(),
            -3.01,
            0.01,
        );
    }
}

/// EBU Tech 3341 Table 1, cases 1 and 2: stereo 1 kHz at −23 / −33 dBFS for 20 s:
/// M, S, I = −23.0 / −33.0 ±0.1 LUFS.
#[test]
fn tech_3341_cases_1_and_2_steady_tones() {
    for level in [-23.0, -33.0] {
        let m = run(&[(20.0, Some(level))]);
        assert_within("M", m.momentary_lufs(), level, 0.1);
        assert_within("S", m.short_term_lufs(), level, 0.1);
        assert_within("I", m.integrated_lufs(), level, 0.1);
    }
}

/// Tech 3341 cases 3, 4 and 5: gating. I = −23.0 ±0.1 LUFS for
/// 3: 10 s −36, 60 s −23, 10 s −36 dBFS (the relative gate drops the −36 tones);
/// 4: 10 s −72, 10 s −36, 60 s −23, 10 s −36, 10 s −72 (the absolute gate drops −72);
/// 5: 20 s −26, 20.1 s −20, 20 s −26 (nothing gated: the energy mean).
#[test]
fn tech_3341_cases_3_to_5_gating() {
    let case_3 = run(&[
        (10.0, Some(-36.0)),
        (60.0, Some(-23.0)),
        (10.0, Some(-36.0)),
    ]);
    assert_within("case 3 I", case_3.integrated_lufs(), -23.0, 0.1);
    let case_4 = run(&[
        (10.0, Some(-72.0)),
        (10.0, Some(-36.0)),
        (60.0, Some(-23.0)),
        (10.0, Some(-36.0)),
        (10.0, Some(-72.0)),
    ]);
    assert_within("case 4 I", case_4.integrated_lufs(), -23.0, 0.1);
    let case_5 = run(&[
        (20.0, Some(-26.0)),
        (20.1, Some(-20.0)),
        (20.0, Some(-26.0)),
    ]);
    assert_within("case 5 I", case_5.integrated_lufs(), -23.0, 0.1);
}

/// Tech 3341 case 9: five times (1.34 s at −20, 1.66 s at −30 dBFS): S = −23.0 ±0.1 LUFS,
/// constant after 3 s. Read after every sub-block (5 ms).
#[test]
fn tech_3341_case_9_short_term_is_constant() {
    let mut p = Programme::new(240);
    let (mut low, mut high) = (f32::INFINITY, f32::NEG_INFINITY);
    for _ in 0..5 {
        for (seconds, level) in [(1.34, -20.0), (1.66, -30.0)] {
            let chunks = (seconds * 200.0_f64).round() as usize;
            for _ in 0..chunks {
                p.feed(0.005, Some(level));
                if p.frame >= 3 * 48_000 {
                    let s = p.meter.short_term_lufs();
                    (low, high) = (low.min(s), high.max(s));
                }
            }
        }
    }
    assert_within("min S after 3 s", low, -23.0, 0.1);
    assert_within("max S after 3 s", high, -23.0, 0.1);
}

/// Tech 3341 case 10 (file-based meters): twenty signals of (i·0.15 s silence, 3 s at
/// −23 dBFS, 1 s silence): max S = −23.0 ±0.1 LUFS for each.
#[test]
fn tech_3341_case_10_max_short_term() {
    for i in 0..20 {
        let m = run(&[(i as f64 * 0.15, None), (3.0, Some(-23.0)), (1.0, None)]);
        assert_within(
            &format!("signal {i} max S"),
            m.max_short_term_lufs(),
            -23.0,
            0.1,
        );
    }
}

/// Tech 3341 case 11 (live meters): one stream of twenty (i·0.15 s silence, 3 s at
/// −38 + i dBFS, 3 − i·0.15 s silence): max S reads −38, −37, …, −19 ±0.1 LUFS in turn.
#[test]
fn tech_3341_case_11_max_short_term_live() {
    let mut p = Programme::new(128);
    for i in 0..20 {
        let silence = i as f64 * 0.15;
        p.feed(silence, None)
            .feed(3.0, Some(-38.0 + i as f64))
            .feed(3.0 - silence, None);
        let expected = -38.0 + i as f64;
        assert_within(
            &format!("tone {i} max S"),
            p.meter.max_short_term_lufs(),
            expected,
            0.1,
        );
    }
}

/// Tech 3341 case 12: 25 times (0.18 s at −20, 0.22 s at −30 dBFS): M = −23.0 ±0.1 LUFS,
/// constant after 1 s. Read after every sub-block (5 ms).
#[test]
fn tech_3341_case_12_momentary_is_constant() {
    let mut p = Programme::new(240);
    let (mut low, mut high) = (f32::INFINITY, f32::NEG_INFINITY);
    for _ in 0..25 {
        for (seconds, level) in [(0.18, -20.0), (0.22, -30.0)] {
            for _ in 0..(seconds * 200.0_f64).round() as usize {
                p.feed(0.005, Some(level));
                if p.frame >= 48_000 {
                    let m = p.meter.momentary_lufs();
                    (low, high) = (low.min(m), high.max(m));
                }
            }
        }
    }
    assert_within("min M after 1 s", low, -23.0, 0.1);
    assert_within("max M after 1 s", high, -23.0, 0.1);
}

/// Tech 3341 case 13 (file-based meters): twenty signals of (i·0.02 s silence, 0.4 s at
/// −23 dBFS, 1 s silence): max M = −23.0 ±0.1 LUFS for each. Also run with the tone starting
/// off the sub-block grid (every 0.7 ms), which a 100 ms update rate would fail.
#[test]
fn tech_3341_case_13_max_momentary() {
    for i in 0..20 {
        let m = run(&[(i as f64 * 0.02, None), (0.4, Some(-23.0)), (1.0, None)]);
        assert_within(
            &format!("signal {i} max M"),
            m.max_momentary_lufs(),
            -23.0,
            0.1,
        );
        let m = run(&[(i as f64 * 0.0007, None), (0.4, Some(-23.0)), (1.0, None)]);
        assert_within(
            &format!("off-grid {i} max M"),
            m.max_momentary_lufs(),
            -23.0,
            0.1,
        );
    }
}

/// Tech 3341 case 14 (live meters): twenty (i·0.02 s silence, 0.4 s at −38 + i dBFS,
/// 0.4 − i·0.02 s silence): max M reads −38, −37, …, −19 ±0.1 LUFS in turn.
#[test]
fn tech_3341_case_14_max_momentary_live() {
    let mut p = Programme::new(128);
    for i in 0..20 {
        let silence = i as f64 * 0.02;
        p.feed(silence, None)
            .feed(0.4, Some(-38.0 + i as f64))
            .feed(0.4 - silence, None);
        let expected = -38.0 + i as f64;
        assert_within(
            &format!("tone {i} max M"),
            p.meter.max_momentary_lufs(),
            expected,
            0.1,
        );
    }
}

/// EBU Tech 3342 Table 1, cases 1–4: stereo 1 kHz sines, 20 s per segment.
/// 1: −20, −30 dBFS → LRA 10 ±1 LU; 2: −20, −15 → 5 ±1; 3: −40, −20 → 20 ±1;
/// 4: −50, −35, −20, −35, −50 → 15 ±1 (the −50 segments fall under the relative gate).
#[test]
fn tech_3342_cases_1_to_4_loudness_range() {
    let cases: [(&[f64], f64); 4] = [
        (&[-20.0, -30.0], 10.0),
        (&[-20.0, -15.0], 5.0),
        (&[-40.0, -20.0], 20.0),
        (&[-50.0, -35.0, -20.0, -35.0, -50.0], 15.0),
    ];
    for (case, (levels, expected)) in cases.iter().enumerate() {
        let segments: Vec<_> = levels.iter().map(|&db| (20.0, Some(db))).collect();
        let m = run(&segments);
        assert_within(
            &format!("Tech 3342 case {} LRA", case + 1),
            m.loudness_range_lu(),
            *expected,
            1.0,
        );
    }
}

/// Tech 3342: "the expected response is unchanged if the test signal is repeated": the range
/// and the integrated loudness are statistics over blocks, not over time.
#[test]
fn repeating_a_programme_keeps_range_and_integrated_loudness() {
    let once = run(&[(20.0, Some(-20.0)), (20.0, Some(-30.0))]);
    let twice = run(&[
        (20.0, Some(-20.0)),
        (20.0, Some(-30.0)),
        (20.0, Some(-20.0)),
        (20.0, Some(-30.0)),
    ]);
    assert_within(
        "LRA",
        twice.loudness_range_lu(),
        f64::from(once.loudness_range_lu()),
        0.1,
    );
    assert_within(
        "I",
        twice.integrated_lufs(),
        f64::from(once.integrated_lufs()),
        0.05,
    );
}

#[test]
fn readings_do_not_depend_on_block_size() {
    let readings = |block: usize| {
        let mut p = Programme::new(block);
        p.feed(3.7, Some(-30.0))
            .feed(4.31, Some(-18.0))
            .feed(0.013, None)
            .feed(2.9, Some(-41.0));
        let m = &p.meter;
        [
            m.momentary_lufs(),
            m.short_term_lufs(),
            m.integrated_lufs(),
            m.loudness_range_lu(),
            m.max_momentary_lufs(),
            m.max_short_term_lufs(),
        ]
    };
    let reference = readings(4_096);
    assert!(reference.iter().all(|r| r.is_finite()), "{reference:?}");
    for block in [1, 3, 64, 128] {
        assert_eq!(readings(block), reference, "block {block}");
    }
}

#[test]
fn reset_starts_a_new_measurement() {
    let mut p = Programme::new(512);
    p.feed(4.0, Some(-10.0));
    p.meter.reset();
    p.frame = 0;
    p.feed(4.0, Some(-40.0));
    let fresh = run(&[(4.0, Some(-40.0))]);
    assert_eq!(p.meter.integrated_lufs(), fresh.integrated_lufs());
    assert_eq!(p.meter.max_momentary_lufs(), fresh.max_momentary_lufs());
    assert_eq!(p.meter.max_short_term_lufs(), fresh.max_short_term_lufs());
    assert_eq!(p.meter.loudness_range_lu(), fresh.loudness_range_lu());
}

/// Silence and too-short signals have no loudness: BS.1770 uses complete blocks only.
#[test]
fn silence_and_incomplete_blocks_read_nothing() {
    let silent = run(&[(5.0, None)]);
    assert_eq!(silent.integrated_lufs(), f32::NEG_INFINITY);
    assert_eq!(silent.momentary_lufs(), f32::NEG_INFINITY);
    assert_eq!(silent.max_short_term_lufs(), f32::NEG_INFINITY);
    assert_eq!(silent.loudness_range_lu(), 0.0);
    let short = run(&[(0.39, Some(-20.0))]);
    assert_eq!(short.integrated_lufs(), f32::NEG_INFINITY);
    assert!(short.momentary_lufs().is_finite());
    let complete = run(&[(0.4, Some(-20.0))]);
    assert_within("one block", complete.integrated_lufs(), -20.0, 0.1);
}

#[test]
fn non_finite_samples_are_read_as_zero() {
    let mut meter = LoudnessMeter::new();
    let mut x: Vec<f32> = (0..48_000)
        .map(|n| (0.1 * (2.0 * PI * 1_000.0 * n as f64 / 48_000.0).sin()) as f32)
        .collect();
    let clean = {
        let mut m = LoudnessMeter::new();
        let mut y = x.clone();
        y[100] = 0.0;
        y[20_000] = 0.0;
        m.process(&y, &y);
        m.integrated_lufs()
    };
    x[100] = f32::NAN;
    x[20_000] = f32::INFINITY;
    meter.process(&x, &x);
    assert_eq!(meter.integrated_lufs(), clean);
    // A huge finite sample overflows the f32 filters: the meter recovers on the next block.
    meter.process(&[f32::MAX, -f32::MAX], &[f32::MAX, -f32::MAX]);
    meter.process(&x, &x);
    assert!(
        meter.momentary_lufs().is_finite(),
        "{}",
        meter.momentary_lufs()
    );
}

#[test]
fn sub_blocks_tile_the_gating_step_at_common_rates() {
    for (rate, expected) in [
        (48_000.0, (240, 20)),
        (44_100.0, (210, 21)),
        (96_000.0, (480, 20)),
        (88_200.0, (441, 20)),
        (32_000.0, (160, 20)),
        (192_000.0, (960, 20)),
    ] {
        assert_eq!(sub_block_layout(rate), expected, "{rate} Hz");
    }
}
