//! The fuzz targets: everything that reads outside input, each with its seeds, its own
//! mutations and its contract.
//!
//! | target | reads | input is |
//! |---|---|---|
//! | `link` | `link::open` | link text, mutated as base64 text |
//! | `link-body` | `link::open` | link text whose decompressed postcard body was mutated and compressed again (past the zlib checksum) |
//! | `session` | `Session::open_json` (and the migrations) | JSON text of version 2 and version 1 sessions, mutated as text or as a tree |
//! | `bundle` | `bundle::read`, and by slices as the page and `mixroom` read it (the same files, whatever the slices; and the lesson or hand-in inside) | `.mixroom` bytes of mixes, lessons and hand-ins, mutated as bytes, or rebuilt around a mutated `session.json` and a mutated `lesson.json` or `handin.json` (a lesson's reference recording stored or not) |
//! | `decode` | mixroom-cli's decoder | first byte: the file name's extension (see [`HINTS`]); the rest: WAV, FLAC, MP3 or Ogg Vorbis bytes, mutated |
//! | `lesson` | `Lesson::open_json` (and the migrations of its mixes) | JSON text of the built-in lessons and of lessons with every goal kind, mutated as text or as a tree |
//! | `lesson-link` | `wire::open_lesson` | lesson link text, mutated as text, or a mutated lesson JSON wrapped again (past the zlib checksum) |
//! | `handin` | `HandIn::open_json` | JSON text of hand-ins of those lessons, mutated as text or as a tree |
//! | `handin-link` | `wire::open_hand_in` | hand-in link text, mutated as text, or a mutated hand-in JSON wrapped again |
//!
//! The readers are the lenient ones the page uses: a field that breaks a rule of
//! `mixroom_protocol::validate` is refused on its own and the rest opens. Contracts beyond
//! "does not panic": what opens passes [`Session::check`], follows every rule (making it safe
//! again refuses nothing and changes nothing), survives `to_json`/`from_json` and a link round
//! trip; the strict reader (`link::decode`, `Session::from_json`) accepts exactly the inputs
//! the lenient one opens with nothing refused; an opened link is already [`link::normalize`]d;
//! an opened bundle's session does the same, with every file it plays, and so does the lesson
//! or hand-in inside it, whose mix is the bundle's (a lesson written again from what opened
//! keeps its fingerprint, and the reference recording the bundle held); decoded audio has at
//! least one channel, all equally long, not empty, not longer than the cap, at a rate above 0.
//! Lessons and hand-ins ([`lesson`]): what opens follows every rule of
//! `mixroom_protocol::lesson::rules`, is safe again, survives JSON and its link, and is, when
//! nothing was refused, the document as written.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use mixroom_cli::decode::{decode_bytes, DecodeError, Keep};
use mixroom_protocol::bundle::{
    self, plan, read_session, session_entry, tail_len, Attached, BundleError, Contents, Directory,
    Entry, FromTail,
};
use mixroom_protocol::lesson::{
    Curve, Goal, GoalKind, HandIn, Lesson, LessonError, Recording, Reference,
};
use mixroom_protocol::link::{self, LINK_FORMAT};
use mixroom_protocol::params::PARAMS;
use mixroom_protocol::session::{benchmark, FileSource, Session, Source, Transport};
use serde_json::{Map, Value};

use crate::mutate::{havoc, Material, Rng};

pub mod lesson;

/// How a case ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Accepted, and what came out keeps the target's contract.
    Accepted,
    /// Refused with an error: most mutated inputs are.
    Refused,
    /// A panic inside a third-party decoder, caught and reported by the code under test as it
    /// is designed to be (not a failure): the message and where it happened.
    Caught(String),
    /// Accepted, but the target's contract is broken: a bug.
    Violation(String),
}

/// Longest frames the decoder target lets a file decode to (bounds its memory: at most
/// 2^18 frames per channel).
pub const DECODE_MAX_FRAMES: u64 = 1 << 18;

/// The file name extensions the `decode` target's first byte picks from (modulo its length):
/// the probe takes the extension as a hint.
pub const HINTS: [&str; 7] = ["wav", "flac", "mp3", "ogg", "", "aiff", "m4a"];

/// One fuzz target.
pub struct Target {
    /// Its name on the command line and in the failures folder.
    pub name: &'static str,
    /// Its share of the cases, relative to the others' weights: the cheap targets (about
    /// 10-30 µs a case) get more cases, the costly ones (150-800 µs) fewer but still their
    /// share of the time.
    pub weight: u64,
    seeds: Vec<Vec<u8>>,
    dictionary: Vec<Vec<u8>>,
    max_len: usize,
    /// Keys [`mutate_tree`] adds to a JSON object (besides parameter keys); empty for a
    /// target whose input is not JSON.
    keys: &'static [&'static str],
    /// The seeds read as JSON trees, for [`mutated_json`] (read on first use).
    pool: OnceLock<Vec<Value>>,
    generate: fn(&Target, &mut Rng) -> Vec<u8>,
    check: fn(&[u8]) -> Verdict,
}

impl Target {
    /// The input of a case: seeds mutated with `rng`.
    pub fn input(&self, rng: &mut Rng) -> Vec<u8> {
        (self.generate)(self, rng)
    }

    /// Runs the code under test on `input` (panics propagate: the runner catches them).
    pub fn run(&self, input: &[u8]) -> Verdict {
        (self.check)(input)
    }

