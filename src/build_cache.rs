//! Remembers what the last successful build read and wrote, so a rebuild with nothing
//! changed costs one pass of hashing the inputs and looking at the output instead of a
//! full render.

use crate::Report;
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::FEEDS_DIR;
use crate::feeds::SupplierReport;
use crate::output::{Committed, MANIFEST, parse_manifest};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// In the state folder's cache (`.showroom/cache/`).
const FILE: &str = "last-build.json";

#[derive(Serialize, Deserialize)]
pub struct LastBuild<'a> {
    inputs: String,
    /// blake3 of the output's `manifest.json`: proof the output is still what we wrote.
    manifest: String,
    /// Every file the manifest lists with its size and modification time
    /// ([`output_stamp`]): a file deleted or edited since is noticed without reading it.
    output: String,
    /// blake3 of the suppliers' last good feeds and the inventory ledger as that build
    /// left them: what stands in for an unreadable feed, and each car's history.
    state: String,
    pub pages: usize,
    /// Borrowed when written: a large feed's build can report 100 000 warnings.
    problems: Cow<'a, [Problem]>,
    /// With only the problems tagged with another supplier (a duplicate VIN it won):
    /// its own are in `problems`, with their supplier.
    suppliers: Vec<SupplierReport>,
}

impl LastBuild<'_> {
    /// The report of a build that found nothing changed since this one: its problems and
    /// supplier reports again.
    pub fn into_report(self) -> Report {
        let problems: Diagnostics = self.problems.into_owned().into_iter().collect();
        let mut suppliers = self.suppliers;
        for supplier in &mut suppliers {
            let others = std::mem::take(&mut supplier.problems);
            supplier.problems = problems
                .iter()
                .filter(|p| p.supplier.as_deref() == Some(supplier.id.as_str()))
                .cloned()
                .chain(others)
                .collect();
        }
        Report {
            unchanged: true,
            ..Report::new(problems, suppliers, self.pages)
        }
    }
}

/// blake3 of the saved last good feeds' index and of the inventory ledger, either of
/// which may be missing.
fn state_stamp(root: &Path) -> String {
    let mut h = blake3::Hasher::new();
    for file in [
        crate::state::feeds::index_path(root),
        crate::state::ledger::path(root),
    ] {
        h.update(&std::fs::read(file).unwrap_or_default());
        h.update(&[0]);
    }
    h.finalize().to_hex().to_string()
}

/// A hash of every input file (path and bytes), the build settings and the program
/// itself. Any change to any of them gives another fingerprint. Symbolic links are
/// followed (feeds are read through them); files under `data/feeds/` also count by
/// their modification time, which dates the cars of a feed without dates of its own.
pub fn fingerprint(root: &Path, settings: &str) -> String {
    // Folders and what cannot be followed (a broken link, a loop) count by path and
    // kind: a feed file turned into either changes what the build says.
    let mut files: Vec<(PathBuf, Option<String>)> = crate::site::INPUTS
        .iter()
        .flat_map(|part| {
            walkdir::WalkDir::new(root.join(part))
                .follow_links(true)
                .sort_by_file_name()
        })
        .filter_map(|entry| match entry {
            Ok(e) if e.file_type().is_file() => Some((e.into_path(), None)),
            Ok(e) => Some((e.into_path(), Some("folder".to_string()))),
            Err(e) => Some((e.path()?.to_path_buf(), Some(e.to_string()))),
        })
        .collect();
    files.sort();
    let feeds = root.join(FEEDS_DIR);
    let hashes: Vec<[u8; 32]> = files
        .par_iter()
        .map(|(path, kind)| {
            let mut h = blake3::Hasher::new();
            h.update(path.to_string_lossy().as_bytes());
            h.update(&[0]);
            if let Some(kind) = kind {
                h.update(kind.as_bytes());
                return *h.finalize().as_bytes();
            }
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
/// lists (`sizes`, in its order); `None` when a file is missing or its size is not the
/// listed one. Stats every file, reads none.
fn output_stamp(output: &Path, sizes: &[(&str, u64)]) -> Option<String> {
    let stamps: Vec<Option<Option<std::time::SystemTime>>> = sizes
        .par_iter()
        .map(|(rel, size)| {
            let meta = std::fs::symlink_metadata(output.join(rel)).ok()?;
            (meta.is_file() && meta.len() == *size).then(|| meta.modified().ok())
        })
        .collect();
    let mut h = blake3::Hasher::new();
    for ((rel, size), stamp) in sizes.iter().zip(stamps) {
        h.update(rel.as_bytes());
        h.update(format!("\0{size}\0{:?}\0", stamp?).as_bytes());
    }
    Some(h.finalize().to_hex().to_string())
}

/// What the last successful build left, if `output` is still exactly what it wrote (its
/// manifest, and every file's size and modification time).
pub fn intact(root: &Path, output: &Path) -> Option<LastBuild<'static>> {
    let text = std::fs::read(crate::state::cache_dir(root).join(FILE)).ok()?;
    let last: LastBuild = serde_json::from_slice(&text).ok()?;
    let manifest = std::fs::read(output.join(MANIFEST)).ok()?;
    if last.manifest != blake3::hash(&manifest).to_hex().as_str() {
        return None;
    }
    let files = parse_manifest(&manifest)?;
    let sizes: Vec<(&str, u64)> = files.iter().map(|(p, l)| (p.as_str(), l.size)).collect();
    (output_stamp(output, &sizes)? == last.output).then_some(last)
}

impl LastBuild<'_> {
    /// Whether its inputs had this fingerprint and the state folder is as it left it:
    /// then building again would give the same output.
    pub fn same_inputs(&self, root: &Path, inputs: &str) -> bool {
        self.inputs == inputs && self.state == state_stamp(root)
    }
}

/// Records a successful build; a failure to record only costs the next build its shortcut.
pub fn remember(
    root: &Path,
    inputs: String,
    output: &Path,
    committed: &Committed,
    report: &Report,
) {
    let sizes: Vec<(&str, u64)> = committed
        .sizes
        .iter()
        .map(|(p, size)| (p.as_str(), *size))
        .collect();
    let Some(stamp) = output_stamp(output, &sizes) else {
        return;
    };
    let last = LastBuild {
        inputs,
        manifest: blake3::hash(&committed.manifest).to_hex().to_string(),
        output: stamp,
        state: state_stamp(root),
        pages: report.pages,
        problems: Cow::Borrowed(report.problems.as_slice()),
        suppliers: report
            .suppliers
            .iter()
            .map(|s| SupplierReport {
                problems: others_problems(s),
                ..s.clone()
            })
            .collect(),
    };
    if let Ok(json) = serde_json::to_vec(&last) {
        // A failure only costs the next build its shortcut.
        let _ = crate::state::write_atomically(&crate::state::cache_dir(root).join(FILE), &json);
    }
}

/// A supplier's problems that are tagged with another supplier.
fn others_problems(supplier: &SupplierReport) -> Vec<Problem> {
    supplier
        .problems
        .iter()
        .filter(|p| p.supplier.as_deref() != Some(supplier.id.as_str()))
        .cloned()
        .collect()
}
