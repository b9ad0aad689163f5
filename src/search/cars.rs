//! The listed cars as the index sees them: numbered in *index order* (make, then model,
//! then newest first), so that every make and every model is one run of numbers, and
//! each described by one small code per facet.
//!
//! Codes start at 1; 0 is "no value". Categorical facets (body, fuel, gearbox, supplier,
//! location) number their values in key order. Range facets are bucketed: a price or
//! a mileage at boundary `b[i]` of its ladder gets code `2i + 2`, one between `b[i-1]`
//! and `b[i]` code `2i + 1`, so that both "up to `b[i]`" (code ≤ `2i + 2`) and "from
//! `b[i]`" (code ≥ `2i + 2`) are ranges of codes, boundaries included. Prices are bucketed
//! per currency (10 000 yen are not 10 000 euros): each currency has its ladder and its
//! run of codes. Years are their own codes.

use crate::catalog::{Catalog, format, view};
use crate::feeds::{Listing, Mileage, MileageUnit, Price};
use crate::site::Site;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The facets a car has one code of, besides its make and model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Body,
    Fuel,
    Gearbox,
    Supplier,
    Location,
    Price,
    Year,
    Mileage,
}

pub const FACETS: [Facet; 8] = [
    Facet::Body,
    Facet::Fuel,
    Facet::Gearbox,
    Facet::Supplier,
    Facet::Location,
    Facet::Price,
    Facet::Year,
    Facet::Mileage,
];

