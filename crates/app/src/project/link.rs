//! Share links: the whole mix in the address's fragment (`#mix=…`, see
//! `mixroom_protocol::link`), or a student's mix for a lesson (`#handin=…`, see
//! `mixroom_protocol::lesson::wire`). Nothing is uploaded anywhere.

use leptos::prelude::*;
use mixroom_ear::challenge::{Challenge, CHALLENGE_KEY};
use mixroom_protocol::lesson::{wire, Lesson};
use mixroom_protocol::link;
use mixroom_protocol::session::{Session, Source};

use super::Project;

/// A share link and what its recipient needs besides it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareLink {
    /// The address to send.
    pub url: String,
    /// Names of the local files the recipient will be asked to drop.
    pub local_files: Vec<String>,
}

/// The link to the mix as it is now.
pub fn share_link(project: Project) -> Result<ShareLink, String> {
    let session = project.mixer().snapshot().session;
    let url = address(link::FRAGMENT_KEY, &link::encode(&session))?;
    Ok(ShareLink {
        url,
        local_files: local_files(&session),
    })
}

/// The link to the mix as it is now with ear-training challenge `challenge` beside it.
pub fn challenge_link(project: Project, challenge: &Challenge) -> Result<ShareLink, String> {
    let mut link = share_link(project)?;
    link.url = format!("{}&{CHALLENGE_KEY}{}", link.url, challenge.encode());
    Ok(link)
}

/// The hand-in link of the mix as it is now, by `student`, for the lesson the tab has.
pub fn hand_in_link(project: Project, student: &str) -> Result<ShareLink, String> {
    let hand_in = project
        .hand_in(student)
        .ok_or("this mix is not a lesson's")?;
    let files = local_files(&hand_in.mix);
    Ok(ShareLink {
        url: address(wire::HANDIN_KEY, &wire::encode_hand_in(&hand_in))?,
        local_files: files,
    })
}

/// The link to the lesson the tab has, as it is (its start, not the mix as it is now).
pub fn lesson_link(project: Project) -> Result<ShareLink, String> {
    let lesson = project
        .lesson
        .get_untracked()
        .ok_or("this mix is not a lesson's")?;
    lesson_url(&lesson)
}

/// The link to `lesson`.
pub fn lesson_url(lesson: &Lesson) -> Result<ShareLink, String> {
    Ok(ShareLink {
        url: address(wire::LESSON_KEY, &wire::encode_lesson(lesson))?,
        local_files: local_files(&lesson.start),
    })
}

/// This page's address with `key` and `payload` as its fragment.
fn address(key: &str, payload: &str) -> Result<String, String> {
    let location = web_sys::window().ok_or("there is no window")?.location();
    let origin = location.origin().map_err(|_| "the page has no address")?;
    let path = location.pathname().unwrap_or_default();
    Ok(format!("{origin}{path}#{key}{payload}"))
}

/// The names of the local files `session`'s tracks play.
fn local_files(session: &Session) -> Vec<String> {
    session
        .tracks
        .iter()
        .filter_map(|t| match &t.source {
            Source::File(file) => Some(file.name().to_owned()),
            _ => None,
        })
        .collect()
}
