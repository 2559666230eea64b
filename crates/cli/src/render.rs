//! `mixroom render`: a session rendered natively by the engine the page runs, into a stereo
//! 32-bit float WAV file of the engine's exact output.

use std::path::Path;

use mixroom_dsp::{render_into, Source};
use mixroom_protocol::session::Session;

use crate::args::RenderArgs;
use crate::bundled;
use crate::decode::{self, Keep};
use crate::sources::{io_problem, load_sources, Files, Folder};
use crate::wav;

/// Renders the session (a JSON file) at `args.session` as `args` say and writes the WAV file.
pub fn run(args: &RenderArgs) -> Result<(), String> {
    let path = &args.session;
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("{shown} is a folder, not a session file"));
    }
    if bundled::is_bundle_file(path)? {
        let bundle = bundled::open(&shown.to_string(), path)?;
        crate::notes::notes(&shown.to_string(), &bundle.refused);
        return render_session(&bundle.session, &bundle.files, args);
    }
    let bytes = std::fs::read(path).map_err(|e| io_problem(path, &e))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{shown} is not a session file (it is not text)"))?;
    let session = Session::from_json(&text).map_err(|e| format!("{shown}: {e}"))?;
    let folder = Folder(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    render_session(&session, &folder, args)
}

/// Renders `session`, whose files are in `files`, and writes `args.output` block by block
/// (RF64 when it is over 4 GiB).
pub(crate) fn render_session(
    session: &Session,
    files: &dyn Files,
    args: &RenderArgs,
) -> Result<(), String> {
    // The mix's audio is counted against the budget until the render ends.
    let _work = decode::Work::start();
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
