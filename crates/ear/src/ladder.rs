//! The difficulty of an exercise, one level per exercise: up one after [`RIGHT_TO_CLIMB`] right
//! answers in a row, down one after a miss, between 1 and [`MAX_LEVEL`]. Each level sets how
//! fine the exercise is: an EQ round goes from octaves at ±12 dB to third octaves at ±3 dB.

use crate::bands::Resolution;

/// The easiest level.
pub const MIN_LEVEL: u8 = 1;

/// The hardest level.
pub const MAX_LEVEL: u8 = 5;

/// Right answers in a row that move a student up a level.
pub const RIGHT_TO_CLIMB: u8 = 2;

/// A student's level in one exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ladder {
    level: u8,
    streak: u8,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder::at(MIN_LEVEL)
    }
}

impl Ladder {
    /// At `level` (clamped to the ladder), with no answers in a row yet.
    pub fn at(level: u8) -> Ladder {
        Ladder {
            level: level.clamp(MIN_LEVEL, MAX_LEVEL),
            streak: 0,
        }
    }

    /// The level now.
    pub fn level(self) -> u8 {
        self.level
    }

    /// After an answer: `right` ones in a row climb, a miss steps down.
    pub fn after(self, right: bool) -> Ladder {
        if right {
            let streak = self.streak + 1;
            if streak >= RIGHT_TO_CLIMB && self.level < MAX_LEVEL {
                Ladder::at(self.level + 1)
            } else {
                Ladder {
                    streak: streak.min(RIGHT_TO_CLIMB),
                    ..self
                }
            }
        } else {
            Ladder::at(self.level.saturating_sub(1))
        }
    }
}

/// What an EQ round at a level hides: how fine its centres are, and how large its peak or dip.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EqLevel {
    /// The centres it picks from.
    pub resolution: Resolution,
    /// The size of the peak or dip, dB (its sign is chosen per round).
    pub gain_db: f32,
}

/// The EQ round at `level`: octaves at ±12, ±9 and ±6 dB, then third octaves at ±6 and ±3 dB.
pub fn eq_level(level: u8) -> EqLevel {
    let (resolution, gain_db) = match level.clamp(MIN_LEVEL, MAX_LEVEL) {
        1 => (Resolution::Octave, 12.0),
        2 => (Resolution::Octave, 9.0),
        3 => (Resolution::Octave, 6.0),
        4 => (Resolution::Third, 6.0),
        _ => (Resolution::Third, 3.0),
    };
    EqLevel {
        resolution,
        gain_db,
    }
}

/// The steps between the answers of a gain round at `level`, dB: 6, 4, 3, 2, then 1 dB (the
/// change is a whole number of steps from 1 to 6 dB).
pub fn gain_step_db(level: u8) -> f32 {
    match level.clamp(MIN_LEVEL, MAX_LEVEL) {
        1 => 6.0,
        2 => 4.0,
        3 => 3.0,
        4 => 2.0,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_right_climb_and_a_miss_steps_down() {
        let start = Ladder::default();
        assert_eq!(start.level(), 1);
        let once = start.after(true);
        assert_eq!(once.level(), 1);
        let twice = once.after(true);
        assert_eq!(twice.level(), 2);
        // The streak starts again on the new level.
        assert_eq!(twice.after(true).level(), 2);
        assert_eq!(twice.after(false).level(), 1);
        assert_eq!(start.after(false).level(), 1);
        let mut top = Ladder::at(9);
        assert_eq!(top.level(), MAX_LEVEL);
        for _ in 0..5 {
            top = top.after(true);
        }
        assert_eq!(top.level(), MAX_LEVEL);
    }

    #[test]
    fn harder_levels_are_finer() {
        let levels: Vec<EqLevel> = (MIN_LEVEL..=MAX_LEVEL).map(eq_level).collect();
        assert_eq!(levels[0].resolution, Resolution::Octave);
        assert_eq!(levels[4].resolution, Resolution::Third);
        assert!(levels.windows(2).all(|w| w[1].gain_db <= w[0].gain_db));
        assert!((MIN_LEVEL..MAX_LEVEL).all(|l| gain_step_db(l + 1) < gain_step_db(l)));
        assert_eq!(gain_step_db(MAX_LEVEL), 1.0);
    }
}
