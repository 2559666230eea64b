//! Loudness metering per ITU-R BS.1770-4 (K-weighting, gating), EBU R 128 and the "EBU Mode"
//! meter of EBU Tech 3341 (momentary, short-term and integrated loudness, their maxima), with
//! the loudness range of EBU Tech 3342.
//!
//! - **K-weighting** (BS.1770-4, Annex 1, Tables 1 and 2): a high shelf (+4 dB above ~1.7 kHz)
//!   then the RLB high-pass (~38 Hz). The coefficients are derived for any sample rate from the
//!   analog prototypes behind the tables, as libebur128 does; at 48 kHz they equal the tables.
//! - **Loudness** of an interval: `−0.691 + 10·log10(Σ_i G_i·z_i)` LUFS, with `z_i` the mean square
//!   of K-weighted channel `i` and `G_L = G_R = 1`.
//! - **Momentary** (M) and **short-term** (S): sliding 400 ms and 3 s windows, ungated. They
//!   advance in sub-blocks of about 5 ms (240 frames at 48 kHz) counted from the stream start, so
//!   readings do not depend on how the stream is cut into blocks; the time before the stream
//!   start counts as silence.
//! - **Integrated** (I): 400 ms gating blocks every 100 ms (75 % overlap) from the stream start,
//!   only complete blocks; absolute gate −70 LUFS, then relative gate 10 LU below the loudness of
//!   the blocks above the absolute gate (BS.1770-4, Annex 1, §5).
//! - **Loudness range** (LRA, Tech 3342): short-term loudness sampled every 100 ms (complete 3 s
//!   windows only), absolute gate −70 LUFS, relative gate 20 LU below the power mean of the
//!   blocks above it, then the spread between the 10th and 95th percentiles (nearest rank, as in
//!   the Tech 3342 reference code).
//!
//! Programmes of any length fit in a fixed size, as in libebur128's histogram mode: each gating
//! block (and each short-term value) lands in a histogram bin 0.02 LU wide from −70 to +30 LUFS.
//! Unlike a plain histogram, each bin keeps the exact sum of the energies that fell in it, so the
//! integrated loudness is exact except for blocks within 0.02 LU of the relative gate, and a
//! percentile reads the mean of its bin. Louder blocks are kept in the top bin with their exact
//! energy.
//!
//! Per sample the meter runs two biquads per channel and one multiply-add; gating statistics are
//! updated every 100 ms without logarithms (bins are found by binary search over precomputed
//! energies). Logarithms are taken only when a reading is requested.

use std::f64::consts::PI;

use crate::biquad::{BiquadState, Coefficients};
use crate::denormal::finite_or_zero;

/// The BS.1770-4 loudness offset, LU: cancels the K-weighting gain at 997 Hz.
const OFFSET_LU: f64 = -0.691;
/// Absolute gate of the integrated loudness and of the loudness range, LUFS.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Relative gate of the integrated loudness as a power ratio: −10 LU below the absolute-gated
/// loudness.
const RELATIVE_GATE_POWER: f64 = 0.1;
/// Relative gate of the loudness range as a power ratio: −20 LU below the absolute-gated power
/// mean (Tech 3342).
const LRA_RELATIVE_GATE_POWER: f64 = 0.01;
/// Percentiles of the gated short-term distribution that bound the loudness range.
const LRA_LOW_PERCENTILE: f64 = 0.10;
/// See [`LRA_LOW_PERCENTILE`].
const LRA_HIGH_PERCENTILE: f64 = 0.95;
/// Gating steps (100 ms) in the momentary window and gating block (400 ms).
const STEPS_PER_MOMENTARY: usize = 4;
/// Gating steps (100 ms) in the short-term window (3 s).
const STEPS_PER_SHORT_TERM: usize = 30;
/// Width of a histogram bin, LU.
const BIN_LU: f64 = 0.02;
/// Loudness at the top of the histogram, LUFS (louder blocks go to the top bin).
const HISTOGRAM_TOP_LUFS: f64 = 30.0;

