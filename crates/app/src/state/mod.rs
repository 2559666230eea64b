//! The mix being edited: a reactive model of every strip on screen, kept in step with the
//! engine, with undo/redo and the selected strip.
//!
//! Every change goes through [`Mixer::set`]: the value is made valid, shown, written to the
//! engine's parameter block and recorded in the history. A drag opens a gesture
//! ([`Mixer::begin_gesture`]) so that it undoes as one step.

pub mod history;
pub mod import;
mod mix_audio;
mod replace;
mod snapshot;
pub mod strip;
mod tracks;

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::{StripIndex, StripKind};

use crate::audio::AudioBridge;
pub use history::{Edit, History};
pub use mix_audio::MixAudio;
pub use snapshot::Snapshot;
pub use strip::StripModel;

/// The handle components use to read and change the mix.
#[derive(Clone, Copy)]
pub struct Mixer {
    bridge: StoredValue<Option<Rc<AudioBridge>>, LocalStorage>,
    history: StoredValue<History, LocalStorage>,
    history_version: RwSignal<u64>,
    /// The tracks on screen, in the order shown.
    pub tracks: RwSignal<Vec<StripModel>>,
    /// Tracks taken off screen (removed, or their import undone) that a step of the history
    /// could bring back; their audio stays in the engine, muted.
    shelf: StoredValue<Vec<StripModel>>,
    /// Tracks on screen whose audio is not loaded (yet): what they wait for.
    pub missing: RwSignal<Vec<(StripIndex, mixroom_protocol::session::Source)>>,
    /// The group buses.
    pub buses: RwSignal<Vec<StripModel>>,
    /// The aux returns.
    pub returns: RwSignal<Vec<StripModel>>,
    /// The master strip.
    pub master: StoredValue<StripModel>,
    /// The strip shown in the detail panel.
    pub selected: RwSignal<StripIndex>,
    /// Bumped whenever another mix replaces the one shown ([`Mixer::replace`]).
    pub replaced: RwSignal<u64>,
    /// The keys of the only parameters that may change (a lesson's locks), if limited.
    allowed: RwSignal<Option<Vec<String>>>,
}

impl Mixer {
    /// A mixer showing `session` and driving `bridge` (none when the engine could not start).
    pub fn new(session: &Session, bridge: Option<Rc<AudioBridge>>) -> Mixer {
        let (tracks, buses, returns) = replace::models(session);
        let master = StripModel::new(
            StripIndex::MASTER,
            "Master".to_owned(),
            None,
            &session.master,
        );
        Mixer {
            bridge: StoredValue::new_local(bridge),
            history: StoredValue::new_local(History::default()),
            history_version: RwSignal::new(0),
            tracks: RwSignal::new(tracks),
            shelf: StoredValue::new(Vec::new()),
            missing: RwSignal::new(Vec::new()),
            buses: RwSignal::new(buses),
            returns: RwSignal::new(returns),
            master: StoredValue::new(master),
            selected: RwSignal::new(StripIndex::track(0).unwrap_or(StripIndex::MASTER)),
            replaced: RwSignal::new(0),
            allowed: RwSignal::new(None),
        }
    }

    /// Runs `f` with the bridge, if there is one.
    pub fn with_bridge<R>(&self, f: impl FnOnce(&Rc<AudioBridge>) -> R) -> Option<R> {
        self.bridge.with_value(|b| b.as_ref().map(f))
    }

    /// The model of `strip`, if it is on screen.
    pub fn model(&self, strip: StripIndex) -> Option<StripModel> {
        let find = |list: RwSignal<Vec<StripModel>>| {
            list.with_untracked(|l| l.iter().find(|m| m.strip == strip).cloned())
        };
        match strip.kind() {
            StripKind::Track => find(self.tracks),
            StripKind::Bus => find(self.buses),
            StripKind::Return => find(self.returns),
            StripKind::Master => Some(self.master.get_value()),
        }
    }

    /// Where a track's output can go, by choice index: the master, then each bus by name
    /// (reactive).
    pub fn output_names(&self) -> Vec<String> {
        let buses = self
            .buses
            .with(|b| b.iter().map(|m| m.label.clone()).collect::<Vec<_>>());
        std::iter::once("Master".to_owned()).chain(buses).collect()
    }

