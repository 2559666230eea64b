//! How each processor's parameters bind to it: the choice indices of the protocol's table
//! turned into the processors' kinds, and one function per processor that applies a changed
//! parameter. The engine applies every change through these, and the page's curves (the EQ's
//! response, the compressor's transfer curve) set their processors up with the same ones.

use mixroom_protocol::params::{EqField, ParamId};

use crate::return_effect::{EffectKind, ReturnEffect};
use crate::{BiquadKind, Compressor, Detection, Equalizer, ReverbKind};

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
        eq.set_bypassed(get(param) >= 0.5);
        return;
    }
    let Some((band, field)) = param.eq_band() else {
        return;
    };
    match field {
        EqField::Type => eq.set_band_kind(band, eq_band_kind(get(param))),
        EqField::Bypass => eq.set_band_bypassed(band, get(param) >= 0.5),
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
        ParamId::CompAutoMakeup => comp.set_auto_makeup(v >= 0.5),
        ParamId::CompDetection => comp.set_detection(if v >= 0.5 {
            Detection::Rms
        } else {
            Detection::Peak
        }),
        ParamId::CompScHpfHz => comp.set_sidechain_hpf_hz(v),
        ParamId::CompLookaheadMs => comp.set_lookahead_ms(v),
        ParamId::CompBypass => comp.set_bypassed(v >= 0.5),
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
        ParamId::ReturnEffect => effect.set_kind(EffectKind::from_index(v as usize)),
        ParamId::EffectBypass => effect.set_bypassed(v >= 0.5),
        ParamId::ReverbKind => effect.set_reverb_kind(match v as usize {
            0 => ReverbKind::Room,
            2 => ReverbKind::Plate,
            _ => ReverbKind::Hall,
        }),
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
        ParamId::DelayPingPong => effect.delay_mut().set_ping_pong(v >= 0.5),
        _ => {}
    }
}
