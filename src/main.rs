//! Parses the command line, calls the library, prints what it reports, picks the exit code.

use clap::Parser;
use showroom::cli::{Cli, Command, Format, SiteArgs, StateAction, resolve_date};
use showroom::deploy::{self, Credentials, DeployError, DeployOptions, StateOptions};
use showroom::serve::{self, ServeOptions};
use showroom::{BuildOptions, LoadOptions, Problem, Progress, Report};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

/// Rendering allocates many small strings on every thread; mimalloc serves them faster
/// and returns memory better than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            strict,
        } => load_options(site, base_url).map(|load| {
            let started = Instant::now();
            let progress = Bar::new();
            let options = BuildOptions {
                load,
                output,
                strict,
            };
            let report = showroom::build(&options, &progress);
            print_problems(&report);
            print_suppliers(&report);
            if report.blocks(strict) {
                eprintln!(
                    "Build failed: {}; the previous output was kept.",
                    counts(&report)
                );
            } else if report.unchanged {
                println!(
                    "Nothing changed since the last build: {} pages up to date ({:.2} s, {}).",
                    group_digits(report.pages),
                    started.elapsed().as_secs_f64(),
                    counts(&report)
                );
            } else {
                println!(
                    "Built {} pages in {:.1} s ({}).",
                    group_digits(report.pages),
                    started.elapsed().as_secs_f64(),
                    counts(&report)
                );
            }
            (report, strict)
        }),
        // `check` fails on any error, a supplier's included.
        Command::Check { site, format } => load_options(site, None).map(|load| {
            let report = showroom::check(&load);
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).expect("a report serializes")
                ),
                Format::Text => print_check(&report),
            }
            (report, true)
        }),
        Command::Init { folder, date } => {
            let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
            let date = resolve_date(date, epoch.as_deref(), jiff::Zoned::now().date());
            date.map_err(|e| e.to_string()).map(|date| {
                let report = showroom::init(&folder, date);
                print_problems(&report);
                if !report.has_errors() {
                    println!(
                        "Created a new site in {0}. Build it with `showroom build --root {0}`, \
                         or preview it with `showroom serve --root {0}`.",
                        folder.display()
                    );
                }
                (report, true)
            })
        }
        Command::Deploy {
            root,
            output,
            dry_run,
            max_deletes,
            report,
        } => {
            return run_deploy(root, output, dry_run, max_deletes, report);
        }
        Command::State { action } => return run_state(action),
        Command::Serve {
            site,
            port,
            bind,
            open,
        } => load_options(site, None)
            .and_then(|load| serve(load, &bind, port, open))
            .map(|report| (report, false)),
    };
    match result {
        Ok((report, strict)) if report.blocks(strict) => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn load_options(site: SiteArgs, base_url: Option<String>) -> Result<LoadOptions, String> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let today = jiff::Zoned::now().date();
    let date = resolve_date(site.date, epoch.as_deref(), today).map_err(|e| e.to_string())?;
    Ok(LoadOptions {
        root: site.root,
        base_url,
        date,
    })
}

/// `[deploy]` of the site's config, or the exit code after printing why not.
fn deploy_config(root: &std::path::Path) -> Result<showroom::config::DeployConfig, ExitCode> {
    showroom::config::Config::load(root)
        .map(|c| c.deploy)
        .map_err(|problem| {
            eprintln!("{problem}");
            ExitCode::from(1)
        })
}

/// Keys from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`),
/// else from the profile `AWS_PROFILE` (or `default`) of `AWS_SHARED_CREDENTIALS_FILE`
/// (or `~/.aws/credentials`), else the machine's role.
fn credentials() -> Credentials {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(id), Some(secret)) = (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        let token = var("AWS_SESSION_TOKEN");
        return Credentials::Keys { id, secret, token };
    }
    let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
    let file = var("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| var("HOME").map(|home| std::path::Path::new(&home).join(".aws/credentials")));
    file.and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| Credentials::from_profile(&text, &profile))
        .unwrap_or(Credentials::Ambient)
}

