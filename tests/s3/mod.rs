//! A real S3-compatible server for the deploy tests: `s3s-fs` (an S3 implementation
//! over a folder) served on 127.0.0.1 inside the test binary, with credentials checked
//! by s3s's SigV4 verification. Between the client and it sits a thin layer that logs
//! every request, can answer some with a server error, can hold uploads (to kill a
//! deploy halfway or start a second one beside it), and runs conditional writes one at
//! a time: s3s-fs checks `If-Match`/`If-None-Match` and then writes, with awaits in
//! between, where S3, R2 and MinIO decide atomically.
#![allow(dead_code)]

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use s3s::service::S3ServiceBuilder;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BUCKET: &str = "site";
pub const KEY_ID: &str = "AKIDSHOWROOMTEST";
pub const SECRET: &str = "showroom-test-secret";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The object key (without the bucket), `""` for the bucket itself.
    pub key: String,
    pub query: String,
    pub status: u16,
}

#[derive(Default)]
struct Control {
    log: Mutex<Vec<Seen>>,
    /// Answer this many of the next requests with this method with 503.
    fail: Mutex<Option<(String, usize)>>,
    /// Let this many more uploads of site files through, then hold the rest.
    hold_after: Mutex<Option<usize>>,
    held: AtomicUsize,
    release: tokio::sync::Notify,
    released: AtomicBool,
    conditional: tokio::sync::Mutex<()>,
}

pub struct S3 {
    pub endpoint: String,
    pub dir: tempfile::TempDir,
    control: Arc<Control>,
    _runtime: tokio::runtime::Runtime,
}

impl S3 {
    /// Starts the server with an empty bucket `site`.
    pub fn start() -> S3 {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let control = Arc::new(Control::default());
        let fs = s3s_fs::FileSystem::new(dir.path()).unwrap();
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(KEY_ID, SECRET));
        let service = builder.build();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let ctl = control.clone();
        runtime.spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let service = service.clone();
                let ctl = ctl.clone();
                tokio::spawn(async move {
                    let handler = service_fn(move |req: http::Request<Incoming>| {
                        let service = service.clone();
                        let ctl = ctl.clone();
                        async move { handle(&ctl, &service, req).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(socket), handler)
                        .await;
                });
            }
        });
        S3 {
            endpoint: format!("http://{addr}"),
            dir,
            control,
            _runtime: runtime,
        }
    }

    /// Every request seen since the last [`S3::clear`].
    pub fn seen(&self) -> Vec<Seen> {
        self.control.log.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.control.log.lock().unwrap().clear();
    }

    /// Successful uploads of site files (not the lock, not the manifest), in order.
    pub fn uploads(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "PUT" && s.status == 200 && is_site_file(&s.key))
            .map(|s| s.key)
            .collect()
    }

    /// Answers the next `times` requests of `method` with 503 Service Unavailable.
    pub fn fail_next(&self, method: &str, times: usize) {
        *self.control.fail.lock().unwrap() = Some((method.to_string(), times));
    }

    /// Lets `n` more uploads of site files through, then holds the others until
    /// [`S3::release`].
    pub fn hold_uploads_after(&self, n: usize) {
        self.control.released.store(false, Ordering::SeqCst);
        *self.control.hold_after.lock().unwrap() = Some(n);
    }

    /// Waits until at least one upload is held.
    pub fn wait_until_held(&self) {
        let start = Instant::now();
        while self.control.held.load(Ordering::SeqCst) == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no upload was held"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn release(&self) {
        *self.control.hold_after.lock().unwrap() = None;
        self.control.released.store(true, Ordering::SeqCst);
        self.control.held.store(0, Ordering::SeqCst);
        self.control.release.notify_waiters();
    }

    /// The stored object's bytes, straight from the server's folder.
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.path().join(BUCKET).join(key)).ok()
    }

    /// Keys of every object in the bucket (s3s-fs keeps its metadata elsewhere).
    pub fn keys(&self) -> Vec<String> {
        let root = self.dir.path().join(BUCKET);
        let mut keys: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        keys.sort();
        keys
    }
}

/// Not the deploy's own objects.
pub fn is_site_file(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    name != "manifest.json" && name != ".showroom-deploy.lock"
}

async fn handle(
    ctl: &Control,
    service: &s3s::service::S3Service,
    req: http::Request<Incoming>,
) -> Result<http::Response<s3s::Body>, s3s::HttpError> {
    let method = req.method().to_string();
    let path = req.uri().path().trim_start_matches('/');
    let key = path
        .strip_prefix(BUCKET)
        .map(|k| k.trim_start_matches('/'))
        .unwrap_or(path);
    let key = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .into_owned();
    let query = req.uri().query().unwrap_or("").to_string();
    let log = |status: u16| {
        ctl.log.lock().unwrap().push(Seen {
            method: method.clone(),
            key: key.clone(),
            query: query.clone(),
            status,
        })
    };
    let failing = {
        let mut fail = ctl.fail.lock().unwrap();
        match fail.as_mut() {
            Some((m, n)) if *m == method && *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    };
    if failing {
        log(503);
        let body = "<Error><Code>ServiceUnavailable</Code><Message>try again</Message></Error>";
        return Ok(http::Response::builder()
            .status(503)
            .body(s3s::Body::from(body.to_string()))
            .unwrap());
    }
    if method == "PUT" && is_site_file(&key) && !query.contains("uploadId") {
        let hold = {
            let mut hold = ctl.hold_after.lock().unwrap();
            match hold.as_mut() {
                Some(0) => true,
                Some(n) => {
                    *n -= 1;
                    false
                }
                None => false,
            }
        };
        if hold {
            let notified = ctl.release.notified();
            ctl.held.fetch_add(1, Ordering::SeqCst);
            if !ctl.released.load(Ordering::SeqCst) {
                notified.await;
            }
        }
    }
    let conditional =
        req.headers().contains_key("if-match") || req.headers().contains_key("if-none-match");
    let _turn = match conditional && method == "PUT" {
        true => Some(ctl.conditional.lock().await),
        false => None,
    };
    // A batch delete is logged as one DELETE per key it names.
    if method == "POST" && query.contains("delete") {
        let (parts, body) = req.into_parts();
        let bytes = http_body_util::BodyExt::collect(body)
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let req = http::Request::from_parts(parts, s3s::Body::from(bytes));
        let response = service.call(req).await?;
        let status = response.status().as_u16();
        for key in text
            .split("<Key>")
            .skip(1)
            .filter_map(|k| k.split("</Key>").next())
        {
            ctl.log.lock().unwrap().push(Seen {
                method: "DELETE".into(),
                key: key.to_string(),
                query: "batch".into(),
                status,
            });
        }
        return Ok(response);
    }
    let response = service.call(req.map(s3s::Body::from)).await?;
    log(response.status().as_u16());
    Ok(response)
}
