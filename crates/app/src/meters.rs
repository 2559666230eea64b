//! Meter ballistics, applied by the UI to the engine's raw per-quantum figures.
//!
//! - Peak: instant attack, falls at [`PEAK_FALL_DB_PER_S`] (a digital peak meter, as in
//!   IEC 60268-18).
//! - Peak hold: the highest peak stays for [`HOLD_S`], then falls like the peak.
//! - RMS: exponential average of the mean square with time constant [`RMS_TAU_S`].
//! - Clip: latched once a sample reaches full scale, until cleared.

use mixroom_protocol::layout::meter_block::StripFigures;
use mixroom_protocol::units::{lin_to_db, power_to_db, SILENCE_DB};

/// How fast the peak and the hold fall, dB per second.
pub const PEAK_FALL_DB_PER_S: f32 = 20.0;
/// How long a new maximum is held, seconds.
pub const HOLD_S: f32 = 1.5;
/// Time constant of the RMS average, seconds.
pub const RMS_TAU_S: f32 = 0.3;

/// Ballistics of one channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelMeter {
    peak_db: f32,
    hold_db: f32,
    hold_left_s: f32,
    mean_square: f32,
    clipped: bool,
}

impl Default for ChannelMeter {
    fn default() -> Self {
        ChannelMeter {
            peak_db: SILENCE_DB,
            hold_db: SILENCE_DB,
            hold_left_s: 0.0,
            mean_square: 0.0,
            clipped: false,
        }
    }
}

impl ChannelMeter {
    /// Folds in `dt_s` seconds during which the largest sample was `peak_lin` and the mean
    /// square `mean_square`.
    pub fn update(&mut self, peak_lin: f32, mean_square: f32, dt_s: f32) {
        let fall = PEAK_FALL_DB_PER_S * dt_s;
        let peak_db = lin_to_db(peak_lin);
        self.peak_db = peak_db.max(self.peak_db - fall).max(SILENCE_DB);
        if peak_db >= self.hold_db {
            self.hold_db = peak_db;
            self.hold_left_s = HOLD_S;
        } else if self.hold_left_s > 0.0 {
            self.hold_left_s = (self.hold_left_s - dt_s).max(0.0);
        } else {
            self.hold_db = (self.hold_db - fall).max(self.peak_db);
        }
        let alpha = 1.0 - (-dt_s / RMS_TAU_S).exp();
        self.mean_square += alpha * (mean_square - self.mean_square);
        if peak_lin >= 1.0 {
            self.clipped = true;
        }
    }

    /// The displayed peak, dB.
    pub fn peak_db(&self) -> f32 {
        self.peak_db
    }

    /// The held peak, dB.
    pub fn hold_db(&self) -> f32 {
        self.hold_db
    }

    /// The RMS level, dB.
    pub fn rms_db(&self) -> f32 {
        power_to_db(self.mean_square)
    }

    /// Whether a sample reached full scale (until [`Self::clear_clip`]).
    pub fn clipped(&self) -> bool {
        self.clipped
    }

    /// Clears the clip indicator.
    pub fn clear_clip(&mut self) {
        self.clipped = false;
    }
}

/// Ballistics of a stereo strip.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StripMeter {
    /// Left and right.
    pub channels: [ChannelMeter; 2],
}

impl StripMeter {
    /// Folds in raw figures covering `dt_s` seconds.
    pub fn update(&mut self, figures: &StripFigures, dt_s: f32) {
        for (ch, meter) in self.channels.iter_mut().enumerate() {
            meter.update(figures.peak[ch], figures.mean_square[ch], dt_s);
        }
    }

    /// The louder channel's RMS, dB.
    pub fn rms_db(&self) -> f32 {
        self.channels[0].rms_db().max(self.channels[1].rms_db())
    }

    /// The louder channel's peak, dB.
    pub fn peak_db(&self) -> f32 {
        self.channels[0].peak_db().max(self.channels[1].peak_db())
    }
}

/// Raw figures of several quanta merged into one: largest peak, frame-weighted mean square.
#[derive(Clone, Copy, Debug, Default)]
pub struct FigureSum {
    peak: [f32; 2],
    energy: [f32; 2],
    frames: usize,
}

impl FigureSum {
    /// Adds the figures of a quantum of `frames` frames.
    pub fn add(&mut self, figures: &StripFigures, frames: usize) {
        for ch in 0..2 {
            self.peak[ch] = self.peak[ch].max(figures.peak[ch]);
            self.energy[ch] += figures.mean_square[ch] * frames as f32;
        }
        self.frames += frames;
    }

    /// Number of frames added.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The merged figures.
    pub fn figures(&self) -> StripFigures {
        let n = self.frames.max(1) as f32;
        StripFigures {
            peak: self.peak,
            mean_square: [self.energy[0] / n, self.energy[1] / n],
            ..StripFigures::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_attacks_at_once_holds_then_falls_at_the_set_rate() {
        let mut m = ChannelMeter::default();
        m.update(0.5, 0.0, 0.01);
        assert!((m.peak_db() + 6.02).abs() < 0.01);
        for _ in 0..100 {
            m.update(0.0, 0.0, 0.01); // 1 s of silence
        }
        assert!(
            (m.peak_db() - (-6.02 - 20.0)).abs() < 0.01,
            "{}",
            m.peak_db()
        );
        assert!((m.hold_db() + 6.02).abs() < 0.01, "held for 1.5 s");
        for _ in 0..100 {
            m.update(0.0, 0.0, 0.01);
        }
        assert!(m.hold_db() < -6.02 - 9.0, "then falls: {}", m.hold_db());
    }

    #[test]
    fn rms_settles_on_the_mean_square_and_clip_latches() {
        let mut m = ChannelMeter::default();
        for _ in 0..300 {
            m.update(0.9, 0.25, 0.01); // 3 s = 10 time constants
        }
        assert!((m.rms_db() + 6.02).abs() < 0.01, "{}", m.rms_db());
        assert!(!m.clipped());
        m.update(1.0, 0.25, 0.01);
        m.update(0.1, 0.25, 0.01);
        assert!(m.clipped(), "stays lit after the peak");
    }

    #[test]
    fn figure_sums_weight_by_frames() {
        let mut sum = FigureSum::default();
        let a = StripFigures {
            peak: [0.5, 0.1],
            mean_square: [0.1, 0.0],
            ..StripFigures::default()
        };
        let b = StripFigures {
            peak: [0.2, 0.3],
            mean_square: [0.4, 0.2],
            ..StripFigures::default()
        };
        sum.add(&a, 128);
        sum.add(&b, 384);
        let f = sum.figures();
        assert_eq!(f.peak, [0.5, 0.3]);
        assert!((f.mean_square[0] - 0.325).abs() < 1e-6 && (f.mean_square[1] - 0.15).abs() < 1e-6);
        assert_eq!(sum.frames(), 512);
    }
}
