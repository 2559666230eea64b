//! The built-in lessons (`mixroom_demo::lessons`) checked on the demo song's own stems at
//! 48 kHz: each reference mix passes every goal, each start fails at least one (with a hint),
//! every lesson is valid and survives JSON and its `#lesson=` link, and the kick's masking by
//! the bass answers an EQ cut.
//!
//! `cargo test --release -p mixroom-lesson --test demo_lessons -- --nocapture` prints the
//! figures (start and reference, goal by goal). One test per lesson, so they run side by side:
//! about 35 s of renders in all in a release build on the 2-core development machine. In a
//! debug build (unoptimized engine) the same renders take 20 minutes and more, so there the
//! per-lesson checks are ignored; the validity test runs in both.

use std::sync::OnceLock;

use mixroom_dsp::{SessionSources, Source};
use mixroom_lesson::{Checker, Report};
use mixroom_protocol::lesson::{wire, Lesson, Reference};
use mixroom_protocol::session::{self, Session};

/// The rate the lessons are checked at, Hz.
const FS: f32 = 48_000.0;

fn stems() -> &'static [mixroom_demo::Stem] {
    static STEMS: OnceLock<Vec<mixroom_demo::Stem>> = OnceLock::new();
    STEMS.get_or_init(|| mixroom_demo::render_stems(FS))
}

/// The engine's sources for `mix`: each demo track plays its stem, as `mixroom render` and the
/// page load them.
fn sources(mix: &Session) -> SessionSources {
    mix.tracks
        .iter()
        .map(|track| match &track.source {
            session::Source::Demo(id) => {
                let stem = stems().iter().find(|s| s.id == id).expect("a demo stem");
                Some(Source::for_rate(stem.channels.clone(), FS).unwrap())
            }
            other => panic!("a built-in lesson plays demo stems only, not {other:?}"),
        })
        .collect()
}

fn check(lesson: &Lesson, mix: &Session) -> Report {
    Checker::new(lesson, mix, sources(mix), FS)
        .unwrap_or_else(|e| panic!("{}: {e}", lesson.id))
        .finish()
}

fn figure(report: &Report, i: usize) -> String {
    let goal = &report.goals[i];
    let value = goal
        .measured
        .map_or("—".to_owned(), |m| format!("{m:.1} {}", goal.unit));
    format!("{value} {}", if goal.passed { "pass" } else { "FAIL" })
}

fn reference(lesson: &Lesson) -> &Session {
    match &lesson.reference {
        Some(Reference::Mix(mix)) => mix,
        other => panic!(
            "{}: a built-in lesson has a reference mix, not {other:?}",
            lesson.id
        ),
    }
}

/// Checks built-in lesson `index` (in teaching order): its reference passes every goal, its
/// start fails at least one with a hint that says what to do. Prints its rows of the table
/// `| lesson | goal | target | start | reference |` and the start's hints.
fn reference_passes_and_start_fails(index: usize) {
    // Reference: each lesson's own teacher's mix; the figures are printed for the record.
    let lessons = mixroom_demo::lessons::lessons();
    assert_eq!(lessons.len(), 6, "a test per lesson");
    let lesson = &lessons[index];
    let start = check(lesson, &lesson.start);
    let done = check(lesson, reference(lesson));
    let mut table = String::new();
    for (i, goal) in done.goals.iter().enumerate() {
        table += &format!(
            "| {} | {} | {} | {} | {} |\n",
            lesson.id,
            goal.id,
            goal.target,
            figure(&start, i),
            figure(&done, i)
        );
    }
    for goal in start.goals.iter().filter(|g| !g.passed) {
        table += &format!("    start, {}: {}\n", goal.id, goal.hint);
    }
    print!("{table}");
    for goal in &done.goals {
        assert!(
            goal.passed,
            "{}: the reference fails {}: {}",
            lesson.id, goal.id, goal.hint
        );
    }
    let failed: Vec<_> = start.goals.iter().filter(|g| !g.passed).collect();
    assert!(
        !failed.is_empty(),
        "{}: the start passes every goal",
        lesson.id
    );
    for goal in failed {
        assert!(!goal.hint.is_empty() && !goal.hint.starts_with("on target"));
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn static_balance() {
    reference_passes_and_start_fails(0);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn stereo_field() {
    reference_passes_and_start_fails(1);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn eq_unmask() {
    reference_passes_and_start_fails(2);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn compression() {
    reference_passes_and_start_fails(3);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn space() {
    reference_passes_and_start_fails(4);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 4 to 12 times: run with --release"
)]
fn mastering() {
    reference_passes_and_start_fails(5);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "renders the demo song 6 times: run with --release"
)]
fn cutting_the_bass_under_the_kick_unmasks_the_kick() {
    // Reference: the eq-unmask lesson's start, and the same with the bass cut by 6 dB around
    // 60 Hz (EQ 1, a bell of Q 1.4): the share of the kick's loud energy the bass masks falls
    // by at least 10 points (58 % to 9 % when this was written).
    use mixroom_protocol::params::{EqField, ParamId, EQ_TYPES};
    let mut lesson = mixroom_demo::lessons::lesson("eq-unmask").unwrap();
    lesson.goals.retain(|g| g.id == "kick-unmasked");
    assert_eq!(lesson.goals.len(), 1);
    let masked = |mix: &Session| check(&lesson, mix).goals[0].measured.unwrap();
    let before = masked(&lesson.start);
    let mut cut = lesson.start.clone();
    let bass = cut.tracks.iter_mut().find(|t| t.name == "Bass").unwrap();
    let bell = EQ_TYPES.iter().position(|t| *t == "bell").unwrap() as f32;
    for (field, value) in [
        (EqField::Type, bell),
        (EqField::Hz, 60.0),
        (EqField::GainDb, -6.0),
        (EqField::Q, 1.4),
    ] {
        bass.strip.set(ParamId::eq(0, field), value);
    }
    let after = masked(&cut);
    println!("kick masked by the bass: {before:.1} % at the start, {after:.1} % with the cut");
    assert!(before - after >= 10.0, "{before} to {after}");
}

#[test]
fn every_lesson_is_valid_and_survives_json_and_its_link() {
    // Reference: the protocol's strict reader and its link codec; nothing refused.
    for lesson in mixroom_demo::lessons::lessons() {
        let strict = Lesson::from_json(&lesson.to_json()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(strict, lesson);
        let link = format!("#lesson={}", wire::encode_lesson(&lesson));
        let opened = wire::open_lesson(&link).unwrap();
        assert!(opened.refused.is_empty(), "{:?}", opened.refused);
        assert_eq!(opened.lesson, lesson);
        assert_eq!(opened.lesson.fingerprint(), lesson.fingerprint());
        // Every strip a goal names is in the start and the reference.
        Checker::new(&lesson, &lesson.start, Vec::new(), FS).unwrap();
        Checker::new(&lesson, reference(&lesson), Vec::new(), FS).unwrap();
    }
}
