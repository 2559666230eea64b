//! Opening a bundle from its directory: the session entry, then which entry each of the
//! session's files (and a lesson's reference recording) reads, with the sizes and SHA-256 to
//! check them against.

use super::digest::Check;
use super::directory::{Directory, Entry, Method};
use super::unpack::Unpacker;
use super::{
    BundleError, MAX_BUNDLE_BYTES, MAX_DEFLATED_AUDIO_BYTES, MAX_SESSION_BYTES, SESSION_ENTRY,
};
use crate::lesson::{Lesson, Recording, Reference};
use crate::session::{Session, SessionError, Source};
use crate::validate::Incoming;

/// The entry of `session.json` in `directory`, once it is known to be readable: stored or
/// deflated, at most [`MAX_SESSION_BYTES`]. Read its data ([`Entry::local_header_range`], then
/// [`Entry::data_range`]) whole and give it to [`read_session`].
///
/// Errors: [`BundleError::NoSession`], and those of [`Unpacker::new`].
pub fn session_entry(directory: &Directory) -> Result<&Entry, BundleError> {
    let entry = directory.get(SESSION_ENTRY).ok_or(BundleError::NoSession)?;
    entry.method()?;
    entry.check_size(MAX_SESSION_BYTES)?;
    Ok(entry)
}

/// The session in `data`, the data of [`session_entry`]: unpacked, checked against its CRC-32,
/// migrated to the current version and made safe field by field ([`Session::open_json`]: a
/// bundle is written by a stranger).
///
/// Errors: those of [`Unpacker`], [`BundleError::Refused`] for text that is not UTF-8 or a
/// session that is refused.
pub fn read_session(entry: &Entry, data: &[u8]) -> Result<Incoming, BundleError> {
    let json = Unpacker::new(entry, MAX_SESSION_BYTES)?.whole(data)?;
    let json = String::from_utf8(json).map_err(|_| {
        BundleError::Refused(SessionError::Malformed("it is not UTF-8 text".to_owned()))
    })?;
    Session::open_json(&json).map_err(BundleError::Refused)
}

/// Which entry each of a session's files reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    files: Vec<PlannedFile>,
}

/// One of the session's files (or a lesson's reference recording), and the entry that holds
/// it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedFile {
    entry: Entry,
    method: Method,
    sha256: Option<String>,
}

/// Reads the plan of `session`'s files in `directory`: each file source's path is an entry's
/// name; each file once, in the order the tracks first use it. Stored files may be as large
/// as the bundle; a deflated one must be unpacked in memory to be decoded, so it is bounded by
/// [`MAX_DEFLATED_AUDIO_BYTES`].
///
/// Errors: [`BundleError::MissingAudio`], [`BundleError::TooLarge`] when the files unpack to
/// more than [`MAX_BUNDLE_BYTES`] together, and those of [`Unpacker::new`].
pub fn plan(directory: &Directory, session: &Session) -> Result<Plan, BundleError> {
    let mut files: Vec<PlannedFile> = Vec::new();
    let mut total: u64 = 0;
    for track in &session.tracks {
        let Source::File(file) = &track.source else {
            continue;
        };
        if files.iter().any(|f| f.entry.name == file.path) {
            continue;
        }
        let entry = directory
            .get(&file.path)
            .ok_or_else(|| BundleError::MissingAudio {
                path: file.path.clone(),
            })?;
        let method = entry.method()?;
        entry.check_size(max_bytes(method))?;
        total = total.saturating_add(entry.uncompressed_size());
        if total > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        files.push(PlannedFile {
            entry: entry.clone(),
            method,
            sha256: file.sha256.clone(),
        });
    }
    Ok(Plan { files })
}

/// The planned file of `lesson`'s reference recording, when the bundle holds it: `Some` when
/// the reference is a [`Recording::File`] whose path is an entry of `directory` (checked as
/// [`plan`] checks a track's file, against the SHA-256 the lesson records), `None` when it is
/// not a file or no entry has its path (the recording is not in the bundle: its students add
/// it by hand). `lesson` is the one [`read_attached`](super::read_attached) gave; the file's
/// [`PlannedFile::path`] is the recording's path as it names it. Read and check the file as a
/// track's; a damaged one is refused as a damaged track file is (the bundle does not open).
///
/// Errors: those of [`Unpacker::new`].
pub fn plan_recording(
    directory: &Directory,
    lesson: &Lesson,
) -> Result<Option<PlannedFile>, BundleError> {
    let Some(Reference::Recording(Recording::File(file))) = &lesson.reference else {
        return Ok(None);
    };
    let Some(entry) = directory.get(&file.path) else {
        return Ok(None);
    };
    let method = entry.method()?;
    entry.check_size(max_bytes(method))?;
    Ok(Some(PlannedFile {
        entry: entry.clone(),
        method,
        sha256: file.sha256.clone(),
    }))
}

impl Plan {
    /// The files, each once, in the order the session's tracks first use them.
    pub fn files(&self) -> &[PlannedFile] {
        &self.files
    }
}

impl PlannedFile {
    /// The file's path as the session (or the lesson, for its recording) names it: its entry's
    /// name.
    pub fn path(&self) -> &str {
        self.entry.name()
    }

    /// The entry that holds the file: read its local header, then its data.
    pub fn entry(&self) -> &Entry {
        &self.entry
    }

    /// How the file is stored: stored data is the file itself (hand a slice of it on as it
    /// is); deflated data goes through [`PlannedFile::unpacker`].
    pub fn method(&self) -> Method {
        self.method
    }

    /// SHA-256 of the file as the session (or the lesson) records it (hex), if it does.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.as_deref()
    }

    /// The check of the file's bytes (unpacked): feed them all, then finish.
    pub fn check(&self) -> Check {
        Check::new(&self.entry, self.sha256())
    }

    /// The unpacker of the file's data, bounded by [`MAX_DEFLATED_AUDIO_BYTES`] when
    /// deflated. Errors: none that [`plan`] did not already rule out.
    pub fn unpacker(&self) -> Result<Unpacker, BundleError> {
        Unpacker::new(&self.entry, max_bytes(self.method))
    }
}

/// Most bytes an audio file stored with `method` may unpack to.
fn max_bytes(method: Method) -> u64 {
    match method {
        Method::Stored => MAX_BUNDLE_BYTES,
        Method::Deflated => MAX_DEFLATED_AUDIO_BYTES,
    }
}
