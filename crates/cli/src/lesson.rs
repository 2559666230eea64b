//! `mixroom lesson list / export` and `mixroom check`: the built-in lessons on disk, and
//! students' mixes checked against a lesson's goals by mixroom-lesson's `Checker` (the same
//! renders and verdicts as the page's).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mixroom_dsp::Source;
use mixroom_lesson::{Checker, Report};
use mixroom_protocol::bundle::Attached;
use mixroom_protocol::lesson::{
    same_as_reference, same_work, violations, wire, HandIn, Lesson, Recording, Reference, Violation,
};
use mixroom_protocol::session::{self, Session};
use mixroom_protocol::units::memory_size;
use serde::Serialize;

use crate::args::CheckArgs;
use crate::bundled;
use crate::decode::{self, Keep};
use crate::demo;
use crate::notes::notes;
use crate::sources::{io_problem, load_sources_from, recording_source, DemoStems, Files, Folder};

/// What `mixroom check` found: every mix passed, a goal failed, or a mix could not be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every mix passed every goal (exit code 0).
    Passed,
    /// At least one goal failed, or a mix changed what its lesson does not allow (exit code
    /// 3).
    GoalFailed,
    /// At least one mix could not be opened or checked (exit code 1).
    Error,
}

/// `mixroom lesson list`: one line per built-in lesson, `ID<TAB>TITLE`.
pub fn list() {
    for lesson in mixroom_demo::lessons::lessons() {
        println!("{}\t{}", lesson.id, lesson.title);
    }
}

/// `mixroom lesson export ID -o DIR`: the built-in lesson `id` as `DIR/lesson.json` (exactly
/// the built-in lesson, demo stems by id, so its fingerprint is the page's), `DIR/start.json`
/// and `DIR/reference.json` (its mixes playing the stems as files beside them, so that
/// `mixroom render` renders them) and those stems as `<id>.wav`.
pub fn export(id: &str, dir: &Path, sample_rate_hz: u32) -> Result<(), String> {
    let lesson = builtin(id)?;
    demo::make_dir(dir)?;
    let mut mixes = vec![("start.json", &lesson.start)];
    if let Some(Reference::Mix(reference)) = &lesson.reference {
        mixes.push(("reference.json", reference));
    }
    let needed: Vec<&str> = mixes
        .iter()
        .flat_map(|(_, mix)| &mix.tracks)
        .filter_map(|track| match &track.source {
            session::Source::Demo(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    demo::write_stems(dir, sample_rate_hz, |id| needed.contains(&id))?;
    for (name, mix) in mixes {
        demo::write_session(&dir.join(name), &demo::playing_files(mix.clone()))?;
    }
    let path = dir.join("lesson.json");
    std::fs::write(&path, lesson.to_json()).map_err(|e| io_problem(&path, &e))
}

/// The built-in lesson `id`, or why there is none.
fn builtin(id: &str) -> Result<Lesson, String> {
    mixroom_demo::lessons::lesson(id).ok_or_else(|| {
        let ids: Vec<String> = mixroom_demo::lessons::lessons()
            .into_iter()
            .map(|l| l.id)
            .collect();
        format!(
            "there is no built-in lesson \"{id}\" (`mixroom lesson list` lists them: {})",
            ids.join(", ")
        )
    })
}

/// Where a lesson's reference recording file is looked for.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordingPlace {
    /// In the lesson's `.mixroom` bundle at this path, as its entry.
    Bundle(PathBuf),
    /// In this folder (the lesson file's; the current one for a link or a built-in lesson),
    /// the recording's path relative to it.
    Folder(PathBuf),
}

/// The lesson `text` names: a lesson JSON file, a `.mixroom` bundle holding a lesson, a
/// `#lesson=` link (or its payload), or a built-in lesson's id, tried in that order; and where
/// its reference recording file is looked for. A field the lesson's reader refused is reported
/// as a note on stderr and the rest is used, as the page does.
pub fn open_lesson(text: &str) -> Result<(Lesson, RecordingPlace), String> {
    let path = Path::new(text);
    let here = RecordingPlace::Folder(PathBuf::from("."));
    let (incoming, place) = if path.is_file() {
        if bundled::is_bundle_file(path)? {
            let incoming = bundled::lesson(text, path)?;
            notes(text, &incoming.refused);
            return Ok((incoming.lesson, RecordingPlace::Bundle(path.to_path_buf())));
        }
        let json = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => format!("{text} is not a lesson (it is not text)"),
            _ => io_problem(path, &e),
        })?;
        let incoming = match link_in(&json) {
            Some(link) => wire::open_lesson(link).map_err(|e| format!("{text}: {e}"))?,
            None => Lesson::open_json(&json).map_err(|e| format!("{text}: {e}"))?,
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        (incoming, RecordingPlace::Folder(folder.to_path_buf()))
    } else if text.contains(wire::LESSON_KEY) {
        (wire::open_lesson(text).map_err(|e| e.to_string())?, here)
    } else if let Some(lesson) = mixroom_demo::lessons::lesson(text) {
        return Ok((lesson, here));
    } else if path.exists() {
        return Err(format!("{text} is a folder, not a lesson"));
    } else {
        return Err(format!(
            "cannot find the lesson {text}: it is not a file, a #lesson= link or a built-in \
             lesson's id (`mixroom lesson list`)"
        ));
    };
    notes(text, &incoming.refused);
    Ok((incoming.lesson, place))
}

/// The reference recording of `lesson` (opened from `shown`, its file looked for in `place`)
/// as the engine's source at `sample_rate_hz`, or `None` with a warning on stderr saying why
/// it cannot be had (the goals that compare with it are then not measured).
fn reference_recording(
    shown: &str,
    lesson: &Lesson,
    place: &RecordingPlace,
    sample_rate_hz: u32,
) -> Option<Source> {
    let found = match &lesson.reference {
        Some(Reference::Recording(Recording::File(file))) => match place {
            RecordingPlace::Bundle(path) => bundled::recording(shown, path, lesson)
                .and_then(|files| recording_source(&files, &file.path, sample_rate_hz)),
            RecordingPlace::Folder(folder) => {
                recording_source(&Folder(folder.clone()), &file.path, sample_rate_hz)
            }
        },
        Some(Reference::Recording(Recording::Url(url))) => Err(format!(
            "the reference recording is at {url}, which the command line does not download"
        )),
        Some(Reference::Mix(_)) | None => Err("the lesson has no reference recording".into()),
    };
    found
        .map_err(|why| {
            eprintln!(
                "mixroom: warning: {shown}: {why}; the goals that compare with the reference \
                 recording are not measured"
            )
        })
        .ok()
}

/// The link in a file's text, if the file holds one (a link saved from the page) rather than
/// JSON.
fn link_in(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.starts_with('{')).then_some(text)
}

