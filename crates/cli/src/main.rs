//! mixroom-cli: the Mixroom engine on the command line.
//!
//! ```text
//! mixroom render SESSION.json -o OUT.wav [--sample-rate HZ] [--frames N] [--block FRAMES]
//! mixroom loudness FILE...
//! mixroom demo -o DIR [--sample-rate HZ]
//! mixroom lesson list
//! mixroom lesson export ID -o DIR [--sample-rate HZ]
//! mixroom check LESSON MIX... [--sample-rate HZ]
//! mixroom bench [--tracks N] [--seconds S]
//! mixroom help
//! ```
//!
//! `render` renders a session natively with mixroom-dsp, exactly as the browser's worklet does,
//! into a stereo 32-bit float WAV file (no dither, no normalization). Demo stems are synthesized
//! at the render rate (`--sample-rate`, 48000 by default); files (WAV, AIFF, FLAC, MP3, Ogg
//! Vorbis, AAC/ALAC in MP4; paths relative to the session file) are decoded, surround folded
//! down to stereo (ITU-R BS.775) and other rates resampled, with a note on stderr.
//!
//! `loudness` prints one JSON object per file and line: integrated loudness, maximum momentary
//! and short-term loudness, loudness range and true peak (EBU R 128 / BS.1770, the engine's
//! meters; `null` for the −∞ of silence), the sample rate and the duration.
//!
//! `demo` writes the demo song's fourteen stems as `DIR/<id>.wav` (mono 32-bit float at the
//! rate, 48000 by default: exactly what the engine plays) and `DIR/session.json`, the demo
//! session playing those files: `mixroom render DIR/session.json -o mix.wav` renders the demo
//! mix, bit for bit as with the built-in stems.
//!
//! `lesson list` prints the built-in lessons (`mixroom_demo::lessons`), `ID<TAB>TITLE` per line;
//! `lesson export` writes one as `DIR/lesson.json`, `DIR/start.json`, `DIR/reference.json` and
//! the stems they play.
//!
//! `check` renders each mix (a session file, a `.mixroom` bundle of a mix or a hand-in, a
//! hand-in file, a `#mix=` or `#handin=` link) with mixroom-lesson's `Checker` and prints one
//! JSON object per mix and line: `{"file", "passed", "goals": [{"id", "text", "passed",
//! "measured", "target", "unit", "hint"}]}`, with `"student"` for a hand-in; a mix that cannot
//! be opened or checked, or a hand-in for another lesson, gets `{"file", "error"}` and the
//! others are still checked. The lesson is a lesson JSON file, a `.mixroom` bundle holding a
//! lesson, a `#lesson=` link or a built-in lesson's id.
//!
//! `bench` times the benchmark mix and prints JSON.
//!
//! Errors are one line on stderr, `mixroom: ...`, naming the file or track and what is wrong.
//! Exit codes: 0 done (for `check`: every mix passed every goal); 1 a command failed (for
//! `loudness`: any file failed, the others are still measured; for `check`: the lesson or any
//! mix could not be opened or checked); 2 the command line is wrong (unknown command or
//! option, missing argument; no command at all prints the usage); 3 (`check` only) every mix
//! was checked and a goal failed (or a mix changed what its lesson does not allow); 2 also when
//! a mix's samples (its tracks together, and for a check what its renders keep and the
//! reference recording) would take more memory than `--max-memory` (4 GiB by default): the
//! file that would pass it is refused before the memory is asked for, and so is the check.
//!
//! `render` and `check` read the files a session names only inside its folder (no absolute
//! path, no `..`, no drive or network share) unless `--allow-paths-outside` is given.

mod args;
mod bench;
mod bundled;
mod demo;
mod lesson;
mod loudness;
mod notes;
mod render;
mod resample;
mod sources;
mod wav;

use std::process::ExitCode;

use mixroom_cli::decode;

/// How a command ended badly.
enum Failure {
    /// The command line is wrong: exit code 2.
    Usage(String),
    /// The command failed: exit code 1.
    Failed(String),
    /// Failures already reported on stderr: exit code 1.
    Reported,
    /// Every mix checked, a goal failed: exit code 3.
    GoalFailed,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("{}", args::USAGE);
        return ExitCode::from(2);
    }
    let result = run(&args);
    // A file whose samples would pass the memory budget: said once, exit code 2.
    if decode::over_budget_met() {
        if let Err(Failure::Failed(message)) = &result {
            eprintln!("mixroom: {message}");
        }
        return ExitCode::from(2);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("mixroom: {message} (`mixroom help` shows the usage)");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("mixroom: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Reported) => ExitCode::FAILURE,
        Err(Failure::GoalFailed) => ExitCode::from(3),
    }
}

/// Runs the command `args[0]` (there is one) with the rest of `args`.
fn run(args: &[String]) -> Result<(), Failure> {
    let rest = &args[1..];
    match args[0].as_str() {
        "render" => {
            let parsed = args::parse_render(rest).map_err(Failure::Usage)?;
            decode::set_memory_budget(parsed.max_memory);
            if parsed.paths_outside {
                sources::allow_paths_outside();
            }
            render::run(&parsed).map_err(Failure::Failed)
        }
        "loudness" => {
            let files = args::parse_loudness(rest).map_err(Failure::Usage)?;
            loudness::run(&files).then_some(()).ok_or(Failure::Reported)
        }
        "demo" => {
            let parsed = args::parse_demo(rest).map_err(Failure::Usage)?;
            demo::run(&parsed.dir, parsed.sample_rate_hz).map_err(Failure::Failed)
        }
        "lesson" => match args::parse_lesson(rest).map_err(Failure::Usage)? {
            args::LessonArgs::List => {
                lesson::list();
                Ok(())
            }
            args::LessonArgs::Export {
                id,
                dir,
                sample_rate_hz,
            } => lesson::export(&id, &dir, sample_rate_hz).map_err(Failure::Failed),
        },
        "check" => {
            let parsed = args::parse_check(rest).map_err(Failure::Usage)?;
            decode::set_memory_budget(parsed.max_memory);
            if parsed.paths_outside {
                sources::allow_paths_outside();
            }
            match lesson::check(&parsed).map_err(Failure::Failed)? {
                lesson::Outcome::Passed => Ok(()),
                lesson::Outcome::GoalFailed => Err(Failure::GoalFailed),
                lesson::Outcome::Error => Err(Failure::Reported),
            }
        }
        "bench" => {
            let parsed = args::parse_bench(rest).map_err(Failure::Usage)?;
            let ms = bench::render_ms(parsed.tracks, parsed.seconds, 48_000);
            println!(
                "{{\"tracks\": {}, \"seconds\": {}, \"sample_rate_hz\": 48000, \"render_ms\": {ms:.3}}}",
                parsed.tracks, parsed.seconds
            );
            Ok(())
        }
        "help" | "-h" | "--help" => {
            println!("{}", args::USAGE);
            Ok(())
        }
        other => Err(Failure::Usage(format!("unknown command \"{other}\""))),
    }
}
