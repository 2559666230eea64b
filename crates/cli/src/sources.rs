//! A session's sources made into the engine's: demo stems synthesized at the render rate, files
//! decoded from a folder or from memory (a bundle's entries), downmixed and resampled the way
//! the page's import does, and stored as [`Source::for_rate`] stores them in the browser (16-bit
//! above 60 s).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use mixroom_dsp::downmix::ChannelPlan;
use mixroom_dsp::{SessionSources, Source};
use mixroom_protocol::session::{self, Session, Track};

use crate::decode::{self, decode_file, Decoded, Keep};
use crate::resample::resample;

/// Where a session's files are: each is named by its `FileSource.path`.
pub trait Files {
    /// Decodes the file at `path`, as much as `keep` says; the error names the file and what
    /// is wrong with it.
    fn decode(&self, path: &str, keep: Keep) -> Result<Decoded, String>;
}

/// Files on disk, relative to a folder (the session file's). A path a session, lesson or
/// hand-in names is read only inside that folder ([`outside_problem`]) unless the command line
/// says `--allow-paths-outside` ([`allow_paths_outside`]): a stranger's file must not make the
/// command read `/etc/passwd`, `../../secret.wav` or `\\server\share\x.wav`.
pub struct Folder(pub PathBuf);

impl Files for Folder {
    fn decode(&self, path: &str, keep: Keep) -> Result<Decoded, String> {
        if !PATHS_OUTSIDE.load(Ordering::Relaxed) {
            if let Some(why) = outside_problem(path) {
                return Err(format!(
                    "{path} {why}: the command reads a file only inside the folder of what names \
                     it (pass --allow-paths-outside to read it anyway)"
                ));
            }
        }
        decode_path(&self.0.join(path), keep)
    }
}

/// Whether [`Folder`]s read paths outside themselves; set once from the command line.
static PATHS_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Lets [`Folder`]s read any path a session names (`--allow-paths-outside`).
pub fn allow_paths_outside() {
    PATHS_OUTSIDE.store(true, Ordering::Relaxed);
}

/// Why `path` (as a session names a file) is not inside the folder it is read from, if it is
/// not: absolute (`/x`, `\x`), a drive (`C:`) or network share (`\\server`), or climbing out
/// with `..` (either slash counts: a session may come from Windows).
pub fn outside_problem(path: &str) -> Option<&'static str> {
    let bytes = path.as_bytes();
    if path.starts_with(['/', '\\']) || Path::new(path).has_root() {
        Some("is an absolute path")
    } else if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        Some("names a drive")
    } else if path.split(['/', '\\']).any(|part| part == "..") {
        Some("climbs out of its folder (..)")
    } else {
        None
    }
}

/// Decodes the file at `path`, as much as `keep` says; the error is a sentence naming it
/// (missing, a folder, empty, not audio, damaged, over the memory budget...).
pub fn decode_path(path: &Path, keep: Keep) -> Result<Decoded, String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| io_problem(path, &e))?;
    if metadata.is_dir() {
        return Err(format!("{shown} is a folder, not an audio file"));
    }
    decode_file(path, keep).map_err(|e| format!("{shown} {e}"))
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
/// stems synthesized, files found in `files`, as much of each as `keep` says, downmixed and
/// resampled (a note on stderr for each file resampled). The error names the track and what is
/// wrong. Each track's samples are held ([`decode::hold`]) until the caller's work ends.
pub fn load_sources(
    session: &Session,
    files: &dyn Files,
    sample_rate_hz: u32,
    keep: Keep,
) -> Result<SessionSources, String> {
    load_sources_from(
        session,
        files,
        sample_rate_hz,
        keep,
        &mut DemoStems::Once(None),
    )
}