fn run_deploy(
    root: std::path::PathBuf,
    output: Option<std::path::PathBuf>,
    dry_run: bool,
    max_deletes: Option<usize>,
    report: Option<std::path::PathBuf>,
) -> ExitCode {
    let config = match deploy_config(&root) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = DeployOptions {
        output: output.unwrap_or_else(|| root.join("public")),
        max_deletes: max_deletes.unwrap_or(config.max_deletes),
        config,
        credentials: credentials(),
        dry_run,
        now: jiff::Timestamp::now(),
        me: deploy::Me::this_process(),
        report: (!dry_run).then(|| report.unwrap_or_else(|| root.join("reports/deploy.json"))),
        multipart_bytes: deploy::MULTIPART_BYTES,
    };
    let progress = BytesBar::new();
    match deploy::deploy(&options, &progress) {
        Ok(summary) => {
            print_deploy(&summary, options.report.as_deref());
            ExitCode::SUCCESS
        }
        Err(e) => deploy_failed(&e),
    }
}

fn deploy_failed(e: &DeployError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}

fn print_deploy(summary: &deploy::Summary, report: Option<&std::path::Path>) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let compared = match summary.compared {
        deploy::Compared::Manifest => "the last deploy's manifest",
        deploy::Compared::Listing => "a listing of the bucket (no deploy manifest there)",
    };
    if let Some(holder) = &summary.resumed {
        let _ = writeln!(
            out,
            "Finishing an interrupted deploy ({holder}): files it already sent are not sent again."
        );
    }
    if summary.dry_run {
        let _ = writeln!(
            out,
            "Plan for {} (compared with {compared}):",
            summary.target
        );
        for group in &summary.planned {
            let _ = writeln!(
                out,
                "  upload {:>7} {:<18} {:>10}  {}",
                group_digits(group.files),
                group.kind.name(),
                bytes(group.bytes),
                first_paths(&group.first, group.files)
            );
            if group.to_check > 0 {
                let _ = writeln!(
                    out,
                    "         {:>7} of them may be there already: looked at (HEAD) first",
                    group_digits(group.to_check)
                );
            }
        }
        let _ = writeln!(
            out,
            "  delete {:>7} {:<18} {:>10}  {}",
            group_digits(summary.deletes.len()),
            "files",
            "",
            first_paths(&summary.deletes, summary.deletes.len())
        );
        let _ = writeln!(
            out,
            "  keep   {:>7} superseded assets; {} files unchanged.",
            group_digits(summary.kept),
            group_digits(summary.unchanged)
        );
        let _ = writeln!(out, "Dry run: nothing was changed.");
        return;
    }
    let _ = writeln!(
        out,
        "Deployed to {}: {} uploaded ({}), {} deleted, {} unchanged{}{}; {} requests in {:.1} s (compared with {compared}).",
        summary.target,
        plural(summary.uploaded, "file"),
        bytes(summary.uploaded_bytes),
        group_digits(summary.deleted),
        group_digits(summary.unchanged),
        match summary.already_there {
            0 => String::new(),
            n => format!(", {} already there", group_digits(n)),
        },
        match summary.kept {
            0 => String::new(),
            n => format!(", {} superseded kept", plural(n, "asset")),
        },
        group_digits(summary.requests.total() as usize),
        summary.seconds,
    );
    if let Some(report) = report {
        let _ = writeln!(
            out,
            "{} to purge from the CDN: {} (changed_paths).",
            plural(summary.changed_paths.len(), "changed path"),
            report.display()
        );
    }
}

fn first_paths(paths: &[String], total: usize) -> String {
    let shown = paths.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    if total > 3 {
        format!("{shown}, …")
    } else {
        shown
    }
}

/// 1234567 bytes as "1.2 MB".
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

fn run_state(action: StateAction) -> ExitCode {
    let (root, push) = match action {
        StateAction::Pull { root } => (root, false),
        StateAction::Push { root } => (root, true),
    };
    let config = match deploy_config(&root) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let options = StateOptions {
        root,
        config,
        credentials: credentials(),
    };
    let progress = BytesBar::new();
    let result = match push {
        true => deploy::state::push(&options, &progress),
        false => deploy::state::pull(&options, &progress),
    };
    match result {
        Ok(s) if s.nothing_pushed => {
            println!(
                "No state at {} yet: the build starts from an empty .showroom/state/.",
                s.target
            );
            ExitCode::SUCCESS
        }
        Ok(s) => {
            let (verb, removed) = match push {
                true => ("Pushed", "deleted from the bucket"),
                false => ("Pulled", "removed from .showroom/state/"),
            };
            println!(
                "{verb} the state ({}): {} ({}), {} unchanged, {} {removed}.",
                s.target,
                plural(s.moved, "file"),
                bytes(s.bytes),
                group_digits(s.unchanged),
                group_digits(s.removed)
            );
            ExitCode::SUCCESS
        }
        Err(e) => deploy_failed(&e),
    }
}

