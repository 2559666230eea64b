//! mixroom-worklet: the engine as a raw WebAssembly module for the AudioWorklet.
//!
//! No wasm-bindgen: the worklet scope has no `TextDecoder`, `fetch` or `importScripts`, so the
//! module has no imports and a small C ABI that `www/worklet-processor.js` drives:
//!
//! 1. `mixroom_init(sample_rate_hz)` once.
//! 2. The shared blocks are mirrored in this module's memory with the exact byte layout of
//!    `mixroom_protocol::layout`. Each quantum, for the parameter block (0) and the transport
//!    block (1), the processor loads the generation word, asks `mixroom_block_wanted(block,
//!    generation)`, and if so copies the block into its image (`mixroom_param_block_ptr`,
//!    `mixroom_transport_block_ptr`), loads the generation again and hands both to
//!    `mixroom_block_copied`, which applies a whole copy (the seqlock's rules are
//!    `mixroom_protocol::layout::sync`'s). In message mode, `mixroom_set_param(slot, value)`
//!    applies one changed slot the page posted.
//! 3. Sources, at any time between quanta: stage the samples with
//!    `mixroom_source_alloc(channels, frames)` (f32) or `mixroom_source_alloc_i16(channels,
//!    frames)` (compact 16-bit, sample `i` = `i / 32768`), fill each `mixroom_source_channel_ptr`
//!    / `mixroom_source_channel_ptr_i16`, then `mixroom_source_commit(track)`.
//!    `mixroom_source_clear(track)` unloads a track. Staged i16 samples become the source as they
//!    are (no copy); staged f32 samples are kept as f32 up to a minute and compacted beyond
//!    (`Source::for_rate`). Loading allocates and frees; it never happens inside `process`.
//! 4. Each render quantum: `mixroom_process(frames)`, then read `mixroom_output_ptr(0|1)`, copy
//!    the meter entry (`mixroom_meter_entry_ptr`) into ring slot `mixroom_meter_slot()` of the
//!    shared meter block and store `mixroom_meter_publish()` as its count. A new processor first
//!    continues the count it finds (`mixroom_meter_continue`).
//! 5. Spectrum: the processor passes the UI's tap selectors to `mixroom_select_tap`, copies each
//!    active tap's samples (`mixroom_tap_ptr`) into the spectrum block's rings from frame
//!    `mixroom_tap_slot()` on (wrapping), and stores `mixroom_tap_publish(frames)` as the frame
//!    count (continued like the meters' with `mixroom_tap_continue`).
//!
//! All logic lives in mixroom-dsp; this crate only moves bytes. Every function is a no-op (or
//! returns 0 / null) before `mixroom_init`.

use std::cell::RefCell;

use mixroom_dsp::{Engine, Source, StereoBlock};
use mixroom_protocol::layout::meter_block::{self, StripFigures};
use mixroom_protocol::layout::spectrum_block;
use mixroom_protocol::layout::sync::{RingWriter, SeqlockReader};
use mixroom_protocol::layout::transport_block::{self, TransportRequest};
use mixroom_protocol::layout::{param_block, GENERATION_WORD};
use mixroom_protocol::strips::StripIndex;

/// Largest number of frames one `mixroom_process` call renders.
pub const MAX_QUANTUM_FRAMES: usize = 4096;

/// Frames the engine processes at a time inside a call (its scratch size).
const ENGINE_BLOCK_FRAMES: usize = 128;

/// Module state: the engine and the memory the processor reads and writes.
struct Worklet {
    engine: Engine,
    param_image: Vec<u8>,
    transport_image: Vec<u8>,
    /// The seqlock readers of the parameter and transport blocks.
    readers: [SeqlockReader; 2],
    meter_entry: Vec<u8>,
    meter_ring: RingWriter,
    tap_ring: RingWriter,
    output: [Vec<f32>; 2],
    staged: Staged,
    source_bytes: usize,
    sample_rate_hz: f32,
    frames: usize,
}

/// Samples waiting for `mixroom_source_commit`.
enum Staged {
    Nothing,
    F32(Vec<Vec<f32>>),
    I16(Vec<Vec<i16>>),
}

