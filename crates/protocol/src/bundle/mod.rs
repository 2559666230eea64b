//! The project bundle (`.mixroom`): a zip archive that moves a whole project between computers.
//!
//! | entry | what | compression |
//! |---|---|---|
//! | `session.json` | the session ([`Session::to_json`]), each file source pointing at its entry | deflate |
//! | `lesson.json` (or none) | a lesson whose starting mix is the session, as stored in `session.json` ([`Lesson::to_json`](crate::lesson::Lesson::to_json)); a reference mix's file sources that play the bundle's files, and a reference recording's file when the bundle holds it, point at their entries | deflate |
//! | `handin.json` (or none) | a student's hand-in whose mix is the session, as stored in `session.json` ([`HandIn::to_json`](crate::lesson::HandIn::to_json)) | deflate |
//! | `audio/<name>` | each audio file (the mix's, and a lesson's reference recording) in its original encoding, byte for byte | stored |
//!
//! A bundle holds at most one of `lesson.json` and `handin.json`
//! ([`BundleError::LessonAndHandIn`]); the entry is the whole lesson or hand-in, so any zip
//! tool shows it complete, but a reader takes its mix from `session.json` ([`read_attached`]).
//!
//! Reading accepts stored and deflated entries (what any zip tool writes by default), Zip64
//! archives (over 4 GiB) and a comment at the end; it applies the session's migrations
//! ([`Session::from_json`]) and checks every audio file against its CRC-32 and its SHA-256.
//! Other entries are ignored. A bundle may hold up to [`MAX_BUNDLE_BYTES`]; `session.json` up
//! to [`MAX_SESSION_BYTES`], `lesson.json` or `handin.json` up to [`MAX_LESSON_BYTES`], a
//! deflated audio file up to [`MAX_DEFLATED_AUDIO_BYTES`] (it is unpacked in memory to be
//! decoded; stored files are not). A lesson or hand-in that cannot be opened never keeps the
//! mix from opening: the bundle opens and [`Attached`] says why.
//!
//! Nothing here does I/O: every step works on bytes the caller has read, so a bundle of many
//! gigabytes is never in memory whole. The page reads a `File` by slices:
//!
//! 1. the last [`tail_len`] bytes → [`Directory::from_tail`]; when it gives
//!    [`FromTail::NeedRange`], the bytes of [`DirectoryRange::range`] →
//!    [`DirectoryRange::parse`];
//! 2. [`session_entry`] → the bytes of [`Entry::local_header_range`] → [`Entry::data_range`]
//!    → those bytes → [`read_session`];
//! 3. [`attached_entry`]; when it finds one, [`AttachedEntry::entry`] → its local header → its
//!    data → [`read_attached`] with the session, or, when a step fails,
//!    [`AttachedKind::unreadable`];
//! 4. [`plan`] → for each [`PlannedFile`], its local header → its data range: stored, that
//!    slice is the file (fed in chunks to [`PlannedFile::check`]); deflated, the chunks go
//!    through [`PlannedFile::unpacker`] and what comes out through the check; with a lesson,
//!    [`plan_recording`] gives its reference recording's file the same way, when the bundle
//!    holds it (a lesson may leave it out: its students add it by hand).
//!
//! Saving: the [`Digest`] of each file, fed in chunks → [`layout`] (or [`layout_contents`],
//! with a lesson or hand-in) → its [`Part`]s, one after the other (a Blob of the header bytes
//! and the `File`s themselves). [`ZipParts`], the zip writer under it, writes any zip the same
//! way (the stems export). [`read`] and [`write()`] do all this on bytes in memory.
//!
//! [`MAX_LESSON_BYTES`]: crate::lesson::MAX_LESSON_BYTES

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use crate::session::{Session, SessionError, Source};
use crate::validate::{Incoming, Refusal};

mod attached;
#[cfg(test)]
mod attached_tests;
mod digest;
mod directory;
mod format;
#[cfg(test)]
mod interop;
mod layout;
mod local;
mod names;
mod plan;
mod unpack;
mod writer;

pub use attached::{
    attached_entry, read_attached, Attached, AttachedEntry, AttachedKind, Attachment, Contents,
};
pub use digest::{crc32, Check, Digest, Sums};
pub use directory::{
    tail_len, Directory, DirectoryRange, Entry, FromTail, Method, MAX_DIRECTORY_BYTES, MAX_ENTRIES,
    MAX_NAME_BYTES,
};
pub use format::LOCAL_HEADER_LEN;
pub use layout::{layout, layout_contents, Layout, Part};
pub(crate) use names::EntryNames;
pub use plan::{plan, plan_recording, read_session, session_entry, Plan, PlannedFile};
pub use unpack::Unpacker;
pub use writer::{NewEntry, ZipParts};

/// Name of the session entry.
pub const SESSION_ENTRY: &str = "session.json";

/// Name of the lesson entry, in a bundle that carries a lesson.
pub const LESSON_ENTRY: &str = "lesson.json";

/// Name of the hand-in entry, in a bundle that carries a student's hand-in.
pub const HANDIN_ENTRY: &str = "handin.json";

/// Folder of the audio entries.
pub const AUDIO_FOLDER: &str = "audio/";

