//! Byte layout of the shared-memory blocks between the UI (main thread) and the worklet.
//!
//! Four blocks, each a `SharedArrayBuffer` when the page is cross-origin isolated, or a plain
//! `ArrayBuffer` copied over `port.postMessage` when it is not (same layout, lower rate):
//!
//! - [`param_block`]: UI → engine, one f32 per parameter slot, guarded by a generation counter.
//! - [`transport_block`]: UI → engine, the requested transport state (play, seek, loop).
//! - [`meter_block`]: engine → UI, a ring of per-quantum meter figures and the playhead.
//! - [`spectrum_block`]: engine → UI, time-domain rings of the tapped points (the UI picks them).
//!
//! All numbers are little-endian (WebAssembly and every browser are). Word indices name 32-bit
//! words for `Int32Array` views (the ones read and written with `Atomics`); offsets are in bytes.
//!
//! The UI → engine blocks are written like a seqlock, and the engine → UI blocks are
//! single-writer rings; both sides' rules are [`sync`]'s.

pub mod meter_block;
pub mod param_block;
pub mod spectrum_block;
pub mod sync;
pub mod transport_block;

/// Word index of the generation counter in the UI → engine blocks.
pub const GENERATION_WORD: usize = 0;

/// Reads the f32 at byte `offset`.
pub(crate) fn read_f32(bytes: &[u8], offset: usize) -> f32 {
    f32::from_le_bytes(word(bytes, offset))
}

/// Reads the i32 at byte `offset`.
pub(crate) fn read_i32(bytes: &[u8], offset: usize) -> i32 {
    i32::from_le_bytes(word(bytes, offset))
}

/// Reads the f64 at byte `offset`.
pub(crate) fn read_f64(bytes: &[u8], offset: usize) -> f64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[offset..offset + 8]);
    f64::from_le_bytes(b)
}

/// Writes `value` at byte `offset`.
pub(crate) fn write_f32(bytes: &mut [u8], offset: usize, value: f32) {
    bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at byte `offset`.
pub(crate) fn write_i32(bytes: &mut [u8], offset: usize, value: i32) {
    bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

/// Writes `value` at byte `offset`.
pub(crate) fn write_f64(bytes: &mut [u8], offset: usize, value: f64) {
    bytes[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}

fn word(bytes: &[u8], offset: usize) -> [u8; 4] {
    let mut b = [0; 4];
    b.copy_from_slice(&bytes[offset..offset + 4]);
    b
}

/// Reads the generation counter of a UI → engine block.
pub fn read_generation(bytes: &[u8]) -> i32 {
    read_i32(bytes, GENERATION_WORD * 4)
}
