//! The class view: the teacher pastes hand-in links (one a line) or picks or drops hand-in
//! files and projects, and gets one row per hand-in with every goal's value and verdict and a
//! total; a row opens that mix; any two rows, or rows and the lesson's reference, are compared
//! at one loudness; the table downloads as CSV.

use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::lesson::{HandIn, Lesson, Reference, MAX_LESSON_BYTES};
use mixroom_protocol::text::shown;
use wasm_bindgen_futures::JsFuture;

use super::compare::{ComparePlayer, Comparing, Origin};
use crate::classroom::class::{self, Row, RowState};
use crate::classroom::compare::{Planned, REFERENCE_MIX};
use crate::classroom::recording;
use crate::classroom::{grade, session_audio, AudioCache};
use crate::export::save_file;
use crate::project::{read_hand_in_bundle, BundleFiles, Notice, Project};

/// A hand-in chosen for comparing, with the audio of the bundle it came in.
type Chosen = (Arc<HandIn>, Option<Rc<BundleFiles>>);

/// File name of the class table.
const CSV_FILE_NAME: &str = "mixroom-class.csv";

/// The class view: `rows` (which outlive the dialog) are hand-ins for the lesson `rows_for`;
/// hand-ins added with another lesson open start a new table for it. `opened` runs when a row's
/// mix is opened (the dialog closes).
#[component]
pub fn ClassView(
    rows: RwSignal<Vec<Row>, LocalStorage>,
    rows_for: RwSignal<Option<Arc<Lesson>>>,
    opened: Callback<()>,
) -> impl IntoView {
    let project = expect_context::<Project>();
    let links = NodeRef::<html::Textarea>::new();
    let files = NodeRef::<html::Input>::new();
    let grading = RwSignal::new(false);
    let chosen = RwSignal::new_local(Vec::<Chosen>::new());
    let comparing = expect_context::<Comparing>();
    let lesson = move || project.lesson.get_untracked();
    // Checks what waits, one grading run at a time.
    let run = move || {
        if grading.get_untracked() {
            return;
        }
        grading.set(true);
        spawn_local(async move {
            grade(project, rows_for, rows).await;
            grading.set(false);
        });
    };
    let add = move |new: Vec<Row>, lesson: &Arc<Lesson>| {
        let same = rows_for.with_untracked(|l| {
            l.as_ref()
                .is_some_and(|l| Arc::ptr_eq(l, lesson) || l.fingerprint() == lesson.fingerprint())
        });
        if !same {
            rows_for.set(Some(Arc::clone(lesson)));
            rows.set(Vec::new());
        }
        rows.update(|rows| rows.extend(new));
        run();
    };
    let add_links = move |_| {
        let (Some(area), Some(lesson)) = (links.get_untracked(), lesson()) else {
            return;
        };
        add(class::read("line", &area.value(), &lesson), &lesson);
        area.set_value("");
    };
    let add_list = move |list: web_sys::FileList| {
        let Some(lesson) = lesson() else {
            return;
        };
        let picked: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        spawn_local(async move {
            for file in picked {
                add(read_file(project, &file, &lesson).await, &lesson);
            }
        });
    };
    let add_files = move |_| {
        let Some(input) = files.get_untracked() else {
            return;
        };
        if let Some(list) = input.files() {
            add_list(list);
        }
        input.set_value("");
    };
    // Files dropped on the class view are hand-ins, not audio to import.
    let over = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
    };
    let dropped = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
            add_list(list);
        }
    };
    let download = move |_| {
        let Some(lesson) = rows_for.get_untracked() else {
            return;
        };
        let text = rows.with_untracked(|rows| class::csv(&lesson, rows));
        if save_file(text.as_bytes(), CSV_FILE_NAME, "text/csv").is_err() {
            project.notify(Notice::error(
                "class",
                "The class table could not be downloaded.".to_owned(),
            ));
        }
    };
    let compare = move |_| {
        let Some(lesson) = rows_for.get_untracked() else {
            return;
        };
        let hand_ins = chosen.get_untracked();
        let planned = compared(project, Arc::clone(&lesson), hand_ins, comparing);
        comparing.prepare(project, Origin::Class, Some(lesson), planned);
    };
    let header = move || {
        rows_for.get().map(|lesson| {
            lesson
                .goals
                .iter()
                .map(|g| view! { <th scope="col" title=g.text.clone()>{g.id.clone()}</th> })
                .collect_view()
        })
    };
    let flags_cache = StoredValue::new_local(class::FlagsCache::default());
    let body =
        move || {
            let lesson = rows_for.get();
            let rows = rows.get();
            let flags = match &lesson {
                Some(lesson) => flags_cache
                    .try_update_value(|cache| cache.of(lesson, &rows))
                    .unwrap_or_else(|| class::flags(lesson, &rows)),
                None => vec![Vec::new(); rows.len()],
            };
            rows.into_iter()
            .zip(flags)
            .map(|(row, flags)| view! {
                <RowView row=row flags=flags lesson=lesson.clone() opened=opened chosen=chosen/>
            })
            .collect_view()
        };
    let summary = move || {
        rows.with(|rows| {
            let checked = rows
                .iter()
                .filter(|r| matches!(r.state, RowState::Checked(_)))
                .count();
            let flagged = rows
                .iter()
                .filter(|r| matches!(r.state, RowState::Flagged(_)))
                .count();
            let title = rows_for.with(|l| l.as_ref().map(|l| l.title.clone()).unwrap_or_default());
            match rows.len() {
                0 => String::new(),
                1 => format!("1 hand-in: {checked} checked, {flagged} flagged (lesson “{title}”)."),
                n => format!(
                    "{n} hand-ins: {checked} checked, {flagged} flagged (lesson “{title}”)."
                ),
            }
        })
    };
    let compare_note = move || {
        let reference = rows_for.with(|l| l.as_ref().is_some_and(|l| l.reference.is_some()));
        let n = chosen.with(Vec::len);
        let with = if reference {
            " with the lesson's reference"
        } else {
            ""
        };
        match n {
            0 if reference => {
                "Tick one hand-in to hear it against the lesson's reference, or two to hear them \
                 against each other."
                    .to_owned()
            }
            0 => "Tick two hand-ins to hear them against each other.".to_owned(),
            n => format!("{n} chosen: they play{with} at one loudness, switched at the playhead."),
        }
    };
    view! {
        <section class="class-view" aria-labelledby="class-title" on:dragover=over on:drop=dropped>
            <h3 id="class-title">"Class view"</h3>
            <p class="export-note">
                "Paste hand-in links, or drop hand-in files and projects (.mixroom) here."
            </p>
            <label class="class-links">
                <span>"Hand-in links, one a line"</span>
                <textarea node_ref=links rows="3" aria-label="Hand-in links, one a line"></textarea>
            </label>
            <div class="export-actions">
                <button on:click=add_links>"Add hand-ins"</button>
                <button on:click=move |_| { if let Some(i) = files.get_untracked() { i.click(); } }>
                    "Add hand-in files"
                </button>
                <input node_ref=files type="file" multiple accept=".txt,.json,.mixroom,text/plain,application/json"
                    class="visually-hidden" tabindex="-1" aria-hidden="true"
                    data-testid="class-files" on:change=add_files/>
                <button on:click=download disabled=move || rows.with(Vec::is_empty)>
                    "Download CSV"
                </button>
                <button on:click=move |_| { rows.set(Vec::new()); chosen.set(Vec::new()); }
                    disabled=move || rows.with(Vec::is_empty) || grading.get()>"Clear"</button>
            </div>
            <p class="export-note" role="status" aria-live="polite">{summary}</p>
            <div class="class-table-wrap">
                <table class="class-table" aria-label="Class table">
                    <thead><tr>
                        <th scope="col"><span class="visually-hidden">"Compare"</span></th>
                        <th scope="col">"Student"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Goals met"</th>
                        {header}
                        <th scope="col">"Notes"</th>
                        <th scope="col">"Mix"</th>
                    </tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <section class="compare" aria-labelledby="class-compare-title">
                <h4 id="class-compare-title">"Compare hand-ins"</h4>
                <p class="export-note">{compare_note}</p>
                <div class="compare-row">
                    <button on:click=compare
                        disabled=move || chosen.with(Vec::is_empty) || comparing.busy().get()>
                        "Compare chosen"
                    </button>
                </div>
                <ComparePlayer origin=Origin::Class/>
            </section>
        </section>
    }
}

