//! Pieces of pages rendered once and pasted into many as finished HTML: every listed
//! car's card, once per language (a car shows on a dozen list pages and in other cars'
//! Recommended Cars), and the partials that are the same on every page of a language.
//! Rendering each of them per page was most of a large site's build time.

use super::Renderer;
use super::globals::Globals;
use crate::catalog::{Catalog, view};
use crate::diagnostics::Problem;
use crate::plan::Plan;
use crate::site::Site;
use rayon::prelude::*;
use std::collections::HashMap;

/// The partials rendered once per language, and the name pages see each under
/// (`{{ shared.consent | safe }}`). They see only what all pages of a language share.
pub const SHARED_PARTIALS: &[(&str, &str)] = &[
    ("consent", "partials/consent.html"),
    ("footer", "partials/footer.html"),
];

/// The template of one car's card in lists and Recommended Cars.
pub const CARD_TEMPLATE: &str = "partials/car_card.html";

/// Each listed car's card per language; cars that are listed nowhere have none.
pub struct Cards {
    by_lang: HashMap<String, Vec<String>>,
}

impl Cards {
    /// Renders the cards of every listed car in every language, in parallel. A broken
    /// card template is reported once, not once per car.
    pub fn render(
        site: &Site,
        catalog: &Catalog,
        globals: &Globals,
        renderer: &Renderer,
    ) -> Result<Cards, Problem> {
        let mut by_lang = HashMap::new();
        for lang in site.languages() {
            let base = globals.base(&lang);
            // One copy of the globals per batch of cards, not per card: each card only
            // replaces `car`.
            let rendered: Vec<(usize, String)> = catalog
                .listed
                .par_iter()
                .map_init(
                    || base.clone(),
                    |ctx, &i| {
                        ctx.insert("car", &view::card(site, catalog, i));
                        renderer
                            .render(CARD_TEMPLATE, &lang, ctx)
                            .map(|html| (i, html))
                    },
                )
                .collect::<Result<_, _>>()?;
            let mut cards = vec![String::new(); site.inventory.listings.len()];
            for (i, html) in rendered {
                cards[i] = html;
            }
            by_lang.insert(lang, cards);
        }
        Ok(Cards { by_lang })
    }

    /// The cards of `cars` in `lang`, in that order.
    pub fn of<'c>(&'c self, cars: &[usize], lang: &str) -> Vec<&'c str> {
        let cards = &self.by_lang[lang];
        cars.iter().map(|&i| cards[i].as_str()).collect()
    }
}

/// What every page of a language shares, with the shared partials rendered into it, and
/// every listed car's card.
pub fn render(
    site: &Site,
    catalog: &Catalog,
    plan: &Plan,
    renderer: &Renderer,
) -> Result<(Globals, Cards), Problem> {
    let mut globals = Globals::new(site, plan);
    // Cards first: each card's context is a copy of the globals, which need not carry
    // the shared partials' HTML into every copy.
    let cards = Cards::render(site, catalog, &globals, renderer)?;
    render_shared(site, &mut globals, renderer)?;
    Ok((globals, cards))
}

/// Renders [`SHARED_PARTIALS`] for every language into `globals`, where every page of
/// that language finds them.
fn render_shared(site: &Site, globals: &mut Globals, renderer: &Renderer) -> Result<(), Problem> {
    for lang in site.languages() {
        let mut shared = HashMap::new();
        for (name, template) in SHARED_PARTIALS {
            shared.insert(
                *name,
                renderer.render(template, &lang, globals.base(&lang))?,
            );
        }
        globals.insert(&lang, "shared", &shared);
    }
    Ok(())
}
