//! The keys: an electric piano by two-operator FM (J. M. Chowning, "The synthesis of complex
//! audio spectra by means of frequency modulation", JAES 21(7), 1973): a 1:1 carrier/modulator
//! pair whose index falls from 1.6 to 0.3 after the strike (the tine's bright attack mellowing
//! into a round tone), a short 14:1 partial for the tine "ding", and a decay that is longer for
//! low notes.

use crate::place::play_notes;
use crate::score::{self, Clock};
use crate::synth::{advance, decay_coefficient, midi_hz, sin_turns, TAU_INV};

/// Level of the stem, linear.
const LEVEL: f32 = 0.138;

/// The keys stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    play_notes(clock, &score::keys(), LEVEL, 0.12, |midi, frames, out| {
        note(midi_hz(midi), frames, sr, out);
    })
}

/// One electric-piano note at `freq_hz`, `frames` long (peak about 1), appended to `out`.
pub fn note(freq_hz: f32, frames: usize, sr: f32, out: &mut Vec<f32>) {
    let tau = 1.3 * (261.6 / freq_hz).powf(0.4);
    let (ka, ki, kt) = (
        decay_coefficient(tau, sr),
        decay_coefficient(0.22, sr),
        decay_coefficient(0.03, sr),
    );
    let (mut amp, mut index, mut tine) = (1.0, 1.0, 1.0);
    let inv_attack = 1.0 / (0.002 * sr).max(1.0);
    // The tine partial is gone (−80 dB) after 0.28 s: computed only until then.
    let tine_frames = (0.28 * sr) as usize;
    let dp = freq_hz / sr;
    let mut p = 0.0;
    let start = out.len();
    out.resize(start + frames, 0.0);
    for (i, out) in out[start..].iter_mut().enumerate() {
        let modulator = sin_turns(p);
        let depth = (0.3 + 1.3 * index) * TAU_INV;
        let ding = if i < tine_frames {
            0.18 * tine * sin_turns(14.0 * p)
        } else {
            0.0
        };
        let y = sin_turns(p + depth * modulator) + ding;
        p = advance(p, dp);
        index *= ki;
        tine *= kt;
        let rise = (i as f32 * inv_attack).min(1.0);
        *out = 0.85 * y * amp * rise;
        amp *= ka;
    }
}
