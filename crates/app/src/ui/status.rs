//! What the page says about the audio path: which mode it runs in, the engine's health, and
//! whether the browser waits for a click before it plays.

use std::time::Duration;

use leptos::prelude::*;
use web_sys::AudioContextState;

use crate::audio::{EngineStatus, Mode};
use crate::state::Mixer;

/// Shows whether the worklet shares memory with the page or exchanges messages with it.
#[component]
pub fn ModeBadge(
    /// The mode the audio path runs in.
    mode: Mode,
) -> impl IntoView {
    let (label, title) = match mode {
        Mode::Shared => (
            "Shared memory",
            "Cross-origin isolated: controls and meters travel through SharedArrayBuffer.",
        ),
        Mode::Message => (
            "Message mode",
            "This page is not cross-origin isolated, so controls and meters travel as \
             messages (slightly slower meters, same sound).",
        ),
    };
    view! {
        <span class="mode-badge" data-testid="audio-mode" data-mode=mode.as_str() title=title>
            {label}
        </span>
    }
}

/// A banner while the engine starts, after it was restarted, or when it failed.
#[component]
pub fn EngineBanner(
    /// The engine's state.
    status: RwSignal<EngineStatus>,
) -> impl IntoView {
    let dismissed = RwSignal::new(0_u32);
    move || {
        match status.get() {
        EngineStatus::Starting => view! {
            <p class="banner" data-testid="engine-status" data-state="starting">
                "Starting the audio engine…"
            </p>
        }
        .into_any(),
        EngineStatus::Running => ().into_any(),
        EngineStatus::Restarted { restarts, .. } if dismissed.get() == restarts => ().into_any(),
        EngineStatus::Restarted { restarts, reason } => view! {
            <p class="banner warning" role="alert" data-testid="engine-status" data-state="restarted">
                {format!(
                    "The audio engine stopped ({reason}) and was restarted with your mix{}.",
                    if restarts > 1 { format!(" ({restarts} restarts so far)") } else { String::new() }
                )}
                <button on:click=move |_| dismissed.set(restarts)>"Dismiss"</button>
            </p>
        }
        .into_any(),
        EngineStatus::Failed(message) => view! {
            <p class="banner error" role="alert" data-testid="engine-status" data-state="failed">
                {format!("No sound: {message}")}
            </p>
        }
        .into_any(),
    }
    }
}

/// Browsers may refuse to start audio before the user touches the page. While the song should
/// play but the audio context stays suspended, a button asks for that one click.
#[component]
pub fn SoundGate() -> impl IntoView {
    let mixer = expect_context::<Mixer>();
    let blocked = RwSignal::new(false);
    let check = move || {
        let suspended = mixer
            .with_bridge(|b| {
                b.transport().playing && b.context().state() == AudioContextState::Suspended
            })
            .unwrap_or(false);
        if blocked.get_untracked() != suspended {
            blocked.set(suspended);
        }
    };
    let interval = set_interval_with_handle(check, Duration::from_millis(250)).ok();
    on_cleanup(move || {
        if let Some(handle) = interval {
            handle.clear();
        }
    });
    let start = move |_| {
        mixer.with_bridge(|b| {
            let _ = b.context().resume();
        });
    };
    view! {
        <Show when=move || blocked.get()>
            <div class="sound-gate" role="dialog" aria-label="Start the sound">
                <button class="primary" on:click=start>
                    "▶ Click to start the sound"
                </button>
                <p>"Your browser waits for a click before it plays audio."</p>
            </div>
        </Show>
    }
}
