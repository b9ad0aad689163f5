//! `.showroom/`, beside the site's sources and never published: everything a build keeps
//! for the next one. `state/` cannot be rebuilt (each supplier's last good feed files),
//! so only a successful `build` writes it, atomically; `cache/` can (photos, the last
//! build's fingerprint), so losing it costs time, never correctness.

pub mod feeds;
pub mod ledger;

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

/// The file [`lock`] holds, inside the state folder; never part of the state itself.
pub const LOCK: &str = ".lock";

/// Holds `state/.lock` until dropped, waiting for it if another build of the same site
/// (into another output folder) is saving: one build's clean-up of old feed copies must
/// never run while another writes the copies its index names. `None` when the lock
/// cannot be taken at all; the saves go ahead, atomic file by file as ever.
pub fn lock(root: &Path) -> Option<std::fs::File> {
    let dir = state_dir(root);
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK))
        .ok()?;
    file.lock().ok()?;
    Some(file)
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
