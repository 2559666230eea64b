//! The A/B section of the lesson panel: my mix against the lesson's raw start, its reference
//! mix and a reference recording, loudness matched, switched at the same playhead.

use std::rc::Rc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::lesson::{Lesson, Reference};
use wasm_bindgen_futures::JsFuture;

use crate::audio::describe;
use crate::classroom::compare::{self, Comparison};
use crate::project::Project;

/// What the buttons show of a prepared comparison: each version's name and matching gain.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    versions: Vec<(String, f32)>,
    heard: usize,
    playing: bool,
}

fn shown() -> Option<Shown> {
    let comparison = compare::current()?;
    let c = comparison.borrow();
    Some(Shown {
        versions: c
            .versions()
            .iter()
            .map(|v| (v.name.clone(), v.gain_db))
            .collect(),
        heard: c.heard(),
        playing: c.is_playing(),
    })
}

/// "Compare" for `lesson`.
#[component]
pub fn CompareSection(lesson: std::sync::Arc<Lesson>) -> impl IntoView {
    let project = expect_context::<Project>();
    let mixer = project.mixer();
    let state = RwSignal::new(None::<Shown>);
    let status = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let file = NodeRef::<html::Input>::new();
    on_cleanup(|| compare::set_current(None));
    let refresh = move || state.set(shown());
    let prepare = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(bridge) = mixer.with_bridge(Rc::clone) else {
            return;
        };
        stop_and_resume(project);
        compare::set_current(None);
        refresh();
        busy.set(true);
        let mut others = vec![("Start".to_owned(), lesson.start.clone())];
        if let Some(Reference::Mix(reference)) = &lesson.reference {
            others.push(("Reference mix".to_owned(), reference.clone()));
        }
        spawn_local(async move {
            let preparing = |track, of| status.set(format!("Preparing track {track} of {of}"));
            let made = match mixer.mix_audio("compare", &preparing).await {
                Ok(audio) => {
                    let progress = |done: usize, of: usize| {
                        status.set(format!("Rendering version {} of {of}", (done + 1).min(of)))
                    };
                    Comparison::prepare(bridge.context().clone(), &audio, others, &progress).await
                }
                Err(e) => Err(e),
            };
            match made {
                Ok(comparison) => {
                    compare::set_current(Some(comparison));
                    status.set(
                        "Ready: every version plays at the same loudness (the gain beside it). \
                         Prepare again after you change the mix."
                            .to_owned(),
                    );
                }
                Err(e) => status.set(e),
            }
            busy.set(false);
            refresh();
        });
    };
    let toggle = move |_| {
        let Some(comparison) = compare::current() else {
            return;
        };
        let playing = comparison.borrow().is_playing();
        if playing {
            stop_and_resume(project);
        } else if let Some(bridge) = mixer.with_bridge(Rc::clone) {
            let t = bridge.transport();
            bridge.set_transport(TransportRequest {
                playing: false,
                ..t
            });
            let at_s = bridge.playhead_frames() / f64::from(bridge.sample_rate_hz());
            if let Err(e) = comparison.borrow().play(at_s) {
                status.set(format!("The comparison could not play ({}).", describe(&e)));
            }
        }
        refresh();
    };
    let hear = move |i: usize| {
        if let Some(comparison) = compare::current() {
            comparison.borrow_mut().hear(i);
        }
        refresh();
    };
    let add_recording = move |_| {
        let Some(input) = file.get_untracked() else {
            return;
        };
        let Some(picked) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let Some(bridge) = mixer.with_bridge(Rc::clone) else {
            return;
        };
        spawn_local(async move {
            let name = picked.name();
            status.set(format!("Decoding “{name}”"));
            let decoded = async {
                let bytes = JsFuture::from(picked.array_buffer()).await?;
                let bytes: js_sys::ArrayBuffer = bytes.into();
                let buffer = JsFuture::from(bridge.context().decode_audio_data(&bytes)?).await?;
                Ok::<web_sys::AudioBuffer, wasm_bindgen::JsValue>(buffer.into())
            }
            .await;
            let added = match (decoded, compare::current()) {
                (Ok(buffer), Some(comparison)) => {
                    let was = comparison.borrow().stop();
                    let added = comparison.borrow_mut().add_recording(name.clone(), buffer);
                    if let Some(at) = was {
                        let _ = comparison.borrow().play(at);
                    }
                    added
                }
                (Ok(_), None) => Err("prepare the comparison first".to_owned()),
                (Err(e), _) => Err(format!(
                    "“{name}” is not audio this browser can decode ({})",
                    describe(&e)
                )),
            };
            status.set(match added {
                Ok(()) => format!("Added the recording “{name}”."),
                Err(e) => format!("The recording was not added: {e}."),
            });
            refresh();
        });
    };
    let buttons = move || {
        state.get().map(|s| {
            s.versions
                .iter()
                .enumerate()
                .map(|(i, (name, gain_db))| {
                    let label = format!("{name} ({})", gain(*gain_db));
                    view! {
                        <button aria-pressed=(i == s.heard).to_string() on:click=move |_| hear(i)>
                            {label}
                        </button>
                    }
                })
                .collect_view()
        })
    };
    let playing = move || state.with(|s| s.as_ref().is_some_and(|s| s.playing));
    view! {
        <section class="compare" aria-labelledby="compare-title">
            <h3 id="compare-title">"Compare"</h3>
            <div class="compare-row">
                <button on:click=prepare disabled=move || busy.get()>"Prepare A/B"</button>
                <Show when=move || state.with(Option::is_some)>
                    <button on:click=toggle>{move || if playing() { "Stop A/B" } else { "Play A/B" }}</button>
                    <button on:click=move |_| { if let Some(f) = file.get_untracked() { f.click(); } }>
                        "Add a recording"
                    </button>
                </Show>
            </div>
            <div class="compare-row" role="group" aria-label="Listen to">{buttons}</div>
            <input node_ref=file type="file" accept="audio/*" class="visually-hidden" tabindex="-1"
                aria-hidden="true" data-testid="compare-file" on:change=add_recording/>
            <p class="compare-status" role="status" aria-live="polite">{move || status.get()}</p>
        </section>
    }
}

/// Stops the comparison, if it plays, and the mix plays on from where it was.
fn stop_and_resume(project: Project) {
    let Some(comparison) = compare::current() else {
        return;
    };
    let Some(at_s) = comparison.borrow().stop() else {
        return;
    };
    project.mixer().with_bridge(|bridge| {
        let t = bridge.transport();
        let frame = (at_s * f64::from(bridge.sample_rate_hz())).round();
        bridge.set_transport(TransportRequest {
            playing: true,
            seek_serial: t.seek_serial.wrapping_add(1),
            seek_frame: frame.max(0.0),
            ..t
        });
    });
}

/// A matching gain as shown: "−2.3 dB", "+1.0 dB".
fn gain(db: f32) -> String {
    format!("{db:+.1} dB").replace('-', "−")
}
