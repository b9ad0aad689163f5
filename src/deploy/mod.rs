//! `showroom deploy`: the built output published to an S3-compatible bucket by delta.
//!
//! The stages, in order: read the output's manifest and `_headers`; take the deploy
//! lock; read the last deploy's manifest from the bucket (or, without one, list the
//! bucket); plan the delta; refuse more deletes than allowed; upload assets, then pages,
//! then sitemaps and feeds; write the new manifest with a conditional write; delete
//! what is gone; release the lock. `state` moves `.showroom/state/` to and from the
//! bucket for CI runners that start empty.

mod client;
mod headers;
mod lock;
mod plan;
mod remote;
pub mod state;
mod upload;

pub use client::{Credentials, Requests};
pub use headers::{HeaderRules, ObjectHeaders};
pub use lock::{Holder, LOCK, Me};
pub use plan::Kind;
pub use remote::RemoteManifest;
pub use state::{StateOptions, StateSummary};
pub use upload::HASH_METADATA;

use crate::config::DeployConfig;
use crate::output::{self, MANIFEST};
use client::Bucket;
use jiff::Timestamp;
use lock::Lock;
use object_store::{ObjectStore, ObjectStoreExt, UpdateVersion};
use plan::{Inputs, Remote};
use remote::Deployed;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Files above this size go up in parts.
pub const MULTIPART_BYTES: u64 = 64 * 1024 * 1024;

/// Paths of each kind a dry run or summary names.
const FIRST_PATHS: usize = 5;

#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The built output folder (`public/`).
    pub output: PathBuf,
    pub config: DeployConfig,
    pub credentials: Credentials,
    /// Plan, print, change nothing.
    pub dry_run: bool,
    /// More deletes than this stop the deploy before anything changes.
    pub max_deletes: usize,
    /// When superseded assets are due to go is counted from here.
    pub now: Timestamp,
    /// Who holds the lock.
    pub me: Me,
    /// Where to write the summary as JSON, with the changed paths for the CDN.
    pub report: Option<PathBuf>,
    pub multipart_bytes: u64,
}

/// Told how the uploads go; `main.rs` draws it.
pub trait Progress: Sync {
    fn start(&self, _files: usize, _bytes: u64) {}
    fn uploaded(&self, _files: usize, _bytes: u64) {}
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("config.toml: [deploy] names no `bucket`")]
    NoBucket,
    #[error(
        "no credentials for the endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or AWS_PROFILE with a profile in ~/.aws/credentials"
    )]
    NoCredentials,
    #[error("{path}: not found; run `showroom build` first", path = .path.display())]
    NotBuilt { path: PathBuf },
    #[error("{path}: {message}", path = .path.display())]
    Headers { path: PathBuf, message: String },
    #[error("{path}: changed since the build wrote manifest.json; build again, then deploy", path = .path.display())]
    Stale { path: PathBuf },
    #[error("{path}: {source}", path = .path.display())]
    Local {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot set up the S3 client: {message}")]
    Client { message: String },
    #[error("cannot reach the endpoint {endpoint}: {message}; check [deploy] endpoint and region")]
    Unreachable { endpoint: String, message: String },
    #[error(
        "the bucket `{bucket}` does not exist at {endpoint}; check [deploy] bucket, endpoint and region"
    )]
    NoSuchBucket { bucket: String, endpoint: String },
    #[error(
        "{endpoint} refused the credentials for bucket `{bucket}` ({message}); check \
         AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or the profile) and the key's permissions"
    )]
    Refused {
        bucket: String,
        endpoint: String,
        message: String,
    },
    #[error(
        "another deploy is publishing to this bucket ({holder}); nothing was changed. \
         Run again once it has finished (its lock is {lock})"
    )]
    Busy { holder: Holder, lock: String },
    #[error(
        "another deploy {what} while this one ran; this one stopped and deleted nothing. Run again"
    )]
    Raced { what: String },
    #[error(
        "this deploy lost its lock (not renewed in time, or taken over as abandoned); it \
         stopped before writing the manifest. Run again"
    )]
    LockLost,
    #[error(
        "{count} files would be deleted, more than max_deletes ({max}): {first}; nothing \
         was uploaded or deleted. If that is right, raise [deploy] max_deletes or pass \
         --max-deletes {count}"
    )]
    TooManyDeletes {
        count: usize,
        max: usize,
        first: String,
    },
    #[error(
        "the state would be published with the site: {why}. Give the site a `prefix`, or \
         keep the state in a `state_bucket` of its own"
    )]
    StateInsideSite { why: String },
    #[error("{what}: {source}")]
    Store {
        what: String,
        source: object_store::Error,
    },
}

/// One kind of upload in the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub kind: Kind,
    pub files: usize,
    pub bytes: u64,
    /// Of those, objects that may already be there, looked at before uploading.
    pub to_check: usize,
    pub first: Vec<String>,
}

/// How the bucket was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compared {
    /// With the last deploy's manifest.
    Manifest,
    /// With a listing of the bucket (no manifest of a deploy there).
    Listing,
}

