//! The drum kit, as eight microphones hear it: close mics on the kick, snare, hi-hat and two
//! toms, a spaced pair of overheads and a room mic.
//!
//! Every piece is synthesized once, the way analog drum machines do it (after the Roland TR-808
//! circuits): the kick and toms are sines whose pitch falls exponentially after the strike, the
//! snare two damped modes plus high-passed noise for the wires, the hi-hat and crash six
//! detuned square waves and noise through a steep high-pass (the 808's metallic oscillator
//! bank). Each piece then exists in three perspectives, computed once: close (as synthesized),
//! far (thinned by a high-pass, as the overheads hear the shells) and room (low-passed and
//! smeared by seventeen early reflections, J. B. Allen & D. A. Berkley, "Image method for
//! efficiently simulating small-room acoustics", JASA 65(4), 1979, reduced to a fixed tap set).
//! A stroke adds the right perspective to each mic with that mic's gain and arrival delay
//! (distance / 343 m/s): the overheads and room are the whole kit from further away, the crash
//! is heard only there, and the left overhead sits over the hi-hat and crash, the right one over
//! the floor tom.

use crate::place::{add, add_gated, silence};
use crate::score::{self, Clock, Hit, Piece};
use crate::synth::{
    advance, decay_coefficient, low_passed, normalize, release_curve, sin_turns, Noise, OnePole,
    Svf, TwoPole,
};

/// The eight drum microphones, in stem order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mic {
    /// Inside the bass drum.
    Kick,
    /// Above the snare.
    Snare,
    /// Above the hi-hat.
    Hihat,
    /// On the rack tom.
    TomHi,
    /// On the floor tom.
    TomLo,
    /// Overhead, hi-hat side.
    OverheadL,
    /// Overhead, floor-tom side.
    OverheadR,
    /// A few metres in front of the kit.
    Room,
}

impl Mic {
    /// The mic of stem `id`.
    pub fn from_id(id: &str) -> Option<Mic> {
        Some(match id {
            "kick" => Mic::Kick,
            "snare" => Mic::Snare,
            "hihat" => Mic::Hihat,
            "tom_hi" => Mic::TomHi,
            "tom_lo" => Mic::TomLo,
            "overhead_l" => Mic::OverheadL,
            "overhead_r" => Mic::OverheadR,
            "room" => Mic::Room,
            _ => return None,
        })
    }

    /// Level of the stem, linear (part of the deliberately unbalanced start: the hi-hat mic is
    /// far too loud).
    fn level(self) -> f32 {
        match self {
            Mic::Kick => 0.546,
            Mic::Snare => 0.706,
            Mic::Hihat => 0.74,
            Mic::TomHi => 0.5,
            Mic::TomLo => 0.474,
            Mic::OverheadL => 0.517,
            Mic::OverheadR => 0.517,
            Mic::Room => 0.35,
        }
    }
}

/// Which perspective of a piece a mic takes.
#[derive(Clone, Copy, Debug)]
enum View {
    Close,
    Far,
    Room,
}

/// How `mic` hears `piece`: perspective, gain and arrival delay (ms), or nothing.
fn pickup(mic: Mic, piece: Piece) -> Option<(View, f32, f32)> {
    use Piece as P;
    let hat = matches!(piece, P::HatClosed(_) | P::HatOpen);
    Some(match mic {
        Mic::Kick if piece == P::Kick => (View::Close, 1.0, 0.0),
        Mic::Snare if piece == P::Snare => (View::Close, 1.0, 0.0),
        Mic::Hihat if hat => (View::Close, 1.0, 0.0),
        Mic::TomHi if piece == P::TomHi => (View::Close, 1.0, 0.0),
        Mic::TomLo if piece == P::TomLo => (View::Close, 1.0, 0.0),
        Mic::OverheadL => match piece {
            P::Kick => (View::Far, 0.25, 4.0),
            P::Snare => (View::Far, 0.5, 2.6),
            P::HatClosed(_) | P::HatOpen => (View::Far, 0.55, 1.8),
            P::TomHi => (View::Far, 0.5, 2.4),
            P::TomLo => (View::Far, 0.3, 3.6),
            P::Crash => (View::Far, 1.0, 1.6),
        },
        Mic::OverheadR => match piece {
            P::Kick => (View::Far, 0.25, 4.2),
            P::Snare => (View::Far, 0.5, 3.0),
            P::HatClosed(_) | P::HatOpen => (View::Far, 0.3, 3.8),
            P::TomHi => (View::Far, 0.4, 2.9),
            P::TomLo => (View::Far, 0.55, 2.0),
            P::Crash => (View::Far, 0.7, 3.5),
        },
        Mic::Room => match piece {
            P::Kick => (View::Room, 0.2, 11.0),
            P::Snare => (View::Room, 0.7, 10.0),
            P::HatClosed(_) | P::HatOpen => (View::Room, 0.22, 11.0),
            P::TomHi => (View::Room, 0.6, 10.0),
            P::TomLo => (View::Room, 0.65, 9.5),
            P::Crash => (View::Room, 0.4, 11.5),
        },
        _ => return None,
    })
}

