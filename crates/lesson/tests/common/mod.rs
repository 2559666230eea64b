//! Synthetic mixes for the measurement tests: sines and noise as engine sources, sessions of
//! named tracks, lessons of one goal.

#![allow(dead_code)] // each test file uses its own part of this module

use mixroom_dsp::{white_noise, Source};
use mixroom_lesson::{Checker, GoalResult, Report};
use mixroom_protocol::lesson::{Goal, GoalKind, Lesson, Reference, StripRef, LESSON_VERSION};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::{self, NamedStrip, Session, Strip, Track, Transport};

/// The sample rate of every test, Hz.
pub const FS: f32 = 48_000.0;

/// `seconds` of a sine at `hz` with peak `amplitude`.
pub fn sine(hz: f64, amplitude: f32, seconds: f64) -> Vec<f32> {
    let frames = (seconds * f64::from(FS)) as usize;
    (0..frames)
        .map(|n| {
            let phase = std::f64::consts::TAU * hz * n as f64 / f64::from(FS);
            amplitude * phase.sin() as f32
        })
        .collect()
}

/// `seconds` of pink-ish noise (white noise from `seed` through P. Kellet's three-pole
/// "economy" pinking filter, −3 dB per octave within ±0.5 dB from 40 Hz up), scaled to an RMS
/// level of `rms` (linear).
pub fn pink(seed: u32, rms: f32, seconds: f64) -> Vec<f32> {
    let frames = (seconds * f64::from(FS)) as usize;
    let (mut b0, mut b1, mut b2) = (0.0_f32, 0.0_f32, 0.0_f32);
    let pinked: Vec<f32> = white_noise(seed, 1.0, frames)
        .into_iter()
        .map(|w| {
            b0 = 0.99765 * b0 + w * 0.099_046;
            b1 = 0.96300 * b1 + w * 0.296_516_4;
            b2 = 0.57000 * b2 + w * 1.052_691_3;
            b0 + b1 + b2 + w * 0.1848
        })
        .collect();
    let mean_square = pinked.iter().map(|x| f64::from(x * x)).sum::<f64>() / frames as f64;
    let gain = f64::from(rms) / mean_square.sqrt();
    pinked
        .into_iter()
        .map(|x| (f64::from(x) * gain) as f32)
        .collect()
}

/// [`pink`] scaled so that, centred in a mix (−3 dB in each channel), it measures `lufs`
/// integrated (mixroom-dsp's meter): two of them are equally loud whatever their seeds.
pub fn pink_at(seed: u32, lufs: f32, seconds: f64) -> Vec<f32> {
    let noise = pink(seed, 0.05, seconds);
    let centred: Vec<f32> = noise
        .iter()
        .map(|x| x * std::f32::consts::FRAC_1_SQRT_2)
        .collect();
    let mut meter = mixroom_dsp::LoudnessMeter::new();
    meter.prepare(FS);
    meter.process(&centred, &centred);
    let gain = 10f32.powf((lufs - meter.integrated_lufs()) / 20.0);
    noise.into_iter().map(|x| x * gain).collect()
}

/// A mono source.
pub fn mono(samples: Vec<f32>) -> Option<Source> {
    Some(Source::new(vec![samples]).unwrap())
}

/// A session of tracks with these names (all at their defaults) and these returns.
pub fn session(tracks: &[&str], returns: &[&str]) -> Session {
    Session {
        version: session::SESSION_VERSION,
        tracks: tracks
            .iter()
            .map(|name| Track {
                name: (*name).to_owned(),
                source: session::Source::Demo(name.to_lowercase()),
                color: None,
                strip: Strip::default(),
            })
            .collect(),
        buses: Vec::new(),
        returns: returns
            .iter()
            .map(|name| NamedStrip {
                name: (*name).to_owned(),
                color: None,
                strip: Strip::default(),
            })
            .collect(),
        master: Strip::default(),
        transport: Transport::default(),
    }
}

/// Sets `param` of track `track`.
pub fn set(mix: &mut Session, track: usize, param: ParamId, value: f32) {
    mix.tracks[track].strip.set(param, value);
}

/// A lesson starting from `start` with these goals (ids "g0", "g1", …).
pub fn lesson(start: &Session, kinds: Vec<GoalKind>) -> Lesson {
    Lesson {
        version: LESSON_VERSION,
        id: "test".into(),
        title: "Test".into(),
        introduction: String::new(),
        steps: Vec::new(),
        start: start.clone(),
        locks: None,
        reference: None,
        goals: kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Goal {
                id: format!("g{i}"),
                text: format!("Goal {i}."),
                kind,
            })
            .collect(),
    }
}

/// A lesson whose reference is the mix `reference`.
pub fn with_reference(mut lesson: Lesson, reference: &Session) -> Lesson {
    lesson.reference = Some(Reference::Mix(reference.clone()));
    lesson
}

/// Checks `lesson` against `mix` playing `sources`, in one go.
pub fn check(lesson: &Lesson, mix: &Session, sources: Vec<Option<Source>>) -> Report {
    Checker::new(lesson, mix, sources, FS).unwrap().finish()
}

/// The result of goal `i`, printed (the figures the tests assert, for the record).
pub fn result(report: &Report, i: usize) -> &GoalResult {
    let result = report.goal(&format!("g{i}")).unwrap();
    println!(
        "{}: measured {:?} {} (target {}), passed {}: {}",
        result.id, result.measured, result.unit, result.target, result.passed, result.hint
    );
    result
}

/// The measured value of goal `i`.
pub fn measured(report: &Report, i: usize) -> f64 {
    result(report, i).measured.expect("measured")
}

/// A track strip by name.
pub fn track(name: &str) -> StripRef {
    StripRef::Track(name.to_owned())
}
