//! The timeline: a ruler and a lane per track with its waveform overview, the playhead, and the
//! loop region. Click a lane to move the playhead there; drag along the ruler to set the loop
//! region (and switch the loop on).

use std::rc::Rc;

use leptos::ev::PointerEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::{change, seek};
use crate::audio::waveform::Overview;
use crate::state::Mixer;
use crate::ui::console::meter::on_frame;

/// Height of the ruler, px.
const RULER_PX: f64 = 16.0;

/// What the still part of the timeline (ruler, lanes, overviews) depends on: it is drawn again
/// only when this changes.
#[derive(Clone, PartialEq)]
struct LayerKey {
    width_px: u32,
    height_px: u32,
    ratio: f64,
    length_s: f64,
    /// Per lane: colour and the overview's address.
    lanes: Vec<(String, usize)>,
}

/// The timeline.
#[component]
pub fn Timeline() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let canvas = NodeRef::<html::Canvas>::new();
    let drag = StoredValue::new(None::<(i32, f64)>);
    let layer = StoredValue::new_local(None::<(LayerKey, HtmlCanvasElement)>);
    on_frame(canvas, move |canvas, frame| {
        let Some((g, w, h)) = canvas.context() else {
            return;
        };
        let rate = f64::from(frame.rate_hz);
        let length = (f64::from(mixer.song_frames()) / rate).max(1.0);
        let x = |s: f64| s / length * w;
        let lanes: Vec<(String, Option<Rc<Overview>>)> = mixer.tracks.with_untracked(|t| {
            t.iter()
                .map(|m| {
                    let info = mixer.with_bridge(|b| b.track_info(m.strip.position()));
                    (m.color.clone(), info.flatten().map(|i| i.overview))
                })
                .collect()
        });
        let key = LayerKey {
            width_px: canvas.width(),
            height_px: canvas.height(),
            ratio: f64::from(canvas.width()) / w,
            length_s: length,
            lanes: lanes
                .iter()
                .map(|(c, o)| (c.clone(), o.as_ref().map_or(0, |o| Rc::as_ptr(o) as usize)))
                .collect(),
        };
        let stale = layer.with_value(|l| l.as_ref().is_none_or(|(k, _)| *k != key));
        if stale {
            if let Some(still) = draw_layer(&key, &lanes, rate) {
                layer.set_value(Some((key, still)));
            }
        }
        layer.with_value(|l| {
            if let Some((_, still)) = l {
                let _ = g.draw_image_with_html_canvas_element_and_dw_and_dh(still, 0.0, 0.0, w, h);
            }
        });
        // Loop region and playhead.
        if let Some(r) = mixer.with_bridge(|b| b.transport()) {
            if r.loop_end_frame > r.loop_start_frame {
                let (a, b) = (x(r.loop_start_frame / rate), x(r.loop_end_frame / rate));
                g.set_fill_style_str(if r.loop_enabled {
                    "rgba(90, 169, 255, 0.28)"
                } else {
                    "rgba(150, 165, 185, 0.12)"
                });
                g.fill_rect(a, 0.0, b - a, RULER_PX);
                g.set_fill_style_str(if r.loop_enabled {
                    "rgba(90, 169, 255, 0.07)"
                } else {
                    "rgba(0, 0, 0, 0)"
                });
                g.fill_rect(a, RULER_PX, b - a, h - RULER_PX);
            }
        }
        g.set_fill_style_str("#f2f5f8");
        g.fill_rect(x(frame.playhead_s).round(), 0.0, 1.5, h);
    });
    let at = move |ev: &PointerEvent| -> Option<(f64, f64, f64)> {
        let c = canvas.get_untracked()?;
        let r = c.get_bounding_client_rect();
        Some((
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
            r.width(),
        ))
    };
    let rate = move || {
        mixer
            .with_bridge(|b| f64::from(b.sample_rate_hz()))
            .unwrap_or(48_000.0)
    };
    let seconds = move |x: f64, w: f64| {
        let length = (f64::from(mixer.song_frames()) / rate()).max(1.0);
        (x / w).clamp(0.0, 1.0) * length
    };
    let on_down = move |ev: PointerEvent| {
        let Some((x, y, w)) = at(&ev) else { return };
        if y <= RULER_PX {
            if let Some(t) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = t.set_pointer_capture(ev.pointer_id());
            }
            drag.set_value(Some((ev.pointer_id(), seconds(x, w))));
        } else {
            seek(mixer, seconds(x, w) * rate());
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some((id, start)) = drag.get_value() else {
            return;
        };
        let Some((x, _, w)) = at(&ev) else { return };
        if ev.pointer_id() == id {
            let now = seconds(x, w);
            let (a, b) = if now < start {
                (now, start)
            } else {
                (start, now)
            };
            let r = rate();
            change(mixer, |t| {
                t.loop_start_frame = (a * r).round();
                t.loop_end_frame = (b * r).round();
                t.loop_enabled = b - a > 0.05;
            });
        }
    };
    let on_up = move |_ev: PointerEvent| drag.set_value(None);
    view! {
        <section class="timeline" aria-label="Timeline">
            <canvas node_ref=canvas class="timeline-canvas" role="img"
                aria-label="Timeline: click to move the playhead, drag along the ruler to set the loop"
                data-testid="timeline"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
        </section>
    }
}

