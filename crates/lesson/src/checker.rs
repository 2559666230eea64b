//! The check: renders the student's mix (and what the goals need besides) offline with the
//! same engine as the page, a bounded amount per step, then judges every goal.
//!
//! Renders, in order, each from reset, from frame 0 to the end of the song (its longest
//! source, whatever the loop region) plus [`TAIL_S`] of effect tails:
//!
//! 1. the mix, whole: the master's figures, the gain reduction of the strips a goal names, and,
//!    when any goal needs a contribution, the mix itself is kept;
//! 2. for each strip whose contribution a goal needs (each once): the mix with that strip
//!    muted; the strip's contribution is the kept mix minus this one;
//! 3. for each EQ correction goal ([`crate::ear`]): the mix with the goal's hidden change in,
//!    then the lesson's start once flat and once with each goal's change in, from the
//!    student's audio (tracks matched by source, then by name);
//! 4. the lesson's reference, when a tonal-balance goal compares with it: its mix rendered
//!    from the student's audio (matched so too), or a recording the caller decoded
//!    ([`Checker::with_reference_recording`]).
//!
//! The engine always processes blocks of [`BLOCK_FRAMES`] frames, whatever the steps, so the
//! report does not depend on how the work was cut. Sources move from one render's engine to the
//! next (never copied, except a track the reference mix plays twice).

use std::fmt;

use mixroom_dsp::{Engine, SessionSources, Source, StereoBlock};
use mixroom_ear::eq::EqRound;
use mixroom_protocol::lesson::{Curve, EarAnswer, GoalKind, Lesson, Reference, StripRef};
use mixroom_protocol::params::ParamId;
use mixroom_protocol::session::Session;
use mixroom_protocol::strips::StripIndex;

use crate::curve::{self, Levels};
use crate::ear::corrections;
use crate::goals;
use crate::inputs::{resolve, Correction, Inputs};
use crate::measure::{Contribution, MasterMeasure, Reduction, StereoSums, PLAYING_PEAK_LIN};
use crate::report::Report;
use crate::spectrum::Spectrum;

/// Frames the engine processes at a time: the worklet's render quantum.
pub const BLOCK_FRAMES: usize = 128;

/// Effect tails rendered after the end of the song, s.
pub const TAIL_S: f64 = 1.0;

/// The rate a check renders at, Hz, whatever the audio device's: the page prepares the mix's
/// audio at it, and it is `mixroom check`'s default, so student and teacher get one verdict.
pub const CHECK_RATE_HZ: u32 = 48_000;

/// Sample rates a check accepts, Hz.
pub const SAMPLE_RATES_HZ: std::ops::RangeInclusive<f32> = 8_000.0..=384_000.0;

/// Why a check cannot start.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckError {
    /// A goal names a strip the mix does not have.
    MissingStrip {
        /// The goal's id.
        goal: String,
        /// The strip it names.
        strip: StripRef,
    },
    /// A goal names a strip whose name several strips of the mix share.
    SharedName {
        /// The goal's id.
        goal: String,
        /// The strip it names.
        strip: StripRef,
        /// How many strips have the name.
        count: usize,
    },
    /// The sample rate is not one the engine runs at.
    SampleRate(f32),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::MissingStrip { goal, strip } => write!(
                f,
                "goal '{goal}' names {}, which this mix does not have",
                strip.describe()
            ),
            CheckError::SharedName { goal, strip, count } => write!(
                f,
                "goal '{goal}' names {}, and {count} strips of this mix have that name (a goal \
                 measures one)",
                strip.describe()
            ),
            CheckError::SampleRate(hz) => write!(
                f,
                "a mix cannot be checked at {hz} Hz (from {} to {} Hz)",
                SAMPLE_RATES_HZ.start(),
                SAMPLE_RATES_HZ.end()
            ),
        }
    }
}

impl std::error::Error for CheckError {}

/// How far a check has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Frames rendered so far, over all renders.
    pub done_frames: usize,
    /// Frames to render in all.
    pub total_frames: usize,
}

impl Progress {
    /// Whether every render is done.
    pub fn is_done(&self) -> bool {
        self.done_frames >= self.total_frames
    }
}

