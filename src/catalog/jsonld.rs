//! schema.org structured data for a car page: a `Car` with its `Offer`, and the
//! breadcrumbs, as one JSON-LD `@graph`.

use super::{Catalog, view};
use crate::feeds::{Availability, MileageUnit, VehicleState};
use crate::site::Site;
use serde_json::{Value, json};

/// The JSON-LD for car `i`, safe to place inside a `<script>` element. The last crumb is
/// the page itself, in the page's language (`/zh/cars/…/`), and gives the car's URL.
pub fn car(site: &Site, catalog: &Catalog, i: usize, crumbs: &[(String, String)]) -> String {
    let l = &site.inventory.listings[i];
    let config = &site.config;
    let url = config.absolute_url(crumbs.last().map_or(&catalog.cars[i].path, |(_, p)| p));
    let seller = view::supplier_of(site, l).map_or(l.supplier.as_str(), |s| s.name.as_str());
    let mut car = json!({
        "@type": "Car",
        "@id": format!("{url}#car"),
        "name": l.title,
        "url": url,
        "brand": {"@type": "Brand", "name": l.make},
        "model": l.model,
        "offers": {
            "@type": "Offer",
            "price": l.sale_price.as_ref().unwrap_or(&l.price).decimal(),
            "priceCurrency": l.price.currency_code(),
            "availability": match l.availability {
                Availability::Available => "https://schema.org/InStock",
                Availability::Pending => "https://schema.org/LimitedAvailability",
                Availability::NotAvailable => "https://schema.org/SoldOut",
            },
            "url": url,
            "seller": {"@type": "AutoDealer", "name": seller},
        },
    });
    let fields = car.as_object_mut().expect("built as an object");
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            fields.insert(key.into(), v);
        }
    };
    set(
        "vehicleModelDate",
        l.year.map(|y| json!(y.get().to_string())),
    );
    set(
        "vehicleIdentificationNumber",
        l.vin
            .as_ref()
            .filter(|_| config.show_vin)
            .map(|v| json!(v.as_str())),
    );
    set(
        "mileageFromOdometer",
        l.mileage.map(|m| {
            json!({
                "@type": "QuantitativeValue",
                "value": m.value,
                "unitCode": match m.unit { MileageUnit::Km => "KMT", MileageUnit::Mi => "SMI" },
            })
        }),
    );
    set(
        "fuelType",
        l.fuel_type.as_ref().and_then(view::code).map(Value::from),
    );
    set(
        "bodyType",
        l.body_style.as_ref().and_then(view::code).map(Value::from),
    );
    set(
        "vehicleTransmission",
        l.transmission
            .as_ref()
            .and_then(view::code)
            .map(Value::from),
    );
    set(
        "driveWheelConfiguration",
        l.drivetrain.as_ref().and_then(view::code).map(Value::from),
    );
    set("color", l.exterior_color.as_deref().map(Value::from));
    set(
        "vehicleInteriorColor",
        l.interior_color.as_deref().map(Value::from),
    );
    set(
        "itemCondition",
        Some(json!(match l.state_of_vehicle {
            Some(VehicleState::New) => "https://schema.org/NewCondition",
            _ => "https://schema.org/UsedCondition",
        })),
    );
    let images: Vec<String> = view::pictures(catalog, l)
        .map(|p| match p.large {
            u if u.starts_with('/') => config.absolute_url(&u),
            u => u,
        })
        .collect();
    if !images.is_empty() {
        set("image", Some(json!(images)));
    }
    let breadcrumbs = json!({
        "@type": "BreadcrumbList",
        "itemListElement": crumbs.iter().enumerate().map(|(n, (name, path))| json!({
            "@type": "ListItem",
            "position": n + 1,
            "name": name,
            "item": config.absolute_url(path),
        })).collect::<Vec<_>>(),
    });
    let doc = json!({"@context": "https://schema.org", "@graph": [car, breadcrumbs]});
    script_safe(&doc.to_string())
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
