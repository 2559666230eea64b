//! The display loop: once per animation frame, read the engine's new meter entries and the
//! tapped spectra, apply ballistics, and run every registered drawer.
//!
//! Meters and spectra are drawn on canvas from this single `requestAnimationFrame` loop, never
//! through reactive updates at display rate. Components register a drawer when they mount and
//! remove it on cleanup.

use std::cell::RefCell;
use std::rc::Rc;

use mixroom_protocol::layout::meter_block::{self, MasterFigures};
use mixroom_protocol::layout::spectrum_block::{selector, TapPoint, TAPS};
use mixroom_protocol::strips::{StripIndex, MAX_STRIPS};
use wasm_bindgen::prelude::*;

use crate::analysis::{Analyzer, FFT_SIZE};
use crate::meters::{FigureSum, StripMeter};
use crate::state::Mixer;

/// Without new entries for this long, meters fall as if fed silence, ms.
const STALE_MS: f64 = 100.0;
/// Gain-reduction meters fall back at this rate, dB per second.
const GR_FALL_DB_PER_S: f32 = 30.0;
/// Loudness history: one point per this many ms…
pub const HISTORY_STEP_MS: f64 = 100.0;
/// …for this many points (60 s).
pub const HISTORY_POINTS: usize = 600;
/// Time constant of the correlation meter, s.
const CORRELATION_TAU_S: f32 = 0.3;

/// Meter state of one strip.
#[derive(Clone, Copy, Debug, Default)]
pub struct StripState {
    /// Peak, RMS, hold and clip per channel.
    pub meter: StripMeter,
    /// Compressor and gate gain reduction, dB (with a falling release).
    pub gain_reduction_db: [f32; 2],
    /// A sample reached full scale somewhere in the strip (until clicked away).
    pub clipped: bool,
}

/// The master's loudness state.
#[derive(Clone, Debug)]
pub struct MasterState {
    /// The latest figures from the engine.
    pub figures: MasterFigures,
    /// Short-term (3 s) loudness every 100 ms, oldest first, LUFS (−∞ when silent).
    pub short_term_history: Vec<f32>,
    /// Momentary (400 ms) loudness every 100 ms, oldest first, LUFS.
    pub momentary_history: Vec<f32>,
    /// Stereo correlation, −1..1 (0 while silent).
    pub correlation: f32,
    /// Largest true peak since the last reset, linear.
    pub max_true_peak: f32,
    sums: [f32; 3],
    last_history_ms: f64,
}

impl Default for MasterState {
    fn default() -> Self {
        MasterState {
            figures: MasterFigures::default(),
            short_term_history: vec![f32::NEG_INFINITY; HISTORY_POINTS],
            momentary_history: vec![f32::NEG_INFINITY; HISTORY_POINTS],
            correlation: 0.0,
            max_true_peak: 0.0,
            sums: [0.0; 3],
            last_history_ms: 0.0,
        }
    }
}

/// What a drawer sees each frame.
pub struct Frame<'a> {
    /// Meter state by strip index.
    pub strips: &'a [StripState],
    /// The master's loudness state.
    pub master: &'a MasterState,
    /// Playhead, s.
    pub playhead_s: f64,
    /// Spectrum analyzers of the four taps (see [`Display::watch`]).
    pub spectra: &'a [Analyzer],
    /// Sample rate of the engine, Hz.
    pub rate_hz: f32,
    /// Whether the accessible values (ARIA attributes) should be refreshed this frame (10 Hz).
    pub describe: bool,
    /// Whether the spectra and the strip meters are hidden (during a round of ear training,
    /// where they would give the answer away): the analyzers are then empty and the meters
    /// fall as if fed silence.
    pub analysis_hidden: bool,
    /// Whether the drawer's canvas is on screen. Off screen, a canvas drawer runs only on
    /// describe frames, to keep its accessible values current; what it draws is not seen.
    pub on_screen: bool,
}

