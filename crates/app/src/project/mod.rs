//! The project: opening a mix (the demo, the autosave, a share link, a bundle) with all its
//! audio, saving it, sharing it, and what the page tells the user about that.

mod bundle;
mod link;
mod open;
mod sources;
mod startup;
pub mod test_hooks;

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

pub use bundle::{open_bundle_file, save_bundle};
pub use link::{share_link, ShareLink};
pub use sources::fetch;
pub use startup::start;

use crate::persist::Store;
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Go back to the mix that opening a link or project replaced.
    RestorePrevious,
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
    /// A button to offer with it.
    pub action: Option<Action>,
}

impl Notice {
    /// A notice for information.
    pub fn info(key: &str, text: String) -> Notice {
        Notice {
            key: key.to_owned(),
            level: Level::Info,
            text,
            action: None,
        }
    }

    /// A notice that something failed.
    pub fn error(key: &str, text: String) -> Notice {
        Notice {
            level: Level::Error,
            ..Notice::info(key, text)
        }
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
}

impl Project {
    /// A project around `mixer`, without storage until [`start`] opens it.
    pub fn new(mixer: Mixer) -> Project {
        Project {
            mixer,
            store: StoredValue::new_local(None),
            notices: RwSignal::new(Vec::new()),
            opening: StoredValue::new_local(Rc::new(Cell::new(false))),
        }
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
