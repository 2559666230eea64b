//! The live engine: an AudioContext, the worklet node, its blocks, and the restart on death.
//!
//! The bridge keeps everything needed to rebuild the engine: the blocks (which already hold the
//! current mix) and the decoded sources. When the processor reports that its instance died (a
//! panic aborts a wasm instance), the bridge replaces the node, seeks the new engine to where the
//! old one was, and says so through [`EngineStatus`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::meter_block::{self, MasterFigures};
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::layout::transport_block::TransportRequest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, AudioContext};

use super::blocks::{Blocks, Mode};
use super::worklet_node::{add_processor, TrackAudio, WorkletEvent, WorkletNode};

/// More deaths than this within [`RESTART_WINDOW_MS`] and the bridge gives up restarting.
const MAX_QUICK_RESTARTS: u32 = 3;
const RESTART_WINDOW_MS: f64 = 10_000.0;

/// What the user should know about the engine.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineStatus {
    /// Loading the engine and the session.
    Starting,
    /// Running normally.
    Running,
    /// Running again after the engine died `restarts` times; `reason` is the last cause.
    Restarted {
        /// How many times it was restarted.
        restarts: u32,
        /// What killed it last.
        reason: String,
    },
    /// Could not start (or kept dying); the message says why.
    Failed(String),
}

/// The live engine and everything needed to rebuild it.
pub struct AudioBridge {
    context: AudioContext,
    blocks: Blocks,
    node: RefCell<Option<WorkletNode>>,
    tracks: RefCell<Vec<(usize, TrackAudio)>>,
    status: RwSignal<EngineStatus>,
    restarts: Cell<u32>,
    recent_deaths: RefCell<Vec<f64>>,
    playhead_frames: Cell<f64>,
    master: Cell<MasterFigures>,
    length_frames: Cell<f64>,
    engine_playing: Cell<bool>,
}

impl AudioBridge {
    /// Creates the audio context and the blocks holding `params` (a whole parameter block) and
    /// `transport`. Nothing sounds until [`Self::start`].
    pub fn new(
        params: &[u8],
        transport: TransportRequest,
        status: RwSignal<EngineStatus>,
    ) -> Result<Rc<AudioBridge>, JsValue> {
        Ok(Rc::new(AudioBridge {
            context: AudioContext::new()?,
            blocks: Blocks::new(Mode::detect(), params, transport),
            node: RefCell::new(None),
            tracks: RefCell::new(Vec::new()),
            status,
            restarts: Cell::new(0),
            recent_deaths: RefCell::new(Vec::new()),
            playhead_frames: Cell::new(0.0),
            master: Cell::new(MasterFigures::default()),
            length_frames: Cell::new(0.0),
            engine_playing: Cell::new(false),
        }))
    }

    /// How the blocks travel (shared memory or messages).
    pub fn mode(&self) -> Mode {
        self.blocks.mode()
    }

    /// The context's sample rate, Hz.
    pub fn sample_rate_hz(&self) -> f32 {
        self.context.sample_rate()
    }

    /// Decodes an encoded audio file (any format the browser knows) at the context's rate.
    pub async fn decode(&self, bytes: &[u8]) -> Result<AudioBuffer, JsValue> {
        let buffer = js_sys::Uint8Array::from(bytes).buffer();
        let decoded = JsFuture::from(self.context.decode_audio_data(&buffer)?).await?;
        decoded.dyn_into()
    }

    /// Starts the engine with `tracks` (track index, audio).
    pub async fn start(self: &Rc<Self>, tracks: Vec<(usize, TrackAudio)>) -> Result<(), JsValue> {
        add_processor(&self.context).await?;
        let longest = tracks.iter().map(|(_, a)| a.frames()).max().unwrap_or(0);
        self.length_frames.set(f64::from(longest));
        *self.tracks.borrow_mut() = tracks;
        self.spawn_node().await?;
        self.status.set(EngineStatus::Running);
        Ok(())
    }

    async fn spawn_node(self: &Rc<Self>) -> Result<(), JsValue> {
        let weak = Rc::downgrade(self);
        let tracks = self.tracks.borrow().clone();
        let node = WorkletNode::create(&self.context, &self.blocks, &tracks, move |event| {
            if let Some(bridge) = weak.upgrade() {
                bridge.on_event(event);
            }
        })
        .await?;
        if let Some(old) = self.node.replace(Some(node)) {
            old.shut_down();
        }
        Ok(())
    }