/// One hand-in's row.
#[component]
fn RowView(
    row: Row,
    /// What the teacher should look at ([`class::flags`]).
    flags: Vec<String>,
    lesson: Option<Arc<Lesson>>,
    opened: Callback<()>,
    chosen: RwSignal<Vec<Chosen>, LocalStorage>,
) -> impl IntoView {
    let project = expect_context::<Project>();
    let goals = lesson.as_ref().map_or(0, |l| l.goals.len());
    let student = shown(&row.student()).into_owned();
    let cells = match &row.state {
        RowState::Checked(report) => {
            let met = report.goals.iter().filter(|g| g.passed).count();
            let total = format!("{met} of {}", report.goals.len());
            let total = if row.violations.is_empty() {
                view! { <td>{total}</td> }.into_any()
            } else {
                view! { <td class="failed">{total}" — does not pass"</td> }.into_any()
            };
            let each = lesson
                .iter()
                .flat_map(|l| l.goals.iter())
                .map(|goal| {
                    let result = report.goal(&goal.id).cloned();
                    let text = result.as_ref().map(|r| {
                        format!("{} {}", r.measured_text(), if r.passed { "✓" } else { "✗" })
                    });
                    let passed = result.as_ref().is_some_and(|r| r.passed);
                    let title = result.map(|r| r.hint).unwrap_or_default();
                    view! { <td class:passed=passed class:failed=!passed title=title>{text}</td> }
                })
                .collect_view();
            view! { {total}{each} }.into_any()
        }
        RowState::Waiting => note_cells("Waiting", goals),
        RowState::Checking(percent) => note_cells(&format!("Checking {percent}%"), goals),
        RowState::Flagged(why) => view! {
            <td class="class-flag" colspan=(goals + 1).to_string() role="note">{why.clone()}</td>
        }
        .into_any(),
    };
    let files = row.files.clone();
    let open = row.hand_in.clone().map(|hand_in| {
        let label = format!("Open {}'s mix", shown(&hand_in.student));
        view! {
            <button class="small-button" aria-label=label on:click=move |_| {
                let hand_in = (*hand_in).clone();
                let files = files.as_deref().cloned();
                opened.run(());
                spawn_local(async move {
                    project.open_hand_in(hand_in, Vec::new(), files).await;
                });
            }>"Open"</button>
        }
    });
    let files = row.files.clone();
    let choose = row.hand_in.clone().map(|hand_in| {
        let label = format!("Compare {}'s mix", shown(&hand_in.student));
        let is = {
            let hand_in = Arc::clone(&hand_in);
            move || chosen.with(|c| c.iter().any(|(h, _)| Arc::ptr_eq(h, &hand_in)))
        };
        let toggle = move |_| {
            chosen.update(
                |c| match c.iter().position(|(h, _)| Arc::ptr_eq(h, &hand_in)) {
                    Some(at) => {
                        c.remove(at);
                    }
                    None => c.push((Arc::clone(&hand_in), files.clone())),
                },
            )
        };
        view! { <input type="checkbox" aria-label=label prop:checked=is on:change=toggle/> }
    });
    let not_allowed = (!row.violations.is_empty()).then(|| {
        let items = row
            .violations
            .iter()
            .map(|v| view! { <li>{v.to_string()}</li> })
            .collect_view();
        view! { <p class="class-flag">"Not allowed by the lesson:"</p><ul class="class-flag">{items}</ul> }
    });
    let flags = (!flags.is_empty()).then(|| view! { <p class="class-note">{flags.join("; ")}</p> });
    view! {
        <tr>
            <td>{choose}</td>
            <th scope="row">{student}</th>
            <td>{row.from.clone()}</td>
            {cells}
            <td>{not_allowed}{flags}</td>
            <td>{open}</td>
        </tr>
    }
}

