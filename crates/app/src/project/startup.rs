//! What the page opens. A link in the address (a mix, a lesson, a hand-in) opens as a new mix
//! (whatever the tab had stays kept). Else the tab's own mix when it is reloaded; a duplicated
//! tab gets a copy of it; a new tab opens the mix the user last worked on that no other tab
//! works on (a link opened and left untouched is not worked on); with none, the demo song.
//! Then autosave and housekeeping start.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_ear::challenge::Challenge;
use mixroom_protocol::lesson::wire::{self, WireError};
use mixroom_protocol::lesson::LessonError;
use mixroom_protocol::link;
use wasm_bindgen::JsValue;

use super::lesson::too_new;
use super::open::Opening;
use super::{Notice, Project};
use crate::audio::AudioBridge;
use crate::persist::{
    hold_mix, migrate_legacy, mixes_in_tabs, now_ms, remember_challenge, remembered_challenge,
    remembered_mix, start_autosave, take_unsaved, tidy, Held, Kept, MixRecord, Store, StoreError,
    TabMix,
};
use crate::text::upper_first;

/// Starts the engine and opens the first mix (the console shows the demo until then).
pub async fn start(project: Project, bridge: Rc<AudioBridge>) -> Result<(), JsValue> {
    // The storage opens while the engine starts.
    let on_blocked = move || {
        project.notify(Notice::error(
            "storage",
            "Another tab runs an older Mixroom: close or reload it, and this tab opens your \
             mixes."
                .to_owned(),
        ))
    };
    let on_closed = move || {
        project.notify(Notice::error(
            "storage",
            format!(
                "{}. Your mix plays on here; Save the project (.mixroom) to keep what you \
                 change before reloading.",
                upper_first(&StoreError::Closed.to_string())
            ),
        ))
    };
    let (started, store) = futures::join!(bridge.start(), Store::open(on_blocked, on_closed));
    started?;
    let store = match store {
        Ok(store) => {
            project.clear_notice("storage");
            Some(store)
        }
        Err(e) => {
            project.notify(Notice::error(
                "storage",
                format!("Your mix will not be kept between visits: {e}."),
            ));
            None
        }
    };
    project.store.set_value(store.clone());
    if let Some(store) = &store {
        migrate_legacy(store).await;
        ask_to_persist();
    }

    if !open_link_in_address(project).await {
        open_tab_mix(project).await;
    }
    if let Some(store) = store {
        start_autosave(project, store.clone());
        // Housekeeping after the mix plays, without holding up the meters.
        leptos::task::spawn_local(async move {
            tidy(&store, project.mixer().files_in_use()).await;
            project.kept_changes.update(|n| *n += 1);
        });
    }
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        leptos::task::spawn_local(async move {
            open_link_in_address(project).await;
        });
    });
    // The page lives as long as the app.
    std::mem::forget(on_hash);
    // A link that came while the first mix opened (before the listener) opens now.
    open_link_in_address(project).await;
    Ok(())
}

/// Asks the browser to keep this site's storage under pressure (`navigator.storage.persist()`;
/// browsers answer without asking the user, or ask once).
fn ask_to_persist() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(promise) = window.navigator().storage().persist() {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// Opens the link in the address bar, if there is one (a mix, a lesson or a hand-in), as a new
/// mix, and takes it out of the address (the mix lives on in autosave; reloading must not
/// discard later changes). Returns whether a mix was opened.
async fn open_link_in_address(project: Project) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let hash = window.location().hash().unwrap_or_default();
    let keys = [link::FRAGMENT_KEY, wire::LESSON_KEY, wire::HANDIN_KEY];
    if !keys.iter().any(|key| hash.contains(key)) {
        return false;
    }
    if let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
    let refuse = |why: String| {
        project.notify(Notice::error(
            "link",
            format!("This link could not be opened: {why}. Your mix is unchanged."),
        ));
        project.tab_mix().is_some()
    };
    if hash.contains(wire::LESSON_KEY) {
        match wire::open_lesson(&hash) {
            Ok(incoming) => {
                project.clear_notice("link");
                remember_way_back(project).await;
                project
                    .open_lesson(incoming.lesson, incoming.refused, None)
                    .await
            }
            Err(WireError::Lesson(LessonError::TooNew {
                found,
                start: Some(start),
            })) => {
                remember_way_back(project).await;
                project
                    .open_lesson_start_only(start.session, start.refused, too_new(found), None)
                    .await
            }
            Err(e) => refuse(e.to_string()),
        }
    } else if hash.contains(wire::HANDIN_KEY) {
        match wire::open_hand_in(&hash) {
            Ok(incoming) => {
                project.clear_notice("link");
                remember_way_back(project).await;
                project
                    .open_hand_in(incoming.hand_in, incoming.refused, None)
                    .await
            }
            Err(e) => refuse(e.to_string()),
        }
    } else {
        match link::open(&hash) {
            Ok(incoming) => {
                project.clear_notice("link");
                remember_way_back(project).await;
                let challenge = Challenge::find(&hash);
                let name = if challenge.is_some() {
                    "Challenge"
                } else {
                    "Shared mix"
                };
                let mix = project.new_tab_mix(name.to_owned()).await;
                let opened = project
                    .open(incoming.session, None, Opening::Link, mix, incoming.refused)
                    .await;
                match challenge {
                    Some(Ok(challenge)) if opened => {
                        // A reload plays it again until it is answered.
                        if let Some((id, _)) = project.tab_mix() {
                            remember_challenge(&id, &challenge.encode());
                        }
                        project.challenge.set(Some(challenge));
                    }
                    Some(Err(e)) => project.notify(Notice::error(
                        "challenge",
                        format!("No ear-training round is played: {e}. The mix in it is open."),
                    )),
                    _ => {}
                }
                opened
            }
            Err(e) => refuse(e.to_string()),
        }
    }
}

