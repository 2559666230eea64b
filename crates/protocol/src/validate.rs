//! What an incoming session may hold. Every session that comes from outside the running page
//! (a share link, a bundle, the autosave, a lesson, a session file for the CLI) is written by a
//! stranger as far as Mixroom knows, so each of its fields is checked against these rules:
//!
//! | field | rule | when it fails |
//! |---|---|---|
//! | names (tracks, buses, returns) | 1 to [`MAX_NAME_CHARS`] characters, not blank, no control characters (any other Unicode is kept as written and shown safely, [`crate::text`]) | the strip's default name ("Track 3") |
//! | colours | `#rrggbb` | no colour (the default) |
//! | URL sources | `http://` or `https://`, a host, no credentials, at most [`MAX_URL_BYTES`] bytes, no spaces or control characters | the track is left out |
//! | file sources | a path of 1 to [`MAX_PATH_CHARS`] characters whose last part is not empty; any characters (a path names a file the user has, so a character never costs the track) | the track is left out |
//! | SHA-256 of a file | 64 hex digits (stored in lower case) | none (the file is asked for by name only) |
//! | demo stem ids | 1 to [`MAX_DEMO_ID_BYTES`] of `a-z`, `0-9`, `-`, `_` | the track is left out |
//! | parameter values | finite, in the parameter's range, whole for switches and choices | the nearest valid value ([`ParamSpec::sanitize`]) |
//! | loop region | finite, from 0 to [`MAX_LOOP_S`], the end after the start | start 0 s, end at the song's end |
//!
//! A field that fails is refused on its own ([`Refusal`] names it and says what became of it);
//! the rest of the mix is kept as it came. What cannot be mended field by field (more strips
//! than the engine has, unknown settings, routing to a missing bus, a newer version) refuses the
//! whole session ([`SessionError`](crate::session::SessionError)).
//!
//! [`ParamSpec::sanitize`]: crate::params::ParamSpec::sanitize

use std::fmt;

use crate::params::{ParamId, Unit};
use crate::session::{FileSource, Session, Source, Strip};
use crate::text;

/// Longest strip name, characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest URL of a track's audio, bytes.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest path of a track's file, characters.
pub const MAX_PATH_CHARS: usize = 1024;
/// Longest demo stem id, bytes.
pub const MAX_DEMO_ID_BYTES: usize = 32;
/// Latest loop point, s (24 hours).
pub const MAX_LOOP_S: f64 = 86_400.0;

/// Longest excerpt of a refused value quoted back to the user, characters.
const QUOTE_CHARS: usize = 40;

/// A field of an incoming session that was refused, and what became of it. `Display` is one
/// sentence for the user: `track 3 “Kick”, colour: “url(x)” is not a #rrggbb colour; …`.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// Which field: `track 3 “Kick”, colour`.
    pub field: String,
    /// What was wrong with it and what the mix uses instead.
    pub why: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.why)
    }
}

/// A session from outside, made safe, and what was refused on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// The session, every field within the rules of this module.
    pub session: Session,
    /// The fields that were refused, in the order of the session.
    pub refused: Vec<Refusal>,
}

impl Session {
    /// Makes every field follow the rules of this module, in place, and says what it refused.
    /// A session that follows them already is left exactly as it is.
    pub fn make_safe(&mut self) -> Vec<Refusal> {
        let mut refused = Vec::new();
        let mut kept = Vec::with_capacity(self.tracks.len());
        for (i, mut track) in std::mem::take(&mut self.tracks).into_iter().enumerate() {
            let label = format!("track {}", i + 1);
            safe_name(
                &mut track.name,
                &label,
                &format!("Track {}", i + 1),
                &mut refused,
            );
            let strip = format!("{label} “{}”", track.name);
            if let Err(why) = check_source(&mut track.source, &strip, &mut refused) {
                refused.push(Refusal {
                    field: format!("{strip}, audio"),
                    why: format!("{why}; the track is left out"),
                });
                continue;
            }
            safe_color(&mut track.color, &strip, &mut refused);
            safe_params(&mut track.strip, &strip, &mut refused);
            kept.push(track);
        }
        self.tracks = kept;
        for (list, kind, default) in [
            (&mut self.buses, "bus", "Bus"),
            (&mut self.returns, "return", "Return"),
        ] {
            for (i, named) in list.iter_mut().enumerate() {
                let label = format!("{kind} {}", i + 1);
                safe_name(
                    &mut named.name,
                    &label,
                    &format!("{default} {}", i + 1),
                    &mut refused,
                );
                let strip = format!("{label} “{}”", named.name);
                safe_color(&mut named.color, &strip, &mut refused);
                safe_params(&mut named.strip, &strip, &mut refused);
            }
        }
        safe_params(&mut self.master, "the master", &mut refused);
        self.safe_loop(&mut refused);
        refused
    }

