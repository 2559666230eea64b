//! Cheap live figures while the mix plays: the master's short-term and integrated loudness,
//! its highest true peak and its stereo correlation, from the engine's meters (a check
//! measures the whole song; these follow the playhead).

use leptos::prelude::*;
use mixroom_protocol::units::lin_to_db;

use crate::text::level;
use crate::ui::display::Display;

/// The live line of the lesson panel.
#[component]
pub fn LiveFigures() -> impl IntoView {
    let display = expect_context::<StoredValue<Display, LocalStorage>>();
    let text = RwSignal::new(String::from("Play the mix to see its figures."));
    let id = display.with_value(|d| {
        d.add(move |frame| {
            if !frame.describe {
                return;
            }
            let master = frame.master;
            let figures = &master.figures;
            let line = if figures.short_term_lufs.is_finite() {
                format!(
                    "Short-term {}, integrated {}, true peak {}, correlation {}",
                    level(figures.short_term_lufs, "LUFS"),
                    level(figures.integrated_lufs, "LUFS"),
                    level(lin_to_db(master.max_true_peak), "dBTP"),
                    format!("{:+.2}", master.correlation).replace('-', "−"),
                )
            } else {
                "Play the mix to see its figures.".to_owned()
            };
            if text.with_untracked(|t| *t != line) {
                text.set(line);
            }
        })
    });
    on_cleanup(move || display.with_value(|d| d.remove(id)));
    view! {
        <p class="lesson-live" aria-label="Live figures" data-testid="lesson-live">{text}</p>
    }
}
