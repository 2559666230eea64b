//! The master strip: ear training's hidden change → EQ → glue compressor → output fader →
//! true-peak limiter, and the master's
//! meters: peak/RMS, loudness (ITU-R BS.1770-4 / EBU R128), true peak and stereo correlation.
//!
//! The limiter comes last so its ceiling holds whatever the fader does. Latency is the
//! compressor's look-ahead plus the limiter's.

use mixroom_protocol::layout::meter_block::{MasterFigures, StripFigures};
use mixroom_protocol::layout::spectrum_block::TapPoint;
use mixroom_protocol::strips::StripIndex;

use crate::denormal::zero_non_finite;
use crate::fader::Fader;
use crate::taps::Taps;
use crate::{
    Compressor, Equalizer, HiddenChange, LoudnessMeter, Processor, StereoBlock, TruePeakLimiter,
    TruePeakMeter,
};

/// The master's processors and meters.
#[derive(Clone, Debug)]
pub struct MasterStrip {
    hidden: HiddenChange,
    eq: Equalizer,
    compressor: Compressor,
    fader: Fader,
    limiter: TruePeakLimiter,
    loudness: LoudnessMeter,
    true_peak: TruePeakMeter,
    figures: MasterFigures,
    clip: bool,
}

impl Default for MasterStrip {
    fn default() -> Self {
        MasterStrip::new()
    }
}

impl MasterStrip {
    /// A master at unity with a flat EQ, the compressor bypassed and the limiter at −1 dBTP.
    pub fn new() -> MasterStrip {
        let mut master = MasterStrip {
            hidden: HiddenChange::new(),
            eq: Equalizer::new(),
            compressor: Compressor::new(),
            fader: Fader::new(),
            limiter: TruePeakLimiter::new(),
            loudness: LoudnessMeter::new(),
            true_peak: TruePeakMeter::new(),
            figures: MasterFigures::default(),
            clip: false,
        };
        master.compressor.set_bypassed(true);
        master
    }

    /// Ear training's hidden change, on the master's input.
    pub fn hidden_mut(&mut self) -> &mut HiddenChange {
        &mut self.hidden
    }

    /// The EQ.
    pub fn eq_mut(&mut self) -> &mut Equalizer {
        &mut self.eq
    }

    /// The glue compressor.
    pub fn compressor_mut(&mut self) -> &mut Compressor {
        &mut self.compressor
    }

    /// The limiter.
    pub fn limiter_mut(&mut self) -> &mut TruePeakLimiter {
        &mut self.limiter
    }

    /// Sets the output fader, dB (at or below `SILENCE_DB` it is silence; at most +12). NaN is
    /// ignored.
    pub fn set_gain_db(&mut self, gain_db: f32) {
        self.fader.set_gain_db(gain_db);
    }

    /// Mutes (`false`) or unmutes the output.
    pub fn set_audible(&mut self, audible: bool) {
        self.fader.set_audible(audible);
    }

    /// Latency of the master chain, frames.
    pub fn latency_frames(&self) -> usize {
        self.compressor.latency_frames() + self.limiter.latency_frames()
    }

    /// Starts a new loudness measurement (integrated loudness, range and maxima).
    pub fn reset_loudness(&mut self) {
        self.loudness.reset();
    }

    /// Gain reduction and clip of the last block (peak and RMS are measured by the engine).
    pub fn figures(&self) -> StripFigures {
        StripFigures {
            gain_reduction_db: [self.compressor.gain_reduction_db(), 0.0],
            clip: self.clip,
            ..StripFigures::default()
        }
    }

    /// Loudness, true peak and correlation after the last block.
    pub fn master_figures(&self) -> MasterFigures {
        self.figures
    }

    /// Runs the master over the mix in `io`, in place.
    pub fn run(&mut self, io: &mut StereoBlock<'_>, taps: &mut Taps) {
        // Non-finite samples read as silence.
        zero_non_finite(io.left);
        zero_non_finite(io.right);
        // First: every view and meter shows the mix the student hears.
        self.hidden.process(io);
        let strip = StripIndex::MASTER.index();
        let watched = taps.watches(strip);
        if watched {
            taps.capture(strip, TapPoint::PreEq, 0, io.left, io.right);
        }
        self.eq.process(io.left, io.right, 2);
        if watched {
            taps.capture(strip, TapPoint::PostEq, 0, io.left, io.right);
        }
        self.compressor.process(io);
        if self.fader.level.is_settled() && self.fader.audible.is_settled() {
            let g = self.fader.level.value() * self.fader.audible.value();
            if g != 1.0 {
                for x in io.left.iter_mut().chain(io.right.iter_mut()) {
                    *x *= g;
                }
            }
        } else {
            for (l, r) in io.left.iter_mut().zip(io.right.iter_mut()) {
                let g = self.fader.level.next_value() * self.fader.audible.next_value();
                *l *= g;
                *r *= g;
            }
        }
        self.limiter.process(io);
        if watched {
            taps.capture(strip, TapPoint::Output, 0, io.left, io.right);
        }
        self.measure(io);
    }

    fn measure(&mut self, io: &StereoBlock<'_>) {
        self.loudness.process(io.left, io.right);
        let true_peak = self.true_peak.process(io.left, io.right);
        let (mut lr, mut ll, mut rr) = (0.0, 0.0, 0.0);
        for (l, r) in io.left.iter().zip(io.right.iter()) {
            lr += l * r;
            ll += l * l;
            rr += r * r;
        }
        self.clip = io
            .left
            .iter()
            .chain(io.right.iter())
            .any(|x| x.abs() >= 1.0);
        self.figures = MasterFigures {
            momentary_lufs: self.loudness.momentary_lufs(),
            short_term_lufs: self.loudness.short_term_lufs(),
            integrated_lufs: self.loudness.integrated_lufs(),
            loudness_range_lu: self.loudness.loudness_range_lu(),
            max_momentary_lufs: self.loudness.max_momentary_lufs(),
            max_short_term_lufs: self.loudness.max_short_term_lufs(),
            true_peak,
            sum_lr: lr,
            sum_ll: ll,
            sum_rr: rr,
            limiter_gain_reduction_db: self.limiter.gain_reduction_db(),
            latency_frames: 0.0,
        };
    }
}

impl Processor for MasterStrip {
    fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        self.fader.prepare(sample_rate_hz);
        self.hidden.prepare(sample_rate_hz, max_frames);
        self.eq.prepare(sample_rate_hz, max_frames);
        self.compressor.prepare(sample_rate_hz, max_frames);
        self.limiter.prepare(sample_rate_hz, max_frames);
        self.loudness.prepare(sample_rate_hz);
        self.true_peak.prepare(sample_rate_hz);
    }

    fn reset(&mut self) {
        self.fader.snap();
        self.hidden.reset();
        self.eq.reset();
        self.compressor.reset();
        self.limiter.reset();
        self.true_peak.reset();
        self.clip = false;
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        self.run(io, &mut Taps::default());
    }
}
