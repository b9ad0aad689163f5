//! Every page the site publishes, as a route: its URL path and what it is made from.
//! Routes are small; each one's template context is built only when it renders, so a
//! site of 100 000 cars never holds 100 000 contexts at once.

use crate::catalog::view::{self, CarCard};
use crate::catalog::{self, Catalog, Facet, FacetKind, format, jsonld};
use crate::content::{Page, PageKind};
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::Availability;
use crate::recommend::Recommendations;
use crate::site::Site;
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
    /// One sitemap chunk of at most [`SITEMAP_CHUNK`] URLs.
    Sitemap(usize),
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
}

/// Every route of the site in a stable order, and what the sitemap lists.
pub struct Plan {
    pub routes: Vec<Route>,
    /// Indexable pages with their last-modified day, in route order.
    pub sitemap: Vec<(String, Option<String>)>,
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

    /// HTML pages are minified; feeds, sitemaps and JSON are written as rendered.
    pub fn is_html(&self) -> bool {
        self.output_file().ends_with(".html")
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
        ctx.insert("path", &self.path);
        ctx.insert("permalink", &site.config.absolute_url(&self.path));
        match self.kind {
            RouteKind::Content(i) => {
                let page = &site.pages[i];
                ctx.insert("page", &PageView::full(page));
                if page.kind != PageKind::Page {
                    let children: Vec<PageView> = site
                        .pages
                        .iter()
                        .filter(|p| {
                            p.kind == PageKind::Page && p.parent == page.path && p.lang == page.lang
                        })
                        .map(PageView::summary)
                        .collect();
                    ctx.insert("pages", &children);
                }
                if page.kind == PageKind::Home {
                    insert_recommended(cx, &cx.recommended.general, &mut ctx);
                    let newest: Vec<CarCard> = cx
                        .catalog
                        .listed
                        .iter()
                        .take(HOME_NEWEST)
                        .map(|&i| view::card(site, cx.catalog, i))
                        .collect();
                    ctx.insert("newest", &newest);
                    ctx.insert("brands", &brand_links(cx.catalog));
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
                );
                insert_recommended(cx, &cx.recommended.general, &mut ctx);
                Body::Template("policy.html", ctx)
            }
            RouteKind::Car(i) => {
                let crumbs = car_breadcrumbs(cx, i);
                ctx.insert("car", &view::page(site, cx.catalog, i));
                insert_recommended(cx, cx.recommended.for_car(i), &mut ctx);
                ctx.insert("jsonld", &jsonld::car(site, cx.catalog, i, &crumbs));
                let crumbs: Vec<MenuItem> = crumbs
                    .iter()
                    .map(|(title, path)| MenuItem { title, path })
                    .collect();
                ctx.insert("breadcrumbs", &crumbs);
                Body::Template("cars/car.html", ctx)
            }
            RouteKind::CarList { facet, page } => {
                list_context(cx, facet, page, &mut ctx);
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
                        url: site.config.absolute_url(&cx.catalog.cars[i].path),
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
                let chunks: Vec<String> =
                    (1..=cx.plan.sitemap.len().div_ceil(SITEMAP_CHUNK).max(1))
                        .map(|n| site.config.absolute_url(&format!("/sitemap-{n}.xml")))
                        .collect();
                ctx.insert("sitemaps", &chunks);
                Body::Template("sitemap_index.xml", ctx)
            }
            RouteKind::Sitemap(n) => {
                let entries: Vec<SitemapEntry> = cx
                    .plan
                    .sitemap
                    .iter()
                    .skip(n * SITEMAP_CHUNK)
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
                insert_recommended(cx, &cx.recommended.general, &mut ctx);
                Body::Template("404.html", ctx)
            }
        }
    }
}

/// The cards of a Recommended Cars section.
fn insert_recommended(cx: &Inputs, cars: &[usize], ctx: &mut Context) {
    let cards: Vec<CarCard> = cars
        .iter()
        .map(|&i| view::card(cx.site, cx.catalog, i))
        .collect();
    ctx.insert("recommended", &cards);
}