/// In a tab that starts on a link, remembers the way back: the mix it would have opened.
async fn remember_way_back(project: Project) {
    if project.tab_mix().is_none() {
        let back = match remembered_mix() {
            Some(id) => Some(id),
            None => latest_kept(project, false).await.map(|m| m.0),
        };
        project.previous.set_value(back);
    }
}

/// Opens the mix this tab works on: its own after a reload, a copy of it in a duplicated tab,
/// the latest mix no tab works on in a new tab, else the demo song.
async fn open_tab_mix(project: Project) {
    if let Some(id) = remembered_mix() {
        if let Some(held) = hold_mix(&id).await {
            let challenge = remembered_challenge(&id).and_then(|p| Challenge::decode(&p).ok());
            if open_own_mix(project, id, held).await {
                project.challenge.set(challenge);
                return;
            }
        } else if project.open_kept(&id).await {
            // Another tab works on it: this one gets a copy.
            return;
        }
    } else if let Some((id, _)) = latest_kept(project, true).await {
        if project.open_kept(&id).await {
            return;
        }
    }
    let mix = project.new_tab_mix("Demo song".to_owned()).await;
    project
        .open(
            mixroom_demo::session(),
            None,
            Opening::Demo,
            mix,
            Vec::new(),
        )
        .await;
}

/// Opens the tab's own mix `id` after a reload (`held`: the tab's lock on it), with the change
/// kept as the page went away when the record does not have it yet. Returns whether it opened.
async fn open_own_mix(project: Project, id: String, held: Held) -> bool {
    let record = match project.store() {
        Some(store) => store.get_mix(&id).await.ok().flatten(),
        None => None,
    };
    let unsaved = take_unsaved(&id);
    let record = match (record, unsaved) {
        (Some(Kept::Unreadable { .. }), _) => {
            drop(held);
            return project.open_kept(&id).await;
        }
        (Some(Kept::Mix(mut record)), Some((_, json))) => {
            record.untouched &= record.session == json;
            record.session = json;
            Some(record)
        }
        (Some(Kept::Mix(record)), None) => return open_as_kept(project, record, held, false).await,
        // Never kept before the page went away (the demo's first change).
        (None, Some((name, json))) => Some(MixRecord {
            id: id.clone(),
            name,
            saved_at_ms: now_ms(),
            tracks: 0,
            session: json,
            allowed_hosts: Vec::new(),
            lesson: None,
            answers: Vec::new(),
            untouched: false,
            worked_at_ms: now_ms(),
        }),
        // The tab's mix was the untouched demo (never kept), or storage failed.
        (None, None) => None,
    };
    match record {
        Some(record) => open_as_kept(project, record, held, true).await,
        None => false,
    }
}

/// Opens `record` as this tab's mix; `unsaved`: its record does not hold it (autosave writes
/// it).
async fn open_as_kept(project: Project, record: MixRecord, held: Held, unsaved: bool) -> bool {
    let mut mix = TabMix::new(record.id.clone(), record.name.clone(), held);
    if unsaved {
        mix.saved = Some(String::new());
    }
    project.open_record(record, Some(mix)).await
}

/// The id and name of the mix the user last worked on (that no tab works on, with `free`);
/// when they worked on none, the most recently saved one.
async fn latest_kept(project: Project, free: bool) -> Option<(String, String)> {
    let store = project.store()?;
    let in_tabs = if free {
        mixes_in_tabs().await
    } else {
        Vec::new()
    };
    let mixes: Vec<MixRecord> = store
        .mixes()
        .await
        .ok()?
        .into_iter()
        .filter_map(|kept| match kept {
            Kept::Mix(m) if !in_tabs.contains(&m.id) => Some(m),
            _ => None,
        })
        .collect();
    // Newest saved first, so the first of equals is the newest.
    let worked = mixes
        .iter()
        .filter_map(|m| m.worked_at().map(|at| (at, m)))
        .fold(None::<(f64, &MixRecord)>, |best, (at, m)| match best {
            Some((best_at, _)) if best_at >= at => best,
            _ => Some((at, m)),
        })
        .map(|(_, m)| m);
    worked
        .or(mixes.first())
        .map(|m| (m.id.clone(), m.name.clone()))
}
