//! The audio bridge: the main-thread side of the engine in the AudioWorklet.

pub mod blocks;
pub mod bridge;
pub mod import;
mod js;
pub mod offline;
pub mod waveform;
pub mod worklet_node;

pub use blocks::Mode;
pub use bridge::{describe, AudioBridge, EngineStatus};
pub use js::{get, object, sha256_hex, sleep_ms, yield_now};
pub use offline::decoding_context;
#[cfg(feature = "e2e")]
pub use offline::{render_offline, ParamChange};
pub use worklet_node::TrackAudio;
