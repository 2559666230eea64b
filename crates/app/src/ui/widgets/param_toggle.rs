//! A toggle button for an on/off parameter (mute, solo, bypasses, polarity, pre-fader sends).

use leptos::prelude::*;
use mixroom_protocol::params::ParamId;

use super::accessible_name;
use crate::state::{Mixer, StripModel};

/// A button with `aria-pressed` bound to a toggle parameter.
#[component]
pub fn ParamToggle(
    /// The strip.
    model: StripModel,
    /// The toggle parameter.
    param: ParamId,
    /// Text on the button (short: "M", "S", "Ø", "pre").
    label: &'static str,
    /// Extra CSS class.
    #[prop(default = "")]
    class: &'static str,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let value = model.value(param);
    let name = accessible_name(&model, param);
    view! {
        <button
            class=format!("toggle {class} {}", param.spec().key)
            aria-label=name.clone()
            title=name
            aria-pressed=move || (value.get() >= 0.5).to_string()
            disabled=move || !mixer.allows(param)
            on:click=move |_| mixer.toggle(&model, param)
        >
            {label}
        </button>
    }
}
