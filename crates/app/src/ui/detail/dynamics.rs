//! Dynamics: the compressor with its transfer curve and a live marker of where on the curve it
//! works now, and the gate; every setting a knob, select or toggle.

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;

use crate::state::StripModel;
use crate::ui::console::meter::{on_frame, ReductionMeter};
use crate::ui::curves::{compressor, level_for_reduction};
use crate::ui::widgets::{Knob, ParamSelect, ParamToggle};

/// Input and output range of the transfer curve, dB.
const RANGE_DB: (f32, f32) = (-60.0, 6.0);

/// The compressor's controls and transfer curve.
#[component]
pub fn CompressorView(
    /// The strip.
    model: StripModel,
) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let strip = model.strip;
    {
        let model = model.clone();
        on_frame(canvas, move |canvas, frame| {
            let Some((g, w, h)) = canvas.context() else {
                return;
            };
            let c = untrack(|| compressor(&model));
            let bypassed = model.value(ParamId::CompBypass).get_untracked() >= 0.5;
            let px = |db: f32| f64::from((db - RANGE_DB.0) / (RANGE_DB.1 - RANGE_DB.0)) * w;
            let py = |db: f32| h - f64::from((db - RANGE_DB.0) / (RANGE_DB.1 - RANGE_DB.0)) * h;
            g.set_fill_style_str("#0d1014");
            g.fill_rect(0.0, 0.0, w, h);
            g.set_stroke_style_str("rgba(150, 165, 185, 0.18)");
            g.set_line_width(1.0);
            for db in [-48.0, -36.0, -24.0, -12.0, 0.0] {
                g.begin_path();
                g.move_to(px(db), 0.0);
                g.line_to(px(db), h);
                g.move_to(0.0, py(db));
                g.line_to(w, py(db));
                g.stroke();
            }
            // Unity line, then the curve.
            g.set_stroke_style_str("rgba(150, 165, 185, 0.4)");
            g.begin_path();
            g.move_to(px(RANGE_DB.0), py(RANGE_DB.0));
            g.line_to(px(RANGE_DB.1), py(RANGE_DB.1));
            g.stroke();
            g.set_stroke_style_str(if bypassed { "#5b6472" } else { "#f2c94c" });
            g.set_line_width(2.0);
            g.begin_path();
            let mut x = RANGE_DB.0;
            while x <= RANGE_DB.1 {
                let y = x + c.static_gain_db(x);
                if x == RANGE_DB.0 {
                    g.move_to(px(x), py(y));
                } else {
                    g.line_to(px(x), py(y));
                }
                x += 0.5;
            }
            g.stroke();
            // Where the compressor is now: the point of the curve with today's reduction.
            let reduction = frame.strips[strip.index()].gain_reduction_db[0];
            if !bypassed && reduction > 0.05 {
                if let Some(level) = level_for_reduction(&c, reduction) {
                    let out = level + c.static_gain_db(level);
                    g.begin_path();
                    let _ = g.arc(px(level), py(out), 5.0, 0.0, std::f64::consts::TAU);
                    g.set_fill_style_str("#ff7a4c");
                    g.fill();
                }
            }
            g.set_fill_style_str("rgba(180, 190, 205, 0.7)");
            g.set_font("10px system-ui, sans-serif");
            let _ = g.fill_text("in →", w - 30.0, h - 4.0);
            let _ = g.fill_text("out ↑", 3.0, 11.0);
        });
    }
    let name = model.label.clone();
    view! {
        <div class="dynamics-section" role="group" aria-label="Compressor">
            <div class="section-head">
                <h3>"Compressor"</h3>
                <ParamToggle model=model.clone() param=ParamId::CompBypass label="bypass"/>
            </div>
            <div class="compressor-body">
                <canvas node_ref=canvas class="transfer-curve" role="img"
                    aria-label=format!("{name} compressor transfer curve, with the current operating point")></canvas>
                <ReductionMeter strip=strip which=0 label=format!("{name} compressor gain reduction")/>
                <div class="knob-grid">
                    <Knob model=model.clone() param=ParamId::CompThresholdDb caption="Thresh"/>
                    <Knob model=model.clone() param=ParamId::CompRatio caption="Ratio"/>
                    <Knob model=model.clone() param=ParamId::CompKneeDb caption="Knee"/>
                    <Knob model=model.clone() param=ParamId::CompAttackMs caption="Attack"/>
                    <Knob model=model.clone() param=ParamId::CompReleaseMs caption="Release"/>
                    <Knob model=model.clone() param=ParamId::CompMakeupDb caption="Makeup"/>
                    <Knob model=model.clone() param=ParamId::CompScHpfHz caption="SC HPF"/>
                    <Knob model=model.clone() param=ParamId::CompLookaheadMs caption="Look"/>
                </div>
                <div class="stack">
                    <ParamToggle model=model.clone() param=ParamId::CompAutoMakeup label="auto"/>
                    <ParamSelect model=model param=ParamId::CompDetection/>
                </div>
            </div>
        </div>
    }
}

/// The gate's controls.
#[component]
pub fn GateView(
    /// The strip.
    model: StripModel,
) -> impl IntoView {
    let name = model.label.clone();
    view! {
        <div class="dynamics-section" role="group" aria-label="Gate">
            <div class="section-head">
                <h3>"Gate"</h3>
                <ParamToggle model=model.clone() param=ParamId::GateBypass label="bypass"/>
            </div>
            <div class="gate-body">
                <ReductionMeter strip=model.strip which=1 label=format!("{name} gate gain reduction")/>
                <div class="knob-grid">
                    <Knob model=model.clone() param=ParamId::GateThresholdDb caption="Thresh"/>
                    <Knob model=model.clone() param=ParamId::GateRangeDb caption="Range"/>
                    <Knob model=model.clone() param=ParamId::GateAttackMs caption="Attack"/>
                    <Knob model=model.clone() param=ParamId::GateHoldMs caption="Hold"/>
                    <Knob model=model.clone() param=ParamId::GateReleaseMs caption="Release"/>
                </div>
                <ParamSelect model=model param=ParamId::InsertOrder/>
            </div>
        </div>
    }
}
