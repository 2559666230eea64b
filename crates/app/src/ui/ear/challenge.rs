//! "Make a challenge" in the ear-training panel: a link to the mix as it is with one hidden
//! change for someone else to find (chosen, or any), its answer out of sight in the link.

use leptos::prelude::*;
use mixroom_ear::progress::Exercise;

use crate::ear::EarTraining;
use crate::project::{challenge_link, Project};
use crate::ui::widgets::copy_field;

/// The challenge maker.
#[component]
pub fn ChallengeSection() -> impl IntoView {
    let ear = expect_context::<EarTraining>();
    let project = expect_context::<Project>();
    let kind = RwSignal::new(String::new());
    let link = RwSignal::new(None::<Result<String, String>>);
    let field = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<bool>);
    let make = move |_| {
        let exercise = kind.with_untracked(|k| Exercise::ALL.into_iter().find(|e| e.name() == k));
        let made = ear
            .make_challenge(exercise)
            .and_then(|c| challenge_link(project, &c).map(|l| l.url))
            .map_err(|why| format!("No challenge could be made: {why}."));
        copied.set(None);
        link.set(Some(made));
    };
    let options = Exercise::ALL
        .into_iter()
        .map(|e| view! { <option value=e.name()>{e.name()}</option> })
        .collect_view();
    let made = move || {
        link.get().map(|made| match made {
            Ok(url) => view! {
                <div class="hand-in-row">
                    <input node_ref=field readonly aria-label="Challenge link" prop:value=url/>
                    <button on:click=move |_| copy_field(field, copied)>"Copy"</button>
                </div>
                <p class="lesson-about" role="status">{move || match copied.get() {
                    Some(true) => "Copied. Whoever opens it plays this round on this mix.",
                    Some(false) => "Select the link and copy it.",
                    None => "Whoever opens it plays this round on this mix, and scores as you would.",
                }}</p>
            }
            .into_any(),
            Err(why) => view! { <p class="lesson-status" role="status">{why}</p> }.into_any(),
        })
    };
    view! {
        <h3>"Make a challenge"</h3>
        <p class="lesson-about">"A link to this mix with one hidden change, for someone else to \
            find. The link keeps the answer out of sight; it is not secret."</p>
        <div class="lesson-check">
            <label>"Hidden change "
                <select on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="">"any"</option>
                    {options}
                </select>
            </label>
            <button on:click=make>"Make a challenge link"</button>
        </div>
        {made}
    }
}
