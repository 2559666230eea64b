//! The channel compressor: a feed-forward, stereo-linked compressor after D. Giannoulis,
//! M. Massberg and J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and
//! Analysis", J. Audio Eng. Soc. 60(6), 2012.
//!
//! Per frame, in the topology the paper recommends (level detection in the log domain, placed
//! after the gain computer):
//!
//! 1. Side chain: the input, optionally through an RBJ high-pass ([`SmoothedBiquad`], the
//!    detector path only). Level: `max(|L|, |R|)` (peak), or in RMS mode the larger of the two
//!    channels' mean squares, each through a one-pole with a [`RMS_TIME_CONSTANT_MS`] time
//!    constant. The level in dB is `x_G` (20·log10 of the peak, 10·log10 of the mean square).
//! 2. Gain computer (the paper's eq. 4, quadratic soft knee of width `W`, threshold `T`, ratio
//!    `R`): the reduction `x_L` in dB (≥ 0) is 0 for `2(x_G − T) < −W`,
//!    `(1 − 1/R)(x_G − T + W/2)² / (2W)` inside the knee, and `(1 − 1/R)(x_G − T)` above it.
//!    Below `T − W/2` the reduction is exactly 0, so the logarithm is skipped: the level is only
//!    compared with that threshold in the linear domain.
//! 3. Smooth branching peak detector on `x_L` (the paper's eq. 17): `y_L += (1 − α)(x_L − y_L)`
//!    with `α = exp(−1 / (τ·fs))`, `τ` = attack while `x_L > y_L`, release otherwise. After a
//!    step of the computed reduction, the applied reduction covers 1 − 1/e ≈ 63 % of the step
//!    (in dB) after the attack time, and a release falls to 1/e ≈ 37 % of its start after the
//!    release time.
//! 4. Gain `10^((M − y_L)/20)` with make-up `M`, applied to both channels of the audio path,
//!    which is delayed by the lookahead (the detector is not), so the reduction starts before a
//!    transient reaches the output.
//!
//! Auto make-up gives back half of the gain computer's reduction at a 0 dBFS level,
//! `M = makeup_db + x_L(0 dB) / 2`. Giannoulis et al. discuss lifting the curve by the whole
//! reduction (0 dBFS in, 0 dBFS out); with a low threshold and a high ratio that adds tens of dB
//! to quiet passages, so, like many hardware and software compressors, Mixroom compensates half.
//! Toggling it glides like a parameter.
//!
//! Threshold, 1/ratio, knee, make-up and the auto make-up share are smoothed linearly per sample
//! over their ramp times in the protocol's table (the auto make-up share like the make-up);
//! attack and release change the detector's coefficients at once
//! (the envelope itself is continuous). Logarithms and exponentials use the bit-level
//! approximations [`fast_log2`] and [`fast_exp2`] (error below 1e-5 dB), never a libm call per
//! sample; the linear gain is recomputed only when the gain in dB changes.
//!
//! Non-finite input samples are replaced by 0 on the audio path and in the side chain (so the
//! lookahead line never holds them); the side chain clamps magnitudes to [`DETECTOR_MAX`]
//! (+120 dBFS) so no detector state can overflow. Tails: the output is the (delayed) input times
//! a finite gain, so silence in gives exact zeros out once the lookahead line has emptied. The
//! tail gate clears the mean squares after a silent block once they are 200 dB down; the gain
//! envelope is the memory of the level, not a signal tail, so it is never cleared on silence
//! (that would make the gain after a pause depend on block size): it releases and is snapped to
//! exactly 0 once below [`ENVELOPE_FLOOR_DB`].

use std::f32::consts::{FRAC_1_SQRT_2, LN_2};

use mixroom_protocol::params::ParamId;

use crate::biquad::{BiquadKind, SmoothedBiquad};
use crate::denormal::{finite_or_zero, flush, is_silent, TAIL_FLOOR};
use crate::{Crossfade, LinearSmoother, Processor, StereoBlock};

