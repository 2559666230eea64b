//! Loudness normalization of an export: measure the rendered mix (integrated loudness per
//! ITU-R BS.1770-4 and true peak per its Annex 2, with mixroom-dsp's meters, the ones on the
//! master), then one static gain that brings it to a target loudness unless that would push
//! the true peak over the target's ceiling; then the largest gain that keeps the ceiling.
//!
//! A static gain moves the integrated loudness and the true peak by exactly its dB value (both
//! are linear measures of the signal; only blocks near the −70 LUFS absolute gate could change
//! sides), so one measurement plans the gain. [`CEILING_MARGIN_DB`] keeps the result clear of
//! the ceiling after float rounding and the dither's ±1 LSB.

use mixroom_dsp::{LoudnessMeter, TruePeakMeter};

/// Kept below the true-peak ceiling when it limits the gain, dB (covers float rounding and the
/// ±1 LSB of 16-bit dither, 0.0003 dB at −1 dBFS).
pub const CEILING_MARGIN_DB: f32 = 0.01;

/// Frames of silence fed to the true-peak meter after the signal, so the interpolated intervals
/// of the last samples are measured too (its detector lags 11 frames).
const TRUE_PEAK_TAIL_FRAMES: usize = 16;

/// Where an export's loudness goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoudnessTarget {
    /// The mix as it is.
    Off,
    /// Streaming services (Spotify, YouTube, Tidal): −14 LUFS, −1 dBTP.
    Streaming,
    /// Apple Music: −16 LUFS, −1 dBTP.
    Apple,
    /// EBU R 128 broadcast: −23 LUFS, −1 dBTP.
    EbuR128,
}

impl LoudnessTarget {
    /// Every target, in the order the export dialog lists them.
    pub const ALL: [LoudnessTarget; 4] = [
        LoudnessTarget::Off,
        LoudnessTarget::Streaming,
        LoudnessTarget::Apple,
        LoudnessTarget::EbuR128,
    ];

    /// Stable key (`"off"`, `"streaming"`, `"apple"`, `"ebu"`): the dialog's option values and
    /// the test hook's argument.
    pub fn key(self) -> &'static str {
        match self {
            LoudnessTarget::Off => "off",
            LoudnessTarget::Streaming => "streaming",
            LoudnessTarget::Apple => "apple",
            LoudnessTarget::EbuR128 => "ebu",
        }
    }

    /// The target with key `key`.
    pub fn from_key(key: &str) -> Option<LoudnessTarget> {
        LoudnessTarget::ALL.into_iter().find(|t| t.key() == key)
    }

    /// What the dialog shows.
    pub fn label(self) -> &'static str {
        match self {
            LoudnessTarget::Off => "Off (as mixed)",
            LoudnessTarget::Streaming => "Streaming: −14 LUFS, −1 dBTP",
            LoudnessTarget::Apple => "Apple Music: −16 LUFS, −1 dBTP",
            LoudnessTarget::EbuR128 => "EBU R 128: −23 LUFS, −1 dBTP",
        }
    }

    /// Integrated loudness to reach, LUFS; `None` for [`LoudnessTarget::Off`].
    pub fn loudness_lufs(self) -> Option<f32> {
        match self {
            LoudnessTarget::Off => None,
            LoudnessTarget::Streaming => Some(-14.0),
            LoudnessTarget::Apple => Some(-16.0),
            LoudnessTarget::EbuR128 => Some(-23.0),
        }
    }

    /// True-peak ceiling the gain must keep, dBTP.
    pub fn ceiling_dbtp(self) -> f32 {
        -1.0
    }
}

/// Loudness figures of a stereo programme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS (−∞ when no 400 ms block is above −70 LUFS).
    pub integrated_lufs: f32,
    /// Largest true peak of either channel, dBTP (−∞ for digital silence).
    pub true_peak_dbtp: f32,
}

/// Measures `left` and `right` at `sample_rate_hz`, each sample multiplied by `gain_lin` first.
pub fn measure(left: &[f32], right: &[f32], sample_rate_hz: f32, gain_lin: f32) -> Loudness {
    const CHUNK_FRAMES: usize = 4_096;
    let mut loudness = LoudnessMeter::new();
    loudness.prepare(sample_rate_hz);
    let mut true_peak = TruePeakMeter::new();
    true_peak.prepare(sample_rate_hz);
    let mut peak_lin = 0.0_f32;
    let (mut l, mut r) = (Vec::new(), Vec::new());
    for (left, right) in left.chunks(CHUNK_FRAMES).zip(right.chunks(CHUNK_FRAMES)) {
        l.clear();
        r.clear();
        l.extend(left.iter().map(|x| x * gain_lin));
        r.extend(right.iter().map(|x| x * gain_lin));
        loudness.process(&l, &r);
        let [pl, pr] = true_peak.process(&l, &r);
        peak_lin = peak_lin.max(pl).max(pr);
    }
    let tail = [0.0; TRUE_PEAK_TAIL_FRAMES];
    let [pl, pr] = true_peak.process(&tail, &tail);
    peak_lin = peak_lin.max(pl).max(pr);
    Loudness {
        integrated_lufs: loudness.integrated_lufs(),
        true_peak_dbtp: 20.0 * peak_lin.log10(),
    }
}

/// The gain an export gets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GainPlan {
    /// Gain applied to every sample, dB.
    pub gain_db: f32,
    /// How far the true-peak ceiling kept the result under the target loudness, LU (0 when the
    /// target was reached).
    pub shortfall_lu: f32,
}

