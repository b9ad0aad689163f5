use super::SupplierId;
use jiff::civil::Date;
use serde::Serialize;

/// 17 characters, no I, O or Q, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Vin(String);

impl Vin {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount in minor units (cents, fen) and its ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Price {
    pub minor: i64,
    pub currency: [u8; 3],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MileageUnit {
    Km,
    Mi,
}

/// The odometer reading in the unit the supplier gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mileage {
    pub value: u64,
    pub unit: MileageUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ModelYear(u16);

impl ModelYear {
    pub fn get(self) -> u16 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Availability {
    Available,
    Pending,
    NotAvailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum VehicleState {
    New,
    Used,
    Cpo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BodyStyle {
    Convertible,
    Coupe,
    Crossover,
    Estate,
    Grandtourer,
    Hatchback,
    Minibus,
    Minivan,
    Mpv,
    Pickup,
    Roadster,
    Saloon,
    Sedan,
    SmallCar,
    Sportscar,
    Supercar,
    Supermini,
    Suv,
    Truck,
    Van,
    Wagon,
    Other,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FuelType {
    Diesel,
    Electric,
    Flex,
    Gasoline,
    Hybrid,
    Petrol,
    PluginHybrid,
    Other,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Transmission {
    Automatic,
    Manual,
    Other,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Drivetrain {
    #[serde(rename = "AWD")]
    Awd,
    #[serde(rename = "FOUR_WD")]
    FourWd,
    #[serde(rename = "FWD")]
    Fwd,
    #[serde(rename = "RWD")]
    Rwd,
    #[serde(rename = "TWO_WD")]
    TwoWd,
    #[serde(rename = "4X2")]
    FourByTwo,
    #[serde(rename = "4X4")]
    FourByFour,
    #[serde(rename = "OTHER")]
    Other,
    #[serde(rename = "NONE")]
    None,
}

/// A photo: a file inside the supplier's folder, or a remote http(s) URL passed through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "src", rename_all = "lowercase")]
pub enum ImageRef {
    /// Path relative to the site root, `/`-separated, inside `data/feeds/<supplier>/`.
    Local(String),
    Remote(String),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    pub addr1: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// Where a listing's "last updated by the supplier" date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdatedFrom {
    /// A timestamp inside the feed.
    Feed,
    /// The feed file's modification time.
    FileModified,
}

/// One car as a supplier described it, validated. Text fields are untrusted plain text:
/// templates escape them, and `description` is rendered as Markdown with raw HTML escaped.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub supplier: SupplierId,
    pub vehicle_id: String,
    pub vin: Option<Vin>,
    pub make: String,
    pub model: String,
    pub year: Option<ModelYear>,
    pub title: String,
    pub description: String,
    /// The supplier's own page for the car, http(s) only.
    pub url: Option<String>,
    pub images: Vec<ImageRef>,
    pub price: Price,
    pub sale_price: Option<Price>,
    pub mileage: Option<Mileage>,
    pub body_style: Option<BodyStyle>,
    pub fuel_type: Option<FuelType>,
    pub transmission: Option<Transmission>,
    pub drivetrain: Option<Drivetrain>,
    pub exterior_color: Option<String>,
    pub interior_color: Option<String>,
    pub trim: Option<String>,
    pub state_of_vehicle: Option<VehicleState>,
    pub condition: Option<String>,
    pub availability: Availability,
    pub date_first_on_lot: Option<Date>,
    pub address: Address,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The day the supplier last updated this car.
    pub updated: Date,
    pub updated_from: UpdatedFrom,
    /// Older than the supplier's `max_age_days` on the build date.
    pub stale: bool,
    /// Feed file (relative to the site root) and the line the car starts on.
    pub source_file: String,
    pub source_line: u32,
}