/// Early reflections of the room mic: (delay ms, gain), the direct sound first. A few metres
/// from the kit the reflections off the floor, walls and ceiling arrive within 90 ms and,
/// together, carry more energy than the direct sound.
const REFLECTIONS: [(f32, f32); 17] = [
    (0.0, 0.55),
    (5.3, 0.6),
    (7.9, -0.5),
    (11.2, 0.55),
    (14.6, -0.45),
    (18.3, 0.5),
    (22.9, 0.42),
    (27.4, -0.4),
    (31.7, 0.36),
    (37.1, -0.33),
    (42.8, 0.3),
    (49.3, 0.26),
    (56.2, -0.22),
    (63.5, 0.18),
    (71.9, -0.14),
    (81.0, 0.1),
    (90.4, 0.07),
];

/// One piece in its three perspectives.
struct Sound {
    close: Vec<f32>,
    far: Vec<f32>,
    room: Vec<f32>,
}

impl Sound {
    fn new(close: Vec<f32>, far_high_pass_hz: f32, sample_rate_hz: f32) -> Sound {
        let far = if far_high_pass_hz > 0.0 {
            let mut hp = Svf::new(far_high_pass_hz, 0.7, sample_rate_hz);
            close.iter().map(|&x| hp.process(x).high).collect()
        } else {
            close.clone()
        };
        // The room hears the whole drum (boom included), dulled by distance.
        let dull = low_passed(&close, 5_000.0, sample_rate_hz);
        let tail = (0.091 * sample_rate_hz) as usize;
        let mut room = vec![0.0; dull.len() + tail];
        for (ms, gain) in REFLECTIONS {
            add(
                &mut room,
                &dull,
                (ms * 0.001 * sample_rate_hz).round() as usize,
                gain,
            );
        }
        Sound { close, far, room }
    }

    fn view(&self, view: View) -> &[f32] {
        match view {
            View::Close => &self.close,
            View::Far => &self.far,
            View::Room => &self.room,
        }
    }
}

/// A stroke placed in frames: sound index, start, gain, and how long it may ring (hi-hats are
/// choked by the next hi-hat stroke).
struct Stroke {
    piece: Piece,
    sound: usize,
    at: usize,
    velocity: f32,
    gate: Option<usize>,
}

/// The kit rendered at one sample rate: its sounds and the song's strokes.
pub struct Kit {
    clock: Clock,
    sounds: Vec<Sound>,
    strokes: Vec<Stroke>,
    choke: Vec<f32>,
}

const PIECES: [Piece; 9] = [
    Piece::Kick,
    Piece::Snare,
    Piece::HatClosed(0),
    Piece::HatClosed(1),
    Piece::HatClosed(2),
    Piece::HatOpen,
    Piece::TomHi,
    Piece::TomLo,
    Piece::Crash,
];

