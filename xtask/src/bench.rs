//! `cargo xtask bench`: the engine's speed, measured side by side in one run.
//!
//! 1. criterion benches of mixroom-dsp (one strip; 64 tracks with and without buses/returns).
//! 2. The browser benchmark (tests/e2e/bench/bench.mjs): the same N-track mix (8 to 256 tracks)
//!    through our worklet and through Chromium's native nodes, in an OfflineAudioContext; and the
//!    live engine's memory per track-minute.
//! 3. The same 64-track mix rendered natively by `mixroom bench`, beside the browser's time.
//! 4. A 1 GB project saved and opened (tests/e2e/bench/big-project.mjs).
//! 5. The classroom (tests/e2e/bench/classroom.mjs): "Check my mix" on each built-in lesson and
//!    30 hand-ins in the class view, beside `mixroom check` of the same mixes.
//!
//! Prints the ratios the goals are stated in; times themselves vary with the machine.

use crate::cmd::{self, Result};
use crate::suite_build;
use crate::tools::{self, Needs, E2E_DIR};

/// Length of the benchmark mix, s.
const SECONDS: &str = "10";
/// Real-time budget of one 128-frame quantum at 48 kHz, ms.
const QUANTUM_BUDGET_MS: f64 = 128.0 / 48.0;

