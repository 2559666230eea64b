//! The mixer: tracks → master, with an engine-owned transport and raw meters.
//!
//! Every track with a source is read at the playhead, run through its [`Strip`] and summed; the
//! sum runs through the master strip. Mute and solo follow solo-in-place: while any track is
//! soloed, only soloed tracks are heard; a muted track is never heard. Parameter values arrive as
//! plain values by parameter-block slot (see `mixroom_protocol::params`).

use mixroom_protocol::layout::meter_block::StripFigures;
use mixroom_protocol::layout::param_block;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::params::{ParamId, PARAM_SLOTS};
use mixroom_protocol::strips::{StripIndex, StripKind, MAX_STRIPS, MAX_TRACKS};

use crate::transport::Segment;
use crate::{MeterAccumulator, Processor, Source, StereoBlock, Strip, Transport};

/// A track slot: its strip and, once loaded, its source.
#[derive(Clone, Debug, Default)]
struct Track {
    source: Option<Source>,
    strip: Strip,
}

/// The whole mixer.
#[derive(Debug)]
pub struct Engine {
    sample_rate_hz: f32,
    max_frames: usize,
    tracks: Vec<Track>,
    master: Strip,
    transport: Transport,
    /// Current plain value of every parameter slot.
    values: Vec<f32>,
    meters: Vec<MeterAccumulator>,
    mix: [Vec<f32>; 2],
    scratch: [Vec<f32>; 2],
}

impl Engine {
    /// An engine with every parameter at its default, no sources and a stopped transport.
    /// Allocates all scratch space for blocks of up to `max_frames` frames.
    pub fn new(sample_rate_hz: f32, max_frames: usize) -> Engine {
        let max_frames = max_frames.max(1);
        let mut engine = Engine {
            sample_rate_hz,
            max_frames,
            tracks: vec![Track::default(); MAX_TRACKS],
            master: Strip::new(),
            transport: Transport::new(),
            values: vec![0.0; PARAM_SLOTS],
            meters: vec![MeterAccumulator::default(); MAX_STRIPS],
            mix: [vec![0.0; max_frames], vec![0.0; max_frames]],
            scratch: [vec![0.0; max_frames], vec![0.0; max_frames]],
        };
        for track in &mut engine.tracks {
            track.strip.prepare(sample_rate_hz, max_frames);
        }
        engine.master.prepare(sample_rate_hz, max_frames);
        engine.apply_param_block(&param_block::initial_block());
        engine.reset();
        engine
    }

    /// The sample rate, Hz.
    pub fn sample_rate_hz(&self) -> f32 {
        self.sample_rate_hz
    }

    /// Sets parameter-block slot `slot` to the plain value `value` (made valid first). Slots that
    /// name no parameter of an existing strip are ignored.
    pub fn set_param(&mut self, slot: usize, value: f32) {
        let Some((param, strip)) = ParamId::from_slot(slot) else {
            return;
        };
        let spec = param.spec();
        if !spec.applies_to(strip.kind()) {
            return;
        }
        let value = spec.sanitize(value);
        if self.values[slot] == value {
            return;
        }
        self.values[slot] = value;
        match param {
            ParamId::GainDb => self.strip_mut(strip).set_gain_db(value),
            ParamId::Pan => self.strip_mut(strip).set_pan(value),
            ParamId::Mute | ParamId::Solo => self.update_audibility(),
            _ => {}
        }
    }

    /// Applies every value of a parameter block.
    pub fn apply_param_block(&mut self, block: &[u8]) {
        for (slot, value) in param_block::values(block) {
            self.set_param(slot, value);
        }
    }

    /// The current plain value of `param` on `strip`.
    pub fn param(&self, param: ParamId, strip: StripIndex) -> f32 {
        self.values[param.slot(strip)]
    }

