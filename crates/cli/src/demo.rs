//! `mixroom demo`: the demo song's stems as WAV files, with a session that plays them. The same
//! parts write a lesson's files (`mixroom lesson export`).

use std::path::Path;

use mixroom_protocol::session::{demo_file_name, FileSource, Session, Source};

use crate::sources::io_problem;
use crate::wav;

/// Writes every stem of `mixroom_demo::STEMS` at `sample_rate_hz` into `dir` (created if
/// needed) as `<id>.wav`, mono 32-bit float, exactly the samples the engine plays, and
/// `session.json`: the demo session (`mixroom_demo::session()`) with each track's source the
/// file beside it, so that rendering it gives the demo's mix.
pub fn run(dir: &Path, sample_rate_hz: u32) -> Result<(), String> {
    make_dir(dir)?;
    write_stems(dir, sample_rate_hz, |_| true)?;
    write_session(
        &dir.join("session.json"),
        &playing_files(mixroom_demo::session()),
    )
}

/// Makes the folder `dir` (and its parents) unless it is there.
pub fn make_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
            format!(
                "cannot make the folder {}: a file is in the way",
                dir.display()
            )
        }
        _ => format!("cannot make the folder {}: {e}", dir.display()),
    })
}

/// Writes the demo stems whose id `wanted` takes into `dir` as [`demo_file_name`]s, mono 32-bit
/// float at `sample_rate_hz`.
pub fn write_stems(
    dir: &Path,
    sample_rate_hz: u32,
    wanted: impl Fn(&str) -> bool,
) -> Result<(), String> {
    for stem in mixroom_demo::render_stems(sample_rate_hz as f32) {
        if wanted(stem.id) {
            let channels: Vec<&[f32]> = stem.channels.iter().map(Vec::as_slice).collect();
            wav::write_f32(
                &dir.join(demo_file_name(stem.id)),
                sample_rate_hz,
                &channels,
            )?;
        }
    }
    Ok(())
}

/// `session` with each demo track playing the stem's file beside the session instead.
pub fn playing_files(mut session: Session) -> Session {
    for track in &mut session.tracks {
        if let Source::Demo(id) = &track.source {
            track.source = Source::File(FileSource {
                path: demo_file_name(id),
                sha256: None,
            });
        }
    }
    session
}

/// Writes `session` as JSON to `path`.
pub fn write_session(path: &Path, session: &Session) -> Result<(), String> {
    std::fs::write(path, session.to_json()).map_err(|e| io_problem(path, &e))
}
