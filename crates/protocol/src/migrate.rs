//! Session migrations: each older schema version is lifted one version at a time, on the JSON
//! tree, until it reads as the current [`Session`](crate::session::Session).

use serde_json::{Map, Value};

use crate::session::{SessionError, SESSION_VERSION};

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
pub fn to_current(mut value: Value) -> Result<Value, SessionError> {
    let version = version_of(&value).map_err(|why| SessionError::Malformed(why.to_owned()))?;
    if version > u64::from(SESSION_VERSION) {
        return Err(SessionError::TooNew {
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    if version == 1 {
        value = v1_to_v2(value)?;
    }
    Ok(value)
}

/// Version 1 named a file by a bare path: `{"file": "bass.wav"}` becomes
/// `{"file": {"path": "bass.wav"}}`. The transport section is new (its default loops the song).
fn v1_to_v2(mut value: Value) -> Result<Value, SessionError> {
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
    Ok(value)
}

#[cfg(test)]
mod tests {
    use crate::session::{FileSource, Session, SessionError, Source};

    /// A session as version 1 wrote it.
    const V1: &str = r#"{ "version": 1,
        "tracks": [
            { "name": "Bass", "source": { "file": "stems/bass.wav" },
              "params": { "gain_db": -6.0 } },
            { "name": "Kick", "source": { "demo": "kick" } } ],
        "master": { "params": { "gain_db": -1.5 } } }"#;

    #[test]
    fn version_1_migrates_with_every_value_kept() {
        let session = Session::from_json(V1).unwrap();
        assert_eq!(session.version, 2);
        assert_eq!(
            session.tracks[0].source,
            Source::File(FileSource {
                path: "stems/bass.wav".into(),
                sha256: None
            })
        );
        assert_eq!(session.tracks[0].source_name(), "bass.wav");
        assert_eq!(session.tracks[0].strip.params["gain_db"], -6.0);
        assert_eq!(session.tracks[1].source, Source::Demo("kick".into()));
        assert_eq!(session.master.params["gain_db"], -1.5);
        assert_eq!(session.transport, Default::default());
        assert_eq!(Session::from_json(&session.to_json()).unwrap(), session);
    }

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
            let err = Session::from_json(text).unwrap_err();
            assert!(matches!(err, SessionError::Malformed(_)), "{text}: {err}");
        }
        let err = Session::from_json(r#"{"version": 99999999999, "tracks": []}"#).unwrap_err();
        assert_eq!(err, SessionError::TooNew { found: u32::MAX });
    }
}
