//! The strip's 4-band parametric EQ: each band a low shelf, bell or high shelf from the RBJ Audio
//! EQ Cookbook (see `crate::biquad`), 20 Hz–20 kHz, ±18 dB, Q 0.1–10, with a bypass per band and
//! for the whole EQ.
//!
//! Frequency, gain and Q glide (`SmoothedBiquad`). Switching a band's shape fades the band out
//! over 10 ms, switches on the exact frame the fade ends, and fades it back in, so output never
//! steps and still does not depend on block size. A band at 0 dB whose state has died away is
//! skipped: it is exactly the identity.

use mixroom_protocol::params::ParamId;

use mixroom_protocol::params::EQ_BANDS;

use crate::crossfade::Crossfade;
use crate::denormal::{below_tail_floor, is_silent};
use crate::{BiquadKind, BiquadState, Coefficients, SmoothedBiquad};

/// Below this, a flat band's state counts as gone and the band is skipped.
const IDLE_STATE: f32 = 1e-9;

/// One band.
#[derive(Clone, Debug)]
struct Band {
    filter: SmoothedBiquad,
    kind: BiquadKind,
    pending_kind: Option<BiquadKind>,
    gain_db: f32,
    user_bypassed: bool,
    fade: Crossfade,
}

impl Band {
    fn new(kind: BiquadKind) -> Band {
        Band {
            filter: SmoothedBiquad::new(kind),
            kind,
            pending_kind: None,
            gain_db: 0.0,
            user_bypassed: false,
            fade: Crossfade::new(true),
        }
    }

    /// Whether the band passes its input through unchanged (and may be skipped).
    fn is_identity(&self) -> bool {
        self.pending_kind.is_none()
            && (self.fade.is_dry()
                || (self.fade.is_wet()
                    && self.gain_db == 0.0
                    && self.filter.is_settled()
                    && self.filter.state_magnitude() < IDLE_STATE))
    }

    fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        channels: usize,
        dry: [&mut [f32]; 2],
    ) {
        if self.is_identity() {
            self.filter.clear_state();
            return;
        }
        let [dry_l, dry_r] = dry;
        let mut done = 0;
        while done < left.len() {
            let mut n = left.len() - done;
            if self.pending_kind.is_some() && !self.fade.is_dry() {
                n = n.min(self.fade.remaining_frames().max(1));
            }
            let range = done..done + n;
            let (l, r) = (&mut left[range.clone()], &mut right[range]);
            if self.fade.is_wet() {
                self.filter.process(l, r, channels);
            } else if !self.fade.is_dry() {
                dry_l[..n].copy_from_slice(l);
                dry_r[..n].copy_from_slice(r);
                self.filter.process(l, r, channels);
                self.fade.mix([&dry_l[..n], &dry_r[..n]], [l, r]);
            }
            done += n;
            if self.fade.is_dry() {
                if let Some(kind) = self.pending_kind.take() {
                    self.kind = kind;
                    self.filter.set_kind(kind);
                    self.filter.clear_state();
                    self.fade.set_active(!self.user_bypassed);
                }
            }
        }
    }
}

/// Four bands in series with a section bypass.
#[derive(Clone, Debug)]
pub struct Equalizer {
    bands: [Band; EQ_BANDS],
    section: Crossfade,
    sample_rate_hz: f32,
    dry: [Vec<f32>; 2],
    band_dry: [Vec<f32>; 2],
}

impl Default for Equalizer {
    fn default() -> Self {
        Equalizer::new()
    }
}

impl Equalizer {
    /// A flat EQ: low shelf, two bells, high shelf, all at 0 dB.
    pub fn new() -> Equalizer {
        Equalizer {
            bands: [
                Band::new(BiquadKind::LowShelf),
                Band::new(BiquadKind::Bell),
                Band::new(BiquadKind::Bell),
                Band::new(BiquadKind::HighShelf),
            ],
            section: Crossfade::new(true),
            sample_rate_hz: 48_000.0,
            dry: [Vec::new(), Vec::new()],
            band_dry: [Vec::new(), Vec::new()],
        }
    }

