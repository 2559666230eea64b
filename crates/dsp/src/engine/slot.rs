//! The engine's strip slots: a track, group bus or aux return with what feeds it, its strip,
//! its compensation delays and where its output goes; and the sums that buses, returns and the
//! master collect.

use mixroom_protocol::strips::{StripIndex, StripKind, MAX_BUSES, MAX_RETURNS};

use crate::crossfade::CROSSFADE_MS;
use crate::return_effect::ReturnEffect;
use crate::routing::{Dest, Plan};
use crate::{ChannelStrip, CompensationDelay, LinearSmoother, Processor, Source, StereoBlock};

/// What feeds a slot.
#[derive(Clone, Debug)]
pub(super) enum Feed {
    /// A track: its source, once loaded.
    Source(Option<Source>),
    /// A bus or return: its sum in [`Sums`], and how long the slot has been quiet since its
    /// last parameter change, frames.
    Sum { quiet_frames: usize },
}

/// A track, bus or return of the mixer.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub feed: Feed,
    /// A return's effect, run before its strip.
    pub effect: Option<ReturnEffect>,
    pub strip: ChannelStrip,
    pub route: Route,
    pub main_delay: CompensationDelay,
    /// One compensation delay per send; none for a return (returns do not send).
    pub send_delays: Vec<CompensationDelay>,
}

/// A slot's destination, crossfading for [`CROSSFADE_MS`] when it changes.
#[derive(Clone, Debug)]
pub(super) struct Route {
    dest: Dest,
    previous: Option<Dest>,
    fade: LinearSmoother,
}

impl Slot {
    /// The slot of `strip` (not the master), prepared: delays hold up to `max_delay_frames`.
    pub fn new(
        strip: StripIndex,
        sample_rate_hz: f32,
        max_frames: usize,
        max_delay_frames: usize,
    ) -> Slot {
        let delay = || {
            let mut d = CompensationDelay::new();
            d.prepare(max_delay_frames);
            d
        };
        let mut channel_strip = ChannelStrip::new();
        channel_strip.prepare(sample_rate_hz, max_frames);
        let kind = strip.kind();
        let effect = (kind == StripKind::Return).then(|| {
            let mut effect = ReturnEffect::new();
            effect.prepare(sample_rate_hz, max_frames);
            effect
        });
        let sends = if kind == StripKind::Return {
            0
        } else {
            MAX_RETURNS
        };
        Slot {
            feed: match kind {
                StripKind::Track => Feed::Source(None),
                _ => Feed::Sum { quiet_frames: 0 },
            },
            effect,
            strip: channel_strip,
            route: Route {
                dest: Dest::Master,
                previous: None,
                fade: LinearSmoother::new(1.0),
            },
            main_delay: delay(),
            send_delays: (0..sends).map(|_| delay()).collect(),
        }
    }

    /// The track's source, if this is a track with one.
    pub fn source(&self) -> Option<&Source> {
        match &self.feed {
            Feed::Source(source) => source.as_ref(),
            Feed::Sum { .. } => None,
        }
    }

    /// Marks a parameter change: a bus or return runs again until it has been quiet long enough.
    pub fn wake(&mut self) {
        if let Feed::Sum { quiet_frames } = &mut self.feed {
            *quiet_frames = 0;
        }
    }

    /// Clears all signal state; a bus or return counts as quiet for `quiet_frames`.
    pub fn reset(&mut self, quiet_frames: usize) {
        if let Some(effect) = &mut self.effect {
            effect.reset();
        }
        self.strip.reset();
        self.route.previous = None;
        self.route.fade.snap();
        self.main_delay.reset();
        self.send_delays
            .iter_mut()
            .for_each(CompensationDelay::reset);
        if let Feed::Sum { quiet_frames: q } = &mut self.feed {
            *q = quiet_frames;
        }
    }

    /// Takes the routing, audibility and compensation `plan` gives strip `index`; a new
    /// destination crossfades from the old one.
    pub fn replan(&mut self, plan: &Plan, index: usize, sample_rate_hz: f32) {
        let dest = plan.dest[index];
        if dest != self.route.dest {
            self.route.previous = Some(self.route.dest);
            self.route.dest = dest;
            let mut fade = LinearSmoother::new(0.0);
            fade.set_ramp(sample_rate_hz, CROSSFADE_MS);
            fade.set_target(1.0);
            self.route.fade = fade;
        }
        self.strip.set_audible(plan.audible[index]);
        self.main_delay.set_delay_frames(plan.main_delay[index]);
        for (d, &frames) in self.send_delays.iter_mut().zip(&plan.send_delay[index]) {
            d.set_delay_frames(frames);
        }
    }

    /// Adds the slot's output `block` to its destination's sum, crossfading after a route
    /// change.
    pub fn route(&mut self, block: &StereoBlock<'_>, sums: &mut Sums) {
        let route = &mut self.route;
        let Some(previous) = route.previous else {
            add_into(sums.get_mut(route.dest.strip()), block.left, block.right);
            return;
        };
        let start = route.fade;
        let frames = block.left.iter().zip(block.right.iter());
        let mut fade_in = start;
        let [into_l, into_r] = sums.get_mut(route.dest.strip());
        for ((l, r), (out_l, out_r)) in frames.clone().zip(into_l.iter_mut().zip(into_r.iter_mut()))
        {
            let g = fade_in.next_value();
            *out_l += l * g;
            *out_r += r * g;
        }
        let mut fade_out = start;
        let [from_l, from_r] = sums.get_mut(previous.strip());
        for ((l, r), (out_l, out_r)) in frames.zip(from_l.iter_mut().zip(from_r.iter_mut())) {
            let g = 1.0 - fade_out.next_value();
            *out_l += l * g;
            *out_r += r * g;
        }
        route.fade = fade_in;
        if fade_in.is_settled() {
            route.previous = None;
        }
    }
}

/// The stereo sums collected at the buses, the returns and the master, each `max_frames` long.
#[derive(Clone, Debug)]
pub(super) struct Sums(Vec<[Vec<f32>; 2]>);

impl Sums {
    pub fn new(max_frames: usize) -> Sums {
        let stereo = || [vec![0.0; max_frames], vec![0.0; max_frames]];
        Sums((0..MAX_BUSES + MAX_RETURNS + 1).map(|_| stereo()).collect())
    }

    fn position(strip: StripIndex) -> usize {
        match strip.kind() {
            StripKind::Bus => strip.position(),
            StripKind::Return => MAX_BUSES + strip.position(),
            StripKind::Master => MAX_BUSES + MAX_RETURNS,
            StripKind::Track => unreachable!("nothing sums into a track"),
        }
    }

    /// The sum at `strip` (a bus, return or the master).
    pub fn get(&self, strip: StripIndex) -> &[Vec<f32>; 2] {
        &self.0[Self::position(strip)]
    }

    /// The sum at `strip` (a bus, return or the master), to add to.
    pub fn get_mut(&mut self, strip: StripIndex) -> &mut [Vec<f32>; 2] {
        &mut self.0[Self::position(strip)]
    }

    /// Zeroes the first `frames` frames of every sum.
    pub fn clear(&mut self, frames: usize) {
        for side in self.0.iter_mut().flatten() {
            side[..frames].fill(0.0);
        }
    }
}

/// Adds a stereo signal into `dest`.
pub(super) fn add_into(dest: &mut [Vec<f32>; 2], src_l: &[f32], src_r: &[f32]) {
    for (d, s) in dest[0].iter_mut().zip(src_l) {
        *d += s;
    }
    for (d, s) in dest[1].iter_mut().zip(src_r) {
        *d += s;
    }
}
