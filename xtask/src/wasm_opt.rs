//! `cargo xtask optimize-wasm`: wasm-opt over the built page, then its size per part.
//!
//! Trunk runs this as its post-build hook, on the staging directory (`TRUNK_STAGING_DIR`) that
//! becomes `dist/`. wasm-opt comes from npm's `binaryen` (`xtask/npm`): Debian's binaryen is too
//! old to read the wasm today's rustc writes. The page's module is optimized for size (it is
//! downloaded before anything plays), the engine's for speed (it runs every render quantum).
//!
//! wasm-opt changes the page's module after Trunk has written `index.html`, so that module's link
//! in `index.html` (the source) asks Trunk for no integrity digest (`data-integrity="none"`): a
//! stale one would make the browser refuse the preload and fetch the module twice.

use std::path::{Path, PathBuf};

use crate::cmd::{self, Result};
use crate::sizes;

/// Where the build's npm tools live, relative to the workspace root.
pub const NPM_DIR: &str = "xtask/npm";

/// The wasm features today's rustc emits for wasm32-unknown-unknown, and SIMD, which
/// `.cargo/config.toml` turns on (every browser Mixroom runs in has them all): wasm-opt must be
/// told, or it refuses the module.
const FEATURES: [&str; 7] = [
    "--enable-simd",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The engine's module (built by `build-worklet`): optimized for speed.
const ENGINE_MODULE: &str = "mixroom_worklet.wasm";

pub fn run() -> Result {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("TRUNK_STAGING_DIR is not set: this task runs as Trunk's post-build hook")?;
    let wasm_opt = cmd::root().join(NPM_DIR).join("node_modules/.bin/wasm-opt");
    for module in files(&staging, ".wasm")? {
        let before = read(&module)?;
        let level = if file_name(&module) == ENGINE_MODULE {
            "-O3"
        } else {
            "-Oz"
        };
        cmd::run(
            cmd::command(&wasm_opt.to_string_lossy())
                .arg(level)
                .args(FEATURES)
                .arg(&module)
                .arg("-o")
                .arg(&module),
        )?;
        let after = read(&module)?;
        eprintln!(
            "wasm-opt {level} {}: {} -> {} bytes",
            file_name(&module),
            before.len(),
            after.len()
        );
    }
    sizes::report(&staging)
}

/// The files in `dir` whose names end in `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file() && file_name(path).ends_with(suffix))
        .collect();
    found.sort();
    Ok(found)
}

/// The last part of `path`, as text.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The bytes of `path`.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))
}
