//! The strip's high-pass and low-pass filters: off, 12 dB/octave (2nd-order Butterworth) or
//! 24 dB/octave (4th-order Butterworth as two cascaded biquads), RBJ cookbook sections.
//!
//! 4th-order Butterworth = sections with Q = 1/(2 cos(π/8)) ≈ 0.5412 and 1/(2 cos(3π/8)) ≈
//! 1.3066; 2nd order = one section with Q = 1/√2. Switching slope glides the first section's Q
//! and crossfades the second section in or out (10 ms); switching on or off crossfades the
//! whole filter, so no change ever steps.

use mixroom_protocol::params::ParamId;

use crate::crossfade::Crossfade;
use crate::{BiquadKind, SmoothedBiquad};

/// Q of a 2nd-order Butterworth section.
const Q_ORDER_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// Q of the two sections of a 4th-order Butterworth filter.
const Q_ORDER_4: [f32; 2] = [0.541_196_1, 1.306_563];

/// Filter slope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slope {
    /// No filtering.
    Off,
    /// 12 dB per octave.
    Db12,
    /// 24 dB per octave.
    Db24,
}

impl Slope {
    /// The Qs of the Butterworth sections a filter of this slope cascades (none when off),
    /// for a curve of its response.
    pub fn section_qs(self) -> &'static [f32] {
        match self {
            Slope::Off => &[],
            Slope::Db12 => &[Q_ORDER_2],
            Slope::Db24 => &Q_ORDER_4,
        }
    }
}

/// A high-pass or low-pass filter with a selectable slope.
#[derive(Clone, Debug)]
pub struct PassFilter {
    sections: [SmoothedBiquad; 2],
    freq_hz: f32,
    slope: Slope,
    on: Crossfade,
    second: Crossfade,
    dry: [Vec<f32>; 2],
}

impl PassFilter {
    /// A filter that is off; `high_pass` chooses the kind.
    pub fn new(high_pass: bool) -> PassFilter {
        let kind = if high_pass {
            BiquadKind::HighPass
        } else {
            BiquadKind::LowPass
        };
        PassFilter {
            sections: [SmoothedBiquad::new(kind), SmoothedBiquad::new(kind)],
            freq_hz: if high_pass { 80.0 } else { 12_000.0 },
            slope: Slope::Off,
            on: Crossfade::new(false),
            second: Crossfade::new(false),
            dry: [Vec::new(), Vec::new()],
        }
    }

