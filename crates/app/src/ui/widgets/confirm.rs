//! A button whose action cannot be undone, and so asks first.

use leptos::prelude::*;

/// A button that asks before it acts: pressed, it gives way to the question (which says what
/// goes), the button that acts, and "Keep it".
#[component]
pub fn ConfirmButton(
    /// The button's text ("Delete").
    text: &'static str,
    /// Its accessible name when the text alone does not say what it acts on ("Delete Song").
    #[prop(optional, into)]
    label: Option<String>,
    /// The question, naming what goes.
    #[prop(into)]
    question: String,
    /// The text of the button that acts ("Delete for good").
    act: &'static str,
    /// What acting does.
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let group = label.clone().map(|label| format!("{label}?"));
    move || {
        if asking.get() {
            view! {
                <span class="confirm" role="group" aria-label=group.clone()>
                    {format!("{question} ")}
                    <button on:click=move |_| on_confirm.run(())>{act}</button>
                    <button on:click=move |_| asking.set(false)>"Keep it"</button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button aria-label=label.clone() on:click=move |_| asking.set(true)>{text}</button>
            }
            .into_any()
        }
    }
}