pub fn run() -> Result {
    tools::setup(Needs::everything())?;
    cmd::step("Native engine benches (criterion)");
    cmd::run(cmd::cargo().args([
        "bench",
        "--locked",
        "-p",
        "mixroom-dsp",
        "--bench",
        "engine",
    ]))?;

    cmd::step("Release builds (page with the suite's hooks, and mixroom-cli)");
    let dist = suite_build::build()?;
    cmd::run(cmd::cargo().args(["build", "--locked", "--release", "-p", "mixroom-cli"]))?;

    cmd::step("Native Rust: 64 tracks, 10 s (mixroom bench)");
    let mixroom = cmd::target_dir().join("release/mixroom");
    let native = cmd::output(cmd::command(&mixroom.to_string_lossy()).args([
        "bench",
        "--tracks",
        "64",
        "--seconds",
        SECONDS,
    ]))
    .ok_or("mixroom bench failed")?;
    eprintln!("{}", native.trim());
    let native_ms =
        number_after(&native, "\"render_ms\":").ok_or("no render_ms in mixroom bench's output")?;

    cmd::step("Browser: our worklet vs Chromium's native nodes (headless Chromium)");
    let chromium = tools::chromium_path().ok_or("chromium is missing")?;
    let root = cmd::root();
    let out = cmd::output(
        cmd::command("node")
            .arg("bench/bench.mjs")
            .current_dir(root.join(E2E_DIR))
            .env("MIXROOM_DIST", &dist)
            .env("CHROMIUM_PATH", chromium)
            .env("MIXROOM_BENCH_SECONDS", SECONDS),
    )
    .ok_or("the browser benchmark failed")?;
    let mut largest_under_half = None;
    let mut at_64 = None;
    let mut largest = None;
    if let Some(line) = out.lines().find(|l| l.contains("\"bytesPerTrackMinute\"")) {
        let get = |key: &str| number_after(line, &format!("\"{key}\":")).unwrap_or(f64::NAN);
        eprintln!(
            "\nMemory: the live engine's {:.0} tracks ({:.1} track-minutes) take {:.1} MB of its \
             {:.1} MB wasm memory: {:.1} MB per track-minute",
            get("memoryTracks"),
            get("trackMinutes"),
            get("sourceBytes") / 1e6,
            get("wasmMemoryBytes") / 1e6,
            get("bytesPerTrackMinute") / 1e6,
        );
    }
    eprintln!("\ntracks  worklet ms  native nodes ms  speed-up  ms per quantum");
    for line in out.lines().filter(|l| l.starts_with("{\"tracks\"")) {
        let get = |key: &str| number_after(line, &format!("\"{key}\":"));
        let (Some(tracks), Some(ours), Some(nodes), Some(per_quantum)) = (
            get("tracks"),
            get("oursMs"),
            get("nativeNodesMs"),
            get("oursPerQuantumMs"),
        ) else {
            continue;
        };
        eprintln!(
            "{tracks:>6}  {ours:>10.1}  {nodes:>15.1}  {:>7.2}x  {per_quantum:>14.4}",
            nodes / ours
        );
        if per_quantum < QUANTUM_BUDGET_MS / 2.0 {
            largest_under_half = Some(tracks);
        }
        if tracks == 64.0 {
            at_64 = Some((ours, nodes));
        }
        if largest.is_none_or(|(most, _)| tracks > most) {
            largest = Some((tracks, per_quantum));
        }
    }
    let (ours_64, nodes_64) = at_64.ok_or("the browser benchmark did not reach 64 tracks")?;
    eprintln!("\nAt 64 tracks:");
    eprintln!(
        "  worklet vs Chromium native nodes: {:.2}x faster (goal: at least 10x)",
        nodes_64 / ours_64
    );
    eprintln!(
        "  wasm (browser) vs native Rust:    {:.2}x the native time (goal: within 1.2x)",
        ours_64 / native_ms
    );
    if let Some((tracks, per_quantum)) = largest {
        eprintln!(
            "  at {tracks} tracks: {per_quantum:.3} ms per quantum, {:.0}% of half the budget \
             (goal: under {:.3} ms)",
            100.0 * per_quantum / (QUANTUM_BUDGET_MS / 2.0),
            QUANTUM_BUDGET_MS / 2.0
        );
    }
    match largest_under_half {
        Some(n) => eprintln!(
            "  largest measured track count rendering a quantum in under half its budget \
             ({:.3} ms): {n}",
            QUANTUM_BUDGET_MS / 2.0
        ),
        None => eprintln!("  no measured track count stays under half the quantum budget"),
    }

    cmd::step(
        "A 1 GB project saved as a .mixroom and opened in a fresh profile (headless Chromium)",
    );
    let chromium = tools::chromium_path().ok_or("chromium is missing")?;
    let out = cmd::output(
        cmd::command("node")
            .arg("bench/big-project.mjs")
            .current_dir(root.join(E2E_DIR))
            .env("MIXROOM_DIST", &dist)
            .env("CHROMIUM_PATH", &chromium),
    )
    .ok_or("the 1 GB project benchmark failed")?;
    let line = out
        .lines()
        .find(|l| l.starts_with('{'))
        .ok_or("no figures from the 1 GB project benchmark")?;
    let get = |key: &str| number_after(line, &format!("\"{key}\":")).unwrap_or(f64::NAN);
    eprintln!(
        "  bundle {:.0} MB: saved in {:.1} s (longest pause {:.0} ms), opened and playing in \
         {:.1} s (longest pause {:.0} ms, {} long tasks); JS heap {:.0} MB; Chromium resident \
         {:.0} -> {:.0} MB",
        get("bundleMb"),
        get("saveMs") / 1e3,
        get("saveLongestGapMs"),
        get("openPlayingMs") / 1e3,
        get("openLongestGapMs"),
        get("openLongTasks"),
        get("openJsHeapMb"),
        get("chromiumRssBeforeMb"),
        get("chromiumRssAfterMb"),
    );

    cmd::step("The classroom: Check my mix and 30 hand-ins, the page beside mixroom check");
    let out = cmd::output(
        cmd::command("node")
            .arg("bench/classroom.mjs")
            .current_dir(root.join(E2E_DIR))
            .env("MIXROOM_DIST", &dist)
            .env("MIXROOM_CLI", &mixroom)
            .env("CHROMIUM_PATH", chromium),
    )
    .ok_or("the classroom benchmark failed")?;
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let get = |key: &str| number_after(line, &format!("\"{key}\":")).unwrap_or(f64::NAN);
        let what = if line.contains("\"class-table\"") {
            format!("{:.0} hand-ins in the class view", get("handIns"))
        } else {
            let lesson = line
                .split("\"lesson\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next());
            format!("Check my mix, {}", lesson.unwrap_or("?"))
        };
        eprintln!(
            "  {what}: page {:.1} s, mixroom check {:.1} s ({:.1}x){}",
            get("pageMs") / 1e3,
            get("nativeMs") / 1e3,
            get("ratio"),
            if line.contains("longestGapMs") {
                format!(", longest pause {:.0} ms", get("longestGapMs"))
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// The number that follows `key` in `text` (a JSON-ish line).
fn number_after(text: &str, key: &str) -> Option<f64> {
    let rest = text.split(key).nth(1)?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}
