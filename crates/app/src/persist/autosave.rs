//! Autosave: the mix is written to IndexedDB whenever it changed, within
//! [`AUTOSAVE_EVERY_MS`] of the change; reloading the tab (or a crash) brings it back.
//! Every imported file is kept too (by its SHA-256), so the mix comes back with its audio.
//! A write that fails (a full quota) is reported once per cause, and retried on the next change.

use std::collections::HashSet;

use leptos::task::spawn_local;
use mixroom_protocol::session::Source;

use super::Store;
use crate::audio::sleep_ms;
use crate::project::{Notice, Project};
use crate::state::Snapshot;

/// The key of the mix being edited.
pub const CURRENT: &str = "current";
/// The key of the mix that was replaced by opening a link or a project.
pub const PREVIOUS: &str = "previous";

/// How often the mix is compared with what was saved, ms.
pub const AUTOSAVE_EVERY_MS: i32 = 250;

/// Saves the mix of `project` to `store` whenever it changes, for as long as the page lives.
pub fn start_autosave(project: Project, store: Store) {
    spawn_local(async move {
        let mut saved = String::new();
        let mut reported = false;
        let mut kept: HashSet<String> = store
            .audio_keys()
            .await
            .unwrap_or_default()
            .into_iter()
            .collect();
        loop {
            let _ = sleep_ms(AUTOSAVE_EVERY_MS).await;
            if project.is_opening() {
                continue;
            }
            // The mix first (small and quick), then any new file (maybe large and slow).
            let snapshot = project.mixer().snapshot();
            let json = snapshot.session.to_json();
            if json != saved {
                saved = save_mix(project, &store, json, &mut reported).await;
            }
            keep_audio(project, &store, &snapshot, &mut kept).await;
        }
    });
}

/// Writes `json` as the current mix and returns it (as what was saved, or tried: a failed
/// write is tried again with the next change, not in a tight loop). A failure is reported
/// once until a write works again.
async fn save_mix(project: Project, store: &Store, json: String, reported: &mut bool) -> String {
    match store.put_session(CURRENT, &json).await {
        Ok(()) => {
            if *reported {
                project.clear_notice("autosave");
                *reported = false;
            }
        }
        Err(e) => {
            if !*reported {
                project.notify(Notice::error(
                    "autosave",
                    format!(
                        "Your latest changes are not saved in this browser: {e}. \
                         Save the project (.mixroom) to keep them, or free some space."
                    ),
                ));
                *reported = true;
            }
        }
    }
    json
}

/// Stores the files of `snapshot` that are not stored yet. A file that does not fit is
/// reported, and not tried again this visit.
async fn keep_audio(
    project: Project,
    store: &Store,
    snapshot: &Snapshot,
    kept: &mut HashSet<String>,
) {
    for (track, strip) in snapshot.session.tracks.iter().zip(&snapshot.strips) {
        let Source::File(source) = &track.source else {
            continue;
        };
        let Some(sha256) = &source.sha256 else {
            continue;
        };
        if kept.contains(sha256) {
            continue;
        }
        let Some(file) = project
            .mixer()
            .with_bridge(|b| b.track_file(strip.position()))
            .flatten()
        else {
            continue;
        };
        if let Err(e) = store.put_audio(sha256, &file).await {
            project.notify(Notice::error(
                &format!("keep-{sha256}"),
                format!(
                    "“{}” is not kept in this browser: {e}. The mix plays on; save the project \
                     (.mixroom) to keep this file, or free some space.",
                    source.name()
                ),
            ));
        }
        kept.insert(sha256.clone());
    }
}
