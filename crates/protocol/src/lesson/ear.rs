//! Ear training in a lesson: a goal holds one fixed round ([`super::GoalKind::EarChallenge`]),
//! and the hand-in carries what the student answered to it.
//!
//! ```json
//! "answers": [ { "goal": "ear-1", "centre_hz": 125, "boost": true },
//!              { "goal": "ear-2", "track": 3, "value": -3 } ]
//! ```
//!
//! What the round hides and how an answer scores is `mixroom_ear`'s; this is only the shape, and
//! the bounds a stranger's hand-in is held to.

use serde::{Deserialize, Serialize};

use super::rules::{id_problem, MAX_GOALS};
use crate::validate::Refusal;

/// What a student answered to one ear-training goal. An EQ frequency round is answered by a
/// band and a direction; a track round by a value and, for gain, the track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarAnswer {
    /// The goal's id.
    pub goal: String,
    /// EQ frequency: the centre of the band named, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre_hz: Option<f32>,
    /// EQ frequency: whether the student named a boost (`false`: a cut).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boost: Option<bool>,
    /// Gain: the track named, by its index in the mix's tracks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<usize>,
    /// A track round: the answer named (dB, a pan position, 0/1/2 for no, light and heavy
    /// compression), as the round's answer buttons carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f32>,
}

impl EarAnswer {
    /// The answer to goal `goal` among `answers`.
    pub fn find<'a>(answers: &'a [EarAnswer], goal: &str) -> Option<&'a EarAnswer> {
        answers.iter().find(|a| a.goal == goal)
    }
}

/// Keeps the answers a stranger's hand-in may hold: at most one per goal id (the first), at
/// most [`MAX_GOALS`], each naming a goal by a valid id, its numbers finite; the others are left
/// out and listed.
pub(super) fn keep_valid(answers: &mut Vec<EarAnswer>, refused: &mut Vec<Refusal>) {
    let mut kept: Vec<EarAnswer> = Vec::new();
    for answer in answers.drain(..) {
        let why = if let Some(why) = id_problem(&answer.goal) {
            Some(format!("its goal id {why}"))
        } else if [answer.centre_hz, answer.value]
            .into_iter()
            .flatten()
            .any(|x| !x.is_finite())
        {
            // JSON numbers beyond f32's range read as infinities, which JSON cannot write.
            Some("a number in it is out of range".to_owned())
        } else if kept.iter().any(|k| k.goal == answer.goal) {
            Some(format!(
                "goal “{}” is answered twice; the first is kept",
                answer.goal
            ))
        } else if kept.len() == MAX_GOALS {
            Some(format!("a hand-in holds at most {MAX_GOALS} answers"))
        } else {
            None
        };
        match why {
            Some(why) => refused.push(Refusal {
                field: "an ear-training answer".to_owned(),
                why,
            }),
            None => kept.push(answer),
        }
    }
    *answers = kept;
}
