//! What a hand-in may not do, whatever it sounds like. The student's page enforces a lesson's
//! locks, but a hand-in is a file or a link anyone can write, so grading (the class view and
//! `mixroom check`) compares the student's mix with the lesson's start and lists every change
//! the lesson does not allow ([`violations`]); a hand-in with any does not pass.
//!
//! | violation | when |
//! |---|---|
//! | a locked control changed | a parameter the lesson's `locks` do not list differs from the start on any strip (beyond rounding: a millionth of its range) |
//! | a track added or removed | the mix has a track the start does not, or lacks one it has (matched by source, then by name) |
//! | a source changed | a track of the start plays another demo stem, URL or file (a file by its SHA-256 where both know one, else by its name) |
//! | buses or returns added or removed | their counts differ from the start's |
//!
//! Besides, grading flags (without failing it) a hand-in that is the lesson's reference mix
//! within the steps of the controls ([`same_as_reference`]), and hand-ins that are one mix
//! ([`same_mix`]): the teacher decides.

use std::fmt;

use serde::Serialize;

use super::{Lesson, Reference};
use crate::params::{ParamSpec, PARAMS};
use crate::session::{demo_file_name, Session, Source, Strip, Track};
use crate::strips::StripKind;
use crate::text::shown;

/// One change a hand-in made that its lesson does not allow. `Display` is the reason, one
/// phrase for a table row: `locked control changed: “Bass” Fader, 0.0 dB → −6.0 dB`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// A control the lesson locks was changed.
    Locked {
        /// The strip, as the mix names it ("the master" for the master).
        strip: String,
        /// The control's key (`gain_db`).
        control: &'static str,
        /// Its value in the start.
        start: f32,
        /// Its value in the hand-in.
        now: f32,
    },
    /// A track of the start is missing.
    TrackRemoved {
        /// Its name in the start.
        name: String,
    },
    /// A track the start does not have.
    TrackAdded {
        /// Its name.
        name: String,
    },
    /// A track of the start plays another source.
    SourceChanged {
        /// Its name.
        name: String,
    },
    /// Buses or returns were added or removed.
    StripsChanged {
        /// "buses" or "returns".
        what: &'static str,
        /// How many the start has.
        start: usize,
        /// How many the hand-in has.
        now: usize,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Locked {
                strip,
                control,
                start,
                now,
            } => {
                let spec = crate::params::ParamId::from_key(control).map(|p| p.spec());
                let (name, start, now) = match spec {
                    Some(spec) => (spec.name, spec.format(*start), spec.format(*now)),
                    None => (*control, start.to_string(), now.to_string()),
                };
                write!(
                    f,
                    "locked control changed: “{}” {name}, {start} → {now}",
                    shown(strip)
                )
            }
            Violation::TrackRemoved { name } => write!(f, "track removed: “{}”", shown(name)),
            Violation::TrackAdded { name } => write!(f, "track added: “{}”", shown(name)),
            Violation::SourceChanged { name } => {
                write!(f, "source changed: “{}” plays other audio", shown(name))
            }
            Violation::StripsChanged { what, start, now } => {
                write!(f, "{what} changed: {start} in the lesson, {now} here")
            }
        }
    }
}

/// Every change `mix` (a student's hand-in of `lesson`) made that the lesson does not allow,
/// in the order of the start's strips; empty when it keeps to the lesson.
pub fn violations(lesson: &Lesson, mix: &Session) -> Vec<Violation> {
    let start = &lesson.start;
    let mut found = Vec::new();
    let locked: Vec<&ParamSpec> = PARAMS.iter().filter(|p| !lesson.allows(p.id)).collect();
    let locked_changes =
        |found: &mut Vec<Violation>, name: &str, kind: StripKind, a: &Strip, b: &Strip| {
            for spec in locked.iter().filter(|p| p.applies_to(kind)) {
                let (was, now) = (a.value(spec.id), b.value(spec.id));
                if changed(spec, was, now) {
                    found.push(Violation::Locked {
                        strip: name.to_owned(),
                        control: spec.key,
                        start: was,
                        now,
                    });
                }
            }
        };
    let pairs = match_tracks(&start.tracks, &mix.tracks);
    for pair in &pairs {
        if let (Some(a), Some(b)) = pair {
            locked_changes(&mut found, &b.name, StripKind::Track, &a.strip, &b.strip);
        }
    }
    for (what, kind, ours, theirs) in [
        ("buses", StripKind::Bus, &start.buses, &mix.buses),
        ("returns", StripKind::Return, &start.returns, &mix.returns),
    ] {
        for (a, b) in ours.iter().zip(theirs) {
            locked_changes(&mut found, &b.name, kind, &a.strip, &b.strip);
        }
        if ours.len() != theirs.len() {
            found.push(Violation::StripsChanged {
                what,
                start: ours.len(),
                now: theirs.len(),
            });
        }
    }
    locked_changes(
        &mut found,
        "the master",
        StripKind::Master,
        &start.master,
        &mix.master,
    );
    for pair in pairs {
        match pair {
            (Some(a), None) => found.push(Violation::TrackRemoved {
                name: a.name.clone(),
            }),
            (None, Some(b)) => found.push(Violation::TrackAdded {
                name: b.name.clone(),
            }),
            (Some(a), Some(b)) if !same_source(&a.source, &b.source) => {
                found.push(Violation::SourceChanged {
                    name: a.name.clone(),
                });
            }
            _ => {}
        }
    }
    found
}