    /// Applies the transport state the UI asked for.
    pub fn apply_transport(&mut self, request: &TransportRequest) {
        self.transport.apply(request);
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The transport, to drive it directly (native renders, tests).
    pub fn transport_mut(&mut self) -> &mut Transport {
        &mut self.transport
    }

    /// Puts `source` on track `track` (or clears it with `None`) and returns what was there.
    /// Loading is not real-time: the caller decides where the old source is dropped.
    pub fn load_source(&mut self, track: usize, source: Option<Source>) -> Option<Source> {
        let slot = self.tracks.get_mut(track)?;
        if let Some(source) = &source {
            slot.strip.set_mono_input(source.is_mono());
        }
        slot.strip.reset();
        let old = std::mem::replace(&mut slot.source, source);
        let length = self
            .tracks
            .iter()
            .filter_map(|t| t.source.as_ref())
            .map(|s| s.frames() as u64)
            .max()
            .unwrap_or(0);
        self.transport.set_length(length);
        old
    }

    /// Clears all signal state: smoothers jump to their targets, meters empty. Parameters,
    /// sources and the transport stay.
    pub fn reset(&mut self) {
        for track in &mut self.tracks {
            track.strip.reset();
        }
        self.master.reset();
        for meter in &mut self.meters {
            meter.clear();
        }
    }

    /// Renders the next `out.frames()` frames (any number) into `out`, advancing the transport.
    /// Meter figures then describe exactly these frames.
    pub fn process(&mut self, out: &mut StereoBlock<'_>) {
        for meter in &mut self.meters {
            meter.clear();
        }
        let frames = out.frames();
        let mut done = 0;
        while done < frames {
            let segment = self
                .transport
                .next_segment((frames - done).min(self.max_frames));
            let (source_frame, len) = match segment {
                Segment::Playing {
                    source_frame,
                    frames,
                } => (Some(source_frame), frames),
                Segment::Stopped { frames } => (None, frames),
            };
            let range = done..done + len;
            self.render_range(
                &mut StereoBlock::new(&mut out.left[range.clone()], &mut out.right[range]),
                source_frame,
            );
            done += len;
        }
    }

    /// Meter figures of `strip` over the last [`Self::process`] call.
    pub fn figures(&self, strip: StripIndex) -> StripFigures {
        self.meters[strip.index()].figures()
    }

    fn strip_mut(&mut self, strip: StripIndex) -> &mut Strip {
        match strip.kind() {
            StripKind::Track => &mut self.tracks[strip.index()].strip,
            _ => &mut self.master,
        }
    }

    fn update_audibility(&mut self) {
        let on = |slot: usize| self.values[slot] >= 0.5;
        let tracks = (0..MAX_TRACKS).filter_map(StripIndex::track);
        let any_solo = tracks.clone().any(|t| on(ParamId::Solo.slot(t)));
        for t in tracks {
            let audible = !on(ParamId::Mute.slot(t)) && (!any_solo || on(ParamId::Solo.slot(t)));
            self.tracks[t.index()].strip.set_audible(audible);
        }
        let master_audible = !on(ParamId::Mute.slot(StripIndex::MASTER));
        self.master.set_audible(master_audible);
    }

    /// Renders one stretch (at most `max_frames`) in which the source position is contiguous.
    fn render_range(&mut self, out: &mut StereoBlock<'_>, source_frame: Option<u64>) {
        let n = out.frames();
        let [mix_l, mix_r] = &mut self.mix;
        let (mix_l, mix_r) = (&mut mix_l[..n], &mut mix_r[..n]);
        mix_l.fill(0.0);
        mix_r.fill(0.0);
        let [scratch_l, scratch_r] = &mut self.scratch;
        for (track, meter) in self.tracks.iter_mut().zip(&mut self.meters) {
            let Some(source) = &track.source else {
                meter.add_silence(n);
                continue;
            };
            let (l, r) = (&mut scratch_l[..n], &mut scratch_r[..n]);
            match source_frame {
                Some(frame) => source.read_into(frame, l, r),
                None => {
                    l.fill(0.0);
                    r.fill(0.0);
                }
            }
            let mut block = StereoBlock::new(l, r);
            track.strip.process(&mut block);
            meter.add(&block);
            for (m, x) in mix_l.iter_mut().zip(block.left.iter()) {
                *m += x;
            }
            for (m, x) in mix_r.iter_mut().zip(block.right.iter()) {
                *m += x;
            }
        }
        let mut master = StereoBlock::new(mix_l, mix_r);
        self.master.process(&mut master);
        self.meters[StripIndex::MASTER.index()].add(&master);
        out.left.copy_from_slice(master.left);
        out.right.copy_from_slice(master.right);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mixroom_protocol::units::db_to_lin;

    fn track(i: usize) -> StripIndex {
        StripIndex::track(i).unwrap()
    }

    fn dc_engine(tracks: &[f32]) -> Engine {
        let mut engine = Engine::new(48_000.0, 256);
        for (i, &level) in tracks.iter().enumerate() {
            engine.load_source(i, Some(Source::new(vec![vec![level; 48_000]]).unwrap()));
        }
        engine.transport_mut().play();
        engine
    }

    fn render(engine: &mut Engine, frames: usize) -> (Vec<f32>, Vec<f32>) {
        let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
        (l, r)
    }

    #[test]
    fn sums_tracks_with_pan_and_gain() {
        let mut engine = dc_engine(&[0.5, 0.25]);
        engine.set_param(ParamId::Pan.slot(track(0)), -1.0);
        engine.set_param(ParamId::GainDb.slot(track(1)), -6.0);
        engine.set_param(ParamId::Pan.slot(track(1)), 1.0);
        engine.reset();
        let (l, r) = render(&mut engine, 64);
        assert!((l[10] - 0.5).abs() < 1e-6, "{}", l[10]);
        assert!((r[10] - 0.25 * db_to_lin(-6.0)).abs() < 1e-6, "{}", r[10]);
        let figures = engine.figures(track(0));
        assert!((figures.peak[0] - 0.5).abs() < 1e-6 && figures.peak[1] < 1e-6);
        assert!((engine.figures(StripIndex::MASTER).mean_square[0] - 0.25).abs() < 1e-6);
    }

    #[test]
    fn solo_in_place_silences_the_others_and_mute_wins() {
        let mut engine = dc_engine(&[0.5, 0.25, 0.125]);
        engine.set_param(ParamId::Solo.slot(track(1)), 1.0);
        engine.set_param(ParamId::Solo.slot(track(2)), 1.0);
        engine.set_param(ParamId::Mute.slot(track(2)), 1.0);
        engine.reset();
        render(&mut engine, 64);
        assert_eq!(engine.figures(track(0)).peak, [0.0, 0.0]);
        assert!(engine.figures(track(1)).peak[0] > 0.1);
        assert_eq!(engine.figures(track(2)).peak, [0.0, 0.0]);
    }

    #[test]
    fn ignores_slots_that_name_nothing() {
        let mut engine = dc_engine(&[0.5]);
        engine.set_param(ParamId::Pan.slot(StripIndex::MASTER), 1.0);
        engine.set_param(ParamId::Solo.slot(StripIndex::MASTER), 1.0);
        engine.set_param(100, 1.0);
        engine.set_param(usize::MAX, 1.0);
        assert_eq!(engine.param(ParamId::Pan, StripIndex::MASTER), 0.0);
        let (l, _) = render(&mut engine, 16);
        assert!(l[15] > 0.3);
    }

    #[test]
    fn stopped_transport_is_silent_and_keeps_the_playhead() {
        let mut engine = dc_engine(&[0.5]);
        engine.transport_mut().pause();
        let (l, r) = render(&mut engine, 300);
        assert!(l.iter().chain(&r).all(|&x| x == 0.0));
        assert_eq!(engine.transport().playhead_frames(), 0);
    }
}
