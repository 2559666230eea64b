//! The live engine: an AudioContext, the worklet node, its blocks, its tracks, and the restart
//! on death.
//!
//! The bridge keeps everything needed to rebuild the engine, but no audio: the blocks (which
//! already hold the current mix) and, per track, where its audio came from ([`TrackOrigin`]).
//! Tracks load at any time ([`AudioBridge::load_track`], from a file or generated audio, see
//! `import`; [`AudioBridge::clear_track`]). When the processor reports that its instance died (a panic
//! aborts a wasm instance), the bridge replaces the node with a held one, loads every track into
//! it again from its origin, one at a time, then lets it start where the old one was, and says so
//! through [`EngineStatus`].

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mixroom_protocol::layout::meter_block::{self, MasterFigures};
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, BaseAudioContext};

use super::blocks::{Blocks, Mode};
use super::import::{prepare_origin, ImportError, ImportedTrack, TrackInfo, TrackOrigin};
use super::js::describe;
use super::samples::{EngineAudio, TrackAudio};
use super::worklet_node::{
    load_processor, preload_engine_module, EngineMemory, WorkletEvent, WorkletNode,
};

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

/// A loaded track: where its audio came from and what the page knows about it.
struct Track {
    origin: TrackOrigin,
    info: TrackInfo,
}

/// A load the engine has not answered yet.
struct PendingLoad {
    track: usize,
    outcome: Rc<RefCell<Option<Result<f64, String>>>>,
    wake: js_sys::Function,
}

