//! The delay of the aux returns: a stereo feedback delay ("echo"), 100 % wet, with a one-pole
//! high-cut in the feedback loop, optional ping-pong and tape-style time glides.
//!
//! Model: the feedback delay line (IIR comb filter with a low-pass in the loop) and the ping-pong
//! delay of J. D. Reiss & A. P. McPherson, *Audio Effects: Theory, Implementation and
//! Application*, CRC Press 2014, ch. 2 ("Delay line effects"); see also U. Zölzer (ed.), *DAFX*,
//! 2nd ed., Wiley 2011, ch. 2. Fractional reads use the 4-point, 3rd-order Hermite
//! (Catmull-Rom) interpolator of O. Niemitalo, "Polynomial interpolators for high-quality
//! resampling of oversampled audio" (2001).
//!
//! Per channel and sample: `y = line(t − d)` is the output; the loop feeds
//! `in + feedback · lowpass(y)` back into the line. Ping-pong sends the mono sum of the input
//! into the left line only and crosses the feedback (left line → right line → left line), so
//! repeats alternate sides. The ping-pong switch crossfades both routings over 20 ms.
//!
//! Time changes glide: the delay (in frames) ramps linearly to the new time over
//! `max(20 ms, 2 × |change|)`, so the read head moves at 0.5× to 1.5× speed (a pitch bend, as when
//! a tape machine changes speed) and the output never jumps. Feedback, high cut (as the pole of
//! the low-pass) and the ping-pong mix glide over 20 ms, the bypass crossfade over 10 ms (a linear
//! ramp shaped by smoothstep; the input into the lines fades with it, so echoes restart smoothly
//! after the lines were emptied), all per sample, so output does not depend on block size.
//!
//! Tails end through the tail gate (see `crate::denormal`): once the input has been silent and
//! nothing at or above `TAIL_FLOOR` has been written into the lines for longer than the delay,
//! the lines are cleared, so silence in gives exact zeros out. Input samples are sanitized
//! (non-finite → 0, magnitude limited to 1e30) before they are written, so the lines never hold
//! NaN or infinities.

use std::f64::consts::PI;

use mixroom_protocol::params::{ParamId, ParamSpec};

use crate::crossfade::CROSSFADE_MS;
use crate::denormal::{below_tail_floor, finite_or_zero, flush, is_silent, TAIL_FLOOR};
use crate::{LinearSmoother, Processor, StereoBlock};

/// The table's rows for the delay's settings: their ranges, defaults and ramp times (a time
/// change glides over at least the time's ramp; the ping-pong switch moves like the feedback).
const TIME: &ParamSpec = ParamId::DelayTimeMs.spec();
const FEEDBACK: &ParamSpec = ParamId::DelayFeedback.spec();
const HIGH_CUT: &ParamSpec = ParamId::DelayHighCutHz.spec();
/// A time change of Δ ms glides over at least this × Δ ms (read head speed 0.5× to 1.5×).
const GLIDE_MS_PER_MS: f32 = 2.0;
/// Input magnitudes are limited to this, so the loop (gain ≤ 0.95) cannot overflow.
const INPUT_LIMIT: f32 = 1e30;
/// Sample rates `prepare` accepts, Hz (others are clamped into this range).
const SAMPLE_RATE_HZ_RANGE: (f32, f32) = (8_000.0, 768_000.0);

/// Stereo feedback delay; see the module documentation.
#[derive(Clone, Debug)]
pub struct Delay {
    sample_rate_hz: f32,
    time_ms: f32,
    high_cut_hz: f32,
    /// Delay of the read head, frames.
    delay_frames: LinearSmoother,
    /// Feedback, linear gain per repeat.
    feedback: LinearSmoother,
    /// Pole of the loop low-pass `y += (1 − pole)(x − y)`.
    pole: LinearSmoother,
    /// 0 = stereo routing, 1 = ping-pong routing.
    ping_pong: LinearSmoother,
    /// 0 = processed, 1 = dry input.
    bypass: LinearSmoother,
    /// The left and right lines, power-of-two long.
    lines: [Vec<f32>; 2],
    mask: usize,
    /// Slot written by the current frame.
    pos: usize,
    /// Loop low-pass states.
    lowpass: [f32; 2],
    /// Whether the lines or the low-passes may hold anything non-zero.
    has_state: bool,
    /// Frames since a block wrote a value at or above `TAIL_FLOOR` into the lines.
    quiet_frames: usize,
}