/// One mix's line of `mixroom check`.
#[derive(Serialize)]
struct Line {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    student: Option<String>,
    #[serde(flatten)]
    verdict: Verdict,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Verdict {
    Checked {
        passed: bool,
        goals: Vec<GoalLine>,
        violations: Vec<ViolationLine>,
        /// For the teacher, without failing the mix: "same as the reference", "the same mix
        /// as FILE" (an earlier mix of this check).
        flags: Vec<String>,
    },
    Error {
        error: String,
    },
}

/// A change the lesson does not allow, with the reason in words.
#[derive(Serialize)]
struct ViolationLine {
    #[serde(flatten)]
    violation: Violation,
    reason: String,
}

#[derive(Serialize)]
struct GoalLine {
    id: String,
    text: String,
    passed: bool,
    measured: Option<f64>,
    target: String,
    unit: &'static str,
    hint: String,
}

/// A mix to check, opened.
struct Opened {
    mix: Session,
    files: Box<dyn Files>,
    student: Option<String>,
    /// The hand-in's lesson, when the mix is a hand-in: (id, fingerprint).
    answers: Option<HandIn>,
}

/// `mixroom check LESSON MIX...`: prints one JSON line per mix, in order; a mix that cannot be
/// opened or checked gets a line with its `"error"` and the others are still checked.
pub fn check(args: &CheckArgs) -> Result<Outcome, String> {
    let (lesson, place) = open_lesson(&args.lesson)?;
    let mut stems = DemoStems::Shared(std::cell::OnceCell::new());
    let recording = std::cell::OnceCell::new();
    let recording = || {
        recording
            .get_or_init(|| reference_recording(&args.lesson, &lesson, &place, args.sample_rate_hz))
            .clone()
    };
    let mut outcome = Outcome::Passed;
    // The mixes checked so far, to say which hand-ins are the same mix.
    let mut seen: Vec<(String, Session)> = Vec::new();
    for mix in &args.mixes {
        let checked_one = check_one(&lesson, mix, args.sample_rate_hz, &mut stems, &recording);
        let (student, verdict) = match checked_one {
            Ok(Checked {
                student,
                report,
                violations,
                session,
            }) => {
                let passed = report.passed() && violations.is_empty();
                if !passed && outcome == Outcome::Passed {
                    outcome = Outcome::GoalFailed;
                }
                let mut flags = Vec::new();
                if same_as_reference(&lesson, &session) {
                    flags.push("same as the reference".to_owned());
                }
                if let Some((file, _)) = seen
                    .iter()
                    .find(|(_, earlier)| same_work(&lesson, earlier, &session))
                {
                    flags.push(format!("the same mix as {file}"));
                }
                seen.push((mix.clone(), session));
                (student, checked(report, violations, flags))
            }
            Err((student, error)) => {
                outcome = Outcome::Error;
                if error.starts_with(mix.as_str()) {
                    eprintln!("mixroom: {error}");
                } else {
                    eprintln!("mixroom: {mix}: {error}");
                }
                (student, Verdict::Error { error })
            }
        };
        let line = Line {
            file: mix.clone(),
            student,
            verdict,
        };
        println!(
            "{}",
            serde_json::to_string(&line).expect("a line always serializes")
        );
    }
    Ok(outcome)
}

type Failed = (Option<String>, String);

/// A mix checked: the student (for a hand-in), the goals' verdicts, what it changed that the
/// lesson does not allow, and the mix itself.
struct Checked {
    student: Option<String>,
    report: Report,
    violations: Vec<Violation>,
    session: Session,
}

/// Checks the mix `mix` against `lesson`; `recording` gives the lesson's reference recording
/// when a goal compares with it.
fn check_one(
    lesson: &Lesson,
    mix: &str,
    sample_rate_hz: u32,
    stems: &mut DemoStems,
    recording: &dyn Fn() -> Option<Source>,
) -> Result<Checked, Failed> {
    // This mix's audio is freed, and no longer counted, when its check ends.
    let _work = decode::Work::start();
    let opened = open_mix(mix).map_err(|e| (None, e))?;
    let student = opened.student.clone();
    let fail = |e: String| (student.clone(), e);
    if let Some(hand_in) = &opened.answers {
        if !hand_in.answers(lesson) {
            let which = if hand_in.lesson_id == lesson.id {
                format!(
                    "another version of the lesson \"{}\" (its fingerprint is {}, this one's \
                     {})",
                    lesson.id,
                    hand_in.lesson_sha256,
                    lesson.fingerprint()
                )
            } else {
                format!(
                    "the lesson \"{}\", not \"{}\"",
                    hand_in.lesson_id, lesson.id
                )
            };
            return Err(fail(format!("this hand-in answers {which}")));
        }
    }
    let sources = load_sources_from(
        &opened.mix,
        opened.files.as_ref(),
        sample_rate_hz,
        Keep::All,
        stems,
    )
    .map_err(fail)?;
    let shapes: Vec<(usize, usize)> = sources
        .iter()
        .map(|s| s.as_ref().map_or((0, 0), |s| (s.channels(), s.frames())))
        .collect();
    let mut checker = Checker::new(lesson, &opened.mix, sources, sample_rate_hz as f32)
        .map_err(|e| fail(e.to_string()))?;
    let recording = checker
        .needs_reference_recording()
        .then(recording)
        .flatten();
    // Beside its tracks (held already), the check keeps what its renders need.
    let heard = recording.as_ref().map(|r| (r.channels(), r.frames()));
    let tracks: u64 = shapes.iter().map(|&(c, f)| (c * f) as u64 * 4).sum();
    let extra = checker.audio_bytes(&shapes, heard).saturating_sub(tracks);
    if decode::over_budget(extra).is_some() {
        return Err(fail(format!(
            "checking this mix needs {} of memory for its audio, more than the budget of {} \
             (--max-memory changes it)",
            memory_size(decode::in_use().saturating_add(extra)),
            memory_size(decode::memory_budget())
        )));
    }
    if let Some(recording) = recording {
        checker = checker.with_reference_recording(recording);
    }
    if let Some(hand_in) = &opened.answers {
        checker = checker.with_answers(hand_in.answers.clone());
    }
    Ok(Checked {
        student,
        report: checker.finish(),
        violations: violations(lesson, &opened.mix),
        session: opened.mix,
    })
}

fn checked(report: Report, violations: Vec<Violation>, flags: Vec<String>) -> Verdict {
    Verdict::Checked {
        passed: report.passed() && violations.is_empty(),
        goals: report
            .goals
            .into_iter()
            .map(|g| GoalLine {
                id: g.id,
                text: g.text,
                passed: g.passed,
                measured: g.measured,
                target: g.target,
                unit: g.unit,
                hint: g.hint,
            })
            .collect(),
        violations: violations
            .into_iter()
            .map(|violation| ViolationLine {
                reason: violation.to_string(),
                violation,
            })
            .collect(),
        flags,
    }
}

/// Opens `text`: a session JSON file, a `.mixroom` bundle (of a mix, a lesson's starting mix or
/// a hand-in), a hand-in JSON file, a file holding a `#mix=` or `#handin=` link, or such a link
/// itself. Files a mix names are found beside its file (the current folder for a link given on
/// the command line), a bundle's inside it.
fn open_mix(text: &str) -> Result<Opened, String> {
    let path = Path::new(text);
    if path.is_dir() {
        return Err(format!("{text} is a folder, not a mix"));
    }
    if !path.exists() {
        if text.contains(wire::HANDIN_KEY) || text.contains(mixroom_protocol::link::FRAGMENT_KEY) {
            return open_text(text, text, Folder(PathBuf::from(".")));
        }
        return Err(format!(
            "cannot find {text}: it is not a file, a #mix= link or a #handin= link"
        ));
    }
    if bundled::is_bundle_file(path)? {
        let bundle = bundled::open(text, path)?;
        notes(text, &bundle.refused);
        let hand_in = match bundle.attached {
            Attached::HandIn(Ok(incoming)) => {
                notes(text, &incoming.refused);
                Some(incoming.hand_in)
            }
            // As a hand-in JSON file that cannot be read: which lesson it answers is unknown.
            Attached::HandIn(Err(why)) => return Err(format!("{text}: {why}")),
            Attached::None | Attached::Lesson(_) => None,
        };
        return Ok(Opened {
            mix: bundle.session,
            files: Box::new(bundle.files) as Box<dyn Files>,
            student: hand_in.as_ref().map(|h| h.student.clone()),
            answers: hand_in,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| io_problem(path, &e))?;
    let contents =
        String::from_utf8(bytes).map_err(|_| format!("{text} is not a mix (it is not text)"))?;
    let folder = Folder(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    open_text(text, &contents, folder)
}

/// Opens the mix in `contents` (JSON or a link) from `shown`, its files in `folder`.
fn open_text(shown: &str, contents: &str, folder: Folder) -> Result<Opened, String> {
    let problem = |e: &dyn std::fmt::Display| format!("{shown}: {e}");
    let hand_in = match link_in(contents) {
        Some(link) if link.contains(wire::HANDIN_KEY) => {
            Some(wire::open_hand_in(link).map_err(|e| problem(&e))?)
        }
        Some(link) => {
            let incoming = mixroom_protocol::link::open(link).map_err(|e| problem(&e))?;
            notes(shown, &incoming.refused);
            return Ok(opened(incoming.session, folder));
        }
        None if is_hand_in(contents) => Some(HandIn::open_json(contents).map_err(|e| problem(&e))?),
        None => {
            let incoming = Session::open_json(contents).map_err(|e| problem(&e))?;
            notes(shown, &incoming.refused);
            return Ok(opened(incoming.session, folder));
        }
    };
    let incoming = hand_in.expect("a hand-in");
    notes(shown, &incoming.refused);
    let hand_in = incoming.hand_in;
    Ok(Opened {
        mix: hand_in.mix.clone(),
        files: Box::new(folder),
        student: Some(hand_in.student.clone()),
        answers: Some(hand_in),
    })
}

fn opened(mix: Session, folder: Folder) -> Opened {
    Opened {
        mix,
        files: Box::new(folder),
        student: None,
        answers: None,
    }
}

/// Whether the JSON text is a hand-in (it says which lesson it answers) rather than a session.
fn is_hand_in(json: &str) -> bool {
    serde_json::from_str::<BTreeMap<String, serde_json::Value>>(json)
        .is_ok_and(|map| map.contains_key("lesson_sha256"))
}