/// Converts a channel-summed mean square (K-weighted) to LUFS; 0 is −∞.
fn energy_to_lufs(energy: f64) -> f32 {
    if energy > 0.0 {
        (OFFSET_LU + 10.0 * energy.log10()) as f32
    } else {
        f32::NEG_INFINITY
    }
}

/// Converts LUFS to the channel-summed mean square that reads it.
fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs - OFFSET_LU) / 10.0)
}

/// The two K-weighting stages for `sample_rate_hz` as `[b0, b1, b2, a1, a2]` (a0 = 1): the high
/// shelf, then the RLB high-pass. Derived from the analog prototypes of BS.1770-4 Tables 1 and 2
/// through the bilinear transform (the formulation of libebur128).
///
/// Table 2 gives the high-pass numerator as `[1, −2, 1]`, not divided by a0, which leaves a
/// passband gain of +0.043 dB at 48 kHz that the −0.691 offset accounts for. The numerator is
/// scaled by `a0(48 kHz) / a0(fs)` so that this gain, and with it every reading, is the same at
/// every rate (plain `[1, −2, 1]` would read 0.03 LU low at 192 kHz); at 48 kHz the scale is 1
/// and the coefficients are the table's.
fn k_weighting(sample_rate_hz: f64) -> [[f64; 5]; 2] {
    let (f0, gain_db, q) = (
        1_681.974_450_955_533,
        3.999_843_853_973_347,
        0.707_175_236_955_419_6,
    );
    let k = (PI * f0 / sample_rate_hz).tan();
    let vh = 10f64.powf(gain_db / 20.0);
    let vb = vh.powf(0.499_666_774_154_541_6);
    let a0 = 1.0 + k / q + k * k;
    let shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ];
    let (f0, q) = (38.135_470_876_024_44, 0.500_327_037_323_877_3);
    let a0_at = |rate: f64| {
        let k = (PI * f0 / rate).tan();
        1.0 + k / q + k * k
    };
    let k = (PI * f0 / sample_rate_hz).tan();
    let a0 = a0_at(sample_rate_hz);
    let gain = a0_at(48_000.0) / a0;
    let high_pass = [
        gain,
        -2.0 * gain,
        gain,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ];
    [shelf, high_pass]
}

fn coefficients(c: [f64; 5]) -> Coefficients {
    Coefficients {
        b0: c[0] as f32,
        b1: c[1] as f32,
        b2: c[2] as f32,
        a1: c[3] as f32,
        a2: c[4] as f32,
    }
}

/// Whether both state values of `state` are finite (read by running a copy on silence through
/// the identity filter, which outputs `s1` and then `s2`).
fn state_is_finite(state: &BiquadState) -> bool {
    let mut probe = *state;
    let s1 = probe.process(&Coefficients::IDENTITY, 0.0);
    let s2 = probe.process(&Coefficients::IDENTITY, 0.0);
    s1.is_finite() && s2.is_finite()
}

/// Sub-block length, frames, and sub-blocks per 100 ms gating step for `sample_rate_hz`: about
/// 5 ms sub-blocks that tile the step exactly whenever the step is a whole number of frames with
/// a divisor between 20 and 40 (every common rate); otherwise 20 sub-blocks of the rounded length.
fn sub_block_layout(sample_rate_hz: f32) -> (usize, usize) {
    let step_frames = (f64::from(sample_rate_hz) / 10.0).round().max(20.0) as usize;
    for subs in 20..=40 {
        if step_frames.is_multiple_of(subs) {
            return (step_frames / subs, subs);
        }
    }
    (((step_frames as f64) / 20.0).round().max(1.0) as usize, 20)
}

/// Energies binned by loudness, with the exact energy sum of each bin.
#[derive(Clone, Debug, Default)]
struct EnergyHistogram {
    /// Energy at the bottom of bin `i + 1` (the bottom of bin 0 is `floor`).
    edges: Vec<f64>,
    /// Energies at or below this are not counted (the absolute gate).
    floor: f64,
    sums: Vec<f64>,
    counts: Vec<u64>,
    /// Range of bins that may be occupied (`lowest > highest` when empty).
    lowest: usize,
    highest: usize,
}

