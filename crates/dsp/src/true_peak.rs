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
mod tests {
    use super::*;
    use std::f64::consts::PI;

    const FS: f32 = 48_000.0;

    fn db(lin: f32) -> f32 {
        20.0 * lin.log10()
    }

    /// A sine of `amplitude` at `freq_ratio` × the sample rate, starting at `phase_deg`, with
    /// 10 ms raised-cosine fades (the test tones are band-limited, not switched on abruptly).
    fn tone(freq_ratio: f64, amplitude: f64, phase_deg: f64, frames: usize) -> Vec<f32> {
        let fade = 480;
        (0..frames)
            .map(|n| {
                let edge = n.min(frames - 1 - n);
                let env = if edge < fade {
                    0.5 - 0.5 * (PI * edge as f64 / fade as f64).cos()
                } else {
                    1.0
                };
                let phase = 2.0 * PI * freq_ratio * n as f64 + phase_deg.to_radians();
                (amplitude * env * phase.sin()) as f32
            })
            .collect()
    }

    fn measure(sample_rate_hz: f32, signal: &[f32], block: usize) -> [f32; 2] {
        let mut meter = TruePeakMeter::new();
        meter.prepare(sample_rate_hz);
        let mut peak = [0.0_f32; 2];
        for chunk in signal.chunks(block) {
            let [l, r] = meter.process(chunk, chunk);
            peak = [peak[0].max(l), peak[1].max(r)];
        }
        // Flush the last readings out of the interpolator.
        let [l, r] = meter.process(&[0.0; 16], &[0.0; 16]);
        [peak[0].max(l), peak[1].max(r)]
    }

    /// EBU Tech 3341 (2016, 2023), Table 1, cases 15–19: stereo sines, expected maximum true peak
    /// with tolerance +0.2/−0.4 dB.
    #[test]
    fn tech_3341_true_peak_cases_15_to_19() {
        // (case, frequency / fs, amplitude FFS, phase in degrees, expected dBTP, sample peak dBFS)
        let cases = [
            (15, 0.25, 0.50, 0.0, -6.0, -6.02),
            (16, 0.25, 0.50, 45.0, -6.0, -9.03),
            (17, 1.0 / 6.0, 0.50, 60.0, -6.0, -7.27),
            (18, 0.125, 0.50, 67.5, -6.0, -6.71),
            (19, 0.25, 1.41, 45.0, 3.0, -0.03),
        ];
        for (case, ratio, amplitude, phase, expected, sample_peak_db) in cases {
            let x = tone(ratio, amplitude, phase, 3 * 48_000);
            let sample_peak = x.iter().fold(0.0_f32, |m, v| m.max(v.abs()));
            assert!(
                (db(sample_peak) - sample_peak_db).abs() < 0.01,
                "case {case}: sample peak {} dBFS",
                db(sample_peak)
            );
            let [l, r] = measure(FS, &x, 4_096);
            let (l, r) = (db(l), db(r));
            println!("Tech 3341 case {case}: {l:.3} dBTP (expected {expected:.1} +0.2/-0.4)");
            assert_eq!(l, r, "case {case}: both channels read the same");
            assert!(
                (expected - 0.4..=expected + 0.2).contains(&l),
                "case {case}: measured {l:.3} dBTP, expected {expected:.1} +0.2/-0.4"
            );
        }
    }

    /// Case 19 restated: a sine at fs/4 whose samples sit at full scale (±1.0) but whose crests
    /// fall between them, 45° away, at 1.41 (+3 dB): the true peak reads +3 dBTP where the sample
    /// peak reads 0 dBFS.
    #[test]
    fn full_scale_samples_at_fs_over_4_hide_a_3_db_peak() {
        let x = tone(0.25, std::f64::consts::SQRT_2, 45.0, 48_000);
        let sample_peak = db(x.iter().fold(0.0_f32, |m, v| m.max(v.abs())));
        let [true_peak, _] = measure(FS, &x, 128);
        let true_peak = db(true_peak);
        assert!(sample_peak.abs() < 0.001, "sample peak {sample_peak} dBFS");
        assert!(
            (true_peak - 3.01).abs() < 0.2,
            "true peak {true_peak} dBTP, analytic +3.01"
        );
    }

