//! The engine end to end: the parts of a strip, routing, returns and the master working
//! together, each against an analytic expectation.

mod common;

use common::*;
use mixroom_dsp::{Engine, Source, StereoBlock, TruePeakMeter};
use mixroom_protocol::params::{ParamId, TrackChange};
use mixroom_protocol::strips::StripIndex;

fn set(engine: &mut Engine, param: ParamId, strip: StripIndex, value: f32) {
    engine.set_param(param.slot(strip), value);
}

fn playing(mut engine: Engine) -> Engine {
    engine.reset();
    engine.transport_mut().play();
    engine
}

/// Largest sample-to-sample change of a channel.
fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn every_tail_ends_in_exact_zeros_once_the_sources_stop() {
    let mut engine = busy_engine(128);
    render_blocks(&mut engine, 48_000, 128);
    engine.transport_mut().pause();
    // Reverb (1.2 s), delay with feedback, compressors, filters: all must fall 200 dB and clear.
    let mut zero_since = None;
    for block in 0..(20 * 48_000 / 128) {
        let out = render_blocks(&mut engine, 128, 128);
        let silent = out.iter().flatten().all(|&x| x == 0.0);
        match (silent, zero_since) {
            (true, None) => zero_since = Some(block),
            (false, Some(start)) => panic!("zeros from block {start}, then signal at {block}"),
            _ => {}
        }
    }
    let start = zero_since.expect("the output reached exact zeros");
    let seconds = start as f32 * 128.0 / 48_000.0;
    eprintln!("exact zeros {seconds:.2} s after the sources stopped");
    assert!(seconds < 15.0, "{seconds} s");
}

#[test]
fn the_master_limiter_holds_its_true_peak_ceiling() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    for t in 0..4 {
        let channels = vec![noise(11 + t as u32, 96_000), noise(21 + t as u32, 96_000)];
        engine.load_source(t, Some(Source::new(channels).unwrap()));
        set(&mut engine, ParamId::TrimDb, track(t), 18.0);
    }
    set(
        &mut engine,
        ParamId::LimiterCeilingDbtp,
        StripIndex::MASTER,
        -1.0,
    );
    let mut engine = playing(engine);
    let out = render_blocks(&mut engine, 96_000, 128);
    let mut meter = TruePeakMeter::new();
    meter.prepare(SAMPLE_RATE_HZ);
    let [l, r] = meter.process(&out[0], &out[1]);
    let true_peak_dbtp = 20.0 * l.max(r).log10();
    eprintln!("+18 dB noise on four tracks: output true peak {true_peak_dbtp:.3} dBTP");
    assert!(true_peak_dbtp <= -1.0 + 0.1, "{true_peak_dbtp}");
    assert!(
        true_peak_dbtp > -3.0,
        "the limiter does not just turn everything down"
    );
    assert!(engine.master_figures().limiter_gain_reduction_db > 6.0);
}

#[test]
fn a_tempo_synced_delay_repeats_on_the_beat() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    let mut impulse = vec![0.0; 48_000];
    impulse[1_000] = 0.5;
    engine.load_source(0, Some(Source::new(vec![impulse]).unwrap()));
    let delay = StripIndex::aux_return(1).unwrap();
    set(&mut engine, ParamId::Send2Db, track(0), 0.0);
    set(&mut engine, ParamId::ReturnEffect, delay, 2.0);
    set(&mut engine, ParamId::DelaySync, delay, 3.0); // 1/4
    set(&mut engine, ParamId::DelayFeedback, delay, 0.0);
    set(&mut engine, ParamId::DelayHighCutHz, delay, 20_000.0);
    set(&mut engine, ParamId::TempoBpm, StripIndex::MASTER, 120.0);
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    let mut engine = playing(engine);
    let latency = engine.latency_frames();
    let out = render_blocks(&mut engine, 40_000, 128);
    let hits: Vec<usize> = (0..out[0].len())
        .filter(|&i| out[0][i].abs() > 1e-3)
        .collect();
    // A quarter note at 120 BPM is 500 ms = 24 000 frames after the dry impulse.
    assert_eq!(
        hits,
        [1_000 + latency, 25_000 + latency],
        "dry, then the echo"
    );
}

