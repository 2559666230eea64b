//! Lessons and hand-ins in bundles: written beside their mix, read back as they were stored,
//! and never keeping the mix from opening when their entry is damaged, hostile or too new.

use zip::{CompressionMethod, ZipArchive};

use super::interop::zip_of;
use super::tests::read_by_slices;
use super::*;
use crate::hash::sha256_hex;
use crate::lesson::{
    Goal, GoalKind, HandIn, HandInError, Lesson, LessonError, Recording, Reference, LESSON_VERSION,
    MAX_LESSON_BYTES,
};
use crate::session::{benchmark, FileSource};

const BASS: &[u8] = b"RIFF fake wav bytes \x00\x01\x02\xff";
const OTHER_BASS: &[u8] = b"RIFF another bass, another take";

fn file(path: &str) -> Source {
    Source::File(FileSource {
        path: path.into(),
        sha256: None,
    })
}

/// Four tracks: two share a bass, a third plays another file of the same name, and a demo
/// stem.
fn mix() -> Session {
    let mut mix = benchmark(4, false);
    mix.tracks[0].source = file("stems/bass.wav");
    mix.tracks[1].source = file("stems/bass.wav");
    mix.tracks[2].source = file("takes/BASS.wav");
    mix.tracks[3].source = Source::Demo("kick".into());
    mix
}

fn files() -> Vec<(&'static str, &'static [u8])> {
    vec![("stems/bass.wav", BASS), ("takes/BASS.wav", OTHER_BASS)]
}

/// A lesson on [`mix`] whose reference mix plays one of its files, a file of its own and the
/// demo stem.
fn lesson() -> Lesson {
    let mut reference = mix();
    reference.tracks.truncate(3);
    reference.tracks[1].source = file("teacher/only-mine.wav");
    reference.tracks[2].source = Source::Demo("kick".into());
    reference.master.set(crate::params::ParamId::GainDb, -3.0);
    Lesson {
        version: LESSON_VERSION,
        id: "low-end".into(),
        title: "The low end".into(),
        introduction: "Two basses, one kick.".into(),
        steps: vec!["Balance them.".into()],
        start: mix(),
        locks: Some(vec!["gain_db".into()]),
        reference: Some(Reference::Mix(reference)),
        goals: vec![Goal {
            id: "loud".into(),
            text: "The master is at most −16 LUFS.".into(),
            kind: GoalKind::Loudness {
                min_lufs: None,
                max_lufs: Some(-16.0),
            },
        }],
    }
}

/// The track sources of `mix`, as (path, SHA-256) of files and ids of demo stems.
fn sources(mix: &Session) -> Vec<(String, Option<String>)> {
    mix.tracks
        .iter()
        .map(|track| match &track.source {
            Source::File(file) => (file.path.clone(), file.sha256.clone()),
            Source::Demo(id) => (format!("demo {id}"), None),
            Source::Url(url) => (url.clone(), None),
        })
        .collect()
}

fn sha(bytes: &[u8]) -> Option<String> {
    Some(sha256_hex(bytes))
}

/// The opened lesson in `bundle`, with nothing refused.
fn opened_lesson(bundle: &Bundle) -> &Lesson {
    match &bundle.attached {
        Attached::Lesson(Ok(incoming)) => {
            assert_eq!(incoming.refused, []);
            &incoming.lesson
        }
        other => panic!("a lesson, not {other:?}"),
    }
}

/// The error of the lesson in `bundle`, which cannot be opened.
fn lesson_error(bundle: &Bundle) -> &LessonError {
    match &bundle.attached {
        Attached::Lesson(Err(why)) => why,
        other => panic!("a lesson that cannot be opened, not {other:?}"),
    }
}

