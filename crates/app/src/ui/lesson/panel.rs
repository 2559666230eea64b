//! The lesson panel beside the mixer: the lesson's texts, what the student may change, the
//! goals with "Check my mix" and its verdicts, live loudness, and the hand-in.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_lesson::{Progress, Report, CHECK_RATE_HZ};
use mixroom_protocol::lesson::{violations, Lesson};
use mixroom_protocol::params::PARAMS;

use super::compare::CompareSection;
use super::goals::GoalList;
use super::hand_in::HandInForm;
use super::live::LiveFigures;
use crate::classroom::{check_mix, problem, reference_recording};
use crate::project::Project;

/// Where a check of the mix is.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckState {
    /// Not checked since the lesson opened.
    NotYet,
    /// Waiting for the mix to finish loading.
    Loading,
    /// Preparing the tracks' audio: track `track` of `of`.
    Preparing {
        /// The track, 1-based.
        track: usize,
        /// How many.
        of: usize,
    },
    /// Fetching the reference recording: how far.
    Fetching(String),
    /// Rendering and measuring.
    Measuring(Progress),
    /// Done: the verdicts, and why a goal could not be measured, if one could not.
    Done(Arc<Report>, Option<String>),
    /// The check could not run; the sentence says why.
    Failed(String),
}

impl CheckState {
    fn busy(&self) -> bool {
        matches!(
            self,
            CheckState::Loading
                | CheckState::Preparing { .. }
                | CheckState::Fetching(_)
                | CheckState::Measuring(_)
        )
    }
}

/// The lesson panel, when the tab's mix answers a lesson.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let project = expect_context::<Project>();
    move || {
        project
            .lesson
            .get()
            .map(|lesson| view! { <LessonView lesson=lesson/> })
    }
}

#[component]
fn LessonView(lesson: Arc<Lesson>) -> impl IntoView {
    let project = expect_context::<Project>();
    let mixer = project.mixer();
    let state = RwSignal::new(CheckState::NotYet);
    let check = {
        let lesson = Arc::clone(&lesson);
        move |_| {
            if state.with_untracked(CheckState::busy) {
                return;
            }
            let lesson = Arc::clone(&lesson);
            if let Some(why) = problem(&lesson, &mixer.snapshot().session) {
                state.set(CheckState::Failed(why));
                return;
            }
            state.set(CheckState::Preparing { track: 1, of: 1 });
            spawn_local(async move {
                let preparing = |track, of| state.set(CheckState::Preparing { track, of });
                let waiting = || state.set(CheckState::Loading);
                let audio = match project
                    .mix_audio(
                        "check the mix",
                        &waiting,
                        &preparing,
                        Some(CHECK_RATE_HZ as f32),
                    )
                    .await
                {
                    Ok(audio) => audio,
                    Err(e) => return state.set(CheckState::Failed(e)),
                };
                let fetching = |text| state.set(CheckState::Fetching(text));
                let had = reference_recording(project, &lesson, &audio.session, &fetching);
                let (recording, note) = match had.await {
                    Ok(recording) => (recording, None),
                    Err(why) => (None, Some(why)),
                };
                let measuring = |p| state.set(CheckState::Measuring(p));
                // Grading compares the mix with the lesson's start too: say what it would flag.
                let broken: Vec<String> = violations(&lesson, &audio.session)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let note = if broken.is_empty() {
                    note
                } else {
                    let rule = format!(
                        "A hand-in of this mix does not pass, whatever it sounds like: {}.",
                        broken.join("; ")
                    );
                    Some(note.map_or(rule.clone(), |note| format!("{note} {rule}")))
                };
                state.set(
                    match check_mix(
                        &lesson,
                        audio,
                        project.answers.get_untracked(),
                        recording,
                        &measuring,
                    )
                    .await
                    {
                        Ok(report) => CheckState::Done(Arc::new(report), note),
                        Err(e) => CheckState::Failed(e),
                    },
                );
            });
        }
    };
    let status = move || match state.get() {
        CheckState::NotYet => String::new(),
        CheckState::Loading => "Waiting for the mix to finish loading".to_owned(),
        CheckState::Preparing { track, of } => format!("Preparing track {track} of {of}"),
        CheckState::Fetching(text) => text,
        CheckState::Measuring(p) => format!(
            "Rendering and measuring: {}%",
            (p.done_frames as u64 * 100 / p.total_frames.max(1) as u64).min(100)
        ),
        CheckState::Done(report, note) => {
            let passed = report.goals.iter().filter(|g| g.passed).count();
            let total = report.goals.len();
            let verdict = if report.passed() {
                format!("Every goal is met ({passed} of {total}).")
            } else {
                format!("{passed} of {total} goals met.")
            };
            match note {
                Some(note) => format!("{verdict} {note}"),
                None => verdict,
            }
        }
        CheckState::Failed(e) => e,
    };
    let progress = move || match state.get() {
        CheckState::Measuring(p) => Some((p.done_frames as f64, p.total_frames.max(1) as f64)),
        CheckState::Loading | CheckState::Preparing { .. } | CheckState::Fetching(_) => {
            Some((0.0, 1.0))
        }
        _ => None,
    };
    let report = Signal::derive(move || match state.get() {
        CheckState::Done(report, _) => Some(report),
        _ => None,
    });
    let steps = lesson
        .steps
        .iter()
        .map(|step| view! { <li>{step.clone()}</li> })
        .collect_view();
    let allowed = allowed_names(&lesson);
    let close = move |_| project.close_lesson();
    view! {
        <aside class="lesson" aria-labelledby="lesson-title" data-testid="lesson-panel">
            <div class="lesson-head">
                <h2 id="lesson-title">{lesson.title.clone()}</h2>
                <button class="small-button" on:click=close
                    title="Keep the mix, without the lesson">"Close lesson"</button>
            </div>
            <p class="lesson-text">{lesson.introduction.clone()}</p>
            <Show when={
                let empty = lesson.steps.is_empty();
                move || !empty
            }>
                <h3>"Steps"</h3>
            </Show>
            <ol class="lesson-steps">{steps}</ol>
            {allowed.map(|names| view! {
                <p class="lesson-locks">"In this lesson you change only: " {names} "."</p>
            })}
            <h3>"Goals"</h3>
            <GoalList goals=lesson.goals.clone() report=report/>
            <div class="lesson-check">
                <button class="primary" disabled=move || state.with(CheckState::busy)
                    on:click=check>"Check my mix"</button>
                {move || progress().map(|(value, max)| view! {
                    <progress aria-label="Checking the mix" value=value max=max></progress>
                })}
            </div>
            <p class="lesson-status" role="status" aria-live="polite" data-testid="check-status">
                {status}
            </p>
            <LiveFigures/>
            <CompareSection lesson=Arc::clone(&lesson)/>
            <HandInForm/>
        </aside>
    }
}

/// The names of the parameters the lesson lets the student change ("Fader, Pan"), when it
/// limits them.
fn allowed_names(lesson: &Lesson) -> Option<String> {
    let keys = lesson.locks.as_ref().filter(|k| !k.is_empty())?;
    let names: Vec<&str> = PARAMS
        .iter()
        .filter(|spec| keys.iter().any(|k| k == spec.key))
        .map(|spec| spec.name)
        .collect();
    Some(if names.is_empty() {
        "nothing (the lesson names no setting this version has)".to_owned()
    } else {
        names.join(", ")
    })
}
