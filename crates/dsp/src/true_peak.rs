//! True-peak measurement per ITU-R BS.1770-4, Annex 2 ("Guidelines for accurate measurement of
//! true-peak level").
//!
//! The signal is oversampled with the Annex's order-48, four-phase polyphase interpolating FIR
//! (12 taps per phase, coefficients verbatim from the Annex table) and the largest absolute
//! oversampled value is the true peak. As the Annex allows for floating-point signals, the
//! −12.04 dB input attenuation and its compensation are omitted. The oversampling ratio follows
//! the Annex: 4× below 96 kHz, 2× below 192 kHz, none from 192 kHz on.
//!
//! The Annex filter is an even-length linear-phase design, so its four phases interpolate at
//! 0.125, 0.375, 0.625 and 0.875 of a sample between two input samples; none lands on an input
//! sample. The detector therefore also reports the input sample that starts the interval, so a
//! true-peak reading is never below the sample peak (a tone whose crests fall on samples reads
//! exactly its amplitude instead of 0.17 dB less). At 2× the two middle phases (0.375 and 0.625)
//! are used.
//!
//! The reading for input frame `n` covers the interpolated signal between frames `n − 6` and
//! `n − 5` and is built from frames `n − 11 ..= n`: every reading that depends on a frame has
//! been produced [`TruePeakDetector::latency_frames`] (11) frames after it. Tested against the
//! true-peak cases 15–19 of EBU Tech 3341 (2016/2023), tolerance +0.2/−0.4 dB.

use crate::denormal::finite_or_zero;

/// Taps per polyphase phase of the Annex 2 filter.
const TAPS: usize = 12;

/// ITU-R BS.1770-4 Annex 2: the 4× interpolation filter as four phases of 12 taps. `PHASES[p][j]`
/// multiplies the input `j` frames old. The values are the Annex's, digit for digit: each is a
/// multiple of 2^-13, exactly representable in f32, which the precision lint cannot see.
#[allow(clippy::excessive_precision)]
const PHASES: [[f32; TAPS]; 4] = [
    [
        0.001_708_984_375,
        0.010_986_328_125,
        -0.019_653_320_312_5,
        0.033_203_125,
        -0.059_448_242_187_5,
        0.137_329_101_562_5,
        0.972_167_968_75,
        -0.102_294_921_875,
        0.047_607_421_875,
        -0.026_611_328_125,
        0.014_892_578_125,
        -0.008_300_781_25,
    ],
    [
        -0.029_174_804_687_5,
        0.029_296_875,
        -0.051_757_812_5,
        0.089_111_328_125,
        -0.166_503_906_25,
        0.465_087_890_625,
        0.779_785_156_25,
        -0.200_317_382_812_5,
        0.101_562_5,
        -0.058_227_539_062_5,
        0.033_081_054_687_5,
        -0.018_920_898_437_5,
    ],
    [
        -0.018_920_898_437_5,
        0.033_081_054_687_5,
        -0.058_227_539_062_5,
        0.101_562_5,
        -0.200_317_382_812_5,
        0.779_785_156_25,
        0.465_087_890_625,
        -0.166_503_906_25,
        0.089_111_328_125,
        -0.051_757_812_5,
        0.029_296_875,
        -0.029_174_804_687_5,
    ],
    [
        -0.008_300_781_25,
        0.014_892_578_125,
        -0.026_611_328_125,
        0.047_607_421_875,
        -0.102_294_921_875,
        0.972_167_968_75,
        0.137_329_101_562_5,
        -0.059_448_242_187_5,
        0.033_203_125,
        -0.019_653_320_312_5,
        0.010_986_328_125,
        0.001_708_984_375,
    ],
];

/// Age, in frames, of the input sample reported along with the interpolated values.
const SAMPLE_TAP: usize = 5;

/// The oversampling ratio BS.1770-4 Annex 2 asks for at `sample_rate_hz`: 4 below 96 kHz, 2 below
/// 192 kHz, 1 (no oversampling) from 192 kHz on.
pub fn oversampling_for_rate(sample_rate_hz: f32) -> usize {
    if sample_rate_hz < 96_000.0 {
        4
    } else if sample_rate_hz < 192_000.0 {
        2
    } else {
        1
    }
}

