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
    OrWritten, Price, UpdatedFrom, VehicleState, Vin, currency_exponent, same_word,
};
use super::names::{Field, Key};
use super::record::RawRecord;
use super::registry::is_currency_code;
use super::supplier::{Supplier, Words};
use crate::content::markdown::is_http_url;
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
            let date = parse_date(t).ok_or_else(|| date_expected(t))?;
            if date.year() < i16::try_from(ModelYear::FIRST).unwrap_or(i16::MAX) {
                return Err(format!(
                    "{} is before the first motor car was sold; expected a real date",
                    quote(t)
                ));
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
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = f.get(field)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(message) => {
                self.reject(field.name(), message);
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
                self.reject(field.name(), not_one_of(text, T::NAMES));
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
            Vin::parse(t).map_err(|e| format!("{} is not a VIN; {e}", quote(t)))
        });
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
                Err(format!(
                    "{} is not a currency; expected an ISO 4217 code like \"EUR\"",
                    quote(t)
                ))
            }
        });
        let default_currency = currency
            .as_deref()
            .or(ctx.supplier.default_currency.as_deref());
        let price = match self.required(f, Field::Price, "a price, like \"18,000 EUR\"") {
            Some(text) => match parse_price(text, default_currency) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.reject("price", message);
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
        let latitude = self.optional(f, Field::Latitude, |t| parse_coordinate(t, 90.0));
        let longitude = self.optional(f, Field::Longitude, |t| parse_coordinate(t, 180.0));
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
            Err(message) => {
                self.reject(field.name(), message);
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
                Err(message) => {
                    refused += 1;
                    self.warn(&source.name(), message);
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
    fn image(&self, text: &str) -> Result<ImageRef, String> {
        let text = text.trim();
        if text
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        {
            return Err(format!(
                "{} is a plain http:// address, which browsers refuse to load on a page \
                 (the site's Content-Security-Policy allows https photos only); expected \
                 an https:// URL, so it was left out",
                quote(text)
            ));
        }
        if has_scheme(text) {
            return web_url(text).map(ImageRef::Remote).ok_or_else(|| {
                format!(
                    "{} is not a photo address; expected an http(s) URL or a file in {}/, \
                     so it was left out",
                    quote(text),
                    self.ctx.folder
                )
            });
        }
        let inside = !text.starts_with('/')
            && !text.contains('\\')
            && text
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !inside {
            return Err(format!(
                "{} leaves the supplier's folder; expected a path inside {}/ like \
                 \"photos/car-1.jpg\", so it was left out",
                quote(text),
                self.ctx.folder
            ));
        }
        let on_disk = self.ctx.folder_on_disk.join(text);
        match on_disk.canonicalize() {
            Ok(real) if real.starts_with(self.ctx.folder_on_disk) && real.is_file() => {
                Ok(ImageRef::Local(format!("{}/{text}", self.ctx.folder)))
            }
            Ok(_) => Err(format!(
                "{} is not a file inside {}/; it was left out",
                quote(text),
                self.ctx.folder
            )),
            Err(_) => Err(format!(
                "{} does not exist in {}/; expected a photo file there, so it was left out",
                quote(text),
                self.ctx.folder
            )),
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

/// Google's `yes`/`no` (vehicle listings also `y`, `1`, `n`, `0`).
fn parse_yes_no(text: &str) -> Result<bool, String> {
    if ["yes", "y", "1", "true"].iter().any(|w| same_word(text, w)) {
        Ok(true)
    } else if ["no", "n", "0", "false"].iter().any(|w| same_word(text, w)) {
        Ok(false)
    } else {
        Err(format!(
            "{} is not yes or no; expected yes or no",
            quote(text)
        ))
    }
}

/// `48210`, `52,000`, `24 985 km`, `90,377 Miles`: the number, and its unit if written.
/// Digits may be grouped in threes by commas or spaces.
fn parse_mileage(text: &str) -> Result<(u64, Option<MileageUnit>), String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(char::is_alphabetic).unwrap_or(text.len()));
    let grouped = number.split_whitespace().collect::<Vec<_>>().join(",");
    let value = parse_whole_number(&grouped).ok_or_else(|| {
        format!(
            "{} is not a mileage; expected a whole number with an optional unit, like \
             \"52,000\" or \"24 985 km\"",
            quote(text)
        )
    })?;
    if unit.trim().is_empty() {
        return Ok((value, None));
    }
    let unit = MileageUnit::parse(unit).ok_or_else(|| {
        format!(
            "{} has the unit {}; expected km or miles",
            quote(text),
            quote(unit.trim())
        )
    })?;
    Ok((value, Some(unit)))
}

/// The value as a short, escaped quotation for a message: untrusted text stays data.
pub fn quote(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        format!("{value:?}")
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut:?}")
    }
}

/// A name (a column, say) short enough for a message.
fn shorten(name: &str) -> Cow<'_, str> {
    const MAX: usize = 60;
    match name.char_indices().nth(MAX) {
        Some((end, _)) => Cow::Owned(format!("{}…", &name[..end])),
        None => Cow::Borrowed(name),
    }
}