    fn safe_loop(&mut self, refused: &mut Vec<Refusal>) {
        let transport = &mut self.transport;
        let start = transport.loop_start_s;
        if !(0.0..=MAX_LOOP_S).contains(&start) {
            refused.push(Refusal {
                field: "the loop start".to_owned(),
                why: format!(
                    "{} is not between 0 s and 24 hours; the loop starts at 0 s",
                    seconds(start)
                ),
            });
            transport.loop_start_s = 0.0;
        }
        if let Some(end) = transport.loop_end_s {
            if !(end > transport.loop_start_s && end <= MAX_LOOP_S) {
                refused.push(Refusal {
                    field: "the loop end".to_owned(),
                    why: format!(
                        "{} is not after the loop start and within 24 hours; the loop ends where \
                         the song ends",
                        seconds(end)
                    ),
                });
                transport.loop_end_s = None;
            }
        }
    }
}

/// A time for a message: "12.5 s", or "1e300 s" for one far out of range.
fn seconds(s: f64) -> String {
    if s.abs() < 1e7 {
        format!("{s} s")
    } else {
        format!("{s:e} s")
    }
}

/// `text` quoted for a message: at most [`QUOTE_CHARS`] characters, shown safely
/// ([`text::shown`]).
pub(crate) fn quote(text: &str) -> String {
    let mut quoted: String = text.chars().take(QUOTE_CHARS).collect();
    if text.chars().count() > QUOTE_CHARS {
        quoted.push('…');
    }
    format!("“{}”", text::shown(&quoted))
}

/// Characters no URL holds: control characters and the invisible ones that reorder or hide
/// text (a URL is fetched as written, so what hides in it is refused rather than shown).
fn unsafe_in_url(c: char) -> bool {
    // Zero-width space, non-joiner and joiner, the left-to-right and right-to-left marks, the
    // byte order mark; and what reorders text by force.
    c.is_control() || text::reorders(c) || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}')
}

/// Why `name` is not a good strip name, if it is not.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        Some("the name is empty".to_owned())
    } else if chars > MAX_NAME_CHARS {
        Some(format!(
            "the name is {chars} characters long (at most {MAX_NAME_CHARS})"
        ))
    } else if name.chars().any(char::is_control) {
        Some(format!("the name {} has control characters", quote(name)))
    } else {
        None
    }
}

fn safe_name(name: &mut String, label: &str, default: &str, refused: &mut Vec<Refusal>) {
    if let Some(problem) = name_problem(name) {
        refused.push(Refusal {
            field: format!("{label}, name"),
            why: format!("{problem}; it is called “{default}”"),
        });
        *name = default.to_owned();
    }
}

/// Whether `color` is `#rrggbb`.
pub fn is_color(color: &str) -> bool {
    let bytes = color.as_bytes();
    bytes.len() == 7 && bytes[0] == b'#' && bytes[1..].iter().all(u8::is_ascii_hexdigit)
}

fn safe_color(color: &mut Option<String>, strip: &str, refused: &mut Vec<Refusal>) {
    if let Some(value) = color.as_deref().filter(|c| !is_color(c)) {
        refused.push(Refusal {
            field: format!("{strip}, colour"),
            why: format!(
                "{} is not a #rrggbb colour; the strip keeps its default colour",
                quote(value)
            ),
        });
        *color = None;
    }
}

/// Why `url` may not be fetched, if it may not.
pub fn url_problem(url: &str) -> Option<String> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some(format!("{} is not an http or https address", quote(url)));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if url.len() > MAX_URL_BYTES {
        Some(format!(
            "its address is {} bytes long (at most {MAX_URL_BYTES})",
            url.len()
        ))
    } else if url.chars().any(|c| c.is_whitespace() || unsafe_in_url(c)) {
        Some(format!(
            "the address {} has spaces or control characters",
            quote(url)
        ))
    } else if url.contains('\\') {
        Some(format!(
            "the address {} has a backslash, which a browser reads as a slash (so its host \
             is not the one it seems)",
            quote(url)
        ))
    } else if authority.contains('@') {
        Some(format!(
            "the address {} carries a user name or password",
            quote(url)
        ))
    } else if authority.is_empty() || authority.starts_with(':') {
        Some(format!("the address {} names no host", quote(url)))
    } else {
        None
    }
}