/// Most bytes a bundle may hold, and its files unpack to together: 64 GiB.
pub const MAX_BUNDLE_BYTES: u64 = 64 << 30;

/// Most bytes `session.json` may unpack to: 16 MiB (a full 256-track session is under 4 MiB).
pub const MAX_SESSION_BYTES: u64 = 16 << 20;

/// Most bytes a deflated audio file may unpack to: 1 GiB (it is unpacked in memory to be
/// decoded; a stored one is handed on as a slice of the bundle).
pub const MAX_DEFLATED_AUDIO_BYTES: u64 = 1 << 30;

/// A project read from a bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// The session, migrated to the current version; its file sources' paths are keys of
    /// `files`.
    pub session: Session,
    /// The audio files the session refers to, and the lesson's reference recording when the
    /// bundle holds it ([`plan_recording`]): entry path (`audio/<name>`) → the file's bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The fields of the session that were refused ([`crate::validate`]).
    pub refused: Vec<Refusal>,
    /// The lesson or hand-in the bundle carries (its starting mix or mix is `session`), or
    /// why it cannot be opened; [`Attached::None`] for a plain bundle.
    pub attached: Attached,
}

/// A bundle as written, and the session inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The `.mixroom` file's bytes.
    pub bytes: Vec<u8>,
    /// The session as stored in the bundle: each file source's path is its entry
    /// (`audio/<name>`), and its SHA-256 is filled in when it was missing.
    pub session: Session,
    /// The lesson or hand-in as stored in the bundle (its starting mix or mix is `session`),
    /// when it carries one ([`write_contents`]).
    pub attached: Option<Attachment>,
}

/// Why a bundle (or a zip) could not be written or read. `Display` is for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum BundleError {
    /// Not a zip archive, or its directory is damaged.
    NotABundle,
    /// The archive has no `session.json`.
    NoSession,
    /// A file the session refers to is not in the bundle (or, when writing, was not given).
    MissingAudio {
        /// The file's path as the session names it.
        path: String,
    },
    /// An audio file's bytes do not have the SHA-256 the session records.
    ChecksumMismatch {
        /// The file's path as the session names it.
        path: String,
    },
    /// An entry cannot be unpacked: its header, its data or its CRC-32 is wrong, or it
    /// reaches past its place in the file.
    DamagedEntry {
        /// The entry's name.
        entry: String,
    },
    /// An entry is compressed or encrypted in a way Mixroom does not read.
    Unsupported {
        /// The entry's name.
        entry: String,
    },
    /// The bundle holds both a lesson ([`LESSON_ENTRY`]) and a hand-in ([`HANDIN_ENTRY`]).
    LessonAndHandIn,
    /// The bundle holds more than [`MAX_BUNDLE_BYTES`].
    TooLarge,
    /// An entry unpacks to more than Mixroom unpacks of it ([`MAX_SESSION_BYTES`] for the
    /// session, [`MAX_LESSON_BYTES`] for a lesson or hand-in, [`MAX_DEFLATED_AUDIO_BYTES`] for
    /// a deflated audio file).
    ///
    /// [`MAX_LESSON_BYTES`]: crate::lesson::MAX_LESSON_BYTES
    EntryTooLarge {
        /// The entry's name.
        entry: String,
        /// The most it may unpack to, bytes.
        max_bytes: u64,
    },
    /// An entry's name is longer than [`MAX_NAME_BYTES`].
    NameTooLong {
        /// The name.
        entry: String,
    },
    /// Two entries have the same name.
    DuplicateName {
        /// The name.
        entry: String,
    },
    /// The session inside is refused.
    Refused(SessionError),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::NotABundle => write!(
                f,
                "this file is not a Mixroom project (.mixroom), or it is damaged"
            ),
            BundleError::NoSession => write!(
                f,
                "this project file has no session inside ({SESSION_ENTRY} is missing)"
            ),
            BundleError::MissingAudio { path } => {
                write!(f, "the audio file \"{path}\" is missing from the project")
            }
            BundleError::ChecksumMismatch { path } => write!(
                f,
                "the audio file \"{path}\" in the project does not match its checksum: it was \
                 changed or damaged"
            ),
            BundleError::DamagedEntry { entry } => {
                write!(f, "\"{entry}\" in this project file is damaged")
            }
            BundleError::Unsupported { entry } => write!(
                f,
                "\"{entry}\" in this project file is compressed or encrypted in a way Mixroom \
                 cannot read"
            ),
            BundleError::LessonAndHandIn => write!(
                f,
                "this project file holds both a lesson ({LESSON_ENTRY}) and a hand-in \
                 ({HANDIN_ENTRY}); a project carries one or the other"
            ),
            BundleError::TooLarge => write!(
                f,
                "this project file holds more than Mixroom accepts ({} in all)",
                size_text(MAX_BUNDLE_BYTES)
            ),
            BundleError::EntryTooLarge { entry, max_bytes } => write!(
                f,
                "\"{entry}\" in this project file unpacks to more than Mixroom accepts ({})",
                size_text(*max_bytes)
            ),
            BundleError::NameTooLong { entry } => write!(
                f,
                "the name \"{}\" is too long for a project or zip file (at most {MAX_NAME_BYTES} \
                 bytes)",
                shortened(entry)
            ),
            BundleError::DuplicateName { entry } => write!(
                f,
                "two files in this project or zip file have the name \"{entry}\""
            ),
            BundleError::Refused(why) => {
                write!(f, "the session in this project cannot be opened: {why}")
            }
        }
    }
}

