//! A small promise-based view of IndexedDB: one database, `mixroom`, version 2, with these
//! object stores:
//!
//! | store | key | value |
//! |---|---|---|
//! | `mixes` | mix id | a kept mix ([`MixRecord`](super::MixRecord) as JSON) |
//! | `aside` | mix id | a mix that could not be opened, kept untouched ([`AsideRecord`](super::AsideRecord) as JSON) |
//! | `audio` | SHA-256 of the file's bytes | an imported file, as a Blob |
//! | `sessions` | `current`, `previous`, `damaged` | version 1's mixes: moved into `mixes` and `aside` on the first start of version 2, then empty |
//!
//! Writes resolve when their transaction has committed, so a full quota shows up as
//! [`StoreError::Full`] instead of being dropped silently. Another tab that opens a newer
//! version of the database makes this one close its connection (`versionchange`): every call
//! after that fails with [`StoreError::Closed`], and the page says to reload.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "mixroom";
const DB_VERSION: u32 = 2;
/// Kept mixes by id.
pub const MIXES: &str = "mixes";
/// Mixes set aside by id.
pub const ASIDE: &str = "aside";
/// Imported files by SHA-256.
pub const AUDIO: &str = "audio";
/// Version 1's sessions.
pub const LEGACY_SESSIONS: &str = "sessions";

/// Why the browser's storage could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreError {
    /// The browser refuses storage (private mode, disabled, or blocked).
    Unavailable(String),
    /// The storage quota is used up.
    Full,
    /// Another tab opened a newer version of Mixroom's storage; this tab let go of it.
    Closed,
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
            StoreError::Closed => write!(
                f,
                "a newer Mixroom opened in another tab, so this tab stopped saving; reload it"
            ),
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
    closed: Rc<Cell<bool>>,
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
    /// Opens (creating or upgrading on first use) the database. `on_blocked` runs when another
    /// tab holds an older version open and does not let go (the open waits for it);
    /// `on_closed` runs when another tab opens a newer version later (this connection closes).
    pub async fn open(
        on_blocked: impl FnOnce() + 'static,
        on_closed: impl FnOnce() + 'static,
    ) -> Result<Store, StoreError> {
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
                for store in [MIXES, ASIDE, AUDIO] {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let blocked = Closure::once_into_js(on_blocked);
        request.set_onblocked(Some(blocked.unchecked_ref()));
        let db = JsFuture::from(request_done(&request))
            .await
            .map_err(unavailable)?
            .dyn_into::<IdbDatabase>()
            .map_err(unavailable)?;
        let closed = Rc::new(Cell::new(false));
        let closing = db.clone();
        let flag = Rc::clone(&closed);
        let on_version_change = Closure::once_into_js(move || {
            closing.close();
            flag.set(true);
            on_closed();
        });
        db.set_onversionchange(Some(on_version_change.unchecked_ref()));
        Ok(Store { db, closed })
    }

    /// Whether this tab let go of the database for a newer version in another tab.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    fn transaction(
        &self,
        names: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, StoreError> {
        if self.closed.get() {
            return Err(StoreError::Closed);
        }
        let list: Array = names.iter().map(|n| JsValue::from_str(n)).collect();
        self.db
            .transaction_with_str_sequence_and_mode(&list, mode)
            .map_err(|e| StoreError::from_js(&e))
    }

    fn store(
        &self,
        name: &str,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), StoreError> {
        let transaction = self.transaction(&[name], mode)?;
        let store = transaction
            .object_store(name)
            .map_err(|e| StoreError::from_js(&e))?;
        Ok((transaction, store))
    }

    /// Stores `value` under `key` in `name`.
    pub async fn put(&self, name: &str, key: &str, value: &JsValue) -> Result<(), StoreError> {
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

    /// The value under `key` in `name` (`undefined` when there is none).
    pub async fn get(&self, name: &str, key: &str) -> Result<JsValue, StoreError> {
        let (_, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store
            .get(&key.into())
            .map_err(|e| StoreError::from_js(&e))?;
        JsFuture::from(request_done(&request))
            .await
            .map_err(|e| StoreError::from_js(&e))
    }

    /// Whether `name` holds a value under `key`.
    pub async fn has(&self, name: &str, key: &str) -> Result<bool, StoreError> {
        let (_, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store
            .count_with_key(&key.into())
            .map_err(|e| StoreError::from_js(&e))?;
        let count = JsFuture::from(request_done(&request))
            .await
            .map_err(|e| StoreError::from_js(&e))?;
        Ok(count.as_f64().unwrap_or(0.0) > 0.0)
    }

    /// The keys of `name`, in key order.
    pub async fn keys(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let (_, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let request = store.get_all_keys().map_err(|e| StoreError::from_js(&e))?;
        let keys = JsFuture::from(request_done(&request))
            .await
            .map_err(|e| StoreError::from_js(&e))?;
        Ok(keys
            .dyn_into::<Array>()
            .map(|a| a.iter().filter_map(|k| k.as_string()).collect())
            .unwrap_or_default())
    }

    /// Every key of `name` with its value, read in one transaction.
    pub async fn entries(&self, name: &str) -> Result<Vec<(String, JsValue)>, StoreError> {
        let (_, store) = self.store(name, IdbTransactionMode::Readonly)?;
        let failed = |e: JsValue| StoreError::from_js(&e);
        let keys = store.get_all_keys().map_err(failed)?;
        let values = store.get_all().map_err(failed)?;
        let keys = JsFuture::from(request_done(&keys)).await.map_err(failed)?;
        let values = JsFuture::from(request_done(&values))
            .await
            .map_err(failed)?;
        let (keys, values): (Array, Array) = (keys.unchecked_into(), values.unchecked_into());
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k.as_string()?, v)))
            .collect())
    }

    /// Deletes `key` from `name`.
    pub async fn delete(&self, name: &str, key: &str) -> Result<(), StoreError> {
        let (transaction, store) = self.store(name, IdbTransactionMode::Readwrite)?;
        let done = transaction_done(&transaction);
        store
            .delete(&key.into())
            .map_err(|e| StoreError::from_js(&e))?;
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::from_js(&e))
    }

    /// Whether the database still has version 1's store of sessions.
    pub fn has_legacy_sessions(&self) -> bool {
        self.db.object_store_names().contains(LEGACY_SESSIONS)
    }

    /// Stores an audio file's bytes under its SHA-256.
    pub async fn put_audio(&self, sha256: &str, blob: &Blob) -> Result<(), StoreError> {
        self.put(AUDIO, sha256, blob).await
    }

    /// The audio file stored under `sha256`, if any.
    pub async fn get_audio(&self, sha256: &str) -> Result<Option<Blob>, StoreError> {
        Ok(self.get(AUDIO, sha256).await?.dyn_into::<Blob>().ok())
    }
}