/// Share of the reduction at 0 dBFS that auto make-up gives back.
pub const AUTO_MAKEUP_SHARE: f32 = 0.5;

/// Time constant of the RMS detector's mean-square one-pole, ms.
pub const RMS_TIME_CONSTANT_MS: f32 = 10.0;
/// Largest side-chain magnitude, linear (+120 dBFS); louder samples are read as this.
pub const DETECTOR_MAX: f32 = 1e6;
/// A releasing gain envelope below this reduction, dB, is snapped to exactly 0 (a gain change of
/// at most 1.2e-7).
pub const ENVELOPE_FLOOR_DB: f32 = 1e-6;

/// dB per octave of amplitude: 20·log10(2).
const DB_PER_LOG2_AMPLITUDE: f32 = 6.020_6;
/// dB per octave of power: 10·log10(2).
const DB_PER_LOG2_POWER: f32 = 3.010_3;
/// log2(10)/20: octaves of amplitude per dB.
const LOG2_PER_DB: f32 = 0.166_096_4;
/// Mean squares below this (−200 dB) are cleared by the tail gate.
const MEAN_SQUARE_FLOOR: f32 = TAIL_FLOOR * TAIL_FLOOR;

/// Coefficients of log2(1 + t) ≈ t·(c1 + t·(c2 + … + t·c7)) on t ∈ [0, 1): a near-minimax
/// polynomial fit (Lawson-weighted least squares on Chebyshev nodes), worst error 3.1e-7 octave.
const LOG2_POLY: [f32; 7] = [
    1.442_667_8,
    -0.720_585_5,
    0.473_553_4,
    -0.325_901_9,
    0.194_294_2,
    -0.079_557_66,
    0.015_529_896,
];

/// log2 of a positive, finite, normal `x`.
///
/// Splits off the exponent and evaluates a degree-7 polynomial of the mantissa `1 + t`
/// ([`LOG2_POLY`]): error below 5e-7 octave (3e-6 dB), no division and no branch, so loops over
/// it vectorize. Exactly the exponent at powers of two. Zero, subnormal and non-finite inputs
/// give meaningless (but not panicking) results.
#[inline(always)]
pub(crate) fn fast_log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let t = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    let [c1, c2, c3, c4, c5, c6, c7] = LOG2_POLY;
    let poly = c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * (c6 + t * c7)))));
    exponent as f32 + t * poly
}

/// 2^`y`, with `y` clamped to ±126 (the normal range of f32).
///
/// `y = n + f` with integer `n` and |f| ≤ ½; `2^f = e^u`, `u = f·ln 2`, by its Taylor series to
/// u⁶ (relative error below 1.2e-7), and `2^n` is built from its bits. Exactly 1 at `y = 0`.
#[inline(always)]
pub(crate) fn fast_exp2(y: f32) -> f32 {
    let y = y.clamp(-126.0, 126.0);
    // round(y) without a libm call, so loops over it vectorize: y + 128.5 > 0, where truncation
    // is the floor.
    let n = ((y + 128.5) as i32 - 128) as f32;
    let u = (y - n) * LN_2;
    let p = 1.0
        + u * (1.0
            + u * (0.5
                + u * (1.0 / 6.0 + u * (1.0 / 24.0 + u * (1.0 / 120.0 + u * (1.0 / 720.0))))));
    // `n` is in −126..=126 (a NaN `y` casts to 0), so the biased exponent is in 1..=253.
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// A gain in dB as a linear factor, through [`fast_exp2`]; exactly 1 at 0 dB.
#[inline(always)]
pub(crate) fn fast_db_to_lin(gain_db: f32) -> f32 {
    fast_exp2(gain_db * LOG2_PER_DB)
}

/// Mixes a processed gain with the dry path: `wet` = 1 is fully processed, 0 fully dry
/// (exactly 1, whatever `gain`). A pure function, so every code path gives the same samples.
#[inline(always)]
pub(crate) fn crossfade(wet: f32, gain: f32) -> f32 {
    if wet >= 1.0 {
        gain
    } else {
        1.0 + wet * (gain - 1.0)
    }
}

/// What the side chain measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detection {
    /// The larger absolute sample of the two channels.
    #[default]
    Peak,
    /// The larger mean square of the two channels, each through a one-pole of
    /// 10 ms (`RMS_TIME_CONSTANT_MS`); a sine reads 3.01 dB below its peak.
    Rms,
}

