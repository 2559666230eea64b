//! Controls: every one a real ARIA control (slider, toggle button, select), usable by pointer
//! (mouse, touch, pen), by keyboard and by assistive technology.

mod confirm;
mod copy;
mod fader;
mod knob;
mod modal;
mod param_select;
mod param_toggle;
pub mod taper;

pub use confirm::ConfirmButton;
pub use copy::copy_field;
pub use fader::Fader;
pub use knob::Knob;
pub use modal::Modal;
pub use param_select::ParamSelect;
pub use param_toggle::ParamToggle;

use leptos::ev::KeyboardEvent;
use mixroom_protocol::params::{ParamId, ParamSpec};

use crate::state::StripModel;
use taper::{step, Step};

/// The accessible name of a control: the strip's name, then the parameter's ("Kick Fader").
pub fn accessible_name(model: &StripModel, param: ParamId) -> String {
    format!("{} {}", model.label, param.spec().name)
}

/// The value a key press gives a slider at `value`, or `None` for keys it does not handle:
/// arrows (Shift for fine steps), Page Up/Down, Home (minimum) and End (maximum).
pub fn key_value(event: &KeyboardEvent, spec: &ParamSpec, value: f32) -> Option<f32> {
    let size = if event.shift_key() {
        Step::Fine
    } else {
        Step::Normal
    };
    Some(match event.key().as_str() {
        "ArrowUp" | "ArrowRight" => step(spec, value, true, size),
        "ArrowDown" | "ArrowLeft" => step(spec, value, false, size),
        "PageUp" => step(spec, value, true, Step::Page),
        "PageDown" => step(spec, value, false, Step::Page),
        "Home" => spec.min,
        "End" => spec.max,
        _ => return None,
    })
}
