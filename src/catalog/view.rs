//! Cars as templates see them: every value already formatted, every URL already safe.
//! Feed text stays text here; Tera escapes it, and descriptions go through the
//! untrusted Markdown renderer.

use super::{Catalog, format};
use crate::content::markdown::{self, Trust};
use crate::feeds::{Availability, FeedEnum, ImageRef, Listing, OrWritten, Supplier};
use crate::site::Site;
use crate::text::is_http_url;
use serde::Serialize;

/// What a list or a Recommended Cars section shows of a car.
#[derive(Serialize)]
pub struct CarCard<'a> {
    pub path: &'a str,
    pub title: &'a str,
    /// The asking price: the sale price when there is one, else the price. Every place
    /// that states a price (title, description, social tags, card, JSON-LD, search
    /// index) states this one.
    pub price: String,
    /// The price before the sale, shown struck through; only when there is a sale price.
    pub regular_price: Option<String>,
    pub year: Option<u16>,
    pub mileage: Option<String>,
    pub fuel: Option<Label<'a>>,
    pub body: Option<Label<'a>>,
    pub transmission: Option<Label<'a>>,
    pub image: Option<Picture>,
    pub supplier: &'a str,
    pub city: Option<&'a str>,
    pub reserved: bool,
    pub stale: bool,
    /// First listed within the site's `new_days`.
    pub new: bool,
    /// Its last price change was a cut within `reduced_days`.
    pub reduced: Option<ReducedView>,
}

/// A price cut as templates show it.
#[derive(Serialize)]
pub struct ReducedView {
    pub from: String,
    pub to: String,
    /// ISO date, formatted by the template in the page's language.
    pub on: String,
}

/// Everything a car's own page shows.
#[derive(Serialize)]
pub struct CarPage<'a> {
    #[serde(flatten)]
    pub card: CarCard<'a>,
    pub make: &'a str,
    pub model: &'a str,
    pub trim: Option<&'a str>,
    pub drivetrain: Option<Label<'a>>,
    pub exterior_color: Option<&'a str>,
    pub interior_color: Option<&'a str>,
    pub condition: Option<&'a str>,
    pub state: Option<String>,
    pub location: Option<String>,
    /// `None` when `show_vin` is off.
    pub vin: Option<&'a str>,
    pub images: Vec<Picture>,
    pub description_html: String,
    pub dealer_url: Option<&'a str>,
    /// The supplier's branch that has the car, when the feed names one or gives the car's
    /// address: shown instead of the supplier's head office.
    pub dealer: Option<DealerView<'a>>,
    /// The number to call about the car: the branch's, else the supplier's.
    pub call: Option<Phone<'a>>,
    /// `<supplier-id>/<vehicle_id>`: what a buyer quotes when they ask about the car.
    pub reference: String,
    pub supplier: SupplierView<'a>,
    /// ISO date the supplier last updated the car, and where that date came from.
    pub updated: String,
    pub updated_from: crate::feeds::UpdatedFrom,
    pub sold: bool,
    pub max_age_days: Option<u32>,
    /// ISO date this marketplace first listed it, and the days since.
    pub first_seen: String,
    pub listed_days: i32,
    /// Its asking prices over time, when there was more than one.
    pub chart: Option<Chart>,
}

/// A price history drawn as an inline SVG line: positions worked out here, labels
/// (dates, prices) formatted by the template in the page's language. No script.
#[derive(Serialize)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The line's `points` attribute.
    pub points: String,
    /// Each price with where it is drawn.
    pub marks: Vec<Mark>,
}

#[derive(Serialize)]
pub struct Mark {
    pub x: u32,
    pub y: u32,
    /// ISO date.
    pub on: String,
    pub price: String,
}

impl Chart {
    const WIDTH: u32 = 320;
    const HEIGHT: u32 = 120;
    /// Room for labels above and below the line.
    const MARGIN: u32 = 24;

    /// Days run left to right (each change one step, so a week's and a year's changes
    /// both read), prices bottom to top between the lowest and the highest.
    fn new(prices: &[(jiff::civil::Date, crate::feeds::Price)]) -> Option<Chart> {
        if prices.len() < 2 {
            return None;
        }
        let lowest = prices.iter().map(|(_, p)| p.minor).min()?;
        let highest = prices.iter().map(|(_, p)| p.minor).max()?;
        let span = (highest - lowest).max(1);
        let steps = u32::try_from(prices.len() - 1).unwrap_or(1);
        let inner_height = i64::from(Chart::HEIGHT - 2 * Chart::MARGIN);
        let marks: Vec<Mark> = prices
            .iter()
            .enumerate()
            .map(|(n, (on, price))| {
                let step = u32::try_from(n).unwrap_or(0);
                let x = Chart::MARGIN + step * (Chart::WIDTH - 2 * Chart::MARGIN) / steps;
                let above_lowest = (price.minor - lowest) * inner_height / span;
                let y = Chart::HEIGHT - Chart::MARGIN - u32::try_from(above_lowest).unwrap_or(0);
                Mark {
                    x,
                    y,
                    on: on.to_string(),
                    price: format::price(price),
                }
            })
            .collect();
        let points = marks
            .iter()
            .map(|m| format!("{},{}", m.x, m.y))
            .collect::<Vec<_>>()
            .join(" ");
        Some(Chart {
            width: Chart::WIDTH,
            height: Chart::HEIGHT,
            points,
            marks,
        })
    }
}

