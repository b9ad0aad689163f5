//! `.showroom/`, beside the site's sources and never published: everything a build keeps
//! for the next one. `state/` cannot be rebuilt (each supplier's last good feed files),
//! so only a successful `build` writes it, atomically; `cache/` can (photos, the last
//! build's fingerprint), so losing it costs time, never correctness.

pub mod feeds;

use std::path::{Path, PathBuf};

/// The folder under the site root.
pub const DIR: &str = ".showroom";

/// What can be rebuilt: photo variants, the last build's fingerprint.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(DIR).join("cache")
}

/// What cannot: the suppliers' last good feeds.
pub fn state_dir(root: &Path) -> PathBuf {
    root.join(DIR).join("state")
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so a reader
/// (another build of the same site) sees the old file or the new one, never half.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
