//! What a build must check before it may replace an output folder: that the folder is
//! not the site's own sources, that everything in it was written by an earlier build
//! (so replacing it deletes nothing else), and that no other build is writing it now.

use super::MANIFEST;
use crate::diagnostics::Problem;
use std::fs::{File, TryLockError};
use std::path::{Component, Path, PathBuf};

/// The folders and files under the site root that a build reads, keeps or reports
/// into: an output folder may be none of them, nor inside one, nor hold them.
fn sources() -> impl Iterator<Item = &'static str> {
    let kept = [crate::state::DIR, crate::reports::DIR];
    crate::site::INPUTS.into_iter().chain(kept)
}

/// Refuses an output folder that is the site root, holds it, or lies inside one of its
/// sources: replacing it would delete the site. `public/` and any other new folder
/// beside the sources are fine.
pub fn check_location(root: &Path, output: &Path) -> Result<(), Problem> {
    // The swap replaces whatever is at the path: a file, or a link instead of the folder
    // it points to.
    if let Ok(meta) = std::fs::symlink_metadata(output)
        && !meta.is_dir()
    {
        let what = if meta.is_symlink() {
            "is a symbolic link; give the folder it points to instead"
        } else {
            "is a file, not a folder"
        };
        return Err(Problem::error(format!(
            "the output folder {} {what}",
            output.display()
        )));
    }
    let root = absolute(root);
    let output = absolute(output);
    let refuse = |what: String| {
        Err(Problem::error(format!(
            "the output folder {} {what}, so building into it would delete the site's \
             sources; expected a folder of its own, like {}",
            output.display(),
            root.join("public").display()
        )))
    };
    if root.starts_with(&output) {
        return refuse(if root == output {
            "is the site's root".into()
        } else {
            format!("holds the site's root {}", root.display())
        });
    }
    for source in sources() {
        if output.starts_with(root.join(source)) {
            return refuse(format!("is inside the site's `{source}`"));
        }
    }
    Ok(())
}

/// Files in an existing output folder that no build wrote, as far as its manifest
/// tells: replacing the folder would delete them.
#[derive(Debug, PartialEq, Eq)]
pub struct Foreign {
    /// The first few such files.
    pub files: Vec<String>,
    /// There are more than those.
    pub more: bool,
    /// There was no readable `manifest.json`, so every file counts as foreign.
    pub no_manifest: bool,
}

impl Foreign {
    /// Why the folder may not be replaced.
    pub fn problem(&self, output: &Path) -> Problem {
        let listed = format!(
            "{}{}",
            self.files.join(", "),
            if self.more { ", …" } else { "" }
        );
        let what = if self.no_manifest {
            format!(
                "holds files ({listed}) but no readable {MANIFEST}, the list of what a build \
                 wrote there"
            )
        } else {
            format!("holds files that no build wrote ({listed})")
        };
        Problem::error(format!(
            "the output folder {} {what}; replacing it could delete someone's files, so \
             nothing was written: move them away, delete the folder if it is all \
             generated, or choose an empty folder with --output",
            output.display()
        ))
    }
}

/// How many foreign files a problem names.
const FOREIGN_NAMED: usize = 5;

/// Files a desktop leaves in any folder it shows: never worth refusing a build for.
const DESKTOP_LITTER: [&str; 2] = [".DS_Store", "Thumbs.db"];

/// Looks for files in an existing output folder that its `manifest.json` does not list.
/// `None` when the folder is missing or empty, or every file is listed. Stops at the
/// first few it finds.
pub fn foreign_files(output: &Path) -> Option<Foreign> {
    let listed = super::cdn::read_manifest(output);
    let mut files = Vec::new();
    let mut more = false;
    let entries = walkdir::WalkDir::new(output)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir());
    for entry in entries {
        let name = entry.file_name().to_string_lossy();
        if DESKTOP_LITTER.contains(&name.as_ref()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(output) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let ours = match &listed {
            Some(listed) => rel == MANIFEST || listed.contains_key(&rel),
            None => false,
        };
        if ours {
            continue;
        }
        if files.len() == FOREIGN_NAMED {
            more = true;
            break;
        }
        files.push(rel);
    }
    (!files.is_empty()).then(|| Foreign {
        files,
        more,
        no_manifest: listed.is_none(),
    })
}

/// Held while a build writes an output folder; released when dropped, or by the system
/// when the process ends, so a crashed build never leaves a stale lock.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

/// The lock file of an output folder: beside it, like its staging folder, and found
/// through the same real path whatever path leads to the folder.
pub fn lock_path(output: &Path) -> PathBuf {
    let output = absolute(output);
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let parent = output
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    parent.join(format!(".{name}.lock"))
}

/// Takes the output folder's lock, or says that another build holds it.
pub fn lock(output: &Path) -> Result<OutputLock, Problem> {
    let path = lock_path(output);
    let cannot = |e: std::io::Error| {
        Problem::error(format!(
            "cannot create the lock file {}: {e}",
            path.display()
        ))
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(cannot)?;
    match file.try_lock() {
        Ok(()) => Ok(OutputLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Problem::error(format!(
            "another build is writing {} (it holds {}); run this one again when it has \
             finished",
            output.display(),
            path.display()
        ))),
        Err(TryLockError::Error(e)) => Err(cannot(e)),
    }
}

/// The path made absolute and free of `.` and `..`, through the part of it that exists
/// (so symbolic links there are resolved), for comparing folders that may not exist yet.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component> = path.components().collect();
    for keep in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..keep].iter().collect();
        if let Ok(mut out) = prefix.canonicalize() {
            for part in &parts[keep..] {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other),
                }
            }
            return out;
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_folders_beside_the_sources_are_fine_and_inside_them_are_not() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        assert!(check_location(r, &r.join("public")).is_ok());
        assert!(check_location(r, &r.join("dist/site")).is_ok());
        assert!(check_location(r, r).is_err());
        assert!(check_location(r, &r.join("public/..")).is_err());
        assert!(check_location(r, &r.join("data")).is_err());
        assert!(check_location(r, &r.join("content/x/y")).is_err());
        assert!(check_location(r, r.parent().unwrap()).is_err());
        assert!(check_location(r, &r.join("config.toml")).is_err());
    }
}
