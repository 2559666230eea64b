//! Ear-training goals: a round a lesson holds, judged from the hand-in's answer, or, for an EQ
//! correction, from the mix rendered with the hidden change in.

mod common;

use common::*;
use mixroom_ear::challenge::Challenge;
use mixroom_ear::progress::Exercise;
use mixroom_lesson::Checker;
use mixroom_protocol::lesson::{EarAnswer, GoalKind};
use mixroom_protocol::params::ParamId;

fn eq(exercise: Exercise, centre_hz: f32, gain_db: f32) -> GoalKind {
    GoalKind::EarChallenge {
        challenge: Challenge {
            exercise,
            level: 1,
            centre_hz: Some(centre_hz),
            gain_db: Some(gain_db),
            track: None,
            value: None,
        }
        .encode(),
        min_points: 8.0,
    }
}

fn gain(track: usize, value: f32) -> GoalKind {
    GoalKind::EarChallenge {
        challenge: Challenge {
            exercise: Exercise::Gain,
            level: 1,
            centre_hz: None,
            gain_db: None,
            track: Some(track),
            value: Some(value),
        }
        .encode(),
        min_points: 8.0,
    }
}

fn answer(
    goal: &str,
    centre_hz: Option<f32>,
    track: Option<usize>,
    value: Option<f32>,
) -> EarAnswer {
    EarAnswer {
        goal: goal.into(),
        centre_hz,
        boost: centre_hz.map(|_| true),
        track,
        value,
    }
}

fn sources() -> Vec<Option<mixroom_dsp::Source>> {
    vec![mono(pink(1, 0.05, 3.0)), mono(pink(2, 0.05, 3.0))]
}

#[test]
fn a_choice_is_judged_from_the_hand_ins_answer_and_renders_nothing() {
    let mix = session(&["Keys", "Bass"], &[]);
    let lesson = lesson(
        &mix,
        vec![eq(Exercise::EqFrequency, 250.0, 12.0), gain(1, -6.0)],
    );
    let unanswered = Checker::new(&lesson, &mix, sources(), FS).unwrap();
    assert_eq!(
        unanswered.progress().total_frames,
        0,
        "a choice needs no render"
    );
    let report = unanswered.finish();
    for i in 0..2 {
        let result = result(&report, i);
        assert_eq!((result.measured, result.passed), (None, false));
        assert!(result.hint.starts_with("not answered"), "{}", result.hint);
    }

    let answers = vec![
        answer("g0", Some(500.0), None, None),
        answer("g1", None, Some(1), Some(-6.0)),
    ];
    let report = Checker::new(&lesson, &mix, sources(), FS)
        .unwrap()
        .with_answers(answers)
        .finish();
    let octave_off = result(&report, 0);
    assert_eq!((octave_off.measured, octave_off.passed), (Some(9.0), true));
    assert_eq!(octave_off.unit, "points");
    assert!(
        octave_off.hint.contains("250 Hz boost, +12 dB")
            && octave_off.hint.contains("500 Hz boost"),
        "{}",
        octave_off.hint
    );
    let right = result(&report, 1);
    assert_eq!((right.measured, right.passed), (Some(10.0), true));
    assert!(right.hint.contains("on “Bass”"), "{}", right.hint);

    let wrong = vec![
        answer("g1", None, Some(0), Some(-6.0)),
        answer("g0", Some(80.0), None, None),
    ];
    let report = Checker::new(&lesson, &mix, sources(), FS)
        .unwrap()
        .with_answers(wrong)
        .finish();
    assert_eq!(result(&report, 1).measured, Some(0.0), "the wrong track");
    let unoffered = result(&report, 0);
    assert_eq!((unoffered.measured, unoffered.passed), (Some(0.0), false));
    assert!(
        unoffered.hint.contains("not one this round offers"),
        "{}",
        unoffered.hint
    );
}

#[test]
fn an_eq_correction_is_judged_from_the_mix_with_the_change_in() {
    let start = session(&["Keys", "Bass"], &[]);
    let lesson = lesson(&start, vec![eq(Exercise::EqCorrection, 1_000.0, 12.0)]);
    let left_alone = check(&lesson, &start, sources());
    let left_alone = result(&left_alone, 0);
    assert_eq!((left_alone.measured, left_alone.passed), (Some(0.0), false));
    assert!(
        left_alone.hint.contains("1 kHz boost, +12 dB"),
        "{}",
        left_alone.hint
    );

    // The master's EQ band 2 cuts what the round boosts: the same bell, the other way.
    let mut undone = start.clone();
    for (param, value) in [
        (ParamId::EqBypass, 0.0),
        (ParamId::Eq2Type, 0.0),
        (ParamId::Eq2Hz, 1_000.0),
        (ParamId::Eq2GainDb, -12.0),
        (ParamId::Eq2Q, std::f32::consts::SQRT_2),
    ] {
        undone.master.set(param, value);
    }
    let report = check(&lesson, &undone, sources());
    let corrected = result(&report, 0);
    assert_eq!((corrected.measured, corrected.passed), (Some(10.0), true));

    let mut halfway = undone.clone();
    halfway.master.set(ParamId::Eq2GainDb, -6.0);
    let report = check(&lesson, &halfway, sources());
    let half = result(&report, 0).measured.unwrap();
    assert!(
        half > 0.0 && half < 10.0,
        "half the cut earns part of the points: {half}"
    );
}
