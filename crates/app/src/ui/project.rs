//! The project controls in the top bar (Share, Save, Open) with the share dialog, and the
//! notices under the bar: what opening a mix left undone, files a mix waits for, storage
//! trouble.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::session::Source;
use mixroom_protocol::text::shown;

use super::widgets::{copy_field, ConfirmButton, Modal};
use crate::project::{
    open_bundle_file, save_bundle, share_link, Action, Level, Notice, Project, ShareLink,
};

/// Share, Save and Open.
#[component]
pub fn ProjectButtons() -> impl IntoView {
    let project = expect_context::<Project>();
    let modal = Modal::new();
    let field = NodeRef::<html::Input>::new();
    let link = RwSignal::new(None::<Result<ShareLink, String>>);
    let copied = RwSignal::new(None::<bool>);
    let input = NodeRef::<html::Input>::new();
    let share = move |_| {
        let made = share_link(project);
        if let (Ok(made), Some(field)) = (&made, field.get_untracked()) {
            // Now, so that it is selected below (the reactive value follows a tick later).
            field.set_value(&made.url);
        }
        link.set(Some(made));
        copied.set(None);
        modal.open(|| {
            if let Some(field) = field.get_untracked() {
                let _ = field.focus();
                field.select();
            }
        });
    };
    let copy = move |_| copy_field(field, copied);
    let save = move |_| {
        spawn_local(async move {
            match save_bundle(project, None).await {
                Ok(name) => project.notify(Notice::info(
                    "bundle",
                    format!("Saved “{name}”: the mix and its audio, to open on any computer."),
                )),
                Err(e) => project.notify(Notice::error(
                    "bundle",
                    format!("The project could not be saved: {e}."),
                )),
            }
        });
    };
    let on_pick = move |_| {
        let Some(input) = input.get_untracked() else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            spawn_local(open_bundle_file(project, file));
        }
        input.set_value("");
    };
    let url = move || {
        link.with(|l| match l {
            Some(Ok(link)) => link.url.clone(),
            _ => String::new(),
        })
    };
    let details = move || match link.get() {
        Some(Ok(link)) => {
            let files = (!link.local_files.is_empty()).then(|| {
                let names: Vec<String> =
                    link.local_files.iter().map(|f| format!("“{f}”")).collect();
                format!(
                    " Your own files are not in the link: whoever opens it is asked to drop {}.",
                    names.join(", ")
                )
            });
            format!(
                "{} characters; the whole mix is in the link, nothing is uploaded.{}",
                link.url.len(),
                files.unwrap_or_default()
            )
        }
        Some(Err(e)) => format!("No link could be made: {e}."),
        None => String::new(),
    };
    view! {
        <button node_ref=modal.opener class="project" on:click=share
            title="A link that holds the whole mix" aria-haspopup="dialog">
            "Share"
        </button>
        <button class="project" on:click=save
            title="Download the project: the mix and its audio files, as one .mixroom file">
            "Save"
        </button>
        <button class="project" title="Open a .mixroom project (or drop it on the page)"
            on:click=move |_| { if let Some(i) = input.get_untracked() { i.click(); } }>
            "Open"
        </button>
        <input node_ref=input type="file" accept=".mixroom,application/zip" class="visually-hidden"
            tabindex="-1" aria-hidden="true" data-testid="open-input" on:change=on_pick/>
        <dialog node_ref=modal.dialog class="modal share-dialog" aria-modal="true"
            aria-labelledby="share-title" data-testid="share-dialog" on:close=move |_| modal.return_focus()>
            <h2 id="share-title">"Share this mix"</h2>
            <label for="share-link">"Link to this mix"</label>
            <input id="share-link" node_ref=field readonly prop:value=url
                data-testid="share-link"/>
            <p class="hint">{details}</p>
            <div class="dialog-buttons">
                <button on:click=copy>"Copy link"</button>
                <button on:click=move |_| modal.close()>"Close"</button>
            </div>
            <p role="status" class="hint">
                {move || match copied.get() {
                    Some(true) => "Copied.",
                    Some(false) => "The browser did not allow copying: select the link and copy it.",
                    None => "",
                }}
            </p>
        </dialog>
    }
}

/// Messages about the project, and the files the mix waits for.
#[component]
pub fn Notices() -> impl IntoView {
    let project = expect_context::<Project>();
    let mixer = project.mixer();
    let missing = move || {
        mixer.missing.track();
        mixer.tracks.track();
        let names: Vec<String> = mixer
            .waiting()
            .into_iter()
            .filter_map(|(_, source)| match source {
                Source::File(file) => Some(format!("“{}”", shown(file.name()))),
                _ => None,
            })
            .collect();
        (!names.is_empty()).then(|| {
            let (things, them) = if names.len() == 1 { ("a file", "it") } else { ("files", "them") };
            view! {
                <p class="banner" role="status" data-testid="missing-files">
                    {format!(
                        "This mix uses {things} you have not given it yet: {}. Drop {them} on \
                         the page (files are matched by their contents); meanwhile you hear the rest.",
                        names.join(", ")
                    )}
                </p>
            }
        })
    };
    let dismiss = move |key: String| project.clear_notice(&key);
    view! {
        <div class="import-status">
            {missing}
            {move || {
                project
                    .notices
                    .get()
                    .into_iter()
                    .map(|notice| {
                        let key = notice.key.clone();
                        let data_key = key.clone();
                        let (class, role) = match notice.level {
                            Level::Info => ("banner", "status"),
                            Level::Error => ("banner error", "alert"),
                        };
                        let actions = notice
                            .actions
                            .into_iter()
                            .map(|action| action_button(project, action))
                            .collect_view();
                        view! {
                            <p class=class role=role data-testid="notice" data-key=data_key>
                                {notice.text}
                                {actions}
                                <button on:click=move |_| dismiss(key.clone())>"Dismiss"</button>
                            </p>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// The button that offers `action` in a notice.
fn action_button(project: Project, action: Action) -> AnyView {
    match action {
        Action::RestorePrevious => view! {
            <button on:click=move |_| spawn_local(async move {
                project.restore_previous().await;
            })>"Back to my previous mix"</button>
        }
        .into_any(),
        Action::DownloadAside(id) => view! {
            <button on:click=move |_| {
                let id = id.clone();
                spawn_local(async move { project.download_aside(&id).await });
            }>"Download it"</button>
        }
        .into_any(),
        Action::DiscardAside(id) => view! { <DiscardButton id=id/> }.into_any(),
        Action::LoadHost(host) => {
            let label = format!("Load audio from {host}");
            view! { <button aria-label=label on:click=move |_| project.load_host(&host)>"Load"</button> }
                .into_any()
        }
        Action::SkipHost(host) => {
            let label = format!("Skip audio from {host}");
            view! { <button aria-label=label on:click=move |_| project.skip_host(&host)>"Skip"</button> }
                .into_any()
        }
        Action::CancelHost(host) => {
            let label = format!("Cancel loading audio from {host}");
            view! { <button aria-label=label on:click=move |_| project.cancel_host(&host)>"Cancel"</button> }
                .into_any()
        }
    }
}

/// "Discard" for a mix set aside, which asks first: "Discard for good" or "Keep it".
#[component]
pub fn DiscardButton(
    /// The id of the mix set aside.
    id: String,
) -> impl IntoView {
    let project = expect_context::<Project>();
    let discard = Callback::new(move |()| {
        let id = id.clone();
        spawn_local(async move { project.discard_aside(&id).await });
    });
    view! {
        <ConfirmButton text="Discard" question="Discard it for good?" act="Discard for good"
            on_confirm=discard/>
    }
}
