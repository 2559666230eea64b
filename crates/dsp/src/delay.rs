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

use crate::crossfade::BypassFade;
use crate::denormal::{flush, TAIL_FLOOR};
use crate::feedback_effect::{sanitize, FeedbackEffect};
use crate::LinearSmoother;

/// The table's rows for the delay's settings: their ranges, defaults and ramp times (a time
/// change glides over at least the time's ramp; the ping-pong switch moves like the feedback).
const TIME: &ParamSpec = ParamId::DelayTimeMs.spec();
const FEEDBACK: &ParamSpec = ParamId::DelayFeedback.spec();
const HIGH_CUT: &ParamSpec = ParamId::DelayHighCutHz.spec();
/// A time change of Δ ms glides over at least this × Δ ms (read head speed 0.5× to 1.5×).
const GLIDE_MS_PER_MS: f32 = 2.0;
/// Input magnitudes are limited to this, so the loop (gain ≤ 0.95) cannot overflow.
const INPUT_LIMIT: f32 = 1e30;

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
    bypass: BypassFade,
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
            bypass: BypassFade::new(),
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
        self.bypass.set_bypassed(bypassed);
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

impl FeedbackEffect for Delay {
    fn allocate(&mut self, sample_rate_hz: f32) {
        self.sample_rate_hz = sample_rate_hz;
        let fs = self.sample_rate_hz;
        self.feedback.set_ramp(fs, FEEDBACK.smoothing_ms);
        self.pole.set_ramp(fs, HIGH_CUT.smoothing_ms);
        self.ping_pong.set_ramp(fs, FEEDBACK.smoothing_ms);
        self.bypass.prepare(fs);
        // The longest delay plus the interpolator's reach (one frame behind, one ahead).
        let longest = (TIME.max * fs / 1000.0).ceil() as usize + 4;
        let len = longest.next_power_of_two();
        self.lines = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.pos = 0;
        self.has_state = false;
        self.retarget_delay();
        self.pole.set_target(self.pole_target());
    }

    fn prepared(&self) -> bool {
        !self.lines[0].is_empty()
    }

    fn fully_bypassed(&self) -> bool {
        self.bypass.is_bypassed()
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

    fn has_state(&mut self) -> &mut bool {
        &mut self.has_state
    }

    /// Processes a block whose parameters all rest (bypass at 0); returns the write peak.
    fn run_settled(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let delay = self.delay_frames.value();
        let feedback = self.feedback.value();
        let pole = self.pole.value();
        let ping_pong = self.ping_pong.value();
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (x_l, x_r) = (sanitize(*l, INPUT_LIMIT), sanitize(*r, INPUT_LIMIT));
            let (y_l, y_r, written) = self.tick(x_l, x_r, delay, feedback, pole, ping_pong);
            *l = y_l;
            *r = y_r;
            peak = peak.max(written);
        }
        peak
    }

    /// Processes a block while parameters glide; returns the write peak and whether the bypass
    /// crossfade ended (then the state is cleared and the rest of the block left dry).
    fn run_gliding(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        _silent_in: bool,
    ) -> Option<f32> {
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let delay = self.delay_frames.next_value();
            let feedback = self.feedback.next_value();
            let pole = self.pole.next_value();
            let ping_pong = self.ping_pong.next_value();
            let bypass = self.bypass.next_dry();
            let (dry_l, dry_r) = (*l, *r);
            let (x_l, x_r) = (sanitize(dry_l, INPUT_LIMIT), sanitize(dry_r, INPUT_LIMIT));
            // The input into the lines fades with the output, so that leaving bypass (with
            // empty lines) starts the echoes smoothly.
            let wet = 1.0 - bypass;
            let (y_l, y_r, written) =
                self.tick(x_l * wet, x_r * wet, delay, feedback, pole, ping_pong);
            peak = peak.max(written);
            *l = y_l * wet + x_l * bypass;
            *r = y_r * wet + x_r * bypass;
            if self.ends_bypass((l, r), (dry_l, dry_r)) {
                return None;
            }
        }
        Some(peak)
    }

    fn state_is_finite(&self) -> bool {
        self.lowpass[0].is_finite() && self.lowpass[1].is_finite()
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

    fn tail_is_quiet(&mut self, frames: usize, _silent_in: bool, peak: f32) -> bool {
        // Tail gate: everything still in the lines is below the floor once a whole delay's
        // worth of frames (plus the interpolator's reach) has been written quietly.
        if peak >= TAIL_FLOOR {
            self.quiet_frames = 0;
        } else {
            self.quiet_frames = self.quiet_frames.saturating_add(frames);
        }
        let reach = self
            .delay_frames
            .value()
            .max(self.delay_frames.target())
            .ceil() as usize
            + 3;
        self.quiet_frames >= reach
    }
}

#[cfg(test)]
mod tests;
