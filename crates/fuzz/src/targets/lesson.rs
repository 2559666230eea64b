//! The lesson and hand-in targets: `Lesson::open_json` (`lesson`), `wire::open_lesson`
//! (`lesson-link`), `HandIn::open_json` (`handin`) and `wire::open_hand_in` (`handin-link`).
//!
//! Seeds: the built-in lessons on the demo song, and lessons made here to reach what they do
//! not (every goal kind, a goal of a kind this version does not know, a reference recording by
//! URL and by file, locks with a key this version does not know, a version 1 starting mix);
//! hand-ins of each lesson's reference mix and of a mix with files and URLs. JSON is mutated as
//! text or as a tree (`mutated_json`); a link as text, or as its JSON mutated and wrapped
//! again (past the zlib checksum) so the cases reach the lesson's own checks.
//!
//! The contract of an opened lesson (`check_lesson`): every field within
//! `mixroom_protocol::lesson::rules` (ids, plain texts, counts, strip names, locks), making it
//! safe again refuses nothing and changes nothing, it comes back the same through `to_json` /
//! `from_json` and through its link, and its starting and reference mixes keep a session's
//! contract (`check_session`). Of a hand-in likewise (`check_hand_in`). And what the
//! lenient reader opens with nothing refused is the document as written, apart from SHA-256s
//! in lower case (`as_written`); a bare link payload opens as its JSON does.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use mixroom_ear::challenge::Challenge;
use mixroom_ear::progress::Exercise;
use mixroom_protocol::lesson::rules::{self, id_problem, text_problem};
use mixroom_protocol::lesson::wire::{self, LESSON_LINK_FORMAT};
use mixroom_protocol::lesson::{
    same_as_reference, violations, Curve, EarAnswer, Goal, GoalKind, HandIn, Lesson, Recording,
    Reference, StripRef, KNOWN_KINDS, LESSON_VERSION, MAX_LESSON_BYTES, MAX_STUDENT_CHARS,
};
use mixroom_protocol::session::{benchmark, FileSource, Session, Source, SESSION_VERSION};
use mixroom_protocol::validate::MAX_NAME_CHARS;
use serde_json::{Map, Value};
use std::sync::OnceLock;

use super::{
    as_version_1, check_session, mutated_json, session_dictionary, sessions, tokens, Target,
    Verdict, SESSION_KEYS,
};
use crate::mutate::Rng;

/// Longest input of the JSON targets, bytes (the built-in lessons are 20 to 40 KB of JSON).
const MAX_JSON_BYTES: usize = 256 << 10;

/// Keys a lesson or hand-in object may have (and some it may not), besides a session's.
const LESSON_KEYS: &[&str] = &[
    "version",
    "id",
    "title",
    "introduction",
    "steps",
    "start",
    "locks",
    "reference",
    "goals",
    "mix",
    "recording",
    "url",
    "file",
    "path",
    "sha256",
    "kind",
    "text",
    "a",
    "b",
    "strip",
    "track",
    "bus",
    "return",
    "master",
    "min_db",
    "max_db",
    "max_percent",
    "low_hz",
    "high_hz",
    "below_hz",
    "curve",
    "student",
    "lesson_id",
    "lesson_sha256",
    "challenge",
    "min_points",
    "answers",
    "goal",
    "centre_hz",
    "boost",
    "value",
    "tracks",
    "params",
    "name",
];

// ---- seeds ------------------------------------------------------------------------------

