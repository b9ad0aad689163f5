//! Showroom: a static site generator for multi-brand used-car marketplaces.
//!
//! A build is one pass down a pipeline: load the site (config, feeds, content), plan
//! every route, render them in parallel into a staging folder, then swap it into place.
//! Every stage reports [`Problem`]s; nothing here prints.

pub mod assets;
pub mod build_cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod feeds;
pub mod fragments;
pub mod images;
pub mod output;
pub mod plan;
pub mod policies;
pub mod recommend;
pub mod render;
pub mod report;
pub mod serve;
pub mod site;
pub mod state;
pub mod text;

pub use diagnostics::{Diagnostics, Problem, Severity};
pub use site::{LoadOptions, Site};

use assets::Assets;
use catalog::Catalog;
use feeds::SupplierReport;
use output::{Memory, Sink, Staging};
use plan::{Body, ContentOutline, Globals, Inputs, Route};
use rayon::prelude::*;
use render::Renderer;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Told how far a long stage has got; `main.rs` draws it as a bar or plain lines.
pub trait Progress: Sync {
    fn start(&self, _stage: &str, _total: usize) {}
    fn advance(&self, _done: usize) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

/// What a build or check found, in the shape `showroom check --format json` prints.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub errors: usize,
    pub warnings: usize,
    pub suppliers: Vec<SupplierReport>,
    pub problems: Diagnostics,
    /// Pages the site publishes (and, for a build, written).
    #[serde(skip)]
    pub pages: usize,
    /// Of those, rendered by this run: all of them, but fewer when a serve rebuild
    /// renders only content pages ([`Scope::Content`]).
    #[serde(skip)]
    pub rendered: usize,
    /// Nothing changed since the last build, so nothing was rendered or written.
    #[serde(skip)]
    pub unchanged: bool,
    /// Local photos encoded by this build, and taken from the photo cache.
    #[serde(skip)]
    pub photos: images::Stats,
    /// The photo cache entries the rendered site uses.
    #[serde(skip)]
    photo_entries: BTreeSet<PathBuf>,
}

impl Report {
    fn new(problems: Diagnostics, suppliers: Vec<SupplierReport>, pages: usize) -> Report {
        Report {
            errors: problems.errors(),
            warnings: problems.warnings(),
            suppliers,
            problems,
            pages,
            rendered: 0,
            unchanged: false,
            photos: images::Stats::default(),
            photo_entries: BTreeSet::new(),
        }
    }

    /// Any error, in the site's files or in a supplier's feed: `check` fails on it.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Whether these problems keep a build from publishing: errors in the site's own
    /// files always; a supplier's errors only when the build is `strict`.
    pub fn blocks(&self, strict: bool) -> bool {
        if strict {
            self.has_errors()
        } else {
            self.problems.has_site_errors()
        }
    }

    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
        self.errors = self.problems.errors();
        self.warnings = self.problems.warnings();
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub load: LoadOptions,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    /// A supplier's errors stop the build too, as errors in the site's files do.
    pub strict: bool,
}

