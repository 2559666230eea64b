//! The built page's size per part: each file's bytes and its gzipped bytes (deflate at level 9,
//! plus gzip's 18-byte frame), as a server that compresses would send it.

use std::path::{Path, PathBuf};

use crate::cmd::Result;

/// gzip's header (10 bytes) and trailer (CRC-32 and length, 8 bytes) around the deflate stream.
const GZIP_FRAME_BYTES: usize = 18;

/// One file of the build.
pub struct Part {
    /// Its path inside the build folder.
    pub name: String,
    /// Its size, bytes.
    pub bytes: usize,
    /// Its gzipped size, bytes.
    pub gzipped: usize,
}

/// Every file under `dir`, by name.
pub fn parts(dir: &Path) -> Result<Vec<Part>> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let data =
                std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            Ok(Part {
                name,
                bytes: data.len(),
                gzipped: miniz_oxide::deflate::compress_to_vec(&data, 9).len() + GZIP_FRAME_BYTES,
            })
        })
        .collect()
}

fn walk(dir: &Path, into: &mut Vec<PathBuf>) -> Result {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            walk(&path, into)?;
        } else {
            into.push(path);
        }
    }
    Ok(())
}

/// Prints the size of every part of the build in `dir`, and the total.
pub fn report(dir: &Path) -> Result {
    let parts = parts(dir)?;
    eprintln!("\nThe page's size per part (bytes; gzipped at deflate level 9):");
    for part in &parts {
        eprintln!("  {:>9} {:>9} gz  {}", part.bytes, part.gzipped, part.name);
    }
    let bytes: usize = parts.iter().map(|p| p.bytes).sum();
    let gzipped: usize = parts.iter().map(|p| p.gzipped).sum();
    eprintln!("  {bytes:>9} {gzipped:>9} gz  in all");
    Ok(())
}
