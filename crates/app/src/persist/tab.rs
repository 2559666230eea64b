//! Which mix this tab works on, and which mixes other tabs work on.
//!
//! Each tab works on its own mix. The tab remembers the id of its mix in `sessionStorage`
//! (which a reload keeps and a new tab does not have), and holds an exclusive Web Lock named
//! after it for as long as it works on it. A tab that finds its mix's lock held by another tab
//! (a duplicated tab copies `sessionStorage`) works on a copy instead. Housekeeping never
//! deletes a mix whose lock some tab holds. Where the browser has no Web Locks, every tab takes
//! its mix as its own.

use std::sync::Arc;

use js_sys::{Array, Promise};
use mixroom_protocol::lesson::{EarAnswer, Lesson};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::audio::get;

/// Where the tab keeps its mix's id.
const TAB_KEY: &str = "mixroom-mix";
/// Where the tab keeps, as the page goes away, a change its record may not have yet.
const UNSAVED_KEY: &str = "mixroom-unsaved";
/// Where the tab keeps the challenge its mix opened with, until it is answered.
const CHALLENGE_KEY: &str = "mixroom-challenge";
/// Prefix of a mix's lock name.
const MIX_LOCK: &str = "mixroom-mix:";
/// The lock that one tab at a time holds while it tidies the storage.
pub const HOUSEKEEPING_LOCK: &str = "mixroom-housekeeping";

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    #[derive(Clone)]
    type LockManager;
    #[wasm_bindgen(thread_local_v2, js_namespace = navigator, js_name = locks)]
    static LOCKS: Option<LockManager>;
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &JsValue,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn query(this: &LockManager) -> Result<Promise, JsValue>;

    /// `crypto.randomUUID()`.
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    fn random_uuid() -> String;
}

/// A new mix id.
pub fn new_mix_id() -> String {
    random_uuid()
}

/// The id of the mix this tab worked on before a reload, if any.
pub fn remembered_mix() -> Option<String> {
    let storage = web_sys::window()?.session_storage().ok()??;
    storage.get_item(TAB_KEY).ok()?
}

/// Remembers `id` as this tab's mix (a reload opens it again).
pub fn remember_mix(id: &str) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.session_storage()) {
        let _ = storage.set_item(TAB_KEY, id);
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Keeps `json` as the latest state of mix `id`, called `name`, in this tab's
/// `sessionStorage`: a synchronous write, certain to land while the page goes away, where an
/// IndexedDB transaction started then may be cut off. A reload takes it back
/// ([`take_unsaved`]).
pub fn keep_unsaved(id: &str, name: &str, json: &str) {
    if let Some(storage) = session_storage() {
        let value = serde_json::json!({ "id": id, "name": name, "session": json }).to_string();
        let _ = storage.set_item(UNSAVED_KEY, &value);
    }
}

/// The name and session JSON [`keep_unsaved`] kept for mix `id`, if any (and forgets them).
pub fn take_unsaved(id: &str) -> Option<(String, String)> {
    let storage = session_storage()?;
    let text = storage.get_item(UNSAVED_KEY).ok()??;
    let _ = storage.remove_item(UNSAVED_KEY);
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    if value.get("id")?.as_str()? != id {
        return None;
    }
    let text = |key: &str| value.get(key)?.as_str().map(str::to_owned);
    Some((text("name")?, text("session")?))
}

/// Keeps, for a reload, that this tab's mix `id` opened with the challenge `payload` to play
/// (a link's); [`forget_challenge`] once it is answered.
pub fn remember_challenge(id: &str, payload: &str) {
    if let Some(storage) = session_storage() {
        let value = serde_json::json!({ "id": id, "challenge": payload }).to_string();
        let _ = storage.set_item(CHALLENGE_KEY, &value);
    }
}

/// The challenge payload [`remember_challenge`] kept for mix `id`, if any.
pub fn remembered_challenge(id: &str) -> Option<String> {
    let text = session_storage()?.get_item(CHALLENGE_KEY).ok()??;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    (value.get("id")?.as_str()? == id)
        .then(|| value.get("challenge")?.as_str().map(str::to_owned))
        .flatten()
}

/// Forgets the challenge [`remember_challenge`] kept (it was answered).
pub fn forget_challenge() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(CHALLENGE_KEY);
    }
}

