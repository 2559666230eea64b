//! The check itself: the renders it relies on, its errors, its steps and what it renders.

mod common;

use common::*;
use mixroom_dsp::{render, Engine, StereoBlock};
use mixroom_lesson::{CheckError, Checker, BLOCK_FRAMES, TAIL_S};
use mixroom_protocol::lesson::{Curve, GoalKind, Lesson, Recording, Reference, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;
use serde_json::json;

/// A mix with a compressor, a reverb send and a bus, so every processor's state is involved.
fn busy_mix() -> mixroom_protocol::session::Session {
    let mut mix = session(&["Kick", "Bass"], &["Reverb"]);
    set(&mut mix, 0, ParamId::CompBypass, 0.0);
    set(&mut mix, 0, ParamId::CompThresholdDb, -30.0);
    set(&mut mix, 1, ParamId::Send1Db, -6.0);
    set(&mut mix, 1, ParamId::Pan, 0.4);
    mix
}

fn busy_sources() -> Vec<Option<mixroom_dsp::Source>> {
    vec![mono(pink(1, 0.05, 2.0)), mono(sine(55.0, 0.1, 1.5))]
}

#[test]
fn the_engine_renders_the_same_from_reset_and_mutes_at_once() {
    // Reference: the contribution's premise. Two renders from reset are bit-identical (so
    // muting nothing nulls to exactly 0), and a strip muted before reset is silent from the
    // first frame (so a muted render holds none of the strip).
    let mix = busy_mix();
    let frames = 96_000;
    let a = render(&mix, busy_sources(), FS, frames, BLOCK_FRAMES);
    let b = render(&mix, busy_sources(), FS, frames, BLOCK_FRAMES);
    assert!(a[0].iter().any(|&x| x != 0.0));
    for (a, b) in a.iter().zip(&b) {
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
    let mut engine = Engine::new(FS, BLOCK_FRAMES);
    engine.apply_param_block(&mix.param_block());
    engine.set_param(ParamId::Mute.slot(StripIndex::track(0).unwrap()), 1.0);
    engine.set_param(ParamId::Mute.slot(StripIndex::track(1).unwrap()), 1.0);
    for (t, source) in busy_sources().into_iter().enumerate() {
        engine.load_source(t, source);
    }
    engine.reset();
    engine.transport_mut().play();
    let (mut l, mut r) = (vec![1.0; frames], vec![1.0; frames]);
    for (l, r) in l.chunks_mut(BLOCK_FRAMES).zip(r.chunks_mut(BLOCK_FRAMES)) {
        engine.process(&mut StereoBlock::new(l, r));
    }
    assert!(
        l.iter().chain(&r).all(|&x| x == 0.0),
        "muted from the first frame"
    );
}

#[test]
fn a_strip_that_adds_nothing_nulls_exactly() {
    // Reference: full − muted of a track with no audio is exactly 0 in every sample: its
    // width is unmeasurable (silent), not a small number.
    let mix = session(&["Noise", "Empty"], &[]);
    let width = GoalKind::Width {
        strip: track("Empty"),
        min_percent: Some(0.0),
        max_percent: None,
    };
    let level = GoalKind::RelativeLevel {
        strip: track("Empty"),
        min_db: Some(-10.0),
        max_db: None,
    };
    let lesson = lesson(&mix, vec![width, level]);
    let report = check(&lesson, &mix, vec![mono(pink(2, 0.05, 1.0)), None]);
    for i in 0..2 {
        let result = result(&report, i);
        assert_eq!(result.measured, None);
        assert!(!result.passed);
        assert!(
            result.hint.contains("“Empty” adds nothing to the mix"),
            "{}",
            result.hint
        );
    }
}

#[test]
fn a_goal_naming_a_missing_strip_says_which() {
    let mix = session(&["Kick"], &[]);
    let mut lesson = lesson(&mix, Vec::new());
    lesson.goals.push(mixroom_protocol::lesson::Goal {
        id: "lead-level".into(),
        text: "The lead sits on top.".into(),
        kind: GoalKind::RelativeLevel {
            strip: track("Lead"),
            min_db: Some(2.0),
            max_db: None,
        },
    });
    let err = Checker::new(&lesson, &mix, vec![None], FS).err().unwrap();
    assert_eq!(
        err,
        CheckError::MissingStrip {
            goal: "lead-level".into(),
            strip: track("Lead")
        }
    );
    assert_eq!(
        err.to_string(),
        "goal 'lead-level' names track “Lead”, which this mix does not have"
    );
    lesson.goals[0].kind = GoalKind::GainReduction {
        strip: StripRef::Bus("Drums".into()),
        min_db: Some(1.0),
        max_db: None,
    };
    let err = Checker::new(&lesson, &mix, vec![None], FS).err().unwrap();
    assert!(err.to_string().contains("names bus “Drums”"), "{err}");
    let err = Checker::new(&lesson, &mix, vec![None], f32::NAN)
        .err()
        .unwrap();
    assert!(matches!(err, CheckError::SampleRate(_)), "{err}");
}

#[test]
fn steps_of_any_size_give_the_same_report() {
    // Reference: the engine always runs in 128-frame blocks, measurements add in frame order.
    let mix = busy_mix();
    let goals = vec![
        GoalKind::Loudness {
            min_lufs: Some(-20.0),
            max_lufs: None,
        },
        GoalKind::RelativeLevel {
            strip: track("Bass"),
            min_db: None,
            max_db: Some(0.0),
        },
        GoalKind::Masking {
            a: track("Kick"),
            b: track("Bass"),
            max_percent: 30.0,
        },
        GoalKind::Width {
            strip: track("Bass"),
            min_percent: Some(10.0),
            max_percent: None,
        },
        GoalKind::GainReduction {
            strip: track("Kick"),
            min_db: Some(2.0),
            max_db: None,
        },
        GoalKind::ReturnLevel {
            aux: StripRef::Return("Reverb".into()),
            min_db: Some(-30.0),
            max_db: None,
        },
        GoalKind::MonoBass {
            below_hz: 150.0,
            min_correlation: 0.9,
        },
    ];
    let lesson = lesson(&mix, goals);
    let whole = Checker::new(&lesson, &mix, busy_sources(), FS)
        .unwrap()
        .finish();
    for step in [1, 100_000] {
        let mut checker = Checker::new(&lesson, &mix, busy_sources(), FS).unwrap();
        let mut last = checker.progress();
        assert_eq!(last.done_frames, 0);
        let mut calls = 0;
        while !last.is_done() {
            let progress = checker.step(step);
            assert!(
                progress.done_frames > last.done_frames,
                "every step does some work"
            );
            assert!(progress.done_frames - last.done_frames <= step.max(BLOCK_FRAMES));
            assert_eq!(progress.total_frames, last.total_frames);
            last = progress;
            calls += 1;
        }
        println!(
            "steps of {step}: {calls} calls for {} frames",
            last.total_frames
        );
        assert_eq!(checker.finish(), whole, "steps of {step}");
    }
    assert_eq!(whole.goals.len(), 7);
    assert!(
        whole.goals.iter().all(|g| g.measured.is_some()),
        "{whole:#?}"
    );
}

#[test]
fn only_what_the_goals_need_is_rendered() {
    // Reference: one render of the mix, one muted render per strip whose contribution a goal
    // needs, each once; nothing at all for goals this version cannot measure.
    let mix = busy_mix();
    let goals = vec![
        GoalKind::RelativeLevel {
            strip: track("Bass"),
            min_db: None,
            max_db: Some(0.0),
        },
        GoalKind::Width {
            strip: track("Bass"),
            min_percent: Some(10.0),
            max_percent: None,
        },
        GoalKind::Masking {
            a: track("Bass"),
            b: track("Kick"),
            max_percent: 30.0,
        },
        GoalKind::GainReduction {
            strip: track("Kick"),
            min_db: Some(2.0),
            max_db: None,
        },
        GoalKind::Loudness {
            min_lufs: Some(-20.0),
            max_lufs: None,
        },
    ];
    let checker = Checker::new(&lesson(&mix, goals.clone()), &mix, busy_sources(), FS).unwrap();
    let frames = checker.render_frames();
    assert_eq!(
        frames,
        96_000 + (TAIL_S * f64::from(FS)) as usize,
        "song (2 s) + tail"
    );
    assert_eq!(
        checker.progress().total_frames,
        3 * frames,
        "mix, without Bass, without Kick"
    );
    let loudness_only = lesson(&mix, goals[4..].to_vec());
    let checker = Checker::new(&loudness_only, &mix, busy_sources(), FS).unwrap();
    assert_eq!(checker.progress().total_frames, frames);

    let unknown = GoalKind::Unknown {
        kind: "spectral_flux".into(),
        fields: json!({ "min_flux_percent": 10 })
            .as_object()
            .unwrap()
            .clone(),
    };
    let newer = lesson(&mix, vec![unknown]);
    let checker = Checker::new(&newer, &mix, busy_sources(), FS).unwrap();
    assert_eq!(checker.progress().total_frames, 0);
    let report = checker.finish();
    let result = result(&report, 0);
    assert_eq!((result.measured, result.passed), (None, false));
    assert!(result.hint.contains("newer Mixroom") && result.hint.contains("spectral_flux"));
}

#[test]
fn a_check_counts_the_memory_its_audio_takes() {
    // Reference: what the renders hold (see the checker's module doc). Two tracks, a mono
    // one of 2 s and a stereo one of 1 s, at 48 kHz.
    let mix = session(&["Kick", "Bass"], &[]);
    let tracks = [(1, 96_000), (2, 48_000)];
    let samples = (96_000 + 2 * 48_000) * 4;
    let tail = (TAIL_S * f64::from(FS)) as u64;
    let bytes = |lesson: &Lesson, recording| {
        let checker = Checker::new(lesson, &mix, vec![None, None], FS).unwrap();
        checker.audio_bytes(&tracks, recording)
    };
    let loudness = GoalKind::Loudness {
        min_lufs: Some(-20.0),
        max_lufs: None,
    };
    assert_eq!(bytes(&lesson(&mix, vec![loudness.clone()]), None), samples);
    // A contribution keeps the stereo mix of the longest track and its tail.
    let level = GoalKind::RelativeLevel {
        strip: track("Bass"),
        min_db: None,
        max_db: Some(0.0),
    };
    let kept = 2 * (96_000 + tail) * 4;
    assert_eq!(
        bytes(&lesson(&mix, vec![level.clone()]), None),
        samples + kept
    );
    // A reference mix that plays Kick's source three times copies it twice.
    let tonal = GoalKind::TonalBalance {
        curve: Curve::Reference,
        tolerance_db: 3.0,
    };
    let mut reference = session(&["Kick", "Kick 2", "Kick 3", "Bass"], &[]);
    for t in 1..3 {
        reference.tracks[t].source = mix.tracks[0].source.clone();
    }
    let with_mix = with_reference(lesson(&mix, vec![level, tonal.clone()]), &reference);
    assert_eq!(bytes(&with_mix, None), samples + kept + 2 * 96_000 * 4);
    // A recording counts its first two channels, when a goal hears it.
    let mut with_recording = lesson(&mix, vec![tonal]);
    with_recording.reference = Some(Reference::Recording(Recording::Url(
        "https://example.com/r.ogg".into(),
    )));
    assert_eq!(
        bytes(&with_recording, Some((6, 480_000))),
        samples + 2 * 480_000 * 4
    );
    let mut unheard = lesson(&mix, vec![loudness]);
    unheard.reference = with_recording.reference.clone();
    assert_eq!(bytes(&unheard, Some((2, 480_000))), samples);
    // Claims past any memory saturate instead of wrapping.
    let checker = Checker::new(&with_mix, &mix, vec![None, None], FS).unwrap();
    assert_eq!(
        checker.audio_bytes(&[(usize::MAX, usize::MAX), (2, 1)], None),
        u64::MAX
    );
}

#[test]
fn gain_reduction_is_what_the_compressor_reports() {
    // Reference: a steady 1 kHz sine of peak 0.5 (RMS level −9.03 dBFS) into an RMS compressor
    // with a hard knee at −24 dB, 4:1: the gain computer reduces (1 − 1/4)(−9.03 + 24) =
    // 11.23 dB; and the mean of the engine's own per-block figures while the track plays.
    let mut mix = session(&["Tone"], &[]);
    for (param, value) in [
        (ParamId::CompBypass, 0.0),
        (ParamId::CompDetection, 1.0),
        (ParamId::CompThresholdDb, -24.0),
        (ParamId::CompRatio, 4.0),
        (ParamId::CompKneeDb, 0.0),
        (ParamId::CompAttackMs, 1.0),
    ] {
        set(&mut mix, 0, param, value);
    }
    let tone = || vec![mono(sine(1000.0, 0.5, 4.0))];
    let goal = GoalKind::GainReduction {
        strip: track("Tone"),
        min_db: Some(2.0),
        max_db: Some(6.0),
    };
    let report = check(&lesson(&mix, vec![goal]), &mix, tone());
    let average = measured(&report, 0);
    let analytic = 0.75 * (20.0 * (0.5 / 2f64.sqrt()).log10() + 24.0);
    assert!((average - analytic).abs() < 0.3, "{average} vs {analytic}");

    let mut engine = Engine::new(FS, BLOCK_FRAMES);
    engine.apply_param_block(&mix.param_block());
    for (t, source) in tone().into_iter().enumerate() {
        engine.load_source(t, source);
    }
    engine.reset();
    engine.transport_mut().play();
    let (mut sum, mut blocks) = (0.0, 0);
    let (mut l, mut r) = (vec![0.0; BLOCK_FRAMES], vec![0.0; BLOCK_FRAMES]);
    let track = StripIndex::track(0).unwrap();
    for _ in 0..(4.0 * FS) as usize / BLOCK_FRAMES {
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
        let figures = engine.figures(track);
        if figures.peak[0] >= 0.001 {
            sum += f64::from(figures.gain_reduction_db[0]);
            blocks += 1;
        }
    }
    assert!(
        (average - sum / f64::from(blocks)).abs() < 1e-9,
        "{average} vs {}",
        sum / f64::from(blocks)
    );
    let hint = &result(&report, 0).hint;
    assert!(
        hint.contains("reduces 5.") && hint.contains("too much"),
        "{hint}"
    );
}