#[test]
fn trim_and_polarity_scale_and_invert_without_a_step() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    engine.load_source(0, Some(Source::new(vec![vec![0.25; 48_000]]).unwrap()));
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    let mut engine = playing(engine);
    render_blocks(&mut engine, 4_096, 128);
    set(&mut engine, ParamId::TrimDb, track(0), 6.0);
    set(&mut engine, ParamId::Polarity, track(0), 1.0);
    let out = render_blocks(&mut engine, 4_096, 128);
    let expected = -0.25 * 10f32.powf(6.0 / 20.0) * std::f32::consts::FRAC_1_SQRT_2;
    assert!((out[0][4_000] - expected).abs() < 1e-6, "{}", out[0][4_000]);
    // The polarity fades through zero over 10 ms (480 frames): steps stay one ramp step.
    let step = max_step(&out[0]);
    assert!(step < 2.0 * 0.25 * 2.0 * 0.708 / 480.0 + 1e-5, "{step}");
}

#[test]
fn width_zero_folds_a_stereo_source_to_mono() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    let channels = vec![sine(300.0, 0.5, 48_000), noise(5, 48_000)];
    engine.load_source(0, Some(Source::new(channels).unwrap()));
    set(&mut engine, ParamId::Width, track(0), 0.0);
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    let mut engine = playing(engine);
    let out = render_blocks(&mut engine, 8_192, 128);
    assert!(out[0]
        .iter()
        .zip(&out[1])
        .all(|(l, r)| (l - r).abs() < 1e-6));
    assert!(out[0].iter().any(|x| x.abs() > 0.1));
}

#[test]
fn switching_the_insert_order_ducks_instead_of_clicking() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    engine.load_source(
        0,
        Some(Source::new(vec![sine(200.0, 0.9, 96_000)]).unwrap()),
    );
    set(&mut engine, ParamId::Eq2GainDb, track(0), 12.0);
    set(&mut engine, ParamId::Eq2Hz, track(0), 200.0);
    set(&mut engine, ParamId::CompBypass, track(0), 0.0);
    set(&mut engine, ParamId::CompThresholdDb, track(0), -30.0);
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    let mut engine = playing(engine);
    let before = render_blocks(&mut engine, 24_000, 128);
    set(&mut engine, ParamId::InsertOrder, track(0), 1.0);
    let after = render_blocks(&mut engine, 24_000, 128);
    let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    let (eq_first, comp_first) = (rms(&before[0][12_000..]), rms(&after[0][12_000..]));
    eprintln!("EQ → comp {eq_first:.4} RMS, comp → EQ {comp_first:.4} RMS");
    assert!(
        (20.0 * (comp_first / eq_first).log10()).abs() > 3.0,
        "the order changes the sound"
    );
    // A 200 Hz sine at this level moves at most ~0.1 per frame; the duck must not add more.
    let step = max_step(&after[0][..2_000]).max(max_step(&before[0][12_000..]));
    assert!(step < 0.15, "largest step {step}");
}

#[test]
fn rerouting_a_track_crossfades_between_destinations() {
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    engine.load_source(0, Some(Source::new(vec![vec![0.5; 96_000]]).unwrap()));
    set(
        &mut engine,
        ParamId::GainDb,
        StripIndex::bus(0).unwrap(),
        -12.0,
    );
    set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
    let mut engine = playing(engine);
    let before = render_blocks(&mut engine, 4_096, 128);
    set(&mut engine, ParamId::Output, track(0), 1.0);
    let after = render_blocks(&mut engine, 4_096, 128);
    let centre = 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    assert!((before[0][4_000] - centre).abs() < 1e-6);
    assert!((after[0][4_000] - centre * 10f32.powf(-12.0 / 20.0)).abs() < 1e-6);
    // From one level to the other over 10 ms (480 frames), in equal steps.
    let step = max_step(&after[0]);
    let jump = centre * (1.0 - 10f32.powf(-12.0 / 20.0));
    assert!(
        step <= jump / 480.0 * 1.01,
        "step {step} vs ramp step {}",
        jump / 480.0
    );
}