/// The live engine and everything needed to rebuild it.
pub struct AudioBridge {
    context: AudioContext,
    /// The processor script loading into the context's worklet scope.
    processor: js_sys::Promise,
    blocks: Blocks,
    node: RefCell<Option<WorkletNode>>,
    /// Bumped for every new node: a restart in progress notices when another one replaced it.
    node_serial: Cell<u32>,
    tracks: RefCell<Vec<Option<Track>>>,
    /// Per track, bumped whenever a load or clear is sent: a restart's reload skips tracks the
    /// user changed meanwhile.
    track_serials: RefCell<Vec<u64>>,
    pending_loads: RefCell<Vec<PendingLoad>>,
    memory: Cell<EngineMemory>,
    last_load_ms: Cell<f64>,
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
        let context = AudioContext::new()?;
        // Both downloads start now, while the page builds itself.
        let processor = load_processor(&context)?;
        let _ = preload_engine_module();
        Ok(Rc::new(AudioBridge {
            context,
            processor,
            blocks: Blocks::new(Mode::detect(), params, transport),
            node: RefCell::new(None),
            node_serial: Cell::new(0),
            tracks: RefCell::new((0..MAX_TRACKS).map(|_| None).collect()),
            track_serials: RefCell::new(vec![0; MAX_TRACKS]),
            pending_loads: RefCell::new(Vec::new()),
            memory: Cell::new(EngineMemory::default()),
            last_load_ms: Cell::new(0.0),
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

    /// The audio context (decoding happens at its rate).
    pub fn context(&self) -> &BaseAudioContext {
        &self.context
    }

    /// Starts the engine (with no tracks: load them with [`Self::load_track`]).
    pub async fn start(self: &Rc<Self>) -> Result<(), JsValue> {
        JsFuture::from(self.processor.clone()).await?;
        self.spawn_node().await?;
        if let Some(node) = &*self.node.borrow() {
            node.start();
        }
        self.status.set(EngineStatus::Running);
        Ok(())
    }

    /// Replaces the node with a new, held engine (see [`WorkletNode::create`]); returns its
    /// serial.
    async fn spawn_node(self: &Rc<Self>) -> Result<u32, JsValue> {
        let weak = Rc::downgrade(self);
        let node = WorkletNode::create(&self.context, &self.blocks, &[], true, move |event| {
            if let Some(bridge) = weak.upgrade() {
                bridge.on_event(event);
            }
        })
        .await?;
        if let Some(old) = self.node.replace(Some(node)) {
            old.shut_down();
        }
        let serial = self.node_serial.get().wrapping_add(1);
        self.node_serial.set(serial);
        Ok(serial)
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
            WorkletEvent::Loaded {
                track,
                error,
                load_ms,
                memory,
            } => {
                self.memory.set(memory);
                self.last_load_ms.set(load_ms);
                let pending = {
                    let mut pending = self.pending_loads.borrow_mut();
                    let at = pending.iter().position(|p| p.track == track as usize);
                    at.map(|at| pending.remove(at))
                };
                if let Some(pending) = pending {
                    pending.finish(error.map_or(Ok(load_ms), Err));
                }
            }
            WorkletEvent::Ready { memory } | WorkletEvent::Cleared { memory } => {
                self.memory.set(memory);
            }
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
        // Loads in flight died with the engine; their tracks never joined the session (so a
        // file that brought the engine down is not loaded into the next one).
        let pending: Vec<PendingLoad> = self.pending_loads.borrow_mut().drain(..).collect();
        for load in pending {
            load.finish(Err("the audio engine stopped while loading it".to_owned()));
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
        self.status.set(EngineStatus::Starting);
        let bridge = Rc::clone(self);
        spawn_local(async move {
            let serial = match bridge.spawn_node().await {
                Ok(serial) => serial,
                Err(e) => {
                    bridge.status.set(EngineStatus::Failed(format!(
                        "the audio engine stopped and could not be restarted: {}",
                        describe(&e)
                    )));
                    return;
                }
            };
            let lost = bridge.reload_tracks(serial).await;
            if bridge.node_serial.get() != serial {
                return; // It died again meanwhile; that restart carries on.
            }
            if let Some(node) = &*bridge.node.borrow() {
                node.start();
            }
            let restarts = bridge.restarts.get() + 1;
            bridge.restarts.set(restarts);
            let reason = if lost.is_empty() {
                reason
            } else {
                format!("{reason}; {}", lost.join("; "))
            };
            bridge
                .status
                .set(EngineStatus::Restarted { restarts, reason });
        });
    }

    /// Loads every track into the held engine `serial` again, one at a time, from its origin.
    /// Returns what could not come back (those tracks are dropped from the session).
    async fn reload_tracks(self: &Rc<Self>, serial: u32) -> Vec<String> {
        let snapshot: Vec<(usize, u64)> = {
            let tracks = self.tracks.borrow();
            let serials = self.track_serials.borrow();
            (0..MAX_TRACKS)
                .filter(|&t| tracks[t].is_some())
                .map(|t| (t, serials[t]))
                .collect()
        };
        let mut lost = Vec::new();
        for (track, track_serial) in snapshot {
            // Skip tracks the user loaded or cleared meanwhile; stop if the engine died again.
            let unchanged = || {
                self.node_serial.get() == serial
                    && self.track_serials.borrow()[track] == track_serial
            };
            let Some((origin, name)) = self.tracks.borrow()[track]
                .as_ref()
                .map(|t| (t.origin.clone(), t.info.name.clone()))
            else {
                continue;
            };
            let prepared = prepare_origin(&self.context, &origin, &name).await;
            if self.node_serial.get() != serial {
                return lost;
            }
            if !unchanged() {
                continue;
            }
            let result = match prepared {
                Ok((_, audio)) => self.send_load(track, audio).await.map_err(|reason| {
                    ImportError::Engine {
                        name: name.clone(),
                        reason,
                    }
                    .to_string()
                }),
                Err(e) => Err(e.to_string()),
            };
            if let Err(message) = result {
                if self.node_serial.get() != serial {
                    return lost;
                }
                lost.push(format!("track {} was lost: {message}", track + 1));
                self.tracks.borrow_mut()[track] = None;
                self.update_length();
            }
        }
        lost
    }

    /// Sends `audio` to the engine for `track` and waits for its answer: the time the load took
    /// on the audio thread (ms), or why it failed.
    async fn send_load(&self, track: usize, audio: EngineAudio) -> Result<f64, String> {
        self.post_load(track, audio)?.await
    }

    /// Sends `audio` to the engine for `track` now; the future waits for the engine's answer
    /// (the time the load took on the audio thread, ms, or why it failed).
    fn post_load(
        &self,
        track: usize,
        audio: EngineAudio,
    ) -> Result<impl Future<Output = Result<f64, String>> + use<>, String> {
        let outcome = Rc::new(RefCell::new(None));
        let mut wake = None;
        let answered = js_sys::Promise::new(&mut |resolve, _reject| wake = Some(resolve));
        let wake = wake.expect("the Promise executor runs at once");
        {
            let node = self.node.borrow();
            let node = node
                .as_ref()
                .ok_or_else(|| "the audio engine is not running".to_owned())?;
            node.load(track, audio).map_err(|e| describe(&e))?;
        }
        self.track_serials.borrow_mut()[track] += 1;
        self.pending_loads.borrow_mut().push(PendingLoad {
            track,
            outcome: Rc::clone(&outcome),
            wake,
        });
        Ok(async move {
            // The promise only ever resolves (by `PendingLoad::finish`).
            let _ = JsFuture::from(answered).await;
            let result = outcome.borrow_mut().take();
            result.unwrap_or_else(|| Err("the audio engine did not answer".to_owned()))
        })
    }

    /// Loads an imported file (or generated audio) onto track `track` of the running engine,
    /// replacing what the track held. The audio is sent at once; the future waits until the
    /// engine has it (so the next track can be prepared meanwhile). On success the track plays
    /// from the next quantum and comes back after an engine restart; on failure nothing
    /// changed. Resolves to what the page keeps about the track.
    pub fn load_track(
        &self,
        track: usize,
        imported: ImportedTrack,
    ) -> impl Future<Output = Result<TrackInfo, ImportError>> + '_ {
        let (info, audio, origin) = imported.into_parts();
        let engine_error = {
            let name = info.name.clone();
            move |reason: String| ImportError::Engine {
                name: name.clone(),
                reason,
            }
        };
        let sent = if StripIndex::track(track).is_none() {
            Err(format!(
                "there is no track {} (a session holds {MAX_TRACKS})",
                track + 1
            ))
        } else {
            self.post_load(track, audio)
        };
        async move {
            sent.map_err(&engine_error)?.await.map_err(&engine_error)?;
            self.tracks.borrow_mut()[track] = Some(Track {
                origin,
                info: info.clone(),
            });
            self.update_length();
            Ok(info)
        }
    }

    /// Unloads track `track` (e.g. when its import is undone): it falls silent, its memory is
    /// freed in the engine, and a restart no longer brings it back. The mix settings stay.
    pub fn clear_track(&self, track: usize) {
        if track >= MAX_TRACKS {
            return;
        }
        self.tracks.borrow_mut()[track] = None;
        self.track_serials.borrow_mut()[track] += 1;
        if let Some(node) = &*self.node.borrow() {
            node.clear(track);
        }
        self.update_length();
    }

    /// Track `track`'s audio prepared again from its origin (decoded or generated at
    /// `context`'s rate: the engine's, or a check's), as f32 channels for an offline render;
    /// `None` when it has none.
    pub async fn track_audio(
        &self,
        track: usize,
        context: &BaseAudioContext,
    ) -> Option<Result<TrackAudio, ImportError>> {
        let (origin, name) = self
            .tracks
            .borrow()
            .get(track)?
            .as_ref()
            .map(|t| (t.origin.clone(), t.info.name.clone()))?;
        Some(
            prepare_origin(context, &origin, &name)
                .await
                .map(|(_, audio)| audio.into_track_audio()),
        )
    }

    /// Says that track `track`'s audio came from `source` (e.g. a URL it was fetched from).
    pub fn set_track_source(&self, track: usize, source: mixroom_protocol::session::Source) {
        if let Some(Some(t)) = self.tracks.borrow_mut().get_mut(track) {
            t.info.source = source;
        }
    }

    /// The file track `track` was imported from, if it came from one.
    pub fn track_file(&self, track: usize) -> Option<web_sys::File> {
        match &self.tracks.borrow().get(track)?.as_ref()?.origin {
            TrackOrigin::File(file) => Some(file.clone()),
            TrackOrigin::Generated(_) => None,
        }
    }

    /// What the page knows about track `track`'s audio, or `None` when it has none.
    pub fn track_info(&self, track: usize) -> Option<TrackInfo> {
        self.tracks
            .borrow()
            .get(track)?
            .as_ref()
            .map(|t| t.info.clone())
    }

    /// The engine's memory as last reported, and how long the last load took on the audio
    /// thread (ms).
    pub fn engine_memory(&self) -> (EngineMemory, f64) {
        (self.memory.get(), self.last_load_ms.get())
    }

    fn update_length(&self) {
        let longest = self
            .tracks
            .borrow()
            .iter()
            .flatten()
            .map(|t| t.info.frames)
            .max()
            .unwrap_or(0);
        self.length_frames.set(f64::from(longest));
    }

    /// Sets parameter slot `slot` to `value` (plain units).
    pub fn set_param(&self, slot: usize, value: f32) {
        self.blocks.write_param(slot, value);
        if let Some(node) = &*self.node.borrow() {
            node.send_params(&self.blocks);
        }
    }

    /// The value of parameter slot `slot` the engine reads.
    #[cfg(feature = "e2e")]
    pub fn param(&self, slot: usize) -> f32 {
        self.blocks.param(slot)
    }

    /// Sets every parameter from a whole parameter block (a session opened).
    pub fn set_all_params(&self, block: &[u8]) {
        self.blocks.write_all_params(block);
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
    #[cfg(feature = "e2e")]
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

    /// Per track, the largest peak of each channel (linear, post-fader: left, right) over the
    /// newest `quanta` meter entries; leaves the entries to [`Self::read_new_meters`].
    #[cfg(feature = "e2e")]
    pub fn recent_track_peaks(&self, quanta: u32) -> Vec<[f32; 2]> {
        let mut peaks = vec![[0.0_f32; 2]; MAX_TRACKS];
        self.blocks.recent_meters(quanta, |entry| {
            for (track, peak) in peaks.iter_mut().enumerate() {
                let figures = meter_block::read_strip(entry, track);
                peak[0] = peak[0].max(figures.peak[0]);
                peak[1] = peak[1].max(figures.peak[1]);
            }
        });
        peaks
    }

    /// Test hook: makes the engine panic, so the end-to-end suite can watch the restart.
    #[cfg(feature = "e2e")]
    pub fn crash_engine(&self) {
        if let Some(node) = &*self.node.borrow() {
            node.crash();
        }
    }
}

impl PendingLoad {
    /// Settles the load and wakes whoever waits for it.
    fn finish(self, result: Result<f64, String>) {
        *self.outcome.borrow_mut() = Some(result);
        // Resolving a promise cannot throw.
        let _ = self.wake.call0(&JsValue::UNDEFINED);
    }
}
