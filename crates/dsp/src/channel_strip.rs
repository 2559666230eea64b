//! A channel strip of a track, bus or return.
//!
//! Signal flow, every stage click-free:
//!
//! ```text
//! input → trim × polarity → high-pass → low-pass → gate → EQ ⇄ compressor (either order)
//!       → [pre-fader tap: sends set to pre] → width → pan / balance → fader × mute/solo
//!       → output [post-fader sends]
//! ```
//!
//! Trim, fader, sends and mute/solo are smoothed in the linear domain; polarity fades through
//! zero (10 ms); pan and width glide. Changing the insert order ducks the inserts' output to
//! silence over 5 ms, swaps on the exact frame the duck ends and comes back over 5 ms. Mono
//! sources run the inserts on identical channels and are panned with the constant-power law;
//! stereo sources get width and balance (see `crate::pan`). Mute and solo silence the sends too.

use mixroom_protocol::layout::meter_block::StripFigures;
use mixroom_protocol::layout::spectrum_block::TapPoint;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::MAX_RETURNS;
use mixroom_protocol::units::db_to_lin;

use crate::denormal::zero_non_finite;
use crate::fader::Fader;
use crate::meter::peak_abs;
use crate::pan::{balance_gains, mono_pan_gains, widen};
use crate::taps::Taps;
use crate::{Compressor, Equalizer, Gate, LinearSmoother, PassFilter, Processor, StereoBlock};

/// Time of each half of the insert-order duck, ms.
const DUCK_MS: f32 = 5.0;

/// One send: a smoothed level, taken before or after the fader.
#[derive(Clone, Debug)]
struct Send {
    gain_lin: LinearSmoother,
    pre_fader: bool,
}

/// The strip's processors and state.
#[derive(Clone, Debug)]
pub struct ChannelStrip {
    trim_lin: LinearSmoother,
    polarity: LinearSmoother,
    high_pass: PassFilter,
    low_pass: PassFilter,
    gate: Gate,
    eq: Equalizer,
    compressor: Compressor,
    compressor_first: bool,
    pending_order: Option<bool>,
    duck: LinearSmoother,
    width: LinearSmoother,
    pan: LinearSmoother,
    fader: Fader,
    mono_input: bool,
    sends: [Send; MAX_RETURNS],
    pre: [Vec<f32>; 2],
    clip: bool,
}

impl Default for ChannelStrip {
    fn default() -> Self {
        ChannelStrip::new()
    }
}

impl ChannelStrip {
    /// A strip at its defaults: unity, centred, inserts flat or bypassed, sends off.
    pub fn new() -> ChannelStrip {
        let mut strip = ChannelStrip {
            trim_lin: LinearSmoother::new(1.0),
            polarity: LinearSmoother::new(1.0),
            high_pass: PassFilter::new(true),
            low_pass: PassFilter::new(false),
            gate: Gate::new(),
            eq: Equalizer::new(),
            compressor: Compressor::new(),
            compressor_first: false,
            pending_order: None,
            duck: LinearSmoother::new(1.0),
            width: LinearSmoother::new(1.0),
            pan: LinearSmoother::new(0.0),
            fader: Fader::new(),
            mono_input: false,
            sends: std::array::from_fn(|_| Send {
                gain_lin: LinearSmoother::new(0.0),
                pre_fader: false,
            }),
            pre: [Vec::new(), Vec::new()],
            clip: false,
        };
        strip.compressor.set_bypassed(true);
        strip.gate.set_bypassed(true);
        strip
    }

    /// The equalizer, to set its bands.
    pub fn eq_mut(&mut self) -> &mut Equalizer {
        &mut self.eq
    }

    /// The compressor, to set it.
    pub fn compressor_mut(&mut self) -> &mut Compressor {
        &mut self.compressor
    }

    /// The gate, to set it.
    pub fn gate_mut(&mut self) -> &mut Gate {
        &mut self.gate
    }

    /// The high-pass filter, to set it.
    pub fn high_pass_mut(&mut self) -> &mut PassFilter {
        &mut self.high_pass
    }

    /// The low-pass filter, to set it.
    pub fn low_pass_mut(&mut self) -> &mut PassFilter {
        &mut self.low_pass
    }