impl EnergyHistogram {
    fn new() -> EnergyHistogram {
        let bins = ((HISTOGRAM_TOP_LUFS - ABSOLUTE_GATE_LUFS) / BIN_LU).round() as usize;
        let mut histogram = EnergyHistogram {
            edges: (1..bins)
                .map(|i| lufs_to_energy(ABSOLUTE_GATE_LUFS + i as f64 * BIN_LU))
                .collect(),
            floor: lufs_to_energy(ABSOLUTE_GATE_LUFS),
            sums: vec![0.0; bins],
            counts: vec![0; bins],
            lowest: 0,
            highest: 0,
        };
        histogram.clear();
        histogram
    }

    fn clear(&mut self) {
        self.sums.fill(0.0);
        self.counts.fill(0);
        self.lowest = self.sums.len();
        self.highest = 0;
    }

    /// Adds one block's energy (blocks at or under the absolute gate are dropped).
    fn add(&mut self, energy: f64) {
        if !energy.is_finite() || energy <= self.floor {
            return;
        }
        let bin = self.edges.partition_point(|&edge| edge <= energy);
        self.sums[bin] += energy;
        self.counts[bin] += 1;
        self.lowest = self.lowest.min(bin);
        self.highest = self.highest.max(bin);
    }

    /// Occupied bins, quietest first, as (energy sum, count).
    fn bins(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let range = if self.lowest <= self.highest {
            self.lowest..self.highest + 1
        } else {
            0..0
        };
        self.sums[range.clone()]
            .iter()
            .zip(&self.counts[range])
            .filter(|(_, &count)| count > 0)
            .map(|(&sum, &count)| (sum, count))
    }

    /// Sum and count of the blocks whose bin mean is above `gate` (energy).
    fn above(&self, gate: f64) -> (f64, u64) {
        self.bins()
            .filter(|&(sum, count)| sum / count as f64 > gate)
            .fold((0.0, 0), |(s, n), (sum, count)| (s + sum, n + count))
    }
}

/// A stereo loudness meter (channel weights 1.0): EBU Mode M, S, I, their maxima and LRA.
///
/// Lifecycle: `prepare` (allocates) → `reset` → `process`*. `reset` and `process` never
/// allocate; readings are cheap (one logarithm) and may be taken at any time. Non-finite input
/// samples are read as 0.
#[derive(Clone, Debug)]
pub struct LoudnessMeter {
    filters: [Coefficients; 2],
    /// Filter states: `[channel][stage]`.
    states: [[BiquadState; 2]; 2],
    sub_frames: usize,
    subs_per_step: usize,
    frames_in_sub: usize,
    sub_sum: f64,
    /// Energy sums (Σ over frames of L² + R², K-weighted) of the last 3 s of sub-blocks.
    ring: Vec<f64>,
    ring_pos: usize,
    subs_done: u64,
    steps_done: u64,
    momentary_energy: f64,
    short_term_energy: f64,
    max_momentary_energy: f64,
    max_short_term_energy: f64,
    gating_blocks: EnergyHistogram,
    short_term_blocks: EnergyHistogram,
    integrated_energy: f64,
    /// Energies at the low and high LRA percentiles (0 when there is no range).
    range_energies: [f64; 2],
}

impl Default for LoudnessMeter {
    fn default() -> Self {
        LoudnessMeter::new()
    }
}

impl LoudnessMeter {
    /// A meter prepared for 48 kHz.
    pub fn new() -> LoudnessMeter {
        let mut meter = LoudnessMeter {
            filters: [Coefficients::IDENTITY; 2],
            states: [[BiquadState::default(); 2]; 2],
            sub_frames: 1,
            subs_per_step: 1,
            frames_in_sub: 0,
            sub_sum: 0.0,
            ring: Vec::new(),
            ring_pos: 0,
            subs_done: 0,
            steps_done: 0,
            momentary_energy: 0.0,
            short_term_energy: 0.0,
            max_momentary_energy: 0.0,
            max_short_term_energy: 0.0,
            gating_blocks: EnergyHistogram::new(),
            short_term_blocks: EnergyHistogram::new(),
            integrated_energy: 0.0,
            range_energies: [0.0; 2],
        };
        meter.prepare(48_000.0);
        meter
    }

