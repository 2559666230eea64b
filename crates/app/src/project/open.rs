//! Opening a mix: the mix it replaces is kept first, the console shows the new one at once, then
//! each track's audio is found and loaded (each is sent to the engine while the next is
//! prepared). What cannot be found is said, and the rest plays. A newer open makes an older one
//! that is still loading give up.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::session::{Session, Source};
use mixroom_protocol::strips::StripIndex;
use mixroom_protocol::text::shown;
use mixroom_protocol::validate::Refusal;

use super::remote::{host_of, FetchSet, RemoteTrack};
use super::sources::{resolve, BundleFiles, Resolved};
use super::{Action, Notice, Project};
use crate::audio::{yield_now, AudioBridge};
use crate::persist::{save_now, TabMix};

/// Most refused fields listed by name in one notice.
const REFUSALS_LISTED: usize = 8;

/// Where a mix being opened comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// The built-in demo song (kept from its first change on).
    Demo,
    /// A mix kept in this browser.
    Kept,
    /// A share link.
    Link,
    /// A project bundle, by file name.
    Bundle(String),
    /// A lesson's starting mix, by the lesson's title.
    Lesson(String),
    /// A student's hand-in, by the student's name.
    HandIn(String),
}

impl Opening {
    /// What the user calls it, in "The … was not opened".
    fn what(&self) -> &'static str {
        match self {
            Opening::Demo => "demo song",
            Opening::Kept => "mix",
            Opening::Link => "link",
            Opening::Bundle(_) => "project",
            Opening::Lesson(_) => "lesson",
            Opening::HandIn(_) => "hand-in",
        }
    }
}

impl Project {
    /// Replaces the mix with `session`, which becomes the tab's mix `mix`, loads its audio
    /// (`files`: a bundle's entries) and plays it from the start. The mix it replaces is saved
    /// first and stays kept (the way back); when that save fails nothing is opened. `refused`
    /// lists the fields of `session` that were refused on the way in. Returns whether it opened.
    pub async fn open(
        &self,
        session: Session,
        files: Option<BundleFiles>,
        opening: Opening,
        mix: TabMix,
        refused: Vec<Refusal>,
    ) -> bool {
        let mixer = self.mixer;
        let Some(bridge) = mixer.with_bridge(Rc::clone) else {
            return false;
        };
        if let Some(store) = self.store() {
            if self.mix.with_value(Option::is_some) {
                if let Err(e) = save_now(*self, &store).await {
                    self.notify(Notice::error(
                        "opened",
                        format!(
                            "The {} was not opened: your current mix could not be kept ({e}). \
                             Save your project first, then open it again.",
                            opening.what()
                        ),
                    ));
                    return false;
                }
            }
        }
        let replaced = self.mix.with_value(|m| {
            m.as_ref()
                .filter(|m| m.saved.is_some() && m.id != mix.id)
                .map(|m| m.id.clone())
        });
        if replaced.is_some() {
            self.previous.set_value(replaced);
        }
        self.cancel_remote();
        self.lesson.set(mix.lesson.clone());
        self.answers.set(mix.answers.clone());
        mixer.allow_only(mix.lesson.as_ref().and_then(|l| l.locks.clone()));
        // Dropping the old mix lets go of its lock.
        self.mix.set_value(Some(mix));
        self.kept_changes.update(|n| *n += 1);
        bridge.set_transport(TransportRequest {
            playing: false,
            ..bridge.transport()
        });
        mixer.replace(&session);
        self.load(&bridge, session, files, opening, refused).await;
        true
    }

