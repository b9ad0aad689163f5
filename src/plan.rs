//! Every page the site publishes, as a route: its URL path and what it is made from.
//! Routes are small; each one's template context is built only when it renders, so a
//! site of 100 000 cars never holds 100 000 contexts at once.
//!
//! Every page exists in every configured language: the default language at `/`, the
//! others under `/<code>/`. Cars, lists, policies, the 404 page and the Atom feed are the
//! same data with translated labels; a content page or policy version without a
//! translation is published in the other language with the default text and a note.

use crate::assets::Assets;
use crate::catalog::view::{self, CarCard};
use crate::catalog::{self, Catalog, Facet, FacetKind, format, jsonld};
use crate::content::{Page, PageKind};
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::Availability;
use crate::fragments::Cards;
use crate::recommend::Recommendations;
use crate::site::Site;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tera::Context;

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
    /// `/cars/index.json`, the compact index the filter script searches.
    SearchIndex,
    /// Atom feed of the newest arrivals.
    Atom,
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
/// Entries in the Atom feed of new arrivals.
const ATOM_ENTRIES: usize = 50;
/// Newest arrivals on the home page.
const HOME_NEWEST: usize = 8;

#[derive(Debug, Clone)]
pub struct Route {
    /// URL path: `/about/`, or a file path such as `/404.html`.
    pub path: String,
    pub lang: String,
    pub kind: RouteKind,
}

/// What a route turns into: a template with its context, or bytes made in Rust.
pub enum Body {
    Template(&'static str, Context),
    /// Content pages name their own template.
    ContentTemplate(String, Context),
    Text(String),
}

/// Everything a route needs to build its context.
pub struct Inputs<'a> {
    pub site: &'a Site,
    pub catalog: &'a Catalog,
    pub recommended: &'a Recommendations,
    pub globals: &'a Globals,
    pub plan: &'a Plan,
    pub cards: &'a Cards,
}

/// Every route of the site in a stable order, and what the sitemap lists.
pub struct Plan {
    pub routes: Vec<Route>,
    /// Per language, in `Site::languages` order: indexable pages with their
    /// last-modified day, in route order.
    pub sitemaps: Vec<(String, SitemapUrls)>,
    pub content: ContentIndex,
    languages: Vec<String>,
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
}

/// A sitemap's pages: path and last-modified day.
pub type SitemapUrls = Vec<(String, Option<String>)>;

/// Content pages grouped by translation: `about.md` and `about.zh.md` share the key
/// `content/about.md`.
pub struct ContentIndex {
    /// Per page (same index as `Site::pages`), its key.
    keys: Vec<String>,
    /// Key to the page in each language that has one.
    by_key: BTreeMap<String, BTreeMap<String, usize>>,
}

impl ContentIndex {
    fn new(site: &Site) -> ContentIndex {
        let mut keys = Vec::with_capacity(site.pages.len());
        let mut by_key: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (i, page) in site.pages.iter().enumerate() {
            let suffix = format!(".{}.md", page.lang);
            let key = match page.file.strip_suffix(&suffix) {
                Some(stem) if page.lang != site.config.default_language => format!("{stem}.md"),
                _ => page.file.clone(),
            };
            by_key
                .entry(key.clone())
                .or_default()
                .insert(page.lang.clone(), i);
            keys.push(key);
        }
        ContentIndex { keys, by_key }
    }

    /// The page shown for `key` in `lang` and its path there: the translation, or the
    /// default language's page under the language's prefix. `None` when neither exists.
    fn resolve(&self, site: &Site, key: &str, lang: &str) -> Option<(usize, String)> {
        let versions = self.by_key.get(key)?;
        if let Some(&i) = versions.get(lang) {
            return Some((i, site.pages[i].path.clone()));
        }
        let &i = versions.get(&site.config.default_language)?;
        Some((
            i,
            format!("{}{}", site.lang_prefix(lang), site.pages[i].path),
        ))
    }

    /// Keys of the pages (not sections) in the folder of the section with `key`.
    fn children<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        let dir = key.strip_suffix("_index.md").unwrap_or(key);
        self.by_key.keys().map(String::as_str).filter(move |k| {
            k.strip_prefix(dir)
                .is_some_and(|rest| !rest.contains('/') && rest != "_index.md")
        })
    }
}

