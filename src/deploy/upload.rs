//! Carrying out a plan: one group of uploads after another (assets, pages, sitemaps and
//! feeds), each group with at most `concurrency` requests in flight, every file read
//! from the output and checked against its manifest hash on the way; deletes in
//! batches.

use super::client::Bucket;
use super::headers::ObjectHeaders;
use super::lock::Lock;
use super::plan::{Kind, Upload};
use super::{DeployError, Progress};
use futures_util::{StreamExt, TryStreamExt};
use object_store::{
    Attribute, Attributes, GetOptions, ObjectStore, PutMultipartOptions, PutOptions, PutPayload,
    WriteMultipart,
};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The user metadata that names an object's bytes (`x-amz-meta-blake3`): what a deploy
/// without a manifest compares, never downloading an object to hash it.
pub const HASH_METADATA: &str = "blake3";

/// Parts of a multipart upload.
const PART_BYTES: usize = 8 * 1024 * 1024;

pub struct Uploader<'a> {
    pub bucket: &'a Bucket,
    pub output: &'a Path,
    pub headers: &'a [ObjectHeaders],
    pub concurrency: usize,
    pub multipart_bytes: u64,
    pub lock: Option<&'a Lock>,
    pub progress: &'a dyn Progress,
}

/// What became of the uploads.
#[derive(Debug, Default)]
pub struct Sent {
    /// Output paths actually uploaded.
    pub uploaded: Vec<String>,
    pub bytes: u64,
    /// Found already there (after an interruption, or by listing).
    pub already_there: usize,
}

impl Uploader<'_> {
    pub async fn run(&self, uploads: &[Upload]) -> Result<Sent, DeployError> {
        let mut sent = Sent::default();
        let skipped = AtomicUsize::new(0);
        for kind in Kind::ALL {
            let group: Vec<&Upload> = uploads.iter().filter(|u| u.kind == kind).collect();
            let results: Vec<Option<(String, u64)>> = futures_util::stream::iter(group)
                .map(|u| async {
                    let done = self.one(u).await?;
                    if done.is_none() {
                        skipped.fetch_add(1, Ordering::Relaxed);
                    }
                    self.progress.uploaded(1, u.size);
                    Ok::<_, DeployError>(done)
                })
                .buffer_unordered(self.concurrency)
                .try_collect()
                .await?;
            for (path, size) in results.into_iter().flatten() {
                sent.uploaded.push(path);
                sent.bytes += size;
            }
        }
        sent.uploaded.sort();
        sent.already_there = skipped.into_inner();
        Ok(sent)
    }

    /// Uploads one file, unless it is to be checked and is already there; the path and
    /// size uploaded.
    async fn one(&self, u: &Upload) -> Result<Option<(String, u64)>, DeployError> {
        if let Some(lock) = self.lock {
            lock.check()?;
        }
        let headers = &self.headers[u.headers];
        let key = self.bucket.key(&u.path);
        if u.check && self.already_there(u, headers).await? {
            return Ok(None);
        }
        let file = self.output.join(&u.path);
        let bytes = tokio::fs::read(&file)
            .await
            .map_err(|source| DeployError::Local {
                path: file.clone(),
                source,
            })?;
        if bytes.len() as u64 != u.size || blake3::hash(&bytes).to_hex().as_str() != u.blake3 {
            return Err(DeployError::Stale { path: file });
        }
        if let Some(lock) = self.lock {
            lock.check()?;
        }
        let attributes = attributes(headers, &u.blake3);
        let what = || format!("uploading {}", self.bucket.url(&u.path));
        if u.size > self.multipart_bytes {
            let opts = PutMultipartOptions {
                attributes,
                ..Default::default()
            };
            let upload = self
                .bucket
                .store
                .put_multipart_opts(&key, opts)
                .await
                .map_err(|e| self.bucket.error(&what(), e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            for chunk in bytes.chunks(PART_BYTES) {
                writer
                    .wait_for_capacity(4)
                    .await
                    .map_err(|e| self.bucket.error(&what(), e))?;
                writer.write(chunk);
            }
            writer
                .finish()
                .await
                .map_err(|e| self.bucket.error(&what(), e))?;
        } else {
            let opts = PutOptions {
                attributes,
                ..Default::default()
            };
            self.bucket
                .store
                .put_opts(&key, PutPayload::from(bytes), opts)
                .await
                .map_err(|e| self.bucket.error(&what(), e))?;
        }
        Ok(Some((u.path.clone(), u.size)))
    }

    /// Whether the object holds these bytes with these headers, by its metadata alone.
    async fn already_there(
        &self,
        u: &Upload,
        headers: &ObjectHeaders,
    ) -> Result<bool, DeployError> {
        let key = self.bucket.key(&u.path);
        let opts = GetOptions {
            head: true,
            ..Default::default()
        };
        let found = match self.bucket.store.get_opts(&key, opts).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => {
                return Err(self
                    .bucket
                    .error(&format!("looking at {}", self.bucket.url(&u.path)), e));
            }
        };
        let get = |a: Attribute| found.attributes.get(&a).map(|v| v.as_ref().to_string());
        Ok(found.meta.size == u.size
            && get(Attribute::Metadata(HASH_METADATA.into())).as_deref() == Some(u.blake3.as_str())
            && get(Attribute::ContentType).as_deref() == Some(headers.content_type.as_str())
            && get(Attribute::CacheControl).as_deref() == Some(headers.cache_control.as_str()))
    }

    /// Deletes the objects of these output paths, in batches (S3's DeleteObjects);
    /// objects already gone count as deleted.
    pub async fn delete(&self, paths: &[String]) -> Result<(), DeployError> {
        let keys: Vec<_> = paths.iter().map(|p| Ok(self.bucket.key(p))).collect();
        let keys = futures_util::stream::iter(keys).boxed();
        let mut deleted = self.bucket.store.delete_stream(keys);
        while let Some(result) = deleted.next().await {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.bucket.error("deleting", e)),
            }
        }
        Ok(())
    }
}

pub fn attributes(headers: &ObjectHeaders, blake3: &str) -> Attributes {
    Attributes::from_iter([
        (Attribute::ContentType, headers.content_type.clone()),
        (Attribute::CacheControl, headers.cache_control.clone()),
        (
            Attribute::Metadata(HASH_METADATA.into()),
            blake3.to_string(),
        ),
    ])
}
