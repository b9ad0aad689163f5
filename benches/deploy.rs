//! `showroom deploy` at scale: requests and time of a plain full upload, a 1 % delta
//! against the remote manifest, a deploy with nothing changed and a delta found by
//! listing the bucket, against the S3-compatible server of the tests (s3s-fs on
//! 127.0.0.1, in this process). Each round starts from an empty bucket; the table gives
//! medians (the listing case runs once: its time is mostly s3s-fs's). `bench/deploy.py` builds the two outputs and runs this; alone, it only says so.

#[path = "../tests/s3/mod.rs"]
mod s3;

use showroom::deploy::{self, Credentials, DeployOptions, Requests, Summary};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn options(s3: &s3::S3, output: &Path) -> DeployOptions {
    let mut config = showroom::config::DeployConfig {
        bucket: Some(s3::BUCKET.into()),
        endpoint: Some(s3.endpoint.clone()),
        ..Default::default()
    };
    config.max_deletes = usize::MAX;
    DeployOptions {
        output: output.to_path_buf(),
        max_deletes: config.max_deletes,
        config,
        credentials: Credentials::Keys {
            id: s3::KEY_ID.into(),
            secret: s3::SECRET.into(),
            token: None,
        },
        dry_run: false,
        now: jiff::Timestamp::now(),
        me: deploy::Me::this_process(),
        report: None,
        multipart_bytes: deploy::MULTIPART_BYTES,
    }
}

/// One deploy's figures.
struct Run {
    seconds: f64,
    summary: Summary,
}

fn run(label: &str, s3: &s3::S3, output: &Path) -> Run {
    let started = Instant::now();
    let summary =
        deploy::deploy(&options(s3, output), &deploy::Silent).expect("the deploy succeeds");
    let seconds = started.elapsed().as_secs_f64();
    let r = summary.requests;
    eprintln!(
        "  {label}: {seconds:.1} s, {} uploaded, {} requests (PUT {}, GET {}, HEAD {}, POST {}, DELETE {})",
        summary.uploaded,
        r.total(),
        r.put,
        r.get,
        r.head,
        r.post,
        r.delete
    );
    Run { seconds, summary }
}

const SCENARIOS: [&str; 4] = [
    "plain full upload (empty bucket)",
    "1 % of prices changed, against the remote manifest",
    "nothing changed",
    "1 % changed, no remote manifest: listing and HEAD",
];

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let Ok(spec) = std::env::var("SHOWROOM_DEPLOY_BENCH") else {
        println!("skipped: run `python3 bench/deploy.py`, which builds the outputs this deploys");
        return;
    };
    let rounds: usize = std::env::var("SHOWROOM_DEPLOY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let (a, b) = spec
        .split_once(':')
        .expect("SHOWROOM_DEPLOY_BENCH=<out-a>:<out-b>");
    let (a, b) = (PathBuf::from(a), PathBuf::from(b));
    let (ma, mb) = (
        showroom::output::read_manifest(&a).expect("a built output"),
        showroom::output::read_manifest(&b).expect("a built output"),
    );
    let changed = mb
        .iter()
        .filter(|(p, l)| ma.get(*p).is_none_or(|o| o.blake3 != l.blake3))
        .count();
    let bytes: u64 = ma.values().map(|l| l.size).sum();
    eprintln!(
        "{} files ({:.0} MB); {changed} differ between the outputs",
        ma.len(),
        bytes as f64 / 1e6
    );
    let mut runs: Vec<Vec<Run>> = (0..SCENARIOS.len()).map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        eprintln!("round {round} of {rounds}");
        let s3 = s3::S3::start();
        runs[0].push(run(SCENARIOS[0], &s3, &a));
        let delta = run(SCENARIOS[1], &s3, &b);
        assert_eq!(delta.summary.uploaded, changed);
        runs[1].push(delta);
        let nothing = run(SCENARIOS[2], &s3, &b);
        assert_eq!(nothing.summary.uploaded, 0);
        runs[2].push(nothing);
        // Once, in the last round: s3s-fs walks the whole folder for every page of a
        // listing, so at this size the server's time, not the deploy's, dominates.
        if round == rounds {
            std::fs::remove_file(s3.dir.path().join(s3::BUCKET).join("manifest.json")).unwrap();
            runs[3].push(run(SCENARIOS[3], &s3, &a));
        }
    }
    println!(
        "{} files ({:.0} MB), {changed} of them changed by the 1 % of prices; \
         median of {rounds} rounds, each from an empty bucket (the last case: one run)\n\n\
         | deploy | files uploaded | MB uploaded | PUT | GET | HEAD | POST | DELETE | requests | time (median) | range |\n\
         |---|---|---|---|---|---|---|---|---|---|---|",
        ma.len(),
        bytes as f64 / 1e6
    );
    let mut medians = Vec::new();
    for (label, of) in SCENARIOS.iter().zip(&runs) {
        let seconds: Vec<f64> = of.iter().map(|r| r.seconds).collect();
        let mid = median(seconds.clone());
        let (lo, hi) = (
            seconds.iter().copied().fold(f64::INFINITY, f64::min),
            seconds.iter().copied().fold(0.0, f64::max),
        );
        let s = &of[0].summary;
        let r: Requests = s.requests;
        println!(
            "| {label} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {mid:.1} s | {lo:.1}–{hi:.1} s |",
            s.uploaded,
            s.uploaded_bytes as f64 / 1e6,
            r.put,
            r.get,
            r.head,
            r.post,
            r.delete,
            r.total(),
        );
        medians.push((mid, r.total()));
    }
    let (full, delta) = (medians[0], medians[1]);
    println!(
        "\nThe 1 % delta against the full upload: {:.1} % of the requests, {:.1} % of the time \
         ({:.0}× fewer requests, {:.1}× faster).",
        100.0 * delta.1 as f64 / full.1 as f64,
        100.0 * delta.0 / full.0,
        full.1 as f64 / delta.1 as f64,
        full.0 / delta.0,
    );
}
