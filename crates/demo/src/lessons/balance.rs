//! Lesson 1: a static balance, with faders only.

use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{set_each, Parts};

/// The raw demo's faders moved to a balance: the lead on top, the bass under the kick's
/// level, the hi-hat and shaker tucked in, the pad behind.
pub(super) fn mix() -> Session {
    let mut mix = crate::session();
    set_each(
        &mut mix,
        ParamId::GainDb,
        &[
            ("Kick", 0.0),
            ("Snare", -1.0),
            ("Hi-hat", -12.0),
            ("Tom hi", -3.0),
            ("Tom lo", -3.0),
            ("OH L", -6.0),
            ("OH R", -6.0),
            ("Room", -9.0),
            ("Bass", -6.0),
            ("Guitar", -5.0),
            ("Keys", -5.0),
            ("Pad", -9.0),
            ("Lead", 4.0),
            ("Shaker", -10.0),
        ],
    );
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "static-balance",
        title: "1. Static balance: faders only",
        introduction: "Before any EQ, compression or reverb, a mix is a balance: how loud each \
                       track is against the others. The demo song comes with every fader at 0 dB, \
                       so the bass and the pad are too hot, the hi-hat is as loud as the snare and \
                       the lead melody is buried. In this lesson only the faders move.",
        steps: &[
            "Press Space to play. Listen to the whole song once before touching anything.",
            "Pull every fader down a few dB first (Page Down on a focused fader steps 6 dB): you \
             build the balance under 0 dB and the master limiter stays out of the way.",
            "Start with the drums: bring up the Kick and the Snare until they drive the song, then \
             the OH L and OH R overheads and the Room under them. The Drums bus fader moves the \
             whole kit at once.",
            "Pull the Hi-hat fader down until the hi-hat ticks along behind the snare instead of \
             beside it (around −12 dB is a good place to start); the Shaker sits lower still.",
            "Bring in the Bass under the kick: you should feel it more than hear it. Then the \
             Guitar and the Keys, and the Pad behind them as a cushion, not a wall.",
            "Raise the Lead fader until the melody is the first thing you hear from bar 9 on.",
            "Check: play from the start and ask of each track, too loud, too quiet, or right?",
        ],
        start: crate::session(),
        locks: vec!["gain_db"],
        reference: mix(),
        goals: vec![
            Goal::new(
                "lead-on-top",
                "The lead melody is on top: a few dB under the whole band together, no more.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Lead"),
                    min_db: Some(-7.0),
                    max_db: Some(-1.0),
                },
            ),
            Goal::new(
                "bass-under",
                "The bass supports the song without taking it over.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Bass"),
                    min_db: Some(-10.0),
                    max_db: Some(-4.0),
                },
            ),
            Goal::new(
                "hihat-behind",
                "The hi-hat ticks along behind the snare instead of beside it.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Hi-hat"),
                    min_db: None,
                    max_db: Some(-16.0),
                },
            ),
            Goal::new(
                "pad-cushion",
                "The pad is a cushion under the band, not a wall in front of it.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Pad"),
                    min_db: Some(-20.0),
                    max_db: Some(-11.0),
                },
            ),
            Goal::new(
                "drums-drive",
                "The drums drive the song: the Drums bus is as strong as the rest of the band.",
                GoalKind::RelativeLevel {
                    strip: StripRef::Bus("Drums".to_owned()),
                    min_db: Some(-3.0),
                    max_db: Some(4.0),
                },
            ),
        ],
    }
    .build()
}
