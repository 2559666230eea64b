//! Ear training in the page: the round being played, the difficulty, the score, and the hidden
//! change written into the engine.
//!
//! A round hides a change in the live engine (five hidden master parameters, see
//! `mixroom_dsp::HiddenChange`); the student switches between the changed version and the flat
//! original at the same playhead, then answers (EQ frequency) or undoes the change with the
//! master's EQ (EQ correction, see [`correction`]). The changed version plays at the
//! original's loudness: the mix is rendered offline once (while it stays unchanged) and the
//! change's loudness measured on it ([`mixroom_dsp::loudness_match_db`]). What a round hides
//! and how an answer scores is `mixroom_ear`'s.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_dsp::loudness_match_db;
use mixroom_ear::bands::label;
use mixroom_ear::challenge::Challenge;
use mixroom_ear::eq::EqRound;
use mixroom_ear::ladder::Ladder;
use mixroom_ear::progress::{Exercise, Progress, RoundResult};
use mixroom_ear::score::{Direction, FULL_POINTS};
use mixroom_ear::track::TrackRound;
use mixroom_ear::Seed;
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::lesson::EarAnswer;
use mixroom_protocol::params::ParamId;
use mixroom_protocol::strips::StripIndex;

use crate::audio::describe;
use crate::audio::offline::render_offline_with_progress;
use crate::project::Project;
use crate::state::{MixAudio, Mixer};

pub mod correction;
mod kept;
#[cfg(feature = "e2e")]
pub mod test_hooks;
pub mod track_round;

use correction::Correction;
use track_round::{Pick, TrackHidden};

/// A hidden parameter of a strip and its value.
pub type HiddenParam = (ParamId, StripIndex, f32);

/// How long a challenge from a link waits for the mix's audio to load: tries, and ms apart.
const CHALLENGE_WAIT_TRIES: u32 = 120;
const CHALLENGE_WAIT_MS: i32 = 250;

/// How much of the mix the loudness match is measured on, from its start, s.
pub const MATCH_WINDOW_S: f32 = 20.0;

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
    pub fn params(&self, changed: bool) -> Vec<HiddenParam> {
        self.round
            .master_params(changed, self.match_db)
            .into_iter()
            .map(|(param, value)| (param, StripIndex::MASTER, value))
            .collect()
    }
}

/// A round: what it hides, and for a correction what it is measured against.
#[derive(Clone, Debug, PartialEq)]
pub enum Round {
    /// Name the band and boost or cut.
    Frequency(Hidden),
    /// Undo the change with the master's EQ.
    Correction(Box<Correction>),
    /// Gain, pan, compression or space on a track.
    Track(Box<TrackHidden>),
}

impl Round {
    /// Its exercise.
    pub fn exercise(&self) -> Exercise {
        match self {
            Round::Frequency(_) => Exercise::EqFrequency,
            Round::Correction(_) => Exercise::EqCorrection,
            Round::Track(t) => t.round.exercise,
        }
    }

    /// The hidden parameters that play it, the changed version when `changed`.
    pub fn params(&self, changed: bool) -> Vec<HiddenParam> {
        match self {
            Round::Frequency(hidden) => hidden.params(changed),
            Round::Correction(c) => c.hidden.params(changed),
            Round::Track(t) => t.params(changed),
        }
    }

    /// The track whose hidden parameters it sets, if any.
    fn track(&self) -> Option<StripIndex> {
        match self {
            Round::Track(t) => Some(t.strip()),
            _ => None,
        }
    }
}

/// A round's verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Points, of [`FULL_POINTS`].
    pub points: f32,
    /// Whether it earned full points.
    pub right: bool,
    /// What the page says: the right answer, what was said or measured, the points.
    pub text: String,
}

/// Where the exercise is.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// No round: the engine plays the mix untouched.
    Idle,
    /// Measuring the mix for the loudness match (and a correction's target).
    Preparing,
    /// A round is hidden and waits for the answer.
    Asking(Round),
    /// Measuring a correction.
    Measuring(Round),
    /// The round was answered.
    Answered(Round, Verdict),
    /// The round could not start or be measured; the sentence says why.
    Failed(String),
}

