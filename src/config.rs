//! `config.toml`: every setting with its default. Unknown keys are errors, so a misspelt
//! setting is reported with its line instead of being silently ignored.

use crate::diagnostics::{Problem, line_of_offset};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

pub const FILE_NAME: &str = "config.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Site name, shown in the header and in `<title>`.
    pub title: String,
    pub description: String,
    /// Absolute URL the site is published at, without a trailing slash.
    pub base_url: String,
    /// Folder name under `themes/`.
    pub theme: String,
    pub default_language: String,
    /// Extra languages, by code; the default language is not listed here.
    pub languages: BTreeMap<String, LanguageConfig>,
    /// Cars (or pages) per list page.
    pub paginate_by: usize,
    /// Minify HTML, CSS and JS in the output.
    pub minify: bool,
    /// Show the VIN on car pages; some markets treat it as personal data.
    pub show_vin: bool,
    /// Where visitors send privacy and deletion requests; shown in the footer and policies.
    pub contact_email: String,
    pub feeds: FeedsConfig,
    pub recommend: RecommendConfig,
    pub images: ImagesConfig,
    pub policies: PoliciesConfig,
    pub history: HistoryConfig,
    /// Where `showroom deploy` publishes, and where `showroom state` keeps the state.
    pub deploy: DeployConfig,
    /// Free-form values handed to templates as `site.extra`.
    pub extra: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Showroom".into(),
            description: String::new(),
            base_url: "http://localhost".into(),
            theme: "showroom".into(),
            default_language: "en".into(),
            languages: BTreeMap::new(),
            paginate_by: 24,
            minify: true,
            show_vin: true,
            contact_email: String::new(),
            feeds: FeedsConfig::default(),
            recommend: RecommendConfig::default(),
            images: ImagesConfig::default(),
            policies: PoliciesConfig::default(),
            history: HistoryConfig::default(),
            deploy: DeployConfig::default(),
            extra: toml::Table::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageConfig {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// A feed file larger than this is rejected unread.
    pub max_file_bytes: u64,
    /// A single field longer than this rejects its row.
    pub max_field_bytes: usize,
    /// Photos kept per car, in the feed's order; the rest are left out with a warning.
    pub max_photos: usize,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            max_file_bytes: 64 * 1024 * 1024,
            max_field_bytes: 16 * 1024,
            max_photos: 40,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecommendConfig {
    /// How many cars a "Recommended Cars" section shows.
    pub count: usize,
}

impl Default for RecommendConfig {
    fn default() -> Self {
        RecommendConfig { count: 4 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImagesConfig {
    /// Widths, in pixels, of the responsive variants made of each local photo.
    pub widths: Vec<u32>,
    /// JPEG and WebP quality, 1 to 100.
    pub quality: u8,
    /// A photo with more pixels than this is left out unread, with a warning: decoding
    /// it would take too much memory (a 40 MP photo is 120 MB of pixels).
    pub max_pixels: u64,
    /// A photo file larger than this is left out without being read.
    pub max_photo_bytes: u64,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            widths: vec![480, 960, 1600],
            quality: 80,
            max_pixels: 40_000_000,
            max_photo_bytes: 32 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoliciesConfig {
    /// Days before a new policy version takes effect that every page shows a notice.
    pub notice_days: u32,
}

impl Default for PoliciesConfig {
    fn default() -> Self {
        PoliciesConfig { notice_days: 14 }
    }
}

/// How long the inventory ledger's news stays news (see docs/history.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryConfig {
    /// A car first seen this many days ago or less is "New".
    pub new_days: u32,
    /// A price cut this many days ago or less shows as "Price reduced" and in the
    /// "Recently reduced" list.
    pub reduced_days: u32,
    /// A sold car, or one gone from its feed, keeps its page ("Sold") this many days.
    pub sold_page_days: u32,
    /// The ledger forgets a car this many days after it was sold or went; one that comes
    /// back sooner keeps its history.
    pub forget_days: u32,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            new_days: 7,
            reduced_days: 30,
            sold_page_days: 30,
            forget_days: 90,
        }
    }
}

/// `[deploy]`: an S3-compatible bucket. Credentials never come from here, only from the
/// environment or an AWS profile (see docs/deploy.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployConfig {
    /// Required by `showroom deploy` and `showroom state`.
    pub bucket: Option<String>,
    /// Key prefix the site is published under (`""`: the bucket's root), without `/` at
    /// either end.
    pub prefix: String,
    /// The S3 API's URL, for anything but AWS (R2, MinIO, B2, …); AWS by default.
    pub endpoint: Option<String>,
    pub region: String,
    /// More deletes than this stop the deploy before it changes anything.
    pub max_deletes: usize,
    /// Days a superseded fingerprinted file (CSS, JS, photo) stays in the bucket, for the
    /// pages cached at the edge that still reference it.
    pub keep_assets_days: u32,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// How long a deploy's lock holds without being renewed; a deploy that was killed
    /// blocks the next one (from another machine) at most this long.
    pub lock_seconds: u64,
    /// Bucket for `showroom state push`/`pull`; the site's bucket by default.
    pub state_bucket: Option<String>,
    /// Key prefix of the state, outside the site's prefix.
    pub state_prefix: String,
}

impl Default for DeployConfig {
    fn default() -> Self {
        DeployConfig {
            bucket: None,
            prefix: String::new(),
            endpoint: None,
            region: "us-east-1".into(),
            max_deletes: 256,
            keep_assets_days: 7,
            concurrency: 16,
            lock_seconds: 60,
            state_bucket: None,
            state_prefix: "showroom-state".into(),
        }
    }
}

impl Config {
    /// Reads `<root>/config.toml`; a missing file means all defaults.
    pub fn load(root: &Path) -> Result<Config, Problem> {
        let path = root.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Problem::error(format!("cannot read: {e}")).in_file(FILE_NAME));
            }
        };
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config, Problem> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let mut p = Problem::error(e.message().trim().to_string()).in_file(FILE_NAME);
            if let Some(span) = e.span() {
                p = p.at_line(line_of_offset(text, span.start));
            }
            p
        })?;
        config.validate(text)?;
        config.base_url = check_base_url(&config.base_url).expect("validated above");
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), Problem> {
        // Where each checked key is written, for the error's line.
        let spans: Spans = toml::from_str(text).unwrap_or_default();
        let at = |key: &str, span: &Option<Spanned<toml::Value>>, message: String| {
            let p = Problem::error(message).in_file(FILE_NAME).with_field(key);
            match span {
                Some(span) => p.at_line(line_of_offset(text, span.span().start)),
                None => p,
            }
        };
        if let Err(error) = check_base_url(&self.base_url) {
            return Err(at("base_url", &spans.base_url, error.to_string()));
        }
        if self.paginate_by == 0 {
            let message = "expected a number of at least 1".into();
            return Err(at("paginate_by", &spans.paginate_by, message));
        }
        if self.recommend.count == 0 {
            let message = "expected a number of at least 1".into();
            return Err(at("count", &spans.recommend.count, message));
        }
        if self.images.widths.is_empty() || self.images.widths.contains(&0) {
            let message = "expected a list of widths of at least 1 pixel".into();
            return Err(at("widths", &spans.images.widths, message));
        }
        if !(1..=100).contains(&self.images.quality) {
            let message = "expected a number from 1 to 100".into();
            return Err(at("quality", &spans.images.quality, message));
        }
        if let Err((key, message)) = self.deploy.check() {
            return Err(at(key, &spans.deploy.get(key).cloned(), message));
        }
        if self.languages.contains_key(&self.default_language) {
            return Err(at(
                "default_language",
                &spans.default_language,
                format!(
                    "`{}` is the default language; do not list it under [languages]",
                    self.default_language
                ),
            ));
        }
        Ok(())
    }

    /// `base_url` joined with a site path such as `/cars/`.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }
}

