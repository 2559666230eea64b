use super::rules::{
    MAX_CHALLENGE_CHARS, MAX_GOALS, MAX_STEPS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, UNTITLED,
};
use super::wire::{
    encode_hand_in, encode_lesson, open_hand_in, open_lesson, WireError, HANDIN_KEY, LESSON_KEY,
};
use super::*;
use crate::session::{benchmark, FileSource, Session, Source};

fn goal(id: &str, kind: GoalKind) -> Goal {
    Goal::new(id, &format!("Goal {id}."), kind)
}

/// A lesson with one goal of every kind, locks and a reference mix.
fn every_kind() -> Lesson {
    let mut start = benchmark(2, true);
    start.tracks[0].name = "Kick".into();
    start.tracks[1].name = "Bass".into();
    let aux = StripRef::Return("Reverb".into());
    Lesson {
        version: LESSON_VERSION,
        id: "bass-and-kick".into(),
        title: "Bass and kick – 低音".into(),
        introduction: "The low end is a fight.\nMake room.".into(),
        steps: vec!["Solo the kick and the bass.".into(), "Cut the bass.".into()],
        reference: Some(Reference::Mix(start.clone())),
        start,
        locks: Some(vec!["gain_db".into(), "pan".into()]),
        goals: vec![
            goal(
                "loud",
                GoalKind::Loudness {
                    min_lufs: Some(-16.0),
                    max_lufs: Some(-12.0),
                },
            ),
            goal("peak", GoalKind::TruePeak { max_dbtp: -1.0 }),
            goal(
                "lra",
                GoalKind::LoudnessRange {
                    min_lu: None,
                    max_lu: Some(8.0),
                },
            ),
            goal(
                "kick-level",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Kick"),
                    min_db: Some(-6.0),
                    max_db: None,
                },
            ),
            goal(
                "low-end",
                GoalKind::BandBalance {
                    a: StripRef::track("Bass"),
                    b: StripRef::track("Kick"),
                    low_hz: 40.0,
                    high_hz: 120.0,
                    min_db: None,
                    max_db: Some(-2.0),
                },
            ),
            goal(
                "mask",
                GoalKind::Masking {
                    a: StripRef::track("Bass"),
                    b: StripRef::track("Kick"),
                    max_percent: 40.0,
                },
            ),
            goal(
                "wide",
                GoalKind::Width {
                    strip: StripRef::Bus("Bus 1".into()),
                    min_percent: Some(20.0),
                    max_percent: Some(80.0),
                },
            ),
            goal("corr", GoalKind::Correlation { min: 0.2 }),
            goal(
                "mono",
                GoalKind::MonoBass {
                    below_hz: 120.0,
                    min_correlation: 0.9,
                },
            ),
            goal(
                "tone",
                GoalKind::TonalBalance {
                    curve: Curve::Reference,
                    tolerance_db: 4.0,
                },
            ),
            goal(
                "squash",
                GoalKind::GainReduction {
                    strip: StripRef::Master,
                    min_db: Some(1.0),
                    max_db: Some(4.0),
                },
            ),
            goal(
                "crest",
                GoalKind::Crest {
                    min_db: Some(8.0),
                    max_db: None,
                },
            ),
            goal(
                "verb",
                GoalKind::ReturnLevel {
                    aux,
                    min_db: Some(-20.0),
                    max_db: Some(-10.0),
                },
            ),
            goal(
                "ear",
                GoalKind::EarChallenge {
                    challenge: "AQ-_x9".into(),
                    min_points: 7.0,
                },
            ),
        ],
    }
}

fn fields(refused: &[crate::validate::Refusal]) -> Vec<&str> {
    refused.iter().map(|r| r.field.as_str()).collect()
}

#[test]
fn every_kind_round_trips_through_json_and_links() {
    // Reference: the schema; each goal kind written and read back unchanged.
    let lesson = every_kind();
    assert_eq!(lesson.goals.len(), KNOWN_KINDS.len());
    let json = lesson.to_json();
    assert_eq!(Lesson::from_json(&json).unwrap(), lesson);
    assert!(
        json.contains("\"kind\": \"band_balance\"") && json.contains("\"return\": {"),
        "{json}"
    );
    let payload = encode_lesson(&lesson);
    let opened = open_lesson(&format!("https://mixroom.example/#{LESSON_KEY}{payload}")).unwrap();
    assert_eq!(opened.lesson, lesson);
    assert_eq!(opened.refused, []);
    assert!(lesson.unknown_goal_kinds().is_empty());
    println!(
        "lesson link of every goal kind: {} characters",
        payload.len()
    );
}

