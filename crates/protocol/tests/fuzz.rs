//! Property tests (proptest) of everything that reads outside input: the share-link decoder,
//! the session parser and the bundle reader never panic, and what they accept is valid; valid
//! sessions survive the link and JSON exactly (up to `link::normalize`).
//!
//! Seeded by proptest; a failure prints its seed and case. Regressions go to
//! `proptest-regressions/`, which is ignored by git (see `crates/protocol/.gitignore`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use mixroom_protocol::bundle;
use mixroom_protocol::link::{self, LinkError, LINK_FORMAT};
use mixroom_protocol::params::{ParamId, PARAMS};
use mixroom_protocol::session::{
    benchmark, FileSource, NamedStrip, Session, Source, Strip, Track, Transport, SESSION_VERSION,
};
use mixroom_protocol::strips::{StripKind, MAX_BUSES, MAX_RETURNS};
use proptest::prelude::*;

/// Base64url characters, what a link is made of.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A parameter value: anything an f32 can be (NaN, infinities, −0, subnormals), or one in or
/// near the parameter's range.
fn value(min: f32, max: f32) -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>(),
        (min - 1.0)..(max + 1.0),
        Just(min),
        Just(max),
        Just(f32::NAN),
        Just(-0.0),
    ]
}

/// Settings of a strip of `kind` (routing to a bus among `buses` for a track).
fn strip(kind: StripKind, buses: usize) -> impl Strategy<Value = Strip> {
    let specs: Vec<_> = PARAMS
        .iter()
        .filter(|p| p.applies_to(kind) && p.id != ParamId::Output)
        .collect();
    let edits =
        proptest::sample::subsequence(specs.clone(), 0..=specs.len()).prop_flat_map(|chosen| {
            chosen
                .into_iter()
                .map(|spec| (Just(spec.key), value(spec.min, spec.max)))
                .collect::<Vec<_>>()
        });
    let output = proptest::option::of(0..=buses);
    (edits, output).prop_map(move |(edits, output)| {
        let mut strip = Strip::default();
        for (key, value) in edits {
            strip.params.insert(key.to_owned(), value);
        }
        if let (Some(bus), StripKind::Track) = (output, kind) {
            strip.set(ParamId::Output, bus as f32);
        }
        strip
    })
}

fn name() -> impl Strategy<Value = String> {
    "\\PC{0,16}"
}

fn color() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("#[0-9a-fA-F]{6}|rgb\\([0-9, ]{0,12}\\)|\\PC{0,8}")
}

fn source() -> impl Strategy<Value = Source> {
    let sha256 = proptest::option::of("[0-9a-f]{64}|[0-9A-F]{64}|\\PC{0,70}");
    prop_oneof![
        "[a-z_]{1,12}".prop_map(Source::Demo),
        "https?://[a-z.]{1,16}/[A-Za-z0-9._~%/?#=&-]{0,24}".prop_map(Source::Url),
        ("\\PC{0,23}[a-z]", sha256)
            .prop_map(|(path, sha256)| Source::File(FileSource { path, sha256 })),
    ]
}

fn seconds() -> impl Strategy<Value = f64> {
    prop_oneof![any::<f64>(), 0.0..600.0, Just(0.0)]
}

