//! What happens to a file's channels on the way to a track, in the page's import and in the CLI
//! alike: mono and stereo pass as they are; surround files are folded down to stereo with the ITU-R BS.775-3 downmix (Table 2, 3/2 to
//! 2/0):
//!
//! ```text
//! Lo = L + 0.7071 C + 0.7071 Ls        Ro = R + 0.7071 C + 0.7071 Rs        (LFE dropped)
//! ```
//!
//! Channel order is the browser's (`decodeAudioData` keeps the WAVE / Web Audio order):
//!
//! | channels | layout | notes |
//! |---|---|---|
//! | 3 | L R C | |
//! | 4 | L R Ls Rs | quadraphonic, as Web Audio reads four channels |
//! | 5 | L R C Ls Rs | |
//! | 6 | L R C LFE Ls Rs | 5.1 |
//! | 7 | L R C LFE Cs Ls Rs | 6.1: the back centre feeds both sides at −6 dB (−3 dB into each surround, −3 dB from there) |
//! | 8 | L R C LFE Lb Rb Ls Rs | 7.1: back and side surrounds each at −3 dB |
//!
//! The downmix is not normalized (as the recommendation has it): a loud surround file may sum
//! past full scale (the page's import reports the peak).

use std::f32::consts::FRAC_1_SQRT_2;

/// Gain of the centre and of each surround channel in the downmix, linear (−3.01 dB).
pub const SURROUND_GAIN: f32 = FRAC_1_SQRT_2;

/// Most channels a file may have (7.1).
pub const MAX_FILE_CHANNELS: usize = 8;

/// How a file's channels become a track's.
#[derive(Clone, Debug, PartialEq)]
pub enum ChannelPlan {
    /// One channel, played as a mono track.
    Mono,
    /// Two channels, as they are.
    Stereo,
    /// Several channels folded down to stereo: per input channel, its gains into left and
    /// right (linear).
    Downmix(Vec<[f32; 2]>),
}

impl ChannelPlan {
    /// The plan for a file of `channels` channels, or `None` when there are none or more than
    /// [`MAX_FILE_CHANNELS`].
    pub fn for_channels(channels: usize) -> Option<ChannelPlan> {
        let g = SURROUND_GAIN;
        let (l, r, c, lfe) = ([1.0, 0.0], [0.0, 1.0], [g, g], [0.0, 0.0]);
        let (ls, rs) = ([g, 0.0], [0.0, g]);
        Some(match channels {
            1 => ChannelPlan::Mono,
            2 => ChannelPlan::Stereo,
            3 => ChannelPlan::Downmix(vec![l, r, c]),
            4 => ChannelPlan::Downmix(vec![l, r, ls, rs]),
            5 => ChannelPlan::Downmix(vec![l, r, c, ls, rs]),
            6 => ChannelPlan::Downmix(vec![l, r, c, lfe, ls, rs]),
            7 => ChannelPlan::Downmix(vec![l, r, c, lfe, [0.5, 0.5], ls, rs]),
            8 => ChannelPlan::Downmix(vec![l, r, c, lfe, ls, rs, ls, rs]),
            _ => return None,
        })
    }

    /// Channels of the track: 1 or 2.
    pub fn track_channels(&self) -> usize {
        match self {
            ChannelPlan::Mono => 1,
            ChannelPlan::Stereo | ChannelPlan::Downmix(_) => 2,
        }
    }

    /// Whether channels are folded down.
    pub fn is_downmix(&self) -> bool {
        matches!(self, ChannelPlan::Downmix(_))
    }

