//! The parameter table: every automatable value of every strip, declared once.
//!
//! UI widgets, session files, the shared parameter block and the engine all read this table.
//! Ids are stable and append-only: a parameter's slots in the parameter block are
//! `id * MAX_STRIPS + strip`, so a new parameter is appended with the next id and no existing slot
//! ever moves.

use crate::strips::{StripIndex, StripKind, MAX_STRIPS};
use crate::units::SILENCE_DB;

/// Stable identifier of a parameter (its position in [`PARAMS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParamId {
    /// Fader gain, dB.
    GainDb = 0,
    /// Pan position, −1 (left) to +1 (right).
    Pan = 1,
    /// Mute toggle.
    Mute = 2,
    /// Solo-in-place toggle.
    Solo = 3,
}

/// How a parameter's value is read and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Gain in dB; the minimum means silence (−∞).
    Decibels,
    /// Pan position, −1 (hard left) to +1 (hard right).
    Pan,
    /// Off (0) or on (1).
    Toggle,
}

/// One row of the parameter table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Stable id; also the index of this row in [`PARAMS`].
    pub id: ParamId,
    /// Stable key used in session files and share links.
    pub key: &'static str,
    /// Name shown to the user.
    pub name: &'static str,
    /// Unit of the plain value.
    pub unit: Unit,
    /// Smallest plain value.
    pub min: f32,
    /// Largest plain value.
    pub max: f32,
    /// Value of a new strip.
    pub default: f32,
    /// Time a change takes to reach its target in the engine, ms (linear ramp).
    pub smoothing_ms: f32,
    /// Whether the parameter exists on tracks.
    pub on_tracks: bool,
    /// Whether the parameter exists on the master.
    pub on_master: bool,
}

/// The parameter table, indexed by [`ParamId`].
pub const PARAMS: [ParamSpec; 4] = [
    ParamSpec {
        id: ParamId::GainDb,
        key: "gain_db",
        name: "Fader",
        unit: Unit::Decibels,
        min: SILENCE_DB,
        max: 12.0,
        default: 0.0,
        smoothing_ms: 20.0,
        on_tracks: true,
        on_master: true,
    },
    ParamSpec {
        id: ParamId::Pan,
        key: "pan",
        name: "Pan",
        unit: Unit::Pan,
        min: -1.0,
        max: 1.0,
        default: 0.0,
        smoothing_ms: 20.0,
        on_tracks: true,
        on_master: false,
    },
    ParamSpec {
        id: ParamId::Mute,
        key: "mute",
        name: "Mute",
        unit: Unit::Toggle,
        min: 0.0,
        max: 1.0,
        default: 0.0,
        smoothing_ms: 10.0,
        on_tracks: true,
        on_master: true,
    },
    ParamSpec {
        id: ParamId::Solo,
        key: "solo",
        name: "Solo",
        unit: Unit::Toggle,
        min: 0.0,
        max: 1.0,
        default: 0.0,
        smoothing_ms: 10.0,
        on_tracks: true,
        on_master: false,
    },
];

/// Number of slots in the parameter block: every parameter for every strip index.
pub const PARAM_SLOTS: usize = PARAMS.len() * MAX_STRIPS;

impl ParamId {
    /// The table row of this parameter.
    pub const fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    /// The parameter with session key `key`.
    pub fn from_key(key: &str) -> Option<ParamId> {
        PARAMS.iter().find(|p| p.key == key).map(|p| p.id)
    }

    /// Slot of this parameter of `strip` in the parameter block.
    pub const fn slot(self, strip: StripIndex) -> usize {
        self as usize * MAX_STRIPS + strip.index()
    }

    /// The parameter and strip that own parameter-block slot `slot`, if it is in range.
    pub fn from_slot(slot: usize) -> Option<(ParamId, StripIndex)> {
        let spec = PARAMS.get(slot / MAX_STRIPS)?;
        let strip = StripIndex::from_index(slot % MAX_STRIPS)?;
        Some((spec.id, strip))
    }
}

