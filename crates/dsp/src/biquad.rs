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
mod tests {
    use super::*;

    const FS: f32 = 48_000.0;

    /// Magnitude of the filter measured from its impulse response (DFT at one frequency), dB.
    fn measured_db(c: &Coefficients, freq_hz: f32) -> f32 {
        let mut state = BiquadState::default();
        let n = 1 << 16;
        let (mut re, mut im) = (0.0_f64, 0.0_f64);
        for i in 0..n {
            let y = f64::from(state.process(c, if i == 0 { 1.0 } else { 0.0 }));
            let phase = -2.0 * PI * f64::from(freq_hz) * i as f64 / f64::from(FS);
            re += y * phase.cos();
            im += y * phase.sin();
        }
        (10.0 * (re * re + im * im).log10()) as f32
    }

    #[test]
    fn cookbook_responses_have_their_defining_values() {
        let bell = Coefficients::design(BiquadKind::Bell, 1_000.0, 1.0, 6.0, FS);
        assert!((bell.magnitude_db(1_000.0, FS) - 6.0).abs() < 1e-3);
        assert!(bell.magnitude_db(20.0, FS).abs() < 0.05);
        let low = Coefficients::design(BiquadKind::LowShelf, 200.0, 0.707, -9.0, FS);
        assert!((low.magnitude_db(10.0, FS) + 9.0).abs() < 0.05);
        assert!(
            (low.magnitude_db(200.0, FS) + 4.5).abs() < 0.05,
            "half gain at f0"
        );
        assert!(low.magnitude_db(15_000.0, FS).abs() < 0.05);
        let high = Coefficients::design(BiquadKind::HighShelf, 5_000.0, 0.707, 12.0, FS);
        assert!((high.magnitude_db(20_000.0, FS) - 12.0).abs() < 0.2);
        assert!(high.magnitude_db(50.0, FS).abs() < 0.05);
        let lp = Coefficients::design(
            BiquadKind::LowPass,
            1_000.0,
            std::f32::consts::FRAC_1_SQRT_2,
            0.0,
            FS,
        );
        assert!(
            (lp.magnitude_db(1_000.0, FS) + 3.0103).abs() < 0.01,
            "−3 dB at f0"
        );
        assert!(
            (lp.magnitude_db(4_000.0, FS) + 24.0).abs() < 0.8,
            "12 dB/octave"
        );
        let hp = Coefficients::design(
            BiquadKind::HighPass,
            100.0,
            std::f32::consts::FRAC_1_SQRT_2,
            0.0,
            FS,
        );
        assert!((hp.magnitude_db(100.0, FS) + 3.0103).abs() < 0.01);
        assert!(hp.magnitude_db(10_000.0, FS).abs() < 0.01);
    }

    #[test]
    fn measured_response_equals_the_analytic_one() {
        let c = Coefficients::design(BiquadKind::Bell, 2_500.0, 4.0, -12.0, FS);
        for f in [50.0, 1_000.0, 2_500.0, 3_000.0, 12_000.0] {
            let (m, a) = (measured_db(&c, f), c.magnitude_db(f, FS));
            assert!((m - a).abs() < 0.01, "{f} Hz: measured {m}, analytic {a}");
        }
    }

    #[test]
    fn silence_after_signal_decays_to_exact_zeros() {
        let mut f = SmoothedBiquad::new(BiquadKind::Bell);
        f.prepare(FS, 20.0);
        f.set(80.0, 8.0, 18.0);
        f.reset();
        let (mut l, mut r) = (vec![1.0; 64], vec![-1.0; 64]);
        f.process(&mut l, &mut r, 2);
        // A narrow +18 dB bell rings for long: its poles lie 2.3e-4 inside the unit circle, so
        // falling 200 dB to the tail floor takes about 100 000 frames.
        let mut zero_from = None;
        for block in 0..1_000 {
            let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
            f.process(&mut l, &mut r, 2);
            if l.iter().chain(&r).all(|&x| x == 0.0) {
                zero_from.get_or_insert(block * 128);
            } else {
                assert!(zero_from.is_none(), "exact zeros stay zeros");
            }
        }
        let zero_from = zero_from.expect("the tail ends in exact zeros");
        assert!((80_000..130_000).contains(&zero_from), "{zero_from}");
    }

    #[test]
    fn glides_do_not_depend_on_block_size() {
        let input: Vec<f32> = (0..4_096)
            .map(|i| ((i * 7919) % 201) as f32 / 100.0 - 1.0)
            .collect();
        let run = |block: usize| {
            let mut f = SmoothedBiquad::new(BiquadKind::Bell);
            f.prepare(FS, 20.0);
            f.reset();
            f.set(4_000.0, 2.0, 12.0);
            let mut out = input.clone();
            let mut right = input.clone();
            for (l, r) in out.chunks_mut(block).zip(right.chunks_mut(block)) {
                f.process(l, r, 2);
            }
            out
        };
        let reference = run(4_096);
        for block in [1, 3, 64, 128] {
            assert_eq!(run(block), reference, "block {block}");
        }
    }
}
