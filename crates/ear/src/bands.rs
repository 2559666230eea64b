//! The centres an EQ round hides a peak or dip at: octaves from 63 Hz to 16 kHz at first, third
//! octaves at the higher levels (ISO 266 nominal frequencies), and how far apart two are.

/// Third-octave centres from 63 Hz to 16 kHz (ISO 266 nominal), Hz. Every third one, from the
/// first, is an octave centre.
pub const THIRDS_HZ: [f32; 25] = [
    63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0, 630.0, 800.0, 1_000.0,
    1_250.0, 1_600.0, 2_000.0, 2_500.0, 3_150.0, 4_000.0, 5_000.0, 6_300.0, 8_000.0, 10_000.0,
    12_500.0, 16_000.0,
];

/// Octave centres from 63 Hz to 16 kHz (ISO 266 nominal), Hz.
pub const OCTAVES_HZ: [f32; 9] = [
    63.0, 125.0, 250.0, 500.0, 1_000.0, 2_000.0, 4_000.0, 8_000.0, 16_000.0,
];

/// How finely an EQ round's centres are spaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Octaves ([`OCTAVES_HZ`]).
    Octave,
    /// Third octaves ([`THIRDS_HZ`]).
    Third,
}

impl Resolution {
    /// The Q of the hidden bell: one band wide (an octave, 1.41; a third octave, 4.32), so
    /// that a round hides a change in one band of the choices.
    pub fn q(self) -> f32 {
        match self {
            Resolution::Octave => std::f32::consts::SQRT_2,
            Resolution::Third => 4.32,
        }
    }

    /// The centres to choose from, Hz, low to high.
    pub fn centres(self) -> &'static [f32] {
        match self {
            Resolution::Octave => &OCTAVES_HZ,
            Resolution::Third => &THIRDS_HZ,
        }
    }
}

/// The position in `centres` of the centre nearest `hz` on a log scale (the band `hz` lies in).
pub fn nearest(hz: f32, centres: &[f32]) -> usize {
    let distance = |c: f32| (hz.max(1.0) / c).log2().abs();
    (0..centres.len())
        .min_by(|&a, &b| distance(centres[a]).total_cmp(&distance(centres[b])))
        .unwrap_or(0)
}

/// The position of `hz` in [`THIRDS_HZ`].
fn third_index(hz: f32) -> usize {
    nearest(hz, &THIRDS_HZ)
}

/// Octaves between the centres nearest `a_hz` and `b_hz`, counted along the nominal series
/// (a third octave is exactly 1/3, although 63 Hz to 125 Hz is not exactly a doubling).
pub fn octaves_between(a_hz: f32, b_hz: f32) -> f32 {
    third_index(a_hz).abs_diff(third_index(b_hz)) as f32 / 3.0
}

/// A centre as an answer's button says it: "63 Hz", "1 kHz", "3.15 kHz", "12.5 kHz".
pub fn label(hz: f32) -> String {
    if hz >= 1_000.0 {
        let khz = format!("{:.2}", hz / 1_000.0);
        let khz = khz.trim_end_matches('0').trim_end_matches('.');
        format!("{khz} kHz")
    } else {
        format!("{hz:.0} Hz")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octaves_are_every_third_third() {
        for (i, octave) in OCTAVES_HZ.iter().enumerate() {
            assert_eq!(THIRDS_HZ[3 * i], *octave);
        }
    }

    #[test]
    fn distances_count_steps_of_the_series() {
        assert_eq!(octaves_between(1_000.0, 1_000.0), 0.0);
        assert_eq!(octaves_between(1_000.0, 2_000.0), 1.0);
        assert_eq!(octaves_between(63.0, 125.0), 1.0);
        assert_eq!(octaves_between(16_000.0, 63.0), 8.0);
        assert!((octaves_between(1_000.0, 1_250.0) - 1.0 / 3.0).abs() < 1e-6);
        // Off-series frequencies count from their nearest centre.
        assert_eq!(octaves_between(990.0, 2_100.0), 1.0);
    }

    #[test]
    fn labels_read_as_buttons_do() {
        assert_eq!(label(63.0), "63 Hz");
        assert_eq!(label(1_000.0), "1 kHz");
        assert_eq!(label(12_500.0), "12.5 kHz");
        assert_eq!(label(3_150.0), "3.15 kHz");
        assert_eq!(label(10_000.0), "10 kHz");
        assert_eq!(label(1_250.0), "1.25 kHz");
    }
}
