//! Ear training's hidden change on one track: while the changed version plays (`EarOn` on the
//! master), the track plays some of its settings moved (its fader, pan, compressor or send 1),
//! through the same smoothing as the settings themselves, so a switch does not click. The
//! flat original is the track as set.

use mixroom_protocol::params::{ParamId, TrackChange};
use mixroom_protocol::units::SILENCE_DB;

/// The settings a hidden track change may move: what the engine hands the strip again when
/// the change or the switch moves.
pub const MOVED: [ParamId; 10] = [
    ParamId::GainDb,
    ParamId::Pan,
    ParamId::Send1Db,
    ParamId::CompBypass,
    ParamId::CompThresholdDb,
    ParamId::CompRatio,
    ParamId::CompKneeDb,
    ParamId::CompAttackMs,
    ParamId::CompReleaseMs,
    ParamId::CompMakeupDb,
];

/// A hidden change on a track, as its hidden parameters set it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HiddenTrackChange {
    /// What it changes.
    pub change: TrackChange,
    /// By how much: dB for the fader (added) and send 1 (set), the position for the pan
    /// (−1..1), the threshold for compression, dBFS.
    pub amount: f32,
    /// The compression's make-up, dB.
    pub makeup_db: f32,
}

impl HiddenTrackChange {
    /// The value the strip plays for `param` while the change is heard, its own being `own`.
    pub fn setting(&self, param: ParamId, own: f32) -> f32 {
        let heavy = self.change == TrackChange::HeavyCompression;
        match (self.change, param) {
            (TrackChange::Gain, ParamId::GainDb) if own > SILENCE_DB => own + self.amount,
            (TrackChange::Pan, ParamId::Pan) => self.amount.clamp(-1.0, 1.0),
            (TrackChange::Send1, ParamId::Send1Db) => self.amount,
            (TrackChange::LightCompression | TrackChange::HeavyCompression, _) => match param {
                ParamId::CompBypass => 0.0,
                ParamId::CompThresholdDb => self.amount,
                ParamId::CompRatio => {
                    if heavy {
                        8.0
                    } else {
                        2.0
                    }
                }
                ParamId::CompKneeDb => {
                    if heavy {
                        3.0
                    } else {
                        6.0
                    }
                }
                ParamId::CompAttackMs => {
                    if heavy {
                        2.0
                    } else {
                        15.0
                    }
                }
                ParamId::CompReleaseMs => {
                    if heavy {
                        60.0
                    } else {
                        150.0
                    }
                }
                ParamId::CompMakeupDb => self.makeup_db,
                _ => own,
            },
            _ => own,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_moves_only_its_settings() {
        let gain = HiddenTrackChange {
            change: TrackChange::Gain,
            amount: -3.0,
            makeup_db: 0.0,
        };
        assert_eq!(gain.setting(ParamId::GainDb, -6.0), -9.0);
        assert_eq!(gain.setting(ParamId::GainDb, SILENCE_DB), SILENCE_DB);
        assert_eq!(gain.setting(ParamId::Pan, 0.5), 0.5);
        let pan = HiddenTrackChange {
            change: TrackChange::Pan,
            amount: -1.0,
            ..gain
        };
        assert_eq!(pan.setting(ParamId::Pan, 0.0), -1.0);
        assert_eq!(pan.setting(ParamId::GainDb, -6.0), -6.0);
        let heavy = HiddenTrackChange {
            change: TrackChange::HeavyCompression,
            amount: -30.0,
            makeup_db: 7.5,
        };
        assert_eq!(heavy.setting(ParamId::CompBypass, 1.0), 0.0);
        assert_eq!(heavy.setting(ParamId::CompThresholdDb, 0.0), -30.0);
        assert_eq!(heavy.setting(ParamId::CompRatio, 1.0), 8.0);
        assert_eq!(heavy.setting(ParamId::CompMakeupDb, 0.0), 7.5);
        assert_eq!(heavy.setting(ParamId::GainDb, -6.0), -6.0);
        for param in MOVED {
            let none = HiddenTrackChange {
                change: TrackChange::None,
                ..heavy
            };
            assert_eq!(none.setting(param, 0.25), 0.25);
        }
    }
}
