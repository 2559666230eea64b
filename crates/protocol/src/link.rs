//! The share link: a whole mix in a URL fragment (`https://…/#mix=PAYLOAD`).
//!
//! `PAYLOAD` is base64url without padding (RFC 4648 §5) of one format byte ([`LINK_FORMAT`])
//! followed by a zlib stream (RFC 1950, whose Adler-32 catches most damage) of the mix in
//! postcard's compact binary form (varints, little-endian floats, length-prefixed UTF-8).
//!
//! What a link holds, for each strip: the parameters that differ from their default, by
//! their append-only index in [`PARAMS`](crate::params::PARAMS), each value as its exact f32
//! bits; names and colours; each track's source (a demo stem by id, a URL, a file by name and
//! SHA-256); the transport's loop region as exact f64 bits. The audio itself is not in it.
//!
//! Opening a link gives back exactly [`normalize`] of the session that made it, which plays
//! exactly like the original: every [`Strip::value`] is the same, bit for bit.

use std::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};

use crate::params::ParamId;
use crate::session::{
    FileSource, NamedStrip, Session, SessionError, Source, Strip, Track, Transport, SESSION_VERSION,
};
use crate::validate::Incoming;

/// The link format this build writes and the newest it reads: the first byte of the payload.
pub const LINK_FORMAT: u8 = 1;

/// What precedes the payload in the app's URL fragment: `…#mix=PAYLOAD`.
pub const FRAGMENT_KEY: &str = "mix=";

/// Largest decompressed mix a link may hold, bytes (the demo song's is under 1 KiB; 256 fully
/// edited tracks stay under 120 KiB). A larger one is refused as damaged.
pub const MAX_DECOMPRESSED_BYTES: usize = 1 << 20;

/// Format bytes above [`LINK_FORMAT`] up to this one are taken for a newer Mixroom's link;
/// anything else is not a Mixroom link.
const NEWEST_PLAUSIBLE_FORMAT: u8 = 15;

/// zlib level: the best compression (the payload is small; time does not matter).
const ZLIB_LEVEL: u8 = 10;

/// Why a link could not be opened. `Display` says what is wrong with the link, for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    /// Empty, not base64url, or not made by Mixroom.
    NotALink,
    /// The link was cut off (a chat app or a copy shortened it).
    Truncated,
    /// The link was changed after it was made: its checksum or its structure is wrong.
    Damaged,
    /// Made by a newer Mixroom (a newer format, or a setting this version does not know).
    TooNew,
    /// The link is intact but the mix in it is refused.
    Refused(SessionError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NotALink => write!(f, "this is not a Mixroom mix link"),
            LinkError::Truncated => write!(
                f,
                "this mix link is cut off; copy the whole link and try again"
            ),
            LinkError::Damaged => write!(
                f,
                "this mix link is damaged: it was changed after it was made"
            ),
            LinkError::TooNew => write!(
                f,
                "this mix link was made by a newer Mixroom; update Mixroom to open it"
            ),
            LinkError::Refused(why) => write!(f, "the mix in this link cannot be opened: {why}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// The link payload (no URL, no [`FRAGMENT_KEY`]) of `session`. What it keeps is
/// [`normalize`]`(session)`.
pub fn encode(session: &Session) -> String {
    let wire = Wire::from_session(&normalize(session));
    let body = postcard::to_allocvec(&wire).expect("a mix always serializes");
    let mut bytes = vec![LINK_FORMAT];
    bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(
        &body, ZLIB_LEVEL,
    ));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The mix in `text`: a payload alone, a fragment (`#mix=…`) or a whole URL. Whitespace (a
/// link wrapped over lines) is ignored. The session returned has passed [`Session::check`], and
/// every field that breaks a rule of [`validate`](crate::validate) is refused on its own and
/// listed: a link is written by a stranger. The session is [`normalize`]d.
pub fn open(text: &str) -> Result<Incoming, LinkError> {
    let payload: String = find_payload(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = decode_base64(&payload)?;
    let (&format, compressed) = bytes.split_first().ok_or(LinkError::NotALink)?;
    if format != LINK_FORMAT {
        return Err(
            if (LINK_FORMAT + 1..=NEWEST_PLAUSIBLE_FORMAT).contains(&format) {
                LinkError::TooNew
            } else {
                LinkError::NotALink
            },
        );
    }
    let body =
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, MAX_DECOMPRESSED_BYTES)
            .map_err(|e| match e.status {
                TINFLStatus::FailedCannotMakeProgress => LinkError::Truncated,
                _ => LinkError::Damaged,
            })?;
    let (wire, rest) = postcard::take_from_bytes::<Wire>(&body).map_err(|_| LinkError::Damaged)?;
    if !rest.is_empty() {
        return Err(LinkError::Damaged);
    }
    let mut incoming = wire
        .into_session()?
        .incoming()
        .map_err(LinkError::Refused)?;
    // A refused value becomes its default: left out, as `encode` would write it.
    incoming.session = normalize(&incoming.session);
    Ok(incoming)
}

/// Like [`open`], but a link with any field refused is refused whole.
pub fn decode(text: &str) -> Result<Session, LinkError> {
    let incoming = open(text)?;
    match incoming.refused.into_iter().next() {
        Some(refusal) => Err(LinkError::Refused(SessionError::Field(refusal))),
        None => Ok(incoming.session),
    }
}

/// The payload in `text`: what follows [`FRAGMENT_KEY`] in the fragment of a URL (up to the
/// next `&`), or `text` itself (trimmed, without a leading `#`) when it has no such key.
pub fn find_payload(text: &str) -> &str {
    find_payload_for(text, FRAGMENT_KEY)
}

/// The payload in `text` under fragment key `key` (`"mix="`, `"lesson="`), as [`find_payload`]
/// finds it.
pub(crate) fn find_payload_for<'a>(text: &'a str, key: &str) -> &'a str {
    let text = text.trim();
    let fragment = text.split_once('#').map_or(text, |(_, fragment)| fragment);
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix(key))
        .unwrap_or(fragment)
}