impl Facet {
    /// The name files, `cars.js` and the URL use.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Body => "body",
            Facet::Fuel => "fuel",
            Facet::Gearbox => "gearbox",
            Facet::Supplier => "supplier",
            Facet::Location => "location",
            Facet::Price => "price",
            Facet::Year => "year",
            Facet::Mileage => "mileage",
        }
    }

    /// Filtered by a range of codes rather than one value.
    pub fn is_range(self) -> bool {
        matches!(self, Facet::Price | Facet::Year | Facet::Mileage)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A categorical value's key (as URLs write it) and its label (as people read it).
type KeyLabel = (String, String);

/// A make or a model: one run of car numbers.
pub struct Group {
    /// Its slug, as in `/cars/brand/<make>/<model>/`.
    pub key: String,
    /// As its newest car spells it, as the catalog's lists do.
    pub label: String,
    pub start: u32,
    pub len: u32,
}

/// One currency's price ladder.
pub struct Currency {
    pub code: String,
    /// Codes of this currency are `base + 1 ..= base + 2 * bounds.len() + 1`.
    pub base: u32,
    /// Boundaries in whole major units, ascending.
    pub bounds: Vec<i64>,
    /// Each boundary as the site writes prices (`€20,000`).
    pub labels: Vec<String>,
}

pub struct Cars {
    /// Car number to index into the site's listings.
    pub listing: Vec<usize>,
    /// Car number to its place in the newest-first list (`Catalog::listed`).
    pub rank: Vec<u32>,
    pub makes: Vec<Group>,
    /// Every make's models, make by make: the models of make `m` are
    /// `models[model_start[m]..model_start[m + 1]]`.
    pub models: Vec<Group>,
    pub model_start: Vec<usize>,
    /// Per car: make code (0 when the make gives no slug), model code (global, 0 for
    /// none).
    pub make: Vec<u32>,
    pub model: Vec<u32>,
    /// Per facet (in [`FACETS`] order), per car.
    pub codes: Vec<Vec<u32>>,
    /// The values of the categorical facets, code `i + 1` is `keys[i]`; empty for range
    /// facets.
    pub keys: Vec<Vec<String>>,
    pub labels: Vec<Vec<String>>,
    pub currencies: Vec<Currency>,
    pub years: Vec<u16>,
    /// The mileage filter's unit: the one most cars give.
    pub mileage_unit: MileageUnit,
    pub mileage_bounds: Vec<i64>,
    pub mileage_labels: Vec<String>,
    /// Sort keys per car: asking price in whole major units of its own currency, and
    /// mileage in the filter's unit.
    pub price: Vec<i64>,
    pub mileage: Vec<Option<u64>>,
}

impl Cars {
    pub fn len(&self) -> usize {
        self.listing.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listing.is_empty()
    }

    /// The highest code of a facet.
    pub fn max_code(&self, facet: Facet) -> u32 {
        match facet {
            Facet::Price => self
                .currencies
                .last()
                .map_or(0, |c| c.base + 2 * c.bounds.len() as u32 + 1),
            Facet::Year => self.years.len() as u32,
            Facet::Mileage => {
                if self.mileage_bounds.is_empty() {
                    0
                } else {
                    2 * self.mileage_bounds.len() as u32 + 1
                }
            }
            _ => self.keys[facet.index()].len() as u32,
        }
    }

    /// The lowest code in the same run as `code`: its currency's first for prices, 1
    /// otherwise. Cumulative counts start there.
    pub fn run_start(&self, facet: Facet, code: u32) -> u32 {
        match facet {
            Facet::Price => self
                .currencies
                .iter()
                .rev()
                .find(|c| c.base < code)
                .map_or(1, |c| c.base + 1),
            _ => 1,
        }
    }

    pub fn new(site: &Site, catalog: &Catalog) -> Cars {
        let listings = &site.inventory.listings;
        let keyed: Vec<(String, String)> = catalog
            .listed
            .par_iter()
            .map(|&i| {
                let l = &listings[i];
                (slug::slugify(&l.make), slug::slugify(&l.model))
            })
            .collect();
        let mut order: Vec<u32> = (0..keyed.len() as u32).collect();
        order.par_sort_by(|&a, &b| {
            let (ka, kb) = (&keyed[a as usize], &keyed[b as usize]);
            ka.cmp(kb).then(a.cmp(&b))
        });
        let rank = order.clone();
        let listing: Vec<usize> = order.iter().map(|&r| catalog.listed[r as usize]).collect();
        let mut cars = Cars {
            listing,
            rank,
            makes: Vec::new(),
            models: Vec::new(),
            model_start: Vec::new(),
            make: Vec::new(),
            model: Vec::new(),
            codes: Vec::new(),
            keys: vec![Vec::new(); FACETS.len()],
            labels: vec![Vec::new(); FACETS.len()],
            currencies: Vec::new(),
            years: Vec::new(),
            mileage_unit: MileageUnit::Km,
            mileage_bounds: Vec::new(),
            mileage_labels: Vec::new(),
            price: Vec::new(),
            mileage: Vec::new(),
        };
        cars.group(listings, &keyed);
        let per_car: Vec<&Listing> = cars.listing.iter().map(|&i| &listings[i]).collect();
        cars.categorical(site, &per_car);
        cars.prices(&per_car);
        cars.years(&per_car);
        cars.mileages(&per_car);
        cars
    }

    /// Makes and models as runs of car numbers.
    fn group(&mut self, listings: &[Listing], keyed: &[(String, String)]) {
        let n = self.listing.len();
        self.make = vec![0; n];
        self.model = vec![0; n];
        let mut car = 0;
        while car < n {
            let (make_key, _) = &keyed[self.rank[car] as usize];
            let end = (car..n)
                .find(|&c| &keyed[self.rank[c] as usize].0 != make_key)
                .unwrap_or(n);
            let make_code = if make_key.is_empty() {
                0
            } else {
                let label = self.newest_spelling(car..end, |c| &listings[c].make);
                self.makes.push(Group {
                    key: make_key.clone(),
                    label,
                    start: car as u32,
                    len: (end - car) as u32,
                });
                self.model_start.push(self.models.len());
                self.makes.len() as u32
            };
            let mut m = car;
            while m < end {
                let model_key = &keyed[self.rank[m] as usize].1;
                let m_end = (m..end)
                    .find(|&c| &keyed[self.rank[c] as usize].1 != model_key)
                    .unwrap_or(end);
                let model_code = if make_code == 0 || model_key.is_empty() {
                    0
                } else {
                    let label = self.newest_spelling(m..m_end, |c| &listings[c].model);
                    self.models.push(Group {
                        key: model_key.clone(),
                        label,
                        start: m as u32,
                        len: (m_end - m) as u32,
                    });
                    self.models.len() as u32
                };
                for c in m..m_end {
                    self.make[c] = make_code;
                    self.model[c] = model_code;
                }
                m = m_end;
            }
            car = end;
        }
        self.model_start.push(self.models.len());
    }

    /// How the newest car of `cars` writes a field.
    fn newest_spelling<'l>(
        &self,
        cars: std::ops::Range<usize>,
        field: impl Fn(usize) -> &'l String,
    ) -> String {
        let newest = cars.min_by_key(|&c| self.rank[c]).expect("a run has cars");
        field(self.listing[newest]).clone()
    }

    /// Body, fuel, gearbox, supplier and location: values in key order.
    fn categorical(&mut self, site: &Site, cars: &[&Listing]) {
        let location = |l: &Listing| {
            l.address
                .city
                .as_deref()
                .or(l.address.region.as_deref())
                .map(|place| (slug::slugify(place), place.to_string()))
                .filter(|(key, _)| !key.is_empty())
        };
        let supplier = |l: &Listing| {
            let name = view::supplier_of(site, l).map_or(l.supplier.as_str(), |s| s.name.as_str());
            Some((l.supplier.as_str().to_string(), name.to_string()))
        };
        let known = |value: Option<String>| value.map(|code| (code.clone(), code));
        let values: [(Facet, Vec<Option<KeyLabel>>); 5] = [
            (
                Facet::Body,
                cars.iter()
                    .map(|l| known(view::known_code(&l.body_style)))
                    .collect(),
            ),
            (
                Facet::Fuel,
                cars.iter()
                    .map(|l| known(view::known_code(&l.fuel_type)))
                    .collect(),
            ),
            (
                Facet::Gearbox,
                cars.iter()
                    .map(|l| known(view::known_code(&l.transmission)))
                    .collect(),
            ),
            (
                Facet::Supplier,
                cars.par_iter().map(|l| supplier(l)).collect(),
            ),
            (
                Facet::Location,
                cars.par_iter().map(|l| location(l)).collect(),
            ),
        ];
        self.codes = vec![Vec::new(); FACETS.len()];
        for (facet, per_car) in values {
            // Each key's label is its newest car's spelling.
            let mut labels: BTreeMap<&str, (u32, &str)> = BTreeMap::new();
            for (car, value) in per_car.iter().enumerate() {
                if let Some((key, label)) = value {
                    let rank = self.rank[car];
                    let entry = labels.entry(key).or_insert((rank, label));
                    if rank < entry.0 {
                        *entry = (rank, label);
                    }
                }
            }
            let code_of: BTreeMap<&str, u32> = labels
                .keys()
                .enumerate()
                .map(|(i, k)| (*k, i as u32 + 1))
                .collect();
            self.codes[facet.index()] = per_car
                .iter()
                .map(|v| v.as_ref().map_or(0, |(key, _)| code_of[key.as_str()]))
                .collect();
            self.keys[facet.index()] = labels.keys().map(|k| k.to_string()).collect();
            self.labels[facet.index()] = labels.values().map(|(_, l)| l.to_string()).collect();
        }
    }

    fn prices(&mut self, cars: &[&Listing]) {
        let asking: Vec<&Price> = cars
            .iter()
            .map(|l| l.sale_price.as_ref().unwrap_or(&l.price))
            .collect();
        self.price = asking
            .iter()
            .map(|p| format::major_units(p).max(0))
            .collect();
        let mut range: BTreeMap<&str, (i64, i64, &Price)> = BTreeMap::new();
        for (p, &amount) in asking.iter().zip(&self.price) {
            let entry = range
                .entry(p.currency_code())
                .or_insert((amount, amount, p));
            entry.0 = entry.0.min(amount);
            entry.1 = entry.1.max(amount);
        }
        let mut base = 0;
        for (code, (lo, hi, like)) in &range {
            let bounds = ladder(*lo, *hi, 100);
            let labels = bounds
                .iter()
                .map(|&b| format::price(&format::whole(b, like)))
                .collect();
            let width = 2 * bounds.len() as u32 + 1;
            self.currencies.push(Currency {
                code: code.to_string(),
                base,
                bounds,
                labels,
            });
            base += width;
        }
        let codes = asking
            .iter()
            .zip(&self.price)
            .map(|(p, &amount)| {
                let c = self
                    .currencies
                    .iter()
                    .find(|c| c.code == p.currency_code())
                    .expect("every currency has a ladder");
                c.base + bucket(&c.bounds, amount)
            })
            .collect();
        self.codes[Facet::Price.index()] = codes;
    }

    fn years(&mut self, cars: &[&Listing]) {
        let years: BTreeSet<u16> = cars
            .iter()
            .filter_map(|l| l.year.map(|y| y.get()))
            .collect();
        self.years = years.into_iter().collect();
        self.codes[Facet::Year.index()] = cars
            .iter()
            .map(|l| {
                l.year.map_or(0, |y| {
                    self.years.binary_search(&y.get()).expect("collected") as u32 + 1
                })
            })
            .collect();
    }

    fn mileages(&mut self, cars: &[&Listing]) {
        let miles = cars
            .iter()
            .filter(|l| l.mileage.is_some_and(|m| m.unit == MileageUnit::Mi))
            .count();
        let given = cars.iter().filter(|l| l.mileage.is_some()).count();
        self.mileage_unit = if miles * 2 > given {
            MileageUnit::Mi
        } else {
            MileageUnit::Km
        };
        let unit = self.mileage_unit;
        self.mileage = cars
            .iter()
            .map(|l| l.mileage.map(|m| in_unit(m, unit)))
            .collect();
        let (lo, hi) = self
            .mileage
            .iter()
            .flatten()
            .fold((u64::MAX, 0), |(lo, hi), &m| (lo.min(m), hi.max(m)));
        if given > 0 {
            // Nobody asks for cars with at most 100 km.
            let lo = i64::try_from(lo).unwrap_or(i64::MAX).max(4_999);
            let hi = i64::try_from(hi).unwrap_or(i64::MAX).max(lo);
            self.mileage_bounds = ladder(lo, hi, 5_000);
        }
        self.mileage_labels = self
            .mileage_bounds
            .iter()
            .map(|&b| {
                format::mileage(&Mileage {
                    value: b as u64,
                    unit,
                })
            })
            .collect();
        self.codes[Facet::Mileage.index()] = self
            .mileage
            .iter()
            .map(|m| m.map_or(0, |m| bucket(&self.mileage_bounds, m as i64)))
            .collect();
    }
}

