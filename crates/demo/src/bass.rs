//! The bass: a subtractive synth bass, a PolyBLEP sawtooth and a sine at the same pitch through
//! a two-pole low-pass whose cutoff falls from 1.5 kHz to 280 Hz after every attack (the
//! filter-envelope "pluck" of subtractive synthesis, R. A. Moog, "Voltage-controlled electronic
//! music modules", JAES 13(3), 1965), lightly saturated.

use crate::place::play_notes;
use crate::score::{self, Clock};
use crate::synth::{
    decay_coefficient, midi_hz, normalize, sin_turns, soft_clip, OnePole, Saw, TwoPole,
};

/// Level of the stem, linear (deliberately a few dB too hot).
const LEVEL: f32 = 0.51;

/// Frames between updates of the filter cutoff.
const CONTROL: usize = 16;

/// The bass stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    play_notes(clock, &score::bass(), LEVEL, 0.05, |midi, frames, out| {
        note(midi_hz(midi), frames, sr, out);
    })
}

/// One bass note at `freq_hz`, `frames` long, peak 1, appended to `out`.
pub fn note(freq_hz: f32, frames: usize, sr: f32, out: &mut Vec<f32>) {
    let mut saw = Saw::new(freq_hz, sr, 0.5);
    let mut phase = 0.0;
    let mut lp = TwoPole::new(1_500.0, sr);
    // The saturation of an asymmetric wave makes a little DC; a 15 Hz high-pass takes it off.
    let mut dc = OnePole::new(15.0, sr);
    let (kf, ka) = (
        decay_coefficient(0.09, sr).powi(CONTROL as i32),
        decay_coefficient(0.35, sr),
    );
    let (mut filter_env, mut decay) = (1.0, 1.0);
    let attack = (0.004 * sr).max(1.0);
    let start = out.len();
    out.resize(start + frames, 0.0);
    for (block, ys) in out[start..].chunks_mut(CONTROL).enumerate() {
        // The cutoff moves at control rate, the rest per sample.
        lp.set_a(OnePole::swept_coefficient(280.0 + 1_220.0 * filter_env, sr));
        filter_env *= kf;
        for (j, y) in ys.iter_mut().enumerate() {
            let tone = 0.6 * lp.low(saw.next()) + 0.75 * sin_turns(phase);
            phase += freq_hz / sr;
            if phase >= 1.0 {
                phase -= 1.0;
            }
            let rise = ((block * CONTROL + j) as f32 / attack).min(1.0);
            *y = dc.high(soft_clip(1.4 * tone) * (0.72 + 0.28 * decay) * rise);
            decay *= ka;
        }
    }
    normalize(&mut out[start..], 1.0);
}
