//! A lesson's ear-training goals ([`GoalKind::EarChallenge`]): one fixed round each, judged as
//! the page judges it when it is played. A round that asks for a choice (EQ frequency, gain,
//! pan, compression, space) is judged from the hand-in's answer; an EQ correction from the
//! mix itself: the student's mix rendered with the hidden change in, its third-octave balance
//! against the lesson's start rendered flat (both loudness-normalized, as the tonal-balance
//! goal measures), scored by the worst band against how far the change alone put the start.

use mixroom_ear::answer::AnswerError;
use mixroom_ear::bands::label;
use mixroom_ear::challenge::Challenge;
use mixroom_ear::progress::Exercise;
use mixroom_ear::score::correction_points;
use mixroom_protocol::lesson::{EarAnswer, Goal, GoalKind, Lesson};

use crate::bands::THIRD_OCTAVE_CENTRES_HZ;
use crate::curve::worst_deviation;
use crate::format::number;
use crate::inputs::{Correction, Inputs, Verdict, BOUND_SLACK};

/// The unit an ear-training goal is measured in.
pub const POINTS_UNIT: &str = "points";

/// The lesson's EQ correction goals, in the lesson's order (each decoded once).
pub fn corrections(lesson: &Lesson) -> Vec<Correction> {
    lesson
        .goals
        .iter()
        .filter_map(|goal| {
            let GoalKind::EarChallenge { challenge, .. } = &goal.kind else {
                return None;
            };
            let challenge = Challenge::decode(challenge).ok()?;
            let round = challenge.eq_round()?;
            (challenge.exercise == Exercise::EqCorrection).then(|| Correction {
                goal: goal.id.clone(),
                round,
                start_changed: None,
                mix_changed: None,
            })
        })
        .collect()
}

/// The verdict on ear-training goal `goal`, which holds `payload` and passes from
/// `min_points`.
pub(crate) fn judge(inputs: &Inputs<'_>, goal: &Goal, payload: &str, min_points: f64) -> Verdict {
    let target = format!("at least {} of 10 points", number(min_points, 2));
    let unmeasured = |hint: String| Verdict {
        measured: None,
        target: target.clone(),
        unit: POINTS_UNIT,
        passed: false,
        hint,
    };
    let challenge = match Challenge::decode(payload) {
        Ok(challenge) => challenge,
        Err(why) => return unmeasured(format!("this round cannot be played: {why}")),
    };
    let (points, hint) = if challenge.exercise == Exercise::EqCorrection {
        match correction(inputs, &goal.id) {
            Ok(judged) => judged,
            Err(why) => return unmeasured(why),
        }
    } else {
        let Some(answer) = EarAnswer::find(inputs.answers, &goal.id) else {
            return unmeasured(
                "not answered: press “Play the round” beside this goal and answer it; the first \
                 answer goes with the hand-in"
                    .to_owned(),
            );
        };
        let track_name = |t: Option<usize>| {
            t.and_then(|t| inputs.lesson.start.tracks.get(t))
                .map_or_else(String::new, |t| format!(" on “{}”", t.name))
        };
        match challenge.judge(answer) {
            Ok(judged) => (
                f64::from(judged.points),
                format!(
                    "the hidden change was {}{}; the answer was {}{}",
                    judged.hidden,
                    track_name(challenge.track),
                    judged.named,
                    track_name(judged.named_track),
                ),
            ),
            Err(AnswerError::NotOffered | AnswerError::ByTheMix) => (
                0.0,
                "the answer handed in is not one this round offers".to_owned(),
            ),
        }
    };
    Verdict {
        measured: Some(points),
        target: target.clone(),
        unit: POINTS_UNIT,
        passed: points >= min_points - BOUND_SLACK,
        hint: format!("{hint}: {} points", number(points, 2)),
    }
}

/// The points of EQ correction goal `goal` and what the verdict says of it.
fn correction(inputs: &Inputs<'_>, goal: &str) -> Result<(f64, String), String> {
    let silent = || "the mix is too short or silent to measure its balance".to_owned();
    let measured = inputs
        .corrections
        .iter()
        .find(|c| c.goal == goal)
        .ok_or_else(silent)?;
    let (Some(original), Some(start), Some(now)) = (
        inputs.original.as_ref(),
        measured.start_changed.as_ref(),
        measured.mix_changed.as_ref(),
    ) else {
        return Err(silent());
    };
    let (_, start_db) = worst_deviation(start, original);
    let (band, off) = worst_deviation(now, original);
    let (start_db, off) = (start_db.abs(), off.abs());
    let points = f64::from(correction_points(off as f32, start_db as f32));
    let hidden = measured.round.said();
    Ok((
        points,
        format!(
            "the hidden change was {hidden}; with this mix's EQ the mix is within {} dB of the \
             original in every band (furthest around {}), where the change alone put it {} dB off",
            number(off, 1),
            label(THIRD_OCTAVE_CENTRES_HZ[band] as f32),
            number(start_db, 1)
        ),
    ))
}
