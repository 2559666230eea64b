//! Levels: loudness against mixroom-dsp's own meters, contributions against the rest.

mod common;

use common::*;
use mixroom_dsp::{render, LoudnessMeter, TruePeakMeter};
use mixroom_lesson::Checker;
use mixroom_protocol::lesson::{GoalKind, StripRef};
use mixroom_protocol::params::ParamId;

#[test]
fn loudness_range_and_true_peak_are_the_meters_readings_of_the_same_render() {
    // Reference: mixroom-dsp's LoudnessMeter and TruePeakMeter run over mixroom_dsp::render of
    // the same session for the same frames (the engine's master meters are those meters).
    let mut mix = session(&["Noise", "Tone"], &[]);
    set(&mut mix, 1, ParamId::Pan, 0.6);
    let sources = || {
        let mut swell = pink(3, 0.08, 8.0);
        for (n, x) in swell.iter_mut().enumerate() {
            *x *= (n as f32 / 384_000.0).min(1.0);
        }
        vec![mono(swell), mono(sine(440.0, 0.2, 6.0))]
    };
    let goals = vec![
        GoalKind::Loudness {
            min_lufs: Some(-16.0),
            max_lufs: Some(-12.0),
        },
        GoalKind::LoudnessRange {
            min_lu: None,
            max_lu: Some(20.0),
        },
        GoalKind::TruePeak { max_dbtp: -1.0 },
        GoalKind::Crest {
            min_db: Some(6.0),
            max_db: None,
        },
    ];
    let lesson = lesson(&mix, goals);
    let checker = Checker::new(&lesson, &mix, sources(), FS).unwrap();
    let frames = checker.render_frames();
    let report = checker.finish();

    let [left, right] = render(&mix, sources(), FS, frames, 128);
    let mut loudness = LoudnessMeter::new();
    loudness.prepare(FS);
    loudness.process(&left, &right);
    let mut true_peak = TruePeakMeter::new();
    true_peak.prepare(FS);
    let peak = true_peak.process(&left, &right);
    let peak_dbtp = 20.0 * f64::from(peak[0].max(peak[1])).log10();

    let integrated = f64::from(loudness.integrated_lufs());
    assert_eq!(measured(&report, 0), integrated, "bit for bit");
    assert_eq!(
        measured(&report, 1),
        f64::from(loudness.loudness_range_lu())
    );
    assert_eq!(measured(&report, 2), peak_dbtp);
    assert_eq!(measured(&report, 3), peak_dbtp - integrated);
    assert_eq!(result(&report, 0).target, "−16 to −12 LUFS");
    println!("integrated {integrated:.2} LUFS, true peak {peak_dbtp:.2} dBTP");
}

#[test]
fn a_track_6_db_down_measures_6_db_under_the_rest() {
    // Reference: two uncorrelated pink noises equally loud (−20 LUFS each, by mixroom-dsp's
    // meter), one faded 6 dB: each contribution against the rest differs by the fader, ±0.1 dB.
    let mut mix = session(&["Bed", "Lead"], &[]);
    set(&mut mix, 1, ParamId::GainDb, -6.0);
    let sources = vec![mono(pink_at(1, -20.0, 6.0)), mono(pink_at(2, -20.0, 6.0))];
    let lesson = lesson(
        &mix,
        vec![
            GoalKind::RelativeLevel {
                strip: track("Lead"),
                min_db: Some(2.0),
                max_db: Some(6.0),
            },
            GoalKind::RelativeLevel {
                strip: track("Bed"),
                min_db: None,
                max_db: Some(3.0),
            },
        ],
    );
    let report = check(&lesson, &mix, sources);
    let lead = measured(&report, 0);
    assert!((lead + 6.0).abs() < 0.1, "{lead}");
    let bed = measured(&report, 1);
    assert!((bed - 6.0).abs() < 0.1, "{bed}");
    let lead = result(&report, 0);
    assert!(!lead.passed && lead.target == "2 to 6 dB");
    assert!(lead.hint.starts_with("“Lead” is 8") && lead.hint.contains("raise its fader"));
    assert!(result(&report, 1).hint.contains("“Bed” is 3 dB too loud"));
}

#[test]
fn band_balance_reads_the_fader_in_every_band() {
    // Reference: the same noise on two tracks, one faded 6 dB: each contribution is that track
    // alone, so in any band the first is 6.0 dB over the second (20·log10 of the fader's gain).
    let mut mix = session(&["Bass", "Kick"], &[]);
    set(&mut mix, 1, ParamId::GainDb, -6.0);
    let noise = pink(5, 0.05, 4.0);
    let band = |low_hz, high_hz| GoalKind::BandBalance {
        a: track("Bass"),
        b: track("Kick"),
        low_hz,
        high_hz,
        min_db: None,
        max_db: Some(2.0),
    };
    let lesson = lesson(&mix, vec![band(40.0, 120.0), band(2000.0, 4000.0)]);
    let report = check(&lesson, &mix, vec![mono(noise.clone()), mono(noise)]);
    for i in 0..2 {
        let db = measured(&report, i);
        assert!((db - 6.0).abs() < 0.01, "{db}");
    }
    let low = result(&report, 0);
    assert_eq!(
        low.hint,
        "“Bass” is 4 dB too loud against “Kick” in 40–120 Hz: pull “Bass” down or cut it around \
         69 Hz"
    );
    assert!(
        result(&report, 1).hint.contains("in 2–4 kHz")
            && result(&report, 1).hint.contains("2.8 kHz")
    );
}

#[test]
fn a_return_is_measured_against_the_dry_mix() {
    // Reference: a dry return (no effect) fed by a send at −10 dB, post-fader, from the only
    // track: it adds the same noise 10 dB down, so the return's contribution (the mix minus
    // the mix without it) sits 10 dB under the dry mix.
    let mut mix = session(&["Vox"], &["Reverb"]);
    set(&mut mix, 0, ParamId::Send1Db, -10.0);
    mix.returns[0].strip.set(ParamId::ReturnEffect, 0.0);
    let lesson = lesson(
        &mix,
        vec![GoalKind::ReturnLevel {
            aux: StripRef::Return("Reverb".into()),
            min_db: Some(-20.0),
            max_db: Some(-12.0),
        }],
    );
    let report = check(&lesson, &mix, vec![mono(pink(4, 0.06, 4.0))]);
    let level = measured(&report, 0);
    assert!((level + 10.0).abs() < 0.05, "{level}");
    assert!(result(&report, 0)
        .hint
        .contains("“Reverb” is 2 dB too loud against the dry mix"));
}
