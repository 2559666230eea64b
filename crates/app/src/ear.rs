//! Ear training in the page: the round being played, the difficulty, the score, and the hidden
//! change written into the engine.
//!
//! A round hides a change in the live engine (five hidden master parameters, see
//! `mixroom_dsp::HiddenChange`); the student switches between the changed version and the flat
//! original at the same playhead, then answers. The changed version plays at the original's
//! loudness: the mix is rendered offline once (while it stays unchanged) and the change's
//! loudness measured on it ([`mixroom_dsp::loudness_match_db`]). What a round hides and how an
//! answer scores is `mixroom_ear`'s.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_dsp::loudness_match_db;
use mixroom_ear::eq::{EqRound, EqVerdict};
use mixroom_ear::ladder::Ladder;
use mixroom_ear::progress::{Exercise, Progress, RoundResult};
use mixroom_ear::score::{Direction, FULL_POINTS};
use mixroom_ear::Seed;
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

use crate::audio::describe;
use crate::audio::offline::render_offline_with_progress;
use crate::state::Mixer;

mod kept;
#[cfg(feature = "e2e")]
pub mod test_hooks;

/// How much of the mix the loudness match is measured on, from its start, s.
const MATCH_WINDOW_S: f32 = 20.0;

/// A change the round hides, with the gain that matches its loudness to the original's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hidden {
    /// The hidden peak or dip.
    pub round: EqRound,
    /// The changed version's gain, dB.
    pub match_db: f32,
}

impl Hidden {
    /// The hidden master parameters that play it, the changed version when `changed`.
    pub fn params(&self, changed: bool) -> [(ParamId, f32); 5] {
        [
            (ParamId::EarEqHz, self.round.centre_hz),
            (ParamId::EarEqGainDb, self.round.gain_db),
            (ParamId::EarEqQ, self.round.resolution.q()),
            (ParamId::EarMatchDb, self.match_db),
            (ParamId::EarOn, if changed { 1.0 } else { 0.0 }),
        ]
    }
}

/// Where the exercise is.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// No round: the engine plays the mix untouched.
    Idle,
    /// Measuring the mix for the loudness match.
    Preparing,
    /// A round is hidden and waits for the answer.
    Asking(Hidden),
    /// The round was answered: what it hid and the verdict.
    Answered(Hidden, EqVerdict),
    /// The round could not start; the sentence says why.
    Failed(String),
}

impl Stage {
    /// The hidden change of the round, if one is playing.
    pub fn hidden(&self) -> Option<Hidden> {
        match self {
            Stage::Asking(hidden) | Stage::Answered(hidden, _) => Some(*hidden),
            _ => None,
        }
    }
}

/// The points and rounds of this sitting.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    /// Points scored.
    pub points: f32,
    /// Rounds answered.
    pub rounds: u32,
    /// Rounds answered right.
    pub right: u32,
}

impl Tally {
    /// The points that were possible.
    pub fn possible(&self) -> f32 {
        self.rounds as f32 * FULL_POINTS
    }
}

/// The page's ear training (a context).
#[derive(Clone, Copy)]
pub struct EarTraining {
    mixer: Mixer,
    /// Where the exercise is.
    pub stage: RwSignal<Stage>,
    /// Whether the changed version plays (else the flat original).
    pub changed: RwSignal<bool>,
    /// The difficulty.
    pub ladder: RwSignal<Ladder>,
    /// This sitting's score.
    pub tally: RwSignal<Tally>,
    /// Every result kept in this browser.
    pub progress: RwSignal<Progress>,
    /// Why results are not kept, when they are not.
    pub kept_problem: RwSignal<Option<String>>,
    seed: StoredValue<Seed>,
    /// The mix the loudness match was last measured on (its session JSON) and its render.
    measured: StoredValue<Option<(String, Rc<Measured>)>, LocalStorage>,
}

/// A render of the mix, for the loudness match.
struct Measured {
    left: Vec<f32>,
    right: Vec<f32>,
    rate_hz: f32,
}

impl EarTraining {
    /// Ear training on `mixer`'s engine, nothing hidden; rounds drawn from a random seed.
    pub fn new(mixer: Mixer) -> EarTraining {
        let (progress, problem) = kept::load();
        EarTraining {
            mixer,
            stage: RwSignal::new(Stage::Idle),
            changed: RwSignal::new(false),
            ladder: RwSignal::new(Ladder::default()),
            tally: RwSignal::new(Tally::default()),
            progress: RwSignal::new(progress),
            kept_problem: RwSignal::new(problem),
            seed: StoredValue::new(Seed::new((js_sys::Math::random() * 2f64.powi(53)) as u64)),
            measured: StoredValue::new_local(None),
        }
    }

    /// Draws the next rounds from `seed` (the same seed plays the same rounds).
    #[cfg(feature = "e2e")]
    pub fn reseed(&self, seed: u64) {
        self.seed.set_value(Seed::new(seed));
    }

    /// The mix it trains on.
    pub fn mixer(&self) -> Mixer {
        self.mixer
    }