/// A `base_url` that is not an absolute http(s) URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an absolute http(s) URL like \"https://cars.example\", found {0:?}")]
pub struct BaseUrlError(String);

/// Where the keys [`Config::validate`] checks are written.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Spans {
    base_url: Option<Spanned<toml::Value>>,
    paginate_by: Option<Spanned<toml::Value>>,
    default_language: Option<Spanned<toml::Value>>,
    recommend: RecommendSpans,
    images: ImagesSpans,
    deploy: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct RecommendSpans {
    count: Option<Spanned<toml::Value>>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct ImagesSpans {
    widths: Option<Spanned<toml::Value>>,
    quality: Option<Spanned<toml::Value>>,
}

impl DeployConfig {
    /// The first key that is wrong, and what was expected.
    fn check(&self) -> Result<(), (&'static str, String)> {
        let bucket_name = |key: &'static str, name: &Option<String>| match name {
            Some(name) if !valid_bucket(name) => Err((
                key,
                format!(
                    "expected a bucket name (lower-case letters, digits, `.` and `-`), found {name:?}"
                ),
            )),
            _ => Ok(()),
        };
        bucket_name("bucket", &self.bucket)?;
        bucket_name("state_bucket", &self.state_bucket)?;
        for (key, prefix) in [
            ("prefix", &self.prefix),
            ("state_prefix", &self.state_prefix),
        ] {
            if !valid_prefix(prefix) {
                return Err((
                    key,
                    format!(
                        "expected a key prefix like \"site\" or \"sites/cars\" (no `/` at either \
                         end, no empty, `.` or `..` parts), found {prefix:?}"
                    ),
                ));
            }
        }
        if self.state_prefix.is_empty() {
            return Err(("state_prefix", "expected a key prefix, found \"\"".into()));
        }
        if let Some(endpoint) = &self.endpoint {
            let fine = url::Url::parse(endpoint).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if !fine {
                return Err((
                    "endpoint",
                    format!(
                        "expected an http(s) URL like \"https://s3.example.com\", found {endpoint:?}"
                    ),
                ));
            }
        }
        if self.region.is_empty() {
            return Err((
                "region",
                "expected a region like \"us-east-1\" or \"auto\"".into(),
            ));
        }
        if self.concurrency == 0 {
            return Err(("concurrency", "expected a number of at least 1".into()));
        }
        if self.lock_seconds < 5 {
            return Err(("lock_seconds", "expected a number of at least 5".into()));
        }
        Ok(())
    }
}