#[derive(Serialize)]
pub struct SupplierView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub website: Option<&'a str>,
    pub disclaimer: Option<&'a str>,
    pub path: String,
}

/// A branch of a multi-location supplier.
#[derive(Serialize)]
pub struct DealerView<'a> {
    pub name: Option<&'a str>,
    /// The address on one line.
    pub address: Option<String>,
}

/// A phone number as written, and as a `tel:` link takes it.
#[derive(Serialize)]
pub struct Phone<'a> {
    pub text: &'a str,
    /// Digits and `+` only.
    pub tel: String,
}

impl<'a> Phone<'a> {
    fn new(text: &'a str) -> Phone<'a> {
        Phone {
            text,
            tel: text
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
        }
    }
}

/// A fact from one of our value lists as templates show it: a known value by its code,
/// which the theme translates (`"body_" ~ code`), or the supplier's own words, shown as
/// written. Serialized as `{"code": "suv", "written": null}` so a template can test either.
pub enum Label<'a> {
    Code(String),
    Written(&'a str),
}

impl Label<'_> {
    /// The code of a known value.
    pub fn code(&self) -> Option<&str> {
        match self {
            Label::Code(code) => Some(code),
            Label::Written(_) => None,
        }
    }

    /// The code, or the words as written: for JSON-LD, which takes free text.
    pub fn as_str(&self) -> &str {
        match self {
            Label::Code(code) => code,
            Label::Written(text) => text,
        }
    }
}

impl Serialize for Label<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (code, written) = match self {
            Label::Code(code) => (Some(code.as_str()), None),
            Label::Written(text) => (None, Some(*text)),
        };
        let mut out = serializer.serialize_struct("Label", 2)?;
        out.serialize_field("code", &code)?;
        out.serialize_field("written", &written)?;
        out.end()
    }
}

/// What a page shows of a value: nothing for `NONE`.
pub fn label<T: FeedEnum>(value: &Option<OrWritten<T>>) -> Option<Label<'_>> {
    match value.as_ref()? {
        OrWritten::Known(known) => code(known.code()).map(Label::Code),
        OrWritten::Written(text) => Some(Label::Written(text)),
    }
}

/// A known value's code, for lists, filters and recommendations; the supplier's own
/// words are in none of them.
pub fn known_code<T: FeedEnum>(value: &Option<OrWritten<T>>) -> Option<String> {
    value.as_ref()?.known().and_then(|known| code(known.code()))
}

pub fn supplier_of<'s>(site: &'s Site, listing: &Listing) -> Option<&'s Supplier> {
    site.inventory
        .suppliers
        .iter()
        .find(|s| s.id == listing.supplier)
}

pub fn card<'s>(site: &'s Site, catalog: &'s Catalog, i: usize) -> CarCard<'s> {
    let l = &site.inventory.listings[i];
    let history = &site.history.cars[i];
    CarCard {
        path: &catalog.cars[i].path,
        title: &l.title,
        price: format::price(l.sale_price.as_ref().unwrap_or(&l.price)),
        regular_price: l.sale_price.map(|_| format::price(&l.price)),
        year: l.year.map(|y| y.get()),
        mileage: l.mileage.as_ref().map(format::mileage),
        fuel: label(&l.fuel_type),
        body: label(&l.body_style),
        transmission: label(&l.transmission),
        image: pictures(catalog, l).next(),
        supplier: supplier_of(site, l).map_or(l.supplier.as_str(), |s| s.name.as_str()),
        city: l.address.city.as_deref(),
        reserved: l.availability == Availability::Pending,
        stale: l.stale,
        new: history.new && !history.gone,
        reduced: history
            .reduced
            .filter(|_| !history.gone)
            .map(|r| ReducedView {
                from: format::price(&r.from),
                to: format::price(&r.to),
                on: r.on.to_string(),
            }),
    }
}

