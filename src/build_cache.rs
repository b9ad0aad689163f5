//! Remembers what the last successful build read and wrote, so a rebuild with nothing
//! changed costs one pass of hashing the inputs and looking at the output instead of a
//! full render.

use crate::diagnostics::Problem;
use crate::feeds::FEEDS_DIR;
use crate::output::{MANIFEST, read_manifest};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Kept beside the site, never inside the output.
pub const DIR: &str = ".showroom-cache";
const FILE: &str = "last-build.json";
/// Everything under the site root a build reads.
pub const INPUTS: [&str; 6] = [
    "config.toml",
    "content",
    "data",
    "themes",
    "static",
    "templates",
];

#[derive(Serialize, Deserialize)]
pub struct LastBuild<'a> {
    inputs: String,
    /// blake3 of the output's `manifest.json`: proof the output is still what we wrote.
    manifest: String,
    /// Every file the manifest lists with its size and modification time
    /// ([`output_stamp`]): a file deleted or edited since is noticed without reading it.
    output: String,
    pub pages: usize,
    /// Borrowed when written: a large feed's build can report 100 000 warnings.
    pub problems: Cow<'a, [Problem]>,
}

/// A hash of every input file (path and bytes), the build settings and the program
/// itself. Any change to any of them gives another fingerprint. Symbolic links are
/// followed, as the stages that read the files follow them; feed files also count by
/// their modification time, which dates the cars of a feed without dates of its own.
pub fn fingerprint(root: &Path, settings: &str) -> String {
    let mut files: Vec<PathBuf> = INPUTS
        .iter()
        .flat_map(|part| {
            walkdir::WalkDir::new(root.join(part))
                .follow_links(true)
                .sort_by_file_name()
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    let feeds = root.join(FEEDS_DIR);
    let hashes: Vec<[u8; 32]> = files
        .par_iter()
        .map(|path| {
            let mut h = blake3::Hasher::new();
            h.update(path.to_string_lossy().as_bytes());
            h.update(&[0]);
            if path.starts_with(&feeds) {
                let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
                h.update(format!("{modified:?}").as_bytes());
            }
            match std::fs::read(path) {
                Ok(bytes) => h.update(&bytes),
                Err(e) => h.update(e.to_string().as_bytes()),
            };
            *h.finalize().as_bytes()
        })
        .collect();
    let mut all = blake3::Hasher::new();
    all.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        all.update(format!("{:?}{}", meta.modified().ok(), meta.len()).as_bytes());
    }
    all.update(settings.as_bytes());
    for h in &hashes {
        all.update(h);
    }
    all.finalize().to_hex().to_string()
}

/// A hash of the path, size and modification time of every file the output's manifest
/// lists; `None` when a file is missing or its size is not the listed one. Stats every
/// file, reads none.
fn output_stamp(output: &Path) -> Option<String> {
    let files = read_manifest(output)?;
    let stamps: Vec<Option<(u64, Option<std::time::SystemTime>)>> = files
        .par_iter()
        .map(|(rel, listed)| {
            let meta = std::fs::symlink_metadata(output.join(rel)).ok()?;
            (meta.is_file() && meta.len() == listed.size)
                .then(|| (meta.len(), meta.modified().ok()))
        })
        .collect();
    let mut h = blake3::Hasher::new();
    for (rel, stamp) in files.keys().zip(stamps) {
        h.update(rel.as_bytes());
        h.update(format!("\0{:?}\0", stamp?).as_bytes());
    }
    Some(h.finalize().to_hex().to_string())
}

/// The last build's report, if its inputs had this fingerprint and its output is intact.
pub fn unchanged(root: &Path, inputs: &str, output: &Path) -> Option<LastBuild<'static>> {
    let text = std::fs::read(root.join(DIR).join(FILE)).ok()?;
    let last: LastBuild = serde_json::from_slice(&text).ok()?;
    let manifest = std::fs::read(output.join(MANIFEST)).ok()?;
    let intact = last.inputs == inputs
        && last.manifest == blake3::hash(&manifest).to_hex().as_str()
        && output_stamp(output).is_some_and(|stamp| stamp == last.output);
    intact.then_some(last)
}

/// Records a successful build; a failure to record only costs the next build its shortcut.
pub fn remember(root: &Path, inputs: String, output: &Path, pages: usize, problems: &[Problem]) {
    let (Ok(manifest), Some(stamp)) = (std::fs::read(output.join(MANIFEST)), output_stamp(output))
    else {
        return;
    };
    let last = LastBuild {
        inputs,
        manifest: blake3::hash(&manifest).to_hex().to_string(),
        output: stamp,
        pages,
        problems: Cow::Borrowed(problems),
    };
    let dir = root.join(DIR);
    if std::fs::create_dir_all(&dir).is_ok()
        && let Ok(json) = serde_json::to_vec(&last)
    {
        // Written aside then renamed: another build of the same site may be reading it.
        let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, dir.join(FILE)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