impl GainPlan {
    /// The gain as a linear factor.
    pub fn gain_lin(&self) -> f32 {
        10.0_f32.powf(self.gain_db / 20.0)
    }
}

/// Why a mix cannot be normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooQuiet;

impl std::fmt::Display for TooQuiet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the mix is too quiet to measure (below −70 LUFS), so it cannot be normalized; \
             export it with normalization off",
        )
    }
}

/// The gain that takes a programme measured as `measured` to `target_lufs` without its true
/// peak going over `ceiling_dbtp` (less [`CEILING_MARGIN_DB`]); when the ceiling limits it, the
/// largest gain that keeps it. Fails when the programme has no measurable loudness.
pub fn plan_gain(
    measured: Loudness,
    target_lufs: f32,
    ceiling_dbtp: f32,
) -> Result<GainPlan, TooQuiet> {
    if !measured.integrated_lufs.is_finite() {
        return Err(TooQuiet);
    }
    let wanted_db = target_lufs - measured.integrated_lufs;
    let headroom_db = ceiling_dbtp - CEILING_MARGIN_DB - measured.true_peak_dbtp;
    let gain_db = wanted_db.min(headroom_db);
    Ok(GainPlan {
        gain_db,
        shortfall_lu: wanted_db - gain_db,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE_HZ: f32 = 48_000.0;

    /// A stereo 997 Hz sine of peak `amplitude`, `seconds` long, in both channels.
    fn sine(amplitude: f32, seconds: f32) -> Vec<f32> {
        let frames = (seconds * RATE_HZ) as usize;
        (0..frames)
            .map(|n| {
                let phase = 2.0 * std::f64::consts::PI * 997.0 * n as f64 / f64::from(RATE_HZ);
                amplitude * phase.sin() as f32
            })
            .collect()
    }

    /// Reference: EBU Tech 3341, test case 1: a stereo 1 kHz sine at −23 dBFS reads −23 LUFS
    /// (±0.1); its true peak is its amplitude.
    #[test]
    fn measures_a_sine_at_a_known_level() {
        let x = sine(10_f32.powf(-23.0 / 20.0), 20.0);
        let m = measure(&x, &x, RATE_HZ, 1.0);
        assert!((m.integrated_lufs + 23.0).abs() < 0.1, "{m:?}");
        assert!((m.true_peak_dbtp + 23.0).abs() < 0.05, "{m:?}");
        // A gain moves both figures by its dB value.
        let loud = measure(&x, &x, RATE_HZ, 10_f32.powf(9.0 / 20.0));
        assert!((loud.integrated_lufs - m.integrated_lufs - 9.0).abs() < 0.001);
        assert!((loud.true_peak_dbtp - m.true_peak_dbtp - 9.0).abs() < 0.001);
    }

    /// Reference: the target minus the measured loudness, exactly, when the ceiling allows it;
    /// the sine then measures at the target.
    #[test]
    fn reaches_the_target_when_the_ceiling_allows() {
        let x = sine(0.1, 10.0);
        let m = measure(&x, &x, RATE_HZ, 1.0);
        let plan = plan_gain(m, -14.0, -1.0).unwrap();
        assert_eq!(plan.gain_db, -14.0 - m.integrated_lufs);
        assert_eq!(plan.shortfall_lu, 0.0);
        let after = measure(&x, &x, RATE_HZ, plan.gain_lin());
        assert!((after.integrated_lufs + 14.0).abs() < 0.001, "{after:?}");
        // Turning down is never limited.
        let down = plan_gain(m, -40.0, -1.0).unwrap();
        assert_eq!(down.gain_db, -40.0 - m.integrated_lufs);
    }

    /// Reference: a quiet sine with sparse spikes (high crest factor) wants more gain than the
    /// ceiling allows: the gain is the headroom to the ceiling less the margin, and the shortfall
    /// is what is missing.
    #[test]
    fn the_true_peak_ceiling_limits_the_gain() {
        let mut x = sine(0.01, 10.0);
        for n in (1_000..x.len()).step_by(24_000) {
            x[n] = 0.5;
        }
        let m = measure(&x, &x, RATE_HZ, 1.0);
        let plan = plan_gain(m, -14.0, -1.0).unwrap();
        let headroom = -1.0 - CEILING_MARGIN_DB - m.true_peak_dbtp;
        assert_eq!(plan.gain_db, headroom);
        assert!(plan.shortfall_lu > 10.0, "{plan:?}");
        assert_eq!(plan.shortfall_lu, -14.0 - m.integrated_lufs - headroom);
        let after = measure(&x, &x, RATE_HZ, plan.gain_lin());
        assert!(after.true_peak_dbtp <= -1.0, "{after:?}");
        assert!((after.true_peak_dbtp - (-1.0 - CEILING_MARGIN_DB)).abs() < 0.001);
        assert!((after.integrated_lufs - (-14.0 - plan.shortfall_lu)).abs() < 0.01);
    }

    /// Reference: silence has no integrated loudness (below the −70 LUFS absolute gate).
    #[test]
    fn silence_cannot_be_normalized() {
        let x = vec![0.0; 48_000];
        let m = measure(&x, &x, RATE_HZ, 1.0);
        assert_eq!(m.integrated_lufs, f32::NEG_INFINITY);
        assert_eq!(m.true_peak_dbtp, f32::NEG_INFINITY);
        assert_eq!(plan_gain(m, -14.0, -1.0), Err(TooQuiet));
        assert!(LoudnessTarget::ALL
            .iter()
            .all(|t| LoudnessTarget::from_key(t.key()) == Some(*t)));
    }
}
