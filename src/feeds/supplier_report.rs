//! What a build tells one supplier, file by file: in `check --format json`, in its
//! report under `reports/`, and in the terminal; and what of it the state keeps.

use super::Supplier;
use super::file::FileLoad;
use crate::diagnostics::Problem;
use crate::state::feeds::{Outcome, Saved, save_outcomes};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// What a build tells one supplier: in `check --format json`, in its report under
/// `reports/`, and in the terminal.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct SupplierReport {
    pub id: String,
    pub name: String,
    /// The feed files its cars came from, read now or standing in.
    pub files: Vec<String>,
    /// What became of each of them.
    pub feeds: Vec<FeedStatus>,
    /// Cars published (sold and stale ones included).
    pub accepted: usize,
    /// Rows refused, and offers dropped as duplicates.
    pub rejected: usize,
    /// Rows the supplier marked as not to be published (archived, hidden, staging).
    pub withheld: usize,
    pub problems: Vec<Problem>,
}

impl SupplierReport {
    /// Cars no longer published because their feed could not be read and its last good
    /// copy is too old (or there is none).
    pub fn withdrawn(&self) -> usize {
        self.feeds
            .iter()
            .map(|f| match f.state {
                FeedState::Withdrawn { withdrawn, .. } => withdrawn,
                _ => 0,
            })
            .sum()
    }

    /// A feed of its could not be read and no copy stood in: what it holds today is not
    /// known.
    pub fn unread(&self) -> bool {
        self.feeds
            .iter()
            .any(|f| matches!(f.state, FeedState::Withdrawn { .. }))
    }

    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

/// One feed file of a supplier in one build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedStatus {
    /// Relative to the site root.
    pub file: String,
    #[serde(flatten)]
    pub state: FeedState,
    /// Cars it gave this build.
    pub cars: usize,
    /// Its modification day, as read (or as read then, for a copy standing in).
    pub modified: Option<Date>,
    /// What the state folder keeps of it after a successful build.
    #[serde(skip)]
    pub kept: Option<Saved>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FeedState {
    /// Read now.
    Read,
    /// Unreadable now; its copy read successfully on `read_on` stands in until `until`.
    LastGood { read_on: Date, until: Date },
    /// Unreadable now, and no copy young enough stands in: the cars it gave when last
    /// read (on `read_on`) are withdrawn.
    Withdrawn {
        read_on: Option<Date>,
        withdrawn: usize,
        because: Withdrawal,
    },
}

/// Why no copy stood in for an unreadable feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawal {
    /// No copy of it was ever read.
    NoCopy,
    /// Its copy is older than the supplier's `max_age_days`.
    TooOld,
    /// Its copy is gone from the state folder, or no longer reads.
    CopyLost,
}

impl FeedStatus {
    pub(super) fn read(file: &str, load: &FileLoad, today: Date) -> FeedStatus {
        FeedStatus {
            file: file.to_string(),
            state: FeedState::Read,
            cars: load.listings.len(),
            modified: load.modified,
            kept: load.blake3.clone().map(|blake3| Saved {
                blake3,
                read_on: today,
                modified: load.modified,
                cars: load.listings.len(),
            }),
        }
    }

    /// What the supplier is told about a file that could not be read.
    pub(super) fn problem(&self, file: &str, supplier: &Supplier) -> Option<Problem> {
        let message = match &self.state {
            FeedState::Read => return None,
            FeedState::LastGood { read_on, until } => format!(
                "its last good copy, read on {read_on}, is published instead ({} cars), \
                 until {until} at the latest ({} days: max_age_days)",
                self.cars,
                supplier.fallback_days()
            ),
            FeedState::Withdrawn {
                read_on,
                withdrawn,
                because,
            } => {
                let read_on = read_on.map_or_else(String::new, |d| d.to_string());
                match because {
                    Withdrawal::NoCopy => {
                        "no earlier copy of it was ever read, so no car of it is published".into()
                    }
                    Withdrawal::TooOld => format!(
                        "its last good copy, read on {read_on}, is more than {} days old \
                         (max_age_days), so its {withdrawn} cars are withdrawn until a \
                         readable feed arrives",
                        supplier.fallback_days()
                    ),
                    Withdrawal::CopyLost => format!(
                        "its last good copy, read on {read_on}, is missing from \
                         .showroom/state/ or no longer reads, so its {withdrawn} cars are \
                         withdrawn until a readable feed arrives"
                    ),
                }
            }
        };
        Some(Problem::warning(message).in_file(file))
    }
}

/// Saves what a build that published read ([`save_outcomes`]); a failure is a warning,
/// since the site itself is fine.
pub fn save_last_good(root: &Path, suppliers: &[SupplierReport]) -> Option<Problem> {
    let e = save_outcomes(root, outcomes(root, suppliers)).err()?;
    Some(Problem::warning(format!(
        "cannot save the suppliers' last good feeds in {}: {e}; an unreadable feed in the \
         next build falls back to the copies saved before",
        crate::state::state_dir(root).display()
    )))
}

/// What a build's supplier reports say to keep: by supplier id and file name.
fn outcomes(
    root: &Path,
    suppliers: &[SupplierReport],
) -> BTreeMap<String, BTreeMap<String, Outcome>> {
    suppliers
        .iter()
        .map(|report| {
            let files = report
                .feeds
                .iter()
                .filter_map(|feed| {
                    let name = feed
                        .file
                        .rsplit('/')
                        .next()
                        .unwrap_or(&feed.file)
                        .to_string();
                    let saved = feed.kept.clone()?;
                    let outcome = match feed.state {
                        FeedState::Read => Outcome::Read {
                            saved,
                            source: root.join(&feed.file),
                        },
                        _ => Outcome::Kept(saved),
                    };
                    Some((name, outcome))
                })
                .collect();
            (report.id.clone(), files)
        })
        .collect()
}
