//! What the feedback effects (delay, reverb) share: their [`Processor`] lifecycle. `prepare`
//! takes the sample rate into range and lets the effect allocate; `process` skips what cannot
//! change the output, runs the settled or the gliding loop, guards the state, and clears the
//! lines once the effect's tail gate says nothing above the floor is left in them.

use crate::denormal::{below_tail_floor, finite_or_zero, is_silent};
use crate::{Processor, StereoBlock};

/// Sample rates the effects take, Hz (others are clamped into this range; NaN reads 48 kHz).
const SAMPLE_RATE_HZ_RANGE: (f32, f32) = (8_000.0, 768_000.0);

/// What a feedback effect gives the shared flow.
pub(crate) trait FeedbackEffect {
    /// Takes the sample rate, Hz (in range), and allocates the lines for it.
    fn allocate(&mut self, sample_rate_hz: f32);
    /// Whether `prepare` has allocated the lines.
    fn prepared(&self) -> bool;
    /// Whether the bypass crossfade has ended on dry.
    fn fully_bypassed(&self) -> bool;
    /// Whether no parameter is moving.
    fn is_settled(&self) -> bool;
    /// Jumps every parameter to its target.
    fn snap_params(&mut self);
    /// Whether the lines may hold anything.
    fn has_state(&mut self) -> &mut bool;
    /// Runs a block with every parameter settled; returns the peak written into the lines.
    fn run_settled(&mut self, left: &mut [f32], right: &mut [f32]) -> f32;
    /// Runs a block while parameters glide; returns the peak written into the lines, or `None`
    /// when the bypass crossfade ended on dry inside the block (the state is then cleared).
    fn run_gliding(&mut self, left: &mut [f32], right: &mut [f32], silent_in: bool) -> Option<f32>;
    /// Whether the loop's filter state is finite.
    fn state_is_finite(&self) -> bool;
    /// Empties the lines.
    fn clear_state(&mut self);
    /// The tail gate's count, after a block of `frames` frames of `silent_in` input whose loops
    /// took at most `peak`: whether everything left in the lines is below the floor (once the
    /// input is silent and the output below the floor too).
    fn tail_is_quiet(&mut self, frames: usize, silent_in: bool, peak: f32) -> bool;

    /// In the gliding loop, after a frame: when the bypass crossfade has just ended on dry,
    /// puts the `dry` input back into the `frame`, empties the lines and lands every glide
    /// (nothing of the old state may come back later), and returns true: the rest of the block
    /// stays dry.
    fn ends_bypass(&mut self, frame: (&mut f32, &mut f32), dry: (f32, f32)) -> bool {
        if !self.fully_bypassed() {
            return false;
        }
        (*frame.0, *frame.1) = dry;
        self.clear_state();
        self.snap_params();
        true
    }
}

impl<E: FeedbackEffect> Processor for E {
    fn prepare(&mut self, sample_rate_hz: f32, _max_frames: usize) {
        let (lo, hi) = SAMPLE_RATE_HZ_RANGE;
        self.allocate(if sample_rate_hz.is_nan() {
            48_000.0
        } else {
            sample_rate_hz.clamp(lo, hi)
        });
        self.reset();
    }

    fn reset(&mut self) {
        self.snap_params();
        self.clear_state();
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        let (left, right) = (&mut *io.left, &mut *io.right);
        if !self.prepared() {
            // Not prepared: nothing stored, nothing to add.
            left.fill(0.0);
            right.fill(0.0);
            return;
        }
        if self.fully_bypassed() {
            // Fully bypassed: the input passes untouched; the state was cleared when the
            // crossfade ended, and parameters jump to their targets while nothing is heard.
            self.snap_params();
            return;
        }
        let silent_in = is_silent(left) && is_silent(right);
        let settled = self.is_settled();
        if silent_in && !*self.has_state() && settled {
            // Empty lines and silent input: the output is silence.
            left.fill(0.0);
            right.fill(0.0);
            return;
        }
        if !silent_in {
            *self.has_state() = true;
        }
        let peak = if settled {
            self.run_settled(left, right)
        } else {
            match self.run_gliding(left, right, silent_in) {
                Some(peak) => peak,
                None => return,
            }
        };
        if !self.state_is_finite() {
            // Cannot happen with sanitized input; guards the state all the same.
            self.clear_state();
            return;
        }
        let quiet = self.tail_is_quiet(left.len(), silent_in, peak);
        if silent_in && quiet && below_tail_floor(left) && below_tail_floor(right) {
            self.clear_state();
        }
    }
}

/// A finite input sample of at most `limit` in magnitude (non-finite samples count as silence).
#[inline(always)]
pub(crate) fn sanitize(x: f32, limit: f32) -> f32 {
    finite_or_zero(x).clamp(-limit, limit)
}
