//! The UI side of the shared-memory blocks (layout: `mixroom_protocol::layout`).
//!
//! In shared mode each block is a `SharedArrayBuffer` that the worklet reads and writes in place.
//! In message mode (page not cross-origin isolated) each is a private `ArrayBuffer` with the same
//! layout: after every write the UI posts a snapshot (or the tap selectors) to the worklet, and
//! the worklet posts new meter entries and tap samples back, which [`Blocks::receive_meters`]
//! and [`Blocks::receive_spectrum`] write into the local copy. Everything else works the same in
//! both modes.

use std::cell::{Cell, RefCell};

use js_sys::{Atomics, Float32Array, Int32Array, Uint8Array};
use mixroom_protocol::layout::meter_block::{self, RING_CAPACITY};
use mixroom_protocol::layout::spectrum_block::{self, RING_FRAMES, TAPS};
use mixroom_protocol::layout::sync::{Items, RingReader, SeqlockWriter};
use mixroom_protocol::layout::transport_block::{self, TransportRequest};
use mixroom_protocol::layout::{param_block, read_generation, GENERATION_WORD};
use mixroom_protocol::params::PARAM_SLOTS;
use wasm_bindgen::JsValue;

/// How the blocks travel between the UI and the worklet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// SharedArrayBuffers, read and written in place with `Atomics`.
    Shared,
    /// Private ArrayBuffers, copied over `port.postMessage`.
    Message,
}

impl Mode {
    /// The mode this page can use.
    pub fn detect() -> Mode {
        if super::js::cross_origin_isolated() {
            Mode::Shared
        } else {
            Mode::Message
        }
    }

    /// The name the worklet processor expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::Message => "message",
        }
    }
}

fn buffer(mode: Mode, bytes: usize) -> JsValue {
    match mode {
        Mode::Shared => js_sys::SharedArrayBuffer::new(bytes as u32).into(),
        Mode::Message => js_sys::ArrayBuffer::new(bytes as u32).into(),
    }
}

fn words(buffer: &JsValue) -> Int32Array {
    Int32Array::new_with_byte_offset_and_length(buffer, 0, 4)
}

/// What changed in the parameter block since message mode last posted it.
#[derive(Debug, Default)]
pub enum ParamChanges {
    /// Nothing.
    #[default]
    None,
    /// These slots, to these values, in order.
    Slots(Vec<(u32, f32)>),
    /// Too much to list: post the whole block.
    Whole,
}

/// More changed slots than this between two posts, and the whole block is posted instead.
const MAX_POSTED_SLOTS: usize = 256;

/// The three blocks of one engine.
pub struct Blocks {
    mode: Mode,
    param: JsValue,
    transport: JsValue,
    meter: JsValue,
    param_words: Int32Array,
    param_values: Float32Array,
    transport_words: Int32Array,
    transport_bytes: Uint8Array,
    meter_words: Int32Array,
    meter_bytes: Uint8Array,
    spectrum: JsValue,
    spectrum_words: Int32Array,
    spectrum_samples: Float32Array,
    transport_state: Cell<TransportRequest>,
    param_lock: Cell<SeqlockWriter>,
    transport_lock: Cell<SeqlockWriter>,
    meter_reader: Cell<RingReader>,
    /// Message mode: what to post next.
    param_changes: RefCell<ParamChanges>,
}

impl Blocks {
    /// New blocks holding `initial_params` (a whole parameter block, e.g. from
    /// `Session::param_block`) and `transport`.
    pub fn new(mode: Mode, initial_params: &[u8], transport: TransportRequest) -> Blocks {
        let param = buffer(mode, param_block::BYTES);
        Uint8Array::new(&param).copy_from(initial_params);
        let transport_buffer = buffer(mode, transport_block::BYTES);
        let meter = buffer(mode, meter_block::BYTES);
        let spectrum = buffer(mode, spectrum_block::BYTES);
        let blocks = Blocks {
            mode,
            param_words: words(&param),
            param_values: Float32Array::new_with_byte_offset_and_length(
                &param,
                param_block::VALUES_OFFSET as u32,
                PARAM_SLOTS as u32,
            ),
            param,
            transport_words: words(&transport_buffer),
            transport_bytes: Uint8Array::new(&transport_buffer),
            transport: transport_buffer,
            meter_words: words(&meter),
            meter_bytes: Uint8Array::new(&meter),
            meter,
            spectrum_words: Int32Array::new_with_byte_offset_and_length(&spectrum, 0, 8),
            spectrum_samples: Float32Array::new(&spectrum),
            spectrum,
            transport_state: Cell::new(TransportRequest::default()),
            param_lock: Cell::new(SeqlockWriter::new(read_generation(initial_params))),
            transport_lock: Cell::new(SeqlockWriter::new(0)),
            meter_reader: Cell::new(RingReader::new(RING_CAPACITY as u32, 0)),
            param_changes: RefCell::new(ParamChanges::None),
        };
        blocks.write_transport(transport);
        blocks.select_taps([-1; TAPS]);
        blocks
    }

