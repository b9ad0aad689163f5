//! The catalog: every accepted car given a page path, and the ways to browse them
//! (all cars, brand, brand + model, supplier, body, fuel, price band). Built once from
//! the inventory; routes and recommendations read it, templates never search it.

pub mod format;
pub mod jsonld;
pub mod view;

use crate::feeds::{Availability, Listing, ModelYear};
use crate::site::Site;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The "Recently reduced" list.
pub const REDUCED_PATH: &str = "/cars/reduced/";

/// Upper bounds of the price bands, in major units of the car's currency.
const PRICE_BANDS: [i64; 5] = [5_000, 10_000, 20_000, 35_000, 50_000];

pub struct Catalog {
    /// One entry per `site.inventory.listings`, same index.
    pub cars: Vec<CarEntry>,
    /// Cars shown in lists, newest first: everything but sold cars.
    pub listed: Vec<usize>,
    /// Every list page family; the first is all cars.
    pub facets: Vec<Facet>,
    /// The values the filter form offers, as lower-case Meta codes.
    pub filter_options: FilterOptions,
    /// Facet index by path, for links from a car to its brand and model lists.
    by_path: HashMap<String, usize>,
    /// Local photos as the images stage published them; empty until it has run.
    pub photos: crate::images::Photos,
}

#[derive(Default, serde::Serialize)]
pub struct FilterOptions {
    pub fuel: BTreeSet<String>,
    pub body: BTreeSet<String>,
    pub transmission: BTreeSet<String>,
}

pub struct CarEntry {
    pub slug: String,
    /// `/cars/<slug>/`
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FacetKind {
    All,
    /// Cars whose price was cut lately.
    Reduced,
    Brand,
    Model,
    Supplier,
    Body,
    Fuel,
    Price,
}

impl FacetKind {
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::All => "all",
            FacetKind::Reduced => "reduced",
            FacetKind::Brand => "brand",
            FacetKind::Model => "model",
            FacetKind::Supplier => "supplier",
            FacetKind::Body => "body",
            FacetKind::Fuel => "fuel",
            FacetKind::Price => "price",
        }
    }
}

/// One browsable list, e.g. every BMW: its path, its title and its cars, newest first.
pub struct Facet {
    pub kind: FacetKind,
    /// What the list is of, as templates show it: a brand name, `BMW 3 Series`, a
    /// supplier's name, a Meta enum code (`SUV`, translated by the theme) or a band.
    pub title: String,
    /// `/cars/brand/bmw/`; page n > 1 is `<path>page/<n>/`.
    pub path: String,
    pub cars: Vec<usize>,
    /// For a model list, its brand's facet.
    pub parent: Option<usize>,
}

impl Facet {
    pub fn pages(&self, per_page: usize) -> usize {
        self.cars.len().div_ceil(per_page).max(1)
    }

    pub fn page_path(&self, page: usize) -> String {
        match page {
            1 => self.path.clone(),
            n => format!("{}page/{n}/", self.path),
        }
    }
}

impl Catalog {
    pub fn new(site: &Site) -> Catalog {
        let listings = &site.inventory.listings;
        let cars = slugs(listings);
        let mut listed: Vec<usize> = (0..listings.len())
            .filter(|&i| listings[i].availability != Availability::NotAvailable)
            .collect();
        listed.par_sort_by(|&a, &b| {
            let (la, lb) = (&listings[a], &listings[b]);
            arrival(site, b)
                .cmp(&arrival(site, a))
                .then(lb.updated.cmp(&la.updated))
                .then(cars[a].slug.cmp(&cars[b].slug))
        });
        let facets = facets(site, &listed);
        let mut filter_options = FilterOptions::default();
        for &i in &listed {
            let l = &listings[i];
            filter_options.fuel.extend(view::known_code(&l.fuel_type));
            filter_options.body.extend(view::known_code(&l.body_style));
            filter_options
                .transmission
                .extend(view::known_code(&l.transmission));
        }
        let by_path = facets
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        Catalog {
            cars,
            listed,
            facets,
            filter_options,
            by_path,
            photos: crate::images::Photos::default(),
        }
    }

    /// The catalog with its cars' processed photos, made beside it from the listings.
    pub fn with_photos(self, photos: crate::images::Photos) -> Catalog {
        Catalog { photos, ..self }
    }

    /// The "Recently reduced" list, always the second.
    pub fn reduced(&self) -> &Facet {
        &self.facets[1]
    }

    /// The list published at `path`, if there is one.
    pub fn facet(&self, path: &str) -> Option<&Facet> {
        self.by_path.get(path).map(|&i| &self.facets[i])
    }

    /// Brand lists, alphabetical, for the home page grid and list navigation.
    pub fn brands(&self) -> impl Iterator<Item = &Facet> {
        self.facets.iter().filter(|f| f.kind == FacetKind::Brand)
    }
}

/// When car `i` arrived: the day this marketplace first listed it.
pub fn arrival(site: &Site, i: usize) -> jiff::civil::Date {
    site.history.cars[i].first_seen
}