fn note_cells(text: &str, goals: usize) -> AnyView {
    view! { <td colspan=(goals + 1).to_string()>{text.to_owned()}</td> }.into_any()
}

/// The rows of a picked file: a project (`.mixroom`) carrying a hand-in and its audio, a
/// hand-in JSON file, or a text file of hand-in links.
async fn read_file(project: Project, file: &web_sys::File, lesson: &Lesson) -> Vec<Row> {
    let name = file.name();
    if name.to_lowercase().ends_with(".mixroom") {
        return vec![match read_hand_in_bundle(project, file).await {
            Ok((incoming, files)) => class::from_bundle(name, incoming, files, lesson),
            Err(why) => class::flagged(name, why),
        }];
    }
    if file.size() > MAX_LESSON_BYTES as f64 * 4.0 {
        let why = format!(
            "“{name}” is too large to be a hand-in ({:.0} MB).",
            file.size() / 1e6
        );
        return vec![class::flagged(name, why)];
    }
    let text = match JsFuture::from(file.text()).await {
        Ok(text) => text.as_string().unwrap_or_default(),
        Err(_) => return vec![class::flagged(name, "This file cannot be read.".to_owned())],
    };
    class::read(&name, &text, lesson)
}

/// The versions of a class comparison: each of `hand_ins` playing its own audio, then the
/// lesson's reference mix (playing the first one's audio); at least two in all, counting the
/// lesson's reference recording.
async fn compared(
    project: Project,
    lesson: Arc<Lesson>,
    hand_ins: Vec<Chosen>,
    comparing: Comparing,
) -> Result<(Vec<Planned>, f32), String> {
    let recording = recording::has_recording(&lesson);
    let reference = match &lesson.reference {
        Some(Reference::Mix(mix)) => Some(mix),
        _ => None,
    };
    if hand_ins.len() + usize::from(reference.is_some() || recording) < 2 {
        return Err("Tick two hand-ins to compare them (this lesson has no reference).".to_owned());
    }
    let mut cache = AudioCache::default();
    let mut planned: Vec<Planned> = Vec::new();
    let mut rate_hz = 0.0;
    for (hand_in, files) in &hand_ins {
        comparing.say(format!("Preparing {}'s mix", shown(&hand_in.student)));
        let (tracks, rate) =
            session_audio(project, &hand_in.mix, files.as_deref(), &mut cache, None)
                .await
                .map_err(|e| {
                    format!("Could not compare {}'s mix: {e}.", shown(&hand_in.student))
                })?;
        rate_hz = rate;
        planned.push(Planned {
            name: format!("{}'s mix", shown(&hand_in.student)),
            session: hand_in.mix.clone(),
            tracks,
            reference: false,
        });
    }
    if let (Some(reference), Some(first)) = (reference, planned.first()) {
        let matched = Planned::matched(
            REFERENCE_MIX,
            reference,
            &first.session,
            &first.tracks,
            true,
        );
        planned.push(matched);
    }
    Ok((planned, rate_hz))
}