    /// How the blocks travel.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The parameter block's buffer.
    pub fn param_buffer(&self) -> &JsValue {
        &self.param
    }

    /// The transport block's buffer.
    pub fn transport_buffer(&self) -> &JsValue {
        &self.transport
    }

    /// The meter block's buffer.
    pub fn meter_buffer(&self) -> &JsValue {
        &self.meter
    }

    /// The spectrum block's buffer.
    pub fn spectrum_buffer(&self) -> &JsValue {
        &self.spectrum
    }

    /// Points the taps at strips and points (`spectrum_block` selectors, −1 = off).
    pub fn select_taps(&self, selectors: [i32; TAPS]) {
        for (tap, selector) in selectors.into_iter().enumerate() {
            let word = (spectrum_block::SELECTOR_WORD + tap) as u32;
            Atomics::store(&self.spectrum_words, word, selector).expect("Atomics.store");
        }
    }

    /// The tap selectors, as written.
    pub fn tap_selectors(&self) -> [i32; TAPS] {
        std::array::from_fn(|tap| {
            let word = (spectrum_block::SELECTOR_WORD + tap) as u32;
            Atomics::load(&self.spectrum_words, word).expect("Atomics.load")
        })
    }

    /// Frames written to the tap rings so far (the newest sample is frame `count − 1`).
    pub fn tap_count(&self) -> u32 {
        Atomics::load(&self.spectrum_words, spectrum_block::COUNT_WORD as u32)
            .expect("Atomics.load") as u32
    }

    /// The newest `frames` samples of tap `tap` (at most a ring), oldest first; fewer when the
    /// engine overwrote the oldest of them while they were copied.
    pub fn tap_samples(&self, tap: usize, frames: usize) -> Vec<f32> {
        let reader = RingReader::new(RING_FRAMES as u32, 0);
        let items = reader.latest(self.tap_count(), frames as u32);
        let ring = (spectrum_block::RINGS_OFFSET / 4 + tap * RING_FRAMES) as u32;
        let mut samples = vec![0.0; items.len as usize];
        let mut done = 0;
        for run in items.slots(RING_FRAMES as u32) {
            let len = run.len();
            self.spectrum_samples
                .subarray(ring + run.start as u32, ring + run.end as u32)
                .copy_to(&mut samples[done..done + len]);
            done += len;
        }
        let whole = reader.whole(items, self.tap_count());
        samples.split_off(whole.first.wrapping_sub(items.first) as usize)
    }

    /// Message mode: stores `frames` tap samples per tap numbered from `first`, sent by the
    /// worklet (taps back to back).
    pub fn receive_spectrum(&self, first: u32, frames: u32, samples: &js_sys::ArrayBuffer) {
        let samples = Float32Array::new(samples);
        for tap in 0..TAPS as u32 {
            for i in 0..frames {
                let n = first.wrapping_add(i) as usize % RING_FRAMES;
                let at = (spectrum_block::RINGS_OFFSET / 4 + tap as usize * RING_FRAMES + n) as u32;
                self.spectrum_samples
                    .set_index(at, samples.get_index(tap * frames + i));
            }
        }
        let count_word = spectrum_block::COUNT_WORD as u32;
        Atomics::store(
            &self.spectrum_words,
            count_word,
            first.wrapping_add(frames) as i32,
        )
        .expect("Atomics.store");
    }

    /// Writes `value` into parameter slot `slot` (seqlock: odd generation while writing).
    pub fn write_param(&self, slot: usize, value: f32) {
        seqlock_write(&self.param_words, &self.param_lock, || {
            self.param_values.set_index(slot as u32, value)
        });
        if self.mode == Mode::Message {
            let mut changes = self.param_changes.borrow_mut();
            match &mut *changes {
                ParamChanges::None => *changes = ParamChanges::Slots(vec![(slot as u32, value)]),
                ParamChanges::Slots(slots) if slots.len() < MAX_POSTED_SLOTS => {
                    slots.push((slot as u32, value))
                }
                _ => *changes = ParamChanges::Whole,
            }
        }
    }

    /// Message mode: what changed in the parameter block since the last call.
    pub fn take_param_changes(&self) -> ParamChanges {
        self.param_changes.take()
    }

    /// The value in parameter slot `slot`, as last written.
    #[cfg(feature = "e2e")]
    pub fn param(&self, slot: usize) -> f32 {
        self.param_values.get_index(slot as u32)
    }

