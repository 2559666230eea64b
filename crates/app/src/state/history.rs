//! Undo and redo: every change is an edit; a gesture (one drag, one typed value, one drop of
//! files) groups its edits into a single step.
//!
//! A track that is removed (or whose addition is undone) keeps its audio in the engine as long
//! as a step could bring it back. When that step leaves the history (a new edit drops the redo
//! list, or the oldest steps fall off), the history says so: the track is *released* and its
//! audio can be freed.

use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

/// One reversible change.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// A parameter moved from one value to another.
    Param {
        /// Which strip.
        strip: StripIndex,
        /// Which parameter.
        param: ParamId,
        /// The value before.
        from: f32,
        /// The value after.
        to: f32,
    },
    /// A track was added to the console (imported) at position `at` of the track list.
    AddTrack {
        /// Which track.
        strip: StripIndex,
        /// Its position among the tracks on screen.
        at: usize,
    },
    /// A track was removed from the console; it stood at position `at`.
    RemoveTrack {
        /// Which track.
        strip: StripIndex,
        /// Its position among the tracks on screen.
        at: usize,
    },
}

/// A step of the history: what one undo reverts.
pub type Step = Vec<Edit>;

/// Steps to undo and to redo.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    gesture: Option<Step>,
    released: Vec<StripIndex>,
}

/// How many steps are kept.
const LIMIT: usize = 500;

impl History {
    /// Records `edit`: into the open gesture (a parameter edited again keeps its first `from`),
    /// or as a step of its own. New edits clear the redo list.
    pub fn record(&mut self, edit: Edit) {
        self.released.extend(self.redo.drain(..).flat_map(added));
        match &mut self.gesture {
            Some(step) => merge(step, edit),
            None => self.push(vec![edit]),
        }
    }

    /// Records `edit` into the newest step if that step holds `anchor` and nothing came after
    /// it (so the files of one drop, imported one after another, undo as one step); otherwise
    /// like [`Self::record`].
    pub fn record_with(&mut self, edit: Edit, anchor: &Edit) {
        match self.undo.last_mut() {
            Some(step)
                if self.gesture.is_none() && self.redo.is_empty() && step.contains(anchor) =>
            {
                step.push(edit)
            }
            _ => self.record(edit),
        }
    }

    /// Opens a gesture: edits until [`Self::end_gesture`] form one step.
    pub fn begin_gesture(&mut self) {
        if self.gesture.is_none() {
            self.gesture = Some(Vec::new());
        }
    }

    /// Closes the gesture, keeping its edits (unless they cancel out) as one step.
    pub fn end_gesture(&mut self) {
        if let Some(step) = self.gesture.take() {
            let step: Step = step
                .into_iter()
                .filter(|e| !matches!(e, Edit::Param { from, to, .. } if from == to))
                .collect();
            if !step.is_empty() {
                self.push(step);
            }
        }
    }

    /// Appends `step`; the oldest step falls off beyond [`LIMIT`].
    fn push(&mut self, step: Step) {
        self.undo.push(step);
        if self.undo.len() > LIMIT {
            let oldest = self.undo.remove(0);
            self.released.extend(removed(oldest));
        }
    }

    /// Forgets every step (releasing removed tracks, and added ones whose addition was undone).
    pub fn clear(&mut self) {
        self.end_gesture();
        self.released.extend(self.redo.drain(..).flat_map(added));
        self.released.extend(self.undo.drain(..).flat_map(removed));
    }

    /// The tracks released since the last call: no step can bring them back, so their audio
    /// can be freed.
    pub fn take_released(&mut self) -> Vec<StripIndex> {
        std::mem::take(&mut self.released)
    }

    /// The step to revert (its edits in the order to undo them), moved to the redo list.
    pub fn undo(&mut self) -> Option<Step> {
        self.end_gesture();
        let step = self.undo.pop()?;
        self.redo.push(step.clone());
        Some(step.into_iter().rev().collect())
    }

