//! The student's progress in the ear-training panel: rounds and accuracy per exercise, the
//! accuracy over time as a plot, which EQ bands are confused with which as a table, and a
//! reset that asks first.

use leptos::prelude::*;
use mixroom_ear::bands::{label, OCTAVES_HZ};
use mixroom_ear::progress::{Exercise, Progress, ROUNDS_PER_POINT};
use mixroom_ear::score::FULL_POINTS;

use crate::ear::EarTraining;
use crate::ui::widgets::ConfirmButton;

/// The plot's size in its own units.
const PLOT_W: f32 = 240.0;
const PLOT_H: f32 = 60.0;

/// Progress kept in this browser.
#[component]
pub fn ProgressSection() -> impl IntoView {
    let ear = expect_context::<EarTraining>();
    let progress = ear.progress;
    let summaries = move || {
        progress.with(|p| {
            Exercise::ALL
                .iter()
                .map(|&exercise| {
                    let points: Vec<f32> = p.of(exercise).map(|r| r.points).collect();
                    let text = if points.is_empty() {
                        format!("{}: no rounds yet.", exercise.name())
                    } else {
                        let share =
                            points.iter().sum::<f32>() / (points.len() as f32 * FULL_POINTS);
                        format!(
                            "{}: {} rounds, {:.0}% of the points.",
                            exercise.name(),
                            points.len(),
                            share * 100.0
                        )
                    };
                    view! { <li>{text}</li> }
                })
                .collect_view()
        })
    };
    let reset = Callback::new(move |()| ear.reset_progress());
    view! {
        <h3>"Progress"</h3>
        <ul class="ear-summary">{summaries}</ul>
        {move || progress.with(|p| {
            Exercise::ALL.map(|exercise| accuracy_plot(p, exercise)).into_iter().collect_view()
        })}
        {move || progress.with(confusion_table)}
        <p class="lesson-status" role="status">{move || ear.kept_problem.get()}</p>
        <Show when=move || progress.with(|p| !p.results.is_empty())>
            <ConfirmButton text="Reset progress"
                question="Delete every ear-training result kept in this browser?"
                act="Delete my results" on_confirm=reset/>
        </Show>
    }
}

/// The share of points per group of rounds as a line, with the figures in its name.
fn accuracy_plot(progress: &Progress, exercise: Exercise) -> Option<impl IntoView> {
    let accuracy = progress.accuracy(exercise);
    if accuracy.len() < 2 {
        return None;
    }
    let step = PLOT_W / (accuracy.len() - 1) as f32;
    let points: Vec<String> = accuracy
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{:.1},{:.1}", i as f32 * step, PLOT_H * (1.0 - a)))
        .collect();
    let figures: Vec<String> = accuracy
        .iter()
        .map(|a| format!("{:.0}%", a * 100.0))
        .collect();
    let name = format!(
        "{} accuracy over time, every {ROUNDS_PER_POINT} rounds: {}",
        exercise.name(),
        figures.join(", ")
    );
    Some(view! {
        <svg class="ear-plot" role="img" aria-label=name viewBox=format!("-2 -2 {} {}", PLOT_W + 4.0, PLOT_H + 4.0)
            preserveAspectRatio="none">
            <line x1="0" y1=PLOT_H / 2.0 x2=PLOT_W y2=PLOT_H / 2.0 class="ear-plot-mid"/>
            <polyline points=points.join(" ") class="ear-plot-line"/>
        </svg>
    })
}

/// How often each octave band was named (columns) when each was hidden (rows); only the
/// bands that were hidden have a row.
fn confusion_table(progress: &Progress) -> Option<impl IntoView> {
    let counts = progress.confusion();
    if counts.iter().flatten().all(|&c| c == 0) {
        return None;
    }
    let head = OCTAVES_HZ
        .iter()
        .map(|&hz| view! { <th scope="col">{label(hz)}</th> })
        .collect_view();
    let rows = counts
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().any(|&c| c > 0))
        .map(|(hidden, row)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(named, &count)| {
                    let class = match (count, named == hidden) {
                        (0, _) => "",
                        (_, true) => "right",
                        (_, false) => "confused",
                    };
                    view! { <td class=class>{(count > 0).then(|| count.to_string())}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{label(OCTAVES_HZ[hidden])}</th>{cells}</tr> }
        })
        .collect_view();
    Some(view! {
        <table class="ear-confusion">
            <caption>"EQ bands: hidden (rows) and named (columns), in octave bands"</caption>
            <thead><tr><td></td>{head}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    })
}
