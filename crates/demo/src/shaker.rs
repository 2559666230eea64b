//! The shaker: four recorded strokes (noise grains through a band-pass around 6 kHz, with the
//! soft attack of the beads hitting the shell), played in swung sixteenths.
//!
//! Noise-burst percussion after P. R. Cook, "Physically informed sonic modeling (PhISM):
//! synthesis of percussive sounds", Computer Music Journal 21(3), 1997 (here reduced to a fixed
//! envelope per stroke rather than a stochastic collision model).

use crate::place::{add, silence};
use crate::score::{self, Clock};
use crate::synth::{decay_coefficient, normalize, release_curve, Noise, Svf};

/// Level of the stem, linear.
const LEVEL: f32 = 0.369;

/// One stroke: a 7 ms rise then a decay of `tau_s`, band-passed noise.
fn stroke(sr: f32, variant: u8) -> Vec<f32> {
    let len = (0.16 * sr) as usize;
    let attack = (0.007 * sr) as usize;
    let k = decay_coefficient(0.03 + 0.006 * f32::from(variant), sr);
    let mut noise = Noise::new(0x5A4B + u32::from(variant) * 7919);
    let mut bp = Svf::new(6_200.0 + 400.0 * f32::from(variant), 1.1, sr);
    let mut hp = Svf::new(3_000.0, 0.7, sr);
    let mut env = 1.0;
    let mut x = vec![0.0; len];
    for (i, out) in x.iter_mut().enumerate() {
        *out = {
            let rise = if i < attack {
                i as f32 / attack as f32
            } else {
                env *= k;
                1.0
            };
            let y = hp.process(bp.process(noise.next()).band).high;
            y * rise * env
        };
    }
    let n = len / 4;
    for (y, r) in x[len - n..].iter_mut().zip(release_curve(n)) {
        *y *= r;
    }
    normalize(&mut x, 1.0);
    x
}

/// The shaker stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    let strokes: Vec<Vec<f32>> = (0..4).map(|v| stroke(sr, v)).collect();
    let mut out = silence(clock.frames);
    for s in score::shaker() {
        add(
            &mut out,
            &strokes[usize::from(s.variant)],
            clock.at(s.step, s.offset_s),
            LEVEL * s.velocity,
        );
    }
    out
}
