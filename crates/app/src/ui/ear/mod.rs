//! The "Ear training" button and panel: a Start button per exercise, the switch between the
//! changed version and the flat original (also the F key), the answers as buttons named by
//! their answer (or, for a correction, the master's EQ and "Check my correction"), and the
//! verdict in text.

mod challenge;
mod progress;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_ear::bands::Resolution;
use mixroom_ear::ladder::{eq_level, gain_step_db, MAX_LEVEL};
use mixroom_ear::progress::Exercise;
use mixroom_ear::score::Direction;
use mixroom_ear::track::choices;
use mixroom_protocol::strips::StripIndex;
use wasm_bindgen::JsCast;

use challenge::ChallengeSection;
use progress::ProgressSection;

use super::transport::change;
use super::Panel;
use crate::ear::track_round::TrackHidden;
use crate::ear::{points, EarTraining, Hidden, Round, Stage};

/// Whether the ear-training panel is open (a context).
#[derive(Clone, Copy)]
pub struct EarOpen(pub RwSignal<bool>);

/// The top-bar button that opens and closes the panel.
#[component]
pub fn EarButton() -> impl IntoView {
    let EarOpen(open) = expect_context::<EarOpen>();
    let ear = expect_context::<EarTraining>();
    let toggle = move |_| {
        if open.get_untracked() {
            ear.end();
        }
        open.update(|o| *o = !*o);
    };
    view! {
        <button aria-expanded=move || open.get().to_string() aria-controls="ear-training"
            on:click=toggle>"Ear training"</button>
    }
}

/// The panel beside the mixer, while open.
#[component]
pub fn EarPanel() -> impl IntoView {
    let EarOpen(open) = expect_context::<EarOpen>();
    move || open.get().then(|| view! { <EarView/> })
}

/// What an exercise asks, under its name.
fn about(exercise: Exercise) -> &'static str {
    match exercise {
        Exercise::EqFrequency => {
            "A peak or dip is hidden in one band: name the band, and boost or cut."
        }
        Exercise::EqCorrection => {
            "A peak or dip is hidden before the master's EQ: undo it with that EQ."
        }
        Exercise::Gain => "One track's fader is moved: name the track, and by how much.",
        Exercise::Pan => "A track is moved in the stereo field: say where it sits.",
        Exercise::Compression => {
            "A track may be compressed, its loudness kept: none, light or heavy?"
        }
        Exercise::Space => "A track is sent to the reverb: how much?",
    }
}

/// What the level of `exercise` means.
fn level_text(exercise: Exercise, level: u8) -> String {
    let what = match exercise {
        Exercise::EqFrequency | Exercise::EqCorrection => {
            let eq = eq_level(level);
            let bands = match eq.resolution {
                Resolution::Octave => "octave bands",
                Resolution::Third => "third-octave bands",
            };
            format!("{bands}, peaks and dips of {} dB", eq.gain_db)
        }
        Exercise::Gain => format!("steps of {} dB", gain_step_db(level)),
        Exercise::Pan | Exercise::Space => {
            format!(
                "{} answers",
                choices(exercise, level).map_or(0, |c| c.len())
            )
        }
        Exercise::Compression => "none, light or heavy".to_owned(),
    };
    format!("Level {level} of {MAX_LEVEL}: {what}.")
}

/// What the page asks during a round of `round`.
fn question(round: &Round) -> String {
    let Round::Track(t) = round else {
        return match round {
            Round::Correction(_) => "Undo the change with the master's EQ, then check.".to_owned(),
            _ => "Which band, and boost or cut?".to_owned(),
        };
    };
    let name = &t.tracks[t.round.track].1;
    match t.round.exercise {
        Exercise::Gain => "Which track changed, and by how much?".to_owned(),
        Exercise::Pan => format!("Where does “{name}” sit?"),
        Exercise::Compression => format!("How much compression is on “{name}”?"),
        _ => format!("How much reverb is “{name}” sent?"),
    }
}

