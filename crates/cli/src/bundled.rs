//! The lesson inside a `.mixroom` bundle on disk, read by slices as the page reads a `File`:
//! the directory, `session.json`, then `lesson.json`, and no audio (checking a mix against
//! a lesson does not play the lesson's own files), so a bundle of gigabytes opens at once.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use mixroom_protocol::bundle::{
    attached_entry, read_attached, read_session, session_entry, tail_len, Attached, BundleError,
    Directory, Entry, FromTail,
};
use mixroom_protocol::lesson::IncomingLesson;

use crate::sources::io_problem;

/// The lesson in the bundle at `path` (shown as `shown`), the bundle's session its starting
/// mix; a note on stderr for each of the session's fields that was refused.
///
/// Errors: a sentence naming the file: it is not a bundle or is damaged, it holds no lesson
/// ("… holds no lesson"), or its lesson cannot be opened (why).
pub fn lesson(shown: &str, path: &Path) -> Result<IncomingLesson, String> {
    let mut file = Slices::open(path)?;
    let problem = |e: BundleError| format!("{shown}: {e}");
    let len = file.len;
    let tail = file.read(len - tail_len(len)..len)?;
    let directory = match Directory::from_tail(len, &tail).map_err(problem)? {
        FromTail::Complete(directory) => directory,
        FromTail::NeedRange(pending) => {
            let bytes = file.read(pending.range())?;
            pending.parse(&bytes).map_err(problem)?
        }
    };
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

    /// The bytes of `range` (offsets from the first byte, end excluded), which the bundle
    /// reader keeps inside the file and small (a directory, a header, a JSON entry).
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