/// A session within the engine's limits (tracks kept to 16 for speed), any parameter values.
fn session() -> impl Strategy<Value = Session> {
    (0..=MAX_BUSES.min(4), 0..=MAX_RETURNS)
        .prop_flat_map(|(buses, returns)| {
            let track = (name(), source(), color(), strip(StripKind::Track, buses)).prop_map(
                |(name, source, color, strip)| Track {
                    name,
                    source,
                    color,
                    strip,
                },
            );
            let named = |kind| {
                (name(), color(), strip(kind, 0)).prop_map(|(name, color, strip)| NamedStrip {
                    name,
                    color,
                    strip,
                })
            };
            let transport = (any::<bool>(), seconds(), proptest::option::of(seconds())).prop_map(
                |(loop_on, loop_start_s, loop_end_s)| Transport {
                    loop_on,
                    loop_start_s,
                    loop_end_s,
                },
            );
            (
                proptest::collection::vec(track, 0..=16),
                proptest::collection::vec(named(StripKind::Bus), buses),
                proptest::collection::vec(named(StripKind::Return), returns),
                strip(StripKind::Master, 0),
                transport,
            )
        })
        .prop_map(|(tracks, buses, returns, master, transport)| Session {
            version: SESSION_VERSION,
            tracks,
            buses,
            returns,
            master,
            transport,
        })
}

/// What the link decoder gives must be a session Mixroom accepts.
fn accepted_or_refused(result: Result<Session, LinkError>) -> Result<(), TestCaseError> {
    if let Ok(session) = result {
        prop_assert_eq!(session.check(), Ok(()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_text_is_a_link_or_an_error(text in "\\PC{0,300}") {
        accepted_or_refused(link::decode(&text))?;
        let _ = Session::from_json(&text);
    }

    #[test]
    fn any_base64url_is_a_link_or_an_error(text in "[A-Za-z0-9_-]{0,400}") {
        accepted_or_refused(link::decode(&text))?;
    }

    #[test]
    fn any_compressed_body_is_a_link_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..600)) {
        // The zlib layer intact, the structure inside random: this reaches the mix decoder.
        let mut bytes = vec![LINK_FORMAT];
        bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(&body, 6));
        accepted_or_refused(link::decode(&URL_SAFE_NO_PAD.encode(bytes)))?;
    }

    #[test]
    fn any_bytes_are_a_bundle_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(opened) = bundle::read(&bytes) {
            prop_assert_eq!(opened.session.check(), Ok(()));
        }
        let _ = Session::from_json(&String::from_utf8_lossy(&bytes));
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn valid_sessions_survive_the_link_and_json(session in session()) {
        prop_assume!(session.check().is_ok());
        let normal = link::normalize(&session);
        let back = link::decode(&link::encode(&session)).unwrap();
        prop_assert_eq!(&back, &normal);
        prop_assert_eq!(Session::from_json(&normal.to_json()).unwrap(), normal.clone());
        prop_assert_eq!(link::normalize(&normal), normal.clone());
        prop_assert_eq!(normal.clone().make_safe(), vec![], "what a link keeps is safe");
        prop_assert_eq!(normal.tracks.len(), session.tracks.len(), "every source is valid");
        // Every value plays the same, bit for bit.
        let strips = |s: &Session| {
            let mut all: Vec<(StripKind, Strip)> =
                s.tracks.iter().map(|t| (StripKind::Track, t.strip.clone())).collect();
            all.extend(s.buses.iter().map(|b| (StripKind::Bus, b.strip.clone())));
            all.extend(s.returns.iter().map(|r| (StripKind::Return, r.strip.clone())));
            all.push((StripKind::Master, s.master.clone()));
            all
        };
        for ((kind, a), (_, b)) in strips(&session).iter().zip(strips(&back)) {
            for spec in PARAMS.iter().filter(|p| p.applies_to(*kind)) {
                prop_assert_eq!(a.value(spec.id).to_bits(), b.value(spec.id).to_bits());
            }
        }
    }

    #[test]
    fn changed_links_are_refused_or_valid(
        session in session(),
        cut in any::<proptest::sample::Index>(),
        at in any::<proptest::sample::Index>(),
        with in proptest::sample::select(ALPHABET),
        noise in "\\PC{1,3}",
    ) {
        prop_assume!(session.check().is_ok());
        let payload = link::encode(&session);
        let cut_at = cut.index(payload.len() + 1);
        accepted_or_refused(link::decode(&payload[..cut_at]))?;
        let at = at.index(payload.len());
        let mut flipped = payload.clone().into_bytes();
        flipped[at] = with;
        accepted_or_refused(link::decode(std::str::from_utf8(&flipped).unwrap()))?;
        let mut inserted = payload.clone();
        inserted.insert_str(at, &noise);
        accepted_or_refused(link::decode(&inserted))?;
        let mut doubled = payload.clone();
        doubled.insert_str(at, &payload[at..]);
        accepted_or_refused(link::decode(&doubled))?;
    }

    #[test]
    fn changed_json_is_refused_or_valid(session in session(), at in any::<proptest::sample::Index>(), noise in "\\PC{0,3}") {
        let mut json = link::normalize(&session).to_json();
        let mut at = at.index(json.len() + 1);
        while !json.is_char_boundary(at) {
            at -= 1;
        }
        json.insert_str(at, &noise);
        if let Ok(parsed) = Session::from_json(&json) {
            prop_assert_eq!(parsed.check(), Ok(()));
        }
    }

    #[test]
    fn changed_bundles_are_refused_or_valid(
        data in proptest::collection::vec(any::<u8>(), 0..256),
        at in any::<proptest::sample::Index>(),
        bit in 0u8..8,
        cut in any::<proptest::sample::Index>(),
    ) {
        let mut session = benchmark(2, false);
        session.tracks[0].source = Source::File(FileSource { path: "a.wav".into(), sha256: None });
        session.tracks[1].source = Source::Demo("kick".into());
        let written = bundle::write(&session, &[("a.wav", &data)]).unwrap();
        let files: BTreeMap<_, _> = [("audio/a.wav".to_owned(), data.clone())].into();
        prop_assert_eq!(bundle::read(&written.bytes).unwrap().files, files);
        let mut flipped = written.bytes.clone();
        let at = at.index(flipped.len());
        flipped[at] ^= 1 << bit;
        if let Ok(opened) = bundle::read(&flipped) {
            prop_assert_eq!(opened.session.check(), Ok(()));
        }
        let _ = bundle::read(&written.bytes[..cut.index(written.bytes.len())]);
    }
}

