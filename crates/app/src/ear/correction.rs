//! EQ correction: the engine hides a peak or dip before the master's EQ, and the student undoes
//! it with that EQ. The result is measured by the engine: the mix rendered with the change in
//! and the student's EQ, its third-octave balance (loudness-normalized, as a lesson's tonal
//! balance goal measures it) against the original's; the score counts the worst band
//! ([`mixroom_ear::score::correction_points`]). When the round ends, the master's EQ is put back
//! as it was (one step of the history).

use leptos::prelude::*;
use mixroom_ear::score::correction_points;
use mixroom_lesson::bands::THIRD_OCTAVE_CENTRES_HZ;
use mixroom_lesson::curve::{self, worst_deviation, Levels};
use mixroom_lesson::spectrum::Spectrum;
use mixroom_protocol::params::{ParamId, PARAMS};
use mixroom_protocol::strips::{StripIndex, StripKind};

use super::{points, prepare, render, Hidden, Measured, Verdict};
use crate::state::Mixer;

/// A correction round.
#[derive(Clone, Debug, PartialEq)]
pub struct Correction {
    /// What it hides.
    pub hidden: Hidden,
    /// The master's EQ section as it was when the round started.
    pub master_eq: Vec<(ParamId, f32)>,
    /// The original's third-octave levels: what the correction aims at.
    pub target: Levels,
    /// How far the change put the mix off the original in its worst band, dB.
    pub start_db: f64,
}

impl Correction {
    /// A round hiding `hidden` in the mix whose original render is `original`: measures how far
    /// the change alone puts it off.
    pub async fn start(
        mixer: Mixer,
        hidden: Hidden,
        original: &Measured,
    ) -> Result<Correction, String> {
        let target = levels(original);
        let changed = render(&prepare(mixer).await?, &hidden.params(true)).await?;
        let (_, start_db) = worst_deviation(&levels(&changed), &target);
        Ok(Correction {
            hidden,
            master_eq: master_eq(mixer),
            target,
            start_db: start_db.abs(),
        })
    }

    /// Measures the mix as it is now, the change in.
    pub async fn judge(&self, mixer: Mixer) -> Result<Verdict, String> {
        let now = render(&prepare(mixer).await?, &self.hidden.params(true)).await?;
        let (band, off) = worst_deviation(&levels(&now), &self.target);
        let off = off.abs();
        let score = correction_points(off as f32, self.start_db as f32);
        let right = score == mixroom_ear::score::FULL_POINTS;
        let text = format!(
            "The hidden change was {}. With your EQ the mix is within {off:.1} dB of the \
             original in every band (furthest around {}); the change had put it {:.1} dB off. \
             {} points.",
            self.hidden.round.said(),
            mixroom_ear::bands::label(THIRD_OCTAVE_CENTRES_HZ[band] as f32),
            self.start_db,
            points(score)
        );
        Ok(Verdict {
            points: score,
            right,
            text,
        })
    }

    /// Plays the master's EQ as the student set it (`changed`), or as it was when the round
    /// started (the original), in the engine only.
    pub fn play_master_eq(&self, mixer: Mixer, changed: bool) {
        let model = mixer.master.get_value();
        mixer.with_bridge(|b| {
            for &(param, was) in &self.master_eq {
                let value = if changed {
                    model.value(param).get_untracked()
                } else {
                    was
                };
                b.set_param(param.slot(StripIndex::MASTER), value);
            }
        });
    }

    /// Puts the master's EQ back as it was when the round started (one step of the history).
    pub fn put_back(&self, mixer: Mixer) {
        let model = mixer.master.get_value();
        let moved: Vec<(ParamId, f32)> = self
            .master_eq
            .iter()
            .copied()
            .filter(|&(param, was)| model.value(param).get_untracked() != was)
            .collect();
        if moved.is_empty() {
            return;
        }
        mixer.begin_gesture();
        for (param, was) in moved {
            mixer.set(&model, param, was);
        }
        mixer.end_gesture();
    }
}

/// The master's EQ section (filters, bands, bypass) as the model holds it.
fn master_eq(mixer: Mixer) -> Vec<(ParamId, f32)> {
    let model = mixer.master.get_value();
    let section = ParamId::HpfMode as usize..=ParamId::EqBypass as usize;
    PARAMS
        .iter()
        .filter(|spec| section.contains(&(spec.id as usize)) && spec.applies_to(StripKind::Master))
        .map(|spec| (spec.id, model.value(spec.id).get_untracked()))
        .collect()
}

/// The third-octave levels of a render, loudness-normalized.
fn levels(render: &Measured) -> Levels {
    let mut spectrum = Spectrum::new(f64::from(render.rate_hz), false);
    spectrum.process(&render.left, &render.right);
    curve::measure(&spectrum.mean_power(), f64::from(render.rate_hz))
}
