//! Writing WAV files: 32-bit float, the engine's samples exactly (no dither, no normalization),
//! streamed block by block.
//!
//! A file whose sizes fit RIFF's 32-bit size fields is written byte for byte as hound 3.5
//! writes it (the browser suite compares these files with the page's export): `RIFF`, a
//! 40-byte `WAVE_FORMAT_EXTENSIBLE` `fmt ` chunk (IEEE float subformat), then `data`. A larger
//! one (over 4 GiB of samples: about 3 h 6 min of stereo at 48 kHz) is written as RF64 (EBU
//! Tech 3306): `RF64` and `data` carry the size 0xFFFFFFFF and a `ds64` chunk, the first after
//! `WAVE`, holds the real 64-bit sizes. The number of frames is known before the first sample,
//! so the format is chosen up front.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Largest value of a RIFF chunk size field, bytes: a file whose `RIFF` or `data` size would
/// exceed it is written as RF64.
pub const RIFF_MAX_BYTES: u64 = u32::MAX as u64;

/// Bytes of one sample (32-bit float).
const SAMPLE_BYTES: u64 = 4;

/// `KSDATAFORMAT_SUBTYPE_IEEE_FLOAT`, the subformat GUID of 32-bit float samples.
const SUBTYPE_IEEE_FLOAT: [u8; 16] = [
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// Size of a RIFF file's header before the samples, bytes (`RIFF`, `fmt `, `data` header).
const RIFF_HEADER_BYTES: u64 = 68;

/// Size of an RF64 file's header before the samples, bytes (a `ds64` chunk of 28 bytes more).
pub const RF64_HEADER_BYTES: u64 = 104;

/// A 32-bit float WAV file being written: the header first, then blocks of samples.
pub struct WavWriter {
    out: BufWriter<File>,
    path: PathBuf,
    channels: usize,
    frames_left: u64,
}

impl WavWriter {
    /// Creates `path` for `frames` frames of `channels` channels (1 to 8) at `sample_rate_hz`
    /// (up to 192 kHz):
    /// RIFF when the sizes fit [`RIFF_MAX_BYTES`], RF64 when not.
    pub fn create(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        frames: u64,
    ) -> Result<WavWriter, String> {
        WavWriter::create_with_limit(path, sample_rate_hz, channels, frames, RIFF_MAX_BYTES)
    }

    /// As [`Self::create`], writing RF64 when a RIFF size field would exceed `riff_max_bytes`
    /// (tests pass a small one to write RF64 without writing 4 GiB).
    pub fn create_with_limit(
        path: &Path,
        sample_rate_hz: u32,
        channels: u16,
        frames: u64,
        riff_max_bytes: u64,
    ) -> Result<WavWriter, String> {
        let header = header(sample_rate_hz, channels, frames, riff_max_bytes).ok_or_else(|| {
            format!(
                "cannot write {}: the file would be too large",
                path.display()
            )
        })?;
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        let mut out = BufWriter::new(File::create(path).map_err(fail)?);
        out.write_all(&header).map_err(fail)?;
        Ok(WavWriter {
            out,
            path: path.to_path_buf(),
            channels: usize::from(channels),
            frames_left: frames,
        })
    }

    /// Appends one block: `channels` (as many as the file has, equally long) interleaved.
    pub fn write(&mut self, channels: &[&[f32]]) -> Result<(), String> {
        assert_eq!(channels.len(), self.channels, "one slice per channel");
        let frames = channels[0].len();
        assert!(channels.iter().all(|c| c.len() == frames), "equal lengths");
        assert!(
            frames as u64 <= self.frames_left,
            "no more frames than promised"
        );
        self.frames_left -= frames as u64;
        for frame in 0..frames {
            for channel in channels {
                let bytes = channel[frame].to_le_bytes();
                self.out.write_all(&bytes).map_err(|e| self.failed(&e))?;
            }
        }
        Ok(())
    }

    /// Flushes the file; every promised frame must have been written.
    pub fn finish(mut self) -> Result<(), String> {
        assert_eq!(self.frames_left, 0, "every promised frame written");
        self.out.flush().map_err(|e| self.failed(&e))
    }

    fn failed(&self, e: &std::io::Error) -> String {
        format!("cannot write {}: {e}", self.path.display())
    }
}

/// Writes `channels` (equally long; 1 for mono, 2 for stereo) as a 32-bit float WAV file at
/// `sample_rate_hz`.
pub fn write_f32(path: &Path, sample_rate_hz: u32, channels: &[&[f32]]) -> Result<(), String> {
    let frames = channels.first().map_or(0, |c| c.len()) as u64;
    let count = u16::try_from(channels.len()).unwrap_or(u16::MAX);
    let mut writer = WavWriter::create(path, sample_rate_hz, count, frames)?;
    writer.write(channels)?;
    writer.finish()
}

/// The header of a file of `frames` frames of `channels` channels (1 to 8) at `sample_rate_hz`
/// (up to 192 kHz), everything before the first sample: RIFF when its sizes fit `riff_max_bytes`, else RF64.
/// `None` when not even RF64's 64-bit sizes hold it.
fn header(sample_rate_hz: u32, channels: u16, frames: u64, riff_max_bytes: u64) -> Option<Vec<u8>> {
    assert!((1..=8).contains(&channels), "1 to 8 channels");
    let block_align = SAMPLE_BYTES as u16 * channels;
    let data_bytes = frames.checked_mul(u64::from(block_align))?;
    let riff_bytes = data_bytes.checked_add(RIFF_HEADER_BYTES - 8)?;
    let rf64 = riff_bytes > riff_max_bytes;
    let mut h = Vec::with_capacity(RF64_HEADER_BYTES as usize);
    if rf64 {
        h.extend(b"RF64");
        h.extend(u32::MAX.to_le_bytes());
        h.extend(b"WAVE");
        h.extend(b"ds64");
        h.extend(28_u32.to_le_bytes());
        h.extend((data_bytes.checked_add(RF64_HEADER_BYTES - 8)?).to_le_bytes());
        h.extend(data_bytes.to_le_bytes());
        h.extend(frames.to_le_bytes());
        h.extend(0_u32.to_le_bytes()); // table length: no other chunk over 4 GiB
    } else {
        h.extend(b"RIFF");
        h.extend((riff_bytes as u32).to_le_bytes());
        h.extend(b"WAVE");
    }
    h.extend(b"fmt ");
    h.extend(40_u32.to_le_bytes());
    h.extend(0xfffe_u16.to_le_bytes()); // WAVE_FORMAT_EXTENSIBLE
    h.extend(channels.to_le_bytes());
    h.extend(sample_rate_hz.to_le_bytes());
    h.extend((sample_rate_hz * u32::from(block_align)).to_le_bytes()); // bytes per second
    h.extend(block_align.to_le_bytes());
    h.extend(32_u16.to_le_bytes()); // container bits per sample
    h.extend(22_u16.to_le_bytes()); // cbSize: the extension's bytes
    h.extend(32_u16.to_le_bytes()); // valid bits per sample
    h.extend(((1_u32 << channels) - 1).to_le_bytes()); // channel mask: the first `channels` speakers
    h.extend(SUBTYPE_IEEE_FLOAT);
    h.extend(b"data");
    let data_size = if rf64 { u32::MAX } else { data_bytes as u32 };
    h.extend(data_size.to_le_bytes());
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_file, Keep};

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// What hound 3.5 writes for the same samples (what this module wrote before RF64).
    fn hound_bytes(rate_hz: u32, channels: &[&[f32]]) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: channels.len() as u16,
            sample_rate: rate_hz,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
        for frame in 0..channels[0].len() {
            for channel in channels {
                writer.write_sample(channel[frame]).unwrap();
            }
        }
        writer.finalize().unwrap();
        bytes.into_inner()
    }

    #[test]
    fn writes_what_decodes_back_exactly() {
        let dir = temp_dir("wav");
        let path = dir.join("t.wav");
        write_f32(&path, 44_100, &[&[0.5, -0.25, 1e-7], &[0.0, 1.0, -1.0]]).unwrap();
        let decoded = decode_file(&path, Keep::All).unwrap();
        assert_eq!(decoded.sample_rate_hz, 44_100);
        assert_eq!(
            decoded.channels,
            [vec![0.5, -0.25, 1e-7], vec![0.0, 1.0, -1.0]]
        );
        write_f32(&path, 8_000, &[&[0.125, 3.0]]).unwrap();
        assert_eq!(
            decode_file(&path, Keep::All).unwrap().channels,
            [vec![0.125, 3.0]]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_that_fit_riff_are_what_hound_writes_byte_for_byte() {
        // Reference: hound 3.5's own output, mono and stereo, empty and not, written in one
        // block and in several.
        let dir = temp_dir("hound");
        let path = dir.join("t.wav");
        let ramp: Vec<f32> = (0..1_000).map(|n| n as f32 / 999.0 - 0.5).collect();
        let other: Vec<f32> = ramp.iter().map(|x| -x * 0.25).collect();
        for (rate, channels) in [
            (48_000, vec![&ramp[..], &other[..]]),
            (44_100, vec![&ramp[..]]),
            (192_000, vec![&ramp[..0], &other[..0]]),
        ] {
            write_f32(&path, rate, &channels).unwrap();
            assert!(std::fs::read(&path).unwrap() == hound_bytes(rate, &channels));
            let frames = channels[0].len();
            let mut writer =
                WavWriter::create(&path, rate, channels.len() as u16, frames as u64).unwrap();
            for start in (0..frames).step_by(128) {
                let end = (start + 128).min(frames);
                let block: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
                writer.write(&block).unwrap();
            }
            writer.finish().unwrap();
            assert!(std::fs::read(&path).unwrap() == hound_bytes(rate, &channels));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn files_too_large_for_riff_are_rf64_as_ebu_tech_3306_lays_it_out() {
        // Reference: EBU Tech 3306-2007, section 3.4 and Annex A.2: "RF64" with size -1, "WAVE",
        // the ds64 chunk first (riffSize, dataSize, sampleCount as 64-bit little-endian, then
        // the table length), the format chunk, "data" with size -1. symphonia does not read RF64,
        // so every field is read here by hand.
        let dir = temp_dir("rf64");
        let path = dir.join("big.wav");
        let left = [0.5_f32, -0.25, 1e-7];
        let right = [0.0_f32, 1.0, -1.0];
        let data_bytes = 3 * 2 * 4;
        // The RIFF size would be 60 + 24 = 84 bytes: a limit of 83 makes it RF64, 84 does not.
        let write = |limit: u64| {
            let mut writer = WavWriter::create_with_limit(&path, 48_000, 2, 3, limit).unwrap();
            writer.write(&[&left[..2], &right[..2]]).unwrap();
            writer.write(&[&left[2..], &right[2..]]).unwrap();
            writer.finish().unwrap();
            std::fs::read(&path).unwrap()
        };
        assert!(write(84) == hound_bytes(48_000, &[&left, &right]));
        let b = write(83);
        assert_eq!(b.len() as u64, RF64_HEADER_BYTES + data_bytes);
        assert_eq!(&b[0..4], b"RF64");
        assert_eq!(u32_at(&b, 4), 0xffff_ffff, "RF64 size: -1");
        assert_eq!(&b[8..12], b"WAVE");
        assert_eq!(&b[12..16], b"ds64");
        assert_eq!(u32_at(&b, 16), 28, "ds64 size without a table");
        assert_eq!(
            u64_at(&b, 20),
            b.len() as u64 - 8,
            "riffSize: the file less 8 bytes"
        );
        assert_eq!(u64_at(&b, 28), data_bytes, "dataSize");
        assert_eq!(u64_at(&b, 36), 3, "sampleCount: frames");
        assert_eq!(u32_at(&b, 44), 0, "tableLength");
        assert_eq!(&b[48..52], b"fmt ");
        assert_eq!(u32_at(&b, 52), 40);
        assert_eq!(u16_at(&b, 56), 0xfffe, "WAVE_FORMAT_EXTENSIBLE");
        assert_eq!(u16_at(&b, 58), 2, "channels");
        assert_eq!(u32_at(&b, 60), 48_000, "sample rate");
        assert_eq!(u32_at(&b, 64), 48_000 * 8, "bytes per second");
        assert_eq!(u16_at(&b, 68), 8, "block align");
        assert_eq!(u16_at(&b, 70), 32, "bits per sample");
        assert_eq!(u16_at(&b, 72), 22, "cbSize");
        assert_eq!(u16_at(&b, 74), 32, "valid bits");
        assert_eq!(u32_at(&b, 76), 0b11, "front left and right");
        assert_eq!(b[80..96], SUBTYPE_IEEE_FLOAT);
        assert_eq!(&b[96..100], b"data");
        assert_eq!(u32_at(&b, 100), 0xffff_ffff, "data size: -1");
        let samples: Vec<f32> = b[104..]
            .chunks_exact(4)
            .map(|s| f32::from_le_bytes(s.try_into().unwrap()))
            .collect();
        assert_eq!(samples, [0.5, 0.0, -0.25, 1.0, 1e-7, -1.0]);
        // The real limit: the largest RIFF holds 4 GiB less the 60 header bytes it counts.
        let fits = (RIFF_MAX_BYTES - 60) / 8;
        assert_eq!(
            &header(48_000, 2, fits, RIFF_MAX_BYTES).unwrap()[..4],
            b"RIFF"
        );
        assert_eq!(
            &header(48_000, 2, fits + 1, RIFF_MAX_BYTES).unwrap()[..4],
            b"RF64"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