/// The gain computer at one set of (smoothed) parameter values.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Curve {
    threshold_db: f32,
    half_knee_db: f32,
    /// 1/(2W), or 0 for a hard knee (never used then).
    inv_two_knee: f32,
    /// 1 − 1/ratio.
    slope: f32,
    /// Manual plus automatic make-up, dB.
    makeup_db: f32,
    /// The detector level (amplitude or mean square) at T − W/2: at or below it the reduction
    /// is exactly 0.
    start_level: f32,
}

impl Curve {
    fn new(
        threshold_db: f32,
        knee_db: f32,
        inv_ratio: f32,
        makeup_db: f32,
        auto_share: f32,
        detection: Detection,
    ) -> Curve {
        let half_knee_db = 0.5 * knee_db;
        let mut curve = Curve {
            threshold_db,
            half_knee_db,
            inv_two_knee: if knee_db > 0.0 { 0.5 / knee_db } else { 0.0 },
            slope: 1.0 - inv_ratio,
            makeup_db,
            start_level: 0.0,
        };
        curve.makeup_db = makeup_db + auto_share * AUTO_MAKEUP_SHARE * curve.reduction_db(0.0);
        let octaves_per_db = match detection {
            Detection::Peak => 1.0 / DB_PER_LOG2_AMPLITUDE,
            Detection::Rms => 1.0 / DB_PER_LOG2_POWER,
        };
        curve.start_level = fast_exp2((threshold_db - half_knee_db) * octaves_per_db);
        curve
    }

    /// The gain computer's reduction at `level_db`, dB (≥ 0).
    #[inline(always)]
    fn reduction_db(&self, level_db: f32) -> f32 {
        // Branch-free (selects), so loops over it vectorize.
        let over = level_db - self.threshold_db;
        let a = over + self.half_knee_db;
        let knee = self.slope * a * a * self.inv_two_knee;
        let above = self.slope * over;
        let value = if over >= self.half_knee_db {
            above
        } else {
            knee
        };
        if over <= -self.half_knee_db {
            0.0
        } else {
            value
        }
    }

    /// The reduction for a detector level (linear amplitude or power), dB.
    #[inline(always)]
    fn target_db(&self, level: f32, db_per_log2: f32) -> f32 {
        let reduction = self.reduction_db(db_per_log2 * fast_log2(level.max(f32::MIN_POSITIVE)));
        if level <= self.start_level {
            0.0
        } else {
            reduction
        }
    }
}

/// Detector and gain state carried from sample to sample.
#[derive(Clone, Copy, Debug)]
struct GainState {
    /// Applied reduction y_L, dB.
    envelope_db: f32,
    /// Largest reduction of the block, dB.
    peak_db: f32,
    /// The last gain computed, dB, and its linear value (a memo of `fast_db_to_lin`).
    memo_db: f32,
    memo_lin: f32,
}

impl GainState {
    /// One frame: reduction from the level, detector step, gain as a linear factor.
    #[inline(always)]
    fn step(
        &mut self,
        curve: &Curve,
        level: f32,
        db_per_log2: f32,
        attack: f32,
        release: f32,
    ) -> f32 {
        let target = curve.target_db(level, db_per_log2);
        let e = self.envelope_db;
        let coeff = if target > e { attack } else { release };
        let mut e = flush(e + coeff * (target - e));
        if target == 0.0 && e < ENVELOPE_FLOOR_DB {
            e = 0.0;
        }
        self.envelope_db = e;
        self.peak_db = self.peak_db.max(e);
        let gain_db = curve.makeup_db - e;
        if gain_db != self.memo_db {
            self.memo_db = gain_db;
            self.memo_lin = fast_db_to_lin(gain_db);
        }
        self.memo_lin
    }
}