/// A goal of every kind this version knows, and one of a kind it does not.
fn every_goal() -> Vec<Goal> {
    let kinds = vec![
        GoalKind::Loudness {
            min_lufs: Some(-16.0),
            max_lufs: Some(-12.0),
        },
        GoalKind::TruePeak { max_dbtp: -1.0 },
        GoalKind::LoudnessRange {
            min_lu: None,
            max_lu: Some(8.0),
        },
        GoalKind::RelativeLevel {
            strip: StripRef::track("Gesang – 声 🎤"),
            min_db: Some(2.0),
            max_db: Some(6.0),
        },
        GoalKind::BandBalance {
            a: StripRef::track("Bass"),
            b: StripRef::track("Kick"),
            low_hz: 40.0,
            high_hz: 120.0,
            min_db: None,
            max_db: Some(-2.0),
        },
        GoalKind::Masking {
            a: StripRef::track("Kick"),
            b: StripRef::track("Bass"),
            max_percent: 30.0,
        },
        GoalKind::Width {
            strip: StripRef::Bus("Bus 1".into()),
            min_percent: Some(20.0),
            max_percent: Some(80.0),
        },
        GoalKind::Correlation { min: 0.2 },
        GoalKind::MonoBass {
            below_hz: 150.0,
            min_correlation: 0.9,
        },
        GoalKind::TonalBalance {
            curve: Curve::Reference,
            tolerance_db: 3.0,
        },
        GoalKind::TonalBalance {
            curve: Curve::Neutral,
            tolerance_db: 6.0,
        },
        GoalKind::GainReduction {
            strip: StripRef::Master,
            min_db: Some(1.0),
            max_db: Some(6.0),
        },
        GoalKind::Crest {
            min_db: Some(8.0),
            max_db: None,
        },
        GoalKind::ReturnLevel {
            aux: StripRef::Return("Reverb".into()),
            min_db: Some(-20.0),
            max_db: Some(-8.0),
        },
        GoalKind::EarChallenge {
            challenge: Challenge {
                exercise: Exercise::EqFrequency,
                level: 2,
                centre_hz: Some(250.0),
                gain_db: Some(-9.0),
                track: None,
                value: None,
            }
            .encode(),
            min_points: 7.0,
        },
    ];
    let mut goals: Vec<Goal> = kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Goal::new(&format!("goal-{i}"), "A goal, in one line.", kind))
        .collect();
    let mut fields = Map::new();
    fields.insert("strip".into(), serde_json::json!({ "track": "Kick" }));
    fields.insert("max_db".into(), Value::from(3.5));
    goals.push(Goal::new(
        "future_goal",
        "A goal of a newer Mixroom.",
        GoalKind::Unknown {
            kind: "spectral_flux".into(),
            fields,
        },
    ));
    goals
}

/// Lessons to start from: the built-in lessons, and two made to reach what they do not.
pub fn lessons() -> Vec<Lesson> {
    let mut all = mixroom_demo::lessons::lessons();
    let edited = sessions().pop().expect("the edited session is last");
    all.push(Lesson {
        version: LESSON_VERSION,
        id: "edge_case-1".into(),
        title: "Kanten – 声 🎚 “quoted”".into(),
        introduction: "Line one.\nLine two, and an emoji: 🎛".into(),
        steps: vec!["Step one.".into(), "Zwei\nZeilen.".into()],
        start: edited,
        locks: Some(vec!["gain_db".into(), "pan".into(), "future_knob".into()]),
        reference: Some(Reference::Recording(Recording::File(FileSource {
            path: "teacher/final mix.wav".into(),
            sha256: Some("ab".repeat(32)),
        }))),
        goals: every_goal(),
    });
    all.push(Lesson {
        version: LESSON_VERSION,
        id: "b".into(),
        title: "B".into(),
        introduction: String::new(),
        steps: Vec::new(),
        start: benchmark(2, true),
        locks: Some(Vec::new()),
        reference: Some(Reference::Recording(Recording::Url(
            "https://example.com/teacher.ogg?v=2".into(),
        ))),
        goals: Vec::new(),
    });
    all
}

/// `lesson` as JSON, its sessions as version 1 wrote them.
fn with_version_1_sessions(lesson: &Lesson) -> String {
    let mut value = serde_json::to_value(lesson).expect("a lesson serializes");
    let old = |session: &Session| -> Value {
        serde_json::from_str(&as_version_1(session)).expect("JSON reads back")
    };
    value["start"] = old(&lesson.start);
    if let Some(Reference::Mix(mix)) = &lesson.reference {
        value["reference"]["mix"] = old(mix);
    }
    serde_json::to_string(&value).expect("JSON serializes")
}

fn lesson_seeds() -> Vec<Vec<u8>> {
    let all = lessons();
    let mut seeds: Vec<Vec<u8>> = all.iter().map(|l| l.to_json().into_bytes()).collect();
    // The eq lesson (a reference mix) and the first edge case, with version 1 sessions.
    for lesson in [&all[2], &all[6]] {
        seeds.push(with_version_1_sessions(lesson).into_bytes());
    }
    seeds
}