/// One language version of a page, for `hreflang` links and the language switcher.
#[derive(Serialize)]
struct Alternate {
    lang: String,
    path: String,
    url: String,
}

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
        matches!(
            self.kind,
            RouteKind::SearchIndex | RouteKind::Sitemap { .. }
        )
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
            RouteKind::Car(i) => Some(site.inventory.listings[i].updated.to_string()),
            _ => None,
        }
    }

    /// The template and context, or the finished text, for this route.
    pub fn body(&self, cx: &Inputs) -> Body {
        let site = cx.site;
        let mut ctx = cx.globals.base(&self.lang).clone();
        let prefix = site.lang_prefix(&self.lang);
        ctx.insert("path", &self.path);
        ctx.insert("permalink", &site.config.absolute_url(&self.path));
        let alternates = self.alternates(cx);
        let x_default = alternates
            .iter()
            .find(|a| a.lang == site.config.default_language)
            .map(|a| a.url.clone());
        ctx.insert("alternates", &alternates);
        ctx.insert("x_default", &x_default);
        match self.kind {
            RouteKind::Content(i) => {
                let page = &site.pages[i];
                ctx.insert("page", &PageView::full(page, &self.path));
                ctx.insert("fallback", &(page.lang != self.lang));
                if page.kind != PageKind::Page {
                    let content = &cx.plan.content;
                    let mut children: Vec<(usize, String)> = content
                        .children(&content.keys[i])
                        .filter_map(|key| content.resolve(site, key, &self.lang))
                        .filter(|(c, _)| site.pages[*c].kind == PageKind::Page)
                        .collect();
                    // By weight, then file name (the order `children` gives).
                    children.sort_by_key(|(c, _)| site.pages[*c].front.weight);
                    let children: Vec<PageView> = children
                        .into_iter()
                        .map(|(c, path)| PageView::summary(&site.pages[c], path))
                        .collect();
                    ctx.insert("pages", &children);
                }
                if page.kind == PageKind::Home {
                    insert_recommended(cx, &cx.recommended.general, &self.lang, &mut ctx);
                    let newest = &cx.catalog.listed[..cx.catalog.listed.len().min(HOME_NEWEST)];
                    ctx.insert("newest", &cx.cards.of(newest, &self.lang));
                    ctx.insert("brands", &brand_links(cx.catalog, &prefix));
                    ctx.insert("total_cars", &cx.catalog.listed.len());
                }
                Body::ContentTemplate(page.template().to_string(), ctx)
            }
            RouteKind::Policy {
                policy,
                version,
                archive,
            } => {
                crate::policies::view::insert_page(
                    &mut ctx,
                    &site.policies,
                    policy,
                    version,
                    archive,
                    &self.lang,
                    &prefix,
                );
                insert_recommended(cx, &cx.recommended.general, &self.lang, &mut ctx);
                Body::Template("policy.html", ctx)
            }
            RouteKind::Car(i) => {
                let crumbs = car_breadcrumbs(cx, i, &self.lang);
                let car = view::page(site, cx.catalog, i);
                let listing = &site.inventory.listings[i];
                ctx.insert("jsonld", &jsonld::car(site, listing, &car, &crumbs));
                ctx.insert("car", &car);
                insert_recommended(cx, cx.recommended.for_car(i), &self.lang, &mut ctx);
                let crumbs: Vec<MenuItem> = crumbs
                    .iter()
                    .map(|(title, path)| MenuItem {
                        title,
                        path: path.into(),
                    })
                    .collect();
                ctx.insert("breadcrumbs", &crumbs);
                Body::Template("cars/car.html", ctx)
            }
            RouteKind::CarList { facet, page } => {
                list_context(cx, facet, page, (&self.lang, &prefix), &mut ctx);
                Body::Template("cars/list.html", ctx)
            }
            RouteKind::SearchIndex => Body::Text(search_index(site, cx.catalog)),
            RouteKind::Atom => {
                let entries: Vec<AtomEntry> = cx
                    .catalog
                    .listed
                    .iter()
                    .take(ATOM_ENTRIES)
                    .map(|&i| AtomEntry {
                        car: view::card(site, cx.catalog, i),
                        url: site
                            .config
                            .absolute_url(&format!("{prefix}{}", cx.catalog.cars[i].path)),
                        updated: site.inventory.listings[i].updated.to_string(),
                    })
                    .collect();
                let updated = entries
                    .iter()
                    .map(|e| e.updated.clone())
                    .max()
                    .unwrap_or_else(|| site.date.to_string());
                ctx.insert("entries", &entries);
                ctx.insert("updated", &updated);
                Body::Template("atom.xml", ctx)
            }
            RouteKind::SitemapIndex => {
                let chunks: Vec<String> = cx
                    .plan
                    .sitemaps
                    .iter()
                    .flat_map(|(lang, entries)| {
                        (1..=sitemap_chunks(entries)).map(move |n| sitemap_path(lang, n))
                    })
                    .map(|path| site.config.absolute_url(&path))
                    .collect();
                ctx.insert("sitemaps", &chunks);
                Body::Template("sitemap_index.xml", ctx)
            }
            RouteKind::Sitemap { lang, chunk } => {
                let entries: Vec<SitemapEntry> = cx.plan.sitemaps[lang]
                    .1
                    .iter()
                    .skip(chunk * SITEMAP_CHUNK)
                    .take(SITEMAP_CHUNK)
                    .map(|(path, lastmod)| SitemapEntry {
                        loc: site.config.absolute_url(path),
                        lastmod: lastmod.as_deref(),
                    })
                    .collect();
                ctx.insert("entries", &entries);
                Body::Template("sitemap.xml", ctx)
            }
            RouteKind::Robots => {
                ctx.insert("sitemap_url", &site.config.absolute_url("/sitemap.xml"));
                Body::Template("robots.txt", ctx)
            }
            RouteKind::NotFound => {
                insert_recommended(cx, &cx.recommended.general, &self.lang, &mut ctx);
                Body::Template("404.html", ctx)
            }
        }
    }
}

