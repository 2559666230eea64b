//! The reverb of the aux returns: an algorithmic stereo reverb, 100 % wet, built as a feedback
//! delay network (FDN) with three characters (room, hall, plate).
//!
//! Model: J.-M. Jot & A. Chaigne, "Digital delay networks for designing artificial
//! reverberators", 90th AES Convention, preprint 3030 (1991): eight delay lines closed by a
//! lossless feedback matrix (here the 8 × 8 Hadamard matrix, normalized, applied as a fast
//! Walsh–Hadamard transform), with an absorption filter in each loop whose gain is set from the
//! line's length so that every line decays at the same rate: `g = 10^(−3·m / (RT60·fs))` for a
//! line of `m` frames. Input diffusion uses Schroeder all-passes (M. R. Schroeder, "Natural
//! sounding artificial reverberation", JAES 10(3), 1962), with the plate's lengths and gains from
//! J. Dattorro, "Effect Design, Part 1: Reverberator and Other Filters", JAES 45(9), 1997.
//!
//! Signal flow: input (left, right) → pre-delay → four all-pass diffusers per side → injected
//! into the even (left) and odd (right) lines → FDN → two orthogonal sign patterns over the eight
//! filtered line outputs give the left and right taps (decorrelated) → mid/side width → output.
//!
//! Absorption: each loop has `s = k·v + b·s` (a one-pole low-pass with gain). `k` and `b` are
//! designed exactly (not with Jot's small-pole approximation) so that the decay at 1 kHz is the
//! set decay, the decay at 8 kHz is `decay × (1 − 0.8 × damping)`, and the decay at DC is never
//! more than 1.5 × the decay at 1 kHz (which keeps the loop gain below 1 at every frequency).
//! Where a one-pole cannot reach the 8 kHz target within those limits (short decays, long lines,
//! strong damping) it gets as close as it can; the 1 kHz decay is kept exact.
//!
//! Characters differ in their delay sets, diffusion and density: the room has short lines
//! (6.7–18.7 ms) and light, short diffusion (fast, discrete onset); the hall long lines
//! (29–71 ms) and long diffusers (a slow, smooth build-up); the plate mid-length lines and
//! Dattorro's dense input diffusion. Size scales the loop lengths by 0.5× (size 0) to 1.5×
//! (size 1); the lengths glide with linear interpolation of the read positions over
//! `max(20 ms, 2 × the largest change)`, so a size change bends pitch instead of clicking (what
//! rings in the loops while they shrink from 1.5× to 0.5× comes out up to 3× higher, as in a
//! shrinking room). A character switch fades the network's output and input out (10 ms),
//! clears the network, loads the new character and fades both back in.
//!
//! Smoothing, per sample and independent of block size: pre-delay glides like a tape head
//! (`max(20 ms, 2 × |change|)`), decay and damping move the loop coefficients linearly over
//! 20 ms (the targets are computed in the setters, never per sample), width glides over 20 ms,
//! bypass crossfades over 10 ms (the network's input fades with its output, so that it restarts
//! smoothly after being emptied). Bypass and switch fades are linear ramps shaped by smoothstep,
//! so they have no corners. Input is sanitized (non-finite → 0, magnitude limited to 1e20)
//! before it is written anywhere, so the lines never hold NaN or infinities.
//!
//! Tails end through the tail gate (see `crate::denormal`): once the input has been silent for
//! longer than the pre-delay, nothing at or above `TAIL_FLOOR` has been written into the loops
//! for longer than the diffusers and the longest loop take to empty, and the output block is
//! below the floor, the network is cleared, so silence in gives exact zeros out.

use std::f64::consts::PI;

use mixroom_protocol::params::{ParamId, ParamSpec};

use crate::crossfade::{smoothstep, BypassFade, CROSSFADE_MS};
use crate::denormal::{flush, TAIL_FLOOR};
use crate::feedback_effect::{sanitize, FeedbackEffect};
use crate::LinearSmoother;