    /// Designs the K-weighting and sizes the windows for `sample_rate_hz` (may allocate), then
    /// starts a new measurement.
    pub fn prepare(&mut self, sample_rate_hz: f32) {
        let sample_rate_hz = if sample_rate_hz.is_finite() {
            sample_rate_hz.clamp(1_000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        let [shelf, high_pass] = k_weighting(f64::from(sample_rate_hz));
        self.filters = [coefficients(shelf), coefficients(high_pass)];
        (self.sub_frames, self.subs_per_step) = sub_block_layout(sample_rate_hz);
        self.ring = vec![0.0; STEPS_PER_SHORT_TERM * self.subs_per_step];
        self.reset();
    }

    /// Starts a new measurement: clears the windows, the integrated loudness, the loudness range
    /// and the maxima.
    pub fn reset(&mut self) {
        self.states = [[BiquadState::default(); 2]; 2];
        self.frames_in_sub = 0;
        self.sub_sum = 0.0;
        self.ring.fill(0.0);
        self.ring_pos = 0;
        self.subs_done = 0;
        self.steps_done = 0;
        self.momentary_energy = 0.0;
        self.short_term_energy = 0.0;
        self.max_momentary_energy = 0.0;
        self.max_short_term_energy = 0.0;
        self.gating_blocks.clear();
        self.short_term_blocks.clear();
        self.integrated_energy = 0.0;
        self.range_energies = [0.0; 2];
    }

    /// Measures one block of the stereo programme (the channels should be equally long; extra
    /// samples of the longer one are ignored).
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        let frames = left.len().min(right.len());
        let mut start = 0;
        while start < frames {
            let run = (self.sub_frames - self.frames_in_sub).min(frames - start);
            let [shelf, high_pass] = &self.filters;
            let [[l1, l2], [r1, r2]] = &mut self.states;
            // Accumulated in frame order from the sub-block start, whatever the block size.
            let mut sum = self.sub_sum;
            for (&l, &r) in left[start..start + run]
                .iter()
                .zip(&right[start..start + run])
            {
                let yl = l2.process(high_pass, l1.process(shelf, finite_or_zero(l)));
                let yr = r2.process(high_pass, r1.process(shelf, finite_or_zero(r)));
                let (yl, yr) = (f64::from(yl), f64::from(yr));
                sum += yl * yl + yr * yr;
            }
            self.sub_sum = sum;
            self.frames_in_sub += run;
            start += run;
            if self.frames_in_sub == self.sub_frames {
                self.end_sub_block();
            }
        }
        // A finite input too large for f32 filtering can overflow the filter state: start the
        // filters afresh rather than carry infinities.
        if !self.states.iter().flatten().all(state_is_finite) {
            self.states = [[BiquadState::default(); 2]; 2];
        }
    }

    fn end_sub_block(&mut self) {
        let sub_sum = if self.sub_sum.is_finite() {
            self.sub_sum
        } else {
            0.0
        };
        self.sub_sum = 0.0;
        self.frames_in_sub = 0;
        self.ring[self.ring_pos] = sub_sum;
        self.ring_pos = (self.ring_pos + 1) % self.ring.len();
        self.subs_done += 1;

        // Oldest to newest (the write position holds the oldest), so the sums do not depend on
        // where the ring starts.
        let momentary_subs = STEPS_PER_MOMENTARY * self.subs_per_step;
        let older = self.ring.len() - momentary_subs;
        let (newer_part, older_part) = self.ring.split_at(self.ring_pos);
        let mut short_term = 0.0;
        let mut momentary = 0.0;
        for (age_rank, &value) in older_part.iter().chain(newer_part).enumerate() {
            if age_rank < older {
                short_term += value;
            } else {
                momentary += value;
            }
        }
        short_term += momentary;
        self.momentary_energy = momentary / (momentary_subs * self.sub_frames) as f64;
        self.short_term_energy = short_term / (self.ring.len() * self.sub_frames) as f64;
        self.max_momentary_energy = self.max_momentary_energy.max(self.momentary_energy);
        self.max_short_term_energy = self.max_short_term_energy.max(self.short_term_energy);

        if self.subs_done.is_multiple_of(self.subs_per_step as u64) {
            self.steps_done += 1;
            if self.steps_done >= STEPS_PER_MOMENTARY as u64 {
                self.gating_blocks.add(self.momentary_energy);
                self.update_integrated();
            }
            if self.steps_done >= STEPS_PER_SHORT_TERM as u64 {
                self.short_term_blocks.add(self.short_term_energy);
                self.update_range();
            }
        }
    }

    fn update_integrated(&mut self) {
        let (sum, count) = self.gating_blocks.above(0.0);
        if count == 0 {
            self.integrated_energy = 0.0;
            return;
        }
        let gate = sum / count as f64 * RELATIVE_GATE_POWER;
        let (sum, count) = self.gating_blocks.above(gate);
        self.integrated_energy = if count > 0 { sum / count as f64 } else { 0.0 };
    }

    fn update_range(&mut self) {
        self.range_energies = [0.0; 2];
        let (sum, count) = self.short_term_blocks.above(0.0);
        if count == 0 {
            return;
        }
        let gate = sum / count as f64 * LRA_RELATIVE_GATE_POWER;
        let (_, count) = self.short_term_blocks.above(gate);
        if count == 0 {
            return;
        }
        let rank = |p: f64| ((count - 1) as f64 * p).round() as u64;
        let ranks = [rank(LRA_LOW_PERCENTILE), rank(LRA_HIGH_PERCENTILE)];
        let mut seen = 0_u64;
        for (sum, n) in self
            .short_term_blocks
            .bins()
            .filter(|&(sum, n)| sum / n as f64 > gate)
        {
            for (energy, &rank) in self.range_energies.iter_mut().zip(&ranks) {
                if *energy == 0.0 && rank < seen + n {
                    *energy = sum / n as f64;
                }
            }
            seen += n;
        }
    }

    /// Momentary loudness (last 400 ms), LUFS; `f32::NEG_INFINITY` while the window is silent.
    /// Updated every sub-block (~5 ms).
    pub fn momentary_lufs(&self) -> f32 {
        energy_to_lufs(self.momentary_energy)
    }

    /// Short-term loudness (last 3 s), LUFS; `f32::NEG_INFINITY` while the window is silent.
    /// Updated every sub-block (~5 ms).
    pub fn short_term_lufs(&self) -> f32 {
        energy_to_lufs(self.short_term_energy)
    }

    /// Integrated loudness since the last reset (gated at −70 LUFS and −10 LU), LUFS;
    /// `f32::NEG_INFINITY` until a complete 400 ms block is above the absolute gate. Updated
    /// every 100 ms.
    pub fn integrated_lufs(&self) -> f32 {
        energy_to_lufs(self.integrated_energy)
    }

    /// Loudness range since the last reset (EBU Tech 3342), LU ≥ 0; 0 until a complete 3 s
    /// window is above the gates. Tech 3341 (2016) asks meters to show that it is not yet stable
    /// during the first 60 s. Updated every 100 ms.
    pub fn loudness_range_lu(&self) -> f32 {
        let [low, high] = self.range_energies;
        if low > 0.0 && high > 0.0 {
            (10.0 * (high / low).log10()).max(0.0) as f32
        } else {
            0.0
        }
    }

    /// Largest momentary loudness since the last reset, LUFS (`f32::NEG_INFINITY` if none).
    pub fn max_momentary_lufs(&self) -> f32 {
        energy_to_lufs(self.max_momentary_energy)
    }

    /// Largest short-term loudness since the last reset, LUFS (`f32::NEG_INFINITY` if none).
    pub fn max_short_term_lufs(&self) -> f32 {
        energy_to_lufs(self.max_short_term_energy)
    }
}

#[cfg(test)]
mod tests;
