//! The mixer: tracks → group buses → aux returns → master, with an engine-owned transport,
//! latency compensation and raw meters.
//!
//! Every track with a source is read at the playhead and runs through its [`ChannelStrip`]; its
//! output goes to the master or a bus, and its four sends to the four aux returns. Buses run
//! their own strips and go to the master (and may send too). Each return runs its effect and its
//! strip into the master; the master runs EQ, glue compressor, fader and true-peak limiter.
//! Routing, solo and delay compensation come from `crate::routing`. Parameter values arrive as
//! plain values by parameter-block slot (see `mixroom_protocol::params`) and reach the
//! processors through `crate::bindings`.
//!
//! Tracks, buses and returns are one kind of slot (`slot`), run in strip-index order by one
//! loop: a slot feeds only slots after it (tracks feed buses and returns, buses feed returns),
//! so every sum is complete before the slot that reads it runs.

use mixroom_protocol::layout::meter_block::{MasterFigures, StripFigures};
use mixroom_protocol::layout::param_block;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::params::{ParamId, TrackChange, PARAM_SLOTS};
use mixroom_protocol::strips::{StripIndex, StripKind, MAX_STRIPS, MAX_TRACKS};

use crate::bindings::{apply_compressor, apply_effect, apply_eq, apply_limiter, apply_strip};
use crate::denormal::is_silent;
use crate::hidden_track::{self, HiddenTrackChange};
use crate::master_strip::MasterStrip;
use crate::routing::{plan, Plan};
use crate::taps::Taps;
use crate::transport::Segment;
use crate::{MeterAccumulator, Processor, Source, StereoBlock, Transport};

mod slot;

use slot::{add_into, Feed, Slot, Sums};

/// Longest compensation any path may need, ms: 10 ms of look-ahead at a track, a bus and a
/// return, with room to spare.
const MAX_COMPENSATION_MS: f32 = 40.0;

/// A bus or return is skipped once its input has been silent and its output exactly zero for
/// this long since its last parameter change (every glide, look-ahead line and filter tail has
/// ended by then), s. Until then it runs, so skipping never changes a sample.
const QUIET_S: f32 = 1.0;

/// The whole mixer.
#[derive(Debug)]
pub struct Engine {
    sample_rate_hz: f32,
    max_frames: usize,
    /// The tracks, buses and returns, by strip index: each feeds only slots after it.
    slots: Vec<Slot>,
    /// What the buses, returns and master collect.
    sums: Sums,
    master: MasterStrip,
    transport: Transport,
    /// Current plain value of every parameter slot.
    values: Vec<f32>,
    plan: Plan,
    plan_dirty: bool,
    quiet_limit_frames: usize,
    /// A/B: every insert, effect and the master's EQ and compressor bypassed.
    bypass_all: bool,
    loudness_reset_serial: i32,
    taps: Taps,
    meters: Vec<MeterAccumulator>,
    dynamics: Vec<StripFigures>,
    work: [Vec<f32>; 2],
    send: [Vec<f32>; 2],
}

