//! Numbers as people read them: prices with their currency, mileage with its unit,
//! thousands grouped. Language-neutral on purpose: the digits and symbols read the same in
//! every language this theme ships.
//!
//! A marketplace shows dollars of several countries, crowns of several countries and both
//! yen and yuan on one page, so a price names its currency so that no other could be
//! meant: a symbol only when it is that currency's alone (`€`, `£`, `₹`), a prefixed one
//! where several currencies write the same symbol (`US$`, `CA$`, `CN¥`, `JP¥`), else the
//! ISO code (`SEK 150,000`).

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

/// Currencies that write a symbol others share, with the prefix CLDR's English gives them
/// to tell them apart (and `US$` for the US dollar, which CLDR's English leaves bare).
const PREFIXED: &[(&str, &str)] = &[
    ("USD", "US$"),
    ("CAD", "CA$"),
    ("AUD", "A$"),
    ("NZD", "NZ$"),
    ("HKD", "HK$"),
    ("MXN", "MX$"),
    ("CNY", "CN¥"),
    ("JPY", "JP¥"),
];

/// Symbols the ISO data gives to more than one currency (`kr`: Swedish, Norwegian, Danish
/// and Icelandic crowns), with the one currency everybody means by it, if any: `£` is the
/// pound sterling and `₩` the South Korean won, whoever else writes them.
const SHARED: &[(&str, Option<&str>)] = &[
    ("$", None),
    ("¥", None),
    ("kr", None),
    ("£", Some("GBP")),
    ("₩", Some("KRW")),
    ("₣", None),
    ("₨", None),
    ("₱", None),
    ("K", None),
    ("L", None),
    ("Bs.", None),
    ("ƒ", None),
    ("S$", None),
    ("Le", None),
    ("Br", None),
    ("¤", None),
];

/// `€18,500`, `£7,995.50`, `US$12,995`, `CN¥128,000`, `SEK 150,000` (with a no-break
/// space): never a symbol that another currency writes too.
pub fn price(price: &Price) -> String {
    let code = price.currency_code();
    let amount = price.amount();
    let (sign, amount) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount.as_str()),
    };
    match symbol(code) {
        Some(symbol) => format!("{sign}{symbol}{amount}"),
        None => format!("{sign}{code}\u{a0}{amount}"),
    }
}

/// The symbol that names `code` and no other currency, if there is one.
fn symbol(code: &str) -> Option<String> {
    if let Some((_, prefixed)) = PREFIXED.iter().find(|(c, _)| *c == code) {
        return Some((*prefixed).to_string());
    }
    let symbol = Currency::from_code(code)?.symbol().to_string();
    let own = match SHARED.iter().find(|(s, _)| *s == symbol) {
        Some((_, owner)) => *owner == Some(code),
        None => true,
    };
    (own && !symbol.is_empty() && symbol != code).then_some(symbol)
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
        assert_eq!(price(&p(1_500_000, "JPY")), "JP¥1,500,000");
        assert_eq!(p(1_850_000, "EUR").decimal(), "18500.00");
        assert_eq!(p(1_500_000, "JPY").decimal(), "1500000");
        assert_eq!(major_units(&p(1_850_099, "EUR")), 18_500);
    }

    #[test]
    fn a_price_names_a_currency_no_other_could_be_taken_for() {
        assert_eq!(price(&p(1_299_500, "USD")), "US$12,995");
        assert_eq!(price(&p(1_649_500, "CAD")), "CA$16,495");
        assert_eq!(price(&p(2_000_000, "AUD")), "A$20,000");
        assert_eq!(price(&p(15_000_000, "SEK")), "SEK\u{a0}150,000");
        assert_eq!(price(&p(15_000_000, "NOK")), "NOK\u{a0}150,000");
        assert_eq!(price(&p(500_000, "EGP")), "EGP\u{a0}5,000");
        assert_eq!(price(&p(500_000, "ARS")), "ARS\u{a0}5,000");
        assert_eq!(price(&p(2_000_000, "KRW")), "₩2,000,000");
        assert_eq!(price(&p(100_000, "INR")), "₹1,000");
        assert_eq!(price(&p(100_000, "XYZ")), "XYZ\u{a0}1,000");
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