impl std::error::Error for BundleError {}

/// `bytes` in the largest binary unit that divides it ("64 GiB", "16 MiB", "100 bytes").
fn size_text(bytes: u64) -> String {
    match bytes {
        0 => "0 bytes".to_owned(),
        b if b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// `name`, cut to its first 40 characters and "…" when longer.
fn shortened(name: &str) -> String {
    match name.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name.to_owned(),
    }
}

/// A bundle of `session` and its audio. `files` pairs each file source's path, as `session`
/// names it, with the file's bytes; several tracks may share one. Files whose names collide
/// get distinct entries (`bass.wav`, `bass (2).wav`; compared ignoring case). Files given
/// that no track uses are left out. The same bundle as [`layout`] lays out, in memory.
///
/// Errors: those of [`layout`].
pub fn write(session: &Session, files: &[(&str, &[u8])]) -> Result<Written, BundleError> {
    write_contents(Contents::Mix(session), files)
}

/// A bundle of `contents`: [`write()`] of its mix ([`Contents::mix`]), with the lesson or
/// hand-in beside it, and a lesson's reference recording when `files` gives its file
/// ([`layout_contents`]). The same bundle as [`layout_contents`] lays out, in memory.
///
/// Errors: those of [`layout_contents`].
pub fn write_contents(
    contents: Contents<'_>,
    files: &[(&str, &[u8])],
) -> Result<Written, BundleError> {
    let given: BTreeMap<&str, &[u8]> = files.iter().copied().collect();
    let used: BTreeSet<&str> = contents
        .mix()
        .tracks
        .iter()
        .filter_map(|track| match &track.source {
            Source::File(file) => Some(file.path.as_str()),
            _ => None,
        })
        .chain(layout::recording_file(contents).map(|file| file.path.as_str()))
        .collect();
    let sums: Vec<(&str, Sums)> = given
        .iter()
        .filter(|(path, _)| used.contains(*path))
        .map(|(path, bytes)| {
            let mut digest = Digest::new();
            digest.update(bytes);
            (*path, digest.finish())
        })
        .collect();
    let laid_out = layout_contents(contents, &sums)?;
    Ok(Written {
        bytes: concatenate(&laid_out, &given)?,
        session: laid_out.session,
        attached: laid_out.attached,
    })
}

/// The bytes of `laid_out`, its files taken from `given`.
fn concatenate(laid_out: &Layout, given: &BTreeMap<&str, &[u8]>) -> Result<Vec<u8>, BundleError> {
    let capacity = usize::try_from(laid_out.len).map_err(|_| BundleError::TooLarge)?;
    let mut bytes = Vec::with_capacity(capacity);
    for part in &laid_out.parts {
        match part {
            Part::Bytes(part) => bytes.extend_from_slice(part),
            Part::File(path) => bytes.extend_from_slice(
                given
                    .get(path.as_str())
                    .ok_or_else(|| BundleError::MissingAudio { path: path.clone() })?,
            ),
        }
    }
    Ok(bytes)
}

/// The project in the `.mixroom` file `bytes`, read by the same steps as from slices (see the
/// module's documentation). Every file is checked against its CRC-32 and SHA-256, the lesson's
/// reference recording too: a damaged one is an error, as a damaged track file is.
pub fn read(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let file_len = bytes.len() as u64;
    let at = |range: Range<u64>| -> Result<&[u8], BundleError> {
        let start = usize::try_from(range.start).map_err(|_| BundleError::NotABundle)?;
        let end = usize::try_from(range.end).map_err(|_| BundleError::NotABundle)?;
        bytes.get(start..end).ok_or(BundleError::NotABundle)
    };
    let data = |entry: &Entry| at(entry.data_range(at(entry.local_header_range())?)?);

    let tail = at(file_len - tail_len(file_len)..file_len)?;
    let directory = match Directory::from_tail(file_len, tail)? {
        FromTail::Complete(directory) => directory,
        FromTail::NeedRange(pending) => {
            let range = at(pending.range())?;
            pending.parse(range)?
        }
    };
    let entry = session_entry(&directory)?;
    let Incoming { session, refused } = read_session(entry, data(entry)?)?;
    let attached = match attached_entry(&directory)? {
        None => Attached::None,
        Some(found) => match found.entry().and_then(|entry| Ok((entry, data(entry)?))) {
            Ok((entry, bytes)) => read_attached(found.kind(), entry, bytes, &session),
            Err(why) => found.kind().unreadable(&why),
        },
    };

    let mut files = BTreeMap::new();
    for file in plan(&directory, &session)?.files() {
        let bytes = file.unpacker()?.whole(data(file.entry())?)?;
        let mut check = file.check();
        check.update(&bytes);
        check.finish()?;
        files.insert(file.path().to_owned(), bytes);
    }
    if let Attached::Lesson(Ok(incoming)) = &attached {
        if let Some(file) = plan_recording(&directory, &incoming.lesson)? {
            let bytes = match files.get(file.path()) {
                Some(bytes) => bytes.clone(),
                None => file.unpacker()?.whole(data(file.entry())?)?,
            };
            let mut check = file.check();
            check.update(&bytes);
            check.finish()?;
            files.insert(file.path().to_owned(), bytes);
        }
    }
    Ok(Bundle {
        session,
        files,
        refused,
        attached,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use zip::{CompressionMethod, ZipArchive};

    use super::format::{CENTRAL_HEADER_LEN, CENTRAL_HEADER_SIGNATURE, LOCAL_HEADER_SIGNATURE};
    use super::interop::zip_of;
    use super::layout::lay_out;
    use super::names::unique_entry;
    use super::*;
    use crate::hash::sha256_hex;
    use crate::session::{benchmark, FileSource};

    const BASS: &[u8] = b"RIFF fake wav bytes \x00\x01\x02\xff";
    const GUITAR: &[u8] = b"fLaC fake flac bytes, not compressible twice";

    /// Three tracks on two files (two tracks share the bass), plus a demo stem.
    fn project() -> Session {
        let mut session = benchmark(4, false);
        let file = |path: &str| {
            Source::File(FileSource {
                path: path.into(),
                sha256: None,
            })
        };
        session.tracks[0].source = file("/home/me/stems/bass.wav");
        session.tracks[1].source = file("/home/me/stems/bass.wav");
        session.tracks[2].source = file("D:\\takes\\gtr.flac");
        session.tracks[3].source = Source::Demo("kick".into());
        session
    }

    fn files() -> Vec<(&'static str, &'static [u8])> {
        vec![
            ("/home/me/stems/bass.wav", BASS),
            ("D:\\takes\\gtr.flac", GUITAR),
            ("unused.wav", b"not in any track"),
        ]
    }

    fn sums(bytes: &[u8]) -> Sums {
        let mut digest = Digest::new();
        digest.update(bytes);
        digest.finish()
    }

    /// Offsets of every `magic` record in `zip`.
    fn records(zip: &[u8], magic: u32) -> Vec<usize> {
        let magic = magic.to_le_bytes();
        (0..zip.len() - 3)
            .filter(|&i| zip[i..i + 4] == magic)
            .collect()
    }

    #[test]
    fn write_then_read_gives_the_project_back_byte_for_byte() {
        // Reference: the bytes given to `write` and `Written::session`.
        let written = write(&project(), &files()).unwrap();
        let bundle = read(&written.bytes).unwrap();
        assert_eq!(bundle.session, written.session);
        let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
        assert_eq!(paths, ["audio/bass.wav", "audio/gtr.flac"]);
        assert_eq!(bundle.files["audio/bass.wav"], BASS);
        assert_eq!(bundle.files["audio/gtr.flac"], GUITAR);
        let tracks = &bundle.session.tracks;
        assert_eq!(
            tracks[0].source, tracks[1].source,
            "one entry for a shared file"
        );
        let Source::File(bass) = &tracks[0].source else {
            panic!("a file source")
        };
        assert_eq!(bass.sha256.as_deref(), Some(sha256_hex(BASS).as_str()));
        assert_eq!(tracks[3].source, Source::Demo("kick".into()));
        assert_eq!(tracks[0].strip, project().tracks[0].strip);

        let mut archive = ZipArchive::new(std::io::Cursor::new(&written.bytes[..])).unwrap();
        let audio = archive.by_name("audio/gtr.flac").unwrap();
        assert_eq!(audio.compression(), CompressionMethod::Stored);
        assert_eq!(audio.compressed_size(), GUITAR.len() as u64);
        drop(audio);
        let session = archive.by_name(SESSION_ENTRY).unwrap();
        assert_eq!(session.compression(), CompressionMethod::Deflated);
        drop(session);
        let names: Vec<&str> = archive.file_names().collect();
        assert_eq!(names.len(), 3, "the unused file is left out: {names:?}");
    }

    #[test]
    fn a_bundle_laid_out_in_parts_is_the_written_bundle() {
        // Reference: `write`, which concatenates the same parts with the files' bytes.
        let given: Vec<(&str, Sums)> = files().iter().map(|(p, b)| (*p, sums(b))).collect();
        let laid_out = layout(&project(), &given).unwrap();
        let written = write(&project(), &files()).unwrap();
        assert_eq!(laid_out.session, written.session);
        assert_eq!(laid_out.len, written.bytes.len() as u64);
        let kinds: Vec<String> = laid_out
            .parts
            .iter()
            .map(|part| match part {
                Part::Bytes(_) => "bytes".to_owned(),
                Part::File(path) => path.clone(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "bytes",
                "/home/me/stems/bass.wav",
                "bytes",
                "D:\\takes\\gtr.flac",
                "bytes"
            ]
        );
        let mut bytes = Vec::new();
        for part in &laid_out.parts {
            match part {
                Part::Bytes(b) => bytes.extend_from_slice(b),
                Part::File(path) => {
                    let (_, file) = files().into_iter().find(|(p, _)| p == path).unwrap();
                    bytes.extend_from_slice(file);
                }
            }
        }
        assert_eq!(bytes, written.bytes);
    }

    /// A bundle file read by slices, as the page reads a `File`: every range read is recorded.
    struct Slices<'a> {
        bytes: &'a [u8],
        read: Vec<Range<u64>>,
    }

    impl Slices<'_> {
        fn slice(&mut self, range: Range<u64>) -> &[u8] {
            self.read.push(range.clone());
            &self.bytes[range.start as usize..range.end as usize]
        }
    }

    /// The project in `bundle`, read step by step from slices, audio in chunks of `chunk`
    /// bytes; and the ranges read.
    pub(super) fn read_by_slices(bundle: &[u8], chunk: usize) -> (Bundle, Vec<Range<u64>>) {
        let mut file = Slices {
            bytes: bundle,
            read: Vec::new(),
        };
        let len = bundle.len() as u64;
        let tail = file.slice(len - tail_len(len)..len).to_vec();
        let directory = match Directory::from_tail(len, &tail).unwrap() {
            FromTail::Complete(directory) => directory,
            FromTail::NeedRange(pending) => {
                let bytes = file.slice(pending.range()).to_vec();
                pending.parse(&bytes).unwrap()
            }
        };
        let entry = session_entry(&directory).unwrap();
        let header = file.slice(entry.local_header_range()).to_vec();
        let data = file.slice(entry.data_range(&header).unwrap());
        let Incoming { session, refused } = read_session(entry, data).unwrap();
        let attached = match attached_entry(&directory).unwrap() {
            None => Attached::None,
            Some(found) => {
                let entry = found.entry().unwrap();
                let header = file.slice(entry.local_header_range()).to_vec();
                let data = file.slice(entry.data_range(&header).unwrap());
                read_attached(found.kind(), entry, data, &session)
            }
        };
        let mut files = BTreeMap::new();
        let mut planned_files = plan(&directory, &session).unwrap().files().to_vec();
        if let Attached::Lesson(Ok(incoming)) = &attached {
            planned_files.extend(plan_recording(&directory, &incoming.lesson).unwrap());
        }
        for planned in &planned_files {
            let entry = planned.entry();
            let header = file.slice(entry.local_header_range()).to_vec();
            let range = entry.data_range(&header).unwrap();
            let mut check = planned.check();
            let mut unpacker = planned.unpacker().unwrap();
            let mut bytes = Vec::new();
            let mut at = range.start;
            while at < range.end {
                let next = (at + chunk as u64).min(range.end);
                let piece = file.slice(at..next);
                match planned.method() {
                    Method::Stored => {
                        check.update(piece);
                        bytes.extend_from_slice(piece);
                    }
                    Method::Deflated => {
                        let mut out = Vec::new();
                        unpacker.feed(piece, &mut out).unwrap();
                        check.update(&out);
                        bytes.extend(out);
                    }
                }
                at = next;
            }
            if planned.method() == Method::Deflated {
                unpacker.finish().unwrap();
            }
            assert_eq!(
                planned.sha256(),
                check.finish().ok().map(|s| s.sha256).as_deref()
            );
            files.insert(planned.path().to_owned(), bytes);
        }
        (
            Bundle {
                session,
                files,
                refused,
                attached,
            },
            file.read,
        )
    }

    #[test]
    fn reading_by_slices_gives_what_read_gives() {
        // Reference: `read`, the same steps on the whole file in memory.
        let written = write(&project(), &files()).unwrap();
        let (bundle, ranges) = read_by_slices(&written.bytes, 7);
        assert_eq!(bundle, read(&written.bytes).unwrap());
        // The file is short, so the tail is all of it; then the session's local header and
        // data, and each audio file's local header and its data 7 bytes at a time.
        let len = written.bytes.len() as u64;
        assert_eq!(ranges[0], 0..len);
        let chunks = BASS.len().div_ceil(7) + GUITAR.len().div_ceil(7);
        assert_eq!(ranges.len(), 3 + 2 + chunks);
        assert!(ranges[3..]
            .iter()
            .all(|r| r.end - r.start <= LOCAL_HEADER_LEN));

        // Deflated audio (what some zip tools write), read the same way.
        let deflated = CompressionMethod::Deflated;
        let zip = zip_of(&[
            (
                SESSION_ENTRY,
                written.session.to_json().as_bytes(),
                deflated,
            ),
            ("audio/bass.wav", BASS, deflated),
            ("audio/gtr.flac", GUITAR, deflated),
        ]);
        let (bundle, _) = read_by_slices(&zip, 5);
        assert_eq!(bundle, read(&zip).unwrap());
        assert_eq!(bundle.files["audio/gtr.flac"], GUITAR);
    }

    #[test]
    fn a_long_directory_is_read_in_a_second_step() {
        // Reference: 300 other entries of 250-byte names: a 89 KB directory, past the tail.
        let written = write(&project(), &files()).unwrap();
        let bundle = read(&written.bytes).unwrap();
        let mut parts = ZipParts::new();
        let mut zip = Vec::new();
        let json = written.session.to_json();
        let mut add = |name: &str, bytes: &[u8]| {
            let entry = NewEntry::stored(name, bytes.len() as u64, crc32(bytes));
            zip.extend(parts.entry(&entry).unwrap());
            zip.extend_from_slice(bytes);
        };
        add(SESSION_ENTRY, json.as_bytes());
        for (name, bytes) in &bundle.files {
            add(name, bytes);
        }
        for i in 0..300 {
            add(&format!("other/{i:0>250}"), b"");
        }
        zip.extend(parts.finish());
        let len = zip.len() as u64;
        let tail = &zip[(len - tail_len(len)) as usize..];
        assert!(matches!(
            Directory::from_tail(len, tail),
            Ok(FromTail::NeedRange(_))
        ));
        assert_eq!(read(&zip).unwrap(), bundle);
        assert_eq!(read_by_slices(&zip, 1000).0, bundle);
    }

    #[test]
    fn zip64_bundles_open() {
        // Reference: the plain bundle's project; every size and offset in Zip64 fields.
        let given: Vec<(&str, Sums)> = files().iter().map(|(p, b)| (*p, sums(b))).collect();
        let laid_out = lay_out(
            Contents::Mix(&project()),
            &given,
            ZipParts::with_zip64_from(0),
        )
        .unwrap();
        let map: BTreeMap<&str, &[u8]> = files().into_iter().collect();
        let bytes = concatenate(&laid_out, &map).unwrap();
        assert!(
            !records(&bytes, 0x0606_4b50).is_empty(),
            "a Zip64 end record"
        );
        let written = write(&project(), &files()).unwrap();
        assert_eq!(read(&bytes).unwrap(), read(&written.bytes).unwrap());
    }

    #[test]
    fn colliding_names_get_distinct_entries() {
        // Reference: the rule on `write`: "bass.wav", "bass (2).wav", case ignored.
        let mut session = project();
        session.tracks[1].source = Source::File(FileSource {
            path: "other/BASS.wav".into(),
            sha256: None,
        });
        let mut given = files();
        given.push(("other/BASS.wav", GUITAR));
        let bundle = read(&write(&session, &given).unwrap().bytes).unwrap();
        let paths: Vec<&str> = bundle.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            ["audio/BASS (2).wav", "audio/bass.wav", "audio/gtr.flac"]
        );
        assert_eq!(bundle.files["audio/BASS (2).wav"], GUITAR);
        let mut taken = BTreeSet::new();
        let names: Vec<String> = ["a", "a", ".wav", "", ".."]
            .iter()
            .map(|n| unique_entry(n, &mut taken))
            .collect();
        assert_eq!(
            names,
            [
                "audio/a",
                "audio/a (2)",
                "audio/.wav",
                "audio/audio",
                "audio/audio (2)"
            ]
        );
    }

    #[test]
    fn a_version_1_session_inside_migrates() {
        // Reference: migrate.rs (version 1 named a file by a bare path).
        let v1 = r#"{ "version": 1,
            "tracks": [ { "name": "Bass", "source": { "file": "audio/bass.wav" },
                          "params": { "gain_db": -6.0 } } ] }"#;
        let zip = zip_of(&[
            (SESSION_ENTRY, v1.as_bytes(), CompressionMethod::Deflated),
            ("audio/bass.wav", BASS, CompressionMethod::Deflated),
        ]);
        let bundle = read(&zip).unwrap();
        assert_eq!(bundle.session.version, 2);
        assert_eq!(bundle.session.tracks[0].source_name(), "bass.wav");
        assert_eq!(bundle.files["audio/bass.wav"], BASS);
    }

    #[test]
    fn each_problem_gets_its_error() {
        // Reference: the BundleError variants.
        let session_json = |s: &Session| s.to_json().into_bytes();
        let deflated = CompressionMethod::Deflated;
        let written = write(&project(), &files()).unwrap();

        assert_eq!(read(b""), Err(BundleError::NotABundle));
        assert_eq!(read(b"PK\x03\x04 not really"), Err(BundleError::NotABundle));
        assert_eq!(
            read(&written.bytes[..written.bytes.len() / 2]),
            Err(BundleError::NotABundle)
        );

        let no_session = zip_of(&[("audio/bass.wav", BASS, deflated)]);
        assert_eq!(read(&no_session), Err(BundleError::NoSession));

        let without_audio = zip_of(&[(SESSION_ENTRY, &session_json(&written.session), deflated)]);
        let missing = BundleError::MissingAudio {
            path: "audio/bass.wav".into(),
        };
        assert_eq!(read(&without_audio), Err(missing));

        let mut swapped = written.session.clone();
        swapped.tracks.truncate(1);
        let swapped = zip_of(&[
            (SESSION_ENTRY, &session_json(&swapped), deflated),
            ("audio/bass.wav", GUITAR, CompressionMethod::Stored),
        ]);
        let mismatch = BundleError::ChecksumMismatch {
            path: "audio/bass.wav".into(),
        };
        assert_eq!(read(&swapped), Err(mismatch.clone()));

        let mut damaged = written.bytes.clone();
        let at = damaged.windows(BASS.len()).position(|w| w == BASS).unwrap();
        damaged[at] ^= 1;
        let damaged_entry = BundleError::DamagedEntry {
            entry: "audio/bass.wav".into(),
        };
        assert_eq!(read(&damaged), Err(damaged_entry), "CRC-32 catches it");

        let refused = zip_of(&[(SESSION_ENTRY, br#"{"version": 7, "tracks": []}"#, deflated)]);
        let too_new = BundleError::Refused(SessionError::TooNew { found: 7 });
        assert_eq!(read(&refused), Err(too_new));
        let not_text = zip_of(&[(SESSION_ENTRY, b"\xff\xfe", deflated)]);
        assert!(matches!(
            read(&not_text),
            Err(BundleError::Refused(SessionError::Malformed(_)))
        ));

        // Sizes declared in the central directory (uncompressed size: offset 24 of each
        // header), as a zip bomb would declare them.
        let declare = |zip: &mut Vec<u8>, size: u32| {
            for at in records(zip, CENTRAL_HEADER_SIGNATURE) {
                zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            }
        };
        let stored = CompressionMethod::Stored;
        let mut long_session = zip_of(&[(SESSION_ENTRY, b"{}", deflated)]);
        declare(&mut long_session, MAX_SESSION_BYTES as u32 + 1);
        let too_long = BundleError::EntryTooLarge {
            entry: SESSION_ENTRY.into(),
            max_bytes: MAX_SESSION_BYTES,
        };
        assert_eq!(read(&long_session), Err(too_long));
        let mut short_session = zip_of(&[(SESSION_ENTRY, b"{}", stored)]);
        declare(&mut short_session, 1);
        let damaged_session = BundleError::DamagedEntry {
            entry: SESSION_ENTRY.into(),
        };
        assert_eq!(
            read(&short_session),
            Err(damaged_session.clone()),
            "a size that lies"
        );
        let mut short_deflated = zip_of(&[(SESSION_ENTRY, b"{}", deflated)]);
        declare(&mut short_deflated, 1);
        assert_eq!(read(&short_deflated), Err(damaged_session));

        // Compression method 12 (bzip2), in the local (offset 8) and central (offset 10) headers.
        let mut bzip2 = zip_of(&[(SESSION_ENTRY, b"{}", stored)]);
        let (local, central) = (
            records(&bzip2, LOCAL_HEADER_SIGNATURE)[0],
            records(&bzip2, CENTRAL_HEADER_SIGNATURE)[0],
        );
        bzip2[local + 8] = 12;
        bzip2[central + 10] = 12;
        let unsupported = BundleError::Unsupported {
            entry: SESSION_ENTRY.into(),
        };
        assert_eq!(read(&bzip2), Err(unsupported));

        let unknown = write(&project(), &files()[..1]).unwrap_err();
        assert_eq!(
            unknown,
            BundleError::MissingAudio {
                path: "D:\\takes\\gtr.flac".into()
            }
        );
        let mut wrong = project();
        if let Source::File(file) = &mut wrong.tracks[2].source {
            file.sha256 = Some(sha256_hex(BASS));
        }
        let err = write(&wrong, &files()).unwrap_err();
        assert_eq!(
            err,
            BundleError::ChecksumMismatch {
                path: "D:\\takes\\gtr.flac".into()
            }
        );
    }

    /// The central headers of `zip` in order.
    fn central_headers(zip: &[u8]) -> Vec<usize> {
        let first = records(zip, CENTRAL_HEADER_SIGNATURE)[0];
        let mut at = first;
        let mut headers = Vec::new();
        while zip[at..at + 4] == CENTRAL_HEADER_SIGNATURE.to_le_bytes() {
            headers.push(at);
            let len = |i: usize| usize::from(u16::from_le_bytes([zip[at + i], zip[at + i + 1]]));
            at += CENTRAL_HEADER_LEN + len(28) + len(30) + len(32);
        }
        headers
    }

    #[test]
    fn hostile_bundles_are_refused() {
        // Reference: what a hostile file can declare, one lie at a time, in our own bundle:
        // session.json, then audio/bass.wav, then audio/gtr.flac.
        let written = write(&project(), &files()).unwrap();
        let zip = &written.bytes;
        let headers = central_headers(zip);
        assert_eq!(headers.len(), 3);
        let lie = |header: usize, at: usize, bytes: &[u8]| {
            let mut lying = zip.clone();
            lying[headers[header] + at..headers[header] + at + bytes.len()].copy_from_slice(bytes);
            read(&lying)
        };
        let damaged = |entry: &str| {
            Err(BundleError::DamagedEntry {
                entry: entry.into(),
            })
        };
        // Two entries on the same bytes (the bass at the guitar's offset), or overlapping.
        let guitar_offset = zip[headers[2] + 42..headers[2] + 46].to_vec();
        assert_eq!(lie(1, 42, &guitar_offset), Err(BundleError::NotABundle));
        assert_eq!(
            lie(1, 20, &[25, 0, 0, 0, 25, 0, 0, 0]),
            damaged("audio/bass.wav"),
            "24 bytes of bass declared 25: they reach into the guitar"
        );
        // Sizes beyond the file: stored, as long as the bundle allows; deflated, past 1 GiB.
        let huge = (u32::MAX - 1).to_le_bytes();
        assert_eq!(
            lie(2, 20, &[huge, huge].concat()),
            damaged("audio/gtr.flac")
        );
        let mut deflated_huge = zip.clone();
        deflated_huge[headers[2] + 10] = 8;
        deflated_huge[headers[2] + 24..headers[2] + 28].copy_from_slice(&huge);
        assert_eq!(
            read(&deflated_huge),
            Err(BundleError::EntryTooLarge {
                entry: "audio/gtr.flac".into(),
                max_bytes: MAX_DEFLATED_AUDIO_BYTES
            })
        );
        // A local header that is not one, or whose name runs into the next entry.
        let local = records(zip, LOCAL_HEADER_SIGNATURE)[1];
        let mut no_header = zip.clone();
        no_header[local] = b'X';
        assert_eq!(read(&no_header), damaged("audio/bass.wav"));
        let mut long_name = zip.clone();
        long_name[local + 26] = 200;
        assert_eq!(read(&long_name), damaged("audio/bass.wav"));
        // A CRC-32 that lies, and a checksum of another file in the session.
        assert_eq!(lie(2, 16, &[0; 4]), damaged("audio/gtr.flac"));
        let mut session = written.session.clone();
        if let Source::File(file) = &mut session.tracks[2].source {
            file.sha256 = Some(sha256_hex(BASS));
        }
        let mut map: BTreeMap<String, Vec<u8>> = read(zip).unwrap().files;
        map.insert(SESSION_ENTRY.into(), session.to_json().into_bytes());
        let entries: Vec<(&str, &[u8], CompressionMethod)> = map
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice(), CompressionMethod::Stored))
            .collect();
        assert_eq!(
            read(&zip_of(&entries)),
            Err(BundleError::ChecksumMismatch {
                path: "audio/gtr.flac".into()
            })
        );
        // Counts that lie (end record: entries on this disk, entries).
        let end = zip.len() - 22;
        let mut counted = zip.clone();
        counted[end + 8..end + 12].copy_from_slice(&[2, 0, 2, 0]);
        assert_eq!(read(&counted), Err(BundleError::NotABundle));
    }

    #[test]
    fn the_files_together_are_bounded() {
        // Reference: MAX_BUNDLE_BYTES, from sizes declared in Zip64 fields (written with
        // every field in them); nothing of that size is ever allocated.
        let written = write(&project(), &files()).unwrap();
        let given: Vec<(&str, Sums)> = files().iter().map(|(p, b)| (*p, sums(b))).collect();
        let laid_out = lay_out(
            Contents::Mix(&project()),
            &given,
            ZipParts::with_zip64_from(0),
        )
        .unwrap();
        let map: BTreeMap<&str, &[u8]> = files().into_iter().collect();
        let mut zip = concatenate(&laid_out, &map).unwrap();
        let headers = central_headers(&zip);
        let declare = |zip: &mut Vec<u8>, header: usize, size: u64| {
            // The Zip64 field after the name: uncompressed, then compressed size.
            let name_len = usize::from(zip[header + 28]);
            let field = header + CENTRAL_HEADER_LEN + name_len + 4;
            zip[field..field + 8].copy_from_slice(&size.to_le_bytes());
            zip[field + 8..field + 16].copy_from_slice(&size.to_le_bytes());
        };
        declare(&mut zip, headers[1], 40 << 30);
        assert_eq!(
            read(&zip),
            Err(BundleError::DamagedEntry {
                entry: "audio/bass.wav".into()
            }),
            "40 GiB may be stored, not in this file"
        );
        declare(&mut zip, headers[2], 40 << 30);
        assert_eq!(read(&zip), Err(BundleError::TooLarge), "80 GiB together");
        declare(&mut zip, headers[1], MAX_BUNDLE_BYTES + 1);
        assert_eq!(
            read(&zip),
            Err(BundleError::EntryTooLarge {
                entry: "audio/bass.wav".into(),
                max_bytes: MAX_BUNDLE_BYTES
            })
        );
        assert!(read(&written.bytes).is_ok());
    }

    #[test]
    fn messages_name_the_project_and_what_is_wrong() {
        // Reference: the house rule, one sentence that names the thing and what is wrong.
        let path = || "audio/bass.wav".to_owned();
        let entry = path;
        let refused = BundleError::Refused(SessionError::TooNew { found: 7 });
        let too_large = |max_bytes| BundleError::EntryTooLarge {
            entry: entry(),
            max_bytes,
        };
        for (err, words) in [
            (BundleError::NotABundle, "not a Mixroom project"),
            (BundleError::NoSession, "no session"),
            (
                BundleError::MissingAudio { path: path() },
                "\"audio/bass.wav\" is missing",
            ),
            (
                BundleError::ChecksumMismatch { path: path() },
                "does not match its checksum",
            ),
            (
                BundleError::DamagedEntry { entry: entry() },
                "\"audio/bass.wav\" in this",
            ),
            (BundleError::Unsupported { entry: entry() }, "cannot read"),
            (BundleError::TooLarge, "(64 GiB in all)"),
            (too_large(MAX_DEFLATED_AUDIO_BYTES), "accepts (1 GiB)"),
            (too_large(MAX_SESSION_BYTES), "accepts (16 MiB)"),
            (too_large(1000), "accepts (1000 bytes)"),
            (
                BundleError::NameTooLong {
                    entry: "x".repeat(5000),
                },
                "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" is too long",
            ),
            (
                BundleError::DuplicateName { entry: entry() },
                "have the name \"audio/bass.wav\"",
            ),
            (refused, "saved by a newer Mixroom"),
            (BundleError::LessonAndHandIn, "both a lesson (lesson.json)"),
        ] {
            let text = err.to_string();
            assert!(text.contains("project") && text.contains(words), "{text}");
        }
    }
}
