//! The marketing team's Markdown pages under `content/`. Policies under `content/legal/`
//! have their own stage, because their versions and dates carry meaning.

pub mod front_matter;
pub mod markdown;

use crate::diagnostics::{Diagnostics, Problem};
use front_matter::FrontDate;
use markdown::Trust;
use serde::Deserialize;
use std::path::Path;

/// Folder, relative to the site root, that holds the pages.
pub const DIR: &str = "content";
/// Subfolder of `content/` owned by the policies stage.
pub const LEGAL_DIR: &str = "legal";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<FrontDate>,
    pub updated: Option<FrontDate>,
    /// Template to render with, instead of the kind's default.
    pub template: Option<String>,
    /// Replaces the last segment of the page's URL.
    pub slug: Option<String>,
    /// Drafts are read and checked, but not published.
    pub draft: bool,
    /// Order within a section and the menu (lower first).
    pub weight: i64,
    /// Show a link in the header menu.
    pub in_menu: bool,
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `content/_index.md`
    Home,
    /// `_index.md` of a subfolder: lists the pages beside it.
    Section,
    Page,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Source file, relative to the site root.
    pub file: String,
    /// URL path, starting and ending with `/`.
    pub path: String,
    /// URL path of the section this page belongs to.
    pub parent: String,
    pub lang: String,
    pub kind: PageKind,
    pub front: FrontMatter,
    /// Rendered body.
    pub html: String,
}

impl Page {
    pub fn template(&self) -> &str {
        match (&self.front.template, self.kind) {
            (Some(t), _) => t,
            (None, PageKind::Home) => "index.html",
            (None, PageKind::Section) => "section.html",
            (None, PageKind::Page) => "page.html",
        }
    }
}

/// Reads every page; a page that cannot be read or parsed is an error naming it, and the
/// other pages are still read. Drafts are left out. Sorted by path for stable output.
pub fn load(root: &Path, default_lang: &str, languages: &[String]) -> (Vec<Page>, Diagnostics) {
    let mut pages = Vec::new();
    let mut problems = Diagnostics::default();
    let dir = root.join(DIR);
    let walker = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != LEGAL_DIR);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(Problem::error(format!("cannot read: {e}")).in_file(DIR));
                continue;
            }
        };
        let extension = entry.path().extension().map(|x| x.to_string_lossy());
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let file = rel.to_string_lossy().replace('\\', "/");
        match extension.as_deref() {
            _ if !entry.file_type().is_file() => continue,
            Some("md") => {}
            Some(other) if other.eq_ignore_ascii_case("md") => {
                problems.push(not_markdown(&file));
                continue;
            }
            _ => continue,
        }
        match read_page(entry.path(), &file, default_lang, languages) {
            Ok(page) if page.front.draft => {}
            Ok(page) => {
                if markdown::has_inline_script(&page.html) {
                    problems.push(inline_script(&file));
                }
                pages.push(page);
            }
            Err(p) => problems.push(p),
        }
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path).then(a.lang.cmp(&b.lang)));
    (pages, problems)
}

/// A file whose extension is `.md` in another case: not read, which would be a surprise.
pub fn not_markdown(file: &str) -> Problem {
    Problem::warning(
        "is not read: only files ending in `.md` (lower case) are pages; rename it to \
         publish it",
    )
    .in_file(file)
}

/// Content may carry raw HTML, but the site's `_headers` forbid inline scripts.
pub fn inline_script(file: &str) -> Problem {
    Problem::warning(
        "has an inline <script>, which browsers will not run: the site's \
         Content-Security-Policy (in _headers) allows scripts from files only. Put the \
         script in static/ and load it with <script src=\"/…\"> (see docs/policies.md)",
    )
    .in_file(file)
}

