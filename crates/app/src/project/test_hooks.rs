//! Functions the end-to-end suite calls (through `window.wasmBindings`) to check that a mix
//! comes back exactly: the project's state, and an offline render of the
//! mix as it is now through the same engine.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Array;
use leptos::prelude::*;
use mixroom_protocol::layout::spectrum_block::TAPS;
use wasm_bindgen::prelude::*;

use super::Project;
use crate::audio::render_offline;

thread_local! {
    static PROJECT: Cell<Option<Project>> = const { Cell::new(None) };
}

/// Remembers the page's project for the hooks below.
pub fn set_project(project: Project) {
    PROJECT.set(Some(project));
}

fn project() -> Result<Project, JsValue> {
    PROJECT
        .get()
        .ok_or_else(|| js_sys::Error::new("no project yet").into())
}

/// `{ opening, tracks, waiting: [file names], notices: [texts] }`.
#[wasm_bindgen]
pub fn mixroom_project_state() -> Result<js_sys::Object, JsValue> {
    let project = project()?;
    let mixer = project.mixer();
    let waiting: Array = mixer
        .waiting()
        .into_iter()
        .map(|(_, source)| JsValue::from(format!("{source:?}")))
        .collect();
    let notices: Array = project
        .notices
        .get_untracked()
        .into_iter()
        .map(|n| JsValue::from(n.text))
        .collect();
    let result = js_sys::Object::new();
    for (key, value) in [
        ("opening", JsValue::from(project.is_opening())),
        (
            "tracks",
            JsValue::from(mixer.tracks.with_untracked(Vec::len) as u32),
        ),
        ("waiting", waiting.into()),
        ("notices", notices.into()),
    ] {
        js_sys::Reflect::set(&result, &key.into(), &value)?;
    }
    Ok(result)
}

/// Renders the first `frames` frames of the mix as it is now (its session, every track's audio
/// prepared again from its origin) offline, at the engine's rate: `{ left, right }`.
#[wasm_bindgen]
pub async fn mixroom_render_current(frames: u32) -> Result<js_sys::Object, JsValue> {
    let project = project()?;
    let mixer = project.mixer();
    let bridge = mixer
        .with_bridge(Rc::clone)
        .ok_or_else(|| JsValue::from(js_sys::Error::new("no engine")))?;
    let snapshot = mixer.snapshot();
    let mut tracks = Vec::new();
    for (i, strip) in snapshot.strips.iter().enumerate() {
        if let Some(audio) = bridge.track_audio(strip.position(), bridge.context()).await {
            let audio = audio.map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
            tracks.push((i, audio));
        }
    }
    let render = render_offline(
        &snapshot.session,
        &tracks,
        frames,
        bridge.sample_rate_hz(),
        &[],
        [-1; TAPS],
    )
    .await?;
    let result = js_sys::Object::new();
    js_sys::Reflect::set(&result, &"left".into(), &render.channels[0])?;
    js_sys::Reflect::set(&result, &"right".into(), &render.channels[1])?;
    Ok(result)
}

/// Sets the limits of the fetches of audio by URL that start from now on: ms without a byte,
/// ms in all, bytes of one file, bytes of one mix's files together (a real server takes long
/// to trip the real ones).
#[wasm_bindgen]
pub fn mixroom_set_fetch_limits(stall_ms: f64, total_ms: f64, max_bytes: f64, max_set_bytes: f64) {
    super::remote::set_limits(super::remote::Limits {
        stall_ms,
        total_ms,
        max_bytes,
        max_set_bytes,
    });
}

/// Sets the memory a check may take from now on, bytes (a real hand-in that passes the real
/// budget of 3 GiB is too large for the suite).
#[wasm_bindgen]
pub fn mixroom_set_check_budget(bytes: f64) {
    crate::classroom::memory::set_budget(bytes as u64);
}
