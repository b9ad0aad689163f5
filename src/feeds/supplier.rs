use super::listing::{Availability, BodyStyle, Drivetrain, FuelType, Transmission, VehicleState};
use super::names::squash;
use serde::Serialize;
use std::collections::BTreeMap;

/// A supplier's id: its folder name under `data/feeds/`, `[a-z0-9-]+`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SupplierId(String);

impl SupplierId {
    /// `None` unless `id` is its own slug: lowercase ASCII letters and digits, in words
    /// joined by single hyphens. A name that is safe as a folder and a URL segment, and
    /// never empty once slugified (`-` would put a car at `/cars/`).
    pub fn parse(id: &str) -> Option<SupplierId> {
        let ok = id.len() <= 64
            && id.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        ok.then(|| SupplierId(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SupplierId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplier {
    pub id: SupplierId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// http(s) only.
    pub website: Option<String>,
    /// ISO 4217 code used for prices given as a bare number.
    pub default_currency: Option<String>,
    /// Listings last updated longer ago than this are stale.
    pub max_age_days: Option<u32>,
    /// This supplier's own accuracy line, shown above the theme's disclaimer (never
    /// instead of it) on its cars.
    pub disclaimer: Option<String>,
    /// The supplier's own words for our values.
    pub values: ValueMap,
}

impl Supplier {
    /// The days its last good copy may stand in for an unreadable feed: its
    /// `max_age_days`, past which its cars would be stale anyway, or thirty.
    pub fn fallback_days(&self) -> u32 {
        self.max_age_days.unwrap_or(DEFAULT_FALLBACK_DAYS)
    }
}

const DEFAULT_FALLBACK_DAYS: u32 = 30;

/// A supplier's own words for our values, from `[suppliers.values.<field>]` in the
/// registry (`Kombi = "WAGON"`): read before our own spellings, so a supplier's word
/// always means what its map says.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ValueMap {
    pub body_style: Words<BodyStyle>,
    pub fuel_type: Words<FuelType>,
    pub transmission: Words<Transmission>,
    pub drivetrain: Words<Drivetrain>,
    pub availability: Words<Availability>,
    pub state_of_vehicle: Words<VehicleState>,
}

/// Words and the values they stand for, keyed by the word [`squash`]ed: matched as enum
/// words are, with case, spaces, `-` and `_` ignored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Words<T>(BTreeMap<String, T>);

impl<T> Default for Words<T> {
    fn default() -> Self {
        Words(BTreeMap::new())
    }
}

impl<T: Copy> Words<T> {
    pub fn new(words: impl IntoIterator<Item = (String, T)>) -> Words<T> {
        Words(words.into_iter().map(|(w, v)| (squash(&w), v)).collect())
    }

    pub fn get(&self, word: &str) -> Option<T> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(&squash(word)).copied()
    }
}
