//! `.mixroom` bundles on disk, read by slices as the page reads a `File`, never whole: the
//! directory, `session.json` (and `lesson.json` or `handin.json`), then each audio file only
//! when a track is decoded, one at a time. A stored file is checked against its CRC-32 and
//! SHA-256 by chunks and then decoded from its place in the bundle, so it takes no memory of
//! its own; a deflated one is unpacked in memory, within the memory budget
//! ([`decode::over_budget`]). A lesson's bundle opens without its audio (checking a mix
//! against a lesson does not play the lesson's own files), so a bundle of gigabytes opens at
//! once; its reference recording, when a goal compares with it, is read afterwards on its own.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

use mixroom_protocol::bundle::{
    attached_entry, plan, plan_recording, read_attached, read_session, session_entry, tail_len,
    Attached, BundleError, Directory, Entry, FromTail, Method, PlannedFile,
};
use mixroom_protocol::lesson::{IncomingLesson, Lesson};
use mixroom_protocol::session::Session;
use mixroom_protocol::validate::{Incoming, Refusal};
use symphonia::core::io::MediaSource;

use crate::decode::{self, decode_bytes, decode_seekable, Decoded, Keep};
use crate::sources::{io_problem, Files};

/// The four bytes a zip archive (and so a `.mixroom` bundle) starts with.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether a file named `path` whose first bytes are `first` is a `.mixroom` bundle (by its
/// extension or its zip signature).
pub fn is_bundle(path: &Path, first: &[u8]) -> bool {
    first.starts_with(ZIP_MAGIC) || path.extension().is_some_and(|e| e == "mixroom")
}

/// Whether the file at `path` is a `.mixroom` bundle ([`is_bundle`], its first four bytes read).
pub fn is_bundle_file(path: &Path) -> Result<bool, String> {
    let file = File::open(path).map_err(|e| io_problem(path, &e))?;
    let mut first = Vec::with_capacity(ZIP_MAGIC.len());
    file.take(ZIP_MAGIC.len() as u64)
        .read_to_end(&mut first)
        .map_err(|e| io_problem(path, &e))?;
    Ok(is_bundle(path, &first))
}

/// A bundle opened by [`open`].
pub struct Opened {
    /// The session, migrated and made safe field by field; its file sources are in `files`.
    pub session: Session,
    /// The fields of the session that were refused.
    pub refused: Vec<Refusal>,
    /// The lesson or hand-in the bundle carries, or why it cannot be opened.
    pub attached: Attached,
    /// The session's files, read from the bundle as they are decoded.
    pub files: Entries,
}

/// Opens the bundle at `path` (shown as `shown`): its directory, session and what it carries,
/// and the plan of its audio files (each named by the session and of a size it may hold), none
/// of them read yet.
///
/// Errors: a sentence naming the file: it is not a bundle or is damaged, its session is refused,
/// a file the session names is missing or too large.
pub fn open(shown: &str, path: &Path) -> Result<Opened, String> {
    let mut file = Slices::open(path)?;
    let problem = |e: BundleError| format!("{shown}: {e}");
    let directory = file.directory()?.map_err(problem)?;
    let (incoming, attached) = file.session_and_attached(shown, &directory)?;
    let planned = plan(&directory, &incoming.session).map_err(problem)?;
    Ok(Opened {
        session: incoming.session,
        refused: incoming.refused,
        attached,
        files: Entries {
            path: path.to_path_buf(),
            shown: shown.to_owned(),
            planned: planned.files().to_vec(),
        },
    })
}

/// The lesson in the bundle at `path` (shown as `shown`), the bundle's session its starting
/// mix; a note on stderr for each of the session's fields that was refused.
///
/// Errors: a sentence naming the file: it is not a bundle or is damaged, it holds no lesson
/// ("… holds no lesson"), or its lesson cannot be opened (why).
pub fn lesson(shown: &str, path: &Path) -> Result<IncomingLesson, String> {
    let mut file = Slices::open(path)?;
    let directory = file.directory()?.map_err(|e| format!("{shown}: {e}"))?;
    let (incoming, attached) = file.session_and_attached(shown, &directory)?;
    crate::notes::notes(shown, &incoming.refused);
    match attached {
        Attached::Lesson(Ok(lesson)) => Ok(lesson),
        Attached::Lesson(Err(why)) => Err(format!("{shown}: {why}")),
        Attached::HandIn(_) => Err(format!(
            "{shown} holds no lesson: it is a student's hand-in (check it as a MIX)"
        )),
        Attached::None => Err(format!("{shown} holds no lesson: it is a mix alone")),
    }
}