#[test]
fn the_fingerprint_is_the_canonical_json_hashed() {
    // Reference: SHA-256 of the canonical JSON, files named as a bundle names them; the same
    // lesson read again has the same one.
    let lesson = every_kind();
    let print = lesson.fingerprint();
    assert_eq!(print.len(), 64);
    let mut by_name = lesson.clone();
    for mix in both_mixes(&mut by_name) {
        for (i, track) in mix.tracks.iter_mut().enumerate() {
            track.source = Source::File(FileSource {
                path: format!("audio/noise{i}.wav"),
                sha256: None,
            });
        }
    }
    assert_eq!(
        print,
        crate::hash::sha256_hex(by_name.canonical_json().as_bytes())
    );
    let mut demo = lesson.clone();
    for mix in both_mixes(&mut demo) {
        for track in &mut mix.tracks {
            track.source = Source::Demo("kick".into());
        }
    }
    assert_eq!(
        demo.fingerprint(),
        crate::hash::sha256_hex(demo.canonical_json().as_bytes()),
        "no file, nothing renamed"
    );
    assert_eq!(
        Lesson::from_json(&lesson.to_json()).unwrap().fingerprint(),
        print
    );
    let mut changed = lesson.clone();
    changed.steps.push("One more.".into());
    assert_ne!(changed.fingerprint(), print);
}

/// The starting and reference mixes of `lesson`, which has a reference mix.
fn both_mixes(lesson: &mut Lesson) -> [&mut Session; 2] {
    match &mut lesson.reference {
        Some(Reference::Mix(mix)) => [&mut lesson.start, mix],
        _ => panic!("a reference mix"),
    }
}

#[test]
fn the_fingerprint_names_files_by_their_name_alone() {
    // Reference: Lesson::fingerprint's rule, which makes it survive a bundle (bundle/
    // attached_tests.rs takes a lesson through one): folders and SHA-256s do not count, names
    // do, and two files of one name are told apart in the order a bundle tells them apart.
    let file = |path: &str, sha256: Option<&str>| {
        Source::File(FileSource {
            path: path.into(),
            sha256: sha256.map(str::to_owned),
        })
    };
    let with = |sources: [Source; 2], recording: Option<&str>| {
        let mut lesson = every_kind();
        lesson.start.tracks[0].source = sources[0].clone();
        lesson.start.tracks[1].source = sources[1].clone();
        lesson.reference = Some(match recording {
            Some(path) => Reference::Recording(Recording::File(FileSource {
                path: path.into(),
                sha256: None,
            })),
            None => {
                let mut mix = lesson.start.clone();
                mix.tracks.reverse();
                Reference::Mix(mix)
            }
        });
        lesson.fingerprint()
    };
    let sha = "ab".repeat(32);
    let print = with([file("a/bass.wav", None), file("b/bass.wav", None)], None);
    let moved = [
        file("audio/bass.wav", Some(&sha)),
        file("audio/bass (2).wav", Some(&sha)),
    ];
    assert_eq!(with(moved, None), print, "as a bundle stores them");
    let windows = [file("C:\\a\\bass.wav", None), file("bass.wav", None)];
    assert_eq!(with(windows, None), print, "any folders");
    let shared = [file("a/bass.wav", None), file("a/bass.wav", None)];
    assert_ne!(with(shared, None), print, "one file twice is not two files");
    let renamed = [file("a/bass.wav", None), file("b/kick.wav", None)];
    assert_ne!(with(renamed, None), print, "names count");
    let recording = |path| with([file("bass.wav", None), file("kick.wav", None)], Some(path));
    assert_eq!(recording("teacher/final.wav"), recording("final.wav"));
    assert_ne!(recording("final.wav"), recording("draft.wav"));
}

