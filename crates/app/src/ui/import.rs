//! Importing from the page: drop audio files anywhere, or pick them with the "Import" button.
//! A line says what is being decoded ("Decoding 3 of 16: name"); a file that fails gets a
//! message of its own, and nothing else changes.

use std::cell::Cell;
use std::rc::Rc;

use leptos::ev::DragEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::session::Source;
use mixroom_protocol::text::shown;
use web_sys::File;

use crate::audio::import::ImportError;
use crate::audio::sleep_ms;
use crate::project::remote::{fetch, host_of, Fetching};
use crate::project::{open_bundle_file, Project};
use crate::state::import::{import_files, Imported};
use crate::state::Mixer;

/// The outcome of one file: its name and what became of it.
pub type Outcome = (String, Result<Imported, ImportError>);

/// The page's importer: one batch of files at a time, the next waits its turn.
#[derive(Clone, Copy)]
pub struct Importer {
    mixer: Mixer,
    /// What is being decoded now, if anything.
    progress: RwSignal<Option<String>>,
    /// Messages about files that failed, newest last.
    errors: RwSignal<Vec<String>>,
    busy: StoredValue<Rc<Cell<bool>>, LocalStorage>,
}

impl Importer {
    /// An idle importer adding tracks to `mixer`.
    pub fn new(mixer: Mixer) -> Importer {
        Importer {
            mixer,
            progress: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            busy: StoredValue::new_local(Rc::new(Cell::new(false))),
        }
    }

    /// Imports `files` (after any batch in progress) and resolves to each file's outcome.
    pub async fn import(self, files: Vec<File>) -> Vec<Outcome> {
        let busy = self.busy.get_value();
        while busy.get() {
            let _ = sleep_ms(50).await;
        }
        busy.set(true);
        let mut outcomes = Vec::new();
        import_files(
            self.mixer,
            files,
            |index, count, name| {
                self.progress.set(Some(format!(
                    "Decoding {} of {count}: {}",
                    index + 1,
                    shown(name)
                )));
            },
            |name, result| {
                if let Err(e) = result {
                    self.errors.update(|list| list.push(e.to_string()));
                }
                outcomes.push((name.to_owned(), result.clone()));
            },
        )
        .await;
        self.progress.set(None);
        busy.set(false);
        outcomes
    }

    /// Fetches the audio file at `url` (http or https, with CORS) and imports it as a track
    /// whose source is the URL (a share link then carries the URL, not the file).
    pub async fn import_url(self, url: String) {
        self.progress.set(Some(format!("Fetching {url}")));
        let fetching = match Fetching::new() {
            Ok(fetching) => fetching,
            Err(why) => {
                self.errors
                    .update(|list| list.push(format!("Could not add {url}: {why}.")));
                return;
            }
        };
        let progress = self.progress;
        let shown = url.clone();
        let fetched = fetch(&url, &fetching, move |bytes, of| {
            let of = of.map_or(String::new(), |n| format!(" of {:.1} MB", n / 1e6));
            progress.set(Some(format!("Fetching {shown}: {:.1} MB{of}", bytes / 1e6)));
        })
        .await;
        match fetched {
            Ok(file) => {
                for (_, result) in self.import(vec![file]).await {
                    if let Ok(imported) = result {
                        self.mixer.with_bridge(|b| {
                            b.set_track_source(imported.strip.position(), Source::Url(url.clone()))
                        });
                    }
                }
            }
            Err(why) => {
                self.progress.set(None);
                self.errors
                    .update(|list| list.push(format!("Could not add {url}: {why}.")));
            }
        }
    }

    /// Starts importing `files` in the background.
    pub fn start(self, files: Vec<File>) {
        if !files.is_empty() {
            spawn_local(async move {
                self.import(files).await;
            });
        }
    }
}

