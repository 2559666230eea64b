//! Frequency bands over the bins of an FFT: critical bands (Bark) for masking, ISO 266
//! third-octave bands for tonal balance, and any band a goal names.
//!
//! Bin `k` of an `n`-point FFT at `fs` stands for the frequencies `(k ± ½)·fs/n`; a band takes
//! each bin by the share of that span that lies inside the band, so a band narrower than a bin
//! (the lowest third octaves) still gets its share of the power, and the bands that tile the
//! spectrum add up to it.

/// Edges of the 24 critical bands, Hz (E. Zwicker, "Subdivision of the audible frequency range
/// into critical bands", J. Acoust. Soc. Am. 33(2), 1961, Table I).
pub const BARK_EDGES_HZ: [f64; 25] = [
    0.0, 100.0, 200.0, 300.0, 400.0, 510.0, 630.0, 770.0, 920.0, 1080.0, 1270.0, 1480.0, 1720.0,
    2000.0, 2320.0, 2700.0, 3150.0, 3700.0, 4400.0, 5300.0, 6400.0, 7700.0, 9500.0, 12000.0,
    15500.0,
];

/// Nominal centres of the third-octave bands from 25 Hz to 16 kHz, Hz (ISO 266:1997).
pub const THIRD_OCTAVE_CENTRES_HZ: [f64; 29] = [
    25.0, 31.5, 40.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0,
    630.0, 800.0, 1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0,
    10000.0, 12500.0, 16000.0,
];

/// The edges of third-octave band `i` of [`THIRD_OCTAVE_CENTRES_HZ`], Hz: the exact base-ten
/// centre `1000·10^(n/10)` times `10^(∓1/20)` (IEC 61260-1).
pub fn third_octave_edges_hz(i: usize) -> (f64, f64) {
    let n = i as f64 - 16.0;
    let centre = 1000.0 * 10f64.powf(n / 10.0);
    (centre * 10f64.powf(-0.05), centre * 10f64.powf(0.05))
}

/// A band: the bins it takes, each with its share (0 to 1].
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    bins: Vec<(usize, f64)>,
}

impl Band {
    /// The band `low_hz..high_hz` over the `fft_frames / 2 + 1` bins of an FFT of `fft_frames`
    /// frames at `sample_rate_hz`.
    pub fn new(low_hz: f64, high_hz: f64, fft_frames: usize, sample_rate_hz: f64) -> Band {
        let bin_hz = sample_rate_hz / fft_frames as f64;
        let bins = (0..=fft_frames / 2)
            .filter_map(|k| {
                let (lo, hi) = ((k as f64 - 0.5) * bin_hz, (k as f64 + 0.5) * bin_hz);
                let overlap = hi.min(high_hz) - lo.max(low_hz);
                (overlap > 0.0).then(|| (k, overlap / bin_hz))
            })
            .collect();
        Band { bins }
    }

    /// The band's share of `spectrum` (a value per bin): Σ share·value.
    pub fn sum(&self, spectrum: &[f64]) -> f64 {
        self.bins
            .iter()
            .map(|&(k, share)| share * spectrum[k])
            .sum()
    }
}

/// The 24 critical bands for an FFT of `fft_frames` frames at `sample_rate_hz`.
pub fn bark_bands(fft_frames: usize, sample_rate_hz: f64) -> Vec<Band> {
    BARK_EDGES_HZ
        .windows(2)
        .map(|edge| Band::new(edge[0], edge[1], fft_frames, sample_rate_hz))
        .collect()
}

/// The 29 third-octave bands for an FFT of `fft_frames` frames at `sample_rate_hz`.
pub fn third_octave_bands(fft_frames: usize, sample_rate_hz: f64) -> Vec<Band> {
    (0..THIRD_OCTAVE_CENTRES_HZ.len())
        .map(|i| {
            let (lo, hi) = third_octave_edges_hz(i);
            Band::new(lo, hi, fft_frames, sample_rate_hz)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_that_tile_the_spectrum_add_up_to_it() {
        // Reference: the shares of adjacent bands sum to one per bin (a flat spectrum of ones).
        let flat = vec![1.0; 4097];
        let bark: f64 = bark_bands(8192, 48_000.0)
            .iter()
            .map(|b| b.sum(&flat))
            .sum();
        let bin_hz = 48_000.0 / 8192.0;
        assert!((bark - 15_500.0 / bin_hz).abs() < 1e-9, "{bark}");
        let one = Band::new(1000.0, 1000.0 + bin_hz / 4.0, 8192, 48_000.0);
        assert!((one.sum(&flat) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn third_octave_edges_follow_iec_61260() {
        let (lo, hi) = third_octave_edges_hz(16);
        assert!(
            (lo - 891.25).abs() < 0.01 && (hi - 1122.02).abs() < 0.01,
            "{lo} {hi}"
        );
        let (lo, _) = third_octave_edges_hz(0);
        assert!((lo - 22.39).abs() < 0.01, "{lo}");
        for i in 1..THIRD_OCTAVE_CENTRES_HZ.len() {
            let (below, above) = (third_octave_edges_hz(i - 1).1, third_octave_edges_hz(i).0);
            assert!(
                (below - above).abs() < 1e-9 * above,
                "bands {i}: {below} {above}"
            );
        }
    }
}
