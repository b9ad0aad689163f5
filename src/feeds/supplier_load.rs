//! One supplier's folder: every feed file in it read, and for each file that cannot be
//! read at all, its last good copy standing in while that copy is young enough.

use super::file::{FileLoad, load_bytes, load_file};
use super::supplier_report::{FeedState, FeedStatus, SupplierReport, Withdrawal};
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
    // Each feed file's name, and for one that cannot even be opened as a file (a broken
    // link, a folder named like a feed) the error that lets its last copy stand in.
    let mut files: Vec<(String, Option<Problem>)> =
        match folder_on_disk.as_ref().map(std::fs::read_dir) {
            Ok(Ok(dir)) => {
                let inside = folder_on_disk.as_deref().unwrap_or(root);
                dir.filter_map(Result::ok)
                .filter(|e| feed_extension(&e.file_name().to_string_lossy()).is_some())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let unreadable =
                        |message: String| Some((name.clone(), Some(Problem::error(message))));
                    let real = match e.path().canonicalize() {
                        Ok(real) => real,
                        Err(err) => {
                            return unreadable(format!(
                                "cannot be opened ({err}: a link to nothing?); expected a feed file"
                            ));
                        }
                    };
                    // A link may name another file of the folder, never one elsewhere
                    // (another supplier's feed, or any file the build can read).
                    if !real.starts_with(inside) {
                        report.problems.push(
                            Problem::warning(format!(
                                "is a link to a file outside {folder}/, so it is not read; \
                                 expected the feed itself, or a link to a file inside the folder"
                            ))
                            .in_file(format!("{folder}/{name}")),
                        );
                        return None;
                    }
                    if real.is_dir() {
                        return unreadable("is a folder; expected a feed file".into());
                    }
                    Some((name, None))
                })
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
        .map(|(name, _)| format!("{folder}/{name}"))
        .collect();
    let loaded: Vec<FileLoad> = files
        .par_iter()
        .zip(&paths)
        .map(|((name, unreadable), file)| match unreadable {
            Some(problem) => FileLoad::failed(problem.clone().in_file(file)),
            None => load_file(
                &folder_on_disk.join(name),
                context(file),
                config.max_file_bytes,
            ),
        })
        .collect();
    let saved_of = |name: &str| saved.and_then(|s| s.get(name));
    // Saved copies of files no longer in the folder. A folder with no feed left in it is
    // an upload gone wrong, not a supplier that sold every car (that is a feed without
    // rows), and a file that fails with no copy of its own may be the renamed export of
    // one that vanished: then every vanished copy stands in. Otherwise the supplier
    // dropped that file, and is told its cars are gone.
    let vanished: Vec<(String, String)> = saved
        .into_iter()
        .flat_map(|saved| saved.keys())
        .filter(|name| !files.iter().any(|(n, _)| n == *name))
        .map(|name| (name.clone(), format!("{folder}/{name}")))
        .collect();
    let renamed_failed = files
        .iter()
        .zip(&loaded)
        .any(|((name, _), load)| load.failed && saved_of(name).is_none());
    let stand_in_vanished = files.is_empty() || renamed_failed;
    if files.is_empty() && !vanished.is_empty() && !report.problems.iter().any(Problem::is_error) {
        report.problems.push(
            Problem::error(format!(
                "holds no feed file; expected the supplier's feed ({})",
                FEED_EXTENSIONS.join(", ")
            ))
            .in_file(&folder),
        );
    }
    if !stand_in_vanished {
        for (name, file) in &vanished {
            let cars = saved_of(name).map_or(0, |s| s.cars);
            report.problems.push(
                Problem::warning(format!(
                    "is no longer in the folder, so the {cars} cars it gave are no longer \
                     published; expected nothing else if the supplier dropped this file"
                ))
                .in_file(file),
            );
        }
    }
    let vanished = if stand_in_vanished {
        vanished
    } else {
        Vec::new()
    };
    let mut listings = Vec::new();
    let read = files
        .iter()
        .zip(&paths)
        .zip(loaded)
        .map(|(((n, _), p), l)| (n, p, Some(l)));
    let gone = vanished.iter().map(|(n, p)| (n, p, None));
    for (name, file, load) in read.chain(gone) {
        let standing_in = match load {
            // A README beside the feeds; but a feed that turned into one is a failure.
            Some(load) if load.not_a_feed => match saved_of(name) {
                None => continue,
                Some(copy) => {
                    report.problems.push(
                        Problem::error(format!(
                            "was Google's tab-separated text feed when read on {}, but its \
                             first line now has no tab; expected the feed's header row \
                             (id, title, price, ...)",
                            copy.read_on
                        ))
                        .at_line(1)
                        .in_file(file),
                    );
                    Some(copy)
                }
            },
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
                saved_of(name)
            }
            None => saved_of(name),
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
    let withdrawn = |saved: Option<&Saved>, because| {
        let status = FeedStatus {
            file: file.to_string(),
            state: FeedState::Withdrawn {
                read_on: saved.map(|s| s.read_on),
                withdrawn: saved.map_or(0, |s| s.cars),
                because,
            },
            cars: 0,
            modified: saved.and_then(|s| s.modified),
            kept: None,
        };
        (status, FileLoad::default())
    };
    let Some(saved) = saved else {
        return withdrawn(None, Withdrawal::NoCopy);
    };
    let until = saved
        .read_on
        .checked_add(jiff::Span::new().days(i64::from(supplier.fallback_days())))
        .unwrap_or(saved.read_on);
    if ctx.today > until {
        return withdrawn(Some(saved), Withdrawal::TooOld);
    }
    let Ok(bytes) = last_good.read(saved) else {
        return withdrawn(Some(saved), Withdrawal::CopyLost);
    };
    ctx.file_modified = saved.modified;
    let load = load_bytes(&bytes, ctx, config.max_file_bytes);
    if load.failed {
        return withdrawn(Some(saved), Withdrawal::CopyLost);
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
