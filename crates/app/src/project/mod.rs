//! The project: opening a mix (the demo, a kept mix, a share link, a bundle) with all its
//! audio, saving it, sharing it, and what the page tells the user about that.

mod bundle;
mod kept;
mod lesson;
mod link;
mod open;
pub mod remote;
mod sources;
mod startup;
#[cfg(feature = "e2e")]
pub mod test_hooks;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use mixroom_protocol::lesson::{EarAnswer, Lesson};

pub use bundle::{open_bundle_file, read_hand_in_bundle, save_bundle};
pub use link::{challenge_link, hand_in_link, lesson_link, lesson_url, share_link, ShareLink};
pub use startup::start;

pub use kept::{KeptList, OpenIn};
pub use sources::{resolve, BundleFiles, Resolved};

use crate::persist::{Store, TabMix};
use crate::state::Mixer;

/// How much a notice matters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// For information.
    Info,
    /// Something did not work; the mix is safe.
    Error,
}

/// Something to offer with a notice.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Go back to the mix that opening a link or project replaced.
    RestorePrevious,
    /// Download the mix set aside under this id, as it was stored.
    DownloadAside(String),
    /// Discard the mix set aside under this id (asks first).
    DiscardAside(String),
    /// Fetch the mix's audio from this host.
    LoadHost(String),
    /// Fetch nothing from this host.
    SkipHost(String),
    /// Stop fetching from this host.
    CancelHost(String),
}

/// A message to the user, until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// What it is about; a new notice replaces an older one with the same key.
    pub key: String,
    /// How much it matters.
    pub level: Level,
    /// The message.
    pub text: String,
    /// Buttons to offer with it.
    pub actions: Vec<Action>,
}

impl Notice {
    /// A notice for information.
    pub fn info(key: &str, text: String) -> Notice {
        Notice {
            key: key.to_owned(),
            level: Level::Info,
            text,
            actions: Vec::new(),
        }
    }

    /// A notice that something failed.
    pub fn error(key: &str, text: String) -> Notice {
        Notice {
            level: Level::Error,
            ..Notice::info(key, text)
        }
    }

    /// The same notice with `actions` offered.
    pub fn with_actions(self, actions: Vec<Action>) -> Notice {
        Notice { actions, ..self }
    }
}

/// The handle components use to open, save and share the mix.
#[derive(Clone, Copy)]
pub struct Project {
    mixer: Mixer,
    store: StoredValue<Option<Store>, LocalStorage>,
    /// Messages shown under the top bar.
    pub notices: RwSignal<Vec<Notice>>,
    opening: StoredValue<Rc<Cell<bool>>, LocalStorage>,
    /// Counts the opens: a load that finds a newer open started gives up.
    opens: StoredValue<Rc<Cell<u32>>, LocalStorage>,
    /// The mix this tab works on.
    mix: StoredValue<Option<TabMix>, LocalStorage>,
    /// The id of the kept mix this tab worked on before (for "Back to my previous mix").
    previous: StoredValue<Option<String>, LocalStorage>,
    /// Bumped whenever this tab changes which mixes are kept (lists of them read again).
    pub kept_changes: RwSignal<u32>,
    /// The open mix's tracks whose audio is at a URL and not loaded yet.
    remote: StoredValue<Vec<remote::RemoteTrack>, LocalStorage>,
    /// The lesson the tab's mix answers, if it was opened from one (reactive).
    pub lesson: RwSignal<Option<Arc<Lesson>>>,
    /// What was answered to the lesson's ear-training goals (reactive; the tab's mix keeps
    /// them, [`Project::keep_answer`]).
    pub answers: RwSignal<Vec<EarAnswer>>,
    /// An ear-training challenge the link just opened carried, for the ear-training panel to
    /// take.
    pub challenge: RwSignal<Option<mixroom_ear::challenge::Challenge>>,
}

impl Project {
    /// A project around `mixer`, without storage until [`start`] opens it.
    pub fn new(mixer: Mixer) -> Project {
        Project {
            mixer,
            store: StoredValue::new_local(None),
            notices: RwSignal::new(Vec::new()),
            opening: StoredValue::new_local(Rc::new(Cell::new(false))),
            opens: StoredValue::new_local(Rc::new(Cell::new(0))),
            mix: StoredValue::new_local(None),
            previous: StoredValue::new_local(None),
            kept_changes: RwSignal::new(0),
            remote: StoredValue::new_local(Vec::new()),
            lesson: RwSignal::new(None),
            answers: RwSignal::new(Vec::new()),
            challenge: RwSignal::new(None),
        }
    }

    /// Runs `f` on the mix this tab works on, if it has one yet.
    pub fn with_tab_mix<R>(&self, f: impl FnOnce(&mut TabMix) -> R) -> Option<R> {
        self.mix
            .try_update_value(|mix| mix.as_mut().map(f))
            .flatten()
    }

    /// The id and name of the mix this tab works on.
    pub fn tab_mix(&self) -> Option<(String, String)> {
        self.mix
            .with_value(|m| m.as_ref().map(|m| (m.id.clone(), m.name.clone())))
    }

    /// The mixer.
    pub fn mixer(&self) -> Mixer {
        self.mixer
    }

    /// The browser storage, when it could be opened.
    pub fn store(&self) -> Option<Store> {
        self.store.get_value()
    }

    /// Whether a mix is being opened (autosave waits for it).
    pub fn is_opening(&self) -> bool {
        self.opening.with_value(|o| o.get())
    }

    /// The mix with every track's audio prepared again ([`Mixer::mix_audio`], at `rate_hz`
    /// or the engine's rate), once the mix being opened, if one is, has loaded its tracks: a
    /// check or comparison asked for while a lesson's mix loads waits for it (`waiting()`
    /// hears that it does) instead of failing.
    pub async fn mix_audio(
        &self,
        verb: &str,
        waiting: &dyn Fn(),
        preparing: &dyn Fn(usize, usize),
        rate_hz: Option<f32>,
    ) -> Result<crate::state::MixAudio, String> {
        while self.is_opening() {
            waiting();
            let _ = crate::audio::sleep_ms(100).await;
        }
        self.mixer.mix_audio(verb, preparing, rate_hz).await
    }

    /// Shows `notice` (replacing one with the same key).
    pub fn notify(&self, notice: Notice) {
        self.notices.update(|list| {
            list.retain(|n| n.key != notice.key);
            list.push(notice);
        });
    }

    /// Removes the notice with `key`.
    pub fn clear_notice(&self, key: &str) {
        self.notices.update(|list| list.retain(|n| n.key != key));
    }
}