/// Hand-ins to start from: one of each lesson's reference mix (its start when it has none),
/// and one of a mix with files, URLs and names in several scripts, by a student so named.
pub fn hand_ins() -> Vec<HandIn> {
    let mut all: Vec<HandIn> = lessons()
        .iter()
        .map(|lesson| {
            let mix = match &lesson.reference {
                Some(Reference::Mix(mix)) => mix.clone(),
                _ => lesson.start.clone(),
            };
            HandIn::new(lesson, "Ada", mix)
        })
        .collect();
    let mut edge = HandIn::new(
        &lessons()[0],
        "Zoë Ødegård-Nakamura 中村",
        sessions().pop().expect("the edited session"),
    );
    edge.lesson_sha256 = edge.lesson_sha256.to_ascii_uppercase();
    edge.answers = vec![
        EarAnswer {
            goal: "goal-ear".into(),
            centre_hz: Some(125.0),
            boost: Some(false),
            track: None,
            value: None,
        },
        EarAnswer {
            goal: "goal-gain".into(),
            centre_hz: None,
            boost: None,
            track: Some(2),
            value: Some(-3.0),
        },
    ];
    all.push(edge);
    all
}

fn hand_in_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = hand_ins()
        .iter()
        .map(|h| h.to_json().into_bytes())
        .collect();
    // The edge case's mix as version 1 wrote it.
    let edge = hand_ins().pop().expect("the edge case is last");
    let mut value = serde_json::to_value(&edge).expect("a hand-in serializes");
    value["mix"] = serde_json::from_str(&as_version_1(&edge.mix)).expect("JSON reads back");
    seeds.push(serde_json::to_vec(&value).expect("JSON serializes"));
    seeds
}

fn lesson_dictionary() -> Vec<Vec<u8>> {
    let mut dictionary = session_dictionary();
    dictionary.extend(LESSON_KEYS.iter().map(|k| format!("\"{k}\"").into_bytes()));
    dictionary.extend(KNOWN_KINDS.iter().map(|k| format!("\"{k}\"").into_bytes()));
    dictionary.extend(tokens(&[
        b"\"version\": 1",
        b"\"neutral\"",
        b"\"reference\"",
        b"\"recording\"",
        b"\\n",
        b"\\u202e",
        b"\\u0007",
    ]));
    dictionary
}

// ---- targets ----------------------------------------------------------------------------

/// The JSON targets, made once: the link targets mutate their JSON before wrapping it.
pub(super) fn json_targets() -> &'static [Target; 2] {
    static TARGETS: OnceLock<[Target; 2]> = OnceLock::new();
    TARGETS.get_or_init(|| [lesson_target(), hand_in_target()])
}

/// Keys for the tree mutations of lessons and hand-ins: a lesson's and a session's.
fn json_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| LESSON_KEYS.iter().chain(SESSION_KEYS).copied().collect())
}

pub(super) fn lesson_target() -> Target {
    Target {
        name: "lesson",
        weight: 3,
        seeds: lesson_seeds(),
        dictionary: lesson_dictionary(),
        max_len: MAX_JSON_BYTES,
        keys: json_keys(),
        pool: OnceLock::new(),
        generate: mutated_json,
        check: check_lesson_json,
    }
}

pub(super) fn hand_in_target() -> Target {
    Target {
        name: "handin",
        weight: 8,
        seeds: hand_in_seeds(),
        dictionary: lesson_dictionary(),
        max_len: MAX_JSON_BYTES,
        keys: json_keys(),
        pool: OnceLock::new(),
        generate: mutated_json,
        check: check_hand_in_json,
    }
}

/// The link payload of `json`, as `wire` wraps a lesson's or a hand-in's JSON (the format byte,
/// then zlib), compressed fast.
pub fn wrap_link_json(json: &[u8]) -> String {
    let mut bytes = vec![LESSON_LINK_FORMAT];
    bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(json, 1));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A link of the JSON target `json`'s kind: a seed link mutated as text (two times in five),
