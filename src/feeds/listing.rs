use super::SupplierId;
use jiff::civil::Date;
use serde::Serialize;
use std::fmt;

/// Declares one of Meta's catalog enums: the Rust variants, the exact spelling a feed and
/// the JSON report use, and a case-insensitive parser, so the three cannot drift apart.
macro_rules! feed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value as a feed spells it, for "expected one of" messages.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value as Meta's catalog spells it, e.g. `FOUR_WD`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Case-insensitive; surrounding whitespace ignored.
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                $(if text.eq_ignore_ascii_case($text) {
                    return Some($name::$variant);
                })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
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
    /// Upper-cases and checks length and alphabet. The check digit is *not* required:
    /// only North America uses it, so [`Vin::check_digit_ok`] is a separate question.
    pub fn parse(text: &str) -> Result<Vin, VinError> {
        let upper = text.trim().to_ascii_uppercase();
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
    Km => "KM",
    Mi => "MI",
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
    Availability {
        Available => "AVAILABLE",
        Pending => "PENDING",
        NotAvailable => "NOT_AVAILABLE",
    }
);

feed_enum!(VehicleState {
    New => "NEW",
    Used => "USED",
    Cpo => "CPO",
});

feed_enum!(BodyStyle {
    Convertible => "CONVERTIBLE",
    Coupe => "COUPE",
    Crossover => "CROSSOVER",
    Estate => "ESTATE",
    Grandtourer => "GRANDTOURER",
    Hatchback => "HATCHBACK",
    Minibus => "MINIBUS",
    Minivan => "MINIVAN",
    Mpv => "MPV",
    Pickup => "PICKUP",
    Roadster => "ROADSTER",
    Saloon => "SALOON",
    Sedan => "SEDAN",
    SmallCar => "SMALL_CAR",
    Sportscar => "SPORTSCAR",
    Supercar => "SUPERCAR",
    Supermini => "SUPERMINI",
    Suv => "SUV",
    Truck => "TRUCK",
    Van => "VAN",
    Wagon => "WAGON",
    Other => "OTHER",
    None => "NONE",
});

feed_enum!(FuelType {
    Diesel => "DIESEL",
    Electric => "ELECTRIC",
    Flex => "FLEX",
    Gasoline => "GASOLINE",
    Hybrid => "HYBRID",
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
    FourWd => "FOUR_WD",
    Fwd => "FWD",
    Rwd => "RWD",
    TwoWd => "TWO_WD",
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

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    pub addr1: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
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
    pub body_style: Option<BodyStyle>,
    pub fuel_type: Option<FuelType>,
    pub transmission: Option<Transmission>,
    pub drivetrain: Option<Drivetrain>,
    pub exterior_color: Option<String>,
    pub interior_color: Option<String>,
    pub trim: Option<String>,
    pub state_of_vehicle: Option<VehicleState>,
    pub condition: Option<String>,
    pub availability: Availability,
    pub date_first_on_lot: Option<Date>,
    pub address: Address,
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