#[test]
fn a_lesson_travels_in_a_bundle_with_its_files() {
    // Reference: the lesson and files given to `write_contents`; the stored lesson is the
    // given one with its mixes pointing at the entries.
    let given = lesson();
    let written = write_contents(Contents::Lesson(&given), &files()).unwrap();
    let Some(Attachment::Lesson(stored)) = &written.attached else {
        panic!("a lesson stored")
    };
    assert_eq!(stored.start, written.session);
    let bundle = read(&written.bytes).unwrap();
    assert_eq!(bundle.session, written.session);
    assert_eq!(bundle.refused, []);
    let lesson = opened_lesson(&bundle);
    assert_eq!(lesson, stored);
    assert_eq!(lesson.start, bundle.session, "one mix");
    assert_eq!(
        sources(&bundle.session),
        [
            ("audio/bass.wav".to_owned(), sha(BASS)),
            ("audio/bass.wav".to_owned(), sha(BASS)),
            ("audio/BASS (2).wav".to_owned(), sha(OTHER_BASS)),
            ("demo kick".to_owned(), None),
        ]
    );
    let Some(Reference::Mix(reference)) = &lesson.reference else {
        panic!("a reference mix")
    };
    assert_eq!(
        sources(reference),
        [
            ("audio/bass.wav".to_owned(), sha(BASS)),
            ("teacher/only-mine.wav".to_owned(), None),
            ("demo kick".to_owned(), None),
        ],
        "its file in the bundle points at its entry; its own file is left as it was"
    );
    let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
    assert_eq!(paths, ["audio/BASS (2).wav", "audio/bass.wav"]);
    assert_eq!(bundle.files["audio/bass.wav"], BASS);
    assert_eq!(bundle.files["audio/BASS (2).wav"], OTHER_BASS);
    assert_eq!((&lesson.title, &lesson.goals), (&given.title, &given.goals));
    assert_eq!(
        read_by_slices(&written.bytes, 5).0,
        bundle,
        "as the page reads it"
    );
    assert_eq!(lesson.fingerprint(), given.fingerprint(), "the same lesson");

    // The zip crate sees lesson.json deflated after session.json, holding the stored lesson.
    let mut archive = ZipArchive::new(std::io::Cursor::new(&written.bytes[..])).unwrap();
    let names: Vec<&str> = archive.file_names().collect();
    assert_eq!(names.len(), 4, "{names:?}");
    let mut entry = archive.by_name(LESSON_ENTRY).unwrap();
    assert_eq!(entry.compression(), CompressionMethod::Deflated);
    let mut json = String::new();
    std::io::Read::read_to_string(&mut entry, &mut json).unwrap();
    assert_eq!(&Lesson::from_json(&json).unwrap(), stored);
}

#[test]
fn a_lesson_bundle_is_laid_out_in_the_parts_of_a_plain_one() {
    // Reference: `write_contents`, which concatenates the same parts; a plain bundle's parts
    // around the same files.
    let given: Vec<(&str, Sums)> = files()
        .iter()
        .map(|(path, bytes)| {
            let mut digest = Digest::new();
            digest.update(bytes);
            (*path, digest.finish())
        })
        .collect();
    let lesson = lesson();
    let laid_out = layout_contents(Contents::Lesson(&lesson), &given).unwrap();
    let plain = layout(&mix(), &given).unwrap();
    let written = write_contents(Contents::Lesson(&lesson), &files()).unwrap();
    assert_eq!(laid_out.session, plain.session);
    assert_eq!(laid_out.attached, written.attached);
    assert_eq!(plain.attached, None);
    assert_eq!(laid_out.len, written.bytes.len() as u64);
    let shape = |layout: &Layout| -> Vec<Option<String>> {
        layout
            .parts
            .iter()
            .map(|part| match part {
                Part::Bytes(_) => None,
                Part::File(path) => Some(path.clone()),
            })
            .collect()
    };
    assert_eq!(shape(&laid_out), shape(&plain));
    assert!(laid_out.len > plain.len, "lesson.json in the first part");
}

