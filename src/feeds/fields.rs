//! Turns one [`RawRecord`] into a [`Listing`], or says exactly why not. This is the only
//! place a feed's text becomes typed data; after it, a `Listing` is trusted.
//!
//! Any field that is present but wrong rejects the row, so a car is never published with
//! half its facts missing. A few things keep the car with a warning instead: a link or
//! photo that is not an http(s) URL or a file inside the supplier's folder (left out), a
//! VIN whose check digit is off where the VIN's country requires one, a sale price that
//! is no discount (left out), and a body style, fuel, gearbox or drivetrain that is none
//! of ours (shown as written). A row whose `status` or `visibility` says it is not to be
//! published is withheld: no car and no warning.

use super::listing::{
    Address, Availability, Dealer, FeedEnum, ImageRef, Listing, Mileage, MileageUnit, ModelYear,
    OrWritten, Price, UpdatedFrom, VehicleState, Vin, same_word,
};
use super::names::{Field, Key};
use super::record::RawRecord;
use super::registry::is_currency_code;
use super::supplier::{Supplier, Words};
use super::values::{
    Quoted, ValueError, has_scheme, not_one_of, one_line, parse_coordinate, parse_date,
    parse_mileage, parse_price, parse_year, parse_yes_no, plain_text, quote, shorten, web_url,
};
use crate::diagnostics::Problem;
use crate::text::{self, Kind};
use jiff::civil::Date;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Everything validation needs to know about the file a record came from.
#[derive(Clone, Copy)]
pub struct FileContext<'a> {
    pub supplier: &'a Supplier,
    /// The feed file, relative to the site root: `data/feeds/acme/cars.csv`.
    pub file: &'a str,
    /// The supplier's folder relative to the site root: `data/feeds/acme`.
    pub folder: &'a str,
    /// The same folder on disk, canonical, for checking that local photos stay inside it.
    pub folder_on_disk: &'a Path,
    pub max_field_bytes: usize,
    /// Photos kept per car.
    pub max_photos: usize,
    pub today: Date,
    /// The file's modification day: the "last updated" date of rows without their own.
    pub file_modified: Option<Date>,
}

/// Validates every record of one file and remembers the unknown field names and words it
/// met, so each is reported once per file rather than once per row.
pub struct FileValidator<'a> {
    ctx: FileContext<'a>,
    unknown: BTreeMap<String, u32>,
    /// Words kept as written (a body style we do not know), the first line each was on
    /// and the values that were expected.
    words: BTreeMap<(Field, String), (u32, &'static [&'static str])>,
}

/// Photos of one row warned about one by one; the rest are counted.
const PHOTO_WARNINGS: usize = 5;

/// Unknown field names, and unknown words, warned about one by one in a file; the rest
/// are counted.
const UNKNOWN_NAMED: usize = 10;

/// What one record became: the listing if it was accepted, and every problem found.
pub struct Outcome {
    pub listing: Option<Listing>,
    pub problems: Vec<Problem>,
    /// The row says it is not to be published (`status` archived, `visibility` staging):
    /// `listing` is `None` and there are no problems. Counted apart from rejected rows,
    /// in `FileLoad::withheld`, for the supplier's report.
    pub withheld: bool,
}

/// `status` and `visibility` words that keep a row off the site.
const WITHHELD: &[&str] = &[
    "archived", "hidden", "staging", "draft", "inactive", "deleted",
];
/// `status` and `visibility` words that publish it.
const PUBLISHED: &[&str] = &["published", "active", "visible"];

