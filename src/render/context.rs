//! Each route's template context, built when it renders and dropped after: what a
//! page shows of the site, the catalog, the policies and the recommendations, with its
//! `hreflang` alternates. Text files made in Rust (`/gone.json`) come out finished.

use super::Renderer;
use super::fragments::Cards;
use super::globals::{Globals, MenuItem};
use crate::catalog::view::{self, CarCard};
use crate::catalog::{Catalog, Facet, FacetKind, jsonld};
use crate::content::{Page, PageKind};
use crate::diagnostics::Problem;
use crate::plan::{Plan, Route, RouteKind};
use crate::recommend::Recommendations;
use crate::site::Site;
use serde::Serialize;
use tera::Context;

/// Entries in the Atom feed of new arrivals.
const ATOM_ENTRIES: usize = 50;
/// Newest arrivals on the home page.
const HOME_NEWEST: usize = 8;

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
    /// Where the search index's `meta.json` is published, for the filter form.
    pub search: &'a str,
}

/// A route's page, or its problem.
pub fn render(inputs: &Inputs, renderer: &Renderer, route: &Route) -> Result<Vec<u8>, Problem> {
    match body(route, inputs) {
        Body::Template(name, ctx) => renderer.render_bytes(name, &route.lang, &ctx),
        Body::ContentTemplate(name, ctx) => renderer.render_bytes(&name, &route.lang, &ctx),
        Body::Text(text) => Ok(text.into_bytes()),
    }
}

/// The template and context, or the finished text, for a route.
fn body(route: &Route, cx: &Inputs) -> Body {
    let site = cx.site;
    let mut ctx = cx.globals.base(&route.lang).clone();
    let prefix = site.lang_prefix(&route.lang);
    ctx.insert("path", &route.path);
    ctx.insert("permalink", &site.config.absolute_url(&route.path));
    let alternates = alternates(route, cx);
    let x_default = alternates
        .iter()
        .find(|a| a.lang == site.config.default_language)
        .map(|a| a.url.clone());
    ctx.insert("alternates", &alternates);
    ctx.insert("x_default", &x_default);
    match route.kind {
        RouteKind::Content(i) => {
            let page = &site.pages[i];
            ctx.insert("page", &PageView::full(page, &route.path));
            ctx.insert("fallback", &(page.lang != route.lang));
            if page.kind != PageKind::Page {
                let content = &cx.plan.content;
                let mut children: Vec<(usize, String)> = content
                    .children(content.key(i))
                    .filter_map(|key| content.resolve(site, key, &route.lang))
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
                insert_recommended(cx, &cx.recommended.general, &route.lang, &mut ctx);
                let newest = &cx.catalog.listed[..cx.catalog.listed.len().min(HOME_NEWEST)];
                ctx.insert("newest", &cx.cards.of(newest, &route.lang));
                ctx.insert("reduced_count", &cx.catalog.reduced().cars.len());
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
                &route.lang,
                &prefix,
            );
            insert_recommended(cx, &cx.recommended.general, &route.lang, &mut ctx);
            Body::Template("policy.html", ctx)
        }
        RouteKind::Car(i) => {
            let crumbs = car_breadcrumbs(cx, i, &route.lang);
            let car = view::page(site, cx.catalog, i);
            let listing = &site.inventory.listings[i];
            ctx.insert("jsonld", &jsonld::car(site, listing, &car, &crumbs));
            ctx.insert("car", &car);
            insert_recommended(cx, cx.recommended.for_car(i), &route.lang, &mut ctx);
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
            list_context(cx, facet, page, (&route.lang, &prefix), &mut ctx);
            Body::Template("cars/list.html", ctx)
        }
        RouteKind::Atom { reduced } => {
            let cars = match reduced {
                true => &cx.catalog.reduced().cars,
                false => &cx.catalog.listed,
            };
            let entries: Vec<AtomEntry> = cars
                .iter()
                .take(ATOM_ENTRIES)
                .map(|&i| AtomEntry {
                    car: view::card(site, cx.catalog, i),
                    url: site
                        .config
                        .absolute_url(&format!("{prefix}{}", cx.catalog.cars[i].path)),
                    updated: match site.history.cars[i].reduced {
                        Some(cut) if reduced => cut.on.to_string(),
                        _ => site.inventory.listings[i].updated.to_string(),
                    },
                })
                .collect();
            ctx.insert("reduced", &reduced);
            let updated = entries
                .iter()
                .map(|e| e.updated.clone())
                .max()
                .unwrap_or_else(|| site.date.to_string());
            ctx.insert("entries", &entries);
            ctx.insert("updated", &updated);
            Body::Template("atom.xml", ctx)
        }
        RouteKind::Gone => Body::Text(gone(site)),
        RouteKind::SitemapIndex => {
            let chunks: Vec<String> = cx
                .plan
                .sitemap_chunk_paths()
                .map(|path| site.config.absolute_url(&path))
                .collect();
            ctx.insert("sitemaps", &chunks);
            Body::Template("sitemap_index.xml", ctx)
        }
        RouteKind::Sitemap { lang, chunk } => {
            let entries: Vec<SitemapEntry> = cx
                .plan
                .sitemap_chunk(lang, chunk)
                .iter()
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
            insert_recommended(cx, &cx.recommended.general, &route.lang, &mut ctx);
            Body::Template("404.html", ctx)
        }
    }
}

/// One language version of a page, for `hreflang` links and the language switcher.
#[derive(Serialize)]
struct Alternate {
    lang: String,
    path: String,
    url: String,
}

/// A route's page in every language it exists in, the route's own included; empty for
/// files that are not pages (feeds of record, sitemaps, robots.txt).
fn alternates(route: &Route, cx: &Inputs) -> Vec<Alternate> {
    let site = cx.site;
    let plan = cx.plan;
    let alternate = |lang: &str, path: String| Alternate {
        lang: lang.to_string(),
        url: site.config.absolute_url(&path),
        path,
    };
    match route.kind {
        RouteKind::Content(i) => plan
            .languages
            .iter()
            .filter_map(|lang| {
                let (_, path) = plan.content.resolve(site, plan.content.key(i), lang)?;
                Some(alternate(lang, path))
            })
            .collect(),
        RouteKind::Policy { .. }
        | RouteKind::Car(_)
        | RouteKind::CarList { .. }
        | RouteKind::NotFound => {
            let own = site.lang_prefix(&route.lang);
            let base = route.path.strip_prefix(&own).unwrap_or(&route.path);
            plan.languages
                .iter()
                .map(|lang| alternate(lang, format!("{}{base}", site.lang_prefix(lang))))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `{"gone": [...]}`: every address, in every language, of a car whose page was removed.
fn gone(site: &Site) -> String {
    let mut paths: Vec<String> = site
        .history
        .removed
        .iter()
        .flat_map(|(supplier, id, facts)| {
            let slug = crate::catalog::slug_of(&facts.make, &facts.model, facts.year, supplier, id);
            site.languages()
                .into_iter()
                .map(move |lang| format!("{}/cars/{slug}/", site.lang_prefix(&lang)))
        })
        .collect();
    paths.sort();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "gone": paths }))
        .expect("a list of strings serializes");
    text.push('\n');
    text
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
        ctx.insert("search_index", cx.search);
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