/// Base64url with or without padding; the unused low bits of the last character are ignored,
/// and a last character that cannot stand alone (a cut-off link) is dropped so that the
/// decompressor reports the cut.
pub(crate) fn decode_base64(payload: &str) -> Result<Vec<u8>, LinkError> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let unpadded = payload.trim_end_matches('=');
    let valid = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    if unpadded.is_empty() || !unpadded.bytes().all(valid) {
        return Err(LinkError::NotALink);
    }
    let usable = if unpadded.len() % 4 == 1 {
        &unpadded[..unpadded.len() - 1]
    } else {
        unpadded
    };
    LENIENT.decode(usable).map_err(|_| LinkError::NotALink)
}

/// The session a link made from `session` gives back:
/// - `version` is [`SESSION_VERSION`];
/// - every known parameter value is made valid ([`ParamSpec::sanitize`](crate::params::ParamSpec::sanitize)),
///   and dropped when its bits equal the default's; unknown keys are dropped;
/// - a file source keeps only its file's name ([`FileSource::name`]) and its SHA-256 in
///   lower-case hex, dropped when it is not 64 hex digits;
/// - a loop start that is not finite becomes 0 s, a loop end that is not finite becomes `None`;
/// - then every field is made safe ([`Session::make_safe`]), as opening the link would.
///
/// Every [`Strip::value`] of the result equals the original's, bit for bit (of the tracks
/// that are kept). Normalizing twice changes nothing.
pub fn normalize(session: &Session) -> Session {
    let transport = &session.transport;
    let mut normal = Session {
        version: SESSION_VERSION,
        tracks: session
            .tracks
            .iter()
            .map(|track| Track {
                name: track.name.clone(),
                source: match &track.source {
                    Source::File(file) => Source::File(FileSource {
                        path: file.name().to_owned(),
                        sha256: file
                            .sha256
                            .as_deref()
                            .and_then(sha256_bytes)
                            .map(|bytes| hex(&bytes)),
                    }),
                    other => other.clone(),
                },
                color: track.color.clone(),
                strip: normalize_strip(&track.strip),
            })
            .collect(),
        buses: session.buses.iter().map(normalize_named).collect(),
        returns: session.returns.iter().map(normalize_named).collect(),
        master: normalize_strip(&session.master),
        transport: Transport {
            loop_on: transport.loop_on,
            loop_start_s: finite_or(transport.loop_start_s, 0.0),
            loop_end_s: transport.loop_end_s.filter(|s| s.is_finite()),
        },
    };
    normal.make_safe();
    normal
}

