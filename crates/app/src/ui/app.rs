//! The page: top bar, timeline, console with the master section, and the detail panel of the
//! selected strip; opens on the demo song and starts playing it.

use std::rc::Rc;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::session::Source;
use wasm_bindgen::JsCast;

use super::console::Console;
use super::detail::DetailPanel;
use super::display::Display;
use super::export::ExportButton;
use super::import::{DropZone, ImportButton, Importer};
use super::master::MasterPanel;
use super::status::{EngineBanner, ModeBadge, SoundGate};
use super::transport::{seek, toggle_loop, toggle_play, Timeline, TransportBar};
use super::Panel;
use crate::audio::import::{import_generated, Generator, ImportError};
use crate::audio::{describe, sleep_ms, AudioBridge, EngineStatus, Mode};
use crate::state::Mixer;
use crate::test_api;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let status = RwSignal::new(EngineStatus::Starting);
    let session = mixroom_demo::session();
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
    let importer = Importer::new(mixer);
    provide_context(mixer);
    provide_context(display);
    provide_context(RwSignal::new(Panel::Eq));
    provide_context(importer);
    test_api::set_mixer(mixer);

    // The spectra follow the selected strip.
    Effect::new(move |_| {
        let strip = mixer.selected.get();
        display.with_value(|d| d.watch(mixer, strip));
    });

    if let Some(bridge) = bridge {
        test_api::set_live(bridge.clone(), importer);
        spawn_local(async move {
            match load_demo(&bridge).await {
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
                    <ImportButton/>
                    <ExportButton/>
                    <ModeBadge mode=mode/>
                </TransportBar>
            </header>
            <EngineBanner status=status/>
            <SoundGate/>
            <DropZone/>
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

/// Starts the engine, loads the demo stems (synthesized at the engine's rate, one at a time so
/// the page never holds the whole song; each is sent while the next is made), loops the song
/// and plays it.
async fn load_demo(bridge: &Rc<AudioBridge>) -> Result<(), wasm_bindgen::JsValue> {
    bridge.start().await?;
    let failed = |e: ImportError| wasm_bindgen::JsValue::from_str(&e.to_string());
    let mut loads = Vec::new();
    for (track, (id, name)) in mixroom_demo::STEMS.iter().enumerate() {
        let generate: Generator = Rc::new(move |rate_hz: f32| {
            mixroom_demo::render_stem(id, rate_hz).map_or_else(Vec::new, |stem| stem.channels)
        });
        let source = Source::Demo((*id).to_owned());
        let stem = import_generated(name, source, generate, bridge.sample_rate_hz())
            .await
            .map_err(failed)?;
        loads.push(bridge.load_track(track, stem));
        // Let the page paint and answer between stems.
        let _ = sleep_ms(0).await;
    }
    let mut length = 0;
    for load in loads {
        length = length.max(load.await.map_err(failed)?.frames);
    }
    bridge.set_transport(TransportRequest {
        playing: true,
        loop_enabled: true,
        loop_start_frame: 0.0,
        loop_end_frame: f64::from(length),
        ..bridge.transport()
    });
    Ok(())
}