    /// Number of seeds.
    pub fn seed_count(&self) -> usize {
        self.seeds.len()
    }

    fn material(&self) -> Material<'_> {
        Material {
            seeds: &self.seeds,
            dictionary: &self.dictionary,
            max_len: self.max_len,
        }
    }

    /// A seed mutated by [`havoc`].
    fn havoc_seed(&self, rng: &mut Rng) -> Vec<u8> {
        let mut input = rng.pick(&self.seeds).clone();
        havoc(rng, &mut input, &self.material());
        input
    }

    /// The seeds that are JSON, as trees.
    fn json_pool(&self) -> &[Value] {
        self.pool.get_or_init(|| {
            self.seeds
                .iter()
                .filter_map(|s| serde_json::from_slice(s).ok())
                .collect()
        })
    }
}

/// Every target, seeds built.
pub fn all() -> Vec<Target> {
    vec![
        link_target(),
        link_body_target(),
        session_target(),
        bundle_target(),
        decode_target(),
        lesson::lesson_target(),
        lesson::lesson_link_target(),
        lesson::hand_in_target(),
        lesson::hand_in_link_target(),
    ]
}

fn tokens(list: &[&[u8]]) -> Vec<Vec<u8>> {
    list.iter().map(|t| t.to_vec()).collect()
}

/// Valid sessions to start from: the demo song, benchmark mixes, and one with every kind of
/// source, names in several scripts, colours and a loop.
pub fn sessions() -> Vec<Session> {
    let mut edited = benchmark(6, true);
    edited.tracks[0].name = "Gesang – 声 🎤".into();
    edited.tracks[0].color = Some("#ff00aa".into());
    edited.tracks[1].source = Source::Demo("kick".into());
    edited.tracks[2].source = Source::Url("https://example.com/a%20b/vox.ogg?x=1#y".into());
    edited.tracks[3].source = Source::File(FileSource {
        path: "stems/take 2/bass.wav".into(),
        sha256: Some("ab".repeat(32)),
    });
    edited.buses[0].color = Some("#010203".into());
    edited.transport = Transport {
        loop_on: false,
        loop_start_s: 1.5,
        loop_end_s: Some(38.4),
    };
    vec![
        mixroom_demo::session(),
        benchmark(0, false),
        benchmark(1, false),
        benchmark(12, true),
        edited,
    ]
}

// ---- link -------------------------------------------------------------------------------

fn link_target() -> Target {
    let mut seeds: Vec<Vec<u8>> = sessions()
        .iter()
        .chain([benchmark(64, true)].iter())
        .map(|s| link::encode(s).into_bytes())
        .collect();
    let demo = link::encode(&mixroom_demo::session());
    seeds.push(format!("https://mixroom.example/app/#view=eq&mix={demo}&t=1").into_bytes());
    Target {
        name: "link",
        weight: 30,
        seeds,
        dictionary: tokens(&[
            b"#mix=",
            b"mix=",
            b"&",
            b"#",
            b"=",
            b"==",
            b"\n",
            b" ",
            b"A",
            b"_",
            b"-",
            b"/",
            b"+",
            b"AAAA",
            b"eJ",
            b"eNo",
            b"https://x/#mix=",
        ]),
        max_len: 16 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| target.havoc_seed(rng),
        check: check_link,
    }
}

/// The decompressed postcard body of a link payload made by [`link::encode`].
fn link_body(payload: &str) -> Vec<u8> {
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("an encoded link");
    miniz_oxide::inflate::decompress_to_vec_zlib(&bytes[1..]).expect("a zlib stream")
}

/// The link payload of `body`, as [`link::encode`] wraps a postcard body.
pub fn wrap_link_body(body: &[u8]) -> String {
    let mut bytes = vec![LINK_FORMAT];
    bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(body, 1));
    URL_SAFE_NO_PAD.encode(bytes)
}

fn link_body_target() -> Target {
    let seeds = sessions()
        .iter()
        .map(|s| link_body(&link::encode(s)))
        .collect();
    // postcard: varints (lengths, counts, parameter indices, enum tags), f32 and f64 little
    // endian, Option as a 0/1 tag, strings as a length and UTF-8.
    let dictionary = tokens(&[
        &[0x00],
        &[0x01],
        &[0x02],
        &[0x03],
        &[0x40],
        &[0x41],
        &[0x4d],
        &[0x7f],
        &[0x80, 0x01],
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        &[0x00, 0x00, 0xc0, 0x7f],
        &[0x00, 0x00, 0x80, 0x7f],
        &[0x00, 0x00, 0x80, 0xff],
        &[0x00, 0x00, 0x00, 0x80],
        &[0xff, 0xff, 0x7f, 0x7f],
        &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f],
        &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f],
        b"\x04kick",
        b"\x04\xff\xfe\xfd\xfc",
        &[0x01; 32],
    ]);
    Target {
        name: "link-body",
        weight: 15,
        seeds,
        dictionary,
        max_len: 8 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| wrap_link_body(&target.havoc_seed(rng)).into_bytes(),
        check: check_link,
    }
}

fn check_link(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let Ok(incoming) = link::open(&text) else {
        return Verdict::Refused;
    };
    if link::decode(&text).is_ok() != incoming.refused.is_empty() {
        return Verdict::Violation(format!(
            "link::decode and link::open disagree on a link ({} fields refused)",
            incoming.refused.len()
        ));
    }
    let session = incoming.session;
    if link::normalize(&session) != session {
        return Verdict::Violation("an opened link is not normalized".to_owned());
    }
    match link::decode(&link::encode(&session)) {
        Ok(again) if again == session => {}
        other => {
            return Verdict::Violation(format!(
                "an opened link made again opens differently: {other:?}"
            ))
        }
    }
    check_session(&session)
}

