//! A session's sources made into the engine's: demo stems synthesized at the render rate, files
//! decoded from a folder or from memory (a bundle's entries), downmixed and resampled the way
//! the page's import does, and stored as [`Source::for_rate`] stores them in the browser (16-bit
//! above 60 s).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use mixroom_dsp::downmix::ChannelPlan;
use mixroom_dsp::{SessionSources, Source};
use mixroom_protocol::session::{self, Session, Track};

use crate::decode::{decode_bytes, decode_file, Decoded};
use crate::resample::resample;

/// Where a session's files are: each is named by its `FileSource.path`.
pub trait Files {
    /// Decodes the file at `path`; the error names the file and what is wrong with it.
    fn decode(&self, path: &str) -> Result<Decoded, String>;
}

/// Files on disk, relative to a folder (the session file's).
pub struct Folder(pub PathBuf);

impl Files for Folder {
    fn decode(&self, path: &str) -> Result<Decoded, String> {
        decode_path(&self.0.join(path))
    }
}

/// Files in memory by path (a bundle's entries).
impl Files for BTreeMap<String, Vec<u8>> {
    fn decode(&self, path: &str) -> Result<Decoded, String> {
        let bytes = self
            .get(path)
            .ok_or_else(|| format!("{path} is not in the bundle"))?;
        decode_bytes(bytes, path).map_err(|e| format!("{path} {e}"))
    }
}

/// Decodes the file at `path`; the error is a sentence naming it (missing, a folder, empty, not
/// audio, damaged...).
pub fn decode_path(path: &Path) -> Result<Decoded, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| io_problem(path, &e))?;
    if metadata.is_dir() {
        return Err(format!("{shown} is a folder, not an audio file"));
    }
    decode_file(path).map_err(|e| format!("{shown} {e}"))
}

/// A sentence for an error reading `path`.
pub fn io_problem(path: &Path, e: &io::Error) -> String {
    let shown = path.display();
    match e.kind() {
        io::ErrorKind::NotFound => format!("cannot find {shown}"),
        io::ErrorKind::PermissionDenied => format!("not allowed to read {shown}"),
        io::ErrorKind::IsADirectory => format!("{shown} is a folder, not a file"),
        _ => format!("cannot read {shown}: {e}"),
    }
}

/// A file's channels as a track's: mono and stereo as they are, 3 to 8 channels folded down to
/// stereo (ITU-R BS.775, [`ChannelPlan`]). Returns the channels and whether they were folded.
pub fn track_channels(channels: Vec<Vec<f32>>) -> Result<(Vec<Vec<f32>>, bool), String> {
    let count = channels.len();
    let plan = ChannelPlan::for_channels(count).ok_or_else(|| {
        format!("has {count} channels; Mixroom takes 1 to 8 (mono, stereo or surround up to 7.1)")
    })?;
    if !plan.is_downmix() {
        return Ok((channels, false));
    }
    let frames = channels.first().map_or(0, Vec::len);
    let (mut left, mut right) = (vec![0.0; frames], vec![0.0; frames]);
    plan.mix(&channels, frames, &mut left, &mut right);
    Ok((vec![left, right], true))
}

/// The engine's sources for `session`'s tracks at `sample_rate_hz` (8 kHz..192 kHz): demo
/// stems synthesized, files found in `files`, downmixed and resampled (a note on stderr for each
/// file resampled). The error names the track and what is wrong.
pub fn load_sources(
    session: &Session,
    files: &dyn Files,
    sample_rate_hz: u32,
) -> Result<SessionSources, String> {
    let mut stems = None;
    session
        .tracks
        .iter()
        .map(|track| {
            let channels = match &track.source {
                session::Source::Demo(id) => demo_stem(track, id, sample_rate_hz, &mut stems)?,
                session::Source::File(file) => {
                    file_channels(track, files, &file.path, sample_rate_hz)?
                }
                session::Source::Url(url) => {
                    return Err(format!(
                        "track \"{}\" plays {url}, which the command line does not download; \
                         download it and point the session at the file",
                        track.name
                    ))
                }
            };
            Source::for_rate(channels, sample_rate_hz as f32)
                .map(Some)
                .map_err(|e| format!("track \"{}\": {e}", track.name))
        })
        .collect()
}

/// The demo stem `id` at `sample_rate_hz`; every stem is synthesized once, on first use, into
/// `stems` (the drum kit is shared by eight of them).
fn demo_stem(
    track: &Track,
    id: &str,
    sample_rate_hz: u32,
    stems: &mut Option<Vec<mixroom_demo::Stem>>,
) -> Result<Vec<Vec<f32>>, String> {
    if !mixroom_demo::STEMS.iter().any(|(known, _)| *known == id) {
        return Err(format!(
            "track \"{}\" uses the demo stem \"{id}\", which the demo song does not have",
            track.name
        ));
    }
    let stems = stems.get_or_insert_with(|| mixroom_demo::render_stems(sample_rate_hz as f32));
    let stem = stems
        .iter()
        .find(|s| s.id == id)
        .expect("every known stem is rendered");
    Ok(stem.channels.clone())
}

/// The file at `path` as a track's channels at `sample_rate_hz`.
fn file_channels(
    track: &Track,
    files: &dyn Files,
    path: &str,
    sample_rate_hz: u32,
) -> Result<Vec<Vec<f32>>, String> {
    let name = &track.name;
    let decoded = files
        .decode(path)
        .map_err(|e| format!("track \"{name}\": {e}"))?;
    let (channels, _) =
        track_channels(decoded.channels).map_err(|e| format!("track \"{name}\": {path} {e}"))?;
    if decoded.sample_rate_hz == sample_rate_hz {
        return Ok(channels);
    }
    eprintln!(
        "mixroom: note: track \"{name}\": {path} is at {} Hz, resampled to {sample_rate_hz} Hz",
        decoded.sample_rate_hz
    );
    resample(&channels, decoded.sample_rate_hz, sample_rate_hz)
        .map_err(|e| format!("track \"{name}\": {path}: {e}"))
}