/// Files and bytes sent: a bar on a terminal, a line every tenth of the files in CI.
struct BytesBar {
    bar: Option<indicatif::ProgressBar>,
    files: std::sync::atomic::AtomicUsize,
    total: std::sync::atomic::AtomicUsize,
    sent: std::sync::atomic::AtomicU64,
}

impl BytesBar {
    fn new() -> BytesBar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:>14} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar
        });
        BytesBar {
            bar,
            files: Default::default(),
            total: Default::default(),
            sent: Default::default(),
        }
    }
}

impl deploy::Progress for BytesBar {
    fn start(&self, files: usize, total_bytes: u64) {
        use std::sync::atomic::Ordering;
        self.total.store(files, Ordering::Relaxed);
        match &self.bar {
            Some(bar) => {
                bar.set_length(total_bytes);
                bar.set_message(format!("0/{files} files"));
            }
            None if files > 0 => {
                eprintln!("Sending {} ({})", plural(files, "file"), bytes(total_bytes))
            }
            None => {}
        }
    }

    fn uploaded(&self, files: usize, n: u64) {
        use std::sync::atomic::Ordering;
        let done = self.files.fetch_add(files, Ordering::Relaxed) + files;
        let sent = self.sent.fetch_add(n, Ordering::Relaxed) + n;
        let total = self.total.load(Ordering::Relaxed);
        match &self.bar {
            Some(bar) => {
                bar.inc(n);
                bar.set_message(format!("{done}/{total} files"));
            }
            None => {
                let step = total.div_ceil(10).max(1);
                if done.is_multiple_of(step) && done < total {
                    eprintln!(
                        "  {} of {} files ({})",
                        group_digits(done),
                        group_digits(total),
                        bytes(sent)
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs the preview until Ctrl-C, printing each rebuild.
fn serve(load: LoadOptions, bind: &str, port: u16, open: bool) -> Result<Report, String> {
    let bind = bind
        .parse()
        .map_err(|_| format!("--bind must be an IP address, found {bind:?}"))?;
    let options = ServeOptions { load, bind, port };
    showroom::serve::serve(options, print_serve_event, |url| {
        println!("Serving at {url} (Ctrl-C to stop)");
        if open && let Err(e) = webbrowser::open(url) {
            eprintln!("Could not open a browser ({e}); open {url} yourself.");
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(Report::default())
}

fn print_serve_event(event: serve::Event) {
    match event {
        serve::Event::Built { report, elapsed } => {
            print_problems(report);
            if report.blocks(false) {
                eprintln!(
                    "Build failed: {}; the preview shows the problems until they are fixed.",
                    counts(report)
                );
            } else {
                println!(
                    "Built {} pages in {} ms ({}).",
                    group_digits(report.pages),
                    elapsed.as_millis(),
                    counts(report)
                );
            }
        }
        serve::Event::Rebuilt {
            report,
            elapsed,
            change,
            reread,
            ..
        } => {
            let what = match change.paths.as_slice() {
                [one] => one.clone(),
                many => plural(many.len(), "file"),
            };
            print_problems(report);
            if report.blocks(false) {
                eprintln!(
                    "Rebuild after {what} changed failed: {}; the preview shows the last good build under an overlay.",
                    counts(report)
                );
            } else {
                let feeds = if reread.is_empty() {
                    String::new()
                } else {
                    let ids: Vec<&str> = reread.iter().map(|id| id.as_str()).collect();
                    format!("; feeds: re-read {}", ids.join(", "))
                };
                println!(
                    "Rebuilt in {} ms ({} of {} pages rendered{feeds}) after {what} changed.",
                    elapsed.as_millis(),
                    group_digits(report.rendered),
                    group_digits(report.pages)
                );
            }
        }
        serve::Event::WatchError(e) => eprintln!("warning: watching for changes: {e}"),
    }
}

/// The site's own problems one by one; the suppliers' grouped by kind, a few examples of
/// each, since feeds can bring a warning for every one of 100 000 rows, and every one is
/// in its supplier's report.
fn print_problems(report: &Report) {
    // Buffered: stderr is unbuffered.
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    // Each supplier's own: a duplicate VIN is in both suppliers' reports, printed once.
    let theirs: Vec<Problem> = report
        .suppliers
        .iter()
        .flat_map(|s| {
            s.problems
                .iter()
                .filter(|p| p.supplier.as_ref() == Some(&s.id))
        })
        .cloned()
        .collect();
    let kinds = showroom::reports::kinds(&theirs);
    for (i, kind) in kinds.iter().enumerate() {
        if i == KINDS_SHOWN {
            let rest: usize = kinds[i..].iter().map(|k| k.count).sum();
            let _ = writeln!(
                err,
                "  … and {} more of {} other kinds: see reports/index.html",
                group_digits(rest),
                kinds.len() - i
            );
            break;
        }
        for p in kind.problems.iter().take(EXAMPLES_SHOWN) {
            let _ = writeln!(err, "{p}");
        }
        if kind.count > EXAMPLES_SHOWN {
            let mut suppliers: Vec<&str> = kind
                .problems
                .iter()
                .filter_map(|p| p.supplier.as_deref())
                .collect();
            suppliers.dedup();
            let see = match suppliers.as_slice() {
                [one] => format!("reports/{one}.html"),
                many => format!("reports/index.html ({} suppliers)", many.len()),
            };
            let _ = writeln!(
                err,
                "  … and {} more like this: see {see}",
                group_digits(kind.count - EXAMPLES_SHOWN),
            );
        }
    }
    for p in report.problems.iter().filter(|p| p.supplier.is_none()) {
        let _ = writeln!(err, "{p}");
    }
    let _ = err.flush();
}

/// Kinds of suppliers' problems printed, and examples printed of each.
const KINDS_SHOWN: usize = 8;
const EXAMPLES_SHOWN: usize = 2;

/// One line per supplier: what its feeds gave.
fn print_suppliers(report: &Report) {
    if report.suppliers.is_empty() {
        return;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let width = report
        .suppliers
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(0)
        .max("supplier".len());
    let _ = writeln!(
        out,
        "{:<width$}  {:>9}  {:>7}  {:>8}  {:>9}  {:>6}  {:>8}",
        "supplier", "published", "refused", "withheld", "withdrawn", "errors", "warnings"
    );
    for s in &report.suppliers {
        let _ = writeln!(
            out,
            "{:<width$}  {:>9}  {:>7}  {:>8}  {:>9}  {:>6}  {:>8}",
            s.id,
            group_digits(s.accepted),
            group_digits(s.rejected),
            group_digits(s.withheld),
            group_digits(s.withdrawn()),
            group_digits(s.errors()),
            group_digits(s.warnings()),
        );
    }
    let _ = writeln!(
        out,
        "Each supplier's report: reports/<supplier>.html (reports/index.html lists them)."
    );
    let _ = out.flush();
}

fn print_check(report: &Report) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (file, problems) in report.problems.by_file() {
        let _ = writeln!(out, "{}", file.unwrap_or("(site)"));
        for p in problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    for s in &report.suppliers {
        let _ = writeln!(
            out,
            "supplier {}: {} files, {} accepted, {} rejected",
            s.id,
            s.files.len(),
            s.accepted,
            s.rejected
        );
    }
    let _ = writeln!(
        out,
        "{} pages checked: {}.",
        group_digits(report.pages),
        counts(report)
    );
    let _ = out.flush();
}

fn counts(report: &Report) -> String {
    format!(
        "{}, {}",
        plural(report.errors, "error"),
        plural(report.warnings, "warning")
    )
}

fn plural(n: usize, word: &str) -> String {
    match n {
        1 => format!("1 {word}"),
        n => format!("{} {word}s", group_digits(n)),
    }
}

/// 1234567 as "1 234 567".
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A progress bar on a terminal; plain start and end lines in CI logs.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new() -> Bar {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len}")
                    .expect("a valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: usize) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(total as u64);
                bar.set_position(0);
                bar.set_message(stage.to_string());
            }
            None => eprintln!("{stage} {} pages", group_digits(total)),
        }
    }

    fn advance(&self, done: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(done as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
