//! Reading one feed value: prices, dates, years, mileage, coordinates, yes and no, and
//! the text and URL helpers validation uses. A value that cannot be read is a
//! [`ValueError`] that quotes it and says what was expected, so callers match on kinds
//! and users read the same words everywhere.

use super::listing::{MileageUnit, ModelYear, Price, VinError, currency_exponent, same_word};
use super::registry::is_currency_code;
use crate::text::{self, is_http_url};
use jiff::civil::Date;
use std::borrow::Cow;
use std::fmt;

/// Why a feed value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "{0} is not a price; expected a number with an optional ISO currency, like \"18,000 EUR\""
    )]
    Price(Quoted),
    #[error(
        "{0} has no currency and the supplier has no default_currency; expected a price like \
         \"18,000 EUR\""
    )]
    NoCurrency(Quoted),
    #[error("{value} has more decimals than {currency} allows; expected at most {allowed}")]
    Decimals {
        value: Quoted,
        currency: String,
        allowed: u32,
    },
    #[error("{0} is not a currency; expected an ISO 4217 code like \"EUR\"")]
    Currency(Quoted),
    #[error("{0} is too large to be a price")]
    TooLarge(Quoted),
    #[error("{0} is zero; expected a price above zero")]
    Zero(Quoted),
    #[error("{value} is not a model year; expected a year from {first} to {latest}", first = ModelYear::FIRST)]
    Year { value: Quoted, latest: u16 },
    #[error("{value} is not a coordinate; expected a number from -{limit} to {limit}")]
    Coordinate { value: Quoted, limit: u8 },
    #[error("{0} is not a date; expected YYYY-MM-DD or a timestamp like \"2025-05-28T09:30:00Z\"")]
    Date(Quoted),
    #[error("{0} is before the first motor car was sold; expected a real date")]
    BeforeCars(Quoted),
    #[error(
        "{0} is not a mileage; expected a whole number with an optional unit, like \"52,000\" \
         or \"24 985 km\""
    )]
    Mileage(Quoted),
    #[error("{value} has the unit {unit}; expected km or miles")]
    MileageUnit { value: Quoted, unit: Quoted },
    #[error("{0} is not yes or no; expected yes or no")]
    YesNo(Quoted),
    #[error("{value} is not allowed; expected one of {expected}")]
    NotOneOf { value: Quoted, expected: String },
    #[error("{value} is not a VIN; {error}")]
    Vin { value: Quoted, error: VinError },
}

/// A feed value as it appears in a message: quoted, escaped, cut short. Untrusted text
/// stays data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted(String);

impl Quoted {
    pub fn new(value: &str) -> Quoted {
        Quoted(quote(value))
    }
}

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Google's `yes`/`no` (vehicle listings also `y`, `1`, `n`, `0`).
pub fn parse_yes_no(text: &str) -> Result<bool, ValueError> {
    if ["yes", "y", "1", "true"].iter().any(|w| same_word(text, w)) {
        Ok(true)
    } else if ["no", "n", "0", "false"].iter().any(|w| same_word(text, w)) {
        Ok(false)
    } else {
        Err(ValueError::YesNo(Quoted::new(text)))
    }
}

/// `48210`, `52,000`, `24 985 km`, `90,377 Miles`: the number, and its unit if written.
/// Digits may be grouped in threes by commas or spaces.
pub fn parse_mileage(text: &str) -> Result<(u64, Option<MileageUnit>), ValueError> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(char::is_alphabetic).unwrap_or(text.len()));
    let grouped = number.split_whitespace().collect::<Vec<_>>().join(",");
    let value =
        parse_whole_number(&grouped).ok_or_else(|| ValueError::Mileage(Quoted::new(text)))?;
    if unit.trim().is_empty() {
        return Ok((value, None));
    }
    let unit = MileageUnit::parse(unit).ok_or_else(|| ValueError::MileageUnit {
        value: Quoted::new(text),
        unit: Quoted::new(unit.trim()),
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
pub fn shorten(name: &str) -> Cow<'_, str> {
    const MAX: usize = 60;
    match name.char_indices().nth(MAX) {
        Some((end, _)) => Cow::Owned(format!("{}…", &name[..end])),
        None => Cow::Borrowed(name),
    }
}

/// Trimmed, with every run of whitespace or control characters made one space.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Plain text with its line breaks: CRLF made LF, other control characters removed. Kept
/// as written otherwise; pages render it as Markdown with raw HTML escaped.
pub fn plain_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// `scheme:` at the start, as in `https:`, `javascript:`, `data:`.
pub fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// An http(s) URL with a host and nothing that could break out of an attribute.
pub fn web_url(text: &str) -> Option<String> {
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

pub fn not_one_of(text: &str, names: &[&str]) -> ValueError {
    ValueError::NotOneOf {
        value: Quoted::new(text),
        expected: names.join(", "),
    }
}

pub fn parse_year(text: &str, latest: u16) -> Result<ModelYear, ValueError> {
    text.trim()
        .parse::<u16>()
        .ok()
        .and_then(|y| ModelYear::new(y, latest))
        .ok_or_else(|| ValueError::Year {
            value: Quoted::new(text),
            latest,
        })
}

pub fn parse_coordinate(text: &str, limit: u8) -> Result<f64, ValueError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= f64::from(limit))
        .ok_or_else(|| ValueError::Coordinate {
            value: Quoted::new(text),
            limit,
        })
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
pub fn parse_whole_number(text: &str) -> Option<u64> {
    split_number(text.trim()).map(|(whole, _)| whole)
}

/// `18000`, `18,000 EUR`, `EUR 18000.50`, `18000.00 usd`. A bare number takes the
/// supplier's default currency.
pub fn parse_price(text: &str, default_currency: Option<&str>) -> Result<Price, ValueError> {
    let quoted = || Quoted::new(text);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (number, code) = match tokens.as_slice() {
        [n] => (*n, None),
        [a, b] if is_code_token(b) => (*a, Some(b.to_ascii_uppercase())),
        [a, b] if is_code_token(a) => (*b, Some(a.to_ascii_uppercase())),
        _ => return Err(ValueError::Price(quoted())),
    };
    let code = match code.or_else(|| default_currency.map(str::to_string)) {
        Some(code) if is_currency_code(&code) => code,
        _ => return Err(ValueError::NoCurrency(quoted())),
    };
    let (whole, fraction) = split_number(number).ok_or_else(|| ValueError::Price(quoted()))?;
    let exponent = currency_exponent(&code);
    let (kept, extra) = fraction.split_at(fraction.len().min(exponent as usize));
    if extra.bytes().any(|b| b != b'0') {
        return Err(ValueError::Decimals {
            value: quoted(),
            currency: code,
            allowed: exponent,
        });
    }
    let fraction_minor: u64 = if kept.is_empty() {
        0
    } else {
        let digits = kept
            .parse::<u64>()
            .map_err(|_| ValueError::Price(quoted()))?;
        digits * 10u64.pow(exponent - kept.len() as u32)
    };
    let minor = whole
        .checked_mul(10u64.pow(exponent))
        .and_then(|w| w.checked_add(fraction_minor))
        .and_then(|m| i64::try_from(m).ok())
        .ok_or_else(|| ValueError::TooLarge(quoted()))?;
    if minor == 0 {
        return Err(ValueError::Zero(quoted()));
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
    use crate::feeds::Vin;

    fn price(text: &str) -> Result<String, String> {
        parse_price(text, Some("EUR"))
            .map(|p| p.to_string())
            .map_err(|e| e.to_string())
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
        assert!(matches!(
            parse_price("18000", None),
            Err(ValueError::NoCurrency(_))
        ));
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