impl Kit {
    /// Synthesizes every piece and places the score's strokes.
    pub fn new(clock: Clock) -> Kit {
        let sr = clock.sample_rate_hz;
        let sounds = PIECES
            .iter()
            .map(|&piece| match piece {
                Piece::Kick => Sound::new(kick(sr), 200.0, sr),
                Piece::Snare => Sound::new(snare(sr), 150.0, sr),
                Piece::HatClosed(v) => Sound::new(hat(sr, v, false), 0.0, sr),
                Piece::HatOpen => Sound::new(hat(sr, 3, true), 0.0, sr),
                Piece::TomHi => Sound::new(tom(sr, 164.8, 0.24, 11), 120.0, sr),
                Piece::TomLo => Sound::new(tom(sr, 98.0, 0.34, 12), 100.0, sr),
                Piece::Crash => Sound::new(crash(sr), 0.0, sr),
            })
            .collect();
        let hits: Vec<Hit> = score::drums();
        let hat_times: Vec<usize> = {
            let mut t: Vec<usize> = hits
                .iter()
                .filter(|h| matches!(h.piece, Piece::HatClosed(_) | Piece::HatOpen))
                .map(|h| clock.at(h.step, h.offset_s))
                .collect();
            t.sort_unstable();
            t
        };
        let strokes = hits
            .iter()
            .map(|h| {
                let at = clock.at(h.step, h.offset_s);
                let hat = matches!(h.piece, Piece::HatClosed(_) | Piece::HatOpen);
                let gate = hat.then(|| {
                    let next = hat_times
                        .iter()
                        .find(|&&t| t > at)
                        .map_or(hat_times[0] + clock.frames, |&t| t);
                    next - at
                });
                Stroke {
                    piece: h.piece,
                    sound: PIECES.iter().position(|&p| p == h.piece).unwrap_or(0),
                    at,
                    velocity: h.velocity,
                    gate,
                }
            })
            .collect();
        Kit {
            clock,
            sounds,
            strokes,
            choke: release_curve(clock.seconds(0.02)),
        }
    }

    /// The stem of `mic`: every stroke it hears.
    pub fn stem(&self, mic: Mic) -> Vec<f32> {
        let mut out = silence(self.clock.frames);
        let level = mic.level();
        for s in &self.strokes {
            let Some((view, gain, delay_ms)) = pickup(mic, s.piece) else {
                continue;
            };
            let sound = self.sounds[s.sound].view(view);
            let at = s.at + self.clock.seconds(delay_ms * 0.001);
            let gain = level * gain * s.velocity;
            match s.gate {
                Some(gate) => add_gated(&mut out, sound, at, gain, gate, &self.choke),
                None => add(&mut out, sound, at, gain),
            }
        }
        out
    }
}

/// Fades the last `fraction` of `x` to zero.
fn fade_tail(x: &mut [f32], fraction: f32) {
    let n = (x.len() as f32 * fraction) as usize;
    let start = x.len() - n;
    for (y, r) in x[start..].iter_mut().zip(release_curve(n)) {
        *y *= r;
    }
}

/// A linear fade-in over the first `frames` samples.
fn fade_in(x: &mut [f32], frames: usize) {
    for (i, y) in x.iter_mut().take(frames).enumerate() {
        *y *= i as f32 / frames as f32;
    }
}

/// Bass drum: a sine falling from 160 to 47 Hz (τ = 32 ms), soft-clipped for punch, plus a
/// short low-passed noise click for the beater.
fn kick(sr: f32) -> Vec<f32> {
    let inv_sr = 1.0 / sr;
    let len = (0.7 * sr) as usize;
    let (f_end, f_sweep) = (47.0, 113.0);
    let (kp, ka, kc) = (
        decay_coefficient(0.032, sr),
        decay_coefficient(0.2, sr),
        decay_coefficient(0.0035, sr),
    );
    let (mut pitch, mut amp, mut click) = (1.0, 1.0, 1.0);
    let mut phase = 0.0;
    let mut noise = Noise::new(0x4B1C);
    let mut lp = OnePole::new(5_000.0, sr);
    let mut x = vec![0.0; len];
    for out in &mut x {
        *out = {
            let body = sin_turns(phase) * amp;
            phase = advance(phase, (f_end + f_sweep * pitch) * inv_sr);
            pitch *= kp;
            amp *= ka;
            let c = lp.low(noise.next()) * click;
            click *= kc;
            soft_clip_body(body) + 0.5 * c
        };
    }
    fade_in(&mut x, (0.0008 * sr) as usize);
    fade_tail(&mut x, 0.3);
    normalize(&mut x, 1.0);
    x
}

fn soft_clip_body(x: f32) -> f32 {
    crate::synth::soft_clip(1.8 * x)
}

