//! The bucket, through `object_store`'s S3 client (request signing, retries with
//! backoff on timeouts and 5xx, conditional writes, multipart): built from `[deploy]`
//! and the credentials, every HTTP request counted, and its errors turned into
//! [`DeployError`]s that say what to fix.

use super::DeployError;
use crate::config::DeployConfig;
use object_store::aws::AmazonS3Builder;
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpService,
    ReqwestConnector,
};
use object_store::path::Path;
use object_store::{
    Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions,
    PutPayload, RetryConfig, UpdateVersion,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Where the keys come from; never from `config.toml`.
#[derive(Clone)]
pub enum Credentials {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), or the
    /// same keys from a profile in `~/.aws/credentials`.
    Keys {
        id: String,
        secret: String,
        token: Option<String>,
    },
    /// The machine's role (EC2 instance profile, ECS task role, web identity): only on
    /// AWS, without an endpoint.
    Ambient,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Keys { id, .. } => write!(f, "Keys({id}, …)"),
            Credentials::Ambient => write!(f, "Ambient"),
        }
    }
}

impl Credentials {
    /// The keys of `profile` in the text of an AWS shared credentials file (INI), if it
    /// names both.
    pub fn from_profile(text: &str, profile: &str) -> Option<Credentials> {
        let mut section = None;
        let (mut id, mut secret, mut token) = (None, None, None);
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.trim().to_string());
                continue;
            }
            if section.as_deref() != Some(profile) {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                let value = Some(value.trim().to_string());
                match key.trim() {
                    "aws_access_key_id" => id = value,
                    "aws_secret_access_key" => secret = value,
                    "aws_session_token" => token = value,
                    _ => {}
                }
            }
        }
        Some(Credentials::Keys {
            id: id?,
            secret: secret?,
            token,
        })
    }
}

/// HTTP requests made, by method (retries included).
#[derive(Debug, Default)]
pub struct Counts {
    pub get: AtomicU64,
    pub head: AtomicU64,
    pub put: AtomicU64,
    pub post: AtomicU64,
    pub delete: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Requests {
    pub get: u64,
    pub head: u64,
    pub put: u64,
    pub post: u64,
    pub delete: u64,
}

impl Requests {
    pub fn total(&self) -> u64 {
        self.get + self.head + self.put + self.post + self.delete
    }
}

impl Counts {
    pub fn snapshot(&self) -> Requests {
        Requests {
            get: self.get.load(Ordering::Relaxed),
            head: self.head.load(Ordering::Relaxed),
            put: self.put.load(Ordering::Relaxed),
            post: self.post.load(Ordering::Relaxed),
            delete: self.delete.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug)]
struct Counting {
    inner: HttpClient,
    counts: Arc<Counts>,
}

#[async_trait::async_trait]
impl HttpService for Counting {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let c = &self.counts;
        let counter = match *req.method() {
            http::Method::GET => &c.get,
            http::Method::HEAD => &c.head,
            http::Method::PUT => &c.put,
            http::Method::POST => &c.post,
            _ => &c.delete,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(req).await
    }
}

#[derive(Debug)]
struct CountingConnector(Arc<Counts>);

impl HttpConnector for CountingConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let inner = ReqwestConnector::default().connect(options)?;
        Ok(HttpClient::new(Counting {
            inner,
            counts: self.0.clone(),
        }))
    }
}

/// One bucket and its key prefix.
pub struct Bucket {
    pub store: Arc<dyn ObjectStore>,
    pub name: String,
    /// Where the requests go, for messages.
    pub endpoint: String,
    prefix: String,
    pub counts: Arc<Counts>,
}

