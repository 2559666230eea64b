//! The "Ear training" button and panel: an exercise's Start button, the switch between the
//! changed version and the flat original (also the F key), the answers as buttons named by
//! their answer, and the verdict in text.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_ear::bands::{label, Resolution};
use mixroom_ear::ladder::eq_level;
use mixroom_ear::score::Direction;
use wasm_bindgen::JsCast;

mod progress;

use progress::ProgressSection;

use super::transport::change;
use crate::ear::{EarTraining, Stage};

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

#[component]
fn EarView() -> impl IntoView {
    let ear = expect_context::<EarTraining>();
    let mixer = ear.mixer();
    let band = RwSignal::new(None::<f32>);
    let direction = RwSignal::new(None::<Direction>);
    let start = move |_| {
        band.set(None);
        direction.set(None);
        change(mixer, |t| t.playing = true);
        spawn_local(ear.start_eq());
    };
    install_flat_key(ear);
    on_cleanup(move || ear.end());
    let level = move || {
        let level = eq_level(ear.ladder.get().level());
        let bands = match level.resolution {
            Resolution::Octave => "octave bands",
            Resolution::Third => "third-octave bands",
        };
        format!(
            "Level {} of 5: {bands}, peaks and dips of {} dB.",
            ear.ladder.get().level(),
            level.gain_db
        )
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
    // The answers are built again for a new round only: answering keeps them (and the focus).
    let hidden = Memo::new(move |_| ear.stage.with(Stage::hidden));
    let answered = move || matches!(ear.stage.get(), Stage::Answered(..));
    let next = NodeRef::<leptos::html::Button>::new();
    let round = move || {
        hidden.get().map(|hidden| {
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
                            on:click=move |_| direction.set(Some(way))>
                            {way.label()}
                        </button>
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
                <p>"A peak or a dip is hidden in one band of the mix. Switch to the flat original \
                    and back as often as you like (key F); both play at the same loudness."</p>
                <button class="ear-flat" aria-pressed=move || (!ear.changed.get()).to_string()
                    aria-keyshortcuts="F" on:click=move |_| ear.hear(!ear.changed.get_untracked())>
                    "Flat original"
                </button>
                <div role="group" aria-label="Band" class="ear-choices">{choices}</div>
                <div role="group" aria-label="Boost or cut" class="ear-choices">{ways}</div>
                <div class="lesson-check">
                    <button class="primary" on:click=answer
                        disabled=move || answered() || band.get().is_none() || direction.get().is_none()>
                        "Answer"
                    </button>
                </div>
            }
        })
    };
    let verdict = move || match ear.stage.get() {
        Stage::Idle => String::new(),
        Stage::Preparing => "Preparing the round: measuring the mix's loudness…".to_owned(),
        Stage::Asking(_) => "Which band, and boost or cut?".to_owned(),
        Stage::Answered(_, verdict) => {
            let said = match (band.get_untracked(), direction.get_untracked()) {
                (Some(hz), Some(way)) => format!("{} {}", label(hz), way.label()),
                _ => String::new(),
            };
            let what = if verdict.right {
                format!("Right: {}.", verdict.answer)
            } else {
                format!("It was {}; you said {said}.", verdict.answer)
            };
            format!("{what} {} points.", points(verdict.points))
        }
        Stage::Failed(why) => why,
    };
    let busy = move || ear.stage.with(|s| *s == Stage::Preparing);
    let next_label = move || {
        if ear
            .stage
            .with(|s| matches!(s, Stage::Idle | Stage::Failed(_)))
        {
            "Start"
        } else {
            "Next round"
        }
    };
    view! {
        <aside class="lesson ear" id="ear-training" aria-labelledby="ear-title">
            <div class="lesson-head">
                <h2 id="ear-title">"Ear training"</h2>
            </div>
            <p class="lesson-text">"Train your ears on this mix: the demo song, your own stems, or \
                one track soloed. The spectrum views are hidden during a round."</p>
            <h3>"EQ frequency"</h3>
            <p class="lesson-about">{level}</p>
            <div class="lesson-check">
                <button class="primary" node_ref=next disabled=busy on:click=start
                    aria-label=move || format!("{} EQ frequency", next_label())>
                    {next_label}
                </button>
                <Show when=move || ear.in_round()>
                    <button on:click=move |_| ear.end()>"End"</button>
                </Show>
            </div>
            {round}
            <p class="lesson-status" role="status" aria-live="polite" data-testid="ear-verdict">
                {verdict}
            </p>
            <p class="lesson-live">{tally}</p>
            <ProgressSection/>
        </aside>
    }
}

/// Points as the page writes them: whole numbers bare, else one decimal.
fn points(p: f32) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
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
