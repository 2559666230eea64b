//! What the page opens: a share link in the address, else the mix saved in this browser, else
//! the demo song. Then autosave starts.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_protocol::link;
use mixroom_protocol::session::{Session, Source, Track};
use wasm_bindgen::JsValue;

use super::open::Opening;
use super::{Notice, Project};
use crate::audio::AudioBridge;
use crate::persist::{start_autosave, Store, CURRENT, PREVIOUS};

/// The key under which an autosaved mix that could not be read is kept.
const DAMAGED: &str = "damaged";

/// Starts the engine and opens the first mix (the console shows the demo until then).
pub async fn start(project: Project, bridge: Rc<AudioBridge>) -> Result<(), JsValue> {
    // The storage opens while the engine starts.
    let opening_store = wasm_bindgen_futures::future_to_promise(async {
        Store::open()
            .await
            .map(Store::into_js)
            .map_err(|e| JsValue::from_str(&e.to_string()))
    });
    bridge.start().await?;
    let store = match wasm_bindgen_futures::JsFuture::from(opening_store).await {
        Ok(db) => Store::from_js(db),
        Err(e) => {
            project.notify(Notice::error(
                "storage",
                format!(
                    "Your mix will not be kept between visits: {}.",
                    e.as_string().unwrap_or_default()
                ),
            ));
            None
        }
    };
    project.store.set_value(store.clone());

    let opened = open_link_in_address(project).await || open_autosave(project, &store).await;
    if !opened {
        project
            .load(&bridge, mixroom_demo::session(), None, Opening::Demo)
            .await;
    }
    if let Some(store) = store {
        // Housekeeping after the mix plays, without holding up the meters.
        leptos::task::spawn_local(async move {
            forget_unused_audio(project, &store).await;
            start_autosave(project, store);
        });
    }
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        leptos::task::spawn_local(async move {
            open_link_in_address(project).await;
        });
    });
    // The page lives as long as the app.
    std::mem::forget(on_hash);
    Ok(())
}

/// Opens the share link in the address bar, if there is one, and takes it out of the address
/// (the mix lives on in autosave; reloading must not discard later changes). Returns whether
/// a mix was opened.
async fn open_link_in_address(project: Project) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let hash = window.location().hash().unwrap_or_default();
    if !hash.contains(link::FRAGMENT_KEY) {
        return false;
    }
    if let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
    match link::decode(&hash) {
        Ok(session) => {
            project.clear_notice("link");
            project.open(session, None, Opening::Link).await;
            true
        }
        Err(e) => {
            project.notify(Notice::error(
                "link",
                format!("This link could not be opened: {e}. Your mix is unchanged."),
            ));
            false
        }
    }
}

/// Opens the mix saved in this browser, if there is one. One that cannot be read is kept
/// aside (never overwritten) and said so. Returns whether a mix was opened.
async fn open_autosave(project: Project, store: &Option<Store>) -> bool {
    let Some(store) = store else { return false };
    let Ok(Some(json)) = store.get_session(CURRENT).await else {
        return false;
    };
    match Session::from_json(&json) {
        Ok(session) => {
            project.open(session, None, Opening::Autosave).await;
            true
        }
        Err(e) => {
            let kept = store.put_session(DAMAGED, &json).await.is_ok();
            project.notify(Notice::error(
                "autosave-read",
                format!(
                    "The mix saved in this browser could not be opened: {e}.{} The demo song \
                     opened instead.",
                    if kept {
                        " It is kept aside, untouched."
                    } else {
                        ""
                    }
                ),
            ));
            false
        }
    }
}

/// Deletes stored files that neither the open mix nor the previous one uses (a fresh visit has
/// no history to bring them back). While a mix that could not be read is kept aside, nothing is
/// deleted: its files may be the ones it needs.
async fn forget_unused_audio(project: Project, store: &Store) {
    if matches!(store.get_session(DAMAGED).await, Ok(Some(_))) {
        return;
    }
    let mut used: Vec<String> = project
        .mixer()
        .snapshot()
        .session
        .tracks
        .iter()
        .filter_map(sha256)
        .collect();
    if let Ok(Some(previous)) = store.get_session(PREVIOUS).await {
        if let Ok(previous) = Session::from_json(&previous) {
            used.extend(previous.tracks.iter().filter_map(sha256));
        }
    }
    for key in store.audio_keys().await.unwrap_or_default() {
        if !used.contains(&key) {
            let _ = store.delete_audio(&key).await;
        }
    }
}

/// The SHA-256 of a track's file, if it has one.
fn sha256(track: &Track) -> Option<String> {
    match &track.source {
        Source::File(file) => file.sha256.clone(),
        _ => None,
    }
}
