//! A small promise-based view of IndexedDB: one database, `mixroom`, with two object stores:
//! `sessions` (session JSON by name: "current", "previous") and `audio` (imported files as
//! Blobs, by the SHA-256 of their bytes).
//!
//! Writes resolve when their transaction has committed, so a full quota shows up as
//! [`StoreError::Full`] instead of being dropped silently.

use std::fmt;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "mixroom";
const DB_VERSION: u32 = 1;
const SESSIONS: &str = "sessions";
const AUDIO: &str = "audio";

/// Why the browser's storage could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// The browser refuses storage (private mode, disabled, or blocked).
    Unavailable(String),
    /// The storage quota is used up.
    Full,
    /// Any other failure, with the browser's reason.
    Failed(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(why) => {
                write!(
                    f,
                    "this browser does not let Mixroom store anything ({why})"
                )
            }
            StoreError::Full => write!(f, "the browser's storage for this site is full"),
            StoreError::Failed(why) => write!(f, "the browser's storage failed ({why})"),
        }
    }
}

impl StoreError {
    fn from_js(error: &JsValue) -> StoreError {
        let name = js_sys::Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        if name == "QuotaExceededError" {
            StoreError::Full
        } else {
            StoreError::Failed(crate::audio::describe(error))
        }
    }
}

/// The open database.
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

/// Resolves with the request's result, or rejects with its error.
fn request_done(request: &IdbRequest) -> Promise {
    let request = request.clone();
    Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::UNDEFINED, &ok.result().unwrap_or(JsValue::NULL));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::NULL, Into::into);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    })
}

/// Resolves when the transaction commits; rejects with its error when it aborts.
fn transaction_done(transaction: &IdbTransaction) -> Promise {
    let transaction = transaction.clone();
    Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        // A failed request aborts the transaction; the abort carries the error.
        let failed = transaction.clone();
        let on_abort = Closure::once_into_js(move || {
            let error = failed.error().map_or(JsValue::NULL, Into::into);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    })
}

impl Store {
    /// Opens (creating on first use) the database.
    pub async fn open() -> Result<Store, StoreError> {
        let unavailable = |e: JsValue| StoreError::Unavailable(crate::audio::describe(&e));
        let factory = web_sys::window()
            .ok_or_else(|| StoreError::Unavailable("no window".into()))?
            .indexed_db()
            .map_err(unavailable)?
            .ok_or_else(|| StoreError::Unavailable("no IndexedDB".into()))?;
        let request = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(unavailable)?;
        let upgrading = request.clone();
        let on_upgrade = Closure::once_into_js(move || {
            if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                let names = db.object_store_names();
                for store in [SESSIONS, AUDIO] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = JsFuture::from(request_done(&request))
            .await
            .map_err(unavailable)?
            .dyn_into::<IdbDatabase>()
            .map_err(unavailable)?;
        Ok(Store { db })
    }

    /// The open database as a JS value (to hand through a promise).
    pub fn into_js(self) -> JsValue {
        self.db.into()
    }

    /// The store of a database handed through [`Store::into_js`].
    pub fn from_js(db: JsValue) -> Option<Store> {
        db.dyn_into::<IdbDatabase>().ok().map(|db| Store { db })
    }

    fn store(
        &self,
        name: &str,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), StoreError> {
        let failed = |e: JsValue| StoreError::from_js(&e);
        let transaction = self
            .db
            .transaction_with_str_and_mode(name, mode)
            .map_err(failed)?;
        let store = transaction.object_store(name).map_err(failed)?;
        Ok((transaction, store))
    }

    async fn put(&self, name: &str, key: &str, value: &JsValue) -> Result<(), StoreError> {
        let (transaction, store) = self.store(name, IdbTransactionMode::Readwrite)?;
        let done = transaction_done(&transaction);
        store
            .put_with_key(value, &key.into())
            .map_err(|e| StoreError::from_js(&e))?;
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::from_js(&e))
    }

    async fn get(&self, name: &str, key: &str) -> Result<JsValue, StoreError> {
        let (_, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store
            .get(&key.into())
            .map_err(|e| StoreError::from_js(&e))?;
        JsFuture::from(request_done(&request))
            .await
            .map_err(|e| StoreError::from_js(&e))
    }

    /// Stores session JSON under `key`.
    pub async fn put_session(&self, key: &str, json: &str) -> Result<(), StoreError> {
        self.put(SESSIONS, key, &json.into()).await
    }

    /// The session JSON stored under `key`, if any.
    pub async fn get_session(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get(SESSIONS, key).await?.as_string())
    }

    /// Stores an audio file's bytes under its SHA-256.
    pub async fn put_audio(&self, sha256: &str, blob: &Blob) -> Result<(), StoreError> {
        self.put(AUDIO, sha256, blob).await
    }

    /// The audio file stored under `sha256`, if any.
    pub async fn get_audio(&self, sha256: &str) -> Result<Option<Blob>, StoreError> {
        Ok(self.get(AUDIO, sha256).await?.dyn_into::<Blob>().ok())
    }

    /// The SHA-256 keys of every stored audio file.
    pub async fn audio_keys(&self) -> Result<Vec<String>, StoreError> {
        let (_, store) = self.store(AUDIO, IdbTransactionMode::Readonly)?;
        let request = store.get_all_keys().map_err(|e| StoreError::from_js(&e))?;
        let keys = JsFuture::from(request_done(&request))
            .await
            .map_err(|e| StoreError::from_js(&e))?;
        Ok(keys
            .dyn_into::<Array>()
            .map(|a| a.iter().filter_map(|k| k.as_string()).collect())
            .unwrap_or_default())
    }

    /// Deletes the audio file stored under `sha256`.
    pub async fn delete_audio(&self, sha256: &str) -> Result<(), StoreError> {
        let (transaction, store) = self.store(AUDIO, IdbTransactionMode::Readwrite)?;
        let done = transaction_done(&transaction);
        store
            .delete(&sha256.into())
            .map_err(|e| StoreError::from_js(&e))?;
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::from_js(&e))
    }
}
