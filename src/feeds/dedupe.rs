//! One car, one page. Two rules:
//!
//! - Within a supplier, a `vehicle_id` seen again is a mistake in the feed: the first
//!   (in file-name order, then line order) is kept.
//! - Across the whole site, one VIN is one physical car, however many suppliers offer it.
//!   The offer kept is the one a buyer can most likely still get: an offer that is not
//!   sold beats a sold one; then the most recently updated; then the supplier listed first
//!   in `data/suppliers.toml`; then the earlier line.

use super::listing::Listing;
use super::values::quote;
use crate::diagnostics::Problem;
use rayon::prelude::*;
use std::collections::HashMap;

/// Drops repeated `vehicle_id`s from one supplier's listings (in reading order); returns
/// one warning per dropped row.
pub fn by_vehicle_id(listings: &mut Vec<Listing>) -> Vec<Problem> {
    let mut first: HashMap<String, (String, u32)> = HashMap::new();
    let mut problems = Vec::new();
    listings.retain(|listing| match first.get(&listing.vehicle_id) {
        Some((file, line)) => {
            problems.push(
                Problem::warning(format!(
                    "{} was already listed at {file}:{line}; the first one is kept and this \
                     row is skipped; expected each vehicle_id once per supplier",
                    quote(&listing.vehicle_id)
                ))
                .in_file(&listing.source_file)
                .at_line(listing.source_line)
                .with_field("vehicle_id"),
            );
            false
        }
        None => {
            first.insert(
                listing.vehicle_id.clone(),
                (listing.source_file.clone(), listing.source_line),
            );
            true
        }
    });
    problems
}

/// A warning about a dropped duplicate, and the suppliers (by registry index) whose
/// reports should carry it.
pub struct Duplicate {
    pub problem: Problem,
    /// Registry index of the supplier whose offer was dropped.
    pub loser: usize,
    /// Registry index of the supplier whose offer was kept.
    pub winner: usize,
}

/// Keeps one listing per VIN across `per_supplier` (indexed in registry order).
pub fn by_vin(per_supplier: &mut [Vec<Listing>]) -> Vec<Duplicate> {
    // Every offer with a VIN, sorted by VIN, then registry index, then row: equal VINs
    // side by side, in a fixed order, without a map of 100 000 VINs.
    let mut vins: Vec<(&str, usize, usize)> = per_supplier
        .iter()
        .enumerate()
        .flat_map(|(s, listings)| {
            listings
                .iter()
                .enumerate()
                .filter_map(move |(i, l)| l.vin.as_ref().map(|vin| (vin.as_str(), s, i)))
        })
        .collect();
    vins.par_sort_unstable();
    let mut drop: Vec<Vec<usize>> = vec![Vec::new(); per_supplier.len()];
    let mut duplicates = Vec::new();
    for group in vins.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        let vin = group[0].0;
        let offers: Vec<(usize, usize)> = group.iter().map(|&(_, s, i)| (s, i)).collect();
        let rank = |&(s, i): &(usize, usize)| {
            let l: &Listing = &per_supplier[s][i];
            (l.is_sold(), std::cmp::Reverse(l.updated), s, i)
        };
        let &winner = offers.iter().min_by_key(|o| rank(o)).unwrap_or(&offers[0]);
        let kept = &per_supplier[winner.0][winner.1];
        for &(s, i) in offers.iter().filter(|&&o| o != winner) {
            let lost = &per_supplier[s][i];
            let why = if kept.is_sold() != lost.is_sold() {
                "this one is marked sold".to_string()
            } else if kept.updated != lost.updated {
                format!(
                    "that one was updated more recently ({} against {})",
                    kept.updated, lost.updated
                )
            } else if winner.0 != s {
                "both were updated the same day and that supplier comes first in data/suppliers.toml"
                    .to_string()
            } else {
                "that row comes first".to_string()
            };
            duplicates.push(Duplicate {
                problem: Problem::warning(format!(
                    "VIN {vin:?} is also offered by supplier `{}` as {:?} ({}:{}); one car is \
                     published, and this offer (supplier `{}`, {:?}) was left out because {why}",
                    kept.supplier,
                    kept.vehicle_id,
                    kept.source_file,
                    kept.source_line,
                    lost.supplier,
                    lost.vehicle_id,
                ))
                .in_file(&lost.source_file)
                .at_line(lost.source_line)
                .with_field("vin"),
                loser: s,
                winner: winner.0,
            });
            drop[s].push(i);
        }
    }
    for (listings, mut gone) in per_supplier.iter_mut().zip(drop) {
        gone.sort_unstable();
        let mut index = 0;
        listings.retain(|_| {
            let keep = gone.binary_search(&index).is_err();
            index += 1;
            keep
        });
    }
    duplicates
}
