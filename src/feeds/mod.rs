//! Supplier feeds: the registry, one reader per format, and the normalised [`Listing`].
//! Owned by the feeds issue; this is the interface the later stages build on.

mod csv;
mod dedupe;
mod fields;
mod file;
mod json;
mod listing;
mod names;
mod record;
pub mod registry;
mod supplier;
mod supplier_load;
mod supplier_report;
mod values;
mod xml;

pub use listing::{
    Address, Availability, BodyStyle, Dealer, Drivetrain, FeedEnum, FuelType, ImageRef, Listing,
    Mileage, MileageUnit, ModelYear, OrWritten, Price, Transmission, UpdatedFrom, VehicleState,
    Vin, VinError, currency_exponent, group_thousands,
};
pub use supplier::{Supplier, SupplierId, ValueMap};
pub use values::{Quoted, ValueError, parse_date, parse_price};

use crate::state::feeds::{LastGood, Saved};
use supplier_load::{SupplierLoad, load_supplier};
pub use supplier_report::{FeedState, FeedStatus, SupplierReport, save_last_good};

use crate::config::FeedsConfig;
use crate::diagnostics::{Diagnostics, Problem};
use jiff::civil::Date;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every supplier and every car they sent that passed validation.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    pub suppliers: Vec<Supplier>,
    /// Accepted cars, sold and stale ones included (flagged), duplicates removed.
    pub listings: Vec<Listing>,
    pub reports: Vec<SupplierReport>,
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
    // The supplier whose offer was kept is told too, after its own problems: the order a
    // replayed report has (build_cache).
    let mut kept = Vec::new();
    for mut duplicate in duplicates {
        duplicate.problem.supplier = Some(reports[duplicate.loser].id.clone());
        reports[duplicate.loser].rejected += 1;
        reports[duplicate.loser]
            .problems
            .push(duplicate.problem.clone());
        if duplicate.winner != duplicate.loser {
            kept.push((duplicate.winner, duplicate.problem.clone()));
        }
        diagnostics.push(duplicate.problem);
    }
    for (winner, problem) in kept {
        reports[winner].problems.push(problem);
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

fn feed_extension(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    FEED_EXTENSIONS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(ext))
        .copied()
}