/// The contract of an opened session: valid, safe, and the same after JSON and after a link.
fn check_session(session: &Session) -> Verdict {
    if let Err(e) = session.check() {
        return Verdict::Violation(format!("an accepted session fails Session::check: {e}"));
    }
    let mut again = session.clone();
    let refused = again.make_safe();
    if !refused.is_empty() || again != *session {
        return Verdict::Violation(format!(
            "an opened session is not safe: making it safe again refuses {refused:?}"
        ));
    }
    match Session::from_json(&session.to_json()) {
        Ok(back) if back == *session => {}
        Ok(_) => {
            return Verdict::Violation(
                "an accepted session changes through to_json/from_json".to_owned(),
            )
        }
        Err(e) => {
            return Verdict::Violation(format!(
                "an accepted session's to_json is refused by from_json: {e}"
            ))
        }
    }
    match link::decode(&link::encode(session)) {
        Ok(back) if back == link::normalize(session) => Verdict::Accepted,
        other => Verdict::Violation(format!(
            "an accepted session's link does not open as the normalized session: {other:?}"
        )),
    }
}

// ---- session ----------------------------------------------------------------------------

/// `session` as version 1 wrote it: a file source is its bare path, no transport section.
fn as_version_1(session: &Session) -> String {
    let mut value = serde_json::to_value(session).expect("a session serializes");
    let object = value.as_object_mut().expect("an object");
    object.insert("version".into(), Value::from(1));
    object.remove("transport");
    if let Some(Value::Array(tracks)) = object.get_mut("tracks") {
        for track in tracks {
            if let Some(file) = track.get_mut("source").and_then(|s| s.get_mut("file")) {
                let path = file["path"].clone();
                *file = path;
            }
        }
    }
    serde_json::to_string_pretty(&value).expect("JSON serializes")
}

fn session_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for session in sessions() {
        seeds.push(session.to_json().into_bytes());
        seeds.push(as_version_1(&session).into_bytes());
    }
    seeds
}

fn session_dictionary() -> Vec<Vec<u8>> {
    let mut dictionary = tokens(&[
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"\"",
        b"null",
        b"true",
        b"false",
        b"1e39",
        b"-0",
        b"-1",
        b"1e400",
        b"18446744073709551616",
        b"0.5",
        b"\"version\": 1",
        b"\"version\": 2",
        b"\"version\": 3",
        b"\"file\"",
        b"\"path\"",
        b"\"demo\"",
        b"\"url\"",
        b"\"sha256\"",
        b"\"tracks\"",
        b"\"buses\"",
        b"\"returns\"",
        b"\"master\"",
        b"\"transport\"",
        b"\"params\"",
        b"\"loop_end_s\"",
        b"\\u0000",
        b"\\ud800",
        b"\xff",
    ]);
    dictionary.extend(PARAMS.iter().map(|p| format!("\"{}\"", p.key).into_bytes()));
    dictionary
}

fn session_target() -> Target {
    Target {
        name: "session",
        weight: 10,
        seeds: session_seeds(),
        dictionary: session_dictionary(),
        max_len: 64 << 10,
        keys: SESSION_KEYS,
        pool: OnceLock::new(),
        generate: mutated_json,
        check: check_session_json,
    }
}

/// A seed mutated as text (half the time) or as a JSON tree written out with duplicated keys
/// and odd spacing (then, one time in four, mutated as text too).
fn mutated_json(target: &Target, rng: &mut Rng) -> Vec<u8> {
    if rng.one_in(2) {
        return target.havoc_seed(rng);
    }
    let pool = target.json_pool();
    let mut tree = rng.pick(pool).clone();
    for _ in 0..1 + rng.below(4) {
        mutate_tree(rng, &mut tree, pool, target.keys);
    }
    let mut text = Vec::new();
    write_json(rng, &tree, &mut text);
    if rng.one_in(4) {
        havoc(rng, &mut text, &target.material());
    }
    text.truncate(target.max_len);
    text
}

/// Numbers at the edges of what the session's fields hold (u32 versions, f32 values, f64
/// seconds, usize indices).
fn interesting_number(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => Value::from(0),
        1 => Value::from(1),
        2 => Value::from(-1),
        3 => Value::from(u64::MAX),
        4 => Value::from(i64::MIN),
        5 => Value::from(u64::from(u32::MAX) + 1),
        6 => Value::from(1e39),
        7 => Value::from(-1e39),
        8 => Value::from(f64::MAX),
        9 => Value::from(5e-324),
        10 => Value::from(-0.0),
        11 => Value::from(64),
        12 => Value::from(65),
        _ => Value::from((rng.next_u64() as i64 as f64) / 1e6),
    }
}

fn interesting_string(rng: &mut Rng) -> Value {
    let text = match rng.below(8) {
        0 => String::new(),
        1 => PARAMS[rng.below(PARAMS.len())].key.to_owned(),
        2 => "kick".to_owned(),
        3 => "../../etc/passwd".to_owned(),
        4 => "a".repeat(1 + rng.below(3000)),
        5 => "声\u{0}\u{feff}🎤\\\"".to_owned(),
        6 => "ab".repeat(32),
        _ => "https://example.com/x.wav".to_owned(),
    };
    Value::String(text)
}

