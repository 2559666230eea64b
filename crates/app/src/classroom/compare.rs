//! Loudness-matched comparison: the student's mix, the lesson's raw start, its reference mix
//! and a reference recording (or, in the class view, hand-ins and the reference), each
//! rendered (or decoded) once, then all played together from the same playhead with only one
//! heard. Each plays at the integrated loudness of the quietest (a static gain per version,
//! shown, never above 0 dB), so louder never wins; a switch is a 20 ms crossfade, so it never
//! clicks.
//!
//! The versions are rendered offline by the same engine as an export
//! ([`render_offline_with_progress`]); a reference mix plays the student's audio, its tracks
//! matched to the student's by their source, then by name (as the check matches them). A
//! reference's long-term spectrum is kept, to be drawn over the master's.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Float32Array;
use mixroom_protocol::layout::spectrum_block::TAPS;
use mixroom_protocol::lesson::{Lesson, Reference};
use mixroom_protocol::session::Session;
use wasm_bindgen::JsValue;
use web_sys::{AudioBuffer, AudioBufferSourceNode, BaseAudioContext, GainNode};

use super::recording::stereo_of;
use crate::analysis::Analyzer;
use crate::audio::offline::render_offline_with_progress;
use crate::audio::{describe, TrackAudio};
use crate::export::normalize;
use crate::state::MixAudio;

thread_local! {
    /// The page's comparison (one at a time).
    static CURRENT: RefCell<Option<Rc<RefCell<Comparison>>>> = const { RefCell::new(None) };
}

/// Makes `comparison` the page's (stopping the one before), or none.
pub fn set_current(comparison: Option<Comparison>) {
    let old = CURRENT.with(|c| c.replace(comparison.map(|c| Rc::new(RefCell::new(c)))));
    drop(old);
}

/// The page's comparison, if one is prepared.
pub fn current() -> Option<Rc<RefCell<Comparison>>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// How long a switch crossfades, s.
pub const CROSSFADE_S: f64 = 0.02;

/// Delay before the versions start, so that all start on the same frame, s.
const START_DELAY_S: f64 = 0.05;

/// One version of the mix, ready to play.
pub struct Version {
    /// What the student calls it: "My mix", "Start", "Reference mix", a recording's name.
    pub name: String,
    /// Its integrated loudness, LUFS (−∞ when silent).
    pub loudness_lufs: f32,
    /// The gain that brings it to the loudness of the quietest version, dB (at most 0; 0 for
    /// a silent version).
    pub gain_db: f32,
    /// Its long-term spectrum, when it is a reference (drawn over the master's).
    spectrum: Option<Analyzer>,
    buffer: AudioBuffer,
}

/// A version to render: a name, a session and each of its tracks' audio.
pub struct Planned {
    /// What the user calls it.
    pub name: String,
    /// The mix.
    pub session: Session,
    /// Its tracks (by index in `session.tracks`) with their audio at the engine's rate.
    pub tracks: Vec<(usize, TrackAudio)>,
    /// Whether it is the lesson's reference (its spectrum drawn over the master's).
    pub reference: bool,
}

impl Planned {
    /// `session` called `name`, playing the audio of `audio`'s tracks: each of its tracks
    /// gets the one of `mine` that plays the same source, else has the same name.
    pub fn matched(
        name: &str,
        session: &Session,
        mine: &Session,
        audio: &[(usize, TrackAudio)],
        reference: bool,
    ) -> Planned {
        Planned {
            name: name.to_owned(),
            tracks: matched_tracks(session, mine, audio),
            session: session.clone(),
            reference,
        }
    }
}

/// The versions "Compare" in a lesson plays: my mix (`audio`), the lesson's start and its
/// reference mix, if it has one.
pub fn lesson_versions(audio: MixAudio, lesson: &Lesson) -> Vec<Planned> {
    let mut planned = vec![Planned::matched(
        "Start",
        &lesson.start,
        &audio.session,
        &audio.tracks,
        false,
    )];
    if let Some(Reference::Mix(reference)) = &lesson.reference {
        planned.push(Planned::matched(
            REFERENCE_MIX,
            reference,
            &audio.session,
            &audio.tracks,
            true,
        ));
    }
    planned.insert(
        0,
        Planned {
            name: "My mix".to_owned(),
            session: audio.session,
            tracks: audio.tracks,
            reference: false,
        },
    );
    planned
}

/// What the lesson's reference mix is called among the versions.
pub const REFERENCE_MIX: &str = "Reference mix";

impl Version {
    /// The matching gain, linear.
    pub fn gain_lin(&self) -> f32 {
        10f32.powf(self.gain_db / 20.0)
    }

