//! Spectrum taps: the engine copies the few points the UI looks at into mono buffers each block
//! (layout and selectors: `mixroom_protocol::layout::spectrum_block`). The buffers hold
//! [`TAP_CAPACITY_FRAMES`] frames: a longer `Engine::process` call keeps only its start.

use mixroom_protocol::layout::spectrum_block::{parse_selector, TapPoint, TAPS};

/// Frames a tap holds per `Engine::process` call.
pub const TAP_CAPACITY_FRAMES: usize = 4096;

/// The tapped points and their samples for the current block.
#[derive(Clone, Debug, Default)]
pub struct Taps {
    points: [Option<(usize, TapPoint)>; TAPS],
    buffers: [Vec<f32>; TAPS],
    base: usize,
}

impl Taps {
    /// Taps with room for [`TAP_CAPACITY_FRAMES`] frames; none selected.
    pub fn new() -> Taps {
        Taps {
            points: [None; TAPS],
            buffers: std::array::from_fn(|_| vec![0.0; TAP_CAPACITY_FRAMES]),
            base: 0,
        }
    }

    /// Points tap `tap` at the strip and point named by `selector` (−1 turns it off).
    pub fn select(&mut self, tap: usize, selector: i32) {
        if let Some(point) = self.points.get_mut(tap) {
            *point = parse_selector(selector);
        }
    }

    /// Whether any tap listens to `strip`.
    pub fn watches(&self, strip: usize) -> bool {
        self.points.iter().flatten().any(|&(s, _)| s == strip)
    }

    /// Sets the frame of the block where the stretch being processed starts (the engine splits
    /// a block at loop points).
    pub fn set_base(&mut self, base: usize) {
        self.base = base;
    }

    /// Zeroes the first `frames` samples of every tap (points that do not run stay silent).
    pub fn clear(&mut self, frames: usize) {
        self.base = 0;
        for (point, buffer) in self.points.iter().zip(&mut self.buffers) {
            if point.is_some() {
                let frames = frames.min(buffer.len());
                buffer[..frames].fill(0.0);
            }
        }
    }

    /// Stores `(left + right) / 2` of `strip` at `point` into every tap that listens there,
    /// from frame `offset` of the current stretch on.
    pub fn capture(
        &mut self,
        strip: usize,
        point: TapPoint,
        offset: usize,
        left: &[f32],
        right: &[f32],
    ) {
        let start = self.base + offset;
        for (selected, buffer) in self.points.iter().zip(&mut self.buffers) {
            if *selected == Some((strip, point)) && start + left.len() <= buffer.len() {
                let out = &mut buffer[start..start + left.len()];
                for ((o, l), r) in out.iter_mut().zip(left).zip(right) {
                    *o = 0.5 * (l + r);
                }
            }
        }
    }

    /// The samples of tap `tap` for the last block (`frames` long, at most the capacity).
    pub fn samples(&self, tap: usize, frames: usize) -> &[f32] {
        let buffer = &self.buffers[tap];
        &buffer[..frames.min(buffer.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::layout::spectrum_block::selector;

    #[test]
    fn captures_only_selected_points_as_mono() {
        let mut taps = Taps::new();
        taps.select(1, selector(5, TapPoint::PostEq));
        assert!(taps.watches(5) && !taps.watches(6));
        taps.clear(4);
        taps.capture(5, TapPoint::PreEq, 0, &[1.0; 4], &[1.0; 4]);
        taps.capture(5, TapPoint::PostEq, 1, &[1.0, 0.5, 0.0], &[0.0, 0.5, -1.0]);
        assert_eq!(taps.samples(1, 4), &[0.0, 0.5, 0.5, -0.5]);
        assert_eq!(taps.samples(0, 4), &[0.0; 4]);
        taps.set_base(2);
        taps.capture(5, TapPoint::PostEq, 1, &[0.25], &[0.25]);
        assert_eq!(taps.samples(1, 4), &[0.0, 0.5, 0.5, 0.25]);
        taps.select(1, -1);
        assert!(!taps.watches(5));
    }
}
