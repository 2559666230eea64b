//! Level meters: peak (light) and RMS (solid) per channel with peak hold and a clip indicator,
//! and a gain-reduction bar; drawn by the display loop on canvas.
//!
//! Each meter is an ARIA `meter` whose value (RMS, dB) and text are refreshed ten times a second,
//! and whose `data-rms-db` / `data-peak-db` attributes the end-to-end suite reads.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::strips::StripIndex;
use mixroom_protocol::units::SILENCE_DB;
use web_sys::CanvasRenderingContext2d;

use crate::meters::ChannelMeter;
use crate::ui::canvas::Watched;
use crate::ui::display::{Display, Frame, StripState};

/// Lowest and highest level on the scale, dB.
const SCALE_DB: (f32, f32) = (-60.0, 6.0);
/// Largest gain reduction the bar shows, dB.
const GR_SCALE_DB: f32 = 24.0;

/// Registers `draw` with the display loop while the component lives: it runs every frame while
/// the canvas is on screen, and only on describe frames (10 Hz, [`Frame::on_screen`] false)
/// while it is not.
pub fn on_frame(canvas: NodeRef<html::Canvas>, draw: impl FnMut(&Watched, &Frame<'_>) + 'static) {
    let display = expect_context::<StoredValue<Display, LocalStorage>>();
    let draw = Rc::new(RefCell::new(draw));
    Effect::new(move |_| {
        if let Some(canvas) = canvas.get() {
            let draw = Rc::clone(&draw);
            let canvas = Watched::new(canvas);
            let id = display.with_value(|d| {
                d.add(move |frame| {
                    let shown = canvas.on_screen();
                    if shown || frame.describe {
                        let frame = Frame {
                            on_screen: shown,
                            ..*frame
                        };
                        (draw.borrow_mut())(&canvas, &frame);
                    }
                })
            });
            on_cleanup(move || display.with_value(|d| d.remove(id)));
        }
    });
}

/// Height fraction (0 bottom … 1 top) of a level on the scale.
pub fn scale(db: f32) -> f64 {
    f64::from(((db - SCALE_DB.0) / (SCALE_DB.1 - SCALE_DB.0)).clamp(0.0, 1.0))
}

fn colour(db: f32) -> &'static str {
    if db >= -6.0 {
        "#f25f4c"
    } else if db >= -18.0 {
        "#f2c94c"
    } else {
        "#4cd68a"
    }
}

/// The stereo level meter of `strip`.
#[component]
pub fn LevelMeter(
    /// The strip measured.
    strip: StripIndex,
    /// Its name (for the accessible name "`<name>` level").
    name: String,
) -> impl IntoView {
    let display = expect_context::<StoredValue<Display, LocalStorage>>();
    let canvas = NodeRef::<html::Canvas>::new();
    let clipped = RwSignal::new(false);
    let mut described = String::new();
    on_frame(canvas, move |canvas, frame| {
        let state = frame.strips[strip.index()];
        if frame.on_screen {
            draw_level(canvas, &state);
        }
        let clip = state.clipped || state.meter.channels.iter().any(ChannelMeter::clipped);
        if clip != clipped.get_untracked() {
            clipped.set(clip);
        }
        if frame.describe {
            describe(canvas, &state, &mut described);
        }
    });
    let clip_label = format!("{name} clip indicator (click to clear)");
    view! {
        <div class="level-meter">
            <button
                class="clip-led"
                class:lit=move || clipped.get()
                aria-label=clip_label
                title="Clip: a sample reached full scale. Click to clear."
                aria-pressed=move || clipped.get().to_string()
                on:click=move |_| display.with_value(|d| d.clear_clip(strip))
            ></button>
            <canvas
                node_ref=canvas
                class="meter"
                role="meter"
                aria-label=format!("{name} level")
                aria-valuemin="-60"
                aria-valuemax="6"
                aria-valuenow="-60"
                aria-valuetext="silent"
            ></canvas>
        </div>
    }
}

