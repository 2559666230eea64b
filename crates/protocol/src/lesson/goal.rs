//! A lesson's goals: what the student's mix must sound like, as measured from its render.
//!
//! ```json
//! { "id": "lead-level", "text": "The lead sits 2 to 6 dB above the band.",
//!   "kind": "relative_level", "strip": { "track": "Lead" }, "min_db": 2, "max_db": 6 }
//! ```
//!
//! Every level, frequency and share carries its unit in its name (`_db`, `_lufs`, `_lu`,
//! `_dbtp`, `_hz`, `_percent`); ranges are `min_*`/`max_*`, either one optional where a goal
//! makes sense with one bound. A goal of a kind this version does not know is kept as it came
//! ([`GoalKind::Unknown`]): the lesson still opens, and the goal is reported as one this
//! version cannot measure.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::session::Session;

/// One goal of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct Goal {
    /// Short id, unique in the lesson (`a-z`, `0-9`, `-`, `_`, at most 32 bytes).
    pub id: String,
    /// One sentence shown to the student.
    pub text: String,
    /// What is measured and the range that passes.
    pub kind: GoalKind,
}

impl Goal {
    /// A goal called `id` that the student reads as `text`, of `kind`.
    pub fn new(id: &str, text: &str, kind: GoalKind) -> Goal {
        Goal {
            id: id.to_owned(),
            text: text.to_owned(),
            kind,
        }
    }
}

/// A strip, by the name the student sees on it: `{"track": "Kick"}`, `{"bus": "Drums"}`,
/// `{"return": "Reverb"}` or `"master"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StripRef {
    /// The track of this name.
    Track(String),
    /// The group bus of this name.
    Bus(String),
    /// The aux return of this name.
    Return(String),
    /// The master.
    Master,
}

impl StripRef {
    /// The track named `name`.
    pub fn track(name: &str) -> StripRef {
        StripRef::Track(name.to_owned())
    }

    /// The strip as a message names it: `track “Kick”`, `the master`.
    pub fn describe(&self) -> String {
        match self {
            StripRef::Track(name) => format!("track “{name}”"),
            StripRef::Bus(name) => format!("bus “{name}”"),
            StripRef::Return(name) => format!("return “{name}”"),
            StripRef::Master => "the master".to_owned(),
        }
    }

    /// The strip's name, `None` for the master.
    pub fn name(&self) -> Option<&str> {
        match self {
            StripRef::Track(name) | StripRef::Bus(name) | StripRef::Return(name) => Some(name),
            StripRef::Master => None,
        }
    }

    /// The positions, among the strips of its kind in `mix`, of the strips this names (the
    /// master: none). A goal measures one strip, so a name two strips share names none.
    pub fn positions_in(&self, mix: &Session) -> Vec<usize> {
        let names: Vec<&str> = match self {
            StripRef::Track(_) => mix.tracks.iter().map(|t| t.name.as_str()).collect(),
            StripRef::Bus(_) => mix.buses.iter().map(|b| b.name.as_str()).collect(),
            StripRef::Return(_) => mix.returns.iter().map(|r| r.name.as_str()).collect(),
            StripRef::Master => Vec::new(),
        };
        let name = self.name();
        (0..names.len())
            .filter(|&i| Some(names[i]) == name)
            .collect()
    }
}

/// The curve a tonal-balance goal compares the master's spectrum with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// Mixroom's built-in curve of a balanced modern mix.
    Neutral,
    /// The spectrum of the lesson's reference.
    Reference,
}

/// The default `below_hz` of a mono-bass goal, Hz.
pub const MONO_BASS_BELOW_HZ: f64 = 150.0;

fn mono_bass_below_hz() -> f64 {
    MONO_BASS_BELOW_HZ
}