    /// Sets the sample rate, Hz, and the largest block; allocates scratch space.
    pub fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        self.sample_rate_hz = sample_rate_hz;
        for band in &mut self.bands {
            band.filter
                .prepare(sample_rate_hz, ParamId::Eq1Hz.spec().smoothing_ms);
            band.fade.prepare(sample_rate_hz);
        }
        self.section.prepare(sample_rate_hz);
        self.dry = [vec![0.0; max_frames], vec![0.0; max_frames]];
        self.band_dry = [vec![0.0; max_frames], vec![0.0; max_frames]];
    }

    /// Clears signal state; glides and fades jump to their targets.
    pub fn reset(&mut self) {
        for band in &mut self.bands {
            if let Some(kind) = band.pending_kind.take() {
                band.kind = kind;
                band.filter.set_kind(kind);
                band.fade.set_active(!band.user_bypassed);
            }
            band.filter.reset();
            band.fade.snap();
        }
        self.section.snap();
    }

    /// Sets band `band` (`0..4`): frequency, Hz (20..20 000), gain, dB (±18), and Q (0.1..10).
    pub fn set_band(&mut self, band: usize, freq_hz: f32, gain_db: f32, q: f32) {
        if let Some(b) = self.bands.get_mut(band) {
            b.gain_db = gain_db.clamp(-18.0, 18.0);
            b.filter
                .set(freq_hz.clamp(20.0, 20_000.0), q.clamp(0.1, 10.0), b.gain_db);
        }
    }

    /// Sets the shape of band `band` (bell, low shelf or high shelf).
    pub fn set_band_kind(&mut self, band: usize, kind: BiquadKind) {
        if let Some(b) = self.bands.get_mut(band) {
            let current = b.pending_kind.unwrap_or(b.kind);
            if kind != current {
                b.pending_kind = Some(kind);
                b.fade.set_active(false);
            }
        }
    }

    /// Bypasses band `band` (10 ms fade).
    pub fn set_band_bypassed(&mut self, band: usize, bypassed: bool) {
        if let Some(b) = self.bands.get_mut(band) {
            b.user_bypassed = bypassed;
            if b.pending_kind.is_none() {
                b.fade.set_active(!bypassed);
            }
        }
    }

    /// Bypasses the whole EQ (10 ms fade).
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.section.set_active(!bypassed);
    }

    /// The analytic magnitude response of the active bands at their target settings, dB.
    pub fn response_db(&self, freq_hz: f32) -> f32 {
        if self.section.is_dry() {
            return 0.0;
        }
        self.bands
            .iter()
            .filter(|b| !b.user_bypassed)
            .map(|b| {
                b.filter
                    .target_coefficients()
                    .magnitude_db(freq_hz, self.sample_rate_hz)
            })
            .sum()
    }

    /// Whether every band is at rest (no glide, fade or shape switch in progress).
    fn bands_at_rest(&self) -> bool {
        self.bands.iter().all(|b| {
            b.pending_kind.is_none()
                && (b.fade.is_dry() || (b.fade.is_wet() && b.filter.is_settled()))
        })
    }

    /// The fast path while nothing moves: every active band in one loop over the frames, both
    /// channels interleaved, so the bands' independent recursions overlap in the CPU. Gives the
    /// same samples as running the bands one after the other.
    fn process_at_rest(&mut self, left: &mut [f32], right: &mut [f32], channels: usize) {
        let right = if channels > 1 { right } else { &mut right[..0] };
        let mut active: [Option<(Coefficients, &mut [BiquadState; 2])>; EQ_BANDS] =
            [None, None, None, None];
        let mut count = 0;
        for band in &mut self.bands {
            if band.is_identity() {
                band.filter.clear_state();
            } else {
                let (c, state) = band.filter.parts_mut();
                active[count] = Some((*c, state));
                count += 1;
            }
        }
        if count == 0 {
            return;
        }
        let silent_in = is_silent(left) && is_silent(right);
        match (count, right.is_empty()) {
            (1, false) => run_cascade::<1, true>(&mut active, left, right),
            (2, false) => run_cascade::<2, true>(&mut active, left, right),
            (3, false) => run_cascade::<3, true>(&mut active, left, right),
            (_, false) => run_cascade::<4, true>(&mut active, left, right),
            (1, true) => run_cascade::<1, false>(&mut active, left, right),
            (2, true) => run_cascade::<2, false>(&mut active, left, right),
            (3, true) => run_cascade::<3, false>(&mut active, left, right),
            (_, true) => run_cascade::<4, false>(&mut active, left, right),
        }
        let clear = silent_in && below_tail_floor(left) && below_tail_floor(right);
        for (_, state) in active.iter_mut().flatten() {
            for s in state.iter_mut() {
                if clear {
                    s.reset();
                }
                s.flush_denormals();
            }
        }
    }

    /// Filters a block in place: both channels, or (`channels` 1) the left one only.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32], channels: usize) {
        let n = left.len();
        if self.section.is_dry() {
            return;
        }
        if self.section.is_wet() && self.bands_at_rest() {
            self.process_at_rest(left, right, channels);
            return;
        }
        let fading = !self.section.is_wet();
        if fading {
            self.dry[0][..n].copy_from_slice(left);
            self.dry[1][..n].copy_from_slice(right);
        }
        let [band_l, band_r] = &mut self.band_dry;
        for band in &mut self.bands {
            band.process(left, right, channels, [&mut band_l[..n], &mut band_r[..n]]);
        }
        if fading {
            self.section
                .mix([&self.dry[0][..n], &self.dry[1][..n]], [left, right]);
        }
    }
}

