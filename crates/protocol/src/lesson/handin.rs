//! A hand-in: a student's mix for a lesson, with who made it and which lesson it answers.
//!
//! ```json
//! { "version": 1, "student": "Ada", "lesson_id": "bass-and-kick",
//!   "lesson_sha256": "9f86d0…", "mix": { "version": 2, "tracks": [ … ] },
//!   "answers": [ { "goal": "ear-1", "centre_hz": 125, "boost": true } ] }
//! ```
//!
//! `answers` (the lesson's ear-training goals answered, [`super::ear`]) is left out when empty.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::rules::{id_problem, text_problem};
use super::EarAnswer;
use super::{Lesson, LESSON_VERSION, MAX_LESSON_BYTES};
use crate::session::{Session, SessionError};
use crate::validate::Refusal;

/// Longest student name, characters.
pub const MAX_STUDENT_CHARS: usize = 100;

/// What a hand-in's student is called when the name is refused.
pub const UNNAMED: &str = "Unnamed student";

/// A student's answer to a lesson: who, which lesson, and the mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandIn {
    /// Schema version, [`LESSON_VERSION`] when written by this build.
    pub version: u32,
    /// The student's name as they typed it: plain text, one line, at most
    /// [`MAX_STUDENT_CHARS`] characters.
    pub student: String,
    /// The lesson's id.
    pub lesson_id: String,
    /// The lesson's [`Lesson::fingerprint`].
    pub lesson_sha256: String,
    /// The student's mix.
    pub mix: Session,
    /// What the student answered to the lesson's ear-training goals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<EarAnswer>,
}

/// A hand-in from outside, made safe, and what was refused on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingHandIn {
    /// The hand-in, every field within the rules.
    pub hand_in: HandIn,
    /// The fields that were refused.
    pub refused: Vec<Refusal>,
}

/// Why a hand-in could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum HandInError {
    /// Not valid hand-in JSON, or larger than [`MAX_LESSON_BYTES`].
    Malformed(String),
    /// Written by a newer Mixroom.
    TooNew {
        /// The version found.
        found: u32,
    },
    /// The lesson id or fingerprint is not one.
    BadLesson(String),
    /// The student's mix is refused.
    Mix(SessionError),
    /// A field breaks a rule (only from [`HandIn::from_json`]).
    Field(Refusal),
}

impl fmt::Display for HandInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandInError::Malformed(why) => write!(f, "this is not a Mixroom hand-in: {why}"),
            HandInError::TooNew { found } => write!(
                f,
                "this hand-in was made by a newer Mixroom (version {found}, this one reads up \
                 to {LESSON_VERSION}); update Mixroom to open it"
            ),
            HandInError::BadLesson(why) => {
                write!(
                    f,
                    "this hand-in does not say which lesson it answers: {why}"
                )
            }
            HandInError::Mix(why) => write!(f, "the mix in this hand-in is refused: {why}"),
            HandInError::Field(refusal) => write!(f, "{refusal}"),
        }
    }
}

impl std::error::Error for HandInError {}

impl HandIn {
    /// A hand-in of `mix` by `student` for `lesson`.
    pub fn new(lesson: &Lesson, student: &str, mix: Session) -> HandIn {
        HandIn {
            version: LESSON_VERSION,
            student: student.to_owned(),
            lesson_id: lesson.id.clone(),
            lesson_sha256: lesson.fingerprint(),
            mix,
            answers: Vec::new(),
        }
    }

    /// Whether this hand-in answers exactly `lesson` (same id and fingerprint).
    pub fn answers(&self, lesson: &Lesson) -> bool {
        self.lesson_id == lesson.id && self.lesson_sha256 == lesson.fingerprint()
    }

    /// The hand-in as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a hand-in always serializes")
    }

    /// Parses, migrates and checks hand-in JSON from outside; a bad student name or mix field
    /// is refused on its own and listed.
    pub fn open_json(text: &str) -> Result<IncomingHandIn, HandInError> {
        if text.len() > MAX_LESSON_BYTES {
            return Err(HandInError::Malformed(format!(
                "it is {} bytes long (at most {MAX_LESSON_BYTES})",
                text.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| HandInError::Malformed(e.to_string()))?;
        HandIn::open_value(value)
    }

    /// [`HandIn::open_json`] on a JSON tree the caller parsed (and bounded) itself.
    pub(crate) fn open_value(mut value: serde_json::Value) -> Result<IncomingHandIn, HandInError> {
        let malformed = |e: serde_json::Error| HandInError::Malformed(e.to_string());
        let version = crate::migrate::version_of(&value)
            .map_err(|why| HandInError::Malformed(why.to_owned()))?;
        if version > u64::from(LESSON_VERSION) {
            return Err(HandInError::TooNew {
                found: u32::try_from(version).unwrap_or(u32::MAX),
            });
        }
        if let Some(mix) = value.get_mut("mix") {
            *mix =
                crate::migrate::to_current(mix.take()).map_err(|e| HandInError::Mix(e.into()))?;
        }
        let hand_in: HandIn = serde_json::from_value(value).map_err(malformed)?;
        hand_in.incoming()
    }

    /// Like [`HandIn::open_json`], but a hand-in with any field refused is refused whole.
    pub fn from_json(text: &str) -> Result<HandIn, HandInError> {
        let incoming = HandIn::open_json(text)?;
        match incoming.refused.into_iter().next() {
            Some(refusal) => Err(HandInError::Field(refusal)),
            None => Ok(incoming.hand_in),
        }
    }

    /// This hand-in from outside, checked and made safe.
    pub fn incoming(mut self) -> Result<IncomingHandIn, HandInError> {
        if let Some(why) = id_problem(&self.lesson_id) {
            return Err(HandInError::BadLesson(format!("the lesson id {why}")));
        }
        let sha = &self.lesson_sha256;
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HandInError::BadLesson(
                "the lesson's fingerprint is not a SHA-256".to_owned(),
            ));
        }
        self.lesson_sha256 = sha.to_ascii_lowercase();
        let mut refused = Vec::new();
        if let Some(problem) = text_problem(&self.student, MAX_STUDENT_CHARS, false, true) {
            refused.push(Refusal {
                field: "the student's name".to_owned(),
                why: format!("{problem}; the hand-in is from “{UNNAMED}”"),
            });
            self.student = UNNAMED.to_owned();
        }
        super::ear::keep_valid(&mut self.answers, &mut refused);
        let mix = self.mix.incoming().map_err(HandInError::Mix)?;
        self.mix = mix.session;
        for refusal in mix.refused {
            refused.push(Refusal {
                field: format!("the mix, {}", refusal.field),
                why: refusal.why,
            });
        }
        Ok(IncomingHandIn {
            hand_in: self,
            refused,
        })
    }
}