fn car_breadcrumbs(cx: &Inputs, i: usize) -> Vec<(String, String)> {
    let l = &cx.site.inventory.listings[i];
    let mut crumbs = vec![(cx.site.config.title.clone(), "/".to_string())];
    let brand = slug::slugify(&l.make);
    let model = format!("{brand}/{}", slug::slugify(&l.model));
    for f in cx.catalog.facets.iter().filter(|f| {
        (f.kind == FacetKind::Brand && f.path == format!("/cars/brand/{brand}/"))
            || (f.kind == FacetKind::Model && f.path == format!("/cars/brand/{model}/"))
    }) {
        crumbs.push((f.title.clone(), f.path.clone()));
    }
    crumbs.push((l.title.clone(), cx.catalog.cars[i].path.clone()));
    crumbs
}

#[derive(Serialize)]
struct FacetLink<'a> {
    title: &'a str,
    kind: &'static str,
    path: &'a str,
    count: usize,
}

fn brand_links(catalog: &Catalog) -> Vec<FacetLink<'_>> {
    catalog.brands().map(facet_link).collect()
}

fn facet_link(f: &Facet) -> FacetLink<'_> {
    FacetLink {
        title: &f.title,
        kind: f.kind.name(),
        path: &f.path,
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

fn list_context(cx: &Inputs, facet_index: usize, page: usize, ctx: &mut Context) {
    let facet = &cx.catalog.facets[facet_index];
    let per_page = cx.site.config.paginate_by;
    let pages = facet.pages(per_page);
    let cars: Vec<CarCard> = facet
        .cars
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|&i| view::card(cx.site, cx.catalog, i))
        .collect();
    let first_item = ((page - 1) * per_page + 1).min(facet.cars.len());
    ctx.insert(
        "paginator",
        &Paginator {
            page,
            pages,
            total: facet.cars.len(),
            first_item,
            last_item: first_item + cars.len().saturating_sub(1),
            prev: (page > 1).then(|| facet.page_path(page - 1)),
            next: (page < pages).then(|| facet.page_path(page + 1)),
        },
    );
    ctx.insert("cars", &cars);
    ctx.insert("list", &facet_link(facet));
    ctx.insert(
        "parent",
        &facet.parent.map(|p| facet_link(&cx.catalog.facets[p])),
    );
    let models: Vec<FacetLink> = cx
        .catalog
        .facets
        .iter()
        .filter(|f| f.parent == Some(facet_index))
        .map(facet_link)
        .collect();
    ctx.insert("models", &models);
    ctx.insert("brands", &brand_links(cx.catalog));
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
    let rows: Vec<serde_json::Value> = catalog
        .listed
        .iter()
        .map(|&i| {
            let l = &site.inventory.listings[i];
            let card = view::card(site, catalog, i);
            serde_json::json!([
                card.path,
                card.title,
                l.make,
                l.model,
                format::major_units(l.sale_price.as_ref().unwrap_or(&l.price)),
                format::currency_code(&l.price),
                card.price,
                card.year,
                l.mileage.map(|m| m.value),
                card.mileage,
                card.fuel,
                card.body,
                card.transmission,
                card.image.map(|p| p.small),
                card.supplier,
                card.reserved,
                catalog::arrival(l).to_string(),
            ])
        })
        .collect();
    serde_json::json!({
        "columns": ["path", "title", "make", "model", "price", "currency", "price_text",
            "year", "mileage", "mileage_text", "fuel", "body", "transmission", "image",
            "supplier", "reserved", "arrived"],
        "cars": rows,
    })
    .to_string()
}

/// A content page as templates see it.
#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    path: &'a str,
    date: Option<String>,
    updated: Option<String>,
    content: &'a str,
    extra: &'a toml::Table,
}

impl<'a> PageView<'a> {
    fn full(page: &'a Page) -> Self {
        PageView {
            title: &page.front.title,
            description: page.front.description.as_deref(),
            path: &page.path,
            date: page.front.date.map(|d| d.0.to_string()),
            updated: page.front.updated.map(|d| d.0.to_string()),
            content: &page.html,
            extra: &page.front.extra,
        }
    }