/// or a mutated JSON input wrapped again, now and then behind a URL, with another format byte,
/// or cut.
fn mutated_link(target: &Target, rng: &mut Rng, json: &Target, key: &str) -> Vec<u8> {
    if rng.below(5) < 2 {
        return target.havoc_seed(rng);
    }
    let mut payload = wrap_link_json(&mutated_json(json, rng));
    match rng.below(16) {
        0 => payload = format!("https://mixroom.example/app/#view=mix&{key}{payload}&t=1"),
        1 => payload = format!("#{key}{payload}"),
        2 => {
            let mut bytes = URL_SAFE_NO_PAD.decode(&payload).expect("made above");
            bytes[0] = *rng.pick(&[0, 2, 15, 16, 255]);
            payload = URL_SAFE_NO_PAD.encode(bytes);
        }
        3 => payload.truncate(rng.below(payload.len() + 1)),
        _ => {}
    }
    payload.into_bytes()
}

fn link_seeds(links: impl Iterator<Item = String>, key: &str) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = links.map(String::into_bytes).collect();
    let first = String::from_utf8(seeds[0].clone()).expect("a link is text");
    seeds.push(format!("https://mixroom.example/app/#view=mix&{key}{first}").into_bytes());
    seeds
}

fn link_dictionary(key: &str) -> Vec<Vec<u8>> {
    let mut dictionary = tokens(&[
        b"#", b"=", b"&", b"\n", b" ", b"A", b"_", b"-", b"AQ", b"eJ", b"eNo", b"AAAA",
    ]);
    dictionary.push(format!("#{key}").into_bytes());
    dictionary.push(format!("https://x/#{key}").into_bytes());
    dictionary
}

pub(super) fn lesson_link_target() -> Target {
    Target {
        name: "lesson-link",
        weight: 5,
        seeds: link_seeds(lessons().iter().map(wire::encode_lesson), wire::LESSON_KEY),
        dictionary: link_dictionary(wire::LESSON_KEY),
        max_len: 64 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| mutated_link(target, rng, &json_targets()[0], wire::LESSON_KEY),
        check: check_lesson_link,
    }
}

pub(super) fn hand_in_link_target() -> Target {
    Target {
        name: "handin-link",
        weight: 3,
        seeds: link_seeds(
            hand_ins().iter().map(wire::encode_hand_in),
            wire::HANDIN_KEY,
        ),
        dictionary: link_dictionary(wire::HANDIN_KEY),
        max_len: 64 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| mutated_link(target, rng, &json_targets()[1], wire::HANDIN_KEY),
        check: check_hand_in_link,
    }
}

// ---- contracts --------------------------------------------------------------------------

/// The JSON in a bare link payload (base64url without padding, the format byte, zlib), read
/// here independently of `wire`; `None` for anything else (a URL, a fragment, a damaged
/// payload).
fn plain_payload_json(text: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let (&format, compressed) = bytes.split_first()?;
    if format != LESSON_LINK_FORMAT {
        return None;
    }
    let body =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, MAX_LESSON_BYTES)
            .ok()?;
    String::from_utf8(body).ok()
}

/// The JSON tree of `text`, when its mixes (the objects at the paths `mixes`) are of the
/// current session version, so that nothing needed to migrate: read without the checks, it
/// is what the lenient reader must give back when it refuses nothing.
fn as_written(text: &str, mixes: &[&[&str]]) -> Option<Value> {
    let value: Value = serde_json::from_str(text).ok()?;
    for path in mixes {
        let mix = path.iter().try_fold(&value, |v, key| v.get(*key));
        if let Some(mix) = mix {
            if mix.get("version").and_then(Value::as_u64) != Some(u64::from(SESSION_VERSION)) {
                return None;
            }
        }
    }
    Some(value)
}

/// Every SHA-256 in `session` in lower case (the one change the readers make unasked).
fn lower_hashes(session: &mut Session) {
    for track in &mut session.tracks {
        if let Source::File(file) = &mut track.source {
            lower(&mut file.sha256);
        }
    }
}

fn lower(sha256: &mut Option<String>) {
    if let Some(sha) = sha256 {
        *sha = sha.to_ascii_lowercase();
    }
}

fn violation(why: impl Into<String>) -> Verdict {
    Verdict::Violation(why.into())
}

