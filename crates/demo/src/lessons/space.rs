//! Lesson 5: space with reverb and delay sends.

use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{set_each, Parts};

/// Lesson 4's mix with sends to the hall reverb (send 1) and the dotted-eighth delay (send 2).
pub(super) fn mix() -> Session {
    let mut mix = super::compression::mix();
    set_each(
        &mut mix,
        ParamId::send_db(0),
        &[
            ("Snare", -14.0),
            ("Guitar", -14.0),
            ("Keys", -16.0),
            ("Pad", -12.0),
            ("Lead", -12.0),
        ],
    );
    set_each(
        &mut mix,
        ParamId::send_db(1),
        &[("Lead", -18.0), ("Guitar", -24.0)],
    );
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "space",
        title: "5. Space: reverb and delay sends",
        introduction: "The demo is bone dry: every track sounds as if played into your ear. A \
                       reverb puts the band in a room; a delay gives the lead a trail. Both sit \
                       on returns, fed by each track's sends, so one reverb serves the whole \
                       band. The art is in how little: you should miss the reverb when it is \
                       gone, not notice it while it is there.",
        steps: &[
            "The Reverb return is a hall on Send 1; the Delay return is a dotted-eighth echo on \
             Send 2. Every send starts at −∞.",
            "Raise the Lead's Send 1 until the melody gains a hall around it (start near \
             −15 dB), then its Send 2 until you hear the echoes between its phrases.",
            "Give the Snare, the Guitar, the Keys and the Pad some Send 1 too: the pad can take \
             the most, the kick and the bass none (reverb on the low end turns to mud).",
            "Mute the Reverb return now and then: the mix should sound drier and closer, not \
             suddenly clearer. If it sounds clearer, the reverb is too loud.",
            "The Reverb and Delay faders set each return's level against the dry mix.",
        ],
        start: super::compression::mix(),
        locks: vec![
            "gain_db",
            "send1_db",
            "send1_pre",
            "send2_db",
            "send2_pre",
            "reverb_kind",
            "reverb_predelay_ms",
            "reverb_size",
            "reverb_decay_s",
            "reverb_damping",
            "reverb_width",
            "delay_time_ms",
            "delay_sync",
            "delay_feedback",
            "delay_high_cut_hz",
            "delay_ping_pong",
            "effect_bypass",
        ],
        reference: mix(),
        goals: vec![
            Goal::new(
                "reverb-there",
                "The reverb is heard, well under the dry mix.",
                GoalKind::ReturnLevel {
                    aux: StripRef::Return("Reverb".to_owned()),
                    min_db: Some(-28.0),
                    max_db: Some(-14.0),
                },
            ),
            Goal::new(
                "delay-there",
                "The delay is heard as a trail, well under the dry mix.",
                GoalKind::ReturnLevel {
                    aux: StripRef::Return("Delay".to_owned()),
                    min_db: Some(-32.0),
                    max_db: Some(-16.0),
                },
            ),
            Goal::new(
                "lead-in-front",
                "The lead stays in front of the mix, not lost in its reverb.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Lead"),
                    min_db: Some(-7.0),
                    max_db: None,
                },
            ),
            Goal::new(
                "bass-dry",
                "The low end stays mono and clear of reverb.",
                GoalKind::MonoBass {
                    below_hz: 150.0,
                    min_correlation: 0.9,
                },
            ),
        ],
    }
    .build()
}