fn in_unit(m: Mileage, unit: MileageUnit) -> u64 {
    const KM_PER_MILE: f64 = 1.609_344;
    match (m.unit, unit) {
        (MileageUnit::Mi, MileageUnit::Km) => (m.value as f64 * KM_PER_MILE).round() as u64,
        (MileageUnit::Km, MileageUnit::Mi) => (m.value as f64 / KM_PER_MILE).round() as u64,
        _ => m.value,
    }
}

/// Round numbers people pick from a list: 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6 and 7.5 times a
/// power of ten, from `floor` up, above `lo` and up to the first at or above `hi`.
pub fn ladder(lo: i64, hi: i64, floor: i64) -> Vec<i64> {
    const STEPS: [i64; 10] = [100, 125, 150, 200, 250, 300, 400, 500, 600, 750];
    let mut out = Vec::new();
    let mut scale: i64 = 1;
    loop {
        for step in STEPS {
            let b = step * scale;
            if b < floor * 100 || b <= lo * 100 || out.last().is_some_and(|&last| last * 100 >= b) {
                continue;
            }
            out.push(b / 100);
            if b >= hi * 100 {
                return out;
            }
        }
        match scale.checked_mul(10) {
            Some(next) if next.checked_mul(750).is_some() => scale = next,
            _ => return out,
        }
    }
}

