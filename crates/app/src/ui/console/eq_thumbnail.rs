//! A small picture of a strip's EQ curve (bands and pass filters); clicking it opens the EQ
//! editor for that strip.

use leptos::prelude::*;

use crate::state::{Mixer, StripModel};
use crate::ui::curves::{eq_sections, response_db};
use crate::ui::Panel;

const W: f32 = 76.0;
const H: f32 = 26.0;
/// dB from the centre line to the edge.
const RANGE_DB: f32 = 18.0;
const POINTS: usize = 48;

/// The SVG path of `model`'s EQ curve in a `W` × `H` box (reactive).
fn path(model: &StripModel) -> String {
    let sections = eq_sections(model, 48_000.0);
    (0..POINTS)
        .map(|i| {
            let t = i as f32 / (POINTS - 1) as f32;
            let f = 20.0 * 1000f32.powf(t);
            let db = response_db(&sections, f, 48_000.0).clamp(-RANGE_DB, RANGE_DB);
            let y = H / 2.0 - db / RANGE_DB * (H / 2.0 - 1.0);
            format!("{}{:.1} {:.1}", if i == 0 { "M" } else { " L" }, t * W, y)
        })
        .collect()
}

/// The EQ thumbnail of a strip.
#[component]
pub fn EqThumbnail(
    /// The strip.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let panel = expect_context::<RwSignal<Panel>>();
    let label = format!("{} EQ: open the EQ editor", model.label);
    let strip = model.strip;
    view! {
        <button class="eq-thumb" aria-label=label title="EQ (click to edit)"
            on:click=move |_| {
                mixer.selected.set(strip);
                panel.set(Panel::Eq);
            }>
            <svg width=W height=H viewBox=format!("0 0 {W} {H}") aria-hidden="true">
                <line class="eq-thumb-zero" x1="0" x2=W y1=H / 2.0 y2=H / 2.0></line>
                <path class="eq-thumb-curve" d=move || path(&model)></path>
            </svg>
        </button>
    }
}
