//! Finding and installing the tools the tasks need, saying what is done.
//!
//! - the wasm32-unknown-unknown target, rustfmt and clippy (rustup);
//! - Trunk 0.21.14 (`cargo install --locked`; later versions need a newer rustc);
//! - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (`cargo install`, not
//!   `--locked`: its own lock file pins a crate the registry no longer serves);
//! - the build's npm packages (`npm ci` in xtask/npm: binaryen's wasm-opt) and the browser
//!   suite's (`npm ci` in tests/e2e, no browser download);
//! - Chromium from Debian (`apt-get`, as root or through `sudo -n`).

use std::path::PathBuf;

use crate::cmd::{self, Result};
use crate::wasm_opt;

/// The Trunk release we build with.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the browser suite lives.
pub const E2E_DIR: &str = "tests/e2e";

/// Which tools a task needs.
#[derive(Clone, Copy)]
pub struct Needs {
    browser: bool,
}

impl Needs {
    /// Building and serving the app.
    pub fn build() -> Needs {
        Needs { browser: false }
    }

    /// Everything, browser suite included.
    pub fn everything() -> Needs {
        Needs { browser: true }
    }
}

/// Installs whatever `needs` asks for and is missing.
pub fn setup(needs: Needs) -> Result {
    cmd::step("Checking tools (missing ones are installed; the first run takes a while)");
    rust_parts()?;
    trunk()?;
    wasm_bindgen()?;
    npm_packages(wasm_opt::NPM_DIR, "the build's npm packages (wasm-opt)")?;
    if needs.browser {
        npm_packages(E2E_DIR, "the browser tests' npm packages")?;
        chromium()?;
    }
    Ok(())
}

fn rust_parts() -> Result {
    let installed = cmd::output(cmd::command("rustup").args(["target", "list", "--installed"]))
        .ok_or("rustup is needed to add the wasm32 target (https://rustup.rs)")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        eprintln!("ok  Rust target {WASM_TARGET}");
    } else {
        eprintln!("installing the Rust target {WASM_TARGET}");
        cmd::run(cmd::command("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if cmd::output(cmd::cargo().args([probe, "--version"])).is_some() {
            eprintln!("ok  {component}");
        } else {
            eprintln!("installing {component}");
            cmd::run(cmd::command("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// The version a tool prints as its second word (`trunk 0.21.14`, `wasm-bindgen 0.2.130`).
fn tool_version(program: &str) -> Option<String> {
    let out = cmd::output(cmd::command(program).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

fn trunk() -> Result {
    if tool_version("trunk").as_deref() == Some(TRUNK_VERSION) {
        eprintln!("ok  trunk {TRUNK_VERSION}");
        return Ok(());
    }
    eprintln!("installing trunk {TRUNK_VERSION} (about 5 minutes)");
    cmd::run(cmd::cargo().args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// The wasm-bindgen version Cargo.lock resolved.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".to_owned())
}

fn wasm_bindgen() -> Result {
    let wanted = locked_wasm_bindgen()?;
    if tool_version("wasm-bindgen").as_deref() == Some(wanted.as_str()) {
        eprintln!("ok  wasm-bindgen-cli {wanted}");
        return Ok(());
    }
    eprintln!("installing wasm-bindgen-cli {wanted} (matches Cargo.lock; about 3 minutes)");
    cmd::run(cmd::cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))
}

/// `npm ci` in `dir` (relative to the workspace root) unless its packages are up to date.
fn npm_packages(dir: &str, what: &str) -> Result {
    let node = cmd::output(cmd::command("node").arg("--version"))
        .ok_or("Node.js is needed to build and test (Debian: apt-get install nodejs npm)")?;
    let path = cmd::root().join(dir);
    let lock = path.join("package-lock.json");
    let installed = path.join("node_modules/.package-lock.json");
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&installed), modified(&lock)), (Some(i), Some(l)) if i >= l);
    if fresh {
        eprintln!("ok  {what} (node {})", node.trim());
        return Ok(());
    }
    eprintln!("installing {what} (npm ci in {dir})");
    cmd::run(
        cmd::command("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&path)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

/// Debian's Chromium, installed with apt-get when missing.
pub fn chromium_path() -> Option<PathBuf> {
    let path = cmd::output(cmd::command("sh").args(["-c", "command -v chromium"]))?;
    Some(PathBuf::from(path.trim()))
}

fn chromium() -> Result {
    if let Some(path) = chromium_path() {
        eprintln!("ok  chromium ({})", path.display());
        return Ok(());
    }
    let root = cmd::output(cmd::command("id").arg("-u")).is_some_and(|id| id.trim() == "0");
    let sudo = !root && cmd::output(cmd::command("sudo").args(["-n", "true"])).is_some();
    if !root && !sudo {
        return Err(
            "Chromium is missing and this user cannot install packages; \
                    run: sudo apt-get install -y chromium"
                .to_owned(),
        );
    }
    eprintln!("installing Debian's chromium with apt-get (about 2 minutes)");
    let apt = |args: &[&str]| {
        let mut command = cmd::command(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            command.args(["-n", "apt-get"]);
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd::run(&mut command)
    };
    apt(&["update"])?;
    apt(&["install", "-y", "--no-install-recommends", "chromium"])?;
    chromium_path()
        .map(|_| ())
        .ok_or_else(|| "apt-get finished but chromium is still not on PATH".to_owned())
}
