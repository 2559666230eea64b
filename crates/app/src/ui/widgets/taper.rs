//! How a parameter's value maps to a control's travel (0 at the bottom or left, 1 at the top or
//! right), and how far one key press moves it.
//!
//! - Gains that reach −∞ (faders, sends) follow a fifth-power law, gain = travel⁵ · max, which
//!   spreads the useful range like a console fader: with +12 dB on top, 0 dB sits at 76% of the
//!   travel, −20 dB at 48%, −60 dB at 19%; the bottom is −∞.
//! - Frequencies and times (when their range starts above 0) and ratios are logarithmic.
//! - Everything else is linear.

use mixroom_protocol::params::{ParamSpec, Unit};
use mixroom_protocol::units::{db_to_lin, lin_to_db, SILENCE_DB};

/// Exponent of the fader law.
const FADER_POWER: f32 = 5.0;

/// The mapping of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Taper {
    /// Fifth-power law on linear gain; the bottom is −∞.
    Fader {
        /// Gain at the top, dB.
        max_db: f32,
    },
    /// Logarithmic between two positive ends.
    Log {
        /// Value at the bottom.
        min: f32,
        /// Value at the top.
        max: f32,
    },
    /// Linear between two ends.
    Linear {
        /// Value at the bottom.
        min: f32,
        /// Value at the top.
        max: f32,
    },
}

impl Taper {
    /// The taper that suits `spec`.
    pub fn of(spec: &ParamSpec) -> Taper {
        match spec.unit {
            Unit::Decibels if spec.min <= SILENCE_DB => Taper::Fader { max_db: spec.max },
            Unit::Hertz | Unit::Milliseconds | Unit::Seconds | Unit::Ratio if spec.min > 0.0 => {
                Taper::Log {
                    min: spec.min,
                    max: spec.max,
                }
            }
            _ => Taper::Linear {
                min: spec.min,
                max: spec.max,
            },
        }
    }

    /// Travel (0..1) of `value`.
    pub fn to_travel(self, value: f32) -> f32 {
        let t = match self {
            Taper::Fader { max_db } => {
                if value <= SILENCE_DB {
                    0.0
                } else {
                    (db_to_lin(value) / db_to_lin(max_db)).powf(1.0 / FADER_POWER)
                }
            }
            Taper::Log { min, max } => (value / min).ln() / (max / min).ln(),
            Taper::Linear { min, max } => (value - min) / (max - min),
        };
        t.clamp(0.0, 1.0)
    }

    /// Value at `travel` (clamped to 0..1).
    pub fn value_at(self, travel: f32) -> f32 {
        let t = travel.clamp(0.0, 1.0);
        match self {
            Taper::Fader { max_db } => {
                if t <= 0.0 {
                    SILENCE_DB
                } else {
                    lin_to_db(t.powf(FADER_POWER) * db_to_lin(max_db))
                }
            }
            Taper::Log { min, max } => min * (max / min).powf(t),
            Taper::Linear { min, max } => min + t * (max - min),
        }
    }
}

/// One key press: `fine` with Shift, `page` with Page Up/Down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// Arrow keys.
    Normal,
    /// Shift + arrow keys.
    Fine,
    /// Page Up / Page Down.
    Page,
}

/// The value one key press moves `value` to (`up` or down), for `spec`.
pub fn step(spec: &ParamSpec, value: f32, up: bool, size: Step) -> f32 {
    let sign = if up { 1.0 } else { -1.0 };
    let taper = Taper::of(spec);
    let next = match (spec.unit, taper) {
        (Unit::Toggle | Unit::Choice(_), _) => value + sign,
        (Unit::Decibels | Unit::DecibelsTruePeak, _) => {
            let db = match size {
                Step::Normal => 0.5,
                Step::Fine => 0.1,
                Step::Page => 6.0,
            };
            if value <= SILENCE_DB && up {
                // From −∞ the first step up lands on a level you can hear.
                -60.0_f32.max(spec.min)
            } else {
                let next = value + sign * db;
                if next < -60.0 && matches!(taper, Taper::Fader { .. }) && !up {
                    SILENCE_DB
                } else {
                    next
                }
            }
        }
        (Unit::Pan | Unit::Percent, _) => {
            let span = spec.max - spec.min;
            value
                + sign
                    * span
                    * match size {
                        Step::Normal => 0.01,
                        Step::Fine => 0.001,
                        Step::Page => 0.1,
                    }
        }
        _ => {
            let travel = taper.to_travel(value)
                + sign
                    * match size {
                        Step::Normal => 0.01,
                        Step::Fine => 0.001,
                        Step::Page => 0.1,
                    };
            taper.value_at(travel)
        }
    };
    spec.sanitize(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::params::ParamId;

    #[test]
    fn fader_law_places_familiar_levels() {
        let fader = Taper::of(ParamId::GainDb.spec());
        assert_eq!(fader, Taper::Fader { max_db: 12.0 });
        assert!((fader.to_travel(0.0) - 0.759).abs() < 0.002);
        assert!((fader.to_travel(-20.0) - 0.479).abs() < 0.002);
        assert!((fader.to_travel(-60.0) - 0.190).abs() < 0.002);
        assert_eq!(fader.to_travel(SILENCE_DB), 0.0);
        assert_eq!(fader.to_travel(12.0), 1.0);
        for db in [-50.0, -12.0, -3.0, 0.0, 6.0] {
            assert!(
                (fader.value_at(fader.to_travel(db)) - db).abs() < 1e-3,
                "{db}"
            );
        }
        assert_eq!(fader.value_at(0.0), SILENCE_DB);
    }

    #[test]
    fn frequencies_are_logarithmic_and_pans_linear() {
        let hz = Taper::of(ParamId::Eq2Hz.spec());
        assert!(
            (hz.to_travel(632.5) - 0.5).abs() < 0.001,
            "√(20 · 20 000) is the middle"
        );
        let pan = Taper::of(ParamId::Pan.spec());
        assert_eq!(pan.to_travel(0.0), 0.5);
    }

    #[test]
    fn key_steps_are_half_decibels_percents_and_hundredths() {
        let gain = ParamId::GainDb.spec();
        let mut v = 0.0;
        for _ in 0..12 {
            v = step(gain, v, false, Step::Normal);
        }
        assert_eq!(v, -6.0, "twelve presses down is −6 dB");
        assert_eq!(step(gain, 0.0, true, Step::Page), 6.0);
        assert_eq!(step(gain, 12.0, true, Step::Normal), 12.0, "clamped");
        assert_eq!(
            step(gain, -60.0, false, Step::Normal),
            SILENCE_DB,
            "below −60 is −∞"
        );
        assert_eq!(step(gain, SILENCE_DB, true, Step::Normal), -60.0);
        let pan = ParamId::Pan.spec();
        assert!(
            (step(pan, 0.0, true, Step::Normal) - 0.02).abs() < 1e-6,
            "1% of the travel"
        );
        let hz = ParamId::Eq2Hz.spec();
        let up = step(hz, 1_000.0, true, Step::Normal);
        assert!((up / 1_000.0 - 1000f32.powf(0.01)).abs() < 1e-3);
        let kind = ParamId::Eq1Type.spec();
        assert_eq!(step(kind, 1.0, true, Step::Normal), 2.0);
    }
}
