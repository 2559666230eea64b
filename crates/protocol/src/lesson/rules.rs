//! What an incoming lesson may hold. A lesson is written by a stranger as far as Mixroom knows
//! (a link, a bundle), so each field is checked:
//!
//! | field | rule | when it fails |
//! |---|---|---|
//! | id | 1 to [`MAX_ID_BYTES`] of `a-z`, `0-9`, `-`, `_` | the lesson is refused |
//! | title | 1 to [`MAX_TITLE_CHARS`] characters, no control characters (any other Unicode is kept, [`crate::text`]) | “Untitled lesson” |
//! | introduction | at most [`MAX_TEXT_CHARS`] characters, no control characters but newlines | empty |
//! | steps | at most [`MAX_STEPS`]; each like the introduction, not empty | more refuse the lesson; a bad step is left out |
//! | starting mix, reference mix | the session rules of [`crate::validate`] | field by field, as for a session |
//! | reference recording | a URL or a file as a track's source may be | no reference (a file's SHA-256 that is not one: none, the file asked for by name) |
//! | locks | at most [`MAX_LOCKS`] keys of 1 to 32 `a-z`, `0-9`, `_` | more refuse the lesson; a bad key is left out (keys this version does not know are kept: they never match) |
//! | goals | at most [`MAX_GOALS`] | more refuse the lesson |
//! | goal id | like the lesson's id, unique in the lesson | the goal is left out |
//! | goal text | 1 to [`MAX_GOAL_TEXT_CHARS`] characters, one line | the goal is left out |
//! | goal kind | one this version knows, or a newer one's name, written like an id | the goal is left out |
//! | goal strips | names as a strip's name may be | the goal is left out |
//! | ear-training round | a challenge payload: 1 to [`MAX_CHALLENGE_CHARS`] of base64url (what it hides is checked where it is played and judged) | the goal is left out |
//! | goal numbers | finite, within the range of their unit ([`limits`]), `min_*` not above `max_*`, a range with at least one bound, a band whose low edge is below its high edge | the goal is left out |
//!
//! A goal of a kind this version does not know is kept with its id, text and kind's name
//! checked.

use crate::session::{Session, Source};
use crate::validate::{check_source, name_problem, quote, url_problem, Refusal};

use super::{Goal, GoalKind, Lesson, Recording, Reference, StripRef};

/// Longest lesson or goal id, bytes.
pub const MAX_ID_BYTES: usize = 32;
/// Longest title, characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest introduction or step, characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest goal text, characters.
pub const MAX_GOAL_TEXT_CHARS: usize = 300;
/// Most steps in a lesson.
pub const MAX_STEPS: usize = 20;
/// Most goals in a lesson.
pub const MAX_GOALS: usize = 32;
/// Most keys in a lesson's locks.
pub const MAX_LOCKS: usize = 128;

/// The title a lesson gets when its own is refused.
pub const UNTITLED: &str = "Untitled lesson";

/// The ranges goal numbers must lie in, by unit: `(min, max)`.
pub mod limits {
    /// Loudness, LUFS.
    pub const LUFS: (f64, f64) = (-70.0, 0.0);
    /// True peak, dBTP.
    pub const DBTP: (f64, f64) = (-60.0, 6.0);
    /// Loudness range, LU.
    pub const LU: (f64, f64) = (0.0, 60.0);
    /// A level difference, dB.
    pub const DB: (f64, f64) = (-60.0, 60.0);
    /// A gain reduction, dB.
    pub const REDUCTION_DB: (f64, f64) = (0.0, 60.0);
    /// A frequency, Hz.
    pub const HZ: (f64, f64) = (10.0, 24_000.0);
    /// A share, percent.
    pub const PERCENT: (f64, f64) = (0.0, 1_000.0);
    /// A correlation.
    pub const CORRELATION: (f64, f64) = (-1.0, 1.0);
    /// A tonal-balance tolerance, dB.
    pub const TOLERANCE_DB: (f64, f64) = (0.0, 40.0);
    /// An ear-training score, points.
    pub const POINTS: (f64, f64) = (0.0, 10.0);
}

/// Longest challenge payload a goal holds, characters.
pub const MAX_CHALLENGE_CHARS: usize = 1_024;

/// Why `payload` cannot be a challenge, if it cannot.
fn payload_problem(payload: &str) -> Option<String> {
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    (payload.is_empty() || payload.len() > MAX_CHALLENGE_CHARS || !payload.bytes().all(base64url))
        .then(|| format!("its round is not 1 to {MAX_CHALLENGE_CHARS} characters of base64url"))
}

/// Why `id` is not a lesson or goal id, if it is not.
pub fn id_problem(id: &str) -> Option<String> {
    let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    if id.is_empty() || id.len() > MAX_ID_BYTES || !id.bytes().all(valid) {
        Some(format!(
            "{} is not 1 to {MAX_ID_BYTES} of a-z, 0-9, - and _",
            quote(id)
        ))
    } else {
        None
    }
}

