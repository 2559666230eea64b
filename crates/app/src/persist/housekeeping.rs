//! Tidying the browser's storage, one tab at a time (under [`HOUSEKEEPING_LOCK`]): version 1's
//! mixes moved into the kept mixes, old mixes forgotten, and stored audio deleted once no kept
//! mix refers to it.
//!
//! What is kept: every mix the user worked on (made, changed, imported audio into, or went
//! back to: only the user deletes those), the [`KEEP_UNTOUCHED`] most recently saved of the
//! mixes opened from somebody else and left untouched (links, lessons, hand-ins, projects,
//! which can be opened again from where they came), every mix a tab works on now, every mix
//! set aside, and every stored file that one of those or a tab's open mix (with its undo
//! history) refers to. So opening many links, even a page elsewhere that sends a Mixroom window
//! through one link after another, forgets only other links. Every SHA-256 written anywhere in
//! a kept mix's text counts as a reference (a file is never lost to how a mix is read).
//!
//! A file stored while housekeeping runs in another tab is safe: a tab stores its mix before
//! the mix's new files, and housekeeping lists the stored files before it reads the mixes, so a
//! file it sees is referred to by a mix it reads afterwards. A tab whose undo brings back a file
//! that housekeeping deleted meanwhile stores it again (see `autosave`).

use std::collections::HashSet;

use mixroom_protocol::session::Session;

use super::idb::{Store, AUDIO};
use super::mixes::{now_ms, AsideRecord, Kept, MixRecord};
use super::tab::{lock, mixes_in_tabs, HOUSEKEEPING_LOCK};

/// How many of the mixes opened from somebody else and left untouched are kept, the most
/// recently saved (every mix the user worked on, and every mix open in a tab, is kept besides).
pub const KEEP_UNTOUCHED: usize = 20;

/// The names version 1's mixes are kept under.
fn legacy_name(key: &str) -> &'static str {
    match key {
        "previous" => "Previous mix",
        _ => "My mix",
    }
}

/// Moves version 1's mixes into the kept mixes (ids `v1-current`, `v1-previous`), and a damaged
/// one aside (`v1-damaged`). Safe to run again after an interruption.
pub async fn migrate_legacy(store: &Store) {
    let Some(_held) = lock(HOUSEKEEPING_LOCK, false).await else {
        return;
    };
    let Ok(legacy) = store.legacy_sessions().await else {
        return;
    };
    for (key, text) in legacy {
        let id = format!("v1-{key}");
        let kept = if key == "damaged" {
            store
                .put_aside(&AsideRecord {
                    id,
                    name: "My mix".to_owned(),
                    reason: "it could not be read".to_owned(),
                    set_aside_at_ms: now_ms(),
                    text,
                })
                .await
        } else {
            let tracks = Session::open_json(&text).map_or(0, |s| s.session.tracks.len());
            store
                .put_mix(&MixRecord {
                    id,
                    name: legacy_name(&key).to_owned(),
                    // "current" is the newest.
                    saved_at_ms: now_ms() - if key == "current" { 0.0 } else { 1.0 },
                    tracks,
                    session: text,
                    allowed_hosts: Vec::new(),
                    lesson: None,
                    answers: Vec::new(),
                    untouched: false,
                    worked_at_ms: 0.0,
                })
                .await
        };
        if kept.is_ok() {
            let _ = store.forget_legacy(&key).await;
        }
    }
}

/// Every run of 64 hex digits in `text`.
fn hashes_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|run| run.len() == 64)
        .map(str::to_ascii_lowercase)
}

/// Forgets the untouched mixes beyond [`KEEP_UNTOUCHED`] that no tab works on, then deletes
/// stored files that nothing kept refers to. `live` are the files this tab's mix and its
/// history refer to.
pub async fn tidy(store: &Store, live: HashSet<String>) {
    let Some(_held) = lock(HOUSEKEEPING_LOCK, false).await else {
        return;
    };
    // Files first (see the module's docs).
    let Ok(files) = store.keys(AUDIO).await else {
        return;
    };
    let (Ok(mixes), Ok(aside)) = (store.mixes().await, store.aside().await) else {
        return;
    };
    let in_tabs: HashSet<String> = mixes_in_tabs().await.into_iter().collect();
    let mut used = live;
    let mut untouched = 0;
    for kept in &mixes {
        match kept {
            Kept::Mix(mix) => {
                if mix.untouched {
                    untouched += 1;
                    if untouched > KEEP_UNTOUCHED && !in_tabs.contains(&mix.id) {
                        let _ = store.delete_mix(&mix.id).await;
                        continue;
                    }
                }
                used.extend(hashes_in(&mix.session));
                // The lesson's reference recording (and any file it names).
                if let Some(lesson) = &mix.lesson {
                    used.extend(hashes_in(lesson));
                }
            }
            // Damaged: set aside, where the page offers to download or discard it.
            Kept::Unreadable { id, text } => {
                used.extend(hashes_in(text));
                let _ = store.set_aside(id, "", text, "it is damaged").await;
            }
        }
    }
    for record in &aside {
        used.extend(hashes_in(&record.text));
    }
    for sha in files {
        if !used.contains(&sha) {
            let _ = store.delete(AUDIO, &sha).await;
        }
    }
}