/// Builds the site into the output folder, replacing it only if nothing blocks it (see
/// [`Report::blocks`]); writes each supplier's report; and, when the output was
/// replaced, keeps the state the next build needs.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Report {
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.load.root.join("public"));
    let root = &options.load.root;
    let lock = output::check_location(root, &output).and_then(|()| output::lock(&output));
    let _lock = match lock {
        Ok(lock) => lock,
        Err(problem) => return Report::new(std::iter::once(problem).collect(), Vec::new(), 0),
    };
    let settings = format!(
        "{}|{:?}|{}",
        options.load.date,
        options.load.base_url,
        output.display()
    );
    let inputs = build_cache::fingerprint(root, &settings);
    if let Some(last) = build_cache::unchanged(root, &inputs, &output) {
        let pages = last.pages;
        let (problems, suppliers) = last.replay();
        let mut report = Report::new(problems, suppliers, pages);
        report.unchanged = true;
        return report;
    }
    // Replacing the output deletes whatever is in it: looked for while the site renders.
    let (foreign, built) = std::thread::scope(|scope| {
        let foreign = scope.spawn(|| output::foreign_files(&output));
        let built = run(
            Site::load(&options.load),
            progress,
            Scope::All,
            |site, problems| match Staging::create(&output, site.config.minify) {
                Ok(staging) => Some(staging),
                Err(e) => {
                    problems.push(Problem::error(format!(
                        "cannot create a staging folder beside {}: {e}",
                        output.display()
                    )));
                    None
                }
            },
        );
        (
            foreign.join().expect("listing the output does not panic"),
            built,
        )
    });
    let Run {
        mut report,
        output: staging,
        ..
    } = built;
    if let Some(foreign) = foreign {
        report.push(foreign.problem(&output));
    }
    let committed = match staging {
        Some(staging) if !report.blocks(options.strict) => match staging.commit() {
            Ok(committed) => Some(committed),
            Err(e) => {
                report.push(Problem::error(format!(
                    "cannot replace the output folder: {e}"
                )));
                None
            }
        },
        _ => None,
    };
    for problem in report::write(root, options.load.date, &report.suppliers) {
        report.push(problem);
    }
    if let Some(committed) = committed
        && !report.blocks(options.strict)
    {
        if let Err(e) = state::feeds::save(root, state::feeds::outcomes(root, &report.suppliers)) {
            report.push(Problem::warning(format!(
                "cannot save the suppliers' last good feeds in {}: {e}; an unreadable feed \
                 in the next build falls back to the copies saved before",
                state::state_dir(root).display()
            )));
        }
        report.photos.pruned = images::prune_cache(root, &report.photo_entries);
        build_cache::remember(root, inputs, &output, &committed, &report);
    }
    report
}

/// Loads, plans and renders the whole site without writing anything.
pub fn check(options: &LoadOptions) -> Report {
    run(Site::load(options), &Silent, Scope::All, |_, _| {
        None::<Staging>
    })
    .report
}

/// Which routes [`render_in_memory`] renders.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    /// Only the routes that show content ([`Route::shows_content`]) if the site's
    /// [`ContentOutline`] is still this one, from an earlier render; every route
    /// otherwise. For `serve` when nothing but pages under `content/` changed since that
    /// render, so that every other route would come out as it did then.
    Content(&'a ContentOutline),
}

/// A site rendered into memory.
pub struct InMemory {
    pub report: Report,
    /// Output path to bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Only the routes that show content were rendered: `files` holds just those (no
    /// static files either), and every other file is the same as in the earlier render
    /// that [`Scope::Content`] named.
    pub partial: bool,
    /// This render's outline, for a later [`Scope::Content`]; `None` when the pipeline
    /// stopped before rendering.
    pub outline: Option<ContentOutline>,
}

/// Renders a loaded site (what [`Site::load`] or [`Site::load_with`] returned) into
/// memory, keyed by output path: what `serve` answers from. Nothing is written to disk.
pub fn render_in_memory(loaded: (Option<Site>, Diagnostics), scope: Scope) -> InMemory {
    let run = run(loaded, &Silent, scope, |site, _| {
        Some(Memory::new(site.config.minify))
    });
    InMemory {
        report: run.report,
        files: run.output.map(Memory::into_files).unwrap_or_default(),
        partial: run.partial,
        outline: run.outline,
    }
}

/// What the pipeline gives back: the sink comes back filled, for the caller to commit.
struct Run<S> {
    report: Report,
    output: Option<S>,
    outline: Option<ContentOutline>,
    /// Only the routes that show content were rendered (see [`Scope::Content`]).
    partial: bool,
}

impl<S> Run<S> {
    fn stopped(report: Report) -> Run<S> {
        Run {
            report,
            output: None,
            outline: None,
            partial: false,
        }
    }
}

