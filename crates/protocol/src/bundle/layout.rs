//! Saving a bundle as parts: the mix rewritten to point at its entries, `session.json` (and
//! `lesson.json` or `handin.json`) deflated, and the zip's headers around the audio files,
//! which the caller puts in place itself (a Blob built from parts in the page, the bytes
//! themselves in [`write`]).
//!
//! [`write`]: super::write

use std::collections::BTreeMap;

use super::attached::{Attachment, Contents};
use super::digest::{crc32, Sums};
use super::names::EntryNames;
use super::writer::{NewEntry, ZipParts};
use super::{BundleError, MAX_BUNDLE_BYTES, SESSION_ENTRY};
use crate::lesson::{Lesson, Recording, Reference, MAX_LESSON_BYTES};
use crate::session::{FileSource, Session, Source};

/// Deflate level of `session.json`, `lesson.json` and `handin.json` (zlib's default).
const JSON_LEVEL: u8 = 6;

/// One part of a bundle's bytes, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// These bytes (headers, `session.json`, `lesson.json` or `handin.json`, the directory).
    Bytes(Vec<u8>),
    /// The whole file at this path, as the session given to [`layout`] names it, byte for byte.
    File(String),
}

/// A bundle laid out as parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The session as stored in the bundle: each file source's path is its entry
    /// (`audio/<name>`), and its SHA-256 is filled in.
    pub session: Session,
    /// The lesson or hand-in as stored in the bundle (its starting mix or mix is `session`),
    /// when the bundle carries one ([`layout_contents`]).
    pub attached: Option<Attachment>,
    /// The bundle's bytes: these parts one after the other.
    pub parts: Vec<Part>,
    /// The bundle's length, bytes.
    pub len: u64,
}

/// The bundle of `session` as parts. `files` pairs each file source's path, as `session`
/// names it, with the file's sums ([`Digest`](super::Digest) of its bytes); several tracks
/// may share one. Files whose names collide get distinct entries (`bass.wav`,
/// `bass (2).wav`; compared ignoring case). Files given that no track uses are left out.
///
/// Errors: [`BundleError::MissingAudio`] when a file source's path is not in `files`,
/// [`BundleError::ChecksumMismatch`] when a file's SHA-256 is not the one the session records,
/// [`BundleError::TooLarge`] past [`MAX_BUNDLE_BYTES`], [`BundleError::NameTooLong`] for a
/// file name past [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES).
pub fn layout(session: &Session, files: &[(&str, Sums)]) -> Result<Layout, BundleError> {
    layout_contents(Contents::Mix(session), files)
}

/// The bundle of `contents` as parts: [`layout`] of its mix ([`Contents::mix`]), and the
/// lesson or hand-in in its entry after `session.json` ([`Contents`] says how it is stored).
/// `files` are the mix's files, as for [`layout`]: a reference mix's tracks that play one of
/// them point at its entry too; its other files are left as the lesson names them, and no
/// entry takes the name one of them would have (`bass (2).wav` beside a reference's own
/// `bass.wav`). A reference recording's file, when `files` gives its path too (its sums as a
/// track's), is stored as an entry after the tracks' (or shares the entry of a track that
/// plays the same path), and the stored lesson's recording points at it, its SHA-256 filled
/// in; when `files` does not give it, the recording is left as the lesson names it (its
/// students add the file by hand), and no entry takes its name.
///
/// Errors: those of [`layout`]; [`BundleError::ChecksumMismatch`] also when a reference mix
/// or recording records another SHA-256 for one of the files; [`BundleError::EntryTooLarge`]
/// when the lesson or hand-in is more than [`MAX_LESSON_BYTES`] of JSON (a reader would
/// refuse it).
pub fn layout_contents(
    contents: Contents<'_>,
    files: &[(&str, Sums)],
) -> Result<Layout, BundleError> {
    lay_out(contents, files, ZipParts::new())
}