fn check_lesson_json(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let Ok(incoming) = Lesson::open_json(&text) else {
        return Verdict::Refused;
    };
    if incoming.refused.is_empty() {
        if let Some(verdict) = unchanged_lesson(&text, &incoming.lesson) {
            return verdict;
        }
    }
    check_lesson(&incoming.lesson)
}

/// A violation when `lesson` (opened from `text` with nothing refused) is not the lesson as
/// written.
fn unchanged_lesson(text: &str, lesson: &Lesson) -> Option<Verdict> {
    let tree = as_written(text, &[&["start"], &["reference", "mix"]])?;
    let mut written: Lesson = serde_json::from_value(tree).ok()?;
    lower_hashes(&mut written.start);
    match &mut written.reference {
        Some(Reference::Mix(mix)) => lower_hashes(mix),
        Some(Reference::Recording(Recording::File(file))) => lower(&mut file.sha256),
        _ => {}
    }
    (written != *lesson).then(|| {
        violation(format!(
            "a lesson opened with nothing refused differs from the lesson as written: {}",
            first_difference(&written, lesson)
        ))
    })
}

/// The first top-level field in which two lessons differ, for a message.
fn first_difference(a: &Lesson, b: &Lesson) -> String {
    let (a, b) = (
        serde_json::to_value(a).expect("serializes"),
        serde_json::to_value(b).expect("serializes"),
    );
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        return "?".to_owned();
    };
    a.iter()
        .find(|(key, value)| b.get(*key) != Some(value))
        .map_or_else(
            || "a field only one of them has".to_owned(),
            |(key, value)| format!("{key}: {value} became {:?}", b.get(key)),
        )
}

fn check_lesson_link(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let opened = wire::open_lesson(&text);
    if let Some(json) = plain_payload_json(&text) {
        let direct = Lesson::open_json(&json);
        if opened.as_ref().ok() != direct.as_ref().ok() {
            return violation(format!(
                "a lesson link and its JSON open differently: {} and {}",
                opened.is_ok(),
                direct.is_ok()
            ));
        }
        if let Ok(incoming) = &opened {
            if incoming.refused.is_empty() {
                if let Some(verdict) = unchanged_lesson(&json, &incoming.lesson) {
                    return verdict;
                }
            }
        }
    }
    match opened {
        Ok(incoming) => check_lesson(&incoming.lesson),
        Err(_) => Verdict::Refused,
    }
}

