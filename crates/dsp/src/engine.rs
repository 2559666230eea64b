//! The mixer: tracks → group buses → aux returns → master, with an engine-owned transport,
//! latency compensation and raw meters.
//!
//! Every track with a source is read at the playhead and runs through its [`ChannelStrip`]; its
//! output goes to the master or a bus, and its four sends to the four aux returns. Buses run
//! their own strips and go to the master (and may send too). Each return runs its effect and its
//! strip into the master; the master runs EQ, glue compressor, fader and true-peak limiter.
//! Routing, solo and delay compensation come from `crate::routing`. Parameter values arrive as
//! plain values by parameter-block slot (see `mixroom_protocol::params`).

use mixroom_protocol::layout::meter_block::{MasterFigures, StripFigures};
use mixroom_protocol::layout::param_block;
use mixroom_protocol::layout::transport_block::TransportRequest;
use mixroom_protocol::params::{ParamId, TrackChange, PARAM_SLOTS};
use mixroom_protocol::strips::{
    StripIndex, StripKind, MAX_BUSES, MAX_RETURNS, MAX_STRIPS, MAX_TRACKS,
};

use crate::bindings::{apply_compressor, apply_effect, apply_eq};
use crate::channel_strip::ChannelStrip;
use crate::crossfade::CROSSFADE_MS;
use crate::denormal::is_silent;
use crate::hidden_track::{self, HiddenTrackChange};
use crate::master_strip::MasterStrip;
use crate::return_effect::ReturnEffect;
use crate::routing::{plan, Dest, Plan};
use crate::taps::Taps;
use crate::transport::Segment;
use crate::{
    CompensationDelay, LinearSmoother, MeterAccumulator, Processor, Slope, Source, StereoBlock,
    Transport,
};

/// Longest compensation any path may need, ms: 10 ms of look-ahead at a track, a bus and a
/// return, with room to spare.
const MAX_COMPENSATION_MS: f32 = 40.0;

/// A bus or return is skipped once its input has been silent and its output exactly zero for
/// this long since its last parameter change (every glide, look-ahead line and filter tail has
/// ended by then), s. Until then it runs, so skipping never changes a sample.
const QUIET_S: f32 = 1.0;

/// A track slot: its source (once loaded), strip, route and compensation delays.
#[derive(Clone, Debug)]
struct Track {
    source: Option<Source>,
    strip: ChannelStrip,
    route: Route,
    main_delay: CompensationDelay,
    send_delays: [CompensationDelay; MAX_RETURNS],
}

/// A group bus: its summed input and strip.
#[derive(Clone, Debug)]
struct Bus {
    strip: ChannelStrip,
    input: [Vec<f32>; 2],
    quiet_frames: usize,
    main_delay: CompensationDelay,
    send_delays: [CompensationDelay; MAX_RETURNS],
}

/// An aux return: the sum of its sends, its effect and strip.
#[derive(Clone, Debug)]
struct Return {
    effect: ReturnEffect,
    strip: ChannelStrip,
    input: [Vec<f32>; 2],
    quiet_frames: usize,
    main_delay: CompensationDelay,
}

/// A track's destination, crossfading for 10 ms when it changes.
#[derive(Clone, Debug)]
struct Route {
    dest: Dest,
    previous: Option<Dest>,
    fade: LinearSmoother,
}

/// The whole mixer.
#[derive(Debug)]
pub struct Engine {
    sample_rate_hz: f32,
    max_frames: usize,
    tracks: Vec<Track>,
    buses: Vec<Bus>,
    returns: Vec<Return>,
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
    master_in: [Vec<f32>; 2],
    work: [Vec<f32>; 2],
    send: [Vec<f32>; 2],
}

fn stereo(frames: usize) -> [Vec<f32>; 2] {
    [vec![0.0; frames], vec![0.0; frames]]
}

fn add_into(dest: &mut [Vec<f32>; 2], src_l: &[f32], src_r: &[f32]) {
    for (d, s) in dest[0].iter_mut().zip(src_l) {
        *d += s;
    }
    for (d, s) in dest[1].iter_mut().zip(src_r) {
        *d += s;
    }
}