    /// Sets the input trim, dB (±24). NaN is ignored.
    pub fn set_trim_db(&mut self, trim_db: f32) {
        if !trim_db.is_nan() {
            self.trim_lin
                .set_target(db_to_lin(ParamId::TrimDb.spec().clamp(trim_db)));
        }
    }

    /// Inverts the polarity (fades through zero over 10 ms).
    pub fn set_polarity_inverted(&mut self, inverted: bool) {
        self.polarity.set_target(if inverted { -1.0 } else { 1.0 });
    }

    /// Runs the compressor before the EQ (`true`) or after it.
    pub fn set_compressor_first(&mut self, compressor_first: bool) {
        let current = self.pending_order.unwrap_or(self.compressor_first);
        if compressor_first != current {
            self.pending_order = Some(compressor_first);
            self.duck.set_target(0.0);
        }
    }

    /// Sets the stereo width (0..2; stereo sources only). NaN is ignored.
    pub fn set_width(&mut self, width: f32) {
        if !width.is_nan() {
            self.width.set_target(ParamId::Width.spec().clamp(width));
        }
    }

    /// Sets the pan (mono sources) or balance (stereo sources), −1..1. NaN is ignored.
    pub fn set_pan(&mut self, pan: f32) {
        if !pan.is_nan() {
            self.pan.set_target(ParamId::Pan.spec().clamp(pan));
        }
    }

    /// Sets the fader, dB (at or below `SILENCE_DB` it is silence; at most +12). NaN is
    /// ignored.
    pub fn set_gain_db(&mut self, gain_db: f32) {
        self.fader.set_gain_db(gain_db);
    }

    /// Sets whether the strip is heard (false while muted or silenced by another's solo).
    pub fn set_audible(&mut self, audible: bool) {
        self.fader.set_audible(audible);
    }

    /// Sets the level of send `send`, dB (`SILENCE_DB` is off).
    pub fn set_send_db(&mut self, send: usize, level_db: f32) {
        if level_db.is_nan() {
            return;
        }
        if let Some(s) = self.sends.get_mut(send) {
            s.gain_lin
                .set_target(db_to_lin(ParamId::send_db(send).spec().clamp(level_db)));
        }
    }

    /// Takes send `send` before the fader (`true`) or after it.
    pub fn set_send_pre_fader(&mut self, send: usize, pre_fader: bool) {
        if let Some(s) = self.sends.get_mut(send) {
            s.pre_fader = pre_fader;
        }
    }

    /// Whether send `send` can carry signal (its level is above silence or still moving).
    pub fn send_active(&self, send: usize) -> bool {
        self.sends
            .get(send)
            .is_some_and(|s| s.gain_lin.target() > 0.0 || s.gain_lin.value() > 0.0)
    }

    /// Declares the input mono (read from the left channel) or stereo.
    pub fn set_mono_input(&mut self, mono_input: bool) {
        self.mono_input = mono_input;
    }

    /// Latency of the strip, frames (the compressor's look-ahead).
    pub fn latency_frames(&self) -> usize {
        self.compressor.latency_frames()
    }

    /// Gain reduction and clip of the last processed block (peak and RMS are the engine's:
    /// it measures the output).
    pub fn figures(&self) -> StripFigures {
        StripFigures {
            gain_reduction_db: [
                self.compressor.gain_reduction_db(),
                self.gate.gain_reduction_db(),
            ],
            clip: self.clip,
            ..StripFigures::default()
        }
    }

    /// Runs the strip over `io` in place: afterwards `io` holds the post-fader output and the
    /// strip keeps the pre-fader signal for [`Self::render_send`]. Points of strip index
    /// `strip` that `taps` listens to are captured.
    pub fn run(&mut self, io: &mut StereoBlock<'_>, taps: &mut Taps, strip: usize) {
        let n = io.frames();
        self.input_stage(io);
        let watched = taps.watches(strip);
        let mut done = 0;
        while done < n {
            let mut len = n - done;
            if self.pending_order.is_some() {
                len = len.min((self.duck.remaining_frames() as usize).max(1));
            }
            let range = done..done + len;
            let mut part = StereoBlock::new(&mut io.left[range.clone()], &mut io.right[range]);
            self.inserts(&mut part, taps, strip, done, watched);
            done += len;
            if self.duck.is_settled() && self.duck.value() == 0.0 {
                if let Some(order) = self.pending_order.take() {
                    self.compressor_first = order;
                    self.duck.set_target(1.0);
                }
            }
        }
        self.output_stage(io);
        if watched {
            taps.capture(strip, TapPoint::Output, 0, io.left, io.right);
        }
    }