    fn on_event(self: &Rc<Self>, event: WorkletEvent) {
        match event {
            WorkletEvent::Meters {
                first,
                count,
                entries,
            } => self.blocks.receive_meters(first, count, &entries),
            WorkletEvent::Spectrum {
                first,
                frames,
                samples,
            } => self.blocks.receive_spectrum(first, frames, &samples),
            WorkletEvent::Died { message } => self.restart(message),
            WorkletEvent::Loaded { track, ok: false } => self.status.set(EngineStatus::Failed(
                format!("the engine refused the audio of track {}", track + 1),
            )),
            WorkletEvent::Ready | WorkletEvent::Loaded { ok: true, .. } => {}
        }
    }

    fn restart(self: &Rc<Self>, reason: String) {
        let now = js_sys::Date::now();
        let quick = {
            let mut deaths = self.recent_deaths.borrow_mut();
            deaths.retain(|&t| now - t < RESTART_WINDOW_MS);
            deaths.push(now);
            deaths.len() as u32
        };
        if let Some(old) = self.node.take() {
            old.shut_down();
        }
        if quick > MAX_QUICK_RESTARTS {
            self.status.set(EngineStatus::Failed(format!(
                "the audio engine keeps stopping ({reason}); reload the page to try again"
            )));
            return;
        }
        // The new engine reads the mix from the blocks; send it to where the old one was.
        let mut transport = self.blocks.transport();
        transport.seek_serial = transport.seek_serial.wrapping_add(1);
        transport.seek_frame = self.playhead_frames.get();
        self.blocks.write_transport(transport);
        let bridge = Rc::clone(self);
        spawn_local(async move {
            match bridge.spawn_node().await {
                Ok(()) => {
                    let restarts = bridge.restarts.get() + 1;
                    bridge.restarts.set(restarts);
                    bridge
                        .status
                        .set(EngineStatus::Restarted { restarts, reason });
                }
                Err(e) => bridge.status.set(EngineStatus::Failed(format!(
                    "the audio engine stopped and could not be restarted: {}",
                    describe(&e)
                ))),
            }
        });
    }

    /// Sets parameter slot `slot` to `value` (plain units).
    pub fn set_param(&self, slot: usize, value: f32) {
        self.blocks.write_param(slot, value);
        if let Some(node) = &*self.node.borrow() {
            node.send_params(&self.blocks);
        }
    }

    /// Points the spectrum taps (`spectrum_block` selectors, −1 = off).
    pub fn select_taps(&self, selectors: [i32; TAPS]) {
        self.blocks.select_taps(selectors);
        if let Some(node) = &*self.node.borrow() {
            node.send_taps(&self.blocks);
        }
    }

    /// The newest `frames` samples of spectrum tap `tap`, oldest first.
    pub fn tap_samples(&self, tap: usize, frames: usize) -> Vec<f32> {
        self.blocks.tap_samples(tap, frames)
    }

    /// The transport state last requested.
    pub fn transport(&self) -> TransportRequest {
        self.blocks.transport()
    }

    /// Requests a new transport state (the context is resumed on play: browsers start audio
    /// only after a user gesture).
    pub fn set_transport(&self, request: TransportRequest) {
        if request.playing {
            // Resuming a running context is a no-op; a refused resume leaves it suspended.
            let _ = self.context.resume();
        }
        self.blocks.write_transport(request);
        if let Some(node) = &*self.node.borrow() {
            node.send_transport(&self.blocks);
        }
    }

    /// Calls `f` with every meter entry that arrived since the last call, and keeps track of the
    /// playhead and of the engine stopping by itself at the end of the session.
    pub fn read_new_meters(&self, mut f: impl FnMut(&[u8])) {
        let mut last = None;
        self.blocks.read_new_meters(|entry| {
            last = Some((
                meter_block::read_playhead_frames(entry),
                meter_block::read_playing(entry),
                meter_block::read_master(entry),
            ));
            f(entry);
        });
        let Some((playhead, playing, master)) = last else {
            return;
        };
        self.playhead_frames.set(playhead);
        self.master.set(master);
        let stopped_by_itself = self.engine_playing.get() && !playing && self.transport().playing;
        self.engine_playing.set(playing);
        if stopped_by_itself {
            let mut request = self.transport();
            request.playing = false;
            self.set_transport(request);
        }
    }

    /// The master's loudness, true peak and correlation at the last meter entry read.
    pub fn master_figures(&self) -> MasterFigures {
        self.master.get()
    }

    /// The playhead at the last meter entry read, frames.
    pub fn playhead_frames(&self) -> f64 {
        self.playhead_frames.get()
    }

    /// Whether the playhead stands at (or past) the end of the longest track.
    pub fn at_end(&self) -> bool {
        self.playhead_frames.get() >= self.length_frames.get()
    }

    /// Test hook: makes the engine panic, so the end-to-end suite can watch the restart.
    pub fn crash_engine(&self) {
        if let Some(node) = &*self.node.borrow() {
            node.crash();
        }
    }
}

/// A readable message from a JS error value.
pub fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