fn finite_or(value: f64, otherwise: f64) -> f64 {
    if value.is_finite() {
        value
    } else {
        otherwise
    }
}

fn normalize_named(named: &NamedStrip) -> NamedStrip {
    NamedStrip {
        name: named.name.clone(),
        color: named.color.clone(),
        strip: normalize_strip(&named.strip),
    }
}

fn normalize_strip(strip: &Strip) -> Strip {
    Strip {
        params: strip
            .params
            .iter()
            .filter_map(|(key, &value)| {
                let spec = ParamId::from_key(key)?.spec();
                let value = spec.sanitize(value);
                (value.to_bits() != spec.default.to_bits()).then(|| (key.clone(), value))
            })
            .collect(),
    }
}

/// The 32 bytes of a SHA-256 written as 64 hex digits (either case).
fn sha256_bytes(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The mix as the link carries it. Field order is the wire order: never reorder, only append
/// in a new [`LINK_FORMAT`].
#[derive(Serialize, Deserialize)]
struct Wire {
    tracks: Vec<WireTrack>,
    buses: Vec<WireNamed>,
    returns: Vec<WireNamed>,
    master: Vec<WireParam>,
    transport: WireTransport,
}

#[derive(Serialize, Deserialize)]
struct WireTrack {
    name: String,
    source: WireSource,
    color: Option<String>,
    params: Vec<WireParam>,
}

#[derive(Serialize, Deserialize)]
enum WireSource {
    Demo(String),
    Url(String),
    File {
        name: String,
        sha256: Option<[u8; 32]>,
    },
}

#[derive(Serialize, Deserialize)]
struct WireNamed {
    name: String,
    color: Option<String>,
    params: Vec<WireParam>,
}

/// One parameter: its index in the table (a varint) and its value's bits.
#[derive(Serialize, Deserialize)]
struct WireParam {
    index: u32,
    value: f32,
}

#[derive(Serialize, Deserialize)]
struct WireTransport {
    loop_on: bool,
    loop_start_s: f64,
    loop_end_s: Option<f64>,
}

impl Wire {
    /// `session` must be normalized.
    fn from_session(session: &Session) -> Wire {
        Wire {
            tracks: session
                .tracks
                .iter()
                .map(|track| WireTrack {
                    name: track.name.clone(),
                    source: match &track.source {
                        Source::Demo(id) => WireSource::Demo(id.clone()),
                        Source::Url(url) => WireSource::Url(url.clone()),
                        Source::File(file) => WireSource::File {
                            name: file.path.clone(),
                            sha256: file.sha256.as_deref().and_then(sha256_bytes),
                        },
                    },
                    color: track.color.clone(),
                    params: wire_params(&track.strip),
                })
                .collect(),
            buses: session.buses.iter().map(WireNamed::from_named).collect(),
            returns: session.returns.iter().map(WireNamed::from_named).collect(),
            master: wire_params(&session.master),
            transport: WireTransport {
                loop_on: session.transport.loop_on,
                loop_start_s: session.transport.loop_start_s,
                loop_end_s: session.transport.loop_end_s,
            },
        }
    }

    fn into_session(self) -> Result<Session, LinkError> {
        let tracks = self
            .tracks
            .into_iter()
            .map(|track| {
                let source = match track.source {
                    WireSource::Demo(id) => Source::Demo(id),
                    WireSource::Url(url) => Source::Url(url),
                    // A link carries a file's name only ([`normalize`]): a path in its place
                    // was put there by hand.
                    WireSource::File { name, .. } if name.contains(['/', '\\']) => {
                        return Err(LinkError::Damaged)
                    }
                    WireSource::File { name, sha256 } => Source::File(FileSource {
                        path: name,
                        sha256: sha256.map(|bytes| hex(&bytes)),
                    }),
                };
                Ok(Track {
                    name: track.name,
                    source,
                    color: track.color,
                    strip: strip_from_wire(track.params)?,
                })
            })
            .collect::<Result<_, LinkError>>()?;
        let named = |list: Vec<WireNamed>| {
            list.into_iter()
                .map(|named| {
                    Ok(NamedStrip {
                        name: named.name,
                        color: named.color,
                        strip: strip_from_wire(named.params)?,
                    })
                })
                .collect::<Result<Vec<_>, LinkError>>()
        };
        let transport = self.transport;
        let finite_end = transport.loop_end_s.is_none_or(f64::is_finite);
        if !transport.loop_start_s.is_finite() || !finite_end {
            return Err(LinkError::Damaged);
        }
        Ok(Session {
            version: SESSION_VERSION,
            tracks,
            buses: named(self.buses)?,
            returns: named(self.returns)?,
            master: strip_from_wire(self.master)?,
            transport: Transport {
                loop_on: transport.loop_on,
                loop_start_s: transport.loop_start_s,
                loop_end_s: transport.loop_end_s,
            },
        })
    }
}

impl WireNamed {
    fn from_named(named: &NamedStrip) -> WireNamed {
        WireNamed {
            name: named.name.clone(),
            color: named.color.clone(),
            params: wire_params(&named.strip),
        }
    }
}

/// The strip's parameters by ascending index (`strip` must be normalized: known keys only).
fn wire_params(strip: &Strip) -> Vec<WireParam> {
    let mut params: Vec<WireParam> = strip
        .params
        .iter()
        .filter_map(|(key, &value)| {
            let index = ParamId::from_key(key)? as u32;
            Some(WireParam { index, value })
        })
        .collect();
    params.sort_by_key(|p| p.index);
    params
}

/// A strip from its wire parameters: indices must ascend strictly (as [`encode`] writes them);
/// an index past the table is a newer Mixroom's setting. Values are made valid, and left out
/// when that makes them the default.
fn strip_from_wire(params: Vec<WireParam>) -> Result<Strip, LinkError> {
    let mut strip = Strip::default();
    let mut previous = None;
    for WireParam { index, value } in params {
        if previous.is_some_and(|p| index <= p) {
            return Err(LinkError::Damaged);
        }
        previous = Some(index);
        let param = usize::try_from(index)
            .ok()
            .and_then(ParamId::from_index)
            .ok_or(LinkError::TooNew)?;
        // Kept as it came: a value out of range is refused by name (`Session::make_safe`).
        let spec = param.spec();
        if value.to_bits() != spec.default.to_bits() {
            strip.params.insert(spec.key.to_owned(), value);
        }
    }
    Ok(strip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::PARAMS;
    use crate::session::benchmark;
    use crate::strips::{StripIndex, StripKind, MAX_TRACKS};

    /// A payload with format byte `format` and `body` zlib-compressed, as [`encode`] builds it.
    fn payload_of(format: u8, body: &[u8]) -> String {
        let mut bytes = vec![format];
        bytes.extend(miniz_oxide::deflate::compress_to_vec_zlib(body, ZLIB_LEVEL));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn wire_payload(wire: &Wire) -> String {
        payload_of(LINK_FORMAT, &postcard::to_allocvec(wire).unwrap())
    }

    fn empty_wire() -> Wire {
        Wire::from_session(&benchmark(0, false))
    }

    /// Every parameter of every strip kind set, from a deterministic spread of values that
    /// includes out-of-range ones, NaN, infinities and −0.
    fn edited() -> Session {
        let mut session = benchmark(MAX_TRACKS, true);
        let odd = [f32::NAN, f32::INFINITY, -1e30, -0.0, 1e-3, 0.1, 7.25, 1e30];
        let mut n = 0usize;
        let mut edit = |strip: &mut Strip, kind: StripKind| {
            for spec in PARAMS.iter().filter(|p| p.applies_to(kind)) {
                n += 1;
                let value = if n.is_multiple_of(3) {
                    odd[n % odd.len()]
                } else {
                    spec.min + (spec.max - spec.min) * ((n * 37 % 101) as f32 / 100.0)
                };
                if spec.id != ParamId::Output {
                    strip.params.insert(spec.key.to_owned(), value);
                }
            }
        };
        for track in &mut session.tracks {
            edit(&mut track.strip, StripKind::Track);
        }
        for bus in &mut session.buses {
            edit(&mut bus.strip, StripKind::Bus);
        }
        for aux in &mut session.returns {
            edit(&mut aux.strip, StripKind::Return);
        }
        edit(&mut session.master, StripKind::Master);
        session.tracks[0].name = "Gesang – 声 🎤".into();
        session.tracks[0].color = Some("#ff00aa".into());
        session.tracks[1].source = Source::Demo("kick".into());
        session.tracks[2].source = Source::Url("https://example.com/a%20b/vox.ogg?x=1#y".into());
        session.tracks[3].source = Source::File(FileSource {
            path: "stems/take 2/bass.wav".into(),
            sha256: Some("AB".repeat(32)),
        });
        session.tracks[4].source = Source::File(FileSource {
            path: "C:\\mix\\gtr.flac".into(),
            sha256: Some("not a hash".into()),
        });
        session.buses[0].color = Some("#010203".into());
        session.returns[1].name = "Verb ✨".into();
        session.transport = Transport {
            loop_on: false,
            loop_start_s: 12.345_678_901_234_567,
            loop_end_s: Some(38.4 + f64::EPSILON * 64.0),
        };
        session
    }

    fn strips(session: &Session) -> Vec<(StripIndex, &Strip)> {
        StripIndex::all()
            .filter_map(|s| session.strip(s).map(|strip| (s, strip)))
            .collect()
    }

    #[test]
    fn round_trip_gives_the_normalized_session() {
        // Reference: `normalize`, the documented meaning of "the same mix".
        for session in [edited(), benchmark(1, false), benchmark(64, true)] {
            session.check().unwrap();
            let payload = encode(&session);
            let back = decode(&payload).unwrap();
            assert_eq!(back, normalize(&session));
            assert_eq!(normalize(&back), back, "normalizing twice changes nothing");
            assert_eq!(encode(&back), payload, "a link made again is the same link");
        }
    }

    #[test]
    fn every_value_comes_back_bit_for_bit() {
        // Reference: Strip::value of the original, compared as f32 bits.
        let session = edited();
        let back = decode(&encode(&session)).unwrap();
        let (before, after) = (strips(&session), strips(&back));
        assert_eq!(before.len(), after.len());
        for ((strip, a), (_, b)) in before.iter().zip(&after) {
            for spec in PARAMS.iter().filter(|p| p.applies_to(strip.kind())) {
                let (a, b) = (a.value(spec.id), b.value(spec.id));
                assert_eq!(a.to_bits(), b.to_bits(), "{strip:?} {}", spec.key);
            }
        }
        assert_eq!(back.transport, session.transport, "f64 loop points exact");
        let pan = ParamId::Pan.spec().key;
        let mut minus_zero = benchmark(1, false);
        minus_zero.tracks[0].strip.params.insert(pan.into(), -0.0);
        let back = decode(&encode(&minus_zero)).unwrap();
        assert_eq!(
            back.tracks[0].strip.value(ParamId::Pan).to_bits(),
            (-0.0f32).to_bits()
        );
        let tiny = f32::from_bits(0.1f32.to_bits() + 1);
        minus_zero.tracks[0].strip.params.insert(pan.into(), tiny);
        let back = decode(&encode(&minus_zero)).unwrap();
        assert_eq!(
            back.tracks[0].strip.value(ParamId::Pan).to_bits(),
            tiny.to_bits()
        );
    }

    #[test]
    fn a_hostile_link_opens_with_each_bad_field_refused() {
        // Reference: crate::validate's rules; a link is written by a stranger.
        let mut wire = Wire::from_session(&benchmark(3, false));
        wire.tracks[0].color = Some("red; background: url(https://evil.example/x)".into());
        wire.tracks[1].source = WireSource::Url("javascript:alert(1)".into());
        wire.tracks[2].name = "\u{7}".repeat(3);
        let payload = wire_payload(&wire);
        let opened = open(&payload).unwrap();
        let fields: Vec<&str> = opened.refused.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "track 1 “Noise 1”, colour",
                "track 2 “Noise 2”, audio",
                "track 3, name"
            ]
        );
        let names: Vec<&str> = opened
            .session
            .tracks
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Noise 1", "Track 3"],
            "the rest of the mix as it came"
        );
        assert_eq!(opened.session.tracks[0].color, None);
        let strict = decode(&payload).unwrap_err();
        assert!(
            matches!(strict, LinkError::Refused(SessionError::Field(_))),
            "{strict}"
        );
        assert!(strict.to_string().contains("colour"), "{strict}");
    }

    #[test]
    fn normalizing_keeps_names_sources_and_drops_only_defaults() {
        // Reference: the rules listed on `normalize`.
        let session = edited();
        let n = normalize(&session);
        assert_eq!(n.tracks[0].name, "Gesang – 声 🎤");
        assert_eq!(n.tracks[0].color.as_deref(), Some("#ff00aa"));
        assert_eq!(n.tracks[2].source, session.tracks[2].source);
        let file = |path: &str, sha256: Option<String>| {
            Source::File(FileSource {
                path: path.into(),
                sha256,
            })
        };
        assert_eq!(n.tracks[3].source, file("bass.wav", Some("ab".repeat(32))));
        assert_eq!(n.tracks[4].source, file("gtr.flac", None));
        let mut defaults = Strip::default();
        defaults.set(ParamId::GainDb, 0.0);
        defaults.params.insert("no_such_key".into(), 1.0);
        assert!(normalize_strip(&defaults).params.is_empty());
        let mut nan = benchmark(0, false);
        nan.transport.loop_start_s = f64::NAN;
        nan.transport.loop_end_s = Some(f64::INFINITY);
        assert_eq!(
            normalize(&nan).transport,
            Transport {
                loop_on: true,
                loop_start_s: 0.0,
                loop_end_s: None
            }
        );
        assert_eq!(decode(&encode(&nan)).unwrap(), normalize(&nan));
    }

    #[test]
    fn finds_the_payload_in_a_url_or_fragment() {
        // Reference: the app's URL shape `…#mix=PAYLOAD`, other fragment keys around it.
        let payload = encode(&edited());
        let wrapped: String = payload
            .as_bytes()
            .chunks(60)
            .map(|line| format!("{}\n", std::str::from_utf8(line).unwrap()))
            .collect();
        for text in [
            payload.clone(),
            format!("#{FRAGMENT_KEY}{payload}"),
            format!("  https://mixroom.example/app/?x=1#{FRAGMENT_KEY}{payload}  "),
            format!("https://mixroom.example/#view=eq&{FRAGMENT_KEY}{payload}&t=3"),
            format!("{FRAGMENT_KEY}{wrapped}"),
            format!("{payload}=="),
        ] {
            assert_eq!(decode(&text).unwrap(), normalize(&edited()), "{text}");
        }
        assert_eq!(find_payload("https://x/#mix=abc&y=2"), "abc");
        assert_eq!(find_payload(" abc "), "abc");
    }

    #[test]
    fn each_kind_of_bad_link_gets_its_error() {
        // Reference: the LinkError variants and the cases the issue names.
        let good = encode(&edited());
        let not_links = [
            "",
            "   ",
            "#mix=",
            "hello world",
            "https://mixroom.example/#view=eq",
            "YWJj!",
        ];
        for text in not_links {
            assert_eq!(decode(text), Err(LinkError::NotALink), "{text:?}");
        }
        assert_eq!(decode(&payload_of(0, b"")), Err(LinkError::NotALink));
        assert_eq!(decode(&payload_of(200, b"")), Err(LinkError::NotALink));

        for cut in [2, 3, 10, good.len() / 2, good.len() - 2] {
            assert_eq!(
                decode(&good[..cut]),
                Err(LinkError::Truncated),
                "cut at {cut}"
            );
        }

        let mut flipped = good.clone().into_bytes();
        let middle = flipped.len() / 2;
        flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            decode(std::str::from_utf8(&flipped).unwrap()),
            Err(LinkError::Damaged)
        );

        let mut trailing = postcard::to_allocvec(&empty_wire()).unwrap();
        trailing.push(0);
        assert_eq!(
            decode(&payload_of(LINK_FORMAT, &trailing)),
            Err(LinkError::Damaged)
        );
        assert_eq!(
            decode(&payload_of(LINK_FORMAT, b"\xff\xff")),
            Err(LinkError::Damaged)
        );
        let bomb = vec![0u8; MAX_DECOMPRESSED_BYTES + 1];
        assert_eq!(
            decode(&payload_of(LINK_FORMAT, &bomb)),
            Err(LinkError::Damaged)
        );
        let mut unordered = empty_wire();
        unordered.master = vec![
            WireParam {
                index: 1,
                value: 0.5,
            },
            WireParam {
                index: 0,
                value: -3.0,
            },
        ];
        assert_eq!(decode(&wire_payload(&unordered)), Err(LinkError::Damaged));
        // Found by `cargo xtask fuzz` (link-body target): a file's name with a folder in it
        // opened as a session that is not normalized (and could point outside the folder).
        for name in ["n/ise0.wav", "..\\..\\x.wav", "/etc/passwd"] {
            let mut with_path = Wire::from_session(&benchmark(1, false));
            with_path.tracks[0].source = WireSource::File {
                name: name.into(),
                sha256: None,
            };
            assert_eq!(
                decode(&wire_payload(&with_path)),
                Err(LinkError::Damaged),
                "{name}"
            );
        }
        let mut endless = empty_wire();
        endless.transport.loop_end_s = Some(f64::NAN);
        assert_eq!(decode(&wire_payload(&endless)), Err(LinkError::Damaged));

        assert_eq!(
            decode(&payload_of(LINK_FORMAT + 1, b"")),
            Err(LinkError::TooNew)
        );
        let mut newer_param = empty_wire();
        newer_param.master = vec![WireParam {
            index: PARAMS.len() as u32,
            value: 1.0,
        }];
        assert_eq!(decode(&wire_payload(&newer_param)), Err(LinkError::TooNew));

        let mut to_missing_bus = Wire::from_session(&benchmark(2, false));
        to_missing_bus.tracks[1].params.push(WireParam {
            index: ParamId::Output as u32,
            value: 3.0,
        });
        let err = decode(&wire_payload(&to_missing_bus)).unwrap_err();
        assert!(
            matches!(
                err,
                LinkError::Refused(SessionError::MissingBus { bus: 3, .. })
            ),
            "{err:?}"
        );
        let mut master_pan = empty_wire();
        master_pan.master = vec![WireParam {
            index: ParamId::Pan as u32,
            value: 0.5,
        }];
        let err = decode(&wire_payload(&master_pan)).unwrap_err();
        assert!(
            matches!(err, LinkError::Refused(SessionError::UnknownParam { .. })),
            "{err:?}"
        );
        let too_many = Wire::from_session(&benchmark(MAX_TRACKS, false));
        let mut too_many = too_many;
        let extra = Wire::from_session(&benchmark(1, false)).tracks;
        too_many.tracks.extend(extra);
        let err = decode(&wire_payload(&too_many)).unwrap_err();
        assert!(
            matches!(err, LinkError::Refused(SessionError::TooMany { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn messages_name_the_link_and_what_is_wrong() {
        // Reference: the house rule, one sentence that names the thing and what is wrong.
        let refused = LinkError::Refused(SessionError::MissingBus {
            track: "track 2 (Keys)".into(),
            bus: 3,
        });
        for (err, words) in [
            (LinkError::NotALink, "not a Mixroom"),
            (LinkError::Truncated, "cut off"),
            (LinkError::Damaged, "damaged"),
            (LinkError::TooNew, "newer Mixroom"),
            (refused, "track 2 (Keys) is routed to bus 3"),
        ] {
            let text = err.to_string();
            assert!(text.contains("link") && text.contains(words), "{text}");
            assert!(!text.contains("mix was not changed"), "{text}");
        }
    }
}
