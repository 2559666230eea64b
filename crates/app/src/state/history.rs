//! Undo and redo: every change is an edit; a gesture (one drag, one typed value) groups its
//! edits into a single step.

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
}

/// A step of the history: what one undo reverts.
pub type Step = Vec<Edit>;

/// Steps to undo and to redo.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    gesture: Option<Step>,
}

/// How many steps are kept.
const LIMIT: usize = 500;

impl History {
    /// Records `edit`: into the open gesture (a parameter edited again keeps its first `from`),
    /// or as a step of its own. New edits clear the redo list.
    pub fn record(&mut self, edit: Edit) {
        self.redo.clear();
        match &mut self.gesture {
            Some(step) => merge(step, edit),
            None => self.push(vec![edit]),
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

    fn push(&mut self, step: Step) {
        self.undo.push(step);
        if self.undo.len() > LIMIT {
            self.undo.remove(0);
        }
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

fn merge(step: &mut Step, edit: Edit) {
    let Edit::Param {
        strip, param, to, ..
    } = edit;
    for e in step.iter_mut() {
        let Edit::Param {
            strip: s,
            param: p,
            to: t,
            ..
        } = e;
        if *s == strip && *p == param {
            *t = to;
            return;
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
}
