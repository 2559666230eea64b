//! Building blocks shared by the instruments, all cheap per sample: no `sin`, `exp` or `powf`
//! inside a sample loop (those run once per note, to set coefficients).
//!
//! - [`sin_turns`]: sine of a phase in turns from a degree-9 odd Taylor polynomial on a quarter
//!   wave (|error| < 4·10⁻⁶), branch-free, driven by phase accumulators.
//! - [`Saw`]: a band-limited sawtooth by PolyBLEP (V. Välimäki & A. Huovilainen, "Antialiasing
//!   oscillators in subtractive synthesis", IEEE Signal Processing Magazine 24(2), 2007).
//! - [`Noise`]: xorshift32 white noise (G. Marsaglia, "Xorshift RNGs", J. Stat. Software 8(14),
//!   2003), seeded, so every render is identical.
//! - [`Svf`]: the trapezoidal-integrated state-variable filter (V. Zavalishin, "The Art of VA
//!   Filter Design", 2012; A. Simper, "Linear trapezoidal integrated SVF", Cytomic 2013).
//! - [`OnePole`], [`TwoPole`]: one-pole low-pass (and high-pass as input minus low-pass), and
//!   two in series.
//! - [`decay_coefficient`]: the per-sample factor of a recursive exponential envelope
//!   (`e ← k·e`), and [`release_curve`], the shared note-off fade.

use std::f32::consts::{PI, TAU};

/// 1 / 2π: converts a phase offset in radians to turns.
pub const TAU_INV: f32 = 1.0 / TAU;

/// 1.5 × 2²³: adding and subtracting it rounds an f32 to the nearest integer (|x| < 2²²)
/// without a call or a branch.
const ROUNDER: f32 = 12_582_912.0;

/// `x` rounded to the nearest integer (|x| < 2²²).
#[inline]
pub fn round_fast(x: f32) -> f32 {
    (x + ROUNDER) - ROUNDER
}

/// Fractional part of `x` in `0..1` (|x| < 2²²).
#[inline]
pub fn frac(x: f32) -> f32 {
    let f = x - round_fast(x);
    if f < 0.0 {
        f + 1.0
    } else {
        f
    }
}

/// A phase `p` (turns, 0..1) advanced by `dp` (0..1), wrapped.
#[inline]
pub fn advance(p: f32, dp: f32) -> f32 {
    let q = p + dp;
    if q >= 1.0 {
        q - 1.0
    } else {
        q
    }
}

/// `sin(2π·turns)`, for any phase in turns with |turns| < 2²², branch-free.
#[inline]
pub fn sin_turns(turns: f32) -> f32 {
    // x in −½..½ turn; sin is odd, so work on |x| folded onto the quarter wave 0..¼, where
    // the series converges fast, and put the sign back.
    let x = turns - round_fast(turns);
    let a = x.abs();
    let q = 0.25 - (a - 0.25).abs();
    let t = q * TAU;
    let t2 = t * t;
    let y =
        t * (1.0 + t2 * (-1.0 / 6.0 + t2 * (1.0 / 120.0 + t2 * (-1.0 / 5_040.0 + t2 / 362_880.0))));
    y.copysign(x)
}

/// A soft saturator close to `tanh` (a rational approximation, exactly ±1 at ±3 and clamped
/// beyond).
#[inline]
pub fn soft_clip(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    let x2 = x * x;
    x * (27.0 + x2) / (27.0 + 9.0 * x2)
}

/// Per-sample factor `k` of an exponential decay with time constant `tau_s` seconds at
/// `sample_rate_hz` (the envelope falls to 1/e in `tau_s`).
pub fn decay_coefficient(tau_s: f32, sample_rate_hz: f32) -> f32 {
    (-1.0 / (tau_s.max(1e-5) * sample_rate_hz)).exp()
}

/// The frequency of MIDI note `midi`, Hz (A4 = 69 = 440 Hz, equal temperament).
pub fn midi_hz(midi: u8) -> f32 {
    440.0 * 2.0_f32.powf((f32::from(midi) - 69.0) / 12.0)
}

/// A note-off fade of `frames` samples from 1 to exactly 0: an exponential (falling 40 dB)
/// shaped by a linear ramp so that it lands on zero without a step.
pub fn release_curve(frames: usize) -> Vec<f32> {
    let n = frames.max(1) as f32;
    let k = (-4.6 / n).exp();
    let mut e = 1.0;
    (0..frames)
        .map(|i| {
            let v = e * (1.0 - i as f32 / n);
            e *= k;
            v
        })
        .collect()
}

/// Scales `samples` so that their peak is `peak` (leaves silence alone).
pub fn normalize(samples: &mut [f32], peak: f32) {
    let max = samples.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
    if max > 0.0 {
        let g = peak / max;
        samples.iter_mut().for_each(|x| *x *= g);
    }
}

/// Seeded white noise, uniform in −1..1.
#[derive(Clone, Debug)]
pub struct Noise(u32);

