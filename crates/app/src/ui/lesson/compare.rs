//! Loudness-matched A/B in the page: the "Compare" section of the lesson panel (my mix against
//! the lesson's raw start, its reference mix and a reference recording) and the class view's
//! comparison of hand-ins, both played by one player ([`ComparePlayer`]) at the engine's
//! playhead.

use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::lesson::Lesson;

use crate::audio::describe;
use crate::classroom::compare::{self, lesson_versions, Comparison, Planned};
use crate::classroom::recording;
use crate::project::Project;

/// Where a comparison was prepared, and so where its player shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The lesson panel's "Compare".
    Lesson,
    /// The class view.
    Class,
}

/// What the buttons show of the prepared comparison: each version's name and matching gain.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    origin: Origin,
    versions: Vec<(String, f32)>,
    heard: usize,
    playing: bool,
}

/// The page's comparison as the player shows it (one at a time, see
/// [`compare::current`]). Provided by the app.
#[derive(Clone, Copy)]
pub struct Comparing {
    shown: RwSignal<Option<Shown>>,
    origin: RwSignal<Origin>,
    status: RwSignal<String>,
    busy: RwSignal<bool>,
}

impl Comparing {
    /// No comparison yet.
    pub fn new() -> Comparing {
        Comparing {
            shown: RwSignal::new(None),
            origin: RwSignal::new(Origin::Lesson),
            status: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
        }
    }

    /// Shows the comparison as it is now.
    fn refresh(self) {
        let origin = self.origin.get_untracked();
        self.shown.set(compare::current().map(|comparison| {
            let c = comparison.borrow();
            Shown {
                origin,
                versions: c
                    .versions()
                    .iter()
                    .map(|v| (v.name.clone(), v.gain_db))
                    .collect(),
                heard: c.heard(),
                playing: c.is_playing(),
            }
        }));
    }

    /// Shows `text` as the comparison's status.
    pub fn say(self, text: String) {
        self.status.set(text);
    }

    /// Stops the comparison prepared from `origin`, if it plays: the mix plays on from where
    /// it was.
    pub fn stop_from(self, project: Project, origin: Origin) {
        if self.origin.get_untracked() == origin {
            stop_and_resume(project);
            self.refresh();
        }
    }

    /// Whether a comparison is being prepared.
    pub fn busy(self) -> Signal<bool> {
        self.busy.into()
    }

    /// Prepares a new comparison from `origin`: `planned` gathers the versions (and the
    /// engine's rate, Hz), then each is rendered; `lesson`'s reference recording, when it has
    /// one (at a URL, or a file in this browser's storage), is added. Replaces the comparison
    /// before.
    pub fn prepare(
        self,
        project: Project,
        origin: Origin,
        lesson: Option<Arc<Lesson>>,
        planned: impl Future<Output = Result<(Vec<Planned>, f32), String>> + 'static,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(bridge) = project.mixer().with_bridge(Rc::clone) else {
            return;
        };
        stop_and_resume(project);
        compare::set_current(None);
        self.origin.set(origin);
        self.refresh();
        self.busy.set(true);
        let status = self.status;
        spawn_local(async move {
            let made = match planned.await {
                Ok((planned, rate_hz)) => {
                    let progress = |done: usize, of: usize| {
                        status.set(format!("Rendering version {} of {of}", (done + 1).min(of)))
                    };
                    Comparison::prepare(bridge.context().clone(), planned, rate_hz, &progress).await
                }
                Err(e) => Err(e),
            };
            let mut note = String::new();
            match made {
                Ok(mut comparison) => {
                    if let Some(lesson) = lesson.as_deref().filter(|l| recording::has_recording(l))
                    {
                        let fetching = |bytes: f64, _| {
                            status.set(format!(
                                "Fetching the reference recording: {:.1} MB",
                                bytes / 1e6
                            ))
                        };
                        let had = recording::of_lesson(bridge.context(), project, lesson, fetching);
                        let added = match had.await {
                            Ok(Some((name, buffer))) => comparison.add_recording(name, buffer),
                            Ok(None) => Ok(()),
                            Err(why) => Err(why),
                        };
                        if let Err(why) = added {
                            note = format!(" The reference recording is not among them: {why}.");
                        }
                    }
                    compare::set_current(Some(comparison));
                    status.set(format!(
                        "Ready: every version plays at the same loudness (the gain beside it). \
                         Prepare again after a change.{note}"
                    ));
                }
                Err(e) => status.set(e),
            }
            self.busy.set(false);
            self.refresh();
        });
    }

    /// Adds the recording `blob` called `name` (decoded here) to the comparison, which keeps
    /// playing.
    fn add_recording(self, project: Project, name: String, blob: web_sys::Blob) {
        let Some(bridge) = project.mixer().with_bridge(Rc::clone) else {
            return;
        };
        let status = self.status;
        spawn_local(async move {
            status.set(format!("Decoding “{name}”"));
            let decoded = recording::decode(bridge.context(), &blob, &name).await;
            status.set(match add(name.clone(), decoded) {
                Ok(()) => format!("Added the recording “{name}”."),
                Err(e) => format!("The recording was not added: {e}."),
            });
            self.refresh();
        });
    }

    /// Fetches the recording at `url` and adds it to the comparison.
    fn add_url(self, project: Project, url: String) {
        let Some(bridge) = project.mixer().with_bridge(Rc::clone) else {
            return;
        };
        let status = self.status;
        spawn_local(async move {
            let fetching = |bytes: f64, _| {
                status.set(format!("Fetching the recording: {:.1} MB", bytes / 1e6))
            };
            let name = recording::name_of(&url);
            let fetched = recording::fetched(bridge.context(), &url, fetching).await;
            status.set(match add(name.clone(), fetched) {
                Ok(()) => format!("Added the recording “{name}”."),
                Err(e) => format!("The recording was not added: {e}."),
            });
            self.refresh();
        });
    }
}

