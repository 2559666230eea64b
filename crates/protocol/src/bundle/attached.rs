//! A lesson or a hand-in carried beside a bundle's mix: `lesson.json` holds a lesson whose
//! starting mix is the bundle's session, `handin.json` a hand-in whose mix is; a bundle holds
//! at most one of the two. The entry keeps the whole document, its mix as `session.json`
//! stores it (files at `audio/<name>`, with their SHA-256), so that any zip tool shows a
//! complete lesson or hand-in.
//!
//! Reading never lets the entry keep the mix from opening: after [`read_session`], the
//! directory's [`attached_entry`] → the bytes of its entry ([`AttachedEntry::entry`], then its
//! local header and data) → [`read_attached`], or, when any step of that fails,
//! [`AttachedKind::unreadable`]. Either way the caller gets an [`Attached`] that holds the
//! lesson or hand-in, or says why it cannot be opened. The entry's own copy of the mix is
//! never read: the bundle's session (the one whose files were planned) takes its place.
//!
//! [`read_session`]: super::read_session

use super::directory::{Directory, Entry};
use super::unpack::Unpacker;
use super::{BundleError, HANDIN_ENTRY, LESSON_ENTRY};
use crate::lesson::{
    HandIn, HandInError, IncomingHandIn, IncomingLesson, Lesson, LessonError, MAX_LESSON_BYTES,
};
use crate::session::Session;
use crate::validate::Incoming;

/// What a bundle carries: a mix, a lesson (its starting mix is the mix) or a hand-in (its mix
/// is the mix).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Contents<'a> {
    /// A mix alone: `session.json` and its audio.
    Mix(&'a Session),
    /// A lesson, in `lesson.json`; its starting mix is `session.json`.
    Lesson(&'a Lesson),
    /// A student's hand-in, in `handin.json`; its mix is `session.json`.
    HandIn(&'a HandIn),
}

impl<'a> Contents<'a> {
    /// The bundle's mix: the session, the lesson's starting mix or the hand-in's mix.
    pub fn mix(&self) -> &'a Session {
        match self {
            Contents::Mix(session) => session,
            Contents::Lesson(lesson) => &lesson.start,
            Contents::HandIn(hand_in) => &hand_in.mix,
        }
    }
}

/// A lesson or hand-in as a bundle stores it: its mix is the bundle's session as stored.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // One per bundle: a box would only make it harder to match.
pub enum Attachment {
    /// The lesson in `lesson.json`.
    Lesson(Lesson),
    /// The hand-in in `handin.json`.
    HandIn(HandIn),
}

impl Attachment {
    /// Which of the two it is.
    pub fn kind(&self) -> AttachedKind {
        match self {
            Attachment::Lesson(_) => AttachedKind::Lesson,
            Attachment::HandIn(_) => AttachedKind::HandIn,
        }
    }

    /// Its entry's text: the lesson's or hand-in's pretty JSON.
    pub(super) fn to_json(&self) -> String {
        match self {
            Attachment::Lesson(lesson) => lesson.to_json(),
            Attachment::HandIn(hand_in) => hand_in.to_json(),
        }
    }
}

/// Which document a bundle carries beside its mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachedKind {
    /// A lesson, in [`LESSON_ENTRY`].
    Lesson,
    /// A hand-in, in [`HANDIN_ENTRY`].
    HandIn,
}

impl AttachedKind {
    /// The name of its entry: [`LESSON_ENTRY`] or [`HANDIN_ENTRY`].
    pub fn entry_name(self) -> &'static str {
        match self {
            AttachedKind::Lesson => LESSON_ENTRY,
            AttachedKind::HandIn => HANDIN_ENTRY,
        }
    }

    /// The document of this kind whose entry could not be read because of `why` (too large,
    /// damaged, compressed in a way Mixroom does not read): a [`LessonError::Malformed`] or
    /// [`HandInError::Malformed`] that says so.
    pub fn unreadable(self, why: &BundleError) -> Attached {
        self.malformed(why.to_string())
    }

    /// The document of this kind that is not one because of `why`.
    fn malformed(self, why: String) -> Attached {
        match self {
            AttachedKind::Lesson => Attached::Lesson(Err(LessonError::Malformed(why))),
            AttachedKind::HandIn => Attached::HandIn(Err(HandInError::Malformed(why))),
        }
    }
}

/// What a bundle read carries beside its mix.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // One per bundle: a box would only make it harder to match.
pub enum Attached {
    /// Nothing: a plain bundle.
    None,
    /// A lesson (its starting mix the bundle's session), or why it cannot be opened.
    Lesson(Result<IncomingLesson, LessonError>),
    /// A hand-in (its mix the bundle's session), or why it cannot be opened.
    HandIn(Result<IncomingHandIn, HandInError>),
}

