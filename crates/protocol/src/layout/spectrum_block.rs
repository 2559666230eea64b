//! The spectrum block: time-domain samples of a few tapped points, for the UI's FFT.
//!
//! ```text
//! bytes 0..4      i32   frames written so far (wrapping), engine → UI
//! bytes 4..16           reserved
//! bytes 16..32    i32   tap selectors, UI → engine: TAPS words, −1 = off, else
//!                       strip index * POINTS + point
//! bytes 32..      f32   TAPS rings of RING_FRAMES mono samples ((L + R) / 2); frame n of tap
//!                       t at 32 + 4 * (t * RING_FRAMES + n % RING_FRAMES)
//! ```
//!
//! The engine fills every tap's frames for a quantum, then stores the new frame count with
//! `Atomics.store`. The UI only asks for the points on screen, so the engine never copies more
//! than [`TAPS`] signals.

/// Word index of the frame count.
pub const COUNT_WORD: usize = 0;
/// Word index of the first tap selector.
pub const SELECTOR_WORD: usize = 4;
/// Number of taps.
pub const TAPS: usize = 4;
/// Frames per ring (a multiple of the 128-frame quantum, and of any FFT size up to 8192).
pub const RING_FRAMES: usize = 8192;
/// Byte offset of the rings.
pub const RINGS_OFFSET: usize = 32;
/// Size of the block in bytes.
pub const BYTES: usize = RINGS_OFFSET + TAPS * RING_FRAMES * 4;
/// Tap points per strip.
pub const POINTS: usize = 4;

/// Where in a strip a tap listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TapPoint {
    /// The signal entering the EQ.
    PreEq = 0,
    /// The signal leaving the EQ.
    PostEq = 1,
    /// The strip's output (post-fader; for the master, after the limiter).
    Output = 2,
}

impl TapPoint {
    /// The point with number `n`.
    pub fn from_index(n: usize) -> Option<TapPoint> {
        [TapPoint::PreEq, TapPoint::PostEq, TapPoint::Output]
            .get(n)
            .copied()
    }
}

/// The selector value for `point` of strip index `strip`.
pub const fn selector(strip: usize, point: TapPoint) -> i32 {
    (strip * POINTS + point as usize) as i32
}

/// The strip index and point a selector names, or `None` for off and out-of-range values.
pub fn parse_selector(selector: i32) -> Option<(usize, TapPoint)> {
    let n = usize::try_from(selector).ok()?;
    Some((n / POINTS, TapPoint::from_index(n % POINTS)?))
}

/// Byte offset of frame `n` of tap `tap`.
pub const fn sample_offset(tap: usize, n: u32) -> usize {
    RINGS_OFFSET + 4 * (tap * RING_FRAMES + n as usize % RING_FRAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_round_trip_and_rings_fit() {
        let s = selector(127, TapPoint::Output);
        assert_eq!(parse_selector(s), Some((127, TapPoint::Output)));
        assert_eq!(parse_selector(-1), None);
        assert_eq!(parse_selector(3), None, "point 3 does not exist");
        assert_eq!(sample_offset(TAPS - 1, u32::MAX) + 4, BYTES);
        assert_eq!(RING_FRAMES % 128, 0);
        assert_eq!(
            (u32::MAX as u64 + 1) % RING_FRAMES as u64,
            0,
            "wrapping keeps positions"
        );
    }
}
