//! The effect of an aux return: none (the sends pass dry), the reverb or the delay.
//!
//! Switching the effect fades the return out over 10 ms, switches on the exact frame the fade
//! ends (clearing the new effect) and fades back in. Tempo-synced delay times are converted
//! here: beats · 60 000 / BPM ms.

use mixroom_protocol::params::DELAY_SYNC_BEATS;

use crate::crossfade::CROSSFADE_MS;
use crate::{Delay, LinearSmoother, Processor, Reverb, ReverbKind, StereoBlock};

/// Which effect a return runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectKind {
    /// No effect: the return passes the sum of its sends.
    None,
    /// The algorithmic reverb.
    Reverb,
    /// The feedback delay.
    Delay,
}

/// A return's effect slot.
#[derive(Clone, Debug)]
pub struct ReturnEffect {
    kind: EffectKind,
    pending: Option<EffectKind>,
    level: LinearSmoother,
    reverb: Reverb,
    delay: Delay,
}

impl Default for ReturnEffect {
    fn default() -> Self {
        ReturnEffect::new()
    }
}

impl ReturnEffect {
    /// A reverb at its defaults.
    pub fn new() -> ReturnEffect {
        ReturnEffect {
            kind: EffectKind::Reverb,
            pending: None,
            level: LinearSmoother::new(1.0),
            reverb: Reverb::new(),
            delay: Delay::new(),
        }
    }

    /// The reverb, to set it.
    pub fn reverb_mut(&mut self) -> &mut Reverb {
        &mut self.reverb
    }

    /// The delay, to set it (use [`Self::set_delay_time`] for its time).
    pub fn delay_mut(&mut self) -> &mut Delay {
        &mut self.delay
    }

    /// Switches the effect (fading out and in).
    pub fn set_kind(&mut self, kind: EffectKind) {
        if kind != self.pending.unwrap_or(self.kind) {
            self.pending = Some(kind);
            self.level.set_target(0.0);
        }
    }

    /// Sets the reverb's character.
    pub fn set_reverb_kind(&mut self, kind: ReverbKind) {
        self.reverb.set_kind(kind);
    }

    /// Sets the delay time: `time_ms` when `sync` is 0, else the `DELAY_SYNCS` entry `sync` at
    /// `tempo_bpm`.
    pub fn set_delay_time(&mut self, time_ms: f32, sync: usize, tempo_bpm: f32) {
        let beats = DELAY_SYNC_BEATS.get(sync).copied().unwrap_or(0.0);
        let ms = if beats > 0.0 {
            beats * 60_000.0 / tempo_bpm.max(1.0)
        } else {
            time_ms
        };
        self.delay.set_time_ms(ms);
    }

    /// Bypasses the effect (the sends pass dry).
    pub fn set_bypassed(&mut self, bypassed: bool) {
        self.reverb.set_bypassed(bypassed);
        self.delay.set_bypassed(bypassed);
    }

    /// Whether the effect holds no tail and nothing is moving (see `Reverb::is_idle`).
    pub fn is_idle(&self) -> bool {
        let settled = self.pending.is_none() && self.level.is_settled();
        settled
            && match self.kind {
                EffectKind::None => true,
                EffectKind::Reverb => self.reverb.is_idle(),
                EffectKind::Delay => self.delay.is_idle(),
            }
    }

    /// Runs the effect over the sum of the sends in `io`, in place.
    pub fn run(&mut self, io: &mut StereoBlock<'_>) {
        let n = io.frames();
        let mut done = 0;
        while done < n {
            let mut len = n - done;
            if self.pending.is_some() {
                len = len.min((self.level.remaining_frames() as usize).max(1));
            }
            let range = done..done + len;
            let mut part = StereoBlock::new(&mut io.left[range.clone()], &mut io.right[range]);
            match self.kind {
                EffectKind::None => {}
                EffectKind::Reverb => self.reverb.process(&mut part),
                EffectKind::Delay => self.delay.process(&mut part),
            }
            if !(self.level.is_settled() && self.level.value() == 1.0) {
                for (l, r) in part.left.iter_mut().zip(part.right.iter_mut()) {
                    let g = self.level.next_value();
                    *l *= g;
                    *r *= g;
                }
            }
            done += len;
            if self.level.is_settled() && self.level.value() == 0.0 {
                if let Some(kind) = self.pending.take() {
                    self.kind = kind;
                    self.reverb.reset();
                    self.delay.reset();
                    self.level.set_target(1.0);
                }
            }
        }
    }
}

impl Processor for ReturnEffect {
    fn prepare(&mut self, sample_rate_hz: f32, max_frames: usize) {
        self.level.set_ramp(sample_rate_hz, CROSSFADE_MS);
        self.reverb.prepare(sample_rate_hz, max_frames);
        self.delay.prepare(sample_rate_hz, max_frames);
    }

    fn reset(&mut self) {
        if let Some(kind) = self.pending.take() {
            self.kind = kind;
        }
        self.level.set_target(1.0);
        self.level.snap();
        self.reverb.reset();
        self.delay.reset();
    }

    fn process(&mut self, io: &mut StereoBlock<'_>) {
        self.run(io);
    }
}