/// What a goal measures, tagged `"kind"` in snake case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum GoalKind {
    /// The master's integrated loudness (ITU-R BS.1770-4), LUFS.
    Loudness {
        /// Lowest that passes, LUFS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_lufs: Option<f64>,
        /// Highest that passes, LUFS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_lufs: Option<f64>,
    },
    /// The master's largest true peak, dBTP.
    TruePeak {
        /// Highest that passes, dBTP.
        max_dbtp: f64,
    },
    /// The master's loudness range (EBU Tech 3342), LU.
    LoudnessRange {
        /// Lowest that passes, LU.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_lu: Option<f64>,
        /// Highest that passes, LU.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_lu: Option<f64>,
    },
    /// A strip's contribution loudness minus the loudness of the rest of the mix, dB.
    RelativeLevel {
        /// The strip.
        strip: StripRef,
        /// Lowest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_db: Option<f64>,
        /// Highest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_db: Option<f64>,
    },
    /// `a`'s contribution level minus `b`'s in the band `low_hz..high_hz`, dB.
    BandBalance {
        /// The strip whose level is compared.
        a: StripRef,
        /// The strip it is compared with.
        b: StripRef,
        /// Lower edge of the band, Hz.
        low_hz: f64,
        /// Upper edge of the band, Hz.
        high_hz: f64,
        /// Lowest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_db: Option<f64>,
        /// Highest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_db: Option<f64>,
    },
    /// How much of `a`'s contribution `b`'s masks, percent: the share of `a`'s energy in the
    /// (window, critical band) cells where `a` is loud (within 30 dB of its loudest cell) that
    /// lies in cells where `b`'s energy is within 6 dB of `a`'s or above it (mixroom-lesson's
    /// `goals::LOUD_RANGE_DB` and `goals::MASKING_MARGIN_DB`). One way: the bass masking the
    /// kick is not the kick masking the bass.
    Masking {
        /// The strip that is masked (the maskee): “the kick” of “carve room for the kick”.
        a: StripRef,
        /// The strip that masks it (the masker).
        b: StripRef,
        /// Highest that passes, percent.
        max_percent: f64,
    },
    /// Side over mid of a strip's contribution, percent (0 mono, 100 side as strong as mid).
    Width {
        /// The strip.
        strip: StripRef,
        /// Lowest that passes, percent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_percent: Option<f64>,
        /// Highest that passes, percent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_percent: Option<f64>,
    },
    /// The master's stereo correlation over the whole song (−1 to +1).
    Correlation {
        /// Lowest that passes.
        min: f64,
    },
    /// The stereo correlation of the master's low end.
    MonoBass {
        /// The low end is everything below this, Hz.
        #[serde(default = "mono_bass_below_hz")]
        below_hz: f64,
        /// Lowest correlation that passes (−1 to +1).
        min_correlation: f64,
    },
    /// The master's third-octave spectrum, loudness-normalized, against a curve.
    TonalBalance {
        /// The curve.
        curve: Curve,
        /// Largest deviation from the curve in any band that passes, dB.
        tolerance_db: f64,
    },
    /// A strip's average compressor gain reduction while it plays, dB (≥ 0).
    GainReduction {
        /// The strip.
        strip: StripRef,
        /// Lowest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_db: Option<f64>,
        /// Highest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_db: Option<f64>,
    },
    /// The master's peak-to-loudness ratio (true peak dBTP minus integrated LUFS), dB.
    Crest {
        /// Lowest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_db: Option<f64>,
        /// Highest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_db: Option<f64>,
    },
    /// A return's contribution loudness against the dry mix (the mix without it), dB.
    ReturnLevel {
        /// The return.
        #[serde(rename = "return")]
        aux: StripRef,
        /// Lowest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_db: Option<f64>,
        /// Highest that passes, dB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_db: Option<f64>,
    },
    /// An ear-training round, one fixed round as a challenge link carries it (see
    /// `mixroom_ear::challenge`): the points the student's answer earns, of 10. The answer is
    /// the hand-in's ([`super::EarAnswer`]); an EQ correction's answer is the mix itself.
    EarChallenge {
        /// The round, as a challenge link's payload: out of sight, not secret.
        challenge: String,
        /// Fewest points that pass, of 10.
        min_points: f64,
    },
    /// A kind of goal this version does not know (a newer Mixroom's), kept as it came.
    #[serde(skip)]
    Unknown {
        /// Its `"kind"`.
        kind: String,
        /// Its other fields, as they came.
        fields: Map<String, Value>,
    },
}

/// The kinds this version measures, as they are written in `"kind"`.
pub const KNOWN_KINDS: [&str; 14] = [
    "loudness",
    "true_peak",
    "loudness_range",
    "relative_level",
    "band_balance",
    "masking",
    "width",
    "correlation",
    "mono_bass",
    "tonal_balance",
    "gain_reduction",
    "crest",
    "return_level",
    "ear_challenge",
];

impl GoalKind {
    /// The strips whose contribution this goal measures.
    pub fn contributions(&self) -> Vec<&StripRef> {
        match self {
            GoalKind::RelativeLevel { strip, .. } | GoalKind::Width { strip, .. } => vec![strip],
            GoalKind::BandBalance { a, b, .. } | GoalKind::Masking { a, b, .. } => vec![a, b],
            GoalKind::ReturnLevel { aux, .. } => vec![aux],
            _ => Vec::new(),
        }
    }

    /// Every strip the goal names.
    pub fn strips(&self) -> Vec<&StripRef> {
        match self {
            GoalKind::GainReduction { strip, .. } => vec![strip],
            _ => self.contributions(),
        }
    }
}

impl TryFrom<Map<String, Value>> for Goal {
    type Error = String;

    fn try_from(mut map: Map<String, Value>) -> Result<Goal, String> {
        let mut take_string = |field: &str| match map.remove(field) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(format!("a goal's \"{field}\" is not text")),
            None => Err(format!("a goal has no \"{field}\"")),
        };
        let id = take_string("id")?;
        let text = take_string("text")?;
        let kind_name = match map.get("kind") {
            Some(Value::String(kind)) => kind.clone(),
            Some(_) => return Err(format!("goal “{id}”: its \"kind\" is not text")),
            None => return Err(format!("goal “{id}” has no \"kind\"")),
        };
        let kind = if KNOWN_KINDS.contains(&kind_name.as_str()) {
            serde_json::from_value(Value::Object(map)).map_err(|e| format!("goal “{id}”: {e}"))?
        } else {
            map.remove("kind");
            GoalKind::Unknown {
                kind: kind_name,
                fields: map,
            }
        };
        Ok(Goal { id, text, kind })
    }
}

impl From<Goal> for Map<String, Value> {
    fn from(goal: Goal) -> Map<String, Value> {
        let mut map = match goal.kind {
            GoalKind::Unknown { kind, mut fields } => {
                fields.insert("kind".to_owned(), Value::String(kind));
                fields
            }
            // A known kind is a struct variant: always an object.
            known => match serde_json::to_value(known) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
        };
        map.insert("id".to_owned(), Value::String(goal.id));
        map.insert("text".to_owned(), Value::String(goal.text));
        map
    }
}
