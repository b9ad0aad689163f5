//! One feed file, read whole and validated: the reader for its format runs on one
//! thread while the rows it emits are validated in batches on others.

use super::record::{Emit, FileError, OwnedRecord, Row};
use super::{Listing, csv, feed_extension, fields, json, xml};
use crate::diagnostics::{self, Problem};
use jiff::civil::Date;
use std::path::Path;
use std::sync::Mutex;

/// What one feed file gave: accepted listings, problems, and how many rows it refused.
#[derive(Default)]
pub(super) struct FileLoad {
    pub listings: Vec<Listing>,
    pub problems: Vec<Problem>,
    pub rejected: usize,
    /// Rows the supplier marked as not to be published (`status` archived, `visibility`
    /// staging, ...): neither listings nor rejected, and without problems. For the
    /// supplier's report.
    pub withheld: usize,
    /// The file could not be read at all: none of its rows were used.
    pub failed: bool,
    /// A `.txt` file that is not Google's text feed (a README): no rows, no problem,
    /// unless it was a feed when last read.
    pub not_a_feed: bool,
    /// What was read, for the state to keep: the hash of its bytes and its
    /// modification day.
    pub blake3: Option<String>,
    pub modified: Option<Date>,
}

/// Reads one feed file whole. A file that cannot be read contributes one error and no
/// listings: a half-read file is never published.
pub(super) fn load_file(
    path: &Path,
    mut ctx: fields::FileContext<'_>,
    max_file_bytes: u64,
) -> FileLoad {
    let fail = |problem: Problem| FileLoad::failed(problem.in_file(ctx.file));
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return fail(Problem::error(format!("cannot read: {e}"))),
    };
    if metadata.len() > max_file_bytes {
        return fail(Problem::error(format!(
            "is {} bytes; expected at most {max_file_bytes} bytes (feeds.max_file_bytes in \
             config.toml), so it was not read",
            metadata.len()
        )));
    }
    ctx.file_modified = metadata
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fail(Problem::error(format!("cannot read: {e}"))),
    };
    let mut load = load_bytes(&bytes, ctx, max_file_bytes);
    if !load.failed {
        load.blake3 = Some(blake3::hash(&bytes).to_hex().to_string());
        load.modified = ctx.file_modified;
    }
    load
}

/// A feed file's bytes, as read from its folder or from its last good copy.
pub(super) fn load_bytes(
    bytes: &[u8],
    ctx: fields::FileContext<'_>,
    max_file_bytes: u64,
) -> FileLoad {
    let file = ctx.file.to_string();
    let fail = |problem: Problem| FileLoad::failed(problem.in_file(&file));
    if bytes.len() as u64 > max_file_bytes {
        return fail(Problem::error(format!(
            "is {} bytes; expected at most {max_file_bytes} bytes (feeds.max_file_bytes in \
             config.toml), so it was not read",
            bytes.len()
        )));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = diagnostics::line_of_offset(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                usize::MAX,
            );
            return fail(
                Problem::error(
                    "is not UTF-8 text (an invalid byte sequence starts on this line); \
                     expected the file saved as UTF-8",
                )
                .at_line(line),
            );
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return fail(Problem::error(
            "is empty; expected the supplier's listings (did an export or upload fail?)",
        ));
    }
    if feed_extension(&file) == Some("txt") && !csv::is_text_feed(text) {
        return FileLoad {
            not_a_feed: true,
            ..FileLoad::default()
        };
    }
    let read = |emit: &mut Emit<'_>| match feed_extension(&file) {
        Some("csv") => csv::read(text, b',', emit),
        Some("tsv") => csv::read(text, b'\t', emit),
        Some("txt") => csv::read(text, b'\t', emit),
        Some("json") => json::read(text, emit),
        Some("jsonl") => json::read_lines(text, emit),
        _ => xml::read(text, emit),
    };
    validate_in_batches(ctx, read).unwrap_or_else(|e| {
        let mut p = Problem::error(e.message);
        if let Some(line) = e.line {
            p = p.at_line(line);
        }
        fail(p)
    })
}

impl FileLoad {
    pub(super) fn failed(problem: Problem) -> FileLoad {
        FileLoad {
            problems: vec![problem],
            failed: true,
            ..FileLoad::default()
        }
    }
}

/// Rows per validation batch: enough that handing a batch to another thread costs
/// nothing next to validating it, few enough that both cores share one large file.
const BATCH_ROWS: usize = 2048;

/// A row as the reader hands it to validation, out of the reader's buffers.
enum Batched {
    Record(OwnedRecord),
    Rejected(Problem),
}

/// Runs `read` on this thread while the rows it emits are validated in batches on
/// others, then puts the batches back in file order: the result is the same as
/// validating row by row, only sooner.
fn validate_in_batches(
    ctx: fields::FileContext<'_>,
    read: impl FnOnce(&mut Emit<'_>) -> Result<(), FileError> + Send,
) -> Result<FileLoad, FileError> {
    let checked = Mutex::new(Vec::new());
    rayon::scope(|scope| {
        let checked = &checked;
        let mut batches = 0;
        let mut spawn = |rows: Vec<Batched>| {
            let index = batches;
            batches += 1;
            scope.spawn(move |_| {
                let result = validate_batch(ctx, rows);
                checked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((index, result));
            });
        };
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let read = read(&mut |row: Row<'_>| {
            batch.push(match row {
                Row::Record(raw) => Batched::Record(raw.to_owned_record()),
                Row::Rejected {
                    line,
                    field,
                    message,
                } => {
                    let mut p = Problem::warning(message).in_file(ctx.file).at_line(line);
                    if let Some(field) = field {
                        p = p.with_field(field);
                    }
                    Batched::Rejected(p)
                }
            });
            if batch.len() == BATCH_ROWS {
                spawn(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(BATCH_ROWS),
                ));
            }
        });
        spawn(batch);
        read
    })?;
    let mut checked = checked.into_inner().unwrap_or_else(|e| e.into_inner());
    checked.sort_by_key(|(index, _)| *index);
    let mut out = FileLoad {
        listings: Vec::with_capacity(checked.iter().map(|(_, (p, _))| p.listings.len()).sum()),
        ..FileLoad::default()
    };
    let mut validator = fields::FileValidator::new(ctx);
    for (_, (part, part_validator)) in checked {
        out.listings.extend(part.listings);
        out.problems.extend(part.problems);
        out.rejected += part.rejected;
        out.withheld += part.withheld;
        validator.merge(part_validator);
    }
    out.problems.extend(validator.finish());
    Ok(out)
}

fn validate_batch<'a>(
    ctx: fields::FileContext<'a>,
    rows: Vec<Batched>,
) -> (FileLoad, fields::FileValidator<'a>) {
    let mut validator = fields::FileValidator::new(ctx);
    let mut out = FileLoad {
        listings: Vec::with_capacity(rows.len()),
        ..FileLoad::default()
    };
    for row in rows {
        match row {
            Batched::Record(record) => {
                let outcome = validator.record(&record.as_raw());
                out.problems.extend(outcome.problems);
                match outcome.listing {
                    Some(listing) => out.listings.push(listing),
                    None if outcome.withheld => out.withheld += 1,
                    None => out.rejected += 1,
                }
            }
            Batched::Rejected(problem) => {
                out.rejected += 1;
                out.problems.push(problem);
            }
        }
    }
    (out, validator)
}
