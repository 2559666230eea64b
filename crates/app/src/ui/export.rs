//! The "Export" button of the top bar and its dialog: format, loudness target, "Export mix" and
//! "Export stems", the progress line and the result (or the error).
//!
//! The dialog is a native modal `<dialog>` (the page behind it is inert, Escape closes it);
//! focus moves to its first field when it opens and back to the button when it closes. An
//! export keeps running when the dialog is closed; reopening it shows where it is.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::widgets::Modal;
use crate::export::normalize::LoudnessTarget;
use crate::export::wav::WavFormat;
use crate::export::{download, export_mix, export_stems, ExportOptions, Progress};
use crate::state::Mixer;

/// What an export in the dialog is doing, for the lines under its buttons.
#[derive(Clone, Copy)]
struct ExportState {
    busy: RwSignal<bool>,
    progress: RwSignal<Option<String>>,
    result: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
}

impl ExportState {
    /// Exports the mix (or the stems) with `options` and downloads the file, unless an export
    /// is already running.
    fn start(self, mixer: Mixer, options: ExportOptions, stems: bool) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        self.result.set(None);
        self.progress.set(Some("Starting".to_owned()));
        spawn_local(async move {
            let report = |p: Progress| self.progress.set(Some(p.to_string()));
            let exported = if stems {
                export_stems(mixer, options, &report).await
            } else {
                export_mix(mixer, options, &report).await
            };
            match exported.and_then(|e| download(&e).map(|()| e)) {
                Ok(e) => self.result.set(Some(e.summary())),
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.progress.set(None);
            self.busy.set(false);
        });
    }
}

/// The "Export" button and the dialog it opens.
#[component]
pub fn ExportButton() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let modal = Modal::new();
    let first_field = NodeRef::<html::Select>::new();
    let format = RwSignal::new(WavFormat::Pcm24);
    let target = RwSignal::new(LoudnessTarget::Off);
    let state = ExportState {
        busy: RwSignal::new(false),
        progress: RwSignal::new(None),
        result: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let open = move |_| {
        modal.open(|| {
            if let Some(field) = first_field.get_untracked() {
                let _ = field.focus();
            }
        })
    };
    let run = move |stems: bool| {
        let options = ExportOptions {
            format: format.get_untracked(),
            target: target.get_untracked(),
            dither_seed: js_sys::Date::now() as u64,
        };
        state.start(mixer, options, stems);
    };
    let format_options = WavFormat::ALL
        .iter()
        .map(|f| view! { <option value=f.key() selected=move || format.get() == *f>{f.label()}</option> })
        .collect_view();
    let target_options = LoudnessTarget::ALL
        .iter()
        .map(|t| view! { <option value=t.key() selected=move || target.get() == *t>{t.label()}</option> })
        .collect_view();
    view! {
        <button node_ref=modal.opener class="export" aria-haspopup="dialog"
            title="Render the mix to a WAV file, or the stems to a zip" on:click=open>
            "Export"
        </button>
        <dialog node_ref=modal.dialog class="modal export-dialog" aria-modal="true"
            aria-labelledby="export-title" data-testid="export-dialog" on:close=move |_| modal.return_focus()>
            <div class="export-head">
                <h2 id="export-title">"Export"</h2>
                <button class="export-close" aria-label="Close" on:click=move |_| modal.close()>"✕"</button>
            </div>
            <div class="export-fields">
                <label for="export-format">"Format"</label>
                <select id="export-format" node_ref=first_field
                    on:change=move |ev| {
                        if let Some(f) = WavFormat::from_key(&event_target_value(&ev)) {
                            format.set(f);
                        }
                    }>
                    {format_options}
                </select>
                <label for="export-target">"Normalize (mix)"</label>
                <select id="export-target"
                    on:change=move |ev| {
                        if let Some(t) = LoudnessTarget::from_key(&event_target_value(&ev)) {
                            target.set(t);
                        }
                    }>
                    {target_options}
                </select>
            </div>
            <p class="export-note">
                "Renders from the start to the end of the longest track. Stems: each track and bus \
                 soloed, the master's EQ, compressor and limiter bypassed, never normalized."
            </p>
            <div class="export-actions">
                <button class="primary" disabled=move || state.busy.get()
                    on:click=move |_| run(false)>"Export mix"</button>
                <button disabled=move || state.busy.get()
                    on:click=move |_| run(true)>"Export stems"</button>
            </div>
            <p class="export-status" role="status" aria-live="polite">
                <Show when=move || state.progress.with(Option::is_some)>
                    <span class="spinner" aria-hidden="true"></span>
                    <span data-testid="export-progress">{move || state.progress.get()}</span>
                </Show>
                <span data-testid="export-result">{move || state.result.get()}</span>
            </p>
            <Show when=move || state.error.with(Option::is_some)>
                <p class="export-error" role="alert" data-testid="export-error">
                    {move || state.error.get()}
                </p>
            </Show>
        </dialog>
    }
}