    /// Whether a round hides a change now (the spectra are hidden meanwhile); tracked.
    pub fn in_round(&self) -> bool {
        self.stage.with(|s| s.hidden().is_some())
    }

    /// The same, untracked (for event handlers).
    pub fn in_round_untracked(&self) -> bool {
        self.stage.with_untracked(|s| s.hidden().is_some())
    }

    /// Starts an EQ frequency round at the ladder's level: measures the mix for the loudness
    /// match if it changed since, then plays the changed version.
    pub async fn start_eq(self) {
        if self.stage.with_untracked(|s| *s == Stage::Preparing) {
            return;
        }
        self.stage.set(Stage::Preparing);
        let measured = match self.measure().await {
            Ok(measured) => measured,
            Err(why) => {
                self.write(None);
                self.stage.set(Stage::Failed(why));
                return;
            }
        };
        let level = self.ladder.get_untracked().level();
        let Some(round) = self
            .seed
            .try_update_value(|seed| EqRound::draw(seed, level))
        else {
            return;
        };
        let match_db = loudness_match_db(
            &measured.left,
            &measured.right,
            measured.rate_hz,
            round.centre_hz,
            round.gain_db,
            round.resolution.q(),
        );
        let hidden = Hidden { round, match_db };
        self.changed.set(true);
        self.write(Some(hidden));
        self.stage.set(Stage::Asking(hidden));
    }

    /// Plays the changed version (`true`) or the flat original.
    pub fn hear(&self, changed: bool) {
        self.changed.set(changed);
        let hidden = self.stage.with_untracked(Stage::hidden);
        if hidden.is_some() {
            self.write(hidden);
        }
    }

    /// Judges the answer: the band at `hz`, moved `direction`. The change stays hidden in the
    /// engine, to be heard again, until the next round or the end.
    pub fn answer(&self, hz: f32, direction: Direction) {
        let Stage::Asking(hidden) = self.stage.get_untracked() else {
            return;
        };
        let verdict = hidden.round.judge(hz, direction);
        self.tally.update(|t| {
            t.points += verdict.points;
            t.rounds += 1;
            t.right += u32::from(verdict.right);
        });
        let level = self.ladder.get_untracked().level();
        self.ladder.update(|l| *l = l.after(verdict.right));
        self.progress.update(|p| {
            p.add(RoundResult {
                exercise: Exercise::EqFrequency,
                at_ms: js_sys::Date::now(),
                level,
                points: verdict.points,
                bands_hz: Some((hidden.round.centre_hz, hz)),
            });
        });
        self.keep();
        self.stage.set(Stage::Answered(hidden, verdict));
    }

    /// Forgets every result kept (the student was asked first).
    pub fn reset_progress(&self) {
        self.progress.set(Progress::default());
        self.keep();
    }

    /// Keeps the progress, or says why it is not kept.
    fn keep(&self) {
        let problem =
            self.progress.with_untracked(kept::save).err().map(|why| {
                format!("Your ear-training results are not kept in this browser: {why}.")
            });
        self.kept_problem.set(problem);
    }

    /// Ends the exercise: the engine plays the mix untouched again.
    pub fn end(&self) {
        self.write(None);
        self.changed.set(false);
        self.stage.set(Stage::Idle);
    }

    /// Writes `hidden` into the engine (as [`Self::changed`] says), or nothing hidden.
    fn write(&self, hidden: Option<Hidden>) {
        let params = match hidden {
            Some(hidden) => hidden.params(self.changed.get_untracked()).to_vec(),
            None => vec![
                (ParamId::EarOn, 0.0),
                (ParamId::EarEqGainDb, 0.0),
                (ParamId::EarMatchDb, 0.0),
            ],
        };
        self.mixer.with_bridge(|b| {
            for (param, value) in params {
                b.set_param(param.slot(StripIndex::MASTER), value);
            }
        });
    }

    /// The mix rendered (from its start, at most [`MATCH_WINDOW_S`]), again only when it
    /// changed since the last time. The error is a sentence for the student.
    async fn measure(&self) -> Result<Rc<Measured>, String> {
        let json = self.mixer.snapshot().session.to_json();
        if let Some((_, measured)) = self
            .measured
            .with_value(|m| m.clone().filter(|(of, _)| *of == json))
        {
            return Ok(measured);
        }
        const VERB: &str = "start the round";
        let audio = self.mixer.mix_audio(VERB, &|_, _| {}, None).await?;
        let frames = audio
            .frames
            .min((MATCH_WINDOW_S * audio.sample_rate_hz) as u32);
        let render = render_offline_with_progress(
            &audio.session,
            &audio.tracks,
            frames,
            audio.sample_rate_hz,
            &[],
            [-1; TAPS],
            None,
        )
        .await
        .map_err(|e| {
            format!(
                "Could not {VERB}: the mix could not be rendered ({}).",
                describe(&e)
            )
        })?;
        let measured = Rc::new(Measured {
            left: render.channels[0].to_vec(),
            right: render.channels[1].to_vec(),
            rate_hz: audio.sample_rate_hz,
        });
        self.measured.set_value(Some((json, Rc::clone(&measured))));
        Ok(measured)
    }
}
