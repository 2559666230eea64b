//! Routing, solo and latency compensation, worked out from the parameter values.
//!
//! - Destinations: every track goes to the master or to one group bus; buses go to the master;
//!   send k of every track and bus feeds aux return k; returns go to the master.
//! - Solo-in-place: while anything is soloed, a track or bus is heard only if it is soloed, or
//!   feeds a soloed bus or return (an implied solo upstream), or (buses) is fed by a soloed
//!   track (downstream). Returns are solo-safe: solo elsewhere never silences them. Mute always
//!   wins. A strip that is not heard sends nothing either.
//! - Latency: each summing point (bus, return, master) waits for its latest input; every other
//!   input is delayed by the difference, so no signal reaches the master twice at different
//!   times.

use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::{StripIndex, MAX_BUSES, MAX_RETURNS, MAX_STRIPS, MAX_TRACKS};
use mixroom_protocol::units::SILENCE_DB;

/// Where a track's main output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// The master.
    Master,
    /// Group bus n (0-based).
    Bus(usize),
}

impl Dest {
    /// The strip this destination sums into.
    pub fn strip(self) -> StripIndex {
        match self {
            Dest::Master => StripIndex::MASTER,
            Dest::Bus(b) => StripIndex::bus(b).expect("bus index in range"),
        }
    }
}

/// The worked-out routing, by strip index.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Whether each strip is heard.
    pub audible: [bool; MAX_STRIPS],
    /// Where each strip's main output goes (a bus or return: always the master).
    pub dest: [Dest; MAX_STRIPS],
    /// Compensation delay of each strip's main output, frames.
    pub main_delay: [usize; MAX_STRIPS],
    /// Compensation delay of each strip's sends, frames (tracks and buses; returns do not send).
    pub send_delay: [[usize; MAX_RETURNS]; MAX_STRIPS],
    /// Latency of everything arriving at the master's input, frames.
    pub master_input_latency: usize,
}

impl Default for Plan {
    /// Everything heard, every strip to the master, no compensation.
    fn default() -> Self {
        Plan {
            audible: [true; MAX_STRIPS],
            dest: [Dest::Master; MAX_STRIPS],
            main_delay: [0; MAX_STRIPS],
            send_delay: [[0; MAX_RETURNS]; MAX_STRIPS],
            master_input_latency: 0,
        }
    }
}

fn value(values: &[f32], param: ParamId, strip: StripIndex) -> f32 {
    values[param.slot(strip)]
}

fn on(values: &[f32], param: ParamId, strip: StripIndex) -> bool {
    value(values, param, strip) >= 0.5
}

fn sends(values: &[f32], strip: StripIndex, send: usize) -> bool {
    value(values, ParamId::send_db(send), strip) > SILENCE_DB
}

/// Works out the routing from the parameter `values` (by slot), which tracks have a source, and
/// each strip's own latency in frames. Allocation-free: it runs on the audio thread whenever a
/// mute, solo, route, send or look-ahead changes.
pub fn plan(values: &[f32], track_active: &[bool], latency: impl Fn(StripIndex) -> usize) -> Plan {
    let tracks = || {
        (0..MAX_TRACKS)
            .filter(|&t| track_active.get(t).copied().unwrap_or(false))
            .filter_map(StripIndex::track)
    };
    let bus = |b: usize| StripIndex::bus(b).expect("bus index in range");
    let ret = |r: usize| StripIndex::aux_return(r).expect("return index in range");

    let mut track_dest = [Dest::Master; MAX_TRACKS];
    let mut bus_used = [false; MAX_BUSES];
    for t in tracks() {
        let output = value(values, ParamId::Output, t) as usize;
        if output > 0 && output <= MAX_BUSES {
            track_dest[t.index()] = Dest::Bus(output - 1);
            bus_used[output - 1] = true;
        }
    }
    let buses = || (0..MAX_BUSES).filter(|&b| bus_used[b]);

    // Solo.
    let soloed = |s: StripIndex| on(values, ParamId::Solo, s);
    let any_solo = tracks().any(soloed)
        || buses().any(|b| soloed(bus(b)))
        || (0..MAX_RETURNS).any(|r| soloed(ret(r)));
    let feeds_soloed_return =
        |s: StripIndex| (0..MAX_RETURNS).any(|r| sends(values, s, r) && soloed(ret(r)));
    let mut audible = [false; MAX_STRIPS];
    for t in tracks() {
        let dest_soloed = matches!(track_dest[t.index()], Dest::Bus(b) if soloed(bus(b)));
        let heard = !any_solo || soloed(t) || dest_soloed || feeds_soloed_return(t);
        audible[t.index()] = heard && !on(values, ParamId::Mute, t);
    }
    // Every bus, used or not: one that a track is routed to next must already be open.
    for b in 0..MAX_BUSES {
        let fed_by_solo = tracks().any(|t| track_dest[t.index()] == Dest::Bus(b) && soloed(t));
        let s = bus(b);
        let heard = !any_solo || soloed(s) || fed_by_solo || feeds_soloed_return(s);
        audible[s.index()] = heard && !on(values, ParamId::Mute, s);
    }
    for r in 0..MAX_RETURNS {
        audible[ret(r).index()] = !on(values, ParamId::Mute, ret(r));
    }
    audible[StripIndex::MASTER.index()] = !on(values, ParamId::Mute, StripIndex::MASTER);

    // Latency.
    let track_out = |t: StripIndex| latency(t);
    let mut bus_in = [0; MAX_BUSES];
    for t in tracks() {
        if let Dest::Bus(b) = track_dest[t.index()] {
            bus_in[b] = bus_in[b].max(track_out(t));
        }
    }
    let bus_out = |b: usize| bus_in[b] + latency(bus(b));
    let senders_latest = tracks()
        .map(track_out)
        .chain(buses().map(bus_out))
        .max()
        .unwrap_or(0);
    let return_in = [senders_latest; MAX_RETURNS];
    let return_out = |r: usize| return_in[r] + latency(ret(r));
    let master_in = tracks()
        .filter(|t| track_dest[t.index()] == Dest::Master)
        .map(track_out)
        .chain(buses().map(bus_out))
        .chain((0..MAX_RETURNS).map(return_out))
        .max()
        .unwrap_or(0);

    let mut plan = Plan {
        audible,
        master_input_latency: master_in,
        ..Plan::default()
    };
    for t in tracks() {
        let arrives = track_out(t);
        let dest = track_dest[t.index()];
        let waits_for = match dest {
            Dest::Master => master_in,
            Dest::Bus(b) => bus_in[b],
        };
        plan.dest[t.index()] = dest;
        plan.main_delay[t.index()] = waits_for - arrives;
        plan.send_delay[t.index()] = std::array::from_fn(|r| return_in[r] - arrives);
    }
    for b in buses() {
        plan.main_delay[bus(b).index()] = master_in - bus_out(b);
        plan.send_delay[bus(b).index()] = std::array::from_fn(|r| return_in[r] - bus_out(b));
    }
    for r in 0..MAX_RETURNS {
        plan.main_delay[ret(r).index()] = master_in - return_out(r);
    }
    plan
}

#[cfg(test)]
mod tests;
