//! mixroom-cli: the Mixroom engine on the command line.
//!
//! ```text
//! mixroom render SESSION.json -o OUT.wav [--sample-rate HZ] [--frames N] [--block FRAMES]
//! mixroom bench [--tracks N] [--seconds S]
//! ```
//!
//! `render` renders a session natively with mixroom-dsp, exactly as the browser's worklet does,
//! into a stereo 32-bit float WAV. `bench` times the benchmark mix and prints JSON. Errors are
//! one line on stderr and a non-zero exit.

mod args;
mod bench;
mod wav;

use std::path::Path;
use std::process::ExitCode;

use mixroom_dsp::{render, SessionSources, Source};
use mixroom_protocol::session::{self, Session};

use args::RenderArgs;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => args::parse_render(&args[1..]).and_then(|a| run_render(&a)),
        Some("bench") => args::parse_bench(&args[1..]).map(|a| {
            let ms = bench::render_ms(a.tracks, a.seconds, 48_000);
            println!(
                "{{\"tracks\": {}, \"seconds\": {}, \"sample_rate_hz\": 48000, \"render_ms\": {ms:.3}}}",
                a.tracks, a.seconds
            );
        }),
        _ => Err(args::USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mixroom: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_render(args: &RenderArgs) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.session)
        .map_err(|e| format!("cannot read {}: {e}", args.session.display()))?;
    let session =
        Session::from_json(&text).map_err(|e| format!("{}: {e}", args.session.display()))?;
    let base = args.session.parent().unwrap_or(Path::new("."));
    let sources = load_sources(&session, base, args.sample_rate_hz)?;
    let longest = sources
        .iter()
        .flatten()
        .map(Source::frames)
        .max()
        .unwrap_or(0);
    let frames = args.frames.unwrap_or(longest);
    let [left, right] = render(
        &session,
        sources,
        args.sample_rate_hz as f32,
        frames,
        args.block,
    );
    wav::write_stereo_f32(&args.output, args.sample_rate_hz, &left, &right)
}

fn load_sources(
    session: &Session,
    base: &Path,
    sample_rate_hz: u32,
) -> Result<SessionSources, String> {
    session
        .tracks
        .iter()
        .map(|track| match &track.source {
            session::Source::File(file) => {
                let path = base.join(&file.path);
                let (rate, channels) = wav::read(&path)?;
                if rate != sample_rate_hz {
                    return Err(format!(
                        "{}: recorded at {rate} Hz, the render runs at {sample_rate_hz} Hz \
                         (pass --sample-rate {rate}, or convert the file)",
                        path.display()
                    ));
                }
                Source::new(channels)
                    .map(Some)
                    .map_err(|e| format!("{}: {e}", path.display()))
            }
            session::Source::Demo(id) => Err(format!(
                "track \"{}\" uses the demo stem \"{id}\", which only the page can play so far",
                track.name
            )),
            session::Source::Url(url) => Err(format!(
                "track \"{}\" plays {url}; download it and name the file in the session",
                track.name
            )),
        })
        .collect()
}
