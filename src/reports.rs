//! Each supplier's report, written by every build beside the site (`reports/`), never
//! published: what was read and when, what was published, refused and withdrawn, and
//! every problem grouped by kind, in a page a dealer can read without us, plus the same
//! as JSON for their tools.

use crate::diagnostics::{Problem, Severity};
use crate::feeds::SupplierReport;
use crate::state::write_atomically;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The folder under the site root.
pub const DIR: &str = "reports";

/// Occurrences of one kind of problem listed in the HTML report; the JSON has them all.
const SHOWN_PER_KIND: usize = 500;

/// Problems that differ only in the values they quote, the numbers they give or which
/// photo they are about: one line of a table in the report, one group in the terminal.
#[derive(Debug, Serialize)]
pub struct Kind<'a> {
    pub severity: Severity,
    /// The field, with list positions as `[n]` (`image[n].url`).
    pub field: Option<String>,
    /// The first message of the kind, as an example.
    pub example: &'a str,
    pub count: usize,
    pub problems: Vec<&'a Problem>,
}

/// A supplier's problems by kind: errors first, then the most frequent.
pub fn kinds(problems: &[Problem]) -> Vec<Kind<'_>> {
    let mut by_key: BTreeMap<(Severity, Option<String>, String), Vec<&Problem>> = BTreeMap::new();
    for p in problems {
        let field = p.field.as_deref().map(numbers_elided);
        let key = (
            p.severity,
            field,
            numbers_elided(&values_elided(&p.message)),
        );
        by_key.entry(key).or_default().push(p);
    }
    let mut kinds: Vec<Kind> = by_key
        .into_iter()
        .map(|((severity, field, _), problems)| Kind {
            severity,
            field,
            example: &problems[0].message,
            count: problems.len(),
            problems,
        })
        .collect();
    kinds.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.field.cmp(&b.field))
            .then_with(|| a.example.cmp(b.example))
    });
    kinds
}

/// The message with every quoted value (`"18k EUR"`, as `quote` writes them) made `"…"`.
fn values_elided(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(quoted) = first_quotation(rest) {
        out.push_str(&rest[..quoted.start]);
        out.push_str("\"…\"");
        rest = &rest[quoted.end..];
    }
    out.push_str(rest);
    out
}

/// Where the first quoted value is, quotes included: `"` to the next `"` that is not
/// escaped with `\`.
fn first_quotation(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find('"')?;
    let mut escaped = false;
    let (end, _) = text[start + 1..].char_indices().find(|&(_, c)| {
        let closes = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        closes
    })?;
    Some(start..start + 1 + end + 1)
}

/// Every run of digits made `n`.
fn numbers_elided(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('n');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// The first value a message quotes: the value as the supplier wrote it.
fn quoted_value(message: &str) -> Option<&str> {
    first_quotation(message).map(|range| &message[range])
}

/// A supplier's report with the counts every view of it shows.
#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    supplier: &'a SupplierReport,
    withdrawn: usize,
    errors: usize,
    warnings: usize,
}

impl<'a> Summary<'a> {
    fn of(supplier: &'a SupplierReport) -> Summary<'a> {
        Summary {
            supplier,
            withdrawn: supplier.withdrawn(),
            errors: supplier.errors(),
            warnings: supplier.warnings(),
        }
    }
}

#[derive(Serialize)]
struct Page<'a> {
    date: Date,
    published: bool,
    supplier: Summary<'a>,
    kinds: Vec<KindPage<'a>>,
}

#[derive(Serialize)]
struct KindPage<'a> {
    #[serde(flatten)]
    kind: Kind<'a>,
    rows: Vec<Row<'a>>,
    /// Occurrences left out of the HTML page.
    more: usize,
}

#[derive(Serialize)]
struct Row<'a> {
    file: Option<&'a str>,
    line: Option<u32>,
    field: Option<&'a str>,
    value: Option<&'a str>,
    message: &'a str,
}

#[derive(Serialize)]
struct Json<'a> {
    date: Date,
    /// Whether this build replaced the site; when not, the site still shows the last
    /// build that did.
    published: bool,
    #[serde(flatten)]
    supplier: Summary<'a>,
    kinds: Vec<Kind<'a>>,
}

/// Whether every report [`write`] would write is on disk.
pub fn all_there(root: &Path, suppliers: &[SupplierReport]) -> bool {
    let dir = root.join(DIR);
    suppliers.is_empty()
        || dir.join("index.html").is_file()
            && suppliers.iter().all(|s| {
                dir.join(format!("{}.json", s.id)).is_file()
                    && dir.join(format!("{}.html", s.id)).is_file()
            })
}

