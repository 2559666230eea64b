//! Opening a mix: the console shows it at once, then each track's audio is found and loaded
//! (each is sent to the engine while the next is prepared). What cannot be found is said, and
//! the rest plays.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::StripIndex;

use super::sources::{resolve, BundleFiles, Resolved};
use super::{Action, Notice, Project};
use crate::audio::{yield_now, AudioBridge};
use crate::persist::PREVIOUS;

/// Where a mix being opened comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// The built-in demo song.
    Demo,
    /// The mix saved in this browser.
    Autosave,
    /// A share link.
    Link,
    /// A project bundle, by file name.
    Bundle(String),
    /// The mix a link or bundle replaced.
    Previous,
}

impl Project {
    /// Replaces the mix with `session` and loads its audio (`files`: a bundle's entries), then
    /// plays it from the start. Opening a link or a bundle first keeps the mix it replaces, to
    /// go back to.
    pub async fn open(&self, session: Session, files: Option<BundleFiles>, opening: Opening) {
        let mixer = self.mixer;
        let Some(bridge) = mixer.with_bridge(Rc::clone) else {
            return;
        };
        let store = self.store();
        let replaces_user_mix = matches!(opening, Opening::Link | Opening::Bundle(_));
        if let (true, Some(store)) = (replaces_user_mix, &store) {
            let current = mixer.snapshot().session.to_json();
            if let Err(e) = store.put_session(PREVIOUS, &current).await {
                self.notify(Notice::error(
                    "opened",
                    format!(
                        "The {} was not opened: your current mix could not be kept aside ({e}). \
                         Save your project first, then open it again.",
                        if opening == Opening::Link {
                            "link"
                        } else {
                            "project"
                        }
                    ),
                ));
                return;
            }
        }
        bridge.set_transport(TransportRequest {
            playing: false,
            ..bridge.transport()
        });
        mixer.replace(&session);
        self.load(&bridge, session, files, opening).await;
    }

    /// Loads the audio of `session`, which the console already shows, and plays it.
    pub(super) async fn load(
        &self,
        bridge: &Rc<AudioBridge>,
        session: Session,
        files: Option<BundleFiles>,
        opening: Opening,
    ) {
        let mixer = self.mixer;
        let store = self.store();
        self.opening.with_value(|o| o.set(true));
        self.notices
            .update(|list| list.retain(|n| !n.key.starts_with("open-")));
        let mut failures = Vec::new();
        let mut loads = Vec::new();
        for (i, track) in session.tracks.iter().enumerate() {
            let Some(strip) = StripIndex::track(i) else {
                continue;
            };
            match resolve(bridge, store.as_ref(), files.as_ref(), track).await {
                Resolved::Ready(imported) => loads.push((strip, bridge.load_track(i, imported))),
                Resolved::Waiting => {}
                Resolved::Failed(message) => failures.push(message),
            }
            // Let the page paint and answer between tracks.
            let _ = yield_now().await;
        }
        for (strip, load) in loads {
            match load.await {
                Ok(_) => mixer.found(strip),
                Err(e) => failures.push(e.to_string()),
            }
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
        self.opening.with_value(|o| o.set(false));
        self.report(&opening, failures);
    }

    /// Says what opening left undone, and offers the way back after a link or bundle.
    fn report(&self, opening: &Opening, failures: Vec<String>) {
        for (i, message) in failures.into_iter().enumerate() {
            self.notify(Notice::error(&format!("open-{i}"), message));
        }
        let opened = match opening {
            Opening::Link => Some("Opened the shared mix.".to_owned()),
            Opening::Bundle(name) => Some(format!("Opened the project “{name}”.")),
            _ => None,
        };
        if let Some(text) = opened {
            let keeps = self.store().is_some();
            self.notify(Notice {
                action: keeps.then_some(Action::RestorePrevious),
                text: if keeps {
                    format!("{text} Your previous mix is kept in this browser.")
                } else {
                    text
                },
                ..Notice::info("opened", String::new())
            });
        }
    }

    /// Goes back to the mix that the last opened link or bundle replaced.
    pub async fn restore_previous(&self) {
        let Some(store) = self.store() else { return };
        let previous = match store.get_session(PREVIOUS).await {
            Ok(Some(json)) => json,
            _ => {
                self.notify(Notice::error(
                    "opened",
                    "There is no previous mix in this browser.".to_owned(),
                ));
                return;
            }
        };
        match Session::from_json(&previous) {
            Ok(session) => {
                self.clear_notice("opened");
                self.open(session, None, Opening::Previous).await;
            }
            Err(e) => self.notify(Notice::error(
                "opened",
                format!("The previous mix could not be read: {e}."),
            )),
        }
    }
}