    /// Its player and gain in `context`, connected to `destination`: at the matching gain
    /// when `heard`, else silent.
    pub fn connect(
        &self,
        context: &BaseAudioContext,
        destination: &web_sys::AudioNode,
        heard: bool,
    ) -> Result<(AudioBufferSourceNode, GainNode), JsValue> {
        let source = context.create_buffer_source()?;
        source.set_buffer(Some(&self.buffer));
        let gain = context.create_gain()?;
        gain.gain()
            .set_value(if heard { self.gain_lin() } else { 0.0 });
        source.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(destination)?;
        Ok((source, gain))
    }

    /// Length, frames.
    #[cfg(feature = "e2e")]
    pub fn frames(&self) -> u32 {
        self.buffer.length()
    }

    /// Sample rate, Hz.
    #[cfg(feature = "e2e")]
    pub fn sample_rate_hz(&self) -> f32 {
        self.buffer.sample_rate()
    }
}

/// A reference's long-term spectrum, as drawn over the master's.
pub struct ReferenceSpectrum<'a> {
    /// The reference's name.
    pub name: &'a str,
    /// Its levels at its own loudness.
    pub levels: &'a Analyzer,
    /// What to add to them to draw it at the first version's loudness, dB.
    pub offset_db: f32,
}

/// Versions playing together.
struct Playing {
    sources: Vec<AudioBufferSourceNode>,
    gains: Vec<GainNode>,
    /// Context time at which the versions' frame `offset_s` played, s.
    started_at_s: f64,
    offset_s: f64,
}

/// The versions of a mix to compare, and the one heard.
pub struct Comparison {
    context: BaseAudioContext,
    versions: Vec<Version>,
    heard: usize,
    playing: RefCell<Option<Playing>>,
}

impl Comparison {
    /// Renders each of `planned`, for the length of the longest track any of them plays,
    /// calling `progress(done, of)` per version; matches the versions' loudness. Errors are
    /// one sentence for the user.
    pub async fn prepare(
        context: BaseAudioContext,
        planned: Vec<Planned>,
        sample_rate_hz: f32,
        progress: &dyn Fn(usize, usize),
    ) -> Result<Comparison, String> {
        let of = planned.len();
        let frames = planned
            .iter()
            .flat_map(|p| &p.tracks)
            .flat_map(|(_, audio)| audio.channels.iter().map(Float32Array::length))
            .max()
            .unwrap_or(0);
        if frames == 0 {
            return Err("Could not compare: every track is empty.".to_owned());
        }
        let mut versions = Vec::with_capacity(of);
        for (i, p) in planned.into_iter().enumerate() {
            progress(i, of);
            let rendered = render(&p.session, &p.tracks, frames, sample_rate_hz).await?;
            versions.push(version(p.name, rendered, sample_rate_hz, p.reference)?);
        }
        progress(of, of);
        let mut comparison = Comparison {
            context,
            versions,
            heard: 0,
            playing: RefCell::new(None),
        };
        comparison.match_loudness();
        Ok(comparison)
    }

    /// Adds a decoded recording (at the context's rate) as a version called `name`, a
    /// reference (its spectrum drawn over the master's).
    pub fn add_recording(&mut self, name: String, buffer: AudioBuffer) -> Result<(), String> {
        let [left, right] = stereo_of(&buffer, &name)?;
        self.versions
            .push(measured(name, &left, &right, buffer, true));
        self.match_loudness();
        Ok(())
    }

