//! Rebuilding the preview: the site is rendered again into memory, reusing the parsed
//! feeds of every supplier whose files did not change, and after an edit of content pages
//! only the routes that show content. The result is compared with what is being served
//! so that only pages whose bytes changed are reloaded in the browser.

use super::watch::Change;
use crate::diagnostics::Diagnostics;
use crate::feeds::{self, Inventory, SupplierId};
use crate::render::globals::ContentOutline;
use crate::{InMemory, LoadOptions, Report, Scope, Site};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Files = BTreeMap<String, Vec<u8>>;

/// Runs builds for the preview and keeps what the next one may reuse.
pub struct Builder {
    options: LoadOptions,
    /// Each supplier's parsed feed, read again only when its files or settings change.
    loader: feeds::Loader,
    /// The feeds as last loaded, with their problems, used as they are until something
    /// under `data/` or the config changes.
    feeds: Option<(Inventory, Diagnostics)>,
    /// The content outline of the last build, if it succeeded (and so is being served).
    outline: Option<ContentOutline>,
}

/// One finished build.
pub struct Built {
    pub report: Report,
    /// Every file of the site, or with `partial` only the content routes rendered.
    pub files: Files,
    /// Only content routes were rendered; every other file is as in the last build.
    pub partial: bool,
    pub elapsed: Duration,
    /// Suppliers whose feed files were read by this build, in registry order; empty when
    /// the feeds were reused.
    pub reread: Vec<SupplierId>,
}

impl Builder {
    pub fn new(options: LoadOptions) -> Builder {
        Builder {
            options,
            loader: feeds::Loader::default(),
            feeds: None,
            outline: None,
        }
    }

    /// Renders the site into memory after `change` (the first build: an empty change).
    /// A change under `data/` or to the config loads the feeds again, reading only the
    /// suppliers whose inputs changed. A change of content pages alone, after a good
    /// build, renders only the routes that show content unless the content's outline
    /// changed ([`Scope::Content`]). A panic in a stage becomes an error in the report,
    /// so the preview outlives a bug that one edit triggers.
    pub fn build(&mut self, change: &Change) -> Built {
        let started = Instant::now();
        if change.feeds {
            self.feeds = None;
        }
        let scope = match &self.outline {
            Some(outline) if change.content_only => Scope::Content(outline),
            _ => Scope::All,
        };
        let mut reread = Vec::new();
        let (cache, loader) = (&mut self.feeds, &mut self.loader);
        let render = std::panic::AssertUnwindSafe(|| {
            let loaded = Site::load_with(&self.options, |root, config, date| match cache {
                Some(cached) => cached.clone(),
                None => {
                    let (inventory, problems, read) = loader.load(root, config, date);
                    reread = read;
                    *cache = Some((inventory.clone(), problems.clone()));
                    (inventory, problems)
                }
            });
            crate::render_in_memory(loaded, scope)
        });
        let rendered = std::panic::catch_unwind(render).unwrap_or_else(|panic| {
            self.feeds = None;
            self.loader = feeds::Loader::default();
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let mut report = Report::default();
            report.extend([crate::Problem::error(format!(
                "the build crashed (a bug in Showroom; please report it): {why}"
            ))]);
            InMemory {
                report,
                files: Files::new(),
                partial: false,
                outline: None,
            }
        });
        // A failed build is not served, so the next one cannot keep its files.
        self.outline = rendered.outline.filter(|_| !rendered.report.blocks(false));
        Built {
            report: rendered.report,
            files: rendered.files,
            partial: rendered.partial,
            elapsed: started.elapsed(),
            reread,
        }
    }
}

/// What the server answers from; shared by the rebuild thread and the HTTP handlers.
#[derive(Debug, Default)]
pub struct Preview {
    /// The last build without errors (empty until there is one).
    pub files: Arc<Files>,
    /// The latest build's problems when it failed: shown over every page until a build
    /// succeeds again.
    pub problems: Option<Arc<Vec<String>>>,
    /// Counts builds, to make unhashed stylesheet URLs new when they change.
    generation: u64,
}

