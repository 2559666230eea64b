//! The loudness panel: momentary, short-term and integrated loudness, loudness range and the
//! highest true peak (ITU-R BS.1770-4 / EBU R128, measured by the engine), against a delivery
//! target, with a history graph of the last minute.

use leptos::html;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::state::Mixer;
use crate::ui::canvas::Watched;
use crate::ui::console::meter::on_frame;
use crate::ui::display::{Display, Frame, HISTORY_POINTS};

/// Delivery targets: name, integrated loudness (LUFS), true-peak ceiling (dBTP).
pub const TARGETS: [(&str, f32, f32); 3] = [
    ("Streaming (−14 LUFS, −1 dBTP)", -14.0, -1.0),
    ("Apple Music (−16 LUFS, −1 dBTP)", -16.0, -1.0),
    ("EBU R128 broadcast (−23 LUFS, −1 dBTP)", -23.0, -1.0),
];
/// Level axis of the history graph, LUFS.
const HISTORY_RANGE: (f32, f32) = (-40.0, 0.0);

fn lufs(v: f32) -> String {
    if v.is_finite() {
        format!("{v:.1}").replace('-', "−")
    } else {
        "−∞".to_owned()
    }
}

fn set_text(el: &NodeRef<html::Span>, text: &str) {
    if let Some(el) = el.get_untracked() {
        let el: &HtmlElement = &el;
        if el.text_content().as_deref() != Some(text) {
            el.set_text_content(Some(text));
        }
    }
}

/// The loudness panel.
#[component]
pub fn LoudnessPanel() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let display = expect_context::<StoredValue<Display, LocalStorage>>();
    let target = RwSignal::new(0_usize);
    let [momentary, short, integrated, range, peak, verdict] =
        std::array::from_fn(|_| NodeRef::<html::Span>::new());
    let history = NodeRef::<html::Canvas>::new();
    on_frame(history, move |canvas, frame| {
        draw_history(canvas, frame, TARGETS[target.get_untracked()].1);
        if !frame.describe {
            return;
        }
        let m = &frame.master.figures;
        set_text(&momentary, &lufs(m.momentary_lufs));
        set_text(&short, &lufs(m.short_term_lufs));
        set_text(&integrated, &lufs(m.integrated_lufs));
        set_text(&range, &format!("{:.1}", m.loudness_range_lu));
        let tp = frame.master.max_true_peak;
        let tp_db = if tp > 0.0 {
            20.0 * tp.log10()
        } else {
            f32::NEG_INFINITY
        };
        set_text(&peak, &lufs(tp_db));
        let (_, goal, ceiling) = TARGETS[target.get_untracked()];
        let text = if !m.integrated_lufs.is_finite() {
            "Play the mix to measure it.".to_owned()
        } else {
            let off = m.integrated_lufs - goal;
            let loud = if off.abs() < 0.5 {
                "on target".to_owned()
            } else if off > 0.0 {
                format!("{off:.1} LU too loud")
            } else {
                format!("{:.1} LU too quiet", -off)
            };
            let peaks = if tp_db > ceiling {
                ", true peak over the ceiling"
            } else {
                ""
            };
            format!("{loud}{peaks}")
        };
        set_text(&verdict, &text);
    });
    let reset = move |_| {
        mixer.with_bridge(|b| {
            let mut r = b.transport();
            r.loudness_reset_serial = r.loudness_reset_serial.wrapping_add(1);
            b.set_transport(r);
        });
        display.with_value(Display::clear_loudness);
    };
    view! {
        <section class="loudness" aria-label="Loudness">
            <div class="loudness-grid">
                <span class="lbl">"Momentary"</span><span class="val" data-testid="lufs-momentary"><span node_ref=momentary class="live-figure">"−∞"</span></span><span class="unit">"LUFS"</span>
                <span class="lbl">"Short-term"</span><span class="val" data-testid="lufs-short-term"><span node_ref=short class="live-figure">"−∞"</span></span><span class="unit">"LUFS"</span>
                <span class="lbl">"Integrated"</span><span class="val big" data-testid="lufs-integrated"><span node_ref=integrated class="live-figure">"−∞"</span></span><span class="unit">"LUFS"</span>
                <span class="lbl">"Range"</span><span class="val" data-testid="loudness-range"><span node_ref=range class="live-figure">"0.0"</span></span><span class="unit">"LU"</span>
                <span class="lbl">"True peak"</span><span class="val" data-testid="true-peak"><span node_ref=peak class="live-figure">"−∞"</span></span><span class="unit">"dBTP"</span>
            </div>
            <label class="target">
                <span class="visually-hidden">"Loudness target"</span>
                <select aria-label="Loudness target" on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse() { target.set(i) }
                }>
                    {TARGETS.iter().enumerate().map(|(i, (name, _, _))| view! {
                        <option value=i.to_string()>{*name}</option>
                    }).collect_view()}
                </select>
            </label>
            <p class="verdict" aria-live="polite"><span node_ref=verdict>"Play the mix to measure it."</span></p>
            <canvas node_ref=history class="loudness-history" role="img"
                aria-label="Short-term and momentary loudness over the last minute, with the target"></canvas>
            <button class="small-button" on:click=reset>"Reset measurement"</button>
        </section>
    }
}

fn draw_history(canvas: &Watched, frame: &Frame<'_>, target: f32) {
    let Some((g, w, h)) = canvas.context() else {
        return;
    };
    let y = |v: f32| {
        let t = ((v - HISTORY_RANGE.0) / (HISTORY_RANGE.1 - HISTORY_RANGE.0)).clamp(0.0, 1.0);
        h * (1.0 - f64::from(t))
    };
    g.set_fill_style_str("#0d1014");
    g.fill_rect(0.0, 0.0, w, h);
    g.set_fill_style_str("rgba(90, 169, 255, 0.14)");
    g.fill_rect(0.0, y(target + 1.0), w, y(target - 1.0) - y(target + 1.0));
    g.set_stroke_style_str("rgba(90, 169, 255, 0.8)");
    g.set_line_width(1.0);
    g.begin_path();
    g.move_to(0.0, y(target));
    g.line_to(w, y(target));
    g.stroke();
    let plot = |values: &[f32], colour: &str, width: f64| {
        g.set_stroke_style_str(colour);
        g.set_line_width(width);
        g.begin_path();
        let mut drawing = false;
        for (i, &v) in values.iter().enumerate() {
            let x = w * i as f64 / (HISTORY_POINTS - 1) as f64;
            if v.is_finite() {
                if drawing {
                    g.line_to(x, y(v));
                } else {
                    g.move_to(x, y(v));
                    drawing = true;
                }
            } else {
                drawing = false;
            }
        }
        g.stroke();
    };
    plot(
        &frame.master.momentary_history,
        "rgba(230, 235, 242, 0.35)",
        1.0,
    );
    plot(&frame.master.short_term_history, "#f2c94c", 1.5);
}
