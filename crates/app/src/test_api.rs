//! Functions the end-to-end suite calls through `window.wasmBindings` (Trunk exposes the app's
//! wasm-bindgen exports there). They use the same engine and bridge as the page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Float32Array};
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};
use wasm_bindgen::prelude::*;

use crate::audio::{render_offline, AudioBridge, ParamChange, TrackAudio};
use crate::export::normalize::LoudnessTarget;
use crate::export::wav::WavFormat;
use crate::export::{export_mix, ExportOptions, Payload};
use crate::state::Mixer;
use crate::ui::Importer;

thread_local! {
    static LIVE: RefCell<Option<Rc<AudioBridge>>> = const { RefCell::new(None) };
    static IMPORTER: Cell<Option<Importer>> = const { Cell::new(None) };
    static MIXER: Cell<Option<Mixer>> = const { Cell::new(None) };
}

/// Dither seed of the export hook: its 16- and 24-bit files are reproducible.
const TEST_DITHER_SEED: u64 = 1;

/// Remembers the page's live engine and importer for the hooks below.
pub fn set_live(bridge: Rc<AudioBridge>, importer: Importer) {
    LIVE.with_borrow_mut(|live| *live = Some(bridge));
    IMPORTER.set(Some(importer));
}

/// Remembers the page's mix for the hooks below.
pub fn set_mixer(mixer: Mixer) {
    MIXER.set(Some(mixer));
}

fn live_mixer() -> Result<Mixer, JsValue> {
    MIXER
        .get()
        .ok_or_else(|| js_error("no live page".to_owned()))
}

fn js_error(message: String) -> JsValue {
    js_sys::Error::new(&message).into()
}

/// Renders `session_json` offline through the worklet engine and resolves to
/// `{ left, right, taps: [Float32Array...], tapsEnd, latencyFrames, renderMs }`.
///
/// - `sources[i]`: the channels (`Float32Array`s at `sample_rate_hz`) of track `i`, or null.
/// - `changes`: `[{ frame, track, key, value }]`, `track` a track index or `"master"`: written to
///   the shared parameter block while rendering is suspended at `frame` (a multiple of 128).
/// - `taps`: spectrum tap selectors (up to four; −1 or missing = off); `taps` in the result
///   holds each tap's last ring of samples as the UI reads it.
#[wasm_bindgen]
pub async fn mixroom_render_offline(
    session_json: String,
    sources: Array,
    frames: u32,
    sample_rate_hz: f32,
    changes: Array,
    taps: Option<Array>,
) -> Result<js_sys::Object, JsValue> {
    let session = Session::from_json(&session_json).map_err(|e| js_error(e.to_string()))?;
    let tracks = track_audio(&sources);
    let changes = changes
        .iter()
        .map(|c| parse_change(&c))
        .collect::<Result<Vec<_>, _>>()?;
    let selectors: [i32; TAPS] = std::array::from_fn(|tap| {
        taps.as_ref()
            .and_then(|t| t.get(tap as u32).as_f64())
            .map_or(-1, |s| s as i32)
    });
    let render = render_offline(
        &session,
        &tracks,
        frames,
        sample_rate_hz,
        &changes,
        selectors,
    )
    .await?;
    let taps: Array = render
        .taps
        .iter()
        .map(|samples| Float32Array::from(samples.as_slice()))
        .collect();
    let result = js_sys::Object::new();
    for (key, value) in [
        ("left", JsValue::from(&render.channels[0])),
        ("right", JsValue::from(&render.channels[1])),
        ("taps", taps.into()),
        ("tapsEnd", render.taps_end.into()),
        ("latencyFrames", render.latency_frames.into()),
        ("renderMs", render.render_ms.into()),
    ] {
        js_sys::Reflect::set(&result, &key.into(), &value)?;
    }
    Ok(result)
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

/// The benchmark mix of `cargo xtask bench` with `tracks` tracks, as session JSON.
#[wasm_bindgen]
pub fn mixroom_benchmark_session(tracks: usize) -> String {
    mixroom_protocol::session::benchmark(tracks, false).to_json()
}

/// Renders like [`mixroom_render_offline`] and resolves to the rendering time only, ms (from
/// `startRendering` to the finished buffer).
#[wasm_bindgen]
pub async fn mixroom_bench_render(
    session_json: String,
    sources: Array,
    frames: u32,
    sample_rate_hz: f32,
) -> Result<f64, JsValue> {
    let session = Session::from_json(&session_json).map_err(|e| js_error(e.to_string()))?;
    let tracks = track_audio(&sources);
    let render = render_offline(&session, &tracks, frames, sample_rate_hz, &[], [-1; TAPS]).await?;
    Ok(render.render_ms)
}

fn track_audio(sources: &Array) -> Vec<(usize, TrackAudio)> {
    sources
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_null() && !s.is_undefined())
        .map(|(i, s)| {
            let channels = Array::from(&s).iter().map(Float32Array::from).collect();
            (i, TrackAudio { channels })
        })
        .collect()
}

