//! Opening a lesson (its starting mix becomes the tab's new mix, with the lesson beside it) and
//! a hand-in (the student's mix, with the lesson it answers when this tab has that lesson).

use std::sync::Arc;

use leptos::prelude::*;
use mixroom_protocol::lesson::{EarAnswer, HandIn, Lesson, LESSON_VERSION};
use mixroom_protocol::validate::Refusal;

use super::open::Opening;
use super::sources::BundleFiles;
use super::{Notice, Project};
use crate::persist::{now_ms, save_now};

impl Project {
    /// Opens `lesson` (`refused`: what was refused of it on the way in; `files`: the audio of
    /// the bundle it came in): its starting mix becomes a new mix of this tab, named after it,
    /// with the lesson beside the mixer; the mix it replaces stays kept. Returns whether it
    /// opened.
    pub async fn open_lesson(
        &self,
        lesson: Lesson,
        refused: Vec<Refusal>,
        files: Option<BundleFiles>,
    ) -> bool {
        let title = lesson.title.clone();
        let start = lesson.start.clone();
        let unknown: Vec<String> = lesson
            .unknown_goal_kinds()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut mix = self.new_tab_mix(title.clone()).await;
        mix.lesson = Some(Arc::new(lesson));
        let opened = self
            .open(start, files, Opening::Lesson(title), mix, refused)
            .await;
        if opened && !unknown.is_empty() {
            self.notify(Notice::error(
                "lesson-kinds",
                format!(
                    "This lesson has goals a newer Mixroom measures ({}): they are listed, but \
                     this version cannot check them. Update Mixroom to check them.",
                    unknown.join(", ")
                ),
            ));
        }
        opened
    }

    /// Keeps the reference recording `blob` (SHA-256 `sha`) of the lesson this tab's mix
    /// answers in this browser's storage, after the mix's record that names it: housekeeping
    /// (in any tab) keeps the files a kept mix names, so the file is never stored unnamed.
    pub async fn keep_recording(&self, sha: &str, blob: &web_sys::Blob) -> Result<(), String> {
        let store = self
            .store()
            .ok_or("this browser keeps no files for the page")?;
        save_now(*self, &store)
            .await
            .map_err(|e| format!("the mix that names it could not be kept ({e})"))?;
        store
            .put_audio(sha, blob)
            .await
            .map_err(|e| format!("the recording could not be kept ({e})"))
    }

    /// Opens the mix of a lesson this version cannot read (made by a newer Mixroom) on its
    /// own (with `files`, the audio of the bundle it came in), saying why the lesson is not
    /// beside it.
    pub async fn open_lesson_start_only(
        &self,
        start: mixroom_protocol::session::Session,
        refused: Vec<Refusal>,
        why: String,
        files: Option<BundleFiles>,
    ) -> bool {
        let mix = self.new_tab_mix("Lesson's starting mix".to_owned()).await;
        let opened = self
            .open(
                start,
                files,
                Opening::Lesson("starting mix".to_owned()),
                mix,
                refused,
            )
            .await;
        self.notify(Notice::error(
            "link",
            format!(
                "{} The lesson itself cannot be shown: {why}.",
                start_opened_text(opened)
            ),
        ));
        opened
    }

    /// Opens `hand_in`'s mix (with `files`, the audio of the bundle it came in) as a new mix
    /// of this tab, called after the student. The lesson this tab has stays beside it when the
    /// hand-in answers it.
    pub async fn open_hand_in(
        &self,
        hand_in: HandIn,
        refused: Vec<Refusal>,
        files: Option<BundleFiles>,
    ) -> bool {
        let lesson = self
            .lesson
            .get_untracked()
            .filter(|lesson| hand_in.answers(lesson));
        let student = hand_in.student.clone();
        let mut mix = self.new_tab_mix(format!("{student}'s hand-in")).await;
        mix.lesson = lesson.clone();
        mix.answers = hand_in.answers;
        let opened = self
            .open(hand_in.mix, files, Opening::HandIn(student), mix, refused)
            .await;
        if opened && lesson.is_none() {
            self.notify(Notice::info(
                "handin",
                format!(
                    "This hand-in answers the lesson “{}”, which this tab does not have open: \
                     open that lesson, then its Class view, to check it.",
                    hand_in.lesson_id
                ),
            ));
        }
        opened
    }
}

impl Project {
    /// The hand-in of the mix as it is now, with the answers given, by `student`, for the
    /// lesson the tab has (`None` without one).
    pub fn hand_in(&self, student: &str) -> Option<HandIn> {
        let lesson = self.lesson.get_untracked()?;
        let mut hand_in = HandIn::new(&lesson, student, self.mixer.snapshot().session);
        hand_in.answers = self.answers.get_untracked();
        Some(hand_in)
    }

    /// Keeps `answer` to one of the lesson's ear-training goals, in the tab's mix record too
    /// (answering is work on the mix). The first answer to a goal stands: returns whether this
    /// one was kept.
    pub fn keep_answer(&self, answer: EarAnswer) -> bool {
        if EarAnswer::find(&self.answers.get_untracked(), &answer.goal).is_some() {
            return false;
        }
        self.with_tab_mix(|mix| {
            mix.answers.push(answer.clone());
            // Autosave writes the record again, with the answer.
            mix.saved = None;
            mix.opened = None;
            mix.worked_at_ms = now_ms();
        });
        self.answers.update(|a| a.push(answer));
        true
    }

    /// Takes the lesson away from the tab's mix (the mix stays as it is, every control free).
    pub fn close_lesson(&self) {
        self.with_tab_mix(|mix| {
            mix.lesson = None;
            // Autosave writes the record again, without the lesson.
            mix.saved = None;
        });
        self.lesson.set(None);
        self.mixer.allow_only(None);
    }
}

/// Why a lesson of version `found` is not opened beside its mix.
pub(super) fn too_new(found: u32) -> String {
    format!(
        "it was made by a newer Mixroom (lesson version {found}; this one reads up to \
         {LESSON_VERSION}), so update Mixroom to take it"
    )
}

fn start_opened_text(opened: bool) -> &'static str {
    if opened {
        "Opened the lesson's starting mix on its own."
    } else {
        "The lesson's starting mix could not be opened either."
    }
}