/// Why `lesson` breaks a rule of `rules`, if it does.
fn rule_broken(lesson: &Lesson) -> Option<String> {
    if let Some(why) = id_problem(&lesson.id) {
        return Some(format!("its id {why}"));
    }
    let counts = [
        ("steps", lesson.steps.len(), rules::MAX_STEPS),
        ("goals", lesson.goals.len(), rules::MAX_GOALS),
        (
            "locks",
            lesson.locks.as_ref().map_or(0, Vec::len),
            rules::MAX_LOCKS,
        ),
    ];
    for (what, found, max) in counts {
        if found > max {
            return Some(format!("{found} {what} (at most {max})"));
        }
    }
    let mut texts: Vec<(&str, &str, usize, bool, bool)> = vec![
        ("title", &lesson.title, rules::MAX_TITLE_CHARS, false, true),
        (
            "introduction",
            &lesson.introduction,
            rules::MAX_TEXT_CHARS,
            true,
            false,
        ),
    ];
    texts.extend(
        lesson
            .steps
            .iter()
            .map(|s| ("a step", s.as_str(), rules::MAX_TEXT_CHARS, true, true)),
    );
    for goal in &lesson.goals {
        texts.push((
            "a goal's text",
            &goal.text,
            rules::MAX_GOAL_TEXT_CHARS,
            false,
            true,
        ));
        if let GoalKind::Unknown { kind, .. } = &goal.kind {
            // Shown to the student ("this goal (“kind”) is of a newer Mixroom").
            texts.push((
                "an unknown goal's kind",
                kind,
                rules::MAX_GOAL_TEXT_CHARS,
                false,
                true,
            ));
        }
        for strip in goal.kind.strips() {
            if let Some(name) = strip.name() {
                texts.push(("a goal's strip", name, MAX_NAME_CHARS, false, true));
            }
        }
    }
    for (what, text, max, lines, required) in texts {
        if let Some(why) = text_problem(text, max, lines, required) {
            return Some(format!("{what}: {why}"));
        }
    }
    for (i, goal) in lesson.goals.iter().enumerate() {
        if let Some(why) = id_problem(&goal.id) {
            return Some(format!("goal {}: its id {why}", i + 1));
        }
        if lesson.goals[..i].iter().any(|g| g.id == goal.id) {
            return Some(format!("goal {}: its id is taken", i + 1));
        }
    }
    let key = |k: &String| {
        (1..=32).contains(&k.len())
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if let Some(bad) = lesson.locks.iter().flatten().find(|k| !key(k)) {
        return Some(format!("the lock {bad:?} is not a setting's key"));
    }
    None
}

/// The contract of an opened lesson (see the module's header).
pub(super) fn check_lesson(lesson: &Lesson) -> Verdict {
    if let Some(why) = rule_broken(lesson) {
        return violation(format!("an opened lesson breaks a rule: {why}"));
    }
    let mut again = lesson.clone();
    match rules::make_safe(&mut again) {
        Ok(refused) if refused.is_empty() && again == *lesson => {}
        other => {
            return violation(format!(
                "an opened lesson is not safe: making it safe again gives {other:?}"
            ))
        }
    }
    match Lesson::from_json(&lesson.to_json()) {
        Ok(back) if back == *lesson => {}
        other => {
            return violation(format!(
                "an opened lesson does not come back through to_json/from_json: {:?}",
                other.map(|_| "a different lesson")
            ))
        }
    }
    match wire::open_lesson(&wire::encode_lesson(lesson)) {
        Ok(back) if back.refused.is_empty() && back.lesson == *lesson => {}
        other => {
            return violation(format!(
                "an opened lesson does not come back through its link: {:?}",
                other.map(|b| b.refused)
            ))
        }
    }
    if lesson.fingerprint().len() != 64 {
        return violation("a lesson's fingerprint is not a SHA-256");
    }
    // Grading's readers: the start handed in as it is breaks none of the lesson's rules, the
    // reference mix handed in is flagged as the reference, and every reason is one line.
    if let Some(broken) = violations(lesson, &lesson.start).first() {
        return violation(format!(
            "a lesson's own start, handed in, breaks its rules: {broken}"
        ));
    }
    if let Some(Reference::Mix(reference)) = &lesson.reference {
        if !same_as_reference(lesson, reference) {
            return violation(
                "a lesson's reference mix, handed in, is not the same as the reference",
            );
        }
        if let Some(reason) = violations(lesson, reference)
            .iter()
            .map(ToString::to_string)
            .find(|r| r.contains('\n'))
        {
            return violation(format!("a violation's reason has a line break: {reason:?}"));
        }
    }
    let mixes = std::iter::once(&lesson.start).chain(match &lesson.reference {
        Some(Reference::Mix(mix)) => Some(mix),
        _ => None,
    });
    for mix in mixes {
        let verdict = check_session(mix);
        if verdict != Verdict::Accepted {
            return verdict;
        }
    }
    Verdict::Accepted
}

fn check_hand_in_json(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let Ok(incoming) = HandIn::open_json(&text) else {
        return Verdict::Refused;
    };
    if incoming.refused.is_empty() {
        if let Some(verdict) = unchanged_hand_in(&text, &incoming.hand_in) {
            return verdict;
        }
    }
    check_hand_in(&incoming.hand_in)
}

/// A violation when `hand_in` (opened from `text` with nothing refused) is not the hand-in as
/// written.
fn unchanged_hand_in(text: &str, hand_in: &HandIn) -> Option<Verdict> {
    let mut written: HandIn = serde_json::from_value(as_written(text, &[&["mix"]])?).ok()?;
    written.lesson_sha256 = written.lesson_sha256.to_ascii_lowercase();
    lower_hashes(&mut written.mix);
    (written != *hand_in).then(|| {
        violation("a hand-in opened with nothing refused differs from the hand-in as written")
    })
}

fn check_hand_in_link(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let opened = wire::open_hand_in(&text);
    if let Some(json) = plain_payload_json(&text) {
        let direct = HandIn::open_json(&json);
        if opened.as_ref().ok() != direct.as_ref().ok() {
            return violation(format!(
                "a hand-in link and its JSON open differently: {} and {}",
                opened.is_ok(),
                direct.is_ok()
            ));
        }
        if let Ok(incoming) = &opened {
            if incoming.refused.is_empty() {
                if let Some(verdict) = unchanged_hand_in(&json, &incoming.hand_in) {
                    return verdict;
                }
            }
        }
    }
    match opened {
        Ok(incoming) => check_hand_in(&incoming.hand_in),
        Err(_) => Verdict::Refused,
    }
}

/// The contract of an opened hand-in: its lesson id a valid id, its fingerprint 64 lower-case
/// hex digits, the student's name plain text, making it safe again refuses nothing and changes
/// nothing, it comes back the same through JSON and its link, and its mix keeps a session's
/// contract.
pub(super) fn check_hand_in(hand_in: &HandIn) -> Verdict {
    if let Some(why) = id_problem(&hand_in.lesson_id) {
        return violation(format!("an opened hand-in's lesson id {why}"));
    }
    let sha = &hand_in.lesson_sha256;
    if sha.len() != 64
        || !sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return violation(format!(
            "an opened hand-in's fingerprint {sha:?} is not 64 lower-case hex digits"
        ));
    }
    if let Some(why) = text_problem(&hand_in.student, MAX_STUDENT_CHARS, false, true) {
        return violation(format!("an opened hand-in's student name: {why}"));
    }
    match hand_in.clone().incoming() {
        Ok(again) if again.refused.is_empty() && again.hand_in == *hand_in => {}
        other => {
            return violation(format!(
                "an opened hand-in is not safe: opening it again gives {:?}",
                other.map(|a| a.refused)
            ))
        }
    }
    match HandIn::from_json(&hand_in.to_json()) {
        Ok(back) if back == *hand_in => {}
        other => {
            return violation(format!(
                "an opened hand-in does not come back through to_json/from_json: {:?}",
                other.map(|_| "a different hand-in")
            ))
        }
    }
    match wire::open_hand_in(&wire::encode_hand_in(hand_in)) {
        Ok(back) if back.refused.is_empty() && back.hand_in == *hand_in => {}
        other => {
            return violation(format!(
                "an opened hand-in does not come back through its link: {:?}",
                other.map(|b| b.refused)
            ))
        }
    }
    check_session(&hand_in.mix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_cover_every_goal_kind_and_both_references() {
        let all = lessons();
        let kinds: Vec<String> = all
            .iter()
            .flat_map(|l| &l.goals)
            .map(|g| match serde_json::to_value(g).unwrap()["kind"].clone() {
                Value::String(kind) => kind,
                other => panic!("{other}"),
            })
            .collect();
        for kind in KNOWN_KINDS {
            assert!(kinds.iter().any(|k| k == kind), "{kind}");
        }
        assert!(all.iter().any(|l| !l.unknown_goal_kinds().is_empty()));
        for reference in ["mix", "recording"] {
            assert!(all
                .iter()
                .any(|l| l.to_json().contains(&format!("\"{reference}\""))));
        }
        assert!(all.iter().all(|l| l.to_json().len() < MAX_JSON_BYTES));
        // The version 1 seeds migrate: the same lessons, their mixes of the current version.
        let seeds = lesson_seeds();
        for (seed, lesson) in seeds[all.len()..].iter().zip([&all[2], &all[6]]) {
            let text = std::str::from_utf8(seed).unwrap();
            assert!(text.contains("\"version\":1"));
            let migrated = Lesson::from_json(text).unwrap();
            assert_eq!(migrated.start.version, SESSION_VERSION);
            let names = |s: &Session| -> Vec<String> {
                s.tracks
                    .iter()
                    .map(|t| t.source_name().to_owned())
                    .collect()
            };
            assert_eq!(names(&migrated.start), names(&lesson.start));
            assert_eq!(migrated.goals, lesson.goals);
        }
    }

    #[test]
    fn a_wrapped_json_opens_as_the_json() {
        let lesson = &lessons()[0];
        let link = wrap_link_json(lesson.to_json().as_bytes());
        assert_eq!(wire::open_lesson(&link).unwrap().lesson, *lesson);
        assert_eq!(plain_payload_json(&link).unwrap(), lesson.to_json());
        assert_eq!(plain_payload_json(&format!("#lesson={link}")), None);
    }
}
