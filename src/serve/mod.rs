//! `showroom serve`: a live preview. The site is rendered into memory (never into
//! `public/`), served over HTTP by axum, rebuilt when a source changes, and open pages
//! follow each rebuild over Server-Sent Events.
//!
//! Nothing here prints: every step is reported as an [`Event`] for `main.rs` to show.

pub mod rebuild;
pub mod reload;
pub mod watch;

use crate::feeds::SupplierId;
use crate::{LoadOptions, Report};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rebuild::{Builder, Notice, Preview};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use watch::{Change, SiteWatcher};

/// How many ports after the asked one are tried when it is taken.
const PORT_ATTEMPTS: u16 = 100;

/// A connection that has not sent its request headers within this time is closed, so
/// idle or deliberately slow clients cannot hold the preview's connections.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site to load; its `base_url` is replaced by the preview's address.
    pub load: LoadOptions,
    pub bind: IpAddr,
    /// The first port tried; the next free one is used if it is taken.
    pub port: u16,
}

/// What the preview reports as it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// The first build, before the server answers.
    Built {
        report: &'a Report,
        elapsed: Duration,
    },
    /// A rebuild after `change`.
    Rebuilt {
        report: &'a Report,
        elapsed: Duration,
        change: &'a Change,
        /// Suppliers whose feeds were read again (none when the feeds were reused).
        reread: &'a [SupplierId],
        /// Output files whose bytes differ from the last good build.
        changed_files: Option<usize>,
    },
    /// The watcher reported an error; the preview goes on.
    WatchError(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {bind} (ports {first} to {last}): {source}")]
    Bind {
        bind: IpAddr,
        first: u16,
        last: u16,
        source: std::io::Error,
    },
    #[error("cannot watch {root}: {source}")]
    Watch {
        root: PathBuf,
        source: notify::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

/// Shared by every request handler.
#[derive(Clone)]
struct App {
    preview: Arc<RwLock<Preview>>,
    notices: broadcast::Sender<Notice>,
    /// The site's own host name, from `base_url`: answered besides loopback names.
    site_host: Option<String>,
}

/// Binds, builds once, then serves and rebuilds until the process is stopped (Ctrl-C
/// returns `Ok`). `on_listening` gets the URL once the server is bound, e.g. to open a
/// browser.
pub fn serve(
    options: ServeOptions,
    on_event: impl Fn(Event) + Send + Sync + 'static,
    on_listening: impl FnOnce(&str),
) -> Result<(), ServeError> {
    let listener = bind(options.bind, options.port)?;
    let addr = listener.local_addr().map_err(ServeError::Runtime)?;
    let url = format!("http://{}/", display_addr(addr));
    let root = options
        .load
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.load.root.clone());
    let load = LoadOptions {
        root: root.clone(),
        base_url: Some(url.trim_end_matches('/').to_string()),
        date: options.load.date,
    };
    let site_host = crate::config::Config::load(&root)
        .ok()
        .and_then(|c| url::Url::parse(&c.base_url).ok())
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));

    let mut builder = Builder::new(load);
    let built = builder.build(&Change::default());
    on_event(Event::Built {
        report: &built.report,
        elapsed: built.elapsed,
    });
    let mut preview = Preview::default();
    preview.apply(&built.report, built.files, built.partial, false);
    let (notices, _) = broadcast::channel(16);
    let app = App {
        preview: Arc::new(RwLock::new(preview)),
        notices,
        site_host,
    };

    let watcher = SiteWatcher::new(&root).map_err(|source| ServeError::Watch {
        root: root.clone(),
        source,
    })?;
    let rebuild_app = app.clone();
    std::thread::spawn(move || rebuild_loop(watcher, builder, rebuild_app, on_event));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime
        .block_on(async move {
            listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(listener)?;
            on_listening(&url);
            let router = Router::new()
                .route(reload::SCRIPT_PATH, get(script))
                .route(reload::EVENTS_PATH, get(events))
                .fallback(get(page))
                .layer(axum::middleware::from_fn_with_state(
                    app.clone(),
                    check_host,
                ))
                .with_state(app);
            tokio::select! {
                served = accept(listener, router) => served,
                _ = tokio::signal::ctrl_c() => Ok(()),
            }
        })
        .map_err(ServeError::Runtime)
}

/// Serves each connection on its own task, closing those that do not send their headers
/// within [`HEADER_TIMEOUT`].
async fn accept(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    loop {
        // Running out of file descriptors, or a client that gave up while queued, is
        // passing: the preview goes on.
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            // A client that goes away is not the preview's problem.
            let _ = http
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Answers only requests addressed to this machine by a loopback name or an address, or
/// to the site's own host: a web page elsewhere that points a name of its own at
/// 127.0.0.1 (DNS rebinding) gets nothing from the preview.
async fn check_host(
    State(app): State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host.is_some_and(|h| host_allowed(h, app.site_host.as_deref())) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "this preview answers only to localhost, an IP address or the site's own host\n",
        )
            .into_response()
    }
}

/// `host` is a Host header: a name or address and an optional port.
fn host_allowed(host: &str, site_host: Option<&str>) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || site_host == Some(name.as_str())
}

/// The asked port, else the next free one.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, ServeError> {
    let last = port.saturating_add(PORT_ATTEMPTS - 1);
    let mut error = None;
    for port in port..=last {
        match TcpListener::bind((ip, port)) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => error = Some(e),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Err(ServeError::Bind {
        bind: ip,
        first: port,
        last,
        source: error.expect("at least one port tried"),
    })
}

/// An address a browser can open: `0.0.0.0` listens everywhere but is reached as localhost.
fn display_addr(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), addr.port())
    } else {
        addr
    }
}