impl ParamSpec {
    /// Whether strips of `kind` have this parameter.
    pub const fn applies_to(&self, kind: StripKind) -> bool {
        match kind {
            StripKind::Track => self.on_tracks,
            StripKind::Master => self.on_master,
        }
    }

    /// `value` made valid: clamped to the range, toggles snapped to 0 or 1, and anything not
    /// finite replaced by the default.
    pub fn sanitize(&self, value: f32) -> f32 {
        if !value.is_finite() {
            return self.default;
        }
        let clamped = value.clamp(self.min, self.max);
        match self.unit {
            Unit::Toggle => {
                if clamped >= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
            Unit::Decibels | Unit::Pan => clamped,
        }
    }

    /// The value as a person reads it: "−6.0 dB", "−∞ dB", "L 30%", "C", "on".
    pub fn format(&self, value: f32) -> String {
        match self.unit {
            Unit::Decibels if value <= SILENCE_DB => "−∞ dB".to_owned(),
            Unit::Decibels => format!("{} dB", signed(value, 1)),
            Unit::Pan => {
                let percent = (value * 100.0).round();
                if percent == 0.0 {
                    "C".to_owned()
                } else if percent < 0.0 {
                    format!("L {}%", -percent)
                } else {
                    format!("R {percent}%")
                }
            }
            Unit::Toggle if value >= 0.5 => "on".to_owned(),
            Unit::Toggle => "off".to_owned(),
        }
    }
}

/// `value` with `decimals` places and a typographic minus ("−6.0", "+3.0", "0.0").
fn signed(value: f32, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if zero {
        text
    } else if value < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strips::MAX_TRACKS;

    #[test]
    fn ids_match_table_positions_and_keys_are_unique() {
        for (i, spec) in PARAMS.iter().enumerate() {
            assert_eq!(spec.id as usize, i, "{}", spec.key);
            assert_eq!(ParamId::from_key(spec.key), Some(spec.id));
            assert!(spec.min < spec.max && (spec.min..=spec.max).contains(&spec.default));
        }
        assert_eq!(ParamId::from_key("volume"), None);
    }

    #[test]
    fn slots_are_stable_and_round_trip() {
        // These numbers are part of the shared-memory contract: they must never change.
        assert_eq!(ParamId::GainDb.slot(StripIndex::track(0).unwrap()), 0);
        assert_eq!(ParamId::Pan.slot(StripIndex::track(3).unwrap()), 131);
        assert_eq!(ParamId::GainDb.slot(StripIndex::MASTER), 127);
        assert_eq!(PARAM_SLOTS, 512);
        for spec in &PARAMS {
            for strip in StripIndex::all() {
                assert_eq!(
                    ParamId::from_slot(spec.id.slot(strip)),
                    Some((spec.id, strip))
                );
            }
        }
        assert_eq!(ParamId::from_slot(MAX_TRACKS), None);
        assert_eq!(ParamId::from_slot(PARAM_SLOTS), None);
    }

    #[test]
    fn sanitizes_and_formats() {
        let gain = ParamId::GainDb.spec();
        assert_eq!(gain.sanitize(f32::NAN), 0.0);
        assert_eq!(gain.sanitize(40.0), 12.0);
        assert_eq!(gain.sanitize(f32::NEG_INFINITY), 0.0);
        assert_eq!(gain.format(-6.0), "−6.0 dB");
        assert_eq!(gain.format(3.04), "+3.0 dB");
        assert_eq!(gain.format(0.0), "0.0 dB");
        assert_eq!(gain.format(-0.01), "0.0 dB");
        assert_eq!(gain.format(SILENCE_DB), "−∞ dB");
        let pan = ParamId::Pan.spec();
        assert_eq!(pan.format(0.0), "C");
        assert_eq!(pan.format(-0.3), "L 30%");
        assert_eq!(pan.format(1.0), "R 100%");
        let mute = ParamId::Mute.spec();
        assert_eq!(mute.sanitize(0.7), 1.0);
        assert_eq!(mute.format(1.0), "on");
        assert!(!ParamId::Solo.spec().applies_to(StripKind::Master));
    }
}