#[component]
fn EarView() -> impl IntoView {
    let ear = expect_context::<EarTraining>();
    let panel = expect_context::<RwSignal<Panel>>();
    let mixer = ear.mixer();
    let band = RwSignal::new(None::<f32>);
    let direction = RwSignal::new(None::<Direction>);
    let picked = Picked {
        track: RwSignal::new(None),
        value: RwSignal::new(None),
    };
    let next = NodeRef::<leptos::html::Button>::new();
    let start = move |exercise: Exercise| {
        band.set(None);
        direction.set(None);
        picked.track.set(None);
        picked.value.set(None);
        change(mixer, |t| t.playing = true);
        spawn_local(ear.start(exercise));
    };
    // A correction round (started here, from a challenge link or from a lesson) is undone
    // with the master's EQ: it is shown as the round asks.
    Effect::new(move |_| {
        if ear
            .stage
            .with(|s| matches!(s, Stage::Asking(Round::Correction(_))))
        {
            mixer.selected.set(StripIndex::MASTER);
            panel.set(Panel::Eq);
        }
    });
    install_flat_key(ear);
    on_cleanup(move || ear.end());
    let busy = move || ear.stage.with(Stage::busy);
    let exercises = Exercise::ALL
        .into_iter()
        .map(|exercise| {
            let level = move || level_text(exercise, ear.level(exercise));
            view! {
                <h3>{exercise.name()}</h3>
                <p class="lesson-about">{about(exercise)} " " {level}</p>
                <button disabled=busy on:click=move |_| start(exercise)>
                    {format!("Start {}", exercise.name())}
                </button>
            }
        })
        .collect_view();
    // The round's controls are built again for a new round only: answering keeps them (and the
    // focus).
    let round = Memo::new(move |_| ear.stage.with(|s| s.round().cloned()));
    let answered = move || matches!(ear.stage.get(), Stage::Answered(..));
    // A new round and its question come into view: the panel lists every exercise above.
    let round_box = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if round.with(Option::is_some) {
            if let Some(el) = round_box.get_untracked() {
                el.scroll_into_view_with_bool(false);
            }
        }
    });
    let round_view = move || {
        round.get().map(|round| {
            let exercise = round.exercise();
            let controls = match &round {
                Round::Frequency(hidden) => {
                    frequency_answers(ear, *hidden, band, direction, answered, next).into_any()
                }
                Round::Track(t) => track_answers(ear, t, picked, answered, next).into_any(),
                Round::Correction(_) => view! {
                    <p>"Undo it with the Master strip's EQ in the panel below, by ear. \
                        “Flat original” plays the mix as it was, the master's EQ too."</p>
                    <div class="lesson-check">
                        <button class="primary" disabled=move || answered() || busy()
                            on:click=move |_| spawn_local(ear.check_correction())>
                            "Check my correction"
                        </button>
                    </div>
                }
                .into_any(),
            };
            view! {
                <h3>{move || {
                    let from = if ear.lesson_goal.with(Option::is_some) {
                        " (the lesson's)"
                    } else if ear.challenge.with(Option::is_some) {
                        " (a challenge from a link)"
                    } else {
                        ""
                    };
                    format!("Round: {}{from}", exercise.name())
                }}</h3>
                <button class="ear-flat" aria-pressed=move || (!ear.changed.get()).to_string()
                    aria-keyshortcuts="F" on:click=move |_| ear.hear(!ear.changed.get_untracked())>
                    "Flat original"
                </button>
                <p class="lesson-about">"Switch to the flat original and back as often as you \
                    like (key F); both play at the same loudness."</p>
                {controls}
                <div class="lesson-check">
                    <button node_ref=next disabled=busy on:click=move |_| start(exercise)>
                        "Next round"
                    </button>
                    <button on:click=move |_| ear.end()>"End"</button>
                </div>
            }
        })
    };
    let verdict = move || match ear.stage.get() {
        Stage::Idle => String::new(),
        Stage::Preparing => "Preparing the round: measuring the mix…".to_owned(),
        Stage::Asking(round) => question(&round),
        Stage::Measuring(_) => "Measuring your correction…".to_owned(),
        Stage::Answered(_, verdict) => verdict.text,
        Stage::Failed(why) => why,
    };
    let tally = move || {
        let t = ear.tally.get();
        (t.rounds > 0).then(|| {
            format!(
                "This sitting: {} of {} points in {} rounds ({} right).",
                points(t.points),
                points(t.possible()),
                t.rounds,
                t.right
            )
        })
    };
    view! {
        <aside class="lesson ear" id="ear-training" aria-labelledby="ear-title">
            <div class="lesson-head">
                <h2 id="ear-title">"Ear training"</h2>
            </div>
            <p class="lesson-text">"Train your ears on this mix: the demo song, your own stems, or \
                one track soloed. The spectrum views and the strips' meters are hidden during a round."</p>
            {exercises}
            <div node_ref=round_box>
                {round_view}
                <p class="lesson-status" role="status" aria-live="polite" data-testid="ear-verdict">
                    {verdict}
                </p>
            </div>
            <p class="lesson-live">{tally}</p>
            <ChallengeSection/>
            <ProgressSection/>
        </aside>
    }
}

