//! Transport: the bar with play, pause, stop, loop, the A/B switch, undo and redo; and the
//! timeline.

mod timeline;
mod transport_bar;

pub use timeline::Timeline;
pub use transport_bar::TransportBar;

use mixroom_protocol::layout::transport_block::TransportRequest;

use crate::state::Mixer;

/// Changes the transport request with `f` and sends it to the engine.
pub fn change(mixer: Mixer, f: impl FnOnce(&mut TransportRequest)) {
    mixer.with_bridge(|b| {
        let mut request = b.transport();
        f(&mut request);
        b.set_transport(request);
    });
}

/// Moves the playhead to `frame`.
pub fn seek(mixer: Mixer, frame: f64) {
    change(mixer, |r| {
        r.seek_serial = r.seek_serial.wrapping_add(1);
        r.seek_frame = frame.max(0.0);
    });
}

/// Starts or stops playback (from the start when the playhead is at the end).
pub fn toggle_play(mixer: Mixer) {
    let at_end = mixer.with_bridge(|b| b.at_end()).unwrap_or(false);
    change(mixer, |r| {
        if !r.playing && at_end {
            r.seek_serial = r.seek_serial.wrapping_add(1);
            r.seek_frame = 0.0;
        }
        r.playing = !r.playing;
    });
}

/// Turns the loop region on or off.
pub fn toggle_loop(mixer: Mixer) {
    change(mixer, |r| r.loop_enabled = !r.loop_enabled);
}