impl Stage {
    /// The round, if one is playing.
    pub fn round(&self) -> Option<&Round> {
        match self {
            Stage::Asking(round) | Stage::Measuring(round) | Stage::Answered(round, _) => {
                Some(round)
            }
            _ => None,
        }
    }

    /// Whether a round is being prepared or measured.
    pub fn busy(&self) -> bool {
        matches!(self, Stage::Preparing | Stage::Measuring(_))
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
    /// The difficulty of each exercise (by [`Exercise::index`]).
    pub ladders: RwSignal<[Ladder; Exercise::ALL.len()]>,
    /// This sitting's score.
    pub tally: RwSignal<Tally>,
    /// Every result kept in this browser.
    pub progress: RwSignal<Progress>,
    /// Why results are not kept, when they are not.
    pub kept_problem: RwSignal<Option<String>>,
    /// The challenge being played (from a link or a lesson), if the round is one.
    pub challenge: RwSignal<Option<Challenge>>,
    /// The lesson's ear-training goal the round is, by id, if it is one: its first answer is
    /// kept for the hand-in, and an EQ correction's EQ stays in the mix.
    pub lesson_goal: RwSignal<Option<String>>,
    project: Project,
    seed: StoredValue<Seed>,
    /// The mix the loudness match was last measured on (its session JSON) and its render.
    measured: StoredValue<Option<(String, Rc<Measured>)>, LocalStorage>,
    /// The track whose hidden parameters were last written, if any.
    written_track: StoredValue<Option<StripIndex>>,
}

/// A render of the mix, for the loudness match and a correction's target.
pub struct Measured {
    /// Left channel.
    pub left: Vec<f32>,
    /// Right channel.
    pub right: Vec<f32>,
    /// Its rate, Hz.
    pub rate_hz: f32,
}

impl EarTraining {
    /// Ear training on the engine of `project`'s mixer, nothing hidden; rounds drawn from a
    /// random seed.
    pub fn new(project: Project) -> EarTraining {
        let (progress, problem) = kept::load();
        EarTraining {
            mixer: project.mixer(),
            project,
            lesson_goal: RwSignal::new(None),
            stage: RwSignal::new(Stage::Idle),
            changed: RwSignal::new(false),
            ladders: RwSignal::new([Ladder::default(); Exercise::ALL.len()]),
            tally: RwSignal::new(Tally::default()),
            progress: RwSignal::new(progress),
            kept_problem: RwSignal::new(problem),
            challenge: RwSignal::new(None),
            seed: StoredValue::new(Seed::new((js_sys::Math::random() * 2f64.powi(53)) as u64)),
            measured: StoredValue::new_local(None),
            written_track: StoredValue::new(None),
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

    /// The difficulty of `exercise` now; tracked.
    pub fn level(&self, exercise: Exercise) -> u8 {
        self.ladders.with(|l| l[exercise.index()].level())
    }

    /// Whether a round hides a change now (the spectra are hidden meanwhile); tracked.
    pub fn in_round(&self) -> bool {
        self.stage.with(|s| s.round().is_some())
    }

    /// The same, untracked (for event handlers).
    pub fn in_round_untracked(&self) -> bool {
        self.stage.with_untracked(|s| s.round().is_some())
    }

    /// Starts a round of `exercise` at its level: puts back what a correction round changed,
    /// measures the mix for the loudness match if it changed since, then plays the changed
    /// version.
    pub async fn start(self, exercise: Exercise) {
        self.start_round(exercise, None).await;
    }

    /// Plays the round of challenge `challenge` (from a link), once the mix's audio is loaded.
    pub async fn start_challenge(self, challenge: Challenge) {
        for _ in 0..CHALLENGE_WAIT_TRIES {
            if self.mixer.missing.with_untracked(Vec::is_empty) {
                break;
            }
            let _ = crate::audio::sleep_ms(CHALLENGE_WAIT_MS).await;
        }
        self.start_round(challenge.exercise, Some(challenge)).await;
    }

    /// Plays the round of the lesson's ear-training goal `goal`, `challenge`.
    pub async fn start_lesson_round(self, goal: String, challenge: Challenge) {
        self.start_challenge(challenge).await;
        if self.challenge.with_untracked(Option::is_some) {
            self.lesson_goal.set(Some(goal));
        }
    }

    /// Keeps `answer` for the lesson's goal, when the round is one; what the verdict adds.
    fn keep_for_lesson(&self, answer: impl FnOnce(String) -> EarAnswer) -> &'static str {
        let Some(goal) = self.lesson_goal.get_untracked() else {
            return "";
        };
        if self.project.keep_answer(answer(goal)) {
            " This answer goes with your hand-in."
        } else {
            " Your first answer to this round stands for the lesson."
        }
    }

    async fn start_round(self, exercise: Exercise, challenge: Option<Challenge>) {
        if self.stage.with_untracked(Stage::busy) {
            return;
        }
        self.put_back();
        self.lesson_goal.set(None);
        self.challenge.set(challenge.clone());
        self.stage.set(Stage::Preparing);
        match self.draw(exercise, challenge.as_ref()).await {
            Ok(round) => {
                self.changed.set(true);
                self.stage.set(Stage::Asking(round));
                self.write();
            }
            Err(why) => {
                self.challenge.set(None);
                self.stage.set(Stage::Failed(why));
                self.write();
            }
        }
    }

    /// The round of `exercise`: `challenge`'s, or drawn at the exercise's level.
    async fn draw(
        &self,
        exercise: Exercise,
        challenge: Option<&Challenge>,
    ) -> Result<Round, String> {
        let measured = self.measure().await?;
        let level = self.ladders.with_untracked(|l| l[exercise.index()].level());
        if !matches!(exercise, Exercise::EqFrequency | Exercise::EqCorrection) {
            let mut seed = self.seed.get_value();
            let pick = match challenge {
                Some(c) => Pick::Fixed(c),
                None => Pick::Draw {
                    seed: &mut seed,
                    exercise,
                    level,
                },
            };
            let round = TrackHidden::start(self.mixer, pick, &measured).await;
            self.seed.set_value(seed);
            return Ok(Round::Track(Box::new(round?)));
        }
        let round = match challenge {
            Some(c) => c
                .eq_round()
                .ok_or_else(|| "this challenge hides no EQ change".to_owned())?,
            None => self
                .seed
                .try_update_value(|seed| EqRound::draw(seed, level))
                .ok_or("the page is closing")?,
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
        Ok(match exercise {
            Exercise::EqFrequency => Round::Frequency(hidden),
            _ => Round::Correction(Box::new(
                Correction::start(self.mixer, hidden, &measured).await?,
            )),
        })
    }

    /// A challenge on the mix as it is: a round of `exercise` (any, when none) at its level,
    /// drawn afresh. The error is a sentence for the user.
    pub fn make_challenge(&self, exercise: Option<Exercise>) -> Result<Challenge, String> {
        let mut seed = Seed::new((js_sys::Math::random() * 2f64.powi(53)) as u64);
        let exercise = exercise.unwrap_or_else(|| *seed.pick(&Exercise::ALL));
        let level = self.ladders.with_untracked(|l| l[exercise.index()].level());
        let mut challenge = Challenge {
            exercise,
            level,
            centre_hz: None,
            gain_db: None,
            track: None,
            value: None,
        };
        if matches!(exercise, Exercise::EqFrequency | Exercise::EqCorrection) {
            let round = EqRound::draw(&mut seed, level);
            challenge.centre_hz = Some(round.centre_hz);
            challenge.gain_db = Some(round.gain_db);
        } else {
            let heard = track_round::heard(self.mixer);
            let round = TrackRound::draw(&mut seed, exercise, level, heard.len())
                .filter(|_| !heard.is_empty())
                .ok_or("no track is heard in this mix")?;
            challenge.track = Some(heard[round.track].0);
            challenge.value = Some(round.value);
        }
        Ok(challenge)
    }

    /// Plays the changed version (`true`) or the flat original.
    pub fn hear(&self, changed: bool) {
        self.changed.set(changed);
        self.write();
    }

    /// Judges an EQ frequency answer: the band at `hz`, moved `direction`. The change stays
    /// hidden in the engine, to be heard again, until the next round or the end.
    pub fn answer(&self, hz: f32, direction: Direction) {
        let Some(Round::Frequency(hidden)) = self.stage.with_untracked(|s| s.round().cloned())
        else {
            return;
        };
        let judged = hidden.round.judge(hz, direction);
        let lesson = self.keep_for_lesson(|goal| EarAnswer {
            goal,
            centre_hz: Some(hz),
            boost: Some(direction == Direction::Boost),
            track: None,
            value: None,
        });
        let text = if judged.right {
            format!("Right: {}. 10 points.{lesson}", judged.answer)
        } else {
            format!(
                "It was {}; you said {} {}. {} points.{lesson}",
                judged.answer,
                label(hz),
                direction.label(),
                points(judged.points)
            )
        };
        let verdict = Verdict {
            points: judged.points,
            right: judged.right,
            text,
        };
        self.record(
            &Round::Frequency(hidden),
            &verdict,
            Some((hidden.round.centre_hz, hz)),
        );
        self.stage
            .set(Stage::Answered(Round::Frequency(hidden), verdict));
    }

    /// Judges a track round's answer: the track offered at `track` (for gain) and the answer
    /// `value`.
    pub fn answer_track(&self, track: usize, value: f32) {
        let Some(Round::Track(hidden)) = self.stage.with_untracked(|s| s.round().cloned()) else {
            return;
        };
        let judged = hidden.round.judge(track, value);
        let name = |t: usize| {
            hidden
                .tracks
                .get(t)
                .map_or("", |(_, n)| n.as_str())
                .to_owned()
        };
        let (it, said) = if hidden.round.exercise == Exercise::Gain {
            (
                format!("“{}”, {}", name(hidden.round.track), hidden.round.answer()),
                format!("“{}”, {}", name(track), hidden.round.label(value)),
            )
        } else {
            (hidden.round.answer(), hidden.round.label(value))
        };
        let named_track = hidden.tracks.get(track).map(|(strip, _)| strip.position());
        let lesson = self.keep_for_lesson(|goal| EarAnswer {
            goal,
            centre_hz: None,
            boost: None,
            track: named_track.filter(|_| hidden.round.exercise == Exercise::Gain),
            value: Some(value),
        });
        let text = if judged.right {
            format!("Right: {it}. 10 points.{lesson}")
        } else {
            format!(
                "It was {it}; you said {said}. {} points.{lesson}",
                points(judged.points)
            )
        };
        let verdict = Verdict {
            points: judged.points,
            right: judged.right,
            text,
        };
        let round = Round::Track(hidden);
        self.record(&round, &verdict, None);
        self.stage.set(Stage::Answered(round, verdict));
    }

    /// Measures an EQ correction: the mix as it is now, the change in, against the original.
    pub async fn check_correction(self) {
        let Some(Round::Correction(correction)) = self.stage.with_untracked(|s| s.round().cloned())
        else {
            return;
        };
        if self.stage.with_untracked(Stage::busy) {
            return;
        }
        let round = Round::Correction(correction.clone());
        self.stage.set(Stage::Measuring(round.clone()));
        match correction.judge(self.mixer).await {
            Ok(verdict) => {
                self.record(&round, &verdict, None);
                self.stage.set(Stage::Answered(round, verdict));
            }
            Err(why) => {
                self.stage.set(Stage::Asking(round));
                self.put_back();
                self.stage.set(Stage::Failed(why));
                self.write();
            }
        }
    }

    /// Counts `verdict` in the sitting, the ladder and the kept progress.
    fn record(&self, round: &Round, verdict: &Verdict, bands_hz: Option<(f32, f32)>) {
        if self.challenge.with_untracked(Option::is_some) {
            // A reload no longer plays it.
            crate::persist::forget_challenge();
        }
        let exercise = round.exercise();
        self.tally.update(|t| {
            t.points += verdict.points;
            t.rounds += 1;
            t.right += u32::from(verdict.right);
        });
        let level = self.ladders.with_untracked(|l| l[exercise.index()].level());
        self.ladders
            .update(|l| l[exercise.index()] = l[exercise.index()].after(verdict.right));
        self.progress.update(|p| {
            p.add(RoundResult {
                exercise,
                at_ms: js_sys::Date::now(),
                level,
                points: verdict.points,
                bands_hz,
            });
        });
        self.keep();
    }

    /// Ends the exercise: what a correction changed is put back, and the engine plays the mix
    /// untouched again.
    pub fn end(&self) {
        self.put_back();
        self.challenge.set(None);
        self.lesson_goal.set(None);
        self.changed.set(false);
        self.stage.set(Stage::Idle);
        self.write();
    }

    /// Drops the round without touching the mix: another mix replaced the one it played on
    /// (and, with its parameters, hid nothing in the engine).
    pub fn abandon(&self) {
        if self
            .stage
            .with_untracked(|s| s.round().is_some() || s.busy())
        {
            self.changed.set(false);
            self.lesson_goal.set(None);
            self.stage.set(Stage::Idle);
            self.write();
        }
    }

    /// Puts the master's EQ back as it was before a correction round, if one is playing and
    /// is not a lesson's (whose EQ is the student's answer, and stays).
    fn put_back(&self) {
        if self.lesson_goal.with_untracked(Option::is_some) {
            return;
        }
        if let Some(Round::Correction(c)) = self.stage.with_untracked(|s| s.round().cloned()) {
            c.put_back(self.mixer);
        }
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

    /// Writes the round's change into the engine as [`Self::changed`] says (for a correction,
    /// the original plays with the master's EQ as it was), or nothing hidden.
    fn write(&self) {
        let round = self.stage.with_untracked(|s| s.round().cloned());
        let changed = self.changed.get_untracked();
        let mut params = match &round {
            Some(round) => round.params(changed),
            None => [ParamId::EarOn, ParamId::EarEqGainDb, ParamId::EarMatchDb]
                .map(|param| (param, StripIndex::MASTER, 0.0))
                .to_vec(),
        };
        let track = round.as_ref().and_then(Round::track);
        if let Some(old) = self
            .written_track
            .get_value()
            .filter(|&old| Some(old) != track)
        {
            params.push((ParamId::EarTrackChange, old, 0.0));
        }
        self.written_track.set_value(track);
        self.mixer.with_bridge(|b| {
            for (param, strip, value) in params {
                b.set_param(param.slot(strip), value);
            }
        });
        if let Some(Round::Correction(c)) = &round {
            c.play_master_eq(self.mixer, changed);
        }
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
        let measured = Rc::new(render(&prepare(self.mixer).await?, &[]).await?);
        self.measured.set_value(Some((json, Rc::clone(&measured))));
        Ok(measured)
    }
}

/// What a round's renders fail with: "Could not {VERB}: …".
const VERB: &str = "measure the round";

/// The mix as it is now with every track's audio, for [`render`]. The error is a sentence for
/// the student.
pub async fn prepare(mixer: Mixer) -> Result<MixAudio, String> {
    mixer.mix_audio(VERB, &|_, _| {}, None).await
}

/// `audio` rendered offline from its start, at most [`MATCH_WINDOW_S`], with `hidden` set in
/// the engine from the start. The error is a sentence for the student.
pub async fn render(audio: &MixAudio, hidden: &[HiddenParam]) -> Result<Measured, String> {
    let window = (MATCH_WINDOW_S * audio.sample_rate_hz) as u32;
    render_frames(audio, hidden, audio.frames.min(window)).await
}

/// The same, of `frames` frames.
pub async fn render_frames(
    audio: &MixAudio,
    hidden: &[HiddenParam],
    frames: u32,
) -> Result<Measured, String> {
    let changes: Vec<_> = hidden
        .iter()
        .map(
            |&(param, strip, value)| crate::audio::offline::ParamChange {
                frame: 0,
                slot: param.slot(strip),
                value,
            },
        )
        .collect();
    let render = render_offline_with_progress(
        &audio.session,
        &audio.tracks,
        frames,
        audio.sample_rate_hz,
        &changes,
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
    Ok(Measured {
        left: render.channels[0].to_vec(),
        right: render.channels[1].to_vec(),
        rate_hz: audio.sample_rate_hz,
    })
}

/// The integrated loudness of a render (ITU-R BS.1770), LUFS (−∞ when silent).
pub fn loudness_lufs(render: &Measured) -> f32 {
    let mut meter = mixroom_dsp::LoudnessMeter::new();
    meter.prepare(render.rate_hz);
    meter.process(&render.left, &render.right);
    meter.integrated_lufs()
}

/// Points as the page writes them: whole numbers bare, else one decimal.
pub fn points(p: f32) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}
