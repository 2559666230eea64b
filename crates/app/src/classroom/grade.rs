//! Checking the rows of the class table one after another, each as "Check my mix" checks a
//! student's own mix.

use std::sync::Arc;

use leptos::prelude::*;
use mixroom_lesson::CHECK_RATE_HZ;
use mixroom_protocol::lesson::Lesson;

use super::check::{check_session, reference_recording, sources_of, Checked};
use super::class::{Row, RowState};
use super::sources::{session_audio, AudioCache};
use crate::project::Project;

/// Checks every waiting row of `rows` against the lesson they are for (`lesson`, read again
/// for each row), in order, updating each as it goes. Rows added meanwhile are checked too; a
/// row removed meanwhile is skipped.
pub async fn grade(
    project: Project,
    lesson: RwSignal<Option<Arc<Lesson>>>,
    rows: RwSignal<Vec<Row>, LocalStorage>,
) {
    let mut cache = AudioCache::default();
    loop {
        let Some(lesson) = lesson.get_untracked() else {
            return;
        };
        let next = rows.with_untracked(|rows| {
            rows.iter()
                .position(|r| r.state == RowState::Waiting)
                .and_then(|i| Some((i, rows[i].hand_in.clone()?, rows[i].files.clone())))
        });
        let Some((index, hand_in, files)) = next else {
            return;
        };
        let set = |state: RowState| {
            rows.update(|rows| {
                if let Some(row) = rows.get_mut(index) {
                    if row
                        .hand_in
                        .as_ref()
                        .is_some_and(|h| Arc::ptr_eq(h, &hand_in))
                    {
                        row.state = state;
                    }
                }
            })
        };
        set(RowState::Checking(0));
        let audio = session_audio(
            project,
            &hand_in.mix,
            files.as_deref(),
            &mut cache,
            Some(CHECK_RATE_HZ as f32),
        );
        let state = match audio.await {
            Ok((tracks, rate_hz)) => {
                // Without the recording, a goal that needs it says it was not measured.
                let had = reference_recording(project, &lesson, &hand_in.mix, &|_| {});
                let recording = had.await.ok().flatten();
                match sources_of(&lesson, &hand_in.mix, &tracks, recording.as_ref(), rate_hz) {
                    Ok((sources, recording)) => {
                        drop(tracks);
                        let progress = |p: mixroom_lesson::Progress| {
                            let percent = p.done_frames as u64 * 100 / p.total_frames.max(1) as u64;
                            set(RowState::Checking(percent.min(100) as u32));
                        };
                        let checked = check_session(
                            &lesson,
                            &hand_in.mix,
                            sources,
                            Checked {
                                answers: hand_in.answers.clone(),
                                recording,
                            },
                            rate_hz,
                            &progress,
                        );
                        match checked.await {
                            Ok(report) => RowState::Checked(Arc::new(report)),
                            Err(why) => RowState::Flagged(why),
                        }
                    }
                    Err(why) => RowState::Flagged(not_checked(&why)),
                }
            }
            Err(why) => RowState::Flagged(not_checked(&why)),
        };
        set(state);
    }
}

/// A row's "Not checked: …" for the sentence `why` (with or without its full stop).
fn not_checked(why: &str) -> String {
    format!("Not checked: {}.", why.trim_end_matches('.'))
}