    /// Loads the audio of `session`, which the console already shows, and plays it.
    async fn load(
        &self,
        bridge: &Rc<AudioBridge>,
        session: Session,
        files: Option<BundleFiles>,
        opening: Opening,
        refused: Vec<Refusal>,
    ) {
        let mixer = self.mixer;
        let store = self.store();
        let serial = self.opens.with_value(|o| {
            o.set(o.get().wrapping_add(1));
            o.get()
        });
        let superseded = || self.opens.with_value(|o| o.get()) != serial;
        self.opening.with_value(|o| o.set(true));
        self.notices
            .update(|list| list.retain(|n| !n.key.starts_with("open-")));
        let mut failures = Vec::new();
        let mut loads = Vec::new();
        let mut remote = Vec::new();
        let set = FetchSet::default();
        for (i, track) in session.tracks.iter().enumerate() {
            let Some(strip) = StripIndex::track(i) else {
                continue;
            };
            if let Source::Url(url) = &track.source {
                remote.push(RemoteTrack {
                    serial,
                    index: i,
                    name: track.name.clone(),
                    url: url.clone(),
                    host: host_of(url),
                    set: set.clone(),
                    fetching: None,
                });
                continue;
            }
            match resolve(bridge.context(), store.as_ref(), files.as_ref(), track).await {
                Resolved::Ready(imported) => loads.push((strip, bridge.load_track(i, imported))),
                Resolved::Waiting => {}
                Resolved::Failed(message) => failures.push(message),
            }
            // Let the page paint and answer between tracks.
            let _ = yield_now().await;
            if superseded() {
                return;
            }
        }
        for (strip, load) in loads {
            match load.await {
                Ok(_) if !superseded() => mixer.found(strip),
                Ok(_) => {}
                Err(e) => failures.push(e.to_string()),
            }
        }
        if superseded() {
            return;
        }

        let rate_hz = f64::from(bridge.sample_rate_hz());
        let song = f64::from(mixer.song_frames());
        let loop_settings = &session.transport;
        let t = bridge.transport();
        bridge.set_transport(TransportRequest {
            playing: true,
            seek_serial: t.seek_serial.wrapping_add(1),
            seek_frame: 0.0,
            loop_enabled: loop_settings.loop_on,
            loop_start_frame: (loop_settings.loop_start_s * rate_hz)
                .round()
                .clamp(0.0, song),
            loop_end_frame: loop_settings
                .loop_end_s
                .map_or(song, |end_s| (end_s * rate_hz).round()),
            ..t
        });
        match opening {
            Opening::Demo => {
                let untouched = mixer.snapshot().session.to_json();
                self.with_tab_mix(|mix| mix.pristine = Some(untouched));
            }
            // Somebody else's mix: kept, as untouched until the user changes it.
            Opening::Link | Opening::Bundle(_) | Opening::Lesson(_) | Opening::HandIn(_) => {
                let edits = mixer.edits();
                self.with_tab_mix(|mix| mix.opened = Some(edits));
            }
            // One kept untouched stays so until the user changes it.
            Opening::Kept => {
                let edits = mixer.edits();
                self.with_tab_mix(|mix| {
                    if mix.opened.is_some() {
                        mix.opened = Some(edits);
                    }
                });
            }
        }
        self.opening.with_value(|o| o.set(false));
        self.report(&opening, failures, &refused);
        self.load_remote(serial, remote);
    }

    /// A track that arrived after the mix started playing may make the song longer: a loop
    /// that was over the whole song (`whole_song`, before the track came) follows it.
    pub(super) fn song_may_be_longer(&self, bridge: &AudioBridge, whole_song: bool) {
        let song = f64::from(self.mixer.song_frames());
        let t = bridge.transport();
        if whole_song && t.loop_end_frame < song {
            bridge.set_transport(TransportRequest {
                loop_end_frame: song,
                ..t
            });
        }
    }

    /// Says what opening refused and left undone, and offers the way back after a link or
    /// bundle.
    fn report(&self, opening: &Opening, failures: Vec<String>, refused: &[Refusal]) {
        for (i, message) in failures.into_iter().enumerate() {
            self.notify(Notice::error(&format!("open-{i}"), message));
        }
        if !refused.is_empty() {
            let mut listed: Vec<String> = refused
                .iter()
                .take(REFUSALS_LISTED)
                .map(Refusal::to_string)
                .collect();
            if refused.len() > REFUSALS_LISTED {
                listed.push(format!("and {} more", refused.len() - REFUSALS_LISTED));
            }
            self.notify(Notice::error(
                "open-refused",
                format!(
                    "Parts of this {} were refused, the rest opened as it came: {}.",
                    opening.what(),
                    listed.join("; ")
                ),
            ));
        }
        let opened = match opening {
            Opening::Link => "Opened the shared mix.".to_owned(),
            Opening::Bundle(name) => format!("Opened the project “{}”.", shown(name)),
            Opening::Lesson(title) => format!("Opened the lesson “{}”.", shown(title)),
            Opening::HandIn(student) => format!("Opened the hand-in of “{}”.", shown(student)),
            Opening::Demo | Opening::Kept => return,
        };
        let back = self.previous.get_value().is_some();
        let text = if back {
            format!("{opened} Your previous mix is kept in this browser (Recent mixes).")
        } else {
            opened
        };
        let notice = Notice::info("opened", text);
        self.notify(if back {
            notice.with_actions(vec![Action::RestorePrevious])
        } else {
            notice
        });
    }
}