impl Noise {
    /// A generator started from `seed` (0 counts as 1).
    pub fn new(seed: u32) -> Noise {
        Noise(seed.max(1))
    }

    /// The next sample, uniform in −1..1.
    #[inline]
    pub fn next(&mut self) -> f32 {
        let mut s = self.0;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.0 = s;
        s as f32 * (2.0 / u32::MAX as f32) - 1.0
    }
}

/// A PolyBLEP sawtooth in −1..1: a phase accumulator whose wrap is smoothed by a two-sample
/// polynomial residual.
#[derive(Clone, Debug)]
pub struct Saw {
    phase: f32,
    dt: f32,
    inv_dt: f32,
}

impl Saw {
    /// A saw at `freq_hz` starting at `phase` (turns, 0..1).
    pub fn new(freq_hz: f32, sample_rate_hz: f32, phase: f32) -> Saw {
        let mut saw = Saw {
            phase: frac(phase),
            dt: 0.0,
            inv_dt: 0.0,
        };
        saw.set_freq(freq_hz, sample_rate_hz);
        saw
    }

    /// Changes the frequency (phase continues).
    #[inline]
    pub fn set_freq(&mut self, freq_hz: f32, sample_rate_hz: f32) {
        self.dt = (freq_hz / sample_rate_hz).clamp(1e-7, 0.49);
        self.inv_dt = 1.0 / self.dt;
    }

    /// The next sample.
    #[inline]
    pub fn next(&mut self) -> f32 {
        let p = self.phase;
        let mut y = 2.0 * p - 1.0;
        if p < self.dt {
            let t = p * self.inv_dt;
            y -= t + t - t * t - 1.0;
        } else if p > 1.0 - self.dt {
            let t = (p - 1.0) * self.inv_dt;
            y -= t * t + t + t + 1.0;
        }
        self.phase += self.dt;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
        }
        y
    }
}

/// The outputs of one [`Svf`] step.
#[derive(Clone, Copy, Debug)]
pub struct SvfOut {
    /// Band-pass output (unity gain at the centre frequency when scaled by `1/Q`).
    pub band: f32,
    /// High-pass output.
    pub high: f32,
}

/// A 12 dB/oct trapezoidal state-variable filter (low, band and high outputs at once).
#[derive(Clone, Debug)]
pub struct Svf {
    k: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    ic1: f32,
    ic2: f32,
}

impl Svf {
    /// A filter at `cutoff_hz` (kept below 0.45 × the sample rate) with quality `q`.
    pub fn new(cutoff_hz: f32, q: f32, sample_rate_hz: f32) -> Svf {
        let mut f = Svf {
            k: 1.0 / q.max(0.05),
            a1: 0.0,
            a2: 0.0,
            a3: 0.0,
            ic1: 0.0,
            ic2: 0.0,
        };
        f.set_g((PI * cutoff_hz.min(0.45 * sample_rate_hz) / sample_rate_hz).tan());
        f
    }

