//! The track exercises: which track changed and by how much (gain), where a track sits (pan),
//! how much compression is on a track, and how much reverb it is sent (space). A round picks
//! a track from the ones that can be heard and a change from the choices of its level; the
//! engine plays the change on that track (`mixroom_protocol::params::TrackChange`).

use mixroom_protocol::params::TrackChange;
use mixroom_protocol::units::SILENCE_DB;

use crate::ladder::gain_step_db;
use crate::progress::Exercise;
use crate::score::{choice_points, gain_points, FULL_POINTS};
use crate::Seed;

/// The largest hidden gain change, dB.
pub const MAX_GAIN_DB: f32 = 6.0;

/// A track exercise's round.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackRound {
    /// The exercise.
    pub exercise: Exercise,
    /// The track changed: its position among the tracks offered to [`TrackRound::draw`].
    pub track: usize,
    /// The hidden answer: dB for gain (added to the fader) and space (send 1), the position
    /// for pan (−1..1), 0/1/2 for no, light and heavy compression.
    pub value: f32,
    /// The answers offered, with their labels, in order.
    pub choices: Vec<(f32, String)>,
    /// For gain, the step between the answers, dB.
    pub step_db: f32,
}

/// A track round's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackVerdict {
    /// Points, of [`FULL_POINTS`].
    pub points: f32,
    /// Whether it earned full points.
    pub right: bool,
}

impl TrackRound {
    /// Draws a round of `exercise` at `level` on one of `tracks` tracks (at least one), or none
    /// for an exercise that is not a track exercise.
    pub fn draw(
        seed: &mut Seed,
        exercise: Exercise,
        level: u8,
        tracks: usize,
    ) -> Option<TrackRound> {
        let choices = choices(exercise, level)?;
        let track = seed.below(tracks.max(1));
        let step_db = gain_step_db(level);
        let value = if exercise == Exercise::Gain {
            // Never 0 dB: a gain round always changes something.
            let moves: Vec<f32> = choices.iter().map(|c| c.0).filter(|v| *v != 0.0).collect();
            *seed.pick(&moves)
        } else {
            seed.pick(&choices).0
        };
        Some(TrackRound {
            exercise,
            track,
            value,
            choices,
            step_db,
        })
    }

    /// The round of `exercise` at `level` that hides `value` on the track at position `track`
    /// (a challenge's), if the exercise offers that answer there.
    pub fn fixed(exercise: Exercise, level: u8, track: usize, value: f32) -> Option<TrackRound> {
        let choices = choices(exercise, level)?;
        let offered =
            choices.iter().any(|c| c.0 == value) && !(exercise == Exercise::Gain && value == 0.0);
        offered.then(|| TrackRound {
            exercise,
            track,
            value,
            choices,
            step_db: gain_step_db(level),
        })
    }

    /// The label of the hidden answer.
    pub fn answer(&self) -> String {
        label_of(&self.choices, self.value)
    }

    /// The label of answer `value`.
    pub fn label(&self, value: f32) -> String {
        label_of(&self.choices, value)
    }

    /// Judges naming track `track` (for gain; the other exercises name the track themselves)
    /// and answer `value`.
    pub fn judge(&self, track: usize, value: f32) -> TrackVerdict {
        let points = match self.exercise {
            Exercise::Gain => gain_points(track == self.track, value, self.value, self.step_db),
            _ => choice_points(value == self.value),
        };
        TrackVerdict {
            points,
            right: points == FULL_POINTS,
        }
    }

    /// What the engine plays on the track: the change, and its amount (for compression the
    /// page sets the threshold itself, from the track's level).
    pub fn change(&self) -> (TrackChange, f32) {
        match self.exercise {
            Exercise::Gain => (TrackChange::Gain, self.value),
            Exercise::Pan => (TrackChange::Pan, self.value),
            Exercise::Space => (TrackChange::Send1, self.value),
            _ => match self.value as i32 {
                1 => (TrackChange::LightCompression, 0.0),
                2 => (TrackChange::HeavyCompression, 0.0),
                _ => (TrackChange::None, 0.0),
            },
        }
    }
}

fn label_of(choices: &[(f32, String)], value: f32) -> String {
    choices
        .iter()
        .find(|c| c.0 == value)
        .map_or_else(String::new, |c| c.1.clone())
}

