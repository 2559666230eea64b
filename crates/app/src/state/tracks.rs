//! Tracks joining and leaving the console. An imported track is added at the end; a removed one
//! goes onto the shelf, muted, with its audio still in the engine, so that undo brings it back
//! at once. The history says when a shelved track can no longer come back; then its audio is
//! freed.

use std::collections::HashSet;

use leptos::prelude::*;
use mixroom_protocol::params::{ParamId, PARAMS};
use mixroom_protocol::session::{Source, Strip};
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};

use super::{Edit, History, Mixer, StripModel};

impl Mixer {
    /// The lowest track that is not on screen, not on the shelf and holds no audio.
    pub fn free_track(&self) -> Option<StripIndex> {
        let taken = |strip: StripIndex| {
            self.tracks
                .with_untracked(|t| t.iter().any(|m| m.strip == strip))
                || self
                    .shelf
                    .with_value(|s| s.iter().any(|m| m.strip == strip))
                || self
                    .with_bridge(|b| b.track_info(strip.position()).is_some())
                    .unwrap_or(false)
        };
        (0..MAX_TRACKS)
            .filter_map(StripIndex::track)
            .find(|&s| !taken(s))
    }

    /// Adds track `strip` (its audio already loaded) at the end of the console with fresh
    /// settings, in the engine too. Undo takes it off again. With `joining`, the addition joins
    /// the newest step if that step holds `joining` and nothing came after it.
    pub fn add_track(&self, strip: StripIndex, name: String, joining: Option<&Edit>) -> Edit {
        let model = StripModel::new(strip, name, None, &Strip::default());
        self.write_engine(&model);
        let at = self.tracks.with_untracked(Vec::len);
        self.tracks.update(|t| t.push(model));
        let edit = Edit::AddTrack { strip, at };
        match joining {
            Some(anchor) => self
                .history
                .update_value(|h| h.record_with(edit.clone(), anchor)),
            None => self.history.update_value(|h| h.record(edit.clone())),
        }
        self.after_history_change();
        edit
    }

    /// Takes track `strip` off the console; undo brings it back with its audio and settings.
    pub fn remove_track(&self, strip: StripIndex) {
        let Some(at) = self
            .tracks
            .with_untracked(|t| t.iter().position(|m| m.strip == strip))
        else {
            return;
        };
        self.hide(strip);
        self.record(Edit::RemoveTrack { strip, at });
    }

    /// Forgets the whole history to free the audio of shelved tracks (when memory runs short).
    /// Returns whether there was any.
    pub fn forget_shelved(&self) -> bool {
        let any = self.shelf.with_value(|s| !s.is_empty());
        self.history.update_value(History::clear);
        self.after_history_change();
        any
    }

    /// The SHA-256 of every file the mix and its history use: tracks on screen, on the shelf,
    /// and waiting for their file.
    pub fn files_in_use(&self) -> HashSet<String> {
        let loaded: Vec<Source> = (0..MAX_TRACKS)
            .filter_map(|t| self.with_bridge(|b| b.track_info(t))?)
            .map(|info| info.source)
            .collect();
        let waiting = self
            .missing
            .with_untracked(|m| m.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
        loaded
            .into_iter()
            .chain(waiting)
            .filter_map(|source| match source {
                Source::File(file) => file.sha256,
                _ => None,
            })
            .collect()
    }

    /// Length of the song: the longest track on screen, frames at the engine's rate.
    pub fn song_frames(&self) -> u32 {
        self.tracks.with_untracked(|tracks| {
            tracks
                .iter()
                .filter_map(|m| self.with_bridge(|b| b.track_info(m.strip.position()))?)
                .map(|info| info.frames)
                .max()
                .unwrap_or(0)
        })
    }

    /// Writes every parameter of `model` to the engine.
    fn write_engine(&self, model: &StripModel) {
        self.with_bridge(|b| {
            for spec in PARAMS.iter().filter(|p| model.has(p.id)) {
                b.set_param(
                    spec.id.slot(model.strip),
                    model.value(spec.id).get_untracked(),
                );
            }
        });
    }

    /// Moves track `strip` from the console to the shelf, silenced in the engine (muted, and
    /// no longer soloed, which would silence the others).
    pub(super) fn hide(&self, strip: StripIndex) {
        let model = self
            .tracks
            .try_update(|t| {
                let i = t.iter().position(|m| m.strip == strip)?;
                Some(t.remove(i))
            })
            .flatten();
        let Some(model) = model else { return };
        self.with_bridge(|b| {
            b.set_param(ParamId::Mute.slot(strip), 1.0);
            b.set_param(ParamId::Solo.slot(strip), 0.0);
        });
        self.shelf.update_value(|s| s.push(model));
        if self.selected.get_untracked() == strip {
            let first = self
                .tracks
                .with_untracked(|t| t.first().map(|m| m.strip))
                .unwrap_or(StripIndex::MASTER);
            self.selected.set(first);
        }
    }

    /// Moves track `strip` from the shelf back onto the console at position `at`, with its
    /// settings.
    pub(super) fn show(&self, strip: StripIndex, at: usize) {
        let model = self
            .shelf
            .try_update_value(|s| {
                let i = s.iter().position(|m| m.strip == strip)?;
                Some(s.remove(i))
            })
            .flatten();
        let Some(model) = model else { return };
        self.write_engine(&model);
        self.tracks.update(|t| t.insert(at.min(t.len()), model));
    }

    /// Frees the audio of shelved tracks no step can bring back.
    pub(super) fn release(&self, strips: Vec<StripIndex>) {
        for strip in strips {
            let shelved = self
                .shelf
                .try_update_value(|s| {
                    let before = s.len();
                    s.retain(|m| m.strip != strip);
                    s.len() != before
                })
                .unwrap_or(false);
            if shelved {
                self.with_bridge(|b| b.clear_track(strip.position()));
            }
        }
    }
}
