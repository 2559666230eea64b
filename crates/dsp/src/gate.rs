//! The gate: a downward expander of infinite ratio whose attenuation is limited to a range,
//! with hysteresis and hold, after the noise gate of U. Zölzer (ed.), "DAFX: Digital Audio
//! Effects", 2nd ed., Wiley 2011, § 4.2.3 (peak level → hysteresis thresholds → hold counter →
//! attack/release smoothing of the gain), and J. D. Reiss and A. P. McPherson, "Audio Effects:
//! Theory, Implementation and Application", CRC 2014, ch. 6.
//!
//! Per frame:
//!
//! 1. Key: the stereo-linked peak envelope of the input, `k = max(k·d, max(|L|, |R|))` (instant
//!    attack, exponential decay with time constant [`KEY_RELEASE_MS`], which bridges the zero
//!    crossings of tones down to 40 Hz within the hysteresis, even with no hold).
//! 2. Open/closed with hysteresis: the gate opens when `k` reaches the threshold and stays open
//!    while `k` is at or above the close threshold, [`HYSTERESIS_DB`] (4 dB) lower. Once `k`
//!    falls below the close threshold, hold keeps it open for `hold_ms` more (counted in
//!    frames); then it closes. Rising above the (open) threshold again reopens it at once.
//! 3. Gain: an openness `o` moves linearly from 0 to 1 over the attack time while open and from
//!    1 to 0 over the release time while closed; the gain is `−range_db·(1 − o)` dB, so it moves
//!    linearly in the dB domain (constant dB per ms, a full opening in exactly `attack_ms`, a
//!    full closing in exactly `release_ms`), with no step. Open is exactly unity gain; closed is
//!    exactly `−range_db`.
//!
//! Threshold and range are smoothed linearly per sample over their ramp times in the protocol's
//! table; attack,
//! hold and release take effect at once (the gain stays continuous). Decibels become linear
//! factors through the compressor's bit-level approximations (error below 1e-5 dB).
//!
//! Bypass crossfades over `CROSSFADE_MS` (`crate::crossfade`) with the dry input (the gate adds no latency).
//! Once fully bypassed the gate does no work at all (strips carry a bypassed gate by default, so
//! this matters for 64 tracks): its state rests closed, and engaging it again opens it on the
//! next signal above threshold, within the attack time, while the 10 ms crossfade comes in.
//!
//! Non-finite input samples are ignored by the key (they count as 0) and pass through the gain;
//! no state can become non-finite, and a guard at the end of each block resets any that did.
//! Tails: the output is the input times the gain, so silence in gives exact zeros out. The tail
//! gate clears the key after a silent block once it is below `TAIL_FLOOR` (−200 dBFS, far below
//! any close threshold); the open/closed state is control state, not a tail: it runs its
//! course (hold, release) on silence like on any signal below the threshold.

use mixroom_protocol::params::ParamId;

use crate::compressor::{crossfade, fast_db_to_lin};
use crate::denormal::{finite_or_zero, flush, is_silent, TAIL_FLOOR};
use crate::{Crossfade, LinearSmoother, Processor, StereoBlock};

/// How far below the (open) threshold the key must fall before the gate starts to close, dB.
pub const HYSTERESIS_DB: f32 = 4.0;
/// Time constant of the key's decay, ms (its attack is instant).
pub const KEY_RELEASE_MS: f32 = 20.0;

/// Open and close thresholds (linear) and range (dB) at one set of smoothed values.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Levels {
    open: f32,
    close: f32,
    range_db: f32,
}

impl Levels {
    fn new(threshold_db: f32, range_db: f32) -> Levels {
        Levels {
            open: fast_db_to_lin(threshold_db),
            close: fast_db_to_lin(threshold_db - HYSTERESIS_DB),
            range_db,
        }
    }
}

/// Per-frame constants derived from the times.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Timing {
    key_decay: f32,
    hold_frames: u32,
    open_step: f32,
    close_step: f32,
}

