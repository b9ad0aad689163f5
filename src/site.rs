//! The site model: everything the later stages need, loaded once from the site root.

use crate::config::{Config, FeedsConfig};
use crate::content::{self, Page};
use crate::diagnostics::{Diagnostics, Problem, line_of_offset};
use crate::feeds::{self, Inventory, SupplierReport};
use crate::history::{self, History};
use crate::policies::{self, Policies};
use crate::state::ledger::Ledger;
use jiff::civil::Date;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything under the site root a build reads.
pub const INPUTS: [&str; 6] = [
    "config.toml",
    "content",
    "data",
    "themes",
    "static",
    "templates",
];

/// What the command line may change about a site before it loads.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub root: PathBuf,
    /// Replaces `base_url` from `config.toml` (e.g. for a preview deployment).
    pub base_url: Option<String>,
    /// The day the site is built "as of": policy in force, staleness.
    pub date: Date,
}

pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub date: Date,
    pub pages: Vec<Page>,
    pub inventory: Inventory,
    pub policies: Policies,
    /// The cars marketing pinned for Recommended Cars.
    pub pins: Pins,
    /// What happened to each car across builds, one entry per listing.
    pub history: History,
}

impl Site {
    /// Loads config, feeds and content. `None` when the config itself is unusable; the
    /// diagnostics say why. Otherwise every stage has run and added its problems.
    pub fn load(options: &LoadOptions) -> (Option<Site>, Diagnostics) {
        Site::load_with(options, feeds::load)
    }

    /// Like [`Site::load`], with the feeds stage supplied by the caller: `serve` keeps the
    /// parsed feeds between rebuilds in which no feed changed.
    pub fn load_with(
        options: &LoadOptions,
        load_feeds: impl FnOnce(&Path, &FeedsConfig, Date) -> (Inventory, Diagnostics) + Send,
    ) -> (Option<Site>, Diagnostics) {
        let mut problems = Diagnostics::default();
        let root = options.root.as_path();
        let mut config = match Config::load(root) {
            Ok(c) => c,
            Err(p) => {
                problems.push(p);
                return (None, problems);
            }
        };
        if let Some(url) = &options.base_url {
            match crate::config::check_base_url(url) {
                Ok(url) => config.base_url = url,
                Err(message) => {
                    problems.push(
                        Problem::error(format!("--base-url: {message}")).with_field("base_url"),
                    );
                    return (None, problems);
                }
            }
        }
        let languages = languages(&config);
        let (((mut inventory, feed_problems), ledger), (pages, page_problems)) = rayon::join(
            || {
                rayon::join(
                    || load_feeds(root, &config.feeds, options.date),
                    || Ledger::load(root),
                )
            },
            || content::load(root, &config.default_language, &languages),
        );
        problems.extend(feed_problems);
        problems.extend(page_problems);
        let ledger = problems.take(ledger);
        let suppliers: Vec<_> = inventory.suppliers.iter().map(|s| s.id.clone()).collect();
        let unread: Vec<_> = inventory
            .suppliers
            .iter()
            .filter(|s| {
                let report = inventory.reports.iter().find(|r| r.id == s.id.as_str());
                report.is_some_and(SupplierReport::unread)
            })
            .map(|s| s.id.clone())
            .collect();
        let history = history::record(
            ledger,
            &mut inventory.listings,
            &suppliers,
            &unread,
            options.date,
            &config.history,
        );
        let (policies, policy_problems) =
            policies::load(root, &config.policies, &languages, options.date);
        problems.extend(policy_problems);
        let pins = problems.take(Pins::load(root));
        let site = Site {
            root: root.to_path_buf(),
            config,
            date: options.date,
            pages,
            inventory,
            policies,
            pins,
            history,
        };
        (Some(site), problems)
    }

    /// The default language first, then the others in configuration order.
    pub fn languages(&self) -> Vec<String> {
        languages(&self.config)
    }

    /// What a language's URLs start with: nothing for the default language, `/zh` for
    /// `zh`.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.config.default_language {
            String::new()
        } else {
            format!("/{lang}")
        }
    }

    pub fn theme_dir(&self) -> PathBuf {
        theme_dir(&self.root, &self.config)
    }
}

fn languages(config: &Config) -> Vec<String> {
    std::iter::once(config.default_language.clone())
        .chain(config.languages.keys().cloned())
        .collect()
}

fn theme_dir(root: &Path, config: &Config) -> PathBuf {
    root.join("themes").join(&config.theme)
}

/// Cars marketing pins for "Recommended Cars", relative to the site root.
pub const PINS_FILE: &str = "data/recommended.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PinsFile {
    #[serde(default)]
    pinned: Vec<toml::Spanned<String>>,
}

/// The cars marketing pinned in `data/recommended.toml`, as `<supplier-id>/<vehicle_id>`
/// with the line each is on: read with the site, resolved against its cars here.
#[derive(Debug, Default, Clone)]
pub struct Pins(Vec<(String, u32)>);

impl Pins {
    /// Each pin with its line.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.0.iter().map(|(pin, line)| (pin.as_str(), *line))
    }

    /// Reads the pins file; none is no pins, and a file that cannot be read or parsed is
    /// an error with its line.
    pub fn load(root: &std::path::Path) -> (Pins, Option<Problem>) {
        let text = match std::fs::read_to_string(root.join(PINS_FILE)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Pins::default(), None),
            Err(e) => {
                let problem = Problem::error(format!("cannot read: {e}")).in_file(PINS_FILE);
                return (Pins::default(), Some(problem));
            }
        };
        match toml::from_str::<PinsFile>(&text) {
            Ok(file) => {
                let pins = file
                    .pinned
                    .into_iter()
                    .map(|pin| {
                        let line = line_of_offset(&text, pin.span().start);
                        (pin.into_inner(), line)
                    })
                    .collect();
                (Pins(pins), None)
            }
            Err(e) => {
                let mut p = Problem::error(e.message().to_string()).in_file(PINS_FILE);
                if let Some(span) = e.span() {
                    p = p.at_line(line_of_offset(&text, span.start));
                }
                (Pins::default(), Some(p))
            }
        }
    }
}