/// Whether `mix` is `lesson`'s reference mix, within the steps of the controls ([`same_mix`]).
pub fn same_as_reference(lesson: &Lesson, mix: &Session) -> bool {
    matches!(&lesson.reference, Some(Reference::Mix(reference)) if same_mix(reference, mix))
}

/// Whether hand-ins of `a` and `b` for `lesson` share one mix that the lesson does not
/// explain: the same mix ([`same_mix`]), and not its start left as it was (which hand-ins
/// share without copying each other, as in a lesson answered by ear).
pub fn same_work(lesson: &Lesson, a: &Session, b: &Session) -> bool {
    same_mix(a, b) && !same_mix(&lesson.start, a)
}

/// Whether `a` and `b` are the same mix: the same tracks playing the same sources, the same
/// buses and returns, and every control of every strip the same setting
/// ([`ParamSpec::same_setting`]). Names and colours do not count.
pub fn same_mix(a: &Session, b: &Session) -> bool {
    let pairs = match_tracks(&a.tracks, &b.tracks);
    let same = |kind: StripKind, x: &Strip, y: &Strip| {
        PARAMS
            .iter()
            .filter(|p| p.applies_to(kind))
            .all(|p| p.same_setting(x.value(p.id), y.value(p.id)))
    };
    a.buses.len() == b.buses.len()
        && a.returns.len() == b.returns.len()
        && pairs.iter().all(|pair| match pair {
            (Some(x), Some(y)) => {
                same_source(&x.source, &y.source) && same(StripKind::Track, &x.strip, &y.strip)
            }
            _ => false,
        })
        && a.buses
            .iter()
            .zip(&b.buses)
            .all(|(x, y)| same(StripKind::Bus, &x.strip, &y.strip))
        && a.returns
            .iter()
            .zip(&b.returns)
            .all(|(x, y)| same(StripKind::Return, &x.strip, &y.strip))
        && same(StripKind::Master, &a.master, &b.master)
}

/// Whether a locked control's value changed: beyond a millionth of its range (what rounding
/// through JSON or a link can do).
fn changed(spec: &ParamSpec, a: f32, b: f32) -> bool {
    let (a, b) = (spec.sanitize(a), spec.sanitize(b));
    (a - b).abs() > 1e-6 * (spec.max - spec.min)
}

/// Whether two sources play the same audio: the same demo stem or URL, or the same file (by
/// SHA-256 where both know it, else by its name); a demo stem and a file of its name
/// ([`demo_file_name`]) are the same (a demo stem has no SHA-256: it is synthesized at the
/// render's rate).
fn same_source(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::Demo(x), Source::Demo(y)) => x == y,
        (Source::Demo(id), Source::File(file)) | (Source::File(file), Source::Demo(id)) => {
            file.name() == demo_file_name(id)
        }
        (Source::Url(x), Source::Url(y)) => x == y,
        (Source::File(x), Source::File(y)) => match (&x.sha256, &y.sha256) {
            (Some(x), Some(y)) => x == y,
            _ => x.name() == y.name(),
        },
        _ => false,
    }
}

