//! Canvas plumbing: a 2D context whose backing store matches the element's size on screen (times
//! the device pixel ratio), so drawings stay sharp on every display; and whether a canvas is on
//! screen at all, so a console of 256 strips draws only the meters one can see.
//!
//! Sizes and visibility come from one `ResizeObserver` and one `IntersectionObserver` shared by
//! every canvas of the page, never from reading the layout while drawing: a frame that drew
//! hundreds of meters, each asking for its size after others had written their accessible values,
//! made the browser lay the page out again for each.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Deref;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, IntersectionObserver,
    IntersectionObserverEntry, IntersectionObserverInit, ResizeObserver, ResizeObserverEntry,
};

/// How far outside the viewport an element still counts as on screen, CSS px: a strip
/// scrolled in is already drawn.
const ON_SCREEN_MARGIN: &str = "200px";

/// What the observers last reported about one canvas.
#[derive(Clone, Copy, Debug)]
struct Seen {
    /// Within [`ON_SCREEN_MARGIN`] of the viewport, after the clipping of every scrolling
    /// ancestor (the console's strip row scrolls).
    on_screen: bool,
    /// Content-box size, CSS px; `None` before the first report.
    size: Option<(f64, f64)>,
}

/// The page's two observers and what they have reported, by watched element.
struct Observers {
    intersection: Option<IntersectionObserver>,
    resize: Option<ResizeObserver>,
    /// Watched element → its key in `seen`.
    keys: js_sys::Map,
    seen: RefCell<HashMap<u32, Rc<Cell<Seen>>>>,
    next_key: Cell<u32>,
}

thread_local! {
    static OBSERVERS: Observers = Observers::start();
}

/// A callback for an observer whose entries are of type `E`: `apply` gets each entry with the
/// page's observers.
fn reporter<E: JsCast>(
    apply: impl Fn(&Observers, E) + 'static,
) -> Closure<dyn FnMut(js_sys::Array)> {
    Closure::new(move |entries: js_sys::Array| {
        OBSERVERS.with(|o| {
            for entry in entries.iter().filter_map(|e| e.dyn_into::<E>().ok()) {
                apply(o, entry);
            }
        });
    })
}

impl Observers {
    fn start() -> Observers {
        let on_intersect = reporter(|o, entry: IntersectionObserverEntry| {
            let on_screen = entry.is_intersecting();
            o.update(&entry.target(), |s| s.on_screen = on_screen);
        });
        let on_resize = reporter(|o, entry: ResizeObserverEntry| {
            let r = entry.content_rect();
            o.update(&entry.target(), |s| s.size = Some((r.width(), r.height())));
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(ON_SCREEN_MARGIN);
        let intersection =
            IntersectionObserver::new_with_options(on_intersect.as_ref().unchecked_ref(), &options)
                .ok();
        let resize = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
        // The observers live as long as the page, and so do their callbacks.
        on_intersect.forget();
        on_resize.forget();
        Observers {
            intersection,
            resize,
            keys: js_sys::Map::new(),
            seen: RefCell::new(HashMap::new()),
            next_key: Cell::new(0),
        }
    }

    fn update(&self, element: &Element, change: impl FnOnce(&mut Seen)) {
        let Some(key) = self.keys.get(element).as_f64() else {
            return;
        };
        if let Some(cell) = self.seen.borrow().get(&(key as u32)) {
            let mut seen = cell.get();
            change(&mut seen);
            cell.set(seen);
        }
    }
}

/// A canvas watched by the page's observers (it derefs to the element). Where the browser has
/// no `IntersectionObserver` it always counts as on screen; where it has no `ResizeObserver` its
/// size is read from the layout.
pub struct Watched {
    canvas: HtmlCanvasElement,
    key: u32,
    seen: Rc<Cell<Seen>>,
    context: RefCell<Option<CanvasRenderingContext2d>>,
}

impl Watched {
    /// Starts watching `canvas`; it counts as on screen until the first report.
    pub fn new(canvas: HtmlCanvasElement) -> Watched {
        let seen = Rc::new(Cell::new(Seen {
            on_screen: true,
            size: None,
        }));
        let key = OBSERVERS.with(|o| {
            let key = o.next_key.get();
            o.next_key.set(key.wrapping_add(1));
            o.keys.set(&canvas, &JsValue::from(key));
            o.seen.borrow_mut().insert(key, Rc::clone(&seen));
            if let Some(i) = &o.intersection {
                i.observe(&canvas);
            }
            if let Some(r) = &o.resize {
                r.observe(&canvas);
            }
            key
        });
        Watched {
            canvas,
            key,
            seen,
            context: RefCell::new(None),
        }
    }

    /// Whether the canvas is on screen (as of the browser's latest report).
    pub fn on_screen(&self) -> bool {
        self.seen.get().on_screen
    }

    /// The canvas's 2D context, scaled so drawing coordinates are CSS pixels, and its CSS size;
    /// `None` while it has no size.
    pub fn context(&self) -> Option<(CanvasRenderingContext2d, f64, f64)> {
        let (w, h) = match self.seen.get().size {
            Some(size) => size,
            None if OBSERVERS.with(|o| o.resize.is_none()) => (
                f64::from(self.canvas.client_width()),
                f64::from(self.canvas.client_height()),
            ),
            None => return None,
        };
        if w <= 0.0 || h <= 0.0 {
            return None;
        }
        let ratio = web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(1.0);
        let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
        if self.canvas.width() != pw || self.canvas.height() != ph {
            self.canvas.set_width(pw);
            self.canvas.set_height(ph);
        }
        let mut context = self.context.borrow_mut();
        if context.is_none() {
            *context = self
                .canvas
                .get_context("2d")
                .ok()??
                .dyn_into::<CanvasRenderingContext2d>()
                .ok();
        }
        let g = context.clone()?;
        // Scaling cannot fail on a live 2D context.
        let _ = g.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        Some((g, w, h))
    }
}

impl Deref for Watched {
    type Target = HtmlCanvasElement;

    fn deref(&self) -> &HtmlCanvasElement {
        &self.canvas
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        OBSERVERS.with(|o| {
            if let Some(i) = &o.intersection {
                i.unobserve(&self.canvas);
            }
            if let Some(r) = &o.resize {
                r.unobserve(&self.canvas);
            }
            o.keys.delete(&self.canvas);
            o.seen.borrow_mut().remove(&self.key);
        });
    }
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