/// Draws the ruler and the lanes with their overviews on a canvas of its own.
fn draw_layer(
    key: &LayerKey,
    lanes: &[(String, Option<Rc<Overview>>)],
    rate: f64,
) -> Option<HtmlCanvasElement> {
    let still = document()
        .create_element("canvas")
        .ok()?
        .dyn_into::<HtmlCanvasElement>()
        .ok()?;
    still.set_width(key.width_px);
    still.set_height(key.height_px);
    let g = still
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let _ = g.set_transform(key.ratio, 0.0, 0.0, key.ratio, 0.0, 0.0);
    let (w, h) = (
        f64::from(key.width_px) / key.ratio,
        f64::from(key.height_px) / key.ratio,
    );
    let length = key.length_s;
    let x = |s: f64| s / length * w;
    g.set_fill_style_str("#0d1014");
    g.fill_rect(0.0, 0.0, w, h);
    // Ruler.
    g.set_fill_style_str("#161a21");
    g.fill_rect(0.0, 0.0, w, RULER_PX);
    g.set_fill_style_str("rgba(180, 190, 205, 0.7)");
    g.set_font("10px system-ui, sans-serif");
    let step = if length > 120.0 {
        30.0
    } else if length > 30.0 {
        5.0
    } else {
        1.0
    };
    let mut s = 0.0;
    while s < length {
        g.fill_rect(x(s).round(), RULER_PX - 5.0, 1.0, 5.0);
        if s % (step * 2.0) == 0.0 {
            let _ = g.fill_text(
                &format!("{}:{:02}", (s / 60.0) as u32, (s % 60.0) as u32),
                x(s) + 2.0,
                10.0,
            );
        }
        s += step;
    }
    // Lanes: per pixel column, the overview points it covers.
    let lane_h = (h - RULER_PX) / lanes.len().max(1) as f64;
    for (i, (colour, overview)) in lanes.iter().enumerate() {
        let top = RULER_PX + i as f64 * lane_h;
        let mid = top + lane_h / 2.0;
        g.set_fill_style_str(if i % 2 == 0 { "#11151b" } else { "#0f1217" });
        g.fill_rect(0.0, top, w, lane_h);
        let Some(overview) = overview else {
            continue;
        };
        g.set_fill_style_str(colour);
        let points = overview.max.len().max(1);
        let seconds_per_point = overview.frames_per_point as f64 / rate;
        let px_per_point = x(seconds_per_point);
        let stride = (1.0 / px_per_point).ceil().max(1.0) as usize;
        for p in (0..points).step_by(stride) {
            let end = (p + stride).min(points);
            let hi = overview.max[p..end].iter().fold(0.0_f32, |a, &b| a.max(b));
            let lo = overview.min[p..end].iter().fold(0.0_f32, |a, &b| a.min(b));
            let (y0, y1) = (
                mid - f64::from(hi) * lane_h / 2.0,
                mid - f64::from(lo) * lane_h / 2.0,
            );
            g.fill_rect(
                x(p as f64 * seconds_per_point),
                y0,
                px_per_point.max(1.0) * stride as f64,
                (y1 - y0).max(1.0),
            );
        }
    }
    Some(still)
}
