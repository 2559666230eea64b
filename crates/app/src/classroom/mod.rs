//! The classroom: checking a mix against its lesson's goals (the measurements of
//! `mixroom check`, run in the page a slice at a time), the class table of hand-ins, and
//! loudness-matched comparisons with the lesson's reference.

mod check;
pub mod class;
pub mod compare;
mod grade;
pub mod memory;
pub mod recording;
mod sources;
pub mod teach;

pub use check::{check_mix, problem, reference_recording};
pub use grade::grade;
pub use sources::{session_audio, AudioCache};
