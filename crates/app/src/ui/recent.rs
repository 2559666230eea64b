//! The Recent button and its dialog: the mixes kept in this browser (name, when, tracks), each
//! to open again with its audio, and the mixes set aside, to download or discard.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::text::shown;
use wasm_bindgen::JsValue;

use super::widgets::{ConfirmButton, Modal};
use crate::persist::KEEP_UNTOUCHED;
use crate::project::{KeptList, OpenIn, Project};

/// `ms` since 1970 as the user's locale writes a date and time ("3 Dec 2026, 14:03").
pub fn when(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    let options = crate::audio::object(&[
        ("dateStyle", &JsValue::from_str("medium")),
        ("timeStyle", &JsValue::from_str("short")),
    ]);
    date.to_locale_string("default", &options).into()
}

/// "Delete" for a kept mix no tab works on, which asks first, saying what goes: "Delete for
/// good" or "Keep it".
#[component]
fn DeleteKept(
    /// The mix's id.
    id: String,
    /// Its name, as shown.
    name: String,
) -> impl IntoView {
    let project = expect_context::<Project>();
    let delete = Callback::new(move |()| {
        let id = id.clone();
        spawn_local(async move { project.delete_kept(&[id]).await });
    });
    view! {
        <ConfirmButton text="Delete" label=format!("Delete {name}")
            question=format!("Delete “{name}” and the audio only it uses from this browser?")
            act="Delete for good" on_confirm=delete/>
    }
}

/// `bytes` for a person, in megabytes as a browser's settings count them ("12.3 MB").
fn megabytes(bytes: f64) -> String {
    match bytes >= 1e9 {
        true => format!("{:.1} GB", bytes / 1e9),
        false => format!("{:.1} MB", bytes / 1e6),
    }
}