/// One render of the plan.
#[derive(Clone, Debug, PartialEq)]
enum Pass {
    /// The student's mix.
    Full,
    /// The student's mix with `contributions[i]`'s strip muted.
    Muted(usize),
    /// The student's mix with `corrections[i]`'s hidden change in.
    EarMix(usize),
    /// The lesson's start, `frames` long, with `corrections[i]`'s hidden change in when
    /// `changed` is `Some(i)`, else flat: its track `i` plays the student's track `map[i]`'s
    /// source (or none).
    EarStart {
        changed: Option<usize>,
        map: Vec<Option<usize>>,
        frames: usize,
    },
    /// The reference mix, `frames` long, its tracks mapped as [`Pass::EarStart`]'s.
    ReferenceMix {
        session: Box<Session>,
        map: Vec<Option<usize>>,
        frames: usize,
    },
    /// A reference recording the caller decoded.
    ReferenceRecording,
}

/// A render under way.
struct Running {
    engine: Option<Engine>,
    frames: usize,
    done: usize,
}

/// A lesson's goals being checked against a mix. Make it with [`Checker::new`], call
/// [`Checker::step`] until it is done (the page does one step per animation frame or idle
/// callback, showing the [`Progress`]), then [`Checker::finish`].
pub struct Checker {
    lesson: Lesson,
    mix: Session,
    sample_rate_hz: f32,
    sources: SessionSources,
    recording: Option<Source>,
    frames: usize,
    passes: Vec<Pass>,
    pass: usize,
    running: Option<Running>,
    done_frames: usize,
    /// The whole mix, kept while contributions are measured.
    kept: Option<[Vec<f32>; 2]>,
    master: MasterMeasure,
    contributions: Vec<Contribution>,
    reductions: Vec<Reduction>,
    reference: Option<Spectrum>,
    answers: Vec<EarAnswer>,
    corrections: Vec<Correction>,
    /// The lesson's start rendered flat, for the correction goals.
    original: Option<Levels>,
    /// The spectrum of the correction render under way.
    ear_spectrum: Option<Spectrum>,
    scratch: [Vec<f32>; 2],
    block: [Vec<f32>; 2],
}