/// The table's rows for the reverb's settings: their ranges, defaults and ramp times (a
/// pre-delay or size change glides over at least its ramp time).
const PREDELAY: &ParamSpec = ParamId::ReverbPredelayMs.spec();
const SIZE: &ParamSpec = ParamId::ReverbSize.spec();
const DECAY: &ParamSpec = ParamId::ReverbDecayS.spec();
const DAMPING: &ParamSpec = ParamId::ReverbDamping.spec();
const WIDTH: &ParamSpec = ParamId::ReverbWidth.spec();

/// Reverb characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReverbKind {
    /// A small room: short loops, light diffusion.
    Room,
    /// A concert hall: long loops, slow and smooth build-up (the default).
    #[default]
    Hall,
    /// A plate: mid-length loops, dense diffusion (Dattorro's input diffusers).
    Plate,
}

const LINES: usize = 8;
const STAGES: usize = 4;

/// What distinguishes one character from another.
struct Character {
    /// Loop delays at size 0.5, ms.
    line_ms: [f32; LINES],
    /// Input diffuser all-pass delays, left and right, ms.
    diffuser_ms: [[f32; STAGES]; 2],
    /// Input diffuser all-pass gains.
    diffusion: [f32; STAGES],
}

const ROOM: Character = Character {
    line_ms: [6.7, 7.9, 9.3, 10.9, 12.7, 14.1, 16.3, 18.7],
    diffuser_ms: [[1.3, 2.3, 3.1, 4.7], [1.5, 2.1, 3.5, 4.3]],
    diffusion: [0.5, 0.5, 0.5, 0.5],
};

const HALL: Character = Character {
    line_ms: [29.3, 33.1, 37.9, 43.3, 49.1, 55.7, 63.1, 71.3],
    diffuser_ms: [[5.3, 7.9, 14.1, 19.3], [5.9, 7.1, 15.3, 18.1]],
    diffusion: [0.7, 0.7, 0.6, 0.6],
};

/// Dattorro's input diffusers (142, 107, 379, 277 frames at 29 761 Hz) on the left, slightly
/// detuned on the right.
const PLATE: Character = Character {
    line_ms: [10.7, 12.3, 14.9, 16.7, 19.1, 21.1, 23.9, 26.9],
    diffuser_ms: [[4.771, 3.595, 12.735, 9.307], [4.97, 3.37, 12.25, 9.71]],
    diffusion: [0.75, 0.75, 0.625, 0.625],
};

impl ReverbKind {
    fn character(self) -> &'static Character {
        match self {
            ReverbKind::Room => &ROOM,
            ReverbKind::Hall => &HALL,
            ReverbKind::Plate => &PLATE,
        }
    }
}

/// A length change of Δ ms glides over at least this × Δ ms (read speed 0.5× to 1.5×).
const GLIDE_MS_PER_MS: f32 = 2.0;
/// Loop length scale at size 0; size 1 gives this + 1.
const SIZE_SCALE_MIN: f32 = 0.5;
/// The 8 kHz decay is `decay × (1 − HF_RATIO_SPAN × damping)`.
const HF_RATIO_SPAN: f64 = 0.8;
/// Frequency where the decay is exact, Hz.
const MID_HZ: f64 = 1_000.0;
/// Frequency where damping sets the decay, Hz (kept below 0.45 × the sample rate).
const HIGH_HZ: f64 = 8_000.0;
/// The decay at DC is at most this × the decay at 1 kHz.
const DC_DECAY_RATIO_MAX: f64 = 1.5;
/// Largest absorption pole.
const POLE_MAX: f64 = 0.95;
/// Gain of the diffused input into each line.
const INPUT_GAIN: f32 = 0.5;
/// Gain of each output tap sum (eight lines).
const OUTPUT_GAIN: f32 = 0.25;
/// 1/√8: normalizes the Hadamard matrix.
const HADAMARD_NORM: f32 = 0.353_553_38;
/// Input magnitudes are limited to this, so nothing in the network can overflow.
const INPUT_LIMIT: f32 = 1e20;

/// The coefficients of one frame (smoothed values).
#[derive(Clone, Copy, Debug)]
struct Frame {
    predelay_frames: f32,
    length_frames: [f32; LINES],
    gains: [f32; LINES],
    poles: [f32; LINES],
}

