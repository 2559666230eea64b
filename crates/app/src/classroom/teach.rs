//! Teach mode's parts: the families of controls a lesson can leave free, the goal kinds a
//! teacher picks from (each built as the protocol reads it), and a lesson put together from a
//! draft.

use mixroom_ear::challenge::Challenge;
use mixroom_ear::progress::Exercise;
use mixroom_protocol::lesson::{rules, Goal, GoalKind, Lesson, StripRef, LESSON_VERSION};
use mixroom_protocol::params::PARAMS;
use mixroom_protocol::session::Session;
use serde_json::{json, Map, Value};

/// Families of controls, by name, with the parameter-key prefixes they hold.
pub const FAMILIES: [(&str, &[&str]); 11] = [
    ("Faders", &["gain_db"]),
    ("Mute and solo", &["mute", "solo"]),
    ("Pan and width", &["pan", "width"]),
    ("Trim and polarity", &["trim_db", "polarity"]),
    ("EQ and filters", &["eq", "hpf", "lpf"]),
    ("Compressor", &["comp"]),
    ("Gate and insert order", &["gate", "insert_order"]),
    ("Sends", &["send"]),
    ("Output routing", &["output"]),
    (
        "Return effects",
        &["return_effect", "reverb", "delay", "effect_bypass"],
    ),
    ("Master limiter", &["limiter"]),
];

/// The parameter keys of the families `chosen` (indices into [`FAMILIES`]); empty when none
/// is chosen (every control free).
pub fn locks(chosen: &[usize]) -> Vec<String> {
    let prefixes: Vec<&str> = chosen
        .iter()
        .filter_map(|&i| FAMILIES.get(i))
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    PARAMS
        .iter()
        .map(|spec| spec.key)
        .filter(|key| {
            prefixes.iter().any(|p| {
                *key == *p
                    || key.strip_prefix(p).is_some_and(|rest| {
                        rest.starts_with(|c: char| c == '_' || c.is_ascii_digit())
                    })
            })
        })
        .map(str::to_owned)
        .collect()
}

/// What a goal kind needs chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strips {
    /// No strip: the master's figures.
    None,
    /// One strip (`"strip"`).
    One,
    /// One return (`"return"`).
    Return,
    /// Two strips (`"a"`, `"b"`).
    Two,
}

/// A goal kind as teach mode offers it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    /// The protocol's `"kind"`.
    pub key: &'static str,
    /// What the teacher reads.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// The strips it names.
    pub strips: Strips,
    /// Whether it takes a band (`low_hz`, `high_hz`).
    pub band: bool,
    /// The field of its lowest passing value, if it has one.
    pub min: Option<&'static str>,
    /// The field of its highest passing value, if it has one.
    pub max: Option<&'static str>,
    /// The tolerance "use my mix's value" gives by default, in the unit.
    pub tolerance: f64,
    /// The curve a tonal-balance goal compares with (`"neutral"`, `"reference"`).
    pub curve: Option<&'static str>,
}

impl Kind {
    /// This kind comparing with `curve`.
    const fn against(self, curve: &'static str) -> Kind {
        Kind {
            curve: Some(curve),
            ..self
        }
    }
}

const fn kind(
    key: &'static str,
    name: &'static str,
    unit: &'static str,
    strips: Strips,
    band: bool,
    (min, max): (Option<&'static str>, Option<&'static str>),
    tolerance: f64,
) -> Kind {
    Kind {
        key,
        name,
        unit,
        strips,
        band,
        min,
        max,
        tolerance,
        curve: None,
    }
}

