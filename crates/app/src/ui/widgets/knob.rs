//! A rotary knob (pan, trim, sends, EQ and dynamics settings).
//!
//! Drag up or right to turn it up (Shift for fine moves), double-click for the default, arrows
//! and Page keys from the keyboard. Drawn as SVG, updated only when the value changes.

use leptos::ev::{KeyboardEvent, PointerEvent};
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use wasm_bindgen::JsCast;

use super::taper::Taper;
use super::{accessible_name, key_value};
use crate::state::{Mixer, StripModel};

/// Travel per pixel of drag (200 px from bottom to top; 2000 with Shift).
const TRAVEL_PER_PX: f32 = 1.0 / 200.0;
/// Sweep of the knob, degrees (from 225° to −45°, 0° pointing right).
const SWEEP_DEG: f32 = 270.0;

/// A knob for one parameter of one strip.
#[component]
pub fn Knob(
    /// The strip.
    model: StripModel,
    /// The parameter.
    param: ParamId,
    /// Short caption under the knob.
    #[prop(optional)]
    caption: Option<&'static str>,
    /// Diameter, px.
    #[prop(default = 30)]
    size: u32,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let spec = param.spec();
    let taper = Taper::of(spec);
    let value = model.value(param);
    let name = accessible_name(&model, param);
    let drag = StoredValue::new(None::<(i32, f32, f32)>);
    let set = {
        let model = model.clone();
        move |v: f32| mixer.set(&model, param, v)
    };

    let on_pointer_down = {
        move |ev: PointerEvent| {
            ev.prevent_default();
            if let Some(target) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = target.set_pointer_capture(ev.pointer_id());
                let _ = target.dyn_ref::<web_sys::HtmlElement>().map(|e| e.focus());
            }
            drag.set_value(Some((
                ev.pointer_id(),
                taper.to_travel(value.get_untracked()),
                (ev.client_x() - ev.client_y()) as f32,
            )));
            mixer.begin_gesture();
        }
    };
    let on_pointer_move = {
        let set = set.clone();
        move |ev: PointerEvent| {
            let Some((id, start, origin)) = drag.get_value() else {
                return;
            };
            if ev.pointer_id() != id {
                return;
            }
            let moved = (ev.client_x() - ev.client_y()) as f32 - origin;
            let scale = if ev.shift_key() {
                TRAVEL_PER_PX / 10.0
            } else {
                TRAVEL_PER_PX
            };
            set(taper.value_at(start + moved * scale));
        }
    };
    let on_pointer_up = move |_ev: PointerEvent| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            mixer.end_gesture();
        }
    };
    let on_key = {
        let set = set.clone();
        move |ev: KeyboardEvent| {
            if let Some(v) = key_value(&ev, spec, value.get_untracked()) {
                ev.prevent_default();
                set(v);
            }
        }
    };
    let on_double = {
        let set = set.clone();
        move |_| set(spec.default)
    };

    let r = size as f32 / 2.0 - 3.0;
    let c = size as f32 / 2.0;
    let point = move |t: f32| {
        let angle = (225.0 - SWEEP_DEG * t).to_radians();
        (c + r * angle.cos(), c - r * angle.sin())
    };
    let arc = move |from: f32, to: f32| {
        let (x0, y0) = point(from);
        let (x1, y1) = point(to);
        let large = if (to - from).abs() * SWEEP_DEG > 180.0 {
            1
        } else {
            0
        };
        let sweep = if to > from { 1 } else { 0 };
        format!("M {x0:.2} {y0:.2} A {r} {r} 0 {large} {sweep} {x1:.2} {y1:.2}")
    };
    // Bipolar parameters (pan, gains around 0 dB) light the arc from their centre.
    let origin = if spec.min < 0.0 && spec.max > 0.0 && !matches!(taper, Taper::Fader { .. }) {
        taper.to_travel(0.0)
    } else {
        0.0
    };
    let value_arc = move || {
        let t = taper.to_travel(value.get());
        if (t - origin).abs() < 1e-3 {
            String::new()
        } else {
            arc(origin, t)
        }
    };
    let pointer = move || {
        let (x, y) = point(taper.to_travel(value.get()));
        let (cx, cy) = (c + (x - c) * 0.35, c + (y - c) * 0.35);
        format!("M {cx:.2} {cy:.2} L {x:.2} {y:.2}")
    };

    view! {
        <div class="knob" style=("--knob-size", format!("{size}px"))>
            <div
                class="knob-dial"
                role="slider"
                tabindex="0"
                aria-disabled=move || (!mixer.allows(param)).then_some("true")
                aria-label=name.clone()
                title=name
                aria-valuemin=spec.min
                aria-valuemax=spec.max
                aria-valuenow=move || value.get()
                aria-valuetext=move || spec.format(value.get())
                on:pointerdown=on_pointer_down
                on:pointermove=on_pointer_move
                on:pointerup=on_pointer_up
                on:pointercancel=on_pointer_up
                on:keydown=on_key
                on:dblclick=on_double
            >
                <svg width=size height=size viewBox=format!("0 0 {size} {size}") aria-hidden="true">
                    <path class="knob-track" d=arc(0.0, 1.0)></path>
                    <path class="knob-value" d=value_arc></path>
                    <path class="knob-pointer" d=pointer></path>
                </svg>
            </div>
            {caption.map(|c| view! { <span class="knob-caption" aria-hidden="true">{c}</span> })}
        </div>
    }
}