/// `1 − exp(−1/(τ·fs))`: the one-pole step toward the target for time constant `time_ms`.
fn one_pole_coefficient(time_ms: f32, sample_rate_hz: f32) -> f32 {
    let frames = f64::from(time_ms) * f64::from(sample_rate_hz) / 1000.0;
    (1.0 - (-1.0 / frames.max(1e-3)).exp()) as f32
}

/// The side-chain input: finite and within ±[`DETECTOR_MAX`].
#[inline(always)]
fn detector_input(x: f32) -> f32 {
    finite_or_zero(x).clamp(-DETECTOR_MAX, DETECTOR_MAX)
}

/// Feed-forward, stereo-linked compressor with soft knee, RMS or peak detection, side-chain
/// high-pass and lookahead.
#[derive(Clone, Debug)]
pub struct Compressor {
    sample_rate_hz: f32,
    threshold_db: LinearSmoother,
    inv_ratio: LinearSmoother,
    knee_db: LinearSmoother,
    makeup_db: LinearSmoother,
    auto_share: LinearSmoother,
    /// The bypass: processed or dry.
    wet: Crossfade,
    attack_ms: f32,
    release_ms: f32,
    attack_coeff: f32,
    release_coeff: f32,
    rms_coeff: f32,
    detection: Detection,
    hpf_hz: f32,
    hpf: SmoothedBiquad,
    lookahead_ms: f32,
    latency_frames: usize,
    delay: [Vec<f32>; 2],
    delay_mask: usize,
    write_pos: usize,
    sidechain: [Vec<f32>; 2],
    /// Per frame: the detector level, then the gain.
    gain: Vec<f32>,
    mean_square: [f32; 2],
    state: GainState,
    /// Whether the detector has been cleared after reaching full bypass.
    resting: bool,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor::new()
    }
}

impl Compressor {
    /// A compressor at its defaults: threshold −18 dB, ratio 4, knee 6 dB, attack 10 ms,
    /// release 100 ms, make-up 0 dB, auto make-up off, peak detection, side-chain filter off,
    /// no lookahead, not bypassed. Prepared for 48 kHz and blocks of 128 frames.
    pub fn new() -> Compressor {
        let mut compressor = Compressor {
            sample_rate_hz: 48_000.0,
            threshold_db: LinearSmoother::new(ParamId::CompThresholdDb.spec().default),
            inv_ratio: LinearSmoother::new(1.0 / ParamId::CompRatio.spec().default),
            knee_db: LinearSmoother::new(ParamId::CompKneeDb.spec().default),
            makeup_db: LinearSmoother::new(ParamId::CompMakeupDb.spec().default),
            auto_share: LinearSmoother::new(ParamId::CompAutoMakeup.spec().default),
            wet: Crossfade::new(true),
            attack_ms: ParamId::CompAttackMs.spec().default,
            release_ms: ParamId::CompReleaseMs.spec().default,
            attack_coeff: 0.0,
            release_coeff: 0.0,
            rms_coeff: 0.0,
            detection: Detection::Peak,
            hpf_hz: 0.0,
            hpf: SmoothedBiquad::new(BiquadKind::HighPass),
            lookahead_ms: 0.0,
            latency_frames: 0,
            delay: [Vec::new(), Vec::new()],
            delay_mask: 0,
            write_pos: 0,
            sidechain: [Vec::new(), Vec::new()],
            gain: Vec::new(),
            mean_square: [0.0; 2],
            state: GainState {
                envelope_db: 0.0,
                peak_db: 0.0,
                memo_db: 0.0,
                memo_lin: 1.0,
            },
            resting: false,
        };
        compressor.prepare(48_000.0, 128);
        compressor
    }

