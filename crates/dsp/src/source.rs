//! A track's audio: one (mono) or two (stereo) channels of decoded samples at the engine rate.

use std::fmt;

/// Decoded audio owned by the engine. Samples that are not finite are replaced by 0 on load, so
/// nothing downstream ever sees NaN or Inf from a source.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    channels: Vec<Vec<f32>>,
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

impl Source {
    /// A source from one or two equally long channels. May allocate: not for the audio thread.
    pub fn new(mut channels: Vec<Vec<f32>>) -> Result<Source, SourceError> {
        match channels.len() {
            0 => return Err(SourceError::NoChannels),
            1 | 2 => {}
            n => return Err(SourceError::TooManyChannels(n)),
        }
        if channels.iter().any(|c| c.len() != channels[0].len()) {
            return Err(SourceError::LengthMismatch);
        }
        for x in channels.iter_mut().flatten() {
            if !x.is_finite() {
                *x = 0.0;
            }
        }
        Ok(Source { channels })
    }

    /// Length in frames.
    pub fn frames(&self) -> usize {
        self.channels[0].len()
    }

    /// Whether the source has one channel.
    pub fn is_mono(&self) -> bool {
        self.channels.len() == 1
    }

    /// Copies frames `start_frame..start_frame + left.len()` into `left` (and `right` when
    /// stereo; a mono source writes only `left`); frames past the end are zeros.
    pub fn read_into(&self, start_frame: u64, left: &mut [f32], right: &mut [f32]) {
        let start = usize::try_from(start_frame).map_or(self.frames(), |s| s.min(self.frames()));
        let available = (self.frames() - start).min(left.len());
        for (ch, out) in [left, right]
            .into_iter()
            .enumerate()
            .take(self.channels.len())
        {
            out[..available].copy_from_slice(&self.channels[ch][start..start + available]);
            out[available..].fill(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_shape_and_cleans_samples() {
        assert_eq!(Source::new(vec![]), Err(SourceError::NoChannels));
        assert_eq!(
            Source::new(vec![vec![0.0]; 3]),
            Err(SourceError::TooManyChannels(3))
        );
        assert_eq!(
            Source::new(vec![vec![0.0; 2], vec![0.0]]),
            Err(SourceError::LengthMismatch)
        );
        let s = Source::new(vec![vec![1.0, f32::NAN, f32::INFINITY, 4.0]]).unwrap();
        let (mut l, mut r) = ([9.0; 3], [9.0; 3]);
        s.read_into(1, &mut l, &mut r);
        assert_eq!(l, [0.0, 0.0, 4.0]);
        assert_eq!(r, [9.0; 3], "mono sources leave the right channel alone");
        s.read_into(3, &mut l, &mut r);
        assert_eq!(l, [4.0, 0.0, 0.0]);
        s.read_into(u64::MAX, &mut l, &mut r);
        assert_eq!(l, [0.0; 3]);
    }
}