/// The reference recording of `lesson` (the one [`lesson`] read from the bundle at `path`,
/// shown as `shown`), to be decoded from its entry by its path as the lesson names it (checked
/// against its CRC-32 and SHA-256 then).
///
/// Errors: a sentence naming the file: the bundle does not hold the recording, or its entry
/// cannot be read.
pub fn recording(shown: &str, path: &Path, lesson: &Lesson) -> Result<Entries, String> {
    let mut file = Slices::open(path)?;
    let problem = |e: BundleError| format!("{shown}: {e}");
    let directory = file.directory()?.map_err(problem)?;
    let planned = plan_recording(&directory, lesson)
        .map_err(problem)?
        .ok_or_else(|| format!("{shown} does not hold the reference recording"))?;
    Ok(Entries {
        path: path.to_path_buf(),
        shown: shown.to_owned(),
        planned: vec![planned],
    })
}

/// Audio files in a bundle on disk, read from it one at a time as they are decoded.
pub struct Entries {
    /// The bundle's file.
    path: PathBuf,
    /// The bundle as its messages name it.
    shown: String,
    /// The files that may be decoded, each with its entry.
    planned: Vec<PlannedFile>,
}

/// Bytes of an entry's data read at a time when it is checked or unpacked (1 MiB).
const CHUNK_BYTES: usize = 1 << 20;

impl Files for Entries {
    fn decode(&self, path: &str, keep: Keep) -> Result<Decoded, String> {
        let planned = self
            .planned
            .iter()
            .find(|p| p.path() == path)
            .ok_or_else(|| format!("{path} is not in the bundle"))?;
        let problem = |e: BundleError| format!("{}: {e}", self.shown);
        let mut file = Slices::open(&self.path)?;
        let header = file.read(planned.entry().local_header_range())?;
        let range = planned.entry().data_range(&header).map_err(problem)?;
        let decoded = match planned.method() {
            Method::Stored => {
                file.unpack(planned, range.clone(), None)?
                    .map_err(problem)?;
                decode_seekable(Window::new(file.file, range), path, keep)
            }
            Method::Deflated => {
                let unpacked = planned.entry().uncompressed_size();
                if let Some(over) = decode::over_budget(unpacked) {
                    return Err(format!("{path} {over}"));
                }
                let mut bytes = Vec::new();
                file.unpack(planned, range, Some(&mut bytes))?
                    .map_err(problem)?;
                decode_bytes(&bytes, path, keep)
            }
        };
        decoded.map_err(|e| format!("{path} {e}"))
    }
}

/// The bytes of a range of a file, as a file of their own (a stored entry's data).
struct Window {
    file: File,
    /// The range's first byte in the file.
    start: u64,
    /// The range's length, bytes.
    len: u64,
    /// Where the next read starts, from the range's start, bytes.
    at: u64,
}

impl Window {
    fn new(file: File, range: Range<u64>) -> Window {
        Window {
            file,
            start: range.start,
            len: range.end - range.start,
            at: 0,
        }
    }
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.len - self.at).unwrap_or(usize::MAX);
        let wanted = buf.len().min(left);
        if wanted == 0 {
            return Ok(0);
        }
        self.file.seek(SeekFrom::Start(self.start + self.at))?;
        let read = self.file.read(&mut buf[..wanted])?;
        self.at += read as u64;
        Ok(read)
    }
}

impl Seek for Window {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let at = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(by) => self.len.checked_add_signed(by),
            SeekFrom::Current(by) => self.at.checked_add_signed(by),
        };
        match at {
            Some(at) => {
                self.at = at.min(self.len);
                Ok(self.at)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a seek before the start of the entry",
            )),
        }
    }
}

impl MediaSource for Window {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}

/// A file read by ranges.
struct Slices<'a> {
    file: File,
    path: &'a Path,
    len: u64,
}

