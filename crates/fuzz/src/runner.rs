//! Running cases: a worker process runs a stretch of one target's cases, each under
//! `catch_unwind`; a supervisor starts workers and watches them, so that what cannot be
//! caught (an abort on a failed allocation, a stack overflow, a hang) is still pinned on the
//! case that caused it, and the run goes on after it.
//!
//! The worker tells the supervisor on its standard output, one byte at a time: `s` when a case
//! starts (flushed before it runs), then the verdict (`a` accepted, `r` refused, `c` a decoder
//! panic caught by the code under test, `f` a failure, which the worker has already printed
//! and saved), and `e` at the end. Every case's input is a function of the seed, the target and
//! the case number only, so the supervisor can make the input of the case a worker died in.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::{self, BufReader, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::mutate::{fnv1a, Rng};
use crate::targets::{Target, Verdict};

/// A case running longer than this is a hang: the worker is stopped and the case failed.
pub const HANG_LIMIT: Duration = Duration::from_secs(10);

/// A case running longer than this gets a note (and its input is kept).
pub const SLOW_LIMIT: Duration = Duration::from_secs(1);

/// Failures a worker prints in full; past that it only counts and saves them.
const PRINTED_FAILURES: usize = 20;

/// What a target's cases came to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Cases run.
    pub cases: u64,
    /// Accepted inputs (all keeping the contract).
    pub accepted: u64,
    /// Refused inputs.
    pub refused: u64,
    /// Decoder panics caught and reported by the code under test.
    pub caught: u64,
    /// Failures: panics, broken contracts, crashes and hangs.
    pub failures: u64,
    /// Wall time, s.
    pub seconds: f64,
}

thread_local! {
    /// The last panic's message and location on this thread.
    static LAST_PANIC: Cell<Option<String>> = const { Cell::new(None) };
}

/// Saves `input` as `dir/<FNV-1a hash>.bin` and returns the path.
pub fn save(dir: &Path, input: &[u8]) -> PathBuf {
    let path = dir.join(format!("{:016x}.bin", fnv1a(input)));
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, input));
    if let Err(e) = written {
        eprintln!("fuzz: cannot save {}: {e}", path.display());
    }
    path
}

/// The input of case `case` of `target` in a run seeded with `seed`.
pub fn case_input(target: &Target, seed: u64, case: u64) -> Vec<u8> {
    target.input(&mut Rng::for_case(seed, target.name, case))
}

/// Runs cases `from..from + count` of `target` (a worker's job), reporting on `progress` as
/// the module describes; failures are printed on stderr and saved under
/// `out/fuzz-failures/<target>/`, inputs of caught decoder panics under
/// `out/fuzz-caught/<target>/` (one per place in the decoder), slow ones under
/// `out/fuzz-slow/<target>/`.
pub fn work(
    target: &Target,
    seed: u64,
    from: u64,
    count: u64,
    out: &Path,
    progress: &mut impl Write,
) -> io::Result<()> {
    panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        LAST_PANIC.set(Some(format!("panicked at {location}: {message}")));
    }));
    let failures = out.join("fuzz-failures").join(target.name);
    let mut caught_places = BTreeSet::new();
    let mut failed = 0;
    for case in from..from + count {
        progress.write_all(b"s")?;
        progress.flush()?;
        let input = case_input(target, seed, case);
        let started = Instant::now();
        let result = panic::catch_unwind(AssertUnwindSafe(|| target.run(&input)));
        let elapsed = started.elapsed();
        let (failure, verdict) = match result {
            Ok(Verdict::Accepted) => (None, b'a'),
            Ok(Verdict::Refused) => (None, b'r'),
            Ok(Verdict::Caught(what)) => {
                let place = what.rsplit(" at ").next().unwrap_or(&what).to_owned();
                if caught_places.insert(place) {
                    let path = save(&out.join("fuzz-caught").join(target.name), &input);
                    eprintln!(
                        "fuzz: note: {} case {case}: a decoder panic, caught and reported as a \
                         damaged file: {what}\n  input: {}",
                        target.name,
                        path.display()
                    );
                }
                (None, b'c')
            }
            Ok(Verdict::Violation(why)) => (Some(why), b'f'),
            Err(payload) => {
                let why = LAST_PANIC.take().unwrap_or_else(|| {
                    let text = payload.downcast_ref::<&str>().copied().unwrap_or("a panic");
                    format!("panicked: {text}")
                });
                (Some(why), b'f')
            }
        };
        if let Some(why) = failure {
            let path = save(&failures, &input);
            failed += 1;
            if failed <= PRINTED_FAILURES {
                eprintln!(
                    "FAILURE {} case {case}: {why}\n  input: {}",
                    target.name,
                    path.display()
                );
            }
        }
        if elapsed > SLOW_LIMIT {
            let path = save(&out.join("fuzz-slow").join(target.name), &input);
            eprintln!(
                "fuzz: note: {} case {case} took {:.1} s\n  input: {}",
                target.name,
                elapsed.as_secs_f64(),
                path.display()
            );
        }
        progress.write_all(&[verdict])?;
    }
    if failed > PRINTED_FAILURES {
        eprintln!(
            "fuzz: {}: {} more failures (inputs saved in {})",
            target.name,
            failed - PRINTED_FAILURES,
            failures.display()
        );
    }
    progress.write_all(b"e")?;
    progress.flush()
}

