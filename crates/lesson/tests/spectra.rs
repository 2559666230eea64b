//! Masking in critical bands and tonal balance in third octaves.

mod common;

use common::*;
use mixroom_protocol::lesson::{Curve, GoalKind};
use mixroom_protocol::params::{EqField, ParamId};

fn masking() -> GoalKind {
    GoalKind::Masking {
        a: track("Bass"),
        b: track("Kick"),
        max_percent: 40.0,
    }
}

#[test]
fn tones_far_apart_do_not_mask_and_the_same_noise_masks_fully() {
    // Reference: the definition (the share of the maskee's loud energy in cells where the
    // masker is within 6 dB of it or above): a 2 kHz sine masks nothing of a 60 Hz one (no
    // critical band in common, 0 %); the same noise on two tracks masks all of it (100 %).
    let mix = session(&["Bass", "Kick"], &[]);
    let lesson = lesson(&mix, vec![masking()]);
    let apart = vec![mono(sine(60.0, 0.1, 3.0)), mono(sine(2000.0, 0.1, 3.0))];
    let report = check(&lesson, &mix, apart);
    let apart = measured(&report, 0);
    assert!(apart < 0.01, "{apart}");
    assert!(result(&report, 0).passed);
    let noise = pink(3, 0.05, 3.0);
    let report = check(&lesson, &mix, vec![mono(noise.clone()), mono(noise)]);
    let same = measured(&report, 0);
    assert!((same - 100.0).abs() < 1e-9, "{same}");
    let hint = &result(&report, 0).hint;
    assert!(
        hint.starts_with("“Kick” masks 100% of the loud energy of “Bass” (at most 40%)")
            && hint.contains("cut “Kick” around"),
        "{hint}"
    );
}

#[test]
fn a_bass_and_a_kick_in_the_same_band_mask_each_other() {
    // Reference: two different noises low-passed alike are about as loud in every cell
    // (within the 6 dB margin): the kick masks most of the bass; a 2 kHz tone is masked by
    // none of the kick. Cutting the kick by 10 dB unmasks the bass.
    let mut mix = session(&["Bass", "Kick", "Tone"], &[]);
    for t in 0..2 {
        set(&mut mix, t, ParamId::LpfMode, 2.0);
        set(&mut mix, t, ParamId::LpfHz, 300.0);
    }
    let lesson = lesson(
        &mix,
        vec![
            masking(),
            GoalKind::Masking {
                a: track("Tone"),
                b: track("Kick"),
                max_percent: 40.0,
            },
        ],
    );
    let sources = vec![
        mono(pink(1, 0.05, 3.0)),
        mono(pink(2, 0.05, 3.0)),
        mono(sine(2000.0, 0.05, 3.0)),
    ];
    let report = check(&lesson, &mix, sources.clone());
    let low = measured(&report, 0);
    assert!(low > 90.0, "{low}");
    assert!(measured(&report, 1) < 0.01);
    set(&mut mix, 1, ParamId::GainDb, -10.0);
    let report = check(&lesson, &mix, sources);
    let cut = measured(&report, 0);
    assert!(cut < 10.0, "{cut}");
}

/// Sets master EQ band 1 to a bell of `gain_db` at 1 kHz, Q 1.4.
fn master_bell(mix: &mut mixroom_protocol::session::Session, gain_db: f32) {
    mix.master.set(ParamId::eq(0, EqField::Type), 0.0);
    mix.master.set(ParamId::eq(0, EqField::Hz), 1000.0);
    mix.master.set(ParamId::eq(0, EqField::Q), 1.4);
    mix.master.set(ParamId::eq(0, EqField::GainDb), gain_db);
}