#[test]
fn master_figures_carry_ebu_loudness_true_peak_and_correlation() {
    // EBU Tech 3341 case 1: a 1 kHz sine at −23 dBFS on both channels reads −23.0 LUFS.
    let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
    let amp = 10f32.powf(-23.0 / 20.0);
    let tone = sine(1_000.0, amp, 20 * 48_000);
    engine.load_source(0, Some(Source::new(vec![tone.clone(), tone]).unwrap()));
    let mut engine = playing(engine);
    let (mut l, mut r) = (vec![0.0; 4_096], vec![0.0; 4_096]);
    let mut correlation = (0.0, 0.0, 0.0);
    for _ in 0..(20 * 48_000 / 4_096) {
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
        let m = engine.master_figures();
        correlation = (
            correlation.0 + m.sum_lr,
            correlation.1 + m.sum_ll,
            correlation.2 + m.sum_rr,
        );
    }
    let m = engine.master_figures();
    eprintln!(
        "M {:.2} S {:.2} I {:.2} LUFS, LRA {:.2} LU, TP {:.2} dBTP",
        m.momentary_lufs,
        m.short_term_lufs,
        m.integrated_lufs,
        m.loudness_range_lu,
        20.0 * m.true_peak[0].log10()
    );
    for lufs in [m.momentary_lufs, m.short_term_lufs, m.integrated_lufs] {
        assert!((lufs + 23.0).abs() <= 0.1, "{lufs}");
    }
    assert!(m.loudness_range_lu < 0.1);
    assert!((20.0 * m.true_peak[0].log10() + 23.0).abs() < 0.2);
    let r = correlation.0 / (correlation.1 * correlation.2).sqrt();
    assert!(
        (r - 1.0).abs() < 1e-4,
        "identical channels correlate fully: {r}"
    );
    assert!(
        m.latency_frames > 0.0,
        "the limiter's look-ahead is reported"
    );
}

#[test]
fn bypass_all_processing_keeps_levels_and_removes_inserts() {
    let render = |bypass_all: bool| {
        let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
        engine.load_source(
            0,
            Some(Source::new(vec![sine(1_000.0, 0.5, 48_000)]).unwrap()),
        );
        set(&mut engine, ParamId::Eq3GainDb, track(0), 12.0);
        set(&mut engine, ParamId::Eq3Hz, track(0), 1_000.0);
        set(&mut engine, ParamId::HpfMode, track(0), 2.0);
        set(&mut engine, ParamId::GainDb, track(0), -6.0);
        set(&mut engine, ParamId::LimiterBypass, StripIndex::MASTER, 1.0);
        let on = if bypass_all { 1.0 } else { 0.0 };
        set(&mut engine, ParamId::BypassAll, StripIndex::MASTER, on);
        let mut engine = playing(engine);
        let out = render_blocks(&mut engine, 24_000, 128);
        let tail = &out[0][12_000..];
        (tail.iter().map(|v| v * v).sum::<f32>() / tail.len() as f32).sqrt()
    };
    let (processed, raw) = (render(false), render(true));
    let expected_raw =
        0.5 / 2f32.sqrt() * 10f32.powf(-6.0 / 20.0) * std::f32::consts::FRAC_1_SQRT_2;
    assert!(
        (raw - expected_raw).abs() < 1e-3 * expected_raw,
        "{raw} vs {expected_raw}"
    );
    let boost = 20.0 * (processed / raw).log10();
    assert!(
        (boost - 12.0).abs() < 0.2,
        "the EQ boost comes back: {boost}"
    );
}

#[test]
fn ear_trainings_hidden_change_is_heard_only_when_switched_in() {
    // The hidden bell arrives through the parameter block like any setting. While the
    // original plays, the busy mix is bit-identical to one without the change; switched in,
    // a 1 kHz sine through it rises by the bell's gain, and the master's own EQ, after it,
    // undoes it (the correction exercise).
    let hide = |engine: &mut Engine| {
        set(engine, ParamId::EarEqHz, StripIndex::MASTER, 1_000.0);
        set(engine, ParamId::EarEqGainDb, StripIndex::MASTER, 9.0);
        set(engine, ParamId::EarEqQ, StripIndex::MASTER, 2.0);
        set(engine, ParamId::EarMatchDb, StripIndex::MASTER, -2.0);
    };
    let plain = render_blocks(&mut playing(busy_engine(128)), 48_000, 128);
    let mut hidden = busy_engine(128);
    hide(&mut hidden);
    assert_eq!(render_blocks(&mut playing(hidden), 48_000, 128), plain);

    let level_db = |out: &[Vec<f32>; 2]| {
        let tail = &out[0][24_000..];
        10.0 * (tail.iter().map(|x| x * x).sum::<f32>() / tail.len() as f32).log10()
    };
    let sine_engine = || {
        let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
        engine.load_source(
            0,
            Some(Source::new(vec![sine(1_000.0, 0.1, 96_000)]).unwrap()),
        );
        hide(&mut engine);
        engine
    };
    let original = level_db(&render_blocks(&mut playing(sine_engine()), 48_000, 128));
    let mut changed = sine_engine();
    set(&mut changed, ParamId::EarOn, StripIndex::MASTER, 1.0);
    let rise = level_db(&render_blocks(&mut playing(changed), 48_000, 128)) - original;
    eprintln!("hidden +9 dB at 1 kHz, matched −2 dB: the sine rises {rise:.3} dB");
    assert!((rise - 7.0).abs() < 0.1, "{rise}");
    let mut undone = sine_engine();
    set(&mut undone, ParamId::EarOn, StripIndex::MASTER, 1.0);
    set(&mut undone, ParamId::EarMatchDb, StripIndex::MASTER, 0.0);
    set(&mut undone, ParamId::EqBypass, StripIndex::MASTER, 0.0);
    set(&mut undone, ParamId::Eq2Type, StripIndex::MASTER, 0.0);
    set(&mut undone, ParamId::Eq2Hz, StripIndex::MASTER, 1_000.0);
    set(&mut undone, ParamId::Eq2GainDb, StripIndex::MASTER, -9.0);
    set(&mut undone, ParamId::Eq2Q, StripIndex::MASTER, 2.0);
    let residual = level_db(&render_blocks(&mut playing(undone), 48_000, 128)) - original;
    assert!(residual.abs() < 0.1, "{residual}");
}

