//! The mixes kept in this browser: each tab's mix, the ones it replaced, and the ones that could
//! not be opened (set aside, untouched, until the user downloads or discards them).

use mixroom_protocol::lesson::EarAnswer;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::idb::{Store, StoreError, ASIDE, LEGACY_SESSIONS, MIXES};

/// A kept mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MixRecord {
    /// Its id (a random UUID), also its key.
    pub id: String,
    /// What the user knows it by ("Demo song", "Shared mix", a project's file name).
    pub name: String,
    /// When it was last saved, ms since 1970 (UTC).
    pub saved_at_ms: f64,
    /// How many tracks it has.
    pub tracks: usize,
    /// The session, as JSON.
    pub session: String,
    /// The hosts the user agreed to fetch its audio from.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// The lesson the mix answers, as JSON, if it was opened from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// What the student answered to the lesson's ear-training goals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<EarAnswer>,
    /// Opened from somebody else (a link, a lesson, a hand-in, a project) and not changed
    /// since: such mixes are the ones housekeeping forgets. A record written before this field
    /// reads as worked on, so it is never forgotten without asking.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untouched: bool,
    /// When the user last worked on it (changed it, or went back to it), ms since 1970 (UTC);
    /// 0 in records written before this field (their `saved_at_ms` stands in).
    #[serde(default)]
    pub worked_at_ms: f64,
}

impl MixRecord {
    /// When the user last worked on this mix, ms since 1970 (UTC); `None` if they never did
    /// (opened from somebody else and untouched).
    pub fn worked_at(&self) -> Option<f64> {
        let at = if self.worked_at_ms > 0.0 {
            self.worked_at_ms
        } else {
            self.saved_at_ms
        };
        (!self.untouched).then_some(at)
    }
}

/// A mix that could not be opened, kept as it was found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsideRecord {
    /// The id it had (or a new one), also its key.
    pub id: String,
    /// What the user knew it by, when that could be read.
    pub name: String,
    /// Why it could not be opened, for the user.
    pub reason: String,
    /// When it was set aside, ms since 1970 (UTC).
    pub set_aside_at_ms: f64,
    /// The stored text, untouched.
    pub text: String,
}

/// A stored mix as read: the record, or the text that does not read as one.
pub enum Kept {
    /// A record.
    Mix(MixRecord),
    /// Stored text that is not a record (damaged), with its key.
    Unreadable {
        /// Its key.
        id: String,
        /// What is stored.
        text: String,
    },
}

/// Now, ms since 1970 (UTC).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn as_text(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_default()
}

impl Store {
    /// Stores `record` under its id.
    pub async fn put_mix(&self, record: &MixRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).expect("a record always serializes");
        self.put(MIXES, &record.id, &json.into()).await
    }

    /// The mix with `id`, if it is kept.
    pub async fn get_mix(&self, id: &str) -> Result<Option<Kept>, StoreError> {
        let value = self.get(MIXES, id).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        Ok(Some(read_kept(id, &value)))
    }

    /// Every kept mix, newest first (unreadable ones last).
    pub async fn mixes(&self) -> Result<Vec<Kept>, StoreError> {
        let mut kept: Vec<Kept> = self
            .entries(MIXES)
            .await?
            .iter()
            .map(|(id, value)| read_kept(id, value))
            .collect();
        let time = |k: &Kept| match k {
            Kept::Mix(m) => m.saved_at_ms,
            Kept::Unreadable { .. } => f64::NEG_INFINITY,
        };
        kept.sort_by(|a, b| time(b).total_cmp(&time(a)));
        Ok(kept)
    }

    /// Forgets the mix with `id`.
    pub async fn delete_mix(&self, id: &str) -> Result<(), StoreError> {
        self.delete(MIXES, id).await
    }

    /// Keeps `record` aside.
    pub async fn put_aside(&self, record: &AsideRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).expect("a record always serializes");
        self.put(ASIDE, &record.id, &json.into()).await
    }

    /// Every mix set aside, newest first.
    pub async fn aside(&self) -> Result<Vec<AsideRecord>, StoreError> {
        let mut records: Vec<AsideRecord> = self
            .entries(ASIDE)
            .await?
            .iter()
            .map(|(id, value)| {
                let text = as_text(value);
                serde_json::from_str(&text).unwrap_or(AsideRecord {
                    id: id.clone(),
                    name: String::new(),
                    reason: "it is damaged".to_owned(),
                    set_aside_at_ms: 0.0,
                    text,
                })
            })
            .collect();
        records.sort_by(|a, b| b.set_aside_at_ms.total_cmp(&a.set_aside_at_ms));
        Ok(records)
    }

    /// Forgets the mix set aside under `id`.
    pub async fn delete_aside(&self, id: &str) -> Result<(), StoreError> {
        self.delete(ASIDE, id).await
    }

    /// Moves `id` from the kept mixes to the ones set aside, with `reason`.
    pub async fn set_aside(
        &self,
        id: &str,
        name: &str,
        text: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.put_aside(&AsideRecord {
            id: id.to_owned(),
            name: name.to_owned(),
            reason: reason.to_owned(),
            set_aside_at_ms: now_ms(),
            text: text.to_owned(),
        })
        .await?;
        self.delete_mix(id).await
    }

    /// Version 1's mixes (`current`, `previous` and `damaged` in `sessions`), by key: the
    /// caller keeps them in the new stores, then [`Store::forget_legacy`]s them.
    pub async fn legacy_sessions(&self) -> Result<Vec<(String, String)>, StoreError> {
        if !self.has_legacy_sessions() {
            return Ok(Vec::new());
        }
        Ok(self
            .entries(LEGACY_SESSIONS)
            .await?
            .iter()
            .map(|(key, value)| (key.clone(), as_text(value)))
            .collect())
    }

    /// Deletes version 1's mix under `key`.
    pub async fn forget_legacy(&self, key: &str) -> Result<(), StoreError> {
        self.delete(LEGACY_SESSIONS, key).await
    }
}

fn read_kept(id: &str, value: &JsValue) -> Kept {
    let text = as_text(value);
    match serde_json::from_str::<MixRecord>(&text) {
        Ok(record) if record.id == id => Kept::Mix(record),
        _ => Kept::Unreadable {
            id: id.to_owned(),
            text,
        },
    }
}
