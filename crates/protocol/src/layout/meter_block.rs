//! The meter block: engine → UI, a ring of raw per-quantum figures.
//!
//! ```text
//! bytes 0..4      i32   entries written so far (wrapping); entry n sits in slot n % RING_CAPACITY
//! bytes 4..16           reserved
//! bytes 16..      ring of RING_CAPACITY entries, ENTRY_BYTES each
//! ```
//!
//! One entry per render quantum:
//!
//! ```text
//! bytes 0..8      f64   playhead at the end of the quantum, frames
//! bytes 8..12     f32   frames in the quantum
//! bytes 12..16    f32   1 while the transport runs, else 0
//! bytes 16..      f32   per strip index s: peak L, peak R, mean square L, mean square R
//!                       at 16 + 16 * s (linear, post-fader)
//! ```
//!
//! The writer fills an entry, then stores the new count with `Atomics.store`. The reader loads the
//! count, and reads the entries it has not seen, at most `RING_CAPACITY / 2` of the newest (an
//! older one may be overwritten while it reads). Ballistics (peak hold, decay, RMS windows) are the
//! UI's job: the engine only reports what each quantum held.

use super::{read_f32, read_f64, write_f32, write_f64};
use crate::strips::MAX_STRIPS;

/// Word index of the entry count.
pub const COUNT_WORD: usize = 0;
/// Byte offset of the ring.
pub const RING_OFFSET: usize = 16;
/// Entries in the ring: 32 quanta of 128 frames is 85 ms at 48 kHz, several display frames.
pub const RING_CAPACITY: usize = 32;
/// Figures per strip in an entry.
pub const FIGURES_PER_STRIP: usize = 4;
/// Byte offset of the strip figures inside an entry.
pub const STRIPS_OFFSET: usize = 16;
/// Size of one entry in bytes.
pub const ENTRY_BYTES: usize = STRIPS_OFFSET + MAX_STRIPS * FIGURES_PER_STRIP * 4;
/// Size of the block in bytes.
pub const BYTES: usize = RING_OFFSET + RING_CAPACITY * ENTRY_BYTES;

/// Byte offset in the block of the entry with sequence number `n`.
pub const fn entry_offset(n: u32) -> usize {
    RING_OFFSET + (n as usize % RING_CAPACITY) * ENTRY_BYTES
}

/// Raw meter figures of one strip over one quantum (linear, per channel).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StripFigures {
    /// Largest absolute sample, left and right.
    pub peak: [f32; 2],
    /// Mean of the squared samples, left and right.
    pub mean_square: [f32; 2],
}

/// Writes the entry header.
pub fn write_entry_header(entry: &mut [u8], playhead_frames: f64, frames: usize, playing: bool) {
    write_f64(entry, 0, playhead_frames);
    write_f32(entry, 8, frames as f32);
    write_f32(entry, 12, if playing { 1.0 } else { 0.0 });
}

/// Writes the figures of strip index `strip`.
pub fn write_strip(entry: &mut [u8], strip: usize, figures: &StripFigures) {
    let at = STRIPS_OFFSET + strip * FIGURES_PER_STRIP * 4;
    write_f32(entry, at, figures.peak[0]);
    write_f32(entry, at + 4, figures.peak[1]);
    write_f32(entry, at + 8, figures.mean_square[0]);
    write_f32(entry, at + 12, figures.mean_square[1]);
}

/// Reads the playhead, frames, from an entry.
pub fn read_playhead_frames(entry: &[u8]) -> f64 {
    read_f64(entry, 0)
}

/// Reads the number of frames the entry covers.
pub fn read_frames(entry: &[u8]) -> usize {
    read_f32(entry, 8) as usize
}

/// Reads whether the transport was running.
pub fn read_playing(entry: &[u8]) -> bool {
    read_f32(entry, 12) != 0.0
}

/// Reads the figures of strip index `strip`.
pub fn read_strip(entry: &[u8], strip: usize) -> StripFigures {
    let at = STRIPS_OFFSET + strip * FIGURES_PER_STRIP * 4;
    StripFigures {
        peak: [read_f32(entry, at), read_f32(entry, at + 4)],
        mean_square: [read_f32(entry, at + 8), read_f32(entry, at + 12)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_fit_the_ring() {
        assert_eq!(ENTRY_BYTES % 8, 0, "entries keep f64 alignment");
        assert_eq!(entry_offset(0), RING_OFFSET);
        assert_eq!(
            entry_offset(RING_CAPACITY as u32 + 1),
            RING_OFFSET + ENTRY_BYTES
        );
        assert_eq!(entry_offset(u32::MAX) + ENTRY_BYTES, BYTES);
        let mut entry = vec![0; ENTRY_BYTES];
        write_entry_header(&mut entry, 123_456_789.0, 128, true);
        let figures = StripFigures {
            peak: [0.5, 0.25],
            mean_square: [0.1, 0.01],
        };
        write_strip(&mut entry, MAX_STRIPS - 1, &figures);
        assert_eq!(read_playhead_frames(&entry), 123_456_789.0);
        assert_eq!(read_frames(&entry), 128);
        assert!(read_playing(&entry));
        assert_eq!(read_strip(&entry, MAX_STRIPS - 1), figures);
        assert_eq!(read_strip(&entry, 0), StripFigures::default());
    }
}
