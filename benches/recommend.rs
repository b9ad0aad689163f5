//! Recommended Cars for 100 000 cars: `cargo bench --bench recommend`. Prints the median
//! of several runs; the target is under one second on a 2-core machine.

use showroom::recommend::{Candidate, rank};
use std::time::Instant;

/// The allocator the `showroom` program uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MAKES: [(&str, &[&str]); 6] = [
    ("bmw", &["1 series", "3 series", "5 series", "x1", "x3"]),
    ("volkswagen", &["golf", "passat", "polo", "tiguan"]),
    ("toyota", &["corolla", "rav4", "yaris", "camry"]),
    ("byd", &["atto 3", "seal", "dolphin", "han"]),
    ("ford", &["focus", "fiesta", "kuga", "mondeo"]),
    ("kia", &["ceed", "sportage", "niro", "picanto"]),
];
const BODIES: [&str; 5] = ["hatchback", "sedan", "suv", "wagon", "coupe"];

/// A deterministic spread of cars: a small linear congruential generator, no crate needed.
fn cars(n: usize) -> Vec<Candidate> {
    let mut seed: u64 = 42;
    let mut next = move |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    (0..n)
        .map(|_| {
            let (make, models) = MAKES[next(MAKES.len() as u64) as usize];
            Candidate {
                make: make.into(),
                model: models[next(models.len() as u64) as usize].into(),
                body: Some(BODIES[next(BODIES.len() as u64) as usize].into()),
                currency: *b"EUR",
                price: 3_000 + next(60_000) as i64,
                year: Some(2008 + next(18) as u16),
                supplier: format!("supplier-{}", next(8)),
                vin: None,
                arrived: 20_000 + next(400) as i32,
                available: next(20) != 0,
            }
        })
        .collect()
}

fn main() {
    let n = 100_000;
    let candidates = cars(n);
    // The peer, in the same runs: one sort of the same cars by model and price, the
    // least any bucket-and-search method has to do.
    let mut times = Vec::new();
    let mut peer = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let ranked = rank(&candidates, 4, &[], 20_400);
        times.push(start.elapsed().as_secs_f64());
        assert_eq!(ranked.per_car.len(), n);
        let start = Instant::now();
        let mut order: Vec<&Candidate> = candidates.iter().collect();
        order.sort_by(|a, b| (&a.make, &a.model, a.price).cmp(&(&b.make, &b.model, b.price)));
        peer.push(start.elapsed().as_secs_f64());
        assert_eq!(order.len(), n);
    }
    times.sort_by(f64::total_cmp);
    peer.sort_by(f64::total_cmp);
    let median = |xs: &[f64]| xs[xs.len() / 2];
    println!(
        "recommend: {n} cars, k = 4, median of {} runs: {:.3} s (min {:.3} s, max {:.3} s); \
         one sort by model and price: {:.3} s, ratio {:.1}",
        times.len(),
        median(&times),
        times[0],
        times[times.len() - 1],
        median(&peer),
        median(&times) / median(&peer),
    );
}
