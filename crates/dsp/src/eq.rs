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

    /// Sets band `band` (`0..4`): frequency, Hz (20..20 000), gain, dB (±18), and Q (0.1..10),
    /// each clamped to the table's range. A NaN among them leaves the band as it was.
    pub fn set_band(&mut self, band: usize, freq_hz: f32, gain_db: f32, q: f32) {
        if freq_hz.is_nan() || gain_db.is_nan() || q.is_nan() {
            return;
        }
        if let Some(b) = self.bands.get_mut(band) {
            b.gain_db = ParamId::Eq1GainDb.spec().clamp(gain_db);
            b.filter.set(
                ParamId::Eq1Hz.spec().clamp(freq_hz),
                ParamId::Eq1Q.spec().clamp(q),
                b.gain_db,
            );
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
mod tests;
