//! Supplier feeds: the registry, one reader per format, and the normalised [`Listing`].
//! Owned by the feeds issue; this is the interface the later stages build on.

mod csv;
mod dedupe;
mod fields;
mod json;
mod listing;
mod names;
mod record;
pub mod registry;
mod supplier;
mod xml;

pub use fields::{parse_date, parse_price};
pub use listing::{
    Address, Availability, BodyStyle, Dealer, Drivetrain, FeedEnum, FuelType, ImageRef, Listing,
    Mileage, MileageUnit, ModelYear, OrWritten, Price, Transmission, UpdatedFrom, VehicleState,
    Vin, VinError, currency_exponent, group_thousands,
};
pub use supplier::{Supplier, SupplierId, ValueMap};

use crate::config::FeedsConfig;
use crate::diagnostics::{self, Diagnostics, Problem};
use jiff::civil::Date;
use rayon::prelude::*;
use record::{Emit, FileError, OwnedRecord, Row};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// Every supplier and every car they sent that passed validation.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    pub suppliers: Vec<Supplier>,
    /// Accepted cars, sold and stale ones included (flagged), duplicates removed.
    pub listings: Vec<Listing>,
    pub reports: Vec<SupplierReport>,
}

/// What `showroom check` tells one supplier.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SupplierReport {
    pub id: String,
    pub files: Vec<String>,
    pub accepted: usize,
    pub rejected: usize,
    pub problems: Vec<Problem>,
}

/// Where suppliers drop their files, relative to the site root.
pub const FEEDS_DIR: &str = "data/feeds";

/// The file extensions read as feeds; anything else in a supplier's folder (photos, a
/// README) is left alone.
const FEED_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "json", "jsonl", "xml"];

/// Reads `data/suppliers.toml` and every feed under `data/feeds/`.
///
/// Suppliers, and each supplier's files, are read in parallel; the result does not
/// depend on scheduling: suppliers and reports in registry order, listings sorted by
/// supplier id then `vehicle_id`, problems in registry, file and line order.
pub fn load(root: &Path, config: &FeedsConfig, today: Date) -> (Inventory, Diagnostics) {
    merge_suppliers(root, |suppliers| {
        suppliers
            .par_iter()
            .map(|supplier| load_supplier(root, supplier, config, today))
            .collect()
    })
}

/// Loads feeds again and again for `serve`, reading a supplier's files only when its
/// inputs changed since the last load: its registry entry, the feeds settings, the date,
/// or the name, size or modification time of anything under its folder. Everything
/// across suppliers (VIN de-duplication, order, reports) is redone from the per-supplier
/// results each time, so a load gives exactly what [`load`] would.
#[derive(Default)]
pub struct Loader {
    /// By supplier id: the inputs its last read saw, and what that read gave.
    cache: HashMap<SupplierId, (SupplierInputs, SupplierLoad)>,
}

impl Loader {
    /// Like [`load`]; also returns the suppliers whose files were read this time, in
    /// registry order (the others came from the cache).
    pub fn load(
        &mut self,
        root: &Path,
        config: &FeedsConfig,
        today: Date,
    ) -> (Inventory, Diagnostics, Vec<SupplierId>) {
        let mut reread = Vec::new();
        let cache = &mut self.cache;
        let (inventory, diagnostics) = merge_suppliers(root, |suppliers| {
            // Inputs are taken before reading: a file changed during the read is then
            // seen as changed next time, never the other way round.
            // `None`: the cached load is still good.
            let fresh: Vec<Option<(SupplierInputs, SupplierLoad)>> = suppliers
                .par_iter()
                .map(|supplier| {
                    let inputs = SupplierInputs::new(root, supplier, config, today);
                    match cache.get(&supplier.id) {
                        Some((seen, _)) if *seen == inputs => None,
                        _ => Some((inputs, load_supplier(root, supplier, config, today))),
                    }
                })
                .collect();
            cache.retain(|id, _| suppliers.iter().any(|s| s.id == *id));
            let mut out = Vec::with_capacity(fresh.len());
            for (supplier, fresh) in suppliers.iter().zip(fresh) {
                if let Some(entry) = fresh {
                    reread.push(supplier.id.clone());
                    cache.insert(supplier.id.clone(), entry);
                }
                out.push(cache[&supplier.id].1.clone());
            }
            out
        });
        (inventory, diagnostics, reread)
    }
}