impl Checker {
    /// A check of `lesson`'s goals against `mix`, whose tracks play `sources` (in track order,
    /// as [`mixroom_dsp::render`] takes them), at `sample_rate_hz`. Refuses a goal that names a
    /// strip the mix does not have (strips are found by name; of two with one name, the first).
    /// Allocates; renders nothing yet.
    pub fn new(
        lesson: &Lesson,
        mix: &Session,
        sources: SessionSources,
        sample_rate_hz: f32,
    ) -> Result<Checker, CheckError> {
        if !SAMPLE_RATES_HZ.contains(&sample_rate_hz) {
            return Err(CheckError::SampleRate(sample_rate_hz));
        }
        // Each strip whose contribution a goal needs, once, with whether a masking goal
        // needs its critical bands.
        let mut needed: Vec<(StripIndex, bool)> = Vec::new();
        let mut reductions: Vec<Reduction> = Vec::new();
        let (mut spectrum, mut reference, mut render) = (false, false, false);
        for goal in &lesson.goals {
            let find = |strip: &StripRef| {
                resolve(mix, strip).ok_or_else(|| match strip.positions_in(mix).len() {
                    0 => CheckError::MissingStrip {
                        goal: goal.id.clone(),
                        strip: strip.clone(),
                    },
                    count => CheckError::SharedName {
                        goal: goal.id.clone(),
                        strip: strip.clone(),
                        count,
                    },
                })
            };
            let masking = matches!(goal.kind, GoalKind::Masking { .. });
            for strip in goal.kind.contributions() {
                let strip = find(strip)?;
                match needed.iter_mut().find(|(s, _)| *s == strip) {
                    Some((_, bark)) => *bark |= masking,
                    None => needed.push((strip, masking)),
                }
            }
            if let GoalKind::GainReduction { strip, .. } = &goal.kind {
                let strip = find(strip)?;
                if !reductions.iter().any(|r| r.strip == strip) {
                    reductions.push(Reduction {
                        strip,
                        sum_db: 0.0,
                        blocks: 0,
                    });
                }
            }
            spectrum |= matches!(
                goal.kind,
                GoalKind::TonalBalance { .. } | GoalKind::MonoBass { .. }
            );
            reference |= matches!(
                goal.kind,
                GoalKind::TonalBalance {
                    curve: Curve::Reference,
                    ..
                }
            );
            render |= !matches!(
                goal.kind,
                GoalKind::Unknown { .. } | GoalKind::EarChallenge { .. }
            );
        }
        let corrections = corrections(lesson);
        let contributions: Vec<Contribution> = needed
            .into_iter()
            .map(|(strip, bark)| Contribution::new(strip, sample_rate_hz, bark))
            .collect();
        let mut sources = sources;
        sources.truncate(mix.tracks.len());
        let tail = (TAIL_S * f64::from(sample_rate_hz)).round() as usize;
        let longest = |tracks: &mut dyn Iterator<Item = usize>| {
            tracks
                .filter_map(|t| sources.get(t).and_then(Option::as_ref))
                .map(Source::frames)
                .max()
                .unwrap_or(0)
        };
        let frames = longest(&mut (0..sources.len())) + tail;
        let mut passes = Vec::new();
        if render {
            passes.push(Pass::Full);
        }
        passes.extend((0..contributions.len()).map(Pass::Muted));
        if !corrections.is_empty() {
            passes.extend((0..corrections.len()).map(Pass::EarMix));
            let map = match_tracks(&lesson.start, mix);
            let frames = longest(&mut map.iter().flatten().copied()) + tail;
            let start = |changed| Pass::EarStart {
                changed,
                map: map.clone(),
                frames,
            };
            passes.push(start(None));
            passes.extend((0..corrections.len()).map(|i| start(Some(i))));
        }
        match &lesson.reference {
            Some(Reference::Mix(session)) if reference => {
                let map = match_tracks(session, mix);
                let frames = longest(&mut map.iter().flatten().copied()) + tail;
                passes.push(Pass::ReferenceMix {
                    session: Box::new(session.clone()),
                    map,
                    frames,
                });
            }
            Some(Reference::Recording(_)) if reference => passes.push(Pass::ReferenceRecording),
            _ => {}
        }
        Ok(Checker {
            lesson: lesson.clone(),
            mix: mix.clone(),
            sample_rate_hz,
            sources,
            recording: None,
            frames,
            passes,
            pass: 0,
            running: None,
            done_frames: 0,
            kept: None,
            master: MasterMeasure {
                integrated_lufs: f64::NEG_INFINITY,
                loudness_range_lu: 0.0,
                true_peak_dbtp: f64::NEG_INFINITY,
                stereo: StereoSums::default(),
                spectrum: spectrum.then(|| Spectrum::new(f64::from(sample_rate_hz), false)),
            },
            contributions,
            reductions,
            reference: None,
            answers: Vec::new(),
            corrections,
            original: None,
            ear_spectrum: None,
            scratch: [Vec::new(), Vec::new()],
            block: [vec![0.0; BLOCK_FRAMES], vec![0.0; BLOCK_FRAMES]],
        })
    }

    /// Gives the decoded audio of the lesson's reference recording (at the check's sample
    /// rate), for a tonal-balance goal that compares with it. Without it, such a goal reports
    /// that it could not be measured.
    pub fn with_reference_recording(mut self, recording: Source) -> Checker {
        self.recording = Some(recording);
        self
    }

    /// Gives what the hand-in answered to the lesson's ear-training goals. Without it, each
    /// such goal that asks for a choice reports that it was not answered.
    pub fn with_answers(mut self, answers: Vec<EarAnswer>) -> Checker {
        self.answers = answers;
        self
    }

    /// Whether a goal compares with the lesson's reference recording, so the caller should
    /// decode it and give it with [`Checker::with_reference_recording`].
    pub fn needs_reference_recording(&self) -> bool {
        self.passes
            .iter()
            .any(|p| matches!(p, Pass::ReferenceRecording))
    }