/// The gate's state, carried from frame to frame.
#[derive(Clone, Copy, Debug, PartialEq)]
struct GateState {
    key: f32,
    /// Whether the gate is (or is held) open.
    open: bool,
    hold_left: u32,
    /// 0 = closed, 1 = open.
    openness: f32,
    /// Largest attenuation of the block, dB.
    peak_db: f32,
    /// The last gain, dB, and its linear value (a memo of `fast_db_to_lin`).
    memo_db: f32,
    memo_lin: f32,
}

impl GateState {
    const CLOSED: GateState = GateState {
        key: 0.0,
        open: false,
        hold_left: 0,
        openness: 0.0,
        peak_db: 0.0,
        memo_db: 0.0,
        memo_lin: 1.0,
    };

    /// One frame: key, open/hold/close decision, gain as a linear factor.
    #[inline(always)]
    fn step(&mut self, levels: &Levels, timing: &Timing, peak_in: f32) -> f32 {
        let key = flush((self.key * timing.key_decay).max(finite_or_zero(peak_in)));
        self.key = key;
        if key >= levels.open || (self.open && key >= levels.close) {
            self.open = true;
            self.hold_left = timing.hold_frames;
        } else if self.hold_left > 0 {
            self.hold_left -= 1;
        } else {
            self.open = false;
        }
        self.openness = if self.open {
            (self.openness + timing.open_step).min(1.0)
        } else {
            (self.openness - timing.close_step).max(0.0)
        };
        let attenuation_db = levels.range_db * (1.0 - self.openness);
        self.peak_db = self.peak_db.max(attenuation_db);
        let gain_db = -attenuation_db;
        if gain_db != self.memo_db {
            self.memo_db = gain_db;
            self.memo_lin = fast_db_to_lin(gain_db);
        }
        self.memo_lin
    }
}

/// Gate with range, hysteresis, hold and linear-in-dB attack and release.
#[derive(Clone, Debug)]
pub struct Gate {
    sample_rate_hz: f32,
    threshold_db: LinearSmoother,
    range_db: LinearSmoother,
    /// The bypass: processed or dry.
    wet: Crossfade,
    attack_ms: f32,
    hold_ms: f32,
    release_ms: f32,
    timing: Timing,
    state: GateState,
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new()
    }
}

impl Gate {
    /// A gate at its defaults: threshold −50 dB, range 40 dB, attack 1 ms, hold 50 ms, release
    /// 100 ms, not bypassed, closed. Prepared for 48 kHz.
    pub fn new() -> Gate {
        let mut gate = Gate {
            sample_rate_hz: 48_000.0,
            threshold_db: LinearSmoother::new(ParamId::GateThresholdDb.spec().default),
            range_db: LinearSmoother::new(ParamId::GateRangeDb.spec().default),
            wet: Crossfade::new(true),
            attack_ms: ParamId::GateAttackMs.spec().default,
            hold_ms: ParamId::GateHoldMs.spec().default,
            release_ms: ParamId::GateReleaseMs.spec().default,
            timing: Timing {
                key_decay: 0.0,
                hold_frames: 0,
                open_step: 1.0,
                close_step: 1.0,
            },
            state: GateState::CLOSED,
        };
        gate.prepare(48_000.0, 128);
        gate
    }

    /// Sets the threshold at which the gate opens, dBFS (−80..0, default −50); it closes
    /// 4 dB (`HYSTERESIS_DB`) lower.
    pub fn set_threshold_db(&mut self, threshold_db: f32) {
        if !threshold_db.is_nan() {
            self.threshold_db
                .set_target(ParamId::GateThresholdDb.spec().clamp(threshold_db));
        }
    }

    /// Sets the attenuation when closed, dB (0..80, default 40).
    pub fn set_range_db(&mut self, range_db: f32) {
        if !range_db.is_nan() {
            self.range_db
                .set_target(ParamId::GateRangeDb.spec().clamp(range_db));
        }
    }

    /// Sets the time a full opening takes, ms (0.05..50, default 1).
    pub fn set_attack_ms(&mut self, attack_ms: f32) {
        if !attack_ms.is_nan() {
            self.attack_ms = ParamId::GateAttackMs.spec().clamp(attack_ms);
            self.update_timing();
        }
    }

