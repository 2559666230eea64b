//! The lesson's goals, and after a check each one's verdict: the measured value, the target,
//! passed or not, and the hint. An ear-training goal has a button that plays its round.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_ear::challenge::Challenge;
use mixroom_lesson::{GoalResult, Report};
use mixroom_protocol::lesson::{EarAnswer, Goal, GoalKind};

use crate::ear::EarTraining;
use crate::project::Project;
use crate::ui::ear::EarOpen;
use crate::ui::transport::change;

/// The goals as a list; once `report` has verdicts, each goal shows its own.
#[component]
pub fn GoalList(goals: Vec<Goal>, report: Signal<Option<Arc<Report>>>) -> impl IntoView {
    let items = goals
        .into_iter()
        .map(|goal| {
            let id = goal.id.clone();
            let result = Signal::derive(move || {
                report.with(|r| r.as_ref().and_then(|r| r.goal(&id).cloned()))
            });
            view! {
                <li class="goal" data-goal=goal.id.clone()
                    class:passed=move || result.with(|r| r.as_ref().is_some_and(|r| r.passed))
                    class:failed=move || result.with(|r| r.as_ref().is_some_and(|r| !r.passed))>
                    <span class="goal-text">{goal.text.clone()}</span>
                    {round(&goal)}
                    {move || result.get().map(|r| view! { <Verdict result=r/> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="goals" aria-label="Goals">{items}</ul> }
}

/// For an ear-training goal: "Play the round", which opens ear training on the goal's round,
/// and whether it is answered; a round this version cannot play says why.
fn round(goal: &Goal) -> Option<AnyView> {
    let GoalKind::EarChallenge { challenge, .. } = &goal.kind else {
        return None;
    };
    let challenge = match Challenge::decode(challenge) {
        Ok(challenge) => challenge,
        Err(why) => {
            return Some(view! { <span class="goal-hint">{format!("This round cannot be played: {why}.")}</span> }.into_any())
        }
    };
    let project = expect_context::<Project>();
    let ear = expect_context::<EarTraining>();
    let EarOpen(open) = expect_context::<EarOpen>();
    let id = goal.id.clone();
    let answered = {
        let id = id.clone();
        move || project.answers.with(|a| EarAnswer::find(a, &id).is_some())
    };
    let label = format!("Play the round: {}", goal.text);
    let play = move |_| {
        change(project.mixer(), |t| t.playing = true);
        open.set(true);
        spawn_local(ear.start_lesson_round(id.clone(), challenge.clone()));
    };
    Some(
        view! {
            <button class="small-button" aria-label=label on:click=play>"Play the round"</button>
            <span class="goal-answered">{move || answered().then_some("Answered")}</span>
        }
        .into_any(),
    )
}

/// One goal's verdict.
#[component]
fn Verdict(result: GoalResult) -> impl IntoView {
    let measured = result.measured_text();
    let verdict = if result.passed { "Met" } else { "Not met" };
    let raw = result.measured.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <span class="goal-verdict">{verdict}</span>
        <span class="goal-figures">
            "Measured " <span class="goal-measured" data-value=raw>{measured}</span>
            "; target " {result.target.clone()}
        </span>
        <span class="goal-hint">{result.hint.clone()}</span>
    }
}