    /// Sets the cutoff by its prewarped gain `g = tan(π·fc/fs)`.
    #[inline]
    pub fn set_g(&mut self, g: f32) {
        self.a1 = 1.0 / (1.0 + g * (g + self.k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
    }

    /// Filters one sample.
    #[inline]
    pub fn process(&mut self, v0: f32) -> SvfOut {
        let v3 = v0 - self.ic2;
        let v1 = self.a1 * self.ic1 + self.a2 * v3;
        let v2 = self.ic2 + self.a2 * self.ic1 + self.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut {
            band: v1,
            high: v0 - self.k * v1 - v2,
        }
    }
}

/// A one-pole low-pass, `y ← a·x + (1 − a)·y`; its high-pass is `x − y`.
///
/// Written so that only one multiply and one add depend on the previous output: the
/// recursion, not the arithmetic, bounds the speed of every filter here.
#[derive(Clone, Debug)]
pub struct OnePole {
    a: f32,
    b: f32,
    y: f32,
}

impl OnePole {
    /// A filter with its −3 dB corner near `cutoff_hz` (matched pole).
    pub fn new(cutoff_hz: f32, sample_rate_hz: f32) -> OnePole {
        let mut f = OnePole {
            a: 0.0,
            b: 0.0,
            y: 0.0,
        };
        f.set_a(Self::coefficient(cutoff_hz, sample_rate_hz));
        f
    }

    /// The coefficient `a = 1 − e^(−2π·fc/fs)` of a corner at `cutoff_hz`.
    pub fn coefficient(cutoff_hz: f32, sample_rate_hz: f32) -> f32 {
        1.0 - (-TAU * cutoff_hz.min(0.49 * sample_rate_hz) / sample_rate_hz).exp()
    }

    /// A cheap coefficient for a cutoff swept at control rate: `w / (1 + w)` with
    /// `w = 2π·fc/fs`, close to `1 − e^(−w)` for low cutoffs (a little lower above fs/20).
    #[inline]
    pub fn swept_coefficient(cutoff_hz: f32, sample_rate_hz: f32) -> f32 {
        let w = TAU * cutoff_hz / sample_rate_hz;
        w / (1.0 + w)
    }

    /// Sets the coefficient `a` (0..1).
    #[inline]
    pub fn set_a(&mut self, a: f32) {
        self.a = a;
        self.b = 1.0 - a;
    }

    /// The low-passed sample.
    #[inline]
    pub fn low(&mut self, x: f32) -> f32 {
        self.y = self.a * x + self.b * self.y;
        self.y
    }

    /// The high-passed sample (`x` minus its low-pass).
    #[inline]
    pub fn high(&mut self, x: f32) -> f32 {
        x - self.low(x)
    }
}

/// Two one-pole low-passes in series: 12 dB/oct without resonance, a warm synth filter that
/// costs a fraction of a state-variable filter per sample.
#[derive(Clone, Debug)]
pub struct TwoPole {
    first: OnePole,
    second: OnePole,
}

impl TwoPole {
    /// Both poles at `cutoff_hz`.
    pub fn new(cutoff_hz: f32, sample_rate_hz: f32) -> TwoPole {
        TwoPole {
            first: OnePole::new(cutoff_hz, sample_rate_hz),
            second: OnePole::new(cutoff_hz, sample_rate_hz),
        }
    }

    /// Moves both poles to coefficient `a` (see [`OnePole::swept_coefficient`]).
    #[inline]
    pub fn set_a(&mut self, a: f32) {
        self.first.set_a(a);
        self.second.set_a(a);
    }

    /// The low-passed sample.
    #[inline]
    pub fn low(&mut self, x: f32) -> f32 {
        self.second.low(self.first.low(x))
    }
}

/// `samples` through a one-pole low-pass at `cutoff_hz` (a new buffer).
pub fn low_passed(samples: &[f32], cutoff_hz: f32, sample_rate_hz: f32) -> Vec<f32> {
    let mut f = OnePole::new(cutoff_hz, sample_rate_hz);
    samples.iter().map(|&x| f.low(x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomial_sine_matches_std() {
        // Reference: f32::sin. Checked over several turns, negative phases included.
        let mut worst = 0.0_f32;
        for i in -40_000..40_000 {
            let turns = i as f32 / 10_007.0;
            let err = (sin_turns(turns) - (TAU * turns).sin()).abs();
            worst = worst.max(err);
        }
        println!("sin_turns worst error {worst:e}");
        assert!(worst < 2e-5, "{worst}");
    }

    #[test]
    fn saw_is_bounded_and_has_the_right_period() {
        // Reference: a sawtooth at 441 Hz at 44.1 kHz drops through zero every 100 samples.
        let mut saw = Saw::new(441.0, 44_100.0, 0.25);
        let x: Vec<f32> = (0..44_100).map(|_| saw.next()).collect();
        assert!(x.iter().all(|v| v.abs() <= 1.05));
        let wraps = x.windows(2).filter(|w| w[0] > 0.0 && w[1] <= 0.0).count();
        assert_eq!(wraps, 441);
    }

    #[test]
    fn release_curve_starts_at_one_and_ends_at_zero() {
        // Reference: the definition (1 at the note-off, exactly 0 after the last frame, falling).
        let c = release_curve(1000);
        assert_eq!(c[0], 1.0);
        assert!(c[999] < 1e-4);
        assert!(c.windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn svf_high_pass_stops_dc_and_passes_nyquist() {
        // Reference: a 2nd-order high-pass has a zero at DC and unity gain at Nyquist.
        let mut f = Svf::new(1_000.0, 0.707, 48_000.0);
        let mut y = 1.0;
        for _ in 0..48_000 {
            y = f.process(1.0).high;
        }
        assert!(y.abs() < 1e-4, "{y}");
        let mut f = Svf::new(1_000.0, 0.707, 48_000.0);
        let mut peak = 0.0_f32;
        for i in 0..48_000 {
            let y = f.process(if i % 2 == 0 { 1.0 } else { -1.0 }).high;
            if i > 1_000 {
                peak = peak.max(y.abs());
            }
        }
        assert!((peak - 1.0).abs() < 1e-3, "{peak}");
    }

    #[test]
    fn one_pole_has_unity_dc_gain_and_its_corner_where_asked() {
        // Reference: |H(f)| of y = a·x + (1 − a)·y⁻¹ is 1 at DC and about −3 dB at the corner.
        let sr = 48_000.0;
        let mut f = OnePole::new(1_000.0, sr);
        let mut y = 0.0;
        for _ in 0..10_000 {
            y = f.low(1.0);
        }
        assert!((y - 1.0).abs() < 1e-5);
        let mut f = OnePole::new(1_000.0, sr);
        let mut peak = 0.0_f32;
        for i in 0..48_000 {
            let y = f.low(sin_turns(1_000.0 * i as f32 / sr));
            if i > 4_800 {
                peak = peak.max(y.abs());
            }
        }
        let db = 20.0 * peak.log10();
        assert!((-3.5..=-2.5).contains(&db), "{db}");
    }
}
