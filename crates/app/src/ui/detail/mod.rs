//! The detail panel of the selected strip: tabs for its EQ, dynamics, sends (or effect) and,
//! on the master, the limiter.

mod dynamics;
mod eq_editor;
mod routing;

use leptos::prelude::*;
use mixroom_protocol::strips::StripKind;

use crate::state::Mixer;
use crate::ui::Panel;
use dynamics::{CompressorView, GateView};
use eq_editor::EqEditor;
use routing::{EffectView, LimiterView, SendsView};

/// The panel under the console.
#[component]
pub fn DetailPanel() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let panel = expect_context::<RwSignal<Panel>>();
    let selected = move || mixer.model(mixer.selected.get());
    let tabs = move || {
        let kind = mixer.selected.get().kind();
        let mut tabs = vec![(Panel::Eq, "EQ"), (Panel::Dynamics, "Dynamics")];
        match kind {
            StripKind::Return => tabs.push((Panel::Routing, "Effect")),
            StripKind::Master => tabs.push((Panel::Routing, "Limiter")),
            _ => tabs.push((Panel::Routing, "Sends")),
        }
        tabs
    };
    view! {
        <section class="detail" aria-label="Selected strip">
            <div class="detail-head">
                <h2 class="detail-title">{move || selected().map(|m| m.label).unwrap_or_default()}</h2>
                <div class="tabs" role="tablist" aria-label="Strip sections">
                    {move || tabs().into_iter().map(|(p, label)| view! {
                        <button role="tab" class="tab" aria-selected=move || (panel.get() == p).to_string()
                            on:click=move |_| panel.set(p)>{label}</button>
                    }).collect_view()}
                </div>
            </div>
            <div class="detail-body" role="tabpanel">
                {move || {
                    let Some(model) = selected() else { return ().into_any() };
                    match (panel.get(), model.kind()) {
                        (Panel::Eq, _) => view! { <EqEditor model=model/> }.into_any(),
                        (Panel::Dynamics, StripKind::Master) => view! { <CompressorView model=model/> }.into_any(),
                        (Panel::Dynamics, _) => view! {
                            <div class="dynamics">
                                <CompressorView model=model.clone()/>
                                <GateView model=model/>
                            </div>
                        }.into_any(),
                        (Panel::Routing, StripKind::Return) => view! { <EffectView model=model/> }.into_any(),
                        (Panel::Routing, StripKind::Master) => view! { <LimiterView model=model/> }.into_any(),
                        (Panel::Routing, _) => view! { <SendsView model=model/> }.into_any(),
                    }
                }}
            </div>
        </section>
    }
}
