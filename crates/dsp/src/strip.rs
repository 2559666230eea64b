//! A channel strip: fader, mute/solo and pan (mono sources) or balance (stereo sources).
//!
//! Signal flow: input → fader gain × audibility (mute/solo) → pan law → output.
//! Fader gain and audibility are smoothed in the linear domain, the pan position before the pan
//! law, each over the ramp time its parameter declares in the protocol table. Laws: see [`crate::pan`].

use mixroom_protocol::params::ParamId;
use mixroom_protocol::units::db_to_lin;

use crate::pan::{balance_gains, mono_pan_gains};
use crate::{LinearSmoother, Processor, StereoBlock};

/// Fader, mute/solo and pan of one strip.
#[derive(Clone, Debug)]
pub struct Strip {
    fader_lin: LinearSmoother,
    audible_lin: LinearSmoother,
    pan: LinearSmoother,
    mono_input: bool,
}

impl Default for Strip {
    fn default() -> Self {
        Strip::new()
    }
}

impl Strip {
    /// A strip at unity gain, centred, audible, with a stereo input.
    pub fn new() -> Strip {
        Strip {
            fader_lin: LinearSmoother::new(1.0),
            audible_lin: LinearSmoother::new(1.0),
            pan: LinearSmoother::new(0.0),
            mono_input: false,
        }
    }

    /// Sets the fader, dB (at or below `SILENCE_DB` it is silence).
    pub fn set_gain_db(&mut self, gain_db: f32) {
        self.fader_lin.set_target(db_to_lin(gain_db));
    }

    /// Sets the pan position, −1 (left) … +1 (right).
    pub fn set_pan(&mut self, pan: f32) {
        self.pan.set_target(pan.clamp(-1.0, 1.0));
    }

    /// Sets whether the strip is heard (false while muted, or while another track is soloed).
    pub fn set_audible(&mut self, audible: bool) {
        self.audible_lin.set_target(if audible { 1.0 } else { 0.0 });
    }

    /// Sets whether the input is mono (read from the left channel, panned with the constant-power
    /// law) or stereo (balance).
    pub fn set_mono_input(&mut self, mono_input: bool) {
        self.mono_input = mono_input;
    }

    fn pan_gains(&self, pan: f32) -> [f32; 2] {
        if self.mono_input {
            mono_pan_gains(pan)
        } else {
            balance_gains(pan)
        }
    }
}

impl Processor for Strip {
    fn prepare(&mut self, sample_rate_hz: f32, _max_frames: usize) {
        self.fader_lin
            .set_ramp(sample_rate_hz, ParamId::GainDb.spec().smoothing_ms);
        self.audible_lin
            .set_ramp(sample_rate_hz, ParamId::Mute.spec().smoothing_ms);
        self.pan
            .set_ramp(sample_rate_hz, ParamId::Pan.spec().smoothing_ms);
    }

    fn reset(&mut self) {
        self.fader_lin.snap();
        self.audible_lin.snap();
        self.pan.snap();
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        let settled =
            self.fader_lin.is_settled() && self.audible_lin.is_settled() && self.pan.is_settled();
        let (left, right) = (&mut *io.left, &mut *io.right);
        if settled {
            // Constant gains: the per-sample path below computes the same products.
            let gain = self.fader_lin.value() * self.audible_lin.value();
            let [pan_l, pan_r] = self.pan_gains(self.pan.value());
            let (gain_l, gain_r) = (gain * pan_l, gain * pan_r);
            if self.mono_input {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    let x = *l;
                    *l = x * gain_l;
                    *r = x * gain_r;
                }
            } else {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    *l *= gain_l;
                    *r *= gain_r;
                }
            }
            return;
        }
        let mut pan_lr = self.pan_gains(self.pan.value());
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let gain = self.fader_lin.next_value() * self.audible_lin.next_value();
            if !self.pan.is_settled() {
                let pan = self.pan.next_value();
                pan_lr = self.pan_gains(pan);
            }
            let (gain_l, gain_r) = (gain * pan_lr[0], gain * pan_lr[1]);
            let (x_l, x_r) = if self.mono_input { (*l, *l) } else { (*l, *r) };
            *l = x_l * gain_l;
            *r = x_r * gain_r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(strip: &mut Strip, input: (f32, f32), frames: usize) -> (Vec<f32>, Vec<f32>) {
        let mut l = vec![input.0; frames];
        let mut r = vec![input.1; frames];
        strip.process(&mut StereoBlock::new(&mut l, &mut r));
        (l, r)
    }

    fn prepared() -> Strip {
        let mut strip = Strip::new();
        strip.prepare(48_000.0, 512);
        strip
    }

    #[test]
    fn mono_centre_is_minus_3_db_each_side_and_gain_applies() {
        let mut strip = prepared();
        strip.set_mono_input(true);
        strip.set_gain_db(-6.0);
        strip.reset();
        let (l, r) = run(&mut strip, (1.0, 0.0), 4);
        let expected = db_to_lin(-6.0) * std::f32::consts::FRAC_1_SQRT_2;
        assert!((l[3] - expected).abs() < 1e-7 && (r[3] - expected).abs() < 1e-7);
    }

    #[test]
    fn stereo_balance_hard_left_silences_right() {
        let mut strip = prepared();
        strip.set_pan(-1.0);
        strip.reset();
        let (l, r) = run(&mut strip, (0.5, 0.5), 4);
        assert_eq!(l, [0.5; 4]);
        assert!(r.iter().all(|x| x.abs() < 1e-7));
    }

    #[test]
    fn mute_ramps_over_ten_ms_without_a_step() {
        let mut strip = prepared();
        strip.reset();
        strip.set_audible(false);
        let (l, _) = run(&mut strip, (1.0, 1.0), 960);
        // 10 ms at 48 kHz = 480 frames from 1 to 0, in equal steps of 1/480.
        let max_step = l
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(max_step <= 1.0 / 480.0 + 1e-6, "{max_step}");
        assert!((l[0] - (1.0 - 1.0 / 480.0)).abs() < 1e-6);
        assert_eq!(l[479], 0.0);
        assert!(l[480..].iter().all(|&x| x == 0.0));
    }
}
