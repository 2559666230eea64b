//! The display loop: once per animation frame, read the new meter entries, apply ballistics and
//! draw every meter canvas; also move the playhead readout.
//!
//! Meters are drawn on canvas from one `requestAnimationFrame` loop, not through reactive
//! updates at display rate. The accessible value of each meter (`aria-valuenow`, dB RMS) and its
//! `data-peak-db` / `data-rms-db` attributes are refreshed ten times a second.

use std::cell::RefCell;
use std::rc::Rc;

use mixroom_protocol::layout::meter_block;
use mixroom_protocol::strips::{StripIndex, MAX_STRIPS};
use mixroom_protocol::units::SILENCE_DB;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

use crate::meters::{ChannelMeter, FigureSum, StripMeter};
use crate::mixer::Mixer;

/// Lowest and highest level on the meter scale, dB.
const SCALE_DB: (f32, f32) = (-60.0, 6.0);
/// How often the accessible values are refreshed, ms.
const ARIA_PERIOD_MS: f64 = 100.0;
/// Without new entries for this long, meters fall as if fed silence, ms.
const STALE_MS: f64 = 100.0;

#[derive(Default)]
struct Board {
    canvases: Vec<Option<HtmlCanvasElement>>,
    meters: Vec<StripMeter>,
    sums: Vec<FigureSum>,
    playhead: Option<HtmlElement>,
    last_frame_ms: Option<f64>,
    last_entry_ms: f64,
    last_aria_ms: f64,
}

/// The frame callback, kept alive by itself so it can schedule the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Shared handle to the display loop's state; components register their canvases here.
#[derive(Clone, Default)]
pub struct MeterBoard(Rc<RefCell<Board>>);

impl MeterBoard {
    /// Draws `strip`'s meter on `canvas` from now on.
    pub fn register(&self, strip: StripIndex, canvas: HtmlCanvasElement) {
        let mut board = self.0.borrow_mut();
        if board.canvases.is_empty() {
            board.canvases = vec![None; MAX_STRIPS];
            board.meters = vec![StripMeter::default(); MAX_STRIPS];
            board.sums = vec![FigureSum::default(); MAX_STRIPS];
        }
        board.canvases[strip.index()] = Some(canvas);
    }

    /// Shows the playhead in `element`.
    pub fn register_playhead(&self, element: HtmlElement) {
        self.0.borrow_mut().playhead = Some(element);
    }

    /// Starts the animation-frame loop (for the life of the page).
    pub fn start(&self, mixer: Mixer) {
        let board = self.clone();
        let tick: FrameCallback = Rc::new(RefCell::new(None));
        let next = Rc::clone(&tick);
        *tick.borrow_mut() = Some(Closure::new(move |now_ms: f64| {
            mixer.with_bridge(|bridge| {
                board.0.borrow_mut().frame(
                    now_ms,
                    |f| bridge.read_new_meters(f),
                    || (bridge.playhead_frames(), bridge.sample_rate_hz()),
                );
            });
            request_frame(next.borrow().as_ref());
        }));
        request_frame(tick.borrow().as_ref());
    }
}

fn request_frame(callback: Option<&Closure<dyn FnMut(f64)>>) {
    if let (Some(window), Some(callback)) = (web_sys::window(), callback) {
        // Failing to schedule a frame only stops the meters; nothing else depends on it.
        let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
    }
}