    /// Writes send `send`'s signal for the last block into `out` and returns true, or returns
    /// false (writing nothing) when the send is silent.
    pub fn render_send(
        &mut self,
        send: usize,
        post: &StereoBlock<'_>,
        out: &mut StereoBlock<'_>,
    ) -> bool {
        let Some(s) = self.sends.get_mut(send) else {
            return false;
        };
        if s.gain_lin.is_settled() && s.gain_lin.value() == 0.0 {
            return false;
        }
        let n = out.frames();
        let (src_l, src_r): (&[f32], &[f32]) = if s.pre_fader {
            (&self.pre[0][..n], &self.pre[1][..n])
        } else {
            (&post.left[..n], &post.right[..n])
        };
        if s.gain_lin.is_settled() {
            let g = s.gain_lin.value();
            for i in 0..n {
                out.left[i] = src_l[i] * g;
                out.right[i] = src_r[i] * g;
            }
        } else {
            for i in 0..n {
                let g = s.gain_lin.next_value();
                out.left[i] = src_l[i] * g;
                out.right[i] = src_r[i] * g;
            }
        }
        true
    }

    /// Trim and polarity (a mono source lives in the left channel until the output stage).
    fn input_stage(&mut self, io: &mut StereoBlock<'_>) {
        let right_len = if self.mono_input { 0 } else { io.right.len() };
        let right = &mut io.right[..right_len];
        // Non-finite samples read as silence from here on.
        zero_non_finite(io.left);
        zero_non_finite(right);
        if self.trim_lin.is_settled() && self.polarity.is_settled() {
            let g = self.trim_lin.value() * self.polarity.value();
            if g != 1.0 {
                for x in io.left.iter_mut().chain(right.iter_mut()) {
                    *x *= g;
                }
            }
        } else {
            for (i, l) in io.left.iter_mut().enumerate() {
                let g = self.trim_lin.next_value() * self.polarity.next_value();
                *l *= g;
                if let Some(r) = right.get_mut(i) {
                    *r *= g;
                }
            }
        }
    }

    /// Filters, gate, EQ and compressor over one stretch starting at frame `offset` of the
    /// block (the stretch never crosses an insert-order switch).
    fn inserts(
        &mut self,
        io: &mut StereoBlock<'_>,
        taps: &mut Taps,
        strip: usize,
        offset: usize,
        watched: bool,
    ) {
        // A mono source runs the filters and the EQ on the left channel only; the gate and the
        // compressor are stereo-linked, so the right channel is brought level before them.
        let mono = self.mono_input;
        let channels = if mono { 1 } else { 2 };
        self.high_pass.process(io.left, io.right, channels);
        self.low_pass.process(io.left, io.right, channels);
        if mono {
            io.right.copy_from_slice(io.left);
        }
        self.gate.process(io);
        if self.compressor_first {
            self.compressor.process(io);
        }
        if watched {
            taps.capture(strip, TapPoint::PreEq, offset, io.left, io.right);
        }
        self.eq.process(io.left, io.right, channels);
        if watched {
            let right: &[f32] = if mono { io.left } else { io.right };
            taps.capture(strip, TapPoint::PostEq, offset, io.left, right);
        }
        if !self.compressor_first {
            if mono {
                io.right.copy_from_slice(io.left);
            }
            self.compressor.process(io);
        }
        if !(self.duck.is_settled() && self.duck.value() == 1.0) {
            for (l, r) in io.left.iter_mut().zip(io.right.iter_mut()) {
                let g = self.duck.next_value();
                *l *= g;
                *r *= g;
            }
        }
    }

