//! Lesson migrations, on the JSON tree: the lesson's own version is lifted one version at a
//! time to [`LESSON_VERSION`] (version 1 is the first: nothing to lift yet), and the sessions
//! inside it (the starting mix, a reference mix) are lifted by the session migrations.

use serde_json::Value;

use super::{LessonError, LESSON_VERSION};
use crate::session::{Session, SessionError};
use crate::validate::Incoming;

/// Lifts a lesson of any version this build knows to [`LESSON_VERSION`], its sessions to the
/// current session version; refuses a newer lesson (with its starting mix, if readable), and
/// one whose version is missing or not a positive whole number.
pub fn to_current(mut value: Value) -> Result<Value, LessonError> {
    let version =
        crate::migrate::version_of(&value).map_err(|why| LessonError::Malformed(why.to_owned()))?;
    if version > u64::from(LESSON_VERSION) {
        let start = value
            .get_mut("start")
            .map(Value::take)
            .and_then(|start| read_session(start).ok())
            .map(Box::new);
        return Err(LessonError::TooNew {
            found: u32::try_from(version).unwrap_or(u32::MAX),
            start,
        });
    }
    let object = value.as_object_mut().expect("checked above");
    if let Some(start) = object.get_mut("start") {
        *start =
            crate::migrate::to_current(start.take()).map_err(|e| LessonError::Start(e.into()))?;
    }
    if let Some(mix) = object.get_mut("reference").and_then(|r| r.get_mut("mix")) {
        *mix =
            crate::migrate::to_current(mix.take()).map_err(|e| LessonError::Reference(e.into()))?;
    }
    Ok(value)
}

/// A session of any known version from its JSON tree, checked and made safe.
pub fn read_session(value: Value) -> Result<Incoming, SessionError> {
    let value = crate::migrate::to_current(value)?;
    let session: Session =
        serde_json::from_value(value).map_err(|e| SessionError::Malformed(e.to_string()))?;
    session.incoming()
}
