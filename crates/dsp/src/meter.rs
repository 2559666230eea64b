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
            let mut peak = self.peak[ch];
            let mut sum = 0.0;
            for &x in samples {
                peak = peak.max(x.abs());
                sum += x * x;
            }
            self.peak[ch] = peak;
            self.sum_squares[ch] += sum;
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

#[cfg(test)]
mod tests {
    use super::*;

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