/// Waits for changes, rebuilds, swaps the preview and tells open pages.
fn rebuild_loop(
    mut watcher: SiteWatcher,
    mut builder: Builder,
    app: App,
    on_event: impl Fn(Event),
) {
    while let Some(next) = watcher.next_change() {
        let change = match next {
            Ok(change) => change,
            Err(e) => {
                on_event(Event::WatchError(e));
                continue;
            }
        };
        let built = builder.build(&change);
        let notice = {
            let mut preview = app.preview.write().unwrap_or_else(|e| e.into_inner());
            preview.apply(&built.report, built.files, built.partial, change.css_only)
        };
        let changed_files = match &notice {
            None => Some(0),
            Some(Notice::Reload(Some(files))) => Some(files.len()),
            Some(Notice::Css(renamed)) => Some(renamed.len()),
            _ => None,
        };
        on_event(Event::Rebuilt {
            report: &built.report,
            elapsed: built.elapsed,
            change: &change,
            reread: &built.reread,
            changed_files,
        });
        if let Some(notice) = notice {
            // No open page is not an error.
            let _ = app.notices.send(notice);
        }
    }
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        reload::script(),
    )
        .into_response()
}

/// The stream open pages listen to; a page that falls behind just misses old notices.
async fn events(State(app): State<App>) -> impl IntoResponse {
    let stream = BroadcastStream::new(app.notices.subscribe()).filter_map(|notice| {
        let (name, data) = notice.ok()?.event();
        Some(Ok::<_, Infallible>(
            SseEvent::default().event(name).data(data),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Any other path: a file of the last good build, HTML with the live-reload script.
async fn page(State(app): State<App>, uri: Uri) -> Response {
    let (files, problems) = {
        let preview = app.preview.read().unwrap_or_else(|e| e.into_inner());
        (preview.files.clone(), preview.problems.clone())
    };
    let problems = problems.as_deref().map(Vec::as_slice);
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    match resolve(&files, &path) {
        Resolved::File(key) => file_response(StatusCode::OK, key, &files[key], problems),
        Resolved::Redirect(to) => Redirect::permanent(&to).into_response(),
        Resolved::NotFound => match (not_found_page(&files, &path), problems) {
            (Some((key, page)), _) => file_response(StatusCode::NOT_FOUND, key, page, problems),
            (None, Some(problems)) => html(
                StatusCode::INTERNAL_SERVER_ERROR,
                reload::error_page(problems),
            ),
            (None, None) => (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Resolved<'a> {
    File(&'a str),
    Redirect(String),
    NotFound,
}

/// The 404 page nearest the path, as hosts that look up the tree serve it:
/// `/zh/nothing/` gets `zh/404.html` when the site has one, otherwise `404.html`.
fn not_found_page<'a>(files: &'a rebuild::Files, path: &str) -> Option<(&'a str, &'a [u8])> {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    [format!("{first}/404.html"), "404.html".to_string()]
        .iter()
        .filter(|key| !key.starts_with('/'))
        .find_map(|key| files.get_key_value(key.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_ref()))
}

/// `/about/` is `about/index.html`; `/about` redirects to `/about/` as on a static host.
fn resolve<'a>(files: &'a rebuild::Files, path: &str) -> Resolved<'a> {
    let rel = path.trim_start_matches('/');
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some((key, _)) = files.get_key_value(&key) {
        return Resolved::File(key);
    }
    if !rel.is_empty() && !rel.ends_with('/') && files.contains_key(&format!("{rel}/index.html")) {
        return Resolved::Redirect(format!("/{rel}/"));
    }
    Resolved::NotFound
}

fn file_response(
    status: StatusCode,
    key: &str,
    bytes: &[u8],
    problems: Option<&[String]>,
) -> Response {
    if key.ends_with(".html") {
        return html(status, reload::inject(bytes, problems));
    }
    let mut response = (status, bytes.to_vec()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::output::content_type(key)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_a_static_host() {
        let files: rebuild::Files = ["index.html", "about/index.html", "style.css"]
            .into_iter()
            .map(|k| (k.to_string(), Vec::new()))
            .collect();
        assert_eq!(resolve(&files, "/"), Resolved::File("index.html"));
        assert_eq!(
            resolve(&files, "/about/"),
            Resolved::File("about/index.html")
        );
        assert_eq!(
            resolve(&files, "/about"),
            Resolved::Redirect("/about/".into())
        );
        assert_eq!(resolve(&files, "/style.css"), Resolved::File("style.css"));
        assert_eq!(resolve(&files, "/../etc/passwd"), Resolved::NotFound);
        assert_eq!(resolve(&files, "/nope/"), Resolved::NotFound);
    }

    #[test]
    fn a_missing_page_gets_the_404_page_of_its_language() {
        let files: rebuild::Files = ["404.html", "zh/404.html"]
            .into_iter()
            .map(|k| (k.to_string(), Vec::new()))
            .collect();
        let key = |path| not_found_page(&files, path).map(|(k, _)| k);
        assert_eq!(key("/zh/nope/"), Some("zh/404.html"));
        assert_eq!(key("/nope/"), Some("404.html"));
        assert_eq!(key("/cars/gone/"), Some("404.html"));
    }

    #[test]
    fn answers_loopback_names_addresses_and_the_site_host_only() {
        for ok in [
            "localhost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
            "app.localhost",
            "192.168.1.5:80",
            "cars.example",
        ] {
            assert!(host_allowed(ok, Some("cars.example")), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "evil.example",
            "localhost.evil.example",
            "cars.example.evil.example",
            "",
        ] {
            assert!(!host_allowed(bad, Some("cars.example")), "{bad}");
        }
    }

    #[test]
    fn a_taken_port_moves_to_the_next_free_one() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let listener = bind(IpAddr::from([127, 0, 0, 1]), port).unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), port);
    }
}
