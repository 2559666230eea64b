//! A channel strip: name, pan, meter, fader, mute and solo.

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripKind;
use mixroom_protocol::units::SILENCE_DB;

use super::meter_board::MeterBoard;
use crate::mixer::{Mixer, StripModel};

/// Lowest fader position, dB: the fader's bottom is silence (−∞).
const FADER_FLOOR_DB: f32 = -60.0;
/// Fader step for pointer and arrow keys, dB.
const FADER_STEP_DB: f32 = 0.5;

/// One strip of the console.
#[component]
pub fn ChannelStrip(
    /// The strip to show.
    model: StripModel,
) -> impl IntoView {
    let is_track = model.strip.kind() == StripKind::Track;
    let test_id = if is_track {
        format!("strip-{}", model.strip.index())
    } else {
        "strip-master".to_owned()
    };
    view! {
        <section class="strip" class:master=!is_track aria-label=model.name.clone() data-testid=test_id>
            <h2 class="strip-name">{model.name.clone()}</h2>
            {is_track.then(|| view! { <PanControl model=model.clone()/> })}
            <div class="strip-body">
                <MeterCanvas model=model.clone()/>
                <Fader model=model.clone()/>
            </div>
            <div class="strip-buttons">
                <ToggleButton model=model.clone() param=ParamId::Mute label="M"/>
                {is_track.then(|| view! { <ToggleButton model=model.clone() param=ParamId::Solo label="S"/> })}
            </div>
        </section>
    }
}

/// The strip's fader: −∞ to +12 dB, double-click for 0 dB.
#[component]
fn Fader(
    /// The strip it belongs to.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let spec = ParamId::GainDb.spec();
    let value = model.value(ParamId::GainDb);
    let label = format!("{} fader", model.name);
    let set = {
        let model = model.clone();
        move |db: f32| {
            let db = if db <= FADER_FLOOR_DB { SILENCE_DB } else { db };
            mixer.set(&model, ParamId::GainDb, db);
        }
    };
    let on_input = {
        let set = set.clone();
        move |ev| {
            if let Ok(db) = event_target_value(&ev).parse::<f32>() {
                set(db);
            }
        }
    };
    view! {
        <div class="fader">
            <input
                type="range"
                class="fader-input"
                min=FADER_FLOOR_DB
                max=spec.max
                step=FADER_STEP_DB
                aria-label=label
                aria-valuetext=move || spec.format(value.get())
                prop:value=move || value.get().max(FADER_FLOOR_DB).to_string()
                on:input=on_input
                on:dblclick=move |_| set(spec.default)
            />
            <output class="readout">{move || spec.format(value.get())}</output>
        </div>
    }
}

/// Pan (mono sources) or balance (stereo sources), double-click for centre.
#[component]
fn PanControl(
    /// The strip it belongs to.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let spec = ParamId::Pan.spec();
    let value = model.value(ParamId::Pan);
    let label = format!("{} pan", model.name);
    let on_input = {
        let model = model.clone();
        move |ev| {
            if let Ok(percent) = event_target_value(&ev).parse::<f32>() {
                mixer.set(&model, ParamId::Pan, percent / 100.0);
            }
        }
    };
    view! {
        <label class="pan">
            <input
                type="range"
                min="-100"
                max="100"
                step="1"
                aria-label=label
                aria-valuetext=move || spec.format(value.get())
                prop:value=move || (value.get() * 100.0).round().to_string()
                on:input=on_input
                on:dblclick=move |_| mixer.set(&model, ParamId::Pan, spec.default)
            />
            <span class="readout">{move || spec.format(value.get())}</span>
        </label>
    }
}

/// Mute or solo.
#[component]
fn ToggleButton(
    /// The strip it belongs to.
    model: StripModel,
    /// `Mute` or `Solo`.
    param: ParamId,
    /// The short label on the button.
    label: &'static str,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let value = model.value(param);
    let name = format!("{} {}", param.spec().name, model.name);
    let class = format!("toggle {}", param.spec().key);
    view! {
        <button
            class=class
            aria-label=name
            aria-pressed=move || (value.get() >= 0.5).to_string()
            on:click=move |_| {
                let on = value.get_untracked() >= 0.5;
                mixer.set(&model, param, if on { 0.0 } else { 1.0 });
            }
        >
            {label}
        </button>
    }
}

/// The strip's peak/RMS meter, drawn by the [`MeterBoard`].
#[component]
fn MeterCanvas(
    /// The strip it belongs to.
    model: StripModel,
) -> impl IntoView {
    let board = expect_context::<StoredValue<MeterBoard, LocalStorage>>();
    let canvas = NodeRef::<html::Canvas>::new();
    let strip = model.strip;
    Effect::new(move |_| {
        if let Some(canvas) = canvas.get() {
            board.with_value(|b| b.register(strip, canvas));
        }
    });
    view! {
        <canvas
            node_ref=canvas
            class="meter"
            width="22"
            height="180"
            role="meter"
            aria-label=format!("{} level", model.name)
            aria-valuemin="-60"
            aria-valuemax="6"
            aria-valuenow="-60"
            aria-valuetext="silent"
        ></canvas>
    }
}