/// The code of `x` on a ladder (see the module's comment).
pub fn bucket(bounds: &[i64], x: i64) -> u32 {
    let i = bounds.partition_point(|&b| b < x);
    if bounds.get(i) == Some(&x) {
        2 * i as u32 + 2
    } else {
        2 * i as u32 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_are_round_and_cover_every_price() {
        assert_eq!(
            ladder(900, 21_000, 100),
            [
                1_000, 1_250, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 7_500, 10_000,
                12_500, 15_000, 20_000, 25_000
            ]
        );
        assert_eq!(ladder(18_000, 18_000, 100), [20_000]);
        assert_eq!(
            ladder(4_999, 60_000, 5_000),
            [
                5_000, 6_000, 7_500, 10_000, 12_500, 15_000, 20_000, 25_000, 30_000, 40_000,
                50_000, 60_000
            ]
        );
    }

    #[test]
    fn a_boundary_is_in_both_the_range_below_and_the_range_above() {
        let bounds = [1_000, 2_000];
        assert_eq!(bucket(&bounds, 999), 1);
        assert_eq!(bucket(&bounds, 1_000), 2);
        assert_eq!(bucket(&bounds, 1_500), 3);
        assert_eq!(bucket(&bounds, 2_000), 4);
        assert_eq!(bucket(&bounds, 2_001), 5);
        // "Up to 1 000" is code ≤ 2, "from 1 000" code ≥ 2.
    }
}