#[test]
fn tonal_balance_against_the_reference_finds_a_boost() {
    // Reference: the student's mix equal to the teacher's deviates by 0 dB in every band; a
    // +6 dB bell at 1 kHz on the student's master shows at 1 kHz, a little under +6 dB once
    // the spectrum is loudness-normalized (the boost raises the loudness too).
    let reference = session(&["Noise"], &[]);
    let tonal = GoalKind::TonalBalance {
        curve: Curve::Reference,
        tolerance_db: 3.0,
    };
    let lesson = with_reference(lesson(&reference, vec![tonal]), &reference);
    let noise = || vec![mono(pink(4, 0.05, 3.0))];
    let report = check(&lesson, &reference, noise());
    assert_eq!(measured(&report, 0), 0.0);
    assert!(result(&report, 0).passed);
    let mut boosted = reference.clone();
    master_bell(&mut boosted, 6.0);
    let report = check(&lesson, &boosted, noise());
    let deviation = measured(&report, 0);
    assert!(deviation > 4.0 && deviation < 6.0, "{deviation}");
    let hint = &result(&report, 0).hint;
    assert!(hint.contains("too strong around 1 kHz"), "{hint}");
    assert_eq!(result(&report, 0).target, "within ±3 dB of the curve");
}

#[test]
fn tonal_balance_against_the_neutral_curve() {
    // Reference: the neutral curve itself (crate::curve::NEUTRAL_DB): pink noise is flat in
    // third octaves, so it deviates most where the curve is furthest from flat after
    // normalization, the top band (16 kHz), by more than 10 dB; a lesson without a reference
    // cannot compare with one.
    let mix = session(&["Noise"], &[]);
    let goals = vec![
        GoalKind::TonalBalance {
            curve: Curve::Neutral,
            tolerance_db: 4.0,
        },
        GoalKind::TonalBalance {
            curve: Curve::Reference,
            tolerance_db: 4.0,
        },
    ];
    let lesson = lesson(&mix, goals);
    let report = check(&lesson, &mix, vec![mono(pink(6, 0.05, 3.0))]);
    let deviation = measured(&report, 0);
    assert!(deviation > 10.0, "{deviation}");
    assert!(result(&report, 0).hint.contains("too strong around 16 kHz"));
    let no_reference = result(&report, 1);
    assert!(no_reference.measured.is_none() && !no_reference.passed);
    assert!(no_reference.hint.contains("reference"));
}

#[test]
fn a_reference_recording_of_the_same_mix_matches_it() {
    // Reference: the recording is the student's own render, so its spectrum is the mix's:
    // 0 dB from the curve. The reference mix's tracks are matched by their audio, whatever
    // their order or names.
    use mixroom_protocol::lesson::{Recording, Reference};
    let mut mix = session(&["Low", "High"], &[]);
    set(&mut mix, 1, ParamId::GainDb, -9.0);
    let sources = || vec![mono(pink(1, 0.05, 2.0)), mono(sine(3000.0, 0.05, 2.0))];
    let tonal = GoalKind::TonalBalance {
        curve: Curve::Reference,
        tolerance_db: 1.0,
    };
    let mut lesson = lesson(&mix, vec![tonal]);
    lesson.reference = Some(Reference::Recording(Recording::Url(
        "https://example.com/r.ogg".into(),
    )));
    let checker = mixroom_lesson::Checker::new(&lesson, &mix, sources(), FS).unwrap();
    assert!(checker.needs_reference_recording());
    let [left, right] = mixroom_dsp::render(&mix, sources(), FS, checker.render_frames(), 128);
    let recording = mixroom_dsp::Source::new(vec![left, right]).unwrap();
    let report = checker.with_reference_recording(recording).finish();
    assert_eq!(measured(&report, 0), 0.0);

    let mut reordered = mix.clone();
    reordered.tracks.reverse();
    reordered.tracks[1].name = "Renamed".into();
    let lesson = with_reference(lesson, &reordered);
    let checker = mixroom_lesson::Checker::new(&lesson, &mix, sources(), FS).unwrap();
    assert!(!checker.needs_reference_recording());
    let report = check(&lesson, &mix, sources());
    let deviation = measured(&report, 0);
    assert!(deviation < 1e-6, "{deviation}");
}
