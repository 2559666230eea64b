//! `mixroom lesson list / export` and `mixroom check` through the binary: the built-in
//! lessons on disk, and mixes checked with exit codes 0 (all pass), 3 (a goal fails), 1 (a mix
//! cannot be opened or answers another lesson; the others are still checked) and 2 (a wrong
//! command line); lessons and hand-ins in `.mixroom` bundles as in their JSON. Renders run at
//! 8 kHz to keep the debug build quick; the figures at 48 kHz are mixroom-lesson's
//! `demo_lessons` test.

use std::path::{Path, PathBuf};
use std::process::Command;

use mixroom_protocol::bundle::{self, Contents};
use mixroom_protocol::lesson::{
    wire, Curve, EarAnswer, Goal, GoalKind, HandIn, Lesson, Recording, Reference, LESSON_VERSION,
};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::{FileSource, Session, Source};
use serde_json::Value;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mixroom-lesson-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

/// Runs mixroom with `args`: exit code, stdout, stderr (every stderr line `mixroom: ...`).
fn mixroom(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_mixroom"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    for line in stderr.lines() {
        assert!(line.starts_with("mixroom: "), "{stderr}");
    }
    (output.status.code().unwrap(), stdout, stderr)
}

/// `mixroom check` at 8 kHz: exit code, one parsed JSON object per stdout line, stderr.
/// The demo written by `mixroom demo` at 8 kHz into `dir/stems`: that folder, its session,
/// and each file a track plays (its path in the session, its bytes).
fn demo_stems(dir: &Path) -> (PathBuf, Session, Vec<(String, Vec<u8>)>) {
    let stems = dir.join("stems");
    let (code, _, stderr) = mixroom(&["demo", "-o", &s(&stems), "--sample-rate", "8000"]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(stems.join("session.json")).unwrap();
    let session = Session::from_json(&text).unwrap();
    let files = session
        .tracks
        .iter()
        .filter_map(|t| match &t.source {
            Source::File(f) => Some((f.path.clone(), std::fs::read(stems.join(&f.path)).unwrap())),
            _ => None,
        })
        .collect();
    (stems, session, files)
}

fn check(args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--sample-rate", "8000"]);
    let (code, stdout, stderr) = mixroom(&all);
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (code, lines, stderr)
}

#[test]
fn list_names_every_built_in_lesson() {
    let (code, stdout, _) = mixroom(&["lesson", "list"]);
    assert_eq!(code, 0);
    let lessons = mixroom_demo::lessons::lessons();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), lessons.len());
    for (line, lesson) in lines.iter().zip(&lessons) {
        assert_eq!(*line, format!("{}\t{}", lesson.id, lesson.title));
    }
    assert!(stdout.starts_with("static-balance\t"));
}

