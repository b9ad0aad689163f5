//! Each supplier's last good feed files: a copy of every feed file that a successful
//! build read without a file-level error. When a supplier's next upload cannot be read
//! at all, its cars come from this copy, until the copy is older than the supplier may
//! go without an update; then they are withdrawn.
//!
//! On disk: `state/feeds.json` (which copy is whose, read when) and `state/feeds/<blake3>`
//! (the bytes, named by their hash, so a file that did not change is not copied again).
//! The index is replaced in one rename after the copies it names are in place.

use super::{state_dir, write_atomically};
use crate::diagnostics::Problem;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;
const INDEX: &str = "feeds.json";
const COPIES: &str = "feeds";

/// One feed file as a successful build read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// blake3 of its bytes, which names its copy.
    pub blake3: String,
    /// The build date on which it was read.
    pub read_on: Date,
    /// Its modification day then: the "last updated" date of its rows without one.
    pub modified: Option<Date>,
    /// The cars it gave.
    pub cars: usize,
}

/// Supplier id, then file name (as in its folder), to what was saved.
pub type Suppliers = BTreeMap<String, BTreeMap<String, Saved>>;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    suppliers: Suppliers,
}

/// The last good feeds the state folder holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LastGood {
    dir: PathBuf,
    suppliers: Suppliers,
}

impl LastGood {
    /// Reads the index. None yet is an empty state; a damaged or unknown one is a
    /// warning and an empty state (the next successful build sets it aside).
    pub fn load(root: &Path) -> (LastGood, Option<Problem>) {
        let dir = state_dir(root);
        let path = dir.join(INDEX);
        let mut state = LastGood {
            dir,
            suppliers: Suppliers::new(),
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (state, None),
            Err(e) => return (state, Some(damaged(&path, &e.to_string()))),
        };
        match serde_json::from_slice::<Index>(&bytes) {
            Ok(index) if index.version == VERSION => {
                state.suppliers = index.suppliers;
                (state, None)
            }
            Ok(index) => {
                let why = format!("it is version {}, expected {VERSION}", index.version);
                (state, Some(damaged(&path, &why)))
            }
            Err(e) => (state, Some(damaged(&path, &e.to_string()))),
        }
    }

    /// The files saved for a supplier.
    pub fn files(&self, supplier: &str) -> Option<&BTreeMap<String, Saved>> {
        self.suppliers.get(supplier)
    }

    /// The saved bytes of a file.
    pub fn read(&self, saved: &Saved) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.dir.join(COPIES).join(&saved.blake3))
    }
}

/// Where the index is, for those who only need to know whether it changed.
pub fn index_path(root: &Path) -> PathBuf {
    state_dir(root).join(INDEX)
}

fn damaged(path: &Path, why: &str) -> Problem {
    Problem::warning(format!(
        "the saved last good feeds cannot be read ({why}); no supplier can fall back to \
         an earlier feed in this build, and the next successful build starts them afresh"
    ))
    .in_file(path.to_string_lossy())
}

/// What one supplier's file gave this build, for the state to keep.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Read without a file-level error: save this copy (`source` is the file, read
    /// again and kept only if it still has the hash that was read).
    Read { saved: Saved, source: PathBuf },
    /// Unreadable, so its earlier copy stood in: keep that copy as it is.
    Kept(Saved),
}

/// Records a successful build: every file read is saved (its bytes copied unless an
/// identical copy is there), every copy that stood in is kept, and everything else
/// (files gone from their folder, suppliers no longer registered) is forgotten.
/// `outcomes` are by supplier id and file name.
pub fn save_outcomes(
    root: &Path,
    outcomes: BTreeMap<String, BTreeMap<String, Outcome>>,
) -> std::io::Result<()> {
    let (before, problem) = LastGood::load(root);
    let dir = state_dir(root);
    let copies = dir.join(COPIES);
    std::fs::create_dir_all(&copies)?;
    if problem.is_some() {
        // Set aside rather than overwritten: someone may want to see what went wrong.
        let _ = std::fs::rename(dir.join(INDEX), dir.join(format!("{INDEX}.damaged")));
    }
    let mut suppliers = Suppliers::new();
    for (supplier, files) in outcomes {
        let mut kept = BTreeMap::new();
        for (name, outcome) in files {
            let saved = match outcome {
                Outcome::Kept(saved) => Some(saved),
                Outcome::Read { saved, source } => {
                    copy(&source, &saved.blake3, &copies)?
                        .then_some(saved)
                        .or_else(|| {
                            // Changed since it was read: what was published came from the
                            // bytes that were read, which are gone; keep the earlier copy.
                            before.files(&supplier).and_then(|f| f.get(&name)).cloned()
                        })
                }
            };
            if let Some(saved) = saved {
                kept.insert(name, saved);
            }
        }
        if !kept.is_empty() {
            suppliers.insert(supplier, kept);
        }
    }
    let index = Index {
        version: VERSION,
        suppliers,
    };
    let json = serde_json::to_vec_pretty(&index).expect("the index serializes");
    write_atomically(&dir.join(INDEX), &json)?;
    let used: BTreeSet<&str> = index
        .suppliers
        .values()
        .flat_map(|files| files.values().map(|s| s.blake3.as_str()))
        .collect();
    for entry in std::fs::read_dir(&copies)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Dot files are copies another build of the same site is still writing.
        if !name.starts_with('.') && !used.contains(name.as_ref()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Copies `source` into `copies/<blake3>` unless it is there; `false` when `source` no
/// longer has that hash.
fn copy(source: &Path, blake3: &str, copies: &Path) -> std::io::Result<bool> {
    let target = copies.join(blake3);
    if target.is_file() {
        return Ok(true);
    }
    let Ok(bytes) = std::fs::read(source) else {
        return Ok(false);
    };
    if blake3::hash(&bytes).to_hex().as_str() != blake3 {
        return Ok(false);
    }
    write_atomically(&target, &bytes)?;
    Ok(true)
}
