//! mixroom-demo: Mixroom's built-in demo song, synthesized on the spot (nothing to download).
//!
//! "Late Train": 16 bars of pop in A minor at 100 BPM (38.4 s), Am – F – C – G once every four
//! bars, recorded as fourteen stems the way a band hands them to a mixing engineer. The song
//! loops: the last bar is a fill into the first, and every tail that rings past the end (a
//! crash, the pad's release, the fill's floor tom) continues at the start.
//!
//! | bars | section | what plays |
//! |---|---|---|
//! | 1–4 | intro | pad, guitar arpeggios, bass on whole notes, kick on 1 and 3, hi-hat eighths, crash on the 1; shaker and backbeat from bar 3, a snare pickup into bar 5 |
//! | 5–8 | groove | the full kit (kick on 1, the "and" of 2 and 3, ghost notes on the snare), bass eighths (root, octave, fifth), keys comping in 3 + 3 + 2, a tom pickup into bar 9 |
//! | 9–15 | lead | the groove with sixteenth hi-hats and the lead melody (two four-bar phrases, glides and vibrato); crashes on bars 9 and 13 |
//! | 16 | fill | snare and tom fill, the bass walking G–F–E down to E1, the lead's last note leading back to bar 1 |
//!
//! The stems: `kick`, `snare`, `hihat`, `tom_hi`, `tom_lo` (close mics), `overhead_l`,
//! `overhead_r` (the whole kit from above, cymbals and crash prominent, the left one over the
//! hi-hat), `room` (the whole kit from a few metres, low-passed and smeared by early
//! reflections), `bass` (a filter-enveloped synth bass), `guitar` (plucked arpeggios), `keys`
//! (an FM electric piano), `pad` (detuned saws, slow attack), `lead` (a monophonic synth
//! melody) and `shaker`. All are mono.
//!
//! They come deliberately **unmixed**, so there is something to fix: the bass and pad sit a
//! few dB too hot, the lead too quiet, the hi-hat far too loud (as loud as the snare); the pad,
//! keys and guitar all crowd 200–500 Hz; everything is in the centre; and it is bone dry (no
//! reverb in any stem, only the room mic's early reflections). [`session()`] opens them that
//! way: faders at 0 dB, pans centred, sends at −∞, with a drum bus and a hall reverb and a
//! dotted-eighth delay waiting on the returns.
//!
//! Techniques (each module cites its sources): Karplus–Strong plucked strings with the
//! Jaffe–Smith extensions (guitar); two-operator FM after Chowning (keys); PolyBLEP sawtooths
//! after Välimäki & Huovilainen through trapezoidal state-variable and one-pole filters after
//! Zavalishin (bass, pad, lead); TR-808-style analog drum voices; image-method early
//! reflections after Allen & Berkley (room mic); noise-burst percussion after Cook (shaker).
//!
//! [`lessons`] holds the built-in lessons on this song, in the order mixing is taught.
//!
//! Speed: this runs in WebAssembly when the page loads. Each distinct note or drum stroke is
//! synthesized once and then added at every position it occurs; oscillators are phase
//! accumulators with a polynomial sine, envelopes are recursive exponentials, filter sweeps
//! move at control rate, and nothing allocates per sample. `cargo bench -p mixroom-demo`
//! times a full render.

#![forbid(unsafe_code)]

mod bass;
mod drums;
mod guitar;
mod keys;
mod lead;
pub mod lessons;
mod pad;
mod place;
mod score;
mod session;
mod shaker;
mod synth;

#[cfg(test)]
mod analysis;
#[cfg(test)]
mod tests;

use drums::{Kit, Mic};
use score::Clock;

/// The song's tempo, beats (quarter notes) per minute.
pub const TEMPO_BPM: f32 = 100.0;

/// The song's length, s: 16 bars of 4/4 at [`TEMPO_BPM`]. Every stem is this long
/// (`round(SONG_SECONDS × sample rate)` frames) and loops seamlessly.
pub const SONG_SECONDS: f32 = 38.4;