impl Default for Delay {
    fn default() -> Self {
        Delay::new()
    }
}

impl Delay {
    /// A delay with default settings (375 ms, feedback 0.35, high cut 8 kHz, stereo, active).
    /// Allocates nothing: call `prepare` before `process` (until then it outputs silence).
    pub fn new() -> Delay {
        let mut delay = Delay {
            sample_rate_hz: 48_000.0,
            time_ms: TIME.default,
            high_cut_hz: HIGH_CUT.default,
            delay_frames: LinearSmoother::new(0.0),
            feedback: LinearSmoother::new(FEEDBACK.default),
            pole: LinearSmoother::new(0.0),
            ping_pong: LinearSmoother::new(0.0),
            bypass: LinearSmoother::new(0.0),
            lines: [Vec::new(), Vec::new()],
            mask: 0,
            pos: 0,
            lowpass: [0.0; 2],
            has_state: false,
            quiet_frames: 0,
        };
        delay.retarget_delay();
        delay.pole.set_target(delay.pole_target());
        delay.snap_params();
        delay
    }

    /// Sets the delay time, ms, clamped to 1..4000 (default 375). The read head glides to it
    /// over `max(20 ms, 2 × |change|)`. NaN is ignored.
    pub fn set_time_ms(&mut self, ms: f32) {
        if ms.is_nan() {
            return;
        }
        self.time_ms = TIME.clamp(ms);
        self.retarget_delay();
    }

    /// Sets the feedback, linear gain per repeat, clamped to 0..0.95 (default 0.35). NaN is
    /// ignored.
    pub fn set_feedback(&mut self, feedback: f32) {
        if feedback.is_nan() {
            return;
        }
        self.feedback.set_target(FEEDBACK.clamp(feedback));
    }

    /// Sets the −3 dB frequency of the one-pole low-pass in the feedback loop, Hz, clamped to
    /// 500..20000 (default 8000). NaN is ignored.
    pub fn set_high_cut_hz(&mut self, hz: f32) {
        if hz.is_nan() {
            return;
        }
        self.high_cut_hz = HIGH_CUT.clamp(hz);
        self.pole.set_target(self.pole_target());
    }

    /// Switches ping-pong on (mono input into the left line, feedback crossing sides) or off
    /// (default), crossfading the routing over 20 ms.
    pub fn set_ping_pong(&mut self, on: bool) {
        self.ping_pong.set_target(if on { 1.0 } else { 0.0 });
    }

