//! A select for a choice parameter (filter slope, EQ band shape, output route, effect type).

use leptos::prelude::*;
use mixroom_protocol::params::{ParamId, Unit};

use super::accessible_name;
use crate::state::{Mixer, StripModel};

/// A `<select>` bound to a choice parameter; `names` replaces the parameter's labels and limits
/// the choices to as many (e.g. the output route: the master, then the buses by name).
#[component]
pub fn ParamSelect(
    /// The strip.
    model: StripModel,
    /// The choice parameter.
    param: ParamId,
    /// The choices to offer, by name (the parameter's labels by default).
    #[prop(optional)]
    names: Option<Signal<Vec<String>>>,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let value = model.value(param);
    let Unit::Choice(labels) = param.spec().unit else {
        return ().into_any();
    };
    let choices = move || {
        names.map_or_else(
            || labels.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>(),
            |n| n.get().into_iter().take(labels.len()).collect(),
        )
    };
    let name = accessible_name(&model, param);
    view! {
        <select
            class="param-select"
            aria-label=name.clone()
            title=name
            prop:value=move || (value.get() as usize).to_string()
            disabled=move || !mixer.allows(param)
            on:change=move |ev| {
                if let Ok(i) = event_target_value(&ev).parse::<f32>() {
                    mixer.set(&model, param, i);
                }
            }
        >
            {move || {
                choices()
                    .into_iter()
                    .enumerate()
                    .map(|(i, label)| view! {
                        <option value=i.to_string() selected=move || value.get() as usize == i>
                            {label}
                        </option>
                    })
                    .collect_view()
            }}
        </select>
    }
    .into_any()
}