/// What one supplier's listings are made from, compared between loads. Files are known
/// by name, size and modification time, which change with every save.
#[derive(Debug, PartialEq)]
struct SupplierInputs {
    supplier: Supplier,
    config: FeedsConfig,
    today: Date,
    /// Everything under the supplier's folder (feeds, and the photos they name), the
    /// folder itself first, in name order; what cannot be read (a missing folder) has
    /// size 0 and no time.
    files: Vec<(PathBuf, u64, Option<SystemTime>)>,
}

impl SupplierInputs {
    fn new(root: &Path, supplier: &Supplier, config: &FeedsConfig, today: Date) -> Self {
        let folder = root.join(FEEDS_DIR).join(supplier.id.as_str());
        let files = walkdir::WalkDir::new(&folder)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .map(|entry| {
                let path = match &entry {
                    Ok(entry) => entry.path(),
                    Err(e) => e.path().unwrap_or(&folder),
                };
                // Through symbolic links, as the feed readers go.
                let meta = std::fs::metadata(path).ok();
                (
                    path.to_path_buf(),
                    meta.as_ref().map_or(0, |m| m.len()),
                    meta.and_then(|m| m.modified().ok()),
                )
            })
            .collect();
        SupplierInputs {
            supplier: supplier.clone(),
            config: config.clone(),
            today,
            files,
        }
    }
}

/// The registry and the folder checks, then every supplier's load from `load_each` (in
/// registry order), merged: duplicate VINs across suppliers dropped, listings sorted,
/// reports completed.
fn merge_suppliers(
    root: &Path,
    load_each: impl FnOnce(&[Supplier]) -> Vec<SupplierLoad>,
) -> (Inventory, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let suppliers = match registry::load(root) {
        Ok(found) => found.unwrap_or_default(),
        Err(problems) => {
            diagnostics.extend(problems);
            return (Inventory::default(), diagnostics);
        }
    };
    diagnostics.extend(check_folders(root, &suppliers));

    let loads = load_each(&suppliers);
    let (mut per_supplier, mut reports): (Vec<_>, Vec<_>) =
        loads.into_iter().map(|l| (l.listings, l.report)).unzip();

    let duplicates = dedupe::by_vin(&mut per_supplier);
    for report in &reports {
        diagnostics.extend(report.problems.iter().cloned());
    }
    for duplicate in duplicates {
        reports[duplicate.loser].rejected += 1;
        reports[duplicate.loser]
            .problems
            .push(duplicate.problem.clone());
        if duplicate.winner != duplicate.loser {
            reports[duplicate.winner]
                .problems
                .push(duplicate.problem.clone());
        }
        diagnostics.push(duplicate.problem);
    }
    for (report, listings) in reports.iter_mut().zip(&per_supplier) {
        report.accepted = listings.len();
    }
    // Listings are large: each supplier's are sorted by vehicle_id in place, in parallel,
    // then moved once, suppliers in id order, into one allocation of the right size. That
    // is the site's order (supplier id, then vehicle_id) without moving 100 000 listings
    // through a sort, or copying them from one growing vector to the next.
    per_supplier
        .par_iter_mut()
        .for_each(|listings| listings.sort_by_cached_key(|l| l.vehicle_id.clone()));
    let mut by_id: Vec<usize> = (0..per_supplier.len()).collect();
    by_id.sort_by(|&a, &b| suppliers[a].id.cmp(&suppliers[b].id));
    let mut listings = Vec::with_capacity(per_supplier.iter().map(Vec::len).sum());
    for s in by_id {
        listings.append(&mut per_supplier[s]);
    }
    let inventory = Inventory {
        suppliers,
        listings,
        reports,
    };
    (inventory, diagnostics)
}

