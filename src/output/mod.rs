//! The output folder. Everything is written into a staging folder beside it; only when the
//! whole site has rendered does the staging folder replace the output in one step, so a
//! failed build leaves the previous output exactly as it was. The output it replaced is
//! kept as the next build's staging folder: that build writes only the files whose bytes
//! differ from it and deletes only those it no longer has, instead of creating every
//! file anew and deleting a whole tree. `serve` renders into [`Memory`] instead, through
//! the same [`Sink`] interface.

mod cdn;
mod guard;
pub mod minify;
pub mod write;

use crate::diagnostics::Problem;
use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

pub use cdn::{
    IMMUTABLE, Listed, MANIFEST, REVALIDATE, content_type, headers, parse_manifest, read_manifest,
};
pub use guard::{Foreign, OutputLock, check_location, foreign_files, lock, lock_path};

/// Where the render stage puts files: a [`Staging`] folder for `build`, [`Memory`] for
/// `serve`. Called from many rendering threads at once.
pub trait Sink: Sync {
    /// Writes a file as it is; pages come out of templates that were minified when the
    /// site asks for it (see `render`).
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// Copies a static file; stylesheets and scripts are minified on the way when the
    /// site asks for it.
    fn copy(&self, source: &Path, rel: &str) -> io::Result<()>;
    /// Creates, ahead of the writes, the folders these files will go in. Only a head
    /// start: `write` still creates a folder that is missing.
    fn make_folders(&self, _files: &mut dyn Iterator<Item = String>) {}
}

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    minify: bool,
    committed: bool,
    /// Every file written, for the manifest: output path to (size, blake3 hex).
    written: Mutex<BTreeMap<String, (u64, String)>>,
    /// What the staging folder already holds: the files of an output two builds old,
    /// as its manifest lists them. Empty for a new staging folder.
    recycled: BTreeMap<String, Listed>,
    /// The output this replaces is as its build wrote it (nobody edited or deleted a
    /// file since), so it may be the next build's staging folder.
    replaces_intact: bool,
}

impl Staging {
    /// [`Staging::create`], or the problem that kept it from being made.
    pub fn open(
        target: &Path,
        minify: bool,
        replaces_intact: bool,
    ) -> (Option<Staging>, Option<Problem>) {
        match Staging::create(target, minify, replaces_intact) {
            Ok(staging) => (Some(staging), None),
            Err(e) => {
                let problem = Problem::error(format!(
                    "cannot create a staging folder beside {}: {e}",
                    target.display()
                ));
                (None, Some(problem))
            }
        }
    }

    /// The staging folder next to `target` (same filesystem, so the final rename is
    /// atomic): the output the last build replaced, when it is whole, else a new one.
    pub fn create(target: &Path, minify: bool, replaces_intact: bool) -> io::Result<Staging> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the output folder needs a name",
            )
        })?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let dir = parent.join(format!(".{}.staging", name.to_string_lossy()));
        let recycled = recycle(&dir);
        if recycled.is_none() {
            if std::fs::symlink_metadata(&dir).is_ok() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir(&dir)?;
        }
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            minify,
            committed: false,
            written: Mutex::default(),
            recycled: recycled.unwrap_or_default(),
            replaces_intact,
        })
    }

    fn path_of(&self, rel: &str) -> io::Result<PathBuf> {
        checked(rel).map(|rel| self.dir.join(rel))
    }

    /// Adds `manifest.json`, keeps the modification time of every file whose bytes did
    /// not change, then puts the staged site in place of the output folder in one rename.
    pub fn commit(self) -> Result<Committed, Problem> {
        self.swap_in()
            .map_err(|e| Problem::error(format!("cannot replace the output folder: {e}")))
    }

    fn swap_in(mut self) -> io::Result<Committed> {
        let written = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        for stale in self
            .recycled
            .keys()
            .filter(|rel| !written.contains_key(*rel))
        {
            remove_with_empty_folders(&self.dir, stale)?;
        }
        cdn::keep_unchanged_times(&self.target, &self.dir, &written)?;
        let manifest = cdn::manifest(&written);
        std::fs::write(self.dir.join(MANIFEST), &manifest)?;
        cdn::keep_unchanged_times(
            &self.target,
            &self.dir,
            &BTreeMap::from([(MANIFEST.to_string(), cdn::entry(&manifest))]),
        )?;
        // The output replaced stays where the staging folder was, for the next build.
        if self.target.exists() {
            swap(&self.dir, &self.target)?;
            if !self.replaces_intact {
                // Edited since its build: its manifest no longer tells what it holds. Should
                // this fail, so does `recycle`'s removal, and the folder is not reused.
                let _ = std::fs::remove_file(self.dir.join(MANIFEST));
            }
        } else {
            std::fs::rename(&self.dir, &self.target)?;
        }
        self.committed = true;
        Ok(Committed {
            manifest,
            sizes: written
                .into_iter()
                .map(|(path, (size, _))| (path, size))
                .collect(),
        })
    }
}

