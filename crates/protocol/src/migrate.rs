//! Session migrations: each older schema version is lifted one version at a time, on the JSON
//! tree, until it reads as the current [`Session`](crate::session::Session).

use serde_json::{Map, Value};

/// Current session schema version: where the migrations end.
pub const SESSION_VERSION: u32 = 2;

/// Why a session's JSON cannot be lifted to [`SESSION_VERSION`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrateError {
    /// Its version is missing or not a positive whole number.
    Malformed(&'static str),
    /// Written by a newer Mixroom.
    TooNew {
        /// The version found.
        found: u32,
    },
}

/// The `version` of a versioned JSON document (a session, a lesson, a hand-in), or why it has
/// none: not an object, no `version`, or one that is not a positive whole number.
pub(crate) fn version_of(value: &Value) -> Result<u64, &'static str> {
    value
        .as_object()
        .ok_or("expected a JSON object")?
        .get("version")
        .ok_or("it has no \"version\"")?
        .as_u64()
        .filter(|&v| v >= 1)
        .ok_or("its \"version\" is not a positive whole number")
}

/// Lifts a session of any version this build knows to [`SESSION_VERSION`]; refuses a newer
/// one, and one whose version is missing or not a positive whole number.
pub fn to_current(mut value: Value) -> Result<Value, MigrateError> {
    let version = version_of(&value).map_err(MigrateError::Malformed)?;
    if version > u64::from(SESSION_VERSION) {
        return Err(MigrateError::TooNew {
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    if version == 1 {
        value = v1_to_v2(value);
    }
    Ok(value)
}

/// Version 1 named a file by a bare path: `{"file": "bass.wav"}` becomes
/// `{"file": {"path": "bass.wav"}}`. The transport section is new (its default loops the song).
fn v1_to_v2(mut value: Value) -> Value {
    let object = value.as_object_mut().expect("checked by to_current");
    if let Some(Value::Array(tracks)) = object.get_mut("tracks") {
        for track in tracks {
            let source = track.get_mut("source").and_then(|s| s.get_mut("file"));
            if let Some(file) = source {
                if let Value::String(path) = file {
                    let mut lifted = Map::new();
                    lifted.insert("path".to_owned(), Value::String(std::mem::take(path)));
                    *file = Value::Object(lifted);
                }
            }
        }
    }
    object.insert("version".to_owned(), Value::from(2));
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_odd_versions_are_refused() {
        for text in [
            r#"{"tracks": []}"#,
            r#"{"version": 0, "tracks": []}"#,
            r#"{"version": -1, "tracks": []}"#,
            r#"{"version": "2", "tracks": []}"#,
            r#"{"version": 1.5, "tracks": []}"#,
            "[]",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let err = to_current(value).unwrap_err();
            assert!(matches!(err, MigrateError::Malformed(_)), "{text}: {err:?}");
        }
        let value = serde_json::from_str(r#"{"version": 99999999999, "tracks": []}"#).unwrap();
        assert_eq!(
            to_current(value),
            Err(MigrateError::TooNew { found: u32::MAX })
        );
    }
}