impl Board {
    fn frame(
        &mut self,
        now_ms: f64,
        read: impl FnOnce(&mut dyn FnMut(&[u8])),
        playhead: impl FnOnce() -> (f64, f32),
    ) {
        let dt_s =
            self.last_frame_ms
                .map_or(0.0, |last| ((now_ms - last) / 1000.0).clamp(0.0, 0.1)) as f32;
        self.last_frame_ms = Some(now_ms);
        if self.canvases.is_empty() {
            return;
        }
        for sum in &mut self.sums {
            *sum = FigureSum::default();
        }
        let (canvases, sums) = (&self.canvases, &mut self.sums);
        let mut entries = 0;
        read(&mut |entry: &[u8]| {
            entries += 1;
            let frames = meter_block::read_frames(entry);
            for (strip, _) in canvases.iter().enumerate().filter(|(_, c)| c.is_some()) {
                sums[strip].add(&meter_block::read_strip(entry, strip), frames);
            }
        });
        if entries > 0 {
            self.last_entry_ms = now_ms;
        }
        let stale = now_ms - self.last_entry_ms > STALE_MS;
        let aria_due = now_ms - self.last_aria_ms >= ARIA_PERIOD_MS;
        if aria_due {
            self.last_aria_ms = now_ms;
        }
        for (strip, canvas) in self.canvases.iter().enumerate() {
            let Some(canvas) = canvas else { continue };
            let meter = &mut self.meters[strip];
            if self.sums[strip].frames() > 0 {
                meter.update(&self.sums[strip].figures(), dt_s);
            } else if stale {
                meter.update(&Default::default(), dt_s);
            }
            draw(canvas, meter);
            if aria_due {
                describe(canvas, meter);
            }
        }
        if let Some(element) = &self.playhead {
            let (frames, rate) = playhead();
            element.set_text_content(Some(&format_time(frames / f64::from(rate))));
        }
    }
}

/// "m:ss.s"
fn format_time(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).floor() as u64;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

fn describe(canvas: &HtmlCanvasElement, meter: &StripMeter) {
    let rms = meter.rms_db();
    let peak = meter.peak_db();
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

/// Height fraction (0 bottom … 1 top) of a level on the scale.
fn scale(db: f32) -> f64 {
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

fn draw(canvas: &HtmlCanvasElement, meter: &StripMeter) {
    let Ok(Some(context)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(g) = context.dyn_into::<CanvasRenderingContext2d>() else {
        return;
    };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    g.set_fill_style_str("#14171c");
    g.fill_rect(0.0, 0.0, w, h);
    let clip_h = 6.0;
    let bar_h = h - clip_h - 2.0;
    let bar_w = (w - 3.0) / 2.0;
    for (ch, m) in meter.channels.iter().enumerate() {
        let x = 1.0 + ch as f64 * (bar_w + 1.0);
        draw_channel(&g, m, x, bar_w, clip_h + 2.0, bar_h);
        g.set_fill_style_str(if m.clipped() { "#ff3030" } else { "#2a2f38" });
        g.fill_rect(x, 0.0, bar_w, clip_h);
    }
    // 0 dB tick.
    g.set_fill_style_str("#8892a0");
    g.fill_rect(0.0, clip_h + 2.0 + bar_h * (1.0 - scale(0.0)), w, 1.0);
}

fn draw_channel(g: &CanvasRenderingContext2d, m: &ChannelMeter, x: f64, w: f64, top: f64, h: f64) {
    let y = |db: f32| top + h * (1.0 - scale(db));
    let (peak, rms) = (m.peak_db(), m.rms_db());
    if peak > SCALE_DB.0 {
        g.set_global_alpha(0.35);
        g.set_fill_style_str(colour(peak));
        g.fill_rect(x, y(peak), w, top + h - y(peak));
        g.set_global_alpha(1.0);
    }
    if rms > SCALE_DB.0 {
        g.set_fill_style_str(colour(rms));
        g.fill_rect(x, y(rms), w, top + h - y(rms));
    }
    if m.hold_db() > SCALE_DB.0 {
        g.set_fill_style_str("#e8edf3");
        g.fill_rect(x, y(m.hold_db()), w, 2.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_time_and_scales_levels() {
        assert_eq!(format_time(0.0), "0:00.0");
        assert_eq!(format_time(61.26), "1:01.2");
        assert_eq!(format_time(-3.0), "0:00.0");
        assert_eq!(scale(-60.0), 0.0);
        assert_eq!(scale(6.0), 1.0);
        assert_eq!(scale(-100.0), 0.0);
        assert!((scale(-27.0) - 0.5).abs() < 1e-9);
    }
}