    /// Keeps the pre-fader signal, then applies width, pan, fader and mute/solo; notes a clip
    /// (a sample at or above full scale) after the inserts or at the output.
    fn output_stage(&mut self, io: &mut StereoBlock<'_>) {
        let n = io.frames();
        let mono = self.mono_input;
        let right_in: &[f32] = if mono { io.left } else { io.right };
        let inserts_peak = peak_abs(io.left).max(peak_abs(right_in));
        let [pre_l, pre_r] = &mut self.pre;
        let (pre_l, pre_r) = (&mut pre_l[..n], &mut pre_r[..n]);
        let unity_width = self.width.is_settled() && self.width.value() == 1.0;
        let widening = !(self.mono_input || unity_width);
        let settled = self.fader.audible.is_settled()
            && self.fader.level.is_settled()
            && self.pan.is_settled()
            && !widening;
        if settled {
            let a = self.fader.audible.value();
            let [pan_l, pan_r] = pan_gains(self.mono_input, self.pan.value());
            let g = self.fader.level.value() * a;
            let (gain_l, gain_r) = (g * pan_l, g * pan_r);
            for i in 0..n {
                let l = io.left[i];
                let r = if mono { l } else { io.right[i] };
                pre_l[i] = l * a;
                pre_r[i] = r * a;
                io.left[i] = l * gain_l;
                io.right[i] = r * gain_r;
            }
            self.clip = inserts_peak >= 1.0 || output_peak(io) >= 1.0;
            return;
        }
        let mut pan_lr = pan_gains(self.mono_input, self.pan.value());
        for i in 0..n {
            let a = self.fader.audible.next_value();
            let g = self.fader.level.next_value() * a;
            let w = self.width.next_value();
            if !self.pan.is_settled() {
                let p = self.pan.next_value();
                pan_lr = pan_gains(self.mono_input, p);
            }
            let l = io.left[i];
            let r = if mono { l } else { io.right[i] };
            pre_l[i] = l * a;
            pre_r[i] = r * a;
            let (x_l, x_r) = if widening { widen(l, r, w) } else { (l, r) };
            io.left[i] = x_l * g * pan_lr[0];
            io.right[i] = x_r * g * pan_lr[1];
        }
        self.clip = inserts_peak >= 1.0 || output_peak(io) >= 1.0;
    }
}

/// Largest magnitude of a stereo block.
fn output_peak(io: &StereoBlock<'_>) -> f32 {
    peak_abs(io.left).max(peak_abs(io.right))
}

/// Pan law gains: constant power for mono sources, balance for stereo ones.
fn pan_gains(mono_input: bool, pan: f32) -> [f32; 2] {
    if mono_input {
        mono_pan_gains(pan)
    } else {
        balance_gains(pan)
    }
}

impl Processor for ChannelStrip {
    fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        let ramp = |param: ParamId| param.spec().smoothing_ms;
        self.trim_lin
            .set_ramp(sample_rate_hz, ramp(ParamId::TrimDb));
        self.polarity
            .set_ramp(sample_rate_hz, ramp(ParamId::Polarity));
        self.duck.set_ramp(sample_rate_hz, DUCK_MS);
        self.width.set_ramp(sample_rate_hz, ramp(ParamId::Width));
        self.pan.set_ramp(sample_rate_hz, ramp(ParamId::Pan));
        self.fader.prepare(sample_rate_hz);
        for (s, send) in self.sends.iter_mut().enumerate() {
            send.gain_lin
                .set_ramp(sample_rate_hz, ramp(ParamId::send_db(s)));
        }
        self.high_pass.prepare(sample_rate_hz, max_frames);
        self.low_pass.prepare(sample_rate_hz, max_frames);
        self.gate.prepare(sample_rate_hz, max_frames);
        self.eq.prepare(sample_rate_hz, max_frames);
        self.compressor.prepare(sample_rate_hz, max_frames);
        self.pre = [vec![0.0; max_frames], vec![0.0; max_frames]];
    }

    fn reset(&mut self) {
        for s in [
            &mut self.trim_lin,
            &mut self.polarity,
            &mut self.width,
            &mut self.pan,
        ] {
            s.snap();
        }
        self.fader.snap();
        if let Some(order) = self.pending_order.take() {
            self.compressor_first = order;
        }
        self.duck = {
            let mut duck = self.duck;
            duck.set_target(1.0);
            duck.snap();
            duck
        };
        for send in &mut self.sends {
            send.gain_lin.snap();
        }
        self.high_pass.reset();
        self.low_pass.reset();
        self.gate.reset();
        self.eq.reset();
        self.compressor.reset();
        self.clip = false;
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        let mut taps = Taps::default();
        self.run(io, &mut taps, usize::MAX);
    }
}