/// Runs the first `N` bands of `active` frame by frame over the left channel, and the right one
/// too when `STEREO`.
#[inline(always)]
fn run_cascade<const N: usize, const STEREO: bool>(
    active: &mut [Option<(Coefficients, &mut [BiquadState; 2])>; EQ_BANDS],
    left: &mut [f32],
    right: &mut [f32],
) {
    let mut coefficients = [Coefficients::IDENTITY; N];
    let mut states = [[BiquadState::default(); 2]; N];
    for (k, slot) in active.iter().take(N).enumerate() {
        if let Some((c, state)) = slot {
            coefficients[k] = *c;
            states[k] = **state;
        }
    }
    if STEREO {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (mut x_l, mut x_r) = (*l, *r);
            #[allow(clippy::needless_range_loop)] // indexing lets the compiler unroll over N
            for k in 0..N {
                let [s_l, s_r] = &mut states[k];
                x_l = s_l.process(&coefficients[k], x_l);
                x_r = s_r.process(&coefficients[k], x_r);
            }
            *l = x_l;
            *r = x_r;
        }
    } else {
        for l in left.iter_mut() {
            let mut x = *l;
            #[allow(clippy::needless_range_loop)] // indexing lets the compiler unroll over N
            for k in 0..N {
                x = states[k][0].process(&coefficients[k], x);
            }
            *l = x;
        }
    }
    for (k, slot) in active.iter_mut().take(N).enumerate() {
        if let Some((_, state)) = slot {
            **state = states[k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FS: f32 = 48_000.0;

    /// Magnitude of the EQ measured with a sine, dB (steady state, after 0.5 s).
    fn measured_db(eq: &mut Equalizer, freq_hz: f32) -> f32 {
        eq.reset();
        let n = 48_000;
        let input: Vec<f32> = (0..n)
            .map(|i| (std::f32::consts::TAU * freq_hz * i as f32 / FS).sin() * 0.25)
            .collect();
        let (mut l, mut r) = (input.clone(), input.clone());
        for (cl, cr) in l.chunks_mut(512).zip(r.chunks_mut(512)) {
            eq.process(cl, cr, 2);
        }
        let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        20.0 * (rms(&l[24_000..]) / rms(&input[24_000..])).log10()
    }

    fn prepared() -> Equalizer {
        let mut eq = Equalizer::new();
        eq.prepare(FS, 512);
        eq
    }

    #[test]
    fn magnitude_equals_the_rbj_response_at_third_octave_points() {
        let mut eq = prepared();
        eq.set_band(0, 120.0, 6.0, 0.71);
        eq.set_band(1, 450.0, -9.0, 2.0);
        eq.set_band(2, 3_000.0, 4.5, 0.7);
        eq.set_band(3, 9_000.0, -12.0, 0.71);
        let mut worst: f32 = 0.0;
        for k in -17..=13 {
            // ISO third-octave centres from 20 Hz to 20 kHz.
            let f = 1_000.0 * 2f32.powf(k as f32 / 3.0);
            let (measured, analytic) = (measured_db(&mut eq, f), eq.response_db(f));
            worst = worst.max((measured - analytic).abs());
            assert!(
                (measured - analytic).abs() < 0.1,
                "{f} Hz: measured {measured} dB, RBJ {analytic} dB"
            );
        }
        eprintln!("EQ vs RBJ, 31 third-octave points: worst {worst:.4} dB");
        assert!(worst < 0.1);
    }

    #[test]
    fn flat_bands_pass_exactly_and_bypass_removes_the_curve() {
        let mut eq = prepared();
        eq.reset();
        let input: Vec<f32> = (0..512)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let (mut l, mut r) = (input.clone(), input.clone());
        eq.process(&mut l, &mut r, 2);
        assert_eq!(l, input, "a flat EQ is the identity");
        eq.set_band(1, 1_000.0, 12.0, 1.0);
        eq.set_bypassed(true);
        eq.reset();
        assert!(measured_db(&mut eq, 1_000.0).abs() < 1e-4);
        eq.set_bypassed(false);
        eq.set_band_bypassed(1, true);
        eq.reset();
        assert!(measured_db(&mut eq, 1_000.0).abs() < 1e-4);
        eq.set_band_bypassed(1, false);
        eq.reset();
        assert!((measured_db(&mut eq, 1_000.0) - 12.0).abs() < 0.1);
    }

    #[test]
    fn shape_switches_and_bypass_fade_without_steps_and_do_not_depend_on_block_size() {
        let input: Vec<f32> = (0..9_600).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let run = |block: usize| {
            let mut eq = prepared();
            eq.set_band(0, 200.0, 12.0, 0.71);
            eq.reset();
            let (mut l, mut r) = (input.clone(), input.clone());
            let mut done = 0;
            for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
                if done <= 1_000 && done + cl.len() > 1_000 {
                    eq.set_band_kind(0, BiquadKind::HighShelf);
                }
                if done <= 5_000 && done + cl.len() > 5_000 {
                    eq.set_bypassed(true);
                }
                eq.process(cl, cr, 2);
                done += cl.len();
            }
            l
        };
        // Changes land at block starts, so compare blocks that share those boundaries.
        let reference = run(8);
        for block in [1, 2, 4] {
            let got = run(block);
            let diff = got
                .iter()
                .zip(&reference)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(diff < 1e-6, "block {block}: {diff}");
        }
        let steps = reference
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        // The input's own largest step is 0.025; the boosted signal moves at most ~4x that.
        assert!(steps < 0.12, "largest step {steps}");
    }
}
