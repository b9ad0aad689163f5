//! `/cars/index.json`: the compact index the filter script on list pages searches.

use super::{Catalog, format, view};
use crate::site::Site;
use serde::Serialize;

/// The compact index the filter script loads: one array per car, columns named once.
pub fn write(site: &Site, catalog: &Catalog) -> String {
    let index = SearchIndex {
        cars: catalog
            .listed
            .iter()
            .map(|&i| SearchRow {
                card: view::card(site, catalog, i),
                listing: &site.inventory.listings[i],
                arrived: super::arrival(site, i),
            })
            .collect(),
        columns: &SEARCH_COLUMNS,
    };
    serde_json::to_string(&index).expect("the search index serialises")
}

const SEARCH_COLUMNS: [&str; 17] = [
    "path",
    "title",
    "make",
    "model",
    "price",
    "currency",
    "price_text",
    "year",
    "mileage",
    "mileage_text",
    "fuel",
    "body",
    "transmission",
    "image",
    "supplier",
    "reserved",
    "arrived",
];

/// Fields in the order the output has always had.
#[derive(Serialize)]
struct SearchIndex<'a> {
    cars: Vec<SearchRow<'a>>,
    columns: &'static [&'static str],
}

/// One car of the search index: an array in [`SEARCH_COLUMNS`] order, written straight
/// to text rather than built as JSON values first.
struct SearchRow<'a> {
    card: view::CarCard<'a>,
    listing: &'a crate::feeds::Listing,
    arrived: jiff::civil::Date,
}

impl Serialize for SearchRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let (card, l) = (&self.card, self.listing);
        let mut row = serializer.serialize_tuple(SEARCH_COLUMNS.len())?;
        row.serialize_element(card.path)?;
        row.serialize_element(card.title)?;
        row.serialize_element(&l.make)?;
        row.serialize_element(&l.model)?;
        row.serialize_element(&format::major_units(
            l.sale_price.as_ref().unwrap_or(&l.price),
        ))?;
        row.serialize_element(l.price.currency_code())?;
        row.serialize_element(&card.price)?;
        row.serialize_element(&card.year)?;
        row.serialize_element(&l.mileage.map(|m| m.value))?;
        row.serialize_element(&card.mileage)?;
        // Filters match known values only; the supplier's own words are not filterable.
        row.serialize_element(&card.fuel.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.body.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.transmission.as_ref().and_then(view::Label::code))?;
        row.serialize_element(&card.image.as_ref().map(|p| &p.small))?;
        row.serialize_element(card.supplier)?;
        row.serialize_element(&card.reserved)?;
        row.serialize_element(&self.arrived.to_string())?;
        row.end()
    }
}
