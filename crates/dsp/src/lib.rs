//! mixroom-dsp: the Mixroom engine. Pure Rust: no browser, no I/O.
//!
//! The [`Engine`] mixes up to `MAX_TRACKS` sources through [`ChannelStrip`]s (trim, polarity,
//! filters, gate, EQ, compressor, width, pan, fader, mute/solo, sends) into group buses, aux
//! returns (reverb, delay) and the [`MasterStrip`] (EQ, glue compressor, true-peak limiter),
//! compensating look-ahead latency across paths. It follows an engine-owned [`Transport`] (play,
//! pause, seek, loop) and reports raw meter figures per processed block: peak, RMS, gain
//! reduction and clip per strip; loudness, true peak and correlation on the master.
//!
//! Lifecycle of every processor: `prepare` (may allocate) → `reset` → `process`*.
//! `reset` and `process` run on the audio thread: they never allocate, lock, log or panic on user
//! data, and their output does not depend on how the signal is cut into blocks.

#![forbid(unsafe_code)]

pub mod bindings;
mod biquad;
mod block;
mod channel_strip;
mod compensation;
mod compressor;
mod crossfade;
mod delay;
mod denormal;
pub mod downmix;
mod engine;
mod eq;
mod fader;
mod feedback_effect;
pub mod fft;
mod gate;
mod hidden_change;
mod hidden_track;
mod limiter;
mod loudness;
mod master_strip;
mod meter;
mod noise;
mod pan;
mod pass_filter;
mod render;
mod return_effect;
mod reverb;
mod routing;
mod smoother;
mod source;
mod taps;
#[cfg(test)]
mod test_support;
mod transport;
mod true_peak;

pub use biquad::{BiquadKind, BiquadState, Coefficients, SmoothedBiquad};
pub use block::StereoBlock;
pub use channel_strip::ChannelStrip;
pub use compensation::CompensationDelay;
pub use compressor::{Compressor, Detection};
pub use crossfade::Crossfade;
pub use delay::Delay;
pub use denormal::{below_tail_floor, finite_or_zero, flush, is_silent, TAIL_FLOOR};
pub use engine::Engine;
pub use eq::Equalizer;
pub use gate::Gate;
pub use hidden_change::{loudness_match_db, HiddenChange};
pub use hidden_track::HiddenTrackChange;
pub use limiter::TruePeakLimiter;
pub use loudness::LoudnessMeter;
pub use master_strip::MasterStrip;
pub use meter::MeterAccumulator;
pub use noise::white_noise;
pub use pan::{balance_gains, mono_pan_gains, widen};
pub use pass_filter::{PassFilter, Slope};
pub use render::{render, render_into, SessionSources};
pub use return_effect::{EffectKind, ReturnEffect};
pub use reverb::{Reverb, ReverbKind};
pub use routing::{Dest, Plan};
pub use smoother::LinearSmoother;
pub use source::{Source, SourceError};
pub use taps::{Taps, TAP_CAPACITY_FRAMES};
pub use transport::Transport;
pub use true_peak::{oversampling_for_rate, TruePeakDetector, TruePeakMeter};

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
