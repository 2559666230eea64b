//! `cargo xtask fuzz [--cases N] [--seed S] [--target NAME]`: the mutation fuzzer
//! (crates/fuzz) over everything that reads outside input: share links, session JSON and its
//! migrations, `.mixroom` bundles, and mixroom-cli's audio decoders.
//!
//! Built in the `fuzz` profile (optimized, with overflow checks). A million cases by default,
//! the same ones for the same seed; failures are saved under `<target dir>/fuzz-failures/`.

use crate::cmd::{self, Result};

/// Cases of the short run `cargo xtask test` makes (a few seconds).
pub const TEST_CASES: &str = "24000";

/// Runs the fuzzer with `args` (its own options, passed on).
pub fn run(args: &[String]) -> Result {
    cmd::run(
        cmd::cargo()
            .args([
                "run",
                "--locked",
                "--quiet",
                "--profile",
                "fuzz",
                "--package",
                "mixroom-fuzz",
                "--",
            ])
            .args(args),
    )
}