/// Warns about folders nobody registered (their cars are not published) and stray files.
fn check_folders(root: &Path, suppliers: &[Supplier]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut entries: Vec<(String, bool)> = match std::fs::read_dir(root.join(FEEDS_DIR)) {
        Ok(dir) => dir
            .filter_map(Result::ok)
            .map(|e| {
                // Through symbolic links, as suppliers' folders are read.
                let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    entries.sort();
    for (name, is_dir) in &entries {
        let path = format!("{FEEDS_DIR}/{name}");
        if !is_dir {
            if name.starts_with('.') {
                continue;
            }
            problems.push(Problem::warning(format!(
                "is not inside a supplier folder, so it is not read; expected data/feeds/<supplier-id>/{name}"
            )).in_file(path));
        } else if !suppliers.iter().any(|s| s.id.as_str() == name) {
            problems.push(
                Problem::warning(format!(
                    "folder `{name}` has no entry in {}; its cars are not published. \
                     Expected a [[suppliers]] table with id = {name:?}",
                    registry::FILE
                ))
                .in_file(path),
            );
        }
    }
    problems
}

/// One supplier's accepted listings (in reading order) and its report so far.
#[derive(Clone)]
struct SupplierLoad {
    listings: Vec<Listing>,
    report: SupplierReport,
}

fn load_supplier(
    root: &Path,
    supplier: &Supplier,
    config: &FeedsConfig,
    today: Date,
) -> SupplierLoad {
    let folder = format!("{FEEDS_DIR}/{}", supplier.id);
    let mut report = SupplierReport {
        id: supplier.id.as_str().to_string(),
        ..SupplierReport::default()
    };
    let Ok(folder_on_disk) = root.join(&folder).canonicalize() else {
        report.problems.push(
            Problem::warning(format!(
                "supplier `{}` is registered but {folder}/ does not exist; expected its \
                 feed files there",
                supplier.id
            ))
            .in_file(registry::FILE)
            .with_field("id"),
        );
        return SupplierLoad {
            listings: Vec::new(),
            report,
        };
    };
    let mut files: Vec<String> = match std::fs::read_dir(&folder_on_disk) {
        Ok(dir) => dir
            .filter_map(Result::ok)
            .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| feed_extension(name).is_some())
            .collect(),
        Err(e) => {
            report
                .problems
                .push(Problem::error(format!("cannot read the folder: {e}")).in_file(&folder));
            Vec::new()
        }
    };
    files.sort();
    let loaded: Vec<FileLoad> = files
        .par_iter()
        .map(|name| {
            let file = format!("{folder}/{name}");
            let ctx = fields::FileContext {
                supplier,
                file: &file,
                folder: &folder,
                folder_on_disk: &folder_on_disk,
                max_field_bytes: config.max_field_bytes,
                max_photos: config.max_photos,
                today,
                file_modified: None,
            };
            load_file(&folder_on_disk.join(name), ctx, config.max_file_bytes)
        })
        .collect();
    // Sized once: a listing is large, and each doubling copies all of them into fresh
    // memory.
    let mut listings = Vec::with_capacity(loaded.iter().map(|f| f.listings.len()).sum());
    for (name, file) in files.iter().zip(loaded) {
        report.files.push(format!("{folder}/{name}"));
        report.rejected += file.rejected;
        report.problems.extend(file.problems);
        listings.extend(file.listings);
    }
    let duplicates = dedupe::by_vehicle_id(&mut listings);
    report.rejected += duplicates.len();
    report.problems.extend(duplicates);
    SupplierLoad { listings, report }
}

fn feed_extension(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    FEED_EXTENSIONS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(ext))
        .copied()
}

/// What one feed file gave: accepted listings, problems, and how many rows it refused.
#[derive(Default)]
struct FileLoad {
    listings: Vec<Listing>,
    problems: Vec<Problem>,
    rejected: usize,
    /// Rows the supplier marked as not to be published (`status` archived, `visibility`
    /// staging, ...): neither listings nor rejected, and without problems. For the
    /// supplier's report.
    withheld: usize,
}

/// Reads one feed file whole. A file that cannot be read contributes one error and no
/// listings: a half-read file is never published.
fn load_file(path: &Path, mut ctx: fields::FileContext<'_>, max_file_bytes: u64) -> FileLoad {
    let file = ctx.file.to_string();
    let fail = |problem: Problem| FileLoad {
        problems: vec![problem.in_file(&file)],
        ..FileLoad::default()
    };
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
    let text = match std::str::from_utf8(&bytes) {
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
    let read = |emit: &mut Emit<'_>| match feed_extension(&file) {
        Some("csv") => csv::read(text, b',', emit),
        Some("tsv") => csv::read(text, b'\t', emit),
        Some("txt") => csv::read_text(text, emit),
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
