//! One strip on screen: its identity and a reactive value per parameter.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use mixroom_protocol::params::{ParamId, PARAMS};
use mixroom_protocol::session::Strip;
use mixroom_protocol::strips::{StripIndex, StripKind};
use mixroom_protocol::text::shown;
use mixroom_protocol::validate::is_color;

/// Colours of strips, by position (tracks cycle through them).
const PALETTE: [&str; 8] = [
    "#e8804f", "#e6b84f", "#8fce5a", "#4fc3b0", "#5aa9ff", "#9a7cf0", "#e06fb5", "#c9c9c9",
];

/// Numbers every [`StripModel`] ever made.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A strip on screen.
#[derive(Clone, Debug)]
pub struct StripModel {
    /// Unique among all models ever made: the key of its component (a session opened later
    /// may use the same strip for another track).
    pub id: u64,
    /// Which strip.
    pub strip: StripIndex,
    /// The strip's name as the session stores it (any text a person wrote).
    pub name: RwSignal<String>,
    /// The name as the page shows it ([`mixroom_protocol::text::shown`]): what could reorder or
    /// hide text escaped or isolated. Every label, heading and message uses this one.
    pub label: String,
    /// Colour of its name bar (CSS colour).
    pub color: String,
    values: [RwSignal<f32>; PARAMS.len()],
}

impl StripModel {
    /// A strip named `name` showing the values of `settings`, in `color` when that is a
    /// `#rrggbb` colour (anything else never reaches the page's styles).
    pub fn new(
        strip: StripIndex,
        name: String,
        color: Option<String>,
        settings: &Strip,
    ) -> StripModel {
        let color = color
            .filter(|c| is_color(c))
            .unwrap_or_else(|| default_color(strip).to_owned());
        StripModel {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            strip,
            label: shown(&name).into_owned(),
            name: RwSignal::new(name),
            color,
            values: PARAMS.map(|p| RwSignal::new(settings.value(p.id))),
        }
    }

    /// The reactive value of `param`.
    pub fn value(&self, param: ParamId) -> RwSignal<f32> {
        self.values[param as usize]
    }

    /// Shows the values of `settings` (defaults for what it leaves out).
    pub fn show(&self, settings: &Strip) {
        for p in PARAMS.iter() {
            self.values[p.id as usize].set(settings.value(p.id));
        }
    }

    /// The kind of strip.
    pub fn kind(&self) -> StripKind {
        self.strip.kind()
    }

    /// Whether the strip has `param`.
    pub fn has(&self, param: ParamId) -> bool {
        param.spec().applies_to(self.kind())
    }
}

/// The colour a strip gets when the session names none.
pub fn default_color(strip: StripIndex) -> &'static str {
    match strip.kind() {
        StripKind::Track => PALETTE[strip.position() % PALETTE.len()],
        StripKind::Bus => "#d08a3c",
        StripKind::Return => "#6fa8dc",
        StripKind::Master => "#e6e9ee",
    }
}