/// The raw text of each field we read, borrowed from the record.
struct Fields<'r> {
    /// One slot per [`Field`]: the value, and the rank of the spelling that gave it.
    known: [Option<(u8, &'r str)>; Field::ALL.len()],
    /// `(n, value)` for photo `n`, in the order given.
    images: Vec<(usize, &'r str)>,
    /// Further photos after the numbered ones, several per value allowed.
    more_images: Vec<&'r str>,
}

impl<'r> Fields<'r> {
    fn new() -> Fields<'r> {
        Fields {
            known: [None; Field::ALL.len()],
            images: Vec::new(),
            more_images: Vec::new(),
        }
    }

    fn get(&self, field: Field) -> Option<&'r str> {
        self.known[field as usize].map(|(_, value)| value)
    }

    fn set(&mut self, field: Field, rank: u8, value: &'r str) {
        let slot = &mut self.known[field as usize];
        if slot.is_none_or(|(held, _)| rank < held) {
            *slot = Some((rank, value));
        }
    }
}

impl<'a> FileValidator<'a> {
    pub fn new(ctx: FileContext<'a>) -> FileValidator<'a> {
        FileValidator {
            ctx,
            unknown: BTreeMap::new(),
            words: BTreeMap::new(),
        }
    }

    /// Takes in what a validator of a later part of the same file found.
    pub fn merge(&mut self, later: FileValidator<'_>) {
        for (name, line) in later.unknown {
            let first = self.unknown.entry(name).or_insert(line);
            *first = (*first).min(line);
        }
        for (word, (line, names)) in later.words {
            let first = self.words.entry(word).or_insert((line, names));
            first.0 = first.0.min(line);
        }
    }

    /// One warning per unknown field name, and per word kept as written, at the first
    /// line that used it; past [`UNKNOWN_NAMED`] of each, one more warning counts the rest.
    pub fn finish(self) -> Vec<Problem> {
        let file = self.ctx.file;
        let mut names: Vec<_> = self.unknown.into_iter().collect();
        names.sort_by(|(a, la), (b, lb)| la.cmp(lb).then_with(|| a.cmp(b)));
        let names = names.into_iter().map(|(name, line)| {
            Problem::warning(format!(
                "unknown field `{}` is ignored in this file; expected a catalog \
                 field such as make, model, price, mileage.value, image[0].url \
                 (see docs/feeds.md)",
                shorten(&name)
            ))
            .in_file(file)
            .at_line(line)
            .with_field(name)
        });
        let mut problems = crate::diagnostics::capped(
            names.collect(),
            UNKNOWN_NAMED,
            "unknown fields are ignored in this file",
        );
        let mut words: Vec<_> = self.words.into_iter().collect();
        words.sort_by(|(a, (la, _)), (b, (lb, _))| la.cmp(lb).then_with(|| a.cmp(b)));
        let words = words.into_iter().map(|((field, word), (line, expected))| {
            let name = field.name();
            Problem::warning(format!(
                "{} is not one of our {name} values, so cars show it as written and are in \
                 no list or filter by it; expected one of {}, or the word mapped under \
                 [suppliers.values.{name}] in data/suppliers.toml",
                quote(&word),
                expected.join(", "),
            ))
            .in_file(file)
            .at_line(line)
            .with_field(name)
        });
        problems.extend(crate::diagnostics::capped(
            words.collect(),
            UNKNOWN_NAMED,
            "more values in this file are shown as written",
        ));
        problems
    }

    pub fn record(&mut self, raw: &RawRecord<'_>) -> Outcome {
        let mut check = Check {
            ctx: &self.ctx,
            line: raw.line,
            problems: Vec::new(),
            rejected: false,
            words: Vec::new(),
        };
        let mut fields = Fields::new();
        for (key, value) in &raw.fields {
            let value = value.as_ref();
            if value.len() > self.ctx.max_field_bytes {
                check.reject(
                    &key_name(key),
                    format!(
                        "{}… is {} bytes long; expected at most {} bytes (feeds.max_field_bytes)",
                        quote(value),
                        value.len(),
                        self.ctx.max_field_bytes
                    ),
                );
                continue;
            }
            if value.trim().is_empty() {
                continue;
            }
            match key {
                Key::Field {
                    field: Field::AdditionalImages,
                    ..
                } => fields.more_images.push(value),
                Key::Field { field, rank } => fields.set(*field, *rank, value),
                Key::Image(n) => fields.images.push((*n, value)),
                Key::Unknown(name) => {
                    if !self.unknown.contains_key(name.as_ref()) {
                        self.unknown.insert(name.to_string(), raw.line);
                    }
                }
            }
        }
        if check.withheld(&fields) {
            return Outcome {
                listing: None,
                problems: Vec::new(),
                withheld: true,
            };
        }
        let listing = check.listing(&fields).filter(|_| !check.rejected);
        if listing.is_some() {
            for (field, word, expected) in check.words {
                self.words
                    .entry((field, word))
                    .or_insert((raw.line, expected));
            }
        }
        Outcome {
            listing,
            problems: check.problems,
            withheld: false,
        }
    }
}

/// A key's name in a message: our name for a field, the feed's for an unknown one.
fn key_name(key: &Key<'_>) -> String {
    match key {
        Key::Field { field, .. } => field.name().to_string(),
        Key::Image(n) => format!("image[{n}].url"),
        Key::Unknown(name) => name.to_string(),
    }
}

/// Validation of one record: collects every problem, and whether any rejects the row.
struct Check<'c, 'a> {
    ctx: &'c FileContext<'a>,
    line: u32,
    problems: Vec<Problem>,
    rejected: bool,
    /// Words kept as written, with the values that were expected instead.
    words: Vec<(Field, String, &'static [&'static str])>,
}