/// The signal state: rings (all power-of-two long, written at one shared position) and the
/// absorption filters.
#[derive(Clone, Debug, Default)]
struct Network {
    /// Frames processed; every ring masks it to its own length.
    pos: usize,
    predelay: [Vec<f32>; 2],
    predelay_mask: usize,
    diffusers: [[Vec<f32>; STAGES]; 2],
    diffuser_mask: usize,
    lines: [Vec<f32>; LINES],
    line_mask: usize,
    lowpass: [f32; LINES],
}

impl Network {
    fn allocate(&mut self, predelay_frames: usize, diffuser_frames: usize, line_frames: usize) {
        let predelay = predelay_frames.next_power_of_two();
        let diffuser = diffuser_frames.next_power_of_two();
        let line = line_frames.next_power_of_two();
        self.predelay = [vec![0.0; predelay], vec![0.0; predelay]];
        self.predelay_mask = predelay - 1;
        self.diffusers = std::array::from_fn(|_| std::array::from_fn(|_| vec![0.0; diffuser]));
        self.diffuser_mask = diffuser - 1;
        self.lines = std::array::from_fn(|_| vec![0.0; line]);
        self.line_mask = line - 1;
        self.lowpass = [0.0; LINES];
        self.pos = 0;
    }

    fn clear(&mut self, rings: bool) {
        if rings {
            for ring in self
                .predelay
                .iter_mut()
                .chain(self.diffusers.iter_mut().flatten())
                .chain(self.lines.iter_mut())
            {
                ring.fill(0.0);
            }
        }
        self.lowpass = [0.0; LINES];
    }

    /// One frame on sanitized input: returns the left and right taps and the largest magnitude
    /// written into the lines.
    #[inline(always)]
    fn tick(&mut self, frame: &Frame, shape: &Shape, x_l: f32, x_r: f32) -> (f32, f32, f32) {
        let pos = self.pos;
        // Pre-delay: write, then read (0 frames reads the sample just written).
        let pm = self.predelay_mask;
        self.predelay[0][pos & pm] = x_l;
        self.predelay[1][pos & pm] = x_r;
        let mut d_l = read_linear(&self.predelay[0], pm, pos, frame.predelay_frames);
        let mut d_r = read_linear(&self.predelay[1], pm, pos, frame.predelay_frames);
        // Input diffusion: Schroeder all-passes v = x + g·v(−M), y = v(−M) − g·v.
        let dm = self.diffuser_mask;
        let [diff_l, diff_r] = &mut self.diffusers;
        for stage in 0..STAGES {
            let g = shape.diffusion[stage];
            for (ring, len, x) in [
                (
                    &mut diff_l[stage],
                    shape.diffuser_frames[0][stage],
                    &mut d_l,
                ),
                (
                    &mut diff_r[stage],
                    shape.diffuser_frames[1][stage],
                    &mut d_r,
                ),
            ] {
                let delayed = ring[pos.wrapping_sub(len) & dm];
                let v = flush(*x + g * delayed);
                ring[pos & dm] = v;
                *x = delayed - g * v;
            }
        }
        // Loops: read, absorb.
        let lm = self.line_mask;
        let mut s = [0.0_f32; LINES];
        for (i, out) in s.iter_mut().enumerate() {
            let v = read_linear(&self.lines[i], lm, pos, frame.length_frames[i]);
            let state = flush(frame.gains[i] * v + frame.poles[i] * self.lowpass[i]);
            self.lowpass[i] = state;
            *out = state;
        }
        // Two orthogonal sign patterns: decorrelated left and right taps.
        let tap_l = (s[0] - s[1]) + (s[2] - s[3]) + (s[4] - s[5]) + (s[6] - s[7]);
        let tap_r = (s[0] + s[1]) - (s[2] + s[3]) + (s[4] + s[5]) - (s[6] + s[7]);
        // Lossless feedback: normalized Hadamard matrix, then the diffused input.
        hadamard8(&mut s);
        let (in_l, in_r) = (INPUT_GAIN * d_l, INPUT_GAIN * d_r);
        let injected = [in_l, in_r, -in_l, -in_r, in_l, in_r, -in_l, -in_r];
        let mut peak = 0.0_f32;
        for i in 0..LINES {
            let u = flush(HADAMARD_NORM * s[i] + injected[i]);
            self.lines[i][pos & lm] = u;
            peak = peak.max(u.abs());
        }
        self.pos = pos.wrapping_add(1);
        (tap_l, tap_r, peak)
    }
}