#[test]
fn a_hidden_track_change_moves_the_track_only_while_switched_in() {
    // Track 0 plays a sine, track 1 another; ear training hides a change on track 0. The
    // original is the mix as set, bit for bit; switched in, only track 0 moves: 6 dB down
    // (gain), to the left (pan), or compressed (heavy, threshold 20 dB under the sine).
    let engine = || {
        let mut engine = Engine::new(SAMPLE_RATE_HZ, 128);
        engine.load_source(
            0,
            Some(Source::new(vec![sine(500.0, 0.25, 96_000)]).unwrap()),
        );
        engine.load_source(
            1,
            Some(Source::new(vec![sine(3_000.0, 0.25, 96_000)]).unwrap()),
        );
        engine
    };
    let track = |i| StripIndex::track(i).unwrap();
    let hidden = |change: TrackChange, amount: f32, on: bool| {
        let mut engine = engine();
        set(
            &mut engine,
            ParamId::EarTrackChange,
            track(0),
            change.value(),
        );
        set(&mut engine, ParamId::EarTrackValue, track(0), amount);
        set(
            &mut engine,
            ParamId::EarOn,
            StripIndex::MASTER,
            if on { 1.0 } else { 0.0 },
        );
        render_blocks(&mut playing(engine), 48_000, 128)
    };
    let plain = render_blocks(&mut playing(engine()), 48_000, 128);
    assert_eq!(hidden(TrackChange::Gain, -6.0, false), plain);
    // The level of a sine in one channel over the last half second: one bin of a DFT at its
    // frequency (the two tones are whole cycles apart over it).
    let tone_db = |x: &[f32], hz: f32| {
        let tail = &x[24_000..];
        let (mut re, mut im) = (0.0_f64, 0.0_f64);
        for (n, v) in tail.iter().enumerate() {
            let phase = std::f64::consts::TAU * f64::from(hz) * n as f64 / 48_000.0;
            re += f64::from(*v) * phase.cos();
            im += f64::from(*v) * phase.sin();
        }
        10.0 * ((re * re + im * im) / (tail.len() as f64).powi(2)).log10()
    };
    let moved = |out: &[Vec<f32>; 2], channel: usize, hz: f32| {
        tone_db(&out[channel], hz) - tone_db(&plain[channel], hz)
    };
    let gain = hidden(TrackChange::Gain, -6.0, true);
    assert!(
        (moved(&gain, 0, 500.0) + 6.0).abs() < 0.05,
        "{}",
        moved(&gain, 0, 500.0)
    );
    assert!(moved(&gain, 0, 3_000.0).abs() < 0.01);
    let pan = hidden(TrackChange::Pan, -1.0, true);
    assert!(moved(&pan, 0, 500.0) > 2.5, "{}", moved(&pan, 0, 500.0));
    assert!(moved(&pan, 1, 500.0) < -40.0, "{}", moved(&pan, 1, 500.0));
    assert!(moved(&pan, 1, 3_000.0).abs() < 0.01);
    let heavy = hidden(TrackChange::HeavyCompression, -30.0, true);
    let squeezed = moved(&heavy, 0, 500.0);
    eprintln!(
        "hidden gain −6 dB; pan hard left; heavy compression: the sine moves {squeezed:.1} dB"
    );
    assert!(squeezed < -10.0, "{squeezed}");
    assert!(moved(&heavy, 0, 3_000.0).abs() < 0.01);
}
