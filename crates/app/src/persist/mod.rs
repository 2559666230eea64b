//! What the page keeps in the browser between visits (IndexedDB): the current mix, saved after
//! every change, and every imported file by its SHA-256.

mod autosave;
mod idb;

pub use autosave::{start_autosave, CURRENT, PREVIOUS};
pub use idb::Store;
