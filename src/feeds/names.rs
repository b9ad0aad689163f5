//! What a column or element is called in the feeds dealers export (Meta's vehicle
//! catalog and its Graph API, Google's vehicle ads and vehicle listings) and what it means
//! here. Names are compared with case, spaces and punctuation ignored, so `Vehicle Id`,
//! `vehicle_id` and `VEHICLE-ID` are one column; `Image[0].URL` is photo 0.
//!
//! Readers resolve a name once per file: the CSV reader per header cell, the XML and JSON
//! readers once per distinct name through [`Names`]. Validation then sees [`Key`]s, never
//! spellings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Declares [`Field`] with the name problems use for each field.
macro_rules! fields {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// A field validation reads, whatever a feed calls it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field {
            $($variant,)+
        }

        impl Field {
            /// Every field, in declaration order: `ALL[f as usize] == f`.
            pub const ALL: &'static [Field] = &[$(Field::$variant,)+];

            /// The name messages and docs/feeds.md use (Meta's, where Meta has one).
            pub fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)+
                }
            }
        }
    };
}

fields! {
    VehicleId => "vehicle_id",
    Vin => "vin",
    Make => "make",
    Model => "model",
    Year => "year",
    Title => "title",
    Description => "description",
    Url => "url",
    Price => "price",
    SalePrice => "sale_price",
    Currency => "currency",
    MileageValue => "mileage.value",
    MileageUnit => "mileage.unit",
    Mileage => "mileage",
    BodyStyle => "body_style",
    FuelType => "fuel_type",
    Transmission => "transmission",
    Drivetrain => "drivetrain",
    ExteriorColor => "exterior_color",
    InteriorColor => "interior_color",
    Trim => "trim",
    StateOfVehicle => "state_of_vehicle",
    Condition => "condition",
    CertifiedPreOwned => "certified_pre_owned",
    Availability => "availability",
    Status => "status",
    Visibility => "visibility",
    DateFirstOnLot => "date_first_on_lot",
    Latitude => "latitude",
    Longitude => "longitude",
    UpdatedTime => "updated_time",
    Addr1 => "address.addr1",
    City => "address.city",
    Region => "address.region",
    PostalCode => "address.postal_code",
    Country => "address.country",
    AddressLine => "address",
    DealerId => "dealer_id",
    DealerName => "dealer_name",
    DealerPhone => "dealer_phone",
    AdditionalImages => "additional_image_link",
}

/// What a name means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'a> {
    /// A field. `rank` orders the spellings of one field: when a row has several (both
    /// `vehicle_id` and Google's `id`), the lowest rank is used.
    Field { field: Field, rank: u8 },
    /// Photo `n`: Meta's `image[n].url`, or Google's `image_link` as photo 0.
    Image(usize),
    /// A name we do not read, as the feed wrote it: one warning per file.
    Unknown(Cow<'a, str>),
}

/// What a name is before the feed's own spelling is attached to unknown ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Field(Field, u8),
    Image(usize),
    /// Known to Meta or Google but with no place on our pages: read silently.
    Ignored,
    Unknown,
}

impl Meaning {
    /// The key a reader emits, or `None` for a field it should not emit at all.
    pub fn key<'a>(self, written: impl Into<Cow<'a, str>>) -> Option<Key<'a>> {
        match self {
            Meaning::Field(field, rank) => Some(Key::Field { field, rank }),
            Meaning::Image(n) => Some(Key::Image(n)),
            Meaning::Ignored => None,
            Meaning::Unknown => Some(Key::Unknown(written.into())),
        }
    }
}

