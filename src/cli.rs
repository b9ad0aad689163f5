//! The command line: clap turns arguments into these types, and [`resolve_date`] turns
//! the raw date inputs into the one build date the library takes.

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "showroom",
    version,
    about = "Static sites for multi-brand used-car marketplaces"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (replaced only when the build succeeds).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder [default: <root>/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Publish under this URL instead of `base_url` from config.toml.
        #[arg(long, value_parser = base_url)]
        base_url: Option<String>,
        /// Fail (exit 1, keep the previous output) on a supplier's errors too, not only on
        /// the site's own.
        #[arg(long)]
        strict: bool,
    },
    /// Load and render everything, write nothing, report every problem.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a new site into a new or empty folder: config, pages, the two policies, one
    /// supplier with a sample feed, and the theme.
    Init {
        /// The folder to create the site in.
        folder: PathBuf,
        /// The policies' effective date and the sample cars' update date [default:
        /// $SOURCE_DATE_EPOCH's day, or today]
        #[arg(long)]
        date: Option<Date>,
    },
    /// Publish the built output to the S3-compatible bucket of [deploy] in config.toml:
    /// only what changed since the last deploy, assets first, deletes last.
    Deploy {
        /// The site's folder.
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
        /// The built output [default: <root>/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print the plan (counts and bytes per kind, the first paths of each); change
        /// nothing.
        #[arg(long)]
        dry_run: bool,
        /// Allow this many deletes [default: max_deletes in [deploy], 256]
        #[arg(long)]
        max_deletes: Option<usize>,
        /// Where to write what the deploy did, with the changed paths to purge from a
        /// CDN [default: <root>/reports/deploy.json]
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Keep the build's state (.showroom/state/) in the deploy bucket, outside the site,
    /// for CI runners that start empty: pull before a build, push after it.
    State {
        #[command(subcommand)]
        action: StateAction,
    },
    /// Serve a live preview that rebuilds on every change.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StateAction {
    /// Make .showroom/state/ what was last pushed (a no-op when nothing was).
    Pull {
        /// The site's folder.
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
    },
    /// Upload .showroom/state/ where it differs from what the bucket holds.
    Push {
        /// The site's folder.
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// The site's folder.
    #[arg(long, short, default_value = ".")]
    pub root: PathBuf,
    /// Build the site as of this day (YYYY-MM-DD) [default: $SOURCE_DATE_EPOCH's day, or today]
    #[arg(long)]
    pub date: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn base_url(text: &str) -> Result<String, crate::config::BaseUrlError> {
    crate::config::check_base_url(text)
}

/// `--date` wins, then `SOURCE_DATE_EPOCH` (seconds since 1970, read as a UTC day), then
/// today. A malformed `SOURCE_DATE_EPOCH` is an error rather than a silent "today".
pub fn resolve_date(
    flag: Option<Date>,
    source_date_epoch: Option<&str>,
    today: Date,
) -> Result<Date, EpochError> {
    if let Some(date) = flag {
        return Ok(date);
    }
    match source_date_epoch {
        Some(raw) => raw
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
            .ok_or_else(|| EpochError(raw.to_string())),
        None => Ok(today),
    }
}

/// A `SOURCE_DATE_EPOCH` that is not a number of seconds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SOURCE_DATE_EPOCH must be whole seconds since 1970, found {0:?}")]
pub struct EpochError(String);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn date_flag_beats_source_date_epoch_beats_today() {
        let today = date(2026, 1, 1);
        assert_eq!(
            resolve_date(Some(date(2025, 5, 28)), Some("0"), today),
            Ok(date(2025, 5, 28))
        );
        assert_eq!(
            resolve_date(None, Some("1748390400"), today),
            Ok(date(2025, 5, 28))
        );
        assert_eq!(resolve_date(None, None, today), Ok(today));
        assert!(resolve_date(None, Some("yesterday"), today).is_err());
    }
}