    /// Sets how long the gate stays open after the key falls below the close threshold, ms
    /// (0..500, default 50).
    pub fn set_hold_ms(&mut self, hold_ms: f32) {
        if !hold_ms.is_nan() {
            self.hold_ms = ParamId::GateHoldMs.spec().clamp(hold_ms);
            self.update_timing();
            self.state.hold_left = self.state.hold_left.min(self.timing.hold_frames);
        }
    }

    /// Sets the time a full closing takes, ms (5..2000, default 100).
    pub fn set_release_ms(&mut self, release_ms: f32) {
        if !release_ms.is_nan() {
            self.release_ms = ParamId::GateReleaseMs.spec().clamp(release_ms);
            self.update_timing();
        }
    }

    /// Bypasses (true) or engages (false) the gate, crossfading over 10 ms
    /// (`CROSSFADE_MS`).
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.wet.set_active(!bypassed);
    }

    /// The largest attenuation during the last processed block, dB (≥ 0; 0 when the block ended
    /// fully bypassed).
    pub fn gain_reduction_db(&self) -> f32 {
        self.state.peak_db
    }

    fn update_timing(&mut self) {
        let frames_per_ms = self.sample_rate_hz / 1000.0;
        self.timing = Timing {
            key_decay: (-1.0 / f64::from(KEY_RELEASE_MS * frames_per_ms)).exp() as f32,
            hold_frames: (self.hold_ms * frames_per_ms).round() as u32,
            open_step: (1.0 / (self.attack_ms * frames_per_ms)).min(1.0),
            close_step: (1.0 / (self.release_ms * frames_per_ms)).min(1.0),
        };
    }
}

impl Processor for Gate {
    fn prepare(&mut self, sample_rate_hz: f32, _max_frames: usize) {
        self.sample_rate_hz = if sample_rate_hz.is_finite() && sample_rate_hz > 0.0 {
            sample_rate_hz
        } else {
            48_000.0
        };
        self.threshold_db.set_ramp(
            self.sample_rate_hz,
            ParamId::GateThresholdDb.spec().smoothing_ms,
        );
        self.range_db.set_ramp(
            self.sample_rate_hz,
            ParamId::GateRangeDb.spec().smoothing_ms,
        );
        self.wet.prepare(self.sample_rate_hz);
        self.update_timing();
        self.reset();
    }

    fn reset(&mut self) {
        self.threshold_db.snap();
        self.range_db.snap();
        self.wet.snap();
        self.state = GateState::CLOSED;
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        if self.wet.is_dry() {
            // Fully bypassed: the output is the input; rest in the state a reset leaves.
            self.threshold_db.snap();
            self.range_db.snap();
            self.state = GateState::CLOSED;
            return;
        }
        let frames = io.left.len().min(io.right.len());
        let (left, right) = (&mut io.left[..frames], &mut io.right[..frames]);
        let silent_in = is_silent(left) && is_silent(right);
        let timing = self.timing;
        let mut state = self.state;
        state.peak_db = 0.0;
        if self.threshold_db.is_settled() && self.range_db.is_settled() && self.wet.is_settled() {
            let levels = Levels::new(self.threshold_db.value(), self.range_db.value());
            let wet = self.wet.value();
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let gain = state.step(&levels, &timing, l.abs().max(r.abs()));
                let factor = crossfade(wet, gain);
                *l = finite_or_zero(*l) * factor;
                *r = finite_or_zero(*r) * factor;
            }
        } else {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let levels =
                    Levels::new(self.threshold_db.next_value(), self.range_db.next_value());
                let gain = state.step(&levels, &timing, l.abs().max(r.abs()));
                let factor = crossfade(self.wet.next_value(), gain);
                *l = finite_or_zero(*l) * factor;
                *r = finite_or_zero(*r) * factor;
            }
        }
        // Guard: no state may stay non-finite (the key ignores non-finite input, so this is a
        // last line of defence); tail gate for the key.
        if !state.key.is_finite() || (silent_in && state.key < TAIL_FLOOR) {
            state.key = 0.0;
        }
        if !state.openness.is_finite() {
            state.openness = 0.0;
        }
        if self.wet.is_dry() {
            state.peak_db = 0.0;
        }
        self.state = state;
    }
}

#[cfg(test)]
mod tests;
