//! One supplier's folder: every feed file in it read, and for each file that cannot be
//! read at all, its last good copy standing in while that copy is young enough.

use super::file::{FileLoad, load_bytes, load_file};
use super::supplier_report::{FeedState, FeedStatus, SupplierReport};
use super::{FEED_EXTENSIONS, FEEDS_DIR, Supplier, dedupe, feed_extension, fields, registry};
use crate::config::FeedsConfig;
use crate::diagnostics::Problem;
use crate::feeds::Listing;
use crate::state::feeds::{LastGood, Saved};
use jiff::civil::Date;
use rayon::prelude::*;
use std::path::Path;

/// One supplier's accepted listings (in reading order) and its report so far.
#[derive(Clone)]
pub(super) struct SupplierLoad {
    pub listings: Vec<Listing>,
    pub report: SupplierReport,
}

pub(super) fn load_supplier(
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
        .checked_add(jiff::Span::new().days(i64::from(supplier.fallback_days())))
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
