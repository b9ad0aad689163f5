//! Supplier feeds: the registry, one reader per format, and the normalised [`Listing`].
//! Owned by the feeds issue; this is the interface the later stages build on.

mod listing;
mod supplier;

pub use listing::{
    Address, Availability, BodyStyle, Drivetrain, FuelType, ImageRef, Listing, Mileage,
    MileageUnit, ModelYear, Price, Transmission, UpdatedFrom, VehicleState, Vin,
};
pub use supplier::{Supplier, SupplierId};

use crate::config::FeedsConfig;
use crate::diagnostics::{Diagnostics, Problem};
use serde::Serialize;
use std::path::Path;

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

/// Reads `data/suppliers.toml` and every feed under `data/feeds/`.
pub fn load(
    _root: &Path,
    _config: &FeedsConfig,
    _today: jiff::civil::Date,
) -> (Inventory, Diagnostics) {
    (Inventory::default(), Diagnostics::default())
}