/// Points the live engine's spectrum taps (`selectors`: up to four, −1 = off).
#[wasm_bindgen]
pub fn mixroom_select_taps(selectors: Array) -> Result<(), JsValue> {
    let selectors: [i32; TAPS] =
        std::array::from_fn(|tap| selectors.get(tap as u32).as_f64().map_or(-1, |s| s as i32));
    with_live(|bridge| bridge.select_taps(selectors))
}

/// The newest `frames` samples of the live engine's spectrum tap `tap`, oldest first.
#[wasm_bindgen]
pub fn mixroom_tap_samples(tap: usize, frames: usize) -> Result<Float32Array, JsValue> {
    with_live(|bridge| Float32Array::from(bridge.tap_samples(tap, frames).as_slice()))
}

fn with_live<R>(f: impl FnOnce(&AudioBridge) -> R) -> Result<R, JsValue> {
    LIVE.with_borrow(|live| match live {
        Some(bridge) => Ok(f(bridge)),
        None => Err(js_error("no live engine".to_owned())),
    })
}

/// The live master's latest loudness figures: `{ momentaryLufs, shortTermLufs, integratedLufs,
/// loudnessRangeLu, truePeak: [l, r], latencyFrames }` (−∞ readings come as `null`).
#[wasm_bindgen]
pub fn mixroom_master_figures() -> Result<js_sys::Object, JsValue> {
    let m = with_live(AudioBridge::master_figures)?;
    let number = |v: f32| {
        if v.is_finite() {
            JsValue::from(v)
        } else {
            JsValue::NULL
        }
    };
    let result = js_sys::Object::new();
    let true_peak = Array::of2(&number(m.true_peak[0]), &number(m.true_peak[1]));
    for (key, value) in [
        ("momentaryLufs", number(m.momentary_lufs)),
        ("shortTermLufs", number(m.short_term_lufs)),
        ("integratedLufs", number(m.integrated_lufs)),
        ("loudnessRangeLu", number(m.loudness_range_lu)),
        ("truePeak", true_peak.into()),
        ("latencyFrames", number(m.latency_frames)),
    ] {
        js_sys::Reflect::set(&result, &key.into(), &value)?;
    }
    Ok(result)
}

/// Makes the live engine panic (its instance aborts), to test the restart.
#[wasm_bindgen]
pub fn mixroom_crash_engine() -> Result<(), JsValue> {
    with_live(AudioBridge::crash_engine)
}

fn set(object: &js_sys::Object, key: &str, value: impl Into<JsValue>) {
    js_sys::Reflect::set(object, &key.into(), &value.into())
        .expect("setting a property of a plain object cannot fail");
}