    /// Lets only the parameters whose keys `keys` lists change from now on (a lesson's
    /// locks, [`mixroom_protocol::lesson::Lesson::locks`]); `None` or empty: every one.
    pub fn allow_only(&self, keys: Option<Vec<String>>) {
        self.allowed.set(keys);
    }

    /// Whether `param` may change (reactive).
    pub fn allows(&self, param: ParamId) -> bool {
        self.allowed
            .with(|keys| mixroom_protocol::lesson::allows(keys.as_deref(), param))
    }

    /// Sets `param` of `strip` (made valid first): on screen, in the engine and in the history.
    /// Does nothing to a parameter the lesson locks ([`Mixer::allows`]).
    pub fn set(&self, strip: &StripModel, param: ParamId, value: f32) {
        if !self
            .allowed
            .with_untracked(|keys| mixroom_protocol::lesson::allows(keys.as_deref(), param))
        {
            return;
        }
        let value = param.spec().sanitize(value);
        let from = strip.value(param).get_untracked();
        if from == value {
            return;
        }
        self.apply(strip, param, value);
        self.record(Edit::Param {
            strip: strip.strip,
            param,
            from,
            to: value,
        });
    }

    /// Records `edit` in the history (and frees the tracks that leaves behind).
    fn record(&self, edit: Edit) {
        self.history.update_value(|h| h.record(edit));
        self.after_history_change();
    }

    fn after_history_change(&self) {
        let released = self
            .history
            .try_update_value(History::take_released)
            .unwrap_or_default();
        self.release(released);
        self.history_version.update(|v| *v += 1);
    }

    /// Flips a toggle parameter.
    pub fn toggle(&self, strip: &StripModel, param: ParamId) {
        let on = strip.value(param).get_untracked() >= 0.5;
        self.set(strip, param, if on { 0.0 } else { 1.0 });
    }

    fn apply(&self, strip: &StripModel, param: ParamId, value: f32) {
        strip.value(param).set(value);
        self.with_bridge(|b| b.set_param(param.slot(strip.strip), value));
    }

    /// Starts a gesture: the changes until [`Self::end_gesture`] undo as one step.
    pub fn begin_gesture(&self) {
        self.history.update_value(History::begin_gesture);
    }

    /// Ends the current gesture.
    pub fn end_gesture(&self) {
        self.history.update_value(History::end_gesture);
        self.after_history_change();
    }

    /// Reverts the last step.
    pub fn undo(&self) {
        let step = self.history.try_update_value(History::undo).flatten();
        for edit in step.into_iter().flatten() {
            match edit {
                Edit::Param {
                    strip, param, from, ..
                } => {
                    if let Some(model) = self.model(strip) {
                        self.apply(&model, param, from);
                    }
                }
                Edit::AddTrack { strip, .. } => self.hide(strip),
                Edit::RemoveTrack { strip, at } => self.show(strip, at),
            }
        }
        self.after_history_change();
    }

    /// Applies the last undone step again.
    pub fn redo(&self) {
        let step = self.history.try_update_value(History::redo).flatten();
        for edit in step.into_iter().flatten() {
            match edit {
                Edit::Param {
                    strip, param, to, ..
                } => {
                    if let Some(model) = self.model(strip) {
                        self.apply(&model, param, to);
                    }
                }
                Edit::AddTrack { strip, at } => self.show(strip, at),
                Edit::RemoveTrack { strip, .. } => self.hide(strip),
            }
        }
        self.after_history_change();
    }

    /// How many edits, undos and redos the page has made (it only grows): a mix whose count is
    /// the one it opened with is untouched.
    pub fn edits(&self) -> u64 {
        self.history_version.get_untracked()
    }

    /// Whether there is something to undo (reactive).
    pub fn can_undo(&self) -> bool {
        self.history_version.track();
        self.history.with_value(History::can_undo)
    }

    /// Whether there is something to redo (reactive).
    pub fn can_redo(&self) -> bool {
        self.history_version.track();
        self.history.with_value(History::can_redo)
    }
}