/// What open pages are told after a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Reload pages among these output files (`None`: every page).
    Reload(Option<Vec<String>>),
    /// Only stylesheets changed: old URL path to new URL.
    Css(BTreeMap<String, String>),
    /// The build failed with these problems.
    Problems(Vec<String>),
}

impl Notice {
    /// The Server-Sent Events name and JSON data.
    pub fn event(&self) -> (&'static str, String) {
        let json = match self {
            Notice::Reload(files) => serde_json::to_string(files),
            Notice::Css(renamed) => serde_json::to_string(renamed),
            Notice::Problems(problems) => serde_json::to_string(problems),
        };
        let name = match self {
            Notice::Reload(_) => "reload",
            Notice::Css(_) => "css",
            Notice::Problems(_) => "problems",
        };
        (name, json.expect("strings serialize"))
    }
}

impl Preview {
    /// Takes a finished build: a failed one keeps the last good files and raises the
    /// overlay; a good one replaces the files, or with `partial` (see [`Built::partial`])
    /// replaces only those it has. Returns what open pages should do, if anything changed
    /// for them.
    pub fn apply(
        &mut self,
        report: &Report,
        files: Files,
        partial: bool,
        css_only: bool,
    ) -> Option<Notice> {
        self.generation += 1;
        // A supplier's errors are shown in the terminal; the preview shows what a build
        // would publish.
        if report.blocks(false) {
            let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
            self.problems = Some(Arc::new(problems.clone()));
            return Some(Notice::Problems(problems));
        }
        let recovered = self.problems.take().is_some();
        let changed = changed_files(&self.files, &files, partial);
        let old = if partial {
            // In place, unless a request still holds the old map.
            Arc::make_mut(&mut self.files).extend(files);
            None
        } else {
            Some(std::mem::replace(&mut self.files, Arc::new(files)))
        };
        if recovered {
            return Some(Notice::Reload(None));
        }
        if changed.is_empty() {
            return None;
        }
        // `_headers` names the fingerprinted stylesheet too, but no browser reads it.
        let only_styles = changed
            .iter()
            .all(|f| f.ends_with(".css") || f.ends_with(".html") || *f == "_headers");
        if let Some(old) = old.filter(|_| css_only && only_styles) {
            let renamed = renamed_stylesheets(&old, &self.files, &changed, self.generation);
            if !renamed.is_empty() {
                return Some(Notice::Css(renamed));
            }
        }
        Some(Notice::Reload(Some(changed)))
    }
}

/// Output files added, removed (unless `new` is `partial`) or with different bytes.
fn changed_files(old: &Files, new: &Files, partial: bool) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    if !partial {
        changed.extend(old.keys().filter(|p| !new.contains_key(*p)).cloned());
    }
    changed.sort();
    changed
}

/// For each stylesheet that changed, its old URL and the URL of its new version: the new
/// hashed name, or for an unhashed file the same name with a version query.
fn renamed_stylesheets(
    old: &Files,
    new: &Files,
    changed: &[String],
    generation: u64,
) -> BTreeMap<String, String> {
    let mut renamed = BTreeMap::new();
    for path in changed.iter().filter(|p| p.ends_with(".css")) {
        if old.contains_key(path) && new.contains_key(path) {
            renamed.insert(format!("/{path}"), format!("/{path}?v={generation}"));
        } else if old.contains_key(path) {
            let logical = logical_name(path);
            let successor = new.keys().find(|n| {
                n.ends_with(".css") && !old.contains_key(*n) && logical_name(n) == logical
            });
            if let Some(next) = successor {
                renamed.insert(format!("/{path}"), format!("/{next}"));
            }
        }
    }
    renamed
}

