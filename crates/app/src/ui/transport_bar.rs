//! Play, pause, stop, loop and the playhead readout.

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::layout::transport_block::TransportRequest;

use super::meter_board::MeterBoard;
use crate::mixer::Mixer;

/// The transport controls.
#[component]
pub fn TransportBar() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let board = expect_context::<StoredValue<MeterBoard, LocalStorage>>();
    let requested = RwSignal::new(mixer.with_bridge(|b| b.transport()).unwrap_or_default());
    let change = move |f: &dyn Fn(&mut TransportRequest)| {
        mixer.with_bridge(|b| {
            let mut request = b.transport();
            f(&mut request);
            b.set_transport(request);
            requested.set(request);
        });
    };
    // The engine stops by itself at the end of the session; follow it.
    let sync = move || {
        if let Some(request) = mixer.with_bridge(|b| b.transport()) {
            if request != requested.get_untracked() {
                requested.set(request);
            }
        }
    };
    let playing = move || requested.get().playing;
    let playhead = NodeRef::<html::Output>::new();
    Effect::new(move |_| {
        if let Some(element) = playhead.get() {
            board.with_value(|b| b.register_playhead(element.into()));
        }
    });
    let interval = set_interval_with_handle(sync, std::time::Duration::from_millis(250)).ok();
    on_cleanup(move || {
        if let Some(handle) = interval {
            handle.clear();
        }
    });
    view! {
        <div class="transport" role="toolbar" aria-label="Transport">
            <button
                class="play"
                aria-label=move || if playing() { "Pause" } else { "Play" }
                on:click=move |_| {
                    // Play at the end of the song starts it over.
                    let from_start = mixer.with_bridge(|b| b.at_end()).unwrap_or(false);
                    change(&|r| {
                        if !r.playing && from_start {
                            r.seek_serial = r.seek_serial.wrapping_add(1);
                            r.seek_frame = 0.0;
                        }
                        r.playing = !r.playing;
                    })
                }
            >
                {move || if playing() { "❚❚" } else { "▶" }}
            </button>
            <button
                aria-label="Stop"
                on:click=move |_| change(&|r| {
                    r.playing = false;
                    r.seek_serial = r.seek_serial.wrapping_add(1);
                    r.seek_frame = 0.0;
                })
            >
                "■"
            </button>
            <button
                aria-label="Loop"
                aria-pressed=move || requested.get().loop_enabled.to_string()
                on:click=move |_| change(&|r| r.loop_enabled = !r.loop_enabled)
            >
                "⟲"
            </button>
            <output node_ref=playhead class="playhead" data-testid="playhead" aria-label="Playhead">
                "0:00.0"
            </output>
        </div>
    }
}