#[test]
fn goals_of_a_newer_kind_are_kept_and_reported() {
    // Reference: the schema's rule that an unknown kind never makes a lesson unreadable.
    let mut value = serde_json::to_value(every_kind()).unwrap();
    value["goals"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "flux", "text": "Keep it moving.", "kind": "spectral_flux",
        "strip": { "track": "Kick" }, "min_flux_percent": 10, "nested": { "b": [1, 2], "a": null }
    }));
    let text = value.to_string();
    let opened = Lesson::open_json(&text).unwrap();
    assert_eq!(opened.refused, []);
    let lesson = opened.lesson;
    assert_eq!(lesson.unknown_goal_kinds(), ["spectral_flux"]);
    let GoalKind::Unknown { kind, fields } = &lesson.goals.last().unwrap().kind else {
        panic!("kept as unknown");
    };
    assert_eq!(kind, "spectral_flux");
    assert_eq!(fields["min_flux_percent"], 10);
    let back: serde_json::Value = serde_json::from_str(&lesson.to_json()).unwrap();
    assert_eq!(
        back["goals"][KNOWN_KINDS.len()],
        value["goals"][KNOWN_KINDS.len()]
    );
    let relinked = open_lesson(&encode_lesson(&lesson)).unwrap().lesson;
    assert_eq!(relinked, lesson, "a link keeps the unknown goal as it came");
}

#[test]
fn a_newer_kind_is_named_like_an_id() {
    // Reference: the rules table, goal kind (found by `cargo xtask fuzz`, in
    // crates/fuzz/regressions/lesson/): a kind's name reaches the student's page, so one that
    // is empty, too long or carries control characters leaves its goal out.
    let long = "x".repeat(33);
    for kind in ["", "flux\u{0}", "Spectral flux", long.as_str()] {
        let mut value = serde_json::to_value(every_kind()).unwrap();
        value["goals"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": "flux", "text": "Keep it moving.", "kind": kind
            }));
        let opened = Lesson::open_json(&value.to_string()).unwrap();
        let goal = format!("goal {}", KNOWN_KINDS.len() + 1);
        assert_eq!(fields(&opened.refused), [goal.as_str()], "{kind:?}");
        assert!(opened.refused[0].why.contains("its kind"), "{kind:?}");
        assert!(opened.lesson.unknown_goal_kinds().is_empty());
    }
}

#[test]
fn a_reference_recording_with_a_bad_checksum_is_asked_for_by_name() {
    // Reference: the rules table, reference recording (found by `cargo xtask fuzz`): the
    // SHA-256 is refused on its own, by name, as a track's is; the recording is kept.
    let mut lesson = every_kind();
    let file = |sha256: &str| {
        Reference::Recording(Recording::File(crate::session::FileSource {
            path: "teacher.wav".into(),
            sha256: Some(sha256.into()),
        }))
    };
    lesson.reference = Some(file("not a hash"));
    let opened = Lesson::open_json(&lesson.to_json()).unwrap();
    assert_eq!(
        fields(&opened.refused),
        ["the reference recording, file checksum"]
    );
    let Some(Reference::Recording(Recording::File(kept))) = &opened.lesson.reference else {
        panic!("the recording is kept")
    };
    assert_eq!((kept.path.as_str(), &kept.sha256), ("teacher.wav", &None));
    assert!(Lesson::from_json(&lesson.to_json()).is_err());
    lesson.reference = Some(file(&"AB".repeat(32)));
    let opened = Lesson::open_json(&lesson.to_json()).unwrap();
    assert_eq!(opened.refused, []);
    assert_eq!(opened.lesson.reference, Some(file(&"ab".repeat(32))));
}

