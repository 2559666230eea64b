//! Linear parameter smoothing, per sample, so that output never depends on block size.
//!
//! A new target starts a straight ramp from the current value that lands exactly on the target
//! after the ramp time (as nih-plug's linear smoother does). Each value is computed from the
//! target and the frames left, so rounding does not accumulate along the ramp. Gains are smoothed in the linear
//! domain by their owners.

/// Linear ramp towards a target over a fixed time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearSmoother {
    current: f32,
    target: f32,
    step: f32,
    remaining_frames: u32,
    ramp_frames: u32,
}

impl LinearSmoother {
    /// A smoother resting at `value`, with no ramp time (call [`Self::set_ramp`]).
    pub const fn new(value: f32) -> LinearSmoother {
        LinearSmoother {
            current: value,
            target: value,
            step: 0.0,
            remaining_frames: 0,
            ramp_frames: 0,
        }
    }

    /// Sets the ramp time from the sample rate, Hz, and the time, ms.
    pub fn set_ramp(&mut self, sample_rate_hz: f32, ramp_ms: f32) {
        self.ramp_frames = (sample_rate_hz * ramp_ms / 1000.0).round().max(0.0) as u32;
    }

    /// Starts a ramp to `target` (a no-op when it is the current target).
    pub fn set_target(&mut self, target: f32) {
        if target == self.target {
            return;
        }
        self.target = target;
        if self.ramp_frames == 0 {
            self.snap();
        } else {
            self.remaining_frames = self.ramp_frames;
            self.step = (target - self.current) / self.ramp_frames as f32;
        }
    }

    /// Jumps to the target.
    pub fn snap(&mut self) {
        self.current = self.target;
        self.remaining_frames = 0;
        self.step = 0.0;
    }

    /// Advances one sample and returns the value for it.
    #[inline]
    pub fn next_value(&mut self) -> f32 {
        if self.remaining_frames > 0 {
            self.remaining_frames -= 1;
            // Measured back from the target, so rounding never accumulates along the ramp.
            self.current = self.target - self.step * self.remaining_frames as f32;
        }
        self.current
    }

    /// Frames until the ramp ends (0 when settled).
    pub fn remaining_frames(&self) -> u32 {
        self.remaining_frames
    }

    /// Whether the value has reached its target.
    pub fn is_settled(&self) -> bool {
        self.remaining_frames == 0
    }

    /// The current value.
    pub fn value(&self) -> f32 {
        self.current
    }

    /// The value the ramp is heading for.
    pub fn target(&self) -> f32 {
        self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        let mut s = LinearSmoother::new(0.0);
        s.set_ramp(1000.0, 4.0); // 4 frames
        s.set_target(1.0);
        let got: Vec<f32> = (0..6).map(|_| s.next_value()).collect();
        assert_eq!(got, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        assert!(s.is_settled());
    }

    #[test]
    fn retargeting_mid_ramp_starts_from_the_current_value() {
        let mut s = LinearSmoother::new(0.0);
        s.set_ramp(1000.0, 2.0);
        s.set_target(1.0);
        assert_eq!(s.next_value(), 0.5);
        s.set_target(0.0);
        assert_eq!(s.next_value(), 0.25);
        assert_eq!(s.next_value(), 0.0);
    }

    #[test]
    fn without_ramp_time_it_jumps() {
        let mut s = LinearSmoother::new(2.0);
        s.set_target(3.0);
        assert_eq!(s.value(), 3.0);
        assert!(s.is_settled());
    }
}
