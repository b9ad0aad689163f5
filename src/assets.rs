//! Static files from the theme and the site. CSS and JS get content-hashed names so a CDN
//! can cache them forever; templates reach them through `asset_url`.

use crate::diagnostics::{Diagnostics, Problem};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file to copy into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Output path relative to the output folder, `/`-separated.
    pub output: String,
}

#[derive(Debug, Default)]
pub struct Assets {
    pub files: Vec<Asset>,
    /// Logical name (`style.css`) to its published URL path (`/style.1a2b3c4d5e.css`).
    pub urls: BTreeMap<String, String>,
}

/// Whether a file is fingerprinted: the kinds templates link to and CDNs cache.
fn fingerprinted(name: &str) -> bool {
    name.ends_with(".css") || name.ends_with(".js")
}

impl Assets {
    /// Output paths whose names carry their content hash: cacheable forever.
    /// A file that keeps its name (`favicon.ico`) is not: it may change under it.
    pub fn fingerprinted(&self) -> Vec<String> {
        self.urls
            .iter()
            .filter(|(name, _)| fingerprinted(name))
            .map(|(_, u)| u.trim_start_matches('/').to_string())
            .collect()
    }

    /// Collects `themes/<theme>/static/` then `static/`; a site file overrides the theme's.
    pub fn collect(root: &Path, theme_dir: &Path) -> (Assets, Diagnostics) {
        let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut problems = Diagnostics::default();
        for dir in [theme_dir.join("static"), root.join("static")] {
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let rel = e.path().strip_prefix(&dir).expect("walked inside dir");
                        by_name.insert(rel.to_string_lossy().replace('\\', "/"), e.into_path());
                    }
                    Ok(_) => {}
                    Err(e) if e.depth() == 0 => {} // no such folder: nothing to copy
                    Err(e) => problems.push(
                        Problem::error(format!("cannot read: {e}")).in_file(dir.to_string_lossy()),
                    ),
                }
            }
        }
        let mut assets = Assets::default();
        for (name, source) in by_name {
            let output = if fingerprinted(&name) {
                match std::fs::read(&source) {
                    Ok(bytes) => hashed_name(&name, &bytes),
                    Err(e) => {
                        problems.push(
                            Problem::error(format!("cannot read: {e}"))
                                .in_file(source.to_string_lossy()),
                        );
                        continue;
                    }
                }
            } else {
                name.clone()
            };
            assets.urls.insert(name, format!("/{output}"));
            assets.files.push(Asset { source, output });
        }
        (assets, problems)
    }
}

/// `css/site.css` with its bytes becomes `css/site.<10 hex digits>.css`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let short = &hash.as_str()[..10];
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{short}.{ext}"),
        None => format!("{name}.{short}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_name_changes_with_content_and_keeps_extension() {
        let a = hashed_name("css/site.css", b"a{}");
        let b = hashed_name("css/site.css", b"b{}");
        assert!(a.starts_with("css/site.") && a.ends_with(".css"));
        assert_ne!(a, b);
        assert_eq!(a.len(), "css/site..css".len() + 10);
    }
}