impl Route {
    /// This page in every language it exists in, the route's own included; empty for
    /// files that are not pages (feeds of record, sitemaps, robots.txt).
    fn alternates(&self, cx: &Inputs) -> Vec<Alternate> {
        let site = cx.site;
        let plan = cx.plan;
        let alternate = |lang: &str, path: String| Alternate {
            lang: lang.to_string(),
            url: site.config.absolute_url(&path),
            path,
        };
        match self.kind {
            RouteKind::Content(i) => plan
                .languages
                .iter()
                .filter_map(|lang| {
                    let (_, path) = plan.content.resolve(site, &plan.content.keys[i], lang)?;
                    Some(alternate(lang, path))
                })
                .collect(),
            RouteKind::Policy { .. }
            | RouteKind::Car(_)
            | RouteKind::CarList { .. }
            | RouteKind::NotFound => {
                let own = site.lang_prefix(&self.lang);
                let base = self.path.strip_prefix(&own).unwrap_or(&self.path);
                plan.languages
                    .iter()
                    .map(|lang| alternate(lang, format!("{}{base}", site.lang_prefix(lang))))
                    .collect()
            }
            _ => Vec::new(),
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

/// The cards of a Recommended Cars section, as HTML.
fn insert_recommended(cx: &Inputs, cars: &[usize], lang: &str, ctx: &mut Context) {
    ctx.insert("recommended", &cx.cards.of(cars, lang));
}

fn car_breadcrumbs(cx: &Inputs, i: usize, lang: &str) -> Vec<(String, String)> {
    let l = &cx.site.inventory.listings[i];
    let prefix = cx.site.lang_prefix(lang);
    let title = cx
        .site
        .config
        .languages
        .get(lang)
        .and_then(|l| l.title.clone())
        .unwrap_or_else(|| cx.site.config.title.clone());
    let mut crumbs = vec![(title, format!("{prefix}/"))];
    let brand = slug::slugify(&l.make);
    let model = slug::slugify(&l.model);
    for path in [
        format!("/cars/brand/{brand}/"),
        format!("/cars/brand/{brand}/{model}/"),
    ] {
        if let Some(f) = cx.catalog.facet(&path) {
            crumbs.push((f.title.clone(), format!("{prefix}{}", f.path)));
        }
    }
    crumbs.push((
        l.title.clone(),
        format!("{prefix}{}", cx.catalog.cars[i].path),
    ));
    crumbs
}

#[derive(Serialize)]
struct FacetLink<'a> {
    title: &'a str,
    kind: &'static str,
    path: String,
    count: usize,
}

fn brand_links<'a>(catalog: &'a Catalog, prefix: &str) -> Vec<FacetLink<'a>> {
    catalog.brands().map(|f| facet_link(f, prefix)).collect()
}

/// A link to a list, under the page language's `prefix`.
fn facet_link<'a>(f: &'a Facet, prefix: &str) -> FacetLink<'a> {
    FacetLink {
        title: &f.title,
        kind: f.kind.name(),
        path: format!("{prefix}{}", f.path),
        count: f.cars.len(),
    }
}

#[derive(Serialize)]
struct Paginator {
    page: usize,
    pages: usize,
    total: usize,
    first_item: usize,
    last_item: usize,
    prev: Option<String>,
    next: Option<String>,
}

