//! Rendering helpers shared by the processors' unit tests.

use crate::{Processor, StereoBlock};

/// Renders `left`/`right` through `p` in blocks of `block` frames; `change(p, frame)` runs
/// before each frame listed in `at` (blocks are cut there, so every block size sees the same
/// changes at the same frames).
pub fn render_with_changes<P: Processor>(
    p: &mut P,
    left: &[f32],
    right: &[f32],
    block: usize,
    at: &[usize],
    change: &dyn Fn(&mut P, usize),
) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    let mut cuts: Vec<usize> = at.iter().copied().chain([0, l.len()]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    for seg in cuts.windows(2) {
        if at.contains(&seg[0]) {
            change(p, seg[0]);
        }
        let mut start = seg[0];
        while start < seg[1] {
            let end = (start + block).min(seg[1]);
            p.process(&mut StereoBlock::new(
                &mut l[start..end],
                &mut r[start..end],
            ));
            start = end;
        }
    }
    (l, r)
}

/// A change made to a processor before a frame.
pub type Event<P> = (usize, fn(&mut P));

/// Renders `input` through `p` in blocks of `block` frames; each event `(frame, f)` runs `f`
/// before that frame (blocks are cut there).
pub fn render_with_events<P: Processor>(
    p: &mut P,
    input: &(Vec<f32>, Vec<f32>),
    block: usize,
    events: &[Event<P>],
) -> (Vec<f32>, Vec<f32>) {
    let at: Vec<usize> = events.iter().map(|e| e.0).collect();
    render_with_changes(p, &input.0, &input.1, block, &at, &|p, frame| {
        for (_, f) in events.iter().filter(|e| e.0 == frame) {
            f(p);
        }
    })
}

/// The last frame at which either channel is not exactly zero.
pub fn last_nonzero(left: &[f32], right: &[f32]) -> usize {
    (0..left.len())
        .rev()
        .find(|&i| left[i] != 0.0 || right[i] != 0.0)
        .expect("a frame that is not zero")
}
