//! A select for a choice parameter (filter slope, EQ band shape, output route, effect type).

use leptos::prelude::*;
use mixroom_protocol::params::{ParamId, Unit};

use super::accessible_name;
use crate::state::{Mixer, StripModel};

/// A `<select>` bound to a choice parameter; `only` limits the choices shown (e.g. the buses
/// that exist).
#[component]
pub fn ParamSelect(
    /// The strip.
    model: StripModel,
    /// The choice parameter.
    param: ParamId,
    /// How many of the choices to offer (all by default).
    #[prop(optional)]
    only: Option<Signal<usize>>,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let value = model.value(param);
    let Unit::Choice(labels) = param.spec().unit else {
        return ().into_any();
    };
    let count = move || only.map_or(labels.len(), |n| n.get().min(labels.len()));
    let name = accessible_name(&model, param);
    view! {
        <select
            class="param-select"
            aria-label=name.clone()
            title=name
            prop:value=move || (value.get() as usize).to_string()
            on:change=move |ev| {
                if let Ok(i) = event_target_value(&ev).parse::<f32>() {
                    mixer.set(&model, param, i);
                }
            }
        >
            {move || {
                (0..count())
                    .map(|i| view! {
                        <option value=i.to_string() selected=move || value.get() as usize == i>
                            {labels[i]}
                        </option>
                    })
                    .collect_view()
            }}
        </select>
    }
    .into_any()
}