#[test]
fn an_exported_lesson_renders_and_checks() {
    let dir = temp_dir("export");
    let (code, _, stderr) = mixroom(&[
        "lesson",
        "export",
        "mastering",
        "-o",
        &s(&dir),
        "--sample-rate",
        "8000",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // lesson.json is the built-in lesson itself (its fingerprint is the page's).
    let text = std::fs::read_to_string(dir.join("lesson.json")).unwrap();
    let lesson = Lesson::from_json(&text).unwrap();
    assert_eq!(
        Some(&lesson),
        mixroom_demo::lessons::lesson("mastering").as_ref()
    );
    for (id, _) in mixroom_demo::STEMS {
        assert!(dir.join(format!("{id}.wav")).is_file(), "{id}.wav");
    }
    for mix in ["start.json", "reference.json"] {
        let text = std::fs::read_to_string(dir.join(mix)).unwrap();
        let session = Session::from_json(&text).unwrap();
        assert!(session
            .tracks
            .iter()
            .all(|t| matches!(&t.source, Source::File(f) if dir.join(&f.path).is_file())));
        let out = dir.join(format!("{mix}.wav"));
        let (code, _, stderr) = mixroom(&[
            "render",
            &s(&dir.join(mix)),
            "-o",
            &s(&out),
            "--sample-rate",
            "8000",
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(std::fs::metadata(&out).unwrap().len() > 8_000 * 38 * 8);
    }
    // Checked by the built-in id, the start fails the loudness goal and the reference passes
    // (its stems as files beside it).
    let (code, lines, stderr) = check(&[
        "mastering",
        &s(&dir.join("start.json")),
        &s(&dir.join("reference.json")),
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(lines[0]["passed"], false);
    let loudness = &lines[0]["goals"][0];
    assert_eq!(loudness["id"], "streaming-loudness");
    assert_eq!(loudness["passed"], false);
    assert_eq!(loudness["unit"], "LUFS");
    assert!(loudness["hint"].as_str().unwrap().contains("too quiet"));
    assert_eq!(lines[1]["passed"], true, "{}", lines[1]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A lesson on the demo session with one goal: the master at most −16 LUFS.
fn quiet_lesson(id: &str) -> Lesson {
    Lesson {
        version: LESSON_VERSION,
        id: id.to_owned(),
        title: "Turn it down".to_owned(),
        introduction: String::new(),
        steps: vec!["Pull the master fader down.".to_owned()],
        start: mixroom_demo::session(),
        locks: Some(vec!["gain_db".to_owned()]),
        reference: None,
        goals: vec![Goal {
            id: "quiet".to_owned(),
            text: "The master is at most −16 LUFS.".to_owned(),
            kind: GoalKind::Loudness {
                min_lufs: None,
                max_lufs: Some(-16.0),
            },
        }],
    }
}

/// The demo session with the master fader at −10 dB (about −21 LUFS).
fn quiet_mix() -> Session {
    let mut mix = mixroom_demo::session();
    mix.master.set(ParamId::GainDb, -10.0);
    mix
}

#[test]
fn check_exit_codes_and_lines() {
    let dir = temp_dir("check");
    let lesson = quiet_lesson("turn-it-down");
    let lesson_path = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_path, lesson.to_json()).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        s(&path)
    };
    let raw = write("raw.json", &mixroom_demo::session().to_json());
    let quiet = write("quiet.json", &quiet_mix().to_json());
    let broken = write("broken.json", &quiet_mix().to_json()[..200]);

    // 0: every mix passes; a #mix= link and a #lesson= link work as files do.
    let (code, lines, stderr) = check(&[&lesson_path, &quiet]);
    assert_eq!((code, lines.len()), (0, 1), "{stderr}");
    let line = &lines[0];
    assert_eq!(line["file"], quiet.as_str());
    assert_eq!(line["passed"], true);
    let goal = &line["goals"][0];
    for key in ["id", "text", "passed", "measured", "target", "unit", "hint"] {
        assert!(goal.get(key).is_some(), "{key} in {goal}");
    }
    let lufs = goal["measured"].as_f64().unwrap();
    assert!((-24.0..-18.0).contains(&lufs), "{lufs}");
    assert_eq!(goal["target"], "at most −16 LUFS");
    let mix_link = format!(
        "https://mixroom.example/#mix={}",
        mixroom_protocol::link::encode(&quiet_mix())
    );
    let lesson_link = format!("#lesson={}", wire::encode_lesson(&lesson));
    let (code, lines, stderr) = check(&[&lesson_link, &mix_link]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["goals"][0]["measured"].as_f64(), Some(lufs));

    // 3: a goal fails; every mix is still reported.
    let (code, lines, stderr) = check(&[&lesson_path, &raw, &quiet]);
    assert_eq!((code, lines.len()), (3, 2), "{stderr}");
    assert_eq!(lines[0]["passed"], false);
    assert_eq!(lines[0]["goals"][0]["passed"], false);
    let hint = lines[0]["goals"][0]["hint"].as_str().unwrap();
    assert!(
        hint.contains("too loud: pull the master fader down"),
        "{hint}"
    );
    assert_eq!(lines[1]["passed"], true);

    // 1: a damaged mix (and a missing one) get their own lines; the others are still checked.
    let missing = s(&dir.join("missing.json"));
    let (code, lines, stderr) = check(&[&lesson_path, &broken, &quiet, &missing, &raw]);
    assert_eq!((code, lines.len()), (1, 4), "{stderr}");
    assert_eq!(lines[0]["file"], broken.as_str());
    assert!(lines[0]["error"]
        .as_str()
        .unwrap()
        .contains("this is not a Mixroom session"));
    assert!(lines[0].get("passed").is_none());
    assert_eq!(lines[1]["passed"], true);
    assert!(lines[2]["error"].as_str().unwrap().contains("cannot find"));
    assert_eq!(lines[3]["passed"], false);
    assert_eq!(stderr.lines().count(), 2, "{stderr}");

    // 1 without a line: the lesson itself cannot be opened.
    let (code, lines, stderr) = check(&[&s(&dir.join("nope.json")), &quiet]);
    assert_eq!((code, lines.len()), (1, 0));
    assert!(stderr.contains("cannot find the lesson"), "{stderr}");

    // 2: a wrong command line.
    for args in [
        vec![lesson_path.as_str()],
        vec![&lesson_path, &quiet, "--fast"],
    ] {
        let (code, lines, stderr) = check(&args);
        assert_eq!((code, lines.len()), (2, 0), "{stderr}");
        assert!(
            stderr.contains("`mixroom help` shows the usage"),
            "{stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_mix_that_changes_what_the_lesson_locks_does_not_pass() {
    // Reference: issue 23, "grades measure what the lesson teaches": a faders-only lesson
    // answered with an EQ change, an added track, or another source fails whatever it sounds
    // like; two identical hand-ins are flagged, not failed.
    let dir = temp_dir("locks");
    let lesson = quiet_lesson("turn-it-down");
    let lesson_path = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_path, lesson.to_json()).unwrap();
    let write = |name: &str, mix: &Session| {
        let path = dir.join(name);
        std::fs::write(&path, mix.to_json()).unwrap();
        s(&path)
    };
    let mut eq = quiet_mix();
    eq.tracks[0].strip.set(ParamId::Eq1GainDb, 6.0);
    let mut added = quiet_mix();
    let mut extra = added.tracks[8].clone();
    extra.strip.set(ParamId::GainDb, -60.0);
    added.tracks.push(extra);
    let paths = [
        write("quiet.json", &quiet_mix()),
        write("eq.json", &eq),
        write("added.json", &added),
        write("again.json", &quiet_mix()),
    ];
    let mut args = vec![lesson_path.as_str()];
    args.extend(paths.iter().map(String::as_str));
    let (code, lines, stderr) = check(&args);
    assert_eq!((code, lines.len()), (3, 4), "{stderr}");
    assert_eq!(lines[0]["passed"], true);
    assert_eq!(lines[0]["violations"], Value::Array(Vec::new()));

    assert_eq!(lines[1]["goals"][0]["passed"], true, "it sounds right");
    assert_eq!(lines[1]["passed"], false, "but changed a locked control");
    let violation = &lines[1]["violations"][0];
    assert_eq!(violation["kind"], "locked");
    assert_eq!(violation["control"], "eq1_gain_db");
    let reason = violation["reason"].as_str().unwrap();
    assert!(reason.contains("“Kick” EQ 1 gain"), "{reason}");

    assert_eq!(lines[2]["passed"], false);
    assert_eq!(lines[2]["violations"][0]["kind"], "track_added");

    assert_eq!(lines[3]["passed"], true);
    let flag = lines[3]["flags"][0].as_str().unwrap();
    assert!(
        flag.starts_with("the same mix as ") && flag.ends_with("quiet.json"),
        "{flag}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hand_ins_are_checked_against_their_own_lesson_only() {
    let dir = temp_dir("handin");
    let lesson = quiet_lesson("turn-it-down");
    let lesson_path = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_path, lesson.to_json()).unwrap();
    let mine = HandIn::new(&lesson, "Ada", quiet_mix());
    let mine_path = s(&dir.join("ada.json"));
    std::fs::write(&mine_path, mine.to_json()).unwrap();
    // Another lesson, and another version of this one (a goal changed: a new fingerprint).
    let other = HandIn::new(&quiet_lesson("other-lesson"), "Grace", quiet_mix());
    let other_path = s(&dir.join("grace.json"));
    std::fs::write(&other_path, other.to_json()).unwrap();
    let mut changed = lesson.clone();
    changed.goals[0].text = "Quieter, please.".to_owned();
    let stale = HandIn::new(&changed, "Linus", quiet_mix());
    let stale_link = format!(
        "https://mixroom.example/#handin={}",
        wire::encode_hand_in(&stale)
    );
    let mine_link = format!("#handin={}", wire::encode_hand_in(&mine));
    let link_file = s(&dir.join("ada-link.txt"));
    std::fs::write(&link_file, format!("{mine_link}\n")).unwrap();

    let (code, lines, stderr) = check(&[
        &lesson_path,
        &mine_path,
        &other_path,
        &stale_link,
        &link_file,
    ]);
    assert_eq!((code, lines.len()), (1, 4), "{stderr}");
    assert_eq!(lines[0]["student"], "Ada");
    assert_eq!(lines[0]["passed"], true);
    assert_eq!(lines[1]["student"], "Grace");
    let error = lines[1]["error"].as_str().unwrap();
    assert!(
        error.contains("answers the lesson \"other-lesson\", not \"turn-it-down\""),
        "{error}"
    );
    assert!(lines[1].get("goals").is_none());
    let error = lines[2]["error"].as_str().unwrap();
    assert!(error.contains("another version of the lesson"), "{error}");
    assert_eq!(lines[2]["student"], "Linus");
    assert_eq!(lines[3]["student"], "Ada");
    assert_eq!(lines[3]["passed"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A lesson on the demo with three ear-training rounds: name a hidden EQ change, name a track's
/// gain change, undo a hidden EQ change with the master's EQ.
fn ear_lesson() -> Lesson {
    use mixroom_ear::challenge::Challenge;
    use mixroom_ear::progress::Exercise;
    let round = |id: &str, challenge: Challenge| Goal {
        id: id.to_owned(),
        text: "An ear-training round.".to_owned(),
        kind: GoalKind::EarChallenge {
            challenge: challenge.encode(),
            min_points: 8.0,
        },
    };
    let eq = |exercise| Challenge {
        exercise,
        level: 1,
        centre_hz: Some(500.0),
        gain_db: Some(-12.0),
        track: None,
        value: None,
    };
    Lesson {
        goals: vec![
            round("name-it", eq(Exercise::EqFrequency)),
            round(
                "which-track",
                Challenge {
                    exercise: Exercise::Gain,
                    level: 1,
                    centre_hz: None,
                    gain_db: None,
                    track: Some(1),
                    value: Some(6.0),
                },
            ),
            round("undo-it", eq(Exercise::EqCorrection)),
        ],
        locks: None,
        ..quiet_lesson("ear-rounds")
    }
}

#[test]
fn ear_training_rounds_are_checked_from_the_hand_ins_answers_and_its_mix() {
    let dir = temp_dir("ear");
    let lesson = ear_lesson();
    let lesson_path = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_path, lesson.to_json()).unwrap();
    let answer = |goal: &str, centre_hz, boost, track, value| EarAnswer {
        goal: goal.to_owned(),
        centre_hz,
        boost,
        track,
        value,
    };
    // Ada names both and undoes the cut with the master's EQ band 2.
    let mut corrected = lesson.start.clone();
    for (param, value) in [
        (ParamId::EqBypass, 0.0),
        (ParamId::Eq2Type, 0.0),
        (ParamId::Eq2Hz, 500.0),
        (ParamId::Eq2GainDb, 12.0),
        (ParamId::Eq2Q, std::f32::consts::SQRT_2),
    ] {
        corrected.master.set(param, value);
    }
    let mut ada = HandIn::new(&lesson, "Ada", corrected);
    ada.answers = vec![
        answer("name-it", Some(500.0), Some(false), None, None),
        answer("which-track", None, None, Some(1), Some(6.0)),
    ];
    let ada_link = format!("#handin={}", wire::encode_hand_in(&ada));
    // Grace hands in the start as it was, and answers nothing.
    let grace = HandIn::new(&lesson, "Grace", lesson.start.clone());
    let grace_path = s(&dir.join("grace.json"));
    std::fs::write(&grace_path, grace.to_json()).unwrap();

    let (code, lines, stderr) = check(&[&lesson_path, &ada_link, &grace_path]);
    assert_eq!((code, lines.len()), (3, 2), "{stderr}");
    let points = |line: &Value| -> Vec<Value> {
        line["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["measured"].clone())
            .collect()
    };
    eprintln!("Ada: {}", lines[0]["goals"]);
    assert_eq!(lines[0]["passed"], true, "{}", lines[0]);
    assert_eq!(points(&lines[0]), [10.0, 10.0, 10.0]);
    assert_eq!(lines[0]["goals"][0]["unit"], "points");
    assert_eq!(lines[1]["passed"], false);
    assert_eq!(
        points(&lines[1]),
        [Value::Null, Value::Null, Value::from(0.0)]
    );
    let hint = lines[1]["goals"][0]["hint"].as_str().unwrap();
    assert!(hint.starts_with("not answered"), "{hint}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bundle_is_checked_from_its_own_audio() {
    // The demo's stems as files in a .mixroom bundle, nothing beside it.
    let dir = temp_dir("bundle");
    let (_, mut session, files) = demo_stems(&dir);
    session.master.set(ParamId::GainDb, -10.0);
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let bundle = dir.join("quiet.mixroom");
    std::fs::write(
        &bundle,
        mixroom_protocol::bundle::write(&session, &borrowed)
            .unwrap()
            .bytes,
    )
    .unwrap();
    let lesson_path = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_path, quiet_lesson("turn-it-down").to_json()).unwrap();
    let (code, lines, stderr) = check(&[&lesson_path, &s(&bundle)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["passed"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lessons_and_hand_ins_travel_in_bundles() {
    // A lesson on the demo's stems as files, in a .mixroom bundle with them; hand-ins of it in
    // bundles of their own, each with the audio, nothing beside them.
    let dir = temp_dir("bundles");
    let (_, start, files) = demo_stems(&dir);
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let write = |name: &str, contents: Contents| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            bundle::write_contents(contents, &files).unwrap().bytes,
        )
        .unwrap();
        s(&path)
    };
    let mut lesson = quiet_lesson("turn-it-down");
    lesson.start = start.clone();
    let lesson_json = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_json, lesson.to_json()).unwrap();
    let lesson_bundle = write("lesson.mixroom", Contents::Lesson(&lesson));
    let mut quiet = start.clone();
    quiet.master.set(ParamId::GainDb, -10.0);
    let ada = HandIn::new(&lesson, "Ada", quiet.clone());
    let ada_bundle = write("ada.mixroom", Contents::HandIn(&ada));
    let grace = HandIn::new(&quiet_lesson("other-lesson"), "Grace", quiet.clone());
    let grace_bundle = write("grace.mixroom", Contents::HandIn(&grace));
    let mut newer = ada.clone();
    newer.version = LESSON_VERSION + 1;
    let newer_bundle = write("newer.mixroom", Contents::HandIn(&newer));
    let plain_bundle = write("plain.mixroom", Contents::Mix(&quiet));

    // The lesson from its bundle; a hand-in bundle names its student and is checked against
    // its own lesson only; a plain bundle and the lesson's own bundle are mixes.
    let (code, lines, stderr) = check(&[
        &lesson_bundle,
        &ada_bundle,
        &grace_bundle,
        &newer_bundle,
        &plain_bundle,
        &lesson_bundle,
    ]);
    assert_eq!((code, lines.len()), (1, 5), "{stderr}");
    assert_eq!(lines[0]["student"], "Ada");
    assert_eq!(lines[0]["passed"], true, "{}", lines[0]);
    assert_eq!(lines[1]["student"], "Grace");
    let error = lines[1]["error"].as_str().unwrap();
    assert!(
        error.contains("answers the lesson \"other-lesson\", not \"turn-it-down\""),
        "{error}"
    );
    let error = lines[2]["error"].as_str().unwrap();
    assert!(error.contains("made by a newer Mixroom"), "{error}");
    assert!(lines[2].get("student").is_none());
    assert!(lines[3].get("student").is_none());
    assert_eq!(lines[3]["passed"], true);
    assert_eq!(lines[4]["passed"], false, "the lesson's start is too loud");

    // The lesson as its JSON (files beside it, not in audio/) is the same lesson.
    let (code, lines, stderr) = check(&[&lesson_json, &ada_bundle]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines[0]["student"], "Ada");

    // A bundle without a lesson is no lesson; a newer Mixroom's lesson says so.
    let mut newer_lesson = lesson.clone();
    newer_lesson.version = LESSON_VERSION + 1;
    let newer_lesson_bundle = write("newer-lesson.mixroom", Contents::Lesson(&newer_lesson));
    for (not_a_lesson, why) in [
        (&plain_bundle, " holds no lesson: it is a mix alone"),
        (&ada_bundle, " holds no lesson: it is a student's hand-in"),
        (
            &newer_lesson_bundle,
            ": this lesson was made by a newer Mixroom",
        ),
    ] {
        let (code, lines, stderr) = check(&[not_a_lesson, &plain_bundle]);
        assert_eq!((code, lines.len()), (1, 0));
        assert!(stderr.contains(&format!("{not_a_lesson}{why}")), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A lesson on `start` whose reference is the recording at `path` and whose one goal is the
/// master's tonal balance within 1 dB of it.
#[test]
fn a_check_keeps_to_the_memory_budget_in_all() {
    // Reference: issue 23, and the memory the checker holds (mixroom-lesson's
    // `Checker::audio_bytes`). The demo's stems at 8 kHz take T bytes of f32 samples; a goal
    // on Kick's contribution keeps the stereo mix besides (2 × (longest + 1 s of tails)). A
    // budget halfway between checks the loudness lesson and refuses the contribution's, with
    // one line, and exit 2.
    let dir = temp_dir("check-memory");
    let (_, _, files) = demo_stems(&dir);
    let shape = |bytes: &[u8]| {
        let reader = hound::WavReader::new(bytes).unwrap();
        (
            u64::from(reader.spec().channels),
            u64::from(reader.duration()),
        )
    };
    let tracks: u64 = files
        .iter()
        .map(|(_, b)| shape(b))
        .map(|(c, f)| c * f * 4)
        .sum();
    let longest = files.iter().map(|(_, b)| shape(b).1).max().unwrap();
    let kept = 2 * (longest + 8000) * 4;
    let budget = (tracks + kept / 2).to_string();
    let mix = s(&dir.join("quiet.json"));
    std::fs::write(&mix, quiet_mix().to_json()).unwrap();
    let loudness = s(&dir.join("loudness.json"));
    std::fs::write(&loudness, quiet_lesson("turn-it-down").to_json()).unwrap();
    let (code, lines, stderr) = check(&[&loudness, &mix, "--max-memory", &budget]);
    assert_eq!(
        (code, lines[0]["passed"].as_bool()),
        (0, Some(true)),
        "{stderr}"
    );

    let mut level = quiet_lesson("kick-level");
    level.goals.push(Goal {
        id: "kick".to_owned(),
        text: "Kick is heard.".to_owned(),
        kind: GoalKind::RelativeLevel {
            strip: mixroom_protocol::lesson::StripRef::Track("Kick".to_owned()),
            min_db: Some(-40.0),
            max_db: None,
        },
    });
    let level_path = s(&dir.join("level.json"));
    std::fs::write(&level_path, level.to_json()).unwrap();
    let (code, lines, stderr) = check(&[&level_path, &mix, "--max-memory", &budget]);
    assert_eq!((code, lines.len()), (2, 1), "{stderr}");
    let error = lines[0]["error"].as_str().unwrap();
    let needs = format!("needs {} MiB of memory", (tracks + kept).div_ceil(1 << 20));
    assert!(error.starts_with("checking this mix "), "{error}");
    assert!(
        error.contains(&needs) && error.contains("--max-memory"),
        "{error}"
    );
    // With room for it, the same check runs.
    let room = (tracks + kept).to_string();
    let (code, lines, stderr) = check(&[&level_path, &mix, "--max-memory", &room]);
    assert_eq!(
        (code, lines[0]["passed"].as_bool()),
        (0, Some(true)),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn recording_lesson(start: &Session, path: &str) -> Lesson {
    let mut lesson = quiet_lesson("sound-like-this");
    lesson.start = start.clone();
    lesson.reference = Some(Reference::Recording(Recording::File(FileSource {
        path: path.to_owned(),
        sha256: None,
    })));
    lesson.goals = vec![Goal {
        id: "like-the-reference".to_owned(),
        text: "The mix's tonal balance is the reference recording's.".to_owned(),
        kind: GoalKind::TonalBalance {
            curve: Curve::Reference,
            tolerance_db: 1.0,
        },
    }];
    lesson
}

/// The tonal-balance goal of each line: (passed, deviation measured).
fn tonal(lines: &[Value]) -> Vec<(bool, Option<f64>)> {
    lines
        .iter()
        .map(|line| {
            let goal = &line["goals"][0];
            assert_eq!(goal["id"], "like-the-reference", "{line}");
            (goal["passed"].as_bool().unwrap(), goal["measured"].as_f64())
        })
        .collect()
}

#[test]
fn a_lesson_brings_its_reference_recording() {
    // The demo's stems as files; the reference recording is the mix's own render (its samples
    // in a 32-bit float WAV written with hound), so the mix is within 0.2 dB of it in every band, whether the
    // recording is in the lesson's bundle or beside its JSON; without it, one warning and the
    // goal is not measured.
    let dir = temp_dir("recording");
    let (stems, start, files) = demo_stems(&dir);
    let mix = s(&stems.join("session.json"));
    // As long as the check renders: the longest stem and a second of tails.
    let longest = files
        .iter()
        .map(|(_, bytes)| hound::WavReader::new(&bytes[..]).unwrap().duration())
        .max()
        .unwrap();
    let frames = (longest + 8000).to_string();
    let rendered = dir.join("rendered.wav");
    let (code, _, stderr) = mixroom(&[
        "render",
        &mix,
        "-o",
        &s(&rendered),
        "--sample-rate",
        "8000",
        "--frames",
        &frames,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut reader = hound::WavReader::open(&rendered).unwrap();
    let spec = reader.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let scale = (1_i64 << (spec.bits_per_sample - 1)) as f32;
            let samples = reader.samples::<i32>().map(Result::unwrap);
            samples.map(|x| x as f32 / scale).collect()
        }
    };
    let teacher = dir.join("teacher.wav");
    let spec = hound::WavSpec {
        channels: spec.channels,
        sample_rate: 8000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(&teacher, spec).unwrap();
    for x in samples {
        writer.write_sample(x).unwrap();
    }
    writer.finalize().unwrap();

    // In the lesson's bundle, as its entry; the track files beside it are not read.
    let mut files = files;
    files.push(("teacher.wav".to_owned(), std::fs::read(&teacher).unwrap()));
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let lesson = recording_lesson(&start, "teacher.wav");
    let bundle = dir.join("lesson.mixroom");
    let written = bundle::write_contents(Contents::Lesson(&lesson), &files).unwrap();
    std::fs::write(&bundle, written.bytes).unwrap();
    let (code, lines, stderr) = check(&[&s(&bundle), &mix, &mix]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    for (passed, measured) in tonal(&lines) {
        assert!(passed);
        assert!(measured.unwrap().abs() < 0.2, "{measured:?}");
    }

    // As JSON, the recording beside it.
    let lesson_json = s(&dir.join("lesson.json"));
    std::fs::write(&lesson_json, lesson.to_json()).unwrap();
    let (code, lines, stderr) = check(&[&lesson_json, &mix]);
    assert_eq!(code, 0, "{stderr}");
    let (passed, measured) = tonal(&lines)[0];
    assert!(passed && measured.unwrap().abs() < 0.2, "{measured:?}");

    // Without it: one warning for every mix, and the goal not measured.
    std::fs::remove_file(&teacher).unwrap();
    let (code, lines, stderr) = check(&[&lesson_json, &mix, &mix]);
    assert_eq!(code, 3, "{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("teacher.wav") && warnings[0].contains("not measured"),
        "{stderr}"
    );
    assert_eq!(tonal(&lines), [(false, None), (false, None)]);
    std::fs::remove_dir_all(&dir).unwrap();
}