    /// The step to apply again, moved back to the undo list.
    pub fn redo(&mut self) -> Option<Step> {
        self.end_gesture();
        let step = self.redo.pop()?;
        self.undo.push(step.clone());
        Some(step)
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty() || self.gesture.as_ref().is_some_and(|g| !g.is_empty())
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// Tracks a step adds: released when the step leaves the redo list (they are off screen).
fn added(step: Step) -> impl Iterator<Item = StripIndex> {
    step.into_iter().filter_map(|e| match e {
        Edit::AddTrack { strip, .. } => Some(strip),
        _ => None,
    })
}

/// Tracks a step removes: released when the step leaves the undo list.
fn removed(step: Step) -> impl Iterator<Item = StripIndex> {
    step.into_iter().filter_map(|e| match e {
        Edit::RemoveTrack { strip, .. } => Some(strip),
        _ => None,
    })
}

/// Adds `edit` to `step`; a parameter already in the step keeps its first `from`.
fn merge(step: &mut Step, edit: Edit) {
    if let Edit::Param {
        strip, param, to, ..
    } = edit
    {
        for e in step.iter_mut() {
            if let Edit::Param {
                strip: s,
                param: p,
                to: t,
                ..
            } = e
            {
                if *s == strip && *p == param {
                    *t = to;
                    return;
                }
            }
        }
    }
    step.push(edit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(from: f32, to: f32) -> Edit {
        Edit::Param {
            strip: StripIndex::track(0).unwrap(),
            param: ParamId::GainDb,
            from,
            to,
        }
    }

    #[test]
    fn a_drag_is_one_step_and_undo_redo_walk_the_history() {
        let mut h = History::default();
        h.record(edit(0.0, -1.0));
        h.begin_gesture();
        for i in 1..=10 {
            h.record(edit(-(i as f32), -(i as f32) - 1.0));
        }
        h.end_gesture();
        assert_eq!(
            h.undo(),
            Some(vec![edit(-1.0, -11.0)]),
            "the drag, as one edit"
        );
        assert_eq!(h.undo(), Some(vec![edit(0.0, -1.0)]));
        assert_eq!(h.undo(), None);
        assert!(h.can_redo());
        assert_eq!(h.redo(), Some(vec![edit(0.0, -1.0)]));
        h.record(edit(-1.0, -3.0));
        assert!(!h.can_redo(), "a new edit drops the redo list");
    }

    #[test]
    fn gestures_that_return_to_the_start_leave_no_step() {
        let mut h = History::default();
        h.begin_gesture();
        h.record(edit(0.0, 2.0));
        h.record(edit(2.0, 0.0));
        h.end_gesture();
        assert!(!h.can_undo());
    }

    #[test]
    fn steps_with_several_edits_undo_in_reverse_order() {
        let mut h = History::default();
        let pan = Edit::Param {
            strip: StripIndex::track(1).unwrap(),
            param: ParamId::Pan,
            from: 0.0,
            to: 0.5,
        };
        h.begin_gesture();
        h.record(pan.clone());
        h.record(edit(0.0, -6.0));
        h.end_gesture();
        assert_eq!(h.undo(), Some(vec![edit(0.0, -6.0), pan]));
    }

    #[test]
    fn tracks_are_released_only_when_no_step_can_bring_them_back() {
        let track = StripIndex::track(5).unwrap();
        let add = Edit::AddTrack {
            strip: track,
            at: 3,
        };
        let remove = Edit::RemoveTrack {
            strip: track,
            at: 3,
        };
        let mut h = History::default();
        h.record(add.clone());
        h.record(remove.clone());
        assert_eq!(h.undo(), Some(vec![remove]), "the track is back on screen");
        h.record(edit(0.0, -1.0));
        assert!(
            h.take_released().is_empty(),
            "a dropped removal keeps the track"
        );

        h.undo();
        assert_eq!(h.undo(), Some(vec![add]), "the import is undone");
        assert!(h.take_released().is_empty(), "redo could bring it back");
        h.record(edit(0.0, -2.0));
        assert_eq!(
            h.take_released(),
            vec![track],
            "a new edit drops the redo list"
        );
    }

    #[test]
    fn removed_tracks_are_released_when_their_step_falls_off_or_the_history_is_cleared() {
        let track = StripIndex::track(2).unwrap();
        let mut h = History::default();
        h.record(Edit::RemoveTrack {
            strip: track,
            at: 0,
        });
        for i in 0..LIMIT {
            h.record(edit(i as f32, i as f32 + 1.0));
        }
        assert_eq!(h.take_released(), vec![track], "the oldest step fell off");

        h.record(Edit::RemoveTrack {
            strip: track,
            at: 0,
        });
        h.clear();
        assert_eq!(h.take_released(), vec![track]);
        assert!(!h.can_undo());
    }

    #[test]
    fn files_of_one_drop_join_one_step_unless_something_came_between() {
        let add = |i| Edit::AddTrack {
            strip: StripIndex::track(i).unwrap(),
            at: i,
        };
        let mut h = History::default();
        h.record(add(0));
        h.record_with(add(1), &add(0));
        assert_eq!(h.undo(), Some(vec![add(1), add(0)]));
        h.redo();
        h.record(edit(0.0, 1.0));
        h.record_with(add(2), &add(0));
        assert_eq!(h.undo(), Some(vec![add(2)]), "a fader move came between");
    }
}
