//! The mixes kept in this browser, as the page offers them: the recent mixes to open again (a
//! mix another tab works on opens as a copy), the way back to the mix a link or project
//! replaced, and the mixes set aside because they could not be opened, to download or discard.

use std::sync::Arc;

use leptos::prelude::*;
use mixroom_protocol::lesson::Lesson;
use mixroom_protocol::session::Session;

use super::open::Opening;
use super::{Action, Notice, Project};
use crate::export::save_file;
use crate::persist::{
    hold_mix, mixes_in_tabs, new_mix_id, now_ms, tidy, AsideRecord, Held, Kept, MixRecord, TabMix,
};

/// Where a kept mix is open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OpenIn {
    /// In this tab.
    ThisTab,
    /// In another tab (opening it here makes a copy).
    OtherTab,
    /// In no tab.
    Nowhere,
}

/// A kept mix as the recent mixes list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptMix {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was last saved, ms since 1970 (UTC).
    pub saved_at_ms: f64,
    /// How many tracks it has.
    pub tracks: usize,
    /// Where it is open.
    pub open_in: OpenIn,
    /// Opened from somebody else and not changed since (housekeeping forgets such mixes first).
    pub untouched: bool,
}

/// What this browser keeps, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeptList {
    /// The recent mixes.
    pub mixes: Vec<KeptMix>,
    /// The mixes set aside.
    pub aside: Vec<AsideRecord>,
    /// What this site stores in the browser and may store, bytes, as the browser estimates it
    /// (`navigator.storage.estimate()`), when it says.
    pub storage: Option<StorageUse>,
}

/// What a site stores in the browser, bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StorageUse {
    /// Bytes used.
    pub used: f64,
    /// Bytes the site may use in all.
    pub quota: f64,
}

/// This site's storage use, as the browser estimates it.
async fn storage_estimate() -> Option<StorageUse> {
    let promise = web_sys::window()?.navigator().storage().estimate().ok()?;
    let estimate = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let number = |key: &str| js_sys::Reflect::get(&estimate, &key.into()).ok()?.as_f64();
    Some(StorageUse {
        used: number("usage")?,
        quota: number("quota")?,
    })
}