#[test]
fn a_hand_in_travels_in_a_bundle_and_answers_its_lesson() {
    // Reference: HandIn::answers, against the lesson as given and as read from its bundle.
    let given = lesson();
    let lesson_bundle = write_contents(Contents::Lesson(&given), &files()).unwrap();
    let from_bundle = opened_lesson(&read(&lesson_bundle.bytes).unwrap()).clone();
    let mut student_mix = from_bundle.start.clone();
    student_mix.tracks[2]
        .strip
        .set(crate::params::ParamId::GainDb, -30.0);
    let hand_in = HandIn::new(&from_bundle, "Ada Lovelace", student_mix);
    // The student's mix plays the files inside the lesson's bundle, by their entries.
    let in_bundle = [("audio/bass.wav", BASS), ("audio/BASS (2).wav", OTHER_BASS)];
    let written = write_contents(Contents::HandIn(&hand_in), &in_bundle).unwrap();
    let bundle = read(&written.bytes).unwrap();
    let Attached::HandIn(Ok(incoming)) = &bundle.attached else {
        panic!("a hand-in, not {:?}", bundle.attached)
    };
    assert_eq!(incoming.refused, []);
    let opened = &incoming.hand_in;
    assert_eq!(Some(Attachment::HandIn(opened.clone())), written.attached);
    assert_eq!(opened.student, "Ada Lovelace");
    assert_eq!(opened.mix, bundle.session, "one mix");
    assert_eq!(opened.mix, hand_in.mix, "its entries kept their names");
    assert!(opened.answers(&from_bundle));
    assert!(opened.answers(&given), "the lesson before its trip");
    assert_eq!(read_by_slices(&written.bytes, 1000).0, bundle);
    assert_eq!(bundle.files.len(), 2);
    assert_eq!(bundle.files["audio/BASS (2).wav"], OTHER_BASS);

    // A hand-in of files on the student's disk, written there.
    let mut on_disk = hand_in.clone();
    on_disk.mix.tracks[0].source = file("C:\\Users\\ada\\bass.wav");
    on_disk.mix.tracks[1].source = file("C:\\Users\\ada\\bass.wav");
    on_disk.mix.tracks[2].source = file("C:\\Users\\ada\\old\\BASS.wav");
    let disk_files = [
        ("C:\\Users\\ada\\bass.wav", BASS),
        ("C:\\Users\\ada\\old\\BASS.wav", OTHER_BASS),
    ];
    let written = write_contents(Contents::HandIn(&on_disk), &disk_files).unwrap();
    let bundle = read(&written.bytes).unwrap();
    assert_eq!(sources(&bundle.session), sources(&hand_in.mix));
}

#[test]
fn a_plain_bundle_carries_nothing() {
    // Reference: the bundle of a mix alone, as every bundle before lessons.
    let written = write(&mix(), &files()).unwrap();
    assert_eq!(written.attached, None);
    let bundle = read(&written.bytes).unwrap();
    assert_eq!(bundle.attached, Attached::None);
    let through_contents = write_contents(Contents::Mix(&mix()), &files()).unwrap();
    assert_eq!(through_contents, written);
}

/// A zip of `session.json` (the stored mix), the two audio entries, and `extra`.
fn bundle_with(extra: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    let written = write(&mix(), &files()).unwrap();
    let json = written.session.to_json();
    let mut entries = vec![
        (SESSION_ENTRY, json.as_bytes(), CompressionMethod::Deflated),
        ("audio/bass.wav", BASS, CompressionMethod::Stored),
        ("audio/BASS (2).wav", OTHER_BASS, CompressionMethod::Stored),
    ];
    entries.extend_from_slice(extra);
    zip_of(&entries)
}

/// The stored mix, as every bundle of [`bundle_with`] opens it.
fn stored_mix() -> Session {
    write(&mix(), &files()).unwrap().session
}

#[test]
fn a_bundle_with_a_lesson_and_a_hand_in_is_refused() {
    // Reference: the rule of at most one; the message names both entries.
    let lesson = write_contents(Contents::Lesson(&lesson()), &files()).unwrap();
    let Some(Attachment::Lesson(stored)) = lesson.attached else {
        panic!()
    };
    let hand_in = HandIn::new(&stored, "Ada", stored.start.clone());
    let (lesson_json, hand_in_json) = (stored.to_json(), hand_in.to_json());
    let deflated = CompressionMethod::Deflated;
    let both = bundle_with(&[
        (LESSON_ENTRY, lesson_json.as_bytes(), deflated),
        (HANDIN_ENTRY, hand_in_json.as_bytes(), deflated),
    ]);
    assert_eq!(read(&both), Err(BundleError::LessonAndHandIn));
    let text = BundleError::LessonAndHandIn.to_string();
    assert!(
        text.contains("project") && text.contains(LESSON_ENTRY) && text.contains(HANDIN_ENTRY),
        "{text}"
    );
    // Either alone opens, whatever zip tool wrote it.
    let alone = bundle_with(&[(HANDIN_ENTRY, hand_in_json.as_bytes(), deflated)]);
    let bundle = read(&alone).unwrap();
    assert!(matches!(&bundle.attached, Attached::HandIn(Ok(h)) if h.hand_in == hand_in));
    let stored_entry = CompressionMethod::Stored;
    let alone = bundle_with(&[(LESSON_ENTRY, lesson_json.as_bytes(), stored_entry)]);
    assert_eq!(opened_lesson(&read(&alone).unwrap()), &stored);
}