/// The pipeline shared by `build`, `check` and `serve`; `open_output` decides where
/// rendered pages go, if anywhere, and `scope` which routes are rendered.
fn run<S: Sink>(
    (site, mut problems): (Option<Site>, Diagnostics),
    progress: &dyn Progress,
    scope: Scope,
    open_output: impl FnOnce(&Site, &mut Diagnostics) -> Option<S>,
) -> Run<S> {
    let Some(mut site) = site else {
        return Run::stopped(Report::new(problems, Vec::new(), 0));
    };
    let suppliers = std::mem::take(&mut site.inventory.reports);
    // The templates, the catalog and the recommendations each need only the site: made
    // side by side, so the serial parts of one overlap the others (a second at 100 000
    // cars when made one after another).
    let (templates, (catalog, recommendations)) = rayon::join(
        || {
            let (assets, asset_problems) = Assets::collect(&site.root, &site.theme_dir());
            let renderer = Renderer::new(
                &site.root,
                &site.config.theme,
                &site.languages(),
                &site.config.default_language,
                &assets,
                site.config.minify,
            );
            (assets, asset_problems, renderer)
        },
        || {
            rayon::join(
                || {
                    let mut catalog = Catalog::new(&site);
                    let (photos, photo_stats, photo_problems) = images::process(&site, &catalog);
                    catalog.photos = photos;
                    (catalog, photo_stats, photo_problems)
                },
                || recommend::recommend(&site),
            )
        },
    );
    let (assets, asset_problems, renderer) = templates;
    problems.extend(asset_problems);
    let renderer = match renderer {
        Ok((r, p)) => {
            problems.extend(p);
            r
        }
        Err(p) => {
            problems.extend(p);
            return Run::stopped(Report::new(problems, suppliers, 0));
        }
    };
    let (catalog, photo_stats, photo_problems) = catalog;
    let mut suppliers = suppliers;
    attribute(&mut suppliers, &photo_problems);
    problems.extend(photo_problems);
    let (recommended, recommend_problems) = recommendations;
    problems.extend(recommend_problems);
    let (plan, plan_problems) = plan::plan(&site, &catalog, &assets);
    problems.extend(plan_problems);
    let routes = &plan.routes;
    if problems.has_site_errors() {
        return Run::stopped(Report::new(problems, suppliers, 0));
    }

    let mut globals = Globals::new(&site, &plan);
    // Cards first: each card's context is a copy of the globals, which need not carry
    // the shared partials' HTML into every copy.
    let cards = fragments::Cards::render(&site, &catalog, &globals, &renderer)
        .and_then(|cards| fragments::render_shared(&site, &mut globals, &renderer).map(|()| cards));
    let cards = match cards {
        Ok(cards) => cards,
        Err(problem) => {
            problems.push(problem);
            return Run::stopped(Report::new(problems, suppliers, 0));
        }
    };
    let staging = open_output(&site, &mut problems);
    let outline = ContentOutline::new(&plan, &globals);
    let partial = matches!(scope, Scope::Content(before) if *before == outline);
    let mut rendered: Vec<&Route> = routes
        .iter()
        .filter(|r| !partial || r.shows_content())
        .collect();
    rendered.sort_by_key(|r| !r.is_bulk());
    let inputs = Inputs {
        site: &site,
        catalog: &catalog,
        recommended: &recommended,
        globals: &globals,
        plan: &plan,
        cards: &cards,
    };
    progress.start("Rendering", rendered.len());
    // A partial render leaves static files to the earlier render, like other routes.
    // Otherwise they are copied (and minified) beside the rendering, not after it.
    let statics = staging.as_ref().filter(|_| !partial);
    let https = site.config.base_url.starts_with("https://");
    let (rendering, copying) = std::thread::scope(|scope| {
        let copying = scope.spawn(|| statics.map(|s| copy_static(s, &assets, &catalog, https)));
        let rendering = render_routes(&inputs, &rendered, &renderer, progress, staging.as_ref());
        (
            rendering,
            copying.join().expect("copying static files does not panic"),
        )
    });
    problems.extend(rendering);
    problems.extend(copying.into_iter().flatten());
    problems.extend(renderer.translations.take_missing());
    progress.finish();

    let mut report = Report::new(problems, suppliers, routes.len());
    report.rendered = rendered.len();
    report.photos = photo_stats;
    report.photo_entries = catalog.photos.cache_entries();
    // Freeing a large site is a noticeable share of its build (35 ms of 1.1 s at 10 000
    // cars), and nothing waits for it: the caller commits meanwhile, and may even exit.
    std::thread::spawn(move || drop((site, catalog, plan, globals, cards, recommended, renderer)));
    Run {
        report,
        output: staging,
        outline: Some(outline),
        partial,
    }
}

/// Adds problems found after the feeds were read (a supplier's photos) to that
/// supplier's report.
fn attribute(suppliers: &mut [SupplierReport], problems: &[Problem]) {
    for problem in problems {
        let Some(id) = &problem.supplier else {
            continue;
        };
        if let Some(report) = suppliers.iter_mut().find(|s| &s.id == id) {
            report.problems.push(problem.clone());
        }
    }
}