/// `mixroom_source_alloc*`: the samples are staged.
pub const STAGED: u32 = 1;
/// `mixroom_source_alloc*`: the shape is not one a track takes (channels not 1 or 2).
pub const REFUSED: u32 = 0;
/// `mixroom_source_alloc*`: the module's memory cannot grow enough for the samples.
pub const OUT_OF_MEMORY: u32 = 2;

thread_local! {
    static WORKLET: RefCell<Option<Worklet>> = const { RefCell::new(None) };
}

/// Runs `f` on the state, or returns `default` before `mixroom_init`.
fn with<R>(default: R, f: impl FnOnce(&mut Worklet) -> R) -> R {
    WORKLET.with_borrow_mut(|w| w.as_mut().map_or(default, f))
}

/// Creates the engine at `sample_rate_hz`. Calling it again starts over.
#[no_mangle]
pub extern "C" fn mixroom_init(sample_rate_hz: f32) {
    let worklet = Worklet {
        engine: Engine::new(sample_rate_hz, ENGINE_BLOCK_FRAMES),
        param_image: param_block::initial_block(),
        transport_image: vec![0; transport_block::BYTES],
        readers: [SeqlockReader::new(); 2],
        meter_entry: vec![0; meter_block::ENTRY_BYTES],
        meter_ring: RingWriter::new(meter_block::RING_CAPACITY as u32, 0),
        tap_ring: RingWriter::new(spectrum_block::RING_FRAMES as u32, 0),
        output: [vec![0.0; MAX_QUANTUM_FRAMES], vec![0.0; MAX_QUANTUM_FRAMES]],
        staged: Staged::Nothing,
        source_bytes: 0,
        sample_rate_hz,
        frames: 0,
    };
    WORKLET.with_borrow_mut(|w| *w = Some(worklet));
}

/// Word index of the generation counter in the parameter and transport blocks.
#[no_mangle]
pub extern "C" fn mixroom_generation_word() -> u32 {
    GENERATION_WORD as u32
}

/// Address of the parameter-block image (`mixroom_param_block_bytes` long).
#[no_mangle]
pub extern "C" fn mixroom_param_block_ptr() -> *mut u8 {
    with(std::ptr::null_mut(), |w| w.param_image.as_mut_ptr())
}

/// Size of the parameter block, bytes.
#[no_mangle]
pub extern "C" fn mixroom_param_block_bytes() -> u32 {
    param_block::BYTES as u32
}

/// Address of the transport-block image (`mixroom_transport_block_bytes` long).
#[no_mangle]
pub extern "C" fn mixroom_transport_block_ptr() -> *mut u8 {
    with(std::ptr::null_mut(), |w| w.transport_image.as_mut_ptr())
}

/// Size of the transport block, bytes.
#[no_mangle]
pub extern "C" fn mixroom_transport_block_bytes() -> u32 {
    transport_block::BYTES as u32
}

/// The parameter block, in the block numbers of `mixroom_block_wanted`.
pub const PARAM_BLOCK: u32 = 0;
/// The transport block.
pub const TRANSPORT_BLOCK: u32 = 1;

/// With the generation word of block `block` loaded before copying: 1 when the processor should
/// copy the block into its image now (a write has ended that was not applied yet), else 0.
#[no_mangle]
pub extern "C" fn mixroom_block_wanted(block: u32, before: i32) -> u32 {
    with(0, |w| {
        w.readers
            .get(block as usize)
            .is_some_and(|r| r.wants(before)) as u32
    })
}

/// With the generation word loaded again after the copy: when the copy holds one whole write,
/// applies the image to the engine (changed values start their ramps) and returns 1; else 0
/// (the processor tries again next quantum).
#[no_mangle]
pub extern "C" fn mixroom_block_copied(block: u32, before: i32, after: i32) -> u32 {
    with(0, |w| {
        let Some(reader) = w.readers.get_mut(block as usize) else {
            return 0;
        };
        if !reader.take(before, after) {
            return 0;
        }
        if block == PARAM_BLOCK {
            w.engine.apply_param_block(&w.param_image);
        } else {
            let request = TransportRequest::decode(&w.transport_image);
            w.engine.apply_transport(&request);
        }
        1
    })
}

