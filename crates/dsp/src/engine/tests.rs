//! The engine's mixing: sums, pan and gain, solo, buses, sends, slots that name nothing.

use super::*;
use mixroom_protocol::units::db_to_lin;

fn track(i: usize) -> StripIndex {
    StripIndex::track(i).unwrap()
}

fn dc_engine(tracks: &[f32]) -> Engine {
    let mut engine = Engine::new(48_000.0, 256);
    for (i, &level) in tracks.iter().enumerate() {
        engine.load_source(i, Some(Source::new(vec![vec![level; 48_000]]).unwrap()));
    }
    // The limiter would hold DC above its ceiling; these tests look at the mix itself.
    engine.set_param(ParamId::LimiterBypass.slot(StripIndex::MASTER), 1.0);
    engine.transport_mut().play();
    engine.reset();
    engine
}

/// Renders `frames` frames past the engine's latency and returns those.
fn render(engine: &mut Engine, frames: usize) -> (Vec<f32>, Vec<f32>) {
    let latency = engine.latency_frames();
    let (mut l, mut r) = (vec![0.0; frames + latency], vec![0.0; frames + latency]);
    engine.process(&mut StereoBlock::new(&mut l, &mut r));
    (l.split_off(latency), r.split_off(latency))
}

#[test]
fn sums_tracks_with_pan_and_gain() {
    let mut engine = dc_engine(&[0.5, 0.25]);
    engine.set_param(ParamId::Pan.slot(track(0)), -1.0);
    engine.set_param(ParamId::GainDb.slot(track(1)), -6.0);
    engine.set_param(ParamId::Pan.slot(track(1)), 1.0);
    engine.reset();
    let (l, r) = render(&mut engine, 64);
    assert!((l[10] - 0.5).abs() < 1e-6, "{}", l[10]);
    assert!((r[10] - 0.25 * db_to_lin(-6.0)).abs() < 1e-6, "{}", r[10]);
    let figures = engine.figures(track(0));
    assert!((figures.peak[0] - 0.5).abs() < 1e-6 && figures.peak[1] < 1e-6);
    // The master's figures cover the whole call, the latency's leading zeros included.
    let master = engine.figures(StripIndex::MASTER);
    let latency = engine.latency_frames() as f32;
    assert!((master.peak[0] - 0.5).abs() < 1e-6);
    assert!((master.mean_square[0] - 0.25 * 64.0 / (64.0 + latency)).abs() < 1e-6);
}

#[test]
fn solo_in_place_silences_the_others_and_mute_wins() {
    let mut engine = dc_engine(&[0.5, 0.25, 0.125]);
    engine.set_param(ParamId::Solo.slot(track(1)), 1.0);
    engine.set_param(ParamId::Solo.slot(track(2)), 1.0);
    engine.set_param(ParamId::Mute.slot(track(2)), 1.0);
    engine.reset();
    render(&mut engine, 64);
    assert_eq!(engine.figures(track(0)).peak, [0.0, 0.0]);
    assert!(engine.figures(track(1)).peak[0] > 0.1);
    assert_eq!(engine.figures(track(2)).peak, [0.0, 0.0]);
}

#[test]
fn buses_sum_their_tracks_and_run_their_own_strip() {
    let mut engine = dc_engine(&[0.5, 0.25]);
    engine.set_param(ParamId::Output.slot(track(0)), 1.0);
    engine.set_param(ParamId::Output.slot(track(1)), 1.0);
    let bus = StripIndex::bus(0).unwrap();
    engine.set_param(ParamId::GainDb.slot(bus), -6.0);
    engine.reset();
    let (l, _) = render(&mut engine, 64);
    let centre = std::f32::consts::FRAC_1_SQRT_2;
    let expected = 0.75 * centre * db_to_lin(-6.0);
    assert!((l[40] - expected).abs() < 1e-6, "{} vs {expected}", l[40]);
    assert!((engine.figures(bus).peak[0] - 0.75 * centre * db_to_lin(-6.0)).abs() < 1e-6);
}

#[test]
fn sends_feed_the_returns_before_or_after_the_fader() {
    let mut engine = dc_engine(&[0.5]);
    let ret = StripIndex::aux_return(0).unwrap();
    engine.set_param(ParamId::ReturnEffect.slot(ret), 0.0); // dry return
    engine.set_param(ParamId::Send1Db.slot(track(0)), 0.0);
    engine.set_param(ParamId::GainDb.slot(track(0)), SILENCE_DB_TEST);
    engine.reset();
    render(&mut engine, 64);
    assert_eq!(
        engine.figures(ret).peak,
        [0.0, 0.0],
        "post-fader send follows the fader"
    );
    engine.set_param(ParamId::Send1Pre.slot(track(0)), 1.0);
    engine.reset();
    render(&mut engine, 64);
    let peak = engine.figures(ret).peak[0];
    assert!(
        (peak - 0.5).abs() < 1e-6,
        "pre-fader send ignores the fader: {peak}"
    );
    engine.set_param(ParamId::Mute.slot(track(0)), 1.0);
    engine.reset();
    render(&mut engine, 64);
    assert_eq!(engine.figures(ret).peak, [0.0, 0.0], "mute silences sends");
}

const SILENCE_DB_TEST: f32 = mixroom_protocol::units::SILENCE_DB;

#[test]
fn ignores_slots_that_name_nothing() {
    let mut engine = dc_engine(&[0.5]);
    engine.set_param(ParamId::Pan.slot(StripIndex::MASTER), 1.0);
    engine.set_param(ParamId::Solo.slot(StripIndex::MASTER), 1.0);
    engine.set_param(100, 1.0);
    engine.set_param(usize::MAX, 1.0);
    assert_eq!(engine.param(ParamId::Pan, StripIndex::MASTER), 0.0);
    let (l, _) = render(&mut engine, 16);
    assert!(l[15] > 0.3);
}

#[test]
fn stopped_transport_is_silent_and_keeps_the_playhead() {
    let mut engine = dc_engine(&[0.5]);
    engine.transport_mut().pause();
    let (l, r) = render(&mut engine, 300);
    assert!(l.iter().chain(&r).all(|&x| x == 0.0));
    assert_eq!(engine.transport().playhead_frames(), 0);
}
