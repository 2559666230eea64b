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
//! bytes 16..      f32   per strip index s, 8 figures at 16 + 32 * s:
//!                       peak L, peak R, mean square L, mean square R (linear, post-fader),
//!                       compressor gain reduction dB, gate gain reduction dB (largest in the
//!                       quantum, >= 0), clip (1 when a sample reached full scale anywhere in
//!                       the strip), reserved
//! then            f32   the master section (see `MasterFigures`), 16 figures
//! ```
//!
//! The writer fills an entry, then stores the new count with `Atomics.store`; the reader keeps
//! only the entries the writer cannot have overwritten while it copied them (see
//! [`sync`](super::sync)). Ballistics (peak hold, decay, RMS windows) are the
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
pub const FIGURES_PER_STRIP: usize = 8;
/// Byte offset of the strip figures inside an entry.
pub const STRIPS_OFFSET: usize = 16;
/// Figures in the master section.
pub const MASTER_FIGURES: usize = 16;
/// Byte offset of the master section inside an entry.
pub const MASTER_OFFSET: usize = STRIPS_OFFSET + MAX_STRIPS * FIGURES_PER_STRIP * 4;
/// Size of one entry in bytes.
pub const ENTRY_BYTES: usize = MASTER_OFFSET + MASTER_FIGURES * 4;
/// Size of the block in bytes.
pub const BYTES: usize = RING_OFFSET + RING_CAPACITY * ENTRY_BYTES;

/// Byte offset in the block of the entry with sequence number `n`.
pub const fn entry_offset(n: u32) -> usize {
    RING_OFFSET + (n as usize % RING_CAPACITY) * ENTRY_BYTES
}

/// Raw meter figures of one strip over one quantum.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StripFigures {
    /// Largest absolute sample, left and right (linear).
    pub peak: [f32; 2],
    /// Mean of the squared samples, left and right (linear).
    pub mean_square: [f32; 2],
    /// Largest gain reduction of the compressor and of the gate, dB (>= 0).
    pub gain_reduction_db: [f32; 2],
    /// Whether a sample reached full scale anywhere in the strip.
    pub clip: bool,
}

/// The master's loudness, true-peak and correlation figures at the end of a quantum.
///
/// Loudness readings are `f32::NEG_INFINITY` while undefined (silence). Correlation is sent as
/// raw sums over the quantum so the UI can integrate it with its own ballistics:
/// r = Σ lr / √(Σ l² · Σ r²).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MasterFigures {
    /// Momentary loudness (400 ms), LUFS.
    pub momentary_lufs: f32,
    /// Short-term loudness (3 s), LUFS.
    pub short_term_lufs: f32,
    /// Integrated loudness since the measurement started, LUFS.
    pub integrated_lufs: f32,
    /// Loudness range (EBU Tech 3342), LU.
    pub loudness_range_lu: f32,
    /// Largest momentary loudness so far, LUFS.
    pub max_momentary_lufs: f32,
    /// Largest short-term loudness so far, LUFS.
    pub max_short_term_lufs: f32,
    /// Largest true peak in the quantum, left and right, linear.
    pub true_peak: [f32; 2],
    /// Σ l·r over the quantum.
    pub sum_lr: f32,
    /// Σ l² over the quantum.
    pub sum_ll: f32,
    /// Σ r² over the quantum.
    pub sum_rr: f32,
    /// Largest limiter gain reduction in the quantum, dB (>= 0).
    pub limiter_gain_reduction_db: f32,
    /// Total latency of the mix (look-ahead), frames.
    pub latency_frames: f32,
}

impl Default for MasterFigures {
    fn default() -> Self {
        MasterFigures {
            momentary_lufs: f32::NEG_INFINITY,
            short_term_lufs: f32::NEG_INFINITY,
            integrated_lufs: f32::NEG_INFINITY,
            loudness_range_lu: 0.0,
            max_momentary_lufs: f32::NEG_INFINITY,
            max_short_term_lufs: f32::NEG_INFINITY,
            true_peak: [0.0; 2],
            sum_lr: 0.0,
            sum_ll: 0.0,
            sum_rr: 0.0,
            limiter_gain_reduction_db: 0.0,
            latency_frames: 0.0,
        }
    }
}

impl MasterFigures {
    fn to_array(self) -> [f32; MASTER_FIGURES] {
        [
            self.momentary_lufs,
            self.short_term_lufs,
            self.integrated_lufs,
            self.loudness_range_lu,
            self.max_momentary_lufs,
            self.max_short_term_lufs,
            self.true_peak[0],
            self.true_peak[1],
            self.sum_lr,
            self.sum_ll,
            self.sum_rr,
            self.limiter_gain_reduction_db,
            self.latency_frames,
            0.0,
            0.0,
            0.0,
        ]
    }

    fn from_array(a: [f32; MASTER_FIGURES]) -> MasterFigures {
        MasterFigures {
            momentary_lufs: a[0],
            short_term_lufs: a[1],
            integrated_lufs: a[2],
            loudness_range_lu: a[3],
            max_momentary_lufs: a[4],
            max_short_term_lufs: a[5],
            true_peak: [a[6], a[7]],
            sum_lr: a[8],
            sum_ll: a[9],
            sum_rr: a[10],
            limiter_gain_reduction_db: a[11],
            latency_frames: a[12],
        }
    }
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
    let values = [
        figures.peak[0],
        figures.peak[1],
        figures.mean_square[0],
        figures.mean_square[1],
        figures.gain_reduction_db[0],
        figures.gain_reduction_db[1],
        if figures.clip { 1.0 } else { 0.0 },
        0.0,
    ];
    for (i, v) in values.into_iter().enumerate() {
        write_f32(entry, at + 4 * i, v);
    }
}

/// Writes the master section.
pub fn write_master(entry: &mut [u8], figures: &MasterFigures) {
    for (i, v) in figures.to_array().into_iter().enumerate() {
        write_f32(entry, MASTER_OFFSET + 4 * i, v);
    }
}

/// Reads the master section.
pub fn read_master(entry: &[u8]) -> MasterFigures {
    MasterFigures::from_array(std::array::from_fn(|i| {
        read_f32(entry, MASTER_OFFSET + 4 * i)
    }))
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
        gain_reduction_db: [read_f32(entry, at + 16), read_f32(entry, at + 20)],
        clip: read_f32(entry, at + 24) != 0.0,
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
            gain_reduction_db: [3.5, 12.0],
            clip: true,
        };
        write_strip(&mut entry, MAX_STRIPS - 1, &figures);
        assert_eq!(read_playhead_frames(&entry), 123_456_789.0);
        assert_eq!(read_frames(&entry), 128);
        assert!(read_playing(&entry));
        assert_eq!(read_strip(&entry, MAX_STRIPS - 1), figures);
        assert_eq!(read_strip(&entry, 0), StripFigures::default());
        let master = MasterFigures {
            momentary_lufs: -14.2,
            integrated_lufs: f32::NEG_INFINITY,
            true_peak: [0.9, 1.1],
            latency_frames: 96.0,
            ..MasterFigures::default()
        };
        write_master(&mut entry, &master);
        assert_eq!(read_master(&entry), master);
        assert_eq!(
            read_strip(&entry, MAX_STRIPS - 1),
            figures,
            "sections do not overlap"
        );
    }
}
