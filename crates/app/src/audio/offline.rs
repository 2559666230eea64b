//! Offline rendering in the page: the same worklet engine in an `OfflineAudioContext`
//! (deterministic, faster than real time, no audio device).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Float32Array;
use mixroom_protocol::layout::spectrum_block::{RING_FRAMES, TAPS};
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::layout::{meter_block, param_block};
use mixroom_protocol::session::Session;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, BaseAudioContext, OfflineAudioContext, OfflineAudioContextOptions};

use super::blocks::{Blocks, Mode};
use super::js::{self, channel_view, describe, suspend_at};
use super::samples::TrackAudio;
use super::worklet_node::{add_processor, WorkletEvent, WorkletNode};

/// How long to wait for the worklet's last messages after rendering, in message mode, ms.
const MESSAGE_SETTLE_MS: i32 = 50;

/// How long the engine may take to start (instantiate, load the sources), ms.
const ENGINE_START_TIMEOUT_MS: f64 = 10_000.0;

/// Frames in a render quantum.
const QUANTUM_FRAMES: u32 = 128;

/// Render quanta between progress reports: 1.07 s at 48 kHz, 1.16 s at 44.1 kHz.
pub const PROGRESS_QUANTA: u32 = 400;

/// A parameter change written to the shared parameter block while rendering is suspended at
/// `frame` (which must be a multiple of the 128-frame render quantum); at frame 0 it is part of
/// the block the engine starts from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamChange {
    /// Frame at which rendering is suspended for the write.
    pub frame: u32,
    /// Parameter-block slot.
    pub slot: usize,
    /// New plain value.
    pub value: f32,
}

/// What an offline render produced. The taps and the latency are for the end-to-end suite,
/// which compares them with the live page's.
#[cfg_attr(not(feature = "e2e"), allow(dead_code))]
pub struct OfflineRender {
    /// Left and right channels.
    pub channels: [Float32Array; 2],
    /// The last samples of each spectrum tap (oldest first), as the UI would read them.
    pub taps: Vec<Vec<f32>>,
    /// Frames the UI has received of the taps: the last tap sample is frame `taps_end − 1` of
    /// the render (rendering runs in whole quanta, and message mode posts in batches).
    pub taps_end: u32,
    /// Wall-clock time from `startRendering` to the rendered buffer, ms.
    pub render_ms: f64,
    /// The engine's latency (look-ahead) at the end, frames: output frame n + latency carries
    /// source frame n.
    pub latency_frames: u32,
}

/// [`render_offline_with_progress`] without progress.
#[cfg(feature = "e2e")]
pub async fn render_offline(
    session: &Session,
    tracks: &[(usize, TrackAudio)],
    frames: u32,
    sample_rate_hz: f32,
    changes: &[ParamChange],
    taps: [i32; TAPS],
) -> Result<OfflineRender, JsValue> {
    render_offline_with_progress(session, tracks, frames, sample_rate_hz, changes, taps, None).await
}

/// Renders `frames` frames of `session` with `tracks` (track index, audio at `sample_rate_hz`)
/// from frame 0, applying `changes` on the way, with the spectrum taps pointed by `taps`. With
/// `progress`, rendering also stops about every second of audio (every [`PROGRESS_QUANTA`]
/// render quanta) to call `progress(frames_done, frames)`, and once more at the end. The stops
/// change nothing in the samples.
/// A context that decodes audio at `sample_rate_hz` (an `OfflineAudioContext` that never
/// renders): the browser's decoder then resamples a file once, from its own rate, as a device
/// at that rate would. The error is a sentence fragment.
pub fn decoding_context(sample_rate_hz: f32) -> Result<BaseAudioContext, String> {
    let options = OfflineAudioContextOptions::new(1, sample_rate_hz);
    OfflineAudioContext::new_with_context_options(&options)
        .map(Into::into)
        .map_err(|e| {
            format!(
                "this browser cannot decode at {sample_rate_hz} Hz ({})",
                describe(&e)
            )
        })
}

