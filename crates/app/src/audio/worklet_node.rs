//! Creating the engine's AudioWorkletNode in any audio context, and talking to it.
//!
//! The node runs `www/worklet-processor.js`, which instantiates `mixroom_worklet.wasm` from the
//! `WebAssembly.Module` compiled here once per page (the worklet scope cannot fetch or compile).

use std::cell::RefCell;

use js_sys::{Array, Float32Array, Uint32Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioWorkletNode, AudioWorkletNodeOptions, BaseAudioContext, MessageEvent};

use super::blocks::{Blocks, Mode, ParamChanges};
use super::js;
use super::samples::{EngineAudio, TrackAudio};

/// Where the page finds the engine module and the processor script (next to index.html).
const WORKLET_WASM_URL: &str = "./mixroom_worklet.wasm";
const PROCESSOR_URL: &str = "./worklet-processor.js";
/// The name the processor registers under.
const PROCESSOR_NAME: &str = "mixroom";

thread_local! {
    /// The engine module being fetched and compiled, or compiled.
    static MODULE: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// Starts fetching and compiling the engine module, once: the fetch begins before this returns,
/// so calling it early lets the download overlap other work. A failed attempt is forgotten (the
/// next call tries again).
pub fn preload_engine_module() -> js_sys::Promise {
    if let Some(promise) = MODULE.with_borrow(Clone::clone) {
        return promise;
    }
    let fetched = web_sys::window().map(|w| w.fetch_with_str(WORKLET_WASM_URL));
    let promise = wasm_bindgen_futures::future_to_promise(async move {
        let compiled = async {
            let fetched = fetched.ok_or_else(|| js::error("no window"))?;
            let response: web_sys::Response = JsFuture::from(fetched).await?.dyn_into()?;
            if !response.ok() {
                return Err(js::error(&format!(
                    "could not load the audio engine ({WORKLET_WASM_URL}: HTTP {})",
                    response.status()
                )));
            }
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            JsFuture::from(WebAssembly::compile(&bytes)).await
        }
        .await;
        if compiled.is_err() {
            MODULE.with_borrow_mut(|m| *m = None);
        }
        compiled
    });
    MODULE.with_borrow_mut(|m| *m = Some(promise.clone()));
    promise
}

/// The compiled engine module (see [`preload_engine_module`]).
pub async fn engine_module() -> Result<WebAssembly::Module, JsValue> {
    JsFuture::from(preload_engine_module()).await?.dyn_into()
}

/// Starts loading the processor script into `context`'s worklet scope (once per context); the
/// promise settles when it is there.
pub fn load_processor(context: &BaseAudioContext) -> Result<js_sys::Promise, JsValue> {
    context.audio_worklet()?.add_module(PROCESSOR_URL)
}

/// Loads the processor script into `context`'s worklet scope (once per context).
pub async fn add_processor(context: &BaseAudioContext) -> Result<(), JsValue> {
    JsFuture::from(load_processor(context)?).await?;
    Ok(())
}

/// The engine's memory, as the processor last reported it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EngineMemory {
    /// Size of the engine module's wasm memory (it only ever grows), bytes.
    pub wasm_bytes: f64,
    /// What the loaded tracks' samples take of it, bytes.
    pub source_bytes: f64,
}

impl EngineMemory {
    fn parse(data: &JsValue) -> EngineMemory {
        let number = |key| js::get(data, key).as_f64().unwrap_or(0.0);
        EngineMemory {
            wasm_bytes: number("memoryBytes"),
            source_bytes: number("sourceBytes"),
        }
    }
}