/// What a deploy did, or a dry run would do; written as JSON for CI.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub target: String,
    pub dry_run: bool,
    pub compared: Compared,
    /// The deploy that was interrupted and is finished by this one.
    pub resumed: Option<Holder>,
    pub planned: Vec<Group>,
    pub unchanged: usize,
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    /// Planned, but found already there.
    pub already_there: usize,
    pub deleted: usize,
    /// (With `dry_run`: would be) deleted.
    pub deletes: Vec<String>,
    /// Superseded fingerprinted files still kept.
    pub kept: usize,
    /// URL paths whose content changed or went, to purge from a CDN's cache.
    pub changed_paths: Vec<String>,
    /// HTTP requests made, retries included.
    pub requests: Requests,
    pub seconds: f64,
}

/// Publishes `options.output` to the bucket of `[deploy]`.
pub fn deploy(options: &DeployOptions, progress: &dyn Progress) -> Result<Summary, DeployError> {
    let runtime = runtime();
    let summary = runtime.block_on(run(options, progress))?;
    if let Some(path) = &options.report {
        let mut bytes = serde_json::to_vec_pretty(&summary).expect("a summary serializes");
        bytes.push(b'\n');
        crate::state::write_atomically(path, &bytes).map_err(|source| DeployError::Local {
            path: path.clone(),
            source,
        })?;
    }
    Ok(summary)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

async fn run(options: &DeployOptions, progress: &dyn Progress) -> Result<Summary, DeployError> {
    let started = Instant::now();
    let output = &options.output;
    let mut local = output::read_manifest(output).ok_or_else(|| DeployError::NotBuilt {
        path: output.join(MANIFEST),
    })?;
    // The deploy writes its own manifest and lock; a build never lists them.
    local.remove(MANIFEST);
    local.remove(LOCK);
    let rules = read_rules(output)?;
    let config = &options.config;
    let name = config.bucket.as_deref().ok_or(DeployError::NoBucket)?;
    let bucket = Bucket::open(config, name, &config.prefix, &options.credentials)?;

    preflight(&bucket, MANIFEST).await?;
    let lock = match options.dry_run {
        true => None,
        false => Some(Lock::acquire(&bucket, &options.me, config.lock_seconds).await?),
    };
    let result = publish(options, progress, &bucket, &local, &rules, lock.as_ref()).await;
    if let Some(lock) = lock {
        let released = lock.release().await;
        if result.is_ok() {
            released.map_err(|e| bucket.error("releasing the deploy lock", e))?;
        }
    }
    let mut summary = result?;
    summary.requests = bucket.counts.snapshot();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn read_rules(output: &Path) -> Result<HeaderRules, DeployError> {
    let path = output.join("_headers");
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DeployError::NotBuilt { path: path.clone() },
        _ => DeployError::Local {
            path: path.clone(),
            source: e,
        },
    })?;
    HeaderRules::parse(&text).map_err(|e| DeployError::Headers {
        path,
        message: e.to_string(),
    })
}

/// One cheap request that fails as clearly as possible when the endpoint, the bucket or
/// the credentials are wrong, before anything is written: a look at the manifest, and
/// when there is none, at the bucket's first keys (a missing object and a missing bucket
/// answer a HEAD alike).
async fn preflight(bucket: &Bucket, path: &str) -> Result<(), DeployError> {
    let what = || format!("looking at {}", bucket.url(path));
    match bucket.store.head(&bucket.key(path)).await {
        Ok(_) => Ok(()),
        Err(object_store::Error::NotFound { .. }) => {
            let root = bucket.root();
            bucket
                .store
                .list_with_delimiter(root.as_ref())
                .await
                .map(|_| ())
                .map_err(|e| bucket.error("listing the bucket", e))
        }
        Err(e) => Err(bucket.error(&what(), e)),
    }
}

/// Every object under the prefix but the deploy's own, by output path and size.
async fn list(bucket: &Bucket) -> Result<BTreeMap<String, u64>, DeployError> {
    use futures_util::TryStreamExt;
    let root = bucket.root();
    let objects: Vec<_> = bucket
        .store
        .list(root.as_ref())
        .try_collect()
        .await
        .map_err(|e| bucket.error("listing the bucket", e))?;
    Ok(objects
        .into_iter()
        .filter_map(|o| Some((bucket.path_of(&o.location)?, o.size)))
        .filter(|(path, _)| path != MANIFEST && path != LOCK)
        .collect())
}

