//! Paths of different latency line up at the master: an impulse that reaches the master
//! directly, through a bus and through a send and return comes out as ONE impulse, not a comb.

mod common;

use common::*;
use mixroom_dsp::{Engine, Source};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

fn impulse_engine() -> Engine {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    let mut impulse = vec![0.0; 24_000];
    impulse[1_000] = 0.5;
    engine.load_source(0, Some(Source::new(vec![impulse.clone()]).unwrap()));
    engine.load_source(1, Some(Source::new(vec![impulse]).unwrap()));
    let set = |e: &mut Engine, p: ParamId, s: StripIndex, v: f32| e.set_param(p.slot(s), v);
    let (bus, ret) = (
        StripIndex::bus(0).unwrap(),
        StripIndex::aux_return(0).unwrap(),
    );
    // Track 1: 5 ms look-ahead compressor (bypassed, so it only delays), straight to the master
    // and through a post-fader send into a dry return.
    set(&mut engine, ParamId::CompLookaheadMs, track(0), 5.0);
    set(&mut engine, ParamId::Send1Db, track(0), 0.0);
    set(&mut engine, ParamId::ReturnEffect, ret, 0.0);
    // Track 2: no latency, through a bus whose compressor looks 2 ms ahead.
    set(&mut engine, ParamId::Output, track(1), 1.0);
    set(&mut engine, ParamId::CompLookaheadMs, bus, 2.0);
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    engine.reset();
    engine.transport_mut().play();
    engine
}

#[test]
fn an_impulse_through_every_route_arrives_once() {
    let mut engine = impulse_engine();
    let latency = engine.latency_frames();
    let out = render_blocks(&mut engine, 4_096, 128);
    let nonzero: Vec<(usize, f32)> = out[0]
        .iter()
        .enumerate()
        .filter(|(_, x)| x.abs() > 1e-6)
        .map(|(i, &x)| (i, x))
        .collect();
    // Direct + via return (track 1) + via bus (track 2), each 0.5 · cos(π/4) on the left.
    let expected = 3.0 * 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    assert_eq!(nonzero.len(), 1, "one impulse, not a comb: {nonzero:?}");
    let (at, value) = nonzero[0];
    assert_eq!(at, 1_000 + latency, "arrives after the reported latency");
    assert!((value - expected).abs() < 1e-6, "{value} vs {expected}");
    // Track 1's 5 ms (240 frames) is the longest path; the master limiter adds its 2 ms
    // look-ahead and its 11-frame true-peak detector (bypassed, it keeps its latency).
    assert_eq!(latency, 240 + 96 + 11);
}
