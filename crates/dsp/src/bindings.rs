//! How each processor's parameters bind to it: the choice indices of the protocol's table
//! turned into the processors' kinds, and one function per processor that applies a changed
//! parameter. The engine applies every change through these, and the page's curves (the EQ's
//! response, the filters', the compressor's transfer curve) set their processors up with the
//! same ones.
//!
//! Every function reads values with `get` (plain values by parameter, already made valid by
//! the table) and ignores parameters that are not its processor's.

use mixroom_protocol::params::{EqField, ParamId};

use crate::return_effect::{EffectKind, ReturnEffect};
use crate::{
    BiquadKind, ChannelStrip, Compressor, Detection, Equalizer, Gate, ReverbKind, Slope,
    TruePeakLimiter,
};

/// Whether a switch's plain value is on.
fn on(value: f32) -> bool {
    value >= 0.5
}

/// The slope of choice index `index` of `FILTER_SLOPES` (off, 12, 24 dB per octave).
pub fn filter_slope(index: f32) -> Slope {
    match index as usize {
        1 => Slope::Db12,
        2 => Slope::Db24,
        _ => Slope::Off,
    }
}

/// The effect of choice index `index` of `RETURN_EFFECTS` (none, reverb, delay).
pub fn effect_kind(index: f32) -> EffectKind {
    match index as usize {
        1 => EffectKind::Reverb,
        2 => EffectKind::Delay,
        _ => EffectKind::None,
    }
}

/// The reverb of choice index `index` of `REVERB_KINDS` (room, hall, plate).
pub fn reverb_kind(index: f32) -> ReverbKind {
    match index as usize {
        0 => ReverbKind::Room,
        2 => ReverbKind::Plate,
        _ => ReverbKind::Hall,
    }
}

/// The level detection of the compressor's switch value `value` (off: peak, on: RMS).
pub fn detection(value: f32) -> Detection {
    if on(value) {
        Detection::Rms
    } else {
        Detection::Peak
    }
}

/// The band shape of choice index `index` of `EQ_TYPES` (bell, low shelf, high shelf).
pub fn eq_band_kind(index: f32) -> BiquadKind {
    match index as usize {
        1 => BiquadKind::LowShelf,
        2 => BiquadKind::HighShelf,
        _ => BiquadKind::Bell,
    }
}

/// Applies `param` (read with `get`, plain values) to an EQ section: a band's shape, bypass or
/// setting, or the whole EQ's bypass; other parameters are ignored.
pub fn apply_eq(eq: &mut Equalizer, param: ParamId, get: impl Fn(ParamId) -> f32) {
    if param == ParamId::EqBypass {
        eq.set_bypassed(on(get(param)));
        return;
    }
    let Some((band, field)) = param.eq_band() else {
        return;
    };
    match field {
        EqField::Type => eq.set_band_kind(band, eq_band_kind(get(param))),
        EqField::Bypass => eq.set_band_bypassed(band, on(get(param))),
        EqField::Hz | EqField::GainDb | EqField::Q => eq.set_band(
            band,
            get(ParamId::eq(band, EqField::Hz)),
            get(ParamId::eq(band, EqField::GainDb)),
            get(ParamId::eq(band, EqField::Q)),
        ),
    }
}

/// Applies `param` (read with `get`) to a compressor: its ratio at the table's maximum is
/// infinite (a limiter); other parameters are ignored.
pub fn apply_compressor(comp: &mut Compressor, param: ParamId, get: impl Fn(ParamId) -> f32) {
    let v = get(param);
    match param {
        ParamId::CompThresholdDb => comp.set_threshold_db(v),
        ParamId::CompRatio => comp.set_ratio(if v >= param.spec().max {
            f32::INFINITY
        } else {
            v
        }),
        ParamId::CompKneeDb => comp.set_knee_db(v),
        ParamId::CompAttackMs => comp.set_attack_ms(v),
        ParamId::CompReleaseMs => comp.set_release_ms(v),
        ParamId::CompMakeupDb => comp.set_makeup_db(v),
        ParamId::CompAutoMakeup => comp.set_auto_makeup(on(v)),
        ParamId::CompDetection => comp.set_detection(detection(v)),
        ParamId::CompScHpfHz => comp.set_sidechain_hpf_hz(v),
        ParamId::CompLookaheadMs => comp.set_lookahead_ms(v),
        ParamId::CompBypass => comp.set_bypassed(on(v)),
        _ => {}
    }
}