    /// Bypasses the delay (output = input) or not (default), crossfading over 10 ms. The lines
    /// are cleared when the crossfade to dry ends, and nothing is processed while bypassed.
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.bypass.set_target(if bypassed { 1.0 } else { 0.0 });
    }

    /// The pole of the loop low-pass for the current high cut: `exp(−2π f / fs)`.
    fn pole_target(&self) -> f32 {
        (-2.0 * PI * f64::from(self.high_cut_hz) / f64::from(self.sample_rate_hz)).exp() as f32
    }

    fn retarget_delay(&mut self) {
        let target = self.time_ms * self.sample_rate_hz / 1000.0;
        let distance_ms = (target - self.delay_frames.value()).abs() * 1000.0 / self.sample_rate_hz;
        self.delay_frames.set_ramp(
            self.sample_rate_hz,
            (GLIDE_MS_PER_MS * distance_ms).max(TIME.smoothing_ms),
        );
        self.delay_frames.set_target(target);
    }

    /// Whether the delay holds nothing and no parameter is moving: processing silence would
    /// change nothing, so the caller may skip it.
    pub fn is_idle(&self) -> bool {
        !self.has_state && self.is_settled()
    }

    fn is_settled(&self) -> bool {
        self.delay_frames.is_settled()
            && self.feedback.is_settled()
            && self.pole.is_settled()
            && self.ping_pong.is_settled()
            && self.bypass.is_settled()
    }

    fn snap_params(&mut self) {
        self.delay_frames.snap();
        self.feedback.snap();
        self.pole.snap();
        self.ping_pong.snap();
        self.bypass.snap();
    }

    /// Empties the lines (only when they may hold something) and the low-passes.
    fn clear_state(&mut self) {
        if self.has_state {
            for line in &mut self.lines {
                line.fill(0.0);
            }
        }
        self.lowpass = [0.0; 2];
        self.has_state = false;
        self.quiet_frames = 0;
    }

    /// One frame of the loop on sanitized input: returns the wet left and right samples and the
    /// larger magnitude written into the lines.
    #[inline(always)]
    fn tick(
        &mut self,
        x_l: f32,
        x_r: f32,
        delay: f32,
        feedback: f32,
        pole: f32,
        ping_pong: f32,
    ) -> (f32, f32, f32) {
        let (mask, pos) = (self.mask, self.pos);
        let [line_l, line_r] = &mut self.lines;
        let y_l = read_hermite(line_l, mask, pos, delay);
        let y_r = read_hermite(line_r, mask, pos, delay);
        let lp_l = flush(y_l + pole * (self.lowpass[0] - y_l));
        let lp_r = flush(y_r + pole * (self.lowpass[1] - y_r));
        self.lowpass = [lp_l, lp_r];
        let mono = 0.5 * (x_l + x_r);
        let in_l = x_l + ping_pong * (mono - x_l);
        let in_r = x_r - ping_pong * x_r;
        let fb_l = lp_l + ping_pong * (lp_r - lp_l);
        let fb_r = lp_r + ping_pong * (lp_l - lp_r);
        let w_l = flush(in_l + feedback * fb_l);
        let w_r = flush(in_r + feedback * fb_r);
        line_l[pos] = w_l;
        line_r[pos] = w_r;
        self.pos = (pos + 1) & mask;
        (y_l, y_r, w_l.abs().max(w_r.abs()))
    }

    /// Processes a block whose parameters all rest (bypass at 0); returns the write peak.
    fn run_settled(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let delay = self.delay_frames.value();
        let feedback = self.feedback.value();
        let pole = self.pole.value();
        let ping_pong = self.ping_pong.value();
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (x_l, x_r) = (sanitize(*l), sanitize(*r));
            let (y_l, y_r, written) = self.tick(x_l, x_r, delay, feedback, pole, ping_pong);
            *l = y_l;
            *r = y_r;
            peak = peak.max(written);
        }
        peak
    }

    /// Processes a block while parameters glide; returns the write peak and whether the bypass
    /// crossfade ended (then the state is cleared and the rest of the block left dry).
    fn run_gliding(&mut self, left: &mut [f32], right: &mut [f32]) -> (f32, bool) {
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let delay = self.delay_frames.next_value();
            let feedback = self.feedback.next_value();
            let pole = self.pole.next_value();
            let ping_pong = self.ping_pong.next_value();
            let bypass = smoothstep(self.bypass.next_value());
            let (dry_l, dry_r) = (*l, *r);
            let (x_l, x_r) = (sanitize(dry_l), sanitize(dry_r));
            // The input into the lines fades with the output, so that leaving bypass (with
            // empty lines) starts the echoes smoothly.
            let wet = 1.0 - bypass;
            let (y_l, y_r, written) =
                self.tick(x_l * wet, x_r * wet, delay, feedback, pole, ping_pong);
            peak = peak.max(written);
            *l = y_l * wet + x_l * bypass;
            *r = y_r * wet + x_r * bypass;
            if bypass == 1.0 && self.bypass.is_settled() {
                // Fully bypassed from here on: nothing of the old state may come back later.
                *l = dry_l;
                *r = dry_r;
                self.clear_state();
                self.snap_params();
                return (peak, true);
            }
        }
        (peak, false)
    }
}

