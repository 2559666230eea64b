//! Opening another mix (a share link, a bundle, the autosave): every strip shows the new
//! session, the engine takes all its parameters at once, and the history starts afresh.
//! Audio is loaded by the caller, track by track (see `project::open`); until then a track is
//! "missing" and waits for its source.

use leptos::prelude::*;
use mixroom_protocol::session::{NamedStrip, Session, Source};
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};

use super::{History, Mixer, StripModel};

/// The models of a session's tracks, buses and returns.
pub(super) fn models(session: &Session) -> (Vec<StripModel>, Vec<StripModel>, Vec<StripModel>) {
    let tracks = session
        .tracks
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            Some(StripModel::new(
                StripIndex::track(i)?,
                t.name.clone(),
                t.color.clone(),
                &t.strip,
            ))
        })
        .collect();
    let named = |list: &[NamedStrip], index: fn(usize) -> Option<StripIndex>| {
        list.iter()
            .enumerate()
            .filter_map(|(i, n)| {
                Some(StripModel::new(
                    index(i)?,
                    n.name.clone(),
                    n.color.clone(),
                    &n.strip,
                ))
            })
            .collect::<Vec<_>>()
    };
    (
        tracks,
        named(&session.buses, StripIndex::bus),
        named(&session.returns, StripIndex::aux_return),
    )
}

impl Mixer {
    /// Shows `session` instead of the current mix and sends all its parameters to the engine.
    /// Every track's audio is unloaded and its source marked missing; the history (and the
    /// audio of removed tracks it kept) is forgotten. Transport is left to the caller.
    pub fn replace(&self, session: &Session) {
        self.history.update_value(History::clear);
        self.shelf.set_value(Vec::new());
        self.with_bridge(|b| {
            for track in 0..MAX_TRACKS {
                if b.track_info(track).is_some() {
                    b.clear_track(track);
                }
            }
            b.set_all_params(&session.param_block());
        });
        let (tracks, buses, returns) = models(session);
        self.missing.set(
            session
                .tracks
                .iter()
                .enumerate()
                .filter_map(|(i, t)| Some((StripIndex::track(i)?, t.source.clone())))
                .collect(),
        );
        self.selected
            .set(tracks.first().map_or(StripIndex::MASTER, |m| m.strip));
        self.tracks.set(tracks);
        self.buses.set(buses);
        self.returns.set(returns);
        self.master.with_value(|m| m.show(&session.master));
        self.replaced.update(|n| *n += 1);
        self.after_history_change();
    }

    /// Track `strip` has its audio now.
    pub fn found(&self, strip: StripIndex) {
        self.missing.update(|m| m.retain(|(s, _)| *s != strip));
    }

    /// The tracks on screen still waiting for their audio, with their sources.
    pub fn waiting(&self) -> Vec<(StripIndex, Source)> {
        let on_screen = |strip: StripIndex| {
            self.tracks
                .with_untracked(|t| t.iter().any(|m| m.strip == strip))
        };
        self.missing
            .get_untracked()
            .into_iter()
            .filter(|(s, _)| on_screen(*s))
            .collect()
    }
}
