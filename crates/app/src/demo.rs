//! The built-in demo session: four short stems synthesized here (no download), at the engine's
//! sample rate (generated again whenever the engine needs them).
//!
//! Four bars of A minor – F – C – G at 120 BPM (8 s, looped): kick, bass, chords and hi-hats.

use std::f32::consts::TAU;

use mixroom_protocol::session::{Session, Source, Strip, Track, SESSION_VERSION};

const BEAT_S: f32 = 0.5;
const BARS: usize = 4;
const LENGTH_S: f32 = BEAT_S * 4.0 * BARS as f32;

/// Chord roots per bar (Hz, bass octave) and chord tones per bar (Hz).
const ROOTS_HZ: [f32; BARS] = [55.0, 43.654, 65.406, 48.999];
const CHORDS_HZ: [[f32; 3]; BARS] = [
    [220.0, 261.626, 329.628],
    [174.614, 220.0, 261.626],
    [261.626, 329.628, 391.995],
    [195.998, 246.942, 293.665],
];

/// The demo stems: (id, name shown).
pub const STEMS: [(&str, &str); 4] = [
    ("kick", "Kick"),
    ("bass", "Bass"),
    ("chords", "Chords"),
    ("hats", "Hats"),
];

/// The demo session: every stem at unity, centred (the mix is left to the user).
pub fn session() -> Session {
    Session {
        version: SESSION_VERSION,
        tracks: STEMS
            .iter()
            .map(|(id, name)| Track {
                name: (*name).to_owned(),
                source: Source::Demo((*id).to_owned()),
                strip: Strip::default(),
            })
            .collect(),
        buses: Vec::new(),
        returns: Vec::new(),
        master: Strip::default(),
    }
}

/// The samples of stem `id` at `rate_hz`, one Vec per channel.
pub fn stem(id: &str, rate_hz: f32) -> Option<Vec<Vec<f32>>> {
    let frames = (LENGTH_S * rate_hz) as usize;
    Some(match id {
        "kick" => vec![render(frames, rate_hz, kick)],
        "bass" => vec![render(frames, rate_hz, bass)],
        "chords" => vec![
            render(frames, rate_hz, |t| chords(t, 1.0)),
            render(frames, rate_hz, |t| chords(t, 1.003)),
        ],
        "hats" => vec![hats(frames, rate_hz)],
        _ => return None,
    })
}

fn render(frames: usize, rate_hz: f32, f: impl Fn(f32) -> f32) -> Vec<f32> {
    (0..frames).map(|i| f(i as f32 / rate_hz)).collect()
}

/// Time since the last multiple of `step_s`.
fn since(t: f32, step_s: f32) -> f32 {
    t % step_s
}

fn bar(t: f32) -> usize {
    ((t / (BEAT_S * 4.0)) as usize).min(BARS - 1)
}

/// A sine whose pitch falls from 120 to 50 Hz, on every beat.
fn kick(t: f32) -> f32 {
    let local = since(t, BEAT_S);
    let phase = TAU * (50.0 * local + 70.0 * 0.03 * (1.0 - (-local / 0.03).exp()));
    0.6 * phase.sin() * (-local / 0.18).exp()
}

/// Eighth notes on the chord root: a band-limited saw (six harmonics) with a plucked envelope.
fn bass(t: f32) -> f32 {
    let local = since(t, BEAT_S / 2.0);
    let f = ROOTS_HZ[bar(t)];
    let saw: f32 = (1..=6)
        .map(|k| (TAU * f * k as f32 * t).sin() / k as f32)
        .sum();
    0.22 * saw * (-local / 0.2).exp()
}

/// Sustained triads, one per bar, with a soft attack; `detune` widens the right channel.
fn chords(t: f32, detune: f32) -> f32 {
    let local = since(t, BEAT_S * 4.0);
    let envelope = (local / 0.08).min(1.0) * (-local / 1.6).exp();
    let tones: f32 = CHORDS_HZ[bar(t)]
        .iter()
        .map(|&f| {
            let p = TAU * f * detune * t;
            p.sin() + 0.3 * (2.0 * p).sin()
        })
        .sum();
    0.1 * tones * envelope
}

/// Eighth-note noise bursts, high-passed by a first difference.
fn hats(frames: usize, rate_hz: f32) -> Vec<f32> {
    let mut state = 0x1234_5678_u32;
    let mut previous = 0.0;
    (0..frames)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let white = state as f32 / u32::MAX as f32 * 2.0 - 1.0;
            let bright = white - previous;
            previous = white;
            let local = since(i as f32 / rate_hz, BEAT_S / 2.0);
            0.2 * bright * (-local / 0.035).exp()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stem_stays_below_full_scale_at_any_rate() {
        for rate_hz in [44_100.0, 48_000.0] {
            for (id, _) in STEMS {
                let channels = stem(id, rate_hz).unwrap();
                assert_eq!(channels[0].len(), (LENGTH_S * rate_hz) as usize);
                let peak = channels
                    .iter()
                    .flatten()
                    .fold(0.0_f32, |m, x| m.max(x.abs()));
                assert!(peak > 0.1 && peak < 0.7, "{id}: peak {peak}");
            }
        }
        assert!(stem("nothing", 48_000.0).is_none());
        assert_eq!(session().tracks.len(), STEMS.len());
    }
}
