//! The lesson inside a `.mixroom` bundle on disk, read by slices as the page reads a `File`:
//! the directory, `session.json`, then `lesson.json`, and no audio (checking a mix against
//! a lesson does not play the lesson's own files), so a bundle of gigabytes opens at once; its
//! reference recording, when a goal compares with it, is read afterwards on its own.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use mixroom_protocol::bundle::{
    attached_entry, plan_recording, read_attached, read_session, session_entry, tail_len, Attached,
    BundleError, Directory, Entry, FromTail, Method,
};
use mixroom_protocol::lesson::{IncomingLesson, Lesson};

use crate::sources::io_problem;

/// The lesson in the bundle at `path` (shown as `shown`), the bundle's session its starting
/// mix; a note on stderr for each of the session's fields that was refused.
///
/// Errors: a sentence naming the file: it is not a bundle or is damaged, it holds no lesson
/// ("… holds no lesson"), or its lesson cannot be opened (why).
pub fn lesson(shown: &str, path: &Path) -> Result<IncomingLesson, String> {
    let mut file = Slices::open(path)?;
    let problem = |e: BundleError| format!("{shown}: {e}");
    let directory = file.directory()?.map_err(problem)?;
    let entry = session_entry(&directory).map_err(problem)?;
    let data = file.data(entry)?.map_err(problem)?;
    let incoming = read_session(entry, &data).map_err(problem)?;
    crate::lesson::notes(shown, &incoming.refused);
    let attached = match attached_entry(&directory).map_err(problem)? {
        None => Attached::None,
        Some(found) => match found.entry() {
            Err(why) => found.kind().unreadable(&why),
            Ok(entry) => match file.data(entry)? {
                Ok(data) => read_attached(found.kind(), entry, &data, &incoming.session),
                Err(why) => found.kind().unreadable(&why),
            },
        },
    };
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
/// shown as `shown`) from its entry, unpacked and checked against its CRC-32 and SHA-256:
/// its path as the lesson names it → its bytes.
///
/// Errors: a sentence naming the file: the bundle does not hold the recording, or its entry
/// cannot be read or is damaged.
pub fn recording(
    shown: &str,
    path: &Path,
    lesson: &Lesson,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut file = Slices::open(path)?;
    let problem = |e: BundleError| format!("{shown}: {e}");
    let directory = file.directory()?.map_err(problem)?;
    let planned = plan_recording(&directory, lesson)
        .map_err(problem)?
        .ok_or_else(|| format!("{shown} does not hold the reference recording"))?;
    let data = file.data(planned.entry())?.map_err(problem)?;
    let bytes = match planned.method() {
        Method::Stored => data,
        Method::Deflated => {
            let mut unpacker = planned.unpacker().map_err(problem)?;
            let mut bytes = Vec::new();
            unpacker.feed(&data, &mut bytes).map_err(problem)?;
            unpacker.finish().map_err(problem)?;
            bytes
        }
    };
    let mut check = planned.check();
    check.update(&bytes);
    check.finish().map_err(problem)?;
    Ok(BTreeMap::from([(planned.path().to_owned(), bytes)]))
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
