//! Teach mode: a lesson made from the mix. The teacher starts from the mix as it is, writes the
//! texts, leaves families of controls free, adds goals from a list (strips and bands chosen,
//! the target typed or taken from the mix's own measured value), sets the mix as it is later
//! as the reference (or a recording's URL), and gets the lesson's link.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_ear::progress::Exercise;
use mixroom_lesson::CHECK_RATE_HZ;
use mixroom_protocol::bundle::Attachment;
use mixroom_protocol::lesson::{Goal, Lesson, Recording, Reference, StripRef};
use mixroom_protocol::session::{FileSource, Session};
use mixroom_protocol::text;
use wasm_bindgen_futures::JsFuture;

use crate::audio::{describe, sha256_hex};
use crate::classroom::check_mix;
use crate::classroom::teach::{self, Choice, Strips, FAMILIES, KINDS};
use crate::ear::EarTraining;
use crate::project::{lesson_url, save_bundle, Notice, Project};
use crate::state::Mixer;
use crate::text::upper_first;
use crate::ui::widgets::Modal;

/// The strips of the mix a goal can name, with what the teacher reads.
fn strip_choices(mixer: Mixer) -> Vec<(String, StripRef)> {
    let session = mixer.snapshot().session;
    let mut list: Vec<(String, StripRef)> = session
        .tracks
        .iter()
        .map(|t| {
            (
                format!("Track {}", text::shown(&t.name)),
                StripRef::Track(t.name.clone()),
            )
        })
        .collect();
    list.extend(session.buses.iter().map(|b| {
        (
            format!("Bus {}", text::shown(&b.name)),
            StripRef::Bus(b.name.clone()),
        )
    }));
    list.extend(session.returns.iter().map(|r| {
        (
            format!("Return {}", text::shown(&r.name)),
            StripRef::Return(r.name.clone()),
        )
    }));
    list
}