/// [`layout_contents`] with the zip written by `zip`.
pub(super) fn lay_out(
    contents: Contents<'_>,
    files: &[(&str, Sums)],
    mut zip: ZipParts,
) -> Result<Layout, BundleError> {
    let given: BTreeMap<&str, &Sums> = files.iter().map(|(path, sums)| (*path, sums)).collect();
    let mut stored = contents.mix().clone();
    // Each file once, in the order the tracks first use it.
    let mut entries: Vec<Entry> = Vec::new();
    let mut names = match contents {
        Contents::Lesson(lesson) => EntryNames::for_lesson(lesson),
        Contents::Mix(_) | Contents::HandIn(_) => EntryNames::default(),
    };
    for track in &mut stored.tracks {
        let Source::File(file) = &mut track.source else {
            continue;
        };
        let position = match entries.iter().position(|e| e.source_path == file.path) {
            Some(position) => position,
            None => {
                let sums =
                    *given
                        .get(file.path.as_str())
                        .ok_or_else(|| BundleError::MissingAudio {
                            path: file.path.clone(),
                        })?;
                entries.push(Entry {
                    source_path: file.path.clone(),
                    name: names.name(file),
                    sums,
                });
                entries.len() - 1
            }
        };
        point_at(file, &entries[position])?;
    }
    if let Some(file) = recording_file(contents) {
        let shared = entries.iter().any(|e| e.source_path == file.path);
        if let (false, Some(sums)) = (shared, given.get(file.path.as_str())) {
            entries.push(Entry {
                source_path: file.path.clone(),
                name: names.name(file),
                sums,
            });
        }
    }
    let attached = attachment(contents, &stored, &entries)?;

    let mut parts = Parts::default();
    let json = stored.to_json();
    parts.deflated(&mut zip, SESSION_ENTRY, &json)?;
    if let Some(attached) = &attached {
        let json = attached.to_json();
        let entry = attached.kind().entry_name();
        if json.len() > MAX_LESSON_BYTES {
            return Err(BundleError::EntryTooLarge {
                entry: entry.to_owned(),
                max_bytes: MAX_LESSON_BYTES as u64,
            });
        }
        parts.deflated(&mut zip, entry, &json)?;
    }
    for entry in &entries {
        let header = NewEntry::stored(&entry.name, entry.sums.len, entry.sums.crc32);
        parts.bytes(zip.entry(&header)?);
        parts.0.push(Part::File(entry.source_path.clone()));
        if zip.offset() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
    }
    let directory_offset = zip.offset();
    let directory = zip.finish();
    let len = directory_offset + directory.len() as u64;
    parts.bytes(directory);
    if len > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    Ok(Layout {
        session: stored,
        attached,
        parts: parts.0,
        len,
    })
}

/// The lesson or hand-in of `contents` as stored beside `stored`, its mix as stored, whose
/// files are `entries`.
fn attachment(
    contents: Contents<'_>,
    stored: &Session,
    entries: &[Entry],
) -> Result<Option<Attachment>, BundleError> {
    Ok(match contents {
        Contents::Mix(_) => None,
        Contents::Lesson(lesson) => {
            let mut lesson = lesson.clone();
            lesson.start = stored.clone();
            if let Some(Reference::Mix(reference)) = &mut lesson.reference {
                for track in &mut reference.tracks {
                    if let Source::File(file) = &mut track.source {
                        if let Some(entry) = entry_of(entries, &file.path) {
                            point_at(file, entry)?;
                        }
                    }
                }
            }
            if let Some(Reference::Recording(Recording::File(file))) = &mut lesson.reference {
                if let Some(entry) = entry_of(entries, &file.path) {
                    point_at(file, entry)?;
                }
            }
            Some(Attachment::Lesson(lesson))
        }
        Contents::HandIn(hand_in) => {
            let mut hand_in = hand_in.clone();
            hand_in.mix = stored.clone();
            Some(Attachment::HandIn(hand_in))
        }
    })
}

/// The file of the reference recording of the lesson in `contents`, when it is one.
pub(super) fn recording_file<'a>(contents: Contents<'a>) -> Option<&'a FileSource> {
    match contents {
        Contents::Lesson(Lesson {
            reference: Some(Reference::Recording(Recording::File(file))),
            ..
        }) => Some(file),
        _ => None,
    }
}

/// The entry of the file the caller named `path`, if it is one of `entries`.
fn entry_of<'e, 'a>(entries: &'e [Entry<'a>], path: &str) -> Option<&'e Entry<'a>> {
    entries.iter().find(|entry| entry.source_path == path)
}

/// Points `file` at `entry`, its SHA-256 filled in.
///
/// Errors: [`BundleError::ChecksumMismatch`] when `file` records another SHA-256.
fn point_at(file: &mut FileSource, entry: &Entry) -> Result<(), BundleError> {
    if let Some(expected) = &file.sha256 {
        if !expected.eq_ignore_ascii_case(&entry.sums.sha256) {
            return Err(BundleError::ChecksumMismatch {
                path: file.path.clone(),
            });
        }
    }
    *file = FileSource {
        path: entry.name.clone(),
        sha256: Some(entry.sums.sha256.clone()),
    };
    Ok(())
}

/// Parts being laid out; bytes that follow bytes join them in one part.
#[derive(Default)]
struct Parts(Vec<Part>);

impl Parts {
    /// Appends `bytes`.
    fn bytes(&mut self, bytes: Vec<u8>) {
        match self.0.last_mut() {
            Some(Part::Bytes(last)) => last.extend(bytes),
            _ => self.0.push(Part::Bytes(bytes)),
        }
    }

    /// Appends the entry `name` holding `json`, deflated.
    fn deflated(&mut self, zip: &mut ZipParts, name: &str, json: &str) -> Result<(), BundleError> {
        let deflated = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), JSON_LEVEL);
        self.bytes(zip.entry(&NewEntry::deflated(
            name,
            deflated.len() as u64,
            json.len() as u64,
            crc32(json.as_bytes()),
        ))?);
        self.bytes(deflated);
        Ok(())
    }
}

/// One audio file of a bundle being laid out.
struct Entry<'a> {
    /// The path the session gave.
    source_path: String,
    /// Its entry, `audio/<name>`.
    name: String,
    /// Its length and sums.
    sums: &'a Sums,
}