/// The tracks of `ours` paired with those of `theirs`: each with the first unpaired one that
/// plays the same source under the same name, else the same source, else the same name (a
/// changed source); what is left pairs with nothing. In the order of `ours`, then the rest of
/// `theirs`.
fn match_tracks<'a>(
    ours: &'a [Track],
    theirs: &'a [Track],
) -> Vec<(Option<&'a Track>, Option<&'a Track>)> {
    let mut taken = vec![false; theirs.len()];
    let mut pairs: Vec<(Option<&Track>, Option<&Track>)> =
        ours.iter().map(|t| (Some(t), None)).collect();
    let rules: [fn(&Track, &Track) -> bool; 3] = [
        |a, b| a.name == b.name && same_source(&a.source, &b.source),
        |a, b| same_source(&a.source, &b.source),
        |a, b| a.name == b.name,
    ];
    for rule in rules {
        for pair in pairs.iter_mut().filter(|p| p.1.is_none()) {
            let a = pair.0.expect("each pair starts with one of ours");
            if let Some(j) = (0..theirs.len()).find(|&j| !taken[j] && rule(a, &theirs[j])) {
                taken[j] = true;
                pair.1 = Some(&theirs[j]);
            }
        }
    }
    pairs.extend(
        theirs
            .iter()
            .zip(&taken)
            .filter(|(_, &t)| !t)
            .map(|(b, _)| (None, Some(b))),
    );
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::LESSON_VERSION;
    use crate::params::ParamId;
    use crate::session::{benchmark, FileSource};

    /// A lesson on three tracks with `locks`, whose reference mix turns the first one down.
    fn lesson_with_reference(locks: Option<Vec<String>>) -> Lesson {
        let start = benchmark(3, true);
        let mut reference = start.clone();
        reference.tracks[0].strip.set(ParamId::GainDb, -24.0);
        Lesson {
            version: LESSON_VERSION,
            id: "levels".into(),
            title: "Levels".into(),
            introduction: String::new(),
            steps: Vec::new(),
            start,
            locks,
            reference: Some(Reference::Mix(reference)),
            goals: Vec::new(),
        }
    }

    #[test]
    fn a_mix_within_the_locks_has_no_violations() {
        // Reference: the table of this module; the lesson allows faders and pans.
        let lesson = lesson_with_reference(Some(vec!["gain_db".into(), "pan".into()]));
        let mut mix = lesson.start.clone();
        mix.tracks[0].strip.set(ParamId::GainDb, -6.0);
        mix.tracks[1].strip.set(ParamId::Pan, 0.5);
        assert_eq!(violations(&lesson, &mix), []);
    }

    #[test]
    fn every_forbidden_change_is_named() {
        let lesson = lesson_with_reference(Some(vec!["gain_db".into()]));
        let mut mix = lesson.start.clone();
        mix.tracks[0].strip.set(ParamId::Eq2GainDb, -9.0);
        mix.master.set(ParamId::LimiterBypass, 1.0);
        let extra = Track {
            name: "Bass".into(),
            source: Source::File(FileSource {
                path: "bass.wav".into(),
                sha256: None,
            }),
            ..mix.tracks[1].clone()
        };
        mix.tracks.push(extra);
        mix.tracks[1].source = Source::File(FileSource {
            path: "other.wav".into(),
            sha256: None,
        });
        mix.tracks.remove(2);
        let found = violations(&lesson, &mix);
        let reasons: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            matches!(&found[0], Violation::Locked { control: "eq2_gain_db", now, .. } if *now == -9.0),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.starts_with("locked control changed: “the master”")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("track removed")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("track added: “Bass”")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.starts_with("source changed")),
            "{reasons:?}"
        );
        let json = serde_json::to_value(&found[0]).unwrap();
        assert_eq!(json["kind"], "locked");
        assert_eq!(json["control"], "eq2_gain_db");
    }

    #[test]
    fn the_reference_handed_in_is_flagged_within_a_step() {
        // Reference: half an arrow-key step of each control (ParamSpec::same_setting).
        let lesson = lesson_with_reference(None);
        let Some(Reference::Mix(reference)) = &lesson.reference else {
            panic!("the lesson has a reference mix")
        };
        let mut copy = reference.clone();
        let gain = copy.tracks[0].strip.value(ParamId::GainDb);
        copy.tracks[0].strip.set(ParamId::GainDb, gain + 0.1);
        copy.tracks[0].name = "Renamed".into();
        assert!(same_as_reference(&lesson, &copy));
        assert_eq!(violations(&lesson, &copy), [], "a flag, not a violation");
        copy.tracks[0].strip.set(ParamId::GainDb, gain + 1.0);
        assert!(!same_as_reference(&lesson, &copy));
        assert!(!same_mix(reference, &lesson.start));
        assert!(same_mix(&lesson.start, &lesson.start.clone()));
    }
}
