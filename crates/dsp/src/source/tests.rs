//! Tests of `source`.

use super::*;
use crate::{white_noise, Engine, StereoBlock};
use mixroom_protocol::units::{db_to_lin, lin_to_db};

#[test]
fn checks_shape_and_cleans_samples() {
    assert_eq!(Source::new(vec![]), Err(SourceError::NoChannels));
    assert_eq!(
        Source::new(vec![vec![0.0]; 3]),
        Err(SourceError::TooManyChannels(3))
    );
    assert_eq!(
        Source::new(vec![vec![0.0; 2], vec![0.0]]),
        Err(SourceError::LengthMismatch)
    );
    let s = Source::new(vec![vec![1.0, f32::NAN, f32::INFINITY, 4.0]]).unwrap();
    let (mut l, mut r) = ([9.0; 3], [9.0; 3]);
    s.read_into(1, &mut l, &mut r);
    assert_eq!(l, [0.0, 0.0, 4.0]);
    assert_eq!(r, [9.0; 3], "mono sources leave the right channel alone");
    s.read_into(3, &mut l, &mut r);
    assert_eq!(l, [4.0, 0.0, 0.0]);
    s.read_into(u64::MAX, &mut l, &mut r);
    assert_eq!(l, [0.0; 3]);
}

#[test]
fn compact_sources_check_their_shape_too() {
    assert_eq!(Source::from_i16(vec![]), Err(SourceError::NoChannels));
    assert_eq!(
        Source::from_i16(vec![vec![0]; 3]),
        Err(SourceError::TooManyChannels(3))
    );
    assert_eq!(
        Source::new_compact(vec![vec![0.0; 2], vec![0.0]]),
        Err(SourceError::LengthMismatch)
    );
}

#[test]
fn every_i16_value_round_trips_exactly() {
    let all: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let source = Source::from_i16(vec![all.clone(), all.iter().rev().copied().collect()]).unwrap();
    assert!(source.is_compact() && !source.is_mono());
    let (mut l, mut r) = (vec![0.0; all.len()], vec![0.0; all.len()]);
    source.read_into(0, &mut l, &mut r);
    for (k, &i) in all.iter().enumerate() {
        assert_eq!(l[k], f32::from(i) / 32_768.0);
        assert_eq!(Source::quantize(l[k]), i, "value {i}");
        assert_eq!(Source::quantize(r[k]), all[all.len() - 1 - k]);
    }
    // f32 samples on the 16-bit grid (what a decoded 16-bit file holds) survive compaction.
    let on_grid: Vec<f32> = all
        .iter()
        .map(|&i| f32::from(i) * Source::I16_STEP)
        .collect();
    let compact = Source::new_compact(vec![on_grid.clone()]).unwrap();
    let (mut back, mut unused) = (vec![0.0; all.len()], vec![7.0; all.len()]);
    compact.read_into(0, &mut back, &mut unused);
    assert_eq!(back, on_grid);
    assert!(
        unused.iter().all(|&x| x == 7.0),
        "mono leaves the right channel alone"
    );
}

#[test]
fn compaction_clamps_and_cleans() {
    let input = vec![
        1.0,
        1.5,
        f32::MAX,
        -1.0,
        -1.0001,
        -7.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.5,
    ];
    let source = Source::new_compact(vec![input]).unwrap();
    let (mut l, mut r) = (vec![0.0; 10], vec![0.0; 10]);
    source.read_into(0, &mut l, &mut r);
    let top = 32_767.0 / 32_768.0;
    assert_eq!(l, [top, top, top, -1.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.5]);
    println!(
        "compact full scale: {:.5} dBFS positive, exactly −1.0 negative",
        lin_to_db(top)
    );
}

#[test]
fn the_floor_is_minus_96_dbfs() {
    // Half a step, the largest rounding error.
    let half_step_db = lin_to_db(Source::I16_STEP / 2.0);
    assert!((half_step_db - -96.33).abs() < 0.01, "{half_step_db}");
    // A tone just under the floor vanishes; one just over it survives.
    let tone = |db: f32| -> Vec<f32> {
        (0..4_800)
            .map(|i| db_to_lin(db) * (i as f32 * 0.0917).sin())
            .collect()
    };
    let read = |samples: Vec<f32>| {
        let n = samples.len();
        let s = Source::new_compact(vec![samples]).unwrap();
        let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
        s.read_into(0, &mut l, &mut r);
        l
    };
    assert!(read(tone(-96.5)).iter().all(|&x| x == 0.0));
    assert!(read(tone(-96.0)).iter().any(|&x| x != 0.0));
    // Over busy noise just under full scale (+1.0 itself clamps to 32767/32768), the error stays within half a step and its RMS is about
    // a step over √12 (−101 dBFS).
    let noise = white_noise(3, 0.99, 100_000);
    let back = read(noise.clone());
    let (mut worst, mut sum_sq) = (0.0_f32, 0.0_f64);
    for (a, b) in noise.iter().zip(&back) {
        let e = (a - b).abs();
        worst = worst.max(e);
        sum_sq += f64::from(e) * f64::from(e);
    }
    let rms_db = 10.0 * (sum_sq / noise.len() as f64).log10();
    println!(
        "compact error: worst {:.2} dBFS, RMS {rms_db:.2} dBFS",
        lin_to_db(worst)
    );
    assert!(worst <= Source::I16_STEP / 2.0);
    assert!((rms_db - -101.1).abs() < 0.2, "{rms_db}");
}

#[test]
fn the_policy_compacts_sources_longer_than_a_minute() {
    // At 100 Hz a minute is 6 000 frames.
    assert_eq!(Source::compact_above_frames(100.0), 6_000);
    assert_eq!(Source::compact_above_frames(48_000.0), 2_880_000);
    let exact = Source::for_rate(vec![vec![0.1; 6_000]; 2], 100.0).unwrap();
    assert!(!exact.is_compact());
    assert_eq!(exact.bytes(), 6_000 * 2 * 4);
    let long = Source::for_rate(vec![vec![0.1; 6_001]; 2], 100.0).unwrap();
    assert!(long.is_compact());
    assert_eq!(long.bytes(), 6_001 * 2 * 2);
    assert_eq!(long.frames(), 6_001);
}

/// Renders `frames` frames of an engine playing one stereo and one mono compact source, in
/// blocks of `block` frames.
fn render_compact(block: usize, frames: usize) -> Vec<f32> {
    let mut engine = Engine::new(48_000.0, block);
    let quantized = |seed| {
        white_noise(seed, 0.7, 5_000)
            .into_iter()
            .map(Source::quantize)
            .collect::<Vec<i16>>()
    };
    let stereo = Source::from_i16(vec![quantized(1), quantized(2)]).unwrap();
    let mono = Source::new_compact(vec![white_noise(3, 0.5, 3_000)]).unwrap();
    engine.load_source(0, Some(stereo));
    engine.load_source(1, Some(mono));
    engine.transport_mut().play();
    engine.reset();
    let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
    for start in (0..frames).step_by(block) {
        let end = (start + block).min(frames);
        engine.process(&mut StereoBlock::new(
            &mut l[start..end],
            &mut r[start..end],
        ));
    }
    l.extend(r);
    l
}

#[test]
fn compact_sources_do_not_depend_on_block_size() {
    let reference = render_compact(4096, 6_000);
    assert!(reference.iter().any(|x| x.abs() > 0.1));
    for block in [1, 3, 64, 128] {
        let got = render_compact(block, 6_000);
        let diff = got
            .iter()
            .zip(&reference)
            .fold(0.0_f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff <= 1e-6, "block {block}: differs by {diff}");
    }
}
