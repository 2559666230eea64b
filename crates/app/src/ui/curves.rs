//! The curves the UI draws, computed with the engine's own formulas and parameter bindings
//! (`mixroom_dsp::bindings`): the EQ's magnitude response (RBJ cookbook,
//! `mixroom_dsp::Coefficients`) including the high- and low-pass, and the compressor's static
//! transfer curve (`mixroom_dsp::Compressor::static_gain_db`).
//!
//! Reading the parameters through their signals makes a curve redraw when they change.

use leptos::prelude::*;
use mixroom_dsp::bindings::{apply_compressor, eq_band_kind, filter_slope};
use mixroom_dsp::{BiquadKind, Coefficients, Compressor};
use mixroom_protocol::params::{EqField, ParamId, EQ_BANDS};

use crate::state::StripModel;

/// Coefficients of EQ band `band` of `model` at its current settings (reactive), or `None` when
/// the band (or the EQ) is bypassed.
pub fn band_coefficients(model: &StripModel, band: usize, rate_hz: f32) -> Option<Coefficients> {
    let get = |f: EqField| model.value(ParamId::eq(band, f)).get();
    if get(EqField::Bypass) >= 0.5 || model.value(ParamId::EqBypass).get() >= 0.5 {
        return None;
    }
    Some(Coefficients::design(
        eq_band_kind(get(EqField::Type)),
        get(EqField::Hz),
        get(EqField::Q),
        get(EqField::GainDb),
        rate_hz,
    ))
}

/// All the sections that shape the strip's EQ curve: the four bands and the pass filters.
pub fn eq_sections(model: &StripModel, rate_hz: f32) -> Vec<Coefficients> {
    let mut sections: Vec<Coefficients> = (0..EQ_BANDS)
        .filter_map(|b| band_coefficients(model, b, rate_hz))
        .collect();
    for (mode, hz, kind) in [
        (ParamId::HpfMode, ParamId::HpfHz, BiquadKind::HighPass),
        (ParamId::LpfMode, ParamId::LpfHz, BiquadKind::LowPass),
    ] {
        if !model.has(mode) {
            continue;
        }
        let slope = filter_slope(model.value(mode).get());
        let f = model.value(hz).get();
        sections.extend(
            slope
                .section_qs()
                .iter()
                .map(|&q| Coefficients::design(kind, f, q, 0.0, rate_hz)),
        );
    }
    sections
}

/// The response of `sections` at `freq_hz`, dB.
pub fn response_db(sections: &[Coefficients], freq_hz: f32, rate_hz: f32) -> f32 {
    sections
        .iter()
        .map(|c| c.magnitude_db(freq_hz, rate_hz))
        .sum()
}

/// A compressor set like the strip's (reactive), to ask for its static curve: the settings
/// that shape it, bound as the engine binds them.
pub fn compressor(model: &StripModel) -> Compressor {
    let mut c = Compressor::new();
    for param in [
        ParamId::CompThresholdDb,
        ParamId::CompRatio,
        ParamId::CompKneeDb,
        ParamId::CompMakeupDb,
        ParamId::CompAutoMakeup,
        ParamId::CompDetection,
    ] {
        apply_compressor(&mut c, param, |p| model.value(p).get());
    }
    c
}

/// The input level at which `compressor` reduces the gain by `reduction_db` (where on its curve
/// it sits now), dB; `None` when it never reduces that much.
pub fn level_for_reduction(compressor: &Compressor, reduction_db: f32) -> Option<f32> {
    let makeup = compressor.static_gain_db(-120.0);
    let reduction = |x: f32| makeup - compressor.static_gain_db(x);
    let (mut lo, mut hi) = (-120.0_f32, 24.0_f32);
    if reduction(hi) < reduction_db {
        return None;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if reduction(mid) < reduction_db {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}
