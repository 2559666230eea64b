//! Shared fixtures for the engine tests (each test file uses a part of them).

#![allow(dead_code)]

use mixroom_dsp::{white_noise, Engine, Source, StereoBlock};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

pub const SAMPLE_RATE_HZ: f32 = 48_000.0;

/// White noise in −1..1.
pub fn noise(seed: u32, frames: usize) -> Vec<f32> {
    white_noise(seed, 1.0, frames)
}

/// A sine at `freq_hz` with amplitude `amp`.
pub fn sine(freq_hz: f32, amp: f32, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|i| amp * (std::f32::consts::TAU * freq_hz * i as f32 / SAMPLE_RATE_HZ).sin())
        .collect()
}

pub fn track(i: usize) -> StripIndex {
    StripIndex::track(i).unwrap()
}

/// Four tracks (two mono, two stereo) with distinct gains and pans, one muted, one soloed pair,
/// a loop region that wraps mid-block, playing from frame 0. Every processor runs: filters, gate,
/// EQ, compressors (one with look-ahead, so latency compensation works), a bus, sends to a
/// reverb and a delay return, the master's EQ, glue compressor and limiter.
pub fn busy_engine(max_frames: usize) -> Engine {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, max_frames);
    let frames = 12_000;
    let sources = [
        vec![sine(110.0, 0.8, frames)],
        vec![noise(7, frames), noise(8, frames)],
        vec![sine(660.0, 0.5, frames)],
        vec![sine(220.0, 0.4, frames), noise(9, frames)],
    ];
    for (i, channels) in sources.into_iter().enumerate() {
        engine.load_source(i, Some(Source::new(channels).unwrap()));
    }
    let set =
        |engine: &mut Engine, p: ParamId, s: StripIndex, v: f32| engine.set_param(p.slot(s), v);
    let (bus, reverb, delay) = (
        StripIndex::bus(0).unwrap(),
        StripIndex::aux_return(0).unwrap(),
        StripIndex::aux_return(1).unwrap(),
    );
    let master = StripIndex::MASTER;
    set(&mut engine, ParamId::GainDb, track(0), -3.0);
    set(&mut engine, ParamId::Pan, track(0), -0.6);
    set(&mut engine, ParamId::HpfMode, track(0), 2.0);
    set(&mut engine, ParamId::Eq2GainDb, track(0), 6.0);
    set(&mut engine, ParamId::CompBypass, track(0), 0.0);
    set(&mut engine, ParamId::CompLookaheadMs, track(0), 3.0);
    set(&mut engine, ParamId::Send1Db, track(0), -6.0);
    set(&mut engine, ParamId::GainDb, track(1), -12.0);
    set(&mut engine, ParamId::Pan, track(1), 0.4);
    set(&mut engine, ParamId::Output, track(1), 1.0);
    set(&mut engine, ParamId::GateBypass, track(1), 0.0);
    set(&mut engine, ParamId::GateThresholdDb, track(1), -20.0);
    set(&mut engine, ParamId::Send2Db, track(1), -3.0);
    set(&mut engine, ParamId::Width, track(1), 1.6);
    set(&mut engine, ParamId::Mute, track(2), 1.0);
    set(&mut engine, ParamId::GainDb, track(3), 2.5);
    set(&mut engine, ParamId::Pan, track(3), 1.0);
    set(&mut engine, ParamId::Output, track(3), 1.0);
    set(&mut engine, ParamId::InsertOrder, track(3), 1.0);
    set(&mut engine, ParamId::Eq4GainDb, track(3), -8.0);
    set(&mut engine, ParamId::CompBypass, bus, 0.0);
    set(&mut engine, ParamId::Send1Db, bus, -10.0);
    set(&mut engine, ParamId::ReverbDecayS, reverb, 1.2);
    set(&mut engine, ParamId::ReturnEffect, delay, 2.0);
    set(&mut engine, ParamId::DelayTimeMs, delay, 90.0);
    set(&mut engine, ParamId::Eq1GainDb, master, 2.0);
    set(&mut engine, ParamId::CompBypass, master, 0.0);
    set(&mut engine, ParamId::GainDb, master, 3.0);
    engine.reset();
    engine.transport_mut().set_loop(true, 1_001, 7_013);
    engine.transport_mut().play();
    engine
}

/// Renders `frames` frames in blocks of `block` frames.
pub fn render_blocks(engine: &mut Engine, frames: usize, block: usize) -> [Vec<f32>; 2] {
    let (mut left, mut right) = (vec![0.0; frames], vec![0.0; frames]);
    for (l, r) in left.chunks_mut(block).zip(right.chunks_mut(block)) {
        engine.process(&mut StereoBlock::new(l, r));
    }
    [left, right]
}

/// Largest absolute difference between two renders.
pub fn max_difference(a: &[Vec<f32>; 2], b: &[Vec<f32>; 2]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f32::max)
}