/// Imports `files` (`File`s) through the page's importer, as a drop of those files would (each
/// becomes a track at the end of the console), and resolves to one result per file:
///
/// - success: `{ ok: true, name, track, channels, fileChannels, frames, sampleRateHz,
///   durationS, downmixed, compact, peak, overview: { framesPerPoint, points, min, max }
///   (Float32Arrays), readMs, decodeMs, convertMs, loadMs (the whole wait for the engine),
///   engineLoadMs (the load on the audio thread), wasmMemoryBytes, sourceBytes }`;
/// - failure: `{ ok: false, name, error }` (the message the user would see).
#[wasm_bindgen]
pub async fn mixroom_import_files(files: Array) -> Result<Array, JsValue> {
    let importer = IMPORTER
        .get()
        .ok_or_else(|| js_error("no live page".to_owned()))?;
    let files = files
        .iter()
        .map(|f| f.dyn_into::<web_sys::File>())
        .collect::<Result<Vec<_>, _>>()?;
    let results = Array::new();
    for (name, outcome) in importer.import(files).await {
        let result = js_sys::Object::new();
        set(&result, "name", name);
        match outcome {
            Ok(imported) => {
                let info = &imported.info;
                let overview = js_sys::Object::new();
                set(
                    &overview,
                    "framesPerPoint",
                    info.overview.frames_per_point as u32,
                );
                set(&overview, "points", info.overview.points() as u32);
                set(
                    &overview,
                    "min",
                    Float32Array::from(info.overview.min.as_slice()),
                );
                set(
                    &overview,
                    "max",
                    Float32Array::from(info.overview.max.as_slice()),
                );
                set(&result, "ok", true);
                set(&result, "track", imported.strip.position() as u32);
                set(&result, "channels", info.channels);
                set(&result, "fileChannels", info.file_channels);
                set(&result, "frames", info.frames);
                set(&result, "sampleRateHz", info.sample_rate_hz);
                set(&result, "durationS", info.duration_s);
                set(&result, "downmixed", info.downmixed);
                set(&result, "compact", info.compact);
                set(&result, "peak", info.peak_lin);
                set(&result, "overview", overview);
                set(&result, "readMs", imported.timings.read_ms);
                set(&result, "decodeMs", imported.timings.decode_ms);
                set(&result, "convertMs", imported.timings.convert_ms);
                set(&result, "loadMs", imported.load_ms);
                set(&result, "engineLoadMs", imported.engine_load_ms);
                set(&result, "wasmMemoryBytes", imported.memory.wasm_bytes);
                set(&result, "sourceBytes", imported.memory.source_bytes);
            }
            Err(e) => {
                set(&result, "ok", false);
                set(&result, "error", e.to_string());
            }
        }
        results.push(&result);
    }
    Ok(results)
}

/// The tracks of the live engine that hold audio: `[{ track, name, frames, seconds, channels,
/// compact }]` (`frames` at the engine's rate, `seconds` their length).
#[wasm_bindgen]
pub fn mixroom_tracks() -> Result<Array, JsValue> {
    with_live(|bridge| {
        (0..MAX_TRACKS)
            .filter_map(|track| {
                let info = bridge.track_info(track)?;
                let entry = js_sys::Object::new();
                set(&entry, "track", track as u32);
                set(&entry, "name", info.name);
                set(&entry, "frames", info.frames);
                set(&entry, "seconds", info.duration_s);
                set(&entry, "channels", info.channels);
                set(&entry, "compact", info.compact);
                Some(JsValue::from(entry))
            })
            .collect()
    })
}

/// Per track (all `MAX_TRACKS`), the largest post-fader peak of each channel (linear) over the newest
/// `quanta` meter entries of the live engine (at most half the meter ring), as
/// `[left0, right0, left1, right1, ...]`.
#[wasm_bindgen]
pub fn mixroom_track_peaks(quanta: u32) -> Result<Float32Array, JsValue> {
    with_live(|bridge| {
        let peaks: Vec<f32> = bridge
            .recent_track_peaks(quanta)
            .into_iter()
            .flatten()
            .collect();
        Float32Array::from(peaks.as_slice())
    })
}

/// The live engine's memory as last reported: `{ wasmMemoryBytes, sourceBytes, lastLoadMs }`
/// (the worklet's whole wasm memory, what the tracks' samples take of it, and how long the last
/// load took on the audio thread).
#[wasm_bindgen]
pub fn mixroom_engine_memory() -> Result<js_sys::Object, JsValue> {
    with_live(|bridge| {
        let (memory, last_load_ms) = bridge.engine_memory();
        let result = js_sys::Object::new();
        set(&result, "wasmMemoryBytes", memory.wasm_bytes);
        set(&result, "sourceBytes", memory.source_bytes);
        set(&result, "lastLoadMs", last_load_ms);
        result
    })
}

/// The page's mix as session JSON (`Mixer::snapshot`), as an export renders it.
#[wasm_bindgen]
pub fn mixroom_session_json() -> Result<String, JsValue> {
    Ok(live_mixer()?.snapshot().session.to_json())
}

