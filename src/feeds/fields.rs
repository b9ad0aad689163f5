//! Turns one [`RawRecord`] into a [`Listing`], or says exactly why not. This is the only
//! place a feed's text becomes typed data; after it, a `Listing` is trusted.
//!
//! Any field that is present but wrong rejects the row, so a car is never published with
//! half its facts missing. Two things only drop a value with a warning instead: a link or
//! photo that is not an http(s) URL or a file inside the supplier's folder (the car is
//! still worth showing without it), and a VIN whose check digit is off (most of the world
//! does not use one).

use super::listing::{
    Address, Availability, BodyStyle, Drivetrain, FuelType, ImageRef, Listing, Mileage,
    MileageUnit, ModelYear, Price, Transmission, UpdatedFrom, VehicleState, Vin, currency_exponent,
};
use super::record::RawRecord;
use super::registry::is_currency_code;
use super::supplier::Supplier;
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

/// Validates every record of one file and remembers the unknown field names it met, so
/// each is reported once per file rather than once per row.
pub struct FileValidator<'a> {
    ctx: FileContext<'a>,
    unknown: BTreeMap<String, u32>,
}

/// Photos of one row warned about one by one; the rest are counted.
const PHOTO_WARNINGS: usize = 5;

/// Unknown field names warned about one by one in a file; the rest are counted.
const UNKNOWN_NAMED: usize = 10;

/// What one record became: the listing if it was accepted, and every problem found.
pub struct Outcome {
    pub listing: Option<Listing>,
    pub problems: Vec<Problem>,
}

/// The column names this reader understands, besides `image[n].url` and `address.*`.
pub const KNOWN_FIELDS: &[&str] = &[
    "vehicle_id",
    "vin",
    "make",
    "model",
    "year",
    "title",
    "description",
    "url",
    "price",
    "sale_price",
    "mileage.value",
    "mileage.unit",
    "body_style",
    "fuel_type",
    "transmission",
    "drivetrain",
    "exterior_color",
    "interior_color",
    "trim",
    "state_of_vehicle",
    "condition",
    "availability",
    "date_first_on_lot",
    "latitude",
    "longitude",
    "updated_time",
];

const ADDRESS_PARTS: &[&str] = &["addr1", "city", "region", "postal_code", "country"];

/// The raw text of each field we know, borrowed from the record.
#[derive(Default)]
struct Fields<'r> {
    known: Known<'r>,
    address: BTreeMap<&'static str, &'r str>,
    /// `(n, key, value)` for each `image[n].url`, in the order given.
    images: Vec<(usize, &'r str, &'r str)>,
}

/// One slot per [`KNOWN_FIELDS`] entry: a fixed array rather than a map, because this is
/// filled for every row of every feed.
#[derive(Default)]
struct Known<'r>([Option<&'r str>; KNOWN_FIELDS.len()]);

impl<'r> Known<'r> {
    fn slot(name: &str) -> Option<usize> {
        KNOWN_FIELDS.iter().position(|&k| k == name)
    }

    fn get(&self, name: &str) -> Option<&&'r str> {
        self.0[Self::slot(name)?].as_ref()
    }

    fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