/// Keys a session object may have (and some it may not).
const SESSION_KEYS: &[&str] = &[
    "version",
    "tracks",
    "buses",
    "returns",
    "master",
    "transport",
    "params",
    "source",
    "demo",
    "file",
    "url",
    "path",
    "sha256",
    "name",
    "color",
    "loop_end_s",
];

/// A random value: a number, a string, or a subtree of another seed.
fn random_value(rng: &mut Rng, pool: &[Value]) -> Value {
    match rng.below(6) {
        0 => interesting_number(rng),
        1 => interesting_string(rng),
        2 => Value::Null,
        3 => Value::Bool(rng.one_in(2)),
        _ => {
            let from = rng.below(pool.len());
            random_subtree(rng, &pool[from]).clone()
        }
    }
}

fn random_subtree<'a>(rng: &mut Rng, mut value: &'a Value) -> &'a Value {
    loop {
        let children: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => map.values().collect(),
            _ => return value,
        };
        if children.is_empty() || rng.one_in(3) {
            return value;
        }
        value = children[rng.below(children.len())];
    }
}

/// One structural change somewhere in `tree`: a number or string replaced by an interesting
/// one, a key dropped or added (one of `keys` or a parameter's), an element dropped or
/// duplicated, a type changed, a subtree swapped in from another seed, or the value buried
/// under deep nesting.
fn mutate_tree(rng: &mut Rng, tree: &mut Value, pool: &[Value], keys: &[&str]) {
    let mut node = tree;
    loop {
        let descend = rng.below(4) != 0;
        let child_count = match node {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => 0,
        };
        if !descend || child_count == 0 {
            break;
        }
        let pick = rng.below(child_count);
        node = match node {
            Value::Array(items) => &mut items[pick],
            Value::Object(map) => map.values_mut().nth(pick).expect("in range"),
            _ => unreachable!("only containers have children"),
        };
    }
    match node {
        Value::Number(_) if rng.below(3) != 0 => *node = interesting_number(rng),
        Value::String(_) if rng.below(3) != 0 => *node = interesting_string(rng),
        Value::Object(map) if rng.one_in(2) => {
            if !map.is_empty() && rng.one_in(2) {
                let key = map.keys().nth(rng.below(map.len())).cloned();
                map.remove(&key.expect("not empty"));
            } else {
                let key = if rng.one_in(2) {
                    rng.pick(keys).to_string()
                } else {
                    PARAMS[rng.below(PARAMS.len())].key.to_owned()
                };
                map.insert(key, random_value(rng, pool));
            }
        }
        Value::Array(items) if rng.one_in(2) && !items.is_empty() => {
            let at = rng.below(items.len());
            match rng.below(3) {
                0 => {
                    items.remove(at);
                }
                1 => {
                    let copies = 1 + rng.below(70);
                    let item = items[at].clone();
                    items.splice(at..at, std::iter::repeat_n(item, copies));
                }
                _ => items.truncate(at),
            }
        }
        _ => match rng.below(4) {
            0 => {
                let mut deep = std::mem::take(node);
                for _ in 0..1 + rng.below(200) {
                    deep = if rng.one_in(2) {
                        Value::Array(vec![deep])
                    } else {
                        Value::Object(Map::from_iter([("params".to_owned(), deep)]))
                    };
                }
                *node = deep;
            }
            1 => *node = Value::Array(Vec::new()),
            2 => *node = Value::Object(Map::new()),
            _ => *node = random_value(rng, pool),
        },
    }
}

/// Writes `value` as JSON, sometimes with an object's entry twice (JSON allows it; the last
/// one counts) and with random spacing.
fn write_json(rng: &mut Rng, value: &Value, out: &mut Vec<u8>) {
    let space = |rng: &mut Rng, out: &mut Vec<u8>| {
        if rng.one_in(8) {
            out.extend(*rng.pick(&[&b" "[..], b"\n", b"\t", b"\r\n  "]));
        }
    };
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                space(rng, out);
                write_json(rng, item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            let mut first = true;
            for (key, item) in map {
                let times = if rng.one_in(20) { 2 } else { 1 };
                for _ in 0..times {
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    space(rng, out);
                    out.extend(serde_json::to_vec(key).expect("a string serializes"));
                    out.push(b':');
                    space(rng, out);
                    write_json(rng, item, out);
                }
            }
            out.push(b'}');
        }
        leaf => out.extend(serde_json::to_vec(leaf).expect("a leaf serializes")),
    }
}

fn check_session_json(input: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(input);
    let Ok(incoming) = Session::open_json(&text) else {
        return Verdict::Refused;
    };
    if Session::from_json(&text).is_ok() != incoming.refused.is_empty() {
        return Verdict::Violation(format!(
            "Session::from_json and Session::open_json disagree ({} fields refused)",
            incoming.refused.len()
        ));
    }
    check_session(&incoming.session)
}

// ---- bundle -----------------------------------------------------------------------------

/// Small audio files for bundles (their contents do not matter to the reader).
const BUNDLE_FILES: [(&str, &[u8]); 2] = [
    ("bass.wav", b"RIFF\x24\x00\x00\x00WAVEfmt fake bass"),
    (
        "gtr.flac",
        b"fLaC fake guitar, a little longer than the bass file",
    ),
];

