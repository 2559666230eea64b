//! The audio of a mix that is not the one playing (a hand-in): each track's source found as
//! opening it would find it (demo stems synthesized, files from this browser's storage), kept
//! for the next hand-in that plays the same source.

use std::rc::Rc;

use mixroom_protocol::session::{self, Session};

use crate::audio::{decoding_context, TrackAudio};
use crate::project::{resolve, BundleFiles, Project, Resolved};

/// Tracks' audio already prepared, by the source it came from, the oldest forgotten first
/// beyond [`MAX_CACHE_BYTES`] (a class of hand-ins each with its own files must not hold them
/// all).
#[derive(Default)]
pub struct AudioCache(Vec<(session::Source, TrackAudio)>);

/// Most samples an [`AudioCache`] keeps besides the newest audio, bytes (512 MiB).
const MAX_CACHE_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

impl AudioCache {
    /// Keeps `audio`, the audio of `source`, forgetting the oldest while the rest take more
    /// than [`MAX_CACHE_BYTES`].
    fn keep(&mut self, source: session::Source, audio: TrackAudio) {
        self.0.push((source, audio));
        let bytes = |audio: &TrackAudio| -> f64 {
            audio
                .channels
                .iter()
                .map(|c| f64::from(c.length()) * 4.0)
                .sum()
        };
        let mut total: f64 = self.0.iter().map(|(_, audio)| bytes(audio)).sum();
        while total > MAX_CACHE_BYTES && self.0.len() > 1 {
            total -= bytes(&self.0.remove(0).1);
        }
    }
}

/// The audio of `session`'s tracks at `rate_hz` (a check's) or else the engine's rate, by
/// track index, and that rate, Hz; a file is taken from `files` (the bundle the session came
/// in) when given, else from this browser's storage. The error names the track and what is
/// missing. `cache` holds audio at one rate.
pub async fn session_audio(
    project: Project,
    session: &Session,
    files: Option<&BundleFiles>,
    cache: &mut AudioCache,
    rate_hz: Option<f32>,
) -> Result<(Vec<(usize, TrackAudio)>, f32), String> {
    let bridge = project
        .mixer()
        .with_bridge(Rc::clone)
        .ok_or("the audio engine is not running")?;
    let context = match rate_hz {
        Some(rate_hz) => decoding_context(rate_hz)?,
        None => bridge.context().clone(),
    };
    let store = project.store();
    let mut tracks = Vec::with_capacity(session.tracks.len());
    for (i, track) in session.tracks.iter().enumerate() {
        let cached = cache
            .0
            .iter()
            .find(|(source, _)| *source == track.source)
            .map(|(_, audio)| audio.clone());
        let audio = match cached {
            Some(audio) => audio,
            None => {
                let audio = match resolve(&context, store.as_ref(), files, track).await {
                    Resolved::Ready(imported) => imported.into_parts().1.into_track_audio(),
                    Resolved::Waiting => return Err(missing(track)),
                    Resolved::Failed(why) => return Err(why),
                };
                cache.keep(track.source.clone(), audio.clone());
                audio
            }
        };
        tracks.push((i, audio));
    }
    Ok((tracks, context.sample_rate()))
}

/// Why `track`'s audio cannot be had here.
fn missing(track: &session::Track) -> String {
    match &track.source {
        session::Source::Url(url) => format!(
            "Track “{}” plays {url}, which is not fetched for a check: open the hand-in to \
             load it",
            track.name
        ),
        session::Source::File(file) => format!(
            "Track “{}” plays the file “{}”, which this browser does not have: import it (or \
             open the student's .mixroom project) first",
            track.name,
            file.name()
        ),
        session::Source::Demo(id) => {
            format!(
                "Track “{}” plays the demo stem “{id}”, which is missing",
                track.name
            )
        }
    }
}