    /// The memory this check takes for audio, bytes, when the mix's track `t` has
    /// `tracks[t]` = `(channels, frames)` of samples, and the reference recording, if a goal
    /// hears it, `recording`: the tracks' samples (as f32, the most a [`Source`] takes), the
    /// stereo mix kept while contributions are measured, a copy of each track for every further
    /// time the reference mix plays it, and the recording's first two channels. For a caller
    /// to refuse a check that would not fit before it copies any audio.
    pub fn audio_bytes(&self, tracks: &[(usize, usize)], recording: Option<(usize, usize)>) -> u64 {
        let samples =
            |&(channels, frames): &(usize, usize)| (channels as u64).saturating_mul(frames as u64);
        let mut total = tracks.iter().map(samples).fold(0, u64::saturating_add);
        if !self.contributions.is_empty() {
            let tail = (TAIL_S * f64::from(self.sample_rate_hz)).round() as u64;
            let longest = tracks.iter().map(|&(_, frames)| frames as u64).max();
            let kept = longest.unwrap_or(0).saturating_add(tail).saturating_mul(2);
            total = total.saturating_add(kept);
        }
        for pass in &self.passes {
            match pass {
                Pass::ReferenceMix { map, .. } | Pass::EarStart { map, .. } => {
                    let mut played = vec![false; tracks.len()];
                    for &t in map.iter().flatten() {
                        if let Some(before) = played.get_mut(t) {
                            if *before {
                                total = total.saturating_add(samples(&tracks[t]));
                            }
                            *before = true;
                        }
                    }
                }
                Pass::ReferenceRecording => {
                    if let Some((channels, frames)) = recording {
                        total = total.saturating_add(samples(&(channels.min(2), frames)));
                    }
                }
                Pass::Full | Pass::Muted(_) | Pass::EarMix(_) => {}
            }
        }
        total.saturating_mul(4)
    }

    /// Frames of each render of the student's mix: the longest source plus [`TAIL_S`].
    pub fn render_frames(&self) -> usize {
        self.frames
    }

    /// How far the check has got.
    pub fn progress(&self) -> Progress {
        Progress {
            done_frames: self.done_frames,
            total_frames: self.passes.iter().map(|p| self.pass_frames(p)).sum(),
        }
    }

    /// Renders and measures up to `max_frames` frames: whole engine blocks of
    /// [`BLOCK_FRAMES`], at least one, so a call renders at most
    /// `max(max_frames, BLOCK_FRAMES)` frames (and makes at most one engine per render it
    /// starts). Does nothing once done.
    pub fn step(&mut self, max_frames: usize) -> Progress {
        let mut done_here = 0;
        while self.pass < self.passes.len() {
            if self.running.is_none() {
                self.running = Some(self.start_pass());
            }
            let running = self.running.as_mut().expect("started above");
            let len = BLOCK_FRAMES.min(running.frames - running.done);
            if done_here > 0 && done_here + len > max_frames {
                break;
            }
            if len > 0 {
                self.render_block(len);
                done_here += len;
            }
            let running = self.running.as_ref().expect("still running");
            if running.done == running.frames {
                self.end_pass();
            }
        }
        self.progress()
    }

    /// Finishes the work left (all of it, if [`Checker::step`] was never called) and judges
    /// every goal.
    pub fn finish(mut self) -> Report {
        while !self.progress().is_done() {
            self.step(usize::MAX);
        }
        goals::judge(&Inputs {
            lesson: &self.lesson,
            mix: &self.mix,
            sample_rate_hz: f64::from(self.sample_rate_hz),
            master: &self.master,
            contributions: &self.contributions,
            reductions: &self.reductions,
            reference: self.reference.as_ref(),
            answers: &self.answers,
            corrections: &self.corrections,
            original: self.original,
        })
    }

    fn pass_frames(&self, pass: &Pass) -> usize {
        match pass {
            Pass::ReferenceRecording => self.recording.as_ref().map_or(0, Source::frames),
            Pass::ReferenceMix { frames, .. } | Pass::EarStart { frames, .. } => *frames,
            Pass::Full | Pass::Muted(_) | Pass::EarMix(_) => self.frames,
        }
    }

