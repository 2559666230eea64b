//! The page: top bar, timeline, console with the master section, and the detail panel of the
//! selected strip; opens on the demo song and starts playing it.

use std::rc::Rc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;
use wasm_bindgen::JsCast;

use super::console::Console;
use super::detail::DetailPanel;
use super::display::Display;
use super::master::MasterPanel;
use super::status::{EngineBanner, ModeBadge};
use super::transport::{
    seek, toggle_loop, toggle_play, Overview, Timeline, TimelineInfo, TransportBar,
};
use super::Panel;
use crate::audio::{describe, AudioBridge, EngineStatus, Mode, TrackAudio};
use crate::demo;
use crate::state::Mixer;
use crate::test_api;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let status = RwSignal::new(EngineStatus::Starting);
    let session = demo::session();
    let bridge = match AudioBridge::new(&session.param_block(), TransportRequest::default(), status)
    {
        Ok(bridge) => Some(bridge),
        Err(e) => {
            status.set(EngineStatus::Failed(format!(
                "this browser could not create an audio context ({})",
                describe(&e)
            )));
            None
        }
    };
    let mode = bridge.as_ref().map_or(Mode::detect(), |b| b.mode());
    let mixer = Mixer::new(&session, bridge.clone());
    let display = StoredValue::new_local(Display::default());
    let timeline = TimelineInfo::new();
    provide_context(mixer);
    provide_context(display);
    provide_context(RwSignal::new(Panel::Eq));
    provide_context(timeline);

    // The spectra follow the selected strip.
    Effect::new(move |_| {
        let strip = mixer.selected.get();
        display.with_value(|d| d.watch(mixer, strip));
    });

    if let Some(bridge) = bridge {
        test_api::set_live_bridge(bridge.clone());
        spawn_local(async move {
            match load_demo(&bridge, timeline).await {
                Ok(()) => {
                    display.with_value(|d| {
                        d.start(mixer);
                        d.watch(mixer, mixer.selected.get_untracked());
                    });
                }
                Err(e) => status.set(EngineStatus::Failed(describe(&e))),
            }
        });
    }
    install_shortcuts(mixer);

    view! {
        <div class="app">
            <header class="top">
                <h1 class="logo">"Mixroom"</h1>
                <TransportBar>
                    <ModeBadge mode=mode/>
                </TransportBar>
            </header>
            <EngineBanner status=status/>
            <Timeline/>
            <main class="workspace">
                <Console/>
                <MasterPanel/>
            </main>
            <DetailPanel/>
        </div>
    }
}

/// Keyboard shortcuts: Space plays/pauses, Home goes to the start, L toggles the loop,
/// Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo. Keys typed into text fields and keys a
/// focused control uses itself are left alone.
fn install_shortcuts(mixer: Mixer) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let tag = target
            .as_ref()
            .map(|t| t.tag_name().to_lowercase())
            .unwrap_or_default();
        if matches!(tag.as_str(), "input" | "textarea" | "select") {
            return;
        }
        let role = target
            .as_ref()
            .and_then(|t| t.get_attribute("role"))
            .unwrap_or_default();
        let command = ev.ctrl_key() || ev.meta_key();
        match ev.key().as_str() {
            "z" | "Z" if command && ev.shift_key() => mixer.redo(),
            "z" | "Z" if command => mixer.undo(),
            "y" | "Y" if command => mixer.redo(),
            " " if tag != "button" => toggle_play(mixer),
            "Home" if role != "slider" => seek(mixer, 0.0),
            "l" | "L" if !command => toggle_loop(mixer),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Frames per overview point.
const OVERVIEW_FRAMES: usize = 256;

/// The waveform overview of decoded channels (mono sum).
fn overview(audio: &TrackAudio) -> Overview {
    let channels: Vec<Vec<f32>> = audio.channels.iter().map(|c| c.to_vec()).collect();
    let frames = channels.first().map_or(0, Vec::len);
    let points = frames.div_ceil(OVERVIEW_FRAMES);
    let mut o = Overview {
        frames_per_point: OVERVIEW_FRAMES,
        min: vec![0.0; points],
        max: vec![0.0; points],
    };
    let scale = 1.0 / channels.len().max(1) as f32;
    for i in 0..frames {
        let x: f32 = channels.iter().map(|c| c[i]).sum::<f32>() * scale;
        let p = i / OVERVIEW_FRAMES;
        o.min[p] = o.min[p].min(x);
        o.max[p] = o.max[p].max(x);
    }
    o
}

/// Decodes the demo stems, starts the engine with them, loops the whole song and plays it.
async fn load_demo(
    bridge: &Rc<AudioBridge>,
    timeline: TimelineInfo,
) -> Result<(), wasm_bindgen::JsValue> {
    let mut tracks = Vec::new();
    let mut overviews = Vec::new();
    for (track, (id, _)) in demo::STEMS.iter().enumerate() {
        let wav = demo::stem_wav(id).expect("every demo stem id is known");
        let buffer = bridge.decode(&wav).await?;
        let audio = TrackAudio::from_buffer(&buffer);
        overviews.push(Some(Rc::new(overview(&audio))));
        tracks.push((track, audio));
    }
    let length = tracks.iter().map(|(_, a)| a.frames()).max().unwrap_or(0);
    bridge.start(tracks).await?;
    timeline
        .length_s
        .set(f64::from(length) / f64::from(bridge.sample_rate_hz()));
    timeline.overviews.set(overviews);
    bridge.set_transport(TransportRequest {
        playing: true,
        loop_enabled: true,
        loop_start_frame: 0.0,
        loop_end_frame: f64::from(length),
        ..bridge.transport()
    });
    Ok(())
}
