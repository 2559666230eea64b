//! The page: top bar, timeline, console with the master section, and the detail panel of the
//! selected strip; opens on the demo song and starts playing it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::transport_block::TransportRequest;
use wasm_bindgen::JsCast;

use super::console::Console;
use super::detail::DetailPanel;
use super::display::Display;
use super::ear::{EarButton, EarOpen, EarPanel};
use super::export::ExportButton;
use super::import::{DropZone, ImportButton, Importer, UrlButton};
use super::lesson::{Comparing, LessonPanel, LessonsButton, TeachButton};
use super::master::MasterPanel;
use super::project::{Notices, ProjectButtons};
use super::recent::RecentMixes;
use super::status::{EngineBanner, ModeBadge, SoundGate};
use super::transport::{seek, toggle_loop, toggle_play, Timeline, TransportBar};
use super::Panel;
use crate::audio::{describe, AudioBridge, EngineStatus, Mode};
use crate::ear::EarTraining;
use crate::project::{self, Project};
use crate::state::Mixer;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let status = RwSignal::new(EngineStatus::Starting);
    let session = mixroom_demo::session();
    let bridge = match AudioBridge::new(&session.param_block(), TransportRequest::default(), status)
    {
        Ok(bridge) => Some(bridge),
        Err(e) => {
            status.set(EngineStatus::Failed(format!(
                "this browser could not create an audio context ({})",
                describe(&e)
            )));
            None
        }
    };
    let mode = bridge.as_ref().map_or(Mode::detect(), |b| b.mode());
    let mixer = Mixer::new(&session, bridge.clone());
    let display = StoredValue::new_local(Display::default());
    let importer = Importer::new(mixer);
    let project = Project::new(mixer);
    provide_context(mixer);
    provide_context(project);
    provide_context(display);
    provide_context(RwSignal::new(Panel::Eq));
    provide_context(importer);
    provide_context(Comparing::new());
    let ear = EarTraining::new(project);
    provide_context(ear);
    let ear_open = RwSignal::new(false);
    provide_context(EarOpen(ear_open));
    #[cfg(feature = "e2e")]
    {
        crate::test_api::set_mixer(mixer);
        crate::ear::test_hooks::set_ear(ear);
    }

    // A link brought a challenge: the ear-training panel opens on its round.
    Effect::new(move |_| {
        if let Some(challenge) = project.challenge.get() {
            project.challenge.set(None);
            ear_open.set(true);
            spawn_local(ear.start_challenge(challenge));
        }
    });
    // Another mix opened: a round of ear training on the one before ends.
    Effect::new(move |_| {
        mixer.replaced.track();
        ear.abandon();
    });
    // A round of ear training hides the spectra (they would show the hidden change).
    Effect::new(move |_| {
        let hidden = ear.in_round();
        display.with_value(|d| d.hide_analysis(hidden));
    });
    // The spectra follow the selected strip.
    Effect::new(move |_| {
        let strip = mixer.selected.get();
        display.with_value(|d| d.watch(mixer, strip));
    });

    if let Some(bridge) = bridge {
        #[cfg(feature = "e2e")]
        {
            crate::test_api::set_live(bridge.clone(), importer);
            project::test_hooks::set_project(project);
        }
        spawn_local(async move {
            match project::start(project, bridge).await {
                Ok(()) => {
                    display.with_value(|d| {
                        d.start(mixer);
                        d.watch(mixer, mixer.selected.get_untracked());
                    });
                }
                Err(e) => status.set(EngineStatus::Failed(describe(&e))),
            }
        });
    }
    install_shortcuts(mixer);

    view! {
        <div class="app">
            <header class="top">
                <h1 class="logo">"Mixroom"</h1>
                <TransportBar>
                    <ImportButton/>
                    <UrlButton/>
                    <ExportButton/>
                    <ProjectButtons/>
                    <RecentMixes/>
                    <LessonsButton/>
                    <TeachButton/>
                    <EarButton/>
                    <ModeBadge mode=mode/>
                </TransportBar>
            </header>
            <EngineBanner status=status/>
            <SoundGate/>
            <DropZone/>
            <Notices/>
            <Timeline/>
            <main class="workspace">
                <Console/>
                <MasterPanel/>
                <LessonPanel/>
                <EarPanel/>
            </main>
            <DetailPanel/>
        </div>
    }
}

/// Keyboard shortcuts: Space plays/pauses, Home goes to the start, L toggles the loop,
/// Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo. Keys typed into text fields and keys a
/// focused control uses itself are left alone.
fn install_shortcuts(mixer: Mixer) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let tag = target
            .as_ref()
            .map(|t| t.tag_name().to_lowercase())
            .unwrap_or_default();
        if matches!(tag.as_str(), "input" | "textarea" | "select") {
            return;
        }
        let role = target
            .as_ref()
            .and_then(|t| t.get_attribute("role"))
            .unwrap_or_default();
        let command = ev.ctrl_key() || ev.meta_key();
        match ev.key().as_str() {
            "z" | "Z" if command && ev.shift_key() => mixer.redo(),
            "z" | "Z" if command => mixer.undo(),
            "y" | "Y" if command => mixer.redo(),
            " " if tag != "button" => toggle_play(mixer),
            "Home" if role != "slider" => seek(mixer, 0.0),
            "l" | "L" if !command => toggle_loop(mixer),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}
