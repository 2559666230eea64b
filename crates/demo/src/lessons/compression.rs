//! Lesson 4: compression for a steady bass and lead.

use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{set_each, Parts};

/// Lesson 3's mix with the bass and the lead compressed: a few dB of gain reduction, made up
/// with the compressor's makeup gain.
pub(super) fn mix() -> Session {
    let mut mix = super::eq::mix();
    for (name, threshold, ratio, attack, release, makeup) in [
        ("Bass", -18.0, 4.0, 10.0, 120.0, 5.0),
        ("Lead", -27.0, 3.0, 5.0, 150.0, 3.0),
    ] {
        set_each(&mut mix, ParamId::CompBypass, &[(name, 0.0)]);
        set_each(&mut mix, ParamId::CompThresholdDb, &[(name, threshold)]);
        set_each(&mut mix, ParamId::CompRatio, &[(name, ratio)]);
        set_each(&mut mix, ParamId::CompAttackMs, &[(name, attack)]);
        set_each(&mut mix, ParamId::CompReleaseMs, &[(name, release)]);
        set_each(&mut mix, ParamId::CompMakeupDb, &[(name, makeup)]);
    }
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "compression",
        title: "4. Compression: a steady bass and lead",
        introduction: "A compressor turns a track down while it is loud, so its level stays \
                       steady and it sits in the same place all song long. The bass's notes and \
                       the lead's phrases jump in level; a few dB of compression holds them in \
                       place. Too much, and they lose their life: aim for a gain-reduction meter \
                       that moves a few dB, not one that stays pinned.",
        steps: &[
            "Select the Bass and switch its compressor on (untick Compressor bypass).",
            "Set the Compressor ratio to about 4:1, the attack around 10 ms and the release \
             around 100 ms.",
            "Lower the Compressor threshold while the bass plays until the gain-reduction meter \
             shows about 3 to 6 dB on the loud notes.",
            "Raise the Compressor makeup by about the gain it takes away, so the bass is as loud \
             as before (bypass it on and off to compare at the same level).",
            "Do the same on the Lead, more gently: a ratio around 3:1, a few dB of reduction on \
             its loudest notes, and makeup to keep it on top.",
        ],
        start: super::eq::mix(),
        locks: vec![
            "gain_db",
            "comp_threshold_db",
            "comp_ratio",
            "comp_knee_db",
            "comp_attack_ms",
            "comp_release_ms",
            "comp_makeup_db",
            "comp_auto_makeup",
            "comp_detection",
            "comp_sc_hpf_hz",
            "comp_lookahead_ms",
            "comp_bypass",
        ],
        reference: mix(),
        goals: vec![
            Goal::new(
                "bass-compressed",
                "The bass is compressed by 2 to 8 dB on average while it plays.",
                GoalKind::GainReduction {
                    strip: StripRef::track("Bass"),
                    min_db: Some(2.0),
                    max_db: Some(8.0),
                },
            ),
            Goal::new(
                "lead-compressed",
                "The lead is compressed by 1 to 6 dB on average while it plays.",
                GoalKind::GainReduction {
                    strip: StripRef::track("Lead"),
                    min_db: Some(1.0),
                    max_db: Some(6.0),
                },
            ),
            Goal::new(
                "bass-level-kept",
                "The bass keeps its place in the balance (makeup gain).",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Bass"),
                    min_db: Some(-10.0),
                    max_db: Some(-4.0),
                },
            ),
            Goal::new(
                "lead-level-kept",
                "The lead stays on top (makeup gain).",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Lead"),
                    min_db: Some(-7.0),
                    max_db: Some(-1.0),
                },
            ),
        ],
    }
    .build()
}
