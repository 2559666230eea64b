//! `process` and `reset` never allocate or free (counted by a global allocator).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::*;
use mixroom_dsp::StereoBlock;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::params::ParamId;

struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call unchanged to the system allocator; only counts them.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            CALLS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn process_reset_and_parameter_changes_do_not_allocate() {
    let mut engine = busy_engine(256);
    let (mut l, mut r) = (vec![0.0; 256], vec![0.0; 256]);
    let request = TransportRequest {
        playing: true,
        seek_serial: 3,
        seek_frame: 5_000.0,
        loop_enabled: true,
        loop_start_frame: 100.0,
        loop_end_frame: 9_000.0,
        loudness_reset_serial: 1,
    };
    COUNTING.store(true, Ordering::SeqCst);
    for i in 0..400 {
        engine.set_param(ParamId::GainDb.slot(track(i % 4)), -(i as f32 % 30.0));
        engine.set_param(ParamId::Solo.slot(track(1)), (i % 2) as f32);
        engine.set_param(ParamId::Pan.slot(track(0)), (i as f32 / 200.0) - 1.0);
        if i == 200 {
            engine.apply_transport(&request);
            engine.reset();
        }
        engine.process(&mut StereoBlock::new(&mut l, &mut r[..]));
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        0,
        "allocator calls on the audio path"
    );
}
