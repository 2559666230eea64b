//! Hooks the end-to-end suite calls through `window.wasmBindings` for ear training: a seed for
//! repeatable rounds, what the round hides and what the live engine plays, and the mix rendered
//! offline with the round's change.

use std::cell::Cell;

use js_sys::{Float32Array, Object};
use leptos::prelude::WithUntracked;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;
use wasm_bindgen::prelude::*;

use super::{loudness_lufs, prepare, render_frames, EarTraining, Hidden, Round};

thread_local! {
    static EAR: Cell<Option<EarTraining>> = const { Cell::new(None) };
}

/// Remembers the page's ear training for the hooks below.
pub fn set_ear(ear: EarTraining) {
    EAR.set(Some(ear));
}

fn ear() -> Result<EarTraining, JsValue> {
    EAR.get()
        .ok_or_else(|| js_sys::Error::new("no ear training").into())
}

fn object(entries: &[(&str, JsValue)]) -> Result<Object, JsValue> {
    let object = Object::new();
    for (key, value) in entries {
        js_sys::Reflect::set(&object, &(*key).into(), value)?;
    }
    Ok(object)
}

/// Draws the next rounds from `seed`.
#[wasm_bindgen]
pub fn mixroom_ear_seed(seed: f64) -> Result<(), JsValue> {
    ear()?.reseed(seed as u64);
    Ok(())
}

/// What the round hides: for an EQ round `{ centreHz, gainDb, q, matchDb }`, for a track round
/// `{ track, trackName, value, matchDb, makeupDb }` (none without a round), with what the live
/// engine's hidden master parameters hold: `{ liveOn, liveGainDb, liveHz, liveMatchDb }`, and
/// for a track round its track's `{ liveTrackChange, liveTrackValue }`.
#[wasm_bindgen]
pub fn mixroom_ear_round() -> Result<Object, JsValue> {
    let ear = ear()?;
    let live = |param: ParamId| {
        ear.mixer()
            .with_bridge(|b| b.param(param.slot(StripIndex::MASTER)))
            .map_or(JsValue::NULL, |v| f64::from(v).into())
    };
    let mut entries = vec![
        ("liveOn", live(ParamId::EarOn)),
        ("liveGainDb", live(ParamId::EarEqGainDb)),
        ("liveHz", live(ParamId::EarEqHz)),
        ("liveMatchDb", live(ParamId::EarMatchDb)),
    ];
    match ear.stage.with_untracked(|s| s.round().cloned()) {
        Some(Round::Track(t)) => {
            let strip = t.strip();
            let live_track = |param: ParamId| {
                ear.mixer()
                    .with_bridge(|b| b.param(param.slot(strip)))
                    .map_or(JsValue::NULL, |v| f64::from(v).into())
            };
            entries.extend([
                ("track", (t.round.track as f64).into()),
                ("trackName", t.tracks[t.round.track].1.clone().into()),
                ("value", f64::from(t.round.value).into()),
                ("matchDb", f64::from(t.match_db).into()),
                ("makeupDb", f64::from(t.change.makeup_db).into()),
                ("liveTrackChange", live_track(ParamId::EarTrackChange)),
                ("liveTrackValue", live_track(ParamId::EarTrackValue)),
            ]);
        }
        Some(Round::Frequency(hidden)) => eq_entries(&mut entries, hidden),
        Some(Round::Correction(c)) => eq_entries(&mut entries, c.hidden),
        None => {}
    }
    object(&entries)
}

/// What an EQ round hides, as [`mixroom_ear_round`] says it.
fn eq_entries(entries: &mut Vec<(&str, JsValue)>, hidden: Hidden) {
    entries.extend([
        ("centreHz", f64::from(hidden.round.centre_hz).into()),
        ("gainDb", f64::from(hidden.round.gain_db).into()),
        ("q", f64::from(hidden.round.resolution.q()).into()),
        ("matchDb", f64::from(hidden.match_db).into()),
    ]);
}

/// Renders the first `frames` frames of the mix offline with the round's change in the engine,
/// the changed version when `changed`, else the flat original: `{ left, right, integratedLufs
/// }`.
#[wasm_bindgen]
pub async fn mixroom_render_ear(frames: u32, changed: bool) -> Result<Object, JsValue> {
    let ear = ear()?;
    let round = ear
        .stage
        .with_untracked(|s| s.round().cloned())
        .ok_or_else(|| js_sys::Error::new("no round"))?;
    let err = |e: String| JsValue::from(js_sys::Error::new(&e));
    let audio = prepare(ear.mixer()).await.map_err(err)?;
    let render = render_frames(&audio, &round.params(changed), frames)
        .await
        .map_err(err)?;
    object(&[
        ("left", Float32Array::from(render.left.as_slice()).into()),
        ("right", Float32Array::from(render.right.as_slice()).into()),
        ("integratedLufs", f64::from(loudness_lufs(&render)).into()),
    ])
}