/// The Recent button and dialog.
#[component]
pub fn RecentMixes() -> impl IntoView {
    let project = expect_context::<Project>();
    let modal = Modal::new();
    let list = RwSignal::new(KeptList::default());
    let is_open = RwSignal::new(false);
    let read = move || {
        spawn_local(async move {
            list.set(project.kept_list().await);
        })
    };
    // Read again whenever this tab changes what is kept, while the dialog is open.
    Effect::new(move |_| {
        project.kept_changes.track();
        if is_open.get() {
            read();
        }
    });
    let open_dialog = move |_| {
        is_open.set(true);
        modal.open(|| {});
    };
    let open_mix = move |id: String| {
        modal.close();
        spawn_local(async move {
            project.go_back_to(&id).await;
        });
    };
    let mixes = move || {
        list.with(|l| l.mixes.clone())
            .into_iter()
            .map(|mix| {
                let saved = when(mix.saved_at_ms);
                let name = shown(&mix.name).into_owned();
                let label = format!("Open {name}, saved {saved}");
                let id = mix.id.clone();
                let place = match mix.open_in {
                    OpenIn::ThisTab => "open in this tab",
                    OpenIn::OtherTab => "open in another tab (opens as a copy)",
                    OpenIn::Nowhere if mix.untouched => "opened, not changed",
                    OpenIn::Nowhere => "",
                };
                let tracks = match mix.tracks {
                    1 => "1 track".to_owned(),
                    n => format!("{n} tracks"),
                };
                view! {
                    <li class="kept-mix" data-testid="recent-mix">
                        <span class="kept-name">{name.clone()}</span>
                        <span class="kept-when">{saved}</span>
                        <span class="kept-tracks">{tracks}</span>
                        <span class="kept-place">{place}</span>
                        <button aria-label=label disabled=mix.open_in == OpenIn::ThisTab
                            on:click=move |_| open_mix(id.clone())>"Open"</button>
                        {(mix.open_in == OpenIn::Nowhere).then(|| view! {
                            <DeleteKept id=mix.id.clone() name=name.clone()/>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    // What goes first when space must be freed: the mixes opened from somebody else and not
    // changed, that no tab has open; said by name, and deleted only once the user agrees.
    let free_space = move || {
        let (ids, names): (Vec<String>, Vec<String>) = list.with(|l| {
            l.mixes
                .iter()
                .filter(|m| m.untouched && m.open_in == OpenIn::Nowhere)
                .map(|m| (m.id.clone(), shown(&m.name).into_owned()))
                .unzip()
        });
        // Each name once, with how many mixes have it: “Shared mix” × 3.
        let mut counted: Vec<(String, usize)> = Vec::new();
        for name in names {
            match counted.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => *count += 1,
                None => counted.push((name, 1)),
            }
        }
        let names: Vec<String> = counted
            .into_iter()
            .map(|(name, count)| match count {
                1 => format!("“{name}”"),
                n => format!("“{name}” × {n}"),
            })
            .collect();
        let used = list.with(|l| l.storage).map(|s| {
            format!(
                "Mixroom uses {} of the {} this browser lets it store.",
                megabytes(s.used),
                megabytes(s.quota)
            )
        });
        let offer = (!ids.is_empty()).then(|| {
            let count = match ids.len() {
                1 => "the mix".to_owned(),
                n => format!("the {n} mixes"),
            };
            let delete = Callback::new(move |()| {
                let ids = ids.clone();
                spawn_local(async move { project.delete_kept(&ids).await });
            });
            view! {
                <ConfirmButton text="Free space"
                    label=format!("Free space: delete {count} opened and not changed")
                    question=format!(
                        "Delete {count} you opened and did not change ({}), and the audio only \
                         they use, from this browser?",
                        names.join(", ")
                    )
                    act="Delete them" on_confirm=delete/>
            }
        });
        view! { <p class="hint storage">{used}" "{offer}</p> }
    };
    let aside = move || {
        let records = list.with(|l| l.aside.clone());
        (!records.is_empty()).then(|| {
            let items = records
                .into_iter()
                .map(|record| {
                    let name = if record.name.is_empty() {
                        "A mix".to_owned()
                    } else {
                        shown(&record.name).into_owned()
                    };
                    let (download, discard) = (record.id.clone(), record.id.clone());
                    view! {
                        <li class="kept-mix" data-testid="aside-mix">
                            <span class="kept-name">{name.clone()}</span>
                            <span class="kept-when">{when(record.set_aside_at_ms)}</span>
                            <span class="kept-place">{format!("could not be opened: {}", record.reason)}</span>
                            <button aria-label=format!("Download {name} (set aside)")
                                on:click=move |_| {
                                    let id = download.clone();
                                    spawn_local(async move { project.download_aside(&id).await });
                                }>"Download"</button>
                            <super::project::DiscardButton id=discard/>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h3>"Set aside"</h3>
                <p class="hint">"Mixes that could not be opened, kept untouched."</p>
                <ul class="kept-list" aria-label="Mixes set aside">{items}</ul>
            }
        })
    };
    view! {
        <button node_ref=modal.opener class="project" on:click=open_dialog aria-haspopup="dialog"
            title="The mixes kept in this browser">
            "Recent"
        </button>
        <dialog node_ref=modal.dialog class="modal recent-dialog" aria-modal="true"
            aria-labelledby="recent-title" data-testid="recent-dialog"
            on:close=move |_| { is_open.set(false); modal.return_focus(); }>
            <h2 id="recent-title">"Recent mixes"</h2>
            <p class="hint">
                {format!(
                    "This browser keeps every mix you worked on, each with its audio, until you \
                     delete it; of the links, lessons and projects you opened and did not change, \
                     the {KEEP_UNTOUCHED} latest."
                )}
            </p>
            <ul class="kept-list" aria-label="Recent mixes">{mixes}</ul>
            {move || list.with(|l| l.mixes.is_empty()).then(|| view! {
                <p class="hint" role="status">"No mix is kept in this browser yet: yours is, as soon as you change it; a link's, as soon as it opens."</p>
            })}
            {free_space}
            {aside}
            <div class="dialog-buttons">
                <button on:click=move |_| modal.close()>"Close"</button>
            </div>
        </dialog>
    }
}
