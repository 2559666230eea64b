//! The master true-peak limiter: a look-ahead brick-wall limiter that keeps the output's true
//! peak (ITU-R BS.1770-4 Annex 2, 4× oversampled) at or below a ceiling.
//!
//! Structure after the look-ahead limiter of Zölzer (ed.), *DAFX: Digital Audio Effects*, 2nd ed.
//! (Wiley 2011), ch. 4 "Nonlinear processing" (the signal is delayed so the gain can fall before
//! a peak arrives), with the smoothing split of Giannoulis, Massberg & Reiss, "Digital dynamic
//! range compressor design — a tutorial and analysis", J. Audio Eng. Soc. 60(6), 2012 (instant
//! attack on the gain computer's target, one-pole release):
//!
//! 1. Both channels feed a [`TruePeakDetector`] (4×); the larger reading `p` gives the required
//!    gain `r = min(1, ceiling / p)` (stereo-linked).
//! 2. A sliding minimum of `r` over `W = L + 12` frames (`L`: look-ahead frames).
//! 3. Release: the envelope follows the minimum down at once and rises back towards it
//!    exponentially with the release time constant (never above it).
//! 4. A moving average of the envelope over `L` frames: the gain ramps down linearly over the
//!    look-ahead instead of stepping.
//! 5. The input, delayed by `L + 11` frames, is multiplied by that gain.
//!
//! Why the bound holds: the detector reading for frame `q` is built from input frames
//! `q − 11 ..= q`. The averaged gain applied at step `n` is a mean of `L` envelope values, each
//! at most the minimum of `r` over a window that (with `W = L + 12`) contains every `q` in
//! `n − L − 11 ..= n − L`; the frame leaving the delay line at `n` is `t = n − L − 11`, and all
//! readings that depend on it (`q` in `t ..= t + 11`) are in that range. So every sample is scaled
//! by at most the gain each reading it contributes to requires. The output's inter-sample values
//! are interpolated from samples scaled by slightly different gains while the gain moves, so the
//! bound is exact for a steady gain and approximate on the ramps. Measured with
//! [`crate::true_peak::TruePeakMeter`], the output of the tests' programmes (noise, abrupt sine
//! bursts up to +20 dBFS and 19 kHz, level steps) stays within 0.001 dB of the ceiling.
//!
//! Bypass crossfades over 10 ms to the input delayed by the same latency, so the latency never
//! changes. The only recursive state is the gain envelope, which sits near 1 rather than 0: its
//! release snaps to the target once within 1e-6 (−120 dB), so it rests at exactly 1.0 and a
//! signal under the ceiling passes bit for bit. Non-finite input samples are read as 0. Silence
//! gives exact zeros once it has filled the delay line; the tail gate (see `crate::denormal`)
//! then returns the limiter to its reset state, and silent blocks cost nothing until the input
//! returns.

use mixroom_protocol::params::{ParamId, ParamSpec};
use mixroom_protocol::units::db_to_lin;

use crate::denormal::{below_tail_floor, finite_or_zero, is_silent};
use crate::true_peak::TruePeakDetector;
use crate::{Crossfade, Processor, StereoBlock};

/// The table's rows for the limiter's settings: their ranges and defaults.
const CEILING: &ParamSpec = ParamId::LimiterCeilingDbtp.spec();
const LOOKAHEAD: &ParamSpec = ParamId::LimiterLookaheadMs.spec();
const RELEASE: &ParamSpec = ParamId::LimiterReleaseMs.spec();
/// Oversampling of the peak detector.
const OVERSAMPLING: usize = 4;
/// The release snaps to its target once this close (linear gain).
const RELEASE_SNAP: f64 = 1e-6;
/// Frames of input one true-peak reading depends on (the Annex 2 filter's 12 taps).
const TAP_SPAN: usize = 12;

/// Sliding minimum over the last `window` values (a monotonic queue in fixed storage).
#[derive(Clone, Debug, Default)]
struct SlidingMin {
    values: Vec<f32>,
    stamps: Vec<u64>,
    head: usize,
    len: usize,
    window: usize,
    now: u64,
}

impl SlidingMin {
    fn allocate(&mut self, capacity: usize) {
        self.values = vec![0.0; capacity];
        self.stamps = vec![0; capacity];
        self.window = self.window.min(capacity);
        self.clear();
    }

    fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.values.len());
        self.clear();
    }

    fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
        self.now = 0;
    }

    /// Adds `value` and returns the minimum of the last `window` values.
    #[inline]
    fn push(&mut self, value: f32) -> f32 {
        let capacity = self.values.len();
        let wrap = |i: usize| if i >= capacity { i - capacity } else { i };
        // Drop queued values that the new one undercuts: they can never be the minimum again.
        while self.len > 0 && self.values[wrap(self.head + self.len - 1)] >= value {
            self.len -= 1;
        }
        let tail = wrap(self.head + self.len);
        self.values[tail] = value;
        self.stamps[tail] = self.now;
        self.len += 1;
        // Drop the oldest if it has left the window (at most one per push).
        if self.stamps[self.head] + self.window as u64 <= self.now {
            self.head = wrap(self.head + 1);
            self.len -= 1;
        }
        self.now += 1;
        self.values[self.head]
    }
}

/// Moving average over the last `length` values. The running sum is recomputed exactly every
/// `length` values, so rounding never accumulates.
#[derive(Clone, Debug, Default)]
struct MovingAverage {
    values: Vec<f32>,
    length: usize,
    pos: usize,
    sum: f64,
}

impl MovingAverage {
    fn allocate(&mut self, capacity: usize) {
        self.values = vec![1.0; capacity];
        self.set_length(self.length);
    }

    /// Sets the length and fills the window with 1.0 (no reduction).
    fn set_length(&mut self, length: usize) {
        self.length = length.clamp(1, self.values.len());
        self.clear();
    }

    fn clear(&mut self) {
        self.values[..self.length].fill(1.0);
        self.pos = 0;
        self.sum = self.length as f64;
    }

    #[inline]
    fn push(&mut self, value: f32) -> f32 {
        self.sum += f64::from(value) - f64::from(self.values[self.pos]);
        self.values[self.pos] = value;
        self.pos += 1;
        if self.pos == self.length {
            self.pos = 0;
            self.sum = self.values[..self.length]
                .iter()
                .map(|&v| f64::from(v))
                .sum();
        }
        (self.sum / self.length as f64) as f32
    }
}

/// A delay of `delay` frames in fixed storage.
#[derive(Clone, Debug, Default)]
struct DelayLine {
    buffer: Vec<f32>,
    delay: usize,
    pos: usize,
}

impl DelayLine {
    fn allocate(&mut self, capacity: usize) {
        self.buffer = vec![0.0; capacity];
        self.set_delay(self.delay);
    }

    fn set_delay(&mut self, delay: usize) {
        self.delay = delay.clamp(1, self.buffer.len());
        self.clear();
    }

    fn clear(&mut self) {
        self.buffer.fill(0.0);
        self.pos = 0;
    }

    #[inline]
    fn push(&mut self, x: f32) -> f32 {
        let y = self.buffer[self.pos];
        self.buffer[self.pos] = x;
        self.pos += 1;
        if self.pos == self.delay {
            self.pos = 0;
        }
        y
    }
}

/// The master true-peak limiter (see the module docs). Implements [`Processor`].
#[derive(Clone, Debug)]
pub struct TruePeakLimiter {
    sample_rate_hz: f32,
    ceiling_dbtp: f32,
    ceiling_lin: f32,
    lookahead_ms: f32,
    lookahead_frames: usize,
    release_ms: f32,
    /// Per-frame release factor (f64: a slow release moves the gain by less than an f32 step
    /// near 1).
    release_coeff: f64,
    bypassed: bool,
    detectors: [TruePeakDetector; 2],
    window_min: SlidingMin,
    envelope: f64,
    average: MovingAverage,
    delays: [DelayLine; 2],
    /// The bypass: processed or dry.
    wet: Crossfade,
    /// Consecutive exactly silent input frames (saturating).
    silent_frames: usize,
    /// Set by the tail gate: reset state and silent input, nothing to compute.
    idle: bool,
    gain_reduction_db: f32,
}

impl Default for TruePeakLimiter {
    fn default() -> Self {
        TruePeakLimiter::new()
    }
}