/// The goal kinds teach mode offers, in the order mixing is taught.
pub const KINDS: [Kind; 14] = [
    kind(
        "relative_level",
        "A strip against the rest of the mix",
        "dB",
        Strips::One,
        false,
        (Some("min_db"), Some("max_db")),
        2.0,
    ),
    kind(
        "width",
        "A strip's stereo width",
        "%",
        Strips::One,
        false,
        (Some("min_percent"), Some("max_percent")),
        15.0,
    ),
    kind(
        "correlation",
        "The master's stereo correlation",
        "",
        Strips::None,
        false,
        (Some("min"), None),
        0.1,
    ),
    kind(
        "mono_bass",
        "The low end in mono (below 150 Hz)",
        "",
        Strips::None,
        false,
        (Some("min_correlation"), None),
        0.05,
    ),
    kind(
        "band_balance",
        "Two strips in a band",
        "dB",
        Strips::Two,
        true,
        (Some("min_db"), Some("max_db")),
        2.0,
    ),
    kind(
        "masking",
        "How much one strip masks another",
        "%",
        Strips::Two,
        false,
        (None, Some("max_percent")),
        10.0,
    ),
    kind(
        "gain_reduction",
        "A strip's gain reduction",
        "dB",
        Strips::One,
        false,
        (Some("min_db"), Some("max_db")),
        1.5,
    ),
    kind(
        "return_level",
        "A return against the dry mix",
        "dB",
        Strips::Return,
        false,
        (Some("min_db"), Some("max_db")),
        2.0,
    ),
    kind(
        "loudness",
        "The master's integrated loudness",
        "LUFS",
        Strips::None,
        false,
        (Some("min_lufs"), Some("max_lufs")),
        1.0,
    ),
    kind(
        "true_peak",
        "The master's true peak",
        "dBTP",
        Strips::None,
        false,
        (None, Some("max_dbtp")),
        0.5,
    ),
    kind(
        "loudness_range",
        "The master's loudness range",
        "LU",
        Strips::None,
        false,
        (Some("min_lu"), Some("max_lu")),
        2.0,
    ),
    kind(
        "crest",
        "The master's crest factor (PLR)",
        "dB",
        Strips::None,
        false,
        (Some("min_db"), Some("max_db")),
        2.0,
    ),
    kind(
        "tonal_balance",
        "Tonal balance against the neutral curve",
        "dB",
        Strips::None,
        false,
        (None, Some("tolerance_db")),
        1.0,
    )
    .against("neutral"),
    kind(
        "tonal_balance",
        "Tonal balance against the reference",
        "dB",
        Strips::None,
        false,
        (None, Some("tolerance_db")),
        1.0,
    )
    .against("reference"),
];

/// What a teacher chose for one goal.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Choice {
    /// Index into [`KINDS`].
    pub kind: usize,
    /// First strip (or the return).
    pub a: Option<StripRef>,
    /// Second strip.
    pub b: Option<StripRef>,
    /// The band, Hz.
    pub band: (f64, f64),
    /// Lowest passing value.
    pub min: Option<f64>,
    /// Highest passing value.
    pub max: Option<f64>,
}

/// The goal kind `choice` describes; `measuring`: bounds it lacks become placeholders (a
/// goal built only to measure the mix's value). The error says what is missing.
pub fn goal_kind(choice: &Choice, measuring: bool) -> Result<GoalKind, String> {
    let kind = KINDS.get(choice.kind).ok_or("choose a kind of goal")?;
    let mut fields = Map::new();
    fields.insert("kind".to_owned(), json!(kind.key));
    let strip = |s: &Option<StripRef>, what: &str| {
        s.as_ref()
            .map(|s| serde_json::to_value(s).expect("a strip serializes"))
            .ok_or_else(|| format!("choose {what}"))
    };
    match kind.strips {
        Strips::None => {}
        Strips::One => {
            fields.insert("strip".to_owned(), strip(&choice.a, "a strip")?);
        }
        Strips::Return => {
            fields.insert("return".to_owned(), strip(&choice.a, "a return")?);
        }
        Strips::Two => {
            fields.insert("a".to_owned(), strip(&choice.a, "the first strip")?);
            fields.insert("b".to_owned(), strip(&choice.b, "the second strip")?);
        }
    }
    if kind.band {
        fields.insert("low_hz".to_owned(), json!(choice.band.0));
        fields.insert("high_hz".to_owned(), json!(choice.band.1));
    }
    if let Some(curve) = kind.curve {
        fields.insert("curve".to_owned(), json!(curve));
    }
    // A bound a kind must have (true peak, masking, correlation...) is 0 while measuring.
    let required = |field: &str| {
        matches!(
            field,
            "max_dbtp" | "max_percent" | "min" | "min_correlation" | "tolerance_db"
        )
    };
    for (field, value) in [(kind.min, choice.min), (kind.max, choice.max)] {
        if let Some(field) = field {
            match value {
                Some(v) => {
                    fields.insert(field.to_owned(), json!(v));
                }
                None if measuring && required(field) => {
                    fields.insert(field.to_owned(), json!(0.0));
                }
                None if required(field) => return Err("give the target value".to_owned()),
                None => {}
            }
        }
    }
    if !measuring && choice.min.is_none() && choice.max.is_none() {
        return Err("give a lowest or a highest value that passes".to_owned());
    }
    serde_json::from_value(Value::Object(fields)).map_err(|e| e.to_string())
}

