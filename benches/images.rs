//! Photo throughput: `cargo bench --bench images`. Writes 40 synthetic 2000×1500 JPEGs
//! into a temporary folder, runs the images stage on them with a cold cache (decode,
//! three widths, JPEG and WebP each) and prints the median of 3 runs in megapixels of
//! source per second.

use rayon::prelude::*;
use showroom::config::ImagesConfig;
use showroom::images;
use std::path::PathBuf;
use std::time::Instant;

const PHOTOS: u32 = 40;
const WIDTH: u32 = 2000;
const HEIGHT: u32 = 1500;
const RUNS: usize = 3;

/// A gradient with some deterministic texture, so the encoders have real work to do.
fn photo(seed: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31)) % 23;
        image::Rgb([
            ((x * 255 / WIDTH) as u8).wrapping_add(n as u8),
            ((y * 255 / HEIGHT) as u8).wrapping_add(seed as u8),
            (((x + y) / 16) as u8).wrapping_add(n as u8),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&pixels, WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
        .expect("encode a synthetic photo");
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let paths: Vec<(String, PathBuf)> = (0..PHOTOS)
        .map(|i| {
            let path = dir.path().join(format!("photo-{i}.jpg"));
            std::fs::write(&path, photo(i)).expect("write a synthetic photo");
            (format!("photo-{i}.jpg"), path)
        })
        .collect();
    let sources: Vec<(&str, PathBuf)> =
        paths.iter().map(|(k, p)| (k.as_str(), p.clone())).collect();
    let config = ImagesConfig::default();
    let megapixels = f64::from(PHOTOS * WIDTH * HEIGHT) / 1e6;
    let mut rates = Vec::new();
    let mut peer = Vec::new();
    for run in 0..RUNS {
        let cache = dir.path().join(format!("cache-{run}"));
        let start = Instant::now();
        let (photos, problems) = images::process_files(&sources, &config, &cache);
        let stats = photos.stats;
        let seconds = start.elapsed().as_secs_f64();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(stats.encoded, PHOTOS as usize);
        println!(
            "run {}: {seconds:.2} s, {:.1} MP/s",
            run + 1,
            megapixels / seconds
        );
        rates.push(megapixels / seconds);
        // The peer, in the same runs: only decoding the same files, on the same threads.
        let start = Instant::now();
        paths.par_iter().for_each(|(_, path)| {
            image::open(path).expect("decode a synthetic photo");
        });
        peer.push(megapixels / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    peer.sort_by(f64::total_cmp);
    println!(
        "images: {PHOTOS} photos of {WIDTH}×{HEIGHT} ({megapixels:.0} MP), cold cache, widths {:?}: \
         median {:.1} MP/s on {} threads; decoding alone {:.1} MP/s, ratio {:.2}",
        config.widths,
        rates[RUNS / 2],
        rayon::current_num_threads(),
        peer[RUNS / 2],
        rates[RUNS / 2] / peer[RUNS / 2],
    );
}
