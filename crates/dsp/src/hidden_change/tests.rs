//! Tests of `hidden_change`.

use super::*;
use crate::crossfade::CROSSFADE_MS;

const FS: f32 = 48_000.0;

/// `frames` of a sine at `hz`, amplitude 0.25, on both channels.
fn sine(hz: f32, frames: usize) -> [Vec<f32>; 2] {
    let x: Vec<f32> = (0..frames)
        .map(|n| 0.25 * (std::f32::consts::TAU * hz * n as f32 / FS).sin())
        .collect();
    [x.clone(), x]
}

/// Runs `change` over `signal` in blocks of `block` frames.
fn run(change: &mut HiddenChange, signal: &[Vec<f32>; 2], block: usize) -> [Vec<f32>; 2] {
    let [mut l, mut r] = signal.clone();
    for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        change.process(&mut StereoBlock::new(cl, cr));
    }
    [l, r]
}

fn rms_db(x: &[f32]) -> f32 {
    let ms = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    10.0 * ms.log10()
}

fn prepared() -> HiddenChange {
    let mut change = HiddenChange::new();
    change.prepare(FS, 512);
    change.reset();
    change
}

#[test]
fn the_original_passes_bit_for_bit() {
    // Nothing hidden, or a bell hidden while the original plays: the input, exactly.
    let signal = sine(440.0, 9_600);
    let mut change = prepared();
    assert_eq!(run(&mut change, &signal, 128), signal);
    change.set_bell(440.0, 12.0, 1.41);
    change.set_match_db(-6.0);
    assert_eq!(run(&mut change, &signal, 128), signal);
}

#[test]
fn the_changed_version_moves_the_hidden_band_by_its_gain() {
    // Reference: the cookbook peaking EQ has exactly its gain at its centre. A sine at the
    // centre rises by the gain; two octaves away, by well under a dB at Q 1.41; the match
    // gain applies to all of it.
    for gain_db in [6.0_f32, -9.0] {
        let mut change = prepared();
        change.set_bell(1_000.0, gain_db, 1.41);
        change.set_changed(true);
        change.reset();
        let centre = sine(1_000.0, 48_000);
        let out = run(&mut change, &centre, 128);
        let rise = rms_db(&out[0][9_600..]) - rms_db(&centre[0][9_600..]);
        assert!((rise - gain_db).abs() < 0.05, "{gain_db}: {rise}");
        change.reset();
        let far = sine(250.0, 48_000);
        let out = run(&mut change, &far, 128);
        let rise = rms_db(&out[0][9_600..]) - rms_db(&far[0][9_600..]);
        assert!(rise.abs() < 0.7 * gain_db.abs() / 6.0, "{gain_db}: {rise}");
        change.set_match_db(-3.0);
        change.reset();
        let out = run(&mut change, &far, 128);
        let matched = rms_db(&out[0][9_600..]) - rms_db(&far[0][9_600..]);
        assert!((matched - rise + 3.0).abs() < 0.01, "{matched}");
    }
}

#[test]
fn switching_crossfades_over_ten_ms_without_a_click() {
    // Switched in and out mid-block: the output goes from one version to the other over
    // 480 frames, never stepping further between two frames than either version does.
    let mut change = prepared();
    change.set_bell(1_000.0, 12.0, 1.41);
    let signal = sine(1_000.0, 24_000);
    let mut flat = prepared();
    flat.set_bell(1_000.0, 12.0, 1.41);
    flat.set_changed(true);
    flat.reset();
    let changed = run(&mut flat, &signal, 100);
    let [mut l, mut r] = signal.clone();
    let (head, tail) = l.split_at_mut(4_050);
    let (head_r, tail_r) = r.split_at_mut(4_050);
    for (cl, cr) in head.chunks_mut(100).zip(head_r.chunks_mut(100)) {
        change.process(&mut StereoBlock::new(cl, cr));
    }
    change.set_changed(true);
    for (cl, cr) in tail.chunks_mut(100).zip(tail_r.chunks_mut(100)) {
        change.process(&mut StereoBlock::new(cl, cr));
    }
    assert_eq!(
        &l[..4_050],
        &signal[0][..4_050],
        "the original before the switch"
    );
    let fade = (CROSSFADE_MS / 1_000.0 * FS) as usize;
    assert_eq!(
        &l[4_050 + fade..],
        &changed[0][4_050 + fade..],
        "changed after the fade"
    );
    let step = |x: &[f32]| {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    };
    let worst = step(&signal[0]).max(step(&changed[0][4_050..]));
    assert!(
        step(&l[4_000..4_050 + fade + 50]) <= worst * 1.01,
        "no click"
    );
}

#[test]
fn the_match_brings_the_changed_version_to_the_originals_loudness() {
    // Noise: a 12 dB boost at 1 kHz is louder, a cut quieter; with the match applied the
    // changed version measures as loud as the original within 0.05 LU. Silence: 0 dB.
    let noise = crate::white_noise(7, 0.1, 5 * FS as usize);
    let original = {
        let mut meter = LoudnessMeter::new();
        meter.prepare(FS);
        meter.process(&noise, &noise);
        meter.integrated_lufs()
    };
    for gain_db in [12.0_f32, -12.0] {
        let match_db = loudness_match_db(&noise, &noise, FS, 1_000.0, gain_db, 1.41);
        assert!(match_db * gain_db < 0.0, "{gain_db}: {match_db}");
        let mut change = prepared();
        change.set_bell(1_000.0, gain_db, 1.41);
        change.set_match_db(match_db);
        change.set_changed(true);
        change.reset();
        let out = run(&mut change, &[noise.clone(), noise.clone()], 333);
        let mut meter = LoudnessMeter::new();
        meter.prepare(FS);
        meter.process(&out[0], &out[1]);
        let matched = meter.integrated_lufs();
        assert!(
            (matched - original).abs() < 0.05,
            "{gain_db}: {matched} vs {original}"
        );
    }
    let silence = vec![0.0; 48_000];
    assert_eq!(
        loudness_match_db(&silence, &silence, FS, 1_000.0, 12.0, 1.41),
        0.0
    );
}

#[test]
fn blocks_of_any_size_give_the_same_output() {
    let signal = sine(700.0, 12_000);
    let outputs: Vec<[Vec<f32>; 2]> = [128, 1, 37, 512]
        .into_iter()
        .map(|block| {
            let mut change = prepared();
            change.set_bell(800.0, -6.0, 2.0);
            change.set_match_db(1.5);
            change.set_changed(true);
            run(&mut change, &signal, block)
        })
        .collect();
    for out in &outputs[1..] {
        assert_eq!(out, &outputs[0]);
    }
}