#[test]
fn a_newer_lesson_is_refused_with_its_starting_mix() {
    // Reference: LessonError::TooNew's contract.
    let mut value = serde_json::to_value(every_kind()).unwrap();
    value["version"] = 7.into();
    value["new_field_of_v7"] = "x".into();
    let err = Lesson::open_json(&value.to_string()).unwrap_err();
    let LessonError::TooNew {
        found: 7,
        start: Some(start),
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(start.session, every_kind().start);
    assert!(err.to_string().contains("newer Mixroom") && err.to_string().contains("opened"));
    value["start"] = serde_json::json!({ "version": 99, "tracks": [] });
    let err = Lesson::open_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            LessonError::TooNew {
                found: 7,
                start: None
            }
        ),
        "{err:?}"
    );
    value["version"] = serde_json::json!(1u64 << 40);
    let err = Lesson::open_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            LessonError::TooNew {
                found: u32::MAX,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn sessions_inside_a_lesson_are_migrated() {
    // Reference: crate::migrate (session version 1 named a file by a bare path).
    let text = r#"{ "version": 1, "id": "old", "title": "Old mixes",
        "start": { "version": 1, "tracks": [ { "name": "Bass", "source": { "file": "b.wav" } } ] },
        "reference": { "mix": { "version": 1, "tracks": [
            { "name": "Bass", "source": { "file": "b.wav" }, "params": { "gain_db": -3 } } ] } },
        "goals": [ { "id": "mono", "text": "Mono bass.", "kind": "mono_bass", "min_correlation": 0.9 } ] }"#;
    let lesson = Lesson::from_json(text).unwrap();
    assert_eq!(lesson.start.version, crate::session::SESSION_VERSION);
    assert_eq!(lesson.start.tracks[0].source_name(), "b.wav");
    let Some(Reference::Mix(mix)) = &lesson.reference else {
        panic!("a mix")
    };
    assert_eq!(mix.tracks[0].strip.params["gain_db"], -3.0);
    assert_eq!(
        lesson.goals[0].kind,
        GoalKind::MonoBass {
            below_hz: MONO_BASS_BELOW_HZ,
            min_correlation: 0.9
        }
    );
    assert!(
        lesson.allows(crate::params::ParamId::Solo),
        "no locks: everything allowed"
    );
    for bad in [
        r#"{"id": "x"}"#,
        r#"{"version": 0, "id": "x"}"#,
        r#"{"version": "1", "id": "x"}"#,
        r#"{"version": 1.5, "id": "x"}"#,
        "[]",
    ] {
        let err = Lesson::open_json(bad).unwrap_err();
        assert!(matches!(err, LessonError::Malformed(_)), "{bad}: {err}");
    }
}

#[test]
fn locks_allow_only_the_keys_listed() {
    use crate::params::ParamId;
    let lesson = every_kind();
    assert!(lesson.allows(ParamId::GainDb) && lesson.allows(ParamId::Pan));
    assert!(!lesson.allows(ParamId::Mute) && !lesson.allows(ParamId::CompRatio));
}

#[test]
fn each_bad_field_is_refused_alone_and_named() {
    // Reference: the rules table of `rules`, one row at a time.
    let mut lesson = every_kind();
    lesson.title = "x".repeat(MAX_TITLE_CHARS + 1);
    lesson.introduction = "Hi\u{1b}[2J".into();
    lesson.steps = vec![
        "Fine.\nTwo lines.".into(),
        "".into(),
        "Bell\u{7}".into(),
        "Last.".into(),
    ];
    lesson.start.tracks[0].color = Some("red".into());
    lesson.locks = Some(vec![
        "gain_db".into(),
        "Gain DB".into(),
        "future_key".into(),
    ]);
    let bad_numbers = [
        GoalKind::Loudness {
            min_lufs: Some(-10.0),
            max_lufs: Some(-20.0),
        },
        GoalKind::Loudness {
            min_lufs: None,
            max_lufs: None,
        },
        GoalKind::TruePeak { max_dbtp: 1e300 },
        GoalKind::BandBalance {
            a: StripRef::track("Bass"),
            b: StripRef::track("Kick"),
            low_hz: 200.0,
            high_hz: 100.0,
            min_db: Some(0.0),
            max_db: None,
        },
        GoalKind::Masking {
            a: StripRef::track("Bass"),
            b: StripRef::track("Kick"),
            max_percent: 101.0,
        },
        GoalKind::Correlation { min: -2.0 },
        GoalKind::RelativeLevel {
            strip: StripRef::Master,
            min_db: Some(0.0),
            max_db: None,
        },
        GoalKind::ReturnLevel {
            aux: StripRef::track("Kick"),
            min_db: Some(-20.0),
            max_db: None,
        },
        GoalKind::Width {
            strip: StripRef::track("\u{0}"),
            min_percent: Some(1.0),
            max_percent: None,
        },
    ];
    let kept = lesson.goals.len();
    for (i, kind) in bad_numbers.into_iter().enumerate() {
        lesson.goals.push(goal(&format!("bad-{i}"), kind));
    }
    lesson
        .goals
        .push(goal("Bad Id", GoalKind::Correlation { min: 0.0 }));
    lesson
        .goals
        .push(goal("loud", GoalKind::Correlation { min: 0.0 }));
    let mut no_text = goal("no-text", GoalKind::Correlation { min: 0.0 });
    no_text.text = "two\nlines".into();
    lesson.goals.push(no_text);
    let goals = lesson.goals.len();

    let opened = Lesson::open_json(&lesson.to_json()).unwrap();
    let mut expected = vec![
        "the lesson's title",
        "the lesson's introduction",
        "step 2",
        "step 3",
        "the starting mix, track 1 “Kick”, colour",
        "the lesson's locks",
    ];
    let goal_fields: Vec<String> = (kept + 1..=goals).map(|n| format!("goal {n}")).collect();
    expected.extend(goal_fields.iter().map(String::as_str));
    assert_eq!(fields(&opened.refused), expected);
    let lesson = opened.lesson;
    assert_eq!(lesson.title, UNTITLED);
    assert_eq!(lesson.introduction, "");
    assert_eq!(lesson.steps, ["Fine.\nTwo lines.", "Last."]);
    assert_eq!(lesson.start.tracks[0].color, None);
    assert_eq!(
        lesson.locks,
        Some(vec!["gain_db".into(), "future_key".into()])
    );
    assert_eq!(lesson.goals.len(), kept, "every bad goal left out");
    let whys: Vec<String> = opened.refused.iter().map(|r| r.to_string()).collect();
    for (i, words) in [
        (0, "101 characters"),
        (1, "control characters"),
        (2, "empty"),
        (6, "minimum -10 is above its maximum -20"),
        (7, "neither a minimum nor a maximum"),
        (8, "true peak 1e300 is not from -60 to 6"),
        (9, "band is empty"),
        (11, "correlation -2"),
        (12, "the master"),
        (13, "not a return"),
        (14, "control characters"),
        (15, "is not 1 to 32"),
        (16, "taken by an earlier goal"),
        (17, "control characters"),
    ] {
        assert!(whys[i].contains(words), "{}: {words}", whys[i]);
    }
    assert!(whys.iter().all(|w| w.len() < 300), "{whys:?}");
    let mut untitled = every_kind();
    untitled.title = " ".into();
    let strict = Lesson::from_json(&untitled.to_json()).unwrap_err();
    assert!(matches!(strict, LessonError::Field(_)), "{strict}");
    assert!(strict.to_string().contains("title"), "{strict}");
}

