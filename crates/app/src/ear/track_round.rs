//! A track exercise's round in the page (gain, pan, compression, space): the track it picks
//! among those heard, the change the engine plays on it, and the gains that keep loudness
//! from giving it away, measured on the engine's renders: a compression's make-up on the track
//! soloed, then the whole mix's match.

use mixroom_dsp::HiddenTrackChange;
use mixroom_ear::challenge::Challenge;
use mixroom_ear::progress::Exercise;
use mixroom_ear::track::TrackRound;
use mixroom_ear::Seed;
use mixroom_protocol::params::{ParamId, TrackChange};
use mixroom_protocol::strips::StripIndex;
use mixroom_protocol::units::SILENCE_DB;

use super::{loudness_lufs, prepare, render, HiddenParam, Measured};
use crate::state::Mixer;

/// Where light and heavy compression put their threshold, against the track's RMS level, dB.
const LIGHT_THRESHOLD_DB: f32 = 0.0;
const HEAVY_THRESHOLD_DB: f32 = -15.0;

/// A track round as it plays.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackHidden {
    /// The round.
    pub round: TrackRound,
    /// The tracks offered (the round's `track` is a position in it): strip and name.
    pub tracks: Vec<(StripIndex, String)>,
    /// The change the engine plays on the round's track.
    pub change: HiddenTrackChange,
    /// The whole mix's loudness match, dB.
    pub match_db: f32,
}

impl TrackHidden {
    /// Picks a round as `pick` says on the mix whose flat render is `flat`, and measures it.
    /// The error is a sentence for the student.
    pub async fn start(
        mixer: Mixer,
        pick: Pick<'_>,
        flat: &Measured,
    ) -> Result<TrackHidden, String> {
        let audio = prepare(mixer).await?;
        let snapshot = mixer.snapshot();
        let heard = heard(mixer);
        if heard.is_empty() {
            return Err("Could not start the round: no track is heard in this mix.".to_owned());
        }
        let round = match pick {
            Pick::Draw {
                seed,
                exercise,
                level,
            } => TrackRound::draw(seed, exercise, level, heard.len()),
            Pick::Fixed(c) => c
                .track
                .and_then(|t| heard.iter().position(|(i, _, _)| *i == t))
                .zip(c.value)
                .and_then(|(track, value)| TrackRound::fixed(c.exercise, c.level, track, value)),
        }
        .ok_or(
            "Could not start the round: the track it changes is not heard in this mix (muted, \
             or another is soloed).",
        )?;
        let (index, strip, _) = heard[round.track].clone();
        let (kind, mut amount) = round.change();
        let compressed = matches!(
            kind,
            TrackChange::LightCompression | TrackChange::HeavyCompression
        );
        if compressed {
            let source_db = audio
                .tracks
                .iter()
                .find(|(j, _)| *j == index)
                .map_or(-20.0, |(_, a)| rms_db(&a.channels));
            let trim = snapshot.session.tracks[index].strip.value(ParamId::TrimDb);
            let offset = if kind == TrackChange::HeavyCompression {
                HEAVY_THRESHOLD_DB
            } else {
                LIGHT_THRESHOLD_DB
            };
            amount = source_db + trim + offset;
        }
        let mut change = HiddenTrackChange {
            change: kind,
            amount,
            makeup_db: 0.0,
        };
        if compressed {
            // The track alone, compressed and not: the make-up keeps its loudness.
            let solo = (ParamId::Solo, strip, 1.0);
            let alone = render(&audio, &[solo]).await?;
            let squeezed = render(&audio, &with(&[solo], strip, &change, 0.0, true)).await?;
            change.makeup_db = difference(&alone, &squeezed);
        }
        let changed = render(&audio, &with(&[], strip, &change, 0.0, true)).await?;
        Ok(TrackHidden {
            round,
            tracks: heard.into_iter().map(|(_, s, n)| (s, n)).collect(),
            change,
            match_db: difference(flat, &changed),
        })
    }

    /// The round's track.
    pub fn strip(&self) -> StripIndex {
        self.tracks[self.round.track].0
    }

    /// The hidden parameters that play it, the changed version when `changed`.
    pub fn params(&self, changed: bool) -> Vec<HiddenParam> {
        with(&[], self.strip(), &self.change, self.match_db, changed)
    }
}

/// How a track round is chosen.
pub enum Pick<'a> {
    /// Drawn from `seed`, for `exercise` at `level`.
    Draw {
        /// The seed.
        seed: &'a mut Seed,
        /// The exercise.
        exercise: Exercise,
        /// Its level.
        level: u8,
    },
    /// A challenge's.
    Fixed(&'a Challenge),
}

/// The tracks heard, in the mix's order: not muted, soloed when any is, fader above silence,
/// with audio in the engine; each with its index in the mix, its strip and its name.
pub fn heard(mixer: Mixer) -> Vec<(usize, StripIndex, String)> {
    let snapshot = mixer.snapshot();
    let soloing = snapshot
        .session
        .tracks
        .iter()
        .any(|t| t.strip.value(ParamId::Solo) >= 0.5);
    snapshot
        .session
        .tracks
        .iter()
        .zip(&snapshot.strips)
        .enumerate()
        .filter(|(_, (t, strip))| {
            t.strip.value(ParamId::Mute) < 0.5
                && (!soloing || t.strip.value(ParamId::Solo) >= 0.5)
                && t.strip.value(ParamId::GainDb) > SILENCE_DB
                && mixer
                    .with_bridge(|b| b.track_info(strip.position()).is_some())
                    .unwrap_or(false)
        })
        .map(|(i, (t, strip))| (i, *strip, t.name.clone()))
        .collect()
}

/// `base`, and `change` hidden on `strip`, the changed version (at `match_db`) playing when
/// `changed`.
fn with(
    base: &[HiddenParam],
    strip: StripIndex,
    change: &HiddenTrackChange,
    match_db: f32,
    changed: bool,
) -> Vec<HiddenParam> {
    let mut params = base.to_vec();
    params.extend([
        (ParamId::EarTrackChange, strip, change.change.value()),
        (ParamId::EarTrackValue, strip, change.amount),
        (ParamId::EarTrackMakeupDb, strip, change.makeup_db),
        (ParamId::EarEqGainDb, StripIndex::MASTER, 0.0),
        (ParamId::EarMatchDb, StripIndex::MASTER, match_db),
        (
            ParamId::EarOn,
            StripIndex::MASTER,
            if changed { 1.0 } else { 0.0 },
        ),
    ]);
    params
}

/// How much louder `a` is than `b`, LU (0 when either is silent).
fn difference(a: &Measured, b: &Measured) -> f32 {
    let d = loudness_lufs(a) - loudness_lufs(b);
    if d.is_finite() {
        d.clamp(-24.0, 24.0)
    } else {
        0.0
    }
}

/// The RMS level of a track's channels, dBFS (−100 when silent).
fn rms_db(channels: &[js_sys::Float32Array]) -> f32 {
    let (mut sum, mut n) = (0.0_f64, 0_usize);
    for c in channels {
        for v in c.to_vec() {
            sum += f64::from(v) * f64::from(v);
            n += 1;
        }
    }
    if sum > 0.0 {
        (10.0 * (sum / n.max(1) as f64).log10()) as f32
    } else {
        SILENCE_DB
    }
}
