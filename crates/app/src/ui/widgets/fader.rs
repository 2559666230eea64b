//! A channel fader: −∞ to the parameter's maximum on a console-like scale (see `taper`).
//!
//! Drag the cap (Shift for fine moves: a tenth of the speed), click the track to jump there,
//! double-click for 0 dB, arrows for 0.5 dB steps (Shift 0.1 dB, Page keys 6 dB), or click the
//! readout and type a value ("−6", "-6 dB", "-inf"). Pointer events, so touch and pens work.

use leptos::ev::{KeyboardEvent, PointerEvent};
use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::units::SILENCE_DB;
use wasm_bindgen::JsCast;

use super::taper::Taper;
use super::{accessible_name, key_value};
use crate::state::{Mixer, StripModel};

/// Marks on the scale, dB.
const MARKS_DB: [f32; 8] = [12.0, 6.0, 0.0, -6.0, -12.0, -24.0, -40.0, -60.0];

/// Parses a typed level: "−6", "-6 dB", "+3", "-inf", "−∞".
pub fn parse_db(text: &str) -> Option<f32> {
    let t = text
        .trim()
        .replace('−', "-")
        .to_lowercase()
        .trim_end_matches("db")
        .trim()
        .to_owned();
    if t == "-inf" || t == "-∞" || t == "inf" {
        return Some(SILENCE_DB);
    }
    t.parse::<f32>().ok().filter(|v| v.is_finite())
}

/// A vertical fader for `param` (the fader gain, or a send level).
#[component]
pub fn Fader(
    /// The strip.
    model: StripModel,
    /// The parameter (a gain in dB that reaches −∞).
    #[prop(default = ParamId::GainDb)]
    param: ParamId,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let spec = param.spec();
    let taper = Taper::of(spec);
    let value = model.value(param);
    let name = accessible_name(&model, param);
    let track = NodeRef::<html::Div>::new();
    // (pointer, travel at the start, client y at the start)
    let drag = StoredValue::new(None::<(i32, f32, f32)>);
    let editing = RwSignal::new(false);
    let set = {
        let model = model.clone();
        move |v: f32| mixer.set(&model, param, v)
    };

    let travel_at = move |client_y: i32| -> Option<f32> {
        let rect = track.get_untracked()?.get_bounding_client_rect();
        let h = rect.height() as f32;
        (h > 0.0).then(|| 1.0 - (client_y as f32 - rect.top() as f32) / h)
    };
    let on_pointer_down = {
        let set = set.clone();
        move |ev: PointerEvent| {
            ev.prevent_default();
            if let Some(target) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = target.set_pointer_capture(ev.pointer_id());
                let _ = target.focus();
            }
            mixer.begin_gesture();
            let on_cap = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| e.class_list().contains("fader-cap"));
            if !on_cap {
                if let Some(t) = travel_at(ev.client_y()) {
                    set(taper.value_at(t));
                }
            }
            drag.set_value(Some((
                ev.pointer_id(),
                taper.to_travel(value.get_untracked()),
                ev.client_y() as f32,
            )));
        }
    };
    let on_pointer_move = {
        let set = set.clone();
        move |ev: PointerEvent| {
            let Some((id, start, y0)) = drag.get_value() else {
                return;
            };
            if ev.pointer_id() != id {
                return;
            }
            let Some(rect) = track.get_untracked().map(|t| t.get_bounding_client_rect()) else {
                return;
            };
            let mut moved = (y0 - ev.client_y() as f32) / rect.height().max(1.0) as f32;
            if ev.shift_key() {
                moved /= 10.0;
            }
            set(taper.value_at(start + moved));
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
    let cap_bottom = move || format!("{:.3}%", taper.to_travel(value.get()) * 100.0);
    let marks = MARKS_DB
        .iter()
        .filter(|&&db| db <= spec.max)
        .map(|&db| {
            let bottom = format!("{:.3}%", taper.to_travel(db) * 100.0);
            let label = if db > 0.0 {
                format!("+{db}")
            } else {
                format!("{db}").replace('-', "−")
            };
            let minor = [6.0, -6.0, -12.0, -40.0].contains(&db);
            view! { <span class="fader-mark" class:minor=minor style:bottom=bottom>{label}</span> }
        })
        .collect_view();
    let readout_label = format!("{name}: type a value in dB");

    view! {
        <div class="fader">
            <div class="fader-body">
                <div class="fader-scale" aria-hidden="true">
                    {marks}
                    <span class="fader-mark" style:bottom="0%">"−∞"</span>
                </div>
                <div
                    node_ref=track
                    class="fader-track"
                    role="slider"
                    tabindex="0"
                    aria-disabled=move || (!mixer.allows(param)).then_some("true")
                    aria-orientation="vertical"
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
                    <div class="fader-groove" aria-hidden="true"></div>
                    <div class="fader-cap" style:bottom=cap_bottom aria-hidden="true"></div>
                </div>
            </div>
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <button class="readout fader-readout" aria-label=readout_label.clone()
                        disabled=move || !mixer.allows(param)
                        on:click=move |_| editing.set(true)>
                        {move || spec.format(value.get())}
                    </button>
                }
            >
                <ValueEntry
                    label=format!("{} in dB", accessible_name(&model, param))
                    initial=spec.format(value.get_untracked())
                    on_done={
                        let set = set.clone();
                        move |text: Option<String>| {
                            if let Some(db) = text.as_deref().and_then(parse_db) {
                                set(db);
                            }
                            editing.set(false);
                        }
                    }
                />
            </Show>
        </div>
    }
}

/// A text field that commits on Enter or blur and cancels on Escape.
#[component]
fn ValueEntry(
    /// Accessible name.
    label: String,
    /// Text to start from.
    initial: String,
    /// Called with the text (or `None` when cancelled).
    on_done: impl Fn(Option<String>) + Clone + 'static,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
            el.select();
        }
    });
    let done = StoredValue::new(false);
    let finish = move |text: Option<String>, on_done: &dyn Fn(Option<String>)| {
        if !done.get_value() {
            done.set_value(true);
            on_done(text);
        }
    };
    let on_key = {
        let on_done = on_done.clone();
        move |ev: KeyboardEvent| match ev.key().as_str() {
            "Enter" => finish(input.get_untracked().map(|i| i.value()), &on_done),
            "Escape" => finish(None, &on_done),
            _ => {}
        }
    };
    let on_blur = move |_| finish(input.get_untracked().map(|i| i.value()), &on_done);
    view! {
        <input node_ref=input class="value-entry" type="text" aria-label=label value=initial
            on:keydown=on_key on:blur=on_blur />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_people_type_levels() {
        assert_eq!(parse_db("-6"), Some(-6.0));
        assert_eq!(parse_db(" −6.5 dB "), Some(-6.5));
        assert_eq!(parse_db("+3"), Some(3.0));
        assert_eq!(parse_db("-inf"), Some(SILENCE_DB));
        assert_eq!(parse_db("−∞ dB"), Some(SILENCE_DB));
        assert_eq!(parse_db("loud"), None);
        assert_eq!(parse_db("NaN"), None);
    }
}
