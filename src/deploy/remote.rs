//! The remote manifest: the build's `manifest.json` as the last deploy published it, at
//! `<prefix>/manifest.json`, with what only a deploy knows: the headers each object was
//! stored with, the superseded fingerprinted files still kept, and the objects being
//! deleted. It is written after every upload and before any delete, so `files` and
//! `kept` only ever name objects that are in the bucket; `deleting` names objects that
//! may already be gone (an interrupted deploy's rerun deletes them again).

use super::headers::ObjectHeaders;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One published file, as the build's manifest lists it, plus its headers (an index
/// into [`Deployed::headers`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub blake3: String,
    pub size: u64,
    pub headers: usize,
}

/// A superseded fingerprinted file kept for pages cached at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub size: u64,
    /// After this instant a deploy deletes it.
    pub until: Timestamp,
    /// Unknown when the file was found by listing the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
}

/// What a deploy adds to the build's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    pub at: Timestamp,
    /// Every distinct pair of headers, once; entries point into it.
    pub headers: Vec<ObjectHeaders>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kept: BTreeMap<String, Kept>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleting: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteManifest {
    pub files: BTreeMap<String, Entry>,
    pub deploy: Deployed,
}

impl RemoteManifest {
    /// `None` for bytes that are not a deploy's manifest: a plain build manifest copied
    /// by another tool says nothing about the headers its files were stored with, so the
    /// bucket is compared by listing instead.
    pub fn parse(bytes: &[u8]) -> Option<RemoteManifest> {
        let manifest: RemoteManifest = serde_json::from_slice(bytes).ok()?;
        let n = manifest.deploy.headers.len();
        manifest
            .files
            .values()
            .all(|e| e.headers < n)
            .then_some(manifest)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(120 * self.files.len() + 256);
        serde_json::to_writer(&mut bytes, self).expect("a manifest serializes");
        bytes.push(b'\n');
        bytes
    }

    pub fn headers_of(&self, entry: &Entry) -> &ObjectHeaders {
        &self.deploy.headers[entry.headers]
    }
}

/// Gives each distinct pair of headers one index.
#[derive(Debug, Default)]
pub struct HeaderTable {
    index: BTreeMap<ObjectHeaders, usize>,
    list: Vec<ObjectHeaders>,
}

impl HeaderTable {
    pub fn index(&mut self, headers: &ObjectHeaders) -> usize {
        if let Some(&i) = self.index.get(headers) {
            return i;
        }
        self.list.push(headers.clone());
        self.index.insert(headers.clone(), self.list.len() - 1);
        self.list.len() - 1
    }

    pub fn into_list(self) -> Vec<ObjectHeaders> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_build_manifest_is_not_a_deploy_manifest() {
        let plain = br#"{"files": {"index.html": {"blake3": "ab", "size": 3}}}"#;
        assert_eq!(RemoteManifest::parse(plain), None);
        assert_eq!(RemoteManifest::parse(b"not json"), None);
    }

    #[test]
    fn round_trips_and_rejects_a_header_index_out_of_range() {
        let mut table = HeaderTable::default();
        let html = ObjectHeaders {
            content_type: "text/html; charset=utf-8".into(),
            cache_control: "no-cache".into(),
        };
        assert_eq!(table.index(&html), 0);
        assert_eq!(table.index(&html), 0);
        let manifest = RemoteManifest {
            files: BTreeMap::from([(
                "index.html".to_string(),
                Entry {
                    blake3: "ab".into(),
                    size: 3,
                    headers: 0,
                },
            )]),
            deploy: Deployed {
                at: "2026-11-23T10:00:00Z".parse().unwrap(),
                headers: table.into_list(),
                kept: BTreeMap::new(),
                deleting: vec!["old/index.html".into()],
            },
        };
        let bytes = manifest.to_bytes();
        assert_eq!(RemoteManifest::parse(&bytes), Some(manifest.clone()));
        let broken = String::from_utf8(bytes)
            .unwrap()
            .replace("\"headers\":0", "\"headers\":1");
        assert_eq!(RemoteManifest::parse(broken.as_bytes()), None);
    }
}
