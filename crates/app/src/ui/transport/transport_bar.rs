//! The top bar: transport buttons and time, A/B, undo and redo, import, and the audio mode.

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;

use super::{change, toggle_loop, toggle_play};
use crate::state::Mixer;
use crate::ui::display::on_each_frame;

/// "m:ss.s"
pub fn format_time(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).floor() as u64;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// The transport controls and tools.
#[component]
pub fn TransportBar(
    /// Other tools shown at the end of the bar (import, mode).
    children: Children,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let requested = RwSignal::new(mixer.with_bridge(|b| b.transport()).unwrap_or_default());
    // The engine stops by itself at the end of the song: follow it.
    let sync = move || {
        if let Some(r) = mixer.with_bridge(|b| b.transport()) {
            if r != requested.get_untracked() {
                requested.set(r);
            }
        }
    };
    let interval = set_interval_with_handle(sync, std::time::Duration::from_millis(100)).ok();
    on_cleanup(move || {
        if let Some(handle) = interval {
            handle.clear();
        }
    });
    let playing = move || requested.get().playing;
    let readout = NodeRef::<html::Span>::new();
    on_each_frame(move |frame| {
        if let Some(el) = readout.get_untracked() {
            let text = format_time(frame.playhead_s);
            if el.text_content().as_deref() != Some(text.as_str()) {
                el.set_text_content(Some(&text));
            }
        }
    });
    let master = mixer.master.get_value();
    let bypass_all = master.value(ParamId::BypassAll);
    view! {
        <div class="transport" role="toolbar" aria-label="Transport">
            <button class="play" aria-label=move || if playing() { "Pause" } else { "Play" }
                title="Play / pause (Space)"
                on:click=move |_| { toggle_play(mixer); sync(); }>
                {move || if playing() { "❚❚" } else { "▶" }}
            </button>
            <button aria-label="Stop" title="Stop (back to the start)" on:click=move |_| {
                change(mixer, |r| {
                    r.playing = false;
                    r.seek_serial = r.seek_serial.wrapping_add(1);
                    r.seek_frame = 0.0;
                });
                sync();
            }>"■"</button>
            <button aria-label="Loop" title="Loop (L)" aria-pressed=move || requested.get().loop_enabled.to_string()
                on:click=move |_| { toggle_loop(mixer); sync(); }>"⟲"</button>
            <output class="playhead" data-testid="playhead" aria-label="Playhead"><span node_ref=readout class="live-figure">"0:00.0"</span></output>
            <span class="divider" aria-hidden="true"></span>
            <button class="ab" aria-label="Bypass all processing (A/B)"
                title="A/B: hear the mix without EQ, dynamics, filters and effects"
                aria-pressed=move || (bypass_all.get() >= 0.5).to_string()
                on:click=move |_| mixer.toggle(&master, ParamId::BypassAll)>
                {move || if bypass_all.get() >= 0.5 { "B: raw" } else { "A: mixed" }}
            </button>
            <button aria-label="Undo" title="Undo (Ctrl+Z)" disabled=move || !mixer.can_undo()
                on:click=move |_| mixer.undo()>"↶"</button>
            <button aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled=move || !mixer.can_redo()
                on:click=move |_| mixer.redo()>"↷"</button>
            <span class="spacer"></span>
            {children()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_time() {
        assert_eq!(format_time(0.0), "0:00.0");
        assert_eq!(format_time(61.26), "1:01.2");
        assert_eq!(format_time(-3.0), "0:00.0");
    }
}
