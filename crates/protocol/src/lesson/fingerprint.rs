//! The lesson a fingerprint is taken of: its files named by name alone, as a bundle names them
//! ([`Lesson::fingerprint`]).

use std::collections::BTreeSet;

use super::{Lesson, Recording, Reference};
use crate::bundle::unique_entry;
use crate::session::{FileSource, Session, Source};

/// `lesson` with each file it names at the path a bundle would store it at
/// (`audio/<name>`, unique in the lesson), and no SHA-256; a file named twice (by the same
/// path) gets the same path both times.
pub(super) fn files_by_name(lesson: &Lesson) -> Lesson {
    let mut lesson = lesson.clone();
    let mut names = Names::default();
    names.rename_mix(&mut lesson.start);
    match &mut lesson.reference {
        Some(Reference::Mix(mix)) => names.rename_mix(mix),
        Some(Reference::Recording(Recording::File(file))) => names.rename(file),
        Some(Reference::Recording(Recording::Url(_))) | None => {}
    }
    lesson
}

/// The names given so far: the path a lesson gave → the path a bundle stores.
#[derive(Default)]
struct Names {
    given: Vec<(String, String)>,
    taken: BTreeSet<String>,
}

impl Names {
    fn rename_mix(&mut self, mix: &mut Session) {
        for track in &mut mix.tracks {
            if let Source::File(file) = &mut track.source {
                self.rename(file);
            }
        }
    }

    fn rename(&mut self, file: &mut FileSource) {
        let path = match self.given.iter().find(|(given, _)| *given == file.path) {
            Some((_, stored)) => stored.clone(),
            None => {
                let stored = unique_entry(file.name(), &mut self.taken);
                self.given.push((file.path.clone(), stored.clone()));
                stored
            }
        };
        *file = FileSource { path, sha256: None };
    }
}