    /// Sets the threshold, dB (−60..0, default −18).
    pub fn set_threshold_db(&mut self, threshold_db: f32) {
        if !threshold_db.is_nan() {
            self.threshold_db
                .set_target(ParamId::CompThresholdDb.spec().clamp(threshold_db));
        }
    }

    /// Sets the ratio (1..=∞, default 4; `f32::INFINITY` limits). 1/ratio is what glides.
    pub fn set_ratio(&mut self, ratio: f32) {
        if !ratio.is_nan() {
            self.inv_ratio
                .set_target(1.0 / ratio.max(ParamId::CompRatio.spec().min));
        }
    }

    /// Sets the knee width, dB (0..24, default 6; 0 is a hard knee).
    pub fn set_knee_db(&mut self, knee_db: f32) {
        if !knee_db.is_nan() {
            self.knee_db
                .set_target(ParamId::CompKneeDb.spec().clamp(knee_db));
        }
    }

    /// Sets the attack time constant, ms (0.1..200, default 10).
    pub fn set_attack_ms(&mut self, attack_ms: f32) {
        if !attack_ms.is_nan() {
            self.attack_ms = ParamId::CompAttackMs.spec().clamp(attack_ms);
            self.attack_coeff = one_pole_coefficient(self.attack_ms, self.sample_rate_hz);
        }
    }

    /// Sets the release time constant, ms (10..2000, default 100).
    pub fn set_release_ms(&mut self, release_ms: f32) {
        if !release_ms.is_nan() {
            self.release_ms = ParamId::CompReleaseMs.spec().clamp(release_ms);
            self.release_coeff = one_pole_coefficient(self.release_ms, self.sample_rate_hz);
        }
    }

    /// Sets the manual make-up gain, dB (0..24, default 0).
    pub fn set_makeup_db(&mut self, makeup_db: f32) {
        if !makeup_db.is_nan() {
            self.makeup_db
                .set_target(ParamId::CompMakeupDb.spec().clamp(makeup_db));
        }
    }

    /// Turns auto make-up on or off (default off): adds half the gain computer's reduction at
    /// 0 dBFS to the make-up.
    pub fn set_auto_makeup(&mut self, on: bool) {
        self.auto_share.set_target(if on { 1.0 } else { 0.0 });
    }

    /// Sets what the detector measures (default [`Detection::Peak`]). Switching to RMS starts the
    /// mean squares from 0; the gain envelope stays continuous.
    pub fn set_detection(&mut self, detection: Detection) {
        if detection != self.detection {
            self.detection = detection;
            self.mean_square = [0.0; 2];
        }
    }

    /// Sets the side-chain high-pass cutoff, Hz: 0 (or less) turns it off, else 20..500
    /// (default off). An RBJ high-pass, Q 1/√2, on the detector path only; changes of an active
    /// filter glide over the table's ramp time (20 ms).
    pub fn set_sidechain_hpf_hz(&mut self, hz: f32) {
        if hz.is_nan() {
            return;
        }
        if hz <= 0.0 {
            self.hpf_hz = 0.0;
            return;
        }
        let hz = hz.clamp(20.0, ParamId::CompScHpfHz.spec().max);
        self.hpf.set(hz, FRAC_1_SQRT_2, 0.0);
        if self.hpf_hz == 0.0 {
            // Off until now: start at the new cutoff with a clear state.
            self.hpf.reset();
        }
        self.hpf_hz = hz;
    }

