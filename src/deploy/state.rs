//! `showroom state push` and `pull`: `.showroom/state/` (the suppliers' last good feeds,
//! the inventory ledger: what a build cannot rebuild) kept in the bucket under
//! `state_prefix`, outside the site, so that a CI runner that starts empty builds with
//! what the last one kept.
//!
//! The bucket holds `<state_prefix>/files/<path>` and `<state_prefix>/index.json`
//! listing every file with its size and blake3. `push` uploads what changed, writes the
//! index with a conditional write (a concurrent push makes one of them stop), then
//! deletes what is gone; `pull` downloads what differs, checks each file against the
//! index, and removes local files the index does not list: afterwards the folder is
//! what was pushed.

use super::client::Bucket;
use super::headers::ObjectHeaders;
use super::plan::{Kind, Upload};
use super::{Credentials, DeployError, Progress, Requests, preflight, runtime, upload};
use crate::config::DeployConfig;
use crate::output::Listed;
use futures_util::{StreamExt, TryStreamExt};
use object_store::{ObjectStoreExt, UpdateVersion};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const INDEX: &str = "index.json";

#[derive(Debug, Clone)]
pub struct StateOptions {
    /// The site's root; the state is `<root>/.showroom/state/`.
    pub root: PathBuf,
    pub config: DeployConfig,
    pub credentials: Credentials,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateSummary {
    pub target: String,
    /// Files sent (push) or fetched (pull).
    pub moved: usize,
    pub bytes: u64,
    pub unchanged: usize,
    /// Deleted from the bucket (push) or from the folder (pull).
    pub removed: usize,
    /// Pull only: nothing was ever pushed there.
    pub nothing_pushed: bool,
    pub requests: Requests,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    files: BTreeMap<String, Listed>,
}

/// Where the state lives, checked to be outside the site.
fn open(options: &StateOptions) -> Result<(Bucket, Bucket), DeployError> {
    let config = &options.config;
    let site_bucket = config.bucket.as_deref().ok_or(DeployError::NoBucket)?;
    let name = config.state_bucket.as_deref().unwrap_or(site_bucket);
    let (site, state) = (config.prefix.as_str(), config.state_prefix.as_str());
    if name == site_bucket {
        let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
        let why = if site.is_empty() {
            Some("the site is published from the bucket's root".to_string())
        } else if inside(state, site) || inside(site, state) {
            Some(format!(
                "state_prefix {state:?} and prefix {site:?} overlap"
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(DeployError::StateInsideSite { why });
        }
    }
    let index = Bucket::open(config, name, state, &options.credentials)?;
    let files = index.with_prefix(&format!("{state}/files"));
    Ok((index, files))
}

fn state_dir(options: &StateOptions) -> PathBuf {
    crate::state::state_dir(&options.root)
}

/// Uploads `.showroom/state/` where it differs from what the bucket holds.
pub fn push(options: &StateOptions, progress: &dyn Progress) -> Result<StateSummary, DeployError> {
    let (index_bucket, files_bucket) = open(options)?;
    let dir = state_dir(options);
    // A build saving meanwhile would change files between their hash and their upload.
    let _saving = crate::state::lock(&options.root);
    let local = hash_folder(&dir)?;
    runtime().block_on(async {
        preflight(&index_bucket, INDEX).await?;
        let (remote, version) = read_index(&index_bucket).await?;
        let remote = remote.unwrap_or_default();
        let headers = [ObjectHeaders {
            content_type: "application/octet-stream".into(),
            cache_control: "private, no-store".into(),
        }];
        let uploads: Vec<Upload> = local
            .iter()
            .filter(|(path, l)| remote.files.get(*path).is_none_or(|r| r.blake3 != l.blake3))
            .map(|(path, l)| Upload {
                path: path.clone(),
                size: l.size,
                blake3: l.blake3.clone(),
                headers: 0,
                kind: Kind::Page,
                check: false,
            })
            .collect();
        progress.start(uploads.len(), uploads.iter().map(|u| u.size).sum());
        let uploader = upload::Uploader {
            bucket: &files_bucket,
            output: &dir,
            headers: &headers,
            concurrency: options.config.concurrency,
            multipart_bytes: super::MULTIPART_BYTES,
            lock: None,
            progress,
        };
        let sent = uploader.run(&uploads).await;
        progress.finish();
        let sent = sent?;
        let gone: Vec<String> = remote
            .files
            .keys()
            .filter(|p| !local.contains_key(*p))
            .cloned()
            .collect();
        let unchanged = local.len() - uploads.len();
        if !uploads.is_empty() || !gone.is_empty() || version.is_none() {
            write_index(&index_bucket, &Index { files: local }, version).await?;
        }
        uploader.delete(&gone).await?;
        Ok(StateSummary {
            target: format!("s3://{}/{}", index_bucket.name, options.config.state_prefix),
            moved: sent.uploaded.len(),
            bytes: sent.bytes,
            unchanged,
            removed: gone.len(),
            nothing_pushed: false,
            requests: index_bucket.counts.snapshot(),
        })
    })
}

/// Makes `.showroom/state/` what was last pushed.
pub fn pull(options: &StateOptions, progress: &dyn Progress) -> Result<StateSummary, DeployError> {
    let (index_bucket, files_bucket) = open(options)?;
    let dir = state_dir(options);
    // A build must not read a state half pulled, nor save over it.
    let _saving = crate::state::lock(&options.root);
    let local = hash_folder(&dir)?;
    let target = format!("s3://{}/{}", index_bucket.name, options.config.state_prefix);
    runtime().block_on(async {
        preflight(&index_bucket, INDEX).await?;
        let (remote, _) = read_index(&index_bucket).await?;
        let Some(remote) = remote else {
            return Ok(StateSummary {
                target,
                moved: 0,
                bytes: 0,
                unchanged: 0,
                removed: 0,
                nothing_pushed: true,
                requests: index_bucket.counts.snapshot(),
            });
        };
        if let Some(bad) = remote.files.keys().find(|p| !safe_path(p)) {
            return Err(DeployError::Store {
                what: format!("reading {}", index_bucket.url(INDEX)),
                source: object_store::Error::Generic {
                    store: "S3",
                    source: format!("it names {bad:?}, a path outside the state folder").into(),
                },
            });
        }
        let wanted: Vec<(&String, &Listed)> = remote
            .files
            .iter()
            .filter(|(path, r)| local.get(*path).is_none_or(|l| l.blake3 != r.blake3))
            .collect();
        progress.start(wanted.len(), wanted.iter().map(|(_, r)| r.size).sum());
        let fetched: Result<Vec<u64>, DeployError> = futures_util::stream::iter(wanted.iter())
            .map(|(path, listed)| fetch(&files_bucket, &dir, path, listed, progress))
            .buffer_unordered(options.config.concurrency)
            .try_collect()
            .await;
        progress.finish();
        let fetched = fetched?;
        let mut removed = 0;
        for path in local.keys().filter(|p| !remote.files.contains_key(*p)) {
            let file = dir.join(path);
            std::fs::remove_file(&file)
                .map_err(|source| DeployError::Local { path: file, source })?;
            removed += 1;
        }
        Ok(StateSummary {
            target,
            moved: fetched.len(),
            bytes: fetched.iter().sum(),
            unchanged: remote.files.len() - fetched.len(),
            removed,
            nothing_pushed: false,
            requests: index_bucket.counts.snapshot(),
        })
    })
}

async fn fetch(
    bucket: &Bucket,
    dir: &Path,
    path: &str,
    listed: &Listed,
    progress: &dyn Progress,
) -> Result<u64, DeployError> {
    let what = || format!("downloading {}", bucket.url(path));
    let found = bucket
        .store
        .get(&bucket.key(path))
        .await
        .map_err(|e| bucket.error(&what(), e))?;
    let bytes = found.bytes().await.map_err(|e| bucket.error(&what(), e))?;
    if blake3::hash(&bytes).to_hex().as_str() != listed.blake3 {
        return Err(DeployError::Store {
            what: what(),
            source: object_store::Error::Generic {
                store: "S3",
                source: "its bytes are not those index.json lists: push the state again".into(),
            },
        });
    }
    let file = dir.join(path);
    crate::state::write_atomically(&file, &bytes)
        .map_err(|source| DeployError::Local { path: file, source })?;
    progress.uploaded(1, listed.size);
    Ok(listed.size)
}

/// A path from the index that stays inside the state folder.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

/// Every file of the state folder (the builds' lock and temporary files of an unfinished
/// write left out), by `/`-separated path, with its size and blake3.
fn hash_folder(dir: &Path) -> Result<BTreeMap<String, Listed>, DeployError> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.depth() == 0 => break, // no state yet
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                return Err(DeployError::Local {
                    path,
                    source: e.into(),
                });
            }
        };
        let name = entry.file_name().to_string_lossy();
        let lock = entry.depth() == 1 && name == crate::state::LOCK;
        if !entry.file_type().is_file() || lock || (name.starts_with('.') && name.ends_with(".tmp"))
        {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).expect("walked inside dir");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(entry.path()).map_err(|source| DeployError::Local {
            path: entry.path().to_path_buf(),
            source,
        })?;
        let (size, blake3) = (
            bytes.len() as u64,
            blake3::hash(&bytes).to_hex().to_string(),
        );
        files.insert(rel, Listed { blake3, size });
    }
    Ok(files)
}

async fn read_index(
    bucket: &Bucket,
) -> Result<(Option<Index>, Option<UpdateVersion>), DeployError> {
    let Some((bytes, version)) = bucket.get_versioned(INDEX).await? else {
        return Ok((None, None));
    };
    let index = serde_json::from_slice(&bytes).map_err(|e| DeployError::Store {
        what: format!("reading {}", bucket.url(INDEX)),
        source: object_store::Error::Generic {
            store: "S3",
            source: e.into(),
        },
    })?;
    Ok((Some(index), Some(version)))
}

async fn write_index(
    bucket: &Bucket,
    index: &Index,
    version: Option<UpdateVersion>,
) -> Result<(), DeployError> {
    let bytes = serde_json::to_vec_pretty(index).expect("an index serializes");
    let attributes = object_store::Attributes::new();
    bucket
        .put_if(INDEX, bytes, version, attributes, "pushed the state")
        .await
        .map(|_| ())
}
