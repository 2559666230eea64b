//! The conformance suite every processor passes, in one place (fundsp's way: one test style
//! applied to every node). A processor states how to make it busy, what to move while it plays
//! and which of its settings have a range in the protocol's table; [`conforms`] checks the rest:
//!
//! - the output does not depend on how the signal is cut into blocks;
//! - `reset` makes a render repeat exactly, whatever played before;
//! - NaN and infinite input samples read as silence and leave no trace;
//! - after the input falls silent, the output reaches exact zeros within the tail;
//! - every setting is clamped to the table's range, and NaN leaves it where it was;
//! - `process` and `reset` never allocate or free.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mixroom_dsp::{white_noise, Processor, StereoBlock};
use mixroom_protocol::params::ParamId;

/// Sample rate of every render, Hz.
pub const RATE_HZ: f32 = 48_000.0;
/// Largest block a subject is prepared for, frames (also the reference block size).
pub const MAX_BLOCK: usize = 4_096;

/// A change made to a processor before a frame.
pub type Event<P> = (usize, fn(&mut P));

/// A setting with a row in the protocol's table, and how to give it to the processor.
pub struct Setting<P> {
    pub param: ParamId,
    pub set: fn(&mut P, f32),
}

/// A processor under the suite.
pub trait Subject: Processor + Sized {
    /// Longest time from the input falling silent to exact zeros out, for [`Self::busy`], s.
    const TAIL_S: f32;

    /// A processor prepared at [`RATE_HZ`] for blocks of up to [`MAX_BLOCK`] frames, reset,
    /// with settings under which [`input`] makes it work.
    fn busy() -> Self;

    /// Changes while playing (frames within [`input`]'s length), moving every setting and
    /// switch at least once.
    fn changes() -> Vec<Event<Self>>;

    /// The settings with a range in the protocol's table.
    fn settings() -> Vec<Setting<Self>>;

    /// The delay the processor adds, frames.
    fn latency(&self) -> usize {
        0
    }

    /// What the settings are heard on: [`input`], longer where a setting needs it.
    fn settings_input() -> (Vec<f32>, Vec<f32>) {
        input()
    }
}

/// Frames of [`input`]'s bursts.
const BURST_FRAMES: usize = 36_000;
/// Frames of [`input`]'s level sweep.
const SWEEP_FRAMES: usize = 48_000;
/// Frames of [`input`].
pub const INPUT_FRAMES: usize = BURST_FRAMES + SWEEP_FRAMES;

/// What the suite plays: stereo noise in bursts, loud (−1 dBFS peaks) for 100 ms, then 40 dB
/// quieter for 100 ms, so dynamics processors open, close, compress and release; then a sweep
/// of its level from −130 dB up to +4 dBFS peaks over 1 s, so every level setting is crossed
/// (after the key of a gate has fallen far below its lowest threshold).
pub fn input() -> (Vec<f32>, Vec<f32>) {
    let burst = (0.1 * RATE_HZ) as usize;
    let shape = |seed: u32| {
        let mut x = white_noise(seed, 0.89, INPUT_FRAMES);
        for (i, v) in x.iter_mut().enumerate() {
            let gain_db = if i >= BURST_FRAMES {
                -130.0 + 135.0 * (i - BURST_FRAMES) as f32 / SWEEP_FRAMES as f32
            } else if (i / burst) % 2 == 1 {
                -40.0
            } else {
                0.0
            };
            *v *= 10.0_f32.powf(gain_db / 20.0);
        }
        x
    };
    (shape(11), shape(12))
}

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

/// Counts the allocations of the thread that asked for it (tests run on several threads).
struct CountingAllocator;