fn list_context(
    cx: &Inputs,
    facet_index: usize,
    page: usize,
    (lang, prefix): (&str, &str),
    ctx: &mut Context,
) {
    let facet = &cx.catalog.facets[facet_index];
    let per_page = cx.site.config.paginate_by;
    let pages = facet.pages(per_page);
    let start = ((page - 1) * per_page).min(facet.cars.len());
    let shown = &facet.cars[start..(start + per_page).min(facet.cars.len())];
    let cars = cx.cards.of(shown, lang);
    let first_item = ((page - 1) * per_page + 1).min(facet.cars.len());
    ctx.insert(
        "paginator",
        &Paginator {
            page,
            pages,
            total: facet.cars.len(),
            first_item,
            last_item: first_item + cars.len().saturating_sub(1),
            prev: (page > 1).then(|| format!("{prefix}{}", facet.page_path(page - 1))),
            next: (page < pages).then(|| format!("{prefix}{}", facet.page_path(page + 1))),
        },
    );
    ctx.insert("cards", &cars);
    ctx.insert("list", &facet_link(facet, prefix));
    ctx.insert(
        "parent",
        &facet
            .parent
            .map(|p| facet_link(&cx.catalog.facets[p], prefix)),
    );
    let models: Vec<FacetLink> = cx
        .catalog
        .facets
        .iter()
        .filter(|f| f.parent == Some(facet_index))
        .map(|f| facet_link(f, prefix))
        .collect();
    ctx.insert("models", &models);
    ctx.insert("brands", &brand_links(cx.catalog, prefix));
    // The filter script narrows `/cars/` and brand lists; brand lists start on their brand.
    let filter_make = match facet.kind {
        FacetKind::All => Some(""),
        FacetKind::Brand => Some(facet.title.as_str()),
        _ => None,
    };
    ctx.insert("filter_make", &filter_make);
    if filter_make.is_some() {
        ctx.insert("filter_options", &cx.catalog.filter_options);
    }
}

#[derive(Serialize)]
struct AtomEntry<'a> {
    car: CarCard<'a>,
    url: String,
    updated: String,
}

#[derive(Serialize)]
struct SitemapEntry<'a> {
    loc: String,
    lastmod: Option<&'a str>,
}

/// The compact index the filter script loads: one array per car, columns named once.
fn search_index(site: &Site, catalog: &Catalog) -> String {
    let index = SearchIndex {
        cars: catalog
            .listed
            .iter()
            .map(|&i| SearchRow {
                card: view::card(site, catalog, i),
                listing: &site.inventory.listings[i],
            })
            .collect(),
        columns: &SEARCH_COLUMNS,
    };
    serde_json::to_string(&index).expect("the search index serialises")
}

const SEARCH_COLUMNS: [&str; 17] = [
    "path",
    "title",
    "make",
    "model",
    "price",
    "currency",
    "price_text",
    "year",
    "mileage",
    "mileage_text",
    "fuel",
    "body",
    "transmission",
    "image",
    "supplier",
    "reserved",
    "arrived",
];

/// Fields in the order the output has always had.
#[derive(Serialize)]
struct SearchIndex<'a> {
    cars: Vec<SearchRow<'a>>,
    columns: &'static [&'static str],
}

/// One car of the search index: an array in [`SEARCH_COLUMNS`] order, written straight
/// to text rather than built as JSON values first.
struct SearchRow<'a> {
    card: view::CarCard<'a>,
    listing: &'a crate::feeds::Listing,
}

impl Serialize for SearchRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let (card, l) = (&self.card, self.listing);
        let mut row = serializer.serialize_tuple(SEARCH_COLUMNS.len())?;
        row.serialize_element(card.path)?;
        row.serialize_element(card.title)?;
        row.serialize_element(&l.make)?;
        row.serialize_element(&l.model)?;
        row.serialize_element(&format::major_units(
            l.sale_price.as_ref().unwrap_or(&l.price),
        ))?;
        row.serialize_element(l.price.currency_code())?;
        row.serialize_element(&card.price)?;
        row.serialize_element(&card.year)?;
        row.serialize_element(&l.mileage.map(|m| m.value))?;
        row.serialize_element(&card.mileage)?;
        // Filters match known values only; the supplier's own words are not filterable.
        row.serialize_element(&card.fuel.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.body.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.transmission.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.image.as_ref().map(|p| &p.small))?;
        row.serialize_element(card.supplier)?;
        row.serialize_element(&card.reserved)?;
        row.serialize_element(&catalog::arrival(l).to_string())?;
        row.end()
    }
}

/// A content page as templates see it.
#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    /// Where this page is shown: its own path, or under another language's prefix when
    /// it stands in for a missing translation.
    path: String,
    date: Option<String>,
    updated: Option<String>,
    content: &'a str,
    extra: &'a toml::Table,
}

