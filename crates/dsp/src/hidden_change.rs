//! Ear training's hidden change: a peak or dip on the whole mix that the student must hear
//! (and, in the correction exercise, undo with the master's own EQ, which comes after it).
//!
//! The change switches between the flat original and the changed version on the frame the
//! switch arrives, crossfading over
//! [`CROSSFADE_MS`](crate::crossfade::CROSSFADE_MS) so the switch makes no click; the changed
//! version plays at a gain that matches its loudness to the original's, so loudness gives
//! nothing away. While ear training hides a change the bell runs all the time, so that a
//! switch finds it warm; when nothing is hidden (a bell of 0 dB, the original playing) the
//! signal passes untouched, bit for bit.

use mixroom_protocol::params::ParamId;
use mixroom_protocol::units::db_to_lin;

use crate::{BiquadKind, Crossfade, LinearSmoother, LoudnessMeter, SmoothedBiquad, StereoBlock};

/// Frames [`loudness_match_db`] processes at a time.
const MATCH_BLOCK_FRAMES: usize = 1_024;

/// The hidden change on the master's input.
#[derive(Clone, Debug)]
pub struct HiddenChange {
    bell: SmoothedBiquad,
    /// The bell's gain as last set, dB (0: nothing hidden).
    gain_db: f32,
    fade: Crossfade,
    match_lin: LinearSmoother,
    /// The original of the block being changed, per channel.
    dry: [Vec<f32>; 2],
}

impl Default for HiddenChange {
    fn default() -> Self {
        HiddenChange::new()
    }
}

impl HiddenChange {
    /// Nothing hidden, the original playing.
    pub fn new() -> HiddenChange {
        let mut bell = SmoothedBiquad::new(BiquadKind::Bell);
        bell.set(1_000.0, std::f32::consts::SQRT_2, 0.0);
        bell.reset();
        HiddenChange {
            bell,
            gain_db: 0.0,
            fade: Crossfade::new(false),
            match_lin: LinearSmoother::new(1.0),
            dry: [Vec::new(), Vec::new()],
        }
    }

    /// Sets the sample rate, Hz, and the largest block; allocates.
    pub fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        self.bell
            .prepare(sample_rate_hz, ParamId::EarEqHz.spec().smoothing_ms);
        self.fade.prepare(sample_rate_hz);
        self.match_lin
            .set_ramp(sample_rate_hz, ParamId::EarMatchDb.spec().smoothing_ms);
        self.dry = [vec![0.0; max_frames], vec![0.0; max_frames]];
    }

    /// Clears the bell's state; the switch and the match jump to where they were heading.
    pub fn reset(&mut self) {
        self.bell.reset();
        self.fade.snap();
        self.match_lin.snap();
    }

    /// Hides a bell at `freq_hz` of `gain_db` (0 hides nothing) and `q`.
    pub fn set_bell(&mut self, freq_hz: f32, gain_db: f32, q: f32) {
        self.gain_db = gain_db;
        self.bell.set(freq_hz, q, gain_db);
    }

    /// Plays the changed version (`true`) or the flat original, crossfading.
    pub fn set_changed(&mut self, changed: bool) {
        self.fade.set_active(changed);
    }

    /// Sets the gain of the changed version that matches its loudness to the original's, dB.
    pub fn set_match_db(&mut self, match_db: f32) {
        self.match_lin.set_target(db_to_lin(match_db));
    }

    /// Whether the signal passes untouched: the original plays and nothing is hidden.
    fn is_idle(&self) -> bool {
        self.fade.is_dry() && self.gain_db == 0.0 && self.bell.is_settled()
    }

    /// Changes the mix in `io` in place, as switched.
    pub fn process(&mut self, io: &mut StereoBlock<'_>) {
        if self.is_idle() {
            self.bell.clear_state();
            return;
        }
        let n = io.left.len();
        let [dry_l, dry_r] = &mut self.dry;
        let (dry_l, dry_r) = (&mut dry_l[..n], &mut dry_r[..n]);
        dry_l.copy_from_slice(io.left);
        dry_r.copy_from_slice(io.right);
        self.bell.process(io.left, io.right, 2);
        for (l, r) in io.left.iter_mut().zip(io.right.iter_mut()) {
            let g = self.match_lin.next_value();
            *l *= g;
            *r *= g;
        }
        self.fade.mix([dry_l, dry_r], [io.left, io.right]);
    }
}

/// The gain that brings a mix changed by a bell at `freq_hz` of `gain_db` and `q` to the
/// loudness of the original, dB: the integrated loudness (ITU-R BS.1770) of `left`/`right`
/// (at `sample_rate_hz`) minus that of the same changed. 0 when either is too short or quiet
/// to measure.
pub fn loudness_match_db(
    left: &[f32],
    right: &[f32],
    sample_rate_hz: f32,
    freq_hz: f32,
    gain_db: f32,
    q: f32,
) -> f32 {
    let mut change = HiddenChange::new();
    change.prepare(sample_rate_hz, MATCH_BLOCK_FRAMES);
    change.set_bell(freq_hz, gain_db, q);
    change.set_changed(true);
    change.reset();
    let mut original = LoudnessMeter::new();
    original.prepare(sample_rate_hz);
    let mut changed = original.clone();
    let mut l = vec![0.0; MATCH_BLOCK_FRAMES];
    let mut r = vec![0.0; MATCH_BLOCK_FRAMES];
    for (cl, cr) in left
        .chunks(MATCH_BLOCK_FRAMES)
        .zip(right.chunks(MATCH_BLOCK_FRAMES))
    {
        original.process(cl, cr);
        let (l, r) = (&mut l[..cl.len()], &mut r[..cl.len()]);
        l.copy_from_slice(cl);
        r.copy_from_slice(cr);
        change.process(&mut StereoBlock::new(l, r));
        changed.process(l, r);
    }
    let difference = original.integrated_lufs() - changed.integrated_lufs();
    if difference.is_finite() {
        difference
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
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
}