    /// In the manner of Tech 3341 cases 20–23 (whose signals exist only as EBU files): a pulse
    /// band-limited to 20 kHz whose analytic peak of exactly 1.0 falls 0, ¼, ½ and ¾ of a sample
    /// after an input sample. Expected 0.0 dBTP +0.2/−0.4 at every offset, while the sample peak
    /// drops by up to several dB.
    #[test]
    fn band_limited_pulse_peaks_between_samples_read_0_dbtp() {
        let cutoff = 20_000.0 / f64::from(FS);
        for quarter in 0..4 {
            let centre = 200.0 + quarter as f64 / 4.0;
            let half_width = 160.0;
            let x: Vec<f32> = (0..400)
                .map(|n| {
                    let t = n as f64 - centre;
                    let sinc = if t == 0.0 {
                        1.0
                    } else {
                        (2.0 * PI * cutoff * t).sin() / (2.0 * PI * cutoff * t)
                    };
                    let window = if t.abs() < half_width {
                        0.5 + 0.5 * (PI * t / half_width).cos()
                    } else {
                        0.0
                    };
                    (sinc * window) as f32
                })
                .collect();
            let sample_peak = db(x.iter().fold(0.0_f32, |m, v| m.max(v.abs())));
            let [true_peak, _] = measure(FS, &x, 64);
            let true_peak = db(true_peak);
            println!("pulse offset {quarter}/4: sample peak {sample_peak:.2}, true peak {true_peak:.3} dBTP");
            assert!(
                (-0.4..=0.2).contains(&true_peak),
                "offset {quarter}/4: true peak {true_peak:.3} dBTP, expected 0.0 +0.2/-0.4"
            );
        }
    }

    #[test]
    fn oversampling_follows_the_annex_by_rate() {
        assert_eq!(oversampling_for_rate(44_100.0), 4);
        assert_eq!(oversampling_for_rate(48_000.0), 4);
        assert_eq!(oversampling_for_rate(88_200.0), 4);
        assert_eq!(oversampling_for_rate(96_000.0), 2);
        assert_eq!(oversampling_for_rate(192_000.0), 1);
        // At 96 kHz (2×) the fs/4 tone of case 16 still reads its true peak; at 192 kHz the
        // meter reads sample peaks, as the Annex allows there.
        let x = tone(0.25, 0.5, 45.0, 96_000);
        let at_96k = db(measure(96_000.0, &x, 512)[0]);
        assert!((-6.4..=-5.8).contains(&at_96k), "96 kHz: {at_96k} dBTP");
        let at_192k = db(measure(192_000.0, &x, 512)[0]);
        assert!((at_192k + 9.03).abs() < 0.01, "192 kHz: {at_192k} dBFS");
        assert_eq!(TruePeakDetector::new(1).latency_frames(), 0);
        assert_eq!(TruePeakDetector::new(2).latency_frames(), 11);
    }

    /// The four phases are one symmetric 48-tap filter (phase 3 is phase 0 reversed, phase 2 is
    /// phase 1 reversed). As printed in the Annex, the phases' DC gains are 1.0016 (phases 0, 3)
    /// and 0.9730 (phases 1, 2): the table is used verbatim, and the tests above show that it
    /// meets the Tech 3341 tolerance as it is.
    #[test]
    fn annex_filter_is_symmetric_as_printed() {
        for j in 0..TAPS {
            assert_eq!(PHASES[0][j], PHASES[3][TAPS - 1 - j]);
            assert_eq!(PHASES[1][j], PHASES[2][TAPS - 1 - j]);
        }
        let gains: Vec<f32> = PHASES.iter().map(|p| p.iter().sum()).collect();
        for (gain, expected) in gains
            .iter()
            .zip([1.001_587, 0.973_022, 0.973_022, 1.001_587])
        {
            assert!((gain - expected).abs() < 1e-5, "phase DC gains {gains:?}");
        }
    }

    #[test]
    fn readings_do_not_depend_on_block_size_and_reset_restarts() {
        let x: Vec<f32> = (0..10_000)
            .map(|i| ((i * 7919) % 2003) as f32 / 1001.0 - 1.0)
            .collect();
        let reference = measure(FS, &x, 4_096);
        for block in [1, 3, 64, 128] {
            assert_eq!(measure(FS, &x, block), reference, "block {block}");
        }
        let mut detector = TruePeakDetector::new(4);
        let first: Vec<f32> = x.iter().map(|&v| detector.next(v)).collect();
        detector.reset();
        let second: Vec<f32> = x.iter().map(|&v| detector.next(v)).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn non_finite_samples_read_as_zero_and_do_not_stick() {
        let mut meter = TruePeakMeter::new();
        meter.prepare(FS);
        let peaks = meter.process(&[f32::NAN, f32::INFINITY, 0.5], &[f32::NEG_INFINITY; 3]);
        assert!(peaks.iter().all(|p| p.is_finite()), "{peaks:?}");
        let peaks = meter.process(&[0.0; 32], &[0.0; 32]);
        assert!(peaks[0] > 0.4 && peaks[1] == 0.0, "{peaks:?}");
        assert_eq!(meter.process(&[0.0; 32], &[0.0; 32]), [0.0, 0.0]);
    }
}