fn count() {
    if COUNTING.with(Cell::get) {
        CALLS.with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: forwards every call unchanged to the system allocator; only counts them.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f`, panicking if it allocated or freed.
fn without_allocation<T>(what: &str, f: impl FnOnce() -> T) -> T {
    CALLS.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    let calls = CALLS.with(Cell::get);
    assert_eq!(calls, 0, "{what} allocated or freed {calls} times");
    out
}

/// Renders `input` through `p` in blocks of `block` frames; each event runs before its frame
/// (blocks are cut there).
pub fn render<P: Processor>(
    p: &mut P,
    input: &(Vec<f32>, Vec<f32>),
    block: usize,
    events: &[Event<P>],
) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = input.clone();
    let frames = l.len();
    let mut cuts: Vec<usize> = events.iter().map(|e| e.0).chain([0, frames]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    for seg in cuts.windows(2) {
        for (_, change) in events.iter().filter(|e| e.0 == seg[0]) {
            change(p);
        }
        let mut start = seg[0];
        while start < seg[1] {
            let end = (start + block).min(seg[1]);
            let mut io = StereoBlock::new(&mut l[start..end], &mut r[start..end]);
            without_allocation("process", || p.process(&mut io));
            start = end;
        }
    }
    (l, r)
}

fn largest_difference(a: &(Vec<f32>, Vec<f32>), b: &(Vec<f32>, Vec<f32>)) -> f32 {
    a.0.iter()
        .zip(&b.0)
        .chain(a.1.iter().zip(&b.1))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs the whole suite over `P`; `name` labels the failures.
pub fn conforms<P: Subject>(name: &str) {
    block_size_independence::<P>(name);
    reset_repeats::<P>(name);
    non_finite_input_reads_as_silence::<P>(name);
    silence_ends_in_exact_zeros::<P>(name);
    settings_are_clamped::<P>(name);
}

fn block_size_independence<P: Subject>(name: &str) {
    let input = input();
    let changes = P::changes();
    let reference = render(&mut P::busy(), &input, MAX_BLOCK, &changes);
    assert!(
        largest_difference(&reference, &input) > 1e-3,
        "{name}: busy, it changes what it plays"
    );
    for block in [1, 3, 64, 127, 128] {
        let got = render(&mut P::busy(), &input, block, &changes);
        let worst = largest_difference(&got, &reference);
        assert!(worst <= 1e-6, "{name}, blocks of {block}: {worst:e} off");
    }
}

fn reset_repeats<P: Subject>(name: &str) {
    let input = input();
    let other = (white_noise(21, 1.0, 9_000), white_noise(22, 1.0, 9_000));
    let mut p = P::busy();
    let first = render(&mut p, &input, 128, &[]);
    render(&mut p, &other, 100, &[]);
    without_allocation("reset", || p.reset());
    assert!(first == render(&mut p, &input, 128, &[]), "{name}: reset");
}

fn non_finite_input_reads_as_silence<P: Subject>(name: &str) {
    let mut bad = input();
    let mut zeroed = bad.clone();
    for (k, i) in (4_000..4_256).enumerate() {
        let v = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][k % 3];
        bad.0[i] = v;
        zeroed.0[i] = 0.0;
        if k % 2 == 0 {
            bad.1[i] = v;
            zeroed.1[i] = 0.0;
        }
    }
    let got = render(&mut P::busy(), &bad, 128, &[]);
    assert!(
        got.0.iter().chain(&got.1).all(|x| x.is_finite()),
        "{name}: non-finite output"
    );
    assert!(
        got == render(&mut P::busy(), &zeroed, 128, &[]),
        "{name}: non-finite input differs from silence"
    );
}

fn silence_ends_in_exact_zeros<P: Subject>(name: &str) {
    let mut input = input();
    let tail = (P::TAIL_S * RATE_HZ) as usize;
    let frames = INPUT_FRAMES + tail + RATE_HZ as usize / 2;
    input.0.resize(frames, 0.0);
    input.1.resize(frames, 0.0);
    let mut p = P::busy();
    let (l, r) = render(&mut p, &input, 128, &[]);
    let from = INPUT_FRAMES + p.latency() + tail;
    assert!(
        l[INPUT_FRAMES + p.latency() - 1] != 0.0,
        "{name}: the input reaches the output"
    );
    assert!(
        l[from..].iter().chain(&r[from..]).all(|&x| x == 0.0),
        "{name}: not exact zeros {} s after the input",
        P::TAIL_S
    );
}

/// Each setting at its limits is heard (a step of 1% of the range inwards changes the output),
/// values beyond them play as the limits, and NaN leaves the setting as it was.
fn settings_are_clamped<P: Subject>(name: &str) {
    let input = P::settings_input();
    let with = |setting: &Setting<P>, value: f32| {
        let mut p = P::busy();
        (setting.set)(&mut p, value);
        without_allocation("reset", || p.reset());
        render(&mut p, &input, 512, &[])
    };
    let busy = render(&mut P::busy(), &input, 512, &[]);
    for setting in P::settings() {
        let spec = setting.param.spec();
        let key = spec.key;
        let step = 0.01 * (spec.max - spec.min);
        let (low, high) = (with(&setting, spec.min), with(&setting, spec.max));
        assert!(
            low != with(&setting, spec.min + step),
            "{name}: {key} is heard at its lowest"
        );
        assert!(
            high != with(&setting, spec.max - step),
            "{name}: {key} is heard at its highest"
        );
        for above in [spec.max + step, spec.max + 1e3, 1e30, f32::INFINITY] {
            assert!(with(&setting, above) == high, "{name}: {key} {above}");
        }
        for below in [spec.min - step, spec.min - 1e3, -1e30, f32::NEG_INFINITY] {
            assert!(with(&setting, below) == low, "{name}: {key} {below}");
        }
        assert!(with(&setting, f32::NAN) == busy, "{name}: {key} NaN");
    }
}