/// Applies `param` (read with `get`) to a return's effect at the session's `tempo_bpm` (for a
/// synced delay); other parameters are ignored.
pub(crate) fn apply_effect(
    effect: &mut ReturnEffect,
    param: ParamId,
    get: impl Fn(ParamId) -> f32,
    tempo_bpm: f32,
) {
    let v = get(param);
    match param {
        ParamId::ReturnEffect => effect.set_kind(effect_kind(v)),
        ParamId::EffectBypass => effect.set_bypassed(on(v)),
        ParamId::ReverbKind => effect.set_reverb_kind(reverb_kind(v)),
        ParamId::ReverbPredelayMs => effect.reverb_mut().set_predelay_ms(v),
        ParamId::ReverbSize => effect.reverb_mut().set_size(v),
        ParamId::ReverbDecayS => effect.reverb_mut().set_decay_s(v),
        ParamId::ReverbDamping => effect.reverb_mut().set_damping(v),
        ParamId::ReverbWidth => effect.reverb_mut().set_width(v),
        ParamId::DelayTimeMs | ParamId::DelaySync => effect.set_delay_time(
            get(ParamId::DelayTimeMs),
            get(ParamId::DelaySync) as usize,
            tempo_bpm,
        ),
        ParamId::DelayFeedback => effect.delay_mut().set_feedback(v),
        ParamId::DelayHighCutHz => effect.delay_mut().set_high_cut_hz(v),
        ParamId::DelayPingPong => effect.delay_mut().set_ping_pong(on(v)),
        _ => {}
    }
}

/// Applies `param` to a gate.
pub(crate) fn apply_gate(gate: &mut Gate, param: ParamId, get: impl Fn(ParamId) -> f32) {
    let v = get(param);
    match param {
        ParamId::GateThresholdDb => gate.set_threshold_db(v),
        ParamId::GateRangeDb => gate.set_range_db(v),
        ParamId::GateAttackMs => gate.set_attack_ms(v),
        ParamId::GateHoldMs => gate.set_hold_ms(v),
        ParamId::GateReleaseMs => gate.set_release_ms(v),
        ParamId::GateBypass => gate.set_bypassed(on(v)),
        _ => {}
    }
}

/// Applies `param` to the master's true-peak limiter.
pub(crate) fn apply_limiter(
    limiter: &mut TruePeakLimiter,
    param: ParamId,
    get: impl Fn(ParamId) -> f32,
) {
    let v = get(param);
    match param {
        ParamId::LimiterCeilingDbtp => limiter.set_ceiling_dbtp(v),
        ParamId::LimiterLookaheadMs => limiter.set_lookahead_ms(v),
        ParamId::LimiterReleaseMs => limiter.set_release_ms(v),
        ParamId::LimiterBypass => limiter.set_bypassed(on(v)),
        _ => {}
    }
}

/// Applies `param` to a track's, bus's or return's channel strip: trim, polarity, insert
/// order, filters, gate, EQ, compressor, width, pan, fader and sends. A return's effect is
/// [`apply_effect`]'s.
pub(crate) fn apply_strip(strip: &mut ChannelStrip, param: ParamId, get: impl Fn(ParamId) -> f32) {
    let v = get(param);
    match param {
        ParamId::GainDb => strip.set_gain_db(v),
        ParamId::Pan => strip.set_pan(v),
        ParamId::Width => strip.set_width(v),
        ParamId::TrimDb => strip.set_trim_db(v),
        ParamId::Polarity => strip.set_polarity_inverted(on(v)),
        ParamId::InsertOrder => strip.set_compressor_first(on(v)),
        ParamId::HpfMode => strip.high_pass_mut().set_slope(filter_slope(v)),
        ParamId::HpfHz => strip.high_pass_mut().set_freq_hz(v),
        ParamId::LpfMode => strip.low_pass_mut().set_slope(filter_slope(v)),
        ParamId::LpfHz => strip.low_pass_mut().set_freq_hz(v),
        _ => match param.send() {
            Some((send, true)) => strip.set_send_pre_fader(send, on(v)),
            Some((send, false)) => strip.set_send_db(send, v),
            None => {
                apply_gate(strip.gate_mut(), param, &get);
                apply_eq(strip.eq_mut(), param, &get);
                apply_compressor(strip.compressor_mut(), param, &get);
            }
        },
    }
}
