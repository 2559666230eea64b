//! The audio bridge: the main-thread side of the engine in the AudioWorklet.

pub mod blocks;
pub mod bridge;
pub mod import;
mod js;
pub mod offline;
mod samples;
pub mod waveform;
pub mod worklet_node;

pub use blocks::Mode;
pub use bridge::{AudioBridge, EngineStatus};
pub use js::{describe, get, object, sha256_hex, sleep_ms, yield_now};
pub use offline::decoding_context;
#[cfg(feature = "e2e")]
pub use offline::{render_offline, ParamChange};
pub use samples::TrackAudio;