/// A sentence for a goal: what it measures, on which strips, and the range that passes.
pub fn sentence(choice: &Choice) -> String {
    let kind = &KINDS[choice.kind.min(KINDS.len() - 1)];
    let name = |s: &Option<StripRef>| {
        s.as_ref()
            .and_then(|s| s.name().map(str::to_owned))
            .unwrap_or_else(|| "the master".to_owned())
    };
    let what = match kind.strips {
        Strips::None => kind.name.to_owned(),
        Strips::One | Strips::Return => format!("{}: {}", kind.name, name(&choice.a)),
        Strips::Two if kind.band => format!(
            "{} against {} in {:.0}–{:.0} Hz",
            name(&choice.a),
            name(&choice.b),
            choice.band.0,
            choice.band.1
        ),
        Strips::Two => format!("{}: {} by {}", kind.name, name(&choice.a), name(&choice.b)),
    };
    let number = |v: f64| format!("{v:.1}").replace('-', "−");
    let unit = if kind.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", kind.unit)
    };
    let range = match (choice.min, choice.max) {
        (Some(lo), Some(hi)) => format!("{} to {}{unit}", number(lo), number(hi)),
        (Some(lo), None) => format!("at least {}{unit}", number(lo)),
        (None, Some(hi)) => format!("at most {}{unit}", number(hi)),
        (None, None) => "any value".to_owned(),
    };
    format!("{what}, {range}.")
}

/// The range "use my mix's value" gives around `value` for `choice`'s kind: `tolerance` each
/// side a bound exists on, kept within the unit's limits.
pub fn around(choice: &Choice, value: f64, tolerance: f64) -> (Option<f64>, Option<f64>) {
    let kind = &KINDS[choice.kind.min(KINDS.len() - 1)];
    let (lo, hi) = match kind.unit {
        "LUFS" => rules::limits::LUFS,
        "dBTP" => rules::limits::DBTP,
        "LU" => rules::limits::LU,
        "%" => rules::limits::PERCENT,
        "" => rules::limits::CORRELATION,
        _ if kind.key == "gain_reduction" => rules::limits::REDUCTION_DB,
        _ if kind.key == "tonal_balance" => rules::limits::TOLERANCE_DB,
        _ => rules::limits::DB,
    };
    let clamp = |v: f64| (v * 10.0).round() / 10.0;
    (
        kind.min.map(|_| clamp((value - tolerance).clamp(lo, hi))),
        kind.max.map(|_| clamp((value + tolerance).clamp(lo, hi))),
    )
}

/// A lesson id from `title`: lower-case letters, digits and dashes, at most 32 bytes.
pub fn id_from(title: &str) -> String {
    let mut id = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
        if id.len() >= rules::MAX_ID_BYTES {
            break;
        }
    }
    let id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        "lesson".to_owned()
    } else {
        id
    }
}

/// A goal id for goal number `n` (1-based) of `kind`.
pub fn goal_id(kind: &Kind, n: usize) -> String {
    format!("{}-{n}", kind.key.replace('_', "-"))
}

/// The points an ear-training round needs to pass unless the teacher says otherwise: an EQ
/// band named an octave off, or boost and cut confused, still passes.
pub const ROUND_MIN_POINTS: f64 = 8.0;

/// Goal number `n` (1-based): playing `challenge`'s round for at least `min_points`.
pub fn round_goal(challenge: &Challenge, min_points: f64, n: usize) -> Goal {
    let task = match challenge.exercise {
        Exercise::EqCorrection => "undo the hidden change with the master's EQ",
        Exercise::Gain => "name the track that changed and by how much",
        _ => "name the hidden change",
    };
    Goal {
        id: format!("ear-{n}"),
        text: format!(
            "Ear training, {}: play the round and {task} ({} points or more).",
            challenge.exercise.name(),
            min_points
        ),
        kind: GoalKind::EarChallenge {
            challenge: challenge.encode(),
            min_points,
        },
    }
}

/// The lesson a draft makes.
pub fn lesson(
    title: &str,
    introduction: &str,
    steps: &str,
    start: Session,
    locks: Vec<String>,
    reference: Option<mixroom_protocol::lesson::Reference>,
    goals: Vec<Goal>,
) -> Lesson {
    Lesson {
        version: LESSON_VERSION,
        id: id_from(title),
        title: title.trim().to_owned(),
        introduction: introduction.trim().to_owned(),
        steps: steps
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        start,
        locks: (!locks.is_empty()).then_some(locks),
        reference,
        goals,
    }
}
