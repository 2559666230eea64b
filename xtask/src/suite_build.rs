//! The page as the browser suite and the benchmark drive it: a release build with the
//! end-to-end hooks (`--features e2e` for the app and, through [`E2E_ENV`], for the engine),
//! in a folder of its own so that it never mixes with the page users get (`dist/`).

use std::path::PathBuf;

use crate::cmd::{self, Result};

/// Set (to `1`) for Trunk's build hook: `build-worklet` then builds the engine with its hook.
pub const E2E_ENV: &str = "MIXROOM_E2E";

/// Where the suite's build goes, relative to the workspace root.
const DIST: &str = "dist-e2e";

/// Builds the page with the end-to-end hooks and returns its folder.
pub fn build() -> Result<PathBuf> {
    cmd::run(
        cmd::command("trunk")
            .args(["build", "--release", "--features", "e2e", "--dist", DIST])
            .env(E2E_ENV, "1"),
    )?;
    Ok(cmd::root().join(DIST))
}
