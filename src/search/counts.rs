//! How many cars have each value, counted in advance for one filter and for two, so
//! that a visitor's first filters show their counts without any car's data.
//!
//! An *atom* is a set of cars one file describes: a value of a categorical facet
//! (`body` 3: every SUV), or for a range facet every car up to a code (`price` 14: every
//! car of that currency at most at its seventh boundary; ranges are differences of
//! two). Mileage has only "up to" atoms (its filter has no minimum). For an atom, and
//! for a pair of atoms of two facets, a file holds the number of cars by every value
//! of every other facet (and by make); `cars.js` adds and subtracts files to get the
//! counts of any one or two filters, ranges included.
//!
//! A catalog of fewer than [`COUNTED_FROM`] cars has no count files at all. Pairs are
//! left out when an atom has fewer than [`Counts::pair_floor`] cars (few cars
//! are cheaper read one by one) and for two facets whose table would be too large to
//! count in memory (many places times many prices); the script then reads the cars.

use super::cars::{Cars, FACETS, Facet};
use rayon::prelude::*;

/// Two facets' tables larger than this many counters are not made.
const PAIR_TABLE_LIMIT: usize = 4_000_000;
/// Below this many cars there are no count files: every facet's column together is
/// smaller than a few count files, and the script reads those instead.
pub const COUNTED_FROM: usize = 1_000;

/// Where each facet's counts start in a vector of counts: the make first, then every
/// facet in [`FACETS`] order, each with one counter per code (0 included).
pub struct Layout {
    pub offsets: Vec<usize>,
    pub len: usize,
}

impl Layout {
    pub fn new(cars: &Cars) -> Layout {
        let mut offsets = vec![0];
        let mut len = cars.makes.len() + 1;
        for facet in FACETS {
            offsets.push(len);
            len += cars.max_code(facet) as usize + 1;
        }
        Layout { offsets, len }
    }

    /// The counters car `car` adds to, one per dimension (make, then facets).
    fn slots(&self, cars: &Cars, car: usize) -> [usize; 9] {
        let mut slots = [0; 9];
        slots[0] = cars.make[car] as usize;
        for (i, facet) in FACETS.iter().enumerate() {
            slots[i + 1] = self.offsets[i + 1] + cars.codes[facet.index()][car] as usize;
        }
        slots
    }

    fn segment(&self, dimension: usize) -> std::ops::Range<usize> {
        let end = self.offsets.get(dimension + 1).copied().unwrap_or(self.len);
        self.offsets[dimension]..end
    }
}

/// The count files, by path under the index's folder, and what `cars.js` needs to know
/// of them.
pub struct Counts {
    pub files: Vec<(String, String)>,
    /// Atoms with fewer cars have no pair files.
    pub pair_floor: u32,
    /// Pairs of facets without pair files.
    pub skipped: Vec<(Facet, Facet)>,
}

/// The codes that are atoms of a facet.
pub fn atoms(cars: &Cars, facet: Facet) -> impl Iterator<Item = u32> {
    let max = cars.max_code(facet);
    let even_only = facet == Facet::Mileage;
    (1..=max).filter(move |c| !even_only || c % 2 == 0)
}