impl<'a> FileValidator<'a> {
    pub fn new(ctx: FileContext<'a>) -> FileValidator<'a> {
        FileValidator {
            ctx,
            unknown: BTreeMap::new(),
        }
    }

    /// Takes in what a validator of a later part of the same file found.
    pub fn merge(&mut self, later: FileValidator<'_>) {
        for (name, line) in later.unknown {
            let first = self.unknown.entry(name).or_insert(line);
            *first = (*first).min(line);
        }
    }

    /// One warning per unknown field name, at the first line that used it; past
    /// [`UNKNOWN_NAMED`] names, one more warning counts the rest.
    pub fn finish(self) -> Vec<Problem> {
        let file = self.ctx.file;
        let mut notes: Vec<_> = self.unknown.into_iter().collect();
        notes.sort_by(|(a, la), (b, lb)| la.cmp(lb).then_with(|| a.cmp(b)));
        let problems = notes
            .into_iter()
            .map(|(name, line)| {
                Problem::warning(format!(
                    "unknown field `{}` is ignored in this file; expected a catalog \
                     field such as make, model, price, mileage.value, image[0].url \
                     (see docs/feeds.md)",
                    shorten(&name)
                ))
                .in_file(file)
                .at_line(line)
                .with_field(name)
            })
            .collect();
        crate::diagnostics::capped(
            problems,
            UNKNOWN_NAMED,
            "unknown fields are ignored in this file",
        )
    }

    pub fn record(&mut self, raw: &RawRecord<'_>) -> Outcome {
        let mut check = Check {
            ctx: &self.ctx,
            line: raw.line,
            problems: Vec::new(),
            rejected: false,
        };
        let mut fields = Fields::default();
        for (key, value) in &raw.fields {
            let key = key.as_ref();
            let value = value.as_ref();
            if value.len() > self.ctx.max_field_bytes {
                check.reject(
                    key,
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
            if let Some(slot) = Known::slot(key) {
                fields.known.0[slot].get_or_insert(value);
            } else if let Some(n) = image_index(key) {
                fields.images.push((n, key, value));
            } else if is_image_detail(key) {
                // Meta's `image[0].tag[0]` and friends: allowed, not used.
            } else if let Some(&part) = key
                .strip_prefix("address.")
                .and_then(|part| ADDRESS_PARTS.iter().find(|&&p| p == part))
            {
                fields.address.entry(part).or_insert(value);
            } else {
                self.unknown.entry(key.to_string()).or_insert(raw.line);
            }
        }
        let listing = check.listing(&fields);
        Outcome {
            listing: if check.rejected { None } else { listing },
            problems: check.problems,
        }
    }
}

/// Validation of one record: collects every problem, and whether any rejects the row.
struct Check<'c, 'a> {
    ctx: &'c FileContext<'a>,
    line: u32,
    problems: Vec<Problem>,
    rejected: bool,
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

    /// A required field: its text, or a rejection saying it is missing.
    fn required<'r>(&mut self, fields: &Fields<'r>, name: &str, example: &str) -> Option<&'r str> {
        let value = fields.known.get(name).copied();
        if value.is_none() {
            self.reject(name, format!("is missing; expected {example}"));
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
    fn text(&mut self, f: &Fields<'_>, name: &str) -> Option<String> {
        let raw = f.known.get(name)?;
        Some(self.clean(name, raw, Kind::Text))
    }

    /// An optional date: one before the first motor car is refused, one after the build
    /// date (beyond a day of clock difference) is taken as the build date, with a
    /// warning, so a wrong clock cannot put a car first in every list for ever.
    fn date(&mut self, f: &Fields<'_>, name: &str) -> Option<Date> {
        let date = self.optional(f, name, |t| {
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
                name,
                format!(
                    "{date} is after the build date {today}; the build date was used \
                     instead (is the export's clock or date format wrong?)"
                ),
            );
            return Some(today);
        }
        Some(date)
    }

    /// An optional field run through `parse`; a parse failure rejects the row.
    fn optional<T>(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = fields.known.get(name)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(message) => {
                self.reject(name, message);
                None
            }
        }
    }

    fn listing(&mut self, f: &Fields<'_>) -> Option<Listing> {
        let ctx = self.ctx;
        let vehicle_id = self.required(f, "vehicle_id", "the supplier's own id for the car");
        let make = self.required(f, "make", "the car's make, like \"Volkswagen\"");
        let model = self.required(f, "model", "the car's model, like \"Golf\"");
        let default_currency = ctx.supplier.default_currency.as_deref();
        let price = match self.required(f, "price", "a price, like \"18,000 EUR\"") {
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
            .optional(f, "sale_price", |t| parse_price(t, default_currency))
            .and_then(|sale| self.discount(sale, price.as_ref()));
        let latest_year = u16::try_from(ctx.today.year() + 1).unwrap_or(u16::MAX);
        let year = self.optional(f, "year", |t| parse_year(t, latest_year));
        let vin = self.optional(f, "vin", |t| {
            Vin::parse(t).map_err(|e| format!("{} is not a VIN; {e}", quote(t)))
        });
        if let Some(vin) = &vin
            && !vin.check_digit_ok()
        {
            self.warn(
                "vin",
                format!(
                    "{} has check digit '{}' where '{}' was expected; kept, since only \
                     North American VINs must carry a valid check digit",
                    quote(vin.as_str()),
                    &vin.as_str()[8..9],
                    vin.expected_check_digit()
                ),
            );
        }
        let mileage = self.mileage(f);
        let body_style = self.optional(f, "body_style", |t| {
            enum_value(t, BodyStyle::parse, BodyStyle::NAMES)
        });
        let fuel_type = self.optional(f, "fuel_type", |t| {
            enum_value(t, FuelType::parse, FuelType::NAMES)
        });
        let transmission = self.optional(f, "transmission", |t| {
            enum_value(t, Transmission::parse, Transmission::NAMES)
        });
        let drivetrain = self.optional(f, "drivetrain", |t| {
            enum_value(t, Drivetrain::parse, Drivetrain::NAMES)
        });
        let state_of_vehicle = self.optional(f, "state_of_vehicle", |t| {
            enum_value(t, VehicleState::parse, VehicleState::NAMES)
        });
        let availability = self
            .optional(f, "availability", |t| {
                enum_value(t, Availability::parse, Availability::NAMES)
            })
            .unwrap_or(Availability::Available);
        let date_first_on_lot = self.date(f, "date_first_on_lot");
        let latitude = self.optional(f, "latitude", |t| parse_coordinate(t, 90.0));
        let longitude = self.optional(f, "longitude", |t| parse_coordinate(t, 180.0));
        let feed_updated = self.date(f, "updated_time");
        let url = f.known.get("url").and_then(|u| match web_url(u) {
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
        let vehicle_id = self.clean("vehicle_id", vehicle_id, Kind::Identity);
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
        let trim = self.text(f, "trim");
        let title = match self.text(f, "title") {
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
        let description = match f.known.get("description") {
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
        let (exterior_color, interior_color, condition) = (
            self.text(f, "exterior_color"),
            self.text(f, "interior_color"),
            self.text(f, "condition"),
        );
        let mut address_part = |name: &'static str| {
            let raw = f.address.get(name)?;
            Some(self.clean(&format!("address.{name}"), raw, Kind::Text))
        };
        let address = Address {
            addr1: address_part("addr1"),
            city: address_part("city"),
            region: address_part("region"),
            postal_code: address_part("postal_code"),
            country: address_part("country"),
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
            exterior_color,
            interior_color,
            trim,
            state_of_vehicle,
            condition,
            availability,
            date_first_on_lot,
            address,
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
    fn discount(&mut self, sale: Price, price: Option<&Price>) -> Option<Price> {
        let price = price?;
        let problem = if sale.currency != price.currency {
            format!("{sale} is not in the currency of the price {price}")
        } else if sale.minor >= price.minor {
            format!("{sale} is not below the price {price}, so it is no discount")
        } else {
            return Some(sale);
        };
        self.warn(
            "sale_price",
            format!("{problem}; the price alone is shown. Expected a lower sale_price, or none"),
        );
        None
    }

    fn mileage(&mut self, f: &Fields<'_>) -> Option<Mileage> {
        let value = self.optional(f, "mileage.value", |t| {
            parse_whole_number(t).ok_or_else(|| {
                format!(
                    "{} is not a mileage; expected a whole number like \"52,000\"",
                    quote(t)
                )
            })
        });
        let unit = self.optional(f, "mileage.unit", |t| {
            enum_value(t, MileageUnit::parse, MileageUnit::NAMES)
        });
        match (value, unit) {
            (Some(value), Some(unit)) => Some(Mileage { value, unit }),
            (Some(_), None) if !f.known.contains_key("mileage.unit") => {
                self.reject(
                    "mileage.unit",
                    "is missing; expected KM or MI with mileage.value".into(),
                );
                None
            }
            (None, Some(_)) if !f.known.contains_key("mileage.value") => {
                self.reject(
                    "mileage.value",
                    "is missing; expected a number with mileage.unit".into(),
                );
                None
            }
            _ => None,
        }
    }

    /// The photos in the feed's order, each once, at most `max_photos` of them. A row
    /// naming thousands of photos costs a few warnings and a bounded number of checks.
    fn images(&mut self, f: &Fields<'_>) -> Vec<ImageRef> {
        let mut sorted = f.images.clone();
        sorted.sort_by_key(|(n, _, _)| *n);
        let max = self.ctx.max_photos;
        let tries = max.saturating_mul(4).max(100);
        let mut images = Vec::with_capacity(sorted.len().min(max));
        let mut seen = HashSet::with_capacity(sorted.len().min(max));
        let (mut left_out, mut refused) = (0usize, 0usize);
        for (tried, (_, key, value)) in sorted.into_iter().enumerate() {
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
                    self.warn(key, message);
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

/// `image[3].url` or `image[3]` (JSON arrays of plain strings) → 3.
fn image_index(key: &str) -> Option<usize> {
    let rest = key.strip_prefix("image[")?;
    let (n, tail) = rest.split_once(']')?;
    matches!(tail, "" | ".url").then_some(())?;
    n.parse().ok()
}

fn is_image_detail(key: &str) -> bool {
    key.starts_with("image[") && key.contains("].")
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

fn enum_value<T>(text: &str, parse: fn(&str) -> Option<T>, names: &[&str]) -> Result<T, String> {
    parse(text).ok_or_else(|| {
        format!(
            "{} is not allowed; expected one of {}",
            quote(text),
            names.join(", ")
        )
    })
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