/// The answers `exercise` offers at `level`, with their labels (none for an exercise that is
/// not a track exercise).
pub fn choices(exercise: Exercise, level: u8) -> Option<Vec<(f32, String)>> {
    let words = |pairs: &[(f32, &str)]| pairs.iter().map(|&(v, l)| (v, l.to_owned())).collect();
    Some(match exercise {
        Exercise::Gain => {
            let step = gain_step_db(level);
            let steps = (MAX_GAIN_DB / step).floor() as i32;
            (-steps..=steps)
                .filter(|&k| k != 0)
                .map(|k| {
                    let db = k as f32 * step;
                    (db, format!("{db:+} dB").replace('-', "−"))
                })
                .collect()
        }
        Exercise::Pan if level <= 2 => words(&[
            (-1.0, "left"),
            (-0.5, "half left"),
            (0.0, "centre"),
            (0.5, "half right"),
            (1.0, "right"),
        ]),
        Exercise::Pan => words(&[
            (-1.0, "left"),
            (-0.75, "mostly left"),
            (-0.5, "half left"),
            (-0.25, "a little left"),
            (0.0, "centre"),
            (0.25, "a little right"),
            (0.5, "half right"),
            (0.75, "mostly right"),
            (1.0, "right"),
        ]),
        Exercise::Compression => words(&[(0.0, "none"), (1.0, "light"), (2.0, "heavy")]),
        Exercise::Space if level <= 2 => words(&[
            (SILENCE_DB, "none"),
            (-18.0, "a little"),
            (-12.0, "some"),
            (-6.0, "a lot"),
        ]),
        Exercise::Space => words(&[
            (SILENCE_DB, "none"),
            (-24.0, "−24 dB"),
            (-18.0, "−18 dB"),
            (-12.0, "−12 dB"),
            (-6.0, "−6 dB"),
        ]),
        Exercise::EqFrequency | Exercise::EqCorrection => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_rounds_move_by_the_levels_step_and_never_by_nothing() {
        let rounds: Vec<TrackRound> = (0..300)
            .map(|s| TrackRound::draw(&mut Seed::new(s), Exercise::Gain, 1, 4).unwrap())
            .collect();
        assert!(rounds.iter().all(|r| r.value.abs() == 6.0 && r.track < 4));
        assert!((0..4).all(|t| rounds.iter().any(|r| r.track == t)));
        let fine = TrackRound::draw(&mut Seed::new(5), Exercise::Gain, 5, 3).unwrap();
        assert_eq!(fine.choices.len(), 12);
        assert_eq!(fine.choices[0].1, "−6 dB");
        assert_eq!(fine.choices[11].1, "+6 dB");
        assert!(fine.value != 0.0 && fine.value.abs() <= 6.0);
        let right = fine.judge(fine.track, fine.value);
        assert_eq!(right.points, 10.0);
        assert!(right.right);
        assert_eq!(fine.judge(fine.track + 1, fine.value).points, 0.0);
    }

    #[test]
    fn choice_rounds_score_all_or_nothing_and_tell_the_engine() {
        let round = TrackRound::draw(&mut Seed::new(9), Exercise::Compression, 1, 1).unwrap();
        assert_eq!(round.choices.len(), 3);
        assert_eq!(round.judge(0, round.value).points, 10.0);
        let other = round.choices.iter().find(|c| c.0 != round.value).unwrap().0;
        assert_eq!(round.judge(0, other).points, 0.0);
        let heavy = TrackRound {
            value: 2.0,
            ..round.clone()
        };
        assert_eq!(heavy.change().0, TrackChange::HeavyCompression);
        assert_eq!(heavy.answer(), "heavy");
        let pan = TrackRound::draw(&mut Seed::new(2), Exercise::Pan, 4, 2).unwrap();
        assert_eq!(pan.choices.len(), 9);
        assert_eq!(pan.change(), (TrackChange::Pan, pan.value));
        let space = TrackRound::draw(&mut Seed::new(3), Exercise::Space, 1, 2).unwrap();
        assert_eq!(space.change(), (TrackChange::Send1, space.value));
        assert!(TrackRound::draw(&mut Seed::new(3), Exercise::EqFrequency, 1, 2).is_none());
    }
}