impl TruePeakLimiter {
    /// A limiter with the default settings (ceiling −1 dBTP, look-ahead 2 ms, release 100 ms,
    /// active), prepared for 48 kHz.
    pub fn new() -> TruePeakLimiter {
        let mut limiter = TruePeakLimiter {
            sample_rate_hz: 48_000.0,
            ceiling_dbtp: CEILING.default,
            ceiling_lin: db_to_lin(CEILING.default),
            lookahead_ms: LOOKAHEAD.default,
            lookahead_frames: 1,
            release_ms: RELEASE.default,
            release_coeff: 0.0,
            bypassed: false,
            detectors: [
                TruePeakDetector::new(OVERSAMPLING),
                TruePeakDetector::new(OVERSAMPLING),
            ],
            window_min: SlidingMin::default(),
            envelope: 1.0,
            average: MovingAverage::default(),
            delays: [DelayLine::default(), DelayLine::default()],
            wet: Crossfade::new(true),
            silent_frames: 0,
            idle: false,
            gain_reduction_db: 0.0,
        };
        limiter.prepare(48_000.0, 128);
        limiter.reset();
        limiter
    }

    /// Sets the ceiling, dBTP, clamped to −12 … 0 (default −1). Takes effect at once, through
    /// the look-ahead and release smoothing. NaN is ignored.
    pub fn set_ceiling_dbtp(&mut self, ceiling_dbtp: f32) {
        if ceiling_dbtp.is_nan() {
            return;
        }
        let ceiling_dbtp = CEILING.clamp(ceiling_dbtp);
        self.ceiling_dbtp = ceiling_dbtp;
        self.ceiling_lin = db_to_lin(ceiling_dbtp);
    }

    /// The ceiling, dBTP.
    pub fn ceiling_dbtp(&self) -> f32 {
        self.ceiling_dbtp
    }

    /// Sets the look-ahead, ms, clamped to 0.5 … 10 (default 2). Not smoothed: a change of the
    /// look-ahead in frames changes the latency and clears the delay line and the gain state.
    /// NaN is ignored.
    pub fn set_lookahead_ms(&mut self, lookahead_ms: f32) {
        if lookahead_ms.is_nan() {
            return;
        }
        self.lookahead_ms = LOOKAHEAD.clamp(lookahead_ms);
        let frames = Self::frames_for(self.sample_rate_hz, self.lookahead_ms);
        if frames != self.lookahead_frames {
            self.lookahead_frames = frames;
            self.apply_lookahead();
        }
    }

    /// The look-ahead, ms.
    pub fn lookahead_ms(&self) -> f32 {
        self.lookahead_ms
    }

    /// Sets the release time constant, ms, clamped to 10 … 1000 (default 100): after a peak the
    /// gain reduction, in linear gain, falls by 1/e per time constant. NaN is ignored.
    pub fn set_release_ms(&mut self, release_ms: f32) {
        if release_ms.is_nan() {
            return;
        }
        self.release_ms = RELEASE.clamp(release_ms);
        self.release_coeff =
            (-1000.0 / (f64::from(self.release_ms) * f64::from(self.sample_rate_hz))).exp();
    }

    /// The release time constant, ms.
    pub fn release_ms(&self) -> f32 {
        self.release_ms
    }