/// A one-channel true-peak interpolator, sample by sample (for meters and the limiter).
///
/// Non-finite input samples are read as 0. The state is a 12-frame FIR history: no recursion,
/// nothing to flush, and it empties by itself 12 frames into silence.
#[derive(Clone, Debug)]
pub struct TruePeakDetector {
    oversampling: usize,
    /// The last 12 inputs, stored twice so `history[pos..pos + 12]` is always contiguous, newest
    /// first.
    history: [f32; 2 * TAPS],
    pos: usize,
}

impl Default for TruePeakDetector {
    fn default() -> Self {
        TruePeakDetector::new(4)
    }
}

impl TruePeakDetector {
    /// A detector oversampling `oversampling` times: 4 or more gives 4×, 2 or 3 gives 2×, 0 or 1
    /// gives the sample peak. See [`oversampling_for_rate`].
    pub fn new(oversampling: usize) -> TruePeakDetector {
        TruePeakDetector {
            oversampling: match oversampling {
                0 | 1 => 1,
                2 | 3 => 2,
                _ => 4,
            },
            history: [0.0; 2 * TAPS],
            pos: 0,
        }
    }

    /// The oversampling ratio in use (1, 2 or 4).
    pub fn oversampling(&self) -> usize {
        self.oversampling
    }

    /// Clears the history.
    pub fn reset(&mut self) {
        self.history = [0.0; 2 * TAPS];
        self.pos = 0;
    }

    /// Takes input sample `x` and returns the largest magnitude of the oversampled signal in the
    /// interval it completes (linear; see the module docs for which interval). Without
    /// oversampling it returns `|x|` at once.
    #[inline]
    pub fn next(&mut self, x: f32) -> f32 {
        let x = finite_or_zero(x);
        if self.oversampling == 1 {
            return x.abs();
        }
        self.pos = if self.pos == 0 {
            TAPS - 1
        } else {
            self.pos - 1
        };
        self.history[self.pos] = x;
        self.history[self.pos + TAPS] = x;
        let window = &self.history[self.pos..self.pos + TAPS];
        let mut peak = window[SAMPLE_TAP].abs();
        if self.oversampling == 4 {
            for phase in &PHASES {
                peak = peak.max(dot(phase, window).abs());
            }
        } else {
            for phase in &PHASES[1..3] {
                peak = peak.max(dot(phase, window).abs());
            }
        }
        peak
    }

    /// Frames after which every reading that depends on an input frame has been returned: 11 when
    /// oversampling (the filter spans 12 frames), 0 without.
    pub fn latency_frames(&self) -> usize {
        if self.oversampling == 1 {
            0
        } else {
            TAPS - 1
        }
    }
}

#[inline(always)]
fn dot(a: &[f32; TAPS], b: &[f32]) -> f32 {
    let mut sum = 0.0;
    for (x, y) in a.iter().zip(b) {
        sum += x * y;
    }
    sum
}

/// A stereo true-peak meter: reports the largest true peak per channel of every block.
///
/// The engine reports these raw block figures; peak hold and ballistics belong to the UI.
/// Readings lag the input by up to 6 frames (see the module docs), so a peak in the last frames
/// of a block is reported with the next block; the maximum over a whole stream does not depend
/// on how it was cut into blocks.
#[derive(Clone, Debug, Default)]
pub struct TruePeakMeter {
    detectors: [TruePeakDetector; 2],
}

impl TruePeakMeter {
    /// A meter for 48 kHz (4× oversampling) until prepared.
    pub fn new() -> TruePeakMeter {
        TruePeakMeter::default()
    }

    /// Chooses the oversampling ratio for `sample_rate_hz` (see [`oversampling_for_rate`]) and
    /// clears the state.
    pub fn prepare(&mut self, sample_rate_hz: f32) {
        let ratio = oversampling_for_rate(sample_rate_hz);
        self.detectors = [TruePeakDetector::new(ratio), TruePeakDetector::new(ratio)];
    }

    /// Clears the state.
    pub fn reset(&mut self) {
        for detector in &mut self.detectors {
            detector.reset();
        }
    }

    /// Measures one block and returns the largest true-peak magnitude of each channel, linear
    /// (1.0 = 0 dBTP). Non-finite samples are read as 0.
    pub fn process(&mut self, left: &[f32], right: &[f32]) -> [f32; 2] {
        let mut peaks = [0.0_f32; 2];
        for ((detector, samples), peak) in self
            .detectors
            .iter_mut()
            .zip([left, right])
            .zip(peaks.iter_mut())
        {
            for &x in samples {
                *peak = peak.max(detector.next(x));
            }
        }
        peaks
    }
}

#[cfg(test)]
mod tests;
