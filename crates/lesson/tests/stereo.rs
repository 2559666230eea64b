//! Width and correlation, from mid and side.

mod common;

use common::*;
use mixroom_protocol::lesson::GoalKind;
use mixroom_protocol::params::ParamId;

fn width(name: &str) -> GoalKind {
    GoalKind::Width {
        strip: track(name),
        min_percent: Some(30.0),
        max_percent: Some(80.0),
    }
}

#[test]
fn a_hard_panned_track_is_wide_and_a_centred_one_is_mono() {
    // Reference: hard left, l = x and r = 0, so mid = side = x/2: 100 %. Centred, l = r:
    // side is 0 (the pan law's cos and sin of π/4 differ by a rounding at most).
    let mut mix = session(&["Left", "Centre", "Stereo"], &[]);
    set(&mut mix, 0, ParamId::Pan, -1.0);
    let stereo = mixroom_dsp::Source::new(vec![pink(7, 0.05, 3.0), pink(8, 0.05, 3.0)]).unwrap();
    let sources = vec![
        mono(pink(5, 0.05, 3.0)),
        mono(pink(6, 0.05, 3.0)),
        Some(stereo),
    ];
    let lesson = lesson(
        &mix,
        vec![
            width("Left"),
            width("Centre"),
            width("Stereo"),
            GoalKind::Correlation { min: 0.5 },
            GoalKind::MonoBass {
                below_hz: 150.0,
                min_correlation: 0.9,
            },
        ],
    );
    let report = check(&lesson, &mix, sources);
    let left = measured(&report, 0);
    assert!((left - 100.0).abs() < 1e-3, "{left}");
    let centre = measured(&report, 1);
    assert!(centre < 1e-3, "{centre}");
    let wide = measured(&report, 2);
    assert!(
        (wide - 100.0).abs() < 3.0,
        "uncorrelated channels: side ≈ mid: {wide}"
    );
    assert!(result(&report, 0)
        .hint
        .contains("“Left” is 20 points too wide"));
    assert!(result(&report, 1)
        .hint
        .contains("“Centre” is 30 points too narrow"));
    // The master: uncorrelated noises of power p, one centred (p/2 in each channel, all of
    // it shared), one hard left (p in the left), one stereo (p in each): Σl² = 2.5p,
    // Σr² = 1.5p, Σlr = 0.5p, so r = 0.5/√3.75 = 0.258.
    let correlation = measured(&report, 3);
    let expected = 0.5 / 3.75_f64.sqrt();
    assert!(
        (correlation - expected).abs() < 0.02,
        "{correlation} vs {expected}"
    );
    let bass = measured(&report, 4);
    assert!(
        (bass - correlation).abs() < 0.1,
        "noise is alike in every band: {bass}"
    );
}

#[test]
fn correlation_is_one_for_mono_and_minus_one_out_of_phase() {
    // Reference: l = r gives Σlr/√(Σl²Σr²) = 1; a stereo source with r = −l gives −1, and
    // its width is all side (the cap, 1000 %).
    let noise = pink(9, 0.05, 2.0);
    let inverted: Vec<f32> = noise.iter().map(|x| -x).collect();
    let mix = session(&["Phase"], &[]);
    let goals = vec![
        GoalKind::Correlation { min: 0.0 },
        GoalKind::MonoBass {
            below_hz: 120.0,
            min_correlation: 0.5,
        },
        width("Phase"),
    ];
    let lesson = lesson(&mix, goals);
    let report = check(&lesson, &mix, vec![mono(noise.clone())]);
    assert!((measured(&report, 0) - 1.0).abs() < 1e-6);
    assert!((measured(&report, 1) - 1.0).abs() < 1e-6);
    let out_of_phase = mixroom_dsp::Source::new(vec![noise, inverted]).unwrap();
    let report = check(&lesson, &mix, vec![Some(out_of_phase)]);
    assert!((measured(&report, 0) + 1.0).abs() < 1e-6);
    assert!((measured(&report, 1) + 1.0).abs() < 1e-6);
    assert_eq!(measured(&report, 2), 1000.0);
    let hint = &result(&report, 0).hint;
    assert!(
        hint.contains("correlation is 1 too low") && hint.contains("polarity"),
        "{hint}"
    );
}