pub fn count(cars: &Cars) -> Counts {
    let layout = Layout::new(cars);
    let pair_floor = (cars.len() as u32 / 1000).max(1);
    if cars.len() < COUNTED_FROM {
        return Counts {
            files: Vec::new(),
            pair_floor,
            skipped: Vec::new(),
        };
    }
    let singles: Vec<(Facet, Vec<u32>)> = FACETS
        .par_iter()
        .map(|&facet| (facet, table(cars, &layout, &[facet])))
        .collect();
    let mut files: Vec<(String, String)> = Vec::new();
    // An atom's cars, from its single table: its make counts add up to them.
    let mut sizes: Vec<Vec<u32>> = vec![Vec::new(); FACETS.len()];
    for (facet, table) in &singles {
        let rows = cars.max_code(*facet) as usize + 1;
        sizes[facet.index()] = vec![0; rows];
        for code in atoms(cars, *facet) {
            let row = &table[code as usize * layout.len..][..layout.len];
            let total: u32 = row[layout.segment(0)].iter().sum();
            sizes[facet.index()][code as usize] = total;
            if total > 0 {
                let name = format!("c/{}-{code}.json", facet.name());
                files.push((name, vector(row, &layout, &[*facet], total)));
            }
        }
    }
    let pairs: Vec<(Facet, Facet)> = FACETS
        .iter()
        .enumerate()
        .flat_map(|(i, &a)| FACETS[i + 1..].iter().map(move |&b| (a, b)))
        .collect();
    let fits = |&(a, b): &(Facet, Facet)| {
        let cells = (cars.max_code(a) as usize + 1) * (cars.max_code(b) as usize + 1);
        cells * layout.len <= PAIR_TABLE_LIMIT
    };
    let skipped = pairs.iter().copied().filter(|p| !fits(p)).collect();
    let pair_files: Vec<Vec<(String, String)>> = pairs
        .par_iter()
        .filter(|p| fits(p))
        .map(|&(a, b)| {
            let table = table(cars, &layout, &[a, b]);
            let columns = cars.max_code(b) as usize + 1;
            let mut out = Vec::new();
            for ca in atoms(cars, a).filter(|&c| sizes[a.index()][c as usize] >= pair_floor) {
                for cb in atoms(cars, b).filter(|&c| sizes[b.index()][c as usize] >= pair_floor) {
                    let cell = ca as usize * columns + cb as usize;
                    let row = &table[cell * layout.len..][..layout.len];
                    let total: u32 = row[layout.segment(0)].iter().sum();
                    if total > 0 {
                        let name = format!("p/{}-{ca}-{}-{cb}.json", a.name(), b.name());
                        out.push((name, vector(row, &layout, &[a, b], total)));
                    }
                }
            }
            out
        })
        .collect();
    files.extend(pair_files.into_iter().flatten());
    Counts {
        files,
        pair_floor,
        skipped,
    }
}

/// For one facet, or two, every combination of their codes (row-major) with its vector
/// of counts; range facets' rows summed up to each code within its run, so that a row
/// counts its atom's cars.
fn table(cars: &Cars, layout: &Layout, by: &[Facet]) -> Vec<u32> {
    let dims: Vec<usize> = by.iter().map(|&f| cars.max_code(f) as usize + 1).collect();
    let cells: usize = dims.iter().product();
    let mut table = vec![0u32; cells * layout.len];
    for car in 0..cars.len() {
        let cell = by.iter().zip(&dims).fold(0, |cell, (f, d)| {
            cell * d + cars.codes[f.index()][car] as usize
        });
        let row = &mut table[cell * layout.len..][..layout.len];
        for slot in layout.slots(cars, car) {
            row[slot] += 1;
        }
    }
    // Running sums along each range facet's axis, within each run of codes.
    for (axis, &facet) in by.iter().enumerate() {
        if !facet.is_range() {
            continue;
        }
        let stride: usize = dims[axis + 1..].iter().product::<usize>() * layout.len;
        let outer: usize = dims[..axis].iter().product();
        for o in 0..outer {
            for code in 2..dims[axis] as u32 {
                if cars.run_start(facet, code) == code {
                    continue;
                }
                let at = (o * dims[axis] + code as usize) * stride;
                let (before, here) = table.split_at_mut(at);
                let previous = &before[at - stride..];
                for (h, p) in here[..stride].iter_mut().zip(previous) {
                    *h += *p;
                }
            }
        }
    }
    table
}

/// A vector as JSON: the total, then each dimension's counters but those of the facets
/// the file is about, trailing zeros left out.
fn vector(row: &[u32], layout: &Layout, about: &[Facet], total: u32) -> String {
    let mut out = format!("{{\"t\":{total}");
    for dimension in 0..=FACETS.len() {
        let name = match dimension {
            0 => "make",
            d => {
                let facet = FACETS[d - 1];
                if about.contains(&facet) {
                    continue;
                }
                facet.name()
            }
        };
        let counts = &row[layout.segment(dimension)];
        let used = counts.iter().rposition(|&c| c > 0).map_or(0, |i| i + 1);
        out.push_str(&format!(",\"{name}\":["));
        for (i, c) in counts[..used].iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&c.to_string());
        }
        out.push(']');
    }
    out.push('}');
    out
}
