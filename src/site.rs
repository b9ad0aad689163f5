//! The site model: everything the later stages need, loaded once from the site root.

use crate::config::{Config, FeedsConfig};
use crate::content::{self, Page};
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::{self, Inventory};
use crate::policies::{self, Policies};
use crate::recommend::Pins;
use jiff::civil::Date;
use std::path::{Path, PathBuf};

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
        let ((inventory, feed_problems), (pages, page_problems)) = rayon::join(
            || load_feeds(root, &config.feeds, options.date),
            || content::load(root, &config.default_language, &languages),
        );
        problems.extend(feed_problems);
        problems.extend(page_problems);
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