    /// The long-term spectrum of the reference added last (a recording, else the reference
    /// mix), with what brings it to the loudness of the first version (my mix, when a lesson's
    /// Compare made it).
    pub fn reference_spectrum(&self) -> Option<ReferenceSpectrum<'_>> {
        let first = self.versions.first()?.loudness_lufs;
        self.versions.iter().rev().find_map(|v| {
            let offset = first - v.loudness_lufs;
            Some(ReferenceSpectrum {
                name: &v.name,
                levels: v.spectrum.as_ref()?,
                offset_db: if offset.is_finite() { offset } else { 0.0 },
            })
        })
    }

    /// Brings every version down to the quietest one's loudness: nothing is turned up, so
    /// nothing clips that did not before.
    fn match_loudness(&mut self) {
        let target = self
            .versions
            .iter()
            .map(|v| v.loudness_lufs)
            .filter(|l| l.is_finite())
            .fold(f32::INFINITY, f32::min);
        for v in &mut self.versions {
            v.gain_db = if v.loudness_lufs.is_finite() && target.is_finite() {
                target - v.loudness_lufs
            } else {
                0.0
            };
        }
    }

    /// The versions, the student's mix first.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version heard.
    pub fn heard(&self) -> usize {
        self.heard
    }

    /// Whether the versions are playing.
    pub fn is_playing(&self) -> bool {
        self.playing.borrow().is_some()
    }

    /// Starts every version at `offset_s` into the song, only `heard` audible.
    pub fn play(&self, offset_s: f64) -> Result<(), JsValue> {
        self.stop();
        let destination = self.context.destination();
        let at = self.context.current_time() + START_DELAY_S;
        let (mut sources, mut gains) = (Vec::new(), Vec::new());
        for (i, v) in self.versions.iter().enumerate() {
            let (source, gain) = v.connect(&self.context, &destination, i == self.heard)?;
            let offset = offset_s.clamp(0.0, v.buffer.duration());
            source.start_with_when_and_grain_offset(at, offset)?;
            sources.push(source);
            gains.push(gain);
        }
        *self.playing.borrow_mut() = Some(Playing {
            sources,
            gains,
            started_at_s: at,
            offset_s,
        });
        Ok(())
    }

    /// Makes version `index` the one heard: a crossfade of [`CROSSFADE_S`] when playing.
    pub fn hear(&mut self, index: usize) {
        if index >= self.versions.len() {
            return;
        }
        self.heard = index;
        if let Some(playing) = &*self.playing.borrow() {
            let now = self.context.current_time();
            for (i, gain) in playing.gains.iter().enumerate() {
                let to = if i == index {
                    self.versions[i].gain_lin()
                } else {
                    0.0
                };
                let param = gain.gain();
                let _ = param.cancel_scheduled_values(now);
                let _ = param.set_value_at_time(param.value(), now);
                let _ = param.linear_ramp_to_value_at_time(to, now + CROSSFADE_S);
            }
        }
    }

    /// Stops playing; returns where the versions were, s into the song.
    pub fn stop(&self) -> Option<f64> {
        let playing = self.playing.borrow_mut().take()?;
        for source in &playing.sources {
            #[allow(deprecated)]
            let _ = source.stop();
            source.disconnect().ok();
        }
        for gain in &playing.gains {
            gain.disconnect().ok();
        }
        let elapsed = (self.context.current_time() - playing.started_at_s).max(0.0);
        Some(playing.offset_s + elapsed)
    }
}

impl Drop for Comparison {
    fn drop(&mut self) {
        self.stop();
    }
}

/// For each track of `version`, the student's track that plays the same source (else the
/// same name), with its audio.
fn matched_tracks(
    version: &Session,
    mine: &Session,
    audio: &[(usize, TrackAudio)],
) -> Vec<(usize, TrackAudio)> {
    let audio_of = |j: usize| audio.iter().find(|(k, _)| *k == j).map(|(_, a)| a.clone());
    version
        .tracks
        .iter()
        .enumerate()
        .filter_map(|(i, track)| {
            let j = mine
                .tracks
                .iter()
                .position(|t| t.source == track.source)
                .or_else(|| mine.tracks.iter().position(|t| t.name == track.name))?;
            Some((i, audio_of(j)?))
        })
        .collect()
}

/// Renders `session` with `tracks` for `frames` frames at `sample_rate_hz`.
async fn render(
    session: &Session,
    tracks: &[(usize, TrackAudio)],
    frames: u32,
    sample_rate_hz: f32,
) -> Result<[Float32Array; 2], String> {
    render_offline_with_progress(
        session,
        tracks,
        frames,
        sample_rate_hz,
        &[],
        [-1; TAPS],
        None,
    )
    .await
    .map(|r| r.channels)
    .map_err(|e| format!("Could not compare: the render failed ({}).", describe(&e)))
}

/// A rendered version as an `AudioBuffer`, measured.
fn version(
    name: String,
    [left, right]: [Float32Array; 2],
    sample_rate_hz: f32,
    reference: bool,
) -> Result<Version, String> {
    let (l, r) = (left.to_vec(), right.to_vec());
    let buffer = (|| -> Result<AudioBuffer, JsValue> {
        let options = web_sys::AudioBufferOptions::new(l.len().max(1) as u32, sample_rate_hz);
        options.set_number_of_channels(2);
        let buffer = AudioBuffer::new(&options)?;
        buffer.copy_to_channel(&l, 0)?;
        buffer.copy_to_channel(&r, 1)?;
        Ok(buffer)
    })()
    .map_err(|e| format!("Could not compare: {}.", describe(&e)))?;
    Ok(measured(name, &l, &r, buffer, reference))
}

/// A version of `buffer` (samples `left`, `right`): its loudness, and its long-term spectrum
/// when it is a `reference`.
fn measured(
    name: String,
    left: &[f32],
    right: &[f32],
    buffer: AudioBuffer,
    reference: bool,
) -> Version {
    let loudness = normalize::measure(left, right, buffer.sample_rate(), 1.0).integrated_lufs;
    Version {
        name,
        loudness_lufs: loudness,
        gain_db: 0.0,
        spectrum: reference.then(|| Analyzer::long_term(left, right, 1.0)),
        buffer,
    }
}