impl Engine {
    /// An engine with every parameter at its default, no sources and a stopped transport.
    /// It processes internally in stretches of at most `max_frames` frames (any block size can
    /// be handed to [`Self::process`]); everything is allocated here.
    pub fn new(sample_rate_hz: f32, max_frames: usize) -> Engine {
        let max_frames = max_frames.max(1);
        let compensation = (MAX_COMPENSATION_MS / 1000.0 * sample_rate_hz).ceil() as usize;
        let slots = StripIndex::all()
            .filter(|s| s.kind() != StripKind::Master)
            .map(|s| Slot::new(s, sample_rate_hz, max_frames, compensation))
            .collect();
        let mut master = MasterStrip::new();
        master.prepare(sample_rate_hz, max_frames);
        let initial = param_block::initial_block();
        let mut engine = Engine {
            sample_rate_hz,
            max_frames,
            slots,
            sums: Sums::new(max_frames),
            master,
            transport: Transport::new(),
            values: (0..PARAM_SLOTS)
                .map(|slot| param_block::read_value(&initial, slot))
                .collect(),
            plan: Plan::default(),
            plan_dirty: true,
            quiet_limit_frames: (QUIET_S * sample_rate_hz) as usize,
            bypass_all: false,
            loudness_reset_serial: 0,
            taps: Taps::new(),
            meters: vec![MeterAccumulator::default(); MAX_STRIPS],
            dynamics: vec![StripFigures::default(); MAX_STRIPS],
            work: [vec![0.0; max_frames], vec![0.0; max_frames]],
            send: [vec![0.0; max_frames], vec![0.0; max_frames]],
        };
        for slot in 0..PARAM_SLOTS {
            if let Some((param, strip)) = ParamId::from_slot(slot) {
                if param.spec().reaches(strip.kind()) {
                    engine.apply(param, strip);
                }
            }
        }
        engine.replan();
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
        if !spec.reaches(strip.kind()) {
            return;
        }
        let value = spec.sanitize(value);
        if self.values[slot] == value {
            return;
        }
        self.values[slot] = value;
        self.apply(param, strip);
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

    /// Applies the transport state the UI asked for (and starts a new loudness measurement when
    /// its reset serial is new).
    pub fn apply_transport(&mut self, request: &TransportRequest) {
        self.transport.apply(request);
        if request.loudness_reset_serial != self.loudness_reset_serial {
            self.loudness_reset_serial = request.loudness_reset_serial;
            self.master.reset_loudness();
        }
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
        let slot = &mut self.slots[StripIndex::track(track)?.index()];
        let Feed::Source(held) = &mut slot.feed else {
            return None;
        };
        if let Some(source) = &source {
            slot.strip.set_mono_input(source.is_mono());
        }
        let old = std::mem::replace(held, source);
        slot.strip.reset();
        let length = self
            .slots
            .iter()
            .filter_map(Slot::source)
            .map(|s| s.frames() as u64)
            .max()
            .unwrap_or(0);
        self.transport.set_length(length);
        self.plan_dirty = true;
        old
    }

    /// Points spectrum tap `tap` at a strip and point (a `spectrum_block` selector, −1 = off).
    pub fn select_tap(&mut self, tap: usize, selector: i32) {
        self.taps.select(tap, selector);
    }

    /// The samples of spectrum tap `tap` over the last [`Self::process`] call (`frames` long).
    pub fn tap_samples(&self, tap: usize, frames: usize) -> &[f32] {
        self.taps.samples(tap, frames)
    }

    /// Clears all signal state: smoothers jump to their targets, delay lines, effect tails and
    /// meters empty, the loudness measurement starts over. Parameters, sources and the
    /// transport stay.
    pub fn reset(&mut self) {
        if self.plan_dirty {
            self.replan();
        }
        for slot in &mut self.slots {
            slot.reset(self.quiet_limit_frames);
        }
        self.master.reset();
        self.master.reset_loudness();
        for meter in &mut self.meters {
            meter.clear();
        }
    }

    /// Starts a new loudness measurement (integrated loudness, range and maxima).
    pub fn reset_loudness(&mut self) {
        self.master.reset_loudness();
    }

    /// Renders the next `out.frames()` frames (any number) into `out`, advancing the transport.
    /// Meter figures then describe exactly these frames.
    pub fn process(&mut self, out: &mut StereoBlock<'_>) {
        for (meter, dynamics) in self.meters.iter_mut().zip(&mut self.dynamics) {
            meter.clear();
            *dynamics = StripFigures::default();
        }
        let frames = out.frames();
        self.taps.clear(frames);
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
            self.taps.set_base(done);
            self.render_range(
                &mut StereoBlock::new(&mut out.left[range.clone()], &mut out.right[range]),
                source_frame,
            );
            done += len;
        }
    }

    /// Meter figures of `strip` over the last [`Self::process`] call.
    pub fn figures(&self, strip: StripIndex) -> StripFigures {
        let dynamics = self.dynamics[strip.index()];
        StripFigures {
            gain_reduction_db: dynamics.gain_reduction_db,
            clip: dynamics.clip,
            ..self.meters[strip.index()].figures()
        }
    }

    /// The master's loudness, true peak and correlation after the last [`Self::process`].
    pub fn master_figures(&self) -> MasterFigures {
        MasterFigures {
            latency_frames: self.latency_frames() as f32,
            ..self.master.master_figures()
        }
    }

    /// Total latency from the sources to the output, frames (look-ahead dynamics).
    pub fn latency_frames(&self) -> usize {
        self.plan.master_input_latency + self.master.latency_frames()
    }

    fn strip_latency(&self, strip: StripIndex) -> usize {
        match strip.kind() {
            StripKind::Master => self.master.latency_frames(),
            _ => self.slots[strip.index()].strip.latency_frames(),
        }
    }

