//! A strip's output gain: the fader and whether the strip is heard (mute, solo), two linear
//! gains smoothed over the table's ramp times. Tracks, buses, returns and the master each have
//! one.

use mixroom_protocol::params::ParamId;
use mixroom_protocol::units::db_to_lin;

use crate::LinearSmoother;

/// The fader and the audible switch.
#[derive(Clone, Debug)]
pub(crate) struct Fader {
    /// The fader, linear.
    pub level: LinearSmoother,
    /// 1 when heard, 0 when muted or silenced by another's solo.
    pub audible: LinearSmoother,
}

impl Fader {
    /// At unity, heard.
    pub fn new() -> Fader {
        Fader {
            level: LinearSmoother::new(1.0),
            audible: LinearSmoother::new(1.0),
        }
    }

    /// Sets the ramps for `sample_rate_hz`, Hz.
    pub fn prepare(&mut self, sample_rate_hz: f32) {
        self.level
            .set_ramp(sample_rate_hz, ParamId::GainDb.spec().smoothing_ms);
        self.audible
            .set_ramp(sample_rate_hz, ParamId::Mute.spec().smoothing_ms);
    }

    /// Jumps both gains to their targets.
    pub fn snap(&mut self) {
        self.level.snap();
        self.audible.snap();
    }

    /// Sets the fader, dB (at or below `SILENCE_DB` it is silence; at most +12). NaN is
    /// ignored.
    pub fn set_gain_db(&mut self, gain_db: f32) {
        if !gain_db.is_nan() {
            self.level
                .set_target(db_to_lin(ParamId::GainDb.spec().clamp(gain_db)));
        }
    }

    /// Sets whether the strip is heard.
    pub fn set_audible(&mut self, audible: bool) {
        self.audible.set_target(if audible { 1.0 } else { 0.0 });
    }
}
