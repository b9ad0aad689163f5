//! Numbers as people read them: prices with their currency symbol, mileage with its
//! unit, thousands grouped. Language-neutral on purpose: the digits and symbols read the
//! same in every language this theme ships.

use crate::feeds::{Mileage, MileageUnit, Price, group_thousands};
use iso_currency::Currency;

/// The price in whole major units, rounded down (for bands, sorting and filters).
pub fn major_units(price: &Price) -> i64 {
    price.minor / 10_i64.pow(price.exponent())
}

/// A whole amount in the same currency as `like`.
pub fn whole(major: i64, like: &Price) -> Price {
    Price {
        minor: major * 10_i64.pow(like.exponent()),
        currency: like.currency,
    }
}

/// `€18,500`, `£7,995.50`, `CN¥128,000`; an unknown currency keeps its code: `18,000 XYZ`.
pub fn price(price: &Price) -> String {
    let code = price.currency_code();
    let amount = price.amount();
    let (sign, amount) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount.as_str()),
    };
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
    format!("{} {unit}", group_thousands(mileage.value))
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
        assert_eq!(p(1_850_000, "EUR").decimal(), "18500.00");
        assert_eq!(p(1_500_000, "JPY").decimal(), "1500000");
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
