use serde::Serialize;

/// A supplier's id: its folder name under `data/feeds/`, `[a-z0-9-]+`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SupplierId(String);

impl SupplierId {
    /// `None` unless `id` is non-empty lowercase ASCII letters, digits and hyphens: a
    /// name that is safe as a folder, a URL segment and a slug part.
    pub fn parse(id: &str) -> Option<SupplierId> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
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
    /// Replaces the theme's accuracy disclaimer on this supplier's cars.
    pub disclaimer: Option<String>,
}