/// The fixed (per character) part of the network, in frames.
#[derive(Clone, Copy, Debug, Default)]
struct Shape {
    diffuser_frames: [[usize; STAGES]; 2],
    diffusion: [f32; STAGES],
}

/// The in-place 8-point Walsh–Hadamard transform (unnormalized).
#[inline(always)]
fn hadamard8(x: &mut [f32; LINES]) {
    let mut half = 1;
    while half < LINES {
        let mut i = 0;
        while i < LINES {
            for j in i..i + half {
                let (a, b) = (x[j], x[j + half]);
                x[j] = a + b;
                x[j + half] = a - b;
            }
            i += 2 * half;
        }
        half *= 2;
    }
}

/// The ring read `delay` frames (≥ 0) before slot `pos`, interpolated linearly (exact at whole
/// frames).
#[inline(always)]
fn read_linear(ring: &[f32], mask: usize, pos: usize, delay: f32) -> f32 {
    let whole = delay as usize;
    let t = delay - whole as f32;
    let i = pos.wrapping_sub(whole);
    let a = ring[i & mask];
    if t == 0.0 {
        return a;
    }
    let b = ring[i.wrapping_sub(1) & mask];
    a + t * (b - a)
}

/// Absorption filter `s = k·v + b·s` of a loop of `length_frames`: returns `(k, b)`.
///
/// The one-pole low-pass `(1 − b)/(1 − b·z⁻¹)` times a gain `c` loses, per pass,
/// `60·m/(T·fs)` dB at 1 kHz (RT60 = `T` there) and, as nearly as allowed, that divided by
/// `1 − 0.8·damping` at 8 kHz. With `q` the wanted 8 kHz/1 kHz magnitude ratio (> 1), the pole
/// solves `q²(1 − 2b·cos ω₁ + b²) = 1 − 2b·cos ω₈ + b²`, i.e. `b² − 2Bb + 1 = 0` with
/// `B = (q²·cos ω₁ − cos ω₈)/(q² − 1)`. It is capped so that the low-pass loses at most a third
/// of the pass's 1 kHz loss there (the DC decay then stays within 1.5× the 1 kHz decay and the
/// gain `c` below 1). `c` restores the exact 1 kHz loss.
fn absorption(length_frames: f32, decay_s: f32, damping: f32, sample_rate_hz: f32) -> (f32, f32) {
    let fs = f64::from(sample_rate_hz);
    let cos_mid = (2.0 * PI * MID_HZ / fs).cos();
    let cos_high = (2.0 * PI * HIGH_HZ.min(0.45 * fs) / fs).cos();
    let loss_db = 60.0 * f64::from(length_frames) / (f64::from(decay_s) * fs);
    let g_mid = 10f64.powf(-loss_db / 20.0);
    let hf_ratio = 1.0 - HF_RATIO_SPAN * f64::from(damping);
    let extra_db = loss_db * (1.0 / hf_ratio - 1.0);
    // The smaller root of b² − 2Bb + 1 = 0 (B ≥ 1), computed without cancellation.
    let root = |big: f64| 1.0 / (big + (big * big - 1.0).max(0.0).sqrt());
    let mut b = 0.0;
    if extra_db > 1e-9 {
        let q2 = 10f64.powf(extra_db / 10.0);
        let big = (q2 * cos_mid - cos_high) / (q2 - 1.0);
        let wanted = if big > 1.0 { root(big) } else { 1.0 };
        // The low-pass's own 1 kHz loss may be at most loss·(1 − 1/1.5) = loss/3, so that the
        // DC loss stays at least loss/1.5: |LP(1 kHz)|² ≥ y2.
        let lowpass_loss_max_db = loss_db * (1.0 - 1.0 / DC_DECAY_RATIO_MAX);
        let y2 = 10f64.powf(-lowpass_loss_max_db / 10.0);
        let cap = root((1.0 - y2 * cos_mid) / (1.0 - y2));
        b = wanted.min(cap).min(POLE_MAX);
    }
    let c = g_mid * (1.0 - 2.0 * b * cos_mid + b * b).sqrt() / (1.0 - b);
    ((c * (1.0 - b)) as f32, b as f32)
}

