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
    /// the look-ahead and release smoothing.
    pub fn set_ceiling_dbtp(&mut self, ceiling_dbtp: f32) {
        let ceiling_dbtp = if ceiling_dbtp.is_nan() {
            CEILING.default
        } else {
            CEILING.clamp(ceiling_dbtp)
        };
        self.ceiling_dbtp = ceiling_dbtp;
        self.ceiling_lin = db_to_lin(ceiling_dbtp);
    }

    /// The ceiling, dBTP.
    pub fn ceiling_dbtp(&self) -> f32 {
        self.ceiling_dbtp
    }

    /// Sets the look-ahead, ms, clamped to 0.5 … 10 (default 2). Not smoothed: a change of the
    /// look-ahead in frames changes the latency and clears the delay line and the gain state.
    pub fn set_lookahead_ms(&mut self, lookahead_ms: f32) {
        self.lookahead_ms = if lookahead_ms.is_nan() {
            LOOKAHEAD.default
        } else {
            LOOKAHEAD.clamp(lookahead_ms)
        };
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
    /// gain reduction, in linear gain, falls by 1/e per time constant.
    pub fn set_release_ms(&mut self, release_ms: f32) {
        self.release_ms = if release_ms.is_nan() {
            RELEASE.default
        } else {
            RELEASE.clamp(release_ms)
        };
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
mod tests {
    use super::*;
    use crate::true_peak::TruePeakMeter;
    use std::f64::consts::PI;

    const FS: f32 = 48_000.0;

    fn limiter(ceiling_dbtp: f32, lookahead_ms: f32, release_ms: f32) -> TruePeakLimiter {
        let mut limiter = TruePeakLimiter::new();
        limiter.prepare(FS, 4_096);
        limiter.set_ceiling_dbtp(ceiling_dbtp);
        limiter.set_lookahead_ms(lookahead_ms);
        limiter.set_release_ms(release_ms);
        limiter.reset();
        limiter
    }

    fn run(limiter: &mut TruePeakLimiter, input: &[(f32, f32)], block: usize) -> Vec<(f32, f32)> {
        let mut out = Vec::with_capacity(input.len());
        for chunk in input.chunks(block) {
            let mut l: Vec<f32> = chunk.iter().map(|f| f.0).collect();
            let mut r: Vec<f32> = chunk.iter().map(|f| f.1).collect();
            limiter.process(&mut StereoBlock::new(&mut l, &mut r));
            out.extend(l.into_iter().zip(r));
        }
        out
    }

    fn sine(freq_hz: f64, amplitude: f64, n: usize) -> f32 {
        (amplitude * (2.0 * PI * freq_hz * n as f64 / f64::from(FS)).sin()) as f32
    }

    fn true_peak_dbtp(signal: &[(f32, f32)]) -> f32 {
        let mut meter = TruePeakMeter::new();
        meter.prepare(FS);
        let l: Vec<f32> = signal.iter().map(|f| f.0).chain([0.0; 16]).collect();
        let r: Vec<f32> = signal.iter().map(|f| f.1).chain([0.0; 16]).collect();
        let [pl, pr] = meter.process(&l, &r);
        20.0 * pl.max(pr).log10()
    }

    /// Test programme: +20 dBFS noise, abrupt sine bursts (100 Hz … 19 kHz, 0 … +20 dBFS, 40 ms
    /// on / 40 ms off, starting at full amplitude), and noise stepping from −30 to +20 dBFS.
    fn hot_programme() -> Vec<(f32, f32)> {
        let mut x = Vec::new();
        let (a, b) = (
            crate::white_noise(1, 1.0, 24_000),
            crate::white_noise(2, 1.0, 24_000),
        );
        x.extend(a.iter().zip(&b).map(|(l, r)| (10.0 * l, 10.0 * r)));
        let mut n = 0;
        for freq in [100.0, 1_000.0, 5_000.0, 11_025.0, 15_000.0, 19_000.0] {
            for level_db in [20.0, 6.0, 0.0] {
                let amplitude = 10f64.powf(level_db / 20.0);
                for i in 0..3_840 {
                    let on = i < 1_920;
                    let s = if on {
                        sine(freq, amplitude, n + 7)
                    } else {
                        0.0
                    };
                    x.push((s, -s));
                    n += 1;
                }
            }
        }
        let (a, b) = (
            crate::white_noise(3, 1.0, 9_600),
            crate::white_noise(4, 1.0, 9_600),
        );
        for (i, (l, r)) in a.iter().zip(&b).enumerate() {
            let gain = if (i / 2_400) % 2 == 0 { 0.03 } else { 10.0 };
            x.push((gain * l, gain * r));
        }
        x
    }

    /// Reference: the ceiling itself. Noise and sine bursts driven up to +20 dBFS come out with
    /// a true peak (our BS.1770-4 meter, 4×) at most 0.1 dB over the ceiling, for every
    /// look-ahead and several ceilings.
    #[test]
    fn output_true_peak_stays_under_the_ceiling() {
        let input = hot_programme();
        assert!(true_peak_dbtp(&input) > 19.0);
        for ceiling in [-1.0, -6.0, 0.0, -12.0] {
            for lookahead in [0.5, 2.0, 10.0] {
                for release in [10.0, 100.0] {
                    let mut lim = limiter(ceiling, lookahead, release);
                    let out = run(&mut lim, &input, 128);
                    let peak = true_peak_dbtp(&out);
                    println!(
                        "ceiling {ceiling} dBTP, look-ahead {lookahead} ms, release {release} ms: \
                         output {peak:.4} dBTP"
                    );
                    assert!(
                        peak <= ceiling + 0.1,
                        "ceiling {ceiling}, look-ahead {lookahead} ms, release {release} ms: \
                         output true peak {peak:.3} dBTP"
                    );
                }
            }
        }
    }

    /// Reference: identity. A signal whose true peak stays under the ceiling leaves exactly as it
    /// came, delayed by `latency_frames` (107 frames for 2 ms at 48 kHz).
    #[test]
    fn signal_under_the_ceiling_passes_unchanged_but_delayed() {
        let a = crate::white_noise(9, 1.0, 20_000);
        let input: Vec<(f32, f32)> = (0..20_000)
            .map(|n| (sine(997.0, 0.5, n) + 0.2 * a[n], 0.3 * a[n]))
            .collect();
        assert!(true_peak_dbtp(&input) < -1.2);
        let mut lim = limiter(-1.0, 2.0, 100.0);
        assert_eq!(lim.latency_frames(), 96 + 11);
        let latency = lim.latency_frames();
        let out = run(&mut lim, &input, 64);
        assert!(out[..latency].iter().all(|&f| f == (0.0, 0.0)));
        assert_eq!(&out[latency..], &input[..input.len() - latency]);
        assert_eq!(lim.gain_reduction_db(), 0.0);
    }

    /// Reference: the exponential release `1 − g(t) ∝ e^(−t/τ)`. A DC level of 0.25 with a
    /// 100 ms step to 4.0 (+24 dB): after the step the gain deficit, measured as output/input, is
    /// fitted over one time constant; τ within 10 % of the setting.
    #[test]
    fn release_time_constant_is_the_setting() {
        for release_ms in [10.0_f32, 100.0, 1_000.0] {
            let tau_frames = (release_ms * FS / 1000.0) as usize;
            let step_end = 9_600;
            let frames = step_end + 4 * tau_frames + 9_600;
            let input: Vec<(f32, f32)> = (0..frames)
                .map(|n| {
                    let x = if (4_800..step_end).contains(&n) {
                        4.0
                    } else {
                        0.25
                    };
                    (x, x)
                })
                .collect();
            let mut lim = limiter(-1.0, 2.0, release_ms);
            let latency = lim.latency_frames();
            let out = run(&mut lim, &input, 128);
            let deficit = |n: usize| 1.0 - f64::from(out[n + latency].0 / input[n].0);
            // Start once the step and the look-ahead ramp have passed (20 ms after the step).
            let n1 = step_end + 960;
            let n2 = n1 + tau_frames;
            let measured_ms =
                (n2 - n1) as f64 / (deficit(n1) / deficit(n2)).ln() / f64::from(FS) * 1000.0;
            println!("release {release_ms} ms: measured time constant {measured_ms:.2} ms");
            assert!(
                (measured_ms / f64::from(release_ms) - 1.0).abs() < 0.1,
                "release {release_ms} ms: measured {measured_ms:.2} ms"
            );
        }
    }

    /// Reference: the same limiter fed in one block of 4096. Blocks of 1, 3, 64 and 128 frames
    /// give the same samples within 1e-6, through a bypass round trip.
    #[test]
    fn output_does_not_depend_on_block_size() {
        let mut input = hot_programme();
        input.truncate(36_864);
        input.extend(std::iter::repeat_n((0.0, 0.0), 24_576));
        input.extend(hot_programme().into_iter().take(12_288));
        let render = |block: usize| {
            let mut lim = limiter(-1.0, 2.0, 50.0);
            let mut out = run(&mut lim, &input[..12_288], block);
            lim.set_bypassed(true);
            out.extend(run(&mut lim, &input[12_288..24_576], block));
            lim.set_bypassed(false);
            out.extend(run(&mut lim, &input[24_576..], block));
            out
        };
        let reference = render(4_096);
        for block in [1, 3, 64, 128] {
            let out = render(block);
            let worst = out
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs()))
                .fold(0.0_f32, f32::max);
            assert!(worst <= 1e-6, "block {block}: differs by {worst}");
        }
    }

    #[test]
    fn reset_makes_the_output_repeat() {
        let input = hot_programme();
        let mut lim = limiter(-2.0, 3.0, 80.0);
        let first = run(&mut lim, &input, 100);
        lim.reset();
        let second = run(&mut lim, &input, 100);
        assert_eq!(first, second);
    }

    /// Reference: the same input with the non-finite samples replaced by 0.
    #[test]
    fn non_finite_input_is_read_as_zero() {
        let clean = hot_programme();
        let mut dirty = clean.clone();
        let mut zeroed = clean.clone();
        for (i, bad) in [
            (500, f32::NAN),
            (501, f32::INFINITY),
            (30_000, f32::NEG_INFINITY),
        ] {
            dirty[i] = (bad, bad);
            zeroed[i] = (0.0, 0.0);
        }
        let mut lim = limiter(-1.0, 2.0, 100.0);
        let out = run(&mut lim, &dirty, 128);
        assert!(out.iter().all(|f| f.0.is_finite() && f.1.is_finite()));
        let mut lim = limiter(-1.0, 2.0, 100.0);
        assert_eq!(out, run(&mut lim, &zeroed, 128));
    }

    /// Silence gives exact zeros once the delay line has drained; after the release the tail
    /// gate returns the limiter to its reset state, so a new signal comes out as from a fresh
    /// limiter.
    #[test]
    fn silence_gives_exact_zeros_and_the_gate_changes_nothing() {
        let mut input = hot_programme();
        input.truncate(24_000);
        let loud_frames = input.len();
        input.extend(std::iter::repeat_n((0.0, 0.0), 96_000));
        let mut lim = limiter(-1.0, 2.0, 100.0);
        let latency = lim.latency_frames();
        let out = run(&mut lim, &input, 128);
        assert!(out[loud_frames + latency..]
            .iter()
            .all(|&f| f == (0.0, 0.0)));
        assert!(lim.idle, "the tail gate engaged after the release");
        let again = hot_programme();
        let resumed = run(&mut lim, &again, 128);
        let fresh = run(&mut limiter(-1.0, 2.0, 100.0), &again, 128);
        let worst = resumed
            .iter()
            .zip(&fresh)
            .map(|(a, b)| (a.0 - b.0).abs().max((a.1 - b.1).abs()))
            .fold(0.0_f32, f32::max);
        assert!(worst <= 1e-6, "after the gate: differs by {worst}");
    }

    /// Reference: the input delayed by the latency. Bypassed, the output is exactly that after
    /// the 10 ms crossfade, which moves monotonically between the two.
    #[test]
    fn bypass_crossfades_to_the_delayed_input() {
        let input: Vec<(f32, f32)> = (0..48_000)
            .map(|n| {
                let s = sine(1_000.0, 2.0, n);
                (s, s)
            })
            .collect();
        let mut lim = limiter(-1.0, 2.0, 100.0);
        let latency = lim.latency_frames();
        let mut out = run(&mut lim, &input[..9_600], 128);
        lim.set_bypassed(true);
        out.extend(run(&mut lim, &input[9_600..], 128));
        // The applied gain, sample by sample, where the input is large enough to divide by.
        let gain = |n: usize| out[n + latency].0 / input[n].0;
        let fade_start = 9_600 - latency;
        let fade_end = fade_start + 480;
        let mut previous = 0.0;
        for (n, frame) in input
            .iter()
            .enumerate()
            .take(fade_end + 480)
            .skip(fade_start)
        {
            if frame.0.abs() > 0.5 {
                let g = gain(n);
                assert!(g >= previous - 1e-6, "crossfade not monotonic at {n}: {g}");
                previous = g;
            }
        }
        assert!(out[fade_end + latency..]
            .iter()
            .zip(&input[fade_end..])
            .all(|(o, i)| o == i));
        assert_eq!(lim.gain_reduction_db(), 0.0);
        assert_eq!(lim.latency_frames(), latency);
    }

    /// Reference: the ceiling minus the tone's true peak. A steady 1 kHz sine with 2.0 peaks
    /// (+6.02 dBTP) under a −1 dBTP ceiling reports 7.02 dB of reduction.
    #[test]
    fn gain_reduction_reports_the_applied_reduction() {
        let input: Vec<(f32, f32)> = (0..9_600)
            .map(|n| {
                let s = sine(1_000.0, 2.0, n);
                (s, s)
            })
            .collect();
        let mut lim = limiter(-1.0, 2.0, 100.0);
        run(&mut lim, &input, 128);
        let reduction = lim.gain_reduction_db();
        println!("gain reduction {reduction:.3} dB (expected 7.02)");
        assert!((reduction - 7.02).abs() < 0.05, "{reduction} dB");
    }

    /// Reference: brute-force minima and means over the same windows.
    #[test]
    fn sliding_minimum_and_moving_average_match_brute_force() {
        let values: Vec<f32> = crate::white_noise(77, 1.0, 5_000)
            .iter()
            .map(|v| v.abs())
            .collect();
        for window in [1, 2, 7, 107] {
            let mut min = SlidingMin::default();
            min.allocate(200);
            min.set_window(window);
            let mut average = MovingAverage::default();
            average.allocate(200);
            average.set_length(window);
            for (n, &v) in values.iter().enumerate() {
                let start = (n + 1).saturating_sub(window);
                let expected_min = values[start..=n]
                    .iter()
                    .fold(f32::INFINITY, |m, &x| m.min(x));
                assert_eq!(min.push(v), expected_min, "window {window}, value {n}");
                // Before the window fills, the average counts the initial 1.0 values.
                let ones = window - (n + 1 - start);
                let sum: f64 =
                    values[start..=n].iter().map(|&x| f64::from(x)).sum::<f64>() + ones as f64;
                let expected_mean = (sum / window as f64) as f32;
                let mean = average.push(v);
                assert!(
                    (mean - expected_mean).abs() < 1e-6,
                    "window {window}, value {n}"
                );
            }
        }
    }

    /// A change of look-ahead changes the latency and starts from an empty delay line.
    #[test]
    fn lookahead_change_sets_the_latency_and_clears_the_delay_line() {
        let mut lim = limiter(-1.0, 2.0, 100.0);
        run(&mut lim, &vec![(0.5, 0.5); 1_000], 128);
        lim.set_lookahead_ms(5.0);
        assert_eq!(lim.latency_frames(), 240 + 11);
        let impulse: Vec<(f32, f32)> = (0..1_000)
            .map(|n| if n == 10 { (0.5, -0.5) } else { (0.0, 0.0) })
            .collect();
        let out = run(&mut lim, &impulse, 128);
        for (n, &frame) in out.iter().enumerate() {
            let expected = if n == 10 + 251 {
                (0.5, -0.5)
            } else {
                (0.0, 0.0)
            };
            assert_eq!(frame, expected, "frame {n}");
        }
        lim.set_lookahead_ms(0.1);
        assert_eq!(lim.lookahead_ms(), 0.5);
        assert_eq!(lim.latency_frames(), 24 + 11);
    }
}