/// How a changed link fared: refused, opened as the same mix, or opened as another mix.
#[derive(Default, Debug)]
struct Outcomes {
    refused: usize,
    same: usize,
    other: usize,
}

#[test]
fn single_character_changes_are_almost_all_caught() {
    // Reference: every substitution of every character of three links by every other base64url
    // character. A change that opens as the same mix is harmless (the unused low bits of the
    // last character); one that opens as another mix is the undetected kind.
    let mut edited = benchmark(8, true);
    edited.tracks[0].name = "Gesang 🎤".into();
    let sessions = [benchmark(14, true), edited, benchmark(1, false)];
    let mut outcomes = Outcomes::default();
    for session in &sessions {
        let payload = link::encode(session);
        let expected = link::normalize(session);
        let mut bytes = payload.clone().into_bytes();
        for at in 0..bytes.len() {
            let original = bytes[at];
            for &with in ALPHABET.iter().filter(|&&c| c != original) {
                bytes[at] = with;
                match link::decode(std::str::from_utf8(&bytes).unwrap()) {
                    Err(_) => outcomes.refused += 1,
                    Ok(s) if s == expected => outcomes.same += 1,
                    Ok(s) => {
                        assert_eq!(s.check(), Ok(()));
                        outcomes.other += 1;
                    }
                }
            }
            bytes[at] = original;
        }
    }
    let total = outcomes.refused + outcomes.same + outcomes.other;
    let percent = |n: usize| 100.0 * n as f64 / total as f64;
    println!(
        "single-character changes: {total}; refused {:.3}%, same mix {:.3}%, another mix {:.4}% \
         ({outcomes:?})",
        percent(outcomes.refused),
        percent(outcomes.same),
        percent(outcomes.other),
    );
    assert!(percent(outcomes.other) < 0.1, "{outcomes:?}");
}
