//! What a goal is judged from and what judging it says, shared by the goals (`goals`), the
//! ear-training goals (`ear`) and the checker that gathers the measurements.

use mixroom_ear::eq::EqRound;
use mixroom_protocol::lesson::{EarAnswer, Lesson, StripRef};
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::StripIndex;

use crate::curve::Levels;
use crate::measure::{Contribution, MasterMeasure, Reduction};
use crate::spectrum::Spectrum;

/// What the goals are judged from.
pub struct Inputs<'a> {
    /// The lesson.
    pub lesson: &'a Lesson,
    /// The student's mix.
    pub mix: &'a Session,
    /// The sample rate of the renders, Hz.
    pub sample_rate_hz: f64,
    /// The master.
    pub master: &'a MasterMeasure,
    /// The contributions measured.
    pub contributions: &'a [Contribution],
    /// The gain reductions measured.
    pub reductions: &'a [Reduction],
    /// The reference's spectrum, if rendered.
    pub reference: Option<&'a Spectrum>,
    /// What the hand-in answered to the lesson's ear-training goals.
    pub answers: &'a [EarAnswer],
    /// The lesson's EQ correction goals, measured.
    pub corrections: &'a [Correction],
    /// The lesson's start rendered flat, third-octave levels, when a correction goal needs it.
    pub original: Option<Levels>,
}

/// An EQ correction goal of the lesson: the round, and what its renders measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Correction {
    /// The goal's id.
    pub goal: String,
    /// The peak or dip it hides before the master's EQ.
    pub round: EqRound,
    /// The lesson's start with the change in: third-octave levels, once rendered.
    pub start_changed: Option<Levels>,
    /// The student's mix with the change in: third-octave levels, once rendered.
    pub mix_changed: Option<Levels>,
}

/// A measurement against a range, before the words.
pub(crate) struct Verdict {
    pub(crate) measured: Option<f64>,
    pub(crate) target: String,
    pub(crate) unit: &'static str,
    pub(crate) passed: bool,
    pub(crate) hint: String,
}

/// How far past a bound a measurement may be and still be on it, in the goal's unit: the
/// rounding of single-precision audio. A limiter holding the peaks at exactly its −1 dBTP ceiling
/// measures −0.999 998 dBTP at 8 kHz; a goal of “at most −1 dBTP” must pass it.
pub const BOUND_SLACK: f64 = 1e-3;

/// The strip `strip` names in `mix`: the one of its kind with that name, `None` when there
/// is none or more than one (a goal measures one strip; an extra quiet “Bass” must not answer
/// for the real one).
pub fn resolve(mix: &Session, strip: &StripRef) -> Option<StripIndex> {
    let [at] = strip.positions_in(mix)[..] else {
        return (strip == &StripRef::Master).then_some(StripIndex::MASTER);
    };
    match strip {
        StripRef::Track(_) => StripIndex::track(at),
        StripRef::Bus(_) => StripIndex::bus(at),
        StripRef::Return(_) => StripIndex::aux_return(at),
        StripRef::Master => None,
    }
}
