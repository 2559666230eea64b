//! The engine-owned transport: play, pause, seek and a loop region, sample-accurately.
//!
//! The playhead counts frames from the start of the session. While playing it advances through
//! the sources; at the loop end (when the loop is on and the playhead is inside the region) it
//! jumps back to the loop start on the exact frame; at the end of the longest source it stops.

use mixroom_protocol::layout::transport_block::TransportRequest;

/// What the next stretch of output holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `frames` frames of the sources from `source_frame` on.
    Playing {
        /// First source frame of the stretch.
        source_frame: u64,
        /// Length of the stretch.
        frames: usize,
    },
    /// `frames` frames with the transport stopped (sources silent).
    Stopped {
        /// Length of the stretch.
        frames: usize,
    },
}

/// Transport state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transport {
    playing: bool,
    playhead_frames: u64,
    length_frames: u64,
    loop_enabled: bool,
    loop_start_frames: u64,
    loop_end_frames: u64,
    seek_serial: i32,
}

/// A frame position from an f64 of any value: NaN and negatives become 0.
fn frames_from(value: f64) -> u64 {
    if value.is_nan() || value <= 0.0 {
        0
    } else {
        value.min(u64::MAX as f64) as u64
    }
}

impl Transport {
    /// A stopped transport at frame 0 with no loop.
    pub fn new() -> Transport {
        Transport::default()
    }

    /// Applies the state the UI asked for; seeks only when the serial is new.
    pub fn apply(&mut self, request: &TransportRequest) {
        if request.seek_serial != self.seek_serial {
            self.seek_serial = request.seek_serial;
            self.seek(frames_from(request.seek_frame));
        }
        self.set_loop(
            request.loop_enabled,
            frames_from(request.loop_start_frame),
            frames_from(request.loop_end_frame),
        );
        if request.playing {
            self.play();
        } else {
            self.pause();
        }
    }

    /// Starts playing from the playhead.
    pub fn play(&mut self) {
        self.playing = true;
    }

    /// Stops, keeping the playhead.
    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Moves the playhead to `frame`.
    pub fn seek(&mut self, frame: u64) {
        self.playhead_frames = frame;
    }

    /// Sets the loop region `start..end` (frames, end exclusive) and whether it is on.
    pub fn set_loop(&mut self, enabled: bool, start_frame: u64, end_frame: u64) {
        self.loop_enabled = enabled;
        self.loop_start_frames = start_frame;
        self.loop_end_frames = end_frame;
    }

    /// Sets the session length (the longest source), frames.
    pub fn set_length(&mut self, length_frames: u64) {
        self.length_frames = length_frames;
    }

    /// Whether the transport runs.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// The playhead, frames.
    pub fn playhead_frames(&self) -> u64 {
        self.playhead_frames
    }

    /// The session length, frames.
    pub fn length_frames(&self) -> u64 {
        self.length_frames
    }

    /// Takes the next stretch of at most `max_frames` frames and advances the playhead past it.
    /// A stretch never crosses the loop end or the session end.
    pub fn next_segment(&mut self, max_frames: usize) -> Segment {
        if !self.playing {
            return Segment::Stopped { frames: max_frames };
        }
        let looping = self.loop_enabled
            && self.loop_start_frames < self.loop_end_frames
            && self.playhead_frames < self.loop_end_frames;
        let end = if looping {
            self.loop_end_frames
        } else {
            self.length_frames
        };
        if self.playhead_frames >= end {
            self.playing = false;
            return Segment::Stopped { frames: max_frames };
        }
        let frames = (end - self.playhead_frames).min(max_frames as u64) as usize;
        let source_frame = self.playhead_frames;
        self.playhead_frames += frames as u64;
        if looping && self.playhead_frames == self.loop_end_frames {
            self.playhead_frames = self.loop_start_frames;
        }
        Segment::Playing {
            source_frame,
            frames,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing(length: u64) -> Transport {
        let mut t = Transport::new();
        t.set_length(length);
        t.play();
        t
    }

    #[test]
    fn stops_at_the_end() {
        let mut t = playing(100);
        assert_eq!(
            t.next_segment(64),
            Segment::Playing {
                source_frame: 0,
                frames: 64
            }
        );
        assert_eq!(
            t.next_segment(64),
            Segment::Playing {
                source_frame: 64,
                frames: 36
            }
        );
        assert_eq!(t.next_segment(28), Segment::Stopped { frames: 28 });
        assert!(!t.playing());
        assert_eq!(t.playhead_frames(), 100);
    }

    #[test]
    fn loops_on_the_exact_frame() {
        let mut t = playing(1000);
        t.set_loop(true, 10, 30);
        t.seek(25);
        let mut got = vec![];
        for _ in 0..4 {
            got.push(t.next_segment(16));
        }
        let p = |source_frame, frames| Segment::Playing {
            source_frame,
            frames,
        };
        assert_eq!(got, [p(25, 5), p(10, 16), p(26, 4), p(10, 16)]);
    }

    #[test]
    fn past_the_loop_end_it_plays_on() {
        let mut t = playing(1000);
        t.set_loop(true, 10, 30);
        t.seek(500);
        assert_eq!(
            t.next_segment(8),
            Segment::Playing {
                source_frame: 500,
                frames: 8
            }
        );
    }

    #[test]
    fn applies_requests_and_seeks_once_per_serial() {
        let mut t = playing(1000);
        let mut request = TransportRequest {
            playing: true,
            seek_serial: 1,
            seek_frame: 300.0,
            ..TransportRequest::default()
        };
        t.apply(&request);
        assert_eq!(t.playhead_frames(), 300);
        t.next_segment(10);
        t.apply(&request);
        assert_eq!(t.playhead_frames(), 310, "same serial: no new seek");
        request.seek_serial = 2;
        request.seek_frame = f64::NAN;
        request.playing = false;
        t.apply(&request);
        assert_eq!((t.playhead_frames(), t.playing()), (0, false));
        assert_eq!(t.next_segment(5), Segment::Stopped { frames: 5 });
    }
}
