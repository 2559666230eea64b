//! Command-line arguments.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::str::FromStr;

use mixroom_cli::decode::DEFAULT_MEMORY_BUDGET;
use mixroom_dsp::TAP_CAPACITY_FRAMES;
use mixroom_lesson::CHECK_RATE_HZ;
use mixroom_protocol::strips::MAX_TRACKS;

/// The usage text (`mixroom help`).
pub const USAGE: &str = "usage: mixroom render SESSION.json -o OUT.wav \
                         [--sample-rate HZ] [--frames N] [--block FRAMES] \
                         [--max-memory SIZE] [--allow-paths-outside]\n       \
                         mixroom loudness FILE...\n       \
                         mixroom demo -o DIR [--sample-rate HZ]\n       \
                         mixroom lesson list\n       \
                         mixroom lesson export ID -o DIR [--sample-rate HZ]\n       \
                         mixroom check LESSON MIX... [--sample-rate HZ] [--max-memory SIZE] \
                         [--allow-paths-outside]\n       \
                         mixroom bench [--tracks N] [--seconds S]";

/// Arguments of `mixroom lesson`.
#[derive(Debug, PartialEq)]
pub enum LessonArgs {
    /// `mixroom lesson list`.
    List,
    /// `mixroom lesson export ID -o DIR [--sample-rate HZ]`.
    Export {
        /// The built-in lesson's id.
        id: String,
        /// The folder to write into.
        dir: PathBuf,
        /// Sample rate of the stems, Hz (8000..=192000).
        sample_rate_hz: u32,
    },
}

/// Parses the arguments after `mixroom lesson`.
pub fn parse_lesson(args: &[String]) -> Result<LessonArgs, String> {
    match args.first().map(String::as_str) {
        Some("list") => match args.get(1) {
            Some(extra) => Err(format!("unexpected argument {extra}")),
            None => Ok(LessonArgs::List),
        },
        Some("export") => {
            let (mut id, mut dir, mut sample_rate_hz) = (None, None, 48_000);
            let mut it = args[1..].iter();
            while let Some(arg) = it.next() {
                let mut value = |name: &str| option_value(&mut it, name);
                match arg.as_str() {
                    "-o" | "--output" => dir = Some(PathBuf::from(value(arg)?)),
                    "--sample-rate" => sample_rate_hz = sample_rate(&value(arg)?)?,
                    flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
                    lesson if id.is_none() => id = Some(lesson.to_owned()),
                    extra => return Err(format!("unexpected argument {extra}")),
                }
            }
            Ok(LessonArgs::Export {
                id: id.ok_or_else(|| "no lesson given (`mixroom lesson list`)".to_owned())?,
                dir: dir.ok_or_else(|| "no folder given (-o DIR)".to_owned())?,
                sample_rate_hz,
            })
        }
        Some(other) => Err(format!(
            "unknown lesson command \"{other}\" (list or export)"
        )),
        None => Err("no lesson command given (list or export)".to_owned()),
    }
}

/// Arguments of `mixroom check`.
#[derive(Debug, PartialEq)]
pub struct CheckArgs {
    /// The lesson: a lesson JSON file, a bundle holding a lesson, a `#lesson=` link or a
    /// built-in lesson's id.
    pub lesson: String,
    /// The mixes: session files, bundles (of mixes or hand-ins), hand-in files, `#mix=` or
    /// `#handin=` links.
    pub mixes: Vec<String>,
    /// The rate the mixes are rendered and measured at, Hz (8000..=192000; the page's,
    /// [`CHECK_RATE_HZ`], by default).
    pub sample_rate_hz: u32,
    /// Whether files may be read outside the folder of what names them
    /// (`--allow-paths-outside`, [`crate::sources::Folder`]).
    pub paths_outside: bool,
    /// The memory one file's samples may take, bytes (`--max-memory`, 4 GiB by default).
    pub max_memory: u64,
}

/// Parses the arguments after `mixroom check`. A link starts with `http` or `#`, never with
/// `-`, so anything else that starts with `-` is an option.
pub fn parse_check(args: &[String]) -> Result<CheckArgs, String> {
    let mut lesson = None;
    let mut mixes = Vec::new();
    let mut sample_rate_hz = CHECK_RATE_HZ;
    let mut paths_outside = false;
    let mut max_memory = DEFAULT_MEMORY_BUDGET;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sample-rate" => sample_rate_hz = sample_rate(&option_value(&mut it, arg)?)?,
            "--max-memory" => max_memory = memory(&option_value(&mut it, arg)?)?,
            "--allow-paths-outside" => paths_outside = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            text if lesson.is_none() => lesson = Some(text.to_owned()),
            text => mixes.push(text.to_owned()),
        }
    }
    let lesson = lesson.ok_or_else(|| "no lesson given".to_owned())?;
    if mixes.is_empty() {
        return Err("no mix given".to_owned());
    }
    Ok(CheckArgs {
        lesson,
        mixes,
        sample_rate_hz,
        paths_outside,
        max_memory,
    })
}

