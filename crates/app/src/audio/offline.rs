//! Offline rendering in the page: the same worklet engine in an `OfflineAudioContext`
//! (deterministic, faster than real time, no audio device).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Float32Array;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::session::Session;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, OfflineAudioContext, OfflineAudioContextOptions};

use super::blocks::{Blocks, Mode};
use super::js::{self, channel_view, suspend_at};
use super::worklet_node::{add_processor, TrackAudio, WorkletEvent, WorkletNode};

/// A parameter change written to the shared parameter block while rendering is suspended at
/// `frame` (which must be a multiple of the 128-frame render quantum).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamChange {
    /// Frame at which rendering is suspended for the write.
    pub frame: u32,
    /// Parameter-block slot.
    pub slot: usize,
    /// New plain value.
    pub value: f32,
}

/// Renders `frames` frames of `session` with `tracks` (track index, audio at `sample_rate_hz`)
/// from frame 0, applying `changes` on the way. Returns the left and right channels.
pub async fn render_offline(
    session: &Session,
    tracks: &[(usize, TrackAudio)],
    frames: u32,
    sample_rate_hz: f32,
    changes: &[ParamChange],
) -> Result<[Float32Array; 2], JsValue> {
    let mode = Mode::detect();
    if mode == Mode::Message && !changes.is_empty() {
        return Err(js::error(
            "changes during an offline render need shared memory (a cross-origin isolated page)",
        ));
    }
    let options = OfflineAudioContextOptions::new(frames, sample_rate_hz);
    options.set_number_of_channels(2);
    let context = OfflineAudioContext::new_with_context_options(&options)?;
    add_processor(&context).await?;
    let transport = TransportRequest {
        playing: true,
        ..TransportRequest::default()
    };
    let blocks = Blocks::new(mode, &session.param_block(), transport);
    let died = Rc::new(RefCell::new(None));
    let died_in_node = Rc::clone(&died);
    let node = WorkletNode::create(&context, &blocks, tracks, move |event| {
        if let WorkletEvent::Died { message } = event {
            *died_in_node.borrow_mut() = Some(message);
        }
    })
    .await?;

    let mut frames_to_stop: Vec<u32> = changes.iter().map(|c| c.frame).collect();
    frames_to_stop.sort_unstable();
    frames_to_stop.dedup();
    let mut suspensions = Vec::new();
    for &frame in &frames_to_stop {
        let time_s = f64::from(frame) / f64::from(sample_rate_hz);
        suspensions.push((frame, suspend_at(&context, time_s)?));
    }
    let rendering = context.start_rendering()?;
    for (frame, suspended) in suspensions {
        JsFuture::from(suspended).await?;
        for change in changes.iter().filter(|c| c.frame == frame) {
            blocks.write_param(change.slot, change.value);
        }
        // Resolving `resume` only says rendering goes on; the next suspension is awaited above.
        let _ = context.resume()?;
    }
    let buffer: AudioBuffer = JsFuture::from(rendering).await?.dyn_into()?;
    node.shut_down();
    if let Some(message) = died.borrow_mut().take() {
        return Err(js::error(&format!(
            "the engine died while rendering: {message}"
        )));
    }
    Ok([channel_view(&buffer, 0), channel_view(&buffer, 1)])
}
