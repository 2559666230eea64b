//! Handing in: the student types a name and gets a link that holds the mix as it is now and
//! which lesson it answers, to send to the teacher.

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::lesson::MAX_STUDENT_CHARS;

use crate::project::{hand_in_link, Project, ShareLink};
use crate::ui::widgets::copy_field;

/// The name field, "Hand in", and the link it makes.
#[component]
pub fn HandInForm() -> impl IntoView {
    let project = expect_context::<Project>();
    let name = NodeRef::<html::Input>::new();
    let field = NodeRef::<html::Input>::new();
    let link = RwSignal::new(None::<Result<ShareLink, String>>);
    let copied = RwSignal::new(None::<bool>);
    let hand_in = move |_| {
        let student = name
            .get_untracked()
            .map(|n| n.value().trim().to_owned())
            .unwrap_or_default();
        copied.set(None);
        if student.is_empty() {
            link.set(Some(Err("type your name first".to_owned())));
            return;
        }
        let made = hand_in_link(project, &student);
        if let (Ok(made), Some(field)) = (&made, field.get_untracked()) {
            field.set_value(&made.url);
            field.select();
        }
        link.set(Some(made));
    };
    let copy = move |_| copy_field(field, copied);
    let url = move || {
        link.with(|l| match l {
            Some(Ok(link)) => link.url.clone(),
            _ => String::new(),
        })
    };
    let note = move || match link.get() {
        Some(Ok(link)) if !link.local_files.is_empty() => format!(
            "Send this link to your teacher. Your own files are not in it ({}): save the \
             project and send the .mixroom file as well.",
            link.local_files.join(", ")
        ),
        Some(Ok(_)) => "Send this link to your teacher: it holds your whole mix.".to_owned(),
        Some(Err(e)) => format!("No hand-in link could be made: {e}."),
        None => String::new(),
    };
    let copy_note = move || match copied.get() {
        Some(true) => "Copied.",
        Some(false) => "Could not copy: select the link and copy it yourself.",
        None => "",
    };
    view! {
        <section class="hand-in" aria-labelledby="hand-in-title">
            <h3 id="hand-in-title">"Hand in"</h3>
            <div class="hand-in-row">
                <input node_ref=name type="text" aria-label="Your name" placeholder="Your name"
                    maxlength=MAX_STUDENT_CHARS.to_string() autocomplete="name"/>
                <button on:click=hand_in>"Hand in"</button>
            </div>
            <Show when=move || link.with(|l| matches!(l, Some(Ok(_))))>
                <div class="hand-in-row">
                    <input node_ref=field type="text" readonly aria-label="Hand-in link"
                        prop:value=url/>
                    <button on:click=copy>"Copy"</button>
                </div>
            </Show>
            <p class="hand-in-note" role="status" aria-live="polite">
                {note} " " {copy_note}
            </p>
        </section>
    }
}
