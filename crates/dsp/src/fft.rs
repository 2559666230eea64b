//! The FFT of a real signal, for the spectra the page draws and the lessons measure.
//!
//! A real signal of `N` samples (a power of two) is packed into `N/2` complex samples (even
//! samples real, odd imaginary), transformed by rustfft's radix-4 FFT and unpacked into the
//! `N/2 + 1` bins of the one-sided spectrum (the split-radix "real FFT from a half-length
//! complex FFT", E. O. Brigham, *The Fast Fourier Transform and its Applications*, 1988, §9.3).
//! rustfft's radix-4 is built directly rather than through its planner: the planner links every
//! algorithm it could choose (Bluestein, Rader, mixed radix and the prime butterflies), several
//! hundred kilobytes of a page that only needs powers of two.

use std::sync::Arc;

use rustfft::algorithm::Radix4;
use rustfft::{Fft, FftDirection};

pub use rustfft::num_complex::Complex;

/// A forward FFT of `len` real samples, with its buffers.
pub struct RealFft {
    fft: Arc<Radix4<f64>>,
    /// `e^(-2πik/len)` for `k` in `0..len/2`.
    twiddles: Vec<Complex<f64>>,
    packed: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl RealFft {
    /// A plan for `len` real samples.
    ///
    /// # Panics
    /// When `len` is not a power of two of at least 2.
    pub fn new(len: usize) -> RealFft {
        assert!(
            len >= 2 && len.is_power_of_two(),
            "a power of two of at least 2, not {len}"
        );
        let half = len / 2;
        let fft = Arc::new(Radix4::new(half, FftDirection::Forward));
        let twiddles = (0..half)
            .map(|k| Complex::from_polar(1.0, -std::f64::consts::TAU * k as f64 / len as f64))
            .collect();
        RealFft {
            scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            packed: vec![Complex::default(); half],
            fft,
            twiddles,
        }
    }

    /// The number of real samples it transforms.
    pub fn len(&self) -> usize {
        self.packed.len() * 2
    }

    /// Never: a plan has at least 2 samples (for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The number of bins of the one-sided spectrum, `len / 2 + 1` (bin `k` is at
    /// `k · rate / len` Hz).
    pub fn bins(&self) -> usize {
        self.packed.len() + 1
    }

    /// The spectrum of `input` (`len` samples) into `output` (`bins` values), unnormalized:
    /// `X[k] = Σ x[n] e^(-2πikn/len)`.
    ///
    /// # Panics
    /// When the slices have other lengths.
    pub fn forward(&mut self, input: &[f64], output: &mut [Complex<f64>]) {
        assert_eq!(input.len(), self.len(), "input samples");
        assert_eq!(output.len(), self.bins(), "output bins");
        for (z, pair) in self.packed.iter_mut().zip(input.chunks_exact(2)) {
            *z = Complex::new(pair[0], pair[1]);
        }
        self.fft
            .process_with_scratch(&mut self.packed, &mut self.scratch);
        let half = self.packed.len();
        for (k, out) in output.iter_mut().enumerate().take(half) {
            let z = self.packed[k];
            let mirror = self.packed[(half - k) % half].conj();
            let even = (z + mirror) * 0.5;
            // (z − mirror) / 2i
            let odd = (z - mirror) * Complex::new(0.0, -0.5);
            *out = even + self.twiddles[k] * odd;
        }
        let z0 = self.packed[0];
        output[half] = Complex::new(z0.re - z0.im, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defining sum, term by term.
    fn dft(x: &[f64], k: usize) -> Complex<f64> {
        let n = x.len() as f64;
        x.iter()
            .enumerate()
            .map(|(i, &v)| Complex::from_polar(v, -std::f64::consts::TAU * (k * i) as f64 / n))
            .sum()
    }

    #[test]
    fn every_bin_is_the_defining_sum() {
        for len in [2, 4, 8, 64, 512, 4096] {
            let x: Vec<f64> = (0..len)
                .map(|i| ((i * 7919 + 13) % 101) as f64 / 50.0 - 1.0)
                .collect();
            let mut fft = RealFft::new(len);
            let mut out = vec![Complex::default(); fft.bins()];
            fft.forward(&x, &mut out);
            let step = (len / 64).max(1);
            for k in (0..fft.bins()).step_by(step).chain([fft.bins() - 1]) {
                let want = dft(&x, k);
                assert!(
                    (out[k] - want).norm() < 1e-9 * len as f64,
                    "len {len} bin {k}: {} vs {want}",
                    out[k]
                );
            }
        }
    }

    #[test]
    fn a_sine_lands_in_its_bin() {
        let len = 4096;
        let x: Vec<f64> = (0..len)
            .map(|i| (std::f64::consts::TAU * 100.0 * i as f64 / len as f64).sin())
            .collect();
        let mut fft = RealFft::new(len);
        let mut out = vec![Complex::default(); fft.bins()];
        fft.forward(&x, &mut out);
        assert!((out[100].norm() - len as f64 / 2.0).abs() < 1e-6);
        assert!(out
            .iter()
            .enumerate()
            .all(|(k, c)| k == 100 || c.norm() < 1e-6));
    }

    #[test]
    #[should_panic(expected = "a power of two")]
    fn other_lengths_are_refused() {
        RealFft::new(1000);
    }
}
