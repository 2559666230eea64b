//! Every processor through the one conformance suite (`harness`): each states how it is made
//! busy, what moves while it plays and which settings have a range in the protocol's table.

mod harness;

use harness::{conforms, input, Event, Setting, Subject, INPUT_FRAMES, MAX_BLOCK, RATE_HZ};
use mixroom_dsp::{
    BiquadKind, ChannelStrip, Compressor, Delay, Detection, EffectKind, Gate, MasterStrip,
    Processor, ReturnEffect, Reverb, ReverbKind, Slope, TruePeakLimiter,
};
use mixroom_protocol::params::ParamId;

fn prepared<P: Processor>(mut p: P, setup: impl FnOnce(&mut P)) -> P {
    p.prepare(RATE_HZ, MAX_BLOCK);
    setup(&mut p);
    p.reset();
    p
}

fn setting<P>(param: ParamId, set: fn(&mut P, f32)) -> Setting<P> {
    Setting { param, set }
}

impl Subject for Compressor {
    const TAIL_S: f32 = 0.0;

    fn busy() -> Self {
        prepared(Compressor::new(), |c| {
            c.set_threshold_db(-30.0);
            c.set_attack_ms(5.0);
            c.set_release_ms(80.0);
            c.set_lookahead_ms(3.0);
            c.set_makeup_db(3.0);
            c.set_bypassed(false);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (3_000, |c| {
                c.set_threshold_db(-40.0);
                c.set_ratio(8.0);
                c.set_knee_db(12.0);
            }),
            (6_000, |c| {
                c.set_makeup_db(6.0);
                c.set_auto_makeup(true);
            }),
            (9_000, |c| {
                c.set_detection(Detection::Rms);
                c.set_sidechain_hpf_hz(150.0);
            }),
            (12_000, |c| {
                c.set_sidechain_hpf_hz(300.0);
                c.set_attack_ms(1.0);
                c.set_release_ms(300.0);
            }),
            (15_000, |c| c.set_bypassed(true)),
            (16_000, |c| c.set_threshold_db(-20.0)),
            (18_000, |c| c.set_bypassed(false)),
            (21_000, |c| {
                c.set_ratio(f32::INFINITY);
                c.set_knee_db(0.0);
                c.set_detection(Detection::Peak);
                c.set_sidechain_hpf_hz(0.0);
                c.set_lookahead_ms(5.0);
            }),
            (24_000, |c| c.set_bypassed(true)),
            (24_100, |c| c.set_bypassed(false)),
            (27_000, |c| {
                c.set_auto_makeup(false);
                c.set_threshold_db(-12.0);
            }),
        ]
    }

    /// The ratio is left out: its top is ∞ (the bindings read the table's maximum as ∞).
    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(ParamId::CompThresholdDb, Compressor::set_threshold_db),
            setting(ParamId::CompKneeDb, Compressor::set_knee_db),
            setting(ParamId::CompAttackMs, Compressor::set_attack_ms),
            setting(ParamId::CompReleaseMs, Compressor::set_release_ms),
            setting(ParamId::CompMakeupDb, Compressor::set_makeup_db),
            setting(ParamId::CompScHpfHz, Compressor::set_sidechain_hpf_hz),
            setting(ParamId::CompLookaheadMs, Compressor::set_lookahead_ms),
        ]
    }

    fn latency(&self) -> usize {
        self.latency_frames()
    }
}

impl Subject for Gate {
    const TAIL_S: f32 = 0.0;