fn read_page(
    path: &Path,
    file: &str,
    default_lang: &str,
    languages: &[String],
) -> Result<Page, Problem> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Problem::error(format!("cannot read: {e}")).in_file(file))?;
    let parsed = front_matter::parse::<FrontMatter>(file, &text)?;
    if parsed.front.title.trim().is_empty() {
        return Err(Problem::error("expected a non-empty `title`")
            .in_file(file)
            .at_line(1)
            .with_field("title"));
    }
    let (kind, path, parent, lang) = route_of(file, &parsed.front, default_lang, languages);
    // A segment that slugifies to nothing would put the page at another's address
    // (`___.md` or `slug = "!!!"` at `/`).
    if path.contains("//") {
        let from_slug = parsed
            .front
            .slug
            .as_deref()
            .is_some_and(|slug| slug::slugify(slug).is_empty());
        let problem = if from_slug {
            Problem::error(
                "makes no address: it has no letters or digits; expected a slug like \
                 \"about-us\"",
            )
            .with_field("slug")
        } else {
            Problem::error(
                "its file or folder name has no letters or digits, so it makes no \
                 address; rename it, or give the page a `slug`",
            )
        };
        return Err(problem.in_file(file));
    }
    Ok(Page {
        file: file.to_string(),
        path,
        parent,
        lang,
        kind,
        html: markdown::render(&parsed.body, Trust::Content),
        front: parsed.front,
    })
}

/// Maps `content/guides/buying.zh.md` to its kind, URL path (`/zh/guides/buying/`),
/// parent section path and language.
fn route_of(
    file: &str,
    front: &FrontMatter,
    default_lang: &str,
    languages: &[String],
) -> (PageKind, String, String, String) {
    let inner = file.strip_prefix("content/").unwrap_or(file);
    let inner = inner.strip_suffix(".md").unwrap_or(inner);
    let (inner, lang) = match inner.rsplit_once('.') {
        Some((stem, code)) if languages.iter().any(|l| l == code) => (stem, code),
        _ => (inner, default_lang),
    };
    let mut segments: Vec<String> = inner.split('/').map(slug::slugify).collect();
    let last = inner.rsplit('/').next().unwrap_or_default();
    let kind = match (last, segments.len()) {
        ("_index", 1) => PageKind::Home,
        ("_index", _) => PageKind::Section,
        _ => PageKind::Page,
    };
    if kind != PageKind::Page {
        segments.pop();
    } else if let Some(slug) = &front.slug {
        *segments.last_mut().expect("a file has a name") = slug::slugify(slug);
    }
    let prefix = if lang == default_lang {
        String::new()
    } else {
        format!("/{lang}")
    };
    let join = |segs: &[String]| {
        let mut p = prefix.clone() + "/";
        for s in segs {
            p.push_str(s);
            p.push('/');
        }
        p
    };
    let path = join(&segments);
    let parent = match kind {
        PageKind::Home => path.clone(),
        _ => join(&segments[..segments.len().saturating_sub(1)]),
    };
    (kind, path, parent, lang.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(file: &str) -> (PageKind, String, String, String) {
        route_of(file, &FrontMatter::default(), "en", &["zh".to_string()])
    }

    #[test]
    fn maps_files_to_url_paths() {
        assert_eq!(route("content/_index.md").1, "/");
        assert_eq!(route("content/about.md").1, "/about/");
        assert_eq!(
            route("content/guides/_index.md"),
            (
                PageKind::Section,
                "/guides/".into(),
                "/".into(),
                "en".into()
            )
        );
        assert_eq!(
            route("content/guides/Buying Well.md").1,
            "/guides/buying-well/"
        );
        assert_eq!(route("content/guides/buying.md").2, "/guides/");
    }

    #[test]
    fn language_suffix_moves_the_page_under_its_code() {
        let (kind, path, _, lang) = route("content/about.zh.md");
        assert_eq!(
            (kind, path.as_str(), lang.as_str()),
            (PageKind::Page, "/zh/about/", "zh")
        );
        assert_eq!(route("content/_index.zh.md").1, "/zh/");
    }
}