/// The demo stems a session's tracks play.
pub enum DemoStems {
    /// Synthesized on first use and handed over (a stem played twice is synthesized again).
    Once(Option<Vec<mixroom_demo::Stem>>),
    /// Synthesized once for many sessions (`mixroom check`): each track gets a copy.
    Shared(std::cell::OnceCell<Vec<mixroom_demo::Stem>>),
}

/// [`load_sources`], with the demo stems from `stems`.
pub fn load_sources_from(
    session: &Session,
    files: &dyn Files,
    sample_rate_hz: u32,
    keep: Keep,
    stems: &mut DemoStems,
) -> Result<SessionSources, String> {
    session
        .tracks
        .iter()
        .map(|track| {
            let channels = match &track.source {
                session::Source::Demo(id) => demo_stem(track, id, sample_rate_hz, stems)?,
                session::Source::File(file) => channels_at(
                    &format!("track \"{}\"", track.name),
                    files,
                    &file.path,
                    sample_rate_hz,
                    keep,
                )?,
                session::Source::Url(url) => {
                    return Err(format!(
                        "track \"{}\" plays {url}, which the command line does not download; \
                         download it and point the session at the file",
                        track.name
                    ))
                }
            };
            // Held until the work ends: the next file's budget is what this one leaves.
            decode::hold(samples_bytes(&channels));
            Source::for_rate(channels, sample_rate_hz as f32)
                .map(Some)
                .map_err(|e| format!("track \"{}\": {e}", track.name))
        })
        .collect()
}

/// The demo stem `id` at `sample_rate_hz`. Every stem is synthesized on first use into `stems`
/// (the drum kit is shared by eight of them) and handed over, not copied, unless they are
/// shared; a stem a second track plays again is synthesized again.
fn demo_stem(
    track: &Track,
    id: &str,
    sample_rate_hz: u32,
    stems: &mut DemoStems,
) -> Result<Vec<Vec<f32>>, String> {
    let unknown = || {
        format!(
            "track \"{}\" uses the demo stem \"{id}\", which the demo song does not have",
            track.name
        )
    };
    if !mixroom_demo::STEMS.iter().any(|(known, _)| *known == id) {
        return Err(unknown());
    }
    let render = || mixroom_demo::render_stems(sample_rate_hz as f32);
    let stems = match stems {
        DemoStems::Once(stems) => stems.get_or_insert_with(render),
        DemoStems::Shared(stems) => {
            let stem = stems.get_or_init(render).iter().find(|s| s.id == id);
            return stem.map(|s| s.channels.clone()).ok_or_else(unknown);
        }
    };
    let stem = stems.iter_mut().find(|s| s.id == id).ok_or_else(unknown)?;
    if stem.channels.is_empty() {
        let again = mixroom_demo::render_stem(id, sample_rate_hz as f32).ok_or_else(unknown)?;
        return Ok(again.channels);
    }
    Ok(std::mem::take(&mut stem.channels))
}

/// The file at `path` in `files` as the engine's source at `sample_rate_hz`, decoded,
/// downmixed and resampled as a track's file (a note on stderr when it is resampled): a lesson's
/// reference recording for the check. The error is a sentence that starts with "the reference
/// recording".
pub fn recording_source(
    files: &dyn Files,
    path: &str,
    sample_rate_hz: u32,
) -> Result<Source, String> {
    let what = "the reference recording";
    let channels = channels_at(what, files, path, sample_rate_hz, Keep::All)?;
    // Kept for every mix the command checks.
    decode::pin(samples_bytes(&channels));
    Source::for_rate(channels, sample_rate_hz as f32).map_err(|e| format!("{what}: {e}"))
}

/// What `channels` take as f32 samples, bytes.
pub fn samples_bytes(channels: &[Vec<f32>]) -> u64 {
    channels.iter().map(|c| c.len() as u64 * 4).sum()
}

