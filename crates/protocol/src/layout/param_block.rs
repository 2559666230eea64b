//! The parameter block: UI → engine, one f32 plain value per slot of the parameter table.
//!
//! ```text
//! bytes 0..4      i32   generation (seqlock, see the module above)
//! bytes 4..16           reserved
//! bytes 16..      f32   value of slot i at 16 + 4 * i, i in 0..PARAM_SLOTS
//! ```
//!
//! Slot `i` is `ParamId::slot(strip)`. Values are plain (dB, pan position, 0/1), not normalized.

use super::{read_f32, write_f32};
use crate::params::{ParamId, PARAMS, PARAM_SLOTS};
use crate::strips::StripIndex;

/// Byte offset of slot 0.
pub const VALUES_OFFSET: usize = 16;

/// Size of the block in bytes.
pub const BYTES: usize = VALUES_OFFSET + PARAM_SLOTS * 4;

/// Byte offset of the value of `slot`.
pub const fn value_offset(slot: usize) -> usize {
    VALUES_OFFSET + slot * 4
}

/// Reads slot `slot` from a parameter block.
pub fn read_value(block: &[u8], slot: usize) -> f32 {
    read_f32(block, value_offset(slot))
}

/// Writes slot `slot` of a parameter block (no generation bump; the caller owns the protocol).
pub fn write_value(block: &mut [u8], slot: usize, value: f32) {
    write_f32(block, value_offset(slot), value)
}

/// A block with generation 0 and every slot at its parameter's default.
///
/// May allocate: not for the audio thread.
pub fn initial_block() -> Vec<u8> {
    let mut block = vec![0; BYTES];
    for spec in &PARAMS {
        for strip in StripIndex::all() {
            write_value(&mut block, spec.id.slot(strip), spec.default);
        }
    }
    block
}

/// Every (slot, value) of `block`, for slots that name a real strip.
pub fn values(block: &[u8]) -> impl Iterator<Item = (usize, f32)> + '_ {
    (0..PARAM_SLOTS)
        .filter(|&slot| ParamId::from_slot(slot).is_some())
        .map(move |slot| (slot, read_value(block, slot)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::read_generation;

    #[test]
    fn initial_block_holds_defaults() {
        let block = initial_block();
        assert_eq!(block.len(), BYTES);
        assert_eq!(read_generation(&block), 0);
        let track = StripIndex::track(9).unwrap();
        assert_eq!(read_value(&block, ParamId::GainDb.slot(track)), 0.0);
        let mut block = block;
        write_value(&mut block, ParamId::Pan.slot(track), -0.25);
        assert_eq!(read_value(&block, ParamId::Pan.slot(track)), -0.25);
        assert_eq!(
            values(&block).count(),
            PARAMS.len() * StripIndex::all().count()
        );
    }
}