    fn start_pass(&mut self) -> Running {
        let pass = self.passes[self.pass].clone();
        let frames = self.pass_frames(&pass);
        let engine = match pass {
            Pass::Full | Pass::Muted(_) => {
                let muted = match pass {
                    Pass::Muted(i) => Some(self.contributions[i].strip),
                    _ => None,
                };
                if muted.is_none() && !self.contributions.is_empty() {
                    self.kept = Some([Vec::with_capacity(frames), Vec::with_capacity(frames)]);
                }
                let sources = std::mem::take(&mut self.sources);
                Some(new_engine(
                    &self.mix,
                    muted,
                    None,
                    sources,
                    self.sample_rate_hz,
                ))
            }
            Pass::EarMix(i) => {
                self.ear_spectrum = Some(Spectrum::new(f64::from(self.sample_rate_hz), false));
                let sources = std::mem::take(&mut self.sources);
                let round = Some(&self.corrections[i].round);
                Some(new_engine(
                    &self.mix,
                    None,
                    round,
                    sources,
                    self.sample_rate_hz,
                ))
            }
            Pass::EarStart { changed, map, .. } => {
                self.ear_spectrum = Some(Spectrum::new(f64::from(self.sample_rate_hz), false));
                let sources = self.take_mapped(&map);
                let round = changed.map(|i| &self.corrections[i].round);
                let start = &self.lesson.start;
                Some(new_engine(start, None, round, sources, self.sample_rate_hz))
            }
            Pass::ReferenceMix { session, map, .. } => {
                self.reference = Some(Spectrum::new(f64::from(self.sample_rate_hz), false));
                let sources = self.take_mapped(&map);
                Some(new_engine(
                    &session,
                    None,
                    None,
                    sources,
                    self.sample_rate_hz,
                ))
            }
            Pass::ReferenceRecording => {
                self.reference = Some(Spectrum::new(f64::from(self.sample_rate_hz), false));
                None
            }
        };
        Running {
            engine,
            frames,
            done: 0,
        }
    }

    fn render_block(&mut self, len: usize) {
        let running = self.running.as_mut().expect("a render is running");
        let start = running.done;
        let [left, right] = &mut self.block;
        let (left, right) = (&mut left[..len], &mut right[..len]);
        match &mut running.engine {
            Some(engine) => engine.process(&mut StereoBlock::new(left, right)),
            None => {
                let recording = self.recording.as_ref().expect("a recording pass has one");
                recording.read_into(start as u64, left, right);
                if recording.is_mono() {
                    right.copy_from_slice(left);
                }
            }
        }
        running.done += len;
        let (left, right) = (&left[..], &right[..]);
        match self.passes[self.pass] {
            Pass::Full => {
                let engine = running.engine.as_ref().expect("the mix renders");
                let figures = engine.master_figures();
                let peak = figures.true_peak[0].max(figures.true_peak[1]);
                let peak_dbtp = 20.0 * f64::from(peak).log10();
                self.master.true_peak_dbtp = self.master.true_peak_dbtp.max(peak_dbtp);
                self.master.integrated_lufs = f64::from(figures.integrated_lufs);
                self.master.loudness_range_lu = f64::from(figures.loudness_range_lu);
                self.master.stereo.add(left, right);
                if let Some(spectrum) = &mut self.master.spectrum {
                    spectrum.process(left, right);
                }
                for reduction in &mut self.reductions {
                    let strip = engine.figures(reduction.strip);
                    if strip.peak[0].max(strip.peak[1]) >= PLAYING_PEAK_LIN {
                        reduction.sum_db += f64::from(strip.gain_reduction_db[0]);
                        reduction.blocks += 1;
                    }
                }
                if let Some([kept_l, kept_r]) = &mut self.kept {
                    kept_l.extend_from_slice(left);
                    kept_r.extend_from_slice(right);
                }
            }
            Pass::Muted(i) => {
                let [kept_l, kept_r] = self.kept.as_ref().expect("the mix is kept");
                let full = [&kept_l[start..start + len], &kept_r[start..start + len]];
                self.contributions[i].add(full, [left, right], &mut self.scratch);
            }
            Pass::EarMix(_) | Pass::EarStart { .. } => {
                let spectrum = self.ear_spectrum.as_mut().expect("made at the start");
                spectrum.process(left, right);
            }
            Pass::ReferenceMix { .. } | Pass::ReferenceRecording => {
                let spectrum = self.reference.as_mut().expect("made at the start");
                spectrum.process(left, right);
            }
        }
        self.done_frames += len;
    }