/// Where a photo came from, to name it in a warning.
#[derive(Clone, Copy)]
enum PhotoSource {
    Numbered(usize),
    More,
}

impl PhotoSource {
    fn name(self) -> String {
        match self {
            PhotoSource::Numbered(n) => format!("image[{n}].url"),
            PhotoSource::More => Field::AdditionalImages.name().to_string(),
        }
    }
}

impl Check<'_, '_> {
    fn warn(&mut self, field: &str, message: String) {
        self.problems.push(
            Problem::warning(message)
                .in_file(self.ctx.file)
                .at_line(self.line)
                .with_field(field),
        );
    }

    fn reject(&mut self, field: &str, message: String) {
        self.rejected = true;
        self.warn(field, message);
    }

    /// Whether `status` or `visibility` keeps the row off the site. A word that is none
    /// of ours rejects the row: a car is not published on a guess.
    fn withheld(&mut self, f: &Fields<'_>) -> bool {
        let mut withheld = false;
        for field in [Field::Status, Field::Visibility] {
            let Some(text) = f.get(field) else { continue };
            if WITHHELD.iter().any(|w| same_word(text, w)) {
                withheld = true;
            } else if !PUBLISHED.iter().any(|w| same_word(text, w)) {
                self.reject(
                    field.name(),
                    format!(
                        "{} is not a publication state; expected {}, or {} to keep the car \
                         off the site",
                        quote(text),
                        PUBLISHED.join(", "),
                        WITHHELD.join(", ")
                    ),
                );
            }
        }
        withheld
    }