    fn busy() -> Self {
        prepared(Gate::new(), |g| {
            g.set_threshold_db(-20.0);
            g.set_hold_ms(20.0);
            g.set_release_ms(50.0);
            g.set_bypassed(false);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (5_000, |g| {
                g.set_threshold_db(-30.0);
                g.set_range_db(60.0);
            }),
            (11_000, |g| {
                g.set_attack_ms(5.0);
                g.set_hold_ms(10.0);
                g.set_release_ms(30.0);
            }),
            (17_000, |g| g.set_bypassed(true)),
            (20_000, |g| {
                g.set_threshold_db(-60.0);
                g.set_range_db(20.0);
            }),
            (22_000, |g| g.set_bypassed(false)),
            (26_000, |g| g.set_hold_ms(0.0)),
            (30_000, |g| g.set_bypassed(true)),
            (30_100, |g| g.set_bypassed(false)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(ParamId::GateThresholdDb, Gate::set_threshold_db),
            setting(ParamId::GateRangeDb, Gate::set_range_db),
            setting(ParamId::GateAttackMs, Gate::set_attack_ms),
            setting(ParamId::GateHoldMs, Gate::set_hold_ms),
            setting(ParamId::GateReleaseMs, Gate::set_release_ms),
        ]
    }
}

impl Subject for TruePeakLimiter {
    const TAIL_S: f32 = 0.0;

    fn busy() -> Self {
        prepared(TruePeakLimiter::new(), |l| {
            l.set_ceiling_dbtp(-6.0);
            l.set_release_ms(50.0);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (6_000, |l| l.set_ceiling_dbtp(-3.0)),
            (12_000, |l| l.set_bypassed(true)),
            (18_000, |l| l.set_bypassed(false)),
            (20_000, |l| l.set_release_ms(200.0)),
            (24_000, |l| l.set_lookahead_ms(5.0)),
            (30_000, |l| l.set_ceiling_dbtp(-9.0)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(
                ParamId::LimiterCeilingDbtp,
                TruePeakLimiter::set_ceiling_dbtp,
            ),
            setting(
                ParamId::LimiterLookaheadMs,
                TruePeakLimiter::set_lookahead_ms,
            ),
            setting(ParamId::LimiterReleaseMs, TruePeakLimiter::set_release_ms),
        ]
    }

    fn latency(&self) -> usize {
        self.latency_frames()
    }
}

impl Subject for Delay {
    /// Feedback 0.6 every 30 ms: under the tail floor after about 45 repeats (1.4 s).
    const TAIL_S: f32 = 2.0;

    fn busy() -> Self {
        prepared(Delay::new(), |d| {
            d.set_time_ms(30.0);
            d.set_feedback(0.6);
            d.set_high_cut_hz(6_000.0);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (3_000, |d| d.set_time_ms(40.0)),
            (6_000, |d| d.set_time_ms(63.3)),
            (9_000, |d| {
                d.set_ping_pong(true);
                d.set_feedback(0.8);
                d.set_high_cut_hz(1_234.0);
            }),
            (15_000, |d| d.set_bypassed(true)),
            (17_000, |d| {
                d.set_bypassed(false);
                d.set_time_ms(21.7);
            }),
            (25_000, |d| d.set_ping_pong(false)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(ParamId::DelayTimeMs, Delay::set_time_ms),
            setting(ParamId::DelayFeedback, Delay::set_feedback),
            setting(ParamId::DelayHighCutHz, Delay::set_high_cut_hz),
        ]
    }

    /// Long enough for the first echo at the longest time.
    fn settings_input() -> (Vec<f32>, Vec<f32>) {
        let (mut l, mut r) = input();
        let frames = INPUT_FRAMES + (4.5 * RATE_HZ) as usize;
        l.resize(frames, 0.0);
        r.resize(frames, 0.0);
        (l, r)
    }
}

impl Subject for Reverb {
    /// Decay 2 s (long enough that damping is heard up to 1, short loops would cap its pole):
    /// the tail falls 165 dB under its peak to the floor at 30 dB/s at 1 kHz, at least 20 dB/s
    /// at DC, within 8.3 s.
    const TAIL_S: f32 = 9.0;

    fn busy() -> Self {
        prepared(Reverb::new(), |r| r.set_predelay_ms(10.0))
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (3_000, |r| r.set_size(0.9)),
            (6_000, |r| r.set_decay_s(0.4)),
            (9_000, |r| r.set_damping(1.0)),
            (12_000, |r| r.set_predelay_ms(80.0)),
            (15_000, |r| {
                r.set_width(0.3);
                r.set_size(0.1);
            }),
            (20_000, |r| r.set_kind(ReverbKind::Plate)),
            (26_000, |r| r.set_kind(ReverbKind::Room)),
            (29_000, |r| r.set_bypassed(true)),
            (32_000, |r| r.set_bypassed(false)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(ParamId::ReverbPredelayMs, Reverb::set_predelay_ms),
            setting(ParamId::ReverbSize, Reverb::set_size),
            setting(ParamId::ReverbDecayS, Reverb::set_decay_s),
            setting(ParamId::ReverbDamping, Reverb::set_damping),
            setting(ParamId::ReverbWidth, Reverb::set_width),
        ]
    }
}

impl Subject for ChannelStrip {
    /// The filters' and EQ's tails end within a second.
    const TAIL_S: f32 = 1.0;

    fn busy() -> Self {
        prepared(ChannelStrip::new(), |s| {
            s.set_gain_db(-3.0);
            s.set_pan(0.3);
            s.set_width(1.5);
            s.set_trim_db(2.0);
            s.high_pass_mut().set_slope(Slope::Db12);
            s.high_pass_mut().set_freq_hz(120.0);
            s.eq_mut().set_band(1, 1_000.0, 6.0, 1.0);
            s.compressor_mut().set_bypassed(false);
            s.compressor_mut().set_threshold_db(-24.0);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (4_000, |s| s.set_gain_db(-10.0)),
            (8_000, |s| s.set_pan(-0.5)),
            (12_000, |s| s.set_polarity_inverted(true)),
            (16_000, |s| s.set_compressor_first(true)),
            (20_000, |s| {
                s.set_width(0.5);
                s.set_trim_db(-3.0);
            }),
            (22_000, |s| {
                s.eq_mut().set_band_kind(1, BiquadKind::HighShelf)
            }),
            (24_000, |s| s.eq_mut().set_band(1, 3_000.0, -9.0, 0.7)),
            (26_000, |s| s.gate_mut().set_bypassed(false)),
            (28_000, |s| s.set_audible(false)),
            (30_000, |s| s.set_audible(true)),
            (32_000, |s| s.high_pass_mut().set_slope(Slope::Off)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![
            setting(ParamId::GainDb, ChannelStrip::set_gain_db),
            setting(ParamId::Pan, ChannelStrip::set_pan),
            setting(ParamId::Width, ChannelStrip::set_width),
            setting(ParamId::TrimDb, ChannelStrip::set_trim_db),
            setting(ParamId::HpfHz, |s, hz| s.high_pass_mut().set_freq_hz(hz)),
            setting(ParamId::Eq1GainDb, |s, db| {
                s.eq_mut().set_band(1, 1_000.0, db, 1.0)
            }),
        ]
    }

    fn latency(&self) -> usize {
        self.latency_frames()
    }
}

impl Subject for MasterStrip {
    /// The EQ's tail ends within a second.
    const TAIL_S: f32 = 1.0;

    fn busy() -> Self {
        prepared(MasterStrip::new(), |m| {
            m.set_gain_db(-2.0);
            m.eq_mut().set_band(0, 100.0, 4.0, 0.7);
            m.compressor_mut().set_bypassed(false);
            m.limiter_mut().set_ceiling_dbtp(-3.0);
        })
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (6_000, |m| m.set_gain_db(-6.0)),
            (12_000, |m| m.limiter_mut().set_bypassed(true)),
            (18_000, |m| m.limiter_mut().set_bypassed(false)),
            (24_000, |m| m.compressor_mut().set_threshold_db(-30.0)),
            (28_000, |m| m.set_audible(false)),
            (30_000, |m| m.set_audible(true)),
        ]
    }

    fn settings() -> Vec<Setting<Self>> {
        vec![setting(ParamId::GainDb, MasterStrip::set_gain_db)]
    }

    fn latency(&self) -> usize {
        self.latency_frames()
    }
}

impl Subject for ReturnEffect {
    /// The reverb at 0.5 s decay, as [`Reverb`]'s.
    const TAIL_S: f32 = 3.0;

    fn busy() -> Self {
        prepared(ReturnEffect::new(), |e| e.reverb_mut().set_decay_s(0.5))
    }

    fn changes() -> Vec<Event<Self>> {
        vec![
            (9_000, |e| e.set_kind(EffectKind::Delay)),
            (18_000, |e| e.set_kind(EffectKind::Reverb)),
            (27_000, |e| e.set_bypassed(true)),
            (30_000, |e| e.set_bypassed(false)),
        ]
    }

    /// Its reverb's and delay's settings are theirs.
    fn settings() -> Vec<Setting<Self>> {
        Vec::new()
    }
}

#[test]
fn compressor_conforms() {
    conforms::<Compressor>("compressor");
}

#[test]
fn gate_conforms() {
    conforms::<Gate>("gate");
}

#[test]
fn limiter_conforms() {
    conforms::<TruePeakLimiter>("limiter");
}

#[test]
fn delay_conforms() {
    conforms::<Delay>("delay");
}

#[test]
fn reverb_conforms() {
    conforms::<Reverb>("reverb");
}

#[test]
fn channel_strip_conforms() {
    conforms::<ChannelStrip>("channel strip");
}

#[test]
fn master_strip_conforms() {
    conforms::<MasterStrip>("master strip");
}

#[test]
fn return_effect_conforms() {
    conforms::<ReturnEffect>("return effect");
}
