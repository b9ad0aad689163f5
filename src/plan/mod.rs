//! Every page the site publishes, as a route: its URL path and what it is made from.
//! Routes are small; each one's template context is built only when it renders
//! (`render::context`), so a large site never holds a context per page at once.
//!
//! Every page exists in every configured language: the default language at `/`, the
//! others under `/<code>/`. Cars, lists, policies, the 404 page and the Atom feed are the
//! same data with translated labels; a content page or policy version without a
//! translation is published in the other language with the default text and a note.

mod content_index;

pub use content_index::ContentIndex;

use crate::assets::Assets;
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::Availability;
use crate::site::Site;
use rayon::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub enum RouteKind {
    /// A Markdown page or section: index into `Site::pages`.
    Content(usize),
    /// A policy version: indexes into `Site::policies.list` and its versions; `archive`
    /// for `/<policy>/versions/<date>/`, otherwise the policy's own path.
    Policy {
        policy: usize,
        version: usize,
        archive: bool,
    },
    /// A car's page: index into the inventory's listings.
    Car(usize),
    /// Page `page` (from 1) of a catalog list: index into `Catalog::facets`.
    CarList {
        facet: usize,
        page: usize,
    },
    /// Atom feed of the newest arrivals, or (`reduced`) of the latest price cuts.
    Atom {
        reduced: bool,
    },
    /// `/gone.json`: the pages of cars sold or gone long enough ago to be removed, for a
    /// host that answers them with 410 Gone.
    Gone,
    /// `/sitemap.xml`, pointing at the chunks.
    SitemapIndex,
    /// One sitemap chunk of at most [`SITEMAP_CHUNK`] URLs of one language: index into
    /// `Plan::sitemaps`, then chunk number from 0.
    Sitemap {
        lang: usize,
        chunk: usize,
    },
    Robots,
    NotFound,
}

/// The sitemap protocol's limit of URLs per file.
pub const SITEMAP_CHUNK: usize = 50_000;

#[derive(Debug, Clone)]
pub struct Route {
    /// URL path: `/about/`, or a file path such as `/404.html`.
    pub path: String,
    pub lang: String,
    pub kind: RouteKind,
}

/// Every route of the site in a stable order, and what the sitemap lists.
pub struct Plan {
    pub routes: Vec<Route>,
    /// Per language, in `Site::languages` order: indexable pages with their
    /// last-modified day, in route order.
    pub sitemaps: Vec<(String, SitemapUrls)>,
    pub content: ContentIndex,
    /// The site's languages, the default first.
    pub languages: Vec<String>,
}

impl Plan {
    /// The routes a render renders: every one, or (`content_only`) those that show
    /// content. The few that each render a catalog-sized file come first, so that one
    /// thread's long render overlaps the pages instead of ending the build alone.
    pub fn to_render(&self, content_only: bool) -> Vec<&Route> {
        let mut routes: Vec<&Route> = self
            .routes
            .iter()
            .filter(|r| !content_only || r.shows_content())
            .collect();
        routes.sort_by_key(|r| !r.is_bulk());
        routes
    }

    /// The URL path of every sitemap chunk, language by language.
    pub fn sitemap_chunk_paths(&self) -> impl Iterator<Item = String> + '_ {
        self.sitemaps.iter().flat_map(|(lang, entries)| {
            (1..=sitemap_chunks(entries)).map(move |n| sitemap_path(lang, n))
        })
    }

    /// The pages of chunk `chunk` (from 0) of language `lang`'s sitemap.
    pub fn sitemap_chunk(&self, lang: usize, chunk: usize) -> &[(String, Option<String>)] {
        let entries = &self.sitemaps[lang].1;
        let start = (chunk * SITEMAP_CHUNK).min(entries.len());
        &entries[start..(start + SITEMAP_CHUNK).min(entries.len())]
    }
}

/// A sitemap's pages: path and last-modified day.
pub type SitemapUrls = Vec<(String, Option<String>)>;

impl Route {
    /// Where the page lands in the output folder.
    pub fn output_file(&self) -> String {
        let path = self.path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        }
    }

    /// The source a route comes from, to name it when two routes collide.
    fn source(&self, site: &Site) -> String {
        match self.kind {
            RouteKind::Content(i) => site.pages[i].file.clone(),
            RouteKind::Car(i) => {
                let l = &site.inventory.listings[i];
                format!("{}:{}", l.source_file, l.source_line)
            }
            RouteKind::Policy {
                policy, version, ..
            } => site.policies.list[policy].versions[version].file.clone(),
            RouteKind::NotFound => "the theme's 404.html".into(),
            _ => "the car catalog".into(),
        }
    }

    /// Routes that each render one file as large as the catalog: rendered first, so
    /// that one thread's long render overlaps the pages instead of ending the build
    /// alone, on one busy core.
    pub fn is_bulk(&self) -> bool {
        matches!(self.kind, RouteKind::Sitemap { .. })
    }

    /// Whether search engines should see the page: not the 404 page, not a sold car.
    fn indexable(&self, site: &Site) -> bool {
        match self.kind {
            RouteKind::Content(_) | RouteKind::CarList { .. } | RouteKind::Policy { .. } => true,
            RouteKind::Car(i) => {
                site.inventory.listings[i].availability != Availability::NotAvailable
            }
            _ => false,
        }
    }

    fn lastmod(&self, site: &Site) -> Option<String> {
        match self.kind {
            RouteKind::Content(i) => {
                let front = &site.pages[i].front;
                front.updated.or(front.date).map(|d| d.0.to_string())
            }
            // The day the page's facts (price, status) last changed.
            RouteKind::Car(i) => Some(site.history.cars[i].changed.to_string()),
            _ => None,
        }
    }
}