impl Default for Comparing {
    fn default() -> Self {
        Comparing::new()
    }
}

/// Adds `decoded` to the page's comparison as `name`, playing on where it was.
fn add(name: String, decoded: Result<web_sys::AudioBuffer, String>) -> Result<(), String> {
    let buffer = decoded?;
    let comparison = compare::current().ok_or("prepare the comparison first")?;
    let was = comparison.borrow().stop();
    let added = comparison.borrow_mut().add_recording(name, buffer);
    if let Some(at) = was {
        let _ = comparison.borrow().play(at);
    }
    added
}

/// "Compare" in the lesson panel, for `lesson`.
#[component]
pub fn CompareSection(lesson: Arc<Lesson>) -> impl IntoView {
    let project = expect_context::<Project>();
    let comparing = expect_context::<Comparing>();
    on_cleanup(move || {
        if comparing.origin.get_untracked() == Origin::Lesson {
            compare::set_current(None);
        }
    });
    let prepare = move |_| {
        let lesson = Arc::clone(&lesson);
        let planned = {
            let lesson = Arc::clone(&lesson);
            async move {
                let preparing =
                    |track, of| comparing.say(format!("Preparing track {track} of {of}"));
                let waiting = || comparing.say("Waiting for the mix to finish loading".to_owned());
                let audio = project
                    .mix_audio("compare", &waiting, &preparing, None)
                    .await?;
                let rate_hz = audio.sample_rate_hz;
                Ok((lesson_versions(audio, &lesson), rate_hz))
            }
        };
        comparing.prepare(project, Origin::Lesson, Some(lesson), planned);
    };
    view! {
        <section class="compare" aria-labelledby="compare-title">
            <h3 id="compare-title">"Compare"</h3>
            <div class="compare-row">
                <button on:click=prepare disabled=move || comparing.busy.get()>"Prepare A/B"</button>
            </div>
            <ComparePlayer origin=Origin::Lesson/>
        </section>
    }
}

/// The player of a comparison prepared from `origin`: play/stop, the versions to listen to
/// (each with its matching gain), adding a recording by file or URL, and the status.
#[component]
pub fn ComparePlayer(origin: Origin) -> impl IntoView {
    let project = expect_context::<Project>();
    let comparing = expect_context::<Comparing>();
    let mixer = project.mixer();
    let file = NodeRef::<html::Input>::new();
    let url = NodeRef::<html::Input>::new();
    let mine = move || comparing.origin.get() == origin;
    let shown = move || comparing.shown.get().filter(|s| s.origin == origin);
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
                comparing
                    .status
                    .set(format!("The comparison could not play ({}).", describe(&e)));
            }
        }
        comparing.refresh();
    };
    let hear = move |i: usize| {
        if let Some(comparison) = compare::current() {
            comparison.borrow_mut().hear(i);
        }
        comparing.refresh();
    };
    let picked = move |_| {
        let Some(input) = file.get_untracked() else {
            return;
        };
        let Some(picked) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        comparing.add_recording(project, picked.name(), picked.into());
    };
    let add_url = move |_| {
        let Some(input) = url.get_untracked() else {
            return;
        };
        let text = input.value().trim().to_owned();
        if !text.is_empty() {
            input.set_value("");
            comparing.add_url(project, text);
        }
    };
    let buttons = move || {
        shown().map(|s| {
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
    let playing = move || shown().is_some_and(|s| s.playing);
    view! {
        <Show when=move || shown().is_some()>
            <div class="compare-row">
                <button on:click=toggle>{move || if playing() { "Stop A/B" } else { "Play A/B" }}</button>
                <button on:click=move |_| { if let Some(f) = file.get_untracked() { f.click(); } }>
                    "Add a recording"
                </button>
            </div>
            <div class="compare-row">
                <input node_ref=url type="url" aria-label="Recording URL" placeholder="https://…/mix.ogg"/>
                <button on:click=add_url>"Add from URL"</button>
            </div>
        </Show>
        <div class="compare-row" role="group" aria-label="Listen to">{buttons}</div>
        <input node_ref=file type="file" accept="audio/*" class="visually-hidden" tabindex="-1"
            aria-hidden="true" data-testid=format!("compare-file-{origin:?}").to_lowercase()
            on:change=picked/>
        <p class="compare-status" role="status" aria-live="polite">
            {move || if mine() { comparing.status.get() } else { String::new() }}
        </p>
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
