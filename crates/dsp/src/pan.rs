//! Pan laws.
//!
//! - Mono sources: constant-power sine/cosine law, −3 dB at the centre:
//!   θ = (pan + 1)·π/4, gains (cos θ, sin θ), so L² + R² = 1 at every position.
//! - Stereo sources: balance. The centre passes both channels at unity; turning towards one side
//!   attenuates the other channel by cos(|pan|·π/2), reaching silence at the end.
//! - Stereo width (stereo sources, before the balance): mid/side scaling, M = (L + R)/2,
//!   S = (L − R)/2 · width, L' = M + S, R' = M − S; 0 is mono, 1 unchanged, 2 doubles the side.

use std::f32::consts::FRAC_PI_2;
use std::f32::consts::FRAC_PI_4;

/// Left and right gains for a mono source at `pan` (−1 left … +1 right).
pub fn mono_pan_gains(pan: f32) -> [f32; 2] {
    let theta = (pan.clamp(-1.0, 1.0) + 1.0) * FRAC_PI_4;
    [theta.cos(), theta.sin()]
}

/// Left and right gains for a stereo source with balance `pan` (−1 left … +1 right).
pub fn balance_gains(pan: f32) -> [f32; 2] {
    let pan = pan.clamp(-1.0, 1.0);
    let away = (pan.abs() * FRAC_PI_2).cos();
    if pan >= 0.0 {
        [away, 1.0]
    } else {
        [1.0, away]
    }
}

/// Applies stereo width `width` (0..2) to one frame.
#[inline(always)]
pub fn widen(left: f32, right: f32, width: f32) -> (f32, f32) {
    let mid = 0.5 * (left + right);
    let side = 0.5 * (left - right) * width;
    (mid + side, mid - side)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(x: f32) -> f32 {
        20.0 * x.log10()
    }

    #[test]
    fn mono_law_is_constant_power_and_minus_3_db_at_centre() {
        let [l, r] = mono_pan_gains(0.0);
        assert!((db(l) + 3.0103).abs() < 1e-3 && (l - r).abs() < 1e-7);
        for i in -10..=10 {
            let [l, r] = mono_pan_gains(i as f32 / 10.0);
            assert!((l * l + r * r - 1.0).abs() < 1e-6);
        }
        let [l, r] = mono_pan_gains(-1.0);
        assert!((l - 1.0).abs() < 1e-7 && r.abs() < 1e-7);
        let [l, r] = mono_pan_gains(1.0);
        assert!(l.abs() < 1e-7 && (r - 1.0).abs() < 1e-7);
    }

    #[test]
    fn width_scales_the_side_only() {
        let (l, r) = widen(0.8, 0.2, 1.0);
        assert!((l - 0.8).abs() < 1e-7 && (r - 0.2).abs() < 1e-7);
        assert_eq!(widen(0.8, 0.2, 0.0), (0.5, 0.5));
        let (l, r) = widen(0.8, 0.2, 2.0);
        assert!((l - 1.1).abs() < 1e-6 && (r + 0.1).abs() < 1e-6);
    }

    #[test]
    fn balance_keeps_the_centre_at_unity() {
        assert_eq!(balance_gains(0.0), [1.0, 1.0]);
        let [l, r] = balance_gains(0.5);
        assert!((l - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6 && r == 1.0);
        let [l, r] = balance_gains(-1.0);
        assert!(l == 1.0 && r.abs() < 1e-7);
    }
}