impl Engine {
    /// An engine with every parameter at its default, no sources and a stopped transport.
    /// It processes internally in stretches of at most `max_frames` frames (any block size can
    /// be handed to [`Self::process`]); everything is allocated here.
    pub fn new(sample_rate_hz: f32, max_frames: usize) -> Engine {
        let max_frames = max_frames.max(1);
        let compensation = (MAX_COMPENSATION_MS / 1000.0 * sample_rate_hz).ceil() as usize;
        let delay = || {
            let mut d = CompensationDelay::new();
            d.prepare(compensation);
            d
        };
        let strip = || {
            let mut s = ChannelStrip::new();
            s.prepare(sample_rate_hz, max_frames);
            s
        };
        let tracks = (0..MAX_TRACKS)
            .map(|_| Track {
                source: None,
                strip: strip(),
                route: Route {
                    dest: Dest::Master,
                    previous: None,
                    fade: LinearSmoother::new(1.0),
                },
                main_delay: delay(),
                send_delays: std::array::from_fn(|_| delay()),
            })
            .collect();
        let buses = (0..MAX_BUSES)
            .map(|_| Bus {
                strip: strip(),
                input: stereo(max_frames),
                quiet_frames: 0,
                main_delay: delay(),
                send_delays: std::array::from_fn(|_| delay()),
            })
            .collect();
        let returns = (0..MAX_RETURNS)
            .map(|_| {
                let mut effect = ReturnEffect::new();
                effect.prepare(sample_rate_hz, max_frames);
                Return {
                    effect,
                    strip: strip(),
                    input: stereo(max_frames),
                    quiet_frames: 0,
                    main_delay: delay(),
                }
            })
            .collect();
        let mut master = MasterStrip::new();
        master.prepare(sample_rate_hz, max_frames);
        let initial = param_block::initial_block();
        let mut engine = Engine {
            sample_rate_hz,
            max_frames,
            tracks,
            buses,
            returns,
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
            master_in: stereo(max_frames),
            work: stereo(max_frames),
            send: stereo(max_frames),
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
        for track in &mut self.tracks {
            track.strip.reset();
            track.route.previous = None;
            track.route.fade.snap();
            track.main_delay.reset();
            track
                .send_delays
                .iter_mut()
                .for_each(CompensationDelay::reset);
        }
        for bus in &mut self.buses {
            bus.strip.reset();
            bus.main_delay.reset();
            bus.send_delays
                .iter_mut()
                .for_each(CompensationDelay::reset);
            bus.quiet_frames = self.quiet_limit_frames;
        }
        for ret in &mut self.returns {
            ret.effect.reset();
            ret.strip.reset();
            ret.main_delay.reset();
            ret.quiet_frames = self.quiet_limit_frames;
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
        let position = strip.position();
        match strip.kind() {
            StripKind::Track => self.tracks[position].strip.latency_frames(),
            StripKind::Bus => self.buses[position].strip.latency_frames(),
            StripKind::Return => self.returns[position].strip.latency_frames(),
            StripKind::Master => self.master.latency_frames(),
        }
    }

    /// Works out routing, solo and compensation again (after a change that affects them).
    fn replan(&mut self) {
        let active: [bool; MAX_TRACKS] = std::array::from_fn(|t| self.tracks[t].source.is_some());
        let new = plan(&self.values, &active, |s| self.strip_latency(s));
        let fade_ms = CROSSFADE_MS;
        for (t, track) in self.tracks.iter_mut().enumerate() {
            let dest = new.track_dest[t];
            if dest != track.route.dest {
                track.route.previous = Some(track.route.dest);
                track.route.dest = dest;
                let mut fade = LinearSmoother::new(0.0);
                fade.set_ramp(self.sample_rate_hz, fade_ms);
                fade.set_target(1.0);
                track.route.fade = fade;
            }
            let strip = StripIndex::track(t).expect("track index in range");
            track.strip.set_audible(new.audible[strip.index()]);
            track.main_delay.set_delay_frames(new.track_main_delay[t]);
            for (d, &frames) in track.send_delays.iter_mut().zip(&new.track_send_delay[t]) {
                d.set_delay_frames(frames);
            }
        }
        for (b, bus) in self.buses.iter_mut().enumerate() {
            let strip = StripIndex::bus(b).expect("bus index in range");
            bus.strip.set_audible(new.audible[strip.index()]);
            bus.main_delay.set_delay_frames(new.bus_main_delay[b]);
            for (d, &frames) in bus.send_delays.iter_mut().zip(&new.bus_send_delay[b]) {
                d.set_delay_frames(frames);
            }
        }
        for (r, ret) in self.returns.iter_mut().enumerate() {
            let strip = StripIndex::aux_return(r).expect("return index in range");
            ret.strip.set_audible(new.audible[strip.index()]);
            ret.main_delay.set_delay_frames(new.return_main_delay[r]);
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
                ParamId::LimiterCeilingDbtp => {
                    self.master.limiter_mut().set_ceiling_dbtp(get(param))
                }
                ParamId::LimiterLookaheadMs => {
                    self.master.limiter_mut().set_lookahead_ms(get(param))
                }
                ParamId::LimiterReleaseMs => self.master.limiter_mut().set_release_ms(get(param)),
                ParamId::LimiterBypass => self.master.limiter_mut().set_bypassed(get(param) >= 0.5),
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
                    for (r, ret) in self.returns.iter_mut().enumerate() {
                        let s = StripIndex::aux_return(r).expect("return index in range");
                        ret.effect.set_delay_time(
                            values[ParamId::DelayTimeMs.slot(s)],
                            values[ParamId::DelaySync.slot(s)] as usize,
                            tempo,
                        );
                    }
                }
                _ => {
                    apply_eq(self.master.eq_mut(), param, get);
                    apply_compressor(self.master.compressor_mut(), param, get);
                }
            }
            return;
        }
        let tempo = values[ParamId::TempoBpm.slot(StripIndex::MASTER)];
        let position = strip.position();
        let (cs, effect) = match strip.kind() {
            StripKind::Track => (&mut self.tracks[position].strip, None),
            StripKind::Bus => {
                let bus = &mut self.buses[position];
                bus.quiet_frames = 0;
                (&mut bus.strip, None)
            }
            _ => {
                let ret = &mut self.returns[position];
                ret.quiet_frames = 0;
                (&mut ret.strip, Some(&mut ret.effect))
            }
        };
        let on = |p: ParamId| get(p) >= 0.5;
        match param {
            ParamId::EarTrackChange | ParamId::EarTrackValue | ParamId::EarTrackMakeupDb => {
                self.apply_moved(strip);
            }
            ParamId::GainDb => cs.set_gain_db(get(param)),
            ParamId::Pan => cs.set_pan(get(param)),
            ParamId::Width => cs.set_width(get(param)),
            ParamId::TrimDb => cs.set_trim_db(get(param)),
            ParamId::Polarity => cs.set_polarity_inverted(on(param)),
            ParamId::InsertOrder => cs.set_compressor_first(on(param)),
            ParamId::HpfMode => cs
                .high_pass_mut()
                .set_slope(Slope::from_index(get(param) as usize)),
            ParamId::HpfHz => cs.high_pass_mut().set_freq_hz(get(param)),
            ParamId::LpfMode => cs
                .low_pass_mut()
                .set_slope(Slope::from_index(get(param) as usize)),
            ParamId::LpfHz => cs.low_pass_mut().set_freq_hz(get(param)),
            ParamId::GateThresholdDb => cs.gate_mut().set_threshold_db(get(param)),
            ParamId::GateRangeDb => cs.gate_mut().set_range_db(get(param)),
            ParamId::GateAttackMs => cs.gate_mut().set_attack_ms(get(param)),
            ParamId::GateHoldMs => cs.gate_mut().set_hold_ms(get(param)),
            ParamId::GateReleaseMs => cs.gate_mut().set_release_ms(get(param)),
            ParamId::GateBypass => cs.gate_mut().set_bypassed(on(param)),
            _ => {
                if let Some((send, pre)) = param.send() {
                    if pre {
                        cs.set_send_pre_fader(send, on(param));
                    } else {
                        cs.set_send_db(send, get(param));
                    }
                } else if let Some(effect) = effect {
                    apply_effect(effect, param, get, tempo);
                }
                apply_eq(cs.eq_mut(), param, get);
                apply_compressor(cs.compressor_mut(), param, get);
            }
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
            tracks,
            buses,
            returns,
            master,
            taps,
            meters,
            dynamics,
            master_in,
            work,
            send,
            ..
        } = self;
        for buffer in master_in.iter_mut() {
            buffer[..n].fill(0.0);
        }
        for bus in buses.iter_mut() {
            bus.input[0][..n].fill(0.0);
            bus.input[1][..n].fill(0.0);
        }
        for ret in returns.iter_mut() {
            ret.input[0][..n].fill(0.0);
            ret.input[1][..n].fill(0.0);
        }
        let [work_l, work_r] = work;
        let [send_l, send_r] = send;
        let (work_l, work_r) = (&mut work_l[..n], &mut work_r[..n]);
        let (send_l, send_r) = (&mut send_l[..n], &mut send_r[..n]);

        for (t, track) in tracks.iter_mut().enumerate() {
            let Some(source) = &track.source else {
                meters[t].add_silence(n);
                continue;
            };
            match source_frame {
                Some(frame) => source.read_into(frame, work_l, work_r),
                None => {
                    work_l.fill(0.0);
                    work_r.fill(0.0);
                }
            }
            let mut block = StereoBlock::new(work_l, work_r);
            track.strip.run(&mut block, taps, t);
            meters[t].add(&block);
            merge_dynamics(&mut dynamics[t], track.strip.figures());
            for (r, ret) in returns.iter_mut().enumerate() {
                let mut contribution = StereoBlock::new(send_l, send_r);
                if track.strip.render_send(r, &block, &mut contribution) {
                    track.send_delays[r].process(contribution.left, contribution.right);
                    add_into(&mut ret.input, contribution.left, contribution.right);
                }
            }
            track.main_delay.process(block.left, block.right);
            route(track, &block, buses, master_in);
        }

        for (b, bus) in buses.iter_mut().enumerate() {
            let index = StripIndex::bus(b).expect("bus index in range").index();
            let input_silent = is_silent(&bus.input[0][..n]) && is_silent(&bus.input[1][..n]);
            if input_silent && bus.quiet_frames >= quiet_limit {
                meters[index].add_silence(n);
                continue;
            }
            work_l.copy_from_slice(&bus.input[0][..n]);
            work_r.copy_from_slice(&bus.input[1][..n]);
            let mut block = StereoBlock::new(work_l, work_r);
            bus.strip.run(&mut block, taps, index);
            meters[index].add(&block);
            merge_dynamics(&mut dynamics[index], bus.strip.figures());
            for (r, ret) in returns.iter_mut().enumerate() {
                let mut contribution = StereoBlock::new(send_l, send_r);
                if bus.strip.render_send(r, &block, &mut contribution) {
                    bus.send_delays[r].process(contribution.left, contribution.right);
                    add_into(&mut ret.input, contribution.left, contribution.right);
                }
            }
            bus.quiet_frames = if input_silent && is_silent(block.left) && is_silent(block.right) {
                bus.quiet_frames.saturating_add(n)
            } else {
                0
            };
            bus.main_delay.process(block.left, block.right);
            add_into(master_in, block.left, block.right);
        }

        for (r, ret) in returns.iter_mut().enumerate() {
            let index = StripIndex::aux_return(r)
                .expect("return index in range")
                .index();
            let input_silent = is_silent(&ret.input[0][..n]) && is_silent(&ret.input[1][..n]);
            if input_silent && ret.quiet_frames >= quiet_limit && ret.effect.is_idle() {
                meters[index].add_silence(n);
                continue;
            }
            work_l.copy_from_slice(&ret.input[0][..n]);
            work_r.copy_from_slice(&ret.input[1][..n]);
            let mut block = StereoBlock::new(work_l, work_r);
            ret.effect.run(&mut block);
            ret.strip.run(&mut block, taps, index);
            meters[index].add(&block);
            merge_dynamics(&mut dynamics[index], ret.strip.figures());
            ret.quiet_frames = if input_silent && is_silent(block.left) && is_silent(block.right) {
                ret.quiet_frames.saturating_add(n)
            } else {
                0
            };
            ret.main_delay.process(block.left, block.right);
            add_into(master_in, block.left, block.right);
        }

        out.left.copy_from_slice(&master_in[0][..n]);
        out.right.copy_from_slice(&master_in[1][..n]);
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

/// Adds a track's output to its destination, crossfading after a route change.
fn route(
    track: &mut Track,
    block: &StereoBlock<'_>,
    buses: &mut [Bus],
    master_in: &mut [Vec<f32>; 2],
) {
    fn target<'a>(
        dest: Dest,
        buses: &'a mut [Bus],
        master_in: &'a mut [Vec<f32>; 2],
    ) -> &'a mut [Vec<f32>; 2] {
        match dest {
            Dest::Master => master_in,
            Dest::Bus(b) => &mut buses[b].input,
        }
    }
    let Some(previous) = track.route.previous else {
        add_into(
            target(track.route.dest, buses, master_in),
            block.left,
            block.right,
        );
        return;
    };
    let start = track.route.fade;
    let frames = block.left.iter().zip(block.right.iter());
    let mut fade_in = start;
    let [into_l, into_r] = target(track.route.dest, buses, master_in);
    for ((l, r), (out_l, out_r)) in frames.clone().zip(into_l.iter_mut().zip(into_r.iter_mut())) {
        let g = fade_in.next_value();
        *out_l += l * g;
        *out_r += r * g;
    }
    let mut fade_out = start;
    let [from_l, from_r] = target(previous, buses, master_in);
    for ((l, r), (out_l, out_r)) in frames.zip(from_l.iter_mut().zip(from_r.iter_mut())) {
        let g = 1.0 - fade_out.next_value();
        *out_l += l * g;
        *out_r += r * g;
    }
    track.route.fade = fade_in;
    if fade_in.is_settled() {
        track.route.previous = None;
    }
}

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
        // The limiter would hold DC above its ceiling; these tests look at the mix itself.
        engine.set_param(ParamId::LimiterBypass.slot(StripIndex::MASTER), 1.0);
        engine.transport_mut().play();
        engine.reset();
        engine
    }

    /// Renders `frames` frames past the engine's latency and returns those.
    fn render(engine: &mut Engine, frames: usize) -> (Vec<f32>, Vec<f32>) {
        let latency = engine.latency_frames();
        let (mut l, mut r) = (vec![0.0; frames + latency], vec![0.0; frames + latency]);
        engine.process(&mut StereoBlock::new(&mut l, &mut r));
        (l.split_off(latency), r.split_off(latency))
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
        // The master's figures cover the whole call, the latency's leading zeros included.
        let master = engine.figures(StripIndex::MASTER);
        let latency = engine.latency_frames() as f32;
        assert!((master.peak[0] - 0.5).abs() < 1e-6);
        assert!((master.mean_square[0] - 0.25 * 64.0 / (64.0 + latency)).abs() < 1e-6);
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
    fn buses_sum_their_tracks_and_run_their_own_strip() {
        let mut engine = dc_engine(&[0.5, 0.25]);
        engine.set_param(ParamId::Output.slot(track(0)), 1.0);
        engine.set_param(ParamId::Output.slot(track(1)), 1.0);
        let bus = StripIndex::bus(0).unwrap();
        engine.set_param(ParamId::GainDb.slot(bus), -6.0);
        engine.reset();
        let (l, _) = render(&mut engine, 64);
        let centre = std::f32::consts::FRAC_1_SQRT_2;
        let expected = 0.75 * centre * db_to_lin(-6.0);
        assert!((l[40] - expected).abs() < 1e-6, "{} vs {expected}", l[40]);
        assert!((engine.figures(bus).peak[0] - 0.75 * centre * db_to_lin(-6.0)).abs() < 1e-6);
    }

    #[test]
    fn sends_feed_the_returns_before_or_after_the_fader() {
        let mut engine = dc_engine(&[0.5]);
        let ret = StripIndex::aux_return(0).unwrap();
        engine.set_param(ParamId::ReturnEffect.slot(ret), 0.0); // dry return
        engine.set_param(ParamId::Send1Db.slot(track(0)), 0.0);
        engine.set_param(ParamId::GainDb.slot(track(0)), SILENCE_DB_TEST);
        engine.reset();
        render(&mut engine, 64);
        assert_eq!(
            engine.figures(ret).peak,
            [0.0, 0.0],
            "post-fader send follows the fader"
        );
        engine.set_param(ParamId::Send1Pre.slot(track(0)), 1.0);
        engine.reset();
        render(&mut engine, 64);
        let peak = engine.figures(ret).peak[0];
        assert!(
            (peak - 0.5).abs() < 1e-6,
            "pre-fader send ignores the fader: {peak}"
        );
        engine.set_param(ParamId::Mute.slot(track(0)), 1.0);
        engine.reset();
        render(&mut engine, 64);
        assert_eq!(engine.figures(ret).peak, [0.0, 0.0], "mute silences sends");
    }

    const SILENCE_DB_TEST: f32 = mixroom_protocol::units::SILENCE_DB;

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
