//! Second-order filters designed with the RBJ Audio EQ Cookbook (Robert Bristow-Johnson,
//! "Cookbook formulae for audio EQ biquad filter coefficients"), run in transposed direct form II.
//!
//! [`Coefficients::design`] implements the cookbook's low-pass, high-pass, peaking (bell),
//! low-shelf and high-shelf with the Q form of the bandwidth (shelves use
//! `2·√A·α` as in the cookbook). [`Coefficients::magnitude_db`] evaluates the analytic response
//! `|H(e^{jω})|`, which the tests compare with measured responses.
//!
//! [`SmoothedBiquad`] glides frequency (in octaves), gain (in dB) and Q linearly to new values
//! and redesigns the coefficients every [`COEFFICIENT_UPDATE_FRAMES`] frames of a glide, counted
//! from the start of the glide, so its output does not depend on block size. It clears its state
//! through the tail gate (see `crate::denormal`) once silence has rung out.

use std::f64::consts::PI;

use crate::denormal::{below_tail_floor, flush, is_silent};
use crate::LinearSmoother;

/// Frames between coefficient redesigns while parameters glide.
pub const COEFFICIENT_UPDATE_FRAMES: u32 = 16;

/// Filter shapes of the cookbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BiquadKind {
    /// Low-pass (12 dB/octave).
    LowPass,
    /// High-pass (12 dB/octave).
    HighPass,
    /// Peaking EQ ("bell").
    Bell,
    /// Low shelf.
    LowShelf,
    /// High shelf.
    HighShelf,
}

/// Normalized coefficients (a0 = 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    /// Feed-forward b0.
    pub b0: f32,
    /// Feed-forward b1.
    pub b1: f32,
    /// Feed-forward b2.
    pub b2: f32,
    /// Feedback a1.
    pub a1: f32,
    /// Feedback a2.
    pub a2: f32,
}

impl Coefficients {
    /// The filter that passes everything unchanged.
    pub const IDENTITY: Coefficients = Coefficients {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    /// Designs `kind` at `freq_hz` with quality `q` and gain `gain_db` (bells and shelves only)
    /// for `sample_rate_hz`. The frequency is kept below 0.49 × the sample rate.
    pub fn design(
        kind: BiquadKind,
        freq_hz: f32,
        q: f32,
        gain_db: f32,
        sample_rate_hz: f32,
    ) -> Coefficients {
        let fs = f64::from(sample_rate_hz);
        let f0 = f64::from(freq_hz).clamp(1.0, 0.49 * fs);
        let q = f64::from(q).max(1e-3);
        let w0 = 2.0 * PI * f0 / fs;
        let (sin_w0, cos_w0) = w0.sin_cos();
        let alpha = sin_w0 / (2.0 * q);
        let a = 10f64.powf(f64::from(gain_db) / 40.0);
        let (b0, b1, b2, a0, a1, a2) = match kind {
            BiquadKind::LowPass => {
                let b1 = 1.0 - cos_w0;
                (
                    b1 / 2.0,
                    b1,
                    b1 / 2.0,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            }
            BiquadKind::HighPass => {
                let b1 = -(1.0 + cos_w0);
                (
                    -b1 / 2.0,
                    b1,
                    -b1 / 2.0,
                    1.0 + alpha,
                    -2.0 * cos_w0,
                    1.0 - alpha,
                )
            }
            BiquadKind::Bell => (
                1.0 + alpha * a,
                -2.0 * cos_w0,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * cos_w0,
                1.0 - alpha / a,
            ),
            BiquadKind::LowShelf => {
                let k = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) - (a - 1.0) * cos_w0 + k),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * cos_w0),
                    a * ((a + 1.0) - (a - 1.0) * cos_w0 - k),
                    (a + 1.0) + (a - 1.0) * cos_w0 + k,
                    -2.0 * ((a - 1.0) + (a + 1.0) * cos_w0),
                    (a + 1.0) + (a - 1.0) * cos_w0 - k,
                )
            }
            BiquadKind::HighShelf => {
                let k = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) + (a - 1.0) * cos_w0 + k),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * cos_w0),
                    a * ((a + 1.0) + (a - 1.0) * cos_w0 - k),
                    (a + 1.0) - (a - 1.0) * cos_w0 + k,
                    2.0 * ((a - 1.0) - (a + 1.0) * cos_w0),
                    (a + 1.0) - (a - 1.0) * cos_w0 - k,
                )
            }
        };
        Coefficients {
            b0: (b0 / a0) as f32,
            b1: (b1 / a0) as f32,
            b2: (b2 / a0) as f32,
            a1: (a1 / a0) as f32,
            a2: (a2 / a0) as f32,
        }
    }

    /// The analytic magnitude response at `freq_hz`, dB.
    pub fn magnitude_db(&self, freq_hz: f32, sample_rate_hz: f32) -> f32 {
        let w = 2.0 * PI * f64::from(freq_hz) / f64::from(sample_rate_hz);
        let (b0, b1, b2) = (f64::from(self.b0), f64::from(self.b1), f64::from(self.b2));
        let (a1, a2) = (f64::from(self.a1), f64::from(self.a2));
        // H(z) at z = e^{jw}: numerator and denominator as complex numbers.
        let (c1, s1) = ((-w).cos(), (-w).sin());
        let (c2, s2) = ((-2.0 * w).cos(), (-2.0 * w).sin());
        let num = (b0 + b1 * c1 + b2 * c2, b1 * s1 + b2 * s2);
        let den = (1.0 + a1 * c1 + a2 * c2, a1 * s1 + a2 * s2);
        let power = (num.0 * num.0 + num.1 * num.1) / (den.0 * den.0 + den.1 * den.1);
        (10.0 * power.log10()) as f32
    }
}

