//! The audio of a mix that is not the one playing (a hand-in): each track's source found as
//! opening it would find it (demo stems synthesized, files from this browser's storage), kept
//! for the next hand-in that plays the same source.

use std::rc::Rc;

use mixroom_dsp::{SessionSources, Source};
use mixroom_protocol::session::{self, Session};

use crate::project::{resolve, Project, Resolved};

/// Channels already prepared, by the source they came from.
#[derive(Default)]
pub struct AudioCache(Vec<(session::Source, Vec<Vec<f32>>)>);

/// The engine's sources for `session`'s tracks at the engine's rate (as the worklet stores
/// them), and that rate, Hz. The error names the track and what is missing.
pub async fn session_sources(
    project: Project,
    session: &Session,
    cache: &mut AudioCache,
) -> Result<(SessionSources, f32), String> {
    let bridge = project
        .mixer()
        .with_bridge(Rc::clone)
        .ok_or("the audio engine is not running")?;
    let store = project.store();
    let rate_hz = bridge.sample_rate_hz();
    let mut sources = Vec::with_capacity(session.tracks.len());
    for track in &session.tracks {
        let cached = cache
            .0
            .iter()
            .find(|(source, _)| *source == track.source)
            .map(|(_, channels)| channels.clone());
        let channels = match cached {
            Some(channels) => channels,
            None => {
                let channels: Vec<Vec<f32>> =
                    match resolve(&bridge, store.as_ref(), None, track).await {
                        Resolved::Ready(imported) => {
                            let (_, audio, _) = imported.into_parts();
                            let audio = audio.into_track_audio();
                            audio.channels.iter().map(|c| c.to_vec()).collect()
                        }
                        Resolved::Waiting => return Err(missing(track)),
                        Resolved::Failed(why) => return Err(why),
                    };
                cache.0.push((track.source.clone(), channels.clone()));
                channels
            }
        };
        let source = Source::for_rate(channels, rate_hz)
            .map_err(|e| format!("Track “{}”: {e}", track.name))?;
        sources.push(Some(source));
    }
    Ok((sources, rate_hz))
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
