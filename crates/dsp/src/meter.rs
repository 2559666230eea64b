//! Raw meter figures: largest absolute sample and mean square per channel.
//!
//! The engine only accumulates what each block held; ballistics (peak hold, decay, RMS windows)
//! are applied by the UI.

use mixroom_protocol::layout::meter_block::StripFigures;

use crate::StereoBlock;

/// Accumulates peak and sum of squares over one or more blocks.
#[derive(Clone, Copy, Debug, Default)]
pub struct MeterAccumulator {
    peak: [f32; 2],
    sum_squares: [f32; 2],
    frames: usize,
}

impl MeterAccumulator {
    /// Adds the samples of `block`.
    pub fn add(&mut self, block: &StereoBlock<'_>) {
        for (ch, samples) in [&*block.left, &*block.right].into_iter().enumerate() {
            self.peak[ch] = self.peak[ch].max(peak_abs(samples));
            self.sum_squares[ch] += sum_squares(samples);
        }
        self.frames += block.frames();
    }

    /// Adds `frames` frames of silence.
    pub fn add_silence(&mut self, frames: usize) {
        self.frames += frames;
    }

    /// The figures of everything added since the last [`Self::clear`].
    pub fn figures(&self) -> StripFigures {
        let n = self.frames.max(1) as f32;
        StripFigures {
            peak: self.peak,
            mean_square: [self.sum_squares[0] / n, self.sum_squares[1] / n],
            ..StripFigures::default()
        }
    }

    /// Starts a new measurement.
    pub fn clear(&mut self) {
        *self = MeterAccumulator::default();
    }
}

/// Lanes of the reductions below: independent accumulators the compiler keeps in SIMD
/// registers (a single running sum or maximum is one long dependency chain that cannot vectorize
/// without reordering the float operations).
const LANES: usize = 8;

/// Largest absolute sample (0 for an empty slice).
pub fn peak_abs(samples: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; LANES];
    let chunks = samples.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            let a = x.abs();
            *lane = if a > *lane { a } else { *lane };
        }
    }
    let mut peak = rest.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
    for lane in lanes {
        peak = peak.max(lane);
    }
    peak
}

/// Sum of the squared samples.
pub fn sum_squares(samples: &[f32]) -> f32 {
    let mut lanes = [0.0_f32; LANES];
    let chunks = samples.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += x * x;
        }
    }
    lanes.iter().sum::<f32>() + rest.iter().map(|x| x * x).sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_reductions_equal_the_plain_ones() {
        for n in [0, 1, 7, 8, 9, 128, 131] {
            let x: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
                .collect();
            let peak = x.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
            let sum: f32 = x.iter().map(|v| v * v).sum();
            assert_eq!(peak_abs(&x), peak, "{n}");
            assert!((sum_squares(&x) - sum).abs() <= 1e-5 * sum.max(1.0), "{n}");
        }
    }

    #[test]
    fn full_scale_sine_has_peak_1_and_mean_square_one_half() {
        let n = 4800;
        let mut l: Vec<f32> = (0..n)
            .map(|i| (std::f32::consts::TAU * 100.0 * i as f32 / 48_000.0).sin())
            .collect();
        let mut r = vec![0.0; n];
        let mut meter = MeterAccumulator::default();
        meter.add(&StereoBlock::new(&mut l[..2400], &mut r[..2400]));
        meter.add(&StereoBlock::new(&mut l[2400..], &mut r[2400..]));
        let f = meter.figures();
        assert!((f.peak[0] - 1.0).abs() < 1e-4, "{:?}", f);
        assert!((f.mean_square[0] - 0.5).abs() < 1e-4, "{:?}", f);
        assert_eq!((f.peak[1], f.mean_square[1]), (0.0, 0.0));
        meter.clear();
        meter.add_silence(128);
        assert_eq!(meter.figures(), StripFigures::default());
    }
}
