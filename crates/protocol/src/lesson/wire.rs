//! Lesson and hand-in links: `…/#lesson=PAYLOAD` and `…/#handin=PAYLOAD`.
//!
//! `PAYLOAD` is base64url without padding (RFC 4648 §5) of one format byte
//! ([`LESSON_LINK_FORMAT`]) followed by a zlib stream (RFC 1950) of the lesson's (or
//! hand-in's) compact JSON. JSON rather than the mix link's binary form keeps goals of kinds
//! this version does not know as they came, so a lesson made by a newer Mixroom travels
//! through an older one unchanged. The decompressed JSON is bounded by [`MAX_LESSON_BYTES`].
//! Opening a link checks it as [`Lesson::open_json`] / [`HandIn::open_json`] do.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;

use super::MAX_LESSON_BYTES;
use super::{HandIn, HandInError, IncomingHandIn, IncomingLesson, Lesson, LessonError};
use crate::link::{decode_base64, find_payload_for, LinkError};

/// The link format this build writes and the newest it reads: the first byte of the payload.
pub const LESSON_LINK_FORMAT: u8 = 1;
/// The fragment key of a lesson link: `…#lesson=PAYLOAD`.
pub const LESSON_KEY: &str = "lesson=";
/// The fragment key of a hand-in link: `…#handin=PAYLOAD`.
pub const HANDIN_KEY: &str = "handin=";

/// Format bytes above [`LESSON_LINK_FORMAT`] up to this one are a newer Mixroom's.
const NEWEST_PLAUSIBLE_FORMAT: u8 = 15;

/// zlib level: the best compression.
const ZLIB_LEVEL: u8 = 10;

/// Why a lesson or hand-in link could not be opened.
#[derive(Clone, Debug, PartialEq)]
pub enum WireError {
    /// Empty, not base64url, or not made by Mixroom.
    NotALink,
    /// The link was cut off.
    Truncated,
    /// The link was changed after it was made, or holds more than [`MAX_LESSON_BYTES`].
    Damaged,
    /// Made by a newer Mixroom's link format.
    TooNew,
    /// The link is intact but the lesson in it is refused.
    Lesson(LessonError),
    /// The link is intact but the hand-in in it is refused.
    HandIn(HandInError),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::NotALink => write!(f, "this is not a Mixroom lesson or hand-in link"),
            WireError::Truncated => {
                write!(f, "this link is cut off; copy the whole link and try again")
            }
            WireError::Damaged => {
                write!(f, "this link is damaged: it was changed after it was made")
            }
            WireError::TooNew => write!(
                f,
                "this link was made by a newer Mixroom; update Mixroom to open it"
            ),
            WireError::Lesson(why) => write!(f, "the lesson in this link cannot be opened: {why}"),
            WireError::HandIn(why) => {
                write!(f, "the hand-in in this link cannot be opened: {why}")
            }
        }
    }
}

impl std::error::Error for WireError {}

/// The link payload (no URL, no key) of `lesson`.
pub fn encode_lesson(lesson: &Lesson) -> String {
    encode(&serde_json::to_string(lesson).expect("a lesson always serializes"))
}

/// The link payload (no URL, no key) of `hand_in`.
pub fn encode_hand_in(hand_in: &HandIn) -> String {
    encode(&serde_json::to_string(hand_in).expect("a hand-in always serializes"))
}

/// The lesson in `text`: a payload alone, a fragment (`#lesson=…`) or a whole URL; checked as
/// [`Lesson::open_json`] checks it.
pub fn open_lesson(text: &str) -> Result<IncomingLesson, WireError> {
    let json = decode(find_payload_for(text, LESSON_KEY))?;
    Lesson::open_json(&json).map_err(WireError::Lesson)
}

/// The hand-in in `text`: a payload alone, a fragment (`#handin=…`) or a whole URL; checked
/// as [`HandIn::open_json`] checks it.
pub fn open_hand_in(text: &str) -> Result<IncomingHandIn, WireError> {
    let json = decode(find_payload_for(text, HANDIN_KEY))?;
    HandIn::open_json(&json).map_err(WireError::HandIn)
}

fn encode(json: &str) -> String {
    let mut bytes = vec![LESSON_LINK_FORMAT];
    bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        json.as_bytes(),
        ZLIB_LEVEL,
    ));
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode(payload: &str) -> Result<String, WireError> {
    let payload: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = decode_base64(&payload).map_err(|e| match e {
        LinkError::NotALink => WireError::NotALink,
        _ => WireError::Damaged,
    })?;
    let (&format, compressed) = bytes.split_first().ok_or(WireError::NotALink)?;
    if format != LESSON_LINK_FORMAT {
        return Err(
            if (LESSON_LINK_FORMAT + 1..=NEWEST_PLAUSIBLE_FORMAT).contains(&format) {
                WireError::TooNew
            } else {
                WireError::NotALink
            },
        );
    }
    let body =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, MAX_LESSON_BYTES)
            .map_err(|e| match e.status {
                TINFLStatus::FailedCannotMakeProgress => WireError::Truncated,
                _ => WireError::Damaged,
            })?;
    String::from_utf8(body).map_err(|_| WireError::Damaged)
}