#[test]
fn a_broken_lesson_never_keeps_the_mix_from_opening() {
    // Reference: the mix of every bundle here opens as `stored_mix`, with both files; the
    // lesson's error names what is wrong with it.
    let stored = write_contents(Contents::Lesson(&lesson()), &files())
        .unwrap()
        .attached;
    let Some(Attachment::Lesson(stored)) = stored else {
        panic!()
    };
    let json = stored.to_json();
    let stored_entry = CompressionMethod::Stored;
    let check = |zip: &[u8], words: &str| {
        let bundle = read(zip).unwrap();
        assert_eq!(bundle.session, stored_mix());
        assert_eq!(bundle.files.len(), 2);
        let text = lesson_error(&bundle).to_string();
        assert!(
            text.starts_with("this is not a Mixroom lesson") && text.contains(words),
            "{text}"
        );
    };

    // A byte changed in the stored lesson (still UTF-8 JSON): the CRC-32 catches it.
    let mut changed = bundle_with(&[(LESSON_ENTRY, json.as_bytes(), stored_entry)]);
    let at = changed
        .windows(12)
        .position(|w| w == b"The low end\"")
        .unwrap();
    changed[at] = b'A';
    check(&changed, "\"lesson.json\" in this project file is damaged");

    // Not UTF-8 text.
    let not_text = bundle_with(&[(LESSON_ENTRY, b"{\"title\": \"\xff\xfe\"}", stored_entry)]);
    check(&not_text, "\"lesson.json\" is not UTF-8 text");

    // Longer than a lesson may be (it deflates to a few KiB, and is never unpacked).
    let long = format!("{json}{}", " ".repeat(MAX_LESSON_BYTES));
    let deflated = CompressionMethod::Deflated;
    let too_large = bundle_with(&[(LESSON_ENTRY, long.as_bytes(), deflated)]);
    check(&too_large, "unpacks to more than Mixroom accepts (2 MiB)");

    // Not JSON, not a lesson, a lesson with an id that is not one.
    check(
        &bundle_with(&[(LESSON_ENTRY, b"<html>", stored_entry)]),
        "expected value",
    );
    check(
        &bundle_with(&[(LESSON_ENTRY, b"[1, 2]", stored_entry)]),
        "expected a JSON object",
    );
    let bad_id = json.replace("\"low-end\"", "\"Low End!\"");
    let bundle = read(&bundle_with(&[(LESSON_ENTRY, bad_id.as_bytes(), deflated)])).unwrap();
    assert_eq!(bundle.session, stored_mix());
    assert!(matches!(lesson_error(&bundle), LessonError::BadId(_)));

    // An entry compressed with bzip2 (method 12), as the zip's headers say.
    let mut bzip2 = bundle_with(&[(LESSON_ENTRY, json.as_bytes(), stored_entry)]);
    for signature in [b"PK\x03\x04", b"PK\x01\x02"] {
        let method_at = if signature == b"PK\x03\x04" { 8 } else { 10 };
        let name_at = if signature == b"PK\x03\x04" { 30 } else { 46 };
        let at = (0..bzip2.len() - name_at - LESSON_ENTRY.len())
            .find(|&i| {
                bzip2[i..i + 4] == signature[..]
                    && bzip2[i + name_at..].starts_with(LESSON_ENTRY.as_bytes())
            })
            .unwrap();
        bzip2[at + method_at] = 12;
    }
    check(&bzip2, "cannot read");
}