/// Algorithmic stereo reverb; see the module documentation.
#[derive(Clone, Debug)]
pub struct Reverb {
    sample_rate_hz: f32,
    kind: ReverbKind,
    pending_kind: ReverbKind,
    predelay_ms: f32,
    size: f32,
    decay_s: f32,
    damping: f32,
    /// Pre-delay, frames.
    predelay_frames: LinearSmoother,
    /// Loop lengths, frames.
    length_frames: [LinearSmoother; LINES],
    /// Absorption gains `k`.
    gains: [LinearSmoother; LINES],
    /// Absorption poles `b`.
    poles: [LinearSmoother; LINES],
    width: LinearSmoother,
    /// Output gain of the character switch: 1 = playing, 0 = switching.
    switch_fade: LinearSmoother,
    /// 0 = processed, 1 = dry input.
    bypass: BypassFade,
    shape: Shape,
    network: Network,
    /// Whether the network may hold anything non-zero.
    has_state: bool,
    /// Frames since a block had non-silent input.
    input_quiet_frames: usize,
    /// Frames since a block wrote a value at or above `TAIL_FLOOR` into the lines.
    network_quiet_frames: usize,
}

impl Default for Reverb {
    fn default() -> Self {
        Reverb::new()
    }
}

impl Reverb {
    /// A hall with default settings (pre-delay 20 ms, size 0.5, decay 2 s, damping 0.5, width
    /// 1, active). Allocates nothing: call `prepare` before `process` (until then it outputs
    /// silence).
    pub fn new() -> Reverb {
        let mut reverb = Reverb {
            sample_rate_hz: 48_000.0,
            kind: ReverbKind::Hall,
            pending_kind: ReverbKind::Hall,
            predelay_ms: PREDELAY.default,
            size: SIZE.default,
            decay_s: DECAY.default,
            damping: DAMPING.default,
            predelay_frames: LinearSmoother::new(0.0),
            length_frames: [LinearSmoother::new(0.0); LINES],
            gains: [LinearSmoother::new(0.0); LINES],
            poles: [LinearSmoother::new(0.0); LINES],
            width: LinearSmoother::new(WIDTH.default),
            switch_fade: LinearSmoother::new(1.0),
            bypass: BypassFade::new(),
            shape: Shape::default(),
            network: Network::default(),
            has_state: false,
            input_quiet_frames: 0,
            network_quiet_frames: 0,
        };
        reverb.load_kind();
        reverb
    }

    /// Sets the character (default hall). The output fades out over 10 ms, the network is
    /// cleared and the new character fades in over 10 ms.
    pub fn set_kind(&mut self, kind: ReverbKind) {
        self.pending_kind = kind;
        self.switch_fade
            .set_target(if kind == self.kind { 1.0 } else { 0.0 });
    }

    /// Sets the pre-delay, ms, clamped to 0..250 (default 20), rounded to whole frames. It glides
    /// over `max(20 ms, 2 × |change|)`. NaN is ignored.
    pub fn set_predelay_ms(&mut self, ms: f32) {
        if ms.is_nan() {
            return;
        }
        self.predelay_ms = PREDELAY.clamp(ms);
        let target = (self.predelay_ms * self.sample_rate_hz / 1000.0).round();
        let distance_ms =
            (target - self.predelay_frames.value()).abs() * 1000.0 / self.sample_rate_hz;
        self.predelay_frames.set_ramp(
            self.sample_rate_hz,
            (GLIDE_MS_PER_MS * distance_ms).max(PREDELAY.smoothing_ms),
        );
        self.predelay_frames.set_target(target);
    }