/// Every spelling of every field, as Meta and Google write it; compared [`squash`]ed.
/// The first spelling of a field has rank 0 and wins over the later ones.
const SPELLINGS: &[(Field, &[&str])] = &[
    (Field::VehicleId, &["vehicle_id", "auto_listing_id", "id"]),
    (Field::Vin, &["vin"]),
    (Field::Make, &["make", "brand"]),
    (Field::Model, &["model"]),
    (Field::Year, &["year"]),
    (Field::Title, &["title"]),
    (Field::Description, &["description", "summary", "content"]),
    (Field::Url, &["url", "link"]),
    (Field::Price, &["price"]),
    (Field::SalePrice, &["sale_price"]),
    (Field::Currency, &["currency"]),
    (Field::MileageValue, &["mileage.value", "mileage_value"]),
    (Field::MileageUnit, &["mileage.unit", "mileage_unit"]),
    (Field::Mileage, &["mileage"]),
    (Field::BodyStyle, &["body_style"]),
    (Field::FuelType, &["fuel_type", "fuel", "engine"]),
    (Field::Transmission, &["transmission"]),
    (Field::Drivetrain, &["drivetrain"]),
    (Field::ExteriorColor, &["exterior_color", "color"]),
    (Field::InteriorColor, &["interior_color"]),
    (Field::Trim, &["trim"]),
    (Field::StateOfVehicle, &["state_of_vehicle"]),
    (Field::Condition, &["condition"]),
    (Field::CertifiedPreOwned, &["certified_pre_owned"]),
    (Field::Availability, &["availability"]),
    (Field::Status, &["status"]),
    (Field::Visibility, &["visibility"]),
    (
        Field::DateFirstOnLot,
        &["date_first_on_lot", "date_in_stock"],
    ),
    (Field::Latitude, &["latitude", "address.latitude"]),
    (Field::Longitude, &["longitude", "address.longitude"]),
    (Field::UpdatedTime, &["updated_time", "updated"]),
    (Field::Addr1, &["address.addr1", "address.street_address"]),
    (Field::City, &["address.city"]),
    (Field::Region, &["address.region"]),
    (Field::PostalCode, &["address.postal_code"]),
    (Field::Country, &["address.country"]),
    (
        Field::AddressLine,
        &["address", "dealership_address", "vehicle_dealer_address"],
    ),
    (Field::DealerId, &["dealer_id", "store_code"]),
    (Field::DealerName, &["dealer_name", "dealership_name"]),
    (
        Field::DealerPhone,
        &["dealer_phone", "tracking_phone_number"],
    ),
    (
        Field::AdditionalImages,
        &["additional_image_link", "images"],
    ),
];

/// Meta's and Google's attributes that have no place on a car page: read without a word,
/// so an export straight from dealer software raises no "unknown field" warnings.
const IGNORED: &[&str] = &[
    "link_template",
    "mobile_link_template",
    "google_product_category",
    "product_type",
    "vehicle_msrp",
    "vehicle_all_in_price",
    "vehicle_option",
    "vehicle_price_type",
    "vehicle_category",
    "vehicle_expenses",
    "vehicle_mandatory_inspection_included",
    "vehicle_type",
    "vehicle_registration_plate",
    "vehicle_specifications",
    "fuel_consumption",
    "fuel_consumption_discharged_battery",
    "energy_consumption",
    "electric_range",
    "co2_emissions",
    "emissions_standard",
    "date_first_registered",
    "warranty",
    "legal_disclaimer",
    "legal_disclosure_impressum_url",
    "place_id",
    "maps_url",
    "fb_page_id",
    "features",
    "tags",
    "dealer_communication_channel",
    "dealer_email",
    "dealer_privacy_policy_url",
    "sale_currency",
    "previous_price",
    "previous_currency",
    "unit_price",
    "image_fetch_status",
    "sanitized_images",
    "address.city_id",
    "address.addr2",
    "address.addr3",
    "address.unit_number",
    // RSS 2.0 and Atom's own item elements.
    "guid",
    "pub_date",
    "published",
    "category",
    "author",
    "contributor",
    "rights",
    "source",
    "comments",
    "enclosure",
];

/// Groups whose every member is ignored (`vehicle_fulfillment.option`,
/// `custom_label_0`, `address.neighborhoods[0]`).
const IGNORED_PREFIXES: &[&str] = &[
    "vehicle_fulfillment",
    "applinks",
    "custom_label",
    "custom_number",
    "product_priority",
    "address.neighborhoods",
    "shipping",
];

/// Names that hold a nested value: in a CSV cell they may be JSON (`[{"url": ...}]`,
/// `{"addr1": ...}`), flattened below the column's name.
pub fn holds_json(name: &str) -> bool {
    matches!(
        squash(name).as_str(),
        "image" | "images" | "address" | "mileage" | "additionalimagelink"
    )
}

/// Lower-case ASCII letters and digits only: how names (and enum words) are compared.
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

