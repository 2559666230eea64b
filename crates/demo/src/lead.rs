//! The lead: a monophonic synth voice (a PolyBLEP sawtooth and square through a low-pass that
//! opens with the loudness) playing the melody as one continuous line, the way a player does:
//! legato notes glide in pitch without a new attack (portamento over 60 ms, an exponential
//! glide, i.e. linear in pitch), detached notes re-attack, and vibrato (5.4 Hz, up to ±25
//! cents) develops 0.2–0.5 s into each note, as a singer's or violinist's does
//! (J. Sundberg, "The Science of the Singing Voice", 1987: vibrato rates 5.5–7.5 Hz, extents
//! around ±50 cents).

use std::f32::consts::LN_2;

use crate::place::{add, silence};
use crate::score::{self, Clock};
use crate::synth::{
    decay_coefficient, frac, midi_hz, release_curve, sin_turns, OnePole, Saw, TwoPole,
};

/// Level of the stem, linear (deliberately too quiet).
const LEVEL: f32 = 0.117;

/// Vibrato rate, Hz.
const VIBRATO_HZ: f32 = 5.4;
/// Vibrato extent, cents (±).
const VIBRATO_CENTS: f32 = 25.0;
/// Portamento time, s.
const GLIDE_S: f32 = 0.06;
/// Frames between updates of pitch, vibrato and filter.
const CONTROL: usize = 16;
/// Length of the fade after the last note, s.
const TAIL_S: f32 = 0.5;

/// The lead stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let line = render(clock);
    let mut out = silence(clock.frames);
    let first = score::lead()[0].note;
    add(&mut out, &line, clock.at(first.step, first.offset_s), LEVEL);
    out
}

/// The whole melody as one line, starting at its first note's onset (peak about 1).
pub fn render(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    let notes = score::lead();
    let origin = clock.frame(notes[0].note.step, notes[0].note.offset_s);
    let onset =
        |i: usize| (clock.frame(notes[i].note.step, notes[i].note.offset_s) - origin) as usize;
    let last = notes[notes.len() - 1].note;
    let end = onset(notes.len() - 1) + clock.steps(last.len);
    let len = end + clock.seconds(TAIL_S);

    let mut saw = Saw::new(midi_hz(notes[0].note.midi), sr, 0.5);
    let mut saw2 = Saw::new(midi_hz(notes[0].note.midi), sr, 0.0);
    let mut lp = TwoPole::new(2_400.0, sr);
    let (k_attack, k_release) = (decay_coefficient(0.012, sr), decay_coefficient(0.06, sr));
    let (attack_drive, release_drive) = (1.0 - k_attack, 1.0 - k_release);
    let glide_blocks = clock.seconds(GLIDE_S).div_ceil(CONTROL).max(1);
    let cents_to_ln = LN_2 / 1200.0;
    let (ramp_start, ramp_len) = (clock.seconds(0.2), clock.seconds(0.3).max(1) as f32);

    let mut out = silence(len);
    let mut freq = midi_hz(notes[0].note.midi);
    let mut env = 0.0_f32;
    let mut lfo = 0.0_f32;
    for (i, l) in notes.iter().enumerate() {
        let from = onset(i);
        let to = if i + 1 < notes.len() {
            onset(i + 1)
        } else {
            len
        };
        let target_hz = midi_hz(l.note.midi);
        // Detached notes end a little early so the next one re-attacks.
        let legato_next = notes.get(i + 1).is_some_and(|n| n.glide);
        let held = clock.steps(l.note.len) - if legato_next { 0 } else { clock.steps(0.6) };
        let (mut glide_left, ratio) = if l.glide {
            (
                glide_blocks,
                (target_hz / freq).powf(1.0 / glide_blocks as f32),
            )
        } else {
            freq = target_hz;
            (0, 1.0)
        };
        if !l.glide {
            lfo = 0.0;
        }
        let velocity = l.note.velocity;
        // Pitch, vibrato and filter move at control rate (every CONTROL frames); the
        // oscillators and the loudness envelope run per sample.
        for (block, ys) in out[from..to].chunks_mut(CONTROL).enumerate() {
            let age = block * CONTROL;
            if glide_left > 0 {
                freq *= ratio;
                glide_left -= 1;
                if glide_left == 0 {
                    freq = target_hz;
                }
            }
            let depth = ((age.saturating_sub(ramp_start)) as f32 / ramp_len).min(1.0);
            let m = cents_to_ln * VIBRATO_CENTS * depth * sin_turns(lfo);
            lfo = frac(lfo + VIBRATO_HZ * ys.len() as f32 / sr);
            let f = freq * (1.0 + m + 0.5 * m * m);
            saw.set_freq(f, sr);
            saw2.set_freq(f, sr);
            lp.set_a(OnePole::swept_coefficient(1_200.0 + 3_000.0 * env, sr));
            for (j, y) in ys.iter_mut().enumerate() {
                let (a, b) = (saw.next(), saw2.next());
                let osc = 0.55 * a + 0.35 * (a - b);
                // env → gate exponentially: env = k·env + (1 − k)·gate, one multiply-add
                // on the recursion.
                let gate = if age + j < held { velocity } else { 0.0 };
                let (k, drive) = if gate > env {
                    (k_attack, attack_drive * gate)
                } else {
                    (k_release, release_drive * gate)
                };
                env = k * env + drive;
                *y = lp.low(osc) * env;
            }
        }
    }
    let fade = clock.seconds(0.1);
    for (y, r) in out[len - fade..].iter_mut().zip(release_curve(fade)) {
        *y *= r;
    }
    out
}
