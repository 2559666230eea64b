//! `mixroom loudness`: a file's loudness by the engine's own meters (mixroom-dsp's
//! `LoudnessMeter`, ITU-R BS.1770-4 / EBU R 128 / EBU Tech 3341 and 3342, and
//! `TruePeakMeter`, BS.1770-4 Annex 2), measured at the file's own rate.
//!
//! Channels: a stereo file is measured as it is; a mono file as one channel (weight 1, so a
//! mono sine reads 3.01 LU below the same sine on both channels of a stereo file, as BS.1770
//! has it); a surround file (3 to 8 channels) is folded down to stereo first with the page's
//! ITU-R BS.775 downmix, because the engine's meter takes two channels: that is the loudness of
//! the stereo track the page would make of it, not the BS.1770 surround weighting (which would
//! weigh Ls and Rs by +1.5 dB and leave out the LFE).
//!
//! The true peak is read up to the end of the file: the meter's 11 frames of latency are
//! flushed with silence, as a player goes silent after the last sample.

use std::path::Path;

use mixroom_dsp::{LoudnessMeter, TruePeakMeter};
use serde::Serialize;

use crate::decode::Decoded;
use crate::decode::Keep;
use crate::sources::{decode_path, track_channels};

/// Frames handed to the meters at a time (their readings do not depend on it).
const BLOCK_FRAMES: usize = 4_096;

/// Frames of silence that flush the true-peak meter (at least its latency).
const FLUSH_FRAMES: usize = 16;

/// One file's measurement, printed as one JSON object. Readings of −∞ (silence) are `None`
/// (JSON `null`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The file, as given.
    pub file: String,
    /// Integrated loudness (gated), LUFS.
    pub integrated_lufs: Option<f64>,
    /// Largest momentary loudness (400 ms), LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Largest short-term loudness (3 s), LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Loudness range (EBU Tech 3342), LU; 0 when no 3 s window is above the gates.
    pub lra_lu: f64,
    /// Largest true peak of any channel, dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// The file's sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Length, s.
    pub duration_s: f64,
}

/// Decodes and measures the file at `path`; the error names the file and what is wrong.
pub fn measure_file(path: &Path) -> Result<Report, String> {
    let decoded = decode_path(path, Keep::All)?;
    let shown = path.display();
    measure(shown.to_string(), decoded).map_err(|e| format!("{shown} {e}"))
}

/// Measures decoded audio; `file` names it in the report.
pub fn measure(file: String, decoded: Decoded) -> Result<Report, String> {
    let rate = decoded.sample_rate_hz;
    let (mut channels, _) = track_channels(decoded.channels)?;
    let frames = channels[0].len();
    if channels.len() == 1 {
        channels.push(vec![0.0; frames]);
    }
    let mut loudness = LoudnessMeter::new();
    loudness.prepare(rate as f32);
    let mut true_peak = TruePeakMeter::new();
    true_peak.prepare(rate as f32);
    let mut peak = 0.0_f32;
    for start in (0..frames).step_by(BLOCK_FRAMES) {
        let end = (start + BLOCK_FRAMES).min(frames);
        let (left, right) = (&channels[0][start..end], &channels[1][start..end]);
        loudness.process(left, right);
        peak = true_peak
            .process(left, right)
            .into_iter()
            .fold(peak, f32::max);
    }
    let silence = [0.0; FLUSH_FRAMES];
    peak = true_peak
        .process(&silence, &silence)
        .into_iter()
        .fold(peak, f32::max);
    Ok(Report {
        file,
        integrated_lufs: finite(loudness.integrated_lufs()),
        max_momentary_lufs: finite(loudness.max_momentary_lufs()),
        max_short_term_lufs: finite(loudness.max_short_term_lufs()),
        lra_lu: finite(loudness.loudness_range_lu()).unwrap_or(0.0),
        true_peak_dbtp: finite(20.0 * peak.log10()),
        sample_rate_hz: rate,
        duration_s: frames as f64 / f64::from(rate),
    })
}

/// `x` as the shortest decimal that reads back as the same f32 (so JSON shows −23.000124, not
/// −23.000123977661133), or `None` when it is not finite.
fn finite(x: f32) -> Option<f64> {
    x.is_finite().then(|| {
        x.to_string()
            .parse()
            .expect("a finite f32 prints as a number")
    })
}

/// Measures every file in `paths`, printing one JSON object per line on stdout for each file
/// measured and one error line on stderr for each that failed (the others are still measured).
/// Returns whether all were measured.
pub fn run(paths: &[std::path::PathBuf]) -> bool {
    let mut all = true;
    for path in paths {
        match measure_file(path) {
            Ok(report) => println!(
                "{}",
                serde_json::to_string(&report).expect("a report serializes")
            ),
            Err(message) => {
                eprintln!("mixroom: {message}");
                all = false;
            }
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_reads_null_and_a_full_scale_square_reads_0_dbtp() {
        let silent = Decoded {
            sample_rate_hz: 48_000,
            channels: vec![vec![0.0; 48_000]; 2],
        };
        let report = measure("s.wav".to_owned(), silent).unwrap();
        assert_eq!(report.integrated_lufs, None);
        assert_eq!(report.true_peak_dbtp, None);
        assert_eq!(report.lra_lu, 0.0);
        assert_eq!(report.duration_s, 1.0);
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            "{\"file\":\"s.wav\",\"integrated_lufs\":null,\"max_momentary_lufs\":null,\
             \"max_short_term_lufs\":null,\"lra_lu\":0.0,\"true_peak_dbtp\":null,\
             \"sample_rate_hz\":48000,\"duration_s\":1.0}"
        );
        // Samples +0.5, +0.5, −0.5, −0.5, ... are a 12 kHz sine of amplitude 0.5·√2 (−3.01 dBFS)
        // whose crests fall between samples: the true peak reads −3.01 dBTP within the
        // tolerance of BS.1770 Annex 2 meters (+0.2/−0.4 dB, Tech 3341), 3 dB above the samples.
        let square: Vec<f32> = (0..48_000)
            .map(|n| if n % 4 < 2 { 0.5 } else { -0.5 })
            .collect();
        let mono = Decoded {
            sample_rate_hz: 48_000,
            channels: vec![square],
        };
        let report = measure("q.wav".to_owned(), mono).unwrap();
        let tp = report.true_peak_dbtp.unwrap();
        assert!((-3.41..=-2.81).contains(&tp), "true peak {tp} dBTP");
    }

    #[test]
    fn shortest_decimal_of_the_f32() {
        assert_eq!(finite(-23.000124), Some(-23.000124));
        assert_eq!(finite(f32::NEG_INFINITY), None);
        assert_eq!(finite(f32::NAN), None);
    }
}
