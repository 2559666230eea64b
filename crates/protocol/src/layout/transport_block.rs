//! The transport block: UI → engine, the transport state the user asked for.
//!
//! ```text
//! bytes 0..4      i32   generation (seqlock, see the module above)
//! bytes 4..8      i32   playing: 1 to play, 0 to pause
//! bytes 8..12     i32   seek serial: bumped once per seek request
//! bytes 12..16    i32   loop enabled: 1 or 0
//! bytes 16..24    f64   seek target, frames
//! bytes 24..32    f64   loop start, frames
//! bytes 32..40    f64   loop end, frames (exclusive)
//! bytes 40..44    i32   loudness reset serial: bumped to start a new loudness measurement
//! bytes 44..48          reserved
//! ```
//!
//! State, not commands: the engine applies the whole block whenever its generation changes, and
//! seeks only when the serial differs from the last one it applied.

use super::{read_f64, read_i32, write_f64, write_i32};

/// Size of the block in bytes.
pub const BYTES: usize = 48;
/// Byte offset of the playing flag.
pub const PLAYING_OFFSET: usize = 4;
/// Byte offset of the seek serial.
pub const SEEK_SERIAL_OFFSET: usize = 8;
/// Byte offset of the loop-enabled flag.
pub const LOOP_ENABLED_OFFSET: usize = 12;
/// Byte offset of the seek target.
pub const SEEK_FRAME_OFFSET: usize = 16;
/// Byte offset of the loop start.
pub const LOOP_START_OFFSET: usize = 24;
/// Byte offset of the loop end.
pub const LOOP_END_OFFSET: usize = 32;
/// Byte offset of the loudness reset serial.
pub const LOUDNESS_RESET_OFFSET: usize = 40;

/// The decoded transport block.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TransportRequest {
    /// Whether the transport should run.
    pub playing: bool,
    /// Bumped once per seek request.
    pub seek_serial: i32,
    /// Where to seek to, frames.
    pub seek_frame: f64,
    /// Whether the loop region is active.
    pub loop_enabled: bool,
    /// Loop region start, frames.
    pub loop_start_frame: f64,
    /// Loop region end (exclusive), frames.
    pub loop_end_frame: f64,
    /// Bumped once per request to start a new loudness measurement.
    pub loudness_reset_serial: i32,
}

impl TransportRequest {
    /// Reads a transport block.
    pub fn decode(block: &[u8]) -> TransportRequest {
        TransportRequest {
            playing: read_i32(block, PLAYING_OFFSET) != 0,
            seek_serial: read_i32(block, SEEK_SERIAL_OFFSET),
            seek_frame: read_f64(block, SEEK_FRAME_OFFSET),
            loop_enabled: read_i32(block, LOOP_ENABLED_OFFSET) != 0,
            loop_start_frame: read_f64(block, LOOP_START_OFFSET),
            loop_end_frame: read_f64(block, LOOP_END_OFFSET),
            loudness_reset_serial: read_i32(block, LOUDNESS_RESET_OFFSET),
        }
    }

    /// Writes this request into a transport block (no generation bump).
    pub fn encode(&self, block: &mut [u8]) {
        write_i32(block, PLAYING_OFFSET, i32::from(self.playing));
        write_i32(block, SEEK_SERIAL_OFFSET, self.seek_serial);
        write_i32(block, LOOP_ENABLED_OFFSET, i32::from(self.loop_enabled));
        write_f64(block, SEEK_FRAME_OFFSET, self.seek_frame);
        write_f64(block, LOOP_START_OFFSET, self.loop_start_frame);
        write_f64(block, LOOP_END_OFFSET, self.loop_end_frame);
        write_i32(block, LOUDNESS_RESET_OFFSET, self.loudness_reset_serial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let request = TransportRequest {
            playing: true,
            seek_serial: 7,
            seek_frame: 1.0e9 + 3.0,
            loop_enabled: true,
            loop_start_frame: 480.0,
            loop_end_frame: 96_000.0,
            loudness_reset_serial: 3,
        };
        let mut block = vec![0; BYTES];
        request.encode(&mut block);
        assert_eq!(TransportRequest::decode(&block), request);
    }
}
