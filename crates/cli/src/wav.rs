//! WAV reading and writing (hound).

use std::path::Path;

/// Reads a WAV file as f32 channels in −1..1, with its sample rate, Hz.
pub fn read(path: &Path) -> Result<(u32, Vec<Vec<f32>>), String> {
    let fail = |e: hound::Error| format!("{}: not a readable WAV file ({e})", path.display());
    let mut reader = hound::WavReader::open(path).map_err(fail)?;
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(fail)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1_i64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|s| s as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(fail)?
        }
    };
    let count = usize::from(spec.channels.max(1));
    let channels = (0..count)
        .map(|c| interleaved.iter().skip(c).step_by(count).copied().collect())
        .collect();
    Ok((spec.sample_rate, channels))
}

/// Writes a stereo 32-bit float WAV file.
pub fn write_stereo_f32(
    path: &Path,
    sample_rate_hz: u32,
    left: &[f32],
    right: &[f32],
) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: sample_rate_hz,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let fail = |e: hound::Error| format!("cannot write {}: {e}", path.display());
    let mut writer = hound::WavWriter::create(path, spec).map_err(fail)?;
    for (l, r) in left.iter().zip(right) {
        writer.write_sample(*l).map_err(fail)?;
        writer.write_sample(*r).map_err(fail)?;
    }
    writer.finalize().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back_exactly() {
        let dir = std::env::temp_dir().join(format!("mixroom-cli-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.wav");
        write_stereo_f32(&path, 44_100, &[0.5, -0.25, 1e-7], &[0.0, 1.0, -1.0]).unwrap();
        let (rate, channels) = read(&path).unwrap();
        assert_eq!(rate, 44_100);
        assert_eq!(channels, [vec![0.5, -0.25, 1e-7], vec![0.0, 1.0, -1.0]]);
        std::fs::write(&path, b"RIFF nonsense").unwrap();
        assert!(read(&path).unwrap_err().contains("not a readable WAV"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
