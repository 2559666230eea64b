//! Tonal balance: a mix's third-octave spectrum, loudness-normalized, and the curves it is
//! held against.
//!
//! **Loudness normalization.** Band levels are shifted so that the bands, weighted by the
//! K-weighting of ITU-R BS.1770-4 at their centres, sum to 0 dB: two mixes of the same tonal
//! balance at different loudness give the same normalized levels, and a loud low end (which
//! K-weighting discounts, as the ear does) does not drag every other band down. The same
//! normalization applies to the curves, so a curve is a shape, not a level.
//!
//! **The neutral curve** ([`NEUTRAL_DB`]) is Mixroom's picture of a balanced modern mix: a
//! gentle downward slope, steeper in the top octave, with the lowest octave rolled off. In
//! third-octave band levels (in which pink noise is flat) it falls about 1.5 dB per octave from
//! 63 Hz to 1 kHz, 3 dB per octave from 1 to 4 kHz, 4.5 dB per octave from 4 to 10 kHz and faster
//! above, and eases off below 40 Hz. The reasoning: long-term average spectra of commercial
//! pop and rock mixes fall a few dB per octave more steeply than pink noise, with the most
//! energy around 50–100 Hz and a steep top-octave roll-off (P. D. Pestana, Z. Ma, J. D. Reiss,
//! A. Barbosa and D. A. A. Black, "Spectral characteristics of popular commercial recordings
//! 1950–2010", AES 135th Convention, 2013, which reports such an average and its spread); the
//! values here are that shape smoothed and rounded to half decibels, a coaching target with a
//! tolerance of several dB, not a standard. A lesson that needs another balance uses its
//! reference mix ([`mixroom_protocol::lesson::Curve::Reference`]).

use crate::bands::{third_octave_bands, THIRD_OCTAVE_CENTRES_HZ};
use crate::spectrum::FFT_FRAMES;

/// The neutral curve: a level per band of [`THIRD_OCTAVE_CENTRES_HZ`], dB relative to the 1 kHz
/// band (normalized before use).
pub const NEUTRAL_DB: [f64; 29] = [
    0.0, 3.0, 5.0, 6.0, 6.0, 6.0, 5.5, 5.0, 4.5, 4.0, 3.5, 3.0, 2.5, 1.5, 1.0, 0.5, 0.0, -1.0,
    -2.0, -3.0, -4.0, -5.0, -6.0, -7.5, -9.0, -10.5, -12.0, -14.5, -19.0,
];

/// Lowest band power used, linear (−150 dB): an empty band reads this, not −∞.
const FLOOR_POWER: f64 = 1e-15;

/// Third-octave band levels, dB, loudness-normalized (see the module docs).
pub type Levels = [f64; 29];

/// The normalized third-octave levels of a long-term mean power spectrum (one value per FFT
/// bin of [`FFT_FRAMES`] at `sample_rate_hz`).
pub fn measure(mean_power: &[f64], sample_rate_hz: f64) -> Levels {
    let bands = third_octave_bands(FFT_FRAMES, sample_rate_hz);
    let mut levels = [0.0; 29];
    for (level, band) in levels.iter_mut().zip(&bands) {
        *level = 10.0 * band.sum(mean_power).max(FLOOR_POWER).log10();
    }
    normalize(levels)
}

/// `levels` (dB) shifted so that their K-weighted power sum is 0 dB.
pub fn normalize(mut levels: Levels) -> Levels {
    let weighted: f64 = levels
        .iter()
        .zip(THIRD_OCTAVE_CENTRES_HZ)
        .map(|(db, hz)| 10f64.powf((db + k_weighting_db(hz)) / 10.0))
        .sum();
    let offset = 10.0 * weighted.log10();
    for level in &mut levels {
        *level -= offset;
    }
    levels
}

/// The band where `have` is furthest from `want` (its index in [`THIRD_OCTAVE_CENTRES_HZ`]) and
/// how far, dB (positive: `have` is stronger there).
pub fn worst_deviation(have: &Levels, want: &Levels) -> (usize, f64) {
    have.iter()
        .zip(want)
        .map(|(have, want)| have - want)
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap_or((0, 0.0))
}

/// The neutral curve, normalized.
pub fn neutral() -> Levels {
    normalize(NEUTRAL_DB)
}

/// Gain of the K-weighting filter at `hz`, dB: the two biquads of ITU-R BS.1770-4, Annex 1,
/// Tables 1 and 2 (48 kHz), evaluated on the unit circle.
pub fn k_weighting_db(hz: f64) -> f64 {
    const SHELF: ([f64; 3], [f64; 3]) = (
        [
            1.535_124_859_586_97,
            -2.691_696_189_406_38,
            1.198_392_810_852_85,
        ],
        [1.0, -1.690_659_293_182_41, 0.732_480_774_215_85],
    );
    const HIGH_PASS: ([f64; 3], [f64; 3]) = (
        [1.0, -2.0, 1.0],
        [1.0, -1.990_047_454_833_98, 0.990_072_250_366_21],
    );
    let w = std::f64::consts::TAU * hz / 48_000.0;
    let magnitude_sq = |(b, a): ([f64; 3], [f64; 3])| {
        let at = |c: [f64; 3]| {
            let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
            let im = -c[1] * w.sin() - c[2] * (2.0 * w).sin();
            re * re + im * im
        };
        at(b) / at(a)
    };
    10.0 * (magnitude_sq(SHELF) * magnitude_sq(HIGH_PASS)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_weighting_matches_bs_1770() {
        // Reference: the Annex's two biquads evaluated independently (Python, cmath) at
        // 48 kHz: −13.28 dB at 20 Hz, −2.90 at 60 Hz, −1.13 at 100 Hz, +0.70 at 1 kHz, +3.07 at
        // 2 kHz, +4.04 at 10 kHz.
        for (hz, db) in [
            (20.0, -13.28),
            (60.0, -2.90),
            (100.0, -1.13),
            (1000.0, 0.70),
            (2000.0, 3.07),
            (10_000.0, 4.04),
        ] {
            assert!(
                (k_weighting_db(hz) - db).abs() < 0.01,
                "{hz} Hz: {}",
                k_weighting_db(hz)
            );
        }
    }

    #[test]
    fn normalizing_ignores_the_level() {
        let louder = NEUTRAL_DB.map(|db| db + 12.0);
        let (a, b) = (normalize(NEUTRAL_DB), normalize(louder));
        for (a, b) in a.iter().zip(b) {
            assert!((a - b).abs() < 1e-9);
        }
    }
}
