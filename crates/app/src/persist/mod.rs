//! What the page keeps in the browser between visits (IndexedDB): each tab's mix, saved after
//! every change, the mixes it replaced (the recent mixes), mixes that could not be opened (set
//! aside), and every imported file by its SHA-256. See `idb` for the stores, `tab` for how
//! tabs keep out of each other's way, `housekeeping` for what is kept how long.

mod autosave;
mod housekeeping;
mod idb;
mod mixes;
mod tab;

pub use autosave::{save_now, start_autosave};
pub use housekeeping::{migrate_legacy, tidy, KEEP_UNTOUCHED};
pub use idb::{Store, StoreError};
pub use mixes::{now_ms, AsideRecord, Kept, MixRecord};
pub use tab::{
    forget_challenge, hold_mix, mixes_in_tabs, new_mix_id, remember_challenge,
    remembered_challenge, remembered_mix, take_unsaved, Held, TabMix,
};
