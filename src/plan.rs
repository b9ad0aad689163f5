//! Every page the site publishes, as a route: its URL path and what it is made from.
//! Routes are small; each one's template context is built only when it renders, so a
//! site of 100 000 cars never holds 100 000 contexts at once.

use crate::content::{Page, PageKind};
use crate::diagnostics::{Diagnostics, Problem};
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
    NotFound,
}

#[derive(Debug, Clone)]
pub struct Route {
    /// URL path: `/about/`, or a file path such as `/404.html`.
    pub path: String,
    pub lang: String,
    pub kind: RouteKind,
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

    pub fn template<'s>(&self, site: &'s Site) -> &'s str {
        match self.kind {
            RouteKind::Content(i) => site.pages[i].template(),
            RouteKind::Policy { .. } => "policy.html",
            RouteKind::NotFound => "404.html",
        }
    }

    /// The source a route comes from, to name it when two routes collide.
    fn source<'s>(&self, site: &'s Site) -> &'s str {
        match self.kind {
            RouteKind::Content(i) => &site.pages[i].file,
            RouteKind::Policy {
                policy, version, ..
            } => &site.policies.list[policy].versions[version].file,
            RouteKind::NotFound => "the theme's 404.html",
        }
    }

    /// The template context: the language's shared values plus this page's own.
    pub fn context(&self, site: &Site, globals: &Globals) -> Context {
        let mut ctx = globals.base(&self.lang).clone();
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
            }
            RouteKind::Policy {
                policy,
                version,
                archive,
            } => crate::policies::view::insert_page(
                &mut ctx,
                &site.policies,
                policy,
                version,
                archive,
            ),
            RouteKind::NotFound => {}
        }
        ctx
    }
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
pub fn plan(site: &Site) -> (Vec<Route>, Diagnostics) {
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
            lang: site.config.default_language.clone(),
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
    routes.push(Route {
        path: "/404.html".into(),
        lang: site.config.default_language.clone(),
        kind: RouteKind::NotFound,
    });

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
    (routes, problems)
}