    /// Sets the lookahead, ms (0..10, default 0): delays the audio path, not the detector. Not
    /// smoothed: a change of the latency in frames clears the delay line.
    pub fn set_lookahead_ms(&mut self, ms: f32) {
        if ms.is_nan() {
            return;
        }
        self.lookahead_ms = ParamId::CompLookaheadMs.spec().clamp(ms);
        let frames = self.lookahead_frames();
        if frames != self.latency_frames {
            self.latency_frames = frames;
            for line in &mut self.delay {
                line.fill(0.0);
            }
        }
    }

    /// Bypasses (true) or engages (false) the compressor, crossfading over
    /// 10 ms (`CROSSFADE_MS`) with the dry input delayed by the latency.
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.wet.set_active(!bypassed);
    }

    /// The delay of the audio path, frames (the lookahead).
    pub fn latency_frames(&self) -> usize {
        self.latency_frames
    }

    /// The largest gain reduction during the last processed block, dB (≥ 0; make-up not
    /// counted; 0 while fully bypassed).
    pub fn gain_reduction_db(&self) -> f32 {
        self.state.peak_db
    }

    /// The static curve at the current settings (targets of any glide): the gain, dB, including
    /// make-up, applied to a steady detector level of `input_db` (dBFS; RMS level in RMS mode).
    pub fn static_gain_db(&self, input_db: f32) -> f32 {
        let curve = Curve::new(
            self.threshold_db.target(),
            self.knee_db.target(),
            self.inv_ratio.target(),
            self.makeup_db.target(),
            self.auto_share.target(),
            self.detection,
        );
        curve.makeup_db - curve.reduction_db(input_db)
    }

    fn lookahead_frames(&self) -> usize {
        (self.lookahead_ms * self.sample_rate_hz / 1000.0).round() as usize
    }

    fn params_settled(&self) -> bool {
        self.threshold_db.is_settled()
            && self.inv_ratio.is_settled()
            && self.knee_db.is_settled()
            && self.makeup_db.is_settled()
            && self.auto_share.is_settled()
    }

    fn fully_bypassed(&self) -> bool {
        self.wet.is_dry()
    }

    /// Writes the detector level of each frame into `self.gain[..n]`.
    fn detect(&mut self, left: &[f32], right: &[f32]) {
        let n = left.len();
        if self.hpf_hz <= 0.0 && self.detection == Detection::Peak {
            // No side-chain filter: the level comes straight from the input in one pass.
            for ((v, &l), &r) in self.gain[..n].iter_mut().zip(left).zip(right) {
                let (l, r) = (detector_input(l).abs(), detector_input(r).abs());
                *v = if l > r { l } else { r };
            }
            return;
        }
        let [side_l, side_r] = &mut self.sidechain;
        let (side_l, side_r) = (&mut side_l[..n], &mut side_r[..n]);
        for (s, &x) in side_l.iter_mut().zip(left) {
            *s = detector_input(x);
        }
        for (s, &x) in side_r.iter_mut().zip(right) {
            *s = detector_input(x);
        }
        if self.hpf_hz > 0.0 {
            self.hpf.process(side_l, side_r, 2);
        }
        let level = &mut self.gain[..n];
        match self.detection {
            Detection::Peak => {
                for ((v, &l), &r) in level.iter_mut().zip(&*side_l).zip(&*side_r) {
                    *v = l.abs().max(r.abs());
                }
            }
            Detection::Rms => {
                let c = self.rms_coeff;
                let [mut ms_l, mut ms_r] = self.mean_square;
                for ((v, &l), &r) in level.iter_mut().zip(&*side_l).zip(&*side_r) {
                    ms_l = flush(ms_l + c * (l * l - ms_l));
                    ms_r = flush(ms_r + c * (r * r - ms_r));
                    *v = ms_l.max(ms_r);
                }
                self.mean_square = [ms_l, ms_r];
            }
        }
    }

    /// Turns the levels in `self.gain[..n]` into linear gains (make-up included).
    fn compute_gain(&mut self, n: usize) {
        let (attack, release) = (self.attack_coeff, self.release_coeff);
        let detection = self.detection;
        let db_per_log2 = match detection {
            Detection::Peak => DB_PER_LOG2_AMPLITUDE,
            Detection::Rms => DB_PER_LOG2_POWER,
        };
        let mut state = self.state;
        let settled = self.params_settled();
        let gains = &mut self.gain[..n];
        if settled {
            let curve = Curve::new(
                self.threshold_db.value(),
                self.knee_db.value(),
                self.inv_ratio.value(),
                self.makeup_db.value(),
                self.auto_share.value(),
                detection,
            );
            // Three passes: levels to target reductions and reductions to gains are independent
            // per frame (they vectorize); only the detector in between is a recursion.
            for g in gains.iter_mut() {
                *g = curve.target_db(*g, db_per_log2);
            }
            // The recursion is the one serial chain: keep it short. No flush is needed: with a
            // target of 0 the envelope snaps to 0 below ENVELOPE_FLOOR_DB, long before the
            // denormal range.
            let mut e = state.envelope_db;
            let mut peak = state.peak_db;
            for g in gains.iter_mut() {
                let target = *g;
                let coeff = if target > e { attack } else { release };
                e += coeff * (target - e);
                if target == 0.0 && e < ENVELOPE_FLOOR_DB {
                    e = 0.0;
                }
                *g = e;
            }
            for &e in gains.iter() {
                peak = if e > peak { e } else { peak };
            }
            state.envelope_db = e;
            state.peak_db = peak;
            if peak == 0.0 {
                // No reduction anywhere in the block: the gain is the make-up throughout.
                gains.fill(fast_db_to_lin(curve.makeup_db));
            } else {
                for g in gains.iter_mut() {
                    *g = fast_db_to_lin(curve.makeup_db - *g);
                }
            }
            state.memo_db = f32::NAN;
        } else {
            for g in gains.iter_mut() {
                let curve = Curve::new(
                    self.threshold_db.next_value(),
                    self.knee_db.next_value(),
                    self.inv_ratio.next_value(),
                    self.makeup_db.next_value(),
                    self.auto_share.next_value(),
                    detection,
                );
                *g = state.step(&curve, *g, db_per_log2, attack, release);
            }
        }
        self.state = state;
    }

    /// Delays the audio by the latency and multiplies it by the crossfaded gain (or, when
    /// `bypassed`, only delays it).
    fn apply(&mut self, left: &mut [f32], right: &mut [f32], bypassed: bool) {
        let n = left.len();
        let factors = &mut self.gain[..n];
        if !bypassed && !self.wet.is_settled() {
            for f in factors.iter_mut() {
                *f = crossfade(self.wet.next_value(), *f);
            }
        }
        let factors = &self.gain[..n];
        let latency = self.latency_frames;
        if latency == 0 {
            if bypassed {
                // A wire: the samples pass as they are.
                return;
            } else {
                for (x, &f) in left.iter_mut().zip(factors) {
                    *x = finite_or_zero(*x) * f;
                }
                for (x, &f) in right.iter_mut().zip(factors) {
                    *x = finite_or_zero(*x) * f;
                }
            }
            return;
        }
        let mask = self.delay_mask;
        for (ch, samples) in [left, right].into_iter().enumerate() {
            let line = &mut self.delay[ch];
            let mut w = self.write_pos;
            if bypassed {
                for x in samples.iter_mut() {
                    line[w] = finite_or_zero(*x);
                    *x = line[w.wrapping_sub(latency) & mask];
                    w = (w + 1) & mask;
                }
            } else {
                for (x, &f) in samples.iter_mut().zip(factors) {
                    line[w] = finite_or_zero(*x);
                    *x = line[w.wrapping_sub(latency) & mask] * f;
                    w = (w + 1) & mask;
                }
            }
        }
        self.write_pos = (self.write_pos + n) & mask;
    }

    /// Lands every parameter glide.
    fn snap_params(&mut self) {
        for s in [
            &mut self.threshold_db,
            &mut self.inv_ratio,
            &mut self.knee_db,
            &mut self.makeup_db,
            &mut self.auto_share,
        ] {
            s.snap();
        }
    }

    /// Clears the detector and lands every parameter glide (called while fully bypassed).
    fn rest(&mut self) {
        self.state.envelope_db = 0.0;
        self.state.peak_db = 0.0;
        self.mean_square = [0.0; 2];
        self.snap_params();
        if !self.resting || !self.hpf.is_settled() {
            self.hpf.reset();
        }
        self.resting = true;
    }

    fn process_chunk(&mut self, left: &mut [f32], right: &mut [f32]) {
        let silent_in = is_silent(left) && is_silent(right);
        let bypassed = self.fully_bypassed();
        if !bypassed {
            self.resting = false;
            self.detect(left, right);
            self.compute_gain(left.len());
        }
        self.apply(left, right, bypassed);
        if self.fully_bypassed() {
            // Whenever a chunk ends fully bypassed, the detector is clear and parameter glides
            // have landed; this does not depend on where the bypass ramp ended in the chunk.
            self.rest();
        }
        // Guard: no state may stay non-finite (the side chain is sanitized, so this is a
        // last line of defence).
        if !self.state.envelope_db.is_finite() {
            self.state.envelope_db = 0.0;
        }
        for ms in &mut self.mean_square {
            if !ms.is_finite() || (silent_in && *ms < MEAN_SQUARE_FLOOR) {
                *ms = 0.0;
            }
        }
    }
}