fn number(text: &str) -> Option<f64> {
    text.trim()
        .replace('−', "-")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

fn shown(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// The "Teach" button and its dialog.
#[component]
pub fn TeachButton() -> impl IntoView {
    let project = expect_context::<Project>();
    let mixer = project.mixer();
    let modal = Modal::new();
    let title = NodeRef::<html::Input>::new();
    let introduction = NodeRef::<html::Textarea>::new();
    let steps = NodeRef::<html::Textarea>::new();
    let recording = NodeRef::<html::Input>::new();
    let recording_picker = NodeRef::<html::Input>::new();
    // A reference recording file the teacher picked, with its SHA-256.
    let recording_file = StoredValue::new_local(None::<(web_sys::File, String)>);
    let start = RwSignal::new(None::<Session>);
    let reference = RwSignal::new(None::<Session>);
    let free = RwSignal::new(Vec::<usize>::new());
    let goals = RwSignal::new(Vec::<Goal>::new());
    let strips = RwSignal::new(Vec::<(String, StripRef)>::new());
    let choice = RwSignal::new(Choice {
        band: (40.0, 120.0),
        ..Choice::default()
    });
    let tolerance = RwSignal::new(KINDS[0].tolerance);
    let goal_text = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let measuring = RwSignal::new(false);
    let link = RwSignal::new(None::<String>);
    let ear = expect_context::<EarTraining>();
    let round_kind = RwSignal::new(String::new());
    let round_points = RwSignal::new(teach::ROUND_MIN_POINTS);

    let open = move |_| {
        strips.set(strip_choices(mixer));
        if start.with_untracked(Option::is_none) {
            start.set(Some(mixer.snapshot().session));
        }
        modal.open(|| {
            if let Some(t) = title.get_untracked() {
                let _ = t.focus();
            }
        });
    };
    let restart = move |_| {
        start.set(Some(mixer.snapshot().session));
        strips.set(strip_choices(mixer));
        message.set("The lesson now starts from the mix as it is.".to_owned());
    };
    let measure = move |_| {
        if measuring.get_untracked() {
            return;
        }
        let current = choice.get_untracked();
        let kind = match teach::goal_kind(&current, true) {
            Ok(kind) => kind,
            Err(e) => return message.set(format!("To measure, {e}.")),
        };
        let session = mixer.snapshot().session;
        let probe = teach::lesson(
            "measure",
            "",
            "",
            session,
            Vec::new(),
            None,
            vec![Goal {
                id: "measure".to_owned(),
                text: "measure".to_owned(),
                kind,
            }],
        );
        measuring.set(true);
        message.set("Measuring the mix…".to_owned());
        spawn_local(async move {
            let waiting = || message.set("Waiting for the mix to finish loading".to_owned());
            let measured = match project
                .mix_audio(
                    "measure the mix",
                    &waiting,
                    &|_, _| {},
                    Some(CHECK_RATE_HZ as f32),
                )
                .await
            {
                Ok(audio) => check_mix(&probe, audio, Vec::new(), None, &|_| {}).await,
                Err(e) => Err(e),
            };
            measuring.set(false);
            match measured.map(|r| r.goals.first().and_then(|g| g.measured)) {
                Ok(Some(value)) => {
                    let (min, max) = teach::around(&current, value, tolerance.get_untracked());
                    choice.update(|c| {
                        c.min = min;
                        c.max = max;
                    });
                    message.set(format!(
                        "The mix measures {} {}: the target is set around it.",
                        format!("{value:.1}").replace('-', "−"),
                        KINDS[current.kind].unit
                    ));
                }
                Ok(None) => message.set(
                    "This could not be measured on the mix (are the strips silent?).".to_owned(),
                ),
                Err(e) => message.set(e),
            }
        });
    };
    let add_goal = move |_| {
        let current = choice.get_untracked();
        match teach::goal_kind(&current, false) {
            Ok(kind) => {
                let text = goal_text.get_untracked();
                let text = if text.trim().is_empty() {
                    teach::sentence(&current)
                } else {
                    text.trim().to_owned()
                };
                goals.update(|g| {
                    let n = g.len() + 1;
                    g.push(Goal {
                        id: teach::goal_id(&KINDS[current.kind], n),
                        text,
                        kind,
                    })
                });
                goal_text.set(String::new());
                message.set("Goal added.".to_owned());
            }
            Err(e) => message.set(format!("The goal was not added: {e}.")),
        }
    };
    let add_round = move |_| {
        let exercise =
            round_kind.with_untracked(|k| Exercise::ALL.into_iter().find(|e| e.name() == k));
        let tracks = start.with_untracked(|s| s.as_ref().map_or(0, |s| s.tracks.len()));
        match ear.make_challenge(exercise) {
            Ok(challenge) if challenge.track.is_some_and(|t| t >= tracks) => message.set(
                "No round was added: it changes a track the lesson's start does not have (start                  from the mix as it is now)."
                    .to_owned(),
            ),
            Ok(challenge) => {
                let points = round_points.get_untracked();
                goals.update(|g| g.push(teach::round_goal(&challenge, points, g.len() + 1)));
                message.set(format!(
                    "Ear-training round added: {}, drawn at your level in it.",
                    challenge.exercise.name()
                ));
            }
            Err(why) => message.set(format!("No round was added: {why}.")),
        }
    };
    let set_reference = move |_| {
        reference.set(Some(mixer.snapshot().session));
        message.set("The mix as it is now is the lesson's reference.".to_owned());
    };
    let pick_recording = move |_| {
        let Some(picked) = recording_picker
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        spawn_local(async move {
            let name = picked.name();
            let sha = async {
                let bytes = JsFuture::from(picked.array_buffer()).await?;
                sha256_hex(&bytes.into()).await
            };
            match sha.await {
                Ok(sha) => {
                    recording_file.set_value(Some((picked, sha)));
                    message.set(format!(
                        "The recording “{name}” is the lesson's reference (unless the mix is)."
                    ));
                }
                Err(e) => message.set(format!("“{name}” cannot be read ({}).", describe(&e))),
            }
        });
    };
    // Keeps the picked recording in this browser's storage, where the project saved from the
    // lesson finds it by its SHA-256 (housekeeping forgets it once no kept mix's lesson names
    // it).
    let keep_recording = move || async move {
        let Some((file, sha)) = recording_file.get_value() else {
            return Ok(());
        };
        let store = project
            .store()
            .ok_or("this browser keeps no files for the page")?;
        store
            .put_audio(&sha, &file)
            .await
            .map_err(|e| format!("the recording could not be kept ({e})"))
    };
    let make = move || -> Result<Lesson, String> {
        let value =
            |n: NodeRef<html::Input>| n.get_untracked().map(|e| e.value()).unwrap_or_default();
        let area =
            |n: NodeRef<html::Textarea>| n.get_untracked().map(|e| e.value()).unwrap_or_default();
        let name = value(title);
        if name.trim().is_empty() {
            return Err("give the lesson a title".to_owned());
        }
        let url = value(recording);
        let picked = recording_file.with_value(|r| {
            r.as_ref().map(|(file, sha)| FileSource {
                path: file.name(),
                sha256: Some(sha.clone()),
            })
        });
        let reference = match (reference.get_untracked(), picked) {
            (Some(mix), _) => Some(Reference::Mix(mix)),
            (None, Some(file)) => Some(Reference::Recording(Recording::File(file))),
            (None, None) if !url.trim().is_empty() => {
                Some(Reference::Recording(Recording::Url(url.trim().to_owned())))
            }
            (None, None) => None,
        };
        let lesson = teach::lesson(
            &name,
            &area(introduction),
            &area(steps),
            start
                .get_untracked()
                .unwrap_or_else(|| mixer.snapshot().session),
            teach::locks(&free.get_untracked()),
            reference,
            goals.get_untracked(),
        );
        let incoming = lesson.incoming().map_err(|e| e.to_string())?;
        match incoming.refused.first() {
            Some(refusal) => Err(refusal.to_string()),
            None => Ok(incoming.lesson),
        }
    };
    let share = move |_| match make().and_then(|lesson| lesson_url(&lesson)) {
        Ok(mut made) => {
            link.set(Some(made.url));
            if let Some((file, _)) = recording_file.get_value() {
                made.local_files.push(file.name());
            }
            message.set(if made.local_files.is_empty() {
                "Send this link to the class.".to_owned()
            } else {
                format!(
                    "The link does not hold the files the lesson plays ({}): it asks each \
                     student to drop them. “Save lesson as a project” makes one file with \
                     the audio.",
                    made.local_files.join(", ")
                )
            });
        }
        Err(e) => message.set(format!("The lesson is not ready: {e}.")),
    };
    let save = move |_| match make() {
        Ok(lesson) => {
            link.set(None);
            spawn_local(async move {
                if let Err(e) = keep_recording().await {
                    return message.set(format!("The lesson could not be saved: {e}."));
                }
                message.set(
                    match save_bundle(project, Some(Attachment::Lesson(lesson))).await {
                        Ok(file) => format!(
                            "Saved “{file}”: send this file to the class. It opens the lesson \
                             with its audio."
                        ),
                        Err(e) => format!("The lesson could not be saved: {e}."),
                    },
                );
            });
        }
        Err(e) => message.set(format!("The lesson is not ready: {e}.")),
    };
    let try_it = move |_| match make() {
        Ok(lesson) => {
            modal.close();
            spawn_local(async move {
                // The mix that names the recording is kept first (`Project::keep_recording`).
                if !project.open_lesson(lesson, Vec::new(), None).await {
                    return;
                }
                let Some((file, sha)) = recording_file.get_value() else {
                    return;
                };
                if let Err(e) = project.keep_recording(&sha, &file).await {
                    project.notify(Notice::error("lesson", format!("{}.", upper_first(&e))));
                }
            });
        }
        Err(e) => message.set(format!("The lesson is not ready: {e}.")),
    };

    let families = FAMILIES
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            view! {
                <label class="teach-check">
                    <input type="checkbox" on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        free.update(|f| { f.retain(|&x| x != i); if on { f.push(i); } });
                    }/>
                    {*name}
                </label>
            }
        })
        .collect_view();
    let kind_options = KINDS
        .iter()
        .enumerate()
        .map(|(i, k)| view! { <option value=i.to_string()>{k.name}</option> })
        .collect_view();
    let strip_select = move |second: bool| {
        let label = if second { "Second strip" } else { "Strip" };
        view! {
            <label class="teach-field"><span>{label}</span>
            <select aria-label=label on:change=move |ev| {
                let i: Option<usize> = event_target_value(&ev).parse().ok();
                let s = i.and_then(|i| strips.with_untracked(|l| l.get(i).map(|(_, s)| s.clone())));
                choice.update(|c| if second { c.b = s } else { c.a = s });
            }>
                <option value="">"Choose…"</option>
                {move || strips.get().into_iter().enumerate().map(|(i, (name, _))| {
                    view! { <option value=i.to_string()>{name}</option> }
                }).collect_view()}
            </select>
            </label>
        }
    };
    let kind_of = move || KINDS[choice.with(|c| c.kind)];
    let goal_list = move || {
        goals
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, g)| {
                let label = format!("Remove goal {}", i + 1);
                view! {
                    <li>{g.text.clone()} " "
                        <button class="small-button" aria-label=label
                            on:click=move |_| goals.update(|l| { if i < l.len() { l.remove(i); } })>"Remove"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let bound = move |max: bool| {
        let label = if max {
            "Highest that passes"
        } else {
            "Lowest that passes"
        };
        view! {
            <label class="teach-field">
                <span>{label}</span>
                <input type="text" inputmode="decimal"
                    prop:value=move || shown(choice.with(|c| if max { c.max } else { c.min }))
                    disabled=move || { let k = kind_of(); if max { k.max.is_none() } else { k.min.is_none() } }
                    on:change=move |ev| {
                        let v = number(&event_target_value(&ev));
                        choice.update(|c| if max { c.max = v } else { c.min = v });
                    }/>
            </label>
        }
    };
    view! {
        <button node_ref=modal.opener class="project" aria-haspopup="dialog"
            title="Make a lesson from this mix" on:click=open>"Teach"</button>
        <dialog node_ref=modal.dialog class="modal lessons-dialog teach-dialog" aria-modal="true"
            aria-labelledby="teach-title" on:close=move |_| modal.return_focus()>
            <div class="export-head">
                <h2 id="teach-title">"Teach: a lesson from this mix"</h2>
                <button class="export-close" aria-label="Close" on:click=move |_| modal.close()>"✕"</button>
            </div>
            <p class="export-note">
                "The lesson starts from the mix as it was when this dialog first opened. Mix your \
                 solution, then set it as the reference."
                " "<button class="small-button" on:click=restart>"Start from the mix as it is now"</button>
            </p>
            <label class="teach-field wide"><span>"Title"</span>
                <input node_ref=title type="text" maxlength="100"/></label>
            <label class="teach-field wide"><span>"Introduction"</span>
                <textarea node_ref=introduction rows="3"></textarea></label>
            <label class="teach-field wide"><span>"Steps, one a line"</span>
                <textarea node_ref=steps rows="4"></textarea></label>
            <fieldset class="teach-families">
                <legend>"The student may change only (none ticked: everything)"</legend>
                {families}
            </fieldset>
            <h3>"Goals"</h3>
            <ol class="teach-goals" aria-label="Lesson goals">{goal_list}</ol>
            <div class="teach-goal">
                <label class="teach-field"><span>"Kind"</span>
                    <select aria-label="Kind of goal" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                            choice.update(|c| { c.kind = i; c.min = None; c.max = None; });
                            tolerance.set(KINDS[i].tolerance);
                        }
                    }>{kind_options}</select>
                </label>
                <Show when=move || kind_of().strips != Strips::None>{strip_select(false)}</Show>
                <Show when=move || kind_of().strips == Strips::Two>{strip_select(true)}</Show>
                <Show when=move || kind_of().band>
                    <label class="teach-field"><span>"Band from, Hz"</span>
                        <input type="text" inputmode="decimal" prop:value=move || format!("{:.0}", choice.with(|c| c.band.0))
                            on:change=move |ev| if let Some(v) = number(&event_target_value(&ev)) { choice.update(|c| c.band.0 = v) }/></label>
                    <label class="teach-field"><span>"to, Hz"</span>
                        <input type="text" inputmode="decimal" prop:value=move || format!("{:.0}", choice.with(|c| c.band.1))
                            on:change=move |ev| if let Some(v) = number(&event_target_value(&ev)) { choice.update(|c| c.band.1 = v) }/></label>
                </Show>
                {bound(false)}
                {bound(true)}
                <label class="teach-field"><span>"Tolerance"</span>
                    <input type="text" inputmode="decimal" prop:value=move || format!("{:.1}", tolerance.get())
                        on:change=move |ev| if let Some(v) = number(&event_target_value(&ev)) { tolerance.set(v.abs()) }/></label>
                <button on:click=measure disabled=move || measuring.get()>"Use my mix's value"</button>
                <label class="teach-field wide"><span>"Sentence for the student (optional)"</span>
                    <input type="text" maxlength="300" prop:value=move || goal_text.get()
                        on:input=move |ev| goal_text.set(event_target_value(&ev))/></label>
                <button on:click=add_goal>"Add goal"</button>
            </div>
            <div class="teach-goal">
                <label class="teach-field"><span>"Ear-training round"</span>
                    <select aria-label="Ear-training round"
                        on:change=move |ev| round_kind.set(event_target_value(&ev))>
                        <option value="">"any"</option>
                        {Exercise::ALL.into_iter().map(|e| view! { <option value=e.name()>{e.name()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="teach-field"><span>"Points to pass"</span>
                    <input type="text" inputmode="decimal" prop:value=move || round_points.get().to_string()
                        on:change=move |ev| if let Some(v) = number(&event_target_value(&ev)) { round_points.set(v.clamp(0.0, 10.0)) }/></label>
                <button on:click=add_round>"Add an ear-training round"</button>
            </div>
            <h3>"Reference"</h3>
            <div class="export-actions">
                <button on:click=set_reference>"Use the mix as it is now as the reference"</button>
            </div>
            <label class="teach-field wide"><span>"Or a reference recording's URL"</span>
                <input node_ref=recording type="url"/></label>
            <label class="teach-field wide"><span>"Or a reference recording file"</span>
                <input node_ref=recording_picker type="file" accept="audio/*"
                    on:change=pick_recording/></label>
            <div class="export-actions teach-actions">
                <button class="primary" on:click=share>"Share lesson"</button>
                <button on:click=save>"Save lesson as a project"</button>
                <button on:click=try_it>"Open it here as a student"</button>
            </div>
            {move || link.get().map(|url| view! {
                <input class="share-link" type="text" readonly aria-label="Lesson link" prop:value=url/>
            })}
            <p class="export-note" role="status" aria-live="polite">{move || message.get()}</p>
        </dialog>
    }
}