/// The stems, `(id, name shown on the strip)`, in track order. Ids are stable (sessions refer
/// to them as `Source::Demo(id)`); the first eight are the drum kit.
pub const STEMS: &[(&str, &str)] = &[
    ("kick", "Kick"),
    ("snare", "Snare"),
    ("hihat", "Hi-hat"),
    ("tom_hi", "Tom hi"),
    ("tom_lo", "Tom lo"),
    ("overhead_l", "OH L"),
    ("overhead_r", "OH R"),
    ("room", "Room"),
    ("bass", "Bass"),
    ("guitar", "Guitar"),
    ("keys", "Keys"),
    ("pad", "Pad"),
    ("lead", "Lead"),
    ("shaker", "Shaker"),
];

/// Lowest sample rate [`render_stem`] renders at, Hz.
const MIN_RATE_HZ: f32 = 8_000.0;
/// Highest sample rate [`render_stem`] renders at, Hz.
const MAX_RATE_HZ: f32 = 192_000.0;

/// One rendered stem.
#[derive(Clone, Debug, PartialEq)]
pub struct Stem {
    /// Stable id (the first field of its [`STEMS`] entry).
    pub id: &'static str,
    /// Name shown on the strip.
    pub name: &'static str,
    /// The samples, one `Vec` per channel (every demo stem is mono: one channel), linear
    /// full scale (peaks stay at or below −1 dBFS), `round(SONG_SECONDS × rate)` frames each.
    pub channels: Vec<Vec<f32>>,
}

/// The sample rate actually rendered for a request of `sample_rate_hz`: clamped to
/// 8 kHz..192 kHz (anything not finite renders at 48 kHz).
fn rate(sample_rate_hz: f32) -> f32 {
    if sample_rate_hz.is_finite() {
        sample_rate_hz.clamp(MIN_RATE_HZ, MAX_RATE_HZ)
    } else {
        48_000.0
    }
}

fn entry(id: &str) -> Option<(&'static str, &'static str)> {
    STEMS.iter().copied().find(|(i, _)| *i == id)
}

fn stem(id: &str, samples: Vec<f32>) -> Stem {
    let (id, name) = entry(id).expect("a known stem");
    Stem {
        id,
        name,
        channels: vec![samples],
    }
}

/// The non-drum stem `id` at `clock`'s rate.
fn instrument(id: &str, clock: Clock) -> Option<Vec<f32>> {
    Some(match id {
        "bass" => bass::stem(clock),
        "guitar" => guitar::stem(clock),
        "keys" => keys::stem(clock),
        "pad" => pad::stem(clock),
        "lead" => lead::stem(clock),
        "shaker" => shaker::stem(clock),
        _ => return None,
    })
}

/// Renders stem `id` at `sample_rate_hz` (8 kHz..192 kHz; rates outside are clamped into it),
/// or `None` for an id not in [`STEMS`]. The same id and rate always give the same samples,
/// and notes have the same pitch and timing at every rate.
///
/// Allocates the stem (`SONG_SECONDS × rate` samples) and scratch: not for the audio thread.
/// To render several stems, [`render_stems`] is faster (the drum kit is synthesized once).
pub fn render_stem(id: &str, sample_rate_hz: f32) -> Option<Stem> {
    let clock = Clock::new(rate(sample_rate_hz));
    if let Some(mic) = Mic::from_id(id) {
        return Some(stem(id, Kit::new(clock).stem(mic)));
    }
    instrument(id, clock).map(|samples| stem(id, samples))
}

/// Renders every stem at `sample_rate_hz` (as [`render_stem`]), in [`STEMS`] order.
///
/// About 100 MB at 48 kHz (fourteen mono stems of 38.4 s). Not for the audio thread.
pub fn render_stems(sample_rate_hz: f32) -> Vec<Stem> {
    let clock = Clock::new(rate(sample_rate_hz));
    let kit = Kit::new(clock);
    STEMS
        .iter()
        .map(|(id, _)| {
            let samples = match Mic::from_id(id) {
                Some(mic) => kit.stem(mic),
                None => instrument(id, clock).expect("every stem id is rendered"),
            };
            stem(id, samples)
        })
        .collect()
}

/// The unmixed demo session: one track per stem in [`STEMS`] order with
/// `Source::Demo(id)` and the stem's name, every fader at 0 dB and pan centred; the eight
/// drum tracks routed to the one group bus, "Drums"; two returns, "Reverb" (a hall) and
/// "Delay" (tempo-synced to a dotted eighth, feedback 0.3), with every send at −∞; the master's
/// tempo set to [`TEMPO_BPM`]. Passes `Session::check`.
pub fn session() -> mixroom_protocol::session::Session {
    session::session()
}