async fn publish(
    options: &DeployOptions,
    progress: &dyn Progress,
    bucket: &Bucket,
    local: &BTreeMap<String, output::Listed>,
    rules: &HeaderRules,
    lock: Option<&Lock>,
) -> Result<Summary, DeployError> {
    let config = &options.config;
    let (bytes, mut version) = bucket.get_versioned(MANIFEST).await?.unzip();
    let previous = bytes.as_deref().and_then(RemoteManifest::parse);
    let listing = match previous {
        Some(_) => None,
        None => Some(list(bucket).await?),
    };
    let remote = match (&previous, &listing) {
        (Some(m), _) => Remote::Manifest(m),
        (None, Some(objects)) => Remote::Listing(objects),
        (None, None) => unreachable!("listed when there is no manifest"),
    };
    let compared = match remote {
        Remote::Manifest(_) => Compared::Manifest,
        Remote::Listing(_) => Compared::Listing,
    };
    let resumed = lock.and_then(|l| l.took_over.clone());
    let plan = plan::plan(Inputs {
        local,
        rules,
        remote,
        now: options.now,
        keep_assets_days: config.keep_assets_days,
        resume: resumed.is_some(),
    });
    let planned: Vec<Group> = Kind::ALL
        .iter()
        .map(|&kind| {
            let of_kind = plan.uploads.iter().filter(|u| u.kind == kind);
            Group {
                kind,
                files: of_kind.clone().count(),
                bytes: of_kind.clone().map(|u| u.size).sum(),
                to_check: of_kind.clone().filter(|u| u.check).count(),
                first: of_kind.take(FIRST_PATHS).map(|u| u.path.clone()).collect(),
            }
        })
        .collect();
    let mut summary = Summary {
        target: format!("s3://{}/{}", bucket.name, config.prefix),
        dry_run: options.dry_run,
        compared,
        resumed,
        planned,
        unchanged: plan.unchanged,
        uploaded: 0,
        uploaded_bytes: 0,
        already_there: 0,
        deleted: 0,
        deletes: plan.deletes.clone(),
        kept: plan.kept.len(),
        changed_paths: Vec::new(),
        requests: Requests::default(),
        seconds: 0.0,
    };
    if plan.deletes.len() > options.max_deletes {
        let mut first = plan.deletes[..FIRST_PATHS.min(plan.deletes.len())].join(", ");
        if plan.deletes.len() > FIRST_PATHS {
            first.push_str(", …");
        }
        return Err(DeployError::TooManyDeletes {
            count: plan.deletes.len(),
            max: options.max_deletes,
            first,
        });
    }
    if options.dry_run {
        summary.changed_paths = purge_list(plan.uploads.iter(), &plan.deletes);
        return Ok(summary);
    }

    let total_bytes = plan.uploads.iter().map(|u| u.size).sum();
    progress.start(plan.uploads.len(), total_bytes);
    let header_list = plan.headers.into_list();
    let uploader = upload::Uploader {
        bucket,
        output: &options.output,
        headers: &header_list,
        concurrency: config.concurrency,
        multipart_bytes: options.multipart_bytes,
        lock,
        progress,
    };
    let sent = uploader.run(&plan.uploads).await;
    progress.finish();
    let sent = sent?;
    summary.uploaded = sent.uploaded.len();
    summary.uploaded_bytes = sent.bytes;
    summary.already_there = sent.already_there;

    let mut next = RemoteManifest {
        files: plan.files,
        deploy: Deployed {
            at: options.now,
            headers: header_list.clone(),
            kept: plan.kept,
            deleting: plan.deletes,
        },
    };
    let unchanged = previous.as_ref().is_some_and(|p| {
        p.files == next.files
            && p.deploy.kept == next.deploy.kept
            && p.deploy.headers == next.deploy.headers
            && next.deploy.deleting.is_empty()
            && p.deploy.deleting.is_empty()
    });
    if !unchanged {
        version = Some(write_manifest(bucket, &next, version, lock).await?);
    }
    if !next.deploy.deleting.is_empty() {
        uploader.delete(&next.deploy.deleting).await?;
        summary.deleted = next.deploy.deleting.len();
        next.deploy.deleting.clear();
        write_manifest(bucket, &next, version, lock).await?;
    }
    let uploaded = plan
        .uploads
        .iter()
        .filter(|u| sent.uploaded.binary_search(&u.path).is_ok());
    summary.changed_paths = purge_list(uploaded, &summary.deletes);
    Ok(summary)
}

/// What to purge from a CDN's cache: every uploaded or deleted file but assets (new
/// names, never cached before), as URL paths.
fn purge_list<'a>(
    uploads: impl Iterator<Item = &'a plan::Upload>,
    deletes: &[String],
) -> Vec<String> {
    let mut paths: Vec<String> = uploads
        .filter(|u| u.kind != Kind::Asset)
        .map(|u| plan::purge_path(&u.path))
        .chain(deletes.iter().map(|p| plan::purge_path(p)))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Writes the remote manifest only if it is still the one this deploy read (or, when
/// there was none, if there still is none): another deploy that got in between makes
/// this one stop. The new version, for the next write.
async fn write_manifest(
    bucket: &Bucket,
    manifest: &RemoteManifest,
    version: Option<UpdateVersion>,
    lock: Option<&Lock>,
) -> Result<UpdateVersion, DeployError> {
    if let Some(lock) = lock {
        lock.check()?;
    }
    let attributes = object_store::Attributes::from_iter([
        (
            object_store::Attribute::ContentType,
            output::content_type(MANIFEST),
        ),
        (object_store::Attribute::CacheControl, output::REVALIDATE),
    ]);
    let bytes = manifest.to_bytes();
    bucket
        .put_if(
            MANIFEST,
            bytes,
            version,
            attributes,
            "wrote the remote manifest",
        )
        .await
}
