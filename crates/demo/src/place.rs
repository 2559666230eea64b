//! Placing rendered sounds on a stem: each distinct note or hit is synthesized once and added
//! at every position it occurs, as a sampler would play it.
//!
//! The song loops, so the stem is circular: whatever rings past the end (a crash, a pad's
//! release) continues at the start, and the loop seam is as continuous as any other moment.
//! The loops below work on contiguous slices (at most two per placement), which the compiler
//! vectorizes.

use std::collections::BTreeMap;

use crate::score::{Clock, Note};
use crate::synth::release_curve;

/// Adds `gain × src` to `dst` from frame `at`, wrapping past the end to the start.
pub fn add(dst: &mut [f32], src: &[f32], at: usize, gain: f32) {
    for_each_piece(dst.len(), at, src.len(), |d, s, n| {
        for (y, x) in dst[d..d + n].iter_mut().zip(&src[s..s + n]) {
            *y += gain * x;
        }
    });
}

/// Adds `gain × src` to `dst` from frame `at` as a note held for `gate` frames: after the gate
/// the sound fades out over `release` (a curve from 1 to 0), and nothing of `src` beyond it is
/// used. `src` shorter than `gate + release.len()` simply ends sooner.
pub fn add_gated(dst: &mut [f32], src: &[f32], at: usize, gain: f32, gate: usize, release: &[f32]) {
    let held = gate.min(src.len());
    add(dst, &src[..held], at, gain);
    let tail = &src[held..(held + release.len()).min(src.len())];
    let start = at + held;
    for_each_piece(dst.len(), start, tail.len(), |d, s, n| {
        for ((y, x), r) in dst[d..d + n]
            .iter_mut()
            .zip(&tail[s..s + n])
            .zip(&release[s..s + n])
        {
            *y += gain * x * r;
        }
    });
}

/// A silent stem of `frames` frames.
///
/// Written out rather than allocated zeroed: a zeroed allocation maps the shared zero page
/// and then faults again on the first write to every page, which costs more than writing it.
pub fn silence(frames: usize) -> Vec<f32> {
    let mut v = Vec::with_capacity(frames);
    v.resize(frames, 0.0);
    v
}

/// A stem of pitched `notes`: every distinct pitch is rendered once by `render(midi, frames,
/// buffer)` into a reused buffer (long enough for its longest note plus the release) and
/// played at each of its notes, held for the note's length, then faded over `release_s`;
/// `level` scales the whole part.
pub fn play_notes(
    clock: Clock,
    notes: &[Note],
    level: f32,
    release_s: f32,
    mut render: impl FnMut(u8, usize, &mut Vec<f32>),
) -> Vec<f32> {
    let release = release_curve(clock.seconds(release_s));
    let mut longest: BTreeMap<u8, usize> = BTreeMap::new();
    for n in notes {
        let gate = clock.steps(n.len);
        let entry = longest.entry(n.midi).or_insert(0);
        *entry = (*entry).max(gate);
    }
    let mut out = silence(clock.frames);
    let mut sound = Vec::new();
    for (midi, gate) in longest {
        sound.clear();
        render(midi, gate + release.len(), &mut sound);
        for n in notes.iter().filter(|n| n.midi == midi) {
            add_gated(
                &mut out,
                &sound,
                clock.at(n.step, n.offset_s),
                level * n.velocity,
                clock.steps(n.len),
                &release,
            );
        }
    }
    out
}

/// Calls `f(dst_start, src_start, len)` for the contiguous pieces of a `len`-frame sound placed
/// at `at` on a circular buffer of `n` frames.
fn for_each_piece(n: usize, at: usize, len: usize, mut f: impl FnMut(usize, usize, usize)) {
    if n == 0 {
        return;
    }
    let mut d = at % n;
    let mut s = 0;
    while s < len {
        let piece = (n - d).min(len - s);
        f(d, s, piece);
        s += piece;
        d = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_around_the_loop() {
        // Reference: hand-computed arrays.
        let mut dst = vec![0.0; 5];
        add(&mut dst, &[1.0, 2.0, 3.0], 3, 2.0);
        assert_eq!(dst, [6.0, 0.0, 0.0, 2.0, 4.0]);
        add(&mut dst, &[1.0; 12], 7, 1.0);
        assert_eq!(
            dst,
            [8.0, 2.0, 3.0, 5.0, 6.0],
            "twelve frames wrap more than once"
        );
    }

    #[test]
    fn gated_notes_fade_over_the_release_and_stop() {
        // Reference: hand-computed array (gate 2, release [0.5, 0.25], rest of the source unused).
        let mut dst = vec![0.0; 6];
        add_gated(&mut dst, &[1.0; 6], 1, 2.0, 2, &[0.5, 0.25]);
        assert_eq!(dst, [0.0, 2.0, 2.0, 1.0, 0.5, 0.0]);
        let mut dst = vec![0.0; 4];
        add_gated(&mut dst, &[1.0; 3], 2, 1.0, 2, &[0.5, 0.25]);
        assert_eq!(
            dst,
            [0.5, 0.0, 1.0, 1.0],
            "source shorter than gate + release"
        );
    }
}