/// 1 once a copy of block `block` has been applied (a new engine waits for both).
#[no_mangle]
pub extern "C" fn mixroom_block_taken(block: u32) -> u32 {
    with(0, |w| {
        w.readers
            .get(block as usize)
            .is_some_and(SeqlockReader::has_taken) as u32
    })
}

/// Message mode: sets parameter slot `slot` to `value` (plain units), in the image and the
/// engine. Slots out of range are ignored.
#[no_mangle]
pub extern "C" fn mixroom_set_param(slot: u32, value: f32) {
    with((), |w| {
        let slot = slot as usize;
        if slot < mixroom_protocol::params::PARAM_SLOTS {
            param_block::write_value(&mut w.param_image, slot, value);
            w.engine.set_param(slot, value);
        }
    });
}

/// Jumps every smoother to its target and clears meters (after the first parameter load, so a
/// new or restarted engine starts on the mix instead of ramping into it).
#[no_mangle]
pub extern "C" fn mixroom_reset() {
    with((), |w| w.engine.reset());
}

/// `channels` zeroed channels of `frames` samples, or `None` when memory runs out (reported to
/// the page instead of aborting the instance).
fn zeroed_channels<T: Copy + Default>(channels: u32, frames: u32) -> Option<Vec<Vec<T>>> {
    (0..channels)
        .map(|_| {
            let mut channel = Vec::new();
            channel.try_reserve_exact(frames as usize).ok()?;
            channel.resize(frames as usize, T::default());
            Some(channel)
        })
        .collect()
}

/// Stages `channels` channels of `frames` frames made by `make`, after freeing what was staged.
fn stage(w: &mut Worklet, channels: u32, make: impl FnOnce() -> Option<Staged>) -> u32 {
    w.staged = Staged::Nothing;
    if !(1..=2).contains(&channels) {
        return REFUSED;
    }
    match make() {
        Some(staged) => {
            w.staged = staged;
            STAGED
        }
        None => OUT_OF_MEMORY,
    }
}

/// Stages a source of `channels` (1 or 2) channels of `frames` f32 frames. Returns [`STAGED`],
/// [`REFUSED`] (a shape no track takes) or [`OUT_OF_MEMORY`]. Frees anything staged before.
#[no_mangle]
pub extern "C" fn mixroom_source_alloc(channels: u32, frames: u32) -> u32 {
    with(REFUSED, |w| {
        stage(w, channels, || {
            zeroed_channels(channels, frames).map(Staged::F32)
        })
    })
}

/// Stages a compact source of `channels` (1 or 2) channels of `frames` 16-bit frames (sample
/// `i` stands for `i / 32768`). Returns like [`mixroom_source_alloc`].
#[no_mangle]
pub extern "C" fn mixroom_source_alloc_i16(channels: u32, frames: u32) -> u32 {
    with(REFUSED, |w| {
        stage(w, channels, || {
            zeroed_channels(channels, frames).map(Staged::I16)
        })
    })
}

/// Address of staged f32 channel `channel` (`frames` f32 long), or null when none is staged.
#[no_mangle]
pub extern "C" fn mixroom_source_channel_ptr(channel: u32) -> *mut f32 {
    with(std::ptr::null_mut(), |w| match &mut w.staged {
        Staged::F32(channels) => channels
            .get_mut(channel as usize)
            .map_or(std::ptr::null_mut(), |c| c.as_mut_ptr()),
        _ => std::ptr::null_mut(),
    })
}

/// Address of staged 16-bit channel `channel` (`frames` i16 long), or null when none is staged.
#[no_mangle]
pub extern "C" fn mixroom_source_channel_ptr_i16(channel: u32) -> *mut i16 {
    with(std::ptr::null_mut(), |w| match &mut w.staged {
        Staged::I16(channels) => channels
            .get_mut(channel as usize)
            .map_or(std::ptr::null_mut(), |c| c.as_mut_ptr()),
        _ => std::ptr::null_mut(),
    })
}

