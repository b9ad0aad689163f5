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
pub mod deploy;
pub mod diagnostics;
pub mod feeds;
pub mod history;
pub mod images;
mod init;
pub mod output;
pub mod plan;
pub mod policies;
pub mod recommend;
pub mod render;
mod report;
pub mod reports;
pub mod search;
pub mod serve;
pub mod site;
pub mod state;
pub mod text;

pub use diagnostics::{Diagnostics, Problem, Severity};
pub use report::Report;
pub use site::{LoadOptions, Site};

use assets::Assets;
use catalog::Catalog;
use feeds::SupplierReport;
use history::History;
use images::Photos;
use output::{Memory, Sink, Staging};
use recommend::Recommendations;
use render::Renderer;
use render::context::{self, Inputs};
use render::globals::ContentOutline;
use std::collections::BTreeMap;
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
    let root = &options.load.root;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join("public"));
    let _lock = match output::check_location(root, &output).and_then(|()| output::lock(&output)) {
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
    // An output just as the last build left it is kept, once replaced, for the next
    // build to write over (output::Staging).
    let last = build_cache::intact(root, &output);
    let intact = last.is_some();
    if let Some(last) = last.filter(|last| last.same_inputs(root, &inputs)) {
        let mut report = last.into_report();
        // Deleted since, the reports come back: they are the same as the last build's.
        if !reports::all_there(root, &report.suppliers) {
            report.extend(reports::write(
                root,
                options.load.date,
                &report.suppliers,
                true,
            ));
        }
        return report;
    }
    // Replacing the output deletes whatever is in it: looked for while the site renders.
    let (foreign, run) = std::thread::scope(|scope| {
        let foreign = scope.spawn(|| output::foreign_files(&output));
        let run = run(
            Site::load(&options.load),
            progress,
            Scope::All,
            |site, problems| problems.take(Staging::open(&output, site.config.minify, intact)),
        );
        (
            foreign.join().expect("listing the output does not panic"),
            run,
        )
    });
    let mut report = run.report;
    report.extend(foreign.map(|foreign| foreign.problem(&output)));
    let committed = run
        .output
        .filter(|_| !report.blocks(options.strict))
        .and_then(|staging| report.take(staging.commit()));
    report.extend(reports::write(
        root,
        options.load.date,
        &report.suppliers,
        committed.is_some(),
    ));
    if let Some(committed) = committed {
        let _state = state::lock(root);
        report.extend(feeds::save_last_good(root, &report.suppliers));
        report.extend(run.history.and_then(|history| history::save(root, history)));
        report.photos.pruned = images::prune_cache(root, &report.photo_entries);
        build_cache::remember(root, inputs, &output, &committed, &report);
    }
    report
}

/// Writes a new site that builds at once into `folder` (see [`init::init`]), its
/// policies in force and its sample cars updated on `date`.
pub fn init(folder: &std::path::Path, date: jiff::civil::Date) -> Report {
    let problems = init::init(folder, date).err();
    Report::new(problems.into_iter().collect(), Vec::new(), 0)
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
    /// The inventory ledger with this build's day recorded, for a build that publishes.
    history: Option<History>,
}