    /// Writes every parameter slot at once from a whole parameter block's bytes (one
    /// generation bump: the engine never sees half of it).
    pub fn write_all_params(&self, block: &[u8]) {
        let values: Vec<f32> = (0..PARAM_SLOTS)
            .map(|slot| param_block::read_value(block, slot))
            .collect();
        seqlock_write(&self.param_words, &self.param_lock, || {
            self.param_values.copy_from(&values)
        });
        if self.mode == Mode::Message {
            *self.param_changes.borrow_mut() = ParamChanges::Whole;
        }
    }

    /// The transport state last written.
    pub fn transport(&self) -> TransportRequest {
        self.transport_state.get()
    }

    /// Writes the whole transport request.
    pub fn write_transport(&self, request: TransportRequest) {
        let mut bytes = [0; transport_block::BYTES];
        request.encode(&mut bytes);
        let start = (GENERATION_WORD + 1) * 4;
        seqlock_write(&self.transport_words, &self.transport_lock, || {
            self.transport_bytes
                .subarray(start as u32, transport_block::BYTES as u32)
                .copy_from(&bytes[start..]);
        });
        self.transport_state.set(request);
    }

    /// A copy of the parameter block's bytes (message mode snapshots).
    pub fn param_snapshot(&self) -> JsValue {
        snapshot(&self.param)
    }

    /// A copy of the transport block's bytes (message mode snapshots).
    pub fn transport_snapshot(&self) -> JsValue {
        snapshot(&self.transport)
    }

    /// Message mode: stores `count` meter entries numbered from `first`, sent by the worklet.
    pub fn receive_meters(&self, first: u32, count: u32, entries: &js_sys::ArrayBuffer) {
        let entries = Uint8Array::new(entries);
        let entry_bytes = meter_block::ENTRY_BYTES as u32;
        for i in 0..count {
            let n = first.wrapping_add(i);
            let entry = entries.subarray(i * entry_bytes, (i + 1) * entry_bytes);
            let at = meter_block::entry_offset(n) as u32;
            self.meter_bytes.set(&entry, at);
        }
        let count_word = meter_block::COUNT_WORD as u32;
        Atomics::store(
            &self.meter_words,
            count_word,
            first.wrapping_add(count) as i32,
        )
        .expect("Atomics.store on an Int32Array");
    }

    /// Calls `f` with every meter entry written since the last call, oldest first (at most a
    /// ring's worth; entries the engine overwrote meanwhile are left out).
    pub fn read_new_meters(&self, f: impl FnMut(&[u8])) {
        let mut reader = self.meter_reader.get();
        let count = self.meter_count();
        self.read_meters(reader.fresh(count), f);
        reader.done(count);
        self.meter_reader.set(reader);
    }

    /// Calls `f` with the newest `count` meter entries (at most a ring's worth), oldest first,
    /// without marking them read: [`Blocks::read_new_meters`] still sees them.
    #[cfg(feature = "e2e")]
    pub fn recent_meters(&self, count: u32, f: impl FnMut(&[u8])) {
        let written = self.meter_count();
        self.read_meters(self.meter_reader.get().latest(written, count), f);
    }

    fn meter_count(&self) -> u32 {
        Atomics::load(&self.meter_words, meter_block::COUNT_WORD as u32)
            .expect("Atomics.load on an Int32Array") as u32
    }

    /// Copies the entries `items`, then calls `f` with those the engine cannot have overwritten
    /// while they were copied.
    fn read_meters(&self, items: Items, mut f: impl FnMut(&[u8])) {
        let entry_bytes = meter_block::ENTRY_BYTES;
        let mut copies = vec![0; items.len as usize * entry_bytes];
        for (copy, n) in copies.chunks_mut(entry_bytes).zip(items.numbers()) {
            let at = meter_block::entry_offset(n) as u32;
            self.meter_bytes
                .subarray(at, at + entry_bytes as u32)
                .copy_to(copy);
        }
        let whole = self.meter_reader.get().whole(items, self.meter_count());
        let skip = whole.first.wrapping_sub(items.first) as usize;
        copies.chunks(entry_bytes).skip(skip).for_each(&mut f);
    }
}

/// Writes a UI → engine block under its seqlock: the odd generation, `write`, the even one.
fn seqlock_write(words: &Int32Array, lock: &Cell<SeqlockWriter>, write: impl FnOnce()) {
    let generation = GENERATION_WORD as u32;
    let mut writer = lock.get();
    Atomics::store(words, generation, writer.begin()).expect("Atomics.store on an Int32Array");
    write();
    Atomics::store(words, generation, writer.end()).expect("Atomics.store on an Int32Array");
    lock.set(writer);
}
fn snapshot(buffer: &JsValue) -> JsValue {
    Uint8Array::new(buffer)
        .slice(0, Uint8Array::new(buffer).length())
        .buffer()
        .into()
}
