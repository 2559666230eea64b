//! An EQ frequency round: a peak or dip hidden at one centre of the level's series, drawn from
//! a seed; the student names the band and whether it is a boost or a cut.

use mixroom_protocol::params::ParamId;

use crate::bands::{label, Resolution};
use crate::ladder::eq_level;
use crate::score::{eq_points, Direction, FULL_POINTS};
use crate::Seed;

/// What an EQ round hides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EqRound {
    /// The centre of the peak or dip, Hz.
    pub centre_hz: f32,
    /// Its gain, dB: positive a boost, negative a cut.
    pub gain_db: f32,
    /// The series the answers are offered in.
    pub resolution: Resolution,
}

/// An answer to an EQ round, and what it scored.
#[derive(Clone, Debug, PartialEq)]
pub struct EqVerdict {
    /// The points, 0 to [`FULL_POINTS`].
    pub points: f32,
    /// Whether it was exactly right (band and direction).
    pub right: bool,
    /// What the round hid, as the page says it: "1 kHz boost, +6 dB".
    pub answer: String,
}

impl EqRound {
    /// The round at `level` drawn from `seed`.
    pub fn draw(seed: &mut Seed, level: u8) -> EqRound {
        let level = eq_level(level);
        let centre_hz = *seed.pick(level.resolution.centres());
        let gain_db = if seed.coin() {
            level.gain_db
        } else {
            -level.gain_db
        };
        EqRound {
            centre_hz,
            gain_db,
            resolution: level.resolution,
        }
    }

    /// The bands offered as answers: (centre, Hz; its label).
    pub fn choices(&self) -> Vec<(f32, String)> {
        self.resolution
            .centres()
            .iter()
            .map(|&hz| (hz, label(hz)))
            .collect()
    }

    /// The hidden master parameters that play it: the changed version when `changed` (at
    /// `match_db` of gain, to match the original's loudness), else the flat original.
    pub fn master_params(&self, changed: bool, match_db: f32) -> [(ParamId, f32); 5] {
        [
            (ParamId::EarEqHz, self.centre_hz),
            (ParamId::EarEqGainDb, self.gain_db),
            (ParamId::EarEqQ, self.resolution.q()),
            (ParamId::EarMatchDb, match_db),
            (ParamId::EarOn, if changed { 1.0 } else { 0.0 }),
        ]
    }

    /// Scores naming the band at `named_hz` moved `named`.
    pub fn judge(&self, named_hz: f32, named: Direction) -> EqVerdict {
        let points = eq_points(named_hz, named, self.centre_hz, self.gain_db);
        EqVerdict {
            points,
            right: points == FULL_POINTS,
            answer: self.said(),
        }
    }

    /// What it hides, as the page says it: "1 kHz boost, +6 dB".
    pub fn said(&self) -> String {
        format!(
            "{} {}, {:+.0} dB",
            label(self.centre_hz),
            Direction::of(self.gain_db).label(),
            self.gain_db
        )
        .replace('-', "−")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bands::OCTAVES_HZ;

    #[test]
    fn a_seed_replays_its_round() {
        let draw = |seed| EqRound::draw(&mut Seed::new(seed), 1);
        assert_eq!(draw(3), draw(3));
        let round = draw(3);
        assert!(OCTAVES_HZ.contains(&round.centre_hz));
        assert_eq!(round.gain_db.abs(), 12.0);
        assert_eq!(round.choices().len(), 9);
        // Over many seeds every octave and both directions come up.
        let rounds: Vec<EqRound> = (0..400).map(draw).collect();
        for hz in OCTAVES_HZ {
            assert!(rounds.iter().any(|r| r.centre_hz == hz), "{hz}");
        }
        assert!(rounds.iter().any(|r| r.gain_db < 0.0));
        assert!(rounds.iter().any(|r| r.gain_db > 0.0));
    }

    #[test]
    fn right_scores_10_and_an_octave_off_9() {
        let round = EqRound {
            centre_hz: 1_000.0,
            gain_db: -6.0,
            resolution: Resolution::Octave,
        };
        let right = round.judge(1_000.0, Direction::Cut);
        assert_eq!(right.points, 10.0);
        assert!(right.right);
        assert_eq!(right.answer, "1 kHz cut, −6 dB");
        let off = round.judge(2_000.0, Direction::Cut);
        assert_eq!(off.points, 9.0);
        assert!(!off.right);
        assert_eq!(round.judge(2_000.0, Direction::Boost).points, 7.0);
    }

    #[test]
    fn the_hardest_level_hides_third_octaves() {
        let round = EqRound::draw(&mut Seed::new(11), 5);
        assert_eq!(round.resolution, Resolution::Third);
        assert_eq!(round.gain_db.abs(), 3.0);
        assert_eq!(round.choices().len(), 25);
    }
}
