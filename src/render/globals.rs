//! What every page of one language shares (site settings, the menu, the policies'
//! notices, the shared partials), made once per build, and the outline of it that
//! `serve` compares between renders.

use crate::content::Page;
use crate::plan::Plan;
use crate::site::Site;
use serde::Serialize;
use std::collections::HashMap;
use tera::Context;

/// A link in the menu or the breadcrumbs.
#[derive(Serialize)]
pub struct MenuItem<'a> {
    pub title: &'a str,
    pub path: std::borrow::Cow<'a, str>,
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
                .all()
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
/// the routes that are not [`crate::plan::Route::shows_content`] render to the same bytes as then.
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
