//! Watching the site's sources: which folders, how changes are debounced, and what a
//! batch of changed paths means for the next rebuild.

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// The folders a site is made from; `public/`, `target/` and the rest are left alone.
pub const WATCHED_DIRS: [&str; 5] = ["content", "data", "themes", "static", "templates"];
pub const CONFIG: &str = crate::config::FILE_NAME;

/// Editors save in bursts (temporary file, rename, chmod); a rebuild starts once the
/// sources have been quiet this long.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What a batch of changes asks of the next rebuild.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Changed paths relative to the root, `/`-separated, sorted.
    pub paths: Vec<String>,
    /// Feeds must be read again: something under `data/` or `config.toml` changed.
    pub feeds: bool,
    /// Only stylesheets changed, so open pages can swap them without reloading.
    pub css_only: bool,
    /// Only content pages changed (not policies under `content/legal/`, whose banner is
    /// on every page), so other routes may keep their last bytes.
    pub content_only: bool,
}

impl Change {
    /// Keeps the paths a rebuild depends on, relative to `root`, and classifies them.
    pub fn from_paths(root: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Change {
        let paths: BTreeSet<String> = paths
            .into_iter()
            .filter_map(|p| relevant(root, &p))
            .collect();
        let feeds = paths
            .iter()
            .any(|p| p == CONFIG || p == "data" || p.starts_with("data/"));
        let css_only = !paths.is_empty() && paths.iter().all(|p| p.ends_with(".css"));
        let content_only = !paths.is_empty() && paths.iter().all(|p| is_content_page(p));
        Change {
            paths: paths.into_iter().collect(),
            feeds,
            css_only,
            content_only,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// Under `content/`, outside the policies' folder.
fn is_content_page(rel: &str) -> bool {
    let mut parts = rel.split('/');
    parts.next() == Some(crate::content::DIR)
        && parts
            .next()
            .is_some_and(|second| second != crate::content::LEGAL_DIR)
}

/// `path` relative to `root` when the site is made from it, skipping editors' swap and
/// backup files.
fn relevant(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    let name = rel.rsplit('/').next()?;
    let scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name == "4913";
    let top = rel.split('/').next()?;
    (!scratch && (rel == CONFIG || WATCHED_DIRS.contains(&top))).then_some(rel)
}

/// A debounced watch on the site's sources. Folders created after start (a first
/// `templates/`, say) are picked up when they appear.
pub struct SiteWatcher {
    root: PathBuf,
    watcher: RecommendedWatcher,
    watching: BTreeSet<&'static str>,
    events: Receiver<notify::Result<Vec<PathBuf>>>,
}

impl SiteWatcher {
    /// `root` should be canonical, as event paths are.
    pub fn new(root: &Path) -> notify::Result<SiteWatcher> {
        let (tx, events) = channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // Reading a file is not changing it: the build itself opens every source.
                let paths = event.map(|e| match e.kind {
                    EventKind::Access(_) => Vec::new(),
                    _ => e.paths,
                });
                let _ = tx.send(paths);
            })?;
        // The root itself, not recursively: config.toml, and folders being created.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut watcher = SiteWatcher {
            root: root.to_path_buf(),
            watcher,
            watching: BTreeSet::new(),
            events,
        };
        watcher.watch_new_dirs()?;
        Ok(watcher)
    }

    fn watch_new_dirs(&mut self) -> notify::Result<()> {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            if !self.watching.contains(dir) && path.is_dir() {
                self.watcher.watch(&path, RecursiveMode::Recursive)?;
                self.watching.insert(dir);
            }
        }
        Ok(())
    }

    /// Blocks until the next batch of relevant changes: everything that happened until
    /// the sources were quiet for [`DEBOUNCE`], including what queued up while the
    /// previous rebuild ran. `None` when the watcher has stopped.
    pub fn next_change(&mut self) -> Option<Result<Change, String>> {
        loop {
            let mut batch = vec![self.events.recv().ok()?];
            while let Ok(more) = self.events.recv_timeout(DEBOUNCE) {
                batch.push(more);
            }
            let mut paths = Vec::new();
            let mut error = None;
            for event in batch {
                match event {
                    Ok(changed) => paths.extend(changed),
                    Err(e) => error = Some(e.to_string()),
                }
            }
            if let Err(e) = self.watch_new_dirs() {
                error = Some(e.to_string());
            }
            if let Some(e) = error {
                return Some(Err(e));
            }
            let change = Change::from_paths(&self.root, paths);
            if !change.is_empty() {
                return Some(Ok(change));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(paths: &[&str]) -> Change {
        let root = Path::new("/site");
        Change::from_paths(root, paths.iter().map(|p| root.join(p)))
    }

    #[test]
    fn only_site_sources_count_as_changes() {
        let c = change(&[
            "public/index.html",
            "target/x",
            "content/about.md",
            "notes.txt",
        ]);
        assert_eq!(c.paths, ["content/about.md"]);
        assert!(!c.feeds && !c.css_only);
        assert!(change(&["content/.#about.md", "content/about.md~"]).is_empty());
    }

    #[test]
    fn data_and_config_changes_reload_feeds() {
        assert!(change(&["data/feeds/acme/cars.csv"]).feeds);
        assert!(change(&["config.toml"]).feeds);
        // A new data/ folder: files written into it before it is watched are read anyway.
        assert!(change(&["data"]).feeds);
        assert!(!change(&["templates/page.html"]).feeds);
    }

    #[test]
    fn content_only_leaves_out_policies_and_other_sources() {
        assert!(change(&["content/about.md", "content/guides/_index.zh.md"]).content_only);
        assert!(!change(&["content/legal/privacy/2026-03-02.md"]).content_only);
        assert!(!change(&["content/legal"]).content_only);
        assert!(!change(&["content"]).content_only);
        assert!(!change(&["content/about.md", "templates/page.html"]).content_only);
    }

    #[test]
    fn stylesheet_changes_alone_are_css_only() {
        assert!(change(&["themes/showroom/static/style.css"]).css_only);
        assert!(!change(&["static/site.css", "content/about.md"]).css_only);
    }
}