/// Trimmed, with every run of whitespace or control characters made one space.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Plain text with its line breaks: CRLF made LF, other control characters removed. Kept
/// as written otherwise; pages render it as Markdown with raw HTML escaped.
fn plain_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// `scheme:` at the start, as in `https:`, `javascript:`, `data:`.
fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// An http(s) URL with a host and nothing that could break out of an attribute.
fn web_url(text: &str) -> Option<String> {
    let text = text.trim();
    if !is_http_url(text)
        || text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || !text::is_xml_char(c))
    {
        return None;
    }
    let after = text.split_once("://")?.1;
    let host = after.split(['/', '?', '#']).next().unwrap_or("");
    (!host.is_empty()).then(|| text.to_string())
}

fn not_one_of(text: &str, names: &[&str]) -> String {
    format!(
        "{} is not allowed; expected one of {}",
        quote(text),
        names.join(", ")
    )
}

fn parse_year(text: &str, latest: u16) -> Result<ModelYear, String> {
    text.trim()
        .parse::<u16>()
        .ok()
        .and_then(|y| ModelYear::new(y, latest))
        .ok_or_else(|| {
            format!(
                "{} is not a model year; expected a year from {} to {latest}",
                quote(text),
                ModelYear::FIRST
            )
        })
}

fn parse_coordinate(text: &str, limit: f64) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= limit)
        .ok_or_else(|| {
            format!(
                "{} is not a coordinate; expected a number from -{limit} to {limit}",
                quote(text)
            )
        })
}

fn date_expected(text: &str) -> String {
    format!(
        "{} is not a date; expected YYYY-MM-DD or a timestamp like \"2025-05-28T09:30:00Z\"",
        quote(text)
    )
}

/// A day from `2025-05-28`, `2025-05-28T09:30:00`, `2025-05-28T09:30:00+02:00` (the
/// supplier's local day) or `2025-05-28T07:30:00Z` (the UTC day).
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Some(date);
    }
    if let Ok(datetime) = text.parse::<jiff::civil::DateTime>() {
        return Some(datetime.date());
    }
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|ts| ts.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Digits with optional `,` thousands separators in groups of three, then an optional
/// `.fraction`: `(whole, fraction digits)`.
fn split_number(text: &str) -> Option<(u64, &str)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (text.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let well_grouped = groups.iter().enumerate().all(|(i, g)| {
        !g.is_empty()
            && g.bytes().all(|b| b.is_ascii_digit())
            && (groups.len() == 1 || if i == 0 { g.len() <= 3 } else { g.len() == 3 })
    });
    if !well_grouped {
        return None;
    }
    let digits: String = groups.concat();
    Some((digits.parse().ok()?, fraction))
}

/// A non-negative whole number; a fraction is allowed and dropped (`52000.0`).
fn parse_whole_number(text: &str) -> Option<u64> {
    split_number(text.trim()).map(|(whole, _)| whole)
}

/// `18000`, `18,000 EUR`, `EUR 18000.50`, `18000.00 usd`. A bare number takes the
/// supplier's default currency.
pub fn parse_price(text: &str, default_currency: Option<&str>) -> Result<Price, String> {
    let expected = || {
        format!(
            "{} is not a price; expected a number with an optional ISO currency, like \"18,000 EUR\"",
            quote(text)
        )
    };
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (number, code) = match tokens.as_slice() {
        [n] => (*n, None),
        [a, b] if is_code_token(b) => (*a, Some(b.to_ascii_uppercase())),
        [a, b] if is_code_token(a) => (*b, Some(a.to_ascii_uppercase())),
        _ => return Err(expected()),
    };
    let code = match code.or_else(|| default_currency.map(str::to_string)) {
        Some(code) if is_currency_code(&code) => code,
        _ => {
            return Err(format!(
                "{} has no currency and the supplier has no default_currency; expected a \
                 price like \"18,000 EUR\"",
                quote(text)
            ));
        }
    };
    let (whole, fraction) = split_number(number).ok_or_else(expected)?;
    let exponent = currency_exponent(&code);
    let (kept, extra) = fraction.split_at(fraction.len().min(exponent as usize));
    if extra.bytes().any(|b| b != b'0') {
        return Err(format!(
            "{} has more decimals than {code} allows; expected at most {exponent}",
            quote(text)
        ));
    }
    let fraction_minor: u64 = if kept.is_empty() {
        0
    } else {
        kept.parse::<u64>().ok().ok_or_else(expected)? * 10u64.pow(exponent - kept.len() as u32)
    };
    let minor = whole
        .checked_mul(10u64.pow(exponent))
        .and_then(|w| w.checked_add(fraction_minor))
        .and_then(|m| i64::try_from(m).ok())
        .ok_or_else(|| format!("{} is too large to be a price", quote(text)))?;
    if minor == 0 {
        return Err(format!(
            "{} is zero; expected a price above zero",
            quote(text)
        ));
    }
    let mut currency = [0u8; 3];
    currency.copy_from_slice(code.as_bytes());
    Ok(Price { minor, currency })
}