    /// Works out routing, solo and compensation again (after a change that affects them).
    fn replan(&mut self) {
        let active: [bool; MAX_TRACKS] = std::array::from_fn(|t| self.slots[t].source().is_some());
        let new = plan(&self.values, &active, |s| self.strip_latency(s));
        for (index, slot) in self.slots.iter_mut().enumerate() {
            slot.replan(&new, index, self.sample_rate_hz);
        }
        self.master
            .set_audible(new.audible[StripIndex::MASTER.index()]);
        self.plan = new;
        self.plan_dirty = false;
    }

    /// The hidden change heard on track `strip` now, if ear training hides one there and the
    /// changed version plays.
    fn hidden_track(&self, strip: StripIndex) -> Option<HiddenTrackChange> {
        let value = |p: ParamId| self.values[p.slot(strip)];
        let change = TrackChange::from_value(value(ParamId::EarTrackChange));
        let heard = strip.kind() == StripKind::Track
            && change != TrackChange::None
            && self.values[ParamId::EarOn.slot(StripIndex::MASTER)] >= 0.5;
        heard.then(|| HiddenTrackChange {
            change,
            amount: value(ParamId::EarTrackValue),
            makeup_db: value(ParamId::EarTrackMakeupDb),
        })
    }

    /// Hands track `strip` the settings a hidden change may move, again.
    fn apply_moved(&mut self, strip: StripIndex) {
        for param in hidden_track::MOVED {
            self.apply(param, strip);
        }
    }

    /// Hands the value of `param` on `strip` to whatever processes it.
    fn apply(&mut self, param: ParamId, strip: StripIndex) {
        if param == ParamId::BypassAll {
            self.bypass_all = self.values[param.slot(strip)] >= 0.5;
            for s in StripIndex::all() {
                for p in BYPASSED_BY_ALL {
                    if p.spec().applies_to(s.kind()) {
                        self.apply(p, s);
                    }
                }
            }
            return;
        }
        let bypass_all = self.bypass_all;
        let hidden = self.hidden_track(strip);
        let values = &self.values;
        let get = |p: ParamId| {
            let v = values[p.slot(strip)];
            let v = hidden.map_or(v, |h| h.setting(p, v));
            match p {
                _ if !bypass_all => v,
                ParamId::EqBypass
                | ParamId::CompBypass
                | ParamId::GateBypass
                | ParamId::EffectBypass => 1.0,
                ParamId::HpfMode | ParamId::LpfMode => 0.0,
                _ => v,
            }
        };
        if matches!(
            param,
            ParamId::Mute
                | ParamId::Solo
                | ParamId::Output
                | ParamId::CompLookaheadMs
                | ParamId::LimiterLookaheadMs
        ) || param.send().is_some_and(|(_, pre)| !pre)
        {
            self.plan_dirty = true;
        }
        if strip.kind() == StripKind::Master {
            let tempo = get(ParamId::TempoBpm);
            match param {
                ParamId::GainDb => self.master.set_gain_db(get(param)),
                ParamId::EarOn => {
                    self.master.hidden_mut().set_changed(get(param) >= 0.5);
                    for track in (0..MAX_TRACKS).filter_map(StripIndex::track) {
                        if self.values[ParamId::EarTrackChange.slot(track)] != 0.0 {
                            self.apply_moved(track);
                        }
                    }
                }
                ParamId::EarMatchDb => self.master.hidden_mut().set_match_db(get(param)),
                ParamId::EarEqHz | ParamId::EarEqGainDb | ParamId::EarEqQ => {
                    self.master.hidden_mut().set_bell(
                        get(ParamId::EarEqHz),
                        get(ParamId::EarEqGainDb),
                        get(ParamId::EarEqQ),
                    )
                }
                ParamId::TempoBpm => {
                    for (index, slot) in self.slots.iter_mut().enumerate() {
                        let Some(effect) = &mut slot.effect else {
                            continue;
                        };
                        let s = StripIndex::from_index(index).expect("slot index names a strip");
                        effect.set_delay_time(
                            values[ParamId::DelayTimeMs.slot(s)],
                            values[ParamId::DelaySync.slot(s)] as usize,
                            tempo,
                        );
                    }
                }
                _ => {
                    apply_limiter(self.master.limiter_mut(), param, get);
                    apply_eq(self.master.eq_mut(), param, get);
                    apply_compressor(self.master.compressor_mut(), param, get);
                }
            }
            return;
        }
        if matches!(
            param,
            ParamId::EarTrackChange | ParamId::EarTrackValue | ParamId::EarTrackMakeupDb
        ) {
            self.apply_moved(strip);
            return;
        }
        let tempo = values[ParamId::TempoBpm.slot(StripIndex::MASTER)];
        let slot = &mut self.slots[strip.index()];
        slot.wake();
        apply_strip(&mut slot.strip, param, get);
        if let Some(effect) = &mut slot.effect {
            apply_effect(effect, param, get, tempo);
        }
    }

