//! `cargo xtask <task>`: the project's commands. Installs what is missing, saying what it does.
//!
//! - `serve`: build everything and serve the app on http://127.0.0.1:8080 (COOP/COEP headers).
//! - `test`: every check: rustfmt, clippy (host and wasm32), cargo test, docs, a release Trunk
//!   build, and the browser end-to-end suite in headless Chromium.
//! - `bench`: the engine's speed: criterion benches and the browser benchmark, side by side.
//! - `fuzz`: the mutation fuzzer over links, sessions, bundles and audio decoders.
//! - `setup`: only install the tools.
//! - `build-worklet`: build the engine's wasm module (Trunk runs this as a build hook).
//! - `optimize-wasm`: wasm-opt over the built page and its size per part (Trunk's post-build
//!   hook).

mod bench;
mod cmd;
mod fuzz;
mod serve;
mod sizes;
mod suite_build;
mod test;
mod tools;
mod wasm_opt;
mod worklet;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <serve | test | bench | fuzz | setup | build-worklet | optimize-wasm>

  serve          build everything and serve the app on http://127.0.0.1:8080
  test           run every test: formatting, lints, native tests, wasm build, browser suite
  bench          measure the engine: criterion benches, worklet vs Chromium's nodes, wasm vs native
  fuzz           fuzz links, sessions, bundles and audio decoders [--cases N] [--seed S]
                 [--target link|link-body|session|bundle|decode] (a million cases by default)
  setup          install the tools the other tasks need (wasm32 target, Trunk, wasm-bindgen-cli,
                 npm packages, Chromium)
  build-worklet  build crates/worklet for wasm32 into Trunk's staging directory
  optimize-wasm  wasm-opt over Trunk's staging directory, then the size of every part";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::run(),
        Some("test") => test::run(),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("setup") => tools::setup(tools::Needs::everything()),
        Some("build-worklet") => worklet::build(),
        Some("optimize-wasm") => wasm_opt::run(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
