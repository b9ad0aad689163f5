//! schema.org structured data for a car page: a `Car` with its `Offer`, and the
//! breadcrumbs, as one JSON-LD `@graph`.

use super::view;
use crate::feeds::{Availability, Listing, MileageUnit, VehicleState};
use crate::site::Site;
use serde::Serialize;

// Typed and borrowed rather than built as `serde_json::Value`: a car page is written
// straight to text, without a map and a copy of every string on the way. Fields are in
// alphabetical order, the order the output has always had.

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (Car<'a>, Breadcrumbs<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Car<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_type: Option<&'a str>,
    brand: Named<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drive_wheel_configuration: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fuel_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image: Vec<String>,
    item_condition: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mileage_from_odometer: Option<Quantity>,
    model: &'a str,
    name: &'a str,
    offers: Offer<'a>,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle_identification_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle_interior_color: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle_model_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle_transmission: Option<&'a str>,
}

#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Quantity {
    #[serde(rename = "@type")]
    kind: &'static str,
    unit_code: &'static str,
    value: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Offer<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    availability: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_at_or_from: Option<Place<'a>>,
    price: String,
    price_currency: &'a str,
    seller: Named<'a>,
    url: &'a str,
}

/// The supplier's branch that has the car.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Place<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Breadcrumbs<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<Crumb<'a>>,
}

#[derive(Serialize)]
struct Crumb<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: String,
    name: &'a str,
    position: usize,
}

/// The JSON-LD for the car `l`, from what its page shows (`page`), safe to place inside a
/// `<script>` element. The last crumb is the page itself, in the page's language
/// (`/zh/cars/…/`), and gives the car's URL.
pub fn car(site: &Site, l: &Listing, page: &view::CarPage, crumbs: &[(String, String)]) -> String {
    let config = &site.config;
    let card = &page.card;
    let url = config.absolute_url(crumbs.last().map_or(card.path, |(_, p)| p));
    let car = Car {
        id: format!("{url}#car"),
        kind: "Car",
        body_type: card.body.as_ref().map(view::Label::as_str),
        brand: Named {
            kind: "Brand",
            name: page.make,
        },
        color: page.exterior_color,
        drive_wheel_configuration: page.drivetrain.as_ref().map(view::Label::as_str),
        fuel_type: card.fuel.as_ref().map(view::Label::as_str),
        image: page
            .images
            .iter()
            .map(|p| match &p.large {
                u if u.starts_with('/') => config.absolute_url(u),
                u => u.clone(),
            })
            .collect(),
        item_condition: match l.state_of_vehicle {
            Some(VehicleState::New) => "https://schema.org/NewCondition",
            _ => "https://schema.org/UsedCondition",
        },
        mileage_from_odometer: l.mileage.map(|m| Quantity {
            kind: "QuantitativeValue",
            unit_code: match m.unit {
                MileageUnit::Km => "KMT",
                MileageUnit::Mi => "SMI",
            },
            value: m.value,
        }),
        model: page.model,
        name: card.title,
        offers: Offer {
            kind: "Offer",
            availability: match l.availability {
                Availability::Available => "https://schema.org/InStock",
                Availability::Pending => "https://schema.org/LimitedAvailability",
                Availability::NotAvailable => "https://schema.org/SoldOut",
            },
            available_at_or_from: (page.dealer.is_some() || l.dealer.id.is_some()).then(|| Place {
                kind: "Place",
                address: page.dealer.as_ref().and_then(|d| d.address.as_deref()),
                branch_code: l.dealer.id.as_deref(),
                name: l.dealer.name.as_deref(),
                telephone: l.dealer.phone.as_deref(),
            }),
            price: l.sale_price.as_ref().unwrap_or(&l.price).decimal(),
            price_currency: l.price.currency_code(),
            seller: Named {
                kind: "AutoDealer",
                name: page.supplier.name,
            },
            url: &url,
        },
        url: &url,
        vehicle_identification_number: page.vin,
        vehicle_interior_color: page.interior_color,
        vehicle_model_date: card.year.map(|y| y.to_string()),
        vehicle_transmission: card.transmission.as_ref().map(view::Label::as_str),
    };
    let breadcrumbs = Breadcrumbs {
        kind: "BreadcrumbList",
        item_list_element: crumbs
            .iter()
            .enumerate()
            .map(|(n, (name, path))| Crumb {
                kind: "ListItem",
                item: config.absolute_url(path),
                name,
                position: n + 1,
            })
            .collect(),
    };
    let doc = Document {
        context: "https://schema.org",
        graph: (car, breadcrumbs),
    };
    script_safe(&serde_json::to_string(&doc).expect("JSON-LD serialises"))
}

/// JSON inside `<script>` must not close the element or open a comment: `<`, `>` and
/// `&` become `\u` escapes, which JSON parsers read back as the same characters.
pub fn script_safe(json: &str) -> String {
    crate::text::replace_bytes(json, |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    })
}
