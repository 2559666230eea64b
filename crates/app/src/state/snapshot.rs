//! The mix as a [`Session`]: what autosave stores, a share link carries, a bundle holds and
//! export renders.

use std::collections::BTreeMap;

use leptos::prelude::*;
use mixroom_protocol::params::PARAMS;
use mixroom_protocol::session::{
    NamedStrip, Session, Source, Strip, Track, Transport, SESSION_VERSION,
};
use mixroom_protocol::strips::StripIndex;

use super::{Mixer, StripModel};
use crate::state::strip::default_color;

/// The mix at one moment, with where each session track lives in the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The session: tracks in console order (track `i` of the session is the `i`-th strip on
    /// screen, whatever engine track holds it).
    pub session: Session,
    /// The engine track of each session track.
    pub strips: Vec<StripIndex>,
}

impl Mixer {
    /// The mix as it is now (not reactive).
    pub fn snapshot(&self) -> Snapshot {
        let mut tracks = Vec::new();
        let mut strips = Vec::new();
        self.tracks.with_untracked(|models| {
            for model in models {
                let Some(source) = self.source_of(model.strip) else {
                    continue;
                };
                tracks.push(Track {
                    name: model.name.get_untracked(),
                    source,
                    color: own_color(model),
                    strip: settings(model),
                });
                strips.push(model.strip);
            }
        });
        let named = |list: RwSignal<Vec<StripModel>>| {
            list.with_untracked(|models| {
                models
                    .iter()
                    .map(|m| NamedStrip {
                        name: m.name.get_untracked(),
                        color: own_color(m),
                        strip: settings(m),
                    })
                    .collect()
            })
        };
        let session = Session {
            version: SESSION_VERSION,
            tracks,
            buses: named(self.buses),
            returns: named(self.returns),
            master: settings(&self.master.get_value()),
            transport: self.transport_settings(),
        };
        Snapshot { session, strips }
    }

    /// Where track `strip`'s audio comes from: the engine's track, or the source it waits for.
    pub fn source_of(&self, strip: StripIndex) -> Option<Source> {
        self.with_bridge(|b| b.track_info(strip.position()).map(|i| i.source))
            .flatten()
            .or_else(|| {
                self.missing.with_untracked(|m| {
                    m.iter()
                        .find(|(s, _)| *s == strip)
                        .map(|(_, src)| src.clone())
                })
            })
    }

    /// The loop region in seconds (the end left out when it is the end of the song).
    fn transport_settings(&self) -> Transport {
        let Some((t, rate_hz)) =
            self.with_bridge(|b| (b.transport(), f64::from(b.sample_rate_hz())))
        else {
            return Transport::default();
        };
        let whole_song = t.loop_end_frame == f64::from(self.song_frames());
        Transport {
            loop_on: t.loop_enabled,
            loop_start_s: t.loop_start_frame / rate_hz,
            loop_end_s: (!whole_song).then(|| t.loop_end_frame / rate_hz),
        }
    }
}

/// The strip's colour when it differs from the one its position gives it.
fn own_color(model: &StripModel) -> Option<String> {
    (model.color != default_color(model.strip)).then(|| model.color.clone())
}

/// Every parameter of the strip that differs from its default, by key.
fn settings(model: &StripModel) -> Strip {
    let params: BTreeMap<String, f32> = PARAMS
        .iter()
        .filter(|p| model.has(p.id))
        .map(|p| (p, model.value(p.id).get_untracked()))
        .filter(|(p, value)| value.to_bits() != p.default.to_bits())
        .map(|(p, value)| (p.key.to_owned(), value))
        .collect();
    Strip { params }
}
