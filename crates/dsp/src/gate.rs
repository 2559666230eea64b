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
                *l *= factor;
                *r *= factor;
            }
        } else {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let levels =
                    Levels::new(self.threshold_db.next_value(), self.range_db.next_value());
                let gain = state.step(&levels, &timing, l.abs().max(r.abs()));
                let factor = crossfade(self.wet.next_value(), gain);
                *l *= factor;
                *r *= factor;
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
mod tests {
    use super::*;
    use crate::test_support::render_with_changes as render;

    const FS: f32 = 48_000.0;

    fn prepared() -> Gate {
        let mut g = Gate::new();
        g.prepare(FS, 4_096);
        g
    }

    fn lin(db: f32) -> f32 {
        10f32.powf(db / 20.0)
    }

    fn db(x: f32) -> f32 {
        20.0 * x.abs().log10()
    }

    fn run(g: &mut Gate, input: &[f32], block: usize) -> Vec<f32> {
        render(g, input, input, block, &[], &|_, _| {}).0
    }

    /// Piecewise-constant (DC) input: `(from_frame, level_db)` pairs, so gain = output / input.
    fn steps(frames: usize, levels: &[(usize, f32)]) -> Vec<f32> {
        (0..frames)
            .map(|i| {
                let level_db = levels.iter().rev().find(|(from, _)| i >= *from).unwrap().1;
                lin(level_db)
            })
            .collect()
    }

    fn gains_db(out: &[f32], input: &[f32]) -> Vec<f32> {
        out.iter().zip(input).map(|(o, i)| db(o / i)).collect()
    }

    #[test]
    fn signal_above_threshold_passes_at_unity() {
        let mut g = prepared();
        let input: Vec<f32> = (0..9_600)
            .map(|i| lin(-20.0) * (2.0 * std::f32::consts::PI * 1_000.0 * i as f32 / FS).sin())
            .collect();
        let out = run(&mut g, &input, 128);
        // Opens at frame 1 (the key jumps above −50 dB) and is fully open 48 frames (1 ms) later.
        assert!(out[10].abs() < input[10].abs(), "still opening");
        assert_eq!(&out[49..], &input[49..], "unity gain, bit for bit");
        assert_eq!(g.gain_reduction_db(), 0.0);
    }

    #[test]
    fn below_threshold_ends_attenuated_by_exactly_the_range() {
        for range_db in [40.0, 12.0, 80.0] {
            let mut g = prepared();
            g.set_range_db(range_db);
            g.reset();
            // From reset (closed): −60 dBFS never opens it.
            let input = steps(4_800, &[(0, -60.0)]);
            let gains = gains_db(&run(&mut g, &input, 256), &input);
            assert!(
                gains.iter().all(|&x| (x + range_db).abs() < 1e-4),
                "{range_db}"
            );
            // Open at −20 dBFS, then −70 dBFS: key decay, hold, release, then exactly −range.
            g.reset();
            let input = steps(48_000, &[(0, -20.0), (9_600, -70.0)]);
            let gains = gains_db(&run(&mut g, &input, 256), &input);
            let end = gains[47_999];
            eprintln!("range {range_db} dB: closed gain {end} dB");
            assert!((end + range_db).abs() < 1e-4, "{range_db}: {end}");
            assert!((g.gain_reduction_db() - range_db).abs() < 1e-4);
        }
    }

    #[test]
    fn hysteresis_keeps_the_state_between_the_two_thresholds() {
        // Threshold −50 dB, close threshold −54 dB: −52 dB neither opens nor closes the gate.
        let between = |open_first: bool| {
            let mut g = prepared();
            let first = if open_first { -20.0 } else { -60.0 };
            let input = steps(48_000, &[(0, first), (4_800, -52.0)]);
            let out = run(&mut g, &input, 128);
            db(out[47_999] / input[47_999])
        };
        assert_eq!(between(true), 0.0, "stays open");
        assert!((between(false) + 40.0).abs() < 1e-4, "stays closed");
        // −55 dB is below the close threshold: it closes.
        let mut g = prepared();
        let input = steps(48_000, &[(0, -20.0), (4_800, -55.0)]);
        let out = run(&mut g, &input, 128);
        assert!((db(out[47_999] / input[47_999]) + 40.0).abs() < 1e-4);
    }

    /// Frame at which the gain first drops below unity after `from`.
    fn closing_onset(gains: &[f32], from: usize) -> usize {
        (from..gains.len()).find(|&i| gains[i] < 0.0).unwrap()
    }

    #[test]
    fn hold_keeps_the_gate_open_for_hold_ms() {
        // Reference: after a step from −20 to −70 dBFS the key decays as 0.1·e^(−t/τ),
        // τ = KEY_RELEASE_MS, and crosses the −54 dB close threshold after τ·ln(0.1/10^(−54/20))
        // = τ·34·ln(10)/20; closing starts hold_ms later.
        let step_at = 9_600;
        let crossing_ms = KEY_RELEASE_MS * 34.0 * std::f32::consts::LN_10 / 20.0;
        let mut onset_no_hold = 0;
        for hold_ms in [0.0, 10.0, 50.0, 200.0, 500.0] {
            let mut g = prepared();
            g.set_hold_ms(hold_ms);
            let input = steps(96_000, &[(0, -20.0), (step_at, -70.0)]);
            let gains = gains_db(&run(&mut g, &input, 128), &input);
            let onset = closing_onset(&gains, step_at);
            if hold_ms == 0.0 {
                onset_no_hold = onset;
            }
            let measured_ms = (onset - step_at) as f32 * 1000.0 / FS - crossing_ms;
            let differential_ms = (onset - onset_no_hold) as f32 * 1000.0 / FS;
            eprintln!("hold {hold_ms} ms: measured {measured_ms} ms after the key crossing, {differential_ms} ms after the no-hold onset");
            assert!(
                (measured_ms - hold_ms).abs() < 1.0,
                "{hold_ms}: {measured_ms}"
            );
            assert!((differential_ms - hold_ms).abs() < 1.0 / 48.0 + 1e-4);
        }
    }

    #[test]
    fn attack_and_release_take_their_times_linearly_in_db() {
        for (attack_ms, release_ms) in [(1.0, 100.0), (5.0, 50.0), (20.0, 500.0), (0.05, 5.0)] {
            let mut g = prepared();
            g.set_attack_ms(attack_ms);
            g.set_release_ms(release_ms);
            g.set_hold_ms(0.0);
            let (open_at, quiet_at) = (4_800, 9_600);
            let input = steps(60_000, &[(0, -70.0), (open_at, -20.0), (quiet_at, -70.0)]);
            let gains = gains_db(&run(&mut g, &input, 128), &input);
            // Opening: from the first rise to exactly 0 dB.
            let rise = (open_at..).find(|&i| gains[i] > -40.0).unwrap();
            let open = (rise..).find(|&i| gains[i] == 0.0).unwrap();
            let attack_measured_ms = (open - rise + 1) as f32 * 1000.0 / FS;
            // Closing: from the first drop to −40 dB.
            let drop = closing_onset(&gains, quiet_at);
            let closed = (drop..).find(|&i| gains[i] <= -40.0 + 1e-4).unwrap();
            let release_measured_ms = (closed - drop + 1) as f32 * 1000.0 / FS;
            eprintln!("attack {attack_ms} ms measured {attack_measured_ms} ms; release {release_ms} ms measured {release_measured_ms} ms");
            let frame_ms = 1000.0 / FS;
            assert!((attack_measured_ms - attack_ms).abs() <= (0.1 * attack_ms).max(frame_ms));
            assert!((release_measured_ms / release_ms - 1.0).abs() < 0.1);
            // Linear in dB: half-way through the release the gain is −20 dB.
            let half = drop + (closed - drop) / 2;
            assert!((gains[half] + 20.0).abs() < 0.5, "{}", gains[half]);
        }
    }

    #[test]
    fn gain_never_steps() {
        // The steepest linear change is at the top of the opening ramp:
        // 1 − 10^(−(range / attack_frames)/20) per frame.
        for (attack_ms, range_db) in [(1.0, 40.0), (0.5, 80.0), (10.0, 60.0)] {
            let mut g = prepared();
            g.set_attack_ms(attack_ms);
            g.set_range_db(range_db);
            g.set_hold_ms(5.0);
            g.set_release_ms(20.0);
            g.reset();
            let mut levels = Vec::new();
            for k in 0..20 {
                levels.push((k * 4_800, if k % 2 == 0 { -20.0 } else { -75.0 }));
            }
            let input = steps(96_000, &levels);
            let out = run(&mut g, &input, 128);
            let gains: Vec<f32> = out.iter().zip(&input).map(|(o, i)| o / i).collect();
            let largest = gains
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max);
            let bound = 1.0 - lin(-range_db / (attack_ms * FS / 1000.0));
            eprintln!("attack {attack_ms} ms, range {range_db} dB: largest gain step {largest}, bound {bound}");
            assert!(largest <= bound * 1.001 + 1e-6, "{largest} > {bound}");
            assert!(largest > 0.9 * bound, "the ramp was exercised");
        }
    }

    #[test]
    fn bypass_crossfades_without_steps_and_ends_exactly_dry() {
        let mut g = prepared();
        // −60 dBFS keeps the gate closed (−40 dB), so bypassing raises the gain 100 times.
        let input: Vec<f32> = (0..24_000)
            .map(|i| {
                lin(-60.0) * (1.0 + 0.5 * (2.0 * std::f32::consts::PI * 5.0 * i as f32 / FS).sin())
            })
            .collect();
        let (bypass_at, engage_at) = (4_800, 14_400);
        let (out, _) = render(
            &mut g,
            &input,
            &input,
            64,
            &[bypass_at, engage_at],
            &|g, frame| g.set_bypassed(frame == bypass_at),
        );
        let gains: Vec<f32> = out.iter().zip(&input).map(|(o, i)| o / i).collect();
        let largest = gains
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        // The crossfade moves the gain from 0.01 to 1 in 480 equal steps of 0.99/480.
        assert!(largest <= 0.99 / 480.0 + 1e-6, "{largest}");
        assert_eq!(
            &out[bypass_at + 479..engage_at],
            &input[bypass_at + 479..engage_at]
        );
        assert!(out[bypass_at + 478] != input[bypass_at + 478]);
        assert!((db(gains[engage_at + 480]) + 40.0).abs() < 1e-4);
    }

    fn test_signal(frames: usize) -> (Vec<f32>, Vec<f32>) {
        let tau = 2.0 * std::f32::consts::PI;
        let burst = |i: usize| {
            if (i / 3_000).is_multiple_of(3) {
                0.3
            } else {
                0.002
            }
        };
        let left = (0..frames)
            .map(|i| {
                if (30_000..31_000).contains(&i) {
                    0.0
                } else {
                    burst(i) * (tau * 220.0 * i as f32 / FS).sin()
                }
            })
            .collect();
        let right = (0..frames)
            .map(|i| {
                if (30_000..31_000).contains(&i) {
                    0.0
                } else {
                    burst(i + 1_000) * (tau * 75.0 * i as f32 / FS).sin()
                        + 1e-4 * (((i * 7_919) % 201) as f32 / 100.0 - 1.0)
                }
            })
            .collect();
        (left, right)
    }

    fn change(g: &mut Gate, frame: usize) {
        match frame {
            5_000 => {
                g.set_threshold_db(-30.0);
                g.set_range_db(60.0);
            }
            11_000 => {
                g.set_attack_ms(5.0);
                g.set_hold_ms(10.0);
                g.set_release_ms(30.0);
            }
            17_000 | 36_100 => g.set_bypassed(true),
            20_000 => {
                g.set_threshold_db(-60.0);
                g.set_range_db(20.0);
            }
            22_000 | 36_000 => g.set_bypassed(false),
            26_000 => g.set_hold_ms(0.0),
            _ => unreachable!(),
        }
    }

    #[test]
    fn output_does_not_depend_on_block_size() {
        let (left, right) = test_signal(48_000);
        let at = [
            5_000, 11_000, 17_000, 20_000, 22_000, 26_000, 36_000, 36_100,
        ];
        let render_with =
            |block: usize| render(&mut prepared(), &left, &right, block, &at, &change);
        let reference = render_with(4_096);
        for block in [1, 3, 64, 127, 128] {
            let got = render_with(block);
            let worst = got
                .0
                .iter()
                .zip(&reference.0)
                .chain(got.1.iter().zip(&reference.1))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            eprintln!("block {block}: largest difference from 4096-frame blocks {worst:e}");
            assert!(worst <= 1e-6, "block {block}: {worst}");
        }
    }

    #[test]
    fn reset_makes_rendering_repeatable() {
        let (left, right) = test_signal(24_000);
        let mut g = prepared();
        g.set_threshold_db(-40.0);
        g.set_hold_ms(20.0);
        g.reset();
        let first = render(&mut g, &left, &right, 128, &[], &|_, _| {});
        g.reset();
        let second = render(&mut g, &left, &right, 128, &[], &|_, _| {});
        assert_eq!(first, second);
        let mut fresh = prepared();
        fresh.set_threshold_db(-40.0);
        fresh.set_hold_ms(20.0);
        fresh.reset();
        assert_eq!(
            render(&mut fresh, &left, &right, 128, &[], &|_, _| {}),
            first
        );
    }

    #[test]
    fn non_finite_input_does_not_poison_the_state() {
        let (left, right) = test_signal(24_000);
        let (mut bad_l, mut bad_r) = (left.clone(), right.clone());
        let (mut clean_l, mut clean_r) = (left.clone(), right.clone());
        for (k, i) in (3_000..3_128).enumerate() {
            let v = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][k % 3];
            bad_l[i] = v;
            clean_l[i] = 0.0;
            if k % 2 == 0 {
                bad_r[i] = v;
                clean_r[i] = 0.0;
            }
        }
        let bad = render(&mut prepared(), &bad_l, &bad_r, 128, &[], &|_, _| {});
        let clean = render(&mut prepared(), &clean_l, &clean_r, 128, &[], &|_, _| {});
        // From the next block on: finite, and the same as if the bad samples had been zeros.
        assert!(bad.0[3_128..]
            .iter()
            .chain(&bad.1[3_128..])
            .all(|x| x.is_finite()));
        assert_eq!(&bad.0[3_128..], &clean.0[3_128..]);
        assert_eq!(&bad.1[3_128..], &clean.1[3_128..]);
    }

    #[test]
    fn silence_after_signal_gives_exact_zeros() {
        let mut g = prepared();
        let (mut left, mut right) = test_signal(12_000);
        left.resize(12_000 + 48_000, 0.0);
        right.resize(left.len(), 0.0);
        let (l, r) = render(&mut g, &left, &right, 128, &[], &|_, _| {});
        assert!(l[11_999] != 0.0);
        assert!(l[12_000..].iter().chain(&r[12_000..]).all(|&x| x == 0.0));
        // The key fell below −200 dBFS and was cleared; the gate closed.
        assert_eq!(g.state.key, 0.0);
        assert_eq!(g.state.openness, 0.0);
        assert!((g.gain_reduction_db() - 40.0).abs() < 1e-6);
    }

    #[test]
    fn setters_clamp_and_ignore_nan() {
        let mut g = prepared();
        g.set_threshold_db(-200.0);
        g.set_threshold_db(f32::NAN);
        assert_eq!(g.threshold_db.target(), -80.0);
        g.set_range_db(120.0);
        g.set_range_db(f32::NAN);
        assert_eq!(g.range_db.target(), 80.0);
        g.set_attack_ms(0.0);
        assert_eq!(g.attack_ms, 0.05);
        g.set_hold_ms(1e6);
        g.set_hold_ms(f32::NAN);
        assert_eq!(g.timing.hold_frames, 24_000);
        g.set_release_ms(1.0);
        assert_eq!(g.release_ms, 5.0);
        g.set_range_db(0.0);
        g.reset();
        // Range 0: closed is unity.
        let input = steps(480, &[(0, -90.0)]);
        assert_eq!(run(&mut g, &input, 64), input);
    }

    #[test]
    fn key_bridges_zero_crossings_of_low_tones_without_hold() {
        // With hold 0, only the key's decay (τ = 20 ms) and the 4 dB hysteresis keep the gate
        // open between the peaks of a tone 0.5 dB above the threshold: the key must not fall
        // 4.5 dB before |sin| catches up with it again. Over half a period (12.5 ms at 40 Hz)
        // an exponential of τ = 20 ms falls 5.4 dB, but |sin| meets it sooner, so 40 Hz stays
        // open; over 16.7 ms (30 Hz) it falls 7.2 dB and the gate chatters.
        let worst_attenuation = |freq_hz: f32| {
            let mut g = prepared();
            g.set_hold_ms(0.0);
            g.reset();
            let input: Vec<f32> = (0..96_000)
                .map(|i| lin(-49.5) * (2.0 * std::f32::consts::PI * freq_hz * i as f32 / FS).sin())
                .collect();
            let gains = gains_db(&run(&mut g, &input, 128), &input);
            // After the first 0.5 s, at the frames where the input is not near a zero crossing.
            (24_000..96_000)
                .filter(|&i| input[i].abs() > 1e-4)
                .map(|i| -gains[i])
                .fold(0.0, f32::max)
        };
        let (at_40, at_30) = (worst_attenuation(40.0), worst_attenuation(30.0));
        eprintln!("hold 0: worst attenuation of a tone 0.5 dB above threshold: 40 Hz {at_40} dB, 30 Hz {at_30} dB");
        assert!(at_40 < 1e-4, "{at_40}");
        assert!(at_30 > 0.1, "{at_30}");
    }
}
