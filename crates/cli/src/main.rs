//! mixroom-cli: the Mixroom engine on the command line.
//!
//! ```text
//! mixroom render SESSION.json -o OUT.wav [--sample-rate HZ] [--frames N] [--block FRAMES]
//! mixroom bench [--tracks N] [--seconds S]
//! ```
//!
//! `render` renders a session natively with mixroom-dsp, exactly as the browser's worklet does,
//! into a stereo 32-bit float WAV file (no dither, no normalization). Demo stems are synthesized
//! at the render rate (`--sample-rate`, 48000 by default); files (WAV, AIFF, FLAC, MP3, Ogg
//! Vorbis, AAC/ALAC in MP4; paths relative to the session file) are decoded, surround folded
//! down to stereo (ITU-R BS.775) and other rates resampled, with a note on stderr. `bench` times
//! the benchmark mix and prints JSON. Errors are one line on stderr and a non-zero exit.

mod args;
mod bench;
mod decode;
mod render;
mod resample;
mod sources;
mod wav;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => args::parse_render(&args[1..]).and_then(|a| render::run(&a)),
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