/// An EQ frequency round's answers: the bands, boost or cut, and "Answer" (which then moves the
/// focus to `next`).
fn frequency_answers(
    ear: EarTraining,
    hidden: Hidden,
    band: RwSignal<Option<f32>>,
    direction: RwSignal<Option<Direction>>,
    answered: impl Fn() -> bool + Copy + Send + Sync + 'static,
    next: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    let choices = hidden
        .round
        .choices()
        .into_iter()
        .map(|(hz, name)| {
            let pressed = move || (band.get() == Some(hz)).to_string();
            view! {
                <button aria-pressed=pressed disabled=answered
                    on:click=move |_| band.set(Some(hz))>{name}</button>
            }
        })
        .collect_view();
    let ways = [Direction::Boost, Direction::Cut]
        .into_iter()
        .map(|way| {
            let pressed = move || (direction.get() == Some(way)).to_string();
            view! {
                <button aria-pressed=pressed disabled=answered
                    on:click=move |_| direction.set(Some(way))>{way.label()}</button>
            }
        })
        .collect_view();
    let answer = move |_| {
        if let (Some(hz), Some(way)) = (band.get_untracked(), direction.get_untracked()) {
            ear.answer(hz, way);
            if let Some(next) = next.get_untracked() {
                let _ = next.focus();
            }
        }
    };
    view! {
        <div role="group" aria-label="Band" class="ear-choices">{choices}</div>
        <div role="group" aria-label="Boost or cut" class="ear-choices">{ways}</div>
        <div class="lesson-check">
            <button class="primary" on:click=answer
                disabled=move || answered() || band.get().is_none() || direction.get().is_none()>
                "Answer"
            </button>
        </div>
    }
}

/// The answers picked in a track round.
#[derive(Clone, Copy)]
struct Picked {
    /// The track named (gain), by its position among those offered.
    track: RwSignal<Option<usize>>,
    /// The answer.
    value: RwSignal<Option<f32>>,
}

/// A track round's answers: the tracks (gain only), the answers, and "Answer" (which then
/// moves the focus to `next`).
fn track_answers(
    ear: EarTraining,
    hidden: &TrackHidden,
    picked: Picked,
    answered: impl Fn() -> bool + Copy + Send + Sync + 'static,
    next: NodeRef<leptos::html::Button>,
) -> impl IntoView {
    let gain = hidden.round.exercise == Exercise::Gain;
    let tracks = gain.then(|| {
        let buttons = hidden
            .tracks
            .iter()
            .enumerate()
            .map(|(i, (_, name))| {
                let pressed = move || (picked.track.get() == Some(i)).to_string();
                view! {
                    <button aria-pressed=pressed disabled=answered
                        on:click=move |_| picked.track.set(Some(i))>{name.clone()}</button>
                }
            })
            .collect_view();
        view! { <div role="group" aria-label="Track" class="ear-choices">{buttons}</div> }
    });
    let choices = hidden
        .round
        .choices
        .iter()
        .map(|(value, label)| {
            let value = *value;
            let pressed = move || (picked.value.get() == Some(value)).to_string();
            view! {
                <button aria-pressed=pressed disabled=answered
                    on:click=move |_| picked.value.set(Some(value))>{label.clone()}</button>
            }
        })
        .collect_view();
    let group = match hidden.round.exercise {
        Exercise::Gain => "Change",
        Exercise::Pan => "Position",
        Exercise::Compression => "Compression",
        _ => "Reverb",
    };
    let ready = move || picked.value.get().is_some() && (!gain || picked.track.get().is_some());
    let answer = move |_| {
        if let Some(value) = picked.value.get_untracked() {
            ear.answer_track(picked.track.get_untracked().unwrap_or(0), value);
            if let Some(next) = next.get_untracked() {
                let _ = next.focus();
            }
        }
    };
    view! {
        {tracks}
        <div role="group" aria-label=group class="ear-choices">{choices}</div>
        <div class="lesson-check">
            <button class="primary" on:click=answer disabled=move || answered() || !ready()>
                "Answer"
            </button>
        </div>
    }
}

/// The F key switches between the changed version and the flat original while a round plays
/// (not while typing, nor with a modifier).
fn install_flat_key(ear: EarTraining) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| {
                matches!(
                    t.tag_name().to_lowercase().as_str(),
                    "input" | "textarea" | "select"
                )
            });
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || !ear.in_round_untracked() {
            return;
        }
        if matches!(ev.key().as_str(), "f" | "F") {
            ear.hear(!ear.changed.get_untracked());
            ev.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}