/// `3t² − 2t³`: shapes a linear 0..1 ramp into a crossfade without corners (0 and 1 exact).
#[inline(always)]
fn smoothstep(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// A finite input sample of limited magnitude (non-finite samples count as silence).
#[inline(always)]
fn sanitize(x: f32) -> f32 {
    finite_or_zero(x).clamp(-INPUT_LIMIT, INPUT_LIMIT)
}

/// The line read `delay` frames (≥ 2) before slot `pos`, with 4-point Hermite interpolation
/// (exact at whole frames).
#[inline(always)]
fn read_hermite(line: &[f32], mask: usize, pos: usize, delay: f32) -> f32 {
    let whole = delay as usize;
    let t = delay - whole as f32;
    let i = pos.wrapping_sub(whole);
    let p1 = line[i & mask];
    if t == 0.0 {
        return p1;
    }
    let p0 = line[i.wrapping_add(1) & mask];
    let p2 = line[i.wrapping_sub(1) & mask];
    let p3 = line[i.wrapping_sub(2) & mask];
    let c1 = 0.5 * (p2 - p0);
    let c2 = p0 - 2.5 * p1 + 2.0 * p2 - 0.5 * p3;
    let c3 = 0.5 * (p3 - p0) + 1.5 * (p1 - p2);
    ((c3 * t + c2) * t + c1) * t + p1
}

impl Processor for Delay {
    fn prepare(&mut self, sample_rate_hz: f32, _max_frames: usize) {
        let (lo, hi) = SAMPLE_RATE_HZ_RANGE;
        self.sample_rate_hz = if sample_rate_hz.is_nan() {
            48_000.0
        } else {
            sample_rate_hz.clamp(lo, hi)
        };
        let fs = self.sample_rate_hz;
        self.feedback.set_ramp(fs, FEEDBACK.smoothing_ms);
        self.pole.set_ramp(fs, HIGH_CUT.smoothing_ms);
        self.ping_pong.set_ramp(fs, FEEDBACK.smoothing_ms);
        self.bypass.set_ramp(fs, CROSSFADE_MS);
        // The longest delay plus the interpolator's reach (one frame behind, one ahead).
        let longest = (TIME.max * fs / 1000.0).ceil() as usize + 4;
        let len = longest.next_power_of_two();
        self.lines = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.pos = 0;
        self.has_state = false;
        self.retarget_delay();
        self.pole.set_target(self.pole_target());
        self.reset();
    }

    fn reset(&mut self) {
        self.snap_params();
        self.clear_state();
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        let (left, right) = (&mut *io.left, &mut *io.right);
        if self.lines[0].is_empty() {
            // Not prepared: nothing stored, nothing to add.
            left.fill(0.0);
            right.fill(0.0);
            return;
        }
        if self.bypass.is_settled() && self.bypass.value() == 1.0 {
            // Fully bypassed: the input passes untouched; the state was cleared when the
            // crossfade ended, and parameters jump to their targets while nothing is heard.
            self.snap_params();
            return;
        }
        let silent_in = is_silent(left) && is_silent(right);
        let settled = self.is_settled();
        if silent_in && !self.has_state && settled {
            // Empty lines and silent input: the output is silence.
            left.fill(0.0);
            right.fill(0.0);
            return;
        }
        if !silent_in {
            self.has_state = true;
        }
        let peak = if settled {
            self.run_settled(left, right)
        } else {
            let (peak, bypassed) = self.run_gliding(left, right);
            if bypassed {
                return;
            }
            peak
        };
        if !(self.lowpass[0].is_finite() && self.lowpass[1].is_finite()) {
            // Cannot happen with sanitized input; guards the state all the same.
            self.clear_state();
            return;
        }
        // Tail gate: everything still in the lines is below the floor once a whole delay's
        // worth of frames (plus the interpolator's reach) has been written quietly.
        if peak >= TAIL_FLOOR {
            self.quiet_frames = 0;
        } else {
            self.quiet_frames = self.quiet_frames.saturating_add(left.len());
        }
        let reach = self
            .delay_frames
            .value()
            .max(self.delay_frames.target())
            .ceil() as usize
            + 3;
        if silent_in
            && self.quiet_frames >= reach
            && below_tail_floor(left)
            && below_tail_floor(right)
        {
            self.clear_state();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::render_with_events as render;

    const FS: f32 = 48_000.0;

    /// A parameter change applied before the frame it names.
    type Event = (usize, fn(&mut Delay));

    fn prepared(setup: impl FnOnce(&mut Delay)) -> Delay {
        let mut delay = Delay::new();
        delay.prepare(FS, 4_096);
        setup(&mut delay);
        delay.reset();
        delay
    }

    fn impulse(frames: usize, left: f32, right: f32) -> (Vec<f32>, Vec<f32>) {
        let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
        l[0] = left;
        r[0] = right;
        (l, r)
    }

    fn sine(frames: usize, freq_hz: f32, amplitude: f32) -> Vec<f32> {
        (0..frames)
            .map(|i| {
                amplitude * (2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS)).sin() as f32
            })
            .collect()
    }

    /// Magnitude of the DFT of `x` at `freq_hz`, dB.
    fn dft_db(x: &[f32], freq_hz: f32) -> f64 {
        let (mut re, mut im) = (0.0_f64, 0.0_f64);
        for (i, &v) in x.iter().enumerate() {
            let phase = -2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS);
            re += f64::from(v) * phase.cos();
            im += f64::from(v) * phase.sin();
        }
        10.0 * (re * re + im * im).log10()
    }

    /// Analytic magnitude of the loop low-pass `(1 − a) / (1 − a z⁻¹)` at `freq_hz`, dB.
    fn lowpass_db(pole: f32, freq_hz: f32) -> f64 {
        let a = f64::from(pole);
        let w = 2.0 * PI * f64::from(freq_hz) / f64::from(FS);
        let den = 1.0 - 2.0 * a * w.cos() + a * a;
        10.0 * ((1.0 - a) * (1.0 - a) / den).log10()
    }

    fn max_step(x: &[f32]) -> f32 {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn impulse_returns_at_the_time_and_repeats_with_feedback_gain() {
        // Reference: 375 ms at 48 kHz is 18 000 frames; repeat n (n ≥ 1) has passed the loop
        // n − 1 times, so its gain is feedback^(n−1) times the low-pass, which at 20 kHz costs
        // 0.0064 dB per pass at 1 kHz (analytic). Measured at 1 kHz by DFT of each repeat.
        let mut delay = prepared(|d| {
            d.set_feedback(0.5);
            d.set_high_cut_hz(20_000.0);
        });
        let period = 18_000;
        let (l, r) = render(&mut delay, &impulse(6 * period, 1.0, 1.0), 128, &[]);
        assert_eq!(l, r);
        assert!(l[..period].iter().all(|&x| x == 0.0));
        assert_eq!(l[period], 1.0, "the first repeat is the impulse itself");
        assert!(l[period + 1..2 * period].iter().all(|&x| x == 0.0));
        for n in 1..=5 {
            let window = &l[n * period..(n + 1) * period];
            let peak_at = (0..period)
                .max_by(|&a, &b| window[a].abs().total_cmp(&window[b].abs()))
                .unwrap();
            assert_eq!(peak_at, 0, "repeat {n} starts at {n} × 18 000 frames");
            let measured = dft_db(window, 1_000.0);
            let expected = 20.0 * 0.5_f64.log10() * (n - 1) as f64;
            eprintln!("repeat {n}: {measured:.4} dB at 1 kHz, expected {expected:.4} dB");
            assert!(
                (measured - expected).abs() < 0.1,
                "repeat {n}: {measured:.4} dB, expected {expected:.4} dB"
            );
        }
    }

    #[test]
    fn high_cut_lowers_a_high_tone_more_on_each_repeat() {
        // Reference: repeat n carries the loop low-pass n − 1 times, so the level at 8 kHz
        // relative to 500 Hz falls by the analytic |H(8k)/H(500)| of the one-pole on each pass.
        let mut delay = prepared(|d| {
            d.set_time_ms(100.0);
            d.set_feedback(0.9);
            d.set_high_cut_hz(2_000.0);
        });
        let pole = delay.pole.value();
        let per_pass = lowpass_db(pole, 8_000.0) - lowpass_db(pole, 500.0);
        let period = 4_800;
        let (l, _) = render(&mut delay, &impulse(6 * period, 1.0, 1.0), 64, &[]);
        let mut previous = f64::INFINITY;
        for n in 1..=5 {
            let window = &l[n * period..(n + 1) * period];
            let tilt = dft_db(window, 8_000.0) - dft_db(window, 500.0);
            let expected = per_pass * (n - 1) as f64;
            eprintln!("repeat {n}: tilt {tilt:.3} dB, expected {expected:.3} dB");
            assert!(
                (tilt - expected).abs() < 0.1,
                "repeat {n}: 8 kHz − 500 Hz = {tilt:.3} dB, expected {expected:.3} dB"
            );
            assert!(
                tilt < previous - 5.0,
                "repeat {n} is darker than the one before"
            );
            previous = tilt;
        }
    }

    #[test]
    fn ping_pong_alternates_channels() {
        // Reference: the mono sum (0.5 for a left-only impulse) enters the left line; the
        // feedback crosses sides, so odd repeats are on the left, even ones on the right, each
        // feedback (0.5) times the previous one at low frequencies (DC gain of the loop: 1).
        let mut delay = prepared(|d| {
            d.set_ping_pong(true);
            d.set_time_ms(50.0);
            d.set_feedback(0.5);
        });
        let period = 2_400;
        let (l, r) = render(&mut delay, &impulse(7 * period, 1.0, 0.0), 128, &[]);
        assert_eq!(l[period], 0.5);
        for n in 1..=6 {
            let (wl, wr) = (
                &l[n * period..(n + 1) * period],
                &r[n * period..(n + 1) * period],
            );
            let (on, off) = if n % 2 == 1 { (wl, wr) } else { (wr, wl) };
            assert!(
                off.iter().all(|&x| x == 0.0),
                "repeat {n}: the other side is silent"
            );
            let sum: f32 = on.iter().sum();
            let expected = 0.5 * 0.5_f32.powi(n as i32 - 1);
            assert!(
                (sum - expected).abs() < 1e-5,
                "repeat {n}: {sum} vs {expected}"
            );
        }
    }

    #[test]
    fn a_time_glide_bends_pitch_without_jumps() {
        // Reference: a 1 kHz sine of amplitude 0.5 changes by at most 2·0.5·sin(π·1k/48k) =
        // 0.0654 per frame; while the time glides the read head moves at 0.5× to 1.5× speed, so
        // the output may change by at most 1.5× that (plus interpolation error). A jump of the
        // read position would change it by up to 1.0.
        let frames = 5 * 48_000;
        let input = sine(frames, 1_000.0, 0.5);
        let in_step = max_step(&input);
        let mut delay = prepared(|d| {
            d.set_time_ms(100.0);
            d.set_feedback(0.0);
        });
        let events: [Event; 2] = [
            (14_400, |d| d.set_time_ms(1_000.0)),
            (14_400 + 120_000, |d| d.set_time_ms(100.0)),
        ];
        let (l, _) = render(&mut delay, &(input.clone(), input.clone()), 256, &events);
        let out_step = max_step(&l[4_800..]);
        eprintln!("glide: largest step {out_step:.5}, input {in_step:.5}");
        assert!(
            out_step <= 1.5 * in_step + 1e-3,
            "{out_step} vs input {in_step}"
        );
        assert!(
            out_step > 1.2 * in_step,
            "the glide shortening the time raises the pitch: {out_step}"
        );
        // The glides last 2 × 900 ms = 86 400 frames; then the output is the input 48 000
        // (later 4 800) frames late, exactly.
        let settled_long = 14_400 + 86_400;
        for i in settled_long..settled_long + 1_000 {
            assert_eq!(l[i], input[i - 48_000]);
        }
        let settled_short = 14_400 + 120_000 + 86_400;
        for i in settled_short..settled_short + 1_000 {
            assert_eq!(l[i], input[i - 4_800]);
        }
    }

    #[test]
    fn parameter_jumps_do_not_step() {
        // Reference: the output is a sum of 1 kHz sinusoids whose gains move over 20 ms, so
        // sample-to-sample it changes by at most about ω·max|y| (ω = 2π·1k/48k) plus the slow
        // drift of the envelope. A click would exceed that by far.
        let frames = 120_000;
        let input = sine(frames, 1_000.0, 0.5);
        let mut delay = prepared(|d| {
            d.set_time_ms(100.0);
            d.set_feedback(0.2);
            d.set_high_cut_hz(500.0);
        });
        let events: [Event; 6] = [
            (24_000, |d| d.set_ping_pong(true)),
            (36_000, |d| d.set_feedback(0.95)),
            (48_000, |d| d.set_high_cut_hz(20_000.0)),
            (72_000, |d| {
                d.set_ping_pong(false);
                d.set_feedback(0.0);
            }),
            (84_000, |d| d.set_bypassed(true)),
            // Leaving bypass: the lines are empty, the echo of the faded-in input starts 100 ms
            // later without a step.
            (90_012, |d| d.set_bypassed(false)),
        ];
        let (l, r) = render(&mut delay, &(input.clone(), input), 128, &events);
        let omega = 2.0 * (std::f32::consts::PI * 1_000.0 / FS).sin();
        for channel in [&l, &r] {
            let tail = &channel[4_800..];
            let peak = tail.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
            let step = max_step(tail);
            eprintln!(
                "jumps: largest step {step:.5}, bound {:.5}",
                1.05 * omega * peak
            );
            assert!(
                step <= 1.05 * omega * peak,
                "step {step}, bound {}",
                omega * peak
            );
        }
    }

    #[test]
    fn the_tail_reaches_exact_zeros_and_stays_there() {
        // Reference: with feedback 0.5 and a loop low-pass of gain ≤ 1, repeat n peaks below
        // 0.5^(n−1), under the 1e-10 floor from n = 35 on (16 800 frames at 10 ms); the 20 kHz
        // low-pass keeps at least 0.46^(n−1) of it, so repeat 30 (14 400) is still above. The gate
        // then waits one delay (483 frames) plus a block.
        let mut delay = prepared(|d| {
            d.set_time_ms(10.0);
            d.set_feedback(0.5);
            d.set_high_cut_hz(20_000.0);
        });
        let frames = 48_000;
        let (l, r) = render(&mut delay, &impulse(frames, 1.0, -1.0), 128, &[]);
        let last_nonzero = (0..frames)
            .rev()
            .find(|&i| l[i] != 0.0 || r[i] != 0.0)
            .unwrap();
        eprintln!("tail: last non-zero frame {last_nonzero}");
        assert!(
            (14_400..16_800 + 483 + 128).contains(&last_nonzero),
            "last non-zero frame {last_nonzero}"
        );
        assert!(!delay.has_state, "the lines were cleared");
    }

    #[test]
    fn output_does_not_depend_on_block_size() {
        // Reference: the same render in one 4096-frame block per call.
        let frames = 40_000;
        let mut input = (
            crate::white_noise(1, 1.0, frames),
            crate::white_noise(2, 1.0, frames),
        );
        for i in 20_000..frames {
            input.0[i] = 0.0;
            input.1[i] = 0.0;
        }
        let events: [Event; 5] = [
            (0, |d| d.set_time_ms(40.0)),
            (5_000, |d| d.set_time_ms(63.3)),
            (9_000, |d| {
                d.set_ping_pong(true);
                d.set_feedback(0.8);
                d.set_high_cut_hz(1_234.0);
            }),
            (15_000, |d| d.set_bypassed(true)),
            (17_000, |d| {
                d.set_bypassed(false);
                d.set_time_ms(21.7);
            }),
        ];
        let run = |block: usize| render(&mut prepared(|_| {}), &input, block, &events);
        let (ref_l, ref_r) = run(4_096);
        for block in [1, 3, 64, 128] {
            let (l, r) = run(block);
            for i in 0..frames {
                assert!(
                    (l[i] - ref_l[i]).abs() <= 1e-6 && (r[i] - ref_r[i]).abs() <= 1e-6,
                    "block {block}, frame {i}: {} {} vs {} {}",
                    l[i],
                    r[i],
                    ref_l[i],
                    ref_r[i]
                );
            }
        }
    }

    #[test]
    fn reset_makes_it_deterministic() {
        // Reference: the output of a freshly prepared delay.
        let input = (
            crate::white_noise(3, 1.0, 8_192),
            crate::white_noise(4, 1.0, 8_192),
        );
        let setup = |d: &mut Delay| {
            d.set_time_ms(30.0);
            d.set_feedback(0.9);
            d.set_ping_pong(true);
        };
        let mut delay = prepared(setup);
        let first = render(&mut delay, &input, 100, &[]);
        delay.set_time_ms(77.0);
        delay.reset();
        setup(&mut delay);
        delay.reset();
        let second = render(&mut delay, &input, 100, &[]);
        assert_eq!(first, second);
        assert_eq!(first, render(&mut prepared(setup), &input, 100, &[]));
    }

    #[test]
    fn non_finite_input_counts_as_silence() {
        // Reference: the same render with zeros where the NaN and infinite samples were.
        let mut input = (
            crate::white_noise(5, 1.0, 9_600),
            crate::white_noise(6, 1.0, 9_600),
        );
        let mut zeroed = input.clone();
        for i in 1_000..1_256 {
            input.0[i] = if i % 2 == 0 { f32::NAN } else { f32::INFINITY };
            input.1[i] = f32::NEG_INFINITY;
            zeroed.0[i] = 0.0;
            zeroed.1[i] = 0.0;
        }
        let setup = |d: &mut Delay| {
            d.set_time_ms(5.0);
            d.set_feedback(0.95);
        };
        let got = render(&mut prepared(setup), &input, 128, &[]);
        let expected = render(&mut prepared(setup), &zeroed, 128, &[]);
        assert_eq!(got, expected);
        assert!(got.0.iter().chain(&got.1).all(|x| x.is_finite()));
    }

    #[test]
    fn bypass_crossfades_to_the_dry_input_in_10_ms() {
        // Reference: 10 ms at 48 kHz = 480 frames; after it the input passes untouched.
        let input = sine(4_800, 440.0, 0.8);
        let mut delay = prepared(|d| d.set_time_ms(1.0));
        let (l, _) = render(
            &mut delay,
            &(input.clone(), input.clone()),
            64,
            &[(960, |d| d.set_bypassed(true))],
        );
        assert_eq!(&l[960 + 479..], &input[960 + 479..]);
        assert_ne!(l[960 + 400], input[960 + 400]);
        assert!(max_step(&l) <= 1.05 * max_step(&input));
        assert!(!delay.has_state, "cleared when fully bypassed");
    }

    #[test]
    fn setters_clamp_and_ignore_nan() {
        let mut delay = prepared(|_| {});
        delay.set_time_ms(f32::NAN);
        delay.set_feedback(f32::NAN);
        delay.set_high_cut_hz(f32::NAN);
        delay.reset();
        assert_eq!(delay.delay_frames.value(), 18_000.0);
        assert_eq!(delay.feedback.value(), FEEDBACK.default);
        delay.set_time_ms(1e9);
        delay.set_feedback(7.0);
        delay.set_high_cut_hz(-3.0);
        delay.reset();
        assert_eq!(delay.delay_frames.value(), 192_000.0);
        assert_eq!(delay.feedback.value(), FEEDBACK.max);
        assert_eq!(delay.high_cut_hz, HIGH_CUT.min);
        delay.set_time_ms(0.0);
        delay.set_feedback(-1.0);
        delay.reset();
        assert_eq!(delay.delay_frames.value(), 48.0);
        assert_eq!(delay.feedback.value(), 0.0);
    }
}