    /// Renders one stretch (at most `max_frames`) in which the source position is contiguous.
    fn render_range(&mut self, out: &mut StereoBlock<'_>, source_frame: Option<u64>) {
        if self.plan_dirty {
            self.replan();
        }
        let n = out.frames();
        let quiet_limit = self.quiet_limit_frames;
        let Engine {
            slots,
            sums,
            master,
            taps,
            meters,
            dynamics,
            work,
            send,
            ..
        } = self;
        sums.clear(n);
        let [work_l, work_r] = work;
        let [send_l, send_r] = send;
        let (work_l, work_r) = (&mut work_l[..n], &mut work_r[..n]);
        let (send_l, send_r) = (&mut send_l[..n], &mut send_r[..n]);

        for (index, slot) in slots.iter_mut().enumerate() {
            let strip = StripIndex::from_index(index).expect("slot index names a strip");
            let input_silent = match &slot.feed {
                Feed::Source(None) => {
                    meters[index].add_silence(n);
                    continue;
                }
                Feed::Source(Some(source)) => {
                    match source_frame {
                        Some(frame) => source.read_into(frame, work_l, work_r),
                        None => {
                            work_l.fill(0.0);
                            work_r.fill(0.0);
                        }
                    }
                    false
                }
                Feed::Sum { quiet_frames } => {
                    let [in_l, in_r] = sums.get(strip);
                    let silent = is_silent(&in_l[..n]) && is_silent(&in_r[..n]);
                    let idle = slot.effect.as_ref().is_none_or(|e| e.is_idle());
                    if silent && *quiet_frames >= quiet_limit && idle {
                        meters[index].add_silence(n);
                        continue;
                    }
                    work_l.copy_from_slice(&in_l[..n]);
                    work_r.copy_from_slice(&in_r[..n]);
                    silent
                }
            };
            let mut block = StereoBlock::new(work_l, work_r);
            if let Some(effect) = &mut slot.effect {
                effect.run(&mut block);
            }
            slot.strip.run(&mut block, taps, index);
            meters[index].add(&block);
            merge_dynamics(&mut dynamics[index], slot.strip.figures());
            for (r, delay) in slot.send_delays.iter_mut().enumerate() {
                let mut contribution = StereoBlock::new(send_l, send_r);
                if slot.strip.render_send(r, &block, &mut contribution) {
                    delay.process(contribution.left, contribution.right);
                    let ret = StripIndex::aux_return(r).expect("send index names a return");
                    add_into(sums.get_mut(ret), contribution.left, contribution.right);
                }
            }
            if let Feed::Sum { quiet_frames } = &mut slot.feed {
                *quiet_frames = if input_silent && is_silent(block.left) && is_silent(block.right) {
                    quiet_frames.saturating_add(n)
                } else {
                    0
                };
            }
            slot.main_delay.process(block.left, block.right);
            slot.route(&block, sums);
        }

        let [master_l, master_r] = sums.get(StripIndex::MASTER);
        out.left.copy_from_slice(&master_l[..n]);
        out.right.copy_from_slice(&master_r[..n]);
        master.run(out, taps);
        let index = StripIndex::MASTER.index();
        meters[index].add(out);
        merge_dynamics(&mut dynamics[index], master.figures());
    }
}

/// The parameters "bypass all processing" overrides (see `ParamId::BypassAll`).
const BYPASSED_BY_ALL: [ParamId; 6] = [
    ParamId::EqBypass,
    ParamId::CompBypass,
    ParamId::GateBypass,
    ParamId::EffectBypass,
    ParamId::HpfMode,
    ParamId::LpfMode,
];

fn merge_dynamics(into: &mut StripFigures, from: StripFigures) {
    for (a, b) in into
        .gain_reduction_db
        .iter_mut()
        .zip(from.gain_reduction_db)
    {
        *a = a.max(b);
    }
    into.clip |= from.clip;
}

#[cfg(test)]
mod tests;