#[test]
fn hostile_text_in_a_lesson_is_refused_field_by_field() {
    // Reference: Lesson::open_json's rules; the entry's own copy of the mix is never read, the
    // bundle's session takes its place.
    let stored = write_contents(Contents::Lesson(&lesson()), &files())
        .unwrap()
        .attached;
    let Some(Attachment::Lesson(stored)) = stored else {
        panic!()
    };
    let mut value = serde_json::to_value(&stored).unwrap();
    value["title"] = "Gain \u{1b}[2Jkcab".into();
    value["steps"][0] = "Ring \u{7}".into();
    value["start"] = serde_json::json!({ "version": 2, "tracks": "not a list" });
    let hostile = value.to_string();
    let zip = bundle_with(&[(
        LESSON_ENTRY,
        hostile.as_bytes(),
        CompressionMethod::Deflated,
    )]);
    let bundle = read(&zip).unwrap();
    let Attached::Lesson(Ok(incoming)) = &bundle.attached else {
        panic!("{:?}", bundle.attached)
    };
    let fields: Vec<&str> = incoming.refused.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["the lesson's title", "step 1"]);
    assert_eq!(incoming.lesson.title, crate::lesson::rules::UNTITLED);
    assert_eq!(incoming.lesson.steps, Vec::<String>::new());
    assert_eq!(incoming.lesson.start, bundle.session);
    assert_eq!(incoming.lesson.goals, stored.goals);

    // Another mix in the entry than in session.json: session.json's is the mix.
    let mut other = serde_json::to_value(&stored).unwrap();
    other["start"] = serde_json::to_value(benchmark(1, false)).unwrap();
    let other = other.to_string();
    let zip = bundle_with(&[(LESSON_ENTRY, other.as_bytes(), CompressionMethod::Stored)]);
    let bundle = read(&zip).unwrap();
    assert_eq!(opened_lesson(&bundle), &stored);
}

#[test]
fn a_newer_lesson_or_hand_in_is_too_new_and_its_mix_opens() {
    // Reference: LessonError::TooNew, which carries the starting mix for the page to offer;
    // here the bundle's.
    let stored = write_contents(Contents::Lesson(&lesson()), &files())
        .unwrap()
        .attached;
    let Some(Attachment::Lesson(stored)) = stored else {
        panic!()
    };
    let mut newer = serde_json::to_value(&stored).unwrap();
    newer["version"] = 9.into();
    newer["goals"][0]["kind"] = "sparkle".into();
    newer["start"] = "a version 9 mix".into();
    let newer = newer.to_string();
    let deflated = CompressionMethod::Deflated;
    let bundle = read(&bundle_with(&[(LESSON_ENTRY, newer.as_bytes(), deflated)])).unwrap();
    let LessonError::TooNew { found, start } = lesson_error(&bundle) else {
        panic!("{:?}", bundle.attached)
    };
    assert_eq!(*found, 9);
    let start = start.as_ref().expect("the bundle's mix");
    assert_eq!(
        (&start.session, &start.refused),
        (&stored_mix(), &Vec::new())
    );
    assert!(lesson_error(&bundle)
        .to_string()
        .contains("its starting mix can be opened on its own"));

    let mut hand_in = serde_json::to_value(HandIn::new(&stored, "Ada", stored_mix())).unwrap();
    hand_in["version"] = 9.into();
    let hand_in = hand_in.to_string();
    let bundle = read(&bundle_with(&[(
        HANDIN_ENTRY,
        hand_in.as_bytes(),
        deflated,
    )]))
    .unwrap();
    assert_eq!(
        bundle.attached,
        Attached::HandIn(Err(HandInError::TooNew { found: 9 }))
    );
    assert_eq!(bundle.session, stored_mix());
}

#[test]
fn what_cannot_be_stored_is_not_written() {
    // Reference: layout_contents's errors; what a reader would refuse is never written.
    let mut long = lesson();
    long.introduction = "x".repeat(MAX_LESSON_BYTES);
    assert_eq!(
        write_contents(Contents::Lesson(&long), &files()),
        Err(BundleError::EntryTooLarge {
            entry: LESSON_ENTRY.into(),
            max_bytes: MAX_LESSON_BYTES as u64
        })
    );
    let mut wrong = lesson();
    let Some(Reference::Mix(reference)) = &mut wrong.reference else {
        panic!()
    };
    reference.tracks[0].source = Source::File(FileSource {
        path: "stems/bass.wav".into(),
        sha256: sha(OTHER_BASS),
    });
    assert_eq!(
        write_contents(Contents::Lesson(&wrong), &files()),
        Err(BundleError::ChecksumMismatch {
            path: "stems/bass.wav".into()
        }),
        "the reference expects another bass"
    );
    let hand_in = HandIn::new(&lesson(), "Ada", mix());
    assert_eq!(
        write_contents(Contents::HandIn(&hand_in), &files()[..1]),
        Err(BundleError::MissingAudio {
            path: "takes/BASS.wav".into()
        })
    );
}

