//! What is measured while the mixes render: the master of the student's mix, each strip's
//! contribution (the mix minus the mix with the strip muted), the gain reduction of the strips
//! a goal names, and the reference's spectrum. Loudness, loudness range and true peak come
//! from mixroom-dsp's own meters ([`LoudnessMeter`], the engine's master figures); the rest is
//! summed here in f64, in the order the frames arrive, so a measurement never depends on how
//! the render was cut into steps.

use mixroom_dsp::LoudnessMeter;
use mixroom_protocol::strips::StripIndex;

use crate::spectrum::Spectrum;

/// Σ l², Σ r², Σ l·r over a stereo signal.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StereoSums {
    /// Σ l².
    pub ll: f64,
    /// Σ r².
    pub rr: f64,
    /// Σ l·r.
    pub lr: f64,
}

impl StereoSums {
    /// Adds the frames of `left` and `right`.
    pub fn add(&mut self, left: &[f32], right: &[f32]) {
        for (&l, &r) in left.iter().zip(right) {
            let (l, r) = (f64::from(l), f64::from(r));
            self.ll += l * l;
            self.rr += r * r;
            self.lr += l * r;
        }
    }

    /// The correlation Σlr / √(Σl²·Σr²), `None` when either channel is silent.
    pub fn correlation(&self) -> Option<f64> {
        let power = self.ll * self.rr;
        (power > 0.0).then(|| self.lr / power.sqrt())
    }

    /// Side over mid as RMS ratios, percent: `m = (l + r)/2`, `s = (l − r)/2`, so
    /// Σs²/Σm² = (Σl² + Σr² − 2Σlr)/(Σl² + Σr² + 2Σlr). `None` when silent.
    pub fn width_percent(&self) -> Option<f64> {
        let mid = self.ll + self.rr + 2.0 * self.lr;
        let side = self.ll + self.rr - 2.0 * self.lr;
        if self.ll + self.rr <= 0.0 {
            None
        } else if mid <= 0.0 {
            Some(MAX_WIDTH_PERCENT)
        } else {
            Some((100.0 * (side.max(0.0) / mid).sqrt()).min(MAX_WIDTH_PERCENT))
        }
    }
}

/// Width reported for a signal that is all side (out of phase), percent.
pub const MAX_WIDTH_PERCENT: f64 = 1000.0;

/// The student's mix as it leaves the master.
pub struct MasterMeasure {
    /// Integrated loudness at the end of the render, LUFS (−∞ if silent).
    pub integrated_lufs: f64,
    /// Loudness range at the end of the render, LU.
    pub loudness_range_lu: f64,
    /// Largest true peak, dBTP (−∞ if silent).
    pub true_peak_dbtp: f64,
    /// Correlation sums over the whole render.
    pub stereo: StereoSums,
    /// Its long-term spectrum, when a goal needs one.
    pub spectrum: Option<Spectrum>,
}

/// What one strip adds to the mix.
pub struct Contribution {
    /// The strip.
    pub strip: StripIndex,
    /// Loudness of the contribution (the mix minus the mix with the strip muted).
    pub loudness: LoudnessMeter,
    /// Loudness of the rest (the mix with the strip muted).
    pub rest: LoudnessMeter,
    /// The contribution's long-term spectrum (with critical bands when a masking goal names
    /// the strip).
    pub spectrum: Spectrum,
    /// The contribution's stereo sums.
    pub stereo: StereoSums,
}

impl Contribution {
    /// A contribution to measure, at `sample_rate_hz`.
    pub fn new(strip: StripIndex, sample_rate_hz: f32, with_bark: bool) -> Contribution {
        let meter = || {
            let mut meter = LoudnessMeter::new();
            meter.prepare(sample_rate_hz);
            meter
        };
        Contribution {
            strip,
            loudness: meter(),
            rest: meter(),
            spectrum: Spectrum::new(f64::from(sample_rate_hz), with_bark),
            stereo: StereoSums::default(),
        }
    }

    /// Measures one stretch: `full` is the mix, `muted` the mix without the strip.
    pub fn add(&mut self, full: [&[f32]; 2], muted: [&[f32]; 2], scratch: &mut [Vec<f32>; 2]) {
        for ((out, full), muted) in scratch.iter_mut().zip(full).zip(muted) {
            out.clear();
            out.extend(full.iter().zip(muted).map(|(f, m)| f - m));
        }
        let [left, right] = &scratch;
        self.loudness.process(left, right);
        self.rest.process(muted[0], muted[1]);
        self.spectrum.process(left, right);
        self.stereo.add(left, right);
    }

    /// The contribution's loudness minus the rest's, dB; `None` when either is silent.
    pub fn relative_db(&self) -> Option<f64> {
        let (own, rest) = (
            f64::from(self.loudness.integrated_lufs()),
            f64::from(self.rest.integrated_lufs()),
        );
        (own.is_finite() && rest.is_finite()).then_some(own - rest)
    }
}

/// The average compressor gain reduction of a strip over the blocks in which it plays.
#[derive(Clone, Copy, Debug)]
pub struct Reduction {
    /// The strip.
    pub strip: StripIndex,
    /// Σ of the per-block gain reduction, dB.
    pub sum_db: f64,
    /// Blocks in which the strip played.
    pub blocks: usize,
}

/// A strip plays in a block when its output peaks at or above this, linear (−60 dBFS).
pub const PLAYING_PEAK_LIN: f32 = 0.001;

impl Reduction {
    /// The average, dB; `None` if the strip never played.
    pub fn average_db(&self) -> Option<f64> {
        (self.blocks > 0).then(|| self.sum_db / self.blocks as f64)
    }
}