impl<S> Run<S> {
    /// The pipeline stopped before rendering.
    fn stopped(problems: Diagnostics, suppliers: Vec<SupplierReport>) -> Run<S> {
        Run {
            report: Report::new(problems, suppliers, 0),
            output: None,
            outline: None,
            partial: false,
            history: None,
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
        return Run::stopped(problems, Vec::new());
    };
    let mut suppliers = std::mem::take(&mut site.inventory.reports);
    let Prepared {
        assets,
        renderer,
        photos,
        catalog,
        recommended,
    } = prepare(&site);
    let assets = problems.take(assets);
    let photos = problems.take(attribute(&mut suppliers, photos));
    let catalog = catalog.with_photos(photos);
    let recommended = problems.take(recommended);
    let Some(renderer) = problems.take(renderer) else {
        return Run::stopped(problems, suppliers);
    };
    let plan = problems.take(plan::plan(&site, &catalog, &assets));
    if problems.has_site_errors() {
        return Run::stopped(problems, suppliers);
    }
    let (globals, cards) = match render::fragments::render(&site, &catalog, &plan, &renderer) {
        Ok(rendered) => rendered,
        Err(problem) => {
            problems.push(problem);
            return Run::stopped(problems, suppliers);
        }
    };
    let outline = ContentOutline::new(&plan, &globals);
    let partial = matches!(scope, Scope::Content(before) if *before == outline);
    // The search index is the catalog's: a partial render keeps the earlier one.
    let search = (!partial).then(|| problems.take(search::build(&site, &catalog)));
    let (search_url, search_files) = match search {
        Some(index) => (index.meta_url, Some(index.files)),
        None => (String::new(), None),
    };
    if problems.has_site_errors() {
        return Run::stopped(problems, suppliers);
    }
    let sink = open_output(&site, &mut problems);
    let routes = plan.to_render(partial);
    let inputs = Inputs {
        site: &site,
        catalog: &catalog,
        recommended: &recommended,
        globals: &globals,
        plan: &plan,
        cards: &cards,
        search: &search_url,
    };
    // A partial render leaves static files to the earlier render, like other routes.
    let statics = search_files.map(|files| statics(&site, &assets, &catalog, files));
    progress.start("Rendering", routes.len());
    problems.extend(output::write::site(
        sink.as_ref(),
        &routes,
        |route| route.output_file(),
        |route| {
            let page = context::render(&inputs, &renderer, route);
            progress.advance(1);
            page
        },
        statics,
    ));
    problems.extend(renderer.translations.take_missing());
    progress.finish();

    let mut report = Report::new(problems, suppliers, plan.routes.len());
    report.rendered = routes.len();
    report.photos = catalog.photos.stats;
    report.photo_entries = catalog.photos.cache_entries();
    drop(routes);
    let history = std::mem::take(&mut site.history);
    // Freeing a large site is a noticeable share of its build, and nothing waits for it:
    // the caller commits meanwhile, and may even exit.
    std::thread::spawn(move || drop((site, catalog, plan, globals, cards, recommended, renderer)));
    Run {
        report,
        output: sink,
        outline: Some(outline),
        partial,
        history: Some(history),
    }
}

/// What the stages after loading make from the site alone.
struct Prepared {
    assets: (Assets, Diagnostics),
    renderer: (Option<Renderer>, Diagnostics),
    photos: (Photos, Vec<Problem>),
    catalog: Catalog,
    recommended: (Recommendations, Diagnostics),
}

/// The assets and templates, the photos, the catalog and the recommendations each need
/// only the site: made side by side, so the serial parts of one overlap the others.
fn prepare(site: &Site) -> Prepared {
    let (mut theme, mut photos, mut catalog, mut recommended) = (None, None, None, None);
    rayon::scope(|s| {
        s.spawn(|_| theme = Some(load_theme(site)));
        s.spawn(|_| photos = Some(images::process(site)));
        s.spawn(|_| catalog = Some(Catalog::new(site)));
        s.spawn(|_| recommended = Some(recommend::recommend(site)));
    });
    let done = "a stage of the scope above";
    let (assets, renderer) = theme.expect(done);
    Prepared {
        assets,
        renderer,
        photos: photos.expect(done),
        catalog: catalog.expect(done),
        recommended: recommended.expect(done),
    }
}

/// The site's static files (CSS and JS fingerprinted) and the templates that refer to
/// them.
fn load_theme(site: &Site) -> ((Assets, Diagnostics), (Option<Renderer>, Diagnostics)) {
    let (assets, problems) = Assets::collect(&site.root, &site.theme_dir());
    let renderer = Renderer::new(
        &site.root,
        &site.config.theme,
        &site.languages(),
        &site.config.default_language,
        &assets,
        site.config.minify,
    );
    let renderer = match renderer {
        Ok((renderer, problems)) => (Some(renderer), problems),
        Err(problems) => (None, problems),
    };
    ((assets, problems), renderer)
}

/// Adds problems found after the feeds were read (a supplier's photos) to that
/// supplier's report.
fn attribute<T>(
    suppliers: &mut [SupplierReport],
    (value, problems): (T, Vec<Problem>),
) -> (T, Vec<Problem>) {
    for problem in &problems {
        let Some(id) = &problem.supplier else {
            continue;
        };
        if let Some(report) = suppliers.iter_mut().find(|s| &s.id == id) {
            report.problems.push(problem.clone());
        }
    }
    (value, problems)
}

/// The theme's and the site's static files and the processed photos, copied beside the
/// rendering, and `_headers` and the search index's files, written.
fn statics(
    site: &Site,
    assets: &Assets,
    catalog: &Catalog,
    search: Vec<(String, Vec<u8>)>,
) -> output::write::Statics {
    let files = assets
        .files
        .iter()
        .map(|a| (a.source.clone(), a.output.clone()));
    let https = site.config.base_url.starts_with("https://");
    let headers = output::headers(&assets.fingerprinted(), https);
    output::write::Statics {
        copied: files.chain(catalog.photos.files()).collect(),
        written: std::iter::once(("_headers".into(), headers.into_bytes()))
            .chain(search)
            .collect(),
    }
}
