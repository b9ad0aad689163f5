use serde::Serialize;

/// A supplier's id: its folder name under `data/feeds/`, `[a-z0-9-]+`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SupplierId(String);

impl SupplierId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize)]
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
    /// Replaces the theme's accuracy disclaimer on this supplier's cars.
    pub disclaimer: Option<String>,
}
