//! Every stage reports what went wrong as [`Problem`]s instead of printing or panicking,
//! so one bad row or page never hides the rest and `main.rs` decides how to show them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site still builds; something was skipped or looks wrong.
    Warning,
    /// In the site's own files: the build must not publish (exit code 1, previous output
    /// kept). In a supplier's feed: that file's cars are not read, the rest of the site
    /// is still published, unless the build is `--strict`.
    Error,
}

/// One located finding: the file (relative to the site root, `/`-separated), the line in
/// it (1-based, counting every physical line), the field or key, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub field: Option<String>,
    pub message: String,
    /// The supplier whose feed it is about: its errors are the supplier's, and never
    /// stop the rest of the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
}

impl Problem {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Problem {
            severity,
            file: None,
            line: None,
            field: None,
            message: shortened(message.into(), MAX_MESSAGE),
            supplier: None,
        }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(shortened(field.into(), MAX_FIELD));
        self
    }

    pub fn of_supplier(mut self, id: impl Into<String>) -> Self {
        self.supplier = Some(id.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// An error in the site's own files, which no build may publish.
    pub fn is_site_error(&self) -> bool {
        self.is_error() && self.supplier.is_none()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: ")?;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// The problems gathered by one run, in the order stages found them.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Problem>);

impl Diagnostics {
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// A stage's result, its problems kept here: `let plan = problems.take(plan(..))`.
    pub fn take<T>(&mut self, (value, problems): (T, impl IntoIterator<Item = Problem>)) -> T {
        self.0.extend(problems);
        value
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    /// Errors in the site's own files (not in a supplier's feed).
    pub fn has_site_errors(&self) -> bool {
        self.0.iter().any(Problem::is_site_error)
    }

    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Problems grouped by file (problems without a file first), lines in order, for
    /// `showroom check`'s text report.
    pub fn by_file(&self) -> BTreeMap<Option<&str>, Vec<&Problem>> {
        let mut groups: BTreeMap<Option<&str>, Vec<&Problem>> = BTreeMap::new();
        for p in &self.0 {
            groups.entry(p.file.as_deref()).or_default().push(p);
        }
        for list in groups.values_mut() {
            list.sort_by_key(|p| (p.line, p.severity));
        }
        groups
    }
}

impl Extend<Problem> for Diagnostics {
    fn extend<T: IntoIterator<Item = Problem>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Problem> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Problem>>(iter: T) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

/// Longest message and field name kept, in bytes: a feed can name a column with 200 kB,
/// and a report line should still fit a screen.
const MAX_MESSAGE: usize = 600;
const MAX_FIELD: usize = 80;

fn shortened(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// The first `keep` problems, then one of the same severity, file and line as the next,
/// counting the rest: for problems that repeat by the thousand (a full disk fails every
/// file), where the first few say everything.
pub fn capped(mut problems: Vec<Problem>, keep: usize, rest: &str) -> Vec<Problem> {
    if problems.len() <= keep {
        return problems;
    }
    let more = problems.len() - keep;
    let first_left_out = problems.swap_remove(keep);
    problems.truncate(keep);
    problems.push(Problem {
        field: None,
        message: format!("… and {more} more: {rest}"),
        ..first_left_out
    });
    problems
}

/// The 1-based line of a byte offset in `text`: how TOML and template errors are located.
pub fn line_of_offset(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
        + 1
}
