//! The mix with the audio of every track, prepared again from its origin: what an export or a
//! lesson check renders.

use std::rc::Rc;

use js_sys::Float32Array;
use mixroom_protocol::session::Session;

use super::{Mixer, Snapshot};
use crate::audio::{decoding_context, TrackAudio};

/// The mix ready to render: the session, each session track's audio, the length.
pub struct MixAudio {
    /// The mix as it was when gathered.
    pub session: Session,
    /// Each session track (by index in `session.tracks`) with its audio at `sample_rate_hz`.
    pub tracks: Vec<(usize, TrackAudio)>,
    /// The longest track, frames.
    pub frames: u32,
    /// The rate the audio is at, Hz: the engine's, or a check's.
    pub sample_rate_hz: f32,
}

impl Mixer {
    /// Gathers the mix and prepares every track's audio again, at `rate_hz` (a check's) or
    /// else at the engine's rate, calling `preparing(track, of)` (1-based) before each.
    /// Errors are one sentence for the user, saying what could not be done with `verb`
    /// ("export", "check the mix").
    pub async fn mix_audio(
        &self,
        verb: &str,
        preparing: &dyn Fn(usize, usize),
        rate_hz: Option<f32>,
    ) -> Result<MixAudio, String> {
        let bridge = self
            .with_bridge(Rc::clone)
            .ok_or_else(|| format!("Could not {verb}: the audio engine is not running."))?;
        let context = match rate_hz {
            Some(rate_hz) => {
                decoding_context(rate_hz).map_err(|why| format!("Could not {verb}: {why}."))?
            }
            None => bridge.context().clone(),
        };
        let snapshot: Snapshot = self.snapshot();
        let count = snapshot.strips.len();
        if count == 0 {
            return Err(format!(
                "Could not {verb}: the mix has no tracks. Import some audio first."
            ));
        }
        let mut tracks = Vec::with_capacity(count);
        for (i, strip) in snapshot.strips.iter().enumerate() {
            preparing(i + 1, count);
            let name = &snapshot.session.tracks[i].name;
            match bridge.track_audio(strip.position(), &context).await {
                Some(Ok(audio)) => tracks.push((i, audio)),
                Some(Err(e)) => {
                    return Err(format!(
                        "Could not {verb}: track “{name}” could not be prepared again. {e}"
                    ))
                }
                None => {
                    return Err(format!(
                        "Could not {verb}: track “{name}” has no audio yet (it is still \
                         loading, or its file is missing); wait for it or remove the track."
                    ))
                }
            }
        }
        let frames = tracks
            .iter()
            .flat_map(|(_, audio)| audio.channels.iter().map(Float32Array::length))
            .max()
            .unwrap_or(0);
        if frames == 0 {
            return Err(format!("Could not {verb}: every track is empty."));
        }
        Ok(MixAudio {
            session: snapshot.session,
            tracks,
            frames,
            sample_rate_hz: context.sample_rate(),
        })
    }
}