/// Snare: modes at 190 and 330 Hz with a slight pitch drop, and noise high-passed at 1.5 kHz
/// for the wires (τ = 120 ms).
fn snare(sr: f32) -> Vec<f32> {
    let inv_sr = 1.0 / sr;
    let len = (0.45 * sr) as usize;
    let (kp, k1, k2, kn) = (
        decay_coefficient(0.012, sr),
        decay_coefficient(0.05, sr),
        decay_coefficient(0.035, sr),
        decay_coefficient(0.12, sr),
    );
    let (mut pitch, mut a1, mut a2, mut an) = (1.0, 1.0, 1.0, 1.0);
    let (mut p1, mut p2) = (0.0, 0.0);
    let mut noise = Noise::new(0x5A4E);
    let mut hp = Svf::new(1_500.0, 0.7, sr);
    let mut lp = OnePole::new(9_000.0, sr);
    let mut x = vec![0.0; len];
    for out in &mut x {
        *out = {
            let bend = 1.0 + 0.25 * pitch;
            let tone = 0.6 * a1 * sin_turns(p1) + 0.35 * a2 * sin_turns(p2);
            p1 = advance(p1, 190.0 * bend * inv_sr);
            p2 = advance(p2, 330.0 * bend * inv_sr);
            pitch *= kp;
            a1 *= k1;
            a2 *= k2;
            let wires = lp.low(hp.process(noise.next()).high) * an;
            an *= kn;
            tone + 0.9 * wires
        };
    }
    fade_in(&mut x, (0.0005 * sr) as usize);
    fade_tail(&mut x, 0.3);
    normalize(&mut x, 1.0);
    x
}

/// The TR-808 metallic oscillator frequencies, Hz.
const METAL_HZ: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];

/// Six square waves at `METAL_HZ × scale` plus noise, high-passed at 24 dB/oct from
/// `high_pass_hz`, under an envelope with decay `tau_s`.
fn metal(sr: f32, len: usize, scale: f32, high_pass_hz: f32, tau_s: f32, seed: u32) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    let mut phases: [f32; 6] = [0.0; 6];
    for p in &mut phases {
        *p = 0.5 + 0.5 * noise.next();
    }
    let steps: Vec<f32> = METAL_HZ.iter().map(|f| f * scale / sr).collect();
    let mut hp = [0; 4].map(|_| OnePole::new(high_pass_hz, sr));
    let k = decay_coefficient(tau_s, sr);
    let mut env = 1.0;
    let mut lp = TwoPole::new(11_000.0, sr);
    let mut x = vec![0.0; len];
    for out in &mut x {
        *out = {
            let mut sq = 0.0;
            for (p, dp) in phases.iter_mut().zip(&steps) {
                sq += if *p < 0.5 { 1.0 } else { -1.0 };
                *p += dp;
                if *p >= 1.0 {
                    *p -= 1.0;
                }
            }
            let mut y = 0.35 * sq + 0.3 * noise.next();
            for f in &mut hp {
                y = f.high(y);
            }
            let y = lp.low(y) * env;
            env *= k;
            y
        };
    }
    fade_in(&mut x, (0.0004 * sr) as usize);
    fade_tail(&mut x, 0.3);
    normalize(&mut x, 1.0);
    x
}

/// Hi-hat stroke `variant` (slightly different decay and noise), closed or open.
fn hat(sr: f32, variant: u8, open: bool) -> Vec<f32> {
    let v = f32::from(variant);
    if open {
        metal(sr, (0.9 * sr) as usize, 1.6, 6_500.0, 0.28, 0x0FE2)
    } else {
        let mut x = metal(
            sr,
            (0.15 * sr) as usize,
            1.6,
            6_500.0,
            0.03 + 0.005 * v,
            0x4A7 + u32::from(variant),
        );
        normalize(&mut x, 1.0 - 0.06 * v);
        x
    }
}

/// Crash: brighter and denser metal from 3.5 kHz, a fast first decay and a long wash.
fn crash(sr: f32) -> Vec<f32> {
    let len = (2.6 * sr) as usize;
    let mut x = metal(sr, len, 2.3, 3_500.0, 1.0, 0xC2A5);
    // The sizzle of the strike dies within ~0.6 s: rendered only that long.
    let mut sizzle = metal(sr, (0.6 * sr) as usize, 3.1, 5_000.0, 0.12, 0xC2A6);
    normalize(&mut sizzle, 0.8);
    add(&mut x, &sizzle, 0, 1.0);
    let mut lp = OnePole::new(14_000.0, sr);
    x.iter_mut().for_each(|y| *y = lp.low(*y));
    fade_in(&mut x, (0.0015 * sr) as usize);
    fade_tail(&mut x, 0.25);
    normalize(&mut x, 1.0);
    x
}

