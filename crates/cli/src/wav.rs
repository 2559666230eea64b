//! Writing WAV files (hound): 32-bit float, the engine's samples exactly (no dither, no
//! normalization).

use std::path::Path;

/// Writes `channels` (equally long; 1 for mono, 2 for stereo) as a 32-bit float WAV file at
/// `sample_rate_hz`.
pub fn write_f32(path: &Path, sample_rate_hz: u32, channels: &[&[f32]]) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: sample_rate_hz,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let fail = |e: hound::Error| format!("cannot write {}: {e}", path.display());
    let mut writer = hound::WavWriter::create(path, spec).map_err(fail)?;
    let frames = channels.first().map_or(0, |c| c.len());
    for frame in 0..frames {
        for channel in channels {
            writer.write_sample(channel[frame]).map_err(fail)?;
        }
    }
    writer.finalize().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_file;

    #[test]
    fn writes_what_decodes_back_exactly() {
        let dir = std::env::temp_dir().join(format!("mixroom-cli-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.wav");
        write_f32(&path, 44_100, &[&[0.5, -0.25, 1e-7], &[0.0, 1.0, -1.0]]).unwrap();
        let decoded = decode_file(&path).unwrap();
        assert_eq!(decoded.sample_rate_hz, 44_100);
        assert_eq!(
            decoded.channels,
            [vec![0.5, -0.25, 1e-7], vec![0.0, 1.0, -1.0]]
        );
        write_f32(&path, 8_000, &[&[0.125, 3.0]]).unwrap();
        assert_eq!(decode_file(&path).unwrap().channels, [vec![0.125, 3.0]]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
