//! A channel strip of the console: name and colour, routing, trim and polarity, EQ thumbnail,
//! sends, pan, mute and solo, meters with gain reduction, and the fader.

use leptos::prelude::*;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::{StripIndex, StripKind, MAX_RETURNS};

use super::eq_thumbnail::EqThumbnail;
use super::meter::{LevelMeter, ReductionMeter};
use crate::state::{Mixer, StripModel};
use crate::ui::widgets::{Fader, Knob, ParamSelect, ParamToggle};

/// Captions of the send knobs.
const SEND_CAPTIONS: [&str; MAX_RETURNS] = ["1", "2", "3", "4"];

/// The `data-testid` of `strip`'s section, built in full or as a placeholder.
pub fn test_id(strip: StripIndex) -> String {
    match strip.kind() {
        StripKind::Track => format!("strip-{}", strip.position()),
        StripKind::Bus => format!("bus-{}", strip.position()),
        StripKind::Return => format!("return-{}", strip.position()),
        StripKind::Master => "strip-master".to_owned(),
    }
}

/// One strip (track, bus or return; the master has its own panel).
#[component]
pub fn ChannelStrip(
    /// The strip to show.
    model: StripModel,
) -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let strip = model.strip;
    let kind = model.kind();
    let test_id = test_id(strip);
    let outputs = Signal::derive(move || mixer.output_names());
    let selected = move || mixer.selected.get() == strip;
    let routing = match kind {
        StripKind::Track => {
            view! { <ParamSelect model=model.clone() param=ParamId::Output names=outputs/> }
                .into_any()
        }
        StripKind::Return => {
            view! { <ParamSelect model=model.clone() param=ParamId::ReturnEffect/> }.into_any()
        }
        _ => view! { <span class="route-fixed">"→ Master"</span> }.into_any(),
    };
    let sends = (kind != StripKind::Return).then(|| {
        let knobs = (0..MAX_RETURNS)
            .map(|k| view! { <Knob model=model.clone() param=ParamId::send_db(k) caption=SEND_CAPTIONS[k] size=17/> })
            .collect_view();
        view! { <div class="sends" role="group" aria-label=format!("{} sends", model.label)>{knobs}</div> }
    });
    let name_text = model.label.clone();
    view! {
        <section
            class="strip"
            class:selected=selected
            class:bus=kind == StripKind::Bus
            class:return=kind == StripKind::Return
            style=("--strip-color", model.color.clone())
            aria-label=name_text.clone()
            data-testid=test_id.clone()
            on:pointerdown=move |_| mixer.selected.set(strip)
            on:focusin=move |_| mixer.selected.set(strip)
        >
            <header class="strip-head">
                <h2 class="strip-name" title=name_text.clone()>{name_text.clone()}</h2>
                {(kind == StripKind::Track).then(|| view! {
                    <button class="strip-remove" aria-label=format!("Remove {name_text}")
                        title="Remove this track (Undo brings it back)"
                        on:click=move |_| mixer.remove_track(strip)>"×"</button>
                })}
            </header>
            {routing}
            <div class="strip-row">
                <Knob model=model.clone() param=ParamId::TrimDb caption="Trim" size=22/>
                <Knob model=model.clone() param=ParamId::Pan caption="Pan" size=26/>
            </div>
            <EqThumbnail model=model.clone()/>
            {sends}
            <div class="strip-buttons">
                <ParamToggle model=model.clone() param=ParamId::Polarity label="Ø" class="small"/>
                <ParamToggle model=model.clone() param=ParamId::Mute label="M" class="mute-button"/>
                <ParamToggle model=model.clone() param=ParamId::Solo label="S" class="solo-button"/>
            </div>
            <div class="strip-body">
                <LevelMeter strip=strip name=name_text.clone()/>
                <ReductionMeter strip=strip which=0 label=format!("{name_text} compressor reduction")/>
                <Fader model=model.clone()/>
            </div>
        </section>
    }
}
