//! Canvas plumbing: a 2D context whose backing store matches the element's size on screen (times
//! the device pixel ratio), so drawings stay sharp on every display; and whether a canvas is on
//! screen at all, so a console of 256 strips draws only the meters one can see.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, IntersectionObserver,
    IntersectionObserverEntry, IntersectionObserverInit,
};

/// How far outside the viewport an element still counts as on screen, CSS px: a strip
/// scrolled in is already drawn.
const ON_SCREEN_MARGIN: &str = "200px";

/// Whether an element is on screen: within [`ON_SCREEN_MARGIN`] of the viewport, after the
/// clipping of every scrolling ancestor (the console's strip row scrolls). Kept by an
/// `IntersectionObserver`, which stops watching when this is dropped.
pub struct OnScreen {
    visible: Rc<Cell<bool>>,
    observer: IntersectionObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl OnScreen {
    /// Starts watching `element`; it counts as on screen until the first report. `None` where
    /// the browser has no `IntersectionObserver` (then everything counts as on screen).
    pub fn watch(element: &Element) -> Option<OnScreen> {
        let visible = Rc::new(Cell::new(true));
        let shared = Rc::clone(&visible);
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            // The latest report about the one element watched decides.
            if let Some(entry) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
            {
                shared.set(entry.is_intersecting());
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(ON_SCREEN_MARGIN);
        let observer =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options)
                .ok()?;
        observer.observe(element);
        Some(OnScreen {
            visible,
            observer,
            _callback: callback,
        })
    }

    /// Whether the element is on screen (as of the browser's latest report).
    pub fn get(&self) -> bool {
        self.visible.get()
    }
}

impl Drop for OnScreen {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The canvas's 2D context, scaled so drawing coordinates are CSS pixels, and its CSS size.
pub fn context(canvas: &HtmlCanvasElement) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let (w, h) = (canvas.client_width() as f64, canvas.client_height() as f64);
    if w <= 0.0 || h <= 0.0 {
        return None;
    }
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let g = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    // Scaling cannot fail on a live 2D context.
    let _ = g.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    Some((g, w, h))
}

/// x position (0..width) of `freq_hz` on a 20 Hz–20 kHz logarithmic axis.
pub fn freq_x(freq_hz: f32, width: f64) -> f64 {
    f64::from((freq_hz.max(1.0) / 20.0).log2() / 1000f32.log2()) * width
}

/// The frequency at x position `x` of a 20 Hz–20 kHz logarithmic axis `width` wide, Hz.
pub fn x_freq(x: f64, width: f64) -> f32 {
    20.0 * 1000f32.powf((x / width) as f32)
}

/// Traces the curve `y_at(x)` across a view `width` wide, a point every 2 px, as a new path
/// (stroke or fill it after).
pub fn trace(g: &CanvasRenderingContext2d, width: f64, y_at: impl Fn(f64) -> f64) {
    g.begin_path();
    let mut x = 0.0;
    while x <= width {
        let y = y_at(x);
        if x == 0.0 {
            g.move_to(x, y);
        } else {
            g.line_to(x, y);
        }
        x += 2.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_places_decades_evenly() {
        assert_eq!(freq_x(20.0, 300.0), 0.0);
        assert!((freq_x(200.0, 300.0) - 100.0).abs() < 1e-3);
        assert!((freq_x(20_000.0, 300.0) - 300.0).abs() < 1e-3);
        assert!((x_freq(150.0, 300.0) - 632.456).abs() < 0.01);
    }
}
