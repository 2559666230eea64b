//! The 10 ms crossfades between a dry and a processed signal, for click-free bypass and
//! switching: [`Crossfade`], linear in the processed share (filters, EQ, dynamics), and
//! [`BypassFade`], S-shaped in the dry share (the feedback effects, whose input fades with their
//! output).

use mixroom_protocol::params::SWITCH_FADE_MS;

use crate::LinearSmoother;

/// Crossfade time, ms: the protocol's switch fade.
pub const CROSSFADE_MS: f32 = SWITCH_FADE_MS;

/// The wet amount of a section: 1 = processed, 0 = dry, ramping linearly per sample.
#[derive(Clone, Debug)]
pub struct Crossfade {
    wet: LinearSmoother,
}

impl Default for Crossfade {
    fn default() -> Self {
        Crossfade::new(true)
    }
}

impl Crossfade {
    /// A crossfade resting fully processed (`active`) or fully dry.
    pub fn new(active: bool) -> Crossfade {
        Crossfade {
            wet: LinearSmoother::new(if active { 1.0 } else { 0.0 }),
        }
    }

    /// Sets the sample rate, Hz.
    pub fn prepare(&mut self, sample_rate_hz: f32) {
        self.wet.set_ramp(sample_rate_hz, CROSSFADE_MS);
    }

    /// Starts fading towards processed (`true`) or dry (`false`).
    pub fn set_active(&mut self, active: bool) {
        self.wet.set_target(if active { 1.0 } else { 0.0 });
    }

    /// Jumps to the target.
    pub fn snap(&mut self) {
        self.wet.snap();
    }

    /// Whether the output is entirely dry and stays so.
    pub fn is_dry(&self) -> bool {
        self.wet.is_settled() && self.wet.value() == 0.0
    }

    /// Whether the output is entirely processed and stays so.
    pub fn is_wet(&self) -> bool {
        self.wet.is_settled() && self.wet.value() == 1.0
    }

    /// Whether the fade has ended.
    pub fn is_settled(&self) -> bool {
        self.wet.is_settled()
    }

    /// The processed share of the last frame, 0 (dry) .. 1 (processed).
    pub fn value(&self) -> f32 {
        self.wet.value()
    }

    /// Advances one frame and returns its processed share, 0 (dry) .. 1 (processed).
    #[inline]
    pub fn next_value(&mut self) -> f32 {
        self.wet.next_value()
    }

    /// Frames until the current fade ends (0 when settled).
    pub fn remaining_frames(&self) -> usize {
        self.wet.remaining_frames() as usize
    }

    /// Mixes per frame: `wet[i] = dry[i] + (wet[i] − dry[i]) · w`, advancing the fade.
    pub fn mix(&mut self, dry: [&[f32]; 2], wet: [&mut [f32]; 2]) {
        let [dry_l, dry_r] = dry;
        let [wet_l, wet_r] = wet;
        for i in 0..wet_l.len() {
            let w = self.wet.next_value();
            wet_l[i] = dry_l[i] + (wet_l[i] - dry_l[i]) * w;
            wet_r[i] = dry_r[i] + (wet_r[i] - dry_r[i]) * w;
        }
    }
}

/// `3t² − 2t³`: shapes a linear 0..1 ramp into a crossfade without corners (0 and 1 exact).
#[inline(always)]
pub(crate) fn smoothstep(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// The bypass of a feedback effect: the dry share, 0 (processed) to 1 (bypassed), ramping
/// linearly over [`CROSSFADE_MS`] and read through [`smoothstep`].
#[derive(Clone, Debug)]
pub(crate) struct BypassFade {
    dry: LinearSmoother,
}

impl BypassFade {
    /// Not bypassed.
    pub fn new() -> BypassFade {
        BypassFade {
            dry: LinearSmoother::new(0.0),
        }
    }

    /// Sets the sample rate, Hz.
    pub fn prepare(&mut self, sample_rate_hz: f32) {
        self.dry.set_ramp(sample_rate_hz, CROSSFADE_MS);
    }

    /// Starts fading towards the dry input (`true`) or the effect.
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.dry.set_target(if bypassed { 1.0 } else { 0.0 });
    }

    /// Jumps to the target.
    pub fn snap(&mut self) {
        self.dry.snap();
    }

    /// Whether the fade has ended.
    pub fn is_settled(&self) -> bool {
        self.dry.is_settled()
    }

    /// Whether the output is the dry input and stays so.
    pub fn is_bypassed(&self) -> bool {
        self.dry.is_settled() && self.dry.value() == 1.0
    }

    /// Advances one frame and returns its dry share, S-shaped: 0 (processed) to 1 (dry).
    #[inline]
    pub fn next_dry(&mut self) -> f32 {
        smoothstep(self.dry.next_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fades_linearly_over_ten_ms() {
        let mut fade = Crossfade::new(true);
        fade.prepare(1_000.0); // 10 frames
        fade.set_active(false);
        assert_eq!(fade.remaining_frames(), 10);
        let (dry, mut wet_l, mut wet_r) = ([0.0; 12], [1.0; 12], [1.0; 12]);
        fade.mix([&dry, &dry], [&mut wet_l, &mut wet_r]);
        assert!((wet_l[0] - 0.9).abs() < 1e-6 && (wet_l[4] - 0.5).abs() < 1e-6);
        assert_eq!(&wet_l[9..], &[0.0; 3]);
        assert!(fade.is_dry() && !fade.is_wet());
    }
}
