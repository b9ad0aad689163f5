use super::SupplierId;
use jiff::civil::Date;
use serde::Serialize;
use std::fmt;

/// Declares one of our value lists: the Rust variants, the spelling the JSON report and
/// the theme's label keys use, the other spellings Meta's and Google's feeds use for the
/// same value, and a parser that compares words as [`same_word`] does, so the lists cannot
/// drift apart.
macro_rules! feed_enum {
    ($(#[$meta:meta])* $name:ident {
        $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value as we spell it, for "expected one of" messages.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value as Meta's catalog spells it, e.g. `FOUR_WD`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Any of the value's spellings, with case, spaces, `-` and `_` ignored.
            pub fn parse(text: &str) -> Option<Self> {
                $(if same_word(text, $text) $(|| same_word(text, $alias))* {
                    return Some($name::$variant);
                })+
                None
            }
        }

        impl FeedEnum for $name {
            const NAMES: &'static [&'static str] = $name::NAMES;

            fn code(self) -> &'static str {
                self.as_str()
            }

            fn parse(text: &str) -> Option<Self> {
                $name::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Whether two enum words are the same once case, spaces and punctuation are ignored:
/// `plug-in_hybrid` is `PLUGIN_HYBRID`, `in stock` is `IN_STOCK`.
pub fn same_word(a: &str, b: &str) -> bool {
    letters(a).eq(letters(b))
}

fn letters(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
}

/// One of our value lists, for code that reads or shows any of them alike.
pub trait FeedEnum: Copy {
    /// Every value as we spell it.
    const NAMES: &'static [&'static str];
    /// The value as we spell it, e.g. `FOUR_WD`.
    fn code(self) -> &'static str;
    /// Any of the value's spellings.
    fn parse(text: &str) -> Option<Self>;
}

/// A value from one of our lists, or, when the supplier's word matches none of them,
/// that word as written. The car is worth showing either way; only a known value has a
/// translated label and makes the browse lists and filters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrWritten<T> {
    Known(T),
    /// Cleaned one-line text, untrusted: templates escape it.
    Written(String),
}

impl<T: FeedEnum> OrWritten<T> {
    pub fn known(&self) -> Option<T> {
        match self {
            OrWritten::Known(value) => Some(*value),
            OrWritten::Written(_) => None,
        }
    }

    /// Our code for a known value, else the supplier's words.
    pub fn as_str(&self) -> &str {
        match self {
            OrWritten::Known(value) => value.code(),
            OrWritten::Written(text) => text,
        }
    }
}

impl<T: FeedEnum> Serialize for OrWritten<T> {
    /// A known value as its code (`"SEDAN"`), the supplier's words as
    /// `{"written": "Kombi"}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            OrWritten::Known(value) => serializer.serialize_str(value.code()),
            OrWritten::Written(text) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("written", text)?;
                map.end()
            }
        }
    }
}

/// 17 characters, no I, O or Q, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Vin(String);

/// Why a string is not a VIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VinError {
    #[error("expected 17 characters, found {0}")]
    Length(usize),
    #[error("expected only letters A-Z (except I, O and Q) and digits, found {0:?}")]
    Character(char),
}

impl Vin {
    /// Upper-cases, drops spaces and dashes (`1fadp-5au6-dl536022`), and checks length
    /// and alphabet. The check digit is a separate question ([`Vin::check_digit_ok`]):
    /// only some countries require one.
    pub fn parse(text: &str) -> Result<Vin, VinError> {
        let upper: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let count = upper.chars().count();
        if count != 17 {
            return Err(VinError::Length(count));
        }
        if let Some(bad) = upper
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() || matches!(c, 'I' | 'O' | 'Q'))
        {
            return Err(VinError::Character(bad));
        }
        Ok(Vin(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What exports write where the VIN is unknown: one character seventeen times
    /// (`00000000000000000`), or counting (`12345678901234567`).
    pub fn is_placeholder(&self) -> bool {
        let bytes = self.0.as_bytes();
        bytes.iter().all(|&b| b == bytes[0]) || &self.0 == "12345678901234567"
    }

    /// The check digit (position 9) the other 16 characters call for, per ISO 3779 /
    /// 49 CFR 565: transliterate, weight, sum modulo 11, with 10 written as `X`.
    pub fn expected_check_digit(&self) -> char {
        const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
        let sum: u32 = self
            .0
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| transliterate(b) * w)
            .sum();
        match sum % 11 {
            10 => 'X',
            n => char::from_digit(n, 10).unwrap_or('0'),
        }
    }

    pub fn check_digit_ok(&self) -> bool {
        self.0.as_bytes()[8] as char == self.expected_check_digit()
    }

    /// Whether the VIN's country makes position 9 a check digit: North America (the
    /// world manufacturer identifier starts with 1 to 5; 49 CFR 565) and China (`L`;
    /// GB 16735). Elsewhere position 9 is often the maker's own, and is not checked.
    pub fn check_digit_required(&self) -> bool {
        matches!(self.0.as_bytes()[0], b'1'..=b'5' | b'L')
    }
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The value a VIN character stands for in the check-digit sum.
fn transliterate(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A'..=b'H' => u32::from(b - b'A') + 1,
        b'J'..=b'N' => u32::from(b - b'J') + 1,
        b'P' => 7,
        b'R' => 9,
        b'S'..=b'Z' => u32::from(b - b'S') + 2,
        _ => 0,
    }
}

/// An amount in minor units (cents, fen) and its ISO 4217 currency.
///
/// Serialized for templates and reports as `{"minor": 1800050, "currency": "EUR",
/// "amount": "18,000.50", "decimal": "18000.50"}`: the currency as text, the amount
/// already formatted for people, and a plain decimal for schema.org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Price {
    pub minor: i64,
    pub currency: [u8; 3],
}