/// Checks a track's source: an error refuses the track; a SHA-256 that is not one is dropped
/// on its own (with a refusal) and upper-case hex is lowered.
pub(crate) fn check_source(
    source: &mut Source,
    strip: &str,
    refused: &mut Vec<Refusal>,
) -> Result<(), String> {
    match source {
        Source::Demo(id) => {
            let valid =
                |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
            if id.is_empty() || id.len() > MAX_DEMO_ID_BYTES || !id.bytes().all(valid) {
                return Err(format!("{} is not a demo stem id", quote(id)));
            }
        }
        Source::Url(url) => {
            if let Some(problem) = url_problem(url) {
                return Err(problem);
            }
        }
        Source::File(file) => {
            let chars = file.path.chars().count();
            if chars > MAX_PATH_CHARS {
                return Err(format!(
                    "its file's path is {chars} characters long (at most {MAX_PATH_CHARS})"
                ));
            }
            if file.name().is_empty() {
                return Err(format!("{} is not a file name", quote(&file.path)));
            }
            safe_sha256(file, strip, refused);
        }
    }
    Ok(())
}

fn safe_sha256(file: &mut FileSource, strip: &str, refused: &mut Vec<Refusal>) {
    let Some(sha) = &file.sha256 else { return };
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        file.sha256 = Some(sha.to_ascii_lowercase());
    } else {
        refused.push(Refusal {
            field: format!("{strip}, file checksum"),
            why: format!(
                "{} is not a SHA-256; the file is asked for by its name only",
                quote(sha)
            ),
        });
        file.sha256 = None;
    }
}

