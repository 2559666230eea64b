//! The console: the track strips (scrolling), then the buses and returns (staying put).

mod channel_strip;
mod eq_thumbnail;
pub mod meter;

use leptos::prelude::*;

pub use channel_strip::ChannelStrip;

use crate::state::Mixer;

/// Every strip but the master.
#[component]
pub fn Console() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    view! {
        <div class="console" role="region" aria-label="Mixing console">
            <div class="tracks" role="group" aria-label="Tracks">
                <For each=move || mixer.tracks.get() key=|m| m.id let:model>
                    <ChannelStrip model=model/>
                </For>
            </div>
            <div class="fixed-strips" role="group" aria-label="Buses and returns">
                <For each=move || mixer.buses.get() key=|m| m.id let:model>
                    <ChannelStrip model=model/>
                </For>
                <For each=move || mixer.returns.get() key=|m| m.id let:model>
                    <ChannelStrip model=model/>
                </For>
            </div>
        </div>
    }
}
