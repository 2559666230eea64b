//! mixroom-dsp: the Mixroom engine. Pure Rust: no browser, no I/O.
//!
//! The [`Engine`] mixes up to `MAX_TRACKS` sources through channel [`Strip`]s (fader, pan,
//! mute, solo) into the master strip, follows an engine-owned [`Transport`] (play, pause, seek,
//! loop) and reports raw meter figures per processed block.
//!
//! Lifecycle of every processor: `prepare` (may allocate) → `reset` → `process`*.
//! `reset` and `process` run on the audio thread: they never allocate, lock, log or panic on user
//! data, and their output does not depend on how the signal is cut into blocks.

#![forbid(unsafe_code)]

mod biquad;
mod block;
mod compensation;
mod compressor;
mod crossfade;
mod delay;
mod denormal;
mod engine;
mod eq;
mod gate;
mod limiter;
mod loudness;
mod meter;
mod pan;
mod pass_filter;
mod render;
mod reverb;
mod smoother;
mod source;
mod strip;
mod transport;
mod true_peak;

pub use biquad::{BiquadKind, BiquadState, Coefficients, SmoothedBiquad};
pub use block::StereoBlock;
pub use compensation::CompensationDelay;
pub use compressor::{Compressor, Detection};
pub use crossfade::Crossfade;
pub use denormal::{below_tail_floor, finite_or_zero, flush, is_silent, TAIL_FLOOR};
pub use engine::Engine;
pub use eq::Equalizer;
pub use gate::Gate;
pub use meter::MeterAccumulator;
pub use pan::{balance_gains, mono_pan_gains, widen};
pub use pass_filter::{PassFilter, Slope};
pub use render::{render, SessionSources};
pub use smoother::LinearSmoother;
pub use source::{Source, SourceError};
pub use strip::Strip;
pub use transport::Transport;

/// A signal processor.
///
/// Lifecycle: `prepare` (may allocate) → `reset` → `process`*.
/// `reset` and `process` run on the audio thread: no allocation, locks or logging.
pub trait Processor {
    /// Sets the sample rate and the largest block `process` will see; may allocate.
    fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize);
    /// Clears all state: smoothers jump to their targets, delay lines and envelopes empty.
    fn reset(&mut self);
    /// Processes one block in place (at most `max_frames` frames).
    fn process(&mut self, io: &mut StereoBlock<'_>);
}