/// What the processor tells the page.
#[derive(Debug)]
pub enum WorkletEvent {
    /// The engine renders.
    Ready {
        /// Its memory.
        memory: EngineMemory,
    },
    /// A source finished loading (or was refused).
    Loaded {
        /// The track.
        track: u32,
        /// Why the engine refused it; `None` when it took it.
        error: Option<String>,
        /// Time the load took on the audio thread, ms.
        load_ms: f64,
        /// The engine's memory after it.
        memory: EngineMemory,
    },
    /// A track was unloaded.
    Cleared {
        /// The engine's memory after it.
        memory: EngineMemory,
    },
    /// Message mode: new tap samples.
    Spectrum {
        /// Number of the first frame.
        first: u32,
        /// Frames per tap.
        frames: u32,
        /// The samples, taps back to back.
        samples: js_sys::ArrayBuffer,
    },
    /// Message mode: new meter entries.
    Meters {
        /// Number of the first entry.
        first: u32,
        /// Number of entries.
        count: u32,
        /// The entries, back to back.
        entries: js_sys::ArrayBuffer,
    },
    /// The instance trapped (a panic aborts it); its output is silent from now on.
    Died {
        /// What the worklet saw.
        message: String,
    },
}

impl WorkletEvent {
    fn parse(data: &JsValue) -> Option<WorkletEvent> {
        let number = |key| js::get(data, key).as_f64().unwrap_or(0.0) as u32;
        Some(match js::get(data, "type").as_string()?.as_str() {
            "ready" => WorkletEvent::Ready {
                memory: EngineMemory::parse(data),
            },
            "loaded" => WorkletEvent::Loaded {
                track: number("track"),
                error: if js::get(data, "ok").as_bool() == Some(true) {
                    None
                } else {
                    Some(
                        js::get(data, "error")
                            .as_string()
                            .unwrap_or_else(|| "the engine refused the audio".to_owned()),
                    )
                },
                load_ms: js::get(data, "loadMs").as_f64().unwrap_or(0.0),
                memory: EngineMemory::parse(data),
            },
            "cleared" => WorkletEvent::Cleared {
                memory: EngineMemory::parse(data),
            },
            "meters" => WorkletEvent::Meters {
                first: number("first"),
                count: number("count"),
                entries: js::get(data, "entries").dyn_into().ok()?,
            },
            "spectrum" => WorkletEvent::Spectrum {
                first: number("first"),
                frames: number("frames"),
                samples: js::get(data, "samples").dyn_into().ok()?,
            },
            "died" => WorkletEvent::Died {
                message: js::get(data, "message").as_string().unwrap_or_default(),
            },
            _ => return None,
        })
    }
}

/// Message mode: once a "meters" or "spectrum" message's samples are copied into the blocks
/// (`on_event` copies them at once), sends its buffer back to the processor to be filled
/// again, so that posting allocates nothing there.
fn recycle(port: &web_sys::MessagePort, data: &JsValue) {
    let key = match js::get(data, "type").as_string().as_deref() {
        Some("meters") => "entries",
        Some("spectrum") => "samples",
        _ => return,
    };
    let buffer = js::get(data, key);
    if buffer.is_instance_of::<js_sys::ArrayBuffer>() {
        let message = js::object(&[("type", &"recycle".into()), ("buffer", &buffer)]);
        // A closed port means the node is gone; its buffers go with it.
        let _ = port.post_message_with_transferable(&message, &Array::of1(&buffer));
    }
}

