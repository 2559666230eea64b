//! The "Lessons" button of the top bar and its dialog: the built-in lessons on the demo song,
//! the link to the lesson open now (to send to a class), and the class view.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::bundle::Attachment;
use mixroom_protocol::lesson::Lesson;

use super::class_view::ClassView;
use super::compare::{Comparing, Origin};
use crate::classroom::class::Row;
use crate::project::{lesson_link, save_bundle, Project};
use crate::ui::widgets::Modal;

/// The "Lessons" button and its dialog.
#[component]
pub fn LessonsButton() -> impl IntoView {
    let project = expect_context::<Project>();
    let comparing = expect_context::<Comparing>();
    let modal = Modal::new();
    let first = NodeRef::<html::Button>::new();
    let rows = RwSignal::new_local(Vec::<Row>::new());
    let rows_for = RwSignal::new(None::<Arc<Lesson>>);
    let link = RwSignal::new(None::<Result<String, String>>);
    let open = move |_| {
        link.set(None);
        modal.open(|| {
            if let Some(button) = first.get_untracked() {
                let _ = button.focus();
            }
        })
    };
    let lessons = mixroom_demo::lessons::lessons();
    let list = lessons
        .into_iter()
        .enumerate()
        .map(|(i, lesson)| {
            let title = lesson.title.clone();
            let introduction = lesson.introduction.clone();
            let lesson = Arc::new(lesson);
            let take = move |_| {
                let lesson = (*lesson).clone();
                modal.close();
                spawn_local(async move {
                    project.open_lesson(lesson, Vec::new(), None).await;
                });
            };
            let button = if i == 0 {
                view! { <button class="lesson-open" node_ref=first on:click=take>{title}</button> }
                    .into_any()
            } else {
                view! { <button class="lesson-open" on:click=take>{title}</button> }.into_any()
            };
            view! { <li>{button}<span class="lesson-about">{introduction}</span></li> }
        })
        .collect_view();
    let saved = RwSignal::new(None::<String>);
    let share = move |_| {
        saved.set(None);
        link.set(Some(lesson_link(project).map(|l| l.url)));
    };
    let save = move |_| {
        let Some(lesson) = project.lesson.get_untracked() else {
            return;
        };
        let attachment = Attachment::Lesson((*lesson).clone());
        link.set(None);
        spawn_local(async move {
            saved.set(Some(match save_bundle(project, Some(attachment)).await {
                Ok(file) => format!(
                    "Saved “{file}”: send this file to the class. It opens the lesson with its \
                     audio."
                ),
                Err(e) => format!("The lesson could not be saved: {e}."),
            }));
        });
    };
    let has_lesson = move || project.lesson.with(Option::is_some);
    view! {
        <button node_ref=modal.opener class="project" aria-haspopup="dialog"
            title="Lessons on the demo song, sharing a lesson, and the class view" on:click=open>
            "Lessons"
        </button>
        <dialog node_ref=modal.dialog class="modal lessons-dialog" aria-modal="true"
            aria-labelledby="lessons-title" on:close=move |_| {
                // A comparison of hand-ins stops with the dialog that shows its player.
                comparing.stop_from(project, Origin::Class);
                modal.return_focus();
            }>
            <div class="export-head">
                <h2 id="lessons-title">"Lessons"</h2>
                <button class="export-close" aria-label="Close" on:click=move |_| modal.close()>"✕"</button>
            </div>
            <p class="export-note">
                "Each lesson opens its starting mix as a new mix (yours stays in Recent mixes), \
                 with its steps and goals beside the mixer."
            </p>
            <ol class="lesson-list" aria-label="Built-in lessons">{list}</ol>
            <Show when=has_lesson>
                <h3>"This lesson"</h3>
                <div class="export-actions">
                    <button on:click=share>"Share lesson"</button>
                    <button on:click=save title="One .mixroom file with the lesson and its audio">
                        "Save lesson as a project"
                    </button>
                </div>
                {move || link.get().map(|made| match made {
                    Ok(url) => view! {
                        <input class="share-link" type="text" readonly aria-label="Lesson link"
                            prop:value=url/>
                        <p class="export-note">"Send this link to the class: it opens the lesson's \
                            starting mix with the lesson beside it."</p>
                    }.into_any(),
                    Err(e) => view! {
                        <p class="export-error" role="alert">{format!("No link could be made: {e}.")}</p>
                    }.into_any(),
                })}
                <p class="export-note" role="status" aria-live="polite">{move || saved.get()}</p>
                <ClassView rows=rows rows_for=rows_for opened=Callback::new(move |()| modal.close())/>
            </Show>
            <Show when=move || !has_lesson()>
                <p class="export-note">"Open a lesson to share it or to grade its hand-ins."</p>
            </Show>
        </dialog>
    }
}