/// S3's rules for bucket names, loosely: R2 and MinIO follow them too.
fn valid_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn valid_prefix(prefix: &str) -> bool {
    prefix.is_empty()
        || prefix
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

/// A `base_url` ends up in every page, `robots.txt` and the sitemaps: only an absolute
/// http(s) URL with a host, and nothing after its path, is taken, and it is used as the
/// URL parser writes it back (scheme and host in lower case, the path escaped), without
/// a trailing `/`.
pub fn check_base_url(text: &str) -> Result<String, BaseUrlError> {
    let expected = || BaseUrlError(text.to_string());
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(expected());
    }
    let url = url::Url::parse(text).map_err(|_| expected())?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !fine {
        return Err(expected());
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_absolute_http_urls_with_a_host() {
        for (good, written) in [
            ("https://cars.example", "https://cars.example"),
            ("http://localhost:1111/", "http://localhost:1111"),
            ("HTTPS://Cars.Example/shop/", "https://cars.example/shop"),
            ("https:a.example", "https://a.example"),
            ("https://a.example/x\"<y", "https://a.example/x%22%3Cy"),
        ] {
            assert_eq!(check_base_url(good).as_deref(), Ok(written), "{good}");
        }
        for bad in [
            "javascript:alert(1)//",
            "https://",
            "ftp://cars.example",
            "cars.example",
            "https://a.example/\nSitemap: https://evil.example/",
            "https://a.example/?q=1",
            "https://user@a.example/",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn images_keys_have_defaults_and_reject_a_zero_width_or_quality_out_of_range() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.images.widths, [480, 960, 1600]);
        assert_eq!(config.images.quality, 80);
        assert_eq!(config.images.max_pixels, 40_000_000);
        let parsed = Config::parse("[images]\nmax_pixels = 1000\nquality = 60\n").unwrap();
        assert_eq!(
            (parsed.images.max_pixels, parsed.images.quality),
            (1000, 60)
        );
        for bad in [
            "widths = []",
            "widths = [0, 480]",
            "quality = 0",
            "quality = 101",
        ] {
            let err = Config::parse(&format!("[images]\n{bad}\n")).unwrap_err();
            assert_eq!(err.line, Some(2), "{bad}: {err}");
        }
    }
}