impl Bucket {
    pub fn open(
        config: &DeployConfig,
        bucket: &str,
        prefix: &str,
        credentials: &Credentials,
    ) -> Result<Bucket, DeployError> {
        // rustls needs one process-wide crypto provider; `ring` is the one compiled in.
        // Installing it a second time fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let counts = Arc::new(Counts::default());
        let mut builder = match credentials {
            Credentials::Keys { id, secret, token } => {
                let mut b = AmazonS3Builder::new()
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
                if let Some(token) = token {
                    b = b.with_token(token);
                }
                b
            }
            Credentials::Ambient if config.endpoint.is_some() => {
                return Err(DeployError::NoCredentials);
            }
            Credentials::Ambient => AmazonS3Builder::from_env(),
        };
        builder = builder
            .with_bucket_name(bucket)
            .with_region(&config.region)
            .with_http_connector(CountingConnector(counts.clone()))
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(10))
                    .with_timeout(Duration::from_secs(120))
                    .with_allow_http(true),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(200),
                    max_backoff: Duration::from_secs(10),
                    base: 2.0,
                },
                max_retries: 5,
                retry_timeout: Duration::from_secs(120),
            });
        let endpoint = match &config.endpoint {
            Some(endpoint) => {
                builder = builder.with_endpoint(endpoint);
                endpoint.clone()
            }
            None => format!("https://s3.{}.amazonaws.com", config.region),
        };
        let store = builder.build().map_err(|e| DeployError::Client {
            message: e.to_string(),
        })?;
        Ok(Bucket {
            store: Arc::new(store),
            name: bucket.to_string(),
            endpoint,
            prefix: prefix.to_string(),
            counts,
        })
    }

    /// The same bucket and client under another prefix.
    pub fn with_prefix(&self, prefix: &str) -> Bucket {
        Bucket {
            store: self.store.clone(),
            name: self.name.clone(),
            endpoint: self.endpoint.clone(),
            prefix: prefix.to_string(),
            counts: self.counts.clone(),
        }
    }

    /// The object key of an output path (`cars/x/index.html`).
    pub fn key(&self, path: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(path)
        } else {
            Path::from(format!("{}/{path}", self.prefix))
        }
    }

    /// The prefix everything lives under, for listing.
    pub fn root(&self) -> Option<Path> {
        (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()))
    }

    /// The output path of an object key under the prefix.
    pub fn path_of(&self, key: &Path) -> Option<String> {
        let key = key.as_ref();
        if self.prefix.is_empty() {
            return Some(key.to_string());
        }
        key.strip_prefix(self.prefix.as_str())?
            .strip_prefix('/')
            .map(str::to_string)
    }

    /// `s3://bucket/prefix/path`, for messages.
    pub fn url(&self, path: &str) -> String {
        format!("s3://{}/{}", self.name, self.key(path))
    }

    /// The bytes of the object at `path` and the version a conditional write over it
    /// must match; `None` when there is no such object (a missing bucket is an error).
    pub async fn get_versioned(
        &self,
        path: &str,
    ) -> Result<Option<(Vec<u8>, UpdateVersion)>, DeployError> {
        let what = || format!("reading {}", self.url(path));
        match self.store.get(&self.key(path)).await {
            Ok(found) => {
                let version = UpdateVersion {
                    e_tag: found.meta.e_tag.clone(),
                    version: found.meta.version.clone(),
                };
                let bytes = found.bytes().await.map_err(|e| self.error(&what(), e))?;
                Ok(Some((bytes.to_vec(), version)))
            }
            Err(e @ object_store::Error::NotFound { .. }) => match self.error(&what(), e) {
                e @ DeployError::NoSuchBucket { .. } => Err(e),
                _ => Ok(None),
            },
            Err(e) => Err(self.error(&what(), e)),
        }
    }

    /// Writes `bytes` at `path` only if the object is still at `version` (with `None`,
    /// only if there is none); otherwise [`DeployError::Raced`]: another writer (`who`,
    /// "wrote the remote manifest") got in first. The new version.
    pub async fn put_if(
        &self,
        path: &str,
        bytes: Vec<u8>,
        version: Option<UpdateVersion>,
        attributes: Attributes,
        who: &str,
    ) -> Result<UpdateVersion, DeployError> {
        let mode = match version {
            Some(v) => PutMode::Update(v),
            None => PutMode::Create,
        };
        let opts = PutOptions {
            mode,
            attributes,
            ..Default::default()
        };
        match self
            .store
            .put_opts(&self.key(path), PutPayload::from(bytes), opts)
            .await
        {
            Ok(result) => Ok(result.into()),
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. },
            ) => Err(DeployError::Raced { what: who.into() }),
            Err(e) => Err(self.error(&format!("writing {}", self.url(path)), e)),
        }
    }

    /// An error of the store on `what`, turned into the error a person can act on.
    pub fn error(&self, what: &str, e: object_store::Error) -> DeployError {
        classify(self, what, e)
    }
}

fn classify(bucket: &Bucket, what: &str, e: object_store::Error) -> DeployError {
    let text = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(http) = err.downcast_ref::<HttpError>()
            && matches!(http.kind(), HttpErrorKind::Connect | HttpErrorKind::Timeout)
        {
            return DeployError::Unreachable {
                endpoint: bucket.endpoint.clone(),
                message: root_cause(err),
            };
        }
        source = err.source();
    }
    if text.contains("NoSuchBucket") {
        return DeployError::NoSuchBucket {
            bucket: bucket.name.clone(),
            endpoint: bucket.endpoint.clone(),
        };
    }
    match e {
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => DeployError::Refused {
            bucket: bucket.name.clone(),
            endpoint: bucket.endpoint.clone(),
            message: s3_code(&text).unwrap_or_else(|| "access denied".into()),
        },
        e => DeployError::Store {
            what: what.to_string(),
            source: e,
        },
    }
}

/// The innermost error's message: "Connection refused (os error 111)".
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut last = err;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// `SignatureDoesNotMatch` from an S3 error body in the message.
fn s3_code(text: &str) -> Option<String> {
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_profile_from_a_credentials_file() {
        let text = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n\
                    [ci]\n# comment\naws_access_key_id=C\naws_secret_access_key=D\naws_session_token=E\n";
        let Some(Credentials::Keys { id, secret, token }) = Credentials::from_profile(text, "ci")
        else {
            panic!("no keys");
        };
        assert_eq!(
            (id.as_str(), secret.as_str(), token.as_deref()),
            ("C", "D", Some("E"))
        );
        assert!(matches!(
            Credentials::from_profile(text, "default"),
            Some(Credentials::Keys { token: None, .. })
        ));
        assert!(Credentials::from_profile(text, "other").is_none());
        assert!(Credentials::from_profile("[x]\naws_access_key_id=A\n", "x").is_none());
    }

    #[test]
    fn finds_the_s3_error_code() {
        assert_eq!(
            s3_code("403 <Error><Code>SignatureDoesNotMatch</Code></Error>").as_deref(),
            Some("SignatureDoesNotMatch")
        );
        assert_eq!(s3_code("nothing"), None);
    }
}
