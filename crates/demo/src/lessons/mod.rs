//! The built-in lessons on the demo song, in the order mixing is taught: each starts where the
//! one before ends (its start is the previous lesson's reference, with that lesson's work done)
//! and unlocks one more family of controls.
//!
//! | # | id | what is taught | may change |
//! |---|---|---|---|
//! | 1 | `static-balance` | faders only: the lead on top, the bass and hi-hat in their place | faders |
//! | 2 | `stereo-field` | the kit placed by its overheads, guitar and keys apart, kick and bass centred | + pans, width |
//! | 3 | `eq-unmask` | kick against bass, the mud out of the pad | + EQ, filters |
//! | 4 | `compression` | a steady bass and lead, the gain reduction in range | + compressors |
//! | 5 | `space` | reverb and delay sends, without drowning the mix | + sends, returns |
//! | 6 | `mastering` | −14 LUFS, −1 dBTP, a tonal balance near the neutral curve | everything |
//!
//! Every lesson's reference mix (its [`Reference::Mix`]) passes all its goals and its start
//! fails at least one: `crates/lesson/tests/demo_lessons.rs` renders and checks both, and
//! prints the figures. Targets come from what the references measure, widened to what a
//! student reaches by ear.

mod balance;
mod compression;
mod eq;
mod mastering;
mod space;
mod stereo;

use mixroom_protocol::lesson::{Goal, Lesson, Reference, LESSON_VERSION};
use mixroom_protocol::params::{EqField, ParamId, EQ_TYPES};
use mixroom_protocol::session::{Session, Strip};

/// Every built-in lesson, in teaching order.
pub fn lessons() -> Vec<Lesson> {
    vec![
        balance::lesson(),
        stereo::lesson(),
        eq::lesson(),
        compression::lesson(),
        space::lesson(),
        mastering::lesson(),
    ]
}

/// The built-in lesson `id`, if there is one.
pub fn lesson(id: &str) -> Option<Lesson> {
    lessons().into_iter().find(|l| l.id == id)
}

/// What a lesson is made of, before it is put together.
struct Parts {
    id: &'static str,
    title: &'static str,
    introduction: &'static str,
    steps: &'static [&'static str],
    start: Session,
    /// The parameter keys the student may change (empty: every one).
    locks: Vec<&'static str>,
    reference: Session,
    goals: Vec<Goal>,
}

impl Parts {
    fn build(self) -> Lesson {
        Lesson {
            version: LESSON_VERSION,
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            introduction: self.introduction.to_owned(),
            steps: self.steps.iter().map(|s| (*s).to_owned()).collect(),
            start: self.start,
            locks: (!self.locks.is_empty())
                .then(|| self.locks.iter().map(|k| (*k).to_owned()).collect()),
            reference: Some(Reference::Mix(self.reference)),
            goals: self.goals,
        }
    }
}

/// The strip of the track, bus or return named `name`, or the master for `"master"`.
fn strip<'a>(mix: &'a mut Session, name: &str) -> &'a mut Strip {
    if name == "master" {
        return &mut mix.master;
    }
    let tracks = mix.tracks.iter_mut().map(|t| (&t.name, &mut t.strip));
    let named = mix.buses.iter_mut().chain(mix.returns.iter_mut());
    tracks
        .chain(named.map(|n| (&n.name, &mut n.strip)))
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("the demo session has a strip named {name}"))
}

/// Sets `param` of the strip named `name` (see [`strip`]).
fn set(mix: &mut Session, name: &str, param: ParamId, value: f32) {
    strip(mix, name).set(param, value);
}

/// Sets `param` of each named strip to its value.
fn set_each(mix: &mut Session, param: ParamId, values: &[(&str, f32)]) {
    for (name, value) in values {
        set(mix, name, param, *value);
    }
}

/// Sets EQ band `band` (1 to 4) of the strip named `name`: a shape from [`EQ_TYPES`], a
/// frequency, a gain and a Q.
fn eq(mix: &mut Session, name: &str, band: usize, shape: &str, hz: f32, gain_db: f32, q: f32) {
    let kind = EQ_TYPES
        .iter()
        .position(|t| *t == shape)
        .expect("a shape of the parameter table") as f32;
    let strip = strip(mix, name);
    strip.set(ParamId::eq(band - 1, EqField::Type), kind);
    strip.set(ParamId::eq(band - 1, EqField::Hz), hz);
    strip.set(ParamId::eq(band - 1, EqField::GainDb), gain_db);
    strip.set(ParamId::eq(band - 1, EqField::Q), q);
}

#[cfg(test)]
mod tests;