/// The state of one biquad over one channel (transposed direct form II).
///
/// [`Self::process`] keeps the recursion free of extra work (it is the hot loop of every EQ);
/// callers flush the state once per block with [`Self::flush_denormals`], which is enough: a
/// state can only reach the denormal range after decaying for many blocks, and the tail gate
/// clears decayed tails long before that.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BiquadState {
    s1: f32,
    s2: f32,
}

impl BiquadState {
    /// Filters one sample.
    #[inline(always)]
    pub fn process(&mut self, c: &Coefficients, x: f32) -> f32 {
        let y = c.b0 * x + self.s1;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
        self.s2 = c.b2 * x - c.a2 * y;
        y
    }

    /// Replaces denormal-range state values by 0, and non-finite ones (after NaN input) too.
    pub fn flush_denormals(&mut self) {
        for s in [&mut self.s1, &mut self.s2] {
            *s = if s.is_finite() { flush(*s) } else { 0.0 };
        }
    }

    /// Largest magnitude in the state.
    pub fn magnitude(&self) -> f32 {
        self.s1.abs().max(self.s2.abs())
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        *self = BiquadState::default();
    }
}

/// A stereo biquad whose frequency, gain and Q glide smoothly to new settings.
#[derive(Clone, Debug)]
pub struct SmoothedBiquad {
    kind: BiquadKind,
    sample_rate_hz: f32,
    log2_freq: LinearSmoother,
    gain_db: LinearSmoother,
    q: LinearSmoother,
    coefficients: Coefficients,
    frames_to_update: u32,
    state: [BiquadState; 2],
}

impl SmoothedBiquad {
    /// A filter of `kind` at 1 kHz, Q 0.707, 0 dB, for 48 kHz until prepared.
    pub fn new(kind: BiquadKind) -> SmoothedBiquad {
        let mut filter = SmoothedBiquad {
            kind,
            sample_rate_hz: 48_000.0,
            log2_freq: LinearSmoother::new(1_000f32.log2()),
            gain_db: LinearSmoother::new(0.0),
            q: LinearSmoother::new(std::f32::consts::FRAC_1_SQRT_2),
            coefficients: Coefficients::IDENTITY,
            frames_to_update: 0,
            state: [BiquadState::default(); 2],
        };
        filter.redesign();
        filter
    }

    /// Sets the sample rate, Hz, and the glide time, ms.
    pub fn prepare(&mut self, sample_rate_hz: f32, glide_ms: f32) {
        self.sample_rate_hz = sample_rate_hz;
        for s in [&mut self.log2_freq, &mut self.gain_db, &mut self.q] {
            s.set_ramp(sample_rate_hz, glide_ms);
        }
        self.redesign();
    }