/// The lesson or hand-in entry found in a bundle's directory.
#[derive(Clone, Debug, PartialEq)]
pub struct AttachedEntry<'a> {
    kind: AttachedKind,
    entry: Result<&'a Entry, BundleError>,
}

impl<'a> AttachedEntry<'a> {
    /// Which document the entry holds.
    pub fn kind(&self) -> AttachedKind {
        self.kind
    }

    /// The entry, once it is known to be readable: stored or deflated, at most
    /// [`MAX_LESSON_BYTES`] unpacked (so its data is a few MiB at most). Read its local header
    /// ([`Entry::local_header_range`]), then its data ([`Entry::data_range`]) whole, and give it
    /// to [`read_attached`].
    ///
    /// Errors: why the entry cannot be read ([`BundleError::EntryTooLarge`],
    /// [`BundleError::DamagedEntry`], [`BundleError::Unsupported`]), for
    /// [`AttachedKind::unreadable`].
    pub fn entry(&self) -> Result<&'a Entry, BundleError> {
        self.entry.clone()
    }
}

/// The lesson or hand-in entry of `directory`, if it has one.
///
/// Errors: [`BundleError::LessonAndHandIn`] when it has both (which one would be meant is not
/// known, so the bundle is refused).
pub fn attached_entry(directory: &Directory) -> Result<Option<AttachedEntry<'_>>, BundleError> {
    let (kind, entry) = match (directory.get(LESSON_ENTRY), directory.get(HANDIN_ENTRY)) {
        (Some(_), Some(_)) => return Err(BundleError::LessonAndHandIn),
        (Some(entry), None) => (AttachedKind::Lesson, entry),
        (None, Some(entry)) => (AttachedKind::HandIn, entry),
        (None, None) => return Ok(None),
    };
    let readable = entry
        .method()
        .and_then(|_| entry.check_size(MAX_LESSON_BYTES as u64));
    Ok(Some(AttachedEntry {
        kind,
        entry: readable.map(|()| entry),
    }))
}

/// The document of `kind` in `data`, the data of its `entry` ([`AttachedEntry::entry`]):
/// unpacked, checked against its CRC-32, read as UTF-8 text, then opened as a lesson
/// ([`Lesson::open_json`]) or hand-in ([`HandIn::open_json`]) from a stranger, field by field,
/// with `mix` in place of its starting mix or mix. `mix` is the bundle's session as
/// [`read_session`](super::read_session) made it safe: the one whose files the bundle plans,
/// so that the lesson or hand-in and the bundle play the same mix. A lesson of a newer version
/// is [`LessonError::TooNew`] with `mix` as its starting mix, which can be opened on its own.
pub fn read_attached(kind: AttachedKind, entry: &Entry, data: &[u8], mix: &Session) -> Attached {
    let bytes = match Unpacker::new(entry, MAX_LESSON_BYTES as u64).and_then(|u| u.whole(data)) {
        Ok(bytes) => bytes,
        Err(why) => return kind.unreadable(&why),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return kind.malformed(format!("\"{}\" is not UTF-8 text", entry.name()));
    };
    match kind {
        AttachedKind::Lesson => Attached::Lesson(open_lesson(&text, mix)),
        AttachedKind::HandIn => Attached::HandIn(open_hand_in(&text, mix)),
    }
}

/// The JSON tree of `text` with `mix` as its `key` (when it is an object).
fn with_mix(text: &str, key: &str, mix: &Session) -> Result<serde_json::Value, String> {
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if let Some(object) = value.as_object_mut() {
        let mix = serde_json::to_value(mix).expect("a session always serializes");
        object.insert(key.to_owned(), mix);
    }
    Ok(value)
}

/// The lesson in `text`, its starting mix `mix`.
fn open_lesson(text: &str, mix: &Session) -> Result<IncomingLesson, LessonError> {
    let value = with_mix(text, "start", mix).map_err(LessonError::Malformed)?;
    match Lesson::open_value(value) {
        Ok(mut incoming) => {
            incoming.lesson.start = mix.clone();
            Ok(incoming)
        }
        Err(LessonError::TooNew { found, .. }) => Err(LessonError::TooNew {
            found,
            start: Some(Box::new(Incoming {
                session: mix.clone(),
                refused: Vec::new(),
            })),
        }),
        Err(why) => Err(why),
    }
}

/// The hand-in in `text`, its mix `mix`.
fn open_hand_in(text: &str, mix: &Session) -> Result<IncomingHandIn, HandInError> {
    let value = with_mix(text, "mix", mix).map_err(HandInError::Malformed)?;
    let mut incoming = HandIn::open_value(value)?;
    incoming.hand_in.mix = mix.clone();
    Ok(incoming)
}