/// Forgets what [`keep_unsaved`] kept (the record has it now).
pub fn forget_unsaved() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(UNSAVED_KEY);
    }
}

/// A Web Lock this tab holds until the value is dropped.
pub struct Held {
    release: Option<js_sys::Function>,
}

impl Held {
    /// A hold on nothing (where nobody else can hold the lock: a new mix's id).
    pub fn free() -> Held {
        Held { release: None }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}

/// Takes the exclusive lock `name`: at once or not at all with `if_available`, else waiting
/// for it. `None` when another tab holds it (`if_available`). Without Web Locks, the lock is
/// taken as if nobody held it.
pub async fn lock(name: &str, if_available: bool) -> Option<Held> {
    let Some(locks) = LOCKS.with(Clone::clone) else {
        return Some(Held::free());
    };
    let mut release = None;
    let hold = Promise::new(&mut |resolve, _| release = Some(resolve));
    let mut granted = None;
    let answer = Promise::new(&mut |resolve, _| granted = Some(resolve));
    let granted = granted.expect("the executor runs at once");
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let _ = granted.call1(&JsValue::UNDEFINED, &JsValue::from_bool(!lock.is_null()));
        if lock.is_null() {
            JsValue::UNDEFINED
        } else {
            hold.into()
        }
    });
    let options = crate::audio::object(&[("ifAvailable", &JsValue::from_bool(if_available))]);
    if locks.request(name, &options, &callback).is_err() {
        return Some(Held::free());
    }
    let got = JsFuture::from(answer).await.ok()?.as_bool() == Some(true);
    got.then_some(Held { release })
}

/// Takes the lock of mix `id` if no other tab holds it.
pub async fn hold_mix(id: &str) -> Option<Held> {
    lock(&format!("{MIX_LOCK}{id}"), true).await
}

/// The ids of the mixes some tab (this one included) works on now.
pub async fn mixes_in_tabs() -> Vec<String> {
    let Some(locks) = LOCKS.with(Clone::clone) else {
        return Vec::new();
    };
    let Ok(query) = locks.query() else {
        return Vec::new();
    };
    let Ok(snapshot) = JsFuture::from(query).await else {
        return Vec::new();
    };
    get(&snapshot, "held")
        .dyn_into::<Array>()
        .map(|held| {
            held.iter()
                .filter_map(|lock| get(&lock, "name").as_string())
                .filter_map(|name| name.strip_prefix(MIX_LOCK).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The mix this tab works on.
pub struct TabMix {
    /// Its id (the key of its record).
    pub id: String,
    /// What the user knows it by.
    pub name: String,
    /// The session JSON its record holds now, if it has one.
    pub saved: Option<String>,
    /// The session JSON of the mix as it opened when it is not worth keeping like that (the
    /// demo song, untouched): it is kept from its first change on.
    pub pristine: Option<String>,
    /// For a mix opened from somebody else (a link, a lesson, a hand-in, a project) and not
    /// worked on since: the page's edit count when it opened ([`crate::state::Mixer::edits`]).
    /// While the count is still that, its record says it is untouched
    /// ([`super::MixRecord::untouched`]).
    pub opened: Option<u64>,
    /// When the user last worked on it, ms since 1970 (UTC); 0 if never.
    pub worked_at_ms: f64,
    /// The hosts the user agreed to fetch this mix's audio from.
    pub allowed_hosts: Vec<String>,
    /// The lesson the mix answers, if it was opened from one.
    pub lesson: Option<Arc<Lesson>>,
    /// What was answered to the lesson's ear-training goals.
    pub answers: Vec<EarAnswer>,
    /// The lock on it; dropping it lets another tab take the mix.
    _held: Held,
}

impl TabMix {
    /// The mix `id` known as `name`, held by this tab, remembered for a reload.
    pub fn new(id: String, name: String, held: Held) -> TabMix {
        remember_mix(&id);
        TabMix {
            id,
            name,
            saved: None,
            pristine: None,
            opened: None,
            worked_at_ms: 0.0,
            allowed_hosts: Vec::new(),
            lesson: None,
            answers: Vec::new(),
            _held: held,
        }
    }
}
