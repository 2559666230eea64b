//! The EQ editor: the strip's EQ curve over its live spectrum before (filled) and after (line)
//! the EQ, with a handle per band to drag (frequency across, gain up and down; the wheel changes
//! Q; Shift for fine moves), and every band's controls below for keyboard and screen readers.

use leptos::ev::{PointerEvent, WheelEvent};
use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::{EqField, ParamId, EQ_BANDS};
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::analysis::Analyzer;
use crate::state::{Mixer, StripModel};
use crate::ui::canvas::{self, freq_x, x_freq};
use crate::ui::console::meter::on_frame;
use crate::ui::curves::{eq_sections, response_db};
use crate::ui::display::{TAP_POST_EQ, TAP_PRE_EQ};
use crate::ui::widgets::{Knob, ParamSelect, ParamToggle};

/// Gain axis of the curve: ±this many dB.
const GAIN_RANGE_DB: f32 = 18.0;
/// Level axis of the spectra, dB (bottom, top).
const SPECTRUM_DB: (f32, f32) = (-96.0, 0.0);
/// How close a pointer must come to a handle to grab it, px.
const GRAB_PX: f64 = 14.0;
/// Colours of the bands' handles.
const BAND_COLOURS: [&str; EQ_BANDS] = ["#e8804f", "#e6c84f", "#5ad1b0", "#7aa9ff"];
/// Frequencies labelled on the axis, Hz.
const GRID_HZ: [f32; 9] = [
    50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0, 20_000.0,
];

fn gain_y(db: f32, h: f64) -> f64 {
    h / 2.0 - f64::from(db / GAIN_RANGE_DB) * (h / 2.0 - 6.0)
}

fn y_gain(y: f64, h: f64) -> f32 {
    ((h / 2.0 - y) / (h / 2.0 - 6.0)) as f32 * GAIN_RANGE_DB
}

fn spectrum_y(db: f32, h: f64) -> f64 {
    let t = ((db - SPECTRUM_DB.0) / (SPECTRUM_DB.1 - SPECTRUM_DB.0)).clamp(0.0, 1.0);
    h * (1.0 - f64::from(t))
}

