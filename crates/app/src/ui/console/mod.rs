//! The console: the track strips (scrolling), then the buses and returns (staying put).
//!
//! The track row is windowed: only the strips on screen and [`OVERSCAN_STRIPS`] on each side
//! of them are built with their controls and meters; the others are placeholders of the same
//! width carrying the track's name (so the row scrolls as one, and each track is still in the
//! accessibility tree by name). The selected strip, which holds the focus, stays built. A
//! session of 256 tracks then costs the page what a screenful does.

mod channel_strip;
mod eq_thumbnail;
pub mod meter;

use std::ops::Range;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use channel_strip::ChannelStrip;

use crate::state::{Mixer, StripModel};

/// Strips built beyond each edge of the visible part of the row: a strip scrolled or tabbed
/// into view already has its controls.
const OVERSCAN_STRIPS: usize = 16;

/// Every strip but the master.
#[component]
pub fn Console() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let row = NodeRef::<html::Div>::new();
    // Row positions of the strips built in full; until the row is measured, the first ones.
    let built = RwSignal::new(0..2 * OVERSCAN_STRIPS);
    let measured = StoredValue::new(false);
    let measure = move || {
        if let Some(range) = row.get_untracked().and_then(|row| built_range(&row)) {
            measured.set_value(true);
            if built.get_untracked() != range {
                built.set(range);
            }
        }
    };
    // Measured after the browser lays the row out (a ResizeObserver reports a row newly
    // observed, and one that changes size), and on every scroll; never by laying the page out
    // while a session opens. Until two strips are there to measure by, each change of the
    // tracks observes the row afresh.
    let on_resize = Closure::<dyn FnMut()>::new(measure);
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
    let observer = StoredValue::new_local(observer.map(|o| (o, on_resize)));
    Effect::new(move |_| {
        mixer.tracks.track();
        if let (false, Some(row)) = (measured.get_value(), row.get()) {
            observer.with_value(|o| {
                if let Some((o, _)) = o {
                    o.unobserve(&row);
                    o.observe(&row);
                }
            });
        }
    });
    on_cleanup(move || {
        observer.with_value(|o| {
            if let Some((o, _)) = o {
                o.disconnect();
            }
        });
    });
    view! {
        <div class="console" role="region" aria-label="Mixing console">
            <div class="tracks" role="group" aria-label="Tracks" node_ref=row on:scroll=move |_| measure()>
                <For each=move || mixer.tracks.get() key=|m| m.id let:model>
                    <WindowedStrip model=model built=built/>
                </For>
            </div>
            <div class="fixed-strips" role="group" aria-label="Buses and returns">
                <For each=move || mixer.buses.get() key=|m| m.id let:model>
                    <ChannelStrip model=model/>
                </For>
                <For each=move || mixer.returns.get() key=|m| m.id let:model>
                    <ChannelStrip model=model/>
                </For>
            </div>
        </div>
    }
}

/// A track strip in full while its row position is in `built`, else its placeholder.
#[component]
fn WindowedStrip(model: StripModel, built: RwSignal<Range<usize>>) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let id = model.id;
    let position = Memo::new(move |_| mixer.tracks.with(|t| t.iter().position(|m| m.id == id)));
    let strip = model.strip;
    // The selected strip stays built wherever it is scrolled: it holds the keyboard focus.
    let in_full = Memo::new(move |_| {
        mixer.selected.get() == strip || position.get().is_some_and(|p| built.get().contains(&p))
    });
    let placeholder = {
        let model = model.clone();
        move || {
            view! {
                <section
                    class="strip placeholder"
                    style=("--strip-color", model.color.clone())
                    aria-label=model.label.clone()
                    data-testid=channel_strip::test_id(strip)
                    on:pointerdown=move |_| mixer.selected.set(strip)
                >
                    <header class="strip-head">
                        <h2 class="strip-name" title=model.label.clone()>{model.label.clone()}</h2>
                    </header>
                </section>
            }
        }
    };
    view! {
        <Show when=move || in_full.get() fallback=placeholder>
            <ChannelStrip model=model.clone()/>
        </Show>
    }
}

/// Row positions to build in full for the row's scroll position and width: the strips on
/// screen and [`OVERSCAN_STRIPS`] each side. `None` before the row has two strips to measure
/// their spacing by.
fn built_range(row: &web_sys::HtmlElement) -> Option<Range<usize>> {
    let children = row.children();
    let first = children.item(0)?.dyn_into::<web_sys::HtmlElement>().ok()?;
    let second = children.item(1)?.dyn_into::<web_sys::HtmlElement>().ok()?;
    let pitch = f64::from(second.offset_left() - first.offset_left());
    if pitch <= 0.0 {
        return None;
    }
    let left = f64::from(row.scroll_left());
    let width = f64::from(row.client_width());
    let first_seen = (left / pitch).floor() as usize;
    let last_seen = ((left + width) / pitch).ceil() as usize;
    Some(first_seen.saturating_sub(OVERSCAN_STRIPS)..last_seen + OVERSCAN_STRIPS)
}