    /// Sets the size, 0..1 (default 0.5): loop lengths scale from 0.5× to 1.5× of the
    /// character's nominal ones, gliding over `max(20 ms, 2 × the largest change)`. NaN is
    /// ignored.
    pub fn set_size(&mut self, size: f32) {
        if size.is_nan() {
            return;
        }
        self.size = SIZE.clamp(size);
        let targets = self.length_targets();
        let distance = self
            .length_frames
            .iter()
            .zip(targets)
            .fold(0.0_f32, |m, (s, t)| m.max((t - s.value()).abs()));
        let ramp_ms =
            (GLIDE_MS_PER_MS * distance * 1000.0 / self.sample_rate_hz).max(SIZE.smoothing_ms);
        for (smoother, target) in self.length_frames.iter_mut().zip(targets) {
            smoother.set_ramp(self.sample_rate_hz, ramp_ms);
            smoother.set_target(target);
        }
        self.retarget_absorption(ramp_ms);
    }

    /// Sets the decay, s: the RT60 at 1 kHz, clamped to 0.1..20 (default 2). NaN is ignored.
    pub fn set_decay_s(&mut self, seconds: f32) {
        if seconds.is_nan() {
            return;
        }
        self.decay_s = DECAY.clamp(seconds);
        self.retarget_absorption(DECAY.smoothing_ms);
    }

    /// Sets the damping, 0..1 (default 0.5): the RT60 at 8 kHz is the decay times
    /// `1 − 0.8 × damping` (0 = as long as at 1 kHz, bright; 1 = a fifth of it, dark), as far as
    /// a one-pole absorption filter allows. NaN is ignored.
    pub fn set_damping(&mut self, damping: f32) {
        if damping.is_nan() {
            return;
        }
        self.damping = DAMPING.clamp(damping);
        self.retarget_absorption(DAMPING.smoothing_ms);
    }

    /// Sets the stereo width, 0 (mono: left = right) .. 1 (full stereo, default), as a
    /// mid/side gain on the output. NaN is ignored.
    pub fn set_width(&mut self, width: f32) {
        if width.is_nan() {
            return;
        }
        self.width.set_target(WIDTH.clamp(width));
    }

