//! The parameter table: every automatable value of every strip, declared once.
//!
//! UI widgets, session files, the shared parameter block and the engine all read this table.
//! Ids are stable and append-only: a parameter's slots in the parameter block are
//! `id * MAX_STRIPS + strip`, so a new parameter is appended with the next id and no existing
//! slot ever moves. Choice lists are append-only too (sessions store the index).

use crate::strips::{StripIndex, StripKind, MAX_RETURNS, MAX_STRIPS};
use crate::units::SILENCE_DB;

/// Which kinds of strips have a parameter (a bit set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    /// Tracks only.
    pub const TRACK: Kinds = Kinds(1);
    /// Tracks and buses.
    pub const TRACK_BUS: Kinds = Kinds(1 | 2);
    /// Tracks, buses and returns.
    pub const STRIPS: Kinds = Kinds(1 | 2 | 4);
    /// Tracks, buses, returns and the master.
    pub const ALL: Kinds = Kinds(1 | 2 | 4 | 8);
    /// Returns only.
    pub const RETURN: Kinds = Kinds(4);
    /// The master only.
    pub const MASTER: Kinds = Kinds(8);
    /// Ear training's hidden change on the master: read by the engine, never a setting (not
    /// stored, shown or linked).
    pub const HIDDEN_MASTER: Kinds = Kinds(8 | HIDDEN);
    /// Ear training's hidden change on one track (see [`EAR_TRACK_CHANGES`]).
    pub const HIDDEN_TRACK: Kinds = Kinds(1 | HIDDEN);

    /// Whether strips of `kind` are in the set.
    pub const fn contains(self, kind: StripKind) -> bool {
        let bit = match kind {
            StripKind::Track => 1,
            StripKind::Bus => 2,
            StripKind::Return => 4,
            StripKind::Master => 8,
        };
        self.0 & bit != 0
    }

    /// Whether these are ear training's hidden parameters.
    pub const fn is_hidden(self) -> bool {
        self.0 & HIDDEN != 0
    }
}

/// The bit of [`Kinds`] that marks ear training's hidden parameters.
const HIDDEN: u8 = 16;

/// How a parameter's value is read and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Gain in dB; a minimum of `SILENCE_DB` means silence (−∞).
    Decibels,
    /// True-peak level, dBTP.
    DecibelsTruePeak,
    /// Pan position, −1 (hard left) to +1 (hard right).
    Pan,
    /// Off (0) or on (1).
    Toggle,
    /// Frequency, Hz (a minimum of 0 means off).
    Hertz,
    /// Time, ms.
    Milliseconds,
    /// Time, s.
    Seconds,
    /// A fraction shown in percent (1.0 = 100%).
    Percent,
    /// Compression ratio n:1; the maximum means ∞ (limiting).
    Ratio,
    /// Tempo, beats per minute.
    Bpm,
    /// One of a list; the value is the index.
    Choice(&'static [&'static str]),
}

/// High-pass and low-pass slopes.
pub const FILTER_SLOPES: &[&str] = &["off", "12 dB/oct", "24 dB/oct"];
/// EQ band shapes.
pub const EQ_TYPES: &[&str] = &["bell", "low shelf", "high shelf"];
/// What ear training's hidden change does to a track: the values of `EarTrackChange`, named in
/// [`EAR_TRACK_CHANGES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackChange {
    /// Nothing.
    None = 0,
    /// The fader moved.
    Gain = 1,
    /// The pan set.
    Pan = 2,
    /// Light compression (2:1, soft knee, slow).
    LightCompression = 3,
    /// Heavy compression (8:1, fast).
    HeavyCompression = 4,
    /// Send 1 set.
    Send1 = 5,
}

impl TrackChange {
    /// The change a value of `EarTrackChange` stands for (out of range: none).
    pub fn from_value(value: f32) -> TrackChange {
        match value.round() as i32 {
            1 => TrackChange::Gain,
            2 => TrackChange::Pan,
            3 => TrackChange::LightCompression,
            4 => TrackChange::HeavyCompression,
            5 => TrackChange::Send1,
            _ => TrackChange::None,
        }
    }

    /// Its value of `EarTrackChange`.
    pub fn value(self) -> f32 {
        self as u8 as f32
    }
}

