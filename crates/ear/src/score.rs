//! Scores: 10 points for a right answer. An EQ answer loses points as in Moulton's method
//! (D. Moulton, "Golden Ears", 1993): 1 point per octave between the band named and the band
//! hidden (a third of a point per third octave), and 2 more for naming a boost a cut or a cut a
//! boost. Never below 0.

use crate::bands::octaves_between;

/// The points of a right answer.
pub const FULL_POINTS: f32 = 10.0;

/// Points an EQ answer loses per octave off.
pub const POINTS_PER_OCTAVE: f32 = 1.0;

/// Points an EQ answer loses for confusing boost and cut.
pub const DIRECTION_POINTS: f32 = 2.0;

/// Which way an EQ band moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A peak: the band is louder.
    Boost,
    /// A dip: the band is quieter.
    Cut,
}

impl Direction {
    /// The direction of a gain of `gain_db` (0 dB counts as a boost).
    pub fn of(gain_db: f32) -> Direction {
        if gain_db < 0.0 {
            Direction::Cut
        } else {
            Direction::Boost
        }
    }

    /// As its button says it.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Boost => "boost",
            Direction::Cut => "cut",
        }
    }
}

/// The points of naming the band at `named_hz` moved `named`, when the round hid `gain_db` at
/// `hidden_hz`.
pub fn eq_points(named_hz: f32, named: Direction, hidden_hz: f32, gain_db: f32) -> f32 {
    let off = octaves_between(named_hz, hidden_hz) * POINTS_PER_OCTAVE;
    let direction = if named == Direction::of(gain_db) {
        0.0
    } else {
        DIRECTION_POINTS
    };
    (FULL_POINTS - off - direction).max(0.0)
}

/// The points of a gain answer: naming the track that changed and by how much, `named_db`,
/// when it changed by `hidden_db`, with steps of `step_db` between the answers offered. Full
/// points within half a step; 2 points fewer per step beyond; none for the wrong track or the
/// wrong way.
pub fn gain_points(right_track: bool, named_db: f32, hidden_db: f32, step_db: f32) -> f32 {
    if !right_track || (named_db < 0.0) != (hidden_db < 0.0) {
        return 0.0;
    }
    let steps = ((named_db - hidden_db).abs() / step_db.max(f32::EPSILON)).round();
    (FULL_POINTS - 2.0 * steps).max(0.0)
}

/// The largest band error an EQ correction may leave for full points, dB.
pub const CORRECTION_TOLERANCE_DB: f32 = 1.0;

/// The points of an EQ correction that leaves the mix `residual_db` off the original in its
/// worst band, when the hidden change put it `start_db` off: full points within
/// [`CORRECTION_TOLERANCE_DB`], none for leaving it as it was (or worse), in proportion
/// between.
pub fn correction_points(residual_db: f32, start_db: f32) -> f32 {
    if residual_db <= CORRECTION_TOLERANCE_DB {
        return FULL_POINTS;
    }
    let span = (start_db - CORRECTION_TOLERANCE_DB).max(f32::EPSILON);
    (FULL_POINTS * (1.0 - (residual_db - CORRECTION_TOLERANCE_DB) / span)).clamp(0.0, FULL_POINTS)
}

/// The points of an answer that is right or wrong (pan position, compression, reverb amount).
pub fn choice_points(right: bool) -> f32 {
    if right {
        FULL_POINTS
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eq_answer_scores_as_moulton_counts() {
        use Direction::*;
        assert_eq!(eq_points(1_000.0, Boost, 1_000.0, 6.0), 10.0);
        assert_eq!(eq_points(2_000.0, Boost, 1_000.0, 6.0), 9.0);
        assert_eq!(eq_points(500.0, Cut, 1_000.0, -9.0), 9.0);
        assert!((eq_points(1_250.0, Boost, 1_000.0, 6.0) - (10.0 - 1.0 / 3.0)).abs() < 1e-6);
        assert_eq!(eq_points(1_000.0, Cut, 1_000.0, 6.0), 8.0);
        assert_eq!(eq_points(4_000.0, Cut, 1_000.0, 6.0), 6.0);
        assert_eq!(eq_points(16_000.0, Cut, 63.0, 12.0), 0.0);
    }

    #[test]
    fn a_gain_answer_counts_steps_off() {
        assert_eq!(gain_points(true, 3.0, 3.0, 1.0), 10.0);
        assert_eq!(gain_points(true, 4.0, 3.0, 1.0), 8.0);
        assert_eq!(gain_points(true, 3.4, 3.0, 1.0), 10.0);
        assert_eq!(gain_points(true, -3.0, 3.0, 1.0), 0.0);
        assert_eq!(gain_points(false, 3.0, 3.0, 1.0), 0.0);
        assert_eq!(gain_points(true, 6.0, 1.0, 1.0), 0.0);
    }

    #[test]
    fn a_correction_scores_what_it_undid() {
        assert_eq!(correction_points(0.4, 6.0), 10.0);
        assert_eq!(correction_points(1.0, 6.0), 10.0);
        assert!((correction_points(3.5, 6.0) - 5.0).abs() < 1e-5);
        assert_eq!(correction_points(6.0, 6.0), 0.0);
        assert_eq!(correction_points(9.0, 6.0), 0.0);
        // A change too small to need undoing: any result within the tolerance is full marks.
        assert_eq!(correction_points(0.5, 0.8), 10.0);
    }

    #[test]
    fn a_choice_is_all_or_nothing() {
        assert_eq!(choice_points(true), FULL_POINTS);
        assert_eq!(choice_points(false), 0.0);
    }
}
