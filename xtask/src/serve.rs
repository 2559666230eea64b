//! `cargo xtask serve`: build and serve the app with the headers SharedArrayBuffer needs.

use crate::cmd::{self, Result};
use crate::tools::{self, Needs};

pub fn run() -> Result {
    tools::setup(Needs::build())?;
    cmd::step("Serving Mixroom on http://127.0.0.1:8080 (Ctrl+C stops)");
    // No live-reload: Trunk injects it as an inline script, which the page's
    // Content-Security-Policy (index.html) refuses, with an error in the console.
    cmd::run(cmd::command("trunk").args(["serve", "--release", "--no-autoreload"]))
}
