use serde::Serialize;

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
}
