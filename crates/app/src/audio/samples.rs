//! What carries a track's samples to the engine: [`EngineAudio`] for the live engine (buffers
//! moved to the worklet), [`TrackAudio`] for an offline render's engine.

use js_sys::{Array, ArrayBuffer, Float32Array, Int16Array};
use wasm_bindgen::JsValue;

use super::js;

/// A track's audio in the engine's storage, one transferable `ArrayBuffer` per channel:
/// Float32 samples, or Int16 (`i / 32768`) when compact. Posting it to the worklet moves the
/// buffers, leaving nothing behind.
pub struct EngineAudio {
    compact: bool,
    channels: Vec<ArrayBuffer>,
}

impl EngineAudio {
    /// Audio in `channels`, 16-bit samples when `compact`, else f32.
    pub(super) fn new(compact: bool, channels: Vec<ArrayBuffer>) -> EngineAudio {
        EngineAudio { compact, channels }
    }

    /// The sample format the processor's "load" message names: "i16" or "f32".
    pub fn format(&self) -> &'static str {
        if self.compact {
            "i16"
        } else {
            "f32"
        }
    }

    /// The channels' buffers.
    pub fn channels(&self) -> &[ArrayBuffer] {
        &self.channels
    }

    /// The audio as f32 channels, for an offline render (16-bit samples become `i / 32768`,
    /// which the engine stores back as the same integers).
    pub fn into_track_audio(self) -> TrackAudio {
        let channels = self
            .channels
            .iter()
            .map(|buffer| {
                if self.compact {
                    let samples = Int16Array::new(buffer).to_vec();
                    let converted: Vec<f32> =
                        samples.iter().map(|&i| f32::from(i) / 32_768.0).collect();
                    Float32Array::from(converted.as_slice())
                } else {
                    Float32Array::new(buffer)
                }
            })
            .collect();
        TrackAudio { channels }
    }
}

/// A track's audio as f32 channels at the context's sample rate, for the engine to load before
/// its first quantum (offline renders; the live engine loads [`EngineAudio`] at any time).
#[derive(Clone, Debug)]
pub struct TrackAudio {
    /// The channels.
    pub channels: Vec<Float32Array>,
}

impl TrackAudio {
    pub(super) fn to_js(&self, track: usize) -> js_sys::Object {
        let channels: Array = self.channels.iter().collect();
        js::object(&[
            ("track", &JsValue::from(track as u32)),
            ("channels", &channels.into()),
        ])
    }
}
