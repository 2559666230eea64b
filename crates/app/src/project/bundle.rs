//! Project bundles (`.mixroom`, see `mixroom_protocol::bundle`): the session and every file in
//! its original encoding, in one zip that moves between computers, with a lesson (its start
//! playing those files) or a hand-in beside it when it carries one.
//!
//! Neither saving nor opening holds a project in memory: opening reads the zip's directory and
//! the session from slices of the `File`, and hands each stored audio file on as a slice of it
//! (a `Blob`, no copy), after checking its CRC-32 and SHA-256 a chunk at a time; saving
//! computes each file's sums the same way, then builds the download as a `Blob` of parts (the
//! headers, and the audio files themselves). Between chunks the page answers; a notice shows
//! how far it got.

use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Uint8Array};
use mixroom_protocol::bundle::{
    self, attached_entry, layout_contents, plan, plan_recording, read_attached, read_session,
    session_entry, Attached, Attachment, BundleError, Contents, Digest, Directory, FromTail,
    Method, Part, PlannedFile, Sums,
};
use mixroom_protocol::lesson::{IncomingHandIn, Lesson, LessonError, Recording, Reference};
use mixroom_protocol::session::Source;
use mixroom_protocol::validate::Incoming;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

use super::lesson::too_new;
use super::open::Opening;
use super::sources::BundleFiles;
use super::{Notice, Project};
use crate::audio::{describe, yield_now};
use crate::export::save_blob;

/// The name the bundle is offered under.
const FILE_NAME: &str = "mixroom-project.mixroom";

/// Bytes read, hashed and checked at a time (a few tens of ms of work between two turns of
/// the page's event loop).
const CHUNK_BYTES: u64 = 4 << 20;

/// Why reading a slice failed, for the user.
fn slice_failed(what: &str, e: &JsValue) -> String {
    match crate::audio::get(e, "name").as_string().as_deref() {
        Some("RangeError") => {
            format!("the browser ran out of memory reading {what}; close other tabs and try again")
        }
        Some("NotReadableError") => format!(
            "the browser could not read {what} (it may have run out of memory, or the file \
             changed on disk); close other tabs and try again"
        ),
        _ => format!("{what} cannot be read ({})", describe(e)),
    }
}

