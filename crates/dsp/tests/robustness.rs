//! Bad values never poison the engine, and parameter jumps never step.

mod common;

use common::*;
use mixroom_dsp::{Engine, Source, StereoBlock};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

#[test]
fn nan_and_inf_parameters_are_refused_and_output_stays_finite() {
    let mut engine = busy_engine(128);
    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        for param in [ParamId::GainDb, ParamId::Pan, ParamId::Mute, ParamId::Solo] {
            engine.set_param(param.slot(track(1)), value);
        }
        engine.set_param(ParamId::GainDb.slot(StripIndex::MASTER), value);
        let out = render_blocks(&mut engine, 1_024, 128);
        assert!(out.iter().flatten().all(|x| x.is_finite()));
    }
}

#[test]
fn nan_samples_in_a_source_come_out_as_silence_not_poison() {
    let mut samples = sine(440.0, 0.5, 4_800);
    samples[100] = f32::NAN;
    samples[2_000] = f32::INFINITY;
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    engine.load_source(0, Some(Source::new(vec![samples]).unwrap()));
    engine.transport_mut().play();
    let out = render_blocks(&mut engine, 4_800, 128);
    let latency = engine.latency_frames();
    assert!(out.iter().flatten().all(|x| x.is_finite()));
    assert_eq!(out[0][100 + latency], 0.0);
    assert!(out[0][101 + latency].abs() > 0.0);
}

#[test]
fn fader_and_mute_jumps_ramp_without_steps() {
    // A 0 dB DC track: jump the fader from silence to +12 dB, then mute; the largest change from
    // one sample to the next must be one ramp step, never a jump.
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    engine.load_source(0, Some(Source::new(vec![vec![0.5; 48_000]]).unwrap()));
    engine.set_param(ParamId::GainDb.slot(track(0)), -100.0);
    // Measure the strip itself: no limiter reshaping the ramp (its latency stays).
    engine.set_param(ParamId::LimiterBypass.slot(StripIndex::MASTER), 1.0);
    engine.reset();
    engine.transport_mut().play();
    let mut left: Vec<f32> = Vec::new();
    let mut block = |engine: &mut Engine| {
        let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
        left.extend(l);
    };
    block(&mut engine);
    engine.set_param(ParamId::GainDb.slot(track(0)), 12.0);
    for _ in 0..20 {
        block(&mut engine);
    }
    engine.set_param(ParamId::Mute.slot(track(0)), 1.0);
    for _ in 0..20 {
        block(&mut engine);
    }
    let latency = engine.latency_frames();
    let left = left.split_off(latency);
    let pan = std::f32::consts::FRAC_1_SQRT_2;
    let top = 0.5 * 10f32.powf(12.0 / 20.0) * pan;
    let fader_step = top / 960.0; // 20 ms ramp at 48 kHz
    let mute_step = top / 480.0; // 10 ms ramp
    let max_step = left
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    assert!(
        max_step <= mute_step.max(fader_step) * 1.001,
        "step {max_step}"
    );
    assert!((left[128 + 960 + 10] - top).abs() < 1e-5, "reaches +12 dB");
    assert_eq!(*left.last().unwrap(), 0.0, "mute lands on exact silence");
}