    /// Changes the shape at once (a switch, not a glide).
    pub fn set_kind(&mut self, kind: BiquadKind) {
        if kind != self.kind {
            self.kind = kind;
            self.redesign();
        }
    }

    /// Glides to `freq_hz`, `q` and `gain_db`.
    pub fn set(&mut self, freq_hz: f32, q: f32, gain_db: f32) {
        let was_settled = self.is_settled();
        self.log2_freq.set_target(freq_hz.max(1.0).log2());
        self.q.set_target(q);
        self.gain_db.set_target(gain_db);
        if was_settled {
            // A new glide redesigns on its first frame.
            self.frames_to_update = 0;
        }
    }

    /// Whether no glide is in progress.
    pub fn is_settled(&self) -> bool {
        self.log2_freq.is_settled() && self.gain_db.is_settled() && self.q.is_settled()
    }

    /// Jumps to the targets and clears the signal state.
    pub fn reset(&mut self) {
        self.log2_freq.snap();
        self.gain_db.snap();
        self.q.snap();
        self.frames_to_update = 0;
        self.state = [BiquadState::default(); 2];
        self.redesign();
    }

    /// The coefficients in use.
    pub fn coefficients(&self) -> &Coefficients {
        &self.coefficients
    }

    /// The coefficients the glide is heading for.
    pub fn target_coefficients(&self) -> Coefficients {
        Coefficients::design(
            self.kind,
            self.log2_freq.target().exp2(),
            self.q.target(),
            self.gain_db.target(),
            self.sample_rate_hz,
        )
    }

    /// Largest magnitude in the filter state (0 once a tail has died away).
    pub fn state_magnitude(&self) -> f32 {
        self.state
            .iter()
            .map(BiquadState::magnitude)
            .fold(0.0, f32::max)
    }

    /// The coefficients and per-channel states, for a caller that runs several filters in one
    /// loop (only while [`Self::is_settled`]: the coefficients then stay put).
    pub fn parts_mut(&mut self) -> (&Coefficients, &mut [BiquadState; 2]) {
        (&self.coefficients, &mut self.state)
    }

    /// Clears the signal state only (glides go on).
    pub fn clear_state(&mut self) {
        self.state = [BiquadState::default(); 2];
    }

    fn redesign(&mut self) {
        self.coefficients = Coefficients::design(
            self.kind,
            self.log2_freq.value().exp2(),
            self.q.value(),
            self.gain_db.value(),
            self.sample_rate_hz,
        );
    }

    /// Advances the glide by one frame, redesigning on schedule.
    #[inline]
    fn tick(&mut self) {
        if self.is_settled() {
            return;
        }
        self.log2_freq.next_value();
        self.gain_db.next_value();
        self.q.next_value();
        if self.frames_to_update == 0 || self.is_settled() {
            self.redesign();
            self.frames_to_update = COEFFICIENT_UPDATE_FRAMES;
        }
        self.frames_to_update -= 1;
    }

    /// Filters `left` and `right` in place (`right` is ignored when `channels` is 1).
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32], channels: usize) {
        let right_len = if channels > 1 { right.len() } else { 0 };
        let silent_in = is_silent(left) && is_silent(&right[..right_len]);
        self.filter(left, right, channels);
        if silent_in && below_tail_floor(left) && below_tail_floor(&right[..right_len]) {
            self.state = [BiquadState::default(); 2];
        }
        for s in &mut self.state {
            s.flush_denormals();
        }
    }

    fn filter(&mut self, left: &mut [f32], right: &mut [f32], channels: usize) {
        if self.is_settled() {
            let c = self.coefficients;
            let [state_l, state_r] = &mut self.state;
            for x in left.iter_mut() {
                *x = state_l.process(&c, *x);
            }
            if channels > 1 {
                for x in right.iter_mut() {
                    *x = state_r.process(&c, *x);
                }
            }
            return;
        }
        for i in 0..left.len() {
            self.tick();
            let c = self.coefficients;
            let [state_l, state_r] = &mut self.state;
            left[i] = state_l.process(&c, left[i]);
            if channels > 1 {
                right[i] = state_r.process(&c, right[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests;