/// The reference recording of [`recorded_lesson`], given to the bundle writer with
/// [`BUNDLE_FILES`]: it is stored as `audio/mix.ogg`.
const BUNDLE_RECORDING: (&str, &[u8]) = ("teacher/mix.ogg", b"OggS fake reference recording");

/// [`BUNDLE_FILES`] and [`BUNDLE_RECORDING`].
fn files_and_recording() -> [(&'static str, &'static [u8]); 3] {
    [BUNDLE_FILES[0], BUNDLE_FILES[1], BUNDLE_RECORDING]
}

/// Sessions for bundles: tracks playing the two files (one of them twice), a demo stem, and
/// the plain seeds' sessions.
fn bundle_sessions() -> Vec<Session> {
    let mut project = benchmark(4, true);
    let file = |path: &str| {
        Source::File(FileSource {
            path: path.into(),
            sha256: None,
        })
    };
    project.tracks[0].source = file("bass.wav");
    project.tracks[1].source = file("gtr.flac");
    project.tracks[2].source = file("bass.wav");
    project.tracks[3].source = Source::Demo("kick".into());
    vec![project, mixroom_demo::session(), benchmark(0, false)]
}

/// A lesson on the first of [`bundle_sessions`] (the built-in first lesson's texts and goals),
/// whose reference mix plays one of its files, a file of its own and a demo stem.
fn bundle_lesson() -> Lesson {
    let start = bundle_sessions().remove(0);
    let mut reference = start.clone();
    reference.tracks[1].source = Source::File(FileSource {
        path: "teacher/gtr.flac".into(),
        sha256: None,
    });
    let mut lesson = mixroom_demo::lessons::lessons().remove(0);
    lesson.start = start;
    lesson.reference = Some(Reference::Mix(reference));
    lesson
}

/// [`bundle_lesson`] whose reference is the recording [`BUNDLE_RECORDING`], with a
/// tonal-balance goal that compares with it.
fn recorded_lesson() -> Lesson {
    let mut lesson = bundle_lesson();
    lesson.reference = Some(Reference::Recording(Recording::File(FileSource {
        path: BUNDLE_RECORDING.0.into(),
        sha256: None,
    })));
    lesson.goals.push(Goal {
        id: "like-the-reference".into(),
        text: "Sounds like the reference.".into(),
        kind: GoalKind::TonalBalance {
            curve: Curve::Reference,
            tolerance_db: 3.0,
        },
    });
    lesson
}

/// What the `bundle` target's seeds carry: each of [`bundle_sessions`], [`bundle_lesson`], a
/// hand-in of it, a built-in lesson (demo stems only: no audio entries) and
/// [`recorded_lesson`] (its recording stored).
fn bundle_contents() -> (Vec<Session>, [Lesson; 3], HandIn) {
    let lesson = bundle_lesson();
    let hand_in = HandIn::new(&lesson, "Ada", lesson.start.clone());
    let built_in = mixroom_demo::lessons::lessons().remove(2);
    (
        bundle_sessions(),
        [lesson, built_in, recorded_lesson()],
        hand_in,
    )
}

fn bundle_target() -> Target {
    let (sessions, lessons, hand_in) = bundle_contents();
    let contents = sessions
        .iter()
        .map(Contents::Mix)
        .chain(lessons.iter().map(Contents::Lesson))
        .chain([Contents::HandIn(&hand_in)]);
    let seeds = contents
        .map(|c| {
            bundle::write_contents(c, &files_and_recording())
                .expect("the files are given")
                .bytes
        })
        .collect();
    Target {
        name: "bundle",
        weight: 15,
        seeds,
        dictionary: tokens(&[
            b"PK\x03\x04",
            b"PK\x01\x02",
            b"PK\x05\x06",
            b"PK\x06\x06",
            b"PK\x06\x07",
            b"PK\x07\x08",
            b"session.json",
            b"lesson.json",
            b"handin.json",
            b"audio/",
            b"audio/bass.wav",
            b"\x08\x00",
            b"\x00\x00",
            b"\xff\xff\xff\xff",
            b"\x14\x00",
            b"\x2d\x00",
            b"\x01\x00\x10\x00",
        ]),
        max_len: 64 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| {
            if rng.below(10) < 7 {
                target.havoc_seed(rng)
            } else {
                rebuilt_bundle(rng)
            }
        },
        check: check_bundle,
    }
}

/// The bundled sessions written once, and a target whose seed is each one's `session.json`
/// (for [`mutated_json`]).
fn bundled() -> &'static [(bundle::Written, Target)] {
    static BUNDLED: OnceLock<Vec<(bundle::Written, Target)>> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        bundle_sessions()
            .iter()
            .map(|s| {
                let written = bundle::write(s, &BUNDLE_FILES).expect("the files are given");
                let json = Target {
                    name: "bundle-session",
                    weight: 0,
                    seeds: vec![written.session.to_json().into_bytes()],
                    dictionary: session_dictionary(),
                    max_len: 16 << 10,
                    keys: SESSION_KEYS,
                    pool: OnceLock::new(),
                    generate: mutated_json,
                    check: check_session_json,
                };
                (written, json)
            })
            .collect()
    })
}

