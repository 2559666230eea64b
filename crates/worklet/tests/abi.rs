//! Drives the C ABI the way `www/worklet-processor.js` does and checks what comes out.

use mixroom_protocol::layout::meter_block;
use mixroom_protocol::layout::param_block;
use mixroom_protocol::layout::transport_block::{self, TransportRequest};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::{StripIndex, MAX_TRACKS};
use mixroom_protocol::units::db_to_lin;
use mixroom_worklet::*;

fn bytes_mut<'a>(ptr: *mut u8, len: u32) -> &'a mut [u8] {
    assert!(!ptr.is_null());
    // SAFETY: the pointer comes from a Vec owned by the module state of this thread that lives
    // (unmoved) until the next `mixroom_init`, and `len` is its length.
    unsafe { std::slice::from_raw_parts_mut(ptr, len as usize) }
}

/// Applies the image of `block` as the processor does once it has copied a whole write: each
/// call ends on a new generation.
fn apply(block: u32) {
    thread_local!(static GENERATION: std::cell::Cell<i32> = const { std::cell::Cell::new(0) });
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 2);
        g.get()
    });
    assert_eq!(mixroom_block_wanted(block, generation), 1);
    assert_eq!(mixroom_block_copied(block, generation, generation), 1);
}

fn floats<'a>(ptr: *mut f32, len: usize) -> &'a mut [f32] {
    assert!(!ptr.is_null());
    // SAFETY: as above, for the output and staging buffers.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}

#[test]
fn a_quantum_through_the_abi() {
    assert_eq!(mixroom_process(128), 0, "no-op before init");
    mixroom_init(48_000.0);

    // Track 0: a mono DC source at 0.5.
    assert_eq!(mixroom_source_alloc(3, 10), 0, "three channels are refused");
    assert_eq!(mixroom_source_alloc(1, 1_000), 1);
    floats(mixroom_source_channel_ptr(0), 1_000).fill(0.5);
    assert!(mixroom_source_channel_ptr(1).is_null());
    assert_eq!(mixroom_source_commit(0), 1);
    assert_eq!(mixroom_source_commit(0), 0, "nothing staged any more");

    // Fader −6 dB, hard left; play.
    let params = bytes_mut(mixroom_param_block_ptr(), mixroom_param_block_bytes());
    let track = StripIndex::track(0).unwrap();
    param_block::write_value(params, ParamId::GainDb.slot(track), -6.0);
    param_block::write_value(params, ParamId::Pan.slot(track), -1.0);
    apply(PARAM_BLOCK);
    let transport = bytes_mut(
        mixroom_transport_block_ptr(),
        mixroom_transport_block_bytes(),
    );
    TransportRequest {
        playing: true,
        ..TransportRequest::default()
    }
    .encode(transport);
    apply(TRANSPORT_BLOCK);
    mixroom_reset();

    assert_eq!(mixroom_process(128), 128);
    let left = floats(mixroom_output_ptr(0), 128);
    assert!(
        (left[127] - 0.5 * db_to_lin(-6.0)).abs() < 1e-6,
        "{}",
        left[127]
    );
    assert!(floats(mixroom_output_ptr(1), 128)
        .iter()
        .all(|x| x.abs() < 1e-7));

    let entry = bytes_mut(
        mixroom_meter_entry_ptr().cast_mut(),
        mixroom_meter_entry_bytes(),
    );
    assert_eq!(meter_block::read_playhead_frames(entry), 128.0);
    assert!(meter_block::read_playing(entry));
    let figures = meter_block::read_strip(entry, StripIndex::MASTER.index());
    assert!((figures.peak[0] - 0.5 * db_to_lin(-6.0)).abs() < 1e-6);
    assert_eq!(
        mixroom_meter_entry_offset(33),
        (meter_block::RING_OFFSET + meter_block::ENTRY_BYTES) as u32
    );
    assert_eq!(mixroom_meter_block_bytes() as usize, meter_block::BYTES);
    assert_eq!(
        mixroom_meter_ring_capacity() as usize,
        meter_block::RING_CAPACITY
    );
    assert_eq!(
        mixroom_transport_block_bytes() as usize,
        transport_block::BYTES
    );
}

/// Renders 40 quanta (past any fade-in) and returns the track's post-fader peaks (left, right)
/// in the last one.
fn track_peaks(track: usize) -> [f32; 2] {
    for _ in 0..40 {
        assert_eq!(mixroom_process(128), 128);
    }
    let entry = bytes_mut(
        mixroom_meter_entry_ptr().cast_mut(),
        mixroom_meter_entry_bytes(),
    );
    meter_block::read_strip(entry, StripIndex::track(track).unwrap().index()).peak
}

fn play() {
    let transport = bytes_mut(
        mixroom_transport_block_ptr(),
        mixroom_transport_block_bytes(),
    );
    TransportRequest {
        playing: true,
        ..TransportRequest::default()
    }
    .encode(transport);
    apply(TRANSPORT_BLOCK);
    mixroom_reset();
}

#[test]
fn compact_sources_load_and_clear_at_any_time() {
    assert_eq!(
        mixroom_source_alloc_i16(1, 10),
        REFUSED,
        "no-op before init"
    );
    mixroom_init(48_000.0);
    play();
    assert_eq!(track_peaks(1), [0.0, 0.0], "nothing loaded yet");
    // An empty session ends at once: the engine stopped by itself. Load with the transport
    // running: a session longer than the playhead so far.
    play();
    assert_eq!(mixroom_source_alloc(1, 1_000), STAGED);
    assert_eq!(mixroom_source_commit(0), 1);

    // While playing: a stereo 16-bit source, 0.5 left and −0.25 right, onto track 1.
    assert_eq!(mixroom_source_alloc_i16(3, 10), REFUSED);
    assert_eq!(mixroom_source_alloc_i16(0, 10), REFUSED);
    assert_eq!(mixroom_source_alloc_i16(2, 48_000), STAGED);
    assert!(
        mixroom_source_channel_ptr(0).is_null(),
        "no f32 view of i16 staging"
    );
    assert!(mixroom_source_channel_ptr_i16(2).is_null());
    // SAFETY: the staging channels are Vecs of 48 000 i16 owned by this thread's module state,
    // untouched until the commit below.
    let (left, right) = unsafe {
        (
            std::slice::from_raw_parts_mut(mixroom_source_channel_ptr_i16(0), 48_000),
            std::slice::from_raw_parts_mut(mixroom_source_channel_ptr_i16(1), 48_000),
        )
    };
    left.fill(16_384);
    right.fill(-8_192);
    assert_eq!(mixroom_source_commit(1), 1);
    assert_eq!(mixroom_source_bytes(), 1_000 * 4 + 48_000 * 2 * 2);
    // The source plays, its samples exactly.
    let [l, r] = track_peaks(1);
    assert_eq!(
        (l, r),
        (0.5, 0.25),
        "exact: 16 384 / 32 768 and 8 192 / 32 768"
    );

    // Staging f32 and committing to a track that does not exist frees the staging.
    assert_eq!(mixroom_source_alloc(1, 100), STAGED);
    assert!(mixroom_source_channel_ptr_i16(0).is_null());
    assert_eq!(
        mixroom_source_commit(MAX_TRACKS as u32),
        0,
        "no track past the last"
    );
    assert_eq!(
        mixroom_source_commit(1),
        0,
        "the staging went with the refusal"
    );
    assert_eq!(mixroom_source_bytes(), 1_000 * 4 + 48_000 * 2 * 2);

    // A new source replaces the old one; its bytes replace the old bytes.
    assert_eq!(mixroom_source_alloc(1, 1_000), STAGED);
    floats(mixroom_source_channel_ptr(0), 1_000).fill(f32::NAN);
    assert_eq!(mixroom_source_commit(1), 1);
    assert_eq!(mixroom_source_bytes(), 1_000 * 4 * 2);
    assert_eq!(track_peaks(1), [0.0, 0.0], "NaN came out as silence");

    assert_eq!(mixroom_source_clear(MAX_TRACKS as u32), 0);
    assert_eq!(mixroom_source_clear(1), 1);
    assert_eq!(mixroom_source_bytes(), 1_000 * 4);
    assert_eq!(
        mixroom_source_clear(1),
        1,
        "clearing an empty track is fine"
    );
}

#[test]
fn f32_sources_longer_than_a_minute_are_compacted() {
    mixroom_init(48_000.0);
    let minute = 48_000 * 60;
    assert_eq!(mixroom_source_alloc(1, minute), STAGED);
    floats(mixroom_source_channel_ptr(0), minute as usize).fill(0.25);
    assert_eq!(mixroom_source_commit(0), 1);
    assert_eq!(mixroom_source_bytes(), minute * 4, "a minute stays f32");
    assert_eq!(mixroom_source_alloc(2, minute + 1), STAGED);
    for channel in 0..2 {
        floats(mixroom_source_channel_ptr(channel), minute as usize + 1).fill(0.25);
    }
    assert_eq!(mixroom_source_commit(1), 1);
    assert_eq!(
        mixroom_source_bytes(),
        minute * 4 + (minute + 1) * 2 * 2,
        "a minute and a frame is stored as 16-bit"
    );
    play();
    let [l, r] = track_peaks(1);
    assert_eq!((l, r), (0.25, 0.25), "0.25 is on the 16-bit grid");
}

#[test]
fn blocks_apply_only_whole_new_writes_and_rings_continue() {
    mixroom_init(48_000.0);
    assert_eq!(mixroom_block_taken(PARAM_BLOCK), 0);
    assert_eq!(
        mixroom_block_wanted(PARAM_BLOCK, 3),
        0,
        "a write is under way"
    );
    let params = bytes_mut(mixroom_param_block_ptr(), mixroom_param_block_bytes());
    let slot = ParamId::GainDb.slot(StripIndex::MASTER);
    param_block::write_value(params, slot, -9.0);
    assert_eq!(
        mixroom_block_copied(PARAM_BLOCK, 4, 5),
        0,
        "torn: not applied"
    );
    assert_eq!(mixroom_block_taken(PARAM_BLOCK), 0);
    assert_eq!(mixroom_block_copied(PARAM_BLOCK, 4, 4), 1);
    assert_eq!(mixroom_block_taken(PARAM_BLOCK), 1);
    assert_eq!(mixroom_block_wanted(PARAM_BLOCK, 4), 0, "already applied");
    assert_eq!(mixroom_block_wanted(7, 6), 0, "no block 7");

    // Message mode: one slot, in the image and the engine.
    mixroom_set_param(slot as u32, -3.0);
    let params = bytes_mut(mixroom_param_block_ptr(), mixroom_param_block_bytes());
    assert_eq!(param_block::read_value(params, slot), -3.0);
    mixroom_set_param(u32::MAX, 1.0);

    // A new engine continues the rings' counts; slots wrap.
    let capacity = meter_block::RING_CAPACITY as u32;
    mixroom_meter_continue(u32::MAX);
    assert_eq!(mixroom_meter_slot(), u32::MAX % capacity);
    assert_eq!(mixroom_meter_publish(), 0);
    assert_eq!(mixroom_meter_slot(), 0);
    mixroom_tap_continue(8_190);
    assert_eq!(mixroom_tap_slot(), 8_190);
    assert_eq!(mixroom_tap_publish(128), 8_318);
    assert_eq!(mixroom_tap_slot(), 126);
}
