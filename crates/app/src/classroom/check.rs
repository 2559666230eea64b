//! "Check my mix" in the page: the lesson's goals measured by [`mixroom_lesson::Checker`], the
//! same code `mixroom check` runs, a slice at a time so the page keeps answering.

use mixroom_dsp::{SessionSources, Source};
use mixroom_lesson::{Checker, Progress, Report};
use mixroom_protocol::lesson::Lesson;
use mixroom_protocol::session::Session;

use crate::audio::{yield_now, TrackAudio};
use crate::state::MixAudio;

/// Frames the checker renders between looks at the clock: 2048 frames is well under a
/// millisecond of engine time per track in an optimized build.
const SLICE_FRAMES: usize = 2048;

/// Main-thread time a check takes before it lets the page paint and answer, ms.
const BUSY_MS: f64 = 30.0;

/// The engine's sources for `tracks` (session track index, audio at `sample_rate_hz`) of a
/// session with `count` tracks, stored as the worklet stores them ([`Source::for_rate`]).
pub fn sources_of(
    count: usize,
    tracks: &[(usize, TrackAudio)],
    sample_rate_hz: f32,
) -> Result<SessionSources, String> {
    let mut sources: SessionSources = vec![None; count];
    for (i, audio) in tracks {
        let channels: Vec<Vec<f32>> = audio.channels.iter().map(|c| c.to_vec()).collect();
        let source = Source::for_rate(channels, sample_rate_hz)
            .map_err(|e| format!("track {}: {e}", i + 1))?;
        if let Some(slot) = sources.get_mut(*i) {
            *slot = Some(source);
        }
    }
    Ok(sources)
}

/// Why `mix` cannot be checked against `lesson` whatever its audio (a goal names a strip it
/// does not have), if it cannot: said before any audio is gathered.
pub fn problem(lesson: &Lesson, mix: &Session) -> Option<String> {
    Checker::new(lesson, mix, vec![None; mix.tracks.len()], 48_000.0)
        .err()
        .map(|e| format!("This mix cannot be checked: {e}."))
}

/// Checks `audio`'s mix against `lesson`, calling `progress` after each slice of work.
pub async fn check_mix(
    lesson: &Lesson,
    audio: MixAudio,
    progress: &dyn Fn(Progress),
) -> Result<Report, String> {
    let sources = sources_of(
        audio.session.tracks.len(),
        &audio.tracks,
        audio.sample_rate_hz,
    )?;
    drop(audio.tracks);
    check_session(
        lesson,
        &audio.session,
        sources,
        audio.sample_rate_hz,
        progress,
    )
    .await
}

/// Checks `mix`, whose tracks play `sources`, against `lesson`, calling `progress` after each
/// slice of work. Errors are one sentence for the user.
pub async fn check_session(
    lesson: &Lesson,
    mix: &Session,
    sources: SessionSources,
    sample_rate_hz: f32,
    progress: &dyn Fn(Progress),
) -> Result<Report, String> {
    let mut checker = Checker::new(lesson, mix, sources, sample_rate_hz)
        .map_err(|e| format!("This mix cannot be checked: {e}."))?;
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
