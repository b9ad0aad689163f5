//! schema.org structured data for a car page: a `Car` with its `Offer`, and the
//! breadcrumbs, as one JSON-LD `@graph`.

use super::{Catalog, view};
use crate::feeds::{Availability, MileageUnit, VehicleState};
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
    body_type: Option<String>,
    brand: Named<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drive_wheel_configuration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fuel_type: Option<String>,
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
    vehicle_transmission: Option<String>,
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
    price: String,
    price_currency: &'a str,
    seller: Named<'a>,
    url: &'a str,
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

/// The JSON-LD for car `i`, safe to place inside a `<script>` element. The last crumb is
/// the page itself, in the page's language (`/zh/cars/…/`), and gives the car's URL.
pub fn car(site: &Site, catalog: &Catalog, i: usize, crumbs: &[(String, String)]) -> String {
    let l = &site.inventory.listings[i];
    let config = &site.config;
    let url = config.absolute_url(crumbs.last().map_or(&catalog.cars[i].path, |(_, p)| p));
    let seller = view::supplier_of(site, l).map_or(l.supplier.as_str(), |s| s.name.as_str());
    let car = Car {
        id: format!("{url}#car"),
        kind: "Car",
        body_type: l.body_style.as_ref().and_then(view::code),
        brand: Named {
            kind: "Brand",
            name: &l.make,
        },
        color: l.exterior_color.as_deref(),
        drive_wheel_configuration: l.drivetrain.as_ref().and_then(view::code),
        fuel_type: l.fuel_type.as_ref().and_then(view::code),
        image: view::pictures(catalog, l)
            .map(|p| match p.large {
                u if u.starts_with('/') => config.absolute_url(&u),
                u => u,
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
        model: &l.model,
        name: &l.title,
        offers: Offer {
            kind: "Offer",
            availability: match l.availability {
                Availability::Available => "https://schema.org/InStock",
                Availability::Pending => "https://schema.org/LimitedAvailability",
                Availability::NotAvailable => "https://schema.org/SoldOut",
            },
            price: l.sale_price.as_ref().unwrap_or(&l.price).decimal(),
            price_currency: l.price.currency_code(),
            seller: Named {
                kind: "AutoDealer",
                name: seller,
            },
            url: &url,
        },
        url: &url,
        vehicle_identification_number: l
            .vin
            .as_ref()
            .filter(|_| config.show_vin)
            .map(|v| v.as_str()),
        vehicle_interior_color: l.interior_color.as_deref(),
        vehicle_model_date: l.year.map(|y| y.get().to_string()),
        vehicle_transmission: l.transmission.as_ref().and_then(view::code),
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
    crate::render::replace_bytes(json, |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    })
}
