//! `data/cookies.toml`: every cookie the site sets or allows. The cookie policy shows it as
//! a table and the consent banner offers one choice per category found in it, so the
//! banner can never ask about less than the site really uses.

use crate::diagnostics::{Diagnostics, Problem, line_of_offset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE: &str = "data/cookies.toml";

/// Why a cookie exists, which decides whether it needs consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Needed for the site or for a choice the visitor made; never asked about.
    Necessary,
    Preferences,
    Analytics,
    Marketing,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Necessary,
        Category::Preferences,
        Category::Analytics,
        Category::Marketing,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Preferences => "preferences",
            Category::Analytics => "analytics",
            Category::Marketing => "marketing",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cookie {
    pub name: String,
    /// Who sets it: this site, or the third party named.
    pub provider: String,
    pub category: Category,
    pub purpose: String,
    /// How long it lasts, as visitors should read it ("6 months", "session").
    pub expiry: String,
    /// The visitor-facing fields in other languages (`[cookies.translations.zh]`); a
    /// field left out shows the default language's.
    #[serde(default, skip_serializing)]
    pub translations: BTreeMap<String, CookieText>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CookieText {
    pub provider: Option<String>,
    pub purpose: Option<String>,
    pub expiry: Option<String>,
}

impl Cookie {
    /// The cookie as the policy table shows it in `lang`.
    pub fn in_language(&self, lang: &str) -> Cookie {
        let text = self.translations.get(lang).cloned().unwrap_or_default();
        Cookie {
            provider: text.provider.unwrap_or_else(|| self.provider.clone()),
            purpose: text.purpose.unwrap_or_else(|| self.purpose.clone()),
            expiry: text.expiry.unwrap_or_else(|| self.expiry.clone()),
            translations: BTreeMap::new(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CookiesFile {
    cookies: Vec<Cookie>,
}

/// Reads the inventory; `None` when there is no file. Problems carry the line.
pub fn load(root: &Path) -> (Option<Vec<Cookie>>, Diagnostics) {
    let mut problems = Diagnostics::default();
    let text = match std::fs::read_to_string(root.join(FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, problems),
        Err(e) => {
            problems.push(Problem::error(format!("cannot read: {e}")).in_file(FILE));
            return (None, problems);
        }
    };
    let parsed: CookiesFile = match toml::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            let mut p = Problem::error(e.message().trim().to_string()).in_file(FILE);
            if let Some(span) = e.span() {
                p = p.at_line(line_of_offset(&text, span.start));
            }
            problems.push(p);
            return (None, problems);
        }
    };
    for (i, c) in parsed.cookies.iter().enumerate() {
        for (field, value) in [
            ("name", &c.name),
            ("provider", &c.provider),
            ("purpose", &c.purpose),
            ("expiry", &c.expiry),
        ] {
            if value.trim().is_empty() {
                problems.push(
                    Problem::error(format!("cookie #{} has an empty `{field}`", i + 1))
                        .in_file(FILE)
                        .with_field(field),
                );
            }
        }
    }
    (Some(parsed.cookies), problems)
}
