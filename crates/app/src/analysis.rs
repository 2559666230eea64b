//! Spectrum analysis for the views on screen: a Hann-windowed FFT ([`RealFft`]) of the newest
//! samples of a tap, as levels in dB per bin, smoothed over frames.

use mixroom_dsp::fft::{Complex, RealFft};

/// FFT size, frames (85 ms at 48 kHz; 11.7 Hz bins).
pub const FFT_SIZE: usize = 4096;
/// Weight of the newest frame in the smoothed spectrum (power domain).
const SMOOTHING: f32 = 0.35;
/// Floor of the levels, dB.
pub const FLOOR_DB: f32 = -120.0;

/// One tap's analyzer: window, FFT plan, buffers and the smoothed levels.
pub struct Analyzer {
    fft: RealFft,
    window: Vec<f32>,
    input: Vec<f64>,
    spectrum: Vec<Complex<f64>>,
    power: Vec<f32>,
    scale: f32,
}

impl Analyzer {
    /// An analyzer for [`FFT_SIZE`] frames.
    pub fn new() -> Analyzer {
        let fft = RealFft::new(FFT_SIZE);
        let window: Vec<f32> = (0..FFT_SIZE)
            .map(|i| {
                let x = std::f32::consts::TAU * i as f32 / FFT_SIZE as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        // A full-scale sine then reads 0 dB: |X| = A · Σw / 2.
        let scale = 2.0 / window.iter().sum::<f32>();
        Analyzer {
            input: vec![0.0; FFT_SIZE],
            spectrum: vec![Complex::default(); fft.bins()],
            power: vec![0.0; FFT_SIZE / 2 + 1],
            fft,
            window,
            scale,
        }
    }

    /// Analyzes the newest [`FFT_SIZE`] samples of `samples` (zero-padded at the front when
    /// there are fewer) and folds them into the smoothed levels.
    pub fn analyze(&mut self, samples: &[f32]) {
        let start = samples.len().saturating_sub(FFT_SIZE);
        let newest = &samples[start..];
        let pad = FFT_SIZE - newest.len();
        for (i, (x, w)) in self.input.iter_mut().zip(&self.window).enumerate() {
            *x = if i < pad {
                0.0
            } else {
                f64::from(newest[i - pad] * w)
            };
        }
        self.fft.forward(&self.input, &mut self.spectrum);
        for (p, c) in self.power.iter_mut().zip(&self.spectrum) {
            let now = c.norm_sqr() as f32 * self.scale * self.scale;
            *p += SMOOTHING * (now - *p);
        }
    }

    /// The long-term spectrum of a whole recording (`left`, `right`), analyzed like a tap's
    /// (mono, `(l + r) / 2`): the mean power of consecutive [`FFT_SIZE`] windows, half
    /// overlapping, times `gain_lin²`. Silence reads [`FLOOR_DB`].
    pub fn long_term(left: &[f32], right: &[f32], gain_lin: f32) -> Analyzer {
        let mut a = Analyzer::new();
        let len = left.len().min(right.len());
        let mut sum = vec![0.0f64; a.power.len()];
        let mut windows = 0u32;
        let mut start = 0;
        while start + FFT_SIZE <= len.max(FFT_SIZE) {
            for (i, (x, w)) in a.input.iter_mut().zip(&a.window).enumerate() {
                let at = start + i;
                let mono = if at < len {
                    0.5 * (left[at] + right[at])
                } else {
                    0.0
                };
                *x = f64::from(mono * w * gain_lin);
            }
            a.fft.forward(&a.input, &mut a.spectrum);
            let scale = f64::from(a.scale);
            for (s, c) in sum.iter_mut().zip(&a.spectrum) {
                *s += c.norm_sqr() * scale * scale;
            }
            windows += 1;
            start += FFT_SIZE / 2;
        }
        for (p, s) in a.power.iter_mut().zip(&sum) {
            *p = (s / f64::from(windows.max(1))) as f32;
        }
        a
    }

    /// Level of bin `bin`, dB (0 dB = a full-scale sine).
    pub fn level_db(&self, bin: usize) -> f32 {
        let p = self.power.get(bin).copied().unwrap_or(0.0);
        if p > 0.0 {
            (10.0 * p.log10()).max(FLOOR_DB)
        } else {
            FLOOR_DB
        }
    }

    /// Largest level over the bins whose centres lie in `lo_hz..hi_hz`, dB (the nearest bin
    /// when none does), at sample rate `rate_hz`.
    pub fn band_db(&self, lo_hz: f32, hi_hz: f32, rate_hz: f32) -> f32 {
        let bin_hz = rate_hz / FFT_SIZE as f32;
        let first = (lo_hz / bin_hz).ceil().max(1.0) as usize;
        let last = ((hi_hz / bin_hz).floor() as usize).min(self.power.len() - 1);
        if first > last {
            // Narrower than a bin: interpolate between the two nearest bins (in dB).
            let at = ((lo_hz + hi_hz) / 2.0 / bin_hz).max(0.0);
            let below = at.floor() as usize;
            let t = at - below as f32;
            return self.level_db(below) * (1.0 - t) + self.level_db(below + 1) * t;
        }
        (first..=last)
            .map(|b| self.level_db(b))
            .fold(FLOOR_DB, f32::max)
    }

    /// Forgets the smoothed levels.
    pub fn clear(&mut self) {
        self.power.fill(0.0);
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scale_sine_reads_0_db_at_its_frequency() {
        let rate = 48_000.0;
        // On a bin centre (bin 85): Hann's scalloping would read up to 1.4 dB low between bins.
        let f = 85.0 * rate / FFT_SIZE as f32;
        let samples: Vec<f32> = (0..FFT_SIZE)
            .map(|i| (std::f32::consts::TAU * f * i as f32 / rate).sin())
            .collect();
        let mut a = Analyzer::new();
        for _ in 0..40 {
            a.analyze(&samples);
        }
        let peak = a.band_db(900.0, 1_100.0, rate);
        assert!(peak.abs() < 0.2, "{peak}");
        assert!(a.band_db(4_000.0, 8_000.0, rate) < -60.0);
        a.clear();
        assert_eq!(a.level_db(85), FLOOR_DB);
    }

    #[test]
    fn the_long_term_spectrum_averages_the_whole_recording() {
        let rate = 48_000.0;
        let f = 85.0 * rate / FFT_SIZE as f32;
        // A full-scale sine for the first half, silence after: half the power, −3 dB; at
        // −6 dB of gain, −9 dB.
        let len = 40 * FFT_SIZE;
        let left: Vec<f32> = (0..len)
            .map(|i| {
                if i < len / 2 {
                    (std::f32::consts::TAU * f * i as f32 / rate).sin()
                } else {
                    0.0
                }
            })
            .collect();
        let a = Analyzer::long_term(&left, &left, 1.0);
        let peak = a.band_db(900.0, 1_100.0, rate);
        assert!((peak + 3.0).abs() < 0.3, "{peak}");
        let quieter = Analyzer::long_term(&left, &left, 0.5).band_db(900.0, 1_100.0, rate);
        assert!((quieter - peak + 6.02).abs() < 0.01, "{quieter}");
        let silent = Analyzer::long_term(&[0.0; 100], &[0.0; 100], 1.0);
        assert_eq!(silent.level_db(85), FLOOR_DB);
    }
}
