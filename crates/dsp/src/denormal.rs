//! Denormal flushing and tail gating of recursive state.
//!
//! WebAssembly has no flush-to-zero mode, and denormal arithmetic is slow on most CPUs, so every
//! recursive state value (filters, envelopes, feedback lines) passes through [`flush`] once per
//! sample. The threshold is far below anything audible: flushing a value there perturbs the
//! signal by at most 1e-30.
//!
//! Flushing alone does not make tails end: a resonant filter whose state is flushed near its zero
//! crossings keeps ringing at the flush level. Tails end through the tail gate instead: a
//! processor whose input block was exactly silent and whose output block stayed below
//! [`TAIL_FLOOR`] (−200 dBFS) clears its state, so silence in gives exact zeros out once the
//! tail has fallen 200 dB. The gate acts on whole blocks; what it removes is below 1e-10, so
//! output stays block-size independent within 1e-6.

/// Magnitudes below this are replaced by 0 (just above the f32 denormal range).
pub const FLUSH_BELOW: f32 = 1e-30;

/// Level under which a tail with silent input is cleared (−200 dBFS).
pub const TAIL_FLOOR: f32 = 1e-10;

/// `x`, or exactly 0 when its magnitude is below `FLUSH_BELOW` (1e-30).
#[inline(always)]
pub fn flush(x: f32) -> f32 {
    if x.abs() < FLUSH_BELOW {
        0.0
    } else {
        x
    }
}

/// `x`, or 0 when it is not finite (NaN or ±Inf): the guard at the engine's edges.
#[inline(always)]
pub fn finite_or_zero(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Replaces every non-finite sample (NaN, ±Inf) of `samples` by 0: one pass the compiler
/// vectorizes, for the engine's inputs.
pub fn zero_non_finite(samples: &mut [f32]) {
    for x in samples {
        *x = finite_or_zero(*x);
    }
}

/// Whether every sample is exactly zero.
pub fn is_silent(samples: &[f32]) -> bool {
    samples.iter().all(|&x| x == 0.0)
}

/// Whether every sample is below [`TAIL_FLOOR`] in magnitude.
pub fn below_tail_floor(samples: &[f32]) -> bool {
    samples.iter().all(|&x| x.abs() < TAIL_FLOOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flushes_only_denormal_range_values() {
        assert_eq!(flush(1e-31), 0.0);
        assert_eq!(flush(-1e-35), 0.0);
        assert_eq!(flush(f32::MIN_POSITIVE / 2.0), 0.0);
        assert_eq!(flush(1e-29), 1e-29);
        assert_eq!(flush(-0.5), -0.5);
        assert_eq!(finite_or_zero(f32::NAN), 0.0);
        assert_eq!(finite_or_zero(f32::NEG_INFINITY), 0.0);
        assert_eq!(finite_or_zero(0.25), 0.25);
        assert!(is_silent(&[0.0, -0.0]) && !is_silent(&[0.0, 1e-38]));
        assert!(below_tail_floor(&[9e-11, -9e-11]) && !below_tail_floor(&[2e-10]));
    }
}
