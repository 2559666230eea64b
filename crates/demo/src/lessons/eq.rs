//! Lesson 3: EQ to unmask: the kick against the bass, the mud out of the pad.

use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;

use super::{eq, set, Parts};

/// Lesson 2's mix with the pad's low mids boosted, as a heavy-handed first try leaves them: a
/// wide bell of +6 dB at 300 Hz.
pub(super) fn start() -> Session {
    let mut mix = super::stereo::mix();
    eq(&mut mix, "Pad", 2, "bell", 300.0, 6.0, 0.8);
    mix
}

/// The start unmasked: the pad's boost turned into a cut and its lows filtered out, the bass
/// making room for the kick's thump and the kick for the bass's body, guitar and keys
/// high-passed out of the low end.
pub(super) fn mix() -> Session {
    let mut mix = start();
    eq(&mut mix, "Pad", 2, "bell", 300.0, -4.0, 1.0);
    set(&mut mix, "Pad", ParamId::HpfMode, 1.0);
    set(&mut mix, "Pad", ParamId::HpfHz, 180.0);
    eq(&mut mix, "Kick", 1, "bell", 50.0, 3.0, 1.4);
    eq(&mut mix, "Kick", 2, "bell", 100.0, -4.0, 1.4);
    eq(&mut mix, "Bass", 1, "bell", 50.0, -5.0, 1.4);
    eq(&mut mix, "Bass", 2, "bell", 100.0, 3.0, 1.4);
    for name in ["Guitar", "Keys"] {
        set(&mut mix, name, ParamId::HpfMode, 1.0);
        set(&mut mix, name, ParamId::HpfHz, 140.0);
    }
    mix
}

pub(super) fn lesson() -> Lesson {
    Parts {
        id: "eq-unmask",
        title: "3. EQ to unmask: kick against bass, mud in the pad",
        introduction: "Two tracks that play in the same frequencies mask each other: each makes \
                       the other harder to hear, and the mix turns to mud. Here the kick and \
                       the bass fight below 120 Hz, and someone has boosted the pad's low mids \
                       around 300 Hz, where the guitar and keys live too. EQ gives each its own \
                       room: cut where a track is in the way, rather than boost where it is lost.",
        steps: &[
            "Select the Pad (click its strip) and look at its EQ curve over the live spectrum: \
             EQ 2 is a wide boost at 300 Hz. Drag it down below 0 dB (a few dB of cut), and \
             turn on the High-pass around 150–200 Hz: the pad needs no low end here.",
            "Solo the Kick and the Bass together. Find the kick's thump (around 50–70 Hz): \
             give the Kick a small boost there with its EQ 1 and cut the Bass by about as much \
             at the same frequency.",
            "Give the bass its own band instead, a little higher (around 100–120 Hz): a small \
             boost on the Bass and a small cut on the Kick there.",
            "High-pass the Guitar and the Keys around 120–150 Hz: below that they add only mud.",
            "Unsolo and listen to the whole mix: the kick and the bass should both be clear, \
             the low mids open. If a track now sounds thin, you cut too much.",
        ],
        start: start(),
        locks: vec![
            "gain_db",
            "pan",
            "width",
            "hpf_mode",
            "hpf_hz",
            "lpf_mode",
            "lpf_hz",
            "eq1_type",
            "eq1_hz",
            "eq1_gain_db",
            "eq1_q",
            "eq1_bypass",
            "eq2_type",
            "eq2_hz",
            "eq2_gain_db",
            "eq2_q",
            "eq2_bypass",
            "eq3_type",
            "eq3_hz",
            "eq3_gain_db",
            "eq3_q",
            "eq3_bypass",
            "eq4_type",
            "eq4_hz",
            "eq4_gain_db",
            "eq4_q",
            "eq4_bypass",
            "eq_bypass",
        ],
        reference: mix(),
        goals: vec![
            Goal::new(
                "kick-owns-thump",
                "The kick owns the thump: it is well above the bass in 40–63 Hz.",
                GoalKind::BandBalance {
                    a: StripRef::track("Kick"),
                    b: StripRef::track("Bass"),
                    low_hz: 40.0,
                    high_hz: 63.0,
                    min_db: Some(5.0),
                    max_db: None,
                },
            ),
            Goal::new(
                "kick-unmasked",
                "The bass makes room for the kick: it masks at most 30% of the kick's loud \
                 energy.",
                GoalKind::Masking {
                    a: StripRef::track("Kick"),
                    b: StripRef::track("Bass"),
                    max_percent: 30.0,
                },
            ),
            Goal::new(
                "bass-owns-body",
                "The bass owns the body: it is at least as strong as the kick in 80–125 Hz.",
                GoalKind::BandBalance {
                    a: StripRef::track("Bass"),
                    b: StripRef::track("Kick"),
                    low_hz: 80.0,
                    high_hz: 125.0,
                    min_db: Some(0.0),
                    max_db: None,
                },
            ),
            Goal::new(
                "pad-not-muddy",
                "The pad does not muddy the low mids: it is below the guitar in 200–500 Hz.",
                GoalKind::BandBalance {
                    a: StripRef::track("Pad"),
                    b: StripRef::track("Guitar"),
                    low_hz: 200.0,
                    high_hz: 500.0,
                    min_db: None,
                    max_db: Some(0.0),
                },
            ),
            Goal::new(
                "pad-still-there",
                "The pad is still heard: EQ, not the fader, made the room.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Pad"),
                    min_db: Some(-22.0),
                    max_db: None,
                },
            ),
            Goal::new(
                "bass-still-there",
                "The bass still carries the low end.",
                GoalKind::RelativeLevel {
                    strip: StripRef::track("Bass"),
                    min_db: Some(-10.0),
                    max_db: None,
                },
            ),
        ],
    }
    .build()
}
