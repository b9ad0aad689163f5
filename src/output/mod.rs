//! The output folder. Everything is written into a staging folder beside it; only when the
//! whole site has rendered does the staging folder replace the output in one step, so a
//! failed build leaves the previous output exactly as it was.

use std::io;
use std::path::{Component, Path, PathBuf};

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

    /// Output paths come from routes and asset names; refuse any that would leave the folder.
    fn path_of(&self, rel: &str) -> io::Result<PathBuf> {
        let rel = Path::new(rel);
        if rel.components().all(|c| matches!(c, Component::Normal(_))) {
            Ok(self.dir.join(rel))
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("output path {rel:?} leaves the output folder"),
            ))
        }
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
