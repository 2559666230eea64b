//! `cargo xtask test`: every check, in the order that fails fastest.

use crate::cmd::{self, Result};
use crate::fuzz;
use crate::suite_build;
use crate::tools::{self, Needs, E2E_DIR};

/// Crates that are built for the browser and so must also pass clippy on wasm32.
const WASM_CRATES: [&str; 5] = [
    "mixroom-protocol",
    "mixroom-dsp",
    "mixroom-lesson",
    "mixroom-worklet",
    "mixroom-app",
];

/// The features that put the end-to-end hooks into the page and the engine.
const E2E_FEATURES: &str = "mixroom-app/e2e,mixroom-worklet/e2e";

/// JavaScript that runs in the browser or drives it, syntax-checked with node.
const JS_FILES: [&str; 2] = ["www/worklet-processor.js", "www/boot.js"];

pub fn run() -> Result {
    tools::setup(Needs::everything())?;

    cmd::step("Formatting (rustfmt)");
    cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))?;

    cmd::step("Lints (clippy, host)");
    cmd::run(cmd::cargo().args([
        "clippy",
        "--locked",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    // Twice: the page users get, and the suite's build with its hooks.
    for features in [None, Some(E2E_FEATURES)] {
        cmd::step(match features {
            None => "Lints (clippy, wasm32)",
            Some(_) => "Lints (clippy, wasm32, with the end-to-end hooks)",
        });
        let mut clippy = cmd::cargo();
        clippy.args(["clippy", "--locked", "--target", "wasm32-unknown-unknown"]);
        for krate in WASM_CRATES {
            clippy.args(["--package", krate]);
        }
        if let Some(features) = features {
            clippy.args(["--features", features]);
        }
        cmd::run(clippy.args(["--", "-D", "warnings"]))?;
    }

    cmd::step("JavaScript syntax (node --check)");
    for file in JS_FILES {
        cmd::run(cmd::command("node").args(["--check", file]))?;
    }

    cmd::step("Native tests (cargo test)");
    cmd::run(cmd::cargo().args(["test", "--locked", "--workspace"]))?;

    // Rendering the demo for every lesson takes over 20 minutes unoptimized, 20 s optimized.
    cmd::step("The built-in lessons on the demo song, optimized (references pass, starts fail)");
    cmd::run(cmd::cargo().args([
        "test",
        "--locked",
        "--release",
        "--package",
        "mixroom-lesson",
        "--test",
        "demo_lessons",
    ]))?;

    cmd::step("Fuzzing, a short run (cargo xtask fuzz --cases 24000)");
    fuzz::run(&["--cases".to_owned(), fuzz::TEST_CASES.to_owned()])?;

    cmd::step("API docs (cargo doc, warnings are errors)");
    cmd::run(
        cmd::cargo()
            .args(["doc", "--locked", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;

    cmd::step("Release build of the page with the end-to-end hooks (trunk build --features e2e)");
    let dist = suite_build::build()?;

    cmd::step("Native renderer for the parity test (mixroom-cli)");
    cmd::run(cmd::cargo().args(["build", "--locked", "--release", "--package", "mixroom-cli"]))?;

    cmd::step("Browser end-to-end suite (Playwright, headless Chromium)");
    let chromium = tools::chromium_path().ok_or("chromium disappeared")?;
    let root = cmd::root();
    cmd::run(
        cmd::command("npx")
            .args(["--no-install", "playwright", "test"])
            .current_dir(root.join(E2E_DIR))
            .env("MIXROOM_DIST", &dist)
            .env("MIXROOM_CLI", cmd::target_dir().join("release/mixroom"))
            .env("CHROMIUM_PATH", chromium),
    )?;

    eprintln!("\nAll tests passed.");
    Ok(())
}
