//! The output folder. Everything is written into a staging folder beside it; only when the
//! whole site has rendered does the staging folder replace the output in one step, so a
//! failed build leaves the previous output exactly as it was. `serve` renders into
//! [`Memory`] instead, through the same [`Sink`] interface.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Where the render stage puts files: a [`Staging`] folder for `build`, [`Memory`] for
/// `serve`. Called from many rendering threads at once.
pub trait Sink: Sync {
    /// Writes a page, minified when the site asks for it.
    fn write_html(&self, rel: &str, html: &str) -> io::Result<()>;
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    fn copy(&self, source: &Path, rel: &str) -> io::Result<()>;
}

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    minify: bool,
    committed: bool,
}

impl Staging {
    /// A fresh, empty staging folder next to `target` (same filesystem, so the final
    /// rename is atomic).
    pub fn create(target: &Path, minify: bool) -> io::Result<Staging> {
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
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir(&dir)?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            minify,
            committed: false,
        })
    }

    /// Writes a page, minified when the site asks for it.
    pub fn write_html(&self, rel: &str, html: &str) -> io::Result<()> {
        if self.minify {
            self.write(rel, &minify(html))
        } else {
            self.write(rel, html.as_bytes())
        }
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    }

    pub fn copy(&self, source: &Path, rel: &str) -> io::Result<()> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(source, path).map(drop)
    }

    fn path_of(&self, rel: &str) -> io::Result<PathBuf> {
        checked(rel).map(|rel| self.dir.join(rel))
    }

    /// Puts the staged site in place of the output folder in one rename.
    pub fn commit(mut self) -> io::Result<()> {
        if self.target.exists() {
            swap(&self.dir, &self.target)?;
            std::fs::remove_dir_all(&self.dir)?;
        } else {
            std::fs::rename(&self.dir, &self.target)?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn write_html(&self, rel: &str, html: &str) -> io::Result<()> {
        Staging::write_html(self, rel, html)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        Staging::write(self, rel, bytes)
    }
    fn copy(&self, source: &Path, rel: &str) -> io::Result<()> {
        Staging::copy(self, source, rel)
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
    fn write_html(&self, rel: &str, html: &str) -> io::Result<()> {
        let bytes = if self.minify {
            minify(html)
        } else {
            html.as_bytes().to_vec()
        };
        self.insert(rel, bytes)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.insert(rel, bytes.to_vec())
    }
    fn copy(&self, source: &Path, rel: &str) -> io::Result<()> {
        self.insert(rel, std::fs::read(source)?)
    }
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

fn minify(html: &str) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = true;
    minify_html::minify(html.as_bytes(), &cfg)
}