    /// The sources of a render whose track `i` plays the student's track `map[i]`: each moved
    /// out of the check at its first use, a copy for a later one.
    fn take_mapped(&mut self, map: &[Option<usize>]) -> SessionSources {
        let mut sources: SessionSources = vec![None; map.len()];
        let mut first_use: Vec<Option<usize>> = vec![None; self.sources.len()];
        for (i, track) in map.iter().enumerate() {
            let Some(t) = *track else { continue };
            match first_use[t] {
                Some(earlier) => sources[i] = sources[earlier].clone(),
                None => {
                    sources[i] = self.sources[t].take();
                    first_use[t] = Some(i);
                }
            }
        }
        sources
    }

    /// Puts back the sources [`Checker::take_mapped`] moved into `engine` for `map`.
    fn give_back_mapped(&mut self, engine: &mut Engine, map: &[Option<usize>]) {
        for (i, track) in map.iter().enumerate() {
            if let Some(t) = *track {
                if self.sources[t].is_none() {
                    self.sources[t] = engine.load_source(i, None);
                }
            }
        }
    }

    fn end_pass(&mut self) {
        let running = self.running.take().expect("a render is running");
        let pass = self.passes[self.pass].clone();
        if let Some(mut engine) = running.engine {
            match &pass {
                Pass::ReferenceMix { map, .. } | Pass::EarStart { map, .. } => {
                    self.give_back_mapped(&mut engine, map);
                }
                _ => {
                    self.sources = (0..self.mix.tracks.len())
                        .map(|t| engine.load_source(t, None))
                        .collect();
                }
            }
        }
        if let Some(spectrum) = self.ear_spectrum.take() {
            let levels = (spectrum.windows() > 0)
                .then(|| curve::measure(&spectrum.mean_power(), f64::from(self.sample_rate_hz)));
            match pass {
                Pass::EarMix(i) => self.corrections[i].mix_changed = levels,
                Pass::EarStart {
                    changed: Some(i), ..
                } => self.corrections[i].start_changed = levels,
                _ => self.original = levels,
            }
        }
        self.pass += 1;
        if !matches!(self.passes.get(self.pass), Some(Pass::Muted(_))) {
            self.kept = None;
        }
    }
}

/// An engine playing `session` from frame 0 with `sources` loaded, `muted` muted, `hidden`'s
/// change in (before the master's EQ, as ear training plays it), from reset, as
/// [`mixroom_dsp::render_into`] sets one up.
fn new_engine(
    session: &Session,
    muted: Option<StripIndex>,
    hidden: Option<&EqRound>,
    sources: SessionSources,
    sample_rate_hz: f32,
) -> Engine {
    let mut engine = Engine::new(sample_rate_hz, BLOCK_FRAMES);
    engine.apply_param_block(&session.param_block());
    if let Some(strip) = muted {
        engine.set_param(ParamId::Mute.slot(strip), 1.0);
    }
    // The levels measured are loudness-normalized: no loudness match is needed.
    for (param, value) in hidden
        .map(|r| r.master_params(true, 0.0))
        .into_iter()
        .flatten()
    {
        engine.set_param(param.slot(StripIndex::MASTER), value);
    }
    for (track, source) in sources.into_iter().enumerate() {
        engine.load_source(track, source);
    }
    engine.reset();
    engine.transport_mut().play();
    engine
}

/// For each track of the reference mix, the student's track that plays the same audio (the
/// same source, else the same name), if any.
fn match_tracks(reference: &Session, mix: &Session) -> Vec<Option<usize>> {
    reference
        .tracks
        .iter()
        .map(|track| {
            mix.tracks
                .iter()
                .position(|t| t.source == track.source)
                .or_else(|| mix.tracks.iter().position(|t| t.name == track.name))
        })
        .collect()
}
