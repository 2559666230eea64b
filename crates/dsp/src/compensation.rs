//! Latency compensation: integer delay lines that line up signal paths of different latency
//! (look-ahead dynamics), so a track reaching the master through two routes never comb-filters.
//!
//! The engine computes each path's arrival latency at every summing point (bus, return,
//! master) and delays every contribution by the difference to the latest one (the usual
//! plugin-delay-compensation scheme of DAWs). A zero delay costs nothing.

/// A stereo delay of a whole number of frames, up to the capacity given at prepare time.
#[derive(Clone, Debug, Default)]
pub struct CompensationDelay {
    buffer: [Vec<f32>; 2],
    mask: usize,
    write: usize,
    delay_frames: usize,
}

impl CompensationDelay {
    /// An empty delay (prepare it before use).
    pub fn new() -> CompensationDelay {
        CompensationDelay::default()
    }

    /// Allocates room for delays up to `max_delay_frames`.
    pub fn prepare(&mut self, max_delay_frames: usize) {
        let size = (max_delay_frames + 1).next_power_of_two();
        self.buffer = [vec![0.0; size], vec![0.0; size]];
        self.mask = size - 1;
        self.write = 0;
        self.delay_frames = self.delay_frames.min(self.mask);
    }

    /// Sets the delay, frames (clamped to the capacity). A change takes effect at once.
    pub fn set_delay_frames(&mut self, delay_frames: usize) {
        self.delay_frames = delay_frames.min(self.mask);
    }

    /// The delay, frames.
    pub fn delay_frames(&self) -> usize {
        self.delay_frames
    }

    /// Clears the line.
    pub fn reset(&mut self) {
        for channel in &mut self.buffer {
            channel.fill(0.0);
        }
    }

    /// Delays a stereo block in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.delay_frames == 0 {
            return;
        }
        let [line_l, line_r] = &mut self.buffer;
        let mut write = self.write;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let read = (write.wrapping_sub(self.delay_frames)) & self.mask;
            line_l[write] = *l;
            line_r[write] = *r;
            *l = line_l[read];
            *r = line_r[read];
            write = (write + 1) & self.mask;
        }
        self.write = write;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_by_whole_frames_across_blocks() {
        let mut d = CompensationDelay::new();
        d.prepare(100);
        d.set_delay_frames(3);
        let mut out = Vec::new();
        for block in 0..4 {
            let mut l: Vec<f32> = (0..5).map(|i| (block * 5 + i + 1) as f32).collect();
            let mut r = l.iter().map(|x| -x).collect::<Vec<_>>();
            d.process(&mut l, &mut r);
            assert!(l.iter().zip(&r).all(|(a, b)| *a == -*b));
            out.extend(l);
        }
        let expected: Vec<f32> = (0..20)
            .map(|i| if i < 3 { 0.0 } else { (i - 2) as f32 })
            .collect();
        assert_eq!(out, expected);
        d.set_delay_frames(10_000);
        assert_eq!(d.delay_frames(), 127, "clamped to the capacity");
    }
}