/// The file at `path` in `files` as a track's channels at `sample_rate_hz`, as much as `keep`
/// says; `what` (the track, the recording) starts each message. Resampling keeps to the memory
/// budget too (the file's samples and the resampled ones, [`decode::over_budget`]).
fn channels_at(
    what: &str,
    files: &dyn Files,
    path: &str,
    sample_rate_hz: u32,
    keep: Keep,
) -> Result<Vec<Vec<f32>>, String> {
    let decoded = files
        .decode(path, keep)
        .map_err(|e| format!("{what}: {e}"))?;
    let (channels, _) =
        track_channels(decoded.channels).map_err(|e| format!("{what}: {path} {e}"))?;
    if decoded.sample_rate_hz == sample_rate_hz {
        return Ok(channels);
    }
    let frames = channels.first().map_or(0, Vec::len) as u64;
    let resampled = frames * u64::from(sample_rate_hz) / u64::from(decoded.sample_rate_hz) + 1;
    let bytes = (frames + resampled) * 4 * channels.len() as u64;
    if let Some(over) = decode::over_budget(bytes) {
        return Err(format!(
            "{what}: {path}, resampled to {sample_rate_hz} Hz, {over}"
        ));
    }
    eprintln!(
        "mixroom: note: {what}: {path} is at {} Hz, resampled to {sample_rate_hz} Hz",
        decoded.sample_rate_hz
    );
    resample(channels, decoded.sample_rate_hz, sample_rate_hz)
        .map_err(|e| format!("{what}: {path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_reads_files_only_inside_its_folder() {
        // Reference: path traversal (CWE-22), with Windows' drive and UNC forms.
        for inside in [
            "kick.wav",
            "stems/kick.wav",
            "a..b.wav",
            "./x.wav",
            "کتاب\u{200C}ها.wav",
        ] {
            assert_eq!(outside_problem(inside), None, "{inside}");
        }
        for outside in [
            "/etc/passwd",
            "\\\\server\\share\\x.wav",
            "\\x.wav",
            "C:\\Users\\x.wav",
            "c:x.wav",
            "../x.wav",
            "stems/../../x.wav",
            "stems\\..\\..\\x.wav",
        ] {
            assert!(outside_problem(outside).is_some(), "{outside}");
        }
    }

    #[test]
    fn a_demo_stem_played_twice_is_the_same_audio() {
        let mut session = mixroom_demo::session();
        session.tracks.truncate(3);
        session.tracks[2].source = session::Source::Demo("kick".to_owned());
        let sources = load_sources(&session, &Folder(PathBuf::new()), 8_000, Keep::All).unwrap();
        let kick = mixroom_demo::render_stem("kick", 8_000.0).unwrap().channels;
        let want = Source::for_rate(kick, 8_000.0).unwrap();
        assert_eq!(sources[0].as_ref(), Some(&want));
        assert_eq!(sources[2].as_ref(), Some(&want));
        assert_ne!(sources[1].as_ref(), Some(&want), "the snare");
    }

    #[test]
    fn surround_folds_down_and_mono_stays_mono() {
        let (mono, folded) = track_channels(vec![vec![0.5; 3]]).unwrap();
        assert_eq!((mono, folded), (vec![vec![0.5; 3]], false));
        // 5.1: L R C LFE Ls Rs; the centre feeds both sides at −3 dB, the LFE is dropped.
        let channels = [1.0, 0.0, 0.5, 9.0, 0.0, 0.25].map(|x| vec![x; 2]).to_vec();
        let (stereo, folded) = track_channels(channels).unwrap();
        let g = std::f32::consts::FRAC_1_SQRT_2;
        assert!(folded);
        assert_eq!(
            stereo,
            [vec![1.0 + 0.5 * g; 2], vec![0.5 * g + 0.25 * g; 2]]
        );
        let error = track_channels(vec![vec![0.0; 1]; 10]).unwrap_err();
        assert_eq!(
            error,
            "has 10 channels; Mixroom takes 1 to 8 (mono, stereo or surround up to 7.1)"
        );
    }
}