/// The bytes of `range` of `blob`.
async fn read_range(blob: &Blob, range: Range<u64>, what: &str) -> Result<Vec<u8>, String> {
    let slice = blob
        .slice_with_f64_and_f64(range.start as f64, range.end as f64)
        .map_err(|e| slice_failed(what, &e))?;
    let buffer: ArrayBuffer = JsFuture::from(slice.array_buffer())
        .await
        .and_then(|b| b.dyn_into())
        .map_err(|e| slice_failed(what, &e))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Feeds `range` of `blob` to `each` a chunk at a time, yielding to the page between chunks;
/// `progress` hears the bytes done so far.
async fn each_chunk(
    blob: &Blob,
    range: Range<u64>,
    what: &str,
    mut each: impl FnMut(&[u8]) -> Result<(), String>,
    mut progress: impl FnMut(u64),
) -> Result<(), String> {
    let mut at = range.start;
    while at < range.end {
        let next = (at + CHUNK_BYTES).min(range.end);
        let bytes = read_range(blob, at..next, what).await?;
        each(&bytes)?;
        progress(next - range.start);
        at = next;
        let _ = yield_now().await;
    }
    Ok(())
}

/// Says how far a long step got, in one notice.
fn show_progress(project: Project, text: String) {
    project.notify(Notice::info("bundle", text));
}

/// Builds the bundle of the mix as it is now, or of `attachment` (a lesson, whose starting
/// mix plays files of this mix; a hand-in of this mix), and offers it as a download; returns
/// the file's name. Every file must be at hand (a mix still waiting for a dropped file cannot
/// be saved whole).
pub async fn save_bundle(
    project: Project,
    attachment: Option<Attachment>,
) -> Result<String, String> {
    let mixer = project.mixer();
    let snapshot = mixer.snapshot();
    let bridge = mixer
        .with_bridge(Rc::clone)
        .ok_or("the audio engine is not running")?;
    let contents = match &attachment {
        None => Contents::Mix(&snapshot.session),
        Some(Attachment::Lesson(lesson)) => Contents::Lesson(lesson),
        Some(Attachment::HandIn(hand_in)) => Contents::HandIn(hand_in),
    };
    let mut files: Vec<(String, web_sys::File)> = Vec::new();
    for track in &contents.mix().tracks {
        let Source::File(source) = &track.source else {
            continue;
        };
        if files.iter().any(|(path, _)| *path == source.path) {
            continue;
        }
        // The file as this mix plays it (a lesson's start plays the files of the mix it was
        // made from).
        let file = snapshot
            .session
            .tracks
            .iter()
            .zip(&snapshot.strips)
            .find(|(t, _)| t.source == track.source)
            .and_then(|(_, strip)| bridge.track_file(strip.position()))
            .ok_or_else(|| {
                format!(
                    "“{}” is not here yet: drop it on the page first, then save",
                    source.name()
                )
            })?;
        files.push((source.path.clone(), file));
    }
    // A lesson's reference recording file, from this browser's storage.
    if let Some(Attachment::Lesson(lesson)) = &attachment {
        if let Some(Reference::Recording(Recording::File(source))) = &lesson.reference {
            let missing = || {
                format!(
                    "the reference recording “{}” is not in this browser: pick it again",
                    source.name()
                )
            };
            let sha = source.sha256.as_deref().ok_or_else(missing)?;
            let store = project.store().ok_or_else(missing)?;
            let blob = store
                .get_audio(sha)
                .await
                .ok()
                .flatten()
                .ok_or_else(missing)?;
            let file = web_sys::File::new_with_blob_sequence(&Array::of1(&blob), source.name())
                .map_err(|e| slice_failed("the reference recording", &e))?;
            if !files.iter().any(|(path, _)| *path == source.path) {
                files.push((source.path.clone(), file));
            }
        }
    }
    let total: f64 = files.iter().map(|(_, f)| f.size()).sum();
    let mut done = 0.0;
    let mut sums: Vec<(String, Sums)> = Vec::new();
    for (path, file) in &files {
        let mut digest = Digest::new();
        let name = format!("“{}”", file.name());
        let size = file.size() as u64;
        each_chunk(
            file,
            0..size,
            &name,
            |chunk| {
                digest.update(chunk);
                Ok(())
            },
            |bytes| {
                let percent = 100.0 * (done + bytes as f64) / total.max(1.0);
                show_progress(project, format!("Saving the project: {percent:.0}%…"));
            },
        )
        .await?;
        done += file.size();
        sums.push((path.clone(), digest.finish()));
    }
    let given: Vec<(&str, Sums)> = sums.iter().map(|(p, s)| (p.as_str(), s.clone())).collect();
    let laid_out = layout_contents(contents, &given).map_err(|e| e.to_string())?;
    let parts = Array::new();
    for part in &laid_out.parts {
        match part {
            Part::Bytes(bytes) => parts.push(&Uint8Array::from(bytes.as_slice())),
            Part::File(path) => {
                let (_, file) = files
                    .iter()
                    .find(|(p, _)| p == path)
                    .ok_or("a file went missing while saving")?;
                parts.push(file)
            }
        };
    }
    let options = BlobPropertyBag::new();
    options.set_type("application/zip");
    let blob = Blob::new_with_blob_sequence_and_options(&parts, &options)
        .map_err(|e| slice_failed("the project", &e))?;
    let name = file_name(attachment.as_ref());
    save_blob(&blob, &name).map_err(|e| describe(&e))?;
    Ok(name)
}

/// The name a bundle is offered under: the project's, the lesson's id, or the student's name
/// and the lesson's id.
fn file_name(attachment: Option<&Attachment>) -> String {
    let stem = match attachment {
        None => return FILE_NAME.to_owned(),
        Some(Attachment::Lesson(lesson)) => format!("lesson-{}", lesson.id),
        Some(Attachment::HandIn(hand_in)) => {
            format!("{}-{}", hand_in.student, hand_in.lesson_id)
        }
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{safe}.mixroom")
}

/// Opens the bundle `file`: its mix replaces the current one (which stays kept), with the
/// lesson beside it when it carries one, or as the student's hand-in. A bundle that cannot be
/// read changes nothing; a lesson or hand-in in it that cannot be read leaves its mix to open
/// on its own, and says why.
pub async fn open_bundle_file(project: Project, file: web_sys::File) {
    let name = file.name();
    let read = match read_bundle(project, &file).await {
        Ok(read) => read,
        Err(e) => {
            return project.notify(Notice::error(
                "bundle",
                format!("“{name}” could not be opened: {e}. Your mix is unchanged."),
            ))
        }
    };
    project.clear_notice("bundle");
    let Read {
        incoming,
        files,
        attached,
    } = read;
    let refused = incoming.refused;
    let not_read = |what: &str, why: String| {
        format!("The {what} in “{name}” could not be read ({why}): its mix opened on its own.")
    };
    let note = match attached {
        Attached::Lesson(Ok(lesson)) => {
            let recording = recording_in(&lesson.lesson, &files);
            let refused = [refused, lesson.refused].concat();
            let opened = project
                .open_lesson(lesson.lesson, refused, Some(files))
                .await;
            if let (true, Some((sha, blob))) = (opened, recording) {
                if let Err(e) = project.keep_recording(&sha, &blob).await {
                    project.notify(Notice::error(
                        "recording",
                        format!(
                            "The lesson's reference recording is not kept in this browser \
                             ({e}): its goal is not measured here."
                        ),
                    ));
                }
            }
            return;
        }
        Attached::Lesson(Err(LessonError::TooNew {
            found,
            start: Some(start),
        })) => {
            project
                .open_lesson_start_only(start.session, start.refused, too_new(found), Some(files))
                .await;
            return;
        }
        Attached::HandIn(Ok(hand_in)) => {
            let refused = [refused, hand_in.refused].concat();
            project
                .open_hand_in(hand_in.hand_in, refused, Some(files))
                .await;
            return;
        }
        Attached::Lesson(Err(e)) => Some(not_read("lesson", e.to_string())),
        Attached::HandIn(Err(e)) => Some(not_read("hand-in", e.to_string())),
        Attached::None => None,
    };
    let title = name.strip_suffix(".mixroom").unwrap_or(&name).to_owned();
    let mix = project.new_tab_mix(title).await;
    project
        .open(
            incoming.session,
            Some(files),
            Opening::Bundle(name.clone()),
            mix,
            refused,
        )
        .await;
    if let Some(note) = note {
        project.notify(Notice::error("bundle-attached", note));
    }
}

/// The SHA-256 and file of `lesson`'s reference recording among a bundle's `files`, when the
/// bundle holds it: to keep in this browser's storage, where the check and Compare find it
/// ([`Project::keep_recording`]).
fn recording_in(lesson: &Lesson, files: &BundleFiles) -> Option<(String, Blob)> {
    let Some(Reference::Recording(Recording::File(source))) = &lesson.reference else {
        return None;
    };
    let sha = source.sha256.clone()?;
    Some((sha, files.get(&source.path)?.clone()))
}

/// The hand-in in the bundle `file` and its audio files, for the class view. The error says
/// why there is none, as a sentence.
pub async fn read_hand_in_bundle(
    project: Project,
    file: &web_sys::File,
) -> Result<(IncomingHandIn, BundleFiles), String> {
    let name = file.name();
    let read = read_bundle(project, file)
        .await
        .map_err(|e| format!("“{name}” could not be read: {e}."))?;
    project.clear_notice("bundle");
    match read.attached {
        Attached::HandIn(Ok(hand_in)) => Ok((hand_in, read.files)),
        Attached::HandIn(Err(e)) => Err(format!("The hand-in in “{name}” is damaged: {e}.")),
        Attached::Lesson(_) => Err(format!("“{name}” holds a lesson, not a hand-in.")),
        Attached::None => Err(format!(
            "“{name}” is a project without a hand-in (a student saves one with “Save hand-in \
             as a project”)."
        )),
    }
}

/// A bundle read: its session, its checked audio files, and the lesson or hand-in it carries.
struct Read {
    incoming: Incoming,
    files: BundleFiles,
    attached: Attached,
}

/// The session, the checked audio files and the lesson or hand-in of the bundle `file`.
async fn read_bundle(project: Project, file: &web_sys::File) -> Result<Read, String> {
    let blob: &Blob = file;
    let what = format!("“{}”", file.name());
    let len = file.size() as u64;
    let failed = |e: BundleError| e.to_string();
    let tail = read_range(blob, len - bundle::tail_len(len)..len, &what).await?;
    let directory = match Directory::from_tail(len, &tail).map_err(failed)? {
        FromTail::Complete(directory) => directory,
        FromTail::NeedRange(pending) => {
            let bytes = read_range(blob, pending.range(), &what).await?;
            pending.parse(&bytes).map_err(failed)?
        }
    };
    let entry = session_entry(&directory).map_err(failed)?;
    let header = read_range(blob, entry.local_header_range(), &what).await?;
    let data = read_range(blob, entry.data_range(&header).map_err(failed)?, &what).await?;
    let incoming = read_session(entry, &data).map_err(failed)?;
    let attached = match attached_entry(&directory).map_err(failed)? {
        None => Attached::None,
        Some(found) => match found.entry() {
            Ok(entry) => {
                let header = read_range(blob, entry.local_header_range(), &what).await?;
                match entry.data_range(&header) {
                    Ok(range) => {
                        let data = read_range(blob, range, &what).await?;
                        read_attached(found.kind(), entry, &data, &incoming.session)
                    }
                    Err(e) => found.kind().unreadable(&e),
                }
            }
            Err(e) => found.kind().unreadable(&e),
        },
    };
    let planned = plan(&directory, &incoming.session).map_err(failed)?;
    let mut planned = planned.files().to_vec();
    // A lesson's reference recording, when the bundle holds it.
    if let Attached::Lesson(Ok(lesson)) = &attached {
        planned.extend(plan_recording(&directory, &lesson.lesson).map_err(failed)?);
    }
    let total: u64 = planned.iter().map(|f| f.entry().compressed_size()).sum();
    let mut done = 0;
    let mut files = BTreeMap::new();
    for file in &planned {
        let header = read_range(blob, file.entry().local_header_range(), &what).await?;
        let range = file.entry().data_range(&header).map_err(failed)?;
        let audio = check_file(blob, file, range.clone(), &what, |bytes| {
            let percent = 100.0 * (done + bytes) as f64 / total.max(1) as f64;
            show_progress(
                project,
                format!("Opening {what}: checking its audio, {percent:.0}%…"),
            );
        })
        .await?;
        done += range.end - range.start;
        files.insert(file.path().to_owned(), audio);
    }
    Ok(Read {
        incoming,
        files,
        attached,
    })
}

/// The audio file `file` of a bundle, at `range` of `blob`, checked against its CRC-32 and
/// SHA-256: a slice of `blob` when stored, unpacked into memory when deflated.
async fn check_file(
    blob: &Blob,
    file: &PlannedFile,
    range: Range<u64>,
    what: &str,
    progress: impl FnMut(u64),
) -> Result<Blob, String> {
    let mut check = file.check();
    let failed = |e: BundleError| e.to_string();
    match file.method() {
        Method::Stored => {
            each_chunk(
                blob,
                range.clone(),
                what,
                |chunk| {
                    check.update(chunk);
                    Ok(())
                },
                progress,
            )
            .await?;
            check.finish().map_err(failed)?;
            blob.slice_with_f64_and_f64(range.start as f64, range.end as f64)
                .map_err(|e| slice_failed(what, &e))
        }
        Method::Deflated => {
            let mut unpacker = file.unpacker().map_err(failed)?;
            let parts = Array::new();
            each_chunk(
                blob,
                range,
                what,
                |chunk| {
                    let mut out = Vec::new();
                    unpacker.feed(chunk, &mut out).map_err(failed)?;
                    check.update(&out);
                    parts.push(&Uint8Array::from(out.as_slice()));
                    Ok(())
                },
                progress,
            )
            .await?;
            unpacker.finish().map_err(failed)?;
            check.finish().map_err(failed)?;
            Blob::new_with_u8_array_sequence(&parts).map_err(|e| slice_failed(what, &e))
        }
    }
}