impl Price {
    /// The currency code, e.g. `"EUR"`.
    pub fn currency_code(&self) -> &str {
        std::str::from_utf8(&self.currency).unwrap_or("XXX")
    }

    /// Digits after the decimal point in this currency (0 for yen, won and a few more).
    pub fn exponent(&self) -> u32 {
        currency_exponent(self.currency_code())
    }

    /// The amount for people, with thousands separators and only as many decimals as
    /// needed: `18,000` or `18,000.50`. No currency: templates place it.
    pub fn amount(&self) -> String {
        let scale = 10i64.pow(self.exponent());
        let whole = (self.minor / scale).unsigned_abs();
        let fraction = (self.minor % scale).unsigned_abs();
        let mut out = String::new();
        if self.minor < 0 {
            out.push('-');
        }
        out.push_str(&group_thousands(whole));
        if fraction != 0 {
            out.push_str(&format!(
                ".{fraction:0width$}",
                width = self.exponent() as usize
            ));
        }
        out
    }

    /// The amount as a plain decimal number, `18000.50`, for schema.org `price`.
    pub fn decimal(&self) -> String {
        let exponent = self.exponent();
        if exponent == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(exponent);
        let sign = if self.minor < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:0width$}",
            (self.minor / scale).unsigned_abs(),
            (self.minor % scale).unsigned_abs(),
            width = exponent as usize
        )
    }
}

impl Serialize for Price {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Price", 4)?;
        out.serialize_field("minor", &self.minor)?;
        out.serialize_field("currency", self.currency_code())?;
        out.serialize_field("amount", &self.amount())?;
        out.serialize_field("decimal", &self.decimal())?;
        out.end()
    }
}

impl fmt::Display for Price {
    /// `18,000 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount(), self.currency_code())
    }
}

/// 1234567 as `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// ISO 4217 minor-unit digits; every currency not listed here uses two.
pub fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

feed_enum!(MileageUnit {
    Km => "KM" | "KMS" | "KILOMETER" | "KILOMETERS" | "KILOMETRE" | "KILOMETRES",
    Mi => "MI" | "MILE" | "MILES",
});

/// The odometer reading in the unit the supplier gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mileage {
    pub value: u64,
    pub unit: MileageUnit,
}

/// A model year between the first motor car and next year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ModelYear(u16);

impl ModelYear {
    /// The first year anyone sold a motor car.
    pub const FIRST: u16 = 1886;