#[test]
fn what_cannot_be_mended_refuses_the_lesson() {
    // Reference: the rows of `rules` that refuse the whole lesson, and the session's own.
    let mut bad_id = every_kind();
    bad_id.id = "../etc".into();
    let mut steps = every_kind();
    steps.steps = vec!["Step.".into(); MAX_STEPS + 1];
    let mut goals = every_kind();
    goals.goals = (0..=MAX_GOALS)
        .map(|i| goal(&format!("g{i}"), GoalKind::Correlation { min: 0.0 }))
        .collect();
    let mut start = every_kind();
    start.start.master.params.insert("panorama".into(), 1.0);
    let mut reference = every_kind();
    if let Some(Reference::Mix(mix)) = &mut reference.reference {
        mix.tracks[0].strip.params.insert("output".into(), 9.0);
    }
    type Case = (Lesson, fn(&LessonError) -> bool, &'static str);
    let cases: [Case; 5] = [
        (bad_id, |e| matches!(e, LessonError::BadId(_)), "id"),
        (
            steps,
            |e| {
                matches!(
                    e,
                    LessonError::TooMany {
                        what: "steps",
                        found: 21,
                        ..
                    }
                )
            },
            "21 steps",
        ),
        (
            goals,
            |e| {
                matches!(
                    e,
                    LessonError::TooMany {
                        what: "goals",
                        found: 33,
                        ..
                    }
                )
            },
            "33 goals",
        ),
        (start, |e| matches!(e, LessonError::Start(_)), "panorama"),
        (
            reference,
            |e| matches!(e, LessonError::Reference(_)),
            "bus 9",
        ),
    ];
    for (lesson, is, words) in cases {
        let err = Lesson::open_json(&lesson.to_json()).unwrap_err();
        assert!(is(&err), "{err:?}");
        assert!(err.to_string().contains(words), "{err}");
    }
}

#[test]
fn a_bad_reference_is_refused_field_by_field() {
    for recording in [
        Recording::Url("javascript:alert(1)".into()),
        Recording::File(crate::session::FileSource {
            path: "stems/".into(),
            sha256: None,
        }),
    ] {
        let mut lesson = every_kind();
        lesson.reference = Some(Reference::Recording(recording));
        let opened = Lesson::open_json(&lesson.to_json()).unwrap();
        assert_eq!(fields(&opened.refused), ["the reference recording"]);
        assert_eq!(opened.lesson.reference, None);
    }
    let mut lesson = every_kind();
    if let Some(Reference::Mix(mix)) = &mut lesson.reference {
        mix.tracks[0].color = Some("blue".into());
    }
    let opened = Lesson::open_json(&lesson.to_json()).unwrap();
    assert_eq!(
        fields(&opened.refused),
        ["the reference mix, track 1 “Kick”, colour"]
    );
    let Some(Reference::Mix(mix)) = &opened.lesson.reference else {
        panic!("kept")
    };
    assert_eq!(mix.tracks[0].color, None);
    let good = Reference::Recording(Recording::Url("https://example.com/teacher.ogg".into()));
    lesson.reference = Some(good.clone());
    assert_eq!(
        Lesson::from_json(&lesson.to_json()).unwrap().reference,
        Some(good)
    );
}

#[test]
fn hostile_input_is_refused_with_a_reason_and_never_panics() {
    // Reference: the bounds of this module and serde_json's recursion limit (128).
    let huge = format!(
        "{{\"version\": 1, \"id\": \"x\", \"title\": \"{}\"}}",
        "a".repeat(MAX_LESSON_BYTES)
    );
    let err = Lesson::open_json(&huge).unwrap_err();
    assert!(matches!(err, LessonError::Malformed(_)) && err.to_string().contains("bytes long"));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        Lesson::open_json(&deep),
        Err(LessonError::Malformed(_))
    ));
    let mut value = serde_json::to_value(every_kind()).unwrap();
    let mut nested = serde_json::json!(0);
    for _ in 0..200 {
        nested = serde_json::json!({ "x": nested });
    }
    value["goals"][0]["kind"] = "future".into();
    value["goals"][0]["deep"] = nested;
    let err = Lesson::open_json(&value.to_string()).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
    let mut value = serde_json::to_value(every_kind()).unwrap();
    value["title"] = "\u{0}\u{1b}[31mred".into();
    value["steps"][0] = "x".repeat(MAX_TEXT_CHARS + 1).into();
    let opened = Lesson::open_json(&value.to_string()).unwrap();
    assert_eq!(fields(&opened.refused), ["the lesson's title", "step 1"]);
    for text in [
        "",
        "{",
        "null",
        r#"{"version": 1}"#,
        r#"{"version": 1, "id": "x", "title": "t", "start": {"version": 2, "tracks": []}, "goals": [{"id": "a"}]}"#,
        r#"{"version": 1, "id": "x", "title": "t", "start": {"version": 2, "tracks": []}, "goals": [{"id": "a", "text": "t", "kind": "loudness", "max_lufs": "loud"}]}"#,
        r#"{"version": 1, "id": "x", "title": "t", "start": {"version": 2, "tracks": []}, "goals": [{"id": "a", "text": "t", "kind": "loudness", "max_lufs": -1, "extra": 1}]}"#,
        r#"{"version": 1, "id": "x", "title": "t", "start": {"version": 2, "tracks": []}, "goals": [{"id": "a", "text": "t", "kind": 5}]}"#,
    ] {
        let err = Lesson::open_json(text).unwrap_err();
        assert!(matches!(err, LessonError::Malformed(_)), "{text}: {err:?}");
    }
}