/// Writes the meter's accessible value and figures, unless they read as `last` did.
fn describe(canvas: &Watched, state: &StripState, last: &mut String) {
    let (rms, peak) = (state.meter.rms_db(), state.meter.peak_db());
    let figures = format!("{rms:.2} {peak:.2}");
    if figures == *last {
        return;
    }
    *last = figures;
    let text = if rms <= SILENCE_DB {
        "silent".to_owned()
    } else {
        format!("RMS {rms:.1} dB, peak {peak:.1} dB")
    };
    // Attribute writes on a live element cannot fail.
    let _ = canvas.set_attribute("aria-valuenow", &format!("{:.1}", rms.max(SCALE_DB.0)));
    let _ = canvas.set_attribute("aria-valuetext", &text);
    let _ = canvas.set_attribute("data-rms-db", &format!("{rms:.2}"));
    let _ = canvas.set_attribute("data-peak-db", &format!("{peak:.2}"));
}

fn draw_level(canvas: &Watched, state: &StripState) {
    let Some((g, w, h)) = canvas.context() else {
        return;
    };
    g.set_fill_style_str("#101318");
    g.fill_rect(0.0, 0.0, w, h);
    let bar_w = (w - 3.0) / 2.0;
    for (ch, m) in state.meter.channels.iter().enumerate() {
        let x = 1.0 + ch as f64 * (bar_w + 1.0);
        draw_channel(&g, m, x, bar_w, h);
    }
    g.set_fill_style_str("rgba(200, 210, 225, 0.55)");
    for db in [0.0, -6.0, -12.0, -24.0, -40.0] {
        let y = (h * (1.0 - scale(db))).round();
        g.fill_rect(0.0, y, w, if db == 0.0 { 1.0 } else { 0.5 });
    }
}

fn draw_channel(g: &CanvasRenderingContext2d, m: &ChannelMeter, x: f64, w: f64, h: f64) {
    let y = |db: f32| h * (1.0 - scale(db));
    let (peak, rms, hold) = (m.peak_db(), m.rms_db(), m.hold_db());
    if peak > SCALE_DB.0 {
        g.set_global_alpha(0.35);
        g.set_fill_style_str(colour(peak));
        g.fill_rect(x, y(peak), w, h - y(peak));
        g.set_global_alpha(1.0);
    }
    if rms > SCALE_DB.0 {
        g.set_fill_style_str(colour(rms));
        g.fill_rect(x, y(rms), w, h - y(rms));
    }
    if hold > SCALE_DB.0 {
        g.set_fill_style_str(if hold >= 0.0 { "#ff5a4c" } else { "#e8edf3" });
        g.fill_rect(x, y(hold), w, 1.5);
    }
}

/// A gain-reduction bar (growing down from the top), for the compressor (`which` 0) or the gate
/// (1) of `strip`.
#[component]
pub fn ReductionMeter(
    /// The strip.
    strip: StripIndex,
    /// 0 for the compressor, 1 for the gate.
    which: usize,
    /// Accessible name.
    label: String,
) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let mut described = f32::NAN;
    on_frame(canvas, move |canvas, frame| {
        let db = frame.strips[strip.index()].gain_reduction_db[which];
        if let Some((g, w, h)) = frame.on_screen.then(|| canvas.context()).flatten() {
            g.set_fill_style_str("#101318");
            g.fill_rect(0.0, 0.0, w, h);
            let fill = h * f64::from((db / GR_SCALE_DB).clamp(0.0, 1.0));
            g.set_fill_style_str("#f2a13c");
            g.fill_rect(0.0, 0.0, w, fill);
        }
        if frame.describe && (db * 10.0).round() != (described * 10.0).round() {
            described = db;
            let _ = canvas.set_attribute("aria-valuenow", &format!("{db:.1}"));
            let _ =
                canvas.set_attribute("aria-valuetext", &format!("{db:.1} dB of gain reduction"));
        }
    });
    view! {
        <canvas
            node_ref=canvas
            class="gr-meter"
            role="meter"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax=GR_SCALE_DB
            aria-valuenow="0"
            aria-valuetext="no gain reduction"
        ></canvas>
    }
}