/// The lesson and the hand-in of the seeds' bundles, as stored there, each the first seed of
/// a JSON target (for [`mutated_json`]) whose other seeds are the `lesson` or `handin`
/// target's.
fn attached_json() -> &'static [Target; 2] {
    static ATTACHED: OnceLock<[Target; 2]> = OnceLock::new();
    ATTACHED.get_or_init(|| {
        let (_, [lesson, _, recorded], hand_in) = bundle_contents();
        let stored = |contents| {
            bundle::write_contents(contents, &files_and_recording())
                .expect("the files are given")
                .attached
                .expect("a lesson or hand-in")
        };
        let text = |stored: bundle::Attachment| match stored {
            bundle::Attachment::Lesson(lesson) => lesson.to_json(),
            bundle::Attachment::HandIn(hand_in) => hand_in.to_json(),
        };
        let recorded = text(stored(Contents::Lesson(&recorded)));
        let json = |stored: Vec<String>, target: &Target| {
            let mut seeds: Vec<Vec<u8>> = stored.into_iter().map(String::into_bytes).collect();
            seeds.extend(target.seeds.iter().cloned());
            Target {
                name: "bundle-attached",
                weight: 0,
                seeds,
                dictionary: target.dictionary.clone(),
                max_len: target.max_len,
                keys: target.keys,
                pool: OnceLock::new(),
                generate: mutated_json,
                check: target.check,
            }
        };
        let [lesson_json, hand_in_json] = lesson::json_targets();
        let lesson = text(stored(Contents::Lesson(&lesson)));
        let hand_in = text(stored(Contents::HandIn(&hand_in)));
        [
            json(vec![lesson, recorded], lesson_json),
            json(vec![hand_in], hand_in_json),
        ]
    })
}

/// A zip made here (not by `bundle::write`) around a mutated `session.json` of a bundled
/// session, with the audio entries present, missing, changed, renamed or doubled, stored or
/// deflated, and now and then a `lesson.json` or a `handin.json` (or both) as stored or
/// mutated: this reaches the reader's session, file, lesson and hand-in checks past the
/// CRC-32s.
fn rebuilt_bundle(rng: &mut Rng) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    let (_, json_target) = rng.pick(bundled());
    let json = if rng.one_in(3) {
        json_target.seeds[0].clone()
    } else {
        mutated_json(json_target, rng)
    };
    let method = |rng: &mut Rng| {
        let method = if rng.one_in(2) {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        SimpleFileOptions::default().compression_method(method)
    };
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut entries: Vec<(String, Vec<u8>)> = vec![("session.json".to_owned(), json)];
    for (name, bytes) in BUNDLE_FILES {
        let mut bytes = bytes.to_vec();
        let mut name = format!("audio/{name}");
        match rng.below(8) {
            0 => continue,
            1 => {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1;
            }
            2 => name = name.to_uppercase(),
            3 => entries.push((name.clone(), bytes.clone())),
            _ => {}
        }
        entries.push((name, bytes));
    }
    // The stored recording of `recorded_lesson`, now and then (its lesson.json may name it).
    if rng.one_in(2) {
        let mut bytes = BUNDLE_RECORDING.1.to_vec();
        if rng.one_in(4) {
            let at = rng.below(bytes.len());
            bytes[at] ^= 1;
        }
        entries.push(("audio/mix.ogg".to_owned(), bytes));
    }
    let [lesson_json, hand_in_json] = attached_json();
    let attached = |target: &Target, rng: &mut Rng| {
        if rng.one_in(3) {
            target.seeds[0].clone()
        } else {
            mutated_json(target, rng)
        }
    };
    let which = rng.below(16);
    if which < 5 || which == 8 {
        entries.push(("lesson.json".to_owned(), attached(lesson_json, rng)));
    }
    if (5..=8).contains(&which) {
        entries.push(("handin.json".to_owned(), attached(hand_in_json, rng)));
    }
    if rng.one_in(4) {
        let at = rng.below(entries.len());
        let entry = entries.remove(at);
        entries.push(entry);
    }
    for (name, bytes) in &entries {
        let options = method(rng);
        // A name the writer refuses (a duplicate) is left out.
        if zip.start_file(name.as_str(), options).is_ok() {
            zip.write_all(bytes).expect("writing into memory");
        }
    }
    zip.finish().expect("finishing into memory").into_inner()
}

fn check_bundle(input: &[u8]) -> Verdict {
    let Ok(opened) = bundle::read(input) else {
        return Verdict::Refused;
    };
    for track in &opened.session.tracks {
        if let Source::File(file) = &track.source {
            if !opened.files.contains_key(&file.path) {
                return Verdict::Violation(format!(
                    "an opened bundle lacks the file {:?} its session plays",
                    file.path
                ));
            }
        }
    }
    let verdict = check_session(&opened.session);
    if verdict != Verdict::Accepted {
        return verdict;
    }
    // The page and `mixroom` read bundles by slices: the same files, whatever the slices.
    let chunk = 1 + input.len() % 997;
    match by_slices(input, chunk) {
        Ok(files)
            if files
                .iter()
                .all(|(path, bytes)| opened.files.get(path) == Some(bytes)) => {}
        Ok(_) => {
            return Verdict::Violation(format!(
                "a bundle read by slices of {chunk} bytes gives other files than read whole"
            ))
        }
        Err(why) => {
            return Verdict::Violation(format!(
                "a bundle that opens whole is refused by slices of {chunk} bytes: {why}"
            ))
        }
    }
    check_attached(&opened)
}

