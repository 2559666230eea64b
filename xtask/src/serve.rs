//! `cargo xtask serve`: build and serve the app with the headers SharedArrayBuffer needs.

use crate::cmd::{self, Result};
use crate::tools::{self, Needs};

pub fn run() -> Result {
    tools::setup(Needs::build())?;
    cmd::step("Serving Mixroom on http://127.0.0.1:8080 (Ctrl+C stops)");
    cmd::run(cmd::command("trunk").args(["serve", "--release"]))
}
