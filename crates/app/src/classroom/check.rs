//! "Check my mix" in the page: the lesson's goals measured by [`mixroom_lesson::Checker`], the
//! same code `mixroom check` runs, a slice at a time so the page keeps answering.

use mixroom_dsp::{SessionSources, Source};
use mixroom_lesson::{Checker, Progress, Report, CHECK_RATE_HZ};
use mixroom_protocol::lesson::{EarAnswer, Lesson};
use mixroom_protocol::session::Session;
use web_sys::AudioBuffer;

use super::{memory, recording};
use crate::audio::{decoding_context, yield_now, TrackAudio};
use crate::project::Project;
use crate::state::MixAudio;
use crate::text::upper_first;

/// Frames the checker renders between looks at the clock: 2048 frames is well under a
/// millisecond of engine time per track in an optimized build.
const SLICE_FRAMES: usize = 2048;

/// Main-thread time a check takes before it lets the page paint and answer, ms.
const BUSY_MS: f64 = 30.0;

/// The engine's sources for checking `mix` against `lesson`: its `tracks` (session track
/// index, audio at `sample_rate_hz`), stored as the worklet stores them
/// ([`Source::for_rate`]), and the lesson's reference `recording` when a goal hears it. A
/// check whose audio would pass the memory a check may take (all it holds,
/// [`Checker::audio_bytes`], against [`memory::over_budget`]), or whose samples cannot be had,
/// is refused with a sentence before any audio is copied into this module's memory.
pub fn sources_of(
    lesson: &Lesson,
    mix: &Session,
    tracks: &[(usize, TrackAudio)],
    recording: Option<&AudioBuffer>,
    sample_rate_hz: f32,
) -> Result<(SessionSources, Option<Source>), String> {
    let count = mix.tracks.len();
    let Ok(checker) = Checker::new(lesson, mix, vec![None; count], sample_rate_hz) else {
        // Checked without audio, the mix gets the reason it cannot be checked.
        return Ok((vec![None; count], None));
    };
    let mut shapes = vec![(0, 0); count];
    for (i, audio) in tracks {
        if let Some(shape) = shapes.get_mut(*i) {
            let frames = audio.channels.first().map_or(0, |c| c.length() as usize);
            *shape = (audio.channels.len(), frames);
        }
    }
    let recording = recording.filter(|_| checker.needs_reference_recording());
    let heard = recording.map(|b| (b.number_of_channels() as usize, b.length() as usize));
    if let Some(why) = memory::over_budget(checker.audio_bytes(&shapes, heard)) {
        return Err(why);
    }
    let mut sources: SessionSources = vec![None; count];
    for (i, audio) in tracks {
        let channels = audio
            .channels
            .iter()
            .map(|c| memory::try_copy(c.length() as usize, |out| c.copy_to(out)))
            .collect::<Result<Vec<_>, _>>()?;
        let source = Source::for_rate(channels, sample_rate_hz)
            .map_err(|e| format!("track {}: {e}", i + 1))?;
        if let Some(slot) = sources.get_mut(*i) {
            *slot = Some(source);
        }
    }
    let recording = recording
        .map(|buffer| {
            recording::source_of(buffer)
                .map_err(|why| format!("The reference recording cannot be used ({why})"))
        })
        .transpose()?;
    Ok((sources, recording))
}

/// Why `mix` cannot be checked against `lesson` whatever its audio (a goal names a strip it
/// does not have), if it cannot: said before any audio is gathered.
pub fn problem(lesson: &Lesson, mix: &Session) -> Option<String> {
    Checker::new(
        lesson,
        mix,
        vec![None; mix.tracks.len()],
        CHECK_RATE_HZ as f32,
    )
    .err()
    .map(|e| format!("This mix cannot be checked: {e}."))
}