/// The session's files in the bundle `input` as the page and `mixroom` read them: the
/// directory from the tail, then each file's data fed to its unpacker and its check `chunk`
/// bytes at a time.
fn by_slices(input: &[u8], chunk: usize) -> Result<BTreeMap<String, Vec<u8>>, BundleError> {
    let len = input.len() as u64;
    let at = |range: Range<u64>| -> Result<&[u8], BundleError> {
        let start = usize::try_from(range.start).map_err(|_| BundleError::NotABundle)?;
        let end = usize::try_from(range.end).map_err(|_| BundleError::NotABundle)?;
        input.get(start..end).ok_or(BundleError::NotABundle)
    };
    let data = |entry: &Entry| at(entry.data_range(at(entry.local_header_range())?)?);
    let directory = match Directory::from_tail(len, at(len - tail_len(len)..len)?)? {
        FromTail::Complete(directory) => directory,
        FromTail::NeedRange(pending) => {
            let range = at(pending.range())?;
            pending.parse(range)?
        }
    };
    let entry = session_entry(&directory)?;
    let session = read_session(entry, data(entry)?)?.session;
    let mut files = BTreeMap::new();
    for file in plan(&directory, &session)?.files() {
        let (mut unpacker, mut check) = (file.unpacker()?, file.check());
        let mut bytes = Vec::new();
        for piece in data(file.entry())?.chunks(chunk) {
            let before = bytes.len();
            unpacker.feed(piece, &mut bytes)?;
            check.update(&bytes[before..]);
        }
        unpacker.finish()?;
        check.finish()?;
        files.insert(file.path().to_owned(), bytes);
    }
    Ok(files)
}

/// The contract of what an opened bundle carries: a lesson or hand-in that opens keeps the
/// lesson or hand-in contract and plays the bundle's mix; a lesson written again with the
/// bundle's files keeps its fingerprint; a lesson too new offers the bundle's mix.
fn check_attached(opened: &bundle::Bundle) -> Verdict {
    match &opened.attached {
        Attached::Lesson(Ok(incoming)) => {
            let lesson = &incoming.lesson;
            if lesson.start != opened.session {
                return Verdict::Violation(
                    "an opened bundle's lesson starts from another mix than the bundle's"
                        .to_owned(),
                );
            }
            let verdict = lesson::check_lesson(lesson);
            if verdict != Verdict::Accepted {
                return verdict;
            }
            let files: Vec<(&str, &[u8])> = opened
                .files
                .iter()
                .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
                .collect();
            // Writing may refuse what reading took (a reference that records another checksum
            // for one of the files, a name made too long by " (2)").
            let Ok(written) = bundle::write_contents(Contents::Lesson(lesson), &files) else {
                return Verdict::Accepted;
            };
            match bundle::read(&written.bytes).map(|again| (again.attached, again.files)) {
                Ok((Attached::Lesson(Ok(again)), files))
                    if again.lesson.fingerprint() == lesson.fingerprint() =>
                {
                    let held = |lesson: &Lesson, files: &BTreeMap<String, Vec<u8>>| {
                        recording_path(lesson)
                            .and_then(|path| files.get(path))
                            .cloned()
                    };
                    if held(&again.lesson, &files) == held(lesson, &opened.files) {
                        Verdict::Accepted
                    } else {
                        Verdict::Violation(
                            "an opened bundle's lesson written again lost or changed its \
                             reference recording"
                                .to_owned(),
                        )
                    }
                }
                other => Verdict::Violation(format!(
                    "an opened bundle's lesson written again does not open as the same lesson: \
                     {:?}",
                    other.map(|(a, _)| match a {
                        Attached::Lesson(Ok(_)) => "another fingerprint".to_owned(),
                        other => format!("{other:?}"),
                    })
                )),
            }
        }
        Attached::Lesson(Err(LessonError::TooNew { start, .. }))
            if start.as_ref().map(|s| &s.session) != Some(&opened.session) =>
        {
            Verdict::Violation(
                "an opened bundle's lesson is too new but does not offer the bundle's mix"
                    .to_owned(),
            )
        }
        Attached::HandIn(Ok(incoming)) => {
            if incoming.hand_in.mix != opened.session {
                return Verdict::Violation(
                    "an opened bundle's hand-in plays another mix than the bundle's".to_owned(),
                );
            }
            lesson::check_hand_in(&incoming.hand_in)
        }
        Attached::None | Attached::Lesson(Err(_)) | Attached::HandIn(Err(_)) => Verdict::Accepted,
    }
}

/// The path of `lesson`'s reference recording, when it is a file.
fn recording_path(lesson: &Lesson) -> Option<&str> {
    match &lesson.reference {
        Some(Reference::Recording(Recording::File(file))) => Some(&file.path),
        _ => None,
    }
}

// ---- decode -----------------------------------------------------------------------------

/// Compressed seed files, made once by the commands in `seeds/README.md`.
const SEED_FILES: [(&str, &[u8]); 7] = [
    ("flac", include_bytes!("../seeds/mono-8k.flac")),
    ("flac", include_bytes!("../seeds/stereo-44k.flac")),
    ("flac", include_bytes!("../seeds/surround-48k.flac")),
    ("mp3", include_bytes!("../seeds/mono-8k.mp3")),
    ("mp3", include_bytes!("../seeds/stereo-44k.mp3")),
    ("ogg", include_bytes!("../seeds/mono-8k.ogg")),
    ("ogg", include_bytes!("../seeds/stereo-44k.ogg")),
];

