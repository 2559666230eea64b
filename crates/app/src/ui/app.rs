//! The page: header, engine status, transport and the console, opening on the demo session.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;

use super::channel_strip::ChannelStrip;
use super::meter_board::MeterBoard;
use super::status::{EngineBanner, ModeBadge};
use super::transport_bar::TransportBar;
use crate::audio::{describe, AudioBridge, EngineStatus, Mode};
use crate::demo;
use crate::mixer::{strip_models, Mixer};
use crate::test_api;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let status = RwSignal::new(EngineStatus::Starting);
    let session = demo::session();
    let (tracks, master) = strip_models(&session);
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
    let mixer = Mixer::new(bridge.clone());
    let board = StoredValue::new_local(MeterBoard::default());
    provide_context(mixer);
    provide_context(board);

    if let Some(bridge) = bridge {
        test_api::set_live_bridge(bridge.clone());
        spawn_local(async move {
            match load_demo(&bridge).await {
                Ok(()) => board.with_value(|b| b.start(mixer)),
                Err(e) => status.set(EngineStatus::Failed(describe(&e))),
            }
        });
    }

    view! {
        <header class="top">
            <h1>"Mixroom"</h1>
            <ModeBadge mode=mode/>
        </header>
        <EngineBanner status=status/>
        <TransportBar/>
        <main class="console" aria-label="Mixing console">
            <div class="tracks">
                {tracks.into_iter().map(|model| view! { <ChannelStrip model=model/> }).collect_view()}
            </div>
            <div class="master-section">
                <ChannelStrip model=master/>
            </div>
        </main>
    }
}

/// Starts the engine, loads the demo stems (generated at the engine's rate) and loops the song.
async fn load_demo(bridge: &std::rc::Rc<AudioBridge>) -> Result<(), wasm_bindgen::JsValue> {
    bridge.start().await?;
    let mut length = 0;
    for (track, (id, name)) in demo::STEMS.iter().enumerate() {
        let generate = std::rc::Rc::new(move |rate_hz: f32| {
            demo::stem(id, rate_hz).expect("every demo stem id is known")
        });
        let info = bridge
            .load_generated(track, name, generate)
            .await
            .map_err(|e| wasm_bindgen::JsValue::from_str(&e.to_string()))?;
        length = length.max(info.frames);
    }
    bridge.set_transport(TransportRequest {
        loop_enabled: true,
        loop_start_frame: 0.0,
        loop_end_frame: f64::from(length),
        ..bridge.transport()
    });
    Ok(())
}
