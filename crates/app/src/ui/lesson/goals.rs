//! The lesson's goals, and after a check each one's verdict: the measured value, the target,
//! passed or not, and the hint.

use std::sync::Arc;

use leptos::prelude::*;
use mixroom_lesson::{GoalResult, Report};
use mixroom_protocol::lesson::Goal;

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
                    {move || result.get().map(|r| view! { <Verdict result=r/> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="goals" aria-label="Goals">{items}</ul> }
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
