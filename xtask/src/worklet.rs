//! `cargo xtask build-worklet`: the engine's wasm module, built for the AudioWorklet.
//!
//! Trunk runs this as a build hook; it writes `mixroom_worklet.wasm` into Trunk's staging
//! directory (`TRUNK_STAGING_DIR`), next to the page. The module is always built in release mode:
//! a debug engine cannot keep up with real time.

use std::path::PathBuf;

use crate::cmd::{self, Result};
use crate::suite_build;

/// The module's file name, as the page fetches it.
const MODULE_FILE: &str = "mixroom_worklet.wasm";

pub fn build() -> Result {
    let mut cargo = cmd::cargo();
    cargo.args([
        "build",
        "--locked",
        "--release",
        "--package",
        "mixroom-worklet",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    // The suite's build (see suite_build.rs) has the engine's test hook.
    if std::env::var_os(suite_build::E2E_ENV).is_some_and(|v| v == "1") {
        cargo.args(["--features", "e2e"]);
    }
    cmd::run(&mut cargo)?;
    let built = cmd::target_dir()
        .join("wasm32-unknown-unknown/release")
        .join(MODULE_FILE);
    let into = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("TRUNK_STAGING_DIR is not set: this task runs as Trunk's build hook")?;
    std::fs::copy(&built, into.join(MODULE_FILE))
        .map_err(|e| format!("copying {} to {}: {e}", built.display(), into.display()))?;
    Ok(())
}