impl<'a> PageView<'a> {
    fn full(page: &'a Page, path: &str) -> Self {
        PageView {
            title: &page.front.title,
            description: page.front.description.as_deref(),
            path: path.to_string(),
            date: page.front.date.map(|d| d.0.to_string()),
            updated: page.front.updated.map(|d| d.0.to_string()),
            content: &page.html,
            extra: &page.front.extra,
        }
    }

    fn summary(page: &'a Page, path: String) -> Self {
        PageView {
            content: "",
            path,
            ..PageView::full(page, "")
        }
    }
}

#[derive(Serialize)]
struct MenuItem<'a> {
    title: &'a str,
    path: std::borrow::Cow<'a, str>,
}

/// What every page of one language shares: site settings and the menu.
#[derive(Clone, PartialEq)]
pub struct Globals {
    by_lang: HashMap<String, Context>,
}

impl Globals {
    pub fn new(site: &Site, plan: &Plan) -> Globals {
        let config = &site.config;
        let mut by_lang = HashMap::new();
        for lang in site.languages() {
            // Every menu page in this language: translated, or the default one standing in.
            let mut menu: Vec<(&Page, String)> = plan
                .content
                .by_key
                .keys()
                .filter_map(|key| plan.content.resolve(site, key, &lang))
                .map(|(i, path)| (&site.pages[i], path))
                .filter(|(p, _)| p.front.in_menu)
                .collect();
            menu.sort_by(|(a, pa), (b, pb)| (a.front.weight, pa).cmp(&(b.front.weight, pb)));
            let menu: Vec<MenuItem> = menu
                .into_iter()
                .map(|(p, path)| MenuItem {
                    title: &p.front.title,
                    path: path.into(),
                })
                .collect();
            let prefix = site.lang_prefix(&lang);
            let translated = config.languages.get(&lang);
            let mut ctx = Context::new();
            ctx.insert("lang", &lang);
            ctx.insert("default_lang", &config.default_language);
            ctx.insert("prefix", &prefix);
            ctx.insert("fallback", &false);
            ctx.insert(
                "site",
                &serde_json::json!({
                    "title": translated.and_then(|l| l.title.as_deref()).unwrap_or(&config.title),
                    "description": translated.and_then(|l| l.description.as_deref()).unwrap_or(&config.description),
                    "base_url": config.base_url,
                    "contact_email": config.contact_email,
                    "show_vin": config.show_vin,
                    "extra": config.extra,
                    "build_date": site.date.to_string(),
                    "menu": menu,
                }),
            );
            crate::policies::view::insert_globals(
                &mut ctx,
                &site.policies,
                site.date,
                &lang,
                &prefix,
            );
            by_lang.insert(lang, ctx);
        }
        Globals { by_lang }
    }

    pub fn base(&self, lang: &str) -> &Context {
        &self.by_lang[lang]
    }

    /// Adds a value every page of `lang` sees.
    pub fn insert(&mut self, lang: &str, key: &str, value: &impl Serialize) {
        if let Some(ctx) = self.by_lang.get_mut(lang) {
            ctx.insert(key, value);
        }
    }
}

/// What a site shows of its content pages outside them: the menu and everything else
/// in [`Globals`], and which routes content pages and sitemaps publish. When a render
/// has the same outline as an earlier one and only content pages changed in between,
/// the routes that are not [`Route::shows_content`] render to the same bytes as then.
#[derive(Clone, PartialEq)]
pub struct ContentOutline {
    globals: Globals,
    routes: Vec<String>,
}

impl ContentOutline {
    pub fn new(plan: &Plan, globals: &Globals) -> ContentOutline {
        ContentOutline {
            globals: globals.clone(),
            routes: plan
                .routes
                .iter()
                .filter(|r| r.shows_content())
                .map(|r| r.path.clone())
                .collect(),
        }
    }
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
        for versions in content.by_key.values() {
            if let (None, Some(&i)) = (versions.get(lang), versions.get(default_lang)) {
                routes.push(Route {
                    path: format!("{}{}", site.lang_prefix(lang), site.pages[i].path),
                    lang: lang.clone(),
                    kind: RouteKind::Content(i),
                });
            }
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
        routes.push(route("/cars/atom.xml".into(), RouteKind::Atom));
        routes.push(route("/404.html".into(), RouteKind::NotFound));
    }
    for (path, kind) in [
        ("/cars/index.json", RouteKind::SearchIndex),
        ("/robots.txt", RouteKind::Robots),
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