/// The EQ editor for `model`.
#[component]
pub fn EqEditor(
    /// The strip.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let canvas = NodeRef::<html::Canvas>::new();
    let drag = StoredValue::new(None::<(i32, usize)>);
    {
        let model = model.clone();
        on_frame(canvas, move |canvas, frame| {
            let Some((g, w, h)) = canvas.context() else {
                return;
            };
            draw(
                &g,
                w,
                h,
                &model,
                &frame.spectra[TAP_PRE_EQ],
                &frame.spectra[TAP_POST_EQ],
                frame.rate_hz,
            );
            if frame.describe {
                // The spectrum at each band's frequency, before and after the EQ (the
                // end-to-end suite reads these).
                let levels: Vec<String> = (0..EQ_BANDS)
                    .map(|b| {
                        let f = model.value(ParamId::eq(b, EqField::Hz)).get_untracked();
                        let band = |a: &Analyzer| a.band_db(f / 1.12, f * 1.12, frame.rate_hz);
                        format!(
                            "[{:.1},{:.1}]",
                            band(&frame.spectra[TAP_PRE_EQ]),
                            band(&frame.spectra[TAP_POST_EQ])
                        )
                    })
                    .collect();
                let _ =
                    canvas.set_attribute("data-band-levels", &format!("[{}]", levels.join(",")));
            }
        });
    }
    let handle_at = {
        let model = model.clone();
        move |x: f64, y: f64, w: f64, h: f64| -> Option<usize> {
            (0..EQ_BANDS)
                .map(|b| {
                    let f = model.value(ParamId::eq(b, EqField::Hz)).get_untracked();
                    let db = model.value(ParamId::eq(b, EqField::GainDb)).get_untracked();
                    (b, (freq_x(f, w) - x).hypot(gain_y(db, h) - y))
                })
                .filter(|&(_, d)| d <= GRAB_PX)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(b, _)| b)
        }
    };
    let local = move |ev: &PointerEvent| -> Option<(f64, f64, f64, f64)> {
        let c = canvas.get_untracked()?;
        let r = c.get_bounding_client_rect();
        Some((
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
            r.width(),
            r.height(),
        ))
    };
    let on_down = {
        let handle_at = handle_at.clone();
        move |ev: PointerEvent| {
            let Some((x, y, w, h)) = local(&ev) else {
                return;
            };
            if let Some(band) = handle_at(x, y, w, h) {
                ev.prevent_default();
                if let Some(t) = ev
                    .current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                drag.set_value(Some((ev.pointer_id(), band)));
                mixer.begin_gesture();
            }
        }
    };
    let on_move = {
        let model = model.clone();
        move |ev: PointerEvent| {
            let Some((id, band)) = drag.get_value() else {
                return;
            };
            if ev.pointer_id() != id {
                return;
            }
            let Some((x, y, w, h)) = local(&ev) else {
                return;
            };
            let (hz, gain) = (
                ParamId::eq(band, EqField::Hz),
                ParamId::eq(band, EqField::GainDb),
            );
            let (f0, g0) = (
                model.value(hz).get_untracked(),
                model.value(gain).get_untracked(),
            );
            let (f, g) = (x_freq(x, w), y_gain(y, h));
            let fine = ev.shift_key();
            let blend = |from: f32, to: f32| if fine { from + (to - from) * 0.1 } else { to };
            mixer.set(&model, hz, blend(f0, f));
            mixer.set(&model, gain, blend(g0, g));
        }
    };
    let on_up = move |_ev: PointerEvent| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            mixer.end_gesture();
        }
    };
    let on_wheel = {
        let model = model.clone();
        move |ev: WheelEvent| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            let r = c.get_bounding_client_rect();
            let (x, y) = (
                f64::from(ev.client_x()) - r.left(),
                f64::from(ev.client_y()) - r.top(),
            );
            if let Some(band) = handle_at(x, y, r.width(), r.height()) {
                ev.prevent_default();
                let q = ParamId::eq(band, EqField::Q);
                let factor = if ev.delta_y() < 0.0 { 1.12 } else { 1.0 / 1.12 };
                mixer.set(&model, q, model.value(q).get_untracked() * factor);
            }
        }
    };
    let bands = (0..EQ_BANDS)
        .map(|b| {
            let m = model.clone();
            view! {
                <div class="eq-band" role="group" aria-label=format!("EQ band {}", b + 1)
                    style=("--band-color", BAND_COLOURS[b])>
                    <span class="eq-band-number" aria-hidden="true">{b + 1}</span>
                    <ParamSelect model=m.clone() param=ParamId::eq(b, EqField::Type)/>
                    <Knob model=m.clone() param=ParamId::eq(b, EqField::Hz) caption="Freq" size=24/>
                    <Knob model=m.clone() param=ParamId::eq(b, EqField::GainDb) caption="Gain" size=24/>
                    <Knob model=m.clone() param=ParamId::eq(b, EqField::Q) caption="Q" size=24/>
                    <ParamToggle model=m param=ParamId::eq(b, EqField::Bypass) label="off" class="small"/>
                </div>
            }
        })
        .collect_view();
    let filters = model.has(ParamId::HpfMode).then(|| {
        let m = model.clone();
        view! {
            <div class="eq-filters" role="group" aria-label="High-pass and low-pass">
                <span class="group-caption">"HPF"</span>
                <ParamSelect model=m.clone() param=ParamId::HpfMode/>
                <Knob model=m.clone() param=ParamId::HpfHz caption="Freq" size=24/>
                <span class="group-caption">"LPF"</span>
                <ParamSelect model=m.clone() param=ParamId::LpfMode/>
                <Knob model=m param=ParamId::LpfHz caption="Freq" size=24/>
            </div>
        }
    });
    view! {
        <div class="eq-editor">
            <div class="eq-graph">
                <canvas
                    node_ref=canvas
                    class="eq-canvas"
                    aria-label=format!("{} EQ curve over the spectrum before and after the EQ", model.label)
                    role="img"
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                    on:wheel=on_wheel
                ></canvas>
                <div class="eq-legend" aria-hidden="true">
                    <span class="legend-pre">"before EQ"</span>
                    <span class="legend-post">"after EQ"</span>
                </div>
            </div>
            <div class="eq-controls">
                <div class="eq-section-head">
                    <ParamToggle model=model.clone() param=ParamId::EqBypass label="EQ bypass"/>
                    {filters}
                </div>
                <div class="eq-bands">{bands}</div>
            </div>
        </div>
    }
}

