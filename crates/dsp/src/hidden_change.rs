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
mod tests;
