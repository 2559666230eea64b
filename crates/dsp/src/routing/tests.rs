//! Tests of `routing`.

use super::*;
use mixroom_protocol::layout::param_block;

fn values() -> Vec<f32> {
    let block = param_block::initial_block();
    (0..mixroom_protocol::params::PARAM_SLOTS)
        .map(|slot| param_block::read_value(&block, slot))
        .collect()
}

fn t(i: usize) -> StripIndex {
    StripIndex::track(i).unwrap()
}

fn bus(i: usize) -> StripIndex {
    StripIndex::bus(i).unwrap()
}

fn ret(i: usize) -> StripIndex {
    StripIndex::aux_return(i).unwrap()
}

fn set(values: &mut [f32], param: ParamId, strip: StripIndex, v: f32) {
    values[param.slot(strip)] = v;
}

#[test]
fn solo_in_place_with_implied_solos_and_solo_safe_returns() {
    let mut v = values();
    let active = [true; 4];
    set(&mut v, ParamId::Output, t(1), 1.0); // track 1 → bus 1
    set(&mut v, ParamId::Output, t(2), 1.0); // track 2 → bus 1
    set(&mut v, ParamId::Solo, t(0), 1.0);
    let p = plan(&v, &active, |_| 0);
    let heard = |s: StripIndex| p.audible[s.index()];
    assert!(heard(t(0)) && !heard(t(1)) && !heard(t(2)) && !heard(t(3)));
    assert!(
        !heard(StripIndex::bus(0).unwrap()),
        "bus 1 carries no soloed track"
    );
    assert!(
        heard(StripIndex::aux_return(0).unwrap()),
        "returns are solo-safe"
    );

    // Soloing the bus keeps the tracks that feed it (implied solo upstream).
    set(&mut v, ParamId::Solo, t(0), 0.0);
    set(&mut v, ParamId::Solo, StripIndex::bus(0).unwrap(), 1.0);
    let p = plan(&v, &active, |_| 0);
    let heard = |s: StripIndex| p.audible[s.index()];
    assert!(!heard(t(0)) && heard(t(1)) && heard(t(2)) && heard(StripIndex::bus(0).unwrap()));

    // Soloing a track on the bus keeps the bus (downstream); mute still wins.
    set(&mut v, ParamId::Solo, StripIndex::bus(0).unwrap(), 0.0);
    set(&mut v, ParamId::Solo, t(2), 1.0);
    set(&mut v, ParamId::Mute, t(2), 1.0);
    let p = plan(&v, &active, |_| 0);
    let heard = |s: StripIndex| p.audible[s.index()];
    assert!(!heard(t(2)) && !heard(t(1)) && heard(StripIndex::bus(0).unwrap()));

    // Soloing a return keeps the tracks that send to it.
    set(&mut v, ParamId::Solo, t(2), 0.0);
    set(
        &mut v,
        ParamId::Solo,
        StripIndex::aux_return(1).unwrap(),
        1.0,
    );
    set(&mut v, ParamId::Send2Db, t(3), -10.0);
    let p = plan(&v, &active, |_| 0);
    let heard = |s: StripIndex| p.audible[s.index()];
    assert!(heard(t(3)) && !heard(t(0)));
}

#[test]
fn every_path_reaches_the_master_at_the_same_time() {
    let mut v = values();
    let active = [true; 3];
    set(&mut v, ParamId::Output, t(1), 2.0); // track 1 → bus 2
                                             // Latencies: track 0: 10, track 1: 30, bus 2: 7, return 1: 4, others 0.
    let latency = |s: StripIndex| match (s.kind(), s.position()) {
        (mixroom_protocol::strips::StripKind::Track, 0) => 10,
        (mixroom_protocol::strips::StripKind::Track, 1) => 30,
        (mixroom_protocol::strips::StripKind::Bus, 1) => 7,
        (mixroom_protocol::strips::StripKind::Return, 0) => 4,
        _ => 0,
    };
    let p = plan(&v, &active, latency);
    // Arrivals: track 0 direct 10; bus 2 = 30 + 7 = 37; returns: in = 37, return 1 out 41.
    assert_eq!(p.master_input_latency, 41);
    assert_eq!(p.main_delay[t(0).index()], 31);
    assert_eq!(p.main_delay[t(1).index()], 0, "the only input of bus 2");
    assert_eq!(p.main_delay[t(2).index()], 41);
    assert_eq!(p.main_delay[bus(1).index()], 4);
    assert_eq!(p.send_delay[t(0).index()][0], 27);
    assert_eq!(p.send_delay[t(1).index()][0], 7);
    assert_eq!(p.send_delay[bus(1).index()][0], 0);
    assert_eq!(p.main_delay[ret(0).index()], 0);
    assert_eq!(p.main_delay[ret(1).index()], 4);
    // Track 0 via its send: 10 + 27 + 4 (return 1) + 0 = 41; direct: 10 + 31 = 41.
    assert_eq!(
        10 + p.send_delay[t(0).index()][0] + 4 + p.main_delay[ret(0).index()],
        41
    );
    assert_eq!(10 + p.main_delay[t(0).index()], 41);
}