    /// A required field: its text, or a rejection saying it is missing.
    fn required<'r>(&mut self, f: &Fields<'r>, field: Field, example: &str) -> Option<&'r str> {
        let value = f.get(field);
        if value.is_none() {
            self.reject(field.name(), format!("is missing; expected {example}"));
        }
        value
    }

    /// A field's text, cleaned ([`text::clean`]) and on one line; characters that are
    /// not text are reported, since they show the export is damaged.
    fn clean(&mut self, name: &str, raw: &str, kind: Kind) -> String {
        let cleaned = text::clean(raw, kind);
        if cleaned.had_xml_illegal {
            self.warn(
                name,
                format!(
                    "{} holds characters that are not text (control characters or \
                     noncharacters such as U+FFFE); they were removed",
                    quote(raw)
                ),
            );
        }
        one_line(&cleaned.text)
    }

    /// An optional text field, cleaned.
    fn text(&mut self, f: &Fields<'_>, field: Field) -> Option<String> {
        let raw = f.get(field)?;
        Some(self.clean(field.name(), raw, Kind::Text))
    }

    /// An optional date: one before the first motor car is refused, one after the build
    /// date (beyond a day of clock difference) is taken as the build date, with a
    /// warning, so a wrong clock cannot put a car first in every list for ever.
    fn date(&mut self, f: &Fields<'_>, field: Field) -> Option<Date> {
        let date = self.optional(f, field, |t| {
            let date = parse_date(t).ok_or_else(|| ValueError::Date(Quoted::new(t)))?;
            if date.year() < i16::try_from(ModelYear::FIRST).unwrap_or(i16::MAX) {
                return Err(ValueError::BeforeCars(Quoted::new(t)));
            }
            Ok(date)
        })?;
        let today = self.ctx.today;
        if date > today.tomorrow().unwrap_or(today) {
            self.warn(
                field.name(),
                format!(
                    "{} is after the build date {today}; the build date was used \
                     instead (is the export's clock or date format wrong?)",
                    quote(&date.to_string())
                ),
            );
            return Some(today);
        }
        Some(date)
    }

    /// An optional field run through `parse`; a parse failure rejects the row.
    fn optional<T>(
        &mut self,
        f: &Fields<'_>,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let text = f.get(field)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.reject(field.name(), error.to_string());
                None
            }
        }
    }

    /// A value of one of our lists that must be known: a word neither the supplier's
    /// value map nor our spellings know rejects the row.
    fn known<T: FeedEnum>(&mut self, f: &Fields<'_>, field: Field, own: &Words<T>) -> Option<T> {
        match word(f, field, own)? {
            Ok(value) => Some(value),
            Err(text) => {
                self.reject(field.name(), not_one_of(text, T::NAMES).to_string());
                None
            }
        }
    }

    /// A value of one of our lists that may stay as the supplier wrote it: the car is
    /// kept, and the word is reported once per file ([`FileValidator::finish`]).
    fn or_written<T: FeedEnum>(
        &mut self,
        f: &Fields<'_>,
        field: Field,
        own: &Words<T>,
    ) -> Option<OrWritten<T>> {
        match word(f, field, own)? {
            Ok(value) => Some(OrWritten::Known(value)),
            Err(text) => {
                let written = self.clean(field.name(), text, Kind::Text);
                self.words.push((field, written.clone(), T::NAMES));
                Some(OrWritten::Written(written))
            }
        }
    }

    fn listing(&mut self, f: &Fields<'_>) -> Option<Listing> {
        let ctx = self.ctx;
        let values = &ctx.supplier.values;
        let vin = self.optional(f, Field::Vin, |t| {
            Vin::parse(t).map_err(|error| ValueError::Vin {
                value: Quoted::new(t),
                error,
            })
        });
        // A placeholder would merge every such car of every supplier into one.
        let vin = match vin {
            Some(v) if v.is_placeholder() => {
                let message = format!(
                    "{} is a placeholder, not a car's VIN; expected the real VIN or none",
                    quote(v.as_str())
                );
                if f.get(Field::VehicleId).is_some() {
                    self.warn(
                        "vin",
                        format!("{message}; the car is published without one"),
                    );
                } else {
                    self.reject(
                        "vin",
                        format!("{message}, and a vehicle_id to know the car by"),
                    );
                }
                None
            }
            vin => vin,
        };
        if let Some(vin) = &vin
            && vin.check_digit_required()
            && !vin.check_digit_ok()
        {
            self.warn(
                "vin",
                format!(
                    "{} has {} in position 9 where its check digit {} was expected; kept, \
                     but check the VIN: North American and Chinese VINs carry a valid one",
                    quote(vin.as_str()),
                    quote(&vin.as_str()[8..9]),
                    quote(&vin.expected_check_digit().to_string())
                ),
            );
        }
        // Google's feeds may name a car by its VIN alone.
        let vehicle_id = match (f.get(Field::VehicleId), &vin, f.get(Field::Vin)) {
            (Some(id), _, _) => Some(Cow::Borrowed(id)),
            (None, Some(vin), _) => Some(Cow::Owned(vin.as_str().to_string())),
            (None, None, Some(_)) => None,
            (None, None, None) => {
                self.reject(
                    Field::VehicleId.name(),
                    "is missing; expected the supplier's own id for the car (vehicle_id, \
                     or id in Google's feeds), or its vin"
                        .into(),
                );
                None
            }
        };
        let make = self.required(
            f,
            Field::Make,
            "the car's make, like \"Volkswagen\" (make, or brand in Google's feeds)",
        );
        let model = self.required(f, Field::Model, "the car's model, like \"Golf\"");
        // A listing's own currency (the Graph API's `price` + `currency`) beats the
        // supplier's default for a bare number.
        let currency = self.optional(f, Field::Currency, |t| {
            let code = t.trim().to_ascii_uppercase();
            if is_currency_code(&code) {
                Ok(code)
            } else {
                Err(ValueError::Currency(Quoted::new(t)))
            }
        });
        let default_currency = currency
            .as_deref()
            .or(ctx.supplier.default_currency.as_deref());
        let price = match self.required(f, Field::Price, "a price, like \"18,000 EUR\"") {
            Some(text) => match parse_price(text, default_currency) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.reject("price", message.to_string());
                    None
                }
            },
            None => None,
        };
        let sale_price = self
            .optional(f, Field::SalePrice, |t| parse_price(t, default_currency))
            .and_then(|sale| self.discount(f, sale, price.as_ref()));
        let latest_year = u16::try_from(ctx.today.year() + 1).unwrap_or(u16::MAX);
        let year = self.optional(f, Field::Year, |t| parse_year(t, latest_year));
        let mileage = self.mileage(f);
        let body_style = self.or_written(f, Field::BodyStyle, &values.body_style);
        let fuel_type = self.or_written(f, Field::FuelType, &values.fuel_type);
        let transmission = self.or_written(f, Field::Transmission, &values.transmission);
        let drivetrain = self.or_written(f, Field::Drivetrain, &values.drivetrain);
        // Google's `condition` is new or used; Meta's is how good the car is (`EXCELLENT`).
        let condition_state = f.get(Field::Condition).and_then(|t| {
            values
                .state_of_vehicle
                .get(t)
                .or_else(|| VehicleState::parse(t))
        });
        let mut state_of_vehicle = self
            .known(f, Field::StateOfVehicle, &values.state_of_vehicle)
            .or(condition_state);
        let certified = self.optional(f, Field::CertifiedPreOwned, parse_yes_no);
        if certified == Some(true) && state_of_vehicle != Some(VehicleState::New) {
            state_of_vehicle = Some(VehicleState::Cpo);
        }
        let availability = self
            .known(f, Field::Availability, &values.availability)
            .unwrap_or(Availability::Available);
        let date_first_on_lot = self.date(f, Field::DateFirstOnLot);
        let latitude = self.optional(f, Field::Latitude, |t| parse_coordinate(t, 90));
        let longitude = self.optional(f, Field::Longitude, |t| parse_coordinate(t, 180));
        let feed_updated = self.date(f, Field::UpdatedTime);
        let url = f.get(Field::Url).and_then(|u| match web_url(u) {
            Some(url) => Some(url),
            None => {
                self.warn(
                    "url",
                    format!(
                        "{} is not a web address; expected an http(s) URL, so it was left out",
                        quote(u)
                    ),
                );
                None
            }
        });
        let images = self.images(f);

        let (vehicle_id, make, model, price) = (vehicle_id?, make?, model?, price?);
        if self.rejected {
            return None;
        }
        let (updated, updated_from) = match (feed_updated, ctx.file_modified) {
            (Some(date), _) => (date, UpdatedFrom::Feed),
            (None, Some(date)) => (date.min(ctx.today), UpdatedFrom::FileModified),
            (None, None) => (ctx.today, UpdatedFrom::FileModified),
        };
        let stale = ctx.supplier.max_age_days.is_some_and(|max| {
            updated
                .until(ctx.today)
                .is_ok_and(|span| span.get_days() > i32::try_from(max).unwrap_or(i32::MAX))
        });
        let vehicle_id = self.clean("vehicle_id", &vehicle_id, Kind::Identity);
        let make = self.clean("make", make, Kind::Identity);
        let model = self.clean("model", model, Kind::Identity);
        for (name, value) in [
            ("vehicle_id", &vehicle_id),
            ("make", &make),
            ("model", &model),
        ] {
            if value.is_empty() {
                self.reject(
                    name,
                    "holds only invisible characters; expected text a buyer can read".into(),
                );
            }
        }
        if self.rejected {
            return None;
        }
        let trim = self.text(f, Field::Trim);
        let title = match self.text(f, Field::Title) {
            Some(t) => t,
            None => [
                year.map(|y| y.to_string()),
                Some(make.clone()),
                Some(model.clone()),
                trim.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        };
        let description = match f.get(Field::Description) {
            Some(d) => {
                let cleaned = text::clean(d, Kind::Text);
                if cleaned.had_xml_illegal {
                    self.warn(
                        "description",
                        "holds characters that are not text (control characters or \
                         noncharacters such as U+FFFE); they were removed"
                            .into(),
                    );
                }
                plain_text(&cleaned.text)
            }
            None => String::new(),
        };
        let condition = match condition_state {
            Some(_) => None,
            None => self.text(f, Field::Condition),
        };
        let address = Address {
            addr1: self.text(f, Field::Addr1),
            city: self.text(f, Field::City),
            region: self.text(f, Field::Region),
            postal_code: self.text(f, Field::PostalCode),
            country: self.text(f, Field::Country),
            line: self.text(f, Field::AddressLine),
        };
        let dealer = Dealer {
            id: self.text(f, Field::DealerId),
            name: self.text(f, Field::DealerName),
            phone: self.text(f, Field::DealerPhone),
        };
        Some(Listing {
            supplier: ctx.supplier.id.clone(),
            vehicle_id,
            vin,
            make,
            model,
            year,
            title,
            description,
            url,
            images,
            price,
            sale_price,
            mileage,
            body_style,
            fuel_type,
            transmission,
            drivetrain,
            exterior_color: self.text(f, Field::ExteriorColor),
            interior_color: self.text(f, Field::InteriorColor),
            trim,
            state_of_vehicle,
            condition,
            availability,
            date_first_on_lot,
            address,
            dealer,
            latitude,
            longitude,
            updated,
            updated_from,
            stale,
            source_file: ctx.file.to_string(),
            source_line: self.line,
        })
    }

    /// A sale price only when it is one: in the price's currency and below it.
    /// Otherwise the price alone is shown, so every place states the same asking price.
    fn discount(&mut self, f: &Fields<'_>, sale: Price, price: Option<&Price>) -> Option<Price> {
        let price = price?;
        let (sale_text, price_text) = (
            quote(f.get(Field::SalePrice).unwrap_or_default()),
            quote(f.get(Field::Price).unwrap_or_default()),
        );
        let problem = if sale.currency != price.currency {
            format!("{sale_text} is not in the currency of the price {price_text}")
        } else if sale.minor >= price.minor {
            format!("{sale_text} is not below the price {price_text}, so it is no discount")
        } else {
            return Some(sale);
        };
        self.warn(
            "sale_price",
            format!("{problem}; the price alone is shown. Expected a lower sale_price, or none"),
        );
        None
    }

    /// Meta's `mileage.value` with `mileage.unit`, or Google's `mileage` with its unit
    /// written after the number (`24 985 km`); a number without a unit takes the row's
    /// `mileage.unit`, and without one is refused: a distance is no use without it.
    fn mileage(&mut self, f: &Fields<'_>) -> Option<Mileage> {
        let unit = self.optional(f, Field::MileageUnit, |t| {
            MileageUnit::parse(t).ok_or_else(|| not_one_of(t, MileageUnit::NAMES))
        });
        let (field, text) = match (f.get(Field::MileageValue), f.get(Field::Mileage)) {
            (Some(text), _) => (Field::MileageValue, text),
            (None, Some(text)) => (Field::Mileage, text),
            (None, None) => {
                if unit.is_some() {
                    self.reject(
                        "mileage.value",
                        "is missing; expected a number with mileage.unit".into(),
                    );
                }
                return None;
            }
        };
        let (value, written_unit) = match parse_mileage(text) {
            Ok(parsed) => parsed,
            Err(error) => {
                self.reject(field.name(), error.to_string());
                return None;
            }
        };
        match (written_unit.or(unit), field) {
            (Some(unit), _) => Some(Mileage { value, unit }),
            // A unit that was given but is not one of ours has been reported already.
            (None, _) if f.get(Field::MileageUnit).is_some() => None,
            (None, Field::MileageValue) => {
                self.reject(
                    "mileage.unit",
                    "is missing; expected KM or MI with mileage.value".into(),
                );
                None
            }
            (None, _) => {
                self.reject(
                    field.name(),
                    format!(
                        "{} has no unit and the row has no mileage.unit; expected a \
                         distance with its unit, like \"24,985 km\" or \"100 miles\"",
                        quote(text)
                    ),
                );
                None
            }
        }
    }

    /// The photos in the feed's order, each once, at most `max_photos` of them: the
    /// numbered ones (a number given twice keeps its first value), then the further ones.
    /// A row naming thousands of photos costs a few warnings and a bounded number of
    /// checks.
    fn images(&mut self, f: &Fields<'_>) -> Vec<ImageRef> {
        let mut numbered = f.images.clone();
        numbered.sort_by_key(|(n, _)| *n);
        numbered.dedup_by_key(|(n, _)| *n);
        let sources = numbered
            .into_iter()
            .map(|(n, value)| (PhotoSource::Numbered(n), value))
            .chain(
                f.more_images
                    .iter()
                    .flat_map(|value| split_photos(value))
                    .map(|value| (PhotoSource::More, value)),
            );
        let max = self.ctx.max_photos;
        let tries = max.saturating_mul(4).max(100);
        let mut images = Vec::with_capacity(f.images.len().min(max));
        let mut seen = HashSet::with_capacity(f.images.len().min(max));
        let (mut left_out, mut refused) = (0usize, 0usize);
        for (tried, (source, value)) in sources.enumerate() {
            if images.len() == max || tried == tries {
                left_out += 1;
                continue;
            }
            match self.image(value) {
                Ok(image) => {
                    if seen.insert(image.clone()) {
                        images.push(image);
                    }
                }
                Err(_) if refused >= PHOTO_WARNINGS => refused += 1,
                Err(error) => {
                    refused += 1;
                    self.warn(&source.name(), error.to_string());
                }
            }
        }
        if refused > PHOTO_WARNINGS {
            self.warn(
                "image",
                format!(
                    "{} more photos were refused like the ones above",
                    refused - PHOTO_WARNINGS
                ),
            );
        }
        if left_out > 0 {
            self.warn(
                "image",
                format!(
                    "names more photos than the {max} a car page shows (feeds.max_photos in \
                     config.toml); {} were kept and {left_out} more left out",
                    images.len()
                ),
            );
        }
        images
    }

    /// A remote http(s) photo, or a file inside the supplier's folder.
    fn image(&self, text: &str) -> Result<ImageRef, PhotoRefError> {
        let text = text.trim();
        let error = |kind| PhotoRefError {
            written: quote(text),
            folder: self.ctx.folder.to_string(),
            kind,
        };
        if text
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            return Err(error(PhotoRefKind::PlainHttp));
        }
        if has_scheme(text) {
            return web_url(text)
                .map(ImageRef::Remote)
                .ok_or_else(|| error(PhotoRefKind::NotAnAddress));
        }
        let inside = !text.starts_with('/')
            && !text.contains('\\')
            && text
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !inside {
            return Err(error(PhotoRefKind::LeavesFolder));
        }
        let on_disk = self.ctx.folder_on_disk.join(text);
        match on_disk.canonicalize() {
            Ok(real) if real.starts_with(self.ctx.folder_on_disk) && real.is_file() => {
                Ok(ImageRef::Local(format!("{}/{text}", self.ctx.folder)))
            }
            Ok(_) => Err(error(PhotoRefKind::NotAFileInside)),
            Err(_) => Err(error(PhotoRefKind::Missing)),
        }
    }
}