/// The engine node of one context.
pub struct WorkletNode {
    node: AudioWorkletNode,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl WorkletNode {
    /// Creates the node with the blocks and the initial sources (loaded before the first render
    /// quantum), connects it to the destination, and routes the processor's messages to
    /// `on_event`. A `held` engine renders silence until [`Self::start`] (load its tracks
    /// first). The processor script must already be added to `context`.
    pub async fn create(
        context: &BaseAudioContext,
        blocks: &Blocks,
        sources: &[(usize, TrackAudio)],
        held: bool,
        mut on_event: impl FnMut(WorkletEvent) + 'static,
    ) -> Result<WorkletNode, JsValue> {
        let module = engine_module().await?;
        let sources: Array = sources.iter().map(|(t, a)| a.to_js(*t)).collect();
        // The new processor starts from the whole block: nothing earlier is left to post.
        blocks.take_param_changes();
        let processor_options = js::object(&[
            ("module", &module.into()),
            ("mode", &JsValue::from_str(blocks.mode().as_str())),
            ("paramBlock", blocks.param_buffer()),
            ("transportBlock", blocks.transport_buffer()),
            ("meterBlock", blocks.meter_buffer()),
            ("spectrumBlock", blocks.spectrum_buffer()),
            ("sources", &sources.into()),
            ("hold", &JsValue::from(held)),
        ]);
        let options = AudioWorkletNodeOptions::new();
        options.set_number_of_inputs(0);
        options.set_number_of_outputs(1);
        options.set_output_channel_count(&Array::of1(&JsValue::from(2)).into());
        options.set_processor_options(Some(&processor_options));
        let node = AudioWorkletNode::new_with_options(context, PROCESSOR_NAME, &options)?;
        let port = node.port()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if let Some(event) = WorkletEvent::parse(&data) {
                on_event(event);
            }
            recycle(&port, &data);
        });
        node.port()?
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        node.connect_with_audio_node(&context.destination())?;
        Ok(WorkletNode {
            node,
            _on_message: on_message,
        })
    }

    /// Message mode: sends what changed in the parameter block to the processor: the changed
    /// slots, or (after a whole new block, or very many changes) the block.
    pub fn send_params(&self, blocks: &Blocks) {
        if blocks.mode() != Mode::Message {
            return;
        }
        match blocks.take_param_changes() {
            ParamChanges::None => {}
            ParamChanges::Slots(changes) => {
                let slots: Vec<u32> = changes.iter().map(|c| c.0).collect();
                let values: Vec<f32> = changes.iter().map(|c| c.1).collect();
                self.post(&js::object(&[
                    ("type", &"slots".into()),
                    ("slots", &Uint32Array::from(slots.as_slice()).into()),
                    ("values", &Float32Array::from(values.as_slice()).into()),
                ]));
            }
            ParamChanges::Whole => self.post(&js::object(&[
                ("type", &"params".into()),
                ("block", &blocks.param_snapshot()),
            ])),
        }
    }

    /// Message mode: sends the current transport block to the processor.
    pub fn send_transport(&self, blocks: &Blocks) {
        if blocks.mode() == Mode::Message {
            self.post(&js::object(&[
                ("type", &"transport".into()),
                ("block", &blocks.transport_snapshot()),
            ]));
        }
    }

    /// Message mode: sends the tap selectors to the processor.
    pub fn send_taps(&self, blocks: &Blocks) {
        if blocks.mode() == Mode::Message {
            let selectors: Array = blocks
                .tap_selectors()
                .iter()
                .map(|&s| JsValue::from(s))
                .collect();
            self.post(&js::object(&[
                ("type", &"taps".into()),
                ("selectors", &selectors.into()),
            ]));
        }
    }

    /// Sends a track's audio to the engine; the buffers are transferred (the page keeps
    /// nothing). The processor answers with [`WorkletEvent::Loaded`].
    pub fn load(&self, track: usize, audio: EngineAudio) -> Result<(), JsValue> {
        let channels: Array = audio.channels().iter().collect();
        let message = js::object(&[
            ("type", &"load".into()),
            ("track", &JsValue::from(track as u32)),
            ("format", &audio.format().into()),
            ("channels", &channels),
        ]);
        self.node
            .port()?
            .post_message_with_transferable(&message, &channels)
    }

    /// Unloads a track in the engine (answered with [`WorkletEvent::Cleared`]).
    pub fn clear(&self, track: usize) {
        self.post(&js::object(&[
            ("type", &"clear".into()),
            ("track", &JsValue::from(track as u32)),
        ]));
    }

    /// A held engine starts rendering from the blocks (answered with [`WorkletEvent::Ready`]).
    pub fn start(&self) {
        self.post(&js::object(&[("type", &"start".into())]));
    }

    /// Test hook: makes the engine panic, which aborts its instance.
    #[cfg(feature = "e2e")]
    pub fn crash(&self) {
        self.post(&js::object(&[("type", &"debug-panic".into())]));
    }

    /// Disconnects the node and stops listening to it.
    pub fn shut_down(&self) {
        if let Ok(port) = self.node.port() {
            port.set_onmessage(None);
        }
        // Disconnecting a node that is connected cannot fail; one that is not needs nothing.
        let _ = self.node.disconnect();
    }

    fn post(&self, message: &JsValue) {
        if let Ok(port) = self.node.port() {
            // A closed port means the node is gone; the bridge has already replaced it.
            let _ = port.post_message(message);
        }
    }
}