fn safe_params(strip: &mut Strip, label: &str, refused: &mut Vec<Refusal>) {
    for (key, value) in strip.params.iter_mut() {
        // Unknown keys refuse the whole session (`Session::check`).
        let Some(spec) = ParamId::from_key(key).map(ParamId::spec) else {
            continue;
        };
        let safe = spec.sanitize(*value);
        if safe.to_bits() != value.to_bits() && !(safe == 0.0 && *value == 0.0) {
            let range = match spec.unit {
                Unit::Toggle => "off (0) or on (1)".to_owned(),
                Unit::Choice(_) => format!("a whole number from {} to {}", spec.min, spec.max),
                _ => format!(
                    "from {} to {}",
                    spec.format(spec.min),
                    spec.format(spec.max)
                ),
            };
            refused.push(Refusal {
                field: format!("{label}, {}", spec.name),
                why: format!("{value} is not {range}; it is set to {}", spec.format(safe)),
            });
            *value = safe;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{benchmark, NamedStrip};

    fn fields(refused: &[Refusal]) -> Vec<&str> {
        refused.iter().map(|r| r.field.as_str()).collect()
    }

    #[test]
    fn a_valid_session_is_left_exactly_as_it_is() {
        // Reference: the rules table; the benchmark session follows every rule.
        let mut session = benchmark(64, true);
        session.tracks[0].color = Some("#A0b1C2".into());
        session.tracks[1].source =
            Source::Url("https://audio.example.com:8443/a/vox.ogg?x=1".into());
        session.tracks[2].source = Source::Demo("hi-hat_2".into());
        session.transport.loop_end_s = Some(MAX_LOOP_S);
        // Whatever a person writes: a Persian ZWNJ, a ZWJ emoji, a right-to-left mark, even a
        // forced override (shown escaped, `crate::text::shown`).
        for (i, name) in [
            "کتاب\u{200C}ها",
            "👩\u{200D}🎤 vox",
            "\u{200F}Lead",
            "Vox\u{202E}gpj.exe",
        ]
        .into_iter()
        .enumerate()
        {
            session.tracks[3 + i].name = name.into();
            session.tracks[3 + i].source = Source::File(FileSource {
                path: format!("stems/{name}.wav"),
                sha256: None,
            });
        }
        let before = session.clone();
        assert_eq!(session.make_safe(), []);
        assert_eq!(session, before);
    }

    #[test]
    fn each_bad_field_is_refused_alone_and_named() {
        // Reference: the rules table, one row at a time.
        let mut session = benchmark(8, true);
        session.tracks[0].color = Some("red; background: url(https://evil.example/x.png)".into());
        session.tracks[1].name = "x".repeat(MAX_NAME_CHARS + 1);
        session.tracks[2].name = "Vox\u{7}lmth.exe".into();
        session.tracks[3].source = Source::Url("javascript:alert(1)".into());
        session.tracks[4].source = Source::File(FileSource {
            path: "bass.wav".into(),
            sha256: Some("not-a-hash".into()),
        });
        session.tracks[5]
            .strip
            .params
            .insert("gain_db".into(), f32::NAN);
        session.tracks[6].source = Source::Url("https://user:pw@example.com/a.wav".into());
        session.buses[1].color = Some("#12345".into());
        session.returns[0].name = "   ".into();
        session.master.params.insert("gain_db".into(), 99.0);
        session.transport.loop_start_s = f64::INFINITY;
        session.transport.loop_end_s = Some(-1.0);
        let untouched = session.tracks[7].clone();

        let refused = session.make_safe();
        assert_eq!(
            fields(&refused),
            [
                "track 1 “Noise 1”, colour",
                "track 2, name",
                "track 3, name",
                "track 4 “Noise 4”, audio",
                "track 5 “Noise 5”, file checksum",
                "track 6 “Noise 6”, Fader",
                "track 7 “Noise 7”, audio",
                "bus 2 “Bus 2”, colour",
                "return 1, name",
                "the master, Fader",
                "the loop start",
                "the loop end",
            ]
        );
        assert_eq!(session.tracks.len(), 6, "tracks 4 and 7 are left out");
        assert_eq!(session.tracks[0].color, None);
        assert_eq!(session.tracks[1].name, "Track 2");
        assert_eq!(session.tracks[2].name, "Track 3");
        let Source::File(file) = &session.tracks[3].source else {
            panic!("still a file")
        };
        assert_eq!(
            (file.path.as_str(), file.sha256.as_deref()),
            ("bass.wav", None)
        );
        assert_eq!(
            session.tracks[4].strip.params["gain_db"], 0.0,
            "the default"
        );
        assert_eq!(session.tracks[5], untouched);
        assert_eq!(session.buses[1].color, None);
        assert_eq!(session.returns[0].name, "Return 1");
        assert_eq!(
            session.master.params["gain_db"], 12.0,
            "the nearest valid value"
        );
        assert_eq!(session.transport.loop_start_s, 0.0);
        assert_eq!(session.transport.loop_end_s, None);
        assert_eq!(session.make_safe(), [], "what is left follows every rule");
    }

    #[test]
    fn messages_quote_briefly_and_say_what_became_of_it() {
        // Reference: the house rule, one sentence naming the field, the problem and the outcome.
        let mut session = benchmark(1, false);
        session.tracks[0].color = Some(format!("url({})", "a".repeat(10_000)));
        session.buses.push(NamedStrip {
            name: "Drums\n".into(),
            color: None,
            strip: Strip::default(),
        });
        let refused = session.make_safe();
        let colour = refused[0].to_string();
        assert!(colour.len() < 200, "{colour}");
        assert!(
            colour.contains("“url(aaaa") && colour.contains("…”"),
            "{colour}"
        );
        assert!(
            colour.ends_with("the strip keeps its default colour"),
            "{colour}"
        );
        let name = refused[1].to_string();
        assert!(
            name.contains("\\u{a}") && name.contains("“Bus 1”"),
            "{name}"
        );
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        // Reference: RFC 3986 authority (userinfo@host:port); only http(s) is fetched.
        for good in [
            "http://a.b/c.wav",
            "https://a:1/x",
            "https://ex.com?x#y",
            "https://例え.jp/音.wav",
        ] {
            assert_eq!(url_problem(good), None, "{good}");
        }
        for bad in [
            "ftp://a/b",
            "HTTPS://a/b",
            "https://",
            "https:///x",
            "https://:80/x",
            "https://a b/c",
            "https://a@b/c",
            "data:audio/wav;base64,AAAA",
            "//a/b",
            "https://evil.example\\.school.edu/a.wav",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
        let long = format!("https://a.example/{}", "x".repeat(MAX_URL_BYTES));
        assert!(url_problem(&long).unwrap().contains("2048"));
    }

    #[test]
    fn colours_are_exactly_rrggbb() {
        for good in ["#000000", "#ffFF00", "#1a2B3c"] {
            assert!(is_color(good), "{good}");
        }
        for bad in [
            "",
            "#fff",
            "#0000000",
            "red",
            "#gg0000",
            "#00000\n",
            "rgb(0,0,0)",
        ] {
            assert!(!is_color(bad), "{bad}");
        }
    }
}
