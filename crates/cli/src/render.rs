//! `mixroom render`: a session rendered natively by the engine the page runs, into a stereo
//! 32-bit float WAV file of the engine's exact output.

use std::path::Path;

use mixroom_dsp::{render_into, Source};
use mixroom_protocol::session::Session;

use crate::args::RenderArgs;
use crate::decode::Keep;
use crate::sources::{io_problem, load_sources, Files, Folder};
use crate::wav;

/// The four bytes a zip archive (and so a `.mixroom` bundle) starts with.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether the file at `path` with contents `bytes` is a `.mixroom` bundle (by its extension or
/// its zip signature).
pub fn is_bundle(path: &Path, bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || path.extension().is_some_and(|e| e == "mixroom")
}

/// Renders the session (a JSON file) at `args.session` as `args` say and writes the WAV file.
pub fn run(args: &RenderArgs) -> Result<(), String> {
    let path = &args.session;
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("{shown} is a folder, not a session file"));
    }
    let bytes = std::fs::read(path).map_err(|e| io_problem(path, &e))?;
    if is_bundle(path, &bytes) {
        let bundle = mixroom_protocol::bundle::read(&bytes).map_err(|e| format!("{shown}: {e}"))?;
        return render_session(&bundle.session, &bundle.files, args);
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{shown} is not a session file (it is not text)"))?;
    let session = Session::from_json(&text).map_err(|e| format!("{shown}: {e}"))?;
    let folder = Folder(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    render_session(&session, &folder, args)
}

/// Renders `session`, whose files are in `files`, and writes `args.output` block by block
/// (RF64 when it is over 4 GiB).
fn render_session(session: &Session, files: &dyn Files, args: &RenderArgs) -> Result<(), String> {
    // A render of N frames decodes only what they need: their length, and a tenth of a second
    // for the resampler's look-ahead.
    let keep = args.frames.map_or(Keep::All, |frames| {
        Keep::FirstSeconds(frames as f64 / f64::from(args.sample_rate_hz) + 0.1)
    });
    let sources = load_sources(session, files, args.sample_rate_hz, keep)?;
    let longest = sources
        .iter()
        .flatten()
        .map(Source::frames)
        .max()
        .unwrap_or(0);
    let frames = args.frames.unwrap_or(longest);
    let mut out = wav::WavWriter::create(&args.output, args.sample_rate_hz, 2, frames as u64)?;
    render_into(
        session,
        sources,
        args.sample_rate_hz as f32,
        frames,
        args.block,
        |left, right| out.write(&[left, right]),
    )?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use mixroom_protocol::session::{FileSource, Source as SessionSource};

    use crate::decode::{decode_file, Keep};

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mixroom-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn bundles_are_recognized_by_signature_or_extension() {
        assert!(is_bundle(Path::new("a.json"), b"PK\x03\x04rest"));
        assert!(is_bundle(Path::new("song.mixroom"), b"{}"));
        assert!(!is_bundle(Path::new("song.json"), b"{\"version\": 2}"));
    }

    #[test]
    fn files_in_memory_render_like_files_on_disk() {
        // One track playing a stereo WAV file: from a folder and from a path -> bytes map (a
        // bundle's entries), the two renders are identical.
        let dir = temp_dir("memory");
        let audio: Vec<f32> = (0..4_800).map(|n| ((n % 97) as f32 / 97.0) - 0.5).collect();
        wav::write_f32(&dir.join("a.wav"), 48_000, &[&audio, &audio]).unwrap();
        let mut session = mixroom_demo::session();
        session.tracks.truncate(1);
        session.tracks[0].source = SessionSource::File(FileSource {
            path: "a.wav".to_owned(),
            sha256: None,
        });
        let args = |output: &str| RenderArgs {
            session: dir.join("unused.json"),
            output: dir.join(output),
            sample_rate_hz: 48_000,
            frames: None,
            block: 128,
            paths_outside: false,
            max_memory: crate::decode::DEFAULT_MEMORY_BUDGET,
        };
        render_session(&session, &Folder(dir.clone()), &args("disk.wav")).unwrap();
        let bytes = std::fs::read(dir.join("a.wav")).unwrap();
        let memory = BTreeMap::from([("a.wav".to_owned(), bytes)]);
        render_session(&session, &memory, &args("memory.wav")).unwrap();
        let disk = decode_file(&dir.join("disk.wav"), Keep::All).unwrap();
        assert_eq!(disk.channels[0].len(), 4_800);
        assert!(disk.channels[0].iter().any(|x| x.abs() > 0.01));
        assert_eq!(
            disk,
            decode_file(&dir.join("memory.wav"), Keep::All).unwrap()
        );
        let empty = BTreeMap::new();
        let error = render_session(&session, &empty, &args("none.wav")).unwrap_err();
        assert_eq!(error, "track \"Kick\": a.wav is not in the bundle");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