pub fn page<'s>(site: &'s Site, catalog: &'s Catalog, i: usize) -> CarPage<'s> {
    let l = &site.inventory.listings[i];
    let history = &site.history.cars[i];
    let supplier = supplier_of(site, l);
    let location = [&l.address.city, &l.address.region, &l.address.country]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    CarPage {
        card: card(site, catalog, i),
        make: &l.make,
        model: &l.model,
        trim: l.trim.as_deref(),
        drivetrain: label(&l.drivetrain),
        exterior_color: l.exterior_color.as_deref(),
        interior_color: l.interior_color.as_deref(),
        condition: l.condition.as_deref(),
        state: l.state_of_vehicle.and_then(|s| code(s.code())),
        location: (!location.is_empty()).then_some(location),
        vin: l
            .vin
            .as_ref()
            .filter(|_| site.config.show_vin)
            .map(|v| v.as_str()),
        images: pictures(catalog, l).collect(),
        description_html: markdown::render(&l.description, Trust::Untrusted),
        dealer_url: l.url.as_deref().filter(|u| is_http_url(u)),
        dealer: dealer(l),
        call: l
            .dealer
            .phone
            .as_deref()
            .or(supplier.and_then(|s| s.phone.as_deref()))
            .map(Phone::new),
        reference: format!("{}/{}", l.supplier.as_str(), l.vehicle_id),
        supplier: SupplierView {
            id: l.supplier.as_str(),
            name: supplier.map_or(l.supplier.as_str(), |s| s.name.as_str()),
            email: supplier
                .and_then(|s| s.email.as_deref())
                .filter(|e| is_plain_email(e)),
            website: supplier
                .and_then(|s| s.website.as_deref())
                .filter(|u| is_http_url(u)),
            disclaimer: supplier.and_then(|s| s.disclaimer.as_deref()),
            path: format!("/cars/supplier/{}/", l.supplier.as_str()),
        },
        updated: l.updated.to_string(),
        updated_from: l.updated_from,
        sold: l.availability == Availability::NotAvailable,
        max_age_days: supplier.and_then(|s| s.max_age_days),
        first_seen: history.first_seen.to_string(),
        listed_days: history
            .first_seen
            .until(site.date)
            .map_or(0, |span| span.get_days().max(0)),
        chart: Chart::new(&history.prices),
    }
}

/// The branch with the car: its name and the car's full address, when the feed gives
/// either.
fn dealer(l: &Listing) -> Option<DealerView<'_>> {
    let name = l.dealer.name.as_deref();
    let address = l.address.one_line();
    (name.is_some() || address.is_some()).then_some(DealerView { name, address })
}

/// A photo as templates show it. A local photo comes in several widths, as JPEG and
/// WebP `srcset`s; a remote one is just its URL, with empty `srcset`s and no size.
#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    /// The `<img src>`: the variant nearest 960 pixels wide, or the remote URL.
    pub src: String,
    /// `/photos/<hash>-480.jpg 480w, …`; empty for a remote photo.
    pub srcset_jpeg: String,
    pub srcset_webp: String,
    /// Of the `src` variant, so the browser reserves the right space.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Make, model and year.
    pub alt: String,
    /// The largest JPEG (or the remote URL): for `og:image` and JSON-LD.
    pub large: String,
    /// The smallest JPEG (or the remote URL): for the search index.
    pub small: String,
}

/// The car's photos that can be shown, in feed order: local ones the images stage
/// published (those it could not use were reported and are left out), remote ones as
/// given (http(s) only, checked by the feeds stage).
pub fn pictures<'c>(catalog: &'c Catalog, l: &'c Listing) -> impl Iterator<Item = Picture> + 'c {
    let alt = [
        Some(l.make.clone()),
        Some(l.model.clone()),
        l.year.map(|y| y.get().to_string()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    l.images.iter().filter_map(move |img| match img {
        ImageRef::Remote(url) => Some(Picture {
            src: url.clone(),
            srcset_jpeg: String::new(),
            srcset_webp: String::new(),
            width: None,
            height: None,
            alt: alt.clone(),
            large: url.clone(),
            small: url.clone(),
        }),
        ImageRef::Local(path) => {
            let photo = catalog.photos.get(path)?;
            let url = |width: u32, ext: &str| format!("/{}", photo.output(width, ext));
            let srcset = |ext: &str| {
                photo
                    .variants
                    .iter()
                    .map(|v| format!("{} {}w", url(v.width, ext), v.width))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (first, last) = (photo.variants.first()?, photo.variants.last()?);
            let main = photo
                .variants
                .iter()
                .rev()
                .find(|v| v.width <= 960)
                .unwrap_or(first);
            Some(Picture {
                src: url(main.width, "jpg"),
                srcset_jpeg: srcset("jpg"),
                srcset_webp: srcset("webp"),
                width: Some(main.width),
                height: Some(main.height),
                alt: alt.clone(),
                large: url(last.width, "jpg"),
                small: url(first.width, "jpg"),
            })
        }
    })
}

/// An enum value's code in lower case (`plugin_hybrid`), the key the theme translates;
/// `none` is nothing to show.
fn code(code: &str) -> Option<String> {
    let code = code.to_lowercase();
    (code != "none").then_some(code)
}

/// Only an address that cannot smuggle headers or markup into a `mailto:` link.
fn is_plain_email(email: &str) -> bool {
    email.contains('@')
        && email
            .chars()
            .all(|c| c.is_alphanumeric() || "@.-_+".contains(c))
}
