//! The master section: the master strip, loudness, correlation and spectrum (with the
//! lesson's reference drawn over it while a comparison is prepared).

mod loudness;

use leptos::html;
use leptos::prelude::*;
use mixroom_protocol::params::ParamId;

use crate::analysis::Analyzer;
use crate::classroom::compare::{self, ReferenceSpectrum};
use crate::state::Mixer;
use crate::ui::canvas::{self, freq_x, x_freq};
use crate::ui::console::meter::{on_frame, LevelMeter, ReductionMeter};
use crate::ui::display::TAP_MASTER;
use crate::ui::widgets::{Fader, ParamToggle};
use loudness::LoudnessPanel;

/// The master section, beside the console.
#[component]
pub fn MasterPanel() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let model = mixer.master.get_value();
    let strip = model.strip;
    view! {
        <aside class="master-panel" aria-label="Master">
            <section
                class="strip master"
                class:selected=move || mixer.selected.get() == strip
                aria-label="Master"
                data-testid="strip-master"
                on:pointerdown=move |_| mixer.selected.set(strip)
                on:focusin=move |_| mixer.selected.set(strip)
            >
                <header class="strip-head"><h2 class="strip-name">"Master"</h2></header>
                <div class="strip-buttons">
                    <ParamToggle model=model.clone() param=ParamId::Mute label="M" class="mute-button"/>
                </div>
                <div class="strip-body">
                    <LevelMeter strip=strip name="Master".to_owned()/>
                    <ReductionMeter strip=strip which=0 label="Master compressor reduction".to_owned()/>
                    <Fader model=model.clone()/>
                </div>
            </section>
            <div class="master-analysis">
                <LoudnessPanel/>
                <CorrelationMeter/>
                <MasterSpectrum/>
            </div>
        </aside>
    }
}

/// Stereo correlation, −1 (out of phase) … 0 (wide) … +1 (mono).
#[component]
fn CorrelationMeter() -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    on_frame(canvas, move |canvas, frame| {
        let r = frame.master.correlation;
        if let Some((g, w, h)) = canvas.context() {
            g.set_fill_style_str("#0d1014");
            g.fill_rect(0.0, 0.0, w, h);
            g.set_fill_style_str("rgba(150, 165, 185, 0.5)");
            g.fill_rect(w / 2.0, 0.0, 1.0, h);
            let x = w * f64::from((r + 1.0) / 2.0);
            g.set_fill_style_str(if r < 0.0 { "#f25f4c" } else { "#4cd68a" });
            g.fill_rect(x - 2.0, 1.0, 4.0, h - 2.0);
        }
        if frame.describe {
            let _ = canvas.set_attribute("aria-valuenow", &format!("{r:.2}"));
            let _ = canvas.set_attribute("aria-valuetext", &format!("correlation {r:+.2}"));
        }
    });
    view! {
        <div class="correlation">
            <span class="lbl" aria-hidden="true">"−1"</span>
            <canvas node_ref=canvas class="correlation-meter" role="meter" aria-label="Stereo correlation"
                aria-valuemin="-1" aria-valuemax="1" aria-valuenow="0" aria-valuetext="correlation 0"></canvas>
            <span class="lbl" aria-hidden="true">"+1"</span>
        </div>
    }
}

/// The spectrum of the master's output.
#[component]
fn MasterSpectrum() -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    on_frame(canvas, move |canvas, frame| {
        let Some((g, w, h)) = canvas.context() else {
            return;
        };
        draw_spectrum(&g, w, h, &frame.spectra[TAP_MASTER], frame.rate_hz);
        if frame.analysis_hidden {
            g.set_fill_style_str("rgba(150, 165, 185, 0.9)");
            g.set_font("12px system-ui, sans-serif");
            let _ = g.fill_text("Hidden during the ear-training round", 10.0, h / 2.0);
        }
        let comparison = compare::current();
        let comparison = comparison.as_ref().map(|c| c.borrow());
        let reference = comparison.as_ref().and_then(|c| c.reference_spectrum());
        if let Some(r) = &reference {
            draw_reference(&g, w, h, r, frame.rate_hz);
        }
        if frame.describe {
            let name = reference.as_ref().map(|r| r.name);
            if canvas.get_attribute("data-reference").as_deref() != name {
                let _ = match name {
                    Some(name) => canvas.set_attribute("data-reference", name),
                    None => canvas.remove_attribute("data-reference"),
                };
            }
            let label = match name {
                _ if frame.analysis_hidden => {
                    format!("{MASTER_SPECTRUM}: hidden during the ear-training round")
                }
                Some(name) => format!(
                    "{MASTER_SPECTRUM}, with the long-term spectrum of “{name}” drawn over it \
                     as a line (at the loudness of the mix)"
                ),
                None => MASTER_SPECTRUM.to_owned(),
            };
            if canvas.get_attribute("aria-label").as_deref() != Some(label.as_str()) {
                let _ = canvas.set_attribute("aria-label", &label);
            }
        }
    });
    view! { <canvas node_ref=canvas class="master-spectrum" role="img" aria-label=MASTER_SPECTRUM></canvas> }
}

/// What the master's spectrum is called when nothing is drawn over it.
const MASTER_SPECTRUM: &str = "Spectrum of the master output";

/// dB of a level at the top of the spectrum view, and its range.
const TOP_DB: f32 = 0.0;
const RANGE_DB: f32 = 90.0;

/// The height of `db` in a view `h` tall.
fn level_y(db: f32, h: f64) -> f64 {
    let t = f64::from(((db - TOP_DB + RANGE_DB) / RANGE_DB).clamp(0.0, 1.0));
    h * (1.0 - t)
}

/// The reference's long-term spectrum as a line over the master's.
fn draw_reference(
    g: &web_sys::CanvasRenderingContext2d,
    w: f64,
    h: f64,
    reference: &ReferenceSpectrum<'_>,
    rate_hz: f32,
) {
    canvas::trace(g, w, |x| {
        let levels = reference.levels;
        let db = levels.band_db(x_freq(x - 1.0, w), x_freq(x + 1.0, w), rate_hz);
        level_y(db + reference.offset_db, h)
    });
    g.set_stroke_style_str("rgba(255, 196, 84, 0.9)");
    g.set_line_width(1.5);
    g.stroke();
    g.set_line_width(1.0);
}

fn draw_spectrum(
    g: &web_sys::CanvasRenderingContext2d,
    w: f64,
    h: f64,
    a: &Analyzer,
    rate_hz: f32,
) {
    g.set_fill_style_str("#0d1014");
    g.fill_rect(0.0, 0.0, w, h);
    g.set_stroke_style_str("rgba(150, 165, 185, 0.16)");
    for f in [100.0, 1_000.0, 10_000.0] {
        g.begin_path();
        g.move_to(freq_x(f, w), 0.0);
        g.line_to(freq_x(f, w), h);
        g.stroke();
    }
    g.begin_path();
    g.move_to(0.0, h);
    let mut x = 0.0;
    while x <= w {
        let db = a.band_db(x_freq(x - 1.0, w), x_freq(x + 1.0, w), rate_hz);
        g.line_to(x, level_y(db, h));
        x += 2.0;
    }
    g.line_to(w, h);
    g.close_path();
    g.set_fill_style_str("rgba(76, 214, 138, 0.35)");
    g.fill();
}
