//! mixroom-lesson: a lesson's goals measured from the sound of the student's mix.
//!
//! Goals are never read from knob positions: the mix is rendered offline by the same engine as
//! the page ([`mixroom_dsp::Engine`]) and measured. A strip's *contribution* is the mix minus
//! the mix rendered with that strip muted, so it carries everything the strip puts into the
//! master (its sends, its bus, the master's processing of it) and nothing else.
//!
//! - [`Checker`]: renders what the goals need, a bounded amount per [`Checker::step`] (the page
//!   stays responsive and shows the [`Progress`]), then judges every goal ([`Checker::finish`]).
//! - [`Report`], [`GoalResult`]: the verdicts, each with the number, the target and a hint.
//! - How each goal is measured: [`spectrum`] (the long-term spectrum, Hann 4096 / hop 2048),
//!   [`bands`] (critical and third-octave bands), [`curve`] (tonal balance and the neutral
//!   curve), [`measure`] (loudness, contributions, width, correlation, gain reduction), and the
//!   table below.
//!
//! | goal | measured as |
//! |---|---|
//! | `loudness`, `loudness_range`, `true_peak` | the engine's master meters (BS.1770-4, EBU Tech 3342) at the end of the render |
//! | `crest` | true peak, dBTP, minus integrated loudness, LUFS |
//! | `relative_level`, `return_level` | integrated loudness of the contribution minus that of the mix with the strip muted |
//! | `band_balance` | mean power of one contribution in the band over the other's, dB |
//! | `masking` | the share of `a`'s energy in its loud (window, critical band) cells, within [`goals::LOUD_RANGE_DB`] of its loudest, that lies in cells where `b`'s energy is at least `a`'s minus [`goals::MASKING_MARGIN_DB`], percent |
//! | `width` | 100·√(Σside²/Σmid²) of the contribution |
//! | `correlation`, `mono_bass` | Σlr/√(Σl²Σr²) of the master, whole or from its cross spectrum below the frequency |
//! | `tonal_balance` | the largest deviation of the normalized third-octave levels from the curve |
//! | `gain_reduction` | mean of the compressor's gain reduction per 128-frame block in which the strip peaks at −60 dBFS or more |
//! | `ear_challenge` | the points of the hand-in's answer to the round ([`ear`]); an EQ correction: the worst band of the student's mix with the change in against the start rendered flat |
//!
//! Pure Rust over mixroom-dsp, mixroom-ear and mixroom-protocol: builds for wasm32 and natively, so the page
//! and `mixroom check` give the same verdicts.

pub mod bands;
mod checker;
pub mod curve;
pub mod ear;
mod format;
pub mod goals;
mod inputs;
pub mod measure;
mod report;
pub mod spectrum;

pub use checker::{
    CheckError, Checker, Progress, BLOCK_FRAMES, CHECK_RATE_HZ, SAMPLE_RATES_HZ, TAIL_S,
};
pub use inputs::{resolve, Correction, Inputs, BOUND_SLACK};
pub use report::{GoalResult, Report};