/// Exports the page's mix as the dialog's "Export mix" does, with `format` (`"pcm16"`,
/// `"pcm24"`, `"float32"`) and `target` (`"off"`, `"streaming"`, `"apple"`, `"ebu"`) and the
/// dither seed 1, and resolves to the file instead of downloading it: `{ bytes (Uint8Array),
/// sampleRate (Hz), frames, integratedLufs, truePeakDbtp (null for −∞), gainDb (0 when off),
/// shortfallLu, renderMs, audioMs, summary }`. Rejects with the message the user would see.
#[wasm_bindgen]
pub async fn mixroom_export_mix(format: String, target: String) -> Result<js_sys::Object, JsValue> {
    let format = WavFormat::from_key(&format)
        .ok_or_else(|| js_error(format!("unknown export format \"{format}\"")))?;
    let target = LoudnessTarget::from_key(&target)
        .ok_or_else(|| js_error(format!("unknown loudness target \"{target}\"")))?;
    let options = ExportOptions {
        format,
        target,
        dither_seed: TEST_DITHER_SEED,
    };
    let exported = export_mix(live_mixer()?, options, &|_| {})
        .await
        .map_err(|e| js_error(e.to_string()))?;
    let number = |v: f32| {
        if v.is_finite() {
            JsValue::from(v)
        } else {
            JsValue::NULL
        }
    };
    let loudness = exported.loudness;
    let result = js_sys::Object::new();
    let Payload::Bytes(bytes) = &exported.payload else {
        return Err(js_error("a mix export is one file".to_owned()));
    };
    set(&result, "bytes", js_sys::Uint8Array::from(bytes.as_slice()));
    set(&result, "sampleRate", exported.sample_rate_hz);
    set(&result, "frames", exported.frames);
    set(
        &result,
        "integratedLufs",
        number(loudness.map_or(f32::NEG_INFINITY, |l| l.integrated_lufs)),
    );
    set(
        &result,
        "truePeakDbtp",
        number(loudness.map_or(f32::NEG_INFINITY, |l| l.true_peak_dbtp)),
    );
    set(&result, "gainDb", exported.plan.map_or(0.0, |p| p.gain_db));
    set(
        &result,
        "shortfallLu",
        exported.plan.map_or(0.0, |p| p.shortfall_lu),
    );
    set(&result, "renderMs", exported.render_ms);
    set(&result, "audioMs", exported.audio_ms());
    set(&result, "summary", exported.summary());
    Ok(result)
}

/// What version `index` of the prepared comparison sounds like as the page plays it (its
/// player and matching gain, rendered in an `OfflineAudioContext` from the start): resolves to
/// `{ name, gainDb, loudnessLufs, rate, left, right }`.
#[wasm_bindgen]
pub async fn mixroom_compare_output(index: usize) -> Result<JsValue, JsValue> {
    let comparison = crate::classroom::compare::current()
        .ok_or_else(|| js_error("no comparison is prepared".to_owned()))?;
    let (context, name, gain_db, loudness) = {
        let c = comparison.borrow();
        let v = c
            .versions()
            .get(index)
            .ok_or_else(|| js_error(format!("no version {index}")))?;
        let options = web_sys::OfflineAudioContextOptions::new(v.frames(), v.sample_rate_hz());
        options.set_number_of_channels(2);
        let context = web_sys::OfflineAudioContext::new_with_context_options(&options)?;
        let (source, _gain) = v.connect(&context, &context.destination(), true)?;
        source.start()?;
        (context, v.name.clone(), v.gain_db, v.loudness_lufs)
    };
    let rendered: web_sys::AudioBuffer =
        wasm_bindgen_futures::JsFuture::from(context.start_rendering()?)
            .await?
            .into();
    let left = Float32Array::from(rendered.get_channel_data(0)?.as_slice());
    let right = Float32Array::from(rendered.get_channel_data(1)?.as_slice());
    Ok(crate::audio::object(&[
        ("name", &name.into()),
        ("gainDb", &gain_db.into()),
        ("loudnessLufs", &loudness.into()),
        ("rate", &rendered.sample_rate().into()),
        ("left", &left.into()),
        ("right", &right.into()),
    ])
    .into())
}
