//! Drives the C ABI the way `www/worklet-processor.js` does and checks what comes out.

use mixroom_protocol::layout::meter_block;
use mixroom_protocol::layout::param_block;
use mixroom_protocol::layout::transport_block::{self, TransportRequest};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;
use mixroom_protocol::units::db_to_lin;
use mixroom_worklet::*;

fn bytes_mut<'a>(ptr: *mut u8, len: u32) -> &'a mut [u8] {
    assert!(!ptr.is_null());
    // SAFETY: the pointer comes from a Vec owned by the module state of this thread that lives
    // (unmoved) until the next `mixroom_init`, and `len` is its length.
    unsafe { std::slice::from_raw_parts_mut(ptr, len as usize) }
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
    mixroom_params_changed();
    let transport = bytes_mut(
        mixroom_transport_block_ptr(),
        mixroom_transport_block_bytes(),
    );
    TransportRequest {
        playing: true,
        ..TransportRequest::default()
    }
    .encode(transport);
    mixroom_transport_changed();
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