/// Copies the theme's and the site's static files and the processed photos, and writes
/// `_headers`.
fn copy_static<S: Sink>(
    staging: &S,
    assets: &Assets,
    catalog: &Catalog,
    https: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let photos = catalog.photos.files();
    let files = assets.files.iter().map(|a| (&a.source, &a.output));
    for (source, output) in files.chain(photos.iter().map(|(s, o)| (s, o))) {
        if let Err(e) = staging.copy(source, output) {
            problems.push(
                Problem::error(format!("cannot copy: {e}")).in_file(source.to_string_lossy()),
            );
        }
    }
    let headers = output::headers(&assets.fingerprinted(), https);
    if let Err(e) = staging.write("_headers", headers.as_bytes()) {
        problems.push(Problem::error(format!("cannot write _headers: {e}")));
    }
    diagnostics::capped(problems, UNWRITTEN_NAMED, "files could not be copied")
}

/// Renders every route in parallel while one thread writes the finished pages. Rendering
/// scales with cores; creating thousands of folders and files from several threads at
/// once mostly contends in the kernel (measured at 100 000 cars: twice the system time
/// of one writer, for a slower build).
fn render_routes<S: Sink>(
    inputs: &Inputs,
    routes: &[&Route],
    renderer: &Renderer,
    progress: &dyn Progress,
    staging: Option<&S>,
) -> Vec<Problem> {
    let render = |route: &&Route| {
        let text = render_route(inputs, renderer, route);
        progress.advance(1);
        text
    };
    let Some(sink) = staging else {
        return routes
            .par_iter()
            .filter_map(|route| render(route).err())
            .collect();
    };
    std::thread::scope(|scope| {
        // Folders are made on their own thread: making one only contends with making
        // others in the same parent, not with writing files into folders already made.
        scope.spawn(|| sink.make_folders(&mut routes.iter().map(|r| r.output_file())));
        let (pages, written) = std::sync::mpsc::sync_channel::<Vec<(String, Vec<u8>)>>(WRITE_QUEUE);
        let writer = scope.spawn(move || {
            written
                .into_iter()
                .flatten()
                .filter_map(|(file, text)| {
                    sink.write(&file, &text)
                        .map_err(|e| Problem::error(format!("cannot write {file}: {e}")))
                        .err()
                })
                .collect::<Vec<_>>()
        });
        // The writer only stops early by panicking, which the join below reports, so a
        // failed send needs no handling here.
        let send = |batch: Vec<(String, Vec<u8>)>| drop(pages.send(batch));
        let mut problems: Vec<Problem> = routes
            .par_iter()
            .fold(Batch::default, |mut batch, route| {
                match render(route) {
                    Ok(text) => {
                        batch.pages.push((route.output_file(), text));
                        if batch.pages.len() == WRITE_BATCH {
                            send(std::mem::take(&mut batch.pages));
                        }
                    }
                    Err(problem) => batch.problems.push(problem),
                }
                batch
            })
            .flat_map_iter(|batch| {
                if !batch.pages.is_empty() {
                    send(batch.pages);
                }
                batch.problems
            })
            .collect();
        drop(pages);
        let unwritten = writer.join().expect("the page writer does not panic");
        problems.extend(diagnostics::capped(
            unwritten,
            UNWRITTEN_NAMED,
            "pages could not be written",
        ));
        problems
    })
}

/// Pages that could not be written, named one by one; a full disk fails them all.
const UNWRITTEN_NAMED: usize = 10;

/// Batches of pages rendered but not yet written: enough to keep the writer busy, few
/// enough that memory does not grow with the site.
const WRITE_QUEUE: usize = 8;

/// Pages go to the writer in batches: one hand-over per page woke a sleeping thread
/// thousands of times a second.
const WRITE_BATCH: usize = 32;

/// What one rendering job has made and not yet handed over.
#[derive(Default)]
struct Batch {
    pages: Vec<(String, Vec<u8>)>,
    problems: Vec<Problem>,
}

fn render_route(inputs: &Inputs, renderer: &Renderer, route: &Route) -> Result<Vec<u8>, Problem> {
    match route.body(inputs) {
        Body::Template(name, ctx) => renderer.render_bytes(name, &route.lang, &ctx),
        Body::ContentTemplate(name, ctx) => renderer.render_bytes(&name, &route.lang, &ctx),
        Body::Text(text) => Ok(text.into_bytes()),
    }
}
