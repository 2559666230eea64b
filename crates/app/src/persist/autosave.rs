//! Autosave: the tab's mix is written to its record in IndexedDB whenever it changed, within
//! [`AUTOSAVE_EVERY_MS`] of the change, and at once when the tab is hidden or closed
//! (`visibilitychange`, `pagehide`); reloading the tab (or a crash) brings it back. Every
//! imported file is kept too (by its SHA-256), so the mix comes back with its audio.
//!
//! A write that fails (a full quota) is reported once per cause and tried again, sooner at first
//! and then every [`RETRY_MAX_MS`] at most, whether or not the mix changes meanwhile.

use std::cell::Cell;
use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::session::Source;

use super::idb::{Store, StoreError, AUDIO};
use super::mixes::{now_ms, MixRecord};
use super::tab::{forget_unsaved, keep_unsaved};
use crate::audio::sleep_ms;
use crate::project::{Notice, Project};
use crate::state::Snapshot;

/// How often the mix is compared with what was saved, ms.
pub const AUTOSAVE_EVERY_MS: i32 = 250;
/// The first retry after a failed write, ms; each further one waits twice as long.
const RETRY_FIRST_MS: f64 = 1_000.0;
/// The longest wait between retries, ms.
pub const RETRY_MAX_MS: f64 = 30_000.0;

thread_local! {
    /// Whether a save runs (saves never overlap).
    static SAVING: Cell<bool> = const { Cell::new(false) };
}

/// Saves the tab's mix of `project` to `store` whenever it changes, for as long as the page
/// lives, and when the page is hidden or closed.
pub fn start_autosave(project: Project, store: Store) {
    for event in ["pagehide", "visibilitychange"] {
        let store = store.clone();
        let handle = window_event_listener_untyped(event, move |_| {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
            if (event == "visibilitychange" && !hidden) || project.is_opening() {
                return;
            }
            // The last chance: the change is kept in this tab's sessionStorage at once (a
            // reload takes it back), and the write to the record starts in this task.
            let json = project.mixer().snapshot().session.to_json();
            let changed = project.with_tab_mix(|mix| {
                let keep = mix.saved.as_deref() != Some(json.as_str())
                    && mix.pristine.as_deref() != Some(json.as_str());
                keep.then(|| (mix.id.clone(), mix.name.clone()))
            });
            if let Some(Some((id, name))) = changed {
                keep_unsaved(&id, &name, &json);
            }
            let store = store.clone();
            spawn_local(async move {
                let _ = save_changed(project, &store).await;
            });
        });
        // The page lives as long as the app.
        std::mem::forget(handle);
    }
    spawn_local(async move {
        let mut failures = 0_i32;
        let mut next_try_ms = 0.0;
        loop {
            let _ = sleep_ms(AUTOSAVE_EVERY_MS).await;
            if project.is_opening() || store.is_closed() {
                continue;
            }
            if failures > 0 && now_ms() < next_try_ms {
                continue;
            }
            match save_now(project, &store).await {
                Ok(()) => failures = 0,
                Err(_) => {
                    failures += 1;
                    let wait = RETRY_FIRST_MS * 2f64.powi(failures - 1);
                    next_try_ms = now_ms() + wait.min(RETRY_MAX_MS);
                }
            }
        }
    });
}

/// Keeps the tab's mix now if it changed since it was last kept: its record first (small and
/// quick), then any of its files not stored yet (maybe large and slow). Says on the page when
/// a write fails, and when writing works again.
pub async fn save_now(project: Project, store: &Store) -> Result<(), StoreError> {
    while SAVING.get() {
        let _ = sleep_ms(10).await;
    }
    SAVING.set(true);
    let result = save_changed(project, store).await;
    SAVING.set(false);
    match &result {
        Ok(()) => project.clear_notice("autosave"),
        // Said per file by `keep_audio`.
        Err(Unsaved::Audio(_)) => {}
        Err(Unsaved::Mix(e)) => project.notify(Notice::error(
            "autosave",
            format!(
                "Your latest changes are not saved in this browser: {e}. Save the project \
                 (.mixroom) to keep them, or free some space (Recent says what can go and asks \
                 first); Mixroom keeps trying."
            ),
        )),
    }
    result.map_err(|(Unsaved::Mix(e) | Unsaved::Audio(e))| e)
}

/// What a save left undone.
enum Unsaved {
    /// The mix's record.
    Mix(StoreError),
    /// One of its files (the record is written).
    Audio(StoreError),
}

async fn save_changed(project: Project, store: &Store) -> Result<(), Unsaved> {
    let snapshot = project.mixer().snapshot();
    let edits = project.mixer().edits();
    let json = snapshot.session.to_json();
    let Some(Some(record)) = project.with_tab_mix(|mix| {
        let unchanged = mix.saved.as_deref() == Some(json.as_str());
        let pristine = mix.pristine.as_deref() == Some(json.as_str());
        let untouched = mix.opened == Some(edits);
        if !unchanged && !pristine && !untouched {
            mix.opened = None;
            mix.worked_at_ms = now_ms();
        }
        (!unchanged && !pristine).then(|| MixRecord {
            id: mix.id.clone(),
            name: mix.name.clone(),
            saved_at_ms: now_ms(),
            tracks: snapshot.session.tracks.len(),
            session: json.clone(),
            allowed_hosts: mix.allowed_hosts.clone(),
            lesson: mix.lesson.as_ref().map(|l| l.canonical_json()),
            answers: mix.answers.clone(),
            untouched,
            worked_at_ms: mix.worked_at_ms,
        })
    }) else {
        return Ok(());
    };
    store.put_mix(&record).await.map_err(Unsaved::Mix)?;
    project.with_tab_mix(|mix| mix.pristine = None);
    // Only once every file is kept is the mix saved: until then it is tried again.
    keep_audio(project, store, &snapshot)
        .await
        .map_err(Unsaved::Audio)?;
    project.with_tab_mix(|mix| {
        if mix.id == record.id {
            mix.saved = Some(json);
        }
    });
    forget_unsaved();
    Ok(())
}

/// Stores the files of `snapshot` that are not stored (an undo may bring back a file that
/// housekeeping deleted meanwhile). A file that does not fit is reported; the first failure
/// is returned after every file was tried.
async fn keep_audio(
    project: Project,
    store: &Store,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    let mut failed = None;
    for (track, strip) in snapshot.session.tracks.iter().zip(&snapshot.strips) {
        let Source::File(source) = &track.source else {
            continue;
        };
        let Some(sha256) = &source.sha256 else {
            continue;
        };
        if !seen.insert(sha256.clone()) || store.has(AUDIO, sha256).await.unwrap_or(true) {
            continue;
        }
        let Some(file) = project
            .mixer()
            .with_bridge(|b| b.track_file(strip.position()))
            .flatten()
        else {
            continue;
        };
        let key = format!("keep-{sha256}");
        match store.put_audio(sha256, &file).await {
            Ok(()) => project.clear_notice(&key),
            Err(e) => {
                project.notify(Notice::error(
                    &key,
                    format!(
                        "“{}” is not kept in this browser: {e}. The mix plays on; save the \
                         project (.mixroom) to keep this file, or free some space (Recent says what can go and \
                         asks first).",
                        source.name()
                    ),
                ));
                failed.get_or_insert(e);
            }
        }
    }
    failed.map_or(Ok(()), Err)
}