impl<'a> Slices<'a> {
    fn open(path: &'a Path) -> Result<Slices<'a>, String> {
        let file = File::open(path).map_err(|e| io_problem(path, &e))?;
        let len = file.metadata().map_err(|e| io_problem(path, &e))?.len();
        Ok(Slices { file, path, len })
    }

    /// The bundle's directory, read from its tail (and a second range when it is long); the
    /// outer error is the file's, the inner one the bundle's (as [`Slices::data`]).
    fn directory(&mut self) -> Result<Result<Directory, BundleError>, String> {
        let len = self.len;
        let tail = self.read(len - tail_len(len)..len)?;
        Ok(match Directory::from_tail(len, &tail) {
            Ok(FromTail::Complete(directory)) => Ok(directory),
            Ok(FromTail::NeedRange(pending)) => {
                let bytes = self.read(pending.range())?;
                pending.parse(&bytes)
            }
            Err(why) => Err(why),
        })
    }

    /// The session of the bundle (shown as `shown`) whose directory is `directory`, and the
    /// lesson or hand-in it carries (or why that cannot be opened).
    ///
    /// Errors: a sentence naming the file: it cannot be read, it holds no session, or its
    /// session is damaged or refused.
    fn session_and_attached(
        &mut self,
        shown: &str,
        directory: &Directory,
    ) -> Result<(Incoming, Attached), String> {
        let problem = |e: BundleError| format!("{shown}: {e}");
        let entry = session_entry(directory).map_err(problem)?;
        let data = self.data(entry)?.map_err(problem)?;
        let incoming = read_session(entry, &data).map_err(problem)?;
        let attached = match attached_entry(directory).map_err(problem)? {
            None => Attached::None,
            Some(found) => match found.entry() {
                Err(why) => found.kind().unreadable(&why),
                Ok(entry) => match self.data(entry)? {
                    Ok(data) => read_attached(found.kind(), entry, &data, &incoming.session),
                    Err(why) => found.kind().unreadable(&why),
                },
            },
        };
        Ok((incoming, attached))
    }

    /// The bytes of `range` (offsets from the first byte, end excluded), which the bundle
    /// reader keeps inside the file and small (a directory, a header, a JSON entry), or as
    /// large as the reference recording.
    fn read(&mut self, range: Range<u64>) -> Result<Vec<u8>, String> {
        let problem = |e: std::io::Error| io_problem(self.path, &e);
        self.file
            .seek(SeekFrom::Start(range.start))
            .map_err(problem)?;
        let mut bytes = vec![0; (range.end - range.start) as usize];
        self.file.read_exact(&mut bytes).map_err(problem)?;
        Ok(bytes)
    }

    /// Reads `planned`'s data at `range` by chunks, unpacks it and checks it against its CRC-32
    /// and SHA-256, keeping the bytes in `keep` when given; the outer error is the file's, the
    /// inner one the bundle's (the entry is damaged).
    fn unpack(
        &mut self,
        planned: &PlannedFile,
        range: Range<u64>,
        mut keep: Option<&mut Vec<u8>>,
    ) -> Result<Result<(), BundleError>, String> {
        let mut unpacker = match planned.unpacker() {
            Ok(unpacker) => unpacker,
            Err(why) => return Ok(Err(why)),
        };
        let mut check = planned.check();
        let mut scratch = Vec::new();
        let mut at = range.start;
        while at < range.end {
            let end = range.end.min(at + CHUNK_BYTES as u64);
            let chunk = self.read(at..end)?;
            at = end;
            let out = keep.as_deref_mut().unwrap_or(&mut scratch);
            let before = out.len();
            if let Err(why) = unpacker.feed(&chunk, out) {
                return Ok(Err(why));
            }
            check.update(&out[before..]);
            scratch.clear();
        }
        Ok(unpacker.finish().and_then(|()| check.finish().map(drop)))
    }

    /// The data of `entry`: its local header read, then its data; the outer error is the
    /// file's (it cannot be read), the inner one the bundle's (the header is damaged).
    fn data(&mut self, entry: &Entry) -> Result<Result<Vec<u8>, BundleError>, String> {
        let header = self.read(entry.local_header_range())?;
        match entry.data_range(&header) {
            Ok(range) => self.read(range).map(Ok),
            Err(why) => Ok(Err(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use mixroom_protocol::session::{FileSource, Source};

    use super::*;
    use crate::args::RenderArgs;
    use crate::decode::decode_file;
    use crate::sources::Folder;
    use crate::wav;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn bundles_are_recognized_by_signature_or_extension() {
        assert!(is_bundle(Path::new("a.json"), b"PK\x03\x04rest"));
        assert!(is_bundle(Path::new("song.mixroom"), b"{}"));
        assert!(!is_bundle(Path::new("song.json"), b"{\"version\": 2}"));
    }

    /// The same zip as `written` (a bundle Mixroom wrote), its entries deflated by the zip
    /// crate, as another zip tool would.
    fn deflated(written: &[u8]) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(io::Cursor::new(written)).unwrap();
        let mut out = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            out.start_file(entry.name(), options).unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_bundle_renders_like_its_files_on_disk_read_one_at_a_time() {
        // One track playing a stereo WAV file: from a folder, and from a bundle on disk with
        // the file stored and deflated; the three renders are identical. A byte changed in the
        // stored audio is found by its SHA-256 when the track is decoded; a deflated file over
        // the memory budget is refused before it is unpacked.
        let dir = temp_dir("bundled");
        let audio: Vec<f32> = (0..4_800).map(|n| ((n % 97) as f32 / 97.0) - 0.5).collect();
        wav::write_f32(&dir.join("a.wav"), 48_000, &[&audio, &audio]).unwrap();
        let mut session = mixroom_demo::session();
        session.tracks.truncate(1);
        session.tracks[0].source = Source::File(FileSource {
            path: "a.wav".to_owned(),
            sha256: None,
        });
        let args = |output: &str| RenderArgs {
            session: dir.join("unused.json"),
            output: dir.join(output),
            sample_rate_hz: 48_000,
            frames: None,
            block: 128,
            paths_outside: false,
            max_memory: decode::DEFAULT_MEMORY_BUDGET,
        };
        crate::render::render_session(&session, &Folder(dir.clone()), &args("disk.wav")).unwrap();
        let disk = decode_file(&dir.join("disk.wav"), Keep::All).unwrap();
        assert_eq!(disk.channels[0].len(), 4_800);
        assert!(disk.channels[0].iter().any(|x| x.abs() > 0.01));

        let file = std::fs::read(dir.join("a.wav")).unwrap();
        let written = mixroom_protocol::bundle::write(&session, &[("a.wav", &file)]).unwrap();
        for (name, bytes) in [
            ("stored", written.bytes.clone()),
            ("deflated", deflated(&written.bytes)),
        ] {
            let path = dir.join(format!("{name}.mixroom"));
            std::fs::write(&path, bytes).unwrap();
            let opened = open(name, &path).unwrap();
            let out = format!("{name}.wav");
            crate::render::render_session(&opened.session, &opened.files, &args(&out)).unwrap();
            assert_eq!(
                disk,
                decode_file(&dir.join(&out), Keep::All).unwrap(),
                "{name}"
            );
            let error = opened.files.decode("b.wav", Keep::All).unwrap_err();
            assert_eq!(error, "b.wav is not in the bundle");
        }

        let mut damaged = written.bytes.clone();
        let at = damaged.windows(4).position(|w| w == b"data").unwrap() + 100;
        damaged[at] ^= 1;
        let path = dir.join("damaged.mixroom");
        std::fs::write(&path, damaged).unwrap();
        let opened = open("damaged.mixroom", &path).unwrap();
        let entry = opened.files.planned[0].path().to_owned();
        let error = opened.files.decode(&entry, Keep::All).unwrap_err();
        assert!(error.starts_with("damaged.mixroom: "), "{error}");
        assert!(error.contains(&entry), "{error}");

        let opened = open("deflated", &dir.join("deflated.mixroom")).unwrap();
        decode::set_memory_budget(16 << 10);
        let error = opened.files.decode(&entry, Keep::All).unwrap_err();
        decode::set_memory_budget(decode::DEFAULT_MEMORY_BUDGET);
        assert_eq!(
            error,
            format!(
                "{entry} needs more than 16 KiB of memory for its samples, the budget \
                 (--max-memory changes it)"
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
