//! The lesson a fingerprint is taken of: its files named as a bundle names them
//! ([`Lesson::fingerprint`]).

use super::{Lesson, Recording, Reference};
use crate::bundle::EntryNames;
use crate::session::{FileSource, Session, Source};

/// `lesson` with each file it names at the path a bundle of it gives the file
/// (`audio/<name>`), and no SHA-256.
pub(super) fn files_by_name(lesson: &Lesson) -> Lesson {
    let mut names = EntryNames::for_lesson(lesson);
    let mut lesson = lesson.clone();
    rename_files(&mut lesson.start, &mut names);
    match &mut lesson.reference {
        Some(Reference::Mix(mix)) => rename_files(mix, &mut names),
        Some(Reference::Recording(Recording::File(file))) => {
            *file = FileSource {
                path: names.name(file),
                sha256: None,
            };
        }
        Some(Reference::Recording(Recording::Url(_))) | None => {}
    }
    lesson
}

/// Each file `mix` plays at the path `names` gives it, without its SHA-256.
fn rename_files(mix: &mut Session, names: &mut EntryNames) {
    for track in &mut mix.tracks {
        if let Source::File(file) = &mut track.source {
            *file = FileSource {
                path: names.name(file),
                sha256: None,
            };
        }
    }
}
