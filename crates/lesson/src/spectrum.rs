//! The long-term spectrum of a stereo signal: a short-time Fourier transform (Hann window of
//! [`FFT_FRAMES`] frames, hop [`HOP_FRAMES`], 50 % overlap) whose power and cross spectra are
//! summed over the whole signal, and, when asked, the critical-band energies of every window
//! (for masking).
//!
//! Powers are scaled so that the sum over the bins of one window is the window's mean square
//! (Parseval, with the one-sided bins counted twice and the Hann window's power divided out):
//! a band's power is its share of the signal's mean square, in the same units as a meter's.
//! Only complete windows are measured; the samples after the last one are not.

use mixroom_dsp::fft::{Complex, RealFft};

use crate::bands::{bark_bands, Band};

/// Window length, frames.
pub const FFT_FRAMES: usize = 4096;
/// Hop between windows, frames.
pub const HOP_FRAMES: usize = 2048;
/// Bins of the one-sided spectrum.
pub const BINS: usize = FFT_FRAMES / 2 + 1;

/// Accumulates the spectra of a stereo signal fed in order, in pieces of any size.
pub struct Spectrum {
    fft: RealFft,
    window: Vec<f64>,
    /// Per-bin scale: one-sided doubling over `FFT_FRAMES · Σw²`.
    scale: Vec<f64>,
    /// The last `FFT_FRAMES` input frames, left and right, oldest first once full.
    history: [Vec<f32>; 2],
    filled: usize,
    input: Vec<f64>,
    output: [Vec<Complex<f64>>; 2],
    /// Σ over windows of |L|² and of |R|², per bin.
    power: [Vec<f64>; 2],
    /// Σ over windows of Re(L·R̄), per bin.
    cross: Vec<f64>,
    windows: usize,
    bark: Option<(Vec<Band>, Vec<[f64; 24]>)>,
}

impl Spectrum {
    /// An empty spectrum at `sample_rate_hz`; `with_bark` keeps the critical-band energies of
    /// every window. Allocates.
    pub fn new(sample_rate_hz: f64, with_bark: bool) -> Spectrum {
        let fft = RealFft::new(FFT_FRAMES);
        let window: Vec<f64> = (0..FFT_FRAMES)
            .map(|n| {
                let phase = std::f64::consts::TAU * n as f64 / FFT_FRAMES as f64;
                0.5 - 0.5 * phase.cos()
            })
            .collect();
        let power_sum: f64 = window.iter().map(|w| w * w).sum();
        let scale = (0..BINS)
            .map(|k| {
                let sides = if k == 0 || k == BINS - 1 { 1.0 } else { 2.0 };
                sides / (FFT_FRAMES as f64 * power_sum)
            })
            .collect();
        Spectrum {
            input: vec![0.0; FFT_FRAMES],
            output: [
                vec![Complex::default(); BINS],
                vec![Complex::default(); BINS],
            ],
            fft,
            window,
            scale,
            history: [vec![0.0; FFT_FRAMES], vec![0.0; FFT_FRAMES]],
            filled: 0,
            power: [vec![0.0; BINS], vec![0.0; BINS]],
            cross: vec![0.0; BINS],
            windows: 0,
            bark: with_bark.then(|| (bark_bands(FFT_FRAMES, sample_rate_hz), Vec::new())),
        }
    }

    /// Feeds the next frames (`left` and `right` equally long).
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        let mut start = 0;
        while start < left.len() {
            let take = (FFT_FRAMES - self.filled).min(left.len() - start);
            for (history, input) in self.history.iter_mut().zip([left, right]) {
                history[self.filled..self.filled + take]
                    .copy_from_slice(&input[start..start + take]);
            }
            self.filled += take;
            start += take;
            if self.filled == FFT_FRAMES {
                self.analyse_window();
                for history in &mut self.history {
                    history.copy_within(HOP_FRAMES.., 0);
                }
                self.filled = FFT_FRAMES - HOP_FRAMES;
            }
        }
    }

    fn analyse_window(&mut self) {
        for (history, output) in self.history.iter().zip(self.output.iter_mut()) {
            for ((x, &h), &w) in self.input.iter_mut().zip(history).zip(&self.window) {
                *x = f64::from(h) * w;
            }
            self.fft.forward(&self.input, output);
        }
        let [left, right] = &self.output;
        let mut window_power = [0.0; BINS];
        for k in 0..BINS {
            let (l, r) = (left[k], right[k]);
            let (ll, rr) = (l.norm_sqr() * self.scale[k], r.norm_sqr() * self.scale[k]);
            self.power[0][k] += ll;
            self.power[1][k] += rr;
            self.cross[k] += (l * r.conj()).re * self.scale[k];
            window_power[k] = ll + rr;
        }
        if let Some((bands, energies)) = &mut self.bark {
            let mut bins = [0.0; 24];
            for (energy, band) in bins.iter_mut().zip(bands.iter()) {
                *energy = band.sum(&window_power);
            }
            energies.push(bins);
        }
        self.windows += 1;
    }

    /// Windows measured so far.
    pub fn windows(&self) -> usize {
        self.windows
    }

    /// Mean power per bin over the windows, left plus right (linear, mean-square units).
    pub fn mean_power(&self) -> Vec<f64> {
        let n = self.windows.max(1) as f64;
        (0..BINS)
            .map(|k| (self.power[0][k] + self.power[1][k]) / n)
            .collect()
    }

    /// Summed left power, right power and cross spectrum per bin, over the windows.
    pub fn stereo_sums(&self) -> (&[f64], &[f64], &[f64]) {
        (&self.power[0], &self.power[1], &self.cross)
    }

    /// The critical-band energies (left plus right) of every window, if asked for.
    pub fn bark_energies(&self) -> &[[f64; 24]] {
        self.bark.as_ref().map_or(&[], |(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_reads_its_mean_square_in_its_bins() {
        // Reference: Parseval; a sine of amplitude a has mean square a²/2 per channel.
        let (fs, a) = (48_000.0, 0.5_f32);
        let sine: Vec<f32> = (0..48_000)
            .map(|n| a * (std::f64::consts::TAU * 1000.0 * n as f64 / fs).sin() as f32)
            .collect();
        let mut spectrum = Spectrum::new(fs, true);
        for chunk in sine.chunks(1000) {
            spectrum.process(chunk, &vec![0.0; chunk.len()]);
        }
        assert_eq!(spectrum.windows(), (48_000 - FFT_FRAMES) / HOP_FRAMES + 1);
        let total: f64 = spectrum.mean_power().iter().sum();
        let expected = f64::from(a * a) / 2.0;
        assert!(
            (total / expected - 1.0).abs() < 1e-3,
            "{total} vs {expected}"
        );
        let bark = spectrum.bark_energies();
        assert_eq!(bark.len(), spectrum.windows());
        assert!(
            (bark[3][8] / expected - 1.0).abs() < 1e-3,
            "1 kHz is in 920–1080 Hz"
        );
    }
}