/// The files of a staging folder left by the last build (the output it replaced), as its
/// manifest lists them; the manifest is removed first, so a build interrupted while
/// writing into the folder leaves one that is never trusted again. `None` when there is
/// no such folder or no readable manifest in it.
fn recycle(dir: &Path) -> Option<BTreeMap<String, Listed>> {
    if !std::fs::symlink_metadata(dir).ok()?.is_dir() {
        return None;
    }
    let listed = read_manifest(dir);
    std::fs::remove_file(dir.join(MANIFEST)).ok()?;
    listed
}

/// Removes the file `rel` under `dir`, then each folder it leaves empty.
fn remove_with_empty_folders(dir: &Path, rel: &str) -> io::Result<()> {
    let path = dir.join(checked(rel)?);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut folder = path.parent();
    while let Some(f) = folder.filter(|f| *f != dir) {
        if std::fs::remove_dir(f).is_err() {
            break;
        }
        folder = f.parent();
    }
    Ok(())
}

/// Writes `bytes` at `path` under `dir`, making its folders; a folder in the way of the
/// file, or a file in the way of a folder (left from the recycled output), is removed.
fn write_file(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    match std::fs::write(path, bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::IsADirectory | io::ErrorKind::NotADirectory
            ) =>
        {
            if path.is_dir() {
                std::fs::remove_dir_all(path)?;
            }
            for ancestor in path.ancestors().skip(1).take_while(|a| *a != dir) {
                if ancestor.is_file() {
                    std::fs::remove_file(ancestor)?;
                }
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)
        }
        Err(e) => Err(e),
    }
}

/// What a commit put in place: the manifest's bytes, and every file it lists with its
/// size, so that what was written need not be read back.
pub struct Committed {
    pub manifest: Vec<u8>,
    pub sizes: Vec<(String, u64)>,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_of(rel)?;
        let (size, blake3) = cdn::entry(bytes);
        let there = self
            .recycled
            .get(rel)
            .is_some_and(|old| old.size == size && old.blake3 == blake3);
        if !there {
            write_file(&self.dir, &path, bytes)?;
        }
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        written.insert(rel.to_string(), (size, blake3));
        Ok(())
    }

    fn make_folders(&self, files: &mut dyn Iterator<Item = String>) {
        let mut made = std::collections::HashSet::new();
        for file in files {
            let Some((folder, _)) = file.rsplit_once('/') else {
                continue;
            };
            if made.insert(folder.to_string())
                && let Ok(path) = self.path_of(folder)
            {
                // A failure here shows again, with its reason, when the page is written.
                let _ = std::fs::create_dir_all(path);
            }
        }
    }

    fn copy(&self, source: &Path, rel: &str) -> io::Result<()> {
        self.write(rel, &read_asset(source, rel, self.minify)?)
    }
}

/// The rendered site held in memory, keyed by output path (`about/index.html`): what
/// `serve` answers from, so a preview never writes into the site's folder.
pub struct Memory {
    minify: bool,
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Memory {
    pub fn new(minify: bool) -> Memory {
        Memory {
            minify,
            files: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, rel: &str, bytes: Vec<u8>) -> io::Result<()> {
        checked(rel)?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(rel.to_string(), bytes);
        Ok(())
    }
}

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.insert(rel, bytes.to_vec())
    }
    fn copy(&self, source: &Path, rel: &str) -> io::Result<()> {
        self.insert(rel, read_asset(source, rel, self.minify)?)
    }
}

/// A static file's bytes as published: CSS and JS minified when asked, unless the
/// minifier cannot parse them.
fn read_asset(source: &Path, rel: &str, minify: bool) -> io::Result<Vec<u8>> {
    let minifier: Option<fn(&str) -> Option<String>> = match rel.rsplit('.').next() {
        Some("css") if minify => Some(minify::css),
        Some("js") if minify => Some(minify::js),
        _ => None,
    };
    let bytes = std::fs::read(source)?;
    let minified = minifier
        .zip(std::str::from_utf8(&bytes).ok())
        .and_then(|(minify, text)| minify(text));
    Ok(minified.map_or(bytes, String::into_bytes))
}

/// Output paths come from routes and asset names; refuse any that would leave the folder.
fn checked(rel: &str) -> io::Result<&Path> {
    let path = Path::new(rel);
    if path.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(path)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("output path {path:?} leaves the output folder"),
        ))
    }
}

#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Without an atomic exchange, move the old output aside first; the window in which
/// neither exists is two renames long.
#[cfg(not(target_os = "linux"))]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}
