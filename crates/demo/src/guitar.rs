//! The guitar: plucked strings by the Karplus–Strong algorithm (K. Karplus & A. Strong,
//! "Digital synthesis of plucked-string and drum timbres", Computer Music Journal 7(2), 1983)
//! with the extensions of D. A. Jaffe & J. O. Smith, "Extensions of the Karplus-Strong
//! plucked-string algorithm", CMJ 7(2), 1983: a first-order all-pass for the fractional part
//! of the loop delay (exact tuning), a pick-position comb on the excitation, a per-sample loss
//! for the decay time, and a loop low-pass given in Hz (not the two-point average), so that the
//! tone and tuning are the same at every sample rate. The delay of the loop filter at the
//! fundamental is computed and taken off the delay line.

use std::f32::consts::TAU;

use crate::place::play_notes;
use crate::score::{self, Clock};
use crate::synth::{midi_hz, normalize, Noise, OnePole};

/// Level of the stem, linear.
const LEVEL: f32 = 0.47;

/// Corner of the loop low-pass, Hz: the string's brightness.
const LOOP_CUTOFF_HZ: f32 = 3_200.0;

/// The guitar stem.
pub fn stem(clock: Clock) -> Vec<f32> {
    let sr = clock.sample_rate_hz;
    play_notes(clock, &score::guitar(), LEVEL, 0.06, |midi, frames, out| {
        pluck(midi_hz(midi), frames, sr, u32::from(midi), out);
    })
}

/// The delay line length (whole frames) and all-pass coefficient that tune a loop with a
/// one-pole low-pass of coefficient `a` to `freq_hz`.
pub fn tuning(freq_hz: f32, sr: f32, a: f32) -> (usize, f32) {
    let period = sr / freq_hz;
    let w = TAU * freq_hz / sr;
    let b = 1.0 - a;
    // Phase delay of y = a·x + b·y⁻¹ at w, samples.
    let filter_delay = (b * w.sin()).atan2(1.0 - b * w.cos()) / w;
    let rest = period - filter_delay;
    let n = (rest - 0.2).floor().max(1.0);
    let d = rest - n; // 0.2 ≤ d < 1.2: the all-pass' fractional delay
    (n as usize, (1.0 - d) / (1.0 + d))
}

/// One plucked note at `freq_hz`, `frames` long, peak 1, appended to `out`.
pub fn pluck(freq_hz: f32, frames: usize, sr: f32, seed: u32, out: &mut Vec<f32>) {
    let a = OnePole::coefficient(LOOP_CUTOFF_HZ, sr);
    let (n, c) = tuning(freq_hz, sr, a);
    // Decay: T60 from 3.5 s at 110 Hz, shorter up the neck; a loss per sample.
    let t60 = (3.5 * (110.0 / freq_hz).sqrt()).clamp(1.0, 4.0);
    let loss = 10.0_f32.powf(-3.0 / (t60 * sr));
    // Excitation: one period of softened noise, mean removed, combed at the pick position.
    let mut noise = Noise::new(0x6A17 + seed * 104_729);
    let mut soft = OnePole::new(2_600.0, sr);
    let mut burst: Vec<f32> = (0..n).map(|_| soft.low(noise.next())).collect();
    let mean = burst.iter().sum::<f32>() / n as f32;
    burst.iter_mut().for_each(|x| *x -= mean);
    let pick = ((0.22 * n as f32) as usize).max(1);
    let excitation: Vec<f32> = (0..n)
        .map(|i| burst[i] - if i >= pick { burst[i - pick] } else { 0.0 })
        .collect();

    let mut line = vec![0.0_f32; n];
    let mut idx = 0;
    let (mut ap_x, mut ap_y, mut lp_y) = (0.0_f32, 0.0_f32, 0.0_f32);
    let mut body = OnePole::new(70.0, sr);
    let start = out.len();
    out.resize(start + frames, 0.0);
    for (i, out) in out[start..].iter_mut().enumerate() {
        let delayed = line[idx];
        let ap = c * delayed + ap_x - c * ap_y;
        ap_x = delayed;
        ap_y = ap;
        lp_y += a * (ap - lp_y);
        let y = loss * lp_y + if i < n { excitation[i] } else { 0.0 };
        line[idx] = y;
        idx += 1;
        if idx == n {
            idx = 0;
        }
        *out = body.high(y);
    }
    normalize(&mut out[start..], 1.0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{peak_hz, spectrum};

    #[test]
    fn plucks_are_in_tune_at_every_sample_rate() {
        // Reference: equal temperament (A2 = 110 Hz, A3, C4, G4); the fractional-delay tuning
        // must hold within 3 cents whatever the rate, measured on a 2¹⁷-point spectrum.
        for rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0] {
            for midi in [45, 57, 60, 67] {
                let hz = midi_hz(midi);
                let mut x = Vec::new();
                pluck(hz, 1 << 17, rate, 1, &mut x);
                let found = peak_hz(&spectrum(&x, 1 << 17, 1), rate, hz * 0.9, hz * 1.1);
                let cents = 1200.0 * (found / hz).log2();
                assert!(cents.abs() < 3.0, "{midi} at {rate} Hz: {cents:+.2} cents");
            }
        }
    }

    #[test]
    fn a_pluck_decays_and_stays_bounded() {
        // Reference: a lossy string: after 2 s it is at least 20 dB below its start.
        let mut x = Vec::new();
        pluck(220.0, 96_000, 48_000.0, 3, &mut x);
        let rms = |s: &[f32]| (s.iter().map(|v| v * v).sum::<f32>() / s.len() as f32).sqrt();
        let (start, end) = (rms(&x[..4_800]), rms(&x[91_200..]));
        assert!(20.0 * (end / start).log10() < -20.0);
        assert!(x.iter().all(|v| v.abs() <= 1.0));
    }
}
