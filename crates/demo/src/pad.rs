//! The pad: three detuned PolyBLEP sawtooths per note (−9, +2 and +8 cents, random start
//! phases) through a 12 dB/oct two-pole low-pass at 1.6 kHz, with a slow attack (τ = 0.35 s) and a long
//! release: the "supersaw" string pad of subtractive synthesis, detuned for beating and width.

use crate::place::play_notes;
use crate::score::{self, Clock};
use crate::synth::{decay_coefficient, midi_hz, Noise, Saw, TwoPole};

/// Level of the stem, linear (deliberately a few dB too hot).
const LEVEL: f32 = 0.155;

/// Detuning of the three oscillators, as frequency ratios (−9, +2, +8 cents).
const DETUNE: [f32; 3] = [0.994_815, 1.001_156, 1.004_632];

/// The pad stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    play_notes(clock, &score::pad(), LEVEL, 0.9, |midi, frames, out| {
        note(midi_hz(midi), frames, sr, u32::from(midi), out);
    })
}

/// One pad note at `freq_hz`, `frames` long (peak about 1), appended to `out`.
pub fn note(freq_hz: f32, frames: usize, sr: f32, seed: u32, out: &mut Vec<f32>) {
    let mut noise = Noise::new(0x9AD + seed * 31);
    let saws = DETUNE.map(|r| Saw::new(freq_hz * r, sr, 0.5 + 0.5 * noise.next()));
    let mut lp = TwoPole::new(1_600.0, sr);
    let k = decay_coefficient(0.35, sr);
    let mut env = 1.0;
    let [mut a, mut b, mut c] = saws;
    let start = out.len();
    out.resize(start + frames, 0.0);
    for y in &mut out[start..] {
        let s = a.next() + b.next() + c.next();
        *y = 0.4 * lp.low(s) * (1.0 - env);
        env *= k;
    }
}