fn is_code_token(token: &str) -> bool {
    token.len() == 3 && token.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(text: &str) -> Result<String, String> {
        parse_price(text, Some("EUR")).map(|p| p.to_string())
    }

    #[test]
    fn parses_prices_in_the_forms_dealers_export() {
        assert_eq!(price("18000 CNY").unwrap(), "18,000 CNY");
        assert_eq!(price("18,000 CNY").unwrap(), "18,000 CNY");
        assert_eq!(price("18000").unwrap(), "18,000 EUR");
        assert_eq!(price("GBP 12,495.50").unwrap(), "12,495.50 GBP");
        assert_eq!(price("18000.00 usd").unwrap(), "18,000 USD");
        assert_eq!(price("1500000 JPY").unwrap(), "1,500,000 JPY");
        assert_eq!(parse_price("9.99 EUR", None).unwrap().minor, 999);
    }

    #[test]
    fn rejects_prices_that_are_not_numbers_with_a_message_quoting_them() {
        assert_eq!(
            price("18k EUR").unwrap_err(),
            "\"18k EUR\" is not a price; expected a number with an optional ISO currency, like \"18,000 EUR\""
        );
        assert!(price("-5 EUR").is_err());
        assert!(price("18.000,00 EUR").is_err());
        assert!(price("1,80,000 EUR").is_err());
        assert!(price("0").is_err());
        assert!(price("12.345 EUR").is_err());
        assert!(price("99999999999999999999").is_err());
        assert!(
            parse_price("18000", None)
                .unwrap_err()
                .contains("no currency")
        );
    }

    #[test]
    fn parses_dates_and_timestamps_to_the_suppliers_day() {
        let day = |t| parse_date(t).map(|d| d.to_string());
        assert_eq!(day("2025-05-28").as_deref(), Some("2025-05-28"));
        assert_eq!(day("2025-05-28T09:30:00").as_deref(), Some("2025-05-28"));
        assert_eq!(
            day("2025-05-28T01:30:00+02:00").as_deref(),
            Some("2025-05-28")
        );
        assert_eq!(day("2025-05-28T23:30:00Z").as_deref(), Some("2025-05-28"));
        assert_eq!(day("28/05/2025"), None);
    }

    #[test]
    fn vin_check_digit_follows_iso_3779() {
        let vin = Vin::parse("1m8gdm9axkp042788").unwrap();
        assert_eq!(vin.as_str(), "1M8GDM9AXKP042788");
        assert!(vin.check_digit_ok());
        assert!(!Vin::parse("1M8GDM9A1KP042788").unwrap().check_digit_ok());
        // Letters from S to Z count from 2, not on from R's 9.
        assert!(Vin::parse("SALGA2BE5LA000003").unwrap().check_digit_ok());
        assert!(Vin::parse("YV1LZ08A6K1000009").unwrap().check_digit_ok());
        assert!(Vin::parse("1M8GDM9AXKP04278").is_err());
        assert!(Vin::parse("1M8GDM9AXKP04278O").is_err());
    }

    #[test]
    fn recognises_schemes_so_javascript_urls_are_not_taken_for_paths() {
        assert!(has_scheme("javascript:alert(1)"));
        assert!(has_scheme("data:image/png;base64,AAAA"));
        assert!(has_scheme("https://example.com/a.jpg"));
        assert!(!has_scheme("photos/a.jpg"));
        assert_eq!(web_url("https://"), None);
        assert_eq!(web_url("https://a.example/x y"), None);
    }
}
