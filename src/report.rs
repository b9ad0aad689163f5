//! What a run found and did, for `main.rs` to print and exit on: every problem, each
//! supplier's report, and what was rendered and written.

use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::SupplierReport;
use crate::images;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// What a build or check found, in the shape `showroom check --format json` prints.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub errors: usize,
    pub warnings: usize,
    pub suppliers: Vec<SupplierReport>,
    pub problems: Diagnostics,
    /// Pages the site publishes (and, for a build, written).
    #[serde(skip)]
    pub pages: usize,
    /// Of those, rendered by this run: all of them, but fewer when a serve rebuild
    /// renders only content pages ([`crate::Scope::Content`]).
    #[serde(skip)]
    pub rendered: usize,
    /// Nothing changed since the last build, so nothing was rendered or written.
    #[serde(skip)]
    pub unchanged: bool,
    /// Local photos encoded by this build, and taken from the photo cache.
    #[serde(skip)]
    pub photos: images::Stats,
    /// The photo cache entries the rendered site uses.
    #[serde(skip)]
    pub(crate) photo_entries: BTreeSet<PathBuf>,
}

impl Report {
    pub(crate) fn new(
        problems: Diagnostics,
        suppliers: Vec<SupplierReport>,
        pages: usize,
    ) -> Report {
        Report {
            errors: problems.errors(),
            warnings: problems.warnings(),
            suppliers,
            problems,
            pages,
            rendered: 0,
            unchanged: false,
            photos: images::Stats::default(),
            photo_entries: BTreeSet::new(),
        }
    }

    /// Any error, in the site's files or in a supplier's feed: `check` fails on it.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Whether these problems keep a build from publishing: errors in the site's own
    /// files always; a supplier's errors only when the build is `strict`.
    pub fn blocks(&self, strict: bool) -> bool {
        if strict {
            self.has_errors()
        } else {
            self.problems.has_site_errors()
        }
    }

    pub(crate) fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.extend(problems);
        self.errors = self.problems.errors();
        self.warnings = self.problems.warnings();
    }

    /// The value of a step that may fail; its failure becomes a problem.
    pub(crate) fn take<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|problem| self.extend([problem])).ok()
    }
}
