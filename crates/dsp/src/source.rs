//! A track's audio: one (mono) or two (stereo) channels of decoded samples at the engine rate.
//!
//! Two storages, chosen when the source is made and invisible afterwards ([`Source::read_into`]
//! always yields f32):
//!
//! - **f32**, bit-exact: what short sources use, so offline renders match the native renderer
//!   sample for sample.
//! - **Compact, 16-bit integers** ([`Source::new_compact`], [`Source::from_i16`]): half the
//!   memory. A stereo track of ten minutes at 48 kHz takes 115 MB instead of 230 MB, which is what
//!   lets sixteen of them fit in the worklet's 32-bit wasm memory (4 GiB at most, and the tab's
//!   budget well before that). Sample `i` stands for `i / 32768` (so −1 is exact and the largest
//!   positive value is 32767/32768, −0.0003 dBFS). Quantizing rounds to the nearest step without
//!   dither: the error is at most half a step, 2⁻¹⁶ (−96.3 dBFS): anything quieter than that
//!   becomes exact silence, and the quantization noise of a busy signal sits at −101 dBFS RMS.
//!   Samples beyond full scale are clamped. Decoded 16-bit files (most WAV, CD audio) lose
//!   nothing at all when played at their own rate.
//!
//! [`Source::for_rate`] applies the policy: sources longer than [`Source::COMPACT_ABOVE_S`] are
//! stored compactly, shorter ones as f32.

use std::fmt;

/// Decoded audio owned by the engine. Samples that are not finite are replaced by 0 on load, so
/// nothing downstream ever sees NaN or Inf from a source.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    samples: Samples,
}

/// The channels, in one of the two storages.
#[derive(Clone, Debug, PartialEq)]
enum Samples {
    F32(Vec<Vec<f32>>),
    I16(Vec<Vec<i16>>),
}

/// Why samples could not become a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// No channels at all.
    NoChannels,
    /// More than two channels.
    TooManyChannels(usize),
    /// Channels of different lengths.
    LengthMismatch,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NoChannels => write!(f, "the audio has no channels"),
            SourceError::TooManyChannels(n) => {
                write!(f, "the audio has {n} channels; tracks take mono or stereo")
            }
            SourceError::LengthMismatch => write!(f, "the audio's channels differ in length"),
        }
    }
}

impl std::error::Error for SourceError {}

/// Checks that `channels` is one or two equally long channels.
fn check_shape<T>(channels: &[Vec<T>]) -> Result<(), SourceError> {
    match channels.len() {
        0 => return Err(SourceError::NoChannels),
        1 | 2 => {}
        n => return Err(SourceError::TooManyChannels(n)),
    }
    if channels.iter().any(|c| c.len() != channels[0].len()) {
        return Err(SourceError::LengthMismatch);
    }
    Ok(())
}

impl Source {
    /// Sources longer than this are stored compactly by [`Source::for_rate`], seconds.
    pub const COMPACT_ABOVE_S: f64 = 60.0;

    /// The value of one step of compact storage (linear): compact sample `i` reads as
    /// `i as f32 * I16_STEP`. A power of two, so the conversion is exact.
    pub const I16_STEP: f32 = 1.0 / 32_768.0;

    /// A source from one or two equally long channels, stored as f32 (bit-exact). May allocate:
    /// not for the audio thread.
    pub fn new(mut channels: Vec<Vec<f32>>) -> Result<Source, SourceError> {
        check_shape(&channels)?;
        for x in channels.iter_mut().flatten() {
            if !x.is_finite() {
                *x = 0.0;
            }
        }
        Ok(Source {
            samples: Samples::F32(channels),
        })
    }

    /// A source from one or two equally long channels, stored compactly as 16-bit integers
    /// ([`Source::quantize`] of every sample; the f32 channels are freed). Allocates: not for the
    /// audio thread.
    pub fn new_compact(channels: Vec<Vec<f32>>) -> Result<Source, SourceError> {
        check_shape(&channels)?;
        let compact = channels
            .into_iter()
            .map(|c| c.into_iter().map(Source::quantize).collect())
            .collect();
        Ok(Source {
            samples: Samples::I16(compact),
        })
    }

    /// A source from channels already in compact form (sample `i` reads as `i * I16_STEP`),
    /// taken as they are: no copy.
    pub fn from_i16(channels: Vec<Vec<i16>>) -> Result<Source, SourceError> {
        check_shape(&channels)?;
        Ok(Source {
            samples: Samples::I16(channels),
        })
    }

    /// A source stored the way the engine keeps audio at `sample_rate_hz`: compactly when it is
    /// longer than [`Source::COMPACT_ABOVE_S`] (`frames > compact_above_frames`), as f32
    /// otherwise. Allocates: not for the audio thread.
    pub fn for_rate(channels: Vec<Vec<f32>>, sample_rate_hz: f32) -> Result<Source, SourceError> {
        let frames = channels.first().map_or(0, Vec::len);
        if frames > Source::compact_above_frames(sample_rate_hz) {
            Source::new_compact(channels)
        } else {
            Source::new(channels)
        }
    }

    /// The longest source, in frames at `sample_rate_hz`, that [`Source::for_rate`] keeps as f32.
    pub fn compact_above_frames(sample_rate_hz: f32) -> usize {
        (Source::COMPACT_ABOVE_S * f64::from(sample_rate_hz)) as usize
    }

    /// A sample in compact form: `x` rounded to the nearest multiple of [`Source::I16_STEP`],
    /// clamped to −1..32767/32768; NaN and ±Inf become 0 (as in f32 sources).
    pub fn quantize(x: f32) -> i16 {
        if x.is_finite() {
            (x * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16
        } else {
            0
        }
    }

    /// Length in frames.
    pub fn frames(&self) -> usize {
        match &self.samples {
            Samples::F32(c) => c[0].len(),
            Samples::I16(c) => c[0].len(),
        }
    }

    /// Whether the source has one channel.
    pub fn is_mono(&self) -> bool {
        self.channels() == 1
    }

    /// Number of channels (1 or 2).
    pub fn channels(&self) -> usize {
        match &self.samples {
            Samples::F32(c) => c.len(),
            Samples::I16(c) => c.len(),
        }
    }

    /// Whether the samples are stored as 16-bit integers.
    pub fn is_compact(&self) -> bool {
        matches!(self.samples, Samples::I16(_))
    }

    /// Memory the samples take, bytes.
    pub fn bytes(&self) -> usize {
        let per_sample = if self.is_compact() { 2 } else { 4 };
        self.channels() * self.frames() * per_sample
    }

    /// Copies frames `start_frame..start_frame + left.len()` into `left` (and `right` when
    /// stereo; a mono source writes only `left`); frames past the end are zeros. Compact samples
    /// are converted on the way. Never allocates.
    pub fn read_into(&self, start_frame: u64, left: &mut [f32], right: &mut [f32]) {
        let frames = self.frames();
        let start = usize::try_from(start_frame).map_or(frames, |s| s.min(frames));
        let available = (frames - start).min(left.len());
        let outputs = [left, right];
        match &self.samples {
            Samples::F32(channels) => {
                for (channel, out) in channels.iter().zip(outputs) {
                    out[..available].copy_from_slice(&channel[start..start + available]);
                    out[available..].fill(0.0);
                }
            }
            Samples::I16(channels) => {
                for (channel, out) in channels.iter().zip(outputs) {
                    let (head, tail) = out.split_at_mut(available);
                    for (y, &i) in head.iter_mut().zip(&channel[start..start + available]) {
                        *y = f32::from(i) * Source::I16_STEP;
                    }
                    tail.fill(0.0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