/// Writes `reports/<id>.html` and `reports/<id>.json` for every supplier, and
/// `reports/index.html` listing them; the reports of suppliers no longer registered are
/// removed. A report that cannot be written is a warning: the
/// site itself is fine.
pub fn write(
    root: &Path,
    date: Date,
    suppliers: &[SupplierReport],
    published: bool,
) -> Vec<Problem> {
    if suppliers.is_empty() {
        return Vec::new();
    }
    let dir = root.join(DIR);
    let mut problems = Vec::new();
    let mut written = |name: String, bytes: Vec<u8>| {
        if let Err(e) = write_atomically(&dir.join(&name), &bytes) {
            problems.push(
                Problem::warning(format!("cannot write the report: {e}"))
                    .in_file(format!("{DIR}/{name}")),
            );
        }
    };
    for supplier in suppliers {
        let json = Json {
            date,
            published,
            supplier: Summary::of(supplier),
            kinds: kinds(&supplier.problems),
        };
        let bytes = serde_json::to_vec_pretty(&json).expect("a report serializes");
        written(format!("{}.json", supplier.id), bytes);
        written(
            format!("{}.html", supplier.id),
            html(date, supplier, published).into_bytes(),
        );
    }
    written(
        "index.html".into(),
        index(date, suppliers, published).into_bytes(),
    );
    remove_former(&dir, suppliers);
    problems
}

/// Removes the reports of suppliers no longer in the registry: only a pair this module
/// writes, `<id>.json` naming that id beside `<id>.html`, so a file someone else put in
/// the folder is never touched.
fn remove_former(dir: &Path, suppliers: &[SupplierReport]) {
    #[derive(serde::Deserialize)]
    struct Named {
        id: String,
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let html = dir.join(format!("{stem}.html"));
        let ours = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Named>(&bytes).ok())
            .is_some_and(|named| named.id == stem);
        if ours && html.is_file() && !suppliers.iter().any(|s| s.id == stem) {
            let _ = std::fs::remove_file(&html);
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn html(date: Date, supplier: &SupplierReport, published: bool) -> String {
    let kinds = kinds(&supplier.problems)
        .into_iter()
        .map(|kind| {
            let rows = kind
                .problems
                .iter()
                .take(SHOWN_PER_KIND)
                .map(|p| Row {
                    file: p.file.as_deref(),
                    line: p.line,
                    field: p.field.as_deref(),
                    value: quoted_value(&p.message),
                    message: &p.message,
                })
                .collect();
            let more = kind.count.saturating_sub(SHOWN_PER_KIND);
            KindPage { kind, rows, more }
        })
        .collect();
    let page = Page {
        date,
        published,
        supplier: Summary::of(supplier),
        kinds,
    };
    render(SUPPLIER_TEMPLATE, &page)
}

fn index(date: Date, suppliers: &[SupplierReport], published: bool) -> String {
    #[derive(Serialize)]
    struct Index<'a> {
        date: Date,
        published: bool,
        suppliers: Vec<Summary<'a>>,
    }
    let index = Index {
        date,
        published,
        suppliers: suppliers.iter().map(Summary::of).collect(),
    };
    render(INDEX_TEMPLATE, &index)
}

/// Tera, with HTML escaping on: every value in a report is the supplier's own text.
fn render(template: &str, context: &impl Serialize) -> String {
    let context = tera::Context::from_serialize(context).expect("a report is a map");
    tera::Tera::one_off(template, &context, true).expect("the report templates render")
}

const SUPPLIER_TEMPLATE: &str = include_str!("reports/supplier.html");
const INDEX_TEMPLATE: &str = include_str!("reports/index.html");

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(line: u32, field: &str, message: &str) -> Problem {
        Problem::warning(message)
            .in_file("data/feeds/a/cars.csv")
            .at_line(line)
            .with_field(field)
    }

    #[test]
    fn problems_differing_only_in_values_numbers_and_positions_are_one_kind() {
        let problems = vec![
            warning(2, "price", r#""18k EUR" is not a price; expected a number"#),
            warning(
                3,
                "price",
                r#""lots \"cheap\"" is not a price; expected a number"#,
            ),
            warning(4, "image[3].url", r#""x" does not exist in data/feeds/a/"#),
            warning(5, "image[12].url", r#""y" does not exist in data/feeds/a/"#),
            Problem::error("is empty").in_file("data/feeds/a/b.csv"),
        ];
        let kinds = kinds(&problems);
        assert_eq!(kinds.len(), 3);
        assert_eq!(kinds[0].severity, Severity::Error);
        assert_eq!((kinds[1].count, kinds[2].count), (2, 2));
        assert_eq!(kinds[1].field.as_deref(), Some("image[n].url"));
        assert_eq!(
            quoted_value(r#""lots \"cheap\"" is not a price"#),
            Some(r#""lots \"cheap\"""#)
        );
        assert_eq!(quoted_value("no value"), None);
    }
}
