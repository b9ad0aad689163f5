//! The inventory ledger: what happened to each car across builds. For every car (its
//! supplier and `vehicle_id`) the day it was first and last seen, its asking price each
//! time it changed, its status each time it changed (available, reserved, sold,
//! withdrawn from the feed), and a few facts to show its page by once it is gone from
//! its feed.
//!
//! Kept in `state/ledger.bin`: a version line, then the ledger in `postcard`'s compact
//! binary form, which a year of daily builds at 100 000 cars keeps to tens of megabytes
//! and reads and writes in a fraction of a second. Only a build that published writes
//! it, replacing it in one rename.

use super::{state_dir, write_atomically};
use crate::diagnostics::Problem;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FILE: &str = "ledger.bin";
/// The first line of the file: which layout follows. Another is read as no ledger.
const MAGIC: &[u8] = b"showroom ledger 1\n";

/// A day as the number of days since 1970-01-01.
pub type Day = i32;

pub fn day(date: Date) -> Day {
    date.since(jiff::civil::date(1970, 1, 1))
        .map(|span| span.get_days())
        .unwrap_or(0)
}

pub fn date(day: Day) -> Date {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .unwrap_or(jiff::civil::date(1970, 1, 1))
}

/// What became of a car on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Available,
    Reserved,
    Sold,
    /// Gone from its supplier's feed.
    Withdrawn,
}

/// A car's asking price from a day on, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePoint {
    pub day: Day,
    pub minor: i64,
    pub currency: [u8; 3],
}

/// What a car's page shows once it is gone from its feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub title: String,
    pub make: String,
    pub model: String,
    pub year: Option<u16>,
    pub vin: Option<String>,
}

/// One car's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub first_seen: Day,
    pub last_seen: Day,
    /// Oldest first; a new point only when the price changed.
    pub prices: Vec<PricePoint>,
    /// Oldest first; a new point only when the status changed.
    pub statuses: Vec<(Day, Status)>,
    pub facts: Facts,
}

impl Entry {
    pub fn status(&self) -> Status {
        self.statuses.last().map_or(Status::Available, |&(_, s)| s)
    }

    /// The day of the last change of status.
    pub fn status_since(&self) -> Day {
        self.statuses
            .last()
            .map_or(self.first_seen, |&(day, _)| day)
    }
}

/// Every car's history, by `<supplier-id>/<vehicle_id>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub cars: BTreeMap<String, Entry>,
}

impl Ledger {
    /// Reads the ledger. None yet is an empty ledger (`fresh` says so); one that cannot
    /// be read is a warning and an empty ledger, set aside by the next successful build.
    pub fn load(root: &Path) -> (Loaded, Option<Problem>) {
        let path = path(root);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Loaded::fresh(), None);
            }
            Err(e) => return (Loaded::damaged(), Some(damaged(&path, &e.to_string()))),
        };
        let parsed = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| "it is not a ledger of this version".to_string())
            .and_then(|body| postcard::from_bytes::<Ledger>(body).map_err(|e| e.to_string()));
        match parsed {
            Ok(ledger) => (
                Loaded {
                    ledger,
                    fresh: false,
                    damaged: false,
                },
                None,
            ),
            Err(why) => (Loaded::damaged(), Some(damaged(&path, &why))),
        }
    }

    /// Writes the ledger in place of the last one, setting a damaged one aside first.
    pub fn save(&self, root: &Path, set_aside: bool) -> std::io::Result<()> {
        let path = path(root);
        if set_aside {
            let _ = std::fs::rename(&path, path.with_extension("bin.damaged"));
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend(postcard::to_stdvec(self).map_err(std::io::Error::other)?);
        write_atomically(&path, &bytes)
    }
}

/// A ledger as read, and how.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub ledger: Ledger,
    /// There was no ledger: every car is seen for the first time.
    pub fresh: bool,
    /// There was one that could not be read: the next build sets it aside.
    pub damaged: bool,
}

impl Loaded {
    fn fresh() -> Loaded {
        Loaded {
            fresh: true,
            ..Loaded::default()
        }
    }

    fn damaged() -> Loaded {
        Loaded {
            fresh: true,
            damaged: true,
            ..Loaded::default()
        }
    }
}

pub fn path(root: &Path) -> PathBuf {
    state_dir(root).join(FILE)
}

fn damaged(path: &Path, why: &str) -> Problem {
    Problem::warning(format!(
        "the inventory ledger cannot be read ({why}); a fresh one is started, so no car \
         shows its history in this build, and the next successful build sets this one aside"
    ))
    .in_file(path.to_string_lossy())
}