    /// `None` before [`ModelYear::FIRST`] or after `latest` (next year, when validating).
    pub fn new(year: u16, latest: u16) -> Option<ModelYear> {
        (Self::FIRST..=latest)
            .contains(&year)
            .then_some(ModelYear(year))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ModelYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

feed_enum!(
    /// Whether the supplier can still sell the car.
    /// Product-catalog and Google words map here too; the Graph API's `UNKNOWN` is
    /// available, since the car is in the feed.
    Availability {
        Available => "AVAILABLE" | "IN_STOCK" | "AVAILABLE_FOR_ORDER" | "BUILD_TO_ORDER"
            | "UNKNOWN",
        Pending => "PENDING" | "PREORDER" | "BACKORDER",
        NotAvailable => "NOT_AVAILABLE" | "OUT_OF_STOCK" | "DISCONTINUED" | "SOLD"
            | "MARK_AS_SOLD" | "MARK_AS_EXPIRED",
    }
);

feed_enum!(
    /// New, used or certified: Meta's `state_of_vehicle`, Google's `condition` (`n`, `u`).
    VehicleState {
        New => "NEW" | "N",
        Used => "USED" | "U",
        Cpo => "CPO" | "CERTIFIED_PRE_OWNED",
    }
);

feed_enum!(
    /// Meta's list; Google's lower_snake values are mapped onto it, and what is not a car
    /// (ATVs, motorhomes, trailers) is OTHER.
    BodyStyle {
    Convertible => "CONVERTIBLE",
    Coupe => "COUPE" | "COUPÉ",
    Crossover => "CROSSOVER",
    Estate => "ESTATE",
    Grandtourer => "GRANDTOURER",
    Hatchback => "HATCHBACK",
    Minibus => "MINIBUS",
    Minivan => "MINIVAN",
    Mpv => "MPV",
    Pickup => "PICKUP" | "UTE",
    Roadster => "ROADSTER",
    Saloon => "SALOON",
    Sedan => "SEDAN" | "LIMOUSINE" | "NOTCHBACK",
    SmallCar => "SMALL_CAR" | "CITY_CAR",
    Sportscar => "SPORTSCAR",
    Supercar => "SUPERCAR",
    Supermini => "SUPERMINI",
    Suv => "SUV" | "COMPACT_SUV",
    Truck => "TRUCK",
    Van => "VAN" | "FULL_SIZE_VAN",
    Wagon => "WAGON" | "STATION_WAGON",
    Other => "OTHER" | "ATV_SPORT" | "ATV_TOURING" | "ATV_UTILITY" | "ATV_YOUTH"
        | "SIDE_BY_SIDE" | "UTV_RECREATIONAL_UTILITY" | "UTV_SPORT" | "UTV_UTILITY"
        | "UTV_YOUTH" | "CLASS_A_MOTORHOME" | "CLASS_B_MOTORHOME" | "CLASS_C_MOTORHOME"
        | "TRAVEL_TRAILER" | "FIFTH_WHEEL" | "POP_UP_CAMPER" | "TRUCK_CAMPER",
    None => "NONE",
});

feed_enum!(
    /// Meta's `fuel_type` and Google's `engine`.
    FuelType {
    Diesel => "DIESEL",
    Electric => "ELECTRIC",
    Flex => "FLEX",
    Gasoline => "GASOLINE",
    Hybrid => "HYBRID",
    Lpg => "LPG",
    NaturalGas => "NATURAL_GAS" | "METHANE",
    Petrol => "PETROL",
    PluginHybrid => "PLUGIN_HYBRID",
    Other => "OTHER",
    None => "NONE",
});

feed_enum!(Transmission {
    Automatic => "AUTOMATIC",
    Manual => "MANUAL",
    Other => "OTHER",
    None => "NONE",
});

feed_enum!(Drivetrain {
    Awd => "AWD",
    FourWd => "FOUR_WD" | "4WD",
    Fwd => "FWD",
    Rwd => "RWD",
    TwoWd => "TWO_WD" | "2WD",
    FourByTwo => "4X2",
    FourByFour => "4X4",
    Other => "OTHER",
    None => "NONE",
});

/// A photo: a file inside the supplier's folder, or a remote http(s) URL passed through.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "src", rename_all = "lowercase")]
pub enum ImageRef {
    /// Path relative to the site root, `/`-separated, inside `data/feeds/<supplier>/`.
    Local(String),
    Remote(String),
}

/// Where the car is: Meta's address parts, or the whole address in one line as Google's
/// `dealership_address` writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    pub addr1: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub line: Option<String>,
}

impl Address {
    /// The address on one line, for people: the supplier's own line, else the parts.
    pub fn one_line(&self) -> Option<String> {
        if let Some(line) = &self.line {
            return Some(line.clone());
        }
        let parts: Vec<&str> = [
            &self.addr1,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// The branch of a multi-location supplier that has the car (Meta's `dealer_*`, Google's
/// `dealership_name` and `store_code`): its page shows this branch's contact, while the
/// supplier stays the one responsible.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dealer {
    /// The supplier's code for the branch: schema.org's `branchCode`.
    pub id: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// Where a listing's "last updated by the supplier" date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdatedFrom {
    /// A timestamp inside the feed.
    Feed,
    /// The feed file's modification time.
    FileModified,
}

/// One car as a supplier described it, validated. Text fields are untrusted plain text:
/// templates escape them, and `description` is rendered as Markdown with raw HTML escaped.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub supplier: SupplierId,
    pub vehicle_id: String,
    pub vin: Option<Vin>,
    pub make: String,
    pub model: String,
    pub year: Option<ModelYear>,
    pub title: String,
    pub description: String,
    /// The supplier's own page for the car, http(s) only.
    pub url: Option<String>,
    pub images: Vec<ImageRef>,
    pub price: Price,
    pub sale_price: Option<Price>,
    pub mileage: Option<Mileage>,
    pub body_style: Option<OrWritten<BodyStyle>>,
    pub fuel_type: Option<OrWritten<FuelType>>,
    pub transmission: Option<OrWritten<Transmission>>,
    pub drivetrain: Option<OrWritten<Drivetrain>>,
    pub exterior_color: Option<String>,
    pub interior_color: Option<String>,
    pub trim: Option<String>,
    pub state_of_vehicle: Option<VehicleState>,
    pub condition: Option<String>,
    pub availability: Availability,
    pub date_first_on_lot: Option<Date>,
    pub address: Address,
    pub dealer: Dealer,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The day the supplier last updated this car.
    pub updated: Date,
    pub updated_from: UpdatedFrom,
    /// Older than the supplier's `max_age_days` on the build date.
    pub stale: bool,
    /// Feed file (relative to the site root) and the line the car starts on.
    pub source_file: String,
    pub source_line: u32,
}

impl Listing {
    /// `NOT_AVAILABLE`: kept so its page can say "sold", left out of every list.
    pub fn is_sold(&self) -> bool {
        self.availability == Availability::NotAvailable
    }
}