    fn summary(page: &'a Page) -> Self {
        PageView {
            content: "",
            ..PageView::full(page)
        }
    }
}

#[derive(Serialize)]
struct MenuItem<'a> {
    title: &'a str,
    path: &'a str,
}

/// What every page of one language shares: site settings and the menu.
pub struct Globals {
    by_lang: HashMap<String, Context>,
}

impl Globals {
    pub fn new(site: &Site) -> Globals {
        let config = &site.config;
        let mut by_lang = HashMap::new();
        for lang in site.languages() {
            let mut menu: Vec<&Page> = site
                .pages
                .iter()
                .filter(|p| p.front.in_menu && p.lang == lang)
                .collect();
            menu.sort_by_key(|p| (p.front.weight, p.path.as_str()));
            let menu: Vec<MenuItem> = menu
                .iter()
                .map(|p| MenuItem {
                    title: &p.front.title,
                    path: &p.path,
                })
                .collect();
            let translated = config.languages.get(&lang);
            let mut ctx = Context::new();
            ctx.insert("lang", &lang);
            ctx.insert("default_lang", &config.default_language);
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
            crate::policies::view::insert_globals(&mut ctx, &site.policies, site.date);
            by_lang.insert(lang, ctx);
        }
        Globals { by_lang }
    }

    fn base(&self, lang: &str) -> &Context {
        &self.by_lang[lang]
    }
}

/// Every route of the site, in a stable order. Two routes with one path is an error
/// naming both sources.
pub fn plan(site: &Site, catalog: &Catalog) -> (Plan, Diagnostics) {
    let lang = || site.config.default_language.clone();
    let mut routes = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        routes.push(Route {
            path: page.path.clone(),
            lang: page.lang.clone(),
            kind: RouteKind::Content(i),
        });
    }
    for (p, policy) in site.policies.list.iter().enumerate() {
        let route = |path, version, archive| Route {
            path,
            lang: lang(),
            kind: RouteKind::Policy {
                policy: p,
                version,
                archive,
            },
        };
        routes.push(route(policy.path(), policy.in_force, false));
        for (v, version) in policy.versions.iter().enumerate() {
            routes.push(route(policy.version_path(version), v, true));
        }
    }
    for (facet, f) in catalog.facets.iter().enumerate() {
        for page in 1..=f.pages(site.config.paginate_by) {
            routes.push(Route {
                path: f.page_path(page),
                lang: lang(),
                kind: RouteKind::CarList { facet, page },
            });
        }
    }
    for (i, car) in catalog.cars.iter().enumerate() {
        routes.push(Route {
            path: car.path.clone(),
            lang: lang(),
            kind: RouteKind::Car(i),
        });
    }
    for (path, kind) in [
        ("/cars/index.json", RouteKind::SearchIndex),
        ("/cars/atom.xml", RouteKind::Atom),
        ("/robots.txt", RouteKind::Robots),
        ("/404.html", RouteKind::NotFound),
    ] {
        routes.push(Route {
            path: path.into(),
            lang: lang(),
            kind,
        });
    }
    let sitemap: Vec<(String, Option<String>)> = routes
        .iter()
        .filter(|r| r.indexable(site))
        .map(|r| (r.path.clone(), r.lastmod(site)))
        .collect();
    routes.push(Route {
        path: "/sitemap.xml".into(),
        lang: lang(),
        kind: RouteKind::SitemapIndex,
    });
    for n in 0..sitemap.len().div_ceil(SITEMAP_CHUNK).max(1) {
        routes.push(Route {
            path: format!("/sitemap-{}.xml", n + 1),
            lang: lang(),
            kind: RouteKind::Sitemap(n),
        });
    }

    let mut problems = Diagnostics::default();
    let mut seen: BTreeMap<&str, &Route> = BTreeMap::new();
    for route in &routes {
        if let Some(first) = seen.insert(&route.path, route) {
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
    (Plan { routes, sitemap }, problems)
}
