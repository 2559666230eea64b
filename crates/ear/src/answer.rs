//! A lesson's ear-training goal judged from a hand-in: the round the goal holds (a
//! [`Challenge`]) and what the student answered to it (an [`EarAnswer`]), scored as the page
//! scores the round when it is played. The same in the page's check, the class table and
//! `mixroom check`.

use mixroom_protocol::lesson::EarAnswer;

use crate::bands::label;
use crate::challenge::Challenge;
use crate::eq::EqRound;
use crate::ladder::eq_level;
use crate::progress::Exercise;
use crate::score::Direction;
use crate::track::TrackRound;

/// An answer judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    /// Points, of [`crate::score::FULL_POINTS`].
    pub points: f32,
    /// What the round hid, as the page says it: "1 kHz boost, +12 dB", "−3 dB".
    pub hidden: String,
    /// What was answered, as the page says it: "2 kHz boost", "+3 dB".
    pub named: String,
    /// For gain: the track named, by its index in the mix (the round's is [`Challenge::track`]).
    pub named_track: Option<usize>,
}

/// Why an answer cannot be judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerError {
    /// The exercise is answered by the mix itself (EQ correction), not by a choice.
    ByTheMix,
    /// The answer is not one the round offers (a band, a value or a track missing or not
    /// among its choices).
    NotOffered,
}

impl std::fmt::Display for AnswerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerError::ByTheMix => write!(f, "an EQ correction is answered by the mix"),
            AnswerError::NotOffered => write!(f, "the answer is not one the round offers"),
        }
    }
}

impl Challenge {
    /// The peak or dip an EQ exercise hides (`None` for a track exercise).
    pub fn eq_round(&self) -> Option<EqRound> {
        let (centre_hz, gain_db) = (self.centre_hz?, self.gain_db?);
        matches!(
            self.exercise,
            Exercise::EqFrequency | Exercise::EqCorrection
        )
        .then(|| EqRound {
            centre_hz,
            gain_db,
            resolution: eq_level(self.level).resolution,
        })
    }

    /// The round a track exercise hides, on the mix's track [`Challenge::track`] (`None` for
    /// an EQ exercise).
    pub fn track_round(&self) -> Option<TrackRound> {
        TrackRound::fixed(self.exercise, self.level, self.track?, self.value?)
    }

    /// Judges `answer` to this round.
    pub fn judge(&self, answer: &EarAnswer) -> Result<Judged, AnswerError> {
        match self.exercise {
            Exercise::EqCorrection => Err(AnswerError::ByTheMix),
            Exercise::EqFrequency => {
                let round = self.eq_round().ok_or(AnswerError::NotOffered)?;
                let named_hz = answer.centre_hz.ok_or(AnswerError::NotOffered)?;
                let boost = answer.boost.ok_or(AnswerError::NotOffered)?;
                if !round.resolution.centres().contains(&named_hz) {
                    return Err(AnswerError::NotOffered);
                }
                let direction = if boost {
                    Direction::Boost
                } else {
                    Direction::Cut
                };
                let verdict = round.judge(named_hz, direction);
                Ok(Judged {
                    points: verdict.points,
                    hidden: verdict.answer,
                    named: format!("{} {}", label(named_hz), direction.label()),
                    named_track: None,
                })
            }
            _ => {
                let round = self.track_round().ok_or(AnswerError::NotOffered)?;
                let value = answer.value.ok_or(AnswerError::NotOffered)?;
                let named = round.label(value);
                if named.is_empty() {
                    return Err(AnswerError::NotOffered);
                }
                let named_track = match self.exercise {
                    Exercise::Gain => Some(answer.track.ok_or(AnswerError::NotOffered)?),
                    _ => None,
                };
                let verdict = round.judge(named_track.unwrap_or(round.track), value);
                Ok(Judged {
                    points: verdict.points,
                    hidden: round.answer(),
                    named,
                    named_track,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(
        centre_hz: Option<f32>,
        boost: Option<bool>,
        track: Option<usize>,
        value: Option<f32>,
    ) -> EarAnswer {
        EarAnswer {
            goal: "ear".into(),
            centre_hz,
            boost,
            track,
            value,
        }
    }

    #[test]
    fn an_answer_scores_as_the_round_played_in_the_page() {
        let eq = Challenge {
            exercise: Exercise::EqFrequency,
            level: 1,
            centre_hz: Some(63.0),
            gain_db: Some(12.0),
            track: None,
            value: None,
        };
        let right = eq
            .judge(&answer(Some(63.0), Some(true), None, None))
            .unwrap();
        assert_eq!(
            (right.points, right.hidden.as_str()),
            (10.0, "63 Hz boost, +12 dB")
        );
        let off = eq
            .judge(&answer(Some(125.0), Some(true), None, None))
            .unwrap();
        assert_eq!((off.points, off.named.as_str()), (9.0, "125 Hz boost"));
        let wrong_way = eq
            .judge(&answer(Some(63.0), Some(false), None, None))
            .unwrap();
        assert_eq!(wrong_way.points, 8.0);
        for unfit in [
            answer(Some(80.0), Some(true), None, None),
            answer(Some(63.0), None, None, None),
            answer(None, None, None, Some(63.0)),
        ] {
            assert_eq!(eq.judge(&unfit), Err(AnswerError::NotOffered), "{unfit:?}");
        }
        let correction = Challenge {
            exercise: Exercise::EqCorrection,
            ..eq
        };
        assert_eq!(
            correction.judge(&answer(Some(63.0), Some(true), None, None)),
            Err(AnswerError::ByTheMix)
        );

        let gain = Challenge {
            exercise: Exercise::Gain,
            level: 1,
            centre_hz: None,
            gain_db: None,
            track: Some(2),
            value: Some(-6.0),
        };
        let right = gain
            .judge(&answer(None, None, Some(2), Some(-6.0)))
            .unwrap();
        assert_eq!((right.points, right.named_track), (10.0, Some(2)));
        let other_track = gain
            .judge(&answer(None, None, Some(1), Some(-6.0)))
            .unwrap();
        assert_eq!(other_track.points, 0.0);
        assert_eq!(
            gain.judge(&answer(None, None, None, Some(-6.0))),
            Err(AnswerError::NotOffered),
            "a gain answer names its track"
        );
        assert_eq!(
            gain.judge(&answer(None, None, Some(2), Some(-5.5))),
            Err(AnswerError::NotOffered)
        );
        let pan = Challenge {
            exercise: Exercise::Pan,
            value: Some(-1.0),
            ..gain
        };
        assert_eq!(
            pan.judge(&answer(None, None, None, Some(-1.0)))
                .unwrap()
                .points,
            10.0
        );
        assert_eq!(
            pan.judge(&answer(None, None, None, Some(0.0)))
                .unwrap()
                .points,
            0.0
        );
    }
}