    /// Bypasses the limiter (true) or not, with a 10 ms crossfade to the input delayed by
    /// [`Self::latency_frames`].
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.bypassed = bypassed;
        self.wet.set_active(!bypassed);
    }

    /// Whether the limiter is bypassed.
    pub fn is_bypassed(&self) -> bool {
        self.bypassed
    }

    /// Delay from input to output, frames: the look-ahead plus the detector's latency
    /// ([`TruePeakDetector::latency_frames`], 11). The same when bypassed.
    pub fn latency_frames(&self) -> usize {
        self.lookahead_frames + self.detectors[0].latency_frames()
    }

    /// The largest gain reduction applied during the last processed block, dB ≥ 0.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gain_reduction_db
    }

    fn frames_for(sample_rate_hz: f32, ms: f32) -> usize {
        ((sample_rate_hz * ms / 1000.0).round() as usize).max(1)
    }

    fn apply_lookahead(&mut self) {
        let latency = self.latency_frames();
        self.window_min.set_window(self.lookahead_frames + TAP_SPAN);
        self.average.set_length(self.lookahead_frames);
        for delay in &mut self.delays {
            delay.set_delay(latency);
        }
        self.clear_signal_state();
    }

    fn clear_signal_state(&mut self) {
        for detector in &mut self.detectors {
            detector.reset();
        }
        self.window_min.clear();
        self.envelope = 1.0;
        self.average.clear();
        for delay in &mut self.delays {
            delay.clear();
        }
        self.silent_frames = 0;
        self.idle = false;
    }

    /// Whether the state holds nothing but what a reset leaves (the delay lines and detector
    /// histories only zeros, the gain fully released), so that clearing it changes no output.
    fn at_rest(&self) -> bool {
        self.silent_frames > self.latency_frames() + TAP_SPAN
            && self.envelope == 1.0
            && self.average.sum == self.average.length as f64
    }

    /// Processes frames in place, returning the smallest gain applied.
    fn limit(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let mut min_gain = 1.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (x_l, x_r) = (finite_or_zero(*l), finite_or_zero(*r));
            if x_l == 0.0 && x_r == 0.0 {
                self.silent_frames = self.silent_frames.saturating_add(1);
            } else {
                self.silent_frames = 0;
            }
            let peak = self.detectors[0].next(x_l).max(self.detectors[1].next(x_r));
            let required = if peak > self.ceiling_lin {
                self.ceiling_lin / peak
            } else {
                1.0
            };
            let target = f64::from(self.window_min.push(required));
            self.envelope = if target <= self.envelope {
                target
            } else {
                let next = target + (self.envelope - target) * self.release_coeff;
                if target - next < RELEASE_SNAP {
                    target
                } else {
                    next
                }
            };
            let gain = self.average.push(self.envelope as f32);
            let wet = self.wet.next_value();
            let gain = if wet == 1.0 {
                gain
            } else {
                1.0 + wet * (gain - 1.0)
            };
            min_gain = min_gain.min(gain);
            *l = self.delays[0].push(x_l) * gain;
            *r = self.delays[1].push(x_r) * gain;
        }
        min_gain
    }
}

impl Processor for TruePeakLimiter {
    fn prepare(&mut self, sample_rate_hz: f32, _max_frames: usize) {
        self.sample_rate_hz = if sample_rate_hz.is_finite() {
            sample_rate_hz.clamp(1_000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        let max_lookahead = Self::frames_for(self.sample_rate_hz, LOOKAHEAD.max);
        let latency_capacity = max_lookahead + self.detectors[0].latency_frames();
        self.window_min.allocate(max_lookahead + TAP_SPAN);
        self.average.allocate(max_lookahead);
        for delay in &mut self.delays {
            delay.allocate(latency_capacity);
        }
        self.wet.prepare(self.sample_rate_hz);
        self.set_release_ms(self.release_ms);
        self.lookahead_frames = Self::frames_for(self.sample_rate_hz, self.lookahead_ms);
        self.apply_lookahead();
    }

    fn reset(&mut self) {
        self.wet.snap();
        self.clear_signal_state();
        self.gain_reduction_db = 0.0;
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        let (left, right) = (&mut *io.left, &mut *io.right);
        let silent_in = is_silent(left) && is_silent(right);
        if self.idle && silent_in && self.wet.is_settled() {
            // Reset state and silent input: the output is the input, exact zeros.
            self.gain_reduction_db = 0.0;
            return;
        }
        self.idle = false;
        let min_gain = self.limit(left, right);
        self.gain_reduction_db = if min_gain < 1.0 {
            -20.0 * min_gain.max(1e-10).log10()
        } else {
            0.0
        };
        // Defensive: finite input cannot make the state non-finite, but never carry it if it does.
        if !self.envelope.is_finite() || !self.average.sum.is_finite() {
            self.clear_signal_state();
        }
        // Tail gate: once silence has filled the delay line and the gain has released, return
        // to the reset state (it removes nothing) and skip silent blocks from then on.
        if silent_in
            && below_tail_floor(left)
            && below_tail_floor(right)
            && self.at_rest()
            && self.wet.is_settled()
        {
            self.clear_signal_state();
            self.idle = true;
        }
    }
}

#[cfg(test)]
mod tests;