/// `bmw-320d-2019-acme-a123`: readable, and unique because supplier and vehicle id are.
/// Should two still collide after slugifying, later ones get `-2`, `-3`.
fn slugs(listings: &[Listing]) -> Vec<CarEntry> {
    // Slugifying is the work, and each car's is its own: in parallel, then made unique
    // in inventory order.
    let bases: Vec<String> = listings
        .par_iter()
        .map(|l| {
            let year = l.year.map(ModelYear::get);
            slug_of(&l.make, &l.model, year, l.supplier.as_str(), &l.vehicle_id)
        })
        .collect();
    let mut used = HashSet::new();
    bases
        .into_iter()
        .map(|base| {
            let mut slug = base.clone();
            let mut n = 2;
            while !used.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            CarEntry {
                path: format!("/cars/{slug}/"),
                slug,
            }
        })
        .collect()
}

/// A car's slug before it is made unique: what its address is made of.
pub fn slug_of(make: &str, model: &str, year: Option<u16>, supplier: &str, id: &str) -> String {
    let year = year.map(|y| y.to_string()).unwrap_or_default();
    slug::slugify(format!("{make} {model} {year} {supplier} {id}"))
}

/// The lists one car belongs to, as (kind, key, title).
fn memberships(site: &Site, l: &Listing) -> Vec<(FacetKind, String, String)> {
    let mut lists = Vec::with_capacity(6);
    let brand = slug::slugify(&l.make);
    if !brand.is_empty() {
        let model = slug::slugify(&l.model);
        if !model.is_empty() {
            let title = format!("{} {}", l.make, l.model);
            lists.push((FacetKind::Model, format!("{brand}/{model}"), title));
        }
        lists.push((FacetKind::Brand, brand, l.make.clone()));
    }
    let supplier = view::supplier_of(site, l).map_or(l.supplier.as_str(), |s| s.name.as_str());
    lists.push((
        FacetKind::Supplier,
        l.supplier.as_str().to_string(),
        supplier.to_string(),
    ));
    if let Some(code) = list_code(view::known_code(&l.body_style)) {
        lists.push((FacetKind::Body, code.to_lowercase(), code));
    }
    if let Some(code) = list_code(view::known_code(&l.fuel_type)) {
        lists.push((FacetKind::Fuel, code.to_lowercase(), code));
    }
    let (key, title) = price_band(&l.price);
    lists.push((FacetKind::Price, key, title));
    lists
}

fn facets(site: &Site, listed: &[usize]) -> Vec<Facet> {
    let listings = &site.inventory.listings;
    // Working out a car's lists is most of the work and needs nothing from other cars.
    let memberships: Vec<_> = listed
        .par_iter()
        .map(|&i| memberships(site, &listings[i]))
        .collect();
    // Keyed by (kind, slug) so the order is stable and alphabetical within a kind; a
    // list's title is the first of its cars' spellings.
    let mut groups: BTreeMap<(FacetKind, String), (String, Vec<usize>)> = BTreeMap::new();
    for (&i, lists) in listed.iter().zip(memberships) {
        for (kind, key, title) in lists {
            groups
                .entry((kind, key))
                .or_insert_with(|| (title, Vec::new()))
                .1
                .push(i);
        }
    }

    // Recently reduced: the latest cut first, then newest first.
    let mut reduced: Vec<usize> = listed
        .iter()
        .copied()
        .filter(|&i| site.history.cars[i].reduced.is_some())
        .collect();
    reduced.sort_by_key(|&i| std::cmp::Reverse(site.history.cars[i].reduced.map(|r| r.on)));
    let mut facets = vec![
        Facet {
            kind: FacetKind::All,
            title: String::new(),
            path: "/cars/".into(),
            cars: listed.to_vec(),
            parent: None,
        },
        Facet {
            kind: FacetKind::Reduced,
            title: String::new(),
            path: REDUCED_PATH.into(),
            cars: reduced,
            parent: None,
        },
    ];
    let mut brand_index: BTreeMap<String, usize> = BTreeMap::new();
    for ((kind, key), (title, members)) in groups {
        let path = match kind {
            FacetKind::Model => format!("/cars/brand/{key}/"),
            _ => format!("/cars/{}/{key}/", kind.name()),
        };
        let parent = match kind {
            FacetKind::Model => key
                .split('/')
                .next()
                .and_then(|b| brand_index.get(b).copied()),
            _ => None,
        };
        if kind == FacetKind::Brand {
            brand_index.insert(key.clone(), facets.len());
        }
        facets.push(Facet {
            kind,
            title,
            path,
            cars: members,
            parent,
        });
    }
    facets
}

/// A known value's code as a list's title (`SUV`, `PLUGIN_HYBRID`); `NONE` and `OTHER`
/// are not worth a list of their own, and the supplier's own words make none.
fn list_code(code: Option<String>) -> Option<String> {
    code.filter(|c| c != "other").map(|c| c.to_uppercase())
}

/// `("eur-10000-20000", "€10,000 – €20,000")`; bands are per currency, since 10 000 of
/// one currency is not 10 000 of another.
fn price_band(price: &crate::feeds::Price) -> (String, String) {
    let major = format::major_units(price);
    let code = price.currency_code();
    let at = |amount: i64| format::price(&format::whole(amount, price));
    let lower = PRICE_BANDS
        .iter()
        .rev()
        .find(|&&b| major >= b)
        .copied()
        .unwrap_or(0);
    let upper = PRICE_BANDS.iter().find(|&&b| major < b).copied();
    let key = match upper {
        Some(upper) => format!("{}-{lower}-{upper}", code.to_lowercase()),
        None => format!("{}-{lower}-plus", code.to_lowercase()),
    };
    let title = match upper {
        Some(upper) => format!("{} – {}", at(lower), at(upper)),
        None => format!("{}+", at(lower)),
    };
    (key, title)
}
