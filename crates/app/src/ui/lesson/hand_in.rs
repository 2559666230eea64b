//! Handing in: the student types a name and gets a link that holds the mix as it is now and
//! which lesson it answers, to send to the teacher; or a project file (`.mixroom`) that holds
//! the audio of the student's own files as well.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::bundle::Attachment;
use mixroom_protocol::lesson::MAX_STUDENT_CHARS;

use crate::project::{hand_in_link, save_bundle, Project, ShareLink};
use crate::ui::widgets::copy_field;

/// The name field, "Hand in", and the link it makes.
#[component]
pub fn HandInForm() -> impl IntoView {
    let project = expect_context::<Project>();
    let name = NodeRef::<html::Input>::new();
    let field = NodeRef::<html::Input>::new();
    let link = RwSignal::new(None::<Result<ShareLink, String>>);
    let copied = RwSignal::new(None::<bool>);
    let saved = RwSignal::new(None::<Result<String, String>>);
    let student = move || {
        name.get_untracked()
            .map(|n| n.value().trim().to_owned())
            .unwrap_or_default()
    };
    let hand_in = move |_| {
        let student = student();
        copied.set(None);
        saved.set(None);
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
    let save = move |_| {
        let student = student();
        link.set(None);
        if student.is_empty() {
            saved.set(Some(Err("type your name first".to_owned())));
            return;
        }
        let Some(hand_in) = project.hand_in(&student) else {
            return;
        };
        saved.set(None);
        spawn_local(async move {
            saved.set(Some(
                save_bundle(project, Some(Attachment::HandIn(hand_in))).await,
            ));
        });
    };
    let copy = move |_| copy_field(field, copied);
    let url = move || {
        link.with(|l| match l {
            Some(Ok(link)) => link.url.clone(),
            _ => String::new(),
        })
    };
    let note = move || match (link.get(), saved.get()) {
        (_, Some(Ok(file))) => format!(
            "Saved “{file}”: send this file to your teacher. It holds your mix, its audio and \
             which lesson it answers."
        ),
        (_, Some(Err(e))) => format!("The hand-in could not be saved: {e}."),
        (Some(Ok(link)), None) if !link.local_files.is_empty() => format!(
            "Your own files are not in this link ({}): use “Save hand-in as a project” and send \
             that file instead.",
            link.local_files.join(", ")
        ),
        (Some(Ok(_)), None) => {
            "Send this link to your teacher: it holds your whole mix.".to_owned()
        }
        (Some(Err(e)), None) => format!("No hand-in link could be made: {e}."),
        (None, None) => String::new(),
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
                <button on:click=save title="A .mixroom file with your mix and its audio">
                    "Save hand-in as a project"
                </button>
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