impl Processor for Compressor {
    fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        self.sample_rate_hz = if sample_rate_hz.is_finite() && sample_rate_hz > 0.0 {
            sample_rate_hz
        } else {
            48_000.0
        };
        let fs = self.sample_rate_hz;
        for (s, param) in [
            (&mut self.threshold_db, ParamId::CompThresholdDb),
            (&mut self.inv_ratio, ParamId::CompRatio),
            (&mut self.knee_db, ParamId::CompKneeDb),
            (&mut self.makeup_db, ParamId::CompMakeupDb),
            (&mut self.auto_share, ParamId::CompMakeupDb),
        ] {
            s.set_ramp(fs, param.spec().smoothing_ms);
        }
        self.wet.prepare(fs);
        self.attack_coeff = one_pole_coefficient(self.attack_ms, fs);
        self.release_coeff = one_pole_coefficient(self.release_ms, fs);
        self.rms_coeff = one_pole_coefficient(RMS_TIME_CONSTANT_MS, fs);
        self.hpf
            .prepare(fs, ParamId::CompScHpfHz.spec().smoothing_ms);
        let max_frames = max_frames.max(1);
        self.sidechain = [vec![0.0; max_frames], vec![0.0; max_frames]];
        self.gain = vec![0.0; max_frames];
        let max_latency = (ParamId::CompLookaheadMs.spec().max * fs / 1000.0).round() as usize;
        let capacity = (max_latency + 1).next_power_of_two();
        self.delay = [vec![0.0; capacity], vec![0.0; capacity]];
        self.delay_mask = capacity - 1;
        self.latency_frames = self.lookahead_frames().min(max_latency);
        self.reset();
    }

    fn reset(&mut self) {
        self.snap_params();
        self.wet.snap();
        self.hpf.reset();
        for line in &mut self.delay {
            line.fill(0.0);
        }
        self.write_pos = 0;
        self.mean_square = [0.0; 2];
        self.state.envelope_db = 0.0;
        self.state.peak_db = 0.0;
        self.resting = false;
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        self.state.peak_db = 0.0;
        let frames = io.left.len().min(io.right.len());
        let chunk = self.gain.len().max(1);
        let mut start = 0;
        while start < frames {
            let end = (start + chunk).min(frames);
            self.process_chunk(&mut io.left[start..end], &mut io.right[start..end]);
            start = end;
        }
    }
}

#[cfg(test)]
mod tests;