struct Table {
    exact: HashMap<String, Meaning>,
    prefixes: Vec<String>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut exact = HashMap::new();
        for (field, spellings) in SPELLINGS {
            for (rank, spelling) in spellings.iter().enumerate() {
                let rank = u8::try_from(rank).unwrap_or(u8::MAX);
                exact
                    .entry(squash(spelling))
                    .or_insert(Meaning::Field(*field, rank));
            }
        }
        exact.insert(squash("image_link"), Meaning::Image(0));
        exact.insert(squash("image.url"), Meaning::Image(0));
        exact.insert(squash("image"), Meaning::Image(0));
        for name in IGNORED {
            exact.insert(squash(name), Meaning::Ignored);
        }
        Table {
            exact,
            prefixes: IGNORED_PREFIXES.iter().map(|p| squash(p)).collect(),
        }
    })
}

/// What `name` means, however it is spelt.
pub fn meaning(name: &str) -> Meaning {
    if let Some(meaning) = indexed(name) {
        return meaning;
    }
    let table = table();
    let squashed = squash(name);
    if let Some(meaning) = table.exact.get(&squashed) {
        return *meaning;
    }
    if table
        .prefixes
        .iter()
        .any(|p| squashed.starts_with(p.as_str()))
    {
        return Meaning::Ignored;
    }
    Meaning::Unknown
}

/// Names with an index, as JSON paths write list items: `image[2].url`, `images[0]`,
/// `image[0].tag[1]`, `additional_image_link[3]`.
fn indexed(name: &str) -> Option<Meaning> {
    let (head, rest) = name.split_once('[')?;
    let (index, tail) = rest.split_once(']')?;
    let index: usize = index.trim().parse().ok()?;
    let (head, tail) = (squash(head), squash(tail));
    Some(match (head.as_str(), tail.as_str()) {
        ("image" | "images", "" | "url" | "imageurl") => Meaning::Image(index),
        ("image" | "images", t) if t.starts_with("tag") => Meaning::Ignored,
        ("additionalimagelink", "" | "url") => Meaning::Field(Field::AdditionalImages, 0),
        _ => match meaning(name.split('[').next().unwrap_or(name)) {
            Meaning::Ignored => Meaning::Ignored,
            _ => Meaning::Unknown,
        },
    })
}

/// A reader's memory of the names it met in one file, so each distinct name is resolved
/// once rather than once per row.
#[derive(Default)]
pub struct Names {
    seen: HashMap<String, Meaning>,
}

impl Names {
    pub fn meaning(&mut self, name: &str) -> Meaning {
        if let Some(meaning) = self.seen.get(name) {
            return *meaning;
        }
        let found = meaning(name);
        self.seen.insert(name.to_string(), found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_case_spaces_and_punctuation() {
        for name in ["vehicle_id", "Vehicle Id", "VEHICLE-ID", "auto_listing_id"] {
            assert!(
                matches!(meaning(name), Meaning::Field(Field::VehicleId, _)),
                "{name}"
            );
        }
        assert_eq!(meaning("BODY_STYLE"), Meaning::Field(Field::BodyStyle, 0));
        assert_eq!(
            meaning("Mileage Value"),
            Meaning::Field(Field::MileageValue, 0)
        );
        assert_eq!(meaning("Image[3].URL"), Meaning::Image(3));
        assert_eq!(meaning("image_link"), Meaning::Image(0));
        assert_eq!(meaning("image[0].tag[1]"), Meaning::Ignored);
        assert_eq!(
            meaning("certified_pre-owned"),
            Meaning::Field(Field::CertifiedPreOwned, 0)
        );
        assert_eq!(meaning("vehicle_fulfillment.option"), Meaning::Ignored);
        assert_eq!(meaning("colour"), Meaning::Unknown);
        assert_eq!(meaning("foo[0].bar"), Meaning::Unknown);
    }

    #[test]
    fn the_first_spelling_of_a_field_ranks_before_its_aliases() {
        assert_eq!(meaning("vehicle_id"), Meaning::Field(Field::VehicleId, 0));
        assert_eq!(meaning("id"), Meaning::Field(Field::VehicleId, 2));
        assert_eq!(meaning("brand"), Meaning::Field(Field::Make, 1));
    }
}
