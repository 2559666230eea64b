//! `mixroom demo`: the demo song's stems as WAV files, with a session that plays them.

use std::path::Path;

use mixroom_protocol::session::{FileSource, Source};

use crate::sources::io_problem;
use crate::wav;

/// Writes every stem of `mixroom_demo::STEMS` at `sample_rate_hz` into `dir` (created if
/// needed) as `<id>.wav`, mono 32-bit float, exactly the samples the engine plays, and
/// `session.json`: the demo session (`mixroom_demo::session()`) with each track's source the
/// file beside it, so that rendering it gives the demo's mix.
pub fn run(dir: &Path, sample_rate_hz: u32) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory => {
            format!(
                "cannot make the folder {}: a file is in the way",
                dir.display()
            )
        }
        _ => format!("cannot make the folder {}: {e}", dir.display()),
    })?;
    for stem in mixroom_demo::render_stems(sample_rate_hz as f32) {
        let channels: Vec<&[f32]> = stem.channels.iter().map(Vec::as_slice).collect();
        wav::write_f32(&dir.join(file_name(stem.id)), sample_rate_hz, &channels)?;
    }
    let mut session = mixroom_demo::session();
    for track in &mut session.tracks {
        if let Source::Demo(id) = &track.source {
            track.source = Source::File(FileSource {
                path: file_name(id),
                sha256: None,
            });
        }
    }
    let path = dir.join("session.json");
    std::fs::write(&path, session.to_json()).map_err(|e| io_problem(&path, &e))
}

/// The file a stem is written to.
fn file_name(id: &str) -> String {
    format!("{id}.wav")
}
