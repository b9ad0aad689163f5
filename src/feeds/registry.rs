//! `data/suppliers.toml`: who may publish cars on the site. A folder under `data/feeds/`
//! is only read when a supplier with its name is registered here, so a stray upload never
//! reaches the site. The registry is the marketplace's own file, so any mistake in it is
//! an error that stops the build rather than a warning.

use super::listing::{
    Availability, BodyStyle, Drivetrain, FeedEnum, FuelType, Transmission, VehicleState,
};
use super::supplier::{ValueMap, Words};
use super::{Supplier, SupplierId};
use crate::diagnostics::{Problem, line_of_offset};
use crate::text::is_http_url;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The registry's path relative to the site root.
pub const FILE: &str = "data/suppliers.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RegistryFile {
    suppliers: Vec<toml::Spanned<Entry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    website: Option<String>,
    #[serde(default)]
    default_currency: Option<String>,
    #[serde(default)]
    max_age_days: Option<u32>,
    #[serde(default)]
    disclaimer: Option<String>,
    #[serde(default)]
    values: RawValues,
}

/// `[suppliers.values.<field>]`: the supplier's word on the left, our value on the right.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawValues {
    body_style: BTreeMap<String, toml::Spanned<String>>,
    fuel_type: BTreeMap<String, toml::Spanned<String>>,
    transmission: BTreeMap<String, toml::Spanned<String>>,
    drivetrain: BTreeMap<String, toml::Spanned<String>>,
    availability: BTreeMap<String, toml::Spanned<String>>,
    state_of_vehicle: BTreeMap<String, toml::Spanned<String>>,
}

/// Reads the registry. `Ok(None)` when the file does not exist (a site without cars);
/// `Err` with every mistake found, each an error with its line.
pub fn load(root: &Path) -> Result<Option<Vec<Supplier>>, Vec<Problem>> {
    let text = match std::fs::read_to_string(root.join(FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(vec![
                Problem::error(format!("cannot read: {e}")).in_file(FILE),
            ]);
        }
    };
    parse(&text).map(Some)
}

/// Parses and validates the registry's text; registry order is kept (it breaks ties
/// between duplicate offers).
pub fn parse(text: &str) -> Result<Vec<Supplier>, Vec<Problem>> {
    let file: RegistryFile = toml::from_str(text).map_err(|e| {
        let mut p = Problem::error(e.message().trim().to_string()).in_file(FILE);
        if let Some(span) = e.span() {
            p = p.at_line(line_of_offset(text, span.start));
        }
        vec![p]
    })?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut suppliers = Vec::new();
    for spanned in file.suppliers {
        let line = line_of_offset(text, spanned.span().start);
        let entry = spanned.into_inner();
        let bad = |field: &str, message: String| {
            Problem::error(message)
                .in_file(FILE)
                .at_line(line)
                .with_field(field)
        };
        let Some(id) = SupplierId::parse(&entry.id) else {
            problems.push(bad(
                "id",
                format!(
                    "{:?} is not a supplier id; expected lowercase letters and digits in \
                     words joined by single hyphens, like \"rhein-auto\": the name of its \
                     folder under data/feeds/",
                    entry.id
                ),
            ));
            continue;
        };
        if !seen.insert(id.clone()) {
            problems.push(bad(
                "id",
                format!(
                    "supplier {:?} is registered twice; expected each id once",
                    entry.id
                ),
            ));
            continue;
        }
        if entry.name.trim().is_empty() {
            problems.push(bad("name", "is empty; expected the supplier's name".into()));
        }
        if let Some(website) = &entry.website
            && !is_http_url(website)
        {
            problems.push(bad(
                "website",
                format!("{website:?} is not a web address; expected an http(s) URL"),
            ));
        }
        let default_currency = entry
            .default_currency
            .map(|c| c.trim().to_ascii_uppercase());
        if let Some(code) = &default_currency
            && !is_currency_code(code)
        {
            problems.push(bad(
                "default_currency",
                format!("{code:?} is not a currency; expected an ISO 4217 code like \"EUR\""),
            ));
        }
        if let Some(email) = &entry.email
            && !email.contains('@')
        {
            problems.push(bad(
                "email",
                format!("{email:?} is not an email address; expected name@example.com"),
            ));
        }
        let raw = entry.values;
        let p = &mut problems;
        let values = ValueMap {
            body_style: words::<BodyStyle>(text, "body_style", raw.body_style, p),
            fuel_type: words::<FuelType>(text, "fuel_type", raw.fuel_type, p),
            transmission: words::<Transmission>(text, "transmission", raw.transmission, p),
            drivetrain: words::<Drivetrain>(text, "drivetrain", raw.drivetrain, p),
            availability: words::<Availability>(text, "availability", raw.availability, p),
            state_of_vehicle: words::<VehicleState>(
                text,
                "state_of_vehicle",
                raw.state_of_vehicle,
                p,
            ),
        };
        suppliers.push(Supplier {
            id,
            name: entry.name.trim().to_string(),
            email: entry.email,
            phone: entry.phone,
            website: entry.website,
            default_currency,
            max_age_days: entry.max_age_days,
            disclaimer: entry.disclaimer,
            values,
        });
    }
    if problems.is_empty() {
        Ok(suppliers)
    } else {
        Err(problems)
    }
}

/// One `[suppliers.values.<field>]` table of `T`s; each target that is not one of our
/// values is an error with its line.
fn words<T: FeedEnum>(
    text: &str,
    field: &str,
    table: BTreeMap<String, toml::Spanned<String>>,
    problems: &mut Vec<Problem>,
) -> Words<T> {
    let mut words = Vec::new();
    for (word, value) in table {
        match T::parse(value.get_ref()) {
            Some(parsed) => words.push((word, parsed)),
            None => problems.push(
                Problem::error(format!(
                    "{word:?} = {:?}: the target is not one of our {field} values; \
                     expected one of {}",
                    value.get_ref(),
                    T::NAMES.join(", "),
                ))
                .in_file(FILE)
                .at_line(line_of_offset(text, value.span().start))
                .with_field(format!("values.{field}")),
            ),
        }
    }
    Words::new(words)
}

/// Three ASCII capital letters: the shape of an ISO 4217 code.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}