/// What ear training's hidden change does to a track (`EarTrackChange`), while the changed
/// version plays (`EarOn` on the master): nothing; its fader moved by `EarTrackValue` dB; its
/// pan set to `EarTrackValue` (−1..1); its compressor set to light or heavy compression with
/// its threshold at `EarTrackValue` dB and `EarTrackMakeupDb` of make-up; its send 1 set to
/// `EarTrackValue` dB.
pub const EAR_TRACK_CHANGES: &[&str] = &[
    "none",
    "gain",
    "pan",
    "light compression",
    "heavy compression",
    "send 1",
];
/// Compressor level detectors.
pub const DETECTIONS: &[&str] = &["peak", "RMS"];
/// Order of EQ and compressor in a strip.
pub const INSERT_ORDERS: &[&str] = &["EQ → compressor", "compressor → EQ"];
/// Where a track's output goes.
pub const OUTPUTS: &[&str] = &[
    "master", "bus 1", "bus 2", "bus 3", "bus 4", "bus 5", "bus 6", "bus 7", "bus 8", "bus 9",
    "bus 10", "bus 11", "bus 12", "bus 13", "bus 14", "bus 15", "bus 16",
];
/// The effect of an aux return.
pub const RETURN_EFFECTS: &[&str] = &["none", "reverb", "delay"];
/// Reverb characters.
pub const REVERB_KINDS: &[&str] = &["room", "hall", "plate"];
/// Tempo-synced delay times; [`DELAY_SYNC_BEATS`] gives each one's length in beats.
pub const DELAY_SYNCS: &[&str] = &[
    "off",
    "1/1",
    "1/2",
    "1/4",
    "1/8",
    "1/16",
    "1/4 dotted",
    "1/8 dotted",
    "1/4 triplet",
    "1/8 triplet",
];
/// Length in beats (quarter notes) of each entry of [`DELAY_SYNCS`] (0 = not synced).
pub const DELAY_SYNC_BEATS: [f32; 10] = [
    0.0,
    4.0,
    2.0,
    1.0,
    0.5,
    0.25,
    1.5,
    0.75,
    2.0 / 3.0,
    1.0 / 3.0,
];

/// Stable identifier of a parameter (its position in [`PARAMS`]).
#[allow(missing_docs)] // Each variant is documented by its row in PARAMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParamId {
    GainDb = 0,
    Pan = 1,
    Mute = 2,
    Solo = 3,
    TrimDb = 4,
    Polarity = 5,
    HpfMode = 6,
    HpfHz = 7,
    LpfMode = 8,
    LpfHz = 9,
    Eq1Type = 10,
    Eq1Hz = 11,
    Eq1GainDb = 12,
    Eq1Q = 13,
    Eq1Bypass = 14,
    Eq2Type = 15,
    Eq2Hz = 16,
    Eq2GainDb = 17,
    Eq2Q = 18,
    Eq2Bypass = 19,
    Eq3Type = 20,
    Eq3Hz = 21,
    Eq3GainDb = 22,
    Eq3Q = 23,
    Eq3Bypass = 24,
    Eq4Type = 25,
    Eq4Hz = 26,
    Eq4GainDb = 27,
    Eq4Q = 28,
    Eq4Bypass = 29,
    EqBypass = 30,
    CompThresholdDb = 31,
    CompRatio = 32,
    CompKneeDb = 33,
    CompAttackMs = 34,
    CompReleaseMs = 35,
    CompMakeupDb = 36,
    CompAutoMakeup = 37,
    CompDetection = 38,
    CompScHpfHz = 39,
    CompLookaheadMs = 40,
    CompBypass = 41,
    GateThresholdDb = 42,
    GateRangeDb = 43,
    GateAttackMs = 44,
    GateHoldMs = 45,
    GateReleaseMs = 46,
    GateBypass = 47,
    InsertOrder = 48,
    Width = 49,
    Send1Db = 50,
    Send1Pre = 51,
    Send2Db = 52,
    Send2Pre = 53,
    Send3Db = 54,
    Send3Pre = 55,
    Send4Db = 56,
    Send4Pre = 57,
    Output = 58,
    ReturnEffect = 59,
    ReverbKind = 60,
    ReverbPredelayMs = 61,
    ReverbSize = 62,
    ReverbDecayS = 63,
    ReverbDamping = 64,
    ReverbWidth = 65,
    DelayTimeMs = 66,
    DelaySync = 67,
    DelayFeedback = 68,
    DelayHighCutHz = 69,
    DelayPingPong = 70,
    EffectBypass = 71,
    LimiterCeilingDbtp = 72,
    LimiterLookaheadMs = 73,
    LimiterReleaseMs = 74,
    LimiterBypass = 75,
    TempoBpm = 76,
    BypassAll = 77,
    EarOn = 78,
    EarMatchDb = 79,
    EarEqHz = 80,
    EarEqGainDb = 81,
    EarEqQ = 82,
    EarTrackChange = 83,
    EarTrackValue = 84,
    EarTrackMakeupDb = 85,
}

/// Number of EQ bands per strip.
pub const EQ_BANDS: usize = 4;

/// One field of an EQ band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EqField {
    /// Shape ([`EQ_TYPES`]).
    Type,
    /// Centre or corner frequency, Hz.
    Hz,
    /// Gain, dB.
    GainDb,
    /// Quality factor.
    Q,
    /// Band bypass.
    Bypass,
}