#[test]
fn the_reference_keeps_its_own_files_and_the_lesson_its_fingerprint() {
    // Reference: the naming rule (bundle/names.rs): the reference's own files are named first,
    // so no entry takes one's path, and the fingerprint survives any number of trips.
    let mut given = lesson();
    let Some(Reference::Mix(reference)) = &mut given.reference else {
        panic!()
    };
    reference.tracks[1].source = file("teacher/bass.wav");
    reference.tracks[2].source = file("audio/BASS (2).wav");
    let written = write_contents(Contents::Lesson(&given), &files()).unwrap();
    let bundle = read(&written.bytes).unwrap();
    let lesson = opened_lesson(&bundle);
    assert_eq!(
        sources(&bundle.session),
        [
            ("audio/bass (3).wav".to_owned(), sha(BASS)),
            ("audio/bass (3).wav".to_owned(), sha(BASS)),
            ("audio/BASS (4).wav".to_owned(), sha(OTHER_BASS)),
            ("demo kick".to_owned(), None),
        ],
        "bass.wav and BASS (2).wav are the reference's own"
    );
    let Some(Reference::Mix(reference)) = &lesson.reference else {
        panic!()
    };
    assert_eq!(
        sources(reference),
        [
            ("audio/bass (3).wav".to_owned(), sha(BASS)),
            ("teacher/bass.wav".to_owned(), None),
            ("audio/BASS (2).wav".to_owned(), None),
        ],
        "its own audio/BASS (2).wav is not the bundle's other bass"
    );
    assert_eq!(lesson.fingerprint(), given.fingerprint());

    // Again, from the files inside: the same entries, the same lesson.
    let inside: Vec<(&str, &[u8])> = bundle
        .files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let again = write_contents(Contents::Lesson(lesson), &inside).unwrap();
    assert_eq!(again.bytes, written.bytes);

    // A reference recording on a file the starting mix plays too: the two share its entry.
    let mut recorded = given.clone();
    recorded.reference = Some(recording_at("stems/bass.wav", None));
    let written = write_contents(Contents::Lesson(&recorded), &files()).unwrap();
    let bundle = read(&written.bytes).unwrap();
    let lesson = opened_lesson(&bundle).clone();
    assert_eq!(
        lesson.reference,
        Some(recording_at("audio/bass.wav", sha(BASS))),
        "the recording is the bass's entry"
    );
    assert_eq!(sources(&lesson.start)[0].0, "audio/bass.wav");
    assert_eq!(bundle.files.len(), 2, "one entry for both");
    assert_eq!(lesson.fingerprint(), recorded.fingerprint());
}

/// A reference recording of the file at `path`.
fn recording_at(path: &str, sha256: Option<String>) -> Reference {
    Reference::Recording(Recording::File(FileSource {
        path: path.into(),
        sha256,
    }))
}

const RECORDING: &[u8] = b"RIFF the teacher's finished mix";

#[test]
fn a_lesson_bundle_carries_its_reference_recording() {
    // Reference: layout_contents's rule: a recording whose file is given is stored as an entry
    // like a track's, the stored lesson pointing at it; the fingerprint survives the trip.
    let mut given = lesson();
    given.reference = Some(recording_at("teacher/bass.wav", None));
    let mut with_recording = files();
    with_recording.push(("teacher/bass.wav", RECORDING));
    let written = write_contents(Contents::Lesson(&given), &with_recording).unwrap();
    let Some(Attachment::Lesson(stored)) = &written.attached else {
        panic!("a lesson stored")
    };
    assert_eq!(
        stored.reference,
        Some(recording_at("audio/bass.wav", sha(RECORDING))),
        "named first, before the tracks' basses"
    );
    let bundle = read(&written.bytes).unwrap();
    let lesson = opened_lesson(&bundle);
    assert_eq!(lesson, stored);
    assert_eq!(
        sources(&bundle.session)[..3],
        [
            ("audio/bass (2).wav".to_owned(), sha(BASS)),
            ("audio/bass (2).wav".to_owned(), sha(BASS)),
            ("audio/BASS (3).wav".to_owned(), sha(OTHER_BASS)),
        ]
    );
    assert_eq!(bundle.files["audio/bass.wav"], RECORDING);
    assert_eq!(bundle.files.len(), 3);
    assert_eq!(lesson.fingerprint(), given.fingerprint(), "the same lesson");
    assert_eq!(
        read_by_slices(&written.bytes, 5).0,
        bundle,
        "as the page reads it"
    );

    // The page's step: the recording's planned file, at the path the lesson names.
    let len = written.bytes.len() as u64;
    let tail = &written.bytes[(len - tail_len(len)) as usize..];
    let FromTail::Complete(directory) = Directory::from_tail(len, tail).unwrap() else {
        panic!("a small directory")
    };
    let planned = plan_recording(&directory, lesson).unwrap().unwrap();
    assert_eq!(planned.path(), "audio/bass.wav");
    assert_eq!(planned.method(), Method::Stored);
    assert_eq!(planned.sha256(), sha(RECORDING).as_deref());
    assert_eq!(
        plan_recording(&directory, &given).unwrap(),
        None,
        "not an entry"
    );
    assert_eq!(
        plan_recording(&directory, &self::lesson()).unwrap(),
        None,
        "a mix"
    );

    // The zip crate sees the recording stored, after the tracks' files.
    let mut archive = ZipArchive::new(std::io::Cursor::new(&written.bytes[..])).unwrap();
    let names: Vec<&str> = archive.file_names().collect();
    assert_eq!(names.last(), Some(&"audio/bass.wav"), "{names:?}");
    let entry = archive.by_name("audio/bass.wav").unwrap();
    assert_eq!(entry.compression(), CompressionMethod::Stored);
    drop(entry);

    // Again, from the files inside: the same bundle.
    let inside: Vec<(&str, &[u8])> = bundle
        .files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect();
    let again = write_contents(Contents::Lesson(lesson), &inside).unwrap();
    assert_eq!(again.bytes, written.bytes);

    // A recording that records another SHA-256 is not written.
    let mut wrong = given.clone();
    wrong.reference = Some(recording_at("teacher/bass.wav", sha(BASS)));
    assert_eq!(
        write_contents(Contents::Lesson(&wrong), &with_recording),
        Err(BundleError::ChecksumMismatch {
            path: "teacher/bass.wav".into()
        })
    );
}