/// The files of a file list.
fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The "Import" button with its hidden file picker.
#[component]
pub fn ImportButton() -> impl IntoView {
    let importer = expect_context::<Importer>();
    let input = NodeRef::<html::Input>::new();
    let on_change = move |_| {
        if let Some(input) = input.get_untracked() {
            importer.start(files_of(input.files()));
            input.set_value("");
        }
    };
    view! {
        <button class="import" aria-label="Import audio files"
            title="Add tracks from audio files (or drop files anywhere on the page)"
            on:click=move |_| { if let Some(i) = input.get_untracked() { i.click(); } }>
            "+ Import"
        </button>
        <input node_ref=input type="file" accept="audio/*,video/*,.wav,.flac,.mp3,.ogg,.opus,.m4a,.aac,.webm"
            multiple class="visually-hidden" tabindex="-1" aria-hidden="true"
            data-testid="import-input" on:change=on_change/>
    }
}

/// "+ URL": adds a track from an audio file on the web.
#[component]
pub fn UrlButton() -> impl IntoView {
    let importer = expect_context::<Importer>();
    let project = expect_context::<Project>();
    let open = RwSignal::new(false);
    let field = NodeRef::<html::Input>::new();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(field) = field.get_untracked() else {
            return;
        };
        let url = field.value().trim().to_owned();
        if !url.is_empty() {
            open.set(false);
            // The user's own address: agreed to, for this mix.
            project.allow_host(&host_of(&url));
            spawn_local(importer.import_url(url));
        }
    };
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    view! {
        <button class="import" on:click=move |_| open.update(|o| *o = !*o)
            aria-expanded=move || open.get().to_string()
            title="Add a track from an audio file on the web (http or https)">
            "+ URL"
        </button>
        <Show when=move || open.get()>
            <form class="url-form" on:submit=add
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Escape" { open.set(false); }
                }>
                <label for="audio-url">"Audio file address"</label>
                <input id="audio-url" node_ref=field type="url" required
                    placeholder="https://example.com/take.wav"/>
                <button type="submit">"Add"</button>
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
            </form>
        </Show>
    }
}

/// Accepts files dropped anywhere on the page and shows the import's progress and errors.
#[component]
pub fn DropZone() -> impl IntoView {
    let importer = expect_context::<Importer>();
    let dragging = RwSignal::new(false);
    let carries_files = |ev: &DragEvent| {
        ev.data_transfer()
            .is_some_and(|d| d.types().includes(&"Files".into(), 0))
    };
    let over = window_event_listener(leptos::ev::dragover, move |ev: DragEvent| {
        if carries_files(&ev) {
            ev.prevent_default();
            if let Some(d) = ev.data_transfer() {
                d.set_drop_effect("copy");
            }
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |ev: DragEvent| {
        // Leaving the window (not just one element for another).
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    let project = expect_context::<Project>();
    let drop = window_event_listener(leptos::ev::drop, move |ev: DragEvent| {
        dragging.set(false);
        if carries_files(&ev) {
            ev.prevent_default();
            // A project bundle opens; audio files become tracks.
            let (bundles, audio): (Vec<File>, Vec<File>) =
                files_of(ev.data_transfer().and_then(|d| d.files()))
                    .into_iter()
                    .partition(|f| f.name().to_lowercase().ends_with(".mixroom"));
            match bundles.into_iter().next() {
                Some(bundle) => spawn_local(open_bundle_file(project, bundle)),
                None => importer.start(audio),
            }
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });
    let dismiss = move |i: usize| {
        importer.errors.update(|list| {
            if i < list.len() {
                list.remove(i);
            }
        })
    };
    view! {
        <Show when=move || dragging.get()>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop audio files to add them as tracks, or a .mixroom project to open it"</p>
            </div>
        </Show>
        <div class="import-status">
            <Show when=move || importer.progress.with(Option::is_some)>
                <p class="banner" role="status" data-testid="import-progress">
                    <span class="spinner" aria-hidden="true"></span>
                    {move || importer.progress.get()}
                </p>
            </Show>
            {move || {
                importer
                    .errors
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, message)| view! {
                        <p class="banner error" role="alert" data-testid="import-error">
                            {message}
                            <button on:click=move |_| dismiss(i)>"Dismiss"</button>
                        </p>
                    })
                    .collect_view()
            }}
        </div>
    }
}