const EQ_FIELDS: [EqField; 5] = [
    EqField::Type,
    EqField::Hz,
    EqField::GainDb,
    EqField::Q,
    EqField::Bypass,
];

/// One row of the parameter table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// Stable id; also the index of this row in [`PARAMS`].
    pub id: ParamId,
    /// Stable key used in session files and share links.
    pub key: &'static str,
    /// Name shown to the user.
    pub name: &'static str,
    /// Unit of the plain value.
    pub unit: Unit,
    /// Smallest plain value.
    pub min: f32,
    /// Largest plain value.
    pub max: f32,
    /// Value of a new strip.
    pub default: f32,
    /// Time a change takes to reach its target in the engine, ms (linear ramp). 0 where the
    /// engine takes a change at once (a time constant, the limiter's ceiling, which its look-ahead
    /// envelope follows) or crossfades it itself (switches). The processors read their ramps
    /// here.
    pub smoothing_ms: f32,
    /// Which strips have it.
    pub kinds: Kinds,
}

#[allow(clippy::too_many_arguments)]
const fn row(
    id: ParamId,
    key: &'static str,
    name: &'static str,
    unit: Unit,
    (min, max, default): (f32, f32, f32),
    smoothing_ms: f32,
    kinds: Kinds,
) -> ParamSpec {
    ParamSpec {
        id,
        key,
        name,
        unit,
        min,
        max,
        default,
        smoothing_ms,
        kinds,
    }
}

use Kinds as K;
use ParamId as P;
use Unit as U;

const SMOOTH_MS: f32 = 20.0;

/// How long the engine crossfades a switch (mute, solo, polarity, bypass, a route or an effect
/// changed), ms.
pub const SWITCH_FADE_MS: f32 = 10.0;
const FADE_MS: f32 = SWITCH_FADE_MS;