pub async fn render_offline_with_progress(
    session: &Session,
    tracks: &[(usize, TrackAudio)],
    frames: u32,
    sample_rate_hz: f32,
    changes: &[ParamChange],
    taps: [i32; TAPS],
    progress: Option<&dyn Fn(u32, u32)>,
) -> Result<OfflineRender, JsValue> {
    let mode = Mode::detect();
    let (at_start, changes): (Vec<&ParamChange>, Vec<&ParamChange>) =
        changes.iter().partition(|c| c.frame == 0);
    if mode == Mode::Message && !changes.is_empty() {
        return Err(js::error(
            "changes during an offline render need shared memory (a cross-origin isolated page)",
        ));
    }
    let mut block = session.param_block();
    for change in at_start {
        param_block::write_value(&mut block, change.slot, change.value);
    }
    let options = OfflineAudioContextOptions::new(frames, sample_rate_hz);
    options.set_number_of_channels(2);
    let context = OfflineAudioContext::new_with_context_options(&options)?;
    add_processor(&context).await?;
    let transport = TransportRequest {
        playing: true,
        ..TransportRequest::default()
    };
    let blocks = Rc::new(Blocks::new(mode, &block, transport));
    blocks.select_taps(taps);
    let died = Rc::new(RefCell::new(None));
    let ready = Rc::new(Cell::new(false));
    let (died_in_node, blocks_in_node) = (Rc::clone(&died), Rc::clone(&blocks));
    let ready_in_node = Rc::clone(&ready);
    let node = WorkletNode::create(&context, &blocks, tracks, false, move |event| match event {
        WorkletEvent::Died { message } => *died_in_node.borrow_mut() = Some(message),
        WorkletEvent::Ready { .. } => ready_in_node.set(true),
        WorkletEvent::Meters {
            first,
            count,
            entries,
        } => blocks_in_node.receive_meters(first, count, &entries),
        WorkletEvent::Spectrum {
            first,
            frames,
            samples,
        } => blocks_in_node.receive_spectrum(first, frames, &samples),
        WorkletEvent::Loaded { .. } | WorkletEvent::Cleared { .. } => {}
    })
    .await?;

    // Rendering first stops at frame 0, until the processor has built its engine and loaded the
    // sources (it does so when rendering starts), so `render_ms` times the rendering alone.
    let mut frames_to_stop: Vec<u32> = changes.iter().map(|c| c.frame).collect();
    frames_to_stop.push(0);
    if progress.is_some() {
        let step = PROGRESS_QUANTA * QUANTUM_FRAMES;
        frames_to_stop.extend((step..frames).step_by(step as usize));
    }
    frames_to_stop.sort_unstable();
    frames_to_stop.dedup();
    let mut suspensions = Vec::new();
    for &frame in &frames_to_stop {
        let time_s = f64::from(frame) / f64::from(sample_rate_hz);
        suspensions.push((frame, suspend_at(&context, time_s)?));
    }
    let rendering = context.start_rendering()?;
    let mut started = js_sys::Date::now();
    for (frame, suspended) in suspensions {
        JsFuture::from(suspended).await?;
        if frame == 0 {
            let waited_since = js_sys::Date::now();
            while !ready.get() && died.borrow().is_none() {
                if js_sys::Date::now() - waited_since > ENGINE_START_TIMEOUT_MS {
                    return Err(js::error("the audio engine did not start within 10 s"));
                }
                js::sleep_ms(1).await?;
            }
            started = js_sys::Date::now();
        }
        if let Some(progress) = progress {
            progress(frame, frames);
        }
        for change in changes.iter().filter(|c| c.frame == frame) {
            blocks.write_param(change.slot, change.value);
        }
        // Resolving `resume` only says rendering goes on; the next suspension is awaited above.
        let _ = context.resume()?;
    }
    let buffer: AudioBuffer = JsFuture::from(rendering).await?.dyn_into()?;
    let render_ms = js_sys::Date::now() - started;
    if let Some(progress) = progress {
        progress(frames, frames);
    }
    if mode == Mode::Message {
        // Let the meter and spectrum messages posted during rendering arrive.
        js::sleep_ms(MESSAGE_SETTLE_MS).await?;
    }
    node.shut_down();
    if let Some(message) = died.borrow_mut().take() {
        return Err(js::error(&format!(
            "the engine died while rendering: {message}"
        )));
    }
    let taps = (0..TAPS)
        .map(|tap| blocks.tap_samples(tap, RING_FRAMES))
        .collect();
    let mut latency_frames = 0;
    blocks.read_new_meters(|entry| {
        latency_frames = meter_block::read_master(entry).latency_frames as u32;
    });
    Ok(OfflineRender {
        channels: [channel_view(&buffer, 0), channel_view(&buffer, 1)],
        taps,
        taps_end: blocks.tap_count(),
        render_ms,
        latency_frames,
    })
}
