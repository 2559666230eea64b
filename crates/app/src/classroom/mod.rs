//! The classroom: checking a mix against its lesson's goals (the measurements of
//! `mixroom check`, run in the page a slice at a time), and the class table of hand-ins.

mod check;
pub mod class;
pub mod compare;
mod grade;
mod sources;
pub mod teach;

pub use check::{check_mix, problem};
pub use grade::grade;
