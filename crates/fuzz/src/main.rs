//! `mixroom-fuzz [--cases N] [--seed S] [--target NAME]`: runs the fuzz targets and prints
//! the cases run, the time and every failure per target; exits with 1 when anything failed.
//!
//! Cases are split between the targets by their weights (about the same time for each).
//! A run is deterministic for a seed: case `i` of a target always gets the same input.
//! Failures are saved as `<target dir>/fuzz-failures/<target>/<hash>.bin` (the target dir is
//! the one this binary was built into, so `CARGO_TARGET_DIR` is respected).
//!
//! Each target runs in a worker process (this binary with `--worker`), limited to
//! [`MEMORY_LIMIT_BYTES`] of address space when `prlimit` (util-linux) is there.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use mixroom_fuzz::runner::{self, Tally};
use mixroom_fuzz::targets::{self, Target};

/// Cases of a run by default, all targets together.
const DEFAULT_CASES: u64 = 1_000_000;

/// The seed of a run by default.
const DEFAULT_SEED: u64 = 0x4d49_5852_4f4f_4d21;

/// Address space a worker may use, bytes: a decoder that asks for more fails (and the case
/// with it) instead of taking the machine's memory.
const MEMORY_LIMIT_BYTES: u64 = 4 << 30;

const USAGE: &str = "usage: mixroom-fuzz [--cases N] [--seed S] [--target NAME]
  --cases N      cases in all, split between the targets (default 1000000)
  --seed S       the run's seed (default fixed: runs repeat exactly)
  --target NAME  only this target: link, link-body, session, bundle, decode, lesson,
                 lesson-link, handin or handin-link";

/// The options of a run or of a worker.
struct Options {
    cases: u64,
    seed: u64,
    target: Option<String>,
    worker: Option<(String, u64)>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        cases: DEFAULT_CASES,
        seed: DEFAULT_SEED,
        target: None,
        worker: None,
    };
    let mut from = 0;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
        let number = |text: &String| {
            text.parse::<u64>()
                .map_err(|_| format!("{arg} takes a whole number, not \"{text}\""))
        };
        match arg.as_str() {
            "--cases" => options.cases = number(value()?)?,
            "--seed" => options.seed = number(value()?)?,
            "--target" => options.target = Some(value()?.clone()),
            "--worker" => options.worker = Some((value()?.clone(), 0)),
            "--from" => from = number(value()?)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some((_, start)) = &mut options.worker {
        *start = from;
    }
    Ok(options)
}

/// The target dir this binary was built into (`<target dir>/<profile>/mixroom-fuzz`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the running binary's path");
    exe.parent()
        .and_then(|profile| profile.parent())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// `cases` split between `targets` by weight (the remainder to the first ones).
fn split(targets: &[&Target], cases: u64) -> Vec<u64> {
    let total: u64 = targets.iter().map(|t| t.weight).sum();
    let mut shares: Vec<u64> = targets.iter().map(|t| cases * t.weight / total).collect();
    let mut left = cases - shares.iter().sum::<u64>();
    for share in shares.iter_mut() {
        if left == 0 {
            break;
        }
        *share += 1;
        left -= 1;
    }
    shares
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("mixroom-fuzz: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let all = targets::all();
    let out = target_dir();
    if let Some((name, from)) = &options.worker {
        let target = all.iter().find(|t| t.name == name).expect("a known target");
        let mut stdout = std::io::stdout().lock();
        return match runner::work(
            target,
            options.seed,
            *from,
            options.cases,
            &out,
            &mut stdout,
        ) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let chosen: Vec<&Target> = all
        .iter()
        .filter(|t| options.target.as_deref().is_none_or(|name| t.name == name))
        .collect();
    if chosen.is_empty() {
        eprintln!(
            "mixroom-fuzz: no target named {:?}\n{USAGE}",
            options.target
        );
        return ExitCode::from(2);
    }
    let prlimit = Command::new("prlimit").arg("--version").output().is_ok();
    if !prlimit {
        eprintln!("mixroom-fuzz: note: prlimit not found, workers run without a memory limit");
    }
    let exe = std::env::current_exe().expect("the running binary's path");
    eprintln!(
        "mixroom-fuzz: {} cases, seed {}, failures into {}",
        options.cases,
        options.seed,
        out.join("fuzz-failures").display()
    );
    let mut total = Tally::default();
    let mut rows = Vec::new();
    for (target, cases) in chosen.iter().zip(split(&chosen, options.cases)) {
        let worker = |from: u64, count: u64| {
            let mut command = if prlimit {
                let mut c = Command::new("prlimit");
                c.arg(format!("--as={MEMORY_LIMIT_BYTES}"))
                    .arg("--")
                    .arg(&exe);
                c
            } else {
                Command::new(&exe)
            };
            command.args(["--worker", target.name]).args([
                "--from".to_owned(),
                from.to_string(),
                "--cases".to_owned(),
                count.to_string(),
                "--seed".to_owned(),
                options.seed.to_string(),
            ]);
            command
        };
        let tally = match runner::supervise(target, options.seed, cases, &out, &worker) {
            Ok(tally) => tally,
            Err(e) => {
                eprintln!("mixroom-fuzz: {e}");
                return ExitCode::FAILURE;
            }
        };
        eprintln!(
            "{:<10} {:>8} cases in {:>6.1} s ({} seeds)",
            target.name,
            tally.cases,
            tally.seconds,
            target.seed_count()
        );
        total.cases += tally.cases;
        total.accepted += tally.accepted;
        total.refused += tally.refused;
        total.caught += tally.caught;
        total.failures += tally.failures;
        total.seconds += tally.seconds;
        rows.push((target.name, tally));
    }
    println!("target        cases  accepted   refused  caught  failures  time s  us/case");
    for (name, t) in rows.iter().chain([("total", total.clone())].iter()) {
        println!(
            "{name:<10} {:>8} {:>9} {:>9} {:>7} {:>9} {:>7.1} {:>8.1}",
            t.cases,
            t.accepted,
            t.refused,
            t.caught,
            t.failures,
            t.seconds,
            1e6 * t.seconds / t.cases.max(1) as f64
        );
    }
    if total.failures > 0 {
        eprintln!("mixroom-fuzz: {} failures", total.failures);
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