#[test]
fn bad_links_get_their_error() {
    // Reference: the WireError variants.
    let good = encode_lesson(&every_kind());
    for text in ["", "#lesson=", "hello world", "YWJj!"] {
        assert_eq!(
            open_lesson(text).unwrap_err(),
            WireError::NotALink,
            "{text:?}"
        );
    }
    for cut in [3, 10, good.len() / 2, good.len() - 2] {
        assert_eq!(
            open_lesson(&good[..cut]).unwrap_err(),
            WireError::Truncated,
            "cut {cut}"
        );
    }
    let mut flipped = good.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        open_lesson(std::str::from_utf8(&flipped).unwrap()).unwrap_err(),
        WireError::Damaged
    );
    let payload = |format: u8, body: &[u8]| {
        use base64::Engine as _;
        let mut bytes = vec![format];
        bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(body, 6));
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let bomb = vec![b' '; MAX_LESSON_BYTES + 1];
    assert_eq!(
        open_lesson(&payload(1, &bomb)).unwrap_err(),
        WireError::Damaged
    );
    assert_eq!(
        open_lesson(&payload(1, b"\xff\xfe")).unwrap_err(),
        WireError::Damaged
    );
    assert_eq!(
        open_lesson(&payload(2, b"{}")).unwrap_err(),
        WireError::TooNew
    );
    assert_eq!(
        open_lesson(&payload(200, b"{}")).unwrap_err(),
        WireError::NotALink
    );
    let err = open_lesson(&payload(1, b"{}")).unwrap_err();
    assert!(
        matches!(err, WireError::Lesson(LessonError::Malformed(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("lesson"), "{err}");
}

#[test]
fn hand_ins_round_trip_and_name_their_lesson() {
    // Reference: HandIn's fields; the fingerprint ties it to one lesson.
    let lesson = every_kind();
    let mut mix = lesson.start.clone();
    mix.tracks[1].strip.params.insert("gain_db".into(), -4.0);
    let hand_in = HandIn::new(&lesson, "Ada Lovelace", mix);
    assert!(hand_in.answers(&lesson));
    let mut other = lesson.clone();
    other.title = "Another".into();
    assert!(!hand_in.answers(&other));
    assert_eq!(HandIn::from_json(&hand_in.to_json()).unwrap(), hand_in);
    let payload = encode_hand_in(&hand_in);
    let opened = open_hand_in(&format!("https://x.example/#{HANDIN_KEY}{payload}")).unwrap();
    assert_eq!(opened.hand_in, hand_in);

    let mut bad = hand_in.clone();
    bad.student = "\u{1b}]0;admin\u{7}".into();
    bad.mix.tracks[0].color = Some("nope".into());
    let opened = HandIn::open_json(&bad.to_json()).unwrap();
    assert_eq!(
        fields(&opened.refused),
        ["the student's name", "the mix, track 1 “Kick”, colour"]
    );
    assert_eq!(opened.hand_in.student, "Unnamed student");
    let mut persian = hand_in.clone();
    persian.student = "زهرا\u{200C}ی".into();
    let opened = HandIn::open_json(&persian.to_json()).unwrap();
    assert_eq!(opened.refused, [], "a ZWNJ is part of a Persian name");
    assert_eq!(opened.hand_in.student, persian.student);
    let mut bad = hand_in.clone();
    bad.lesson_sha256 = "abc".into();
    assert!(matches!(
        HandIn::open_json(&bad.to_json()),
        Err(HandInError::BadLesson(_))
    ));
    let mut bad = hand_in.clone();
    bad.lesson_id = "Not An Id".into();
    assert!(matches!(
        HandIn::open_json(&bad.to_json()),
        Err(HandInError::BadLesson(_))
    ));
    let newer = hand_in
        .to_json()
        .replace("\"version\": 1,", "\"version\": 3,");
    assert_eq!(
        HandIn::open_json(&newer),
        Err(HandInError::TooNew { found: 3 })
    );
    let mut wrong = hand_in.clone();
    wrong.mix.tracks[0].source = Source::Demo("Not an id!".into());
    let opened = HandIn::open_json(&wrong.to_json()).unwrap();
    assert_eq!(
        opened.hand_in.mix.tracks.len(),
        1,
        "a track with a bad source is left out"
    );
}

#[test]
fn a_hand_in_carries_its_ear_training_answers_and_a_strangers_are_bounded() {
    // Reference: lesson/ear.rs: one answer per goal id, ids like an id, at most MAX_GOALS.
    let lesson = every_kind();
    let answer = |goal: &str| EarAnswer {
        goal: goal.into(),
        centre_hz: Some(125.0),
        boost: Some(true),
        track: None,
        value: None,
    };
    let mut hand_in = HandIn::new(&lesson, "Ada", lesson.start.clone());
    assert!(
        !hand_in.to_json().contains("answers"),
        "no answers, no field"
    );
    hand_in.answers = vec![answer("ear")];
    let json = hand_in.to_json();
    assert!(json.contains("\"centre_hz\": 125.0"), "{json}");
    assert_eq!(HandIn::from_json(&json).unwrap(), hand_in);
    assert_eq!(
        EarAnswer::find(&hand_in.answers, "ear").and_then(|a| a.boost),
        Some(true)
    );

    let mut bad = hand_in.clone();
    bad.answers = vec![answer("ear"), answer("ear"), answer("Not An Id")];
    bad.answers
        .extend((0..40).map(|i| answer(&format!("g{i}"))));
    let opened = HandIn::open_json(&bad.to_json()).unwrap();
    assert_eq!(opened.hand_in.answers.len(), MAX_GOALS);
    assert_eq!(opened.hand_in.answers[0], answer("ear"));
    assert_eq!(opened.refused.len(), 2 + 41 - MAX_GOALS);
    assert!(HandIn::from_json(&bad.to_json()).is_err());
    // A number beyond f32 reads as an infinity, which JSON cannot write back: left out.
    let huge = json.replace("\"centre_hz\": 125.0", "\"centre_hz\": 1e39");
    let opened = HandIn::open_json(&huge).unwrap();
    assert_eq!((opened.hand_in.answers.len(), opened.refused.len()), (0, 1));
    let unknown = json.replace("\"boost\": true", "\"boost\": true, \"secret\": 1");
    assert!(
        HandIn::open_json(&unknown).is_err(),
        "unknown fields are refused"
    );
}

#[test]
fn an_ear_training_goal_holds_a_payload_and_points_within_bounds() {
    let mut lesson = every_kind();
    let ear = lesson.goals.len() - 1;
    for (payload, points, kept) in [
        ("AQ-_x9", 7.0, true),
        ("AQ-_x9", 10.0, true),
        ("AQ-_x9", 11.0, false),
        ("", 7.0, false),
        ("AQ==", 7.0, false),
        ("<script>", 7.0, false),
    ] {
        lesson.goals[ear].kind = GoalKind::EarChallenge {
            challenge: payload.into(),
            min_points: points,
        };
        let opened = Lesson::open_json(&lesson.to_json()).unwrap();
        assert_eq!(
            opened.lesson.goals.len() == KNOWN_KINDS.len(),
            kept,
            "{payload} {points}"
        );
    }
    lesson.goals[ear].kind = GoalKind::EarChallenge {
        challenge: "A".repeat(MAX_CHALLENGE_CHARS + 1),
        min_points: 7.0,
    };
    assert_eq!(
        Lesson::open_json(&lesson.to_json())
            .unwrap()
            .lesson
            .goals
            .len(),
        KNOWN_KINDS.len() - 1
    );
}

#[test]
fn mutated_lessons_open_safe_or_are_refused_never_panic() {
    // Reference: the contract of the lenient readers (as crates/fuzz states it for mixes):
    // whatever opens is safe, so the strict reader takes it as it is; nothing panics.
    let mut value = serde_json::to_value(every_kind()).unwrap();
    value["goals"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "future", "text": "Later.", "kind": "spectral_flux", "x": [1, {"y": "z"}]
        }));
    let text = value.to_string();
    let chars: Vec<char> = text.chars().collect();
    let replacements = [
        '{', '}', '[', ']', '"', ',', ':', '0', '9', '-', 'e', 'x', '\u{202E}', '\n',
    ];
    let mut state = 0x2545_f491_u32;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as usize % n
    };
    let (mut opened, mut refused) = (0, 0);
    for _ in 0..3000 {
        let mut mutated = chars.clone();
        for _ in 0..1 + next(3) {
            let at = next(mutated.len());
            match next(3) {
                0 => mutated[at] = replacements[next(replacements.len())],
                1 => {
                    mutated.remove(at);
                }
                _ => mutated.insert(at, replacements[next(replacements.len())]),
            }
        }
        let mutated: String = mutated.into_iter().collect();
        match Lesson::open_json(&mutated) {
            Ok(incoming) => {
                opened += 1;
                let again = Lesson::from_json(&incoming.lesson.to_json());
                assert_eq!(again.as_ref(), Ok(&incoming.lesson), "{mutated}");
                let link = open_lesson(&encode_lesson(&incoming.lesson)).unwrap();
                assert_eq!(link.lesson, incoming.lesson);
            }
            Err(err) => {
                refused += 1;
                assert!(!err.to_string().is_empty());
            }
        }
    }
    println!("3000 mutations: {opened} opened safe, {refused} refused");
    assert!(opened > 100 && refused > 100, "{opened} {refused}");
}