    /// Bypasses the reverb (output = input) or not (default), crossfading over 10 ms. The
    /// network is cleared when the crossfade to dry ends, and nothing is processed while
    /// bypassed.
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.bypass.set_bypassed(bypassed);
    }

    /// Loop length targets for the current character and size, whole frames.
    fn length_targets(&self) -> [f32; LINES] {
        let scale = SIZE_SCALE_MIN + self.size;
        let frames_per_ms = self.sample_rate_hz / 1000.0;
        self.kind
            .character()
            .line_ms
            .map(|ms| (ms * scale * frames_per_ms).round().max(2.0))
    }

    /// Retargets the absorption filters for the target lengths, decay and damping.
    fn retarget_absorption(&mut self, ramp_ms: f32) {
        for i in 0..LINES {
            let (k, b) = absorption(
                self.length_frames[i].target(),
                self.decay_s,
                self.damping,
                self.sample_rate_hz,
            );
            self.gains[i].set_ramp(self.sample_rate_hz, ramp_ms);
            self.gains[i].set_target(k);
            self.poles[i].set_ramp(self.sample_rate_hz, ramp_ms);
            self.poles[i].set_target(b);
        }
    }

    /// Makes the pending character current: lengths and coefficients jump to their targets.
    /// The caller clears the network.
    fn load_kind(&mut self) {
        self.kind = self.pending_kind;
        let character = self.kind.character();
        let frames_per_ms = self.sample_rate_hz / 1000.0;
        self.shape = Shape {
            diffuser_frames: character
                .diffuser_ms
                .map(|side| side.map(|ms| ((ms * frames_per_ms).round() as usize).max(1))),
            diffusion: character.diffusion,
        };
        let targets = self.length_targets();
        for (smoother, target) in self.length_frames.iter_mut().zip(targets) {
            smoother.set_target(target);
            smoother.snap();
        }
        self.retarget_absorption(DECAY.smoothing_ms);
        for smoother in self.gains.iter_mut().chain(self.poles.iter_mut()) {
            smoother.snap();
        }
    }

    fn smoothers(&mut self) -> impl Iterator<Item = &mut LinearSmoother> {
        [
            &mut self.predelay_frames,
            &mut self.width,
            &mut self.switch_fade,
        ]
        .into_iter()
        .chain(self.length_frames.iter_mut())
        .chain(self.gains.iter_mut())
        .chain(self.poles.iter_mut())
    }

    /// Whether the network holds nothing and no parameter is moving: processing silence would
    /// change nothing, so the caller may skip it.
    pub fn is_idle(&self) -> bool {
        !self.has_state && self.is_settled()
    }

    fn frame(&self) -> Frame {
        Frame {
            predelay_frames: self.predelay_frames.value(),
            length_frames: self.length_frames.each_ref().map(LinearSmoother::value),
            gains: self.gains.each_ref().map(LinearSmoother::value),
            poles: self.poles.each_ref().map(LinearSmoother::value),
        }
    }

    /// Frames after which nothing written into the network can still come out: the longest
    /// pre-delay, diffuser chain and loop in reach.
    fn reach_frames(&self) -> (usize, usize) {
        let predelay = self
            .predelay_frames
            .value()
            .max(self.predelay_frames.target())
            .ceil() as usize
            + 2;
        let diffusers = self
            .shape
            .diffuser_frames
            .iter()
            .map(|side| side.iter().sum::<usize>())
            .max()
            .unwrap_or(0);
        let longest = self
            .length_frames
            .iter()
            .fold(0.0_f32, |m, s| m.max(s.value()).max(s.target()))
            .ceil() as usize;
        (predelay, diffusers + longest + 2)
    }
}

impl FeedbackEffect for Reverb {
    fn allocate(&mut self, sample_rate_hz: f32) {
        self.sample_rate_hz = sample_rate_hz;
        let fs = self.sample_rate_hz;
        let frames_per_ms = fs / 1000.0;
        self.width.set_ramp(fs, WIDTH.smoothing_ms);
        self.switch_fade.set_ramp(fs, CROSSFADE_MS);
        self.bypass.prepare(fs);
        let characters = [&ROOM, &HALL, &PLATE];
        let longest_line_ms = characters
            .iter()
            .flat_map(|c| c.line_ms)
            .fold(0.0_f32, f32::max);
        let longest_diffuser_ms = characters
            .iter()
            .flat_map(|c| c.diffuser_ms.into_iter().flatten())
            .fold(0.0_f32, f32::max);
        self.network.allocate(
            (PREDELAY.max * frames_per_ms).ceil() as usize + 2,
            (longest_diffuser_ms * frames_per_ms).ceil() as usize + 2,
            (longest_line_ms * (SIZE_SCALE_MIN + 1.0) * frames_per_ms).ceil() as usize + 2,
        );
        self.has_state = false;
        self.load_kind();
        self.set_predelay_ms(self.predelay_ms);
    }

    fn prepared(&self) -> bool {
        !self.network.lines[0].is_empty()
    }

    fn fully_bypassed(&self) -> bool {
        self.bypass.is_bypassed()
    }

    fn is_settled(&self) -> bool {
        [&self.predelay_frames, &self.width, &self.switch_fade]
            .into_iter()
            .chain(self.length_frames.iter())
            .chain(self.gains.iter())
            .chain(self.poles.iter())
            .all(LinearSmoother::is_settled)
            && self.bypass.is_settled()
    }

    /// Jumps every parameter to its target (a pending character switch included).
    fn snap_params(&mut self) {
        if self.pending_kind != self.kind {
            self.load_kind();
        }
        self.switch_fade.set_target(1.0);
        for smoother in self.smoothers() {
            smoother.snap();
        }
        self.bypass.snap();
    }

