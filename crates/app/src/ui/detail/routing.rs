//! Sends (level and pre/post fader, to the four returns) and the output route; for returns,
//! the effect and its settings; for the master, the limiter.

use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::MAX_RETURNS;

use crate::state::{Mixer, StripModel};
use crate::ui::widgets::{Knob, ParamSelect, ParamToggle};

/// The strip's sends and output.
#[component]
pub fn SendsView(
    /// The strip.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let returns = move || mixer.returns.get();
    let sends = (0..MAX_RETURNS)
        .map(|k| {
            let m = model.clone();
            let target = move || {
                returns()
                    .get(k)
                    .map_or_else(|| format!("Return {} (none)", k + 1), |r| r.label.clone())
            };
            view! {
                <div class="send-row" role="group" aria-label=format!("Send {}", k + 1)>
                    <span class="send-target">{target}</span>
                    <Knob model=m.clone() param=ParamId::send_db(k) caption="Level"/>
                    <ParamToggle model=m param=ParamId::send_pre(k) label="pre" class="small"/>
                </div>
            }
        })
        .collect_view();
    let outputs = Signal::derive(move || mixer.output_names());
    let output = model.has(ParamId::Output).then(|| {
        view! {
            <label class="output-row">
                <span>"Output"</span>
                <ParamSelect model=model.clone() param=ParamId::Output names=outputs/>
            </label>
        }
    });
    view! {
        <div class="sends-view">
            {sends}
            {output}
            <div class="knob-row">
                <Knob model=model.clone() param=ParamId::Width caption="Width"/>
            </div>
        </div>
    }
}

/// The effect of a return.
#[component]
pub fn EffectView(
    /// The return strip.
    model: StripModel,
) -> impl IntoView {
    let effect = model.value(ParamId::ReturnEffect);
    let reverb = [
        (ParamId::ReverbPredelayMs, "Pre-delay"),
        (ParamId::ReverbSize, "Size"),
        (ParamId::ReverbDecayS, "Decay"),
        (ParamId::ReverbDamping, "Damping"),
        (ParamId::ReverbWidth, "Width"),
    ];
    let delay = [
        (ParamId::DelayTimeMs, "Time"),
        (ParamId::DelayFeedback, "Feedback"),
        (ParamId::DelayHighCutHz, "High cut"),
    ];
    let knobs = move |list: &[(ParamId, &'static str)], m: &StripModel| {
        list.iter()
            .map(|&(p, c)| view! { <Knob model=m.clone() param=p caption=c/> })
            .collect_view()
    };
    let (m1, m2) = (model.clone(), model.clone());
    view! {
        <div class="effect-view">
            <div class="section-head">
                <ParamSelect model=model.clone() param=ParamId::ReturnEffect/>
                <ParamToggle model=model.clone() param=ParamId::EffectBypass label="bypass"/>
            </div>
            <Show when=move || effect.get() as usize == 1>
                <div class="knob-grid">
                    <ParamSelect model=m1.clone() param=ParamId::ReverbKind/>
                    {knobs(&reverb, &m1)}
                </div>
            </Show>
            <Show when=move || effect.get() as usize == 2>
                <div class="knob-grid">
                    <ParamSelect model=m2.clone() param=ParamId::DelaySync/>
                    {knobs(&delay, &m2)}
                    <ParamToggle model=m2.clone() param=ParamId::DelayPingPong label="ping-pong"/>
                </div>
            </Show>
        </div>
    }
}

/// The master's limiter and tempo.
#[component]
pub fn LimiterView(
    /// The master strip.
    model: StripModel,
) -> impl IntoView {
    let knobs = [
        (ParamId::LimiterCeilingDbtp, "Ceiling"),
        (ParamId::LimiterLookaheadMs, "Look-ahead"),
        (ParamId::LimiterReleaseMs, "Release"),
        (ParamId::TempoBpm, "Tempo"),
    ]
    .into_iter()
    .map(|(p, c)| view! { <Knob model=model.clone() param=p caption=c/> })
    .collect_view();
    view! {
        <div class="dynamics-section" role="group" aria-label="Limiter">
            <div class="section-head">
                <h3>"True-peak limiter"</h3>
                <ParamToggle model=model.clone() param=ParamId::LimiterBypass label="bypass"/>
            </div>
            <div class="knob-grid">{knobs}</div>
        </div>
    }
}