/// The lesson's reference recording, decoded at [`CHECK_RATE_HZ`], for checking `mix`,
/// when a goal compares with it: `Ok(None)` when none does. It is had once per page
/// ([`recording::of_lesson`]: fetched from its URL once the user agreed to its host, or read
/// from `project`'s storage); `fetching(text)` hears how far. The error says why it could not
/// be had (the check goes on without it, and that goal says it was not measured).
pub async fn reference_recording(
    project: Project,
    lesson: &Lesson,
    mix: &Session,
    fetching: &dyn Fn(String),
) -> Result<Option<AudioBuffer>, String> {
    let needed = Checker::new(
        lesson,
        mix,
        vec![None; mix.tracks.len()],
        CHECK_RATE_HZ as f32,
    )
    .is_ok_and(|c| c.needs_reference_recording());
    if !needed {
        return Ok(None);
    }
    let context = decoding_context(CHECK_RATE_HZ as f32)?;
    let progress = |bytes: f64, of: Option<f64>| {
        fetching(match of {
            Some(of) => format!(
                "Fetching the reference recording: {:.0}%",
                100.0 * bytes / of.max(1.0)
            ),
            None => format!("Fetching the reference recording: {:.1} MB", bytes / 1e6),
        })
    };
    let had = recording::of_lesson(&context, project, lesson, progress)
        .await
        .map_err(|why| format!("{}; its goal is not measured.", upper_first(&why)))?;
    Ok(had.map(|(_, buffer)| buffer))
}

/// Checks `audio`'s mix, with `answers` to the ear-training goals, against `lesson`, calling
/// `progress` after each slice of work; a goal that compares with a reference recording hears
/// `recording` (decoded at the mix's rate).
pub async fn check_mix(
    lesson: &Lesson,
    audio: MixAudio,
    answers: Vec<EarAnswer>,
    recording: Option<AudioBuffer>,
    progress: &dyn Fn(Progress),
) -> Result<Report, String> {
    let (sources, recording) = sources_of(
        lesson,
        &audio.session,
        &audio.tracks,
        recording.as_ref(),
        audio.sample_rate_hz,
    )?;
    drop(audio.tracks);
    check_session(
        lesson,
        &audio.session,
        sources,
        Checked { answers, recording },
        audio.sample_rate_hz,
        progress,
    )
    .await
}

/// What a check hears beside the mix.
pub struct Checked {
    /// The answers given to the lesson's ear-training goals.
    pub answers: Vec<EarAnswer>,
    /// The lesson's reference recording, for a goal that compares with it.
    pub recording: Option<Source>,
}

/// Checks `mix`, whose tracks play `sources`, against `lesson` with what `with` gives,
/// calling `progress` after each slice of work. Errors are one sentence for the user.
pub async fn check_session(
    lesson: &Lesson,
    mix: &Session,
    sources: SessionSources,
    with: Checked,
    sample_rate_hz: f32,
    progress: &dyn Fn(Progress),
) -> Result<Report, String> {
    let mut checker = Checker::new(lesson, mix, sources, sample_rate_hz)
        .map_err(|e| format!("This mix cannot be checked: {e}."))?
        .with_answers(with.answers);
    if let Some(recording) = with.recording {
        checker = checker.with_reference_recording(recording);
    }
    let clock = Clock::new();
    loop {
        let started = clock.now_ms();
        let mut done = checker.step(SLICE_FRAMES);
        while !done.is_done() && clock.now_ms() - started < BUSY_MS {
            done = checker.step(SLICE_FRAMES);
        }
        progress(done);
        if done.is_done() {
            break;
        }
        let _ = yield_now().await;
    }
    Ok(checker.finish())
}

/// `performance.now()`, ms.
struct Clock(Option<web_sys::Performance>);

impl Clock {
    fn new() -> Clock {
        Clock(web_sys::window().and_then(|w| w.performance()))
    }

    fn now_ms(&self) -> f64 {
        self.0.as_ref().map_or_else(js_sys::Date::now, |p| p.now())
    }
}
