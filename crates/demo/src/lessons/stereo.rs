//! Lesson 2: panning and the stereo field.

use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{set_each, Parts};

/// Lesson 1's balance, panned: the kit as the drummer sees it (overheads wide, hi-hat and toms
/// after them), guitar and keys on opposite sides, the shaker opposite the hi-hat; kick, snare,
/// bass and lead in the centre.
pub(super) fn mix() -> Session {
    let mut mix = super::balance::mix();
    set_each(
        &mut mix,
        ParamId::Pan,
        &[
            ("Hi-hat", -0.35),
            ("Tom hi", -0.25),
            ("Tom lo", 0.35),
            ("OH L", -0.8),
            ("OH R", 0.8),
            ("Guitar", -0.5),
            ("Keys", 0.45),
            ("Shaker", 0.55),
        ],
    );
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "stereo-field",
        title: "2. Panning and the stereo field",
        introduction: "Your balance is in place, but everything comes from one point in the \
                       middle, so the tracks stand in each other's way. Panning gives each its \
                       own place from left to right. The low end stays in the centre: the kick \
                       and the bass carry the most energy, and a club's or a phone's mono \
                       speaker must still get all of it.",
        steps: &[
            "Place the drum kit as the drummer sees it: OH L's Pan well to the left and OH R's as \
             far to the right (around 80 % each way), the Hi-hat a little left, the toms from \
             left (Tom hi) to right (Tom lo).",
            "Leave the Kick, the Snare, the Bass and the Lead in the centre (double-click a pan \
             to centre it).",
            "Spread the band: the Guitar to one side, the Keys to the other, about halfway, so \
             they answer each other. The Shaker goes opposite the hi-hat.",
            "Listen with and without headphones. If the mix feels lopsided, bring the wide \
             tracks a little nearer the centre.",
            "The faders are still yours: panning changes how loud a track seems, so touch up \
             the balance if you need to.",
        ],
        start: super::balance::mix(),
        locks: vec!["gain_db", "pan", "width"],
        reference: mix(),
        goals: vec![
            Goal::new(
                "kit-wide",
                "The drum kit is spread across the stereo field by its overheads.",
                GoalKind::Width {
                    strip: StripRef::Bus("Drums".to_owned()),
                    min_percent: Some(5.0),
                    max_percent: Some(40.0),
                },
            ),
            Goal::new(
                "guitar-aside",
                "The guitar has its own place off the centre.",
                GoalKind::Width {
                    strip: StripRef::track("Guitar"),
                    min_percent: Some(15.0),
                    max_percent: None,
                },
            ),
            Goal::new(
                "keys-aside",
                "The keys have their own place off the centre.",
                GoalKind::Width {
                    strip: StripRef::track("Keys"),
                    min_percent: Some(15.0),
                    max_percent: None,
                },
            ),
            Goal::new(
                "kick-centre",
                "The kick stays in the centre.",
                GoalKind::Width {
                    strip: StripRef::track("Kick"),
                    min_percent: None,
                    max_percent: Some(5.0),
                },
            ),
            Goal::new(
                "bass-centre",
                "The bass stays in the centre.",
                GoalKind::Width {
                    strip: StripRef::track("Bass"),
                    min_percent: None,
                    max_percent: Some(5.0),
                },
            ),
            Goal::new(
                "low-end-mono",
                "The low end below 150 Hz is mono.",
                GoalKind::MonoBass {
                    below_hz: 150.0,
                    min_correlation: 0.9,
                },
            ),
            Goal::new(
                "mono-safe",
                "The mix still holds together in mono.",
                GoalKind::Correlation { min: 0.5 },
            ),
        ],
    }
    .build()
}