/// How many chunk files a language's sitemap needs (at least one).
fn sitemap_chunks(entries: &[(String, Option<String>)]) -> usize {
    entries.len().div_ceil(SITEMAP_CHUNK).max(1)
}

/// `/sitemap-zh-1.xml`: chunk `n` (from 1) of a language's sitemap.
fn sitemap_path(lang: &str, n: usize) -> String {
    format!("/sitemap-{lang}-{n}.xml")
}

impl Route {
    /// Content pages, and the sitemaps that list them with their dates: the routes whose
    /// bytes a content page's edit can change beyond what [`ContentOutline`] covers.
    pub fn shows_content(&self) -> bool {
        matches!(
            self.kind,
            RouteKind::Content(_) | RouteKind::SitemapIndex | RouteKind::Sitemap { .. }
        )
    }
}

/// Every route of the site, in a stable order. Two routes with one path, or a route at
/// the path of a static file, is an error naming both sources.
pub fn plan(site: &Site, catalog: &Catalog, assets: &Assets) -> (Plan, Diagnostics) {
    let languages = site.languages();
    let default_lang = &site.config.default_language;
    let content = ContentIndex::new(site);
    let mut routes = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        routes.push(Route {
            path: page.path.clone(),
            lang: page.lang.clone(),
            kind: RouteKind::Content(i),
        });
    }
    // Untranslated pages stand in for their translation, with a note.
    for lang in languages.iter().skip(1) {
        for i in content.untranslated(lang, default_lang) {
            routes.push(Route {
                path: format!("{}{}", site.lang_prefix(lang), site.pages[i].path),
                lang: lang.clone(),
                kind: RouteKind::Content(i),
            });
        }
    }
    for lang in &languages {
        let prefix = site.lang_prefix(lang);
        let route = |path: String, kind| Route {
            path: format!("{prefix}{path}"),
            lang: lang.clone(),
            kind,
        };
        for (p, policy) in site.policies.list.iter().enumerate() {
            let kind = |version, archive| RouteKind::Policy {
                policy: p,
                version,
                archive,
            };
            routes.push(route(policy.path(), kind(policy.in_force, false)));
            for (v, version) in policy.versions.iter().enumerate() {
                routes.push(route(policy.version_path(version), kind(v, true)));
            }
        }
        for (facet, f) in catalog.facets.iter().enumerate() {
            for page in 1..=f.pages(site.config.paginate_by) {
                routes.push(route(f.page_path(page), RouteKind::CarList { facet, page }));
            }
        }
        for (i, car) in catalog.cars.iter().enumerate() {
            routes.push(route(car.path.clone(), RouteKind::Car(i)));
        }
        routes.push(route(
            "/cars/atom.xml".into(),
            RouteKind::Atom { reduced: false },
        ));
        routes.push(route(
            format!("{}atom.xml", crate::catalog::REDUCED_PATH),
            RouteKind::Atom { reduced: true },
        ));
        routes.push(route("/404.html".into(), RouteKind::NotFound));
    }
    for (path, kind) in [
        ("/robots.txt", RouteKind::Robots),
        ("/gone.json", RouteKind::Gone),
    ] {
        routes.push(Route {
            path: path.into(),
            lang: default_lang.clone(),
            kind,
        });
    }
    let sitemaps: Vec<(String, SitemapUrls)> = languages
        .iter()
        .map(|lang| {
            let entries = routes
                .par_iter()
                .filter(|r| &r.lang == lang && r.indexable(site))
                .map(|r| (r.path.clone(), r.lastmod(site)))
                .collect();
            (lang.clone(), entries)
        })
        .collect();
    routes.push(Route {
        path: "/sitemap.xml".into(),
        lang: default_lang.clone(),
        kind: RouteKind::SitemapIndex,
    });
    for (l, (lang, entries)) in sitemaps.iter().enumerate() {
        for chunk in 0..sitemap_chunks(entries) {
            routes.push(Route {
                path: sitemap_path(lang, chunk + 1),
                lang: lang.clone(),
                kind: RouteKind::Sitemap { lang: l, chunk },
            });
        }
    }

    let mut problems = Diagnostics::default();
    // By the file written, which is what two routes must never share.
    let mut seen: HashMap<String, &Route> = HashMap::with_capacity(routes.len());
    for route in &routes {
        if let Some(first) = seen.insert(route.output_file(), route) {
            problems.push(
                Problem::error(format!(
                    "`{}` is also published by {}",
                    route.path,
                    first.source(site)
                ))
                .in_file(route.source(site)),
            );
        }
    }
    for asset in &assets.files {
        if let Some(route) = seen.get(&asset.output) {
            problems.push(
                Problem::error(format!(
                    "`/{}` is also published by {}; rename one of them",
                    asset.output,
                    route.source(site)
                ))
                .in_file(
                    asset
                        .source
                        .strip_prefix(&site.root)
                        .unwrap_or(&asset.source)
                        .to_string_lossy(),
                ),
            );
        }
    }
    let plan = Plan {
        routes,
        sitemaps,
        content,
        languages,
    };
    (plan, problems)
}
