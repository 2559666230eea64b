//! How a bundle names its audio entries: `audio/<name>`, the file's own name made unique
//! ignoring case (`bass (2).wav`), each path once. In the bundle of a lesson, the reference's
//! own files (those of a reference mix that the starting mix does not play, which stay where
//! the lesson names them, and a recording, stored when it is given and left where it is when
//! not) are named first: no entry then takes the path of one of them (a reference would play
//! the bundle's file in place of its own), and naming the stored lesson's files again gives
//! each the name it had, which keeps the lesson's fingerprint ([`Lesson::fingerprint`])
//! through the trip. A recording's file is named by its path like a track's, so a track that
//! plays the same file shares its name (and its entry).

use std::collections::BTreeSet;

use super::AUDIO_FOLDER;
use crate::lesson::{Lesson, Recording, Reference};
use crate::session::{FileSource, Source};

/// Entry names given so far.
#[derive(Debug, Default)]
pub(crate) struct EntryNames {
    /// Each path named: (path, entry name).
    given: Vec<(String, String)>,
    /// The names given, in lower case.
    taken: BTreeSet<String>,
}

impl EntryNames {
    /// The names of the bundle of `lesson`: its reference's own files named first.
    pub(crate) fn for_lesson(lesson: &Lesson) -> EntryNames {
        let mut names = EntryNames::default();
        let plays = |path: &str| {
            lesson.start.tracks.iter().any(|track| match &track.source {
                Source::File(file) => file.path == path,
                _ => false,
            })
        };
        match &lesson.reference {
            Some(Reference::Mix(mix)) => {
                for track in &mix.tracks {
                    if let Source::File(file) = &track.source {
                        if !plays(&file.path) {
                            names.name(file);
                        }
                    }
                }
            }
            Some(Reference::Recording(Recording::File(file))) => {
                names.name(file);
            }
            Some(Reference::Recording(Recording::Url(_))) | None => {}
        }
        names
    }

    /// The entry name of `file`: the one its path got before, or a new one.
    pub(crate) fn name(&mut self, file: &FileSource) -> String {
        if let Some((_, name)) = self.given.iter().find(|(path, _)| *path == file.path) {
            return name.clone();
        }
        let name = unique_entry(file.name(), &mut self.taken);
        self.given.push((file.path.clone(), name.clone()));
        name
    }
}

/// `audio/<name>`, or `audio/<stem> (n).<ext>` with the smallest n ≥ 2 not yet `taken`
/// (compared in lower case). A name that is empty or a dot folder becomes `audio`.
pub(super) fn unique_entry(name: &str, taken: &mut BTreeSet<String>) -> String {
    let name = match name {
        "" | "." | ".." => "audio",
        name => name,
    };
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    let mut candidate = format!("{AUDIO_FOLDER}{name}");
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{AUDIO_FOLDER}{stem} ({n}){ext}");
        n += 1;
    }
    candidate
}