/// Runs `cases` cases of `target` in worker processes made by `worker(from, count)` (which
/// must run [`work`] with the same seed and output folder), starting a new worker after the
/// case a worker died or hung in. Returns the tally, or why the workers could not run.
pub fn supervise(
    target: &Target,
    seed: u64,
    cases: u64,
    out: &Path,
    worker: &dyn Fn(u64, u64) -> Command,
) -> Result<Tally, String> {
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut next = 0;
    while next < cases {
        let mut command = worker(next, cases - next);
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start a fuzz worker: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for byte in BufReader::new(stdout).bytes() {
                if tx.send(byte).is_err() {
                    break;
                }
            }
        });
        let mut running = None;
        let mut ended = false;
        let mut hung = false;
        loop {
            match rx.recv_timeout(HANG_LIMIT) {
                Ok(Ok(b's')) => running = Some(next),
                Ok(Ok(b'e')) => ended = true,
                Ok(Ok(verdict)) => {
                    match verdict {
                        b'a' => tally.accepted += 1,
                        b'c' => tally.caught += 1,
                        b'f' => tally.failures += 1,
                        _ => tally.refused += 1,
                    }
                    tally.cases += 1;
                    running = None;
                    next += 1;
                }
                Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) if running.is_some() => {
                    hung = true;
                    let _ = child.kill();
                    break;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("waiting for a fuzz worker: {e}"))?;
        match running {
            Some(case) => {
                let input = case_input(target, seed, case);
                let path = save(&out.join("fuzz-failures").join(target.name), &input);
                let why = if hung {
                    format!("still running after {} s (a hang?)", HANG_LIMIT.as_secs())
                } else {
                    format!(
                        "the process died ({}): an abort, a failed allocation over the memory \
                         limit or a stack overflow (see the lines above)",
                        describe(status)
                    )
                };
                eprintln!(
                    "FAILURE {} case {case}: {why}\n  input: {}",
                    target.name,
                    path.display()
                );
                tally.cases += 1;
                tally.failures += 1;
                next = case + 1;
            }
            None if !ended || !status.success() => {
                return Err(format!(
                    "a fuzz worker for {} stopped between cases ({})",
                    target.name,
                    describe(status)
                ))
            }
            None => {}
        }
    }
    tally.seconds = started.elapsed().as_secs_f64();
    Ok(tally)
}

/// How a process ended, in words.
fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(6)) => "signal 6, SIGABRT".to_owned(),
        (None, Some(9)) => "signal 9, SIGKILL".to_owned(),
        (None, Some(11)) => "signal 11, SIGSEGV".to_owned(),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}