/// Puts `source` on `track` (freeing the previous one) and keeps the byte count.
fn put(w: &mut Worklet, track: usize, source: Option<Source>) {
    w.source_bytes += source.as_ref().map_or(0, Source::bytes);
    let old = w.engine.load_source(track, source);
    w.source_bytes -= old.as_ref().map_or(0, Source::bytes);
}

/// Moves the staged source onto track `track` and returns 1, or returns 0 when nothing valid
/// was staged or the track does not exist. The track's previous source is freed here, outside
/// `process`.
#[no_mangle]
pub extern "C" fn mixroom_source_commit(track: u32) -> u32 {
    with(0, |w| {
        let staged = std::mem::replace(&mut w.staged, Staged::Nothing);
        if StripIndex::track(track as usize).is_none() {
            return 0;
        }
        let source = match staged {
            Staged::Nothing => return 0,
            Staged::F32(channels) => Source::for_rate(channels, w.sample_rate_hz),
            Staged::I16(channels) => Source::from_i16(channels),
        };
        match source {
            Ok(source) => {
                put(w, track as usize, Some(source));
                1
            }
            Err(_) => 0,
        }
    })
}

/// Unloads track `track` (its source is freed here; the track falls silent) and returns 1, or
/// returns 0 when the track does not exist.
#[no_mangle]
pub extern "C" fn mixroom_source_clear(track: u32) -> u32 {
    with(0, |w| {
        if StripIndex::track(track as usize).is_none() {
            return 0;
        }
        put(w, track as usize, None);
        1
    })
}

/// Memory the loaded sources take, bytes (saturates at `u32::MAX`).
#[no_mangle]
pub extern "C" fn mixroom_source_bytes() -> u32 {
    with(0, |w| u32::try_from(w.source_bytes).unwrap_or(u32::MAX))
}

/// Renders `frames` frames (at most `MAX_QUANTUM_FRAMES`) into the output buffers and fills the
/// meter entry. Returns the number of frames rendered.
#[no_mangle]
pub extern "C" fn mixroom_process(frames: u32) -> u32 {
    with(0, |w| {
        let n = (frames as usize).min(MAX_QUANTUM_FRAMES);
        let [left, right] = &mut w.output;
        w.engine
            .process(&mut StereoBlock::new(&mut left[..n], &mut right[..n]));
        let transport = w.engine.transport();
        meter_block::write_entry_header(
            &mut w.meter_entry,
            transport.playhead_frames() as f64,
            n,
            transport.playing(),
        );
        for strip in StripIndex::all() {
            let figures: StripFigures = w.engine.figures(strip);
            meter_block::write_strip(&mut w.meter_entry, strip.index(), &figures);
        }
        meter_block::write_master(&mut w.meter_entry, &w.engine.master_figures());
        w.frames = n;
        n as u32
    })
}

/// Address of output channel `channel` (0 left, 1 right), `MAX_QUANTUM_FRAMES` f32 long.
#[no_mangle]
pub extern "C" fn mixroom_output_ptr(channel: u32) -> *mut f32 {
    with(std::ptr::null_mut(), |w| {
        w.output
            .get_mut(channel as usize)
            .map_or(std::ptr::null_mut(), |c| c.as_mut_ptr())
    })
}

/// Address of the meter entry written by the last `mixroom_process`.
#[no_mangle]
pub extern "C" fn mixroom_meter_entry_ptr() -> *const u8 {
    with(std::ptr::null(), |w| w.meter_entry.as_ptr())
}

/// Size of one meter entry, bytes.
#[no_mangle]
pub extern "C" fn mixroom_meter_entry_bytes() -> u32 {
    meter_block::ENTRY_BYTES as u32
}

/// Size of the meter block, bytes.
#[no_mangle]
pub extern "C" fn mixroom_meter_block_bytes() -> u32 {
    meter_block::BYTES as u32
}

/// Word index of the entry count in the meter block.
#[no_mangle]
pub extern "C" fn mixroom_meter_count_word() -> u32 {
    meter_block::COUNT_WORD as u32
}