/// Why `text` is not a plain text of at most `max_chars` characters, if it is not
/// (`lines`: newlines allowed; `required`: not empty).
pub fn text_problem(text: &str, max_chars: usize, lines: bool, required: bool) -> Option<String> {
    let chars = text.chars().count();
    if required && text.trim().is_empty() {
        Some("it is empty".to_owned())
    } else if chars > max_chars {
        Some(format!(
            "it is {chars} characters long (at most {max_chars})"
        ))
    } else if text
        .chars()
        .any(|c| c.is_control() && !(lines && c == '\n'))
    {
        Some(format!("{} has control characters", quote(text)))
    } else {
        None
    }
}

/// Checks `lesson` and makes every field follow the rules, in place; says what it refused.
/// What cannot be mended field by field refuses the whole lesson.
pub fn make_safe(lesson: &mut Lesson) -> Result<Vec<Refusal>, super::LessonError> {
    use super::LessonError;
    if let Some(why) = id_problem(&lesson.id) {
        return Err(LessonError::BadId(why));
    }
    for (what, found, max) in [
        ("steps", lesson.steps.len(), MAX_STEPS),
        ("goals", lesson.goals.len(), MAX_GOALS),
        (
            "locked settings",
            lesson.locks.as_ref().map_or(0, Vec::len),
            MAX_LOCKS,
        ),
    ] {
        if found > max {
            return Err(LessonError::TooMany { what, found, max });
        }
    }
    let mut refused = Vec::new();
    let mut refuse = |field: String, why: String| refused.push(Refusal { field, why });
    if let Some(problem) = text_problem(&lesson.title, MAX_TITLE_CHARS, false, true) {
        refuse(
            "the lesson's title".to_owned(),
            format!("{problem}; it is called “{UNTITLED}”"),
        );
        lesson.title = UNTITLED.to_owned();
    }
    if let Some(problem) = text_problem(&lesson.introduction, MAX_TEXT_CHARS, true, false) {
        refuse(
            "the lesson's introduction".to_owned(),
            format!("{problem}; the lesson has none"),
        );
        lesson.introduction.clear();
    }
    let mut step = 0;
    lesson.steps.retain(|text| {
        step += 1;
        let problem = text_problem(text, MAX_TEXT_CHARS, true, true);
        if let Some(problem) = &problem {
            refuse(format!("step {step}"), format!("{problem}; it is left out"));
        }
        problem.is_none()
    });
    let start = lesson
        .start
        .clone()
        .incoming()
        .map_err(LessonError::Start)?;
    lesson.start = start.session;
    for refusal in start.refused {
        refuse(format!("the starting mix, {}", refusal.field), refusal.why);
    }
    if let Some(locks) = &mut lesson.locks {
        locks.retain(|key| {
            let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
            let good = !key.is_empty() && key.len() <= 32 && key.bytes().all(valid);
            if !good {
                refuse(
                    "the lesson's locks".to_owned(),
                    format!("{} is not a setting's key; it is left out", quote(key)),
                );
            }
            good
        });
    }
    match &mut lesson.reference {
        Some(Reference::Mix(mix)) => {
            let incoming = mix.clone().incoming().map_err(LessonError::Reference)?;
            *mix = incoming.session;
            for refusal in incoming.refused {
                refuse(format!("the reference mix, {}", refusal.field), refusal.why);
            }
        }
        Some(Reference::Recording(recording)) => {
            let mut checksum = Vec::new();
            match recording_problem(recording, &mut checksum) {
                Some(problem) => {
                    refuse(
                        "the reference recording".to_owned(),
                        format!("{problem}; the lesson has no reference"),
                    );
                    lesson.reference = None;
                }
                None => {
                    for refusal in checksum {
                        refuse(refusal.field, refusal.why);
                    }
                }
            }
        }
        None => {}
    }
    let mut ids: Vec<String> = Vec::new();
    let mut number = 0;
    lesson.goals.retain(|goal| {
        number += 1;
        let problem = goal_problem(goal, &ids, &lesson.start);
        match &problem {
            Some(problem) => refuse(
                format!("goal {number}"),
                format!("{problem}; the goal is left out"),
            ),
            None => ids.push(goal.id.clone()),
        }
        problem.is_none()
    });
    Ok(refused)
}

/// Why `recording` cannot be kept, if it cannot; a file's SHA-256 that is not one is dropped on
/// its own, with a refusal in `refused`.
fn recording_problem(recording: &mut Recording, refused: &mut Vec<Refusal>) -> Option<String> {
    match recording {
        Recording::Url(url) => url_problem(url),
        Recording::File(file) => {
            let mut source = Source::File(file.clone());
            match check_source(&mut source, "the reference recording", refused) {
                Err(why) => Some(why),
                Ok(()) => {
                    if let Source::File(checked) = source {
                        *file = checked;
                    }
                    None
                }
            }
        }
    }
}

