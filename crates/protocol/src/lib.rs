//! Plain data shared by every side of Mixroom.
//!
//! - [`params`]: the parameter table (stable ids, keys, units, ranges, defaults, smoothing).
//! - [`strips`]: how channel strips (tracks, master) are numbered.
//! - [`bundle`]: the project bundle (`.mixroom`, a zip of the session and its audio), and the
//!   zip codec under it, which works on slices the caller reads (no I/O).
//! - [`hash`]: SHA-256 of audio files, as sessions record it.
//! - [`layout`]: the byte layout of the shared-memory blocks between the UI and the worklet.
//! - [`session`]: the session schema (serde), with migrations from older versions.
//! - [`lesson`]: the lesson schema (a starting mix, steps and goals), its links and hand-ins.
//! - [`link`]: the share link (a whole mix in a URL fragment).
//! - [`splitmix`]: the seeded random step (SplitMix64) of ear training and the fuzzer.
//! - [`text`]: text that people write, stored as written and shown safely.
//! - [`units`]: decibel and linear gain conversions.
//! - [`validate`]: what every field of a session from outside may hold.
//!
//! This crate depends on nothing of ours and knows nothing about the browser or the DSP.

pub mod bundle;
pub mod hash;
pub mod layout;
pub mod lesson;
pub mod link;
mod migrate;
pub mod params;
pub mod session;
pub mod splitmix;
pub mod strips;
pub mod text;
pub mod units;
pub mod validate;