/// Number of entries in the meter block's ring.
#[no_mangle]
pub extern "C" fn mixroom_meter_ring_capacity() -> u32 {
    meter_block::RING_CAPACITY as u32
}

/// Byte offset in the meter block of ring slot `slot`.
#[no_mangle]
pub extern "C" fn mixroom_meter_entry_offset(slot: u32) -> u32 {
    meter_block::entry_offset(slot) as u32
}

/// Continues the meter count at `count` (what a previous engine left in the block).
#[no_mangle]
pub extern "C" fn mixroom_meter_continue(count: u32) {
    with((), |w| {
        w.meter_ring = RingWriter::new(meter_block::RING_CAPACITY as u32, count)
    });
}

/// The ring slot this quantum's meter entry goes to.
#[no_mangle]
pub extern "C" fn mixroom_meter_slot() -> u32 {
    with(0, |w| {
        w.meter_ring
            .next(1)
            .slots(meter_block::RING_CAPACITY as u32)[0]
            .start as u32
    })
}

/// Counts this quantum's entry as written: returns the count to store, after the entry.
#[no_mangle]
pub extern "C" fn mixroom_meter_publish() -> u32 {
    with(0, |w| w.meter_ring.publish(1))
}

/// Points spectrum tap `tap` at a strip and point (a `spectrum_block` selector; −1 = off).
#[no_mangle]
pub extern "C" fn mixroom_select_tap(tap: u32, selector: i32) {
    with((), |w| w.engine.select_tap(tap as usize, selector));
}

/// Address of tap `tap`'s samples from the last `mixroom_process` (as many as it rendered).
#[no_mangle]
pub extern "C" fn mixroom_tap_ptr(tap: u32) -> *const f32 {
    with(std::ptr::null(), |w| {
        if (tap as usize) < spectrum_block::TAPS {
            w.engine.tap_samples(tap as usize, w.frames).as_ptr()
        } else {
            std::ptr::null()
        }
    })
}

/// Size of the spectrum block, bytes.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_block_bytes() -> u32 {
    spectrum_block::BYTES as u32
}

/// Number of spectrum taps.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_taps() -> u32 {
    spectrum_block::TAPS as u32
}

/// Word index of the spectrum block's frame count.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_count_word() -> u32 {
    spectrum_block::COUNT_WORD as u32
}

/// Word index of the first tap selector.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_selector_word() -> u32 {
    spectrum_block::SELECTOR_WORD as u32
}

/// Byte offset in the spectrum block of frame `n` of tap `tap`.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_sample_offset(tap: u32, n: u32) -> u32 {
    spectrum_block::sample_offset(tap as usize, n) as u32
}

/// Continues the spectrum frame count at `count` (what a previous engine left in the block).
#[no_mangle]
pub extern "C" fn mixroom_tap_continue(count: u32) {
    with((), |w| {
        w.tap_ring = RingWriter::new(spectrum_block::RING_FRAMES as u32, count)
    });
}

/// The ring frame where this quantum's tap samples begin (they wrap at the ring's end).
#[no_mangle]
pub extern "C" fn mixroom_tap_slot() -> u32 {
    with(0, |w| {
        w.tap_ring.next(1).slots(spectrum_block::RING_FRAMES as u32)[0].start as u32
    })
}

/// Counts `frames` more tap frames as written: returns the frame count to store, after them.
#[no_mangle]
pub extern "C" fn mixroom_tap_publish(frames: u32) -> u32 {
    with(0, |w| w.tap_ring.publish(frames))
}

/// Frames per spectrum ring.
#[no_mangle]
pub extern "C" fn mixroom_spectrum_ring_frames() -> u32 {
    spectrum_block::RING_FRAMES as u32
}

/// Panics on purpose, aborting the instance: the hook the end-to-end suite uses to prove that
/// the page notices a dead engine and restarts it with the current mix.
#[cfg(feature = "e2e")]
#[no_mangle]
pub extern "C" fn mixroom_debug_panic() {
    panic!("engine stopped on request (test hook)");
}