/// Why `goal` cannot be kept, if it cannot (`ids`: the ids of the goals kept before it;
/// `start`: the lesson's starting mix).
fn goal_problem(goal: &Goal, ids: &[String], start: &Session) -> Option<String> {
    if let Some(why) = id_problem(&goal.id) {
        return Some(format!("its id {why}"));
    }
    if ids.contains(&goal.id) {
        return Some(format!("its id “{}” is taken by an earlier goal", goal.id));
    }
    if let Some(why) = text_problem(&goal.text, MAX_GOAL_TEXT_CHARS, false, true) {
        return Some(format!("its text: {why}"));
    }
    if let GoalKind::Unknown { kind, .. } = &goal.kind {
        // The student is shown it (“this goal (…) is of a newer Mixroom”), and a newer
        // Mixroom names its kinds as this one does.
        if let Some(why) = id_problem(kind) {
            return Some(format!("its kind {why}"));
        }
    }
    for strip in goal.kind.strips() {
        if let Some(why) = strip.name().and_then(name_problem) {
            return Some(format!("it names a strip badly: {why}"));
        }
        let shared = strip.positions_in(start).len();
        if shared > 1 {
            return Some(format!(
                "it names {}, which {shared} strips of the starting mix are called (a goal \
                 measures one)",
                strip.describe()
            ));
        }
    }
    if goal.kind.contributions().contains(&&StripRef::Master) {
        return Some("it measures what the master adds to the mix, which is the mix".to_owned());
    }
    if let GoalKind::ReturnLevel { aux, .. } = &goal.kind {
        if !matches!(aux, StripRef::Return(_)) {
            return Some(format!(
                "it names {}, which is not a return",
                aux.describe()
            ));
        }
    }
    numbers_problem(&goal.kind)
}

/// A number for a message: `-12.5`, or `1e300` for one far out of range.
fn number(value: f64) -> String {
    if value.abs() < 1e7 {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// Why the numbers of a goal are not valid, if they are not.
fn numbers_problem(kind: &GoalKind) -> Option<String> {
    use limits::*;
    let range = |name: &str, min: Option<f64>, max: Option<f64>, (lo, hi): (f64, f64)| {
        for value in [min, max].into_iter().flatten() {
            if !(lo..=hi).contains(&value) {
                return Some(format!(
                    "its {name} {} is not from {lo} to {hi}",
                    number(value)
                ));
            }
        }
        match (min, max) {
            (None, None) => Some(format!(
                "its {name} range has neither a minimum nor a maximum"
            )),
            (Some(min), Some(max)) if min > max => Some(format!(
                "its {name} minimum {min} is above its maximum {max}"
            )),
            _ => None,
        }
    };
    let one = |name: &str, value: f64, limits: (f64, f64)| range(name, Some(value), None, limits);
    match kind {
        GoalKind::Loudness { min_lufs, max_lufs } => range("loudness", *min_lufs, *max_lufs, LUFS),
        GoalKind::TruePeak { max_dbtp } => one("true peak", *max_dbtp, DBTP),
        GoalKind::LoudnessRange { min_lu, max_lu } => range("loudness range", *min_lu, *max_lu, LU),
        GoalKind::RelativeLevel { min_db, max_db, .. }
        | GoalKind::Crest { min_db, max_db }
        | GoalKind::ReturnLevel { min_db, max_db, .. } => range("level", *min_db, *max_db, DB),
        GoalKind::BandBalance {
            low_hz,
            high_hz,
            min_db,
            max_db,
            ..
        } => one("low edge", *low_hz, HZ)
            .or_else(|| one("high edge", *high_hz, HZ))
            .or_else(|| {
                (low_hz >= high_hz)
                    .then(|| format!("its band is empty: {low_hz} Hz is not below {high_hz} Hz"))
            })
            .or_else(|| range("level", *min_db, *max_db, DB)),
        GoalKind::Masking { max_percent, .. } => one("masking", *max_percent, (0.0, 100.0)),
        GoalKind::Width {
            min_percent,
            max_percent,
            ..
        } => range("width", *min_percent, *max_percent, PERCENT),
        GoalKind::Correlation { min } => one("correlation", *min, CORRELATION),
        GoalKind::MonoBass {
            below_hz,
            min_correlation,
        } => one("frequency", *below_hz, HZ)
            .or_else(|| one("correlation", *min_correlation, CORRELATION)),
        GoalKind::TonalBalance { tolerance_db, .. } => {
            one("tolerance", *tolerance_db, TOLERANCE_DB)
        }
        GoalKind::GainReduction { min_db, max_db, .. } => {
            range("gain reduction", *min_db, *max_db, REDUCTION_DB)
        }
        GoalKind::EarChallenge {
            challenge,
            min_points,
        } => one("points", *min_points, POINTS).or_else(|| payload_problem(challenge)),
        GoalKind::Unknown { .. } => None,
    }
}
