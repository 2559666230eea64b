//! Functions the end-to-end suite calls through `window.wasmBindings` (Trunk exposes the app's
//! wasm-bindgen exports there). They use the same engine and bridge as the page.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Float32Array};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::StripIndex;
use wasm_bindgen::prelude::*;

use crate::audio::{render_offline, AudioBridge, ParamChange, TrackAudio};

thread_local! {
    static LIVE: RefCell<Option<Rc<AudioBridge>>> = const { RefCell::new(None) };
}

/// Remembers the page's live engine for [`mixroom_crash_engine`].
pub fn set_live_bridge(bridge: Rc<AudioBridge>) {
    LIVE.with_borrow_mut(|live| *live = Some(bridge));
}

fn js_error(message: String) -> JsValue {
    js_sys::Error::new(&message).into()
}

/// Renders `session_json` offline through the worklet engine and resolves to `[left, right]`.
///
/// - `sources[i]`: the channels (`Float32Array`s at `sample_rate_hz`) of track `i`, or null.
/// - `changes`: `[{ frame, track, key, value }]`, `track` a track index or `"master"`: written to
///   the shared parameter block while rendering is suspended at `frame` (a multiple of 128).
#[wasm_bindgen]
pub async fn mixroom_render_offline(
    session_json: String,
    sources: Array,
    frames: u32,
    sample_rate_hz: f32,
    changes: Array,
) -> Result<Array, JsValue> {
    let session = Session::from_json(&session_json).map_err(|e| js_error(e.to_string()))?;
    let tracks: Vec<(usize, TrackAudio)> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_null() && !s.is_undefined())
        .map(|(i, s)| {
            let channels = Array::from(&s).iter().map(Float32Array::from).collect();
            (i, TrackAudio { channels })
        })
        .collect();
    let changes = changes
        .iter()
        .map(|c| parse_change(&c))
        .collect::<Result<Vec<_>, _>>()?;
    let [left, right] = render_offline(&session, &tracks, frames, sample_rate_hz, &changes).await?;
    Ok(Array::of2(&left, &right))
}

fn parse_change(change: &JsValue) -> Result<ParamChange, JsValue> {
    let get = |key: &str| js_sys::Reflect::get(change, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let key = get("key").as_string().unwrap_or_default();
    let param =
        ParamId::from_key(&key).ok_or_else(|| js_error(format!("unknown parameter \"{key}\"")))?;
    let track = get("track");
    let strip = if track.as_string().as_deref() == Some("master") {
        Some(StripIndex::MASTER)
    } else {
        track.as_f64().and_then(|t| StripIndex::track(t as usize))
    }
    .ok_or_else(|| js_error(format!("no strip {track:?}")))?;
    Ok(ParamChange {
        frame: get("frame").as_f64().unwrap_or(0.0) as u32,
        slot: param.slot(strip),
        value: get("value").as_f64().unwrap_or(f64::NAN) as f32,
    })
}

/// Makes the live engine panic (its instance aborts), to test the restart.
#[wasm_bindgen]
pub fn mixroom_crash_engine() -> Result<(), JsValue> {
    LIVE.with_borrow(|live| match live {
        Some(bridge) => {
            bridge.crash_engine();
            Ok(())
        }
        None => Err(js_error("no live engine".to_owned())),
    })
}