/// `css/style.0123456789.css` as `css/style.css`: the name before fingerprinting.
fn logical_name(path: &str) -> String {
    let parts: Vec<&str> = path.rsplitn(3, '.').collect();
    match parts.as_slice() {
        [ext, hash, stem] if hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{stem}.{ext}")
        }
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Problem;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn good() -> Report {
        Report::default()
    }

    fn failed() -> Report {
        let mut report = Report::default();
        report.extend([Problem::error("bad <template>").in_file("templates/page.html")]);
        report
    }

    #[test]
    fn reloads_only_the_pages_whose_bytes_changed() {
        let mut preview = Preview::default();
        preview.apply(
            &good(),
            files(&[("index.html", "a"), ("about/index.html", "b")]),
            false,
            false,
        );
        let notice = preview.apply(
            &good(),
            files(&[
                ("index.html", "a"),
                ("about/index.html", "B"),
                ("new/index.html", "n"),
            ]),
            false,
            false,
        );
        assert_eq!(
            notice,
            Some(Notice::Reload(Some(vec![
                "about/index.html".into(),
                "new/index.html".into()
            ])))
        );
        assert_eq!(
            preview.apply(&good(), (*preview.files).clone(), false, false),
            None
        );
    }

    #[test]
    fn a_partial_build_replaces_only_its_files() {
        let mut preview = Preview::default();
        preview.apply(
            &good(),
            files(&[
                ("index.html", "a"),
                ("about/index.html", "b"),
                ("cars/x/index.html", "c"),
            ]),
            false,
            false,
        );
        let notice = preview.apply(
            &good(),
            files(&[("index.html", "a"), ("about/index.html", "B")]),
            true,
            false,
        );
        assert_eq!(
            notice,
            Some(Notice::Reload(Some(vec!["about/index.html".into()])))
        );
        assert_eq!(
            *preview.files,
            files(&[
                ("index.html", "a"),
                ("about/index.html", "B"),
                ("cars/x/index.html", "c")
            ])
        );
    }

    #[test]
    fn a_failed_build_keeps_the_last_good_files_and_recovery_reloads_everything() {
        let mut preview = Preview::default();
        preview.apply(&good(), files(&[("index.html", "a")]), false, false);
        let notice = preview.apply(&failed(), Files::new(), false, false);
        assert!(
            matches!(&notice, Some(Notice::Problems(p)) if p[0].contains("templates/page.html"))
        );
        assert_eq!(preview.files.get("index.html").unwrap(), b"a");
        assert!(preview.problems.is_some());
        let notice = preview.apply(&good(), files(&[("index.html", "a")]), false, false);
        assert_eq!(notice, Some(Notice::Reload(None)));
        assert!(preview.problems.is_none());
    }

    #[test]
    fn a_css_only_change_renames_the_stylesheet_instead_of_reloading() {
        let mut preview = Preview::default();
        preview.apply(
            &good(),
            files(&[
                ("index.html", "style.0123456789.css"),
                ("style.0123456789.css", "a{}"),
                ("plain.css", "x"),
            ]),
            false,
            true,
        );
        let notice = preview.apply(
            &good(),
            files(&[
                ("index.html", "style.abcdefabcd.css"),
                ("style.abcdefabcd.css", "b{}"),
                ("plain.css", "y"),
            ]),
            false,
            true,
        );
        let Some(Notice::Css(renamed)) = notice else {
            panic!("{notice:?}")
        };
        assert_eq!(renamed["/style.0123456789.css"], "/style.abcdefabcd.css");
        assert!(renamed["/plain.css"].starts_with("/plain.css?v="));
    }

    #[test]
    fn logical_name_drops_only_a_fingerprint() {
        assert_eq!(logical_name("css/style.0123456789.css"), "css/style.css");
        assert_eq!(logical_name("style.css"), "style.css");
        assert_eq!(logical_name("a.b.c.css"), "a.b.c.css");
    }
}
