//! Explicit flushing of tiny values in recursive state.
//!
//! WebAssembly has no flush-to-zero mode, and denormal arithmetic is slow on most CPUs. Every
//! recursive state (filters, envelopes, feedback lines) passes through [`flush`] once per sample,
//! which also makes decaying tails reach exact zeros: once every state value is below
//! [`FLUSH_BELOW`] it becomes 0.0 and stays there while the input is silent.

/// Magnitudes below this are replaced by 0 (about −400 dBFS: inaudible, far above denormals).
pub const FLUSH_BELOW: f32 = 1e-20;

/// `x`, or exactly 0 when its magnitude is below [`FLUSH_BELOW`].
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flushes_only_tiny_values() {
        assert_eq!(flush(1e-21), 0.0);
        assert_eq!(flush(-1e-25), 0.0);
        assert_eq!(flush(f32::MIN_POSITIVE / 2.0), 0.0);
        assert_eq!(flush(1e-19), 1e-19);
        assert_eq!(flush(-0.5), -0.5);
        assert_eq!(finite_or_zero(f32::NAN), 0.0);
        assert_eq!(finite_or_zero(f32::NEG_INFINITY), 0.0);
        assert_eq!(finite_or_zero(0.25), 0.25);
    }
}