/// Tom tuned to `f0` Hz: a sine dropping from 1.35 × `f0` (τ = 50 ms) with an inharmonic second
/// mode at 1.58 × and a stick click, decaying with `tau_s`.
fn tom(sr: f32, f0: f32, tau_s: f32, seed: u32) -> Vec<f32> {
    let inv_sr = 1.0 / sr;
    let len = (1.0 * sr) as usize;
    let (kp, ka, k2, kc) = (
        decay_coefficient(0.05, sr),
        decay_coefficient(tau_s, sr),
        decay_coefficient(tau_s * 0.4, sr),
        decay_coefficient(0.006, sr),
    );
    let (mut pitch, mut a1, mut a2, mut click) = (1.0, 1.0, 1.0, 1.0);
    let (mut p1, mut p2) = (0.0, 0.0);
    let mut noise = Noise::new(seed);
    let mut lp = OnePole::new(4_000.0, sr);
    let mut x = vec![0.0; len];
    for out in &mut x {
        *out = {
            let f = f0 * (1.0 + 0.35 * pitch);
            let y =
                a1 * sin_turns(p1) + 0.3 * a2 * sin_turns(p2) + 0.3 * click * lp.low(noise.next());
            p1 = advance(p1, f * inv_sr);
            p2 = advance(p2, 1.58 * f * inv_sr);
            pitch *= kp;
            a1 *= ka;
            a2 *= k2;
            click *= kc;
            y
        };
    }
    fade_in(&mut x, (0.0008 * sr) as usize);
    fade_tail(&mut x, 0.3);
    normalize(&mut x, 1.0);
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Energy-weighted mean time of `x`, s.
    fn centre_s(x: &[f32], sr: f32) -> f32 {
        let e: f32 = x.iter().map(|v| v * v).sum();
        x.iter()
            .enumerate()
            .map(|(i, v)| i as f32 * v * v)
            .sum::<f32>()
            / e
            / sr
    }

    #[test]
    fn the_room_smears_and_the_overheads_thin_the_kick() {
        // References: the reflection table (taps up to 77 ms move the energy centre later) and
        // the far view's 200 Hz high-pass (less than half the kick's energy survives it).
        let sr = 48_000.0;
        let kick = Sound::new(kick(sr), 200.0, sr);
        let energy = |x: &[f32]| x.iter().map(|v| v * v).sum::<f32>();
        let kept = energy(&kick.far) / energy(&kick.close);
        assert!(kept < 0.5, "{kept}");
        for (name, close) in [("snare", snare(sr)), ("hat", hat(sr, 1, false))] {
            let sound = Sound::new(close, 150.0, sr);
            let delay_ms = 1000.0 * (centre_s(&sound.room, sr) - centre_s(&sound.close, sr));
            println!("{name}: room energy centre {delay_ms:.1} ms after the close mic's");
            assert!(delay_ms > 10.0, "{name}: {delay_ms}");
        }
    }

    #[test]
    fn open_hats_are_choked_by_the_next_stroke() {
        // Reference: the score's hi-hat strokes: every stroke rings only until the next one.
        let kit = Kit::new(Clock::new(48_000.0));
        for s in kit.strokes.iter().filter(|s| s.gate.is_some()) {
            let gate = s.gate.unwrap_or(0);
            assert!(gate > 0 && gate <= 115_200, "{gate}");
        }
        let open = kit
            .strokes
            .iter()
            .filter(|s| s.piece == Piece::HatOpen)
            .count();
        assert_eq!(open, 3, "on the 'and' of 4 before bars 5, 9 and 13");
    }

    #[test]
    fn every_piece_starts_from_silence() {
        // Reference: a fade-in of at least 0.4 ms: the first sample of every sound is 0.
        let sr = 44_100.0;
        for x in [
            kick(sr),
            snare(sr),
            hat(sr, 0, false),
            hat(sr, 0, true),
            crash(sr),
        ] {
            assert_eq!(x[0], 0.0);
            assert!(x[1].abs() < 0.2);
            assert!(x.last().unwrap().abs() < 1e-6, "and ends in silence");
        }
    }
}
