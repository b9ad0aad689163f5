//! Numbers as people read them: prices with their currency symbol, mileage with its
//! unit, thousands grouped. Language-neutral on purpose: the digits and symbols read the
//! same in every language this theme ships.

use crate::feeds::{Mileage, MileageUnit, Price};
use iso_currency::Currency;

/// The currency's ISO code, e.g. `EUR`.
pub fn currency_code(price: &Price) -> &str {
    std::str::from_utf8(&price.currency).unwrap_or("XXX")
}

/// Digits after the decimal point for a currency (2 for EUR, 0 for JPY).
fn exponent(code: &str) -> u32 {
    Currency::from_code(code)
        .and_then(|c| c.exponent())
        .map(u32::from)
        .unwrap_or(2)
}

/// The price in whole major units, rounded down (for bands, sorting and filters).
pub fn major_units(price: &Price) -> i64 {
    price.minor / 10_i64.pow(exponent(currency_code(price)))
}

/// A whole amount in the same currency as `like`.
pub fn whole(major: i64, like: &Price) -> Price {
    Price {
        minor: major * 10_i64.pow(exponent(currency_code(like))),
        currency: like.currency,
    }
}

/// The amount as a plain decimal string, as schema.org wants it: `18000.00`.
pub fn decimal(price: &Price) -> String {
    let exp = exponent(currency_code(price));
    if exp == 0 {
        return price.minor.to_string();
    }
    let scale = 10_i64.pow(exp);
    let sign = if price.minor < 0 { "-" } else { "" };
    let abs = price.minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = exp as usize
    )
}

/// `€18,500`, `£7,995.50`, `CN¥128,000`; an unknown currency keeps its code: `18,000 XYZ`.
pub fn price(price: &Price) -> String {
    let code = currency_code(price);
    let exp = exponent(code);
    let scale = 10_u64.pow(exp);
    let abs = price.minor.unsigned_abs();
    let mut amount = group(abs / scale);
    if !abs.is_multiple_of(scale) {
        amount = format!("{amount}.{:0width$}", abs % scale, width = exp as usize);
    }
    let sign = if price.minor < 0 { "-" } else { "" };
    let symbol = Currency::from_code(code)
        .map(|c| c.symbol().to_string())
        .filter(|s| !s.is_empty() && s != code);
    match (code, symbol) {
        ("CNY", _) => format!("{sign}CN¥{amount}"),
        (_, Some(symbol)) => format!("{sign}{symbol}{amount}"),
        (code, None) => format!("{sign}{amount} {code}"),
    }
}

/// `45,000 km` or `28,000 mi`: always the unit the supplier gave.
pub fn mileage(mileage: &Mileage) -> String {
    let unit = match mileage.unit {
        MileageUnit::Km => "km",
        MileageUnit::Mi => "mi",
    };
    format!("{} {unit}", group(mileage.value))
}

/// 1234567 as `1,234,567`.
pub fn group(n: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn p(minor: i64, code: &str) -> Price {
        Price {
            minor,
            currency: code.as_bytes().try_into().unwrap(),
        }
    }

    #[test]
    fn prices_read_like_prices() {
        assert_eq!(price(&p(1_850_000, "EUR")), "€18,500");
        assert_eq!(price(&p(799_550, "GBP")), "£7,995.50");
        assert_eq!(price(&p(12_800_000, "CNY")), "CN¥128,000");
        assert_eq!(price(&p(1_500_000, "JPY")), "¥1,500,000");
        assert_eq!(decimal(&p(1_850_000, "EUR")), "18500.00");
        assert_eq!(decimal(&p(1_500_000, "JPY")), "1500000");
        assert_eq!(major_units(&p(1_850_099, "EUR")), 18_500);
    }

    #[test]
    fn mileage_keeps_the_suppliers_unit() {
        let m = Mileage {
            value: 45_000,
            unit: MileageUnit::Km,
        };
        assert_eq!(mileage(&m), "45,000 km");
        let m = Mileage {
            value: 999,
            unit: MileageUnit::Mi,
        };
        assert_eq!(mileage(&m), "999 mi");
    }
}
