//! `cargo xtask test`: every check, in the order that fails fastest.

use crate::cmd::{self, Result};
use crate::fuzz;
use crate::tools::{self, Needs, E2E_DIR};

/// Crates that are built for the browser and so must also pass clippy on wasm32.
const WASM_CRATES: [&str; 4] = [
    "mixroom-protocol",
    "mixroom-dsp",
    "mixroom-worklet",
    "mixroom-app",
];

/// JavaScript that runs in the browser or drives it, syntax-checked with node.
const JS_FILES: [&str; 1] = ["www/worklet-processor.js"];

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

    cmd::step("Lints (clippy, wasm32)");
    let mut clippy = cmd::cargo();
    clippy.args(["clippy", "--locked", "--target", "wasm32-unknown-unknown"]);
    for krate in WASM_CRATES {
        clippy.args(["--package", krate]);
    }
    cmd::run(clippy.args(["--", "-D", "warnings"]))?;

    cmd::step("JavaScript syntax (node --check)");
    for file in JS_FILES {
        cmd::run(cmd::command("node").args(["--check", file]))?;
    }

    cmd::step("Native tests (cargo test)");
    cmd::run(cmd::cargo().args(["test", "--locked", "--workspace"]))?;

    cmd::step("Fuzzing, a short run (cargo xtask fuzz --cases 20000)");
    fuzz::run(&["--cases".to_owned(), fuzz::TEST_CASES.to_owned()])?;

    cmd::step("API docs (cargo doc, warnings are errors)");
    cmd::run(
        cmd::cargo()
            .args(["doc", "--locked", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;

    cmd::step("Release build of the page (trunk build --release)");
    cmd::run(cmd::command("trunk").args(["build", "--release"]))?;

    cmd::step("Native renderer for the parity test (mixroom-cli)");
    cmd::run(cmd::cargo().args(["build", "--locked", "--release", "--package", "mixroom-cli"]))?;

    cmd::step("Browser end-to-end suite (Playwright, headless Chromium)");
    let chromium = tools::chromium_path().ok_or("chromium disappeared")?;
    let root = cmd::root();
    cmd::run(
        cmd::command("npx")
            .args(["--no-install", "playwright", "test"])
            .current_dir(root.join(E2E_DIR))
            .env("MIXROOM_DIST", root.join("dist"))
            .env("MIXROOM_CLI", cmd::target_dir().join("release/mixroom"))
            .env("CHROMIUM_PATH", chromium),
    )?;

    eprintln!("\nAll tests passed.");
    Ok(())
}
