//! Lesson 6: mastering for streaming.

use mixroom_protocol::lesson::{Curve, Goal, GoalKind, Lesson};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{set, Parts};

/// Lesson 5's mix as a mix arrives at mastering: the master limiter off and 4 dB of headroom
/// left on the master fader.
pub(super) fn start() -> Session {
    let mut mix = super::space::mix();
    set(&mut mix, "master", ParamId::LimiterBypass, 1.0);
    set(&mut mix, "master", ParamId::GainDb, -4.0);
    mix
}

/// The start mastered: the master fader up into the limiter, its ceiling at −1 dBTP.
pub(super) fn mix() -> Session {
    let mut mix = start();
    set(&mut mix, "master", ParamId::LimiterBypass, 0.0);
    set(&mut mix, "master", ParamId::LimiterCeilingDbtp, -1.0);
    set(&mut mix, "master", ParamId::GainDb, 1.5);
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "mastering",
        title: "6. Mastering for streaming",
        introduction: "Streaming services play every song at about the same loudness, −14 LUFS \
                       integrated, turning louder masters down. So there is nothing to win by \
                       squashing a mix, and something to lose: a master at −14 LUFS with its \
                       peaks intact sounds better than one crushed to −8 and turned down. The \
                       true peak must stay at or below −1 dBTP, so the lossy encoders downstream \
                       do not clip. And the whole mix should have a balanced tone: no band \
                       sticking out or missing.",
        steps: &[
            "Set the master's loudness target to streaming (−14 LUFS / −1 dBTP) and play the \
             whole song: the integrated loudness reading needs a full play to settle.",
            "Switch the master limiter on (untick Limiter bypass) and set its Limiter ceiling \
             to −1 dBTP.",
            "Raise the master Fader until the integrated loudness reads about −14 LUFS. The \
             limiter catches the peaks; if it works hard all the time, the mix is too loud.",
            "Look at the master's spectrum: if a region sticks out or is missing, shape it \
             gently with the master EQ (a dB or two), or better, on the tracks that cause it.",
            "Play the whole song once more from the start and read the integrated loudness and \
             the true peak at the end.",
        ],
        start: start(),
        locks: Vec::new(),
        reference: mix(),
        goals: vec![
            Goal::new(
                "streaming-loudness",
                "The master is at −14 LUFS integrated, within 1 LU.",
                GoalKind::Loudness {
                    min_lufs: Some(-15.0),
                    max_lufs: Some(-13.0),
                },
            ),
            Goal::new(
                "true-peak",
                "The true peak stays at or below −1 dBTP.",
                GoalKind::TruePeak { max_dbtp: -1.0 },
            ),
            Goal::new(
                "not-squashed",
                "The peaks keep at least 8 dB above the loudness: the limiter is not crushing it.",
                GoalKind::Crest {
                    min_db: Some(8.0),
                    max_db: None,
                },
            ),
            Goal::new(
                "tonal-balance",
                "The tone stays the mix's: within 3 dB of the reference master in every third \
                 octave.",
                GoalKind::TonalBalance {
                    curve: Curve::Reference,
                    tolerance_db: 3.0,
                },
            ),
        ],
    }
    .build()
}
