//! The lesson schema: a starting mix, what to do with it, and goals measured from its sound.
//!
//! ```json
//! { "version": 1, "id": "bass-and-kick", "title": "Bass and kick",
//!   "introduction": "The low end is a fight. Make room.",
//!   "steps": ["Solo the kick and the bass.", "Cut the bass around 60 Hz."],
//!   "start": { "version": 2, "tracks": [ … ] },
//!   "locks": ["gain_db", "pan"],
//!   "reference": { "recording": { "url": "https://example.com/teacher.ogg" } },
//!   "goals": [ { "id": "kick-bass", "text": "The bass sits under the kick in 40–120 Hz.",
//!                "kind": "band_balance", "a": { "track": "Bass" }, "b": { "track": "Kick" },
//!                "low_hz": 40, "high_hz": 120, "max_db": -2 } ] }
//! ```
//!
//! Strips are named by name ([`StripRef`]), so a goal naming a track the mix does not have
//! can say which. A lesson comes from outside (a link, a bundle) and is checked field by field
//! like a session ([`crate::validate`]); see [`rules`] for what each field may hold.
//!
//! Versions: 1 is the first; [`Lesson::open_json`] lifts older versions one at a time (none
//! yet) and refuses a newer one with [`LessonError::TooNew`], which still carries the starting
//! mix when it can be read, so the page can open it.

mod ear;
mod fingerprint;
mod goal;
mod handin;
mod migrate;
pub mod rules;
mod violations;
pub mod wire;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use ear::EarAnswer;
pub use goal::{Curve, Goal, GoalKind, StripRef, KNOWN_KINDS, MONO_BASS_BELOW_HZ};
pub use handin::{HandIn, HandInError, IncomingHandIn, MAX_STUDENT_CHARS, UNNAMED};
pub use violations::{same_as_reference, same_mix, same_work, violations, Violation};

use crate::params::ParamId;
use crate::session::{FileSource, Session, SessionError};
use crate::validate::{Incoming, Refusal};

/// The lesson schema version this build writes and the newest it reads.
pub const LESSON_VERSION: u32 = 1;

/// Largest lesson JSON read (and largest decompressed lesson or hand-in link), bytes.
pub const MAX_LESSON_BYTES: usize = 2 << 20;

/// A lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Schema version, [`LESSON_VERSION`] when written by this build.
    pub version: u32,
    /// Stable id (`a-z`, `0-9`, `-`, `_`, at most 32 bytes), like a demo stem's.
    pub id: String,
    /// Title, plain text, one line.
    pub title: String,
    /// What the lesson is about, plain text (newlines allowed).
    #[serde(default)]
    pub introduction: String,
    /// What to do, one step per entry, plain text (newlines allowed).
    #[serde(default)]
    pub steps: Vec<String>,
    /// The mix the student starts from.
    pub start: Session,
    /// Which parameters the student may change, by key; `None` or empty: every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locks: Option<Vec<String>>,
    /// What the teacher's mix sounds like, if the lesson has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// What the student's mix must sound like.
    #[serde(default)]
    pub goals: Vec<Goal>,
}

/// The teacher's version of the mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Reference {
    /// A mix of the same tracks (matched to the student's by their audio, then by name).
    Mix(Session),
    /// A recording of the finished mix.
    Recording(Recording),
}

/// Where a reference recording is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Recording {
    /// On the web, fetched (with CORS) from an http or https URL.
    Url(String),
    /// A file, as a session names one.
    File(FileSource),
}

/// A lesson from outside, made safe, and what was refused on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingLesson {
    /// The lesson, every field within [`rules`].
    pub lesson: Lesson,
    /// The fields that were refused, in the order of the lesson.
    pub refused: Vec<Refusal>,
}

/// Why a lesson could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonError {
    /// Not valid lesson JSON, or larger than [`MAX_LESSON_BYTES`].
    Malformed(String),
    /// Written by a newer Mixroom. Its starting mix, if it could be read as a session of
    /// this version, made safe, so the page can offer to open it on its own.
    TooNew {
        /// The version found.
        found: u32,
        /// The starting mix, if readable.
        start: Option<Box<Incoming>>,
    },
    /// The lesson's id breaks the rule (hand-ins are matched by it).
    BadId(String),
    /// More steps or goals than a lesson may have.
    TooMany {
        /// "steps" or "goals".
        what: &'static str,
        /// How many the lesson has.
        found: usize,
        /// How many it may have.
        max: usize,
    },
    /// The starting mix is refused.
    Start(SessionError),
    /// The reference mix is refused.
    Reference(SessionError),
    /// A field breaks a rule (only from [`Lesson::from_json`], which takes nothing but a
    /// wholly valid lesson).
    Field(Refusal),
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LessonError::Malformed(why) => write!(f, "this is not a Mixroom lesson: {why}"),
            LessonError::TooNew { found, start } => {
                write!(
                    f,
                    "this lesson was made by a newer Mixroom (version {found}, this one reads up \
                     to {LESSON_VERSION}); update Mixroom to take it"
                )?;
                if start.is_some() {
                    write!(f, " (its starting mix can be opened on its own)")?;
                }
                Ok(())
            }
            LessonError::BadId(why) => write!(f, "this lesson's id is not valid: {why}"),
            LessonError::TooMany { what, found, max } => {
                write!(
                    f,
                    "this lesson has {found} {what}; a lesson has up to {max}"
                )
            }
            LessonError::Start(why) => write!(f, "this lesson's starting mix is refused: {why}"),
            LessonError::Reference(why) => {
                write!(f, "this lesson's reference mix is refused: {why}")
            }
            LessonError::Field(refusal) => write!(f, "{refusal}"),
        }
    }
}