    /// Downmix: mixes the first `frames` frames of every input channel into `left` and `right`
    /// (which must hold `frames`). Does nothing for mono and stereo plans.
    pub fn mix(&self, inputs: &[Vec<f32>], frames: usize, left: &mut [f32], right: &mut [f32]) {
        let ChannelPlan::Downmix(gains) = self else {
            return;
        };
        let (left, right) = (&mut left[..frames], &mut right[..frames]);
        left.fill(0.0);
        right.fill(0.0);
        for (input, &[to_left, to_right]) in inputs.iter().zip(gains) {
            let input = &input[..frames];
            for (out, gain) in [(&mut *left, to_left), (&mut *right, to_right)] {
                if gain != 0.0 {
                    for (y, &x) in out.iter_mut().zip(input) {
                        *y += gain * x;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::units::lin_to_db;

    /// Downmixes one frame where only channel `hot` carries 1.0.
    fn impulse_response(channels: usize, hot: usize) -> [f32; 2] {
        let plan = ChannelPlan::for_channels(channels).unwrap();
        let inputs: Vec<Vec<f32>> = (0..channels)
            .map(|c| vec![if c == hot { 1.0 } else { 0.0 }])
            .collect();
        let (mut l, mut r) = ([9.0], [9.0]);
        plan.mix(&inputs, 1, &mut l, &mut r);
        [l[0], r[0]]
    }

    #[test]
    fn bs775_coefficients_for_5_1() {
        let g = SURROUND_GAIN;
        assert_eq!(impulse_response(6, 0), [1.0, 0.0], "L");
        assert_eq!(impulse_response(6, 1), [0.0, 1.0], "R");
        assert_eq!(impulse_response(6, 2), [g, g], "C at −3 dB on both");
        assert_eq!(impulse_response(6, 3), [0.0, 0.0], "LFE dropped");
        assert_eq!(impulse_response(6, 4), [g, 0.0], "Ls at −3 dB on L");
        assert_eq!(impulse_response(6, 5), [0.0, g], "Rs at −3 dB on R");
        assert!((lin_to_db(g) - -3.0103).abs() < 1e-3);
    }

    #[test]
    fn every_layout_keeps_sides_apart() {
        for channels in 3..=MAX_FILE_CHANNELS {
            let plan = ChannelPlan::for_channels(channels).unwrap();
            assert!(plan.is_downmix() && plan.track_channels() == 2);
            assert_eq!(impulse_response(channels, 0), [1.0, 0.0]);
            assert_eq!(impulse_response(channels, 1), [0.0, 1.0]);
            if channels == 3 {
                continue;
            }
            let left_only = channels - 2; // from 4 channels on, the last two are the surrounds
            assert_eq!(impulse_response(channels, left_only), [SURROUND_GAIN, 0.0]);
            assert_eq!(
                impulse_response(channels, left_only + 1),
                [0.0, SURROUND_GAIN]
            );
        }
        assert_eq!(
            impulse_response(7, 4),
            [0.5, 0.5],
            "6.1 back centre at −6 dB"
        );
        assert_eq!(
            impulse_response(8, 4),
            [SURROUND_GAIN, 0.0],
            "7.1 back left"
        );
        assert_eq!(impulse_response(3, 2), [SURROUND_GAIN; 2], "centre");
        assert_eq!(ChannelPlan::for_channels(0), None);
        assert_eq!(ChannelPlan::for_channels(9), None);
        assert_eq!(ChannelPlan::for_channels(1).unwrap().track_channels(), 1);
        assert!(!ChannelPlan::for_channels(2).unwrap().is_downmix());
    }

    #[test]
    fn mixing_sums_every_channel() {
        let plan = ChannelPlan::for_channels(6).unwrap();
        let inputs = vec![
            vec![0.1, 0.2],
            vec![0.3, 0.4],
            vec![0.5, 0.6],
            vec![9.0, 9.0],
            vec![0.7, 0.8],
            vec![0.0, -1.0],
        ];
        let (mut l, mut r) = ([0.0; 2], [0.0; 2]);
        plan.mix(&inputs, 2, &mut l, &mut r);
        let g = SURROUND_GAIN;
        for (i, (&got_l, &got_r)) in l.iter().zip(&r).enumerate() {
            let want_l = inputs[0][i] + g * inputs[2][i] + g * inputs[4][i];
            let want_r = inputs[1][i] + g * inputs[2][i] + g * inputs[5][i];
            assert!((got_l - want_l).abs() < 1e-6 && (got_r - want_r).abs() < 1e-6);
        }
    }
}