    /// Sets the sample rate, Hz, and the largest block; allocates scratch space.
    pub fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        for s in &mut self.sections {
            s.prepare(sample_rate_hz, ParamId::HpfHz.spec().smoothing_ms);
        }
        self.on.prepare(sample_rate_hz);
        self.second.prepare(sample_rate_hz);
        self.dry = [vec![0.0; max_frames], vec![0.0; max_frames]];
        self.apply();
    }

    /// Clears signal state; glides and fades jump to their targets.
    pub fn reset(&mut self) {
        for s in &mut self.sections {
            s.reset();
        }
        self.on.snap();
        self.second.snap();
    }

    /// Sets the corner frequency, Hz (20..20 000, the table's range). NaN is ignored.
    pub fn set_freq_hz(&mut self, freq_hz: f32) {
        if freq_hz.is_nan() {
            return;
        }
        self.freq_hz = ParamId::HpfHz.spec().clamp(freq_hz);
        self.apply();
    }

    /// Sets the slope.
    pub fn set_slope(&mut self, slope: Slope) {
        self.slope = slope;
        self.on.set_active(slope != Slope::Off);
        self.second.set_active(slope == Slope::Db24);
        self.apply();
    }

    fn apply(&mut self) {
        let q = if self.slope == Slope::Db24 {
            Q_ORDER_4
        } else {
            [Q_ORDER_2, Q_ORDER_4[1]]
        };
        for (section, q) in self.sections.iter_mut().zip(q) {
            section.set(self.freq_hz, q, 0.0);
        }
    }

    /// Filters a block in place: both channels, or (`channels` 1) the left one only.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32], channels: usize) {
        let n = left.len();
        if self.on.is_dry() {
            return;
        }
        let [dry_l, dry_r] = &mut self.dry;
        let (dry_l, dry_r) = (&mut dry_l[..n], &mut dry_r[..n]);
        let fading = !self.on.is_wet();
        if fading {
            dry_l.copy_from_slice(left);
            dry_r.copy_from_slice(right);
        }
        self.sections[0].process(left, right, channels);
        if self.second.is_wet() {
            self.sections[1].process(left, right, channels);
        } else if !self.second.is_dry() {
            // Reuse the second half of the work: the first section's output is the dry side of
            // the second section's fade. Keep the section-level dry copy intact when fading.
            let mut stage_l = [0.0_f32; 128];
            let mut stage_r = [0.0_f32; 128];
            for start in (0..n).step_by(128) {
                let end = (start + 128).min(n);
                let m = end - start;
                stage_l[..m].copy_from_slice(&left[start..end]);
                stage_r[..m].copy_from_slice(&right[start..end]);
                self.sections[1].process(&mut left[start..end], &mut right[start..end], channels);
                self.second.mix(
                    [&stage_l[..m], &stage_r[..m]],
                    [&mut left[start..end], &mut right[start..end]],
                );
            }
        }
        if fading {
            self.on.mix([dry_l, dry_r], [left, right]);
        }
    }

    /// The analytic magnitude response at the target settings, dB (0 when off).
    pub fn response_db(&self, freq_hz: f32, sample_rate_hz: f32) -> f32 {
        match self.slope {
            Slope::Off => 0.0,
            Slope::Db12 => self.sections[0]
                .target_coefficients()
                .magnitude_db(freq_hz, sample_rate_hz),
            Slope::Db24 => self
                .sections
                .iter()
                .map(|s| {
                    s.target_coefficients()
                        .magnitude_db(freq_hz, sample_rate_hz)
                })
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: f32 = 48_000.0;

    fn measured_db(filter: &mut PassFilter, freq_hz: f32) -> f32 {
        filter.reset();
        let input: Vec<f32> = (0..48_000)
            .map(|i| (std::f32::consts::TAU * freq_hz * i as f32 / FS).sin() * 0.5)
            .collect();
        let (mut l, mut r) = (input.clone(), input.clone());
        for (cl, cr) in l.chunks_mut(256).zip(r.chunks_mut(256)) {
            filter.process(cl, cr, 2);
        }
        let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        20.0 * (rms(&l[24_000..]) / rms(&input[24_000..])).log10()
    }

    #[test]
    fn butterworth_slopes_are_minus_3_db_at_the_corner_and_12_or_24_db_per_octave() {
        let mut hp = PassFilter::new(true);
        hp.prepare(FS, 256);
        hp.set_freq_hz(200.0);
        for (slope, per_octave) in [(Slope::Db12, 12.0), (Slope::Db24, 24.0)] {
            hp.set_slope(slope);
            let corner = measured_db(&mut hp, 200.0);
            assert!(
                (corner + 3.01).abs() < 0.05,
                "{slope:?}: {corner} dB at the corner"
            );
            // Two and three octaves below the corner the slope has reached its asymptote
            // (a 4th-order Butterworth: 72.25 − 48.16 = 24.09 dB from 50 to 25 Hz).
            let (one, two) = (measured_db(&mut hp, 50.0), measured_db(&mut hp, 25.0));
            assert!(
                ((one - two) - per_octave).abs() < 0.3,
                "{slope:?}: {} dB/octave",
                one - two
            );
            for f in [25.0, 50.0, 100.0, 150.0, 400.0] {
                let (m, a) = (measured_db(&mut hp, f), hp.response_db(f, FS));
                assert!(
                    (m - a).abs() < 0.1,
                    "{slope:?} at {f} Hz: measured {m}, analytic {a}"
                );
            }
            assert!(measured_db(&mut hp, 5_000.0).abs() < 0.01);
            assert!((measured_db(&mut hp, 200.0) - hp.response_db(200.0, FS)).abs() < 0.05);
        }
        let mut lp = PassFilter::new(false);
        lp.prepare(FS, 256);
        lp.set_freq_hz(2_000.0);
        lp.set_slope(Slope::Db24);
        assert!((measured_db(&mut lp, 2_000.0) + 3.01).abs() < 0.05);
        assert!(measured_db(&mut lp, 100.0).abs() < 0.01);
        lp.set_slope(Slope::Off);
        assert_eq!(measured_db(&mut lp, 10_000.0), 0.0);
    }

    #[test]
    fn slope_changes_do_not_step() {
        let mut hp = PassFilter::new(true);
        hp.prepare(FS, 128);
        hp.set_freq_hz(300.0);
        hp.reset();
        let mut out = Vec::new();
        for block in 0..60 {
            match block {
                10 => hp.set_slope(Slope::Db12),
                25 => hp.set_slope(Slope::Db24),
                40 => hp.set_slope(Slope::Off),
                _ => {}
            }
            let mut l: Vec<f32> = (0..128)
                .map(|i| ((block * 128 + i) as f32 * 0.02).sin() * 0.5)
                .collect();
            let mut r = l.clone();
            hp.process(&mut l, &mut r, 2);
            out.extend(l);
        }
        let step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(step < 0.03, "largest step {step}");
    }
}