impl std::error::Error for LessonError {}

impl Lesson {
    /// Parses, migrates and checks lesson JSON from outside: a field that breaks a rule is
    /// refused on its own and listed ([`rules`]); the rest is kept. Goals of kinds this
    /// version does not know are kept ([`Lesson::unknown_goal_kinds`]).
    pub fn open_json(text: &str) -> Result<IncomingLesson, LessonError> {
        if text.len() > MAX_LESSON_BYTES {
            return Err(LessonError::Malformed(format!(
                "it is {} bytes long (at most {MAX_LESSON_BYTES})",
                text.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LessonError::Malformed(e.to_string()))?;
        Lesson::open_value(value)
    }

    /// [`Lesson::open_json`] on a JSON tree the caller parsed (and bounded) itself.
    pub(crate) fn open_value(value: serde_json::Value) -> Result<IncomingLesson, LessonError> {
        let value = migrate::to_current(value)?;
        let lesson: Lesson =
            serde_json::from_value(value).map_err(|e| LessonError::Malformed(e.to_string()))?;
        lesson.incoming()
    }

    /// Like [`Lesson::open_json`], but a lesson with any field refused is refused whole
    /// ([`LessonError::Field`], naming the first).
    pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
        let incoming = Lesson::open_json(text)?;
        match incoming.refused.into_iter().next() {
            Some(refusal) => Err(LessonError::Field(refusal)),
            None => Ok(incoming.lesson),
        }
    }

    /// This lesson from outside, checked and made safe ([`rules`]).
    pub fn incoming(mut self) -> Result<IncomingLesson, LessonError> {
        let refused = rules::make_safe(&mut self)?;
        Ok(IncomingLesson {
            lesson: self,
            refused,
        })
    }

    /// The lesson as pretty JSON (what a `.mixroom` bundle stores).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a lesson always serializes")
    }

    /// The lesson's canonical JSON: compact, every object's keys in order. Two builds that
    /// read a lesson alike write it alike.
    pub fn canonical_json(&self) -> String {
        let mut value = serde_json::to_value(self).expect("a lesson always serializes");
        sort_keys(&mut value);
        value.to_string()
    }

    /// Which lesson a hand-in answers: SHA-256 (64 lower-case hex digits) of the
    /// [`Lesson::canonical_json`] of this lesson with each file it names (a track's source in
    /// the starting or the reference mix, a reference recording) at the path a `.mixroom`
    /// bundle of it gives the file, and without its SHA-256. That path is `audio/<name>`,
    /// `<name>` the file's own ([`FileSource::name`]: folders do not count), made unique in the
    /// lesson as the bundle makes it (`bass (2).wav`; the reference's own files first, then the
    /// starting mix's in track order; a recording and a track of the same path share one). So a lesson keeps its fingerprint through a bundle, which
    /// moves its files into `audio/` and fills in their SHA-256s; a lesson that names no file
    /// (the built-in ones play demo stems) is its canonical JSON hashed.
    pub fn fingerprint(&self) -> String {
        let canonical = fingerprint::files_by_name(self).canonical_json();
        crate::hash::sha256_hex(canonical.as_bytes())
    }

    /// The kinds of the goals this version does not know (a newer Mixroom's), each once, in
    /// the order of the goals.
    pub fn unknown_goal_kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = Vec::new();
        for goal in &self.goals {
            if let GoalKind::Unknown { kind, .. } = &goal.kind {
                if !kinds.contains(&kind.as_str()) {
                    kinds.push(kind);
                }
            }
        }
        kinds
    }

    /// Whether the student may change `param`: every parameter when the lesson has no locks,
    /// else only those listed.
    pub fn allows(&self, param: ParamId) -> bool {
        allows(self.locks.as_deref(), param)
    }
}

/// Whether a lesson with `locks` ([`Lesson::locks`]) lets the student change `param`: every
/// parameter when there are none, else only those listed.
pub fn allows(locks: Option<&[String]>, param: ParamId) -> bool {
    match locks {
        Some(keys) if !keys.is_empty() => keys.iter().any(|k| k == param.spec().key),
        _ => true,
    }
}

fn sort_keys(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        serde_json::Value::Array(list) => list.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