/// Arguments of `mixroom bench`.
#[derive(Debug, PartialEq)]
pub struct BenchArgs {
    /// Tracks in the benchmark mix (1..=MAX_TRACKS).
    pub tracks: usize,
    /// Length rendered, s (more than 0, at most 600).
    pub seconds: f32,
}

/// Parses the arguments after `mixroom bench`.
pub fn parse_bench(args: &[String]) -> Result<BenchArgs, String> {
    let mut parsed = BenchArgs {
        tracks: 64,
        seconds: 10.0,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = option_value(&mut it, arg)?;
        match arg.as_str() {
            "--tracks" => parsed.tracks = bounded(arg, &value, 1..=MAX_TRACKS, "tracks")?,
            "--seconds" => {
                parsed.seconds = value
                    .parse::<f32>()
                    .ok()
                    .filter(|s| *s > 0.0 && *s <= MAX_BENCH_SECONDS)
                    .ok_or_else(|| {
                        format!(
                            "--seconds takes more than 0 and at most {MAX_BENCH_SECONDS} seconds, \
                             not \"{value}\""
                        )
                    })?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(parsed)
}

/// Arguments of `mixroom render`.
#[derive(Debug, PartialEq)]
pub struct RenderArgs {
    /// The session file (JSON).
    pub session: PathBuf,
    /// The WAV file to write.
    pub output: PathBuf,
    /// Render rate, Hz (8000..=192000): demo stems are synthesized at it, files at other rates
    /// resampled to it.
    pub sample_rate_hz: u32,
    /// Frames to render (at most [`MAX_RENDER_HOURS`] at the render rate); by default the
    /// longest source.
    pub frames: Option<usize>,
    /// Block size handed to the engine, frames (1..=[`TAP_CAPACITY_FRAMES`]).
    pub block: usize,
    /// Whether files may be read outside the session's folder (`--allow-paths-outside`,
    /// [`crate::sources::Folder`]).
    pub paths_outside: bool,
    /// The memory one file's samples may take, bytes (`--max-memory`, 4 GiB by default).
    pub max_memory: u64,
}

/// The value after option `name`, or why there is none.
fn option_value(args: &mut std::slice::Iter<'_, String>, name: &str) -> Result<String, String> {
    args.next()
        .cloned()
        .ok_or_else(|| format!("{name} needs a value"))
}

/// Parses the arguments after `mixroom render`.
pub fn parse_render(args: &[String]) -> Result<RenderArgs, String> {
    let mut session = None;
    let mut output = None;
    let mut sample_rate_hz = 48_000;
    let mut frames = None;
    let mut block = 128;
    let mut paths_outside = false;
    let mut max_memory = DEFAULT_MEMORY_BUDGET;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| option_value(&mut it, name);
        match arg.as_str() {
            "-o" | "--output" => output = Some(PathBuf::from(value(arg)?)),
            "--sample-rate" => sample_rate_hz = sample_rate(&value(arg)?)?,
            "--frames" => frames = Some(number(arg, &value(arg)?)?),
            "--block" => block = bounded(arg, &value(arg)?, BLOCK_FRAMES, "frames")?,
            "--max-memory" => max_memory = memory(&value(arg)?)?,
            "--allow-paths-outside" => paths_outside = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            path if session.is_none() => session = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    let max_frames = MAX_RENDER_HOURS as usize * 3_600 * sample_rate_hz as usize;
    if let Some(frames) = frames.filter(|&f| f > max_frames) {
        return Err(format!(
            "--frames takes at most {MAX_RENDER_HOURS} hours at the render rate ({max_frames} \
             frames at {sample_rate_hz} Hz), not \"{frames}\""
        ));
    }
    Ok(RenderArgs {
        session: session.ok_or_else(|| "no session given".to_owned())?,
        output: output.ok_or_else(|| "no output given (-o OUT.wav)".to_owned())?,
        sample_rate_hz,
        frames,
        block,
        paths_outside,
        max_memory,
    })
}

/// Arguments of `mixroom demo`.
#[derive(Debug, PartialEq)]
pub struct DemoArgs {
    /// The folder to write the stems and the session into.
    pub dir: PathBuf,
    /// Sample rate of the stems, Hz (8000..=192000).
    pub sample_rate_hz: u32,
}

/// Parses the arguments after `mixroom demo`.
pub fn parse_demo(args: &[String]) -> Result<DemoArgs, String> {
    let mut dir = None;
    let mut sample_rate_hz = 48_000;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| option_value(&mut it, name);
        match arg.as_str() {
            "-o" | "--output" => dir = Some(PathBuf::from(value(arg)?)),
            "--sample-rate" => sample_rate_hz = sample_rate(&value(arg)?)?,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    Ok(DemoArgs {
        dir: dir.ok_or_else(|| "no folder given (-o DIR)".to_owned())?,
        sample_rate_hz,
    })
}

/// The files of `mixroom loudness FILE...` (at least one).
pub fn parse_loudness(args: &[String]) -> Result<Vec<PathBuf>, String> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return Err(format!("unknown option {flag}"));
    }
    if args.is_empty() {
        return Err("no file given".to_owned());
    }
    Ok(args.iter().map(PathBuf::from).collect())
}

/// Lowest and highest render rates, Hz (the demo song's range).
const SAMPLE_RATES_HZ: RangeInclusive<u32> = 8_000..=192_000;

/// Longest render, hours of audio at the render rate.
pub const MAX_RENDER_HOURS: u32 = 24;

/// Block sizes `render --block` takes, frames: up to the longest block the engine processes
/// whole (its spectrum taps hold that many frames; the worklet's largest quantum too).
const BLOCK_FRAMES: RangeInclusive<usize> = 1..=TAP_CAPACITY_FRAMES;

/// Longest `bench --seconds`, s.
const MAX_BENCH_SECONDS: f32 = 600.0;

fn sample_rate(text: &str) -> Result<u32, String> {
    bounded("--sample-rate", text, SAMPLE_RATES_HZ, "Hz")
}

/// The value of `--max-memory`: bytes, or a number with `K`, `M`, `G` or `T` (powers of 1024:
/// `512M`, `4G`), at least 1 MiB.
fn memory(text: &str) -> Result<u64, String> {
    let upper = text.trim().to_ascii_uppercase();
    let digits = upper.trim_end_matches(['B', 'I']);
    let (number, shift) = match digits.chars().last() {
        Some('K') => (&digits[..digits.len() - 1], 10),
        Some('M') => (&digits[..digits.len() - 1], 20),
        Some('G') => (&digits[..digits.len() - 1], 30),
        Some('T') => (&digits[..digits.len() - 1], 40),
        _ => (digits, 0),
    };
    number
        .parse::<f64>()
        .ok()
        .map(|n| n * (1_u64 << shift) as f64)
        .filter(|bytes| ((1_u64 << 20) as f64..=(1_u64 << 50) as f64).contains(bytes))
        .map(|bytes| bytes as u64)
        .ok_or_else(|| {
            format!(
                "--max-memory takes a size from 1M to 1024T (such as 512M or 4G), not \"{text}\""
            )
        })
}

/// The value of option `name` in `text`, which must lie in `range` (counted in `unit`).
fn bounded<T: FromStr + PartialOrd + Display>(
    name: &str,
    text: &str,
    range: RangeInclusive<T>,
    unit: &str,
) -> Result<T, String> {
    text.parse()
        .ok()
        .filter(|value| range.contains(value))
        .ok_or_else(|| {
            let (low, high) = (range.start(), range.end());
            format!("{name} takes {low} to {high} {unit}, not \"{text}\"")
        })
}

fn number<T: FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name} takes a whole number, not \"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_and_refuses_clearly() {
        let parsed = parse_render(&strings(&["s.json", "-o", "o.wav", "--frames", "9"])).unwrap();
        assert_eq!(
            parsed,
            RenderArgs {
                session: "s.json".into(),
                output: "o.wav".into(),
                sample_rate_hz: 48_000,
                frames: Some(9),
                block: 128,
                paths_outside: false,
                max_memory: DEFAULT_MEMORY_BUDGET,
            }
        );
        assert!(parse_render(&strings(&["s.json"]))
            .unwrap_err()
            .contains("no output"));
        assert!(parse_render(&strings(&["-o", "x"]))
            .unwrap_err()
            .contains("no session"));
        assert!(parse_render(&strings(&["s", "-o", "x", "--frames", "big"]))
            .unwrap_err()
            .contains("whole number"));
        for block in ["0", "4097", "big", "-1"] {
            assert_eq!(
                parse_render(&strings(&["s", "-o", "x", "--block", block])).unwrap_err(),
                format!("--block takes 1 to 4096 frames, not \"{block}\"")
            );
        }
        assert_eq!(
            parse_render(&strings(&["s", "-o", "x", "--block", "4096"]))
                .unwrap()
                .block,
            4096
        );
        // 24 h at 8 kHz is 691 200 000 frames; the rate may come after --frames.
        let frames = |n: &str| strings(&["s", "-o", "x", "--frames", n, "--sample-rate", "8000"]);
        assert_eq!(
            parse_render(&frames("691200000")).unwrap().frames,
            Some(691_200_000)
        );
        assert_eq!(
            parse_render(&frames("691200001")).unwrap_err(),
            "--frames takes at most 24 hours at the render rate (691200000 frames at 8000 Hz), \
             not \"691200001\""
        );
        assert!(
            parse_render(&strings(&["s", "-o", "x", "--sample-rate", "4000"]))
                .unwrap_err()
                .contains("8000 to 192000")
        );
        assert!(parse_render(&strings(&["s", "-o"]))
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse_render(&strings(&["s", "-o", "x", "--what"]))
            .unwrap_err()
            .contains("unknown option"));
        assert_eq!(
            parse_bench(&strings(&["--tracks", "16", "--seconds", "2.5"])).unwrap(),
            BenchArgs {
                tracks: 16,
                seconds: 2.5
            }
        );
        for seconds in ["-1", "0", "600.5", "NaN", "inf", "ten"] {
            assert_eq!(
                parse_bench(&strings(&["--seconds", seconds])).unwrap_err(),
                format!("--seconds takes more than 0 and at most 600 seconds, not \"{seconds}\"")
            );
        }
        for tracks in ["0", "257", "-3", "many"] {
            assert_eq!(
                parse_bench(&strings(&["--tracks", tracks])).unwrap_err(),
                format!("--tracks takes 1 to 256 tracks, not \"{tracks}\"")
            );
        }
        assert_eq!(
            parse_loudness(&strings(&["a.wav", "b.flac"])).unwrap(),
            [PathBuf::from("a.wav"), PathBuf::from("b.flac")]
        );
        assert!(parse_loudness(&[]).unwrap_err().contains("no file"));
        assert_eq!(
            parse_demo(&strings(&["-o", "d", "--sample-rate", "44100"])).unwrap(),
            DemoArgs {
                dir: "d".into(),
                sample_rate_hz: 44_100,
            }
        );
        assert!(parse_demo(&[]).unwrap_err().contains("no folder"));
        assert!(parse_demo(&strings(&["-o", "d", "x"]))
            .unwrap_err()
            .contains("unexpected argument x"));
        assert!(parse_loudness(&strings(&["a.wav", "-x"]))
            .unwrap_err()
            .contains("unknown option -x"));
        assert!(parse_bench(&strings(&["--tracks"])).is_err());
    }

    #[test]
    fn parses_lesson_and_check() {
        assert_eq!(parse_lesson(&strings(&["list"])).unwrap(), LessonArgs::List);
        assert_eq!(
            parse_lesson(&strings(&["export", "space", "-o", "d"])).unwrap(),
            LessonArgs::Export {
                id: "space".into(),
                dir: "d".into(),
                sample_rate_hz: 48_000
            }
        );
        assert!(parse_lesson(&strings(&["export", "space"]))
            .unwrap_err()
            .contains("no folder"));
        assert!(parse_lesson(&strings(&["export", "-o", "d"]))
            .unwrap_err()
            .contains("no lesson"));
        assert!(parse_lesson(&strings(&["teach"]))
            .unwrap_err()
            .contains("unknown lesson command \"teach\""));
        assert!(parse_lesson(&[]).unwrap_err().contains("no lesson command"));
        assert!(parse_lesson(&strings(&["list", "x"]))
            .unwrap_err()
            .contains("unexpected argument x"));
        let parsed = parse_check(&strings(&[
            "l.json",
            "a.json",
            "#mix=x",
            "--sample-rate",
            "44100",
        ]));
        assert_eq!(
            parsed.unwrap(),
            CheckArgs {
                lesson: "l.json".into(),
                mixes: vec!["a.json".into(), "#mix=x".into()],
                sample_rate_hz: 44_100,
                paths_outside: false,
                max_memory: DEFAULT_MEMORY_BUDGET,
            }
        );
        let sized = |size: &str| {
            parse_check(&strings(&["l.json", "a.json", "--max-memory", size])).map(|a| a.max_memory)
        };
        assert_eq!(sized("512M"), Ok(512 << 20));
        assert_eq!(sized("4g"), Ok(4 << 30));
        assert_eq!(sized("1.5GiB"), Ok(3 << 29));
        assert_eq!(sized("2000000"), Ok(2_000_000));
        for bad in ["", "lots", "1K", "-4G", "2000T"] {
            assert!(sized(bad).unwrap_err().contains("--max-memory"), "{bad}");
        }
        assert!(parse_check(&strings(&["l.json"]))
            .unwrap_err()
            .contains("no mix"));
        assert!(parse_check(&[]).unwrap_err().contains("no lesson"));
        assert!(parse_check(&strings(&["l", "m", "--fast"]))
            .unwrap_err()
            .contains("unknown option --fast"));
    }
}