/// Why a photo a row names is left out (its row is still published).
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message())]
pub struct PhotoRefError {
    /// The value as written, quoted.
    written: String,
    /// The supplier's folder, relative to the site root.
    folder: String,
    pub kind: PhotoRefKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRefKind {
    /// `http://`: browsers refuse it on an https page, and our CSP allows https only.
    PlainHttp,
    /// A scheme, but not a web address (`javascript:`, `data:`, a malformed URL).
    NotAnAddress,
    /// An absolute path, a backslash, `.` or `..`.
    LeavesFolder,
    /// Inside the folder by name, but a folder or a link out of it.
    NotAFileInside,
    Missing,
}

impl PhotoRefError {
    fn message(&self) -> String {
        let (written, folder) = (&self.written, &self.folder);
        match self.kind {
            PhotoRefKind::PlainHttp => format!(
                "{written} is a plain http:// address, which browsers refuse to load on a \
                 page (the site's Content-Security-Policy allows https photos only); \
                 expected an https:// URL, so it was left out"
            ),
            PhotoRefKind::NotAnAddress => format!(
                "{written} is not a photo address; expected an http(s) URL or a file in \
                 {folder}/, so it was left out"
            ),
            PhotoRefKind::LeavesFolder => format!(
                "{written} leaves the supplier's folder; expected a path inside {folder}/ \
                 like \"photos/car-1.jpg\", so it was left out"
            ),
            PhotoRefKind::NotAFileInside => {
                format!("{written} is not a file inside {folder}/; it was left out")
            }
            PhotoRefKind::Missing => format!(
                "{written} does not exist in {folder}/; expected a photo file there, so it \
                 was left out"
            ),
        }
    }
}

/// A field of one of our lists, read with the supplier's value map first, then our own
/// spellings: `Err` with the text as written when neither knows it.
fn word<'r, T: FeedEnum>(
    f: &Fields<'r>,
    field: Field,
    own: &Words<T>,
) -> Option<Result<T, &'r str>> {
    let text = f.get(field)?;
    Some(own.get(text).or_else(|| T::parse(text)).ok_or(text))
}

/// Several photos in one value, as Google's text feeds pack `additional_image_link`: split
/// at each comma that starts another http(s) address, so a comma inside a URL
/// (`w_300,h_200`) stays part of it.
fn split_photos(value: &str) -> Vec<&str> {
    let starts_address = |rest: &str| {
        let rest = rest.trim_start().as_bytes();
        [&b"https://"[..], b"http://"].iter().any(|scheme| {
            rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme)
        })
    };
    let mut parts = Vec::new();
    let mut start = 0;
    for (comma, _) in value.match_indices(',') {
        if starts_address(&value[comma + 1..]) {
            parts.push(value[start..comma].trim());
            start = comma + 1;
        }
    }
    parts.push(value[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}