type Drawer = Box<dyn FnMut(&Frame<'_>)>;

/// The frame callback, kept alive by itself so it can schedule the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

#[derive(Default)]
struct Inner {
    drawers: Vec<(u64, Drawer)>,
    next_id: u64,
    strips: Vec<StripState>,
    sums: Vec<FigureSum>,
    master: MasterState,
    analyzers: Vec<Analyzer>,
    taps: [i32; TAPS],
    analysis_hidden: bool,
    last_frame_ms: Option<f64>,
    last_entry_ms: f64,
    last_describe_ms: f64,
}

/// Shared handle to the display loop.
#[derive(Clone, Default)]
pub struct Display(Rc<RefCell<Inner>>);

/// Which point of which strip each tap watches: the selected strip before and after its EQ, and
/// the master's output.
pub const TAP_PRE_EQ: usize = 0;
/// Tap index of the selected strip after its EQ.
pub const TAP_POST_EQ: usize = 1;
/// Tap index of the master's output.
pub const TAP_MASTER: usize = 2;

impl Display {
    /// Registers `drawer`; returns its id for [`Self::remove`].
    pub fn add(&self, drawer: impl FnMut(&Frame<'_>) + 'static) -> u64 {
        let mut inner = self.0.borrow_mut();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.drawers.push((id, Box::new(drawer)));
        id
    }

    /// Removes a drawer.
    pub fn remove(&self, id: u64) {
        self.0.borrow_mut().drawers.retain(|(i, _)| *i != id);
    }

    /// Clears the clip indicator of `strip`.
    pub fn clear_clip(&self, strip: StripIndex) {
        if let Some(s) = self.0.borrow_mut().strips.get_mut(strip.index()) {
            s.clipped = false;
            for c in &mut s.meter.channels {
                c.clear_clip();
            }
        }
    }

    /// Clears the loudness history and the true-peak maximum (with a new measurement).
    pub fn clear_loudness(&self) {
        let mut inner = self.0.borrow_mut();
        let figures = inner.master.figures;
        inner.master = MasterState {
            figures,
            ..MasterState::default()
        };
    }

    /// Hides the spectra and the strip meters (`true`: the analyzers are emptied and fed no
    /// more, the meters fall as if fed silence) or shows them.
    pub fn hide_analysis(&self, hidden: bool) {
        let mut inner = self.0.borrow_mut();
        inner.analysis_hidden = hidden;
        if hidden {
            for a in &mut inner.analyzers {
                a.clear();
            }
        }
    }

    /// Points the taps at `strip` (before and after its EQ) and the master's output.
    pub fn watch(&self, mixer: Mixer, strip: StripIndex) {
        let taps = [
            selector(strip.index(), TapPoint::PreEq),
            selector(strip.index(), TapPoint::PostEq),
            selector(StripIndex::MASTER.index(), TapPoint::Output),
            -1,
        ];
        let mut inner = self.0.borrow_mut();
        if inner.taps != taps {
            inner.taps = taps;
            for a in &mut inner.analyzers {
                a.clear();
            }
            mixer.with_bridge(|b| b.select_taps(taps));
        }
    }

    /// Starts the animation-frame loop (for the life of the page).
    pub fn start(&self, mixer: Mixer) {
        {
            let mut inner = self.0.borrow_mut();
            inner.strips = vec![StripState::default(); MAX_STRIPS];
            inner.sums = vec![FigureSum::default(); MAX_STRIPS];
            inner.analyzers = (0..TAPS).map(|_| Analyzer::new()).collect();
            inner.taps = [-1; TAPS];
        }
        let display = self.clone();
        let tick: FrameCallback = Rc::new(RefCell::new(None));
        let next = Rc::clone(&tick);
        *tick.borrow_mut() = Some(Closure::new(move |now_ms: f64| {
            display.frame(now_ms, mixer);
            request_frame(next.borrow().as_ref());
        }));
        request_frame(tick.borrow().as_ref());
    }

    fn frame(&self, now_ms: f64, mixer: Mixer) {
        let mut inner = self.0.borrow_mut();
        let inner = &mut *inner;
        let dt_s = inner
            .last_frame_ms
            .map_or(0.0, |last| ((now_ms - last) / 1000.0).clamp(0.0, 0.1))
            as f32;
        inner.last_frame_ms = Some(now_ms);
        for sum in &mut inner.sums {
            *sum = FigureSum::default();
        }
        let mut entries = 0;
        let mut gr = [[0.0_f32; 2]; MAX_STRIPS];
        let mut clips = [false; MAX_STRIPS];
        let mut sums = [0.0_f32; 3];
        let mut master = None;
        let (playhead_frames, rate_hz) = mixer
            .with_bridge(|bridge| {
                bridge.read_new_meters(|entry| {
                    entries += 1;
                    let frames = meter_block::read_frames(entry);
                    for (strip, sum) in inner.sums.iter_mut().enumerate() {
                        let f = meter_block::read_strip(entry, strip);
                        sum.add(&f, frames);
                        for (g, v) in gr[strip].iter_mut().zip(f.gain_reduction_db) {
                            *g = g.max(v);
                        }
                        clips[strip] |= f.clip;
                    }
                    let m = meter_block::read_master(entry);
                    sums[0] += m.sum_lr;
                    sums[1] += m.sum_ll;
                    sums[2] += m.sum_rr;
                    master = Some(m);
                });
                (bridge.playhead_frames(), bridge.sample_rate_hz())
            })
            .unwrap_or((0.0, 48_000.0));
        if entries > 0 {
            inner.last_entry_ms = now_ms;
        }
        let stale = now_ms - inner.last_entry_ms > STALE_MS;
        let hidden = inner.analysis_hidden;
        for (i, state) in inner.strips.iter_mut().enumerate() {
            if inner.sums[i].frames() > 0 && !hidden {
                state.meter.update(&inner.sums[i].figures(), dt_s);
            } else if stale || hidden {
                state.meter.update(&Default::default(), dt_s);
            }
            let gr = if hidden { [0.0; 2] } else { gr[i] };
            for (shown, now) in state.gain_reduction_db.iter_mut().zip(gr) {
                *shown = now.max(*shown - GR_FALL_DB_PER_S * dt_s).max(0.0);
            }
            state.clipped |= clips[i] && !hidden;
        }
        update_master(&mut inner.master, master, sums, now_ms, dt_s);
        let taps = inner.taps;
        for (tap, analyzer) in inner.analyzers.iter_mut().enumerate() {
            if taps[tap] >= 0 && !inner.analysis_hidden {
                let samples = mixer
                    .with_bridge(|b| b.tap_samples(tap, FFT_SIZE))
                    .unwrap_or_default();
                analyzer.analyze(&samples);
            }
        }
        let describe = now_ms - inner.last_describe_ms >= 100.0;
        if describe {
            inner.last_describe_ms = now_ms;
        }
        let frame = Frame {
            strips: &inner.strips,
            master: &inner.master,
            playhead_s: playhead_frames / f64::from(rate_hz),
            spectra: &inner.analyzers,
            rate_hz,
            describe,
            analysis_hidden: inner.analysis_hidden,
            on_screen: true,
        };
        for (_, drawer) in &mut inner.drawers {
            drawer(&frame);
        }
    }
}

/// Runs `f` every frame while the calling component lives.
pub fn on_each_frame(f: impl FnMut(&Frame<'_>) + 'static) {
    use leptos::prelude::{expect_context, on_cleanup, LocalStorage, StoredValue, WithValue};
    let display = expect_context::<StoredValue<Display, LocalStorage>>();
    let id = display.with_value(|d| d.add(f));
    on_cleanup(move || display.with_value(|d| d.remove(id)));
}

fn update_master(
    state: &mut MasterState,
    latest: Option<MasterFigures>,
    sums: [f32; 3],
    now_ms: f64,
    dt_s: f32,
) {
    if let Some(figures) = latest {
        state.figures = figures;
        state.max_true_peak = state
            .max_true_peak
            .max(figures.true_peak[0])
            .max(figures.true_peak[1]);
    }
    let keep = (-dt_s / CORRELATION_TAU_S).exp();
    for (s, new) in state.sums.iter_mut().zip(sums) {
        *s = *s * keep + new;
    }
    let [lr, ll, rr] = state.sums;
    state.correlation = if ll * rr > 1e-12 {
        (lr / (ll * rr).sqrt()).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    if now_ms - state.last_history_ms >= HISTORY_STEP_MS {
        state.last_history_ms = now_ms;
        state.short_term_history.remove(0);
        state.short_term_history.push(state.figures.short_term_lufs);
        state.momentary_history.remove(0);
        state.momentary_history.push(state.figures.momentary_lufs);
    }
}

fn request_frame(callback: Option<&Closure<dyn FnMut(f64)>>) {
    if let (Some(window), Some(callback)) = (web_sys::window(), callback) {
        // Failing to schedule a frame only stops the displays; the audio goes on.
        let _ = window.request_animation_frame(callback.as_ref().unchecked_ref());
    }
}