impl Project {
    /// The recent mixes and the ones set aside.
    pub async fn kept_list(&self) -> KeptList {
        let Some(store) = self.store() else {
            return KeptList::default();
        };
        let in_tabs = mixes_in_tabs().await;
        let this = self.tab_mix().map(|(id, _)| id);
        let mixes = store
            .mixes()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|kept| match kept {
                Kept::Mix(m) => Some(m),
                Kept::Unreadable { .. } => None,
            })
            .map(|m| KeptMix {
                open_in: if this.as_deref() == Some(m.id.as_str()) {
                    OpenIn::ThisTab
                } else if in_tabs.contains(&m.id) {
                    OpenIn::OtherTab
                } else {
                    OpenIn::Nowhere
                },
                untouched: m.untouched,
                id: m.id,
                name: m.name,
                saved_at_ms: m.saved_at_ms,
                tracks: m.tracks,
            })
            .collect();
        KeptList {
            mixes,
            aside: store.aside().await.unwrap_or_default(),
            storage: storage_estimate().await,
        }
    }

    /// Opens the kept mix `id` in this tab (a copy of it when another tab works on it). One
    /// that cannot be read is set aside and said so. Returns whether it opened.
    pub async fn open_kept(&self, id: &str) -> bool {
        if self.tab_mix().is_some_and(|(this, _)| this == id) {
            return true;
        }
        let Some(store) = self.store() else {
            return false;
        };
        match store.get_mix(id).await {
            Ok(Some(Kept::Mix(record))) => self.open_record(record, None).await,
            Ok(Some(Kept::Unreadable { id, text })) => {
                self.put_aside(&id, "", &text, "it is damaged").await;
                false
            }
            _ => {
                self.notify(Notice::error(
                    "opened",
                    "That mix is no longer kept in this browser.".to_owned(),
                ));
                self.kept_changes.update(|n| *n += 1);
                false
            }
        }
    }

    /// Opens `record`; `held` is this tab's lock on it when the caller took it already.
    pub(super) async fn open_record(&self, record: MixRecord, held: Option<TabMix>) -> bool {
        let incoming = match Session::open_json(&record.session) {
            Ok(incoming) => incoming,
            Err(e) => {
                let reason = e.to_string();
                self.put_aside(&record.id, &record.name, &record.session, &reason)
                    .await;
                return false;
            }
        };
        let mix = match held {
            Some(mix) => Some(mix),
            None => hold_mix(&record.id)
                .await
                .map(|held| TabMix::new(record.id.clone(), record.name.clone(), held)),
        };
        let mix = match mix {
            Some(mut mix) => {
                mix.saved.get_or_insert_with(|| record.session.clone());
                mix
            }
            None => {
                let copy = format!("{} (copy)", record.name);
                self.notify(Notice::info(
                    "copy",
                    format!(
                        "“{}” is open in another tab: this tab works on a copy, “{copy}”, so \
                         that neither overwrites the other.",
                        record.name
                    ),
                ));
                self.new_tab_mix(copy).await
            }
        };
        let mut mix = mix;
        if mix.id == record.id {
            mix.worked_at_ms = record.worked_at_ms;
            if record.untouched {
                // Counted from when it has loaded (`Project::open`).
                mix.opened = Some(0);
            }
        }
        mix.allowed_hosts = record.allowed_hosts.clone();
        mix.lesson = record.lesson.as_deref().and_then(kept_lesson);
        mix.answers = record.answers.clone();
        self.open(incoming.session, None, Opening::Kept, mix, incoming.refused)
            .await
    }

    /// A new mix for this tab, called `name`.
    pub async fn new_tab_mix(&self, name: String) -> TabMix {
        let id = new_mix_id();
        let held = hold_mix(&id).await.unwrap_or_else(Held::free);
        TabMix::new(id, name, held)
    }

    /// Goes back to the mix that the last opened link or bundle replaced.
    pub async fn restore_previous(&self) {
        let Some(previous) = self.previous.get_value() else {
            self.notify(Notice::error(
                "opened",
                "There is no previous mix in this browser.".to_owned(),
            ));
            return;
        };
        if self.go_back_to(&previous).await {
            self.clear_notice("opened");
        }
    }

    /// Opens the kept mix `id` because the user chose it (Recent mixes, the way back): going
    /// back to a mix counts as working on it, so a new tab opens it and housekeeping keeps it.
    /// Returns whether it opened.
    pub async fn go_back_to(&self, id: &str) -> bool {
        if !self.open_kept(id).await {
            return false;
        }
        let Some(store) = self.store() else {
            return true;
        };
        let now = now_ms();
        let ours = self.with_tab_mix(|mix| {
            mix.opened = None;
            mix.worked_at_ms = now;
            mix.id == id
        });
        if ours == Some(true) {
            if let Ok(Some(Kept::Mix(mut record))) = store.get_mix(id).await {
                record.untouched = false;
                record.worked_at_ms = now;
                let _ = store.put_mix(&record).await;
            }
        }
        true
    }

    /// Forgets the kept mixes `ids` because the user asked (and confirmed), then the stored
    /// files that no kept mix refers to any more.
    pub async fn delete_kept(&self, ids: &[String]) {
        let Some(store) = self.store() else { return };
        for id in ids {
            if let Err(e) = store.delete_mix(id).await {
                self.notify(Notice::error(
                    "delete-kept",
                    format!("A mix could not be deleted: {e}."),
                ));
            }
        }
        tidy(&store, self.mixer().files_in_use()).await;
        self.kept_changes.update(|n| *n += 1);
    }

    /// Sets the kept mix `id` aside with `reason` and says so, offering to download or discard
    /// it. Nothing is deleted.
    async fn put_aside(&self, id: &str, name: &str, text: &str, reason: &str) {
        let Some(store) = self.store() else { return };
        let kept = store.set_aside(id, name, text, reason).await.is_ok();
        self.kept_changes.update(|n| *n += 1);
        let what = if name.is_empty() {
            "A mix saved in this browser".to_owned()
        } else {
            format!("The mix “{name}” saved in this browser")
        };
        let notice = Notice::error(
            &format!("aside-{id}"),
            format!(
                "{what} could not be opened: {reason}.{}",
                if kept {
                    " It is kept aside, untouched: download it to keep it elsewhere, or discard it."
                } else {
                    ""
                }
            ),
        );
        self.notify(if kept {
            notice.with_actions(vec![
                Action::DownloadAside(id.to_owned()),
                Action::DiscardAside(id.to_owned()),
            ])
        } else {
            notice
        });
    }

    /// Offers the mix set aside under `id` as a download, as it was stored.
    pub async fn download_aside(&self, id: &str) {
        let Some(store) = self.store() else { return };
        let records = store.aside().await.unwrap_or_default();
        let Some(record) = records.iter().find(|r| r.id == id) else {
            return;
        };
        let name = format!(
            "mixroom-set-aside-{}.json",
            &record.id[..record.id.len().min(8)]
        );
        if let Err(e) = save_file(record.text.as_bytes(), &name, "application/json") {
            self.notify(Notice::error(
                "aside-download",
                format!(
                    "The mix set aside could not be downloaded ({}).",
                    crate::audio::describe(&e)
                ),
            ));
        }
    }

    /// Discards the mix set aside under `id` for good.
    pub async fn discard_aside(&self, id: &str) {
        let Some(store) = self.store() else { return };
        match store.delete_aside(id).await {
            Ok(()) => self.clear_notice(&format!("aside-{id}")),
            Err(e) => self.notify(Notice::error(
                "aside-discard",
                format!("The mix set aside could not be discarded: {e}."),
            )),
        }
        self.kept_changes.update(|n| *n += 1);
    }
}

/// The lesson a kept mix answers, from the JSON its record holds; `None` when it no longer
/// reads as one (the mix still opens).
fn kept_lesson(json: &str) -> Option<Arc<Lesson>> {
    Lesson::open_json(json)
        .ok()
        .map(|incoming| Arc::new(incoming.lesson))
}