/// The parameter table, indexed by [`ParamId`].
pub const PARAMS: [ParamSpec; 86] = [
    row(
        P::GainDb,
        "gain_db",
        "Fader",
        U::Decibels,
        (SILENCE_DB, 12.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Pan,
        "pan",
        "Pan",
        U::Pan,
        (-1.0, 1.0, 0.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::Mute,
        "mute",
        "Mute",
        U::Toggle,
        (0.0, 1.0, 0.0),
        FADE_MS,
        K::ALL,
    ),
    row(
        P::Solo,
        "solo",
        "Solo",
        U::Toggle,
        (0.0, 1.0, 0.0),
        FADE_MS,
        K::STRIPS,
    ),
    row(
        P::TrimDb,
        "trim_db",
        "Trim",
        U::Decibels,
        (-24.0, 24.0, 0.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::Polarity,
        "polarity",
        "Polarity invert",
        U::Toggle,
        (0.0, 1.0, 0.0),
        FADE_MS,
        K::STRIPS,
    ),
    row(
        P::HpfMode,
        "hpf_mode",
        "High-pass",
        U::Choice(FILTER_SLOPES),
        (0.0, 2.0, 0.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::HpfHz,
        "hpf_hz",
        "High-pass frequency",
        U::Hertz,
        (20.0, 20_000.0, 80.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::LpfMode,
        "lpf_mode",
        "Low-pass",
        U::Choice(FILTER_SLOPES),
        (0.0, 2.0, 0.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::LpfHz,
        "lpf_hz",
        "Low-pass frequency",
        U::Hertz,
        (20.0, 20_000.0, 12_000.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::Eq1Type,
        "eq1_type",
        "EQ 1 type",
        U::Choice(EQ_TYPES),
        (0.0, 2.0, 1.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq1Hz,
        "eq1_hz",
        "EQ 1 frequency",
        U::Hertz,
        (20.0, 20_000.0, 100.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq1GainDb,
        "eq1_gain_db",
        "EQ 1 gain",
        U::Decibels,
        (-18.0, 18.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq1Q,
        "eq1_q",
        "EQ 1 Q",
        U::Percent,
        (0.1, 10.0, 0.71),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq1Bypass,
        "eq1_bypass",
        "EQ 1 bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq2Type,
        "eq2_type",
        "EQ 2 type",
        U::Choice(EQ_TYPES),
        (0.0, 2.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq2Hz,
        "eq2_hz",
        "EQ 2 frequency",
        U::Hertz,
        (20.0, 20_000.0, 400.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq2GainDb,
        "eq2_gain_db",
        "EQ 2 gain",
        U::Decibels,
        (-18.0, 18.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq2Q,
        "eq2_q",
        "EQ 2 Q",
        U::Percent,
        (0.1, 10.0, 1.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq2Bypass,
        "eq2_bypass",
        "EQ 2 bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq3Type,
        "eq3_type",
        "EQ 3 type",
        U::Choice(EQ_TYPES),
        (0.0, 2.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq3Hz,
        "eq3_hz",
        "EQ 3 frequency",
        U::Hertz,
        (20.0, 20_000.0, 2_500.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq3GainDb,
        "eq3_gain_db",
        "EQ 3 gain",
        U::Decibels,
        (-18.0, 18.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq3Q,
        "eq3_q",
        "EQ 3 Q",
        U::Percent,
        (0.1, 10.0, 1.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq3Bypass,
        "eq3_bypass",
        "EQ 3 bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq4Type,
        "eq4_type",
        "EQ 4 type",
        U::Choice(EQ_TYPES),
        (0.0, 2.0, 2.0),
        0.0,
        K::ALL,
    ),
    row(
        P::Eq4Hz,
        "eq4_hz",
        "EQ 4 frequency",
        U::Hertz,
        (20.0, 20_000.0, 8_000.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq4GainDb,
        "eq4_gain_db",
        "EQ 4 gain",
        U::Decibels,
        (-18.0, 18.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq4Q,
        "eq4_q",
        "EQ 4 Q",
        U::Percent,
        (0.1, 10.0, 0.71),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::Eq4Bypass,
        "eq4_bypass",
        "EQ 4 bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::EqBypass,
        "eq_bypass",
        "EQ bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompThresholdDb,
        "comp_threshold_db",
        "Compressor threshold",
        U::Decibels,
        (-60.0, 0.0, -18.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::CompRatio,
        "comp_ratio",
        "Compressor ratio",
        U::Ratio,
        (1.0, 20.0, 4.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::CompKneeDb,
        "comp_knee_db",
        "Compressor knee",
        U::Decibels,
        (0.0, 24.0, 6.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::CompAttackMs,
        "comp_attack_ms",
        "Compressor attack",
        U::Milliseconds,
        (0.1, 200.0, 10.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompReleaseMs,
        "comp_release_ms",
        "Compressor release",
        U::Milliseconds,
        (10.0, 2_000.0, 100.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompMakeupDb,
        "comp_makeup_db",
        "Compressor makeup",
        U::Decibels,
        (0.0, 24.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::CompAutoMakeup,
        "comp_auto_makeup",
        "Compressor auto makeup",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompDetection,
        "comp_detection",
        "Compressor detection",
        U::Choice(DETECTIONS),
        (0.0, 1.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompScHpfHz,
        "comp_sc_hpf_hz",
        "Compressor side-chain high-pass",
        U::Hertz,
        (0.0, 500.0, 0.0),
        SMOOTH_MS,
        K::ALL,
    ),
    row(
        P::CompLookaheadMs,
        "comp_lookahead_ms",
        "Compressor look-ahead",
        U::Milliseconds,
        (0.0, 10.0, 0.0),
        0.0,
        K::ALL,
    ),
    row(
        P::CompBypass,
        "comp_bypass",
        "Compressor bypass",
        U::Toggle,
        (0.0, 1.0, 1.0),
        0.0,
        K::ALL,
    ),
    row(
        P::GateThresholdDb,
        "gate_threshold_db",
        "Gate threshold",
        U::Decibels,
        (-80.0, 0.0, -50.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::GateRangeDb,
        "gate_range_db",
        "Gate range",
        U::Decibels,
        (0.0, 80.0, 40.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::GateAttackMs,
        "gate_attack_ms",
        "Gate attack",
        U::Milliseconds,
        (0.05, 50.0, 1.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::GateHoldMs,
        "gate_hold_ms",
        "Gate hold",
        U::Milliseconds,
        (0.0, 500.0, 50.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::GateReleaseMs,
        "gate_release_ms",
        "Gate release",
        U::Milliseconds,
        (5.0, 2_000.0, 100.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::GateBypass,
        "gate_bypass",
        "Gate bypass",
        U::Toggle,
        (0.0, 1.0, 1.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::InsertOrder,
        "insert_order",
        "Insert order",
        U::Choice(INSERT_ORDERS),
        (0.0, 1.0, 0.0),
        0.0,
        K::STRIPS,
    ),
    row(
        P::Width,
        "width",
        "Stereo width",
        U::Percent,
        (0.0, 2.0, 1.0),
        SMOOTH_MS,
        K::STRIPS,
    ),
    row(
        P::Send1Db,
        "send1_db",
        "Send 1",
        U::Decibels,
        (SILENCE_DB, 6.0, SILENCE_DB),
        SMOOTH_MS,
        K::TRACK_BUS,
    ),
    row(
        P::Send1Pre,
        "send1_pre",
        "Send 1 pre-fader",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::TRACK_BUS,
    ),
    row(
        P::Send2Db,
        "send2_db",
        "Send 2",
        U::Decibels,
        (SILENCE_DB, 6.0, SILENCE_DB),
        SMOOTH_MS,
        K::TRACK_BUS,
    ),
    row(
        P::Send2Pre,
        "send2_pre",
        "Send 2 pre-fader",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::TRACK_BUS,
    ),
    row(
        P::Send3Db,
        "send3_db",
        "Send 3",
        U::Decibels,
        (SILENCE_DB, 6.0, SILENCE_DB),
        SMOOTH_MS,
        K::TRACK_BUS,
    ),
    row(
        P::Send3Pre,
        "send3_pre",
        "Send 3 pre-fader",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::TRACK_BUS,
    ),
    row(
        P::Send4Db,
        "send4_db",
        "Send 4",
        U::Decibels,
        (SILENCE_DB, 6.0, SILENCE_DB),
        SMOOTH_MS,
        K::TRACK_BUS,
    ),
    row(
        P::Send4Pre,
        "send4_pre",
        "Send 4 pre-fader",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::TRACK_BUS,
    ),
    row(
        P::Output,
        "output",
        "Output",
        U::Choice(OUTPUTS),
        (0.0, 16.0, 0.0),
        0.0,
        K::TRACK,
    ),
    row(
        P::ReturnEffect,
        "return_effect",
        "Effect",
        U::Choice(RETURN_EFFECTS),
        (0.0, 2.0, 1.0),
        0.0,
        K::RETURN,
    ),
    row(
        P::ReverbKind,
        "reverb_kind",
        "Reverb type",
        U::Choice(REVERB_KINDS),
        (0.0, 2.0, 1.0),
        0.0,
        K::RETURN,
    ),
    row(
        P::ReverbPredelayMs,
        "reverb_predelay_ms",
        "Reverb pre-delay",
        U::Milliseconds,
        (0.0, 250.0, 20.0),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::ReverbSize,
        "reverb_size",
        "Reverb size",
        U::Percent,
        (0.0, 1.0, 0.5),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::ReverbDecayS,
        "reverb_decay_s",
        "Reverb decay",
        U::Seconds,
        (0.1, 20.0, 2.0),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::ReverbDamping,
        "reverb_damping",
        "Reverb damping",
        U::Percent,
        (0.0, 1.0, 0.5),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::ReverbWidth,
        "reverb_width",
        "Reverb width",
        U::Percent,
        (0.0, 1.0, 1.0),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::DelayTimeMs,
        "delay_time_ms",
        "Delay time",
        U::Milliseconds,
        (1.0, 4_000.0, 375.0),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::DelaySync,
        "delay_sync",
        "Delay sync",
        U::Choice(DELAY_SYNCS),
        (0.0, 9.0, 0.0),
        0.0,
        K::RETURN,
    ),
    row(
        P::DelayFeedback,
        "delay_feedback",
        "Delay feedback",
        U::Percent,
        (0.0, 0.95, 0.35),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::DelayHighCutHz,
        "delay_high_cut_hz",
        "Delay high cut",
        U::Hertz,
        (500.0, 20_000.0, 8_000.0),
        SMOOTH_MS,
        K::RETURN,
    ),
    row(
        P::DelayPingPong,
        "delay_ping_pong",
        "Delay ping-pong",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::RETURN,
    ),
    row(
        P::EffectBypass,
        "effect_bypass",
        "Effect bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::RETURN,
    ),
    row(
        P::LimiterCeilingDbtp,
        "limiter_ceiling_dbtp",
        "Limiter ceiling",
        U::DecibelsTruePeak,
        (-12.0, 0.0, -1.0),
        0.0,
        K::MASTER,
    ),
    row(
        P::LimiterLookaheadMs,
        "limiter_lookahead_ms",
        "Limiter look-ahead",
        U::Milliseconds,
        (0.5, 10.0, 2.0),
        0.0,
        K::MASTER,
    ),
    row(
        P::LimiterReleaseMs,
        "limiter_release_ms",
        "Limiter release",
        U::Milliseconds,
        (10.0, 1_000.0, 100.0),
        0.0,
        K::MASTER,
    ),
    row(
        P::LimiterBypass,
        "limiter_bypass",
        "Limiter bypass",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::MASTER,
    ),
    row(
        P::TempoBpm,
        "tempo_bpm",
        "Tempo",
        U::Bpm,
        (40.0, 300.0, 120.0),
        0.0,
        K::MASTER,
    ),
    // A/B: bypasses the filters, gate, EQ and compressor of every strip, the returns' effects
    // and the master's EQ and glue compressor (levels, pans, sends and the limiter stay).
    row(
        P::BypassAll,
        "bypass_all",
        "Bypass all processing",
        U::Toggle,
        (0.0, 1.0, 0.0),
        0.0,
        K::MASTER,
    ),
    // Ear training's hidden change (`Kinds::is_hidden`): the page sets these for a round and
    // the engine plays them on the master's input; sessions, links and the console never see
    // them. `EarOn` switches between the flat original (0) and the changed version (1) on the
    // frame it arrives, crossfading over 10 ms.
    row(
        P::EarOn,
        "ear_on",
        "Ear training: changed version",
        U::Toggle,
        (0.0, 1.0, 0.0),
        FADE_MS,
        K::HIDDEN_MASTER,
    ),
    // The gain of the changed version that matches its loudness to the original's.
    row(
        P::EarMatchDb,
        "ear_match_db",
        "Ear training: loudness match",
        U::Decibels,
        (-24.0, 24.0, 0.0),
        SMOOTH_MS,
        K::HIDDEN_MASTER,
    ),
    // The hidden peak or dip: a bell before the master's EQ (so that EQ can undo it).
    row(
        P::EarEqHz,
        "ear_eq_hz",
        "Ear training: EQ frequency",
        U::Hertz,
        (20.0, 20_000.0, 1_000.0),
        SMOOTH_MS,
        K::HIDDEN_MASTER,
    ),
    row(
        P::EarEqGainDb,
        "ear_eq_gain_db",
        "Ear training: EQ gain",
        U::Decibels,
        (-18.0, 18.0, 0.0),
        SMOOTH_MS,
        K::HIDDEN_MASTER,
    ),
    row(
        P::EarEqQ,
        "ear_eq_q",
        "Ear training: EQ Q",
        U::Percent,
        (0.1, 10.0, 1.41),
        SMOOTH_MS,
        K::HIDDEN_MASTER,
    ),
    // The hidden change on a track, heard while `EarOn` plays the changed version: it moves
    // the track's own settings (smoothed as they are), so a switch does not click.
    row(
        P::EarTrackChange,
        "ear_track_change",
        "Ear training: track change",
        U::Choice(EAR_TRACK_CHANGES),
        (0.0, 5.0, 0.0),
        0.0,
        K::HIDDEN_TRACK,
    ),
    row(
        P::EarTrackValue,
        "ear_track_value",
        "Ear training: track change amount",
        U::Percent,
        (SILENCE_DB, 24.0, 0.0),
        0.0,
        K::HIDDEN_TRACK,
    ),
    row(
        P::EarTrackMakeupDb,
        "ear_track_makeup_db",
        "Ear training: track make-up",
        U::Decibels,
        (-24.0, 24.0, 0.0),
        0.0,
        K::HIDDEN_TRACK,
    ),
];

/// Number of slots in the parameter block: every parameter for every strip index.
pub const PARAM_SLOTS: usize = PARAMS.len() * MAX_STRIPS;

impl ParamId {
    /// The table row of this parameter.
    pub const fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }

    /// The parameter with table index `index`.
    pub fn from_index(index: usize) -> Option<ParamId> {
        PARAMS.get(index).map(|p| p.id)
    }

    /// The parameter with session key `key`.
    pub fn from_key(key: &str) -> Option<ParamId> {
        PARAMS.iter().find(|p| p.key == key).map(|p| p.id)
    }

    /// Slot of this parameter of `strip` in the parameter block.
    pub const fn slot(self, strip: StripIndex) -> usize {
        self as usize * MAX_STRIPS + strip.index()
    }

    /// The parameter and strip that own parameter-block slot `slot`, if it is in range.
    pub fn from_slot(slot: usize) -> Option<(ParamId, StripIndex)> {
        let param = ParamId::from_index(slot / MAX_STRIPS)?;
        let strip = StripIndex::from_index(slot % MAX_STRIPS)?;
        Some((param, strip))
    }

    /// Field `field` of EQ band `band` (`0..EQ_BANDS`).
    pub fn eq(band: usize, field: EqField) -> ParamId {
        let offset = EQ_FIELDS.iter().position(|&f| f == field).unwrap_or(0);
        PARAMS[P::Eq1Type as usize + 5 * band.min(EQ_BANDS - 1) + offset].id
    }

    /// The band and field, if this is an EQ band parameter.
    pub fn eq_band(self) -> Option<(usize, EqField)> {
        let i = (self as usize).checked_sub(P::Eq1Type as usize)?;
        (i < 5 * EQ_BANDS).then(|| (i / 5, EQ_FIELDS[i % 5]))
    }

    /// The level (dB) parameter of send `send` (`0..MAX_RETURNS`).
    pub fn send_db(send: usize) -> ParamId {
        PARAMS[P::Send1Db as usize + 2 * send.min(MAX_RETURNS - 1)].id
    }

    /// The pre-fader switch of send `send` (`0..MAX_RETURNS`).
    pub fn send_pre(send: usize) -> ParamId {
        PARAMS[P::Send1Pre as usize + 2 * send.min(MAX_RETURNS - 1)].id
    }

    /// `(send, is_pre_switch)`, if this is a send parameter.
    pub fn send(self) -> Option<(usize, bool)> {
        let i = (self as usize).checked_sub(P::Send1Db as usize)?;
        (i < 2 * MAX_RETURNS).then_some((i / 2, i % 2 == 1))
    }
}

impl ParamSpec {
    /// Whether strips of `kind` have this parameter as a setting a person sees, stores and
    /// links (ear training's hidden parameters are no one's setting: see [`Self::reaches`]).
    pub const fn applies_to(&self, kind: StripKind) -> bool {
        !self.kinds.is_hidden() && self.kinds.contains(kind)
    }

    /// Whether the engine reads this parameter on strips of `kind`: [`Self::applies_to`], and
    /// ear training's hidden parameters.
    pub const fn reaches(&self, kind: StripKind) -> bool {
        self.kinds.contains(kind)
    }

    /// Whether `a` and `b` are the same setting of this control, as a person sets it: within
    /// half of one arrow-key step (0.25 dB; 0.5% of the range of a pan, a percentage or a linear
    /// control; a ratio of (max/min)^0.005 on the logarithmic ones: frequencies, times,
    /// ratios), the same choice, or both silent. Tells a mix that copies another (a hand-in
    /// that is the lesson's reference) from one that was mixed.
    pub fn same_setting(&self, a: f32, b: f32) -> bool {
        let (a, b) = (self.sanitize(a), self.sanitize(b));
        let span = self.max - self.min;
        match self.unit {
            Unit::Toggle | Unit::Choice(_) => a == b,
            Unit::Decibels | Unit::DecibelsTruePeak => {
                (a <= SILENCE_DB && b <= SILENCE_DB) || (a - b).abs() < 0.25
            }
            Unit::Hertz | Unit::Milliseconds | Unit::Seconds | Unit::Ratio if self.min > 0.0 => {
                (a / b).ln().abs() < (self.max / self.min).ln() * 0.005
            }
            _ => (a - b).abs() < 0.005 * span,
        }
    }

    /// `value` clamped to the range (NaN stays NaN): how a processor keeps a setting it is
    /// given directly in the table's range.
    pub fn clamp(&self, value: f32) -> f32 {
        value.clamp(self.min, self.max)
    }

    /// `value` made valid: clamped to the range, toggles snapped to 0 or 1, choices rounded to
    /// an index, and anything not finite replaced by the default.
    pub fn sanitize(&self, value: f32) -> f32 {
        if !value.is_finite() {
            return self.default;
        }
        let clamped = value.clamp(self.min, self.max);
        match self.unit {
            Unit::Toggle => {
                if clamped >= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
            Unit::Choice(_) => clamped.round(),
            _ => clamped,
        }
    }

    /// The value as a person reads it: "−6.0 dB", "−∞ dB", "L 30%", "C", "on", "1.2 kHz",
    /// "4.0:1", "hall".
    pub fn format(&self, value: f32) -> String {
        match self.unit {
            Unit::Decibels if value <= SILENCE_DB => "−∞ dB".to_owned(),
            Unit::Decibels => format!("{} dB", signed(value, 1)),
            Unit::DecibelsTruePeak => format!("{} dBTP", signed(value, 1)),
            Unit::Pan => {
                let percent = (value * 100.0).round();
                if percent == 0.0 {
                    "C".to_owned()
                } else if percent < 0.0 {
                    format!("L {}%", -percent)
                } else {
                    format!("R {percent}%")
                }
            }
            Unit::Toggle if value >= 0.5 => "on".to_owned(),
            Unit::Toggle => "off".to_owned(),
            Unit::Hertz if self.min == 0.0 && value < 20.0 => "off".to_owned(),
            Unit::Hertz if value >= 1_000.0 => format!("{:.2} kHz", value / 1_000.0),
            Unit::Hertz => format!("{value:.0} Hz"),
            Unit::Milliseconds if value < 10.0 => format!("{value:.2} ms"),
            Unit::Milliseconds => format!("{value:.0} ms"),
            Unit::Seconds => format!("{value:.2} s"),
            Unit::Percent if self.id == ParamId::Eq1Q || self.key.ends_with("_q") => {
                format!("Q {value:.2}")
            }
            Unit::Percent => format!("{:.0}%", value * 100.0),
            Unit::Ratio if value >= self.max => "∞:1".to_owned(),
            Unit::Ratio => format!("{value:.1}:1"),
            Unit::Bpm => format!("{value:.1} BPM"),
            Unit::Choice(labels) => labels
                .get(value.max(0.0) as usize)
                .copied()
                .unwrap_or("?")
                .to_owned(),
        }
    }
}

/// `value` with `decimals` places and a typographic minus ("−6.0", "+3.0", "0.0").
fn signed(value: f32, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if zero {
        text
    } else if value < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strips::MAX_TRACKS;

    #[test]
    fn ids_match_table_positions_and_keys_are_unique() {
        for (i, spec) in PARAMS.iter().enumerate() {
            assert_eq!(spec.id as usize, i, "{}", spec.key);
            assert_eq!(ParamId::from_key(spec.key), Some(spec.id), "{}", spec.key);
            assert!(spec.min < spec.max, "{}", spec.key);
            assert!(
                (spec.min..=spec.max).contains(&spec.default),
                "{}",
                spec.key
            );
            if let Unit::Choice(labels) = spec.unit {
                assert_eq!(spec.max as usize + 1, labels.len(), "{}", spec.key);
            }
        }
        assert_eq!(ParamId::from_key("volume"), None);
        assert_eq!(DELAY_SYNC_BEATS.len(), DELAY_SYNCS.len());
    }

    #[test]
    fn slots_are_stable_and_round_trip() {
        // The shared-memory layout: `id * MAX_STRIPS + strip`.
        assert_eq!(ParamId::GainDb.slot(StripIndex::track(0).unwrap()), 0);
        assert_eq!(ParamId::Pan.slot(StripIndex::track(3).unwrap()), 288 + 3);
        assert_eq!(ParamId::GainDb.slot(StripIndex::MASTER), 287);
        assert_eq!(ParamId::TempoBpm.slot(StripIndex::MASTER), 76 * 288 + 287);
        assert_eq!(PARAM_SLOTS, 86 * 288);
        for spec in &PARAMS {
            for strip in StripIndex::all() {
                assert_eq!(
                    ParamId::from_slot(spec.id.slot(strip)),
                    Some((spec.id, strip))
                );
            }
        }
        assert_eq!(ParamId::from_slot(280), None, "no strip 280");
        assert_eq!(ParamId::from_slot(PARAM_SLOTS), None);
        assert_eq!(MAX_TRACKS, 256);
    }

    #[test]
    fn band_and_send_helpers_name_the_right_rows() {
        assert_eq!(ParamId::eq(0, EqField::Type), ParamId::Eq1Type);
        assert_eq!(ParamId::eq(2, EqField::GainDb), ParamId::Eq3GainDb);
        assert_eq!(ParamId::eq(3, EqField::Bypass), ParamId::Eq4Bypass);
        assert_eq!(ParamId::Eq2Q.eq_band(), Some((1, EqField::Q)));
        assert_eq!(ParamId::EqBypass.eq_band(), None);
        assert_eq!(ParamId::GainDb.eq_band(), None);
        assert_eq!(ParamId::send_db(2), ParamId::Send3Db);
        assert_eq!(ParamId::send_pre(3), ParamId::Send4Pre);
        assert_eq!(ParamId::Send2Pre.send(), Some((1, true)));
        assert_eq!(ParamId::Output.send(), None);
    }

    #[test]
    fn sanitizes_and_formats() {
        let gain = ParamId::GainDb.spec();
        assert_eq!(gain.sanitize(f32::NAN), 0.0);
        assert_eq!(gain.sanitize(40.0), 12.0);
        assert_eq!(gain.format(-6.0), "−6.0 dB");
        assert_eq!(gain.format(3.04), "+3.0 dB");
        assert_eq!(gain.format(-0.01), "0.0 dB");
        assert_eq!(gain.format(SILENCE_DB), "−∞ dB");
        assert_eq!(ParamId::Pan.spec().format(-0.3), "L 30%");
        assert_eq!(ParamId::Pan.spec().format(0.0), "C");
        assert_eq!(ParamId::Mute.spec().sanitize(0.7), 1.0);
        assert_eq!(ParamId::Eq2Hz.spec().format(1_250.0), "1.25 kHz");
        assert_eq!(ParamId::Eq2Hz.spec().format(80.0), "80 Hz");
        assert_eq!(ParamId::Eq2Q.spec().format(0.707), "Q 0.71");
        assert_eq!(ParamId::CompRatio.spec().format(4.0), "4.0:1");
        assert_eq!(ParamId::CompRatio.spec().format(20.0), "∞:1");
        assert_eq!(ParamId::CompScHpfHz.spec().format(0.0), "off");
        assert_eq!(ParamId::CompAttackMs.spec().format(0.5), "0.50 ms");
        assert_eq!(ParamId::ReverbKind.spec().format(2.0), "plate");
        assert_eq!(ParamId::ReverbKind.spec().sanitize(1.4), 1.0);
        assert_eq!(ParamId::Output.spec().format(3.0), "bus 3");
        assert_eq!(ParamId::Width.spec().format(1.5), "150%");
        assert_eq!(ParamId::LimiterCeilingDbtp.spec().format(-1.0), "−1.0 dBTP");
        assert!(!ParamId::Solo.spec().applies_to(StripKind::Master));
        assert!(ParamId::Output.spec().applies_to(StripKind::Track));
        assert!(!ParamId::Output.spec().applies_to(StripKind::Bus));
        assert!(ParamId::ReverbDecayS.spec().applies_to(StripKind::Return));
        assert!(!ParamId::Send1Db.spec().applies_to(StripKind::Return));
    }
}
