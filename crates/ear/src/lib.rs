//! Ear training on the song's own stems: what an exercise hides, how an answer scores, and how
//! the difficulty follows the student. Pure Rust, no audio: the engine plays what a round
//! hides; this crate decides it and judges the answer, the same in the page and in the CLI.
//!
//! - [`challenge`]: one fixed round carried in a link beside the mix (hidden, not secret).
//! - [`answer`]: a lesson's ear-training goal (a challenge) judged from a hand-in's answer.
//! - [`bands`]: the centres an EQ round picks from (octaves, then third octaves).
//! - [`eq`]: an EQ frequency round, drawn from a seed, and its verdict.
//! - [`score`]: an EQ answer scored as in Moulton's method (10 points, minus 1 per octave off,
//!   minus 2 for confusing boost and cut); gain and the choice exercises.
//! - [`ladder`]: the difficulty, up after right answers, down after a miss.
//! - [`track`]: the track exercises: gain, pan, compression, space.
//! - [`progress`]: every answered round, the accuracy over time, the bands confused.
//! - [`Seed`]: the seeded choices, so a round (and a challenge link) replays the same.

pub mod answer;
pub mod bands;
pub mod challenge;
pub mod eq;
pub mod ladder;
pub mod progress;
pub mod score;
mod seed;
pub mod track;

pub use seed::Seed;