fn draw(
    g: &CanvasRenderingContext2d,
    w: f64,
    h: f64,
    model: &StripModel,
    pre: &Analyzer,
    post: &Analyzer,
    rate_hz: f32,
) {
    g.set_fill_style_str("#0d1014");
    g.fill_rect(0.0, 0.0, w, h);
    // Grid.
    g.set_stroke_style_str("rgba(150, 165, 185, 0.16)");
    g.set_line_width(1.0);
    g.set_fill_style_str("rgba(180, 190, 205, 0.6)");
    g.set_font("10px system-ui, sans-serif");
    for f in GRID_HZ {
        let x = freq_x(f, w).round() + 0.5;
        g.begin_path();
        g.move_to(x, 0.0);
        g.line_to(x, h);
        g.stroke();
        let label = if f >= 1_000.0 {
            format!("{}k", f / 1_000.0)
        } else {
            format!("{f}")
        };
        let _ = g.fill_text(&label, x + 2.0, h - 3.0);
    }
    for db in [-12.0, -6.0, 0.0, 6.0, 12.0] {
        let y = gain_y(db, h).round() + 0.5;
        g.begin_path();
        g.move_to(0.0, y);
        g.line_to(w, y);
        g.stroke();
        let _ = g.fill_text(&format!("{db:+}"), 2.0, y - 2.0);
    }
    // Spectra: before the EQ filled, after it as a line.
    let bins = |a: &Analyzer| -> Vec<(f64, f64)> {
        let step = 2.0;
        let mut points = Vec::new();
        let mut x = 0.0;
        while x <= w {
            let (lo, hi) = (x_freq(x - step / 2.0, w), x_freq(x + step / 2.0, w));
            points.push((x, spectrum_y(a.band_db(lo, hi, rate_hz), h)));
            x += step;
        }
        points
    };
    let pre_points = bins(pre);
    g.begin_path();
    g.move_to(0.0, h);
    for &(x, y) in &pre_points {
        g.line_to(x, y);
    }
    g.line_to(w, h);
    g.close_path();
    g.set_fill_style_str("rgba(90, 169, 255, 0.22)");
    g.fill();
    g.begin_path();
    for (i, &(x, y)) in bins(post).iter().enumerate() {
        if i == 0 {
            g.move_to(x, y);
        } else {
            g.line_to(x, y);
        }
    }
    g.set_stroke_style_str("rgba(240, 245, 250, 0.75)");
    g.stroke();
    // The EQ curve.
    let sections = untrack(|| eq_sections(model, rate_hz));
    canvas::trace(g, w, |x| {
        let db = response_db(&sections, x_freq(x, w), rate_hz)
            .clamp(-GAIN_RANGE_DB * 1.5, GAIN_RANGE_DB * 1.5);
        gain_y(db, h)
    });
    g.set_stroke_style_str("#f2c94c");
    g.set_line_width(2.0);
    g.stroke();
    // Handles.
    for (b, colour) in BAND_COLOURS.iter().enumerate() {
        let f = model.value(ParamId::eq(b, EqField::Hz)).get_untracked();
        let db = model.value(ParamId::eq(b, EqField::GainDb)).get_untracked();
        let off = model.value(ParamId::eq(b, EqField::Bypass)).get_untracked() >= 0.5;
        g.begin_path();
        let _ = g.arc(freq_x(f, w), gain_y(db, h), 7.0, 0.0, std::f64::consts::TAU);
        g.set_fill_style_str(if off { "#3a4250" } else { colour });
        g.fill();
        g.set_fill_style_str("#0d1014");
        let _ = g.fill_text(
            &(b + 1).to_string(),
            freq_x(f, w) - 3.0,
            gain_y(db, h) + 3.5,
        );
    }
}