#[test]
fn a_recording_not_given_is_left_out() {
    // Reference: layout_contents's rule: the recording keeps its path, no entry takes its
    // name, and the fingerprint is the same before and after.
    let mut given = lesson();
    given.reference = Some(recording_at("teacher/bass.wav", None));
    let written = write_contents(Contents::Lesson(&given), &files()).unwrap();
    let bundle = read(&written.bytes).unwrap();
    let lesson = opened_lesson(&bundle);
    assert_eq!(lesson.reference, given.reference, "as the lesson names it");
    assert_eq!(sources(&bundle.session)[0].0, "audio/bass (2).wav");
    assert_eq!(bundle.files.len(), 2);
    assert_eq!(lesson.fingerprint(), given.fingerprint());
    let again = write_contents(Contents::Lesson(lesson), &[]);
    assert!(matches!(again, Err(BundleError::MissingAudio { .. })));
}

#[test]
fn a_damaged_recording_is_refused_as_a_damaged_track_file() {
    // Reference: `read`'s rule: every file the bundle holds is checked, the recording too, and
    // a damaged one is an error as a track file's is.
    let mut given = lesson();
    given.reference = Some(recording_at("teacher/take.wav", None));
    let mut with_recording = files();
    with_recording.push(("teacher/take.wav", RECORDING));
    let written = write_contents(Contents::Lesson(&given), &with_recording).unwrap();
    let at = written
        .bytes
        .windows(RECORDING.len())
        .position(|w| w == RECORDING)
        .unwrap();
    let mut damaged = written.bytes.clone();
    damaged[at + 5] ^= 1;
    assert_eq!(
        read(&damaged),
        Err(BundleError::DamagedEntry {
            entry: "audio/take.wav".into()
        }),
        "its CRC-32"
    );

    // Another file with the CRC-32 right: its SHA-256 is not the lesson's.
    let bundle = read(&written.bytes).unwrap();
    let mut lesson = opened_lesson(&bundle).clone();
    lesson.reference = Some(recording_at("audio/take.wav", sha(BASS)));
    let json = lesson.to_json();
    let mut entries: Vec<(&str, &[u8], CompressionMethod)> = bundle
        .files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice(), CompressionMethod::Stored))
        .collect();
    let session = bundle.session.to_json();
    entries.push((
        SESSION_ENTRY,
        session.as_bytes(),
        CompressionMethod::Deflated,
    ));
    entries.push((LESSON_ENTRY, json.as_bytes(), CompressionMethod::Deflated));
    assert_eq!(
        read(&zip_of(&entries)),
        Err(BundleError::ChecksumMismatch {
            path: "audio/take.wav".into()
        })
    );
}
