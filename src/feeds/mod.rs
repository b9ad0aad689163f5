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

use crate::state::feeds::{LastGood, Saved};

use crate::config::FeedsConfig;
use crate::diagnostics::{self, Diagnostics, Problem};
use jiff::civil::Date;
use rayon::prelude::*;
use record::{Emit, FileError, OwnedRecord, Row};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
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
    },
}

impl FeedStatus {
    fn read(file: &str, load: &FileLoad, today: Date) -> FeedStatus {
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
    fn problem(&self, file: &str, supplier: &Supplier) -> Option<Problem> {
        let message = match &self.state {
            FeedState::Read => return None,
            FeedState::LastGood { read_on, until } => format!(
                "its last good copy, read on {read_on}, is published instead ({} cars), \
                 until {until} at the latest ({} days: max_age_days)",
                self.cars,
                fallback_days(supplier)
            ),
            FeedState::Withdrawn {
                read_on: Some(read_on),
                withdrawn,
            } => format!(
                "its last good copy, read on {read_on}, is more than {} days old \
                 (max_age_days), so its {withdrawn} cars are withdrawn until a readable \
                 feed arrives",
                fallback_days(supplier)
            ),
            FeedState::Withdrawn { read_on: None, .. } => {
                "no earlier copy of it was ever read, so no car of it is published".into()
            }
        };
        Some(Problem::warning(message).in_file(file))
    }
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
    merge_suppliers(root, |suppliers, last_good| {
        suppliers
            .par_iter()
            .map(|supplier| load_supplier(root, supplier, config, today, last_good))
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
        let (inventory, diagnostics) = merge_suppliers(root, |suppliers, last_good| {
            // Inputs are taken before reading: a file changed during the read is then
            // seen as changed next time, never the other way round.
            // `None`: the cached load is still good.
            let fresh: Vec<Option<(SupplierInputs, SupplierLoad)>> = suppliers
                .par_iter()
                .map(|supplier| {
                    let inputs = SupplierInputs::new(root, supplier, config, today, last_good);
                    match cache.get(&supplier.id) {
                        Some((seen, _)) if *seen == inputs => None,
                        _ => {
                            let load = load_supplier(root, supplier, config, today, last_good);
                            Some((inputs, load))
                        }
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
    /// Its last good feeds, which stand in for unreadable ones (a build may save new ones).
    saved: Option<BTreeMap<String, Saved>>,
    /// Everything under the supplier's folder (feeds, and the photos they name), the
    /// folder itself first, in name order; what cannot be read (a missing folder) has
    /// size 0 and no time.
    files: Vec<(PathBuf, u64, Option<SystemTime>)>,
}

impl SupplierInputs {
    fn new(
        root: &Path,
        supplier: &Supplier,
        config: &FeedsConfig,
        today: Date,
        last_good: &LastGood,
    ) -> Self {
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
            saved: last_good.files(supplier.id.as_str()).cloned(),
            files,
        }
    }
}

/// The registry and the folder checks, then every supplier's load from `load_each` (in
/// registry order), merged: duplicate VINs across suppliers dropped, listings sorted,
/// reports completed.
fn merge_suppliers(
    root: &Path,
    load_each: impl FnOnce(&[Supplier], &LastGood) -> Vec<SupplierLoad>,
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
    let (last_good, damaged) = LastGood::load(root);
    diagnostics.extend(damaged);

    let loads = load_each(&suppliers, &last_good);
    let (mut per_supplier, mut reports): (Vec<_>, Vec<_>) =
        loads.into_iter().map(|l| (l.listings, l.report)).unzip();

    let duplicates = dedupe::by_vin(&mut per_supplier);
    for report in &mut reports {
        for problem in &mut report.problems {
            problem.supplier = Some(report.id.clone());
        }
        diagnostics.extend(report.problems.iter().cloned());
    }
    for mut duplicate in duplicates {
        duplicate.problem.supplier = Some(reports[duplicate.loser].id.clone());
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
    last_good: &LastGood,
) -> SupplierLoad {
    let folder = format!("{FEEDS_DIR}/{}", supplier.id);
    let mut report = SupplierReport {
        id: supplier.id.as_str().to_string(),
        name: supplier.name.clone(),
        ..SupplierReport::default()
    };
    let saved = last_good.files(supplier.id.as_str());
    let folder_on_disk = root.join(&folder).canonicalize();
    let mut files: Vec<String> = match folder_on_disk.as_ref().map(std::fs::read_dir) {
        Ok(Ok(dir)) => {
            let inside = folder_on_disk.as_deref().unwrap_or(root);
            dir.filter_map(Result::ok)
                .filter(|e| feed_extension(&e.file_name().to_string_lossy()).is_some())
                .filter(|e| std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
                .filter(|e| {
                    // A link may name another file of the folder, never one elsewhere
                    // (another supplier's feed, or any file the build can read).
                    let stays = e
                        .path()
                        .canonicalize()
                        .is_ok_and(|real| real.starts_with(inside));
                    if !stays {
                        report.problems.push(
                            Problem::warning(format!(
                                "is a link to a file outside {folder}/, so it is not read; \
                                 expected the feed itself, or a link to a file inside the folder"
                            ))
                            .in_file(format!("{folder}/{}", e.file_name().to_string_lossy())),
                        );
                    }
                    stays
                })
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        }
        Ok(Err(e)) => {
            report
                .problems
                .push(Problem::error(format!("cannot read the folder: {e}")).in_file(&folder));
            Vec::new()
        }
        // Never uploaded anything, and nothing to stand in: a new supplier, not an error.
        Err(_) if saved.is_none() => {
            report.problems.push(
                Problem::warning(format!(
                    "supplier `{}` is registered but {folder}/ does not exist; expected its \
                     feed files there",
                    supplier.id
                ))
                .in_file(registry::FILE)
                .with_field("id"),
            );
            Vec::new()
        }
        Err(_) => {
            report.problems.push(
                Problem::error(format!(
                    "{folder}/ does not exist; expected the supplier's feed files there"
                ))
                .in_file(&folder),
            );
            Vec::new()
        }
    };
    files.sort();
    // Where local photos must be; without a folder, none can be.
    let folder_on_disk = folder_on_disk.unwrap_or_else(|_| root.join(&folder));
    let context = |file| fields::FileContext {
        supplier,
        file,
        folder: &folder,
        folder_on_disk: &folder_on_disk,
        max_field_bytes: config.max_field_bytes,
        max_photos: config.max_photos,
        today,
        file_modified: None,
    };
    let paths: Vec<String> = files
        .iter()
        .map(|name| format!("{folder}/{name}"))
        .collect();
    let loaded: Vec<FileLoad> = files
        .par_iter()
        .zip(&paths)
        .map(|(name, file)| {
            load_file(
                &folder_on_disk.join(name),
                context(file),
                config.max_file_bytes,
            )
        })
        .collect();
    // A folder with no feed left in it is an upload gone wrong, not a supplier that sold
    // every car (that is a feed without rows): every saved file stands in.
    let vanished: Vec<(String, String)> = match saved {
        Some(saved) if files.is_empty() => {
            if report.problems.is_empty() {
                report.problems.push(
                    Problem::error(format!(
                        "holds no feed file; expected the supplier's feed ({})",
                        FEED_EXTENSIONS.join(", ")
                    ))
                    .in_file(&folder),
                );
            }
            saved
                .keys()
                .map(|name| (name.clone(), format!("{folder}/{name}")))
                .collect()
        }
        _ => Vec::new(),
    };
    let mut listings = Vec::new();
    let read = files
        .iter()
        .zip(&paths)
        .zip(loaded)
        .map(|((n, p), l)| (n, p, Some(l)));
    let gone = vanished.iter().map(|(n, p)| (n, p, None));
    for (name, file, load) in read.chain(gone) {
        let standing_in = match load {
            Some(load) if !load.failed => {
                report.feeds.push(FeedStatus::read(file, &load, today));
                report.rejected += load.rejected;
                report.withheld += load.withheld;
                report.problems.extend(load.problems);
                listings.extend(load.listings);
                continue;
            }
            Some(load) => {
                report.problems.extend(load.problems);
                saved.and_then(|s| s.get(name))
            }
            None => saved.and_then(|s| s.get(name)),
        };
        let (status, load) = stand_in(
            supplier,
            file,
            standing_in,
            last_good,
            context(file),
            config,
        );
        report.problems.extend(status.problem(file, supplier));
        report.feeds.push(status);
        listings.extend(load.listings);
    }
    let duplicates = dedupe::by_vehicle_id(&mut listings);
    report.rejected += duplicates.len();
    report.problems.extend(duplicates);
    report.files = report.feeds.iter().map(|f| f.file.clone()).collect();
    SupplierLoad { listings, report }
}

/// The days a supplier's last good copy may stand in for an unreadable feed: its
/// `max_age_days`, past which its cars would be stale anyway, or thirty.
pub fn fallback_days(supplier: &Supplier) -> u32 {
    supplier.max_age_days.unwrap_or(DEFAULT_FALLBACK_DAYS)
}

const DEFAULT_FALLBACK_DAYS: u32 = 30;

/// The cars of an unreadable (or vanished) feed file: those of its last good copy while
/// that copy is young enough, none after.
fn stand_in(
    supplier: &Supplier,
    file: &str,
    saved: Option<&Saved>,
    last_good: &LastGood,
    mut ctx: fields::FileContext<'_>,
    config: &FeedsConfig,
) -> (FeedStatus, FileLoad) {
    let withdrawn = |saved: Option<&Saved>| {
        let status = FeedStatus {
            file: file.to_string(),
            state: FeedState::Withdrawn {
                read_on: saved.map(|s| s.read_on),
                withdrawn: saved.map_or(0, |s| s.cars),
            },
            cars: 0,
            modified: saved.and_then(|s| s.modified),
            kept: None,
        };
        (status, FileLoad::default())
    };
    let Some(saved) = saved else {
        return withdrawn(None);
    };
    let until = saved
        .read_on
        .checked_add(jiff::Span::new().days(i64::from(fallback_days(supplier))))
        .unwrap_or(saved.read_on);
    if ctx.today > until {
        return withdrawn(Some(saved));
    }
    let Ok(bytes) = last_good.read(saved) else {
        return withdrawn(Some(saved));
    };
    ctx.file_modified = saved.modified;
    let load = load_bytes(&bytes, ctx, config.max_file_bytes);
    if load.failed {
        return withdrawn(Some(saved));
    }
    let status = FeedStatus {
        file: file.to_string(),
        state: FeedState::LastGood {
            read_on: saved.read_on,
            until,
        },
        cars: load.listings.len(),
        modified: saved.modified,
        kept: Some(saved.clone()),
    };
    // Its rows' problems were reported when it was read.
    (
        status,
        FileLoad {
            problems: Vec::new(),
            ..load
        },
    )
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
    /// The file could not be read at all: none of its rows were used.
    failed: bool,
    /// What was read, for the state to keep: the hash of its bytes and its
    /// modification day.
    blake3: Option<String>,
    modified: Option<Date>,
}

/// Reads one feed file whole. A file that cannot be read contributes one error and no
/// listings: a half-read file is never published.
fn load_file(path: &Path, mut ctx: fields::FileContext<'_>, max_file_bytes: u64) -> FileLoad {
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
fn load_bytes(bytes: &[u8], ctx: fields::FileContext<'_>, max_file_bytes: u64) -> FileLoad {
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

impl FileLoad {
    fn failed(problem: Problem) -> FileLoad {
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
