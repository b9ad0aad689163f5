//! One deploy at a time: a small lock object beside the remote manifest, created with a
//! conditional write (`If-None-Match: *`) and renewed with conditional writes
//! (`If-Match` its last ETag) while the deploy runs. A deploy finding it held stops
//! with a message naming the holder. A lock nobody renewed for `lock_seconds`, or one
//! whose process is gone from this very machine, was left by a deploy that was killed:
//! it is taken over (conditionally again, so two reruns cannot both take it) and the
//! takeover tells the deploy to look before uploading what the killed one may have sent.

use super::DeployError;
use super::client::Bucket;
use jiff::{SignedDuration, Timestamp};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The lock object's name under the site's prefix.
pub const LOCK: &str = ".showroom-deploy.lock";

/// Who holds the lock, and until when unless renewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    pub started: Timestamp,
    pub expires: Timestamp,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {}, started {}",
            self.pid,
            self.host,
            self.started.strftime("%Y-%m-%d %H:%M:%S UTC")
        )
    }
}

/// Who this process is, for the lock.
#[derive(Debug, Clone)]
pub struct Me {
    pub host: String,
    pub pid: u32,
}

impl Me {
    pub fn this_process() -> Me {
        Me {
            host: rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned(),
            pid: std::process::id(),
        }
    }
}

struct Shared {
    version: Mutex<UpdateVersion>,
    /// Unix milliseconds until which the lock is surely ours.
    until_ms: AtomicI64,
    lost: AtomicBool,
}

/// A held lock, renewed in the background until released or dropped.
pub struct Lock {
    key: Path,
    shared: Arc<Shared>,
    renewer: tokio::task::JoinHandle<()>,
    store: Arc<dyn ObjectStore>,
    /// The holder whose abandoned lock was taken over, if any.
    pub took_over: Option<Holder>,
}

impl Lock {
    pub async fn acquire(bucket: &Bucket, me: &Me, seconds: u64) -> Result<Lock, DeployError> {
        let key = bucket.key(LOCK);
        let lease = SignedDuration::from_secs(seconds as i64);
        let holder = |now: Timestamp| Holder {
            host: me.host.clone(),
            pid: me.pid,
            started: now,
            expires: now + lease,
        };
        let now = Timestamp::now();
        let body = |h: &Holder| PutPayload::from(serde_json::to_vec(h).expect("serializes"));
        let created = bucket
            .store
            .put_opts(&key, body(&holder(now)), PutMode::Create.into())
            .await;
        let (result, took_over) = match created {
            Ok(result) => (result, None),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let found = bucket
                    .store
                    .get(&key)
                    .await
                    .map_err(|e| bucket.error("reading the deploy lock", e))?;
                let version = UpdateVersion {
                    e_tag: found.meta.e_tag.clone(),
                    version: found.meta.version.clone(),
                };
                let bytes = found
                    .bytes()
                    .await
                    .map_err(|e| bucket.error("reading the deploy lock", e))?;
                let theirs: Option<Holder> = serde_json::from_slice(&bytes).ok();
                if let Some(theirs) = &theirs
                    && !abandoned(theirs, me, now)
                {
                    return Err(DeployError::Busy {
                        holder: theirs.clone(),
                        lock: bucket.url(LOCK),
                    });
                }
                let taken = bucket
                    .store
                    .put_opts(&key, body(&holder(now)), PutMode::Update(version).into())
                    .await;
                match taken {
                    Ok(result) => (result, theirs),
                    Err(object_store::Error::Precondition { .. }) => {
                        return Err(DeployError::Raced {
                            what: "took the lock of an interrupted deploy first".into(),
                        });
                    }
                    Err(e) => return Err(bucket.error("taking over the deploy lock", e)),
                }
            }
            Err(e) => return Err(bucket.error("creating the deploy lock", e)),
        };
        let shared = Arc::new(Shared {
            version: Mutex::new(result.into()),
            until_ms: AtomicI64::new((now + lease).as_millisecond()),
            lost: AtomicBool::new(false),
        });
        let renewer = tokio::spawn(renew(
            bucket.store.clone(),
            key.clone(),
            shared.clone(),
            holder(now),
            lease,
        ));
        Ok(Lock {
            key,
            shared,
            renewer,
            store: bucket.store.clone(),
            took_over,
        })
    }

    /// Whether the lock is still surely ours: renewed in time and never taken.
    pub fn check(&self) -> Result<(), DeployError> {
        let margin = 2_000;
        let lost = self.shared.lost.load(Ordering::SeqCst)
            || Timestamp::now().as_millisecond() + margin
                > self.shared.until_ms.load(Ordering::SeqCst);
        if lost {
            return Err(DeployError::LockLost);
        }
        Ok(())
    }

    /// Deletes the lock object if it is still ours.
    pub async fn release(self) -> Result<(), object_store::Error> {
        self.renewer.abort();
        if self.shared.lost.load(Ordering::SeqCst) {
            return Ok(());
        }
        let ours = self
            .shared
            .version
            .lock()
            .expect("not poisoned")
            .e_tag
            .clone();
        let now = self.store.head(&self.key).await?;
        if now.e_tag == ours {
            self.store.delete(&self.key).await?;
        }
        Ok(())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

/// Left by a deploy that was killed: not renewed in time, or its process is gone from
/// this machine.
fn abandoned(holder: &Holder, me: &Me, now: Timestamp) -> bool {
    if holder.expires <= now {
        return true;
    }
    holder.host == me.host && holder.pid != me.pid && !process_alive(holder.pid)
}

fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}

/// Renews the lease every third of it; a renewal refused because the lock changed hands
/// marks it lost, and every later upload stops.
async fn renew(
    store: Arc<dyn ObjectStore>,
    key: Path,
    shared: Arc<Shared>,
    mut holder: Holder,
    lease: SignedDuration,
) {
    let every = Duration::from_millis((lease.as_millis() / 3).max(1) as u64);
    loop {
        tokio::time::sleep(every).await;
        let now = Timestamp::now();
        holder.expires = now + lease;
        let version = shared.version.lock().expect("not poisoned").clone();
        let body = PutPayload::from(serde_json::to_vec(&holder).expect("serializes"));
        let opts = PutOptions::from(PutMode::Update(version));
        match store.put_opts(&key, body, opts).await {
            Ok(result) => {
                *shared.version.lock().expect("not poisoned") = result.into();
                shared
                    .until_ms
                    .store(holder.expires.as_millisecond(), Ordering::SeqCst);
            }
            Err(
                object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. },
            ) => {
                shared.lost.store(true, Ordering::SeqCst);
                return;
            }
            // A failed renewal is tried again; the lease runs out meanwhile.
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_abandoned_when_expired_or_its_process_is_gone_from_this_host() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let me = Me {
            host: "runner".into(),
            pid: std::process::id(),
        };
        let holder = |host: &str, pid: u32, expires: Timestamp| Holder {
            host: host.into(),
            pid,
            started: now,
            expires,
        };
        let later = now + SignedDuration::from_secs(30);
        assert!(abandoned(&holder("elsewhere", 1, now), &me, now));
        assert!(!abandoned(&holder("elsewhere", 1, later), &me, now));
        // pid 1 is alive on every Linux machine; u32::MAX is no process.
        assert!(!abandoned(&holder("runner", 1, later), &me, now));
        assert!(abandoned(
            &holder("runner", i32::MAX as u32, later),
            &me,
            now
        ));
    }
}