    fn has_state(&mut self) -> &mut bool {
        &mut self.has_state
    }

    /// Processes a block whose parameters all rest (bypass at 0, no switch); returns the peak
    /// written into the lines.
    fn run_settled(&mut self, left: &mut [f32], right: &mut [f32]) -> f32 {
        let frame = self.frame();
        let shape = self.shape;
        let width = self.width.value();
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (x_l, x_r) = (sanitize(*l, INPUT_LIMIT), sanitize(*r, INPUT_LIMIT));
            let (tap_l, tap_r, written) = self.network.tick(&frame, &shape, x_l, x_r);
            peak = peak.max(written);
            let mid = 0.5 * OUTPUT_GAIN * (tap_l + tap_r);
            let side = 0.5 * OUTPUT_GAIN * (tap_l - tap_r) * width;
            *l = mid + side;
            *r = mid - side;
        }
        peak
    }

    /// Processes a block while parameters glide, a switch fades or the bypass crossfades;
    /// returns the peak written into the lines and whether the bypass crossfade ended (then
    /// the network is cleared and the rest of the block left dry).
    fn run_gliding(&mut self, left: &mut [f32], right: &mut [f32], silent_in: bool) -> Option<f32> {
        let mut peak = 0.0_f32;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let frame = Frame {
                predelay_frames: self.predelay_frames.next_value(),
                length_frames: self
                    .length_frames
                    .each_mut()
                    .map(LinearSmoother::next_value),
                gains: self.gains.each_mut().map(LinearSmoother::next_value),
                poles: self.poles.each_mut().map(LinearSmoother::next_value),
            };
            let width = self.width.next_value();
            let fade = smoothstep(self.switch_fade.next_value());
            let bypass = self.bypass.next_dry();
            let (dry_l, dry_r) = (*l, *r);
            let (x_l, x_r) = (sanitize(dry_l, INPUT_LIMIT), sanitize(dry_r, INPUT_LIMIT));
            // The input into the network fades with the output, so that a network emptied by a
            // switch or by bypass starts smoothly.
            let wet = (1.0 - bypass) * fade;
            let shape = self.shape;
            let (tap_l, tap_r, written) = self.network.tick(&frame, &shape, x_l * wet, x_r * wet);
            peak = peak.max(written);
            let mid = 0.5 * OUTPUT_GAIN * (tap_l + tap_r);
            let side = 0.5 * OUTPUT_GAIN * (tap_l - tap_r) * width;
            *l = (mid + side) * wet + x_l * bypass;
            *r = (mid - side) * wet + x_r * bypass;
            if fade == 0.0 && self.switch_fade.is_settled() && self.pending_kind != self.kind {
                // Silent: switch the character on an empty network and fade back in.
                self.clear_state();
                self.has_state = !silent_in;
                self.load_kind();
                self.switch_fade.set_target(1.0);
            }
            if self.ends_bypass((l, r), (dry_l, dry_r)) {
                return None;
            }
        }
        Some(peak)
    }

    fn state_is_finite(&self) -> bool {
        self.network.lowpass.iter().all(|x| x.is_finite())
    }

    /// Empties the network (the rings only when they may hold something).
    fn clear_state(&mut self) {
        self.network.clear(self.has_state);
        self.has_state = false;
        self.input_quiet_frames = 0;
        self.network_quiet_frames = 0;
    }

    fn tail_is_quiet(&mut self, frames: usize, silent_in: bool, peak: f32) -> bool {
        // Tail gate: once the pre-delay holds only silence and nothing at or above the floor
        // has been written into the lines for as long as anything can take to come out,
        // everything left is below the floor.
        self.input_quiet_frames = if silent_in {
            self.input_quiet_frames.saturating_add(frames)
        } else {
            0
        };
        self.network_quiet_frames = if peak >= TAIL_FLOOR {
            0
        } else {
            self.network_quiet_frames.saturating_add(frames)
        };
        let (predelay_reach, network_reach) = self.reach_frames();
        self.input_quiet_frames >= predelay_reach && self.network_quiet_frames >= network_reach
    }
}

#[cfg(test)]
mod tests;