/// A WAV file written by hound: `frames` frames of a ramp on `channels` channels.
fn wav_seed(channels: u16, rate_hz: u32, bits: u16, float: bool, frames: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate_hz,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).expect("a valid spec");
    for n in 0..frames * u32::from(channels) {
        let x = (n % 200) as f32 / 200.0 - 0.5;
        match (float, bits) {
            (true, _) => writer.write_sample(x),
            (false, 16) => writer.write_sample((x * 32_767.0) as i16),
            (false, _) => writer.write_sample((x * 8_388_607.0) as i32),
        }
        .expect("writing into memory");
    }
    writer.finalize().expect("writing into memory");
    bytes.into_inner()
}

fn decode_target() -> Target {
    let hint = |ext: &str| HINTS.iter().position(|h| *h == ext).expect("known") as u8;
    let mut seeds = Vec::new();
    for wav in [
        wav_seed(1, 8_000, 16, false, 300),
        wav_seed(2, 44_100, 16, false, 200),
        wav_seed(2, 44_100, 24, false, 200),
        wav_seed(1, 48_000, 32, true, 200),
        wav_seed(6, 48_000, 32, true, 100),
        wav_seed(6, 48_000, 24, false, 50),
    ] {
        seeds.push([vec![hint("wav")], wav].concat());
    }
    for (ext, bytes) in SEED_FILES {
        seeds.push([vec![hint(ext)], bytes.to_vec()].concat());
    }
    Target {
        name: "decode",
        weight: 30,
        seeds,
        dictionary: tokens(&[
            b"RIFF",
            b"RIFX",
            b"RF64",
            b"WAVE",
            b"fmt ",
            b"data",
            b"fact",
            b"LIST",
            b"INFO",
            b"\x01\x00",
            b"\x03\x00",
            b"\xfe\xff",
            b"fLaC",
            b"\x00\x00\x00\x22",
            b"\xff\xf8",
            b"OggS",
            b"\x01vorbis",
            b"\x03vorbis",
            b"\x05vorbis",
            b"ID3\x03\x00",
            b"\xff\xfb",
            b"\xff\xf3",
            b"Xing",
            b"Info",
            b"FORM",
            b"AIFF",
            b"COMM",
            b"SSND",
        ]),
        max_len: 32 << 10,
        keys: &[],
        pool: OnceLock::new(),
        generate: |target, rng| target.havoc_seed(rng),
        check: check_decode,
    }
}

fn check_decode(input: &[u8]) -> Verdict {
    let Some((&hint, file)) = input.split_first() else {
        return Verdict::Refused;
    };
    let name = format!("fuzz.{}", HINTS[usize::from(hint) % HINTS.len()]);
    let decoded = match decode_bytes(file, &name, Keep::AtMostFrames(DECODE_MAX_FRAMES)) {
        Ok(decoded) => decoded,
        Err(DecodeError::Crashed { message, location }) => {
            return Verdict::Caught(format!("{message} at {location}"))
        }
        Err(_) => return Verdict::Refused,
    };
    let frames = decoded.channels.first().map_or(0, Vec::len);
    if decoded.channels.is_empty() || frames == 0 {
        return Verdict::Violation("decoded to no audio".to_owned());
    }
    if decoded.channels.iter().any(|c| c.len() != frames) {
        return Verdict::Violation("channels of different lengths".to_owned());
    }
    if frames as u64 > DECODE_MAX_FRAMES {
        return Verdict::Violation(format!("{frames} frames, over the cap"));
    }
    if decoded.sample_rate_hz == 0 {
        return Verdict::Violation("a sample rate of 0 Hz".to_owned());
    }
    Verdict::Accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_is_accepted() {
        // The seeds are valid inputs: each target accepts each of its own seeds unchanged.
        for target in all() {
            for (i, seed) in target.seeds.iter().enumerate() {
                let input = match target.name {
                    "link-body" => wrap_link_body(seed).into_bytes(),
                    _ => seed.clone(),
                };
                assert_eq!(
                    target.run(&input),
                    Verdict::Accepted,
                    "{} seed {i}",
                    target.name
                );
            }
        }
    }

    #[test]
    fn the_bundle_seeds_carry_lessons_and_a_hand_in_that_open() {
        let carried: Vec<&str> = bundle_target()
            .seeds
            .iter()
            .map(|seed| {
                let opened = bundle::read(seed).expect("a seed opens");
                match opened.attached {
                    Attached::None => "mix",
                    Attached::Lesson(Ok(incoming)) if incoming.refused.is_empty() => {
                        match recording_path(&incoming.lesson) {
                            Some(path) if opened.files.contains_key(path) => "recorded lesson",
                            _ => "lesson",
                        }
                    }
                    Attached::HandIn(Ok(incoming)) if incoming.refused.is_empty() => "hand-in",
                    _ => "refused",
                }
            })
            .collect();
        assert_eq!(
            carried,
            [
                "mix",
                "mix",
                "mix",
                "lesson",
                "lesson",
                "recorded lesson",
                "hand-in"
            ]
        );
    }

    #[test]
    fn version_1_seeds_read_as_their_version_2_sessions() {
        for session in sessions() {
            let migrated = Session::from_json(&as_version_1(&session)).unwrap();
            let names = |s: &Session| -> Vec<String> {
                s.tracks
                    .iter()
                    .map(|t| t.source_name().to_owned())
                    .collect()
            };
            assert_eq!(migrated.version, 2);
            assert_eq!(names(&migrated), names(&session));
            assert_eq!(migrated.master, session.master);
        }
    }
}
