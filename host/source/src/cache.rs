//! The source cache: content-addressed blobs plus small reference records, safe under concurrent kiln processes.
//!
//! Layout under the cache root (`$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else `~/.cache/kiln`):
//!
//! ```text
//! sources/
//!   blobs/sha256/<hex>        immutable content, named by the sha256 of its bytes
//!   refs/<kind>/<hex>.json    what a name resolved to (tag -> manifest digest, index URL -> index blob, ...);
//!                             <hex> is the sha256 of the record's key, the record holds a redacted display form
//!   locks/<hex>.lock          per-key exclusive locks, held while a key is being fetched
//!   gc.lock                   shared by every fetch, exclusive for prune
//!   tmp/                      downloads in progress (temp file + rename into blobs/)
//! ```
//!
//! Every blob is verified (sha256) when read; a corrupt blob is deleted and reported as missing, so the caller
//! fetches it again. Writes go to `tmp/` and are renamed into place, so a crash or a dying server never leaves a
//! partial blob behind. Credentials never reach the cache: keys are hashed and display forms are redacted.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Handle on the `sources/` part of the kiln cache.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// One reference record, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefRecord {
    /// Human-readable key, credentials removed.
    pub display: String,
    /// Blobs this record keeps alive (`sha256:<hex>`).
    pub digests: Vec<String>,
    /// Kind-specific data (ETag, resolved revision, ...).
    #[serde(default)]
    pub data: serde_json::Value,
    /// Seconds since the epoch when written.
    pub updated: u64,
}

/// One cache entry as `kiln cache list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// Record kind: `helm-index`, `helm-chart`, `url`, `oci-tag`, `oci-manifest`, `git-ref`, `git-tree`, `local`.
    pub kind: String,
    /// What was resolved (redacted).
    pub key: String,
    /// Blobs it refers to (`sha256:<hex>`).
    pub digests: Vec<String>,
    /// Total size of those blobs in bytes (missing blobs count 0).
    pub size: u64,
    /// When the entry was last written or used.
    pub last_used: SystemTime,
}

/// What `kiln cache prune` removes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneOptions {
    /// Remove entries not used for this long; `None` removes every entry.
    pub older_than: Option<Duration>,
    /// Report what would be removed without removing it.
    pub dry_run: bool,
}

/// What a prune removed (or would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Reference records removed.
    pub entries: usize,
    /// Blobs removed (unreferenced after the records went).
    pub blobs: usize,
    /// Bytes freed.
    pub bytes: u64,
}

/// Exclusive lock on one key plus a shared hold on the prune lock; released on drop.
#[derive(Debug)]
pub(crate) struct KeyLock {
    _key: File,
    _gc: File,
}

/// A file being written under `tmp/`, removed on drop unless committed.
#[derive(Debug)]
pub(crate) struct TempBlob {
    path: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    size: u64,
}

impl TempBlob {
    /// Discards everything written so far (for a retried download).
    pub fn reset(&mut self) -> Result<()> {
        let file = File::create(&self.path).map_err(|e| Error::cache(&self.path, e))?;
        self.file = Some(file);
        self.hasher = Sha256::new();
        self.size = 0;
        Ok(())
    }
    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Write for TempBlob {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let file = self.file.as_mut().ok_or_else(|| io::Error::other("temporary file already closed"))?;
        let n = file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for TempBlob {
    fn drop(&mut self) {
        self.file.take();
        let _ = fs::remove_file(&self.path);
    }
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// The hex part of a `sha256:<hex>` digest, checked.
pub(crate) fn digest_hex(digest: &str) -> Result<&str> {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        Ok(hex)
    } else {
        Err(Error::InvalidRef { input: digest.to_owned(), reason: "expected sha256:<64 lowercase hex digits>".into() })
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn create_private_dir(path: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path).map_err(|e| Error::cache(path, e))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// The kiln cache root: `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else `~/.cache/kiln`.
    pub fn default_root() -> Result<PathBuf> {
        let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(d) = non_empty("KILN_CACHE_DIR") {
            return Ok(PathBuf::from(d));
        }
        if let Some(d) = non_empty("XDG_CACHE_HOME") {
            return Ok(PathBuf::from(d).join("kiln"));
        }
        if let Some(h) = non_empty("HOME") {
            return Ok(PathBuf::from(h).join(".cache").join("kiln"));
        }
        Err(Error::Config("cannot locate the cache: set KILN_CACHE_DIR, XDG_CACHE_HOME or HOME".into()))
    }

    /// Opens (creating if needed) the source cache under `root` (the kiln cache root; this uses `root/sources`).
    pub fn open(root: impl AsRef<Path>) -> Result<Cache> {
        let dir = root.as_ref().join("sources");
        for sub in ["blobs/sha256", "refs", "locks", "tmp"] {
            create_private_dir(&dir.join(sub))?;
        }
        Ok(Cache { dir })
    }

    /// Opens the cache at [`Cache::default_root`].
    pub fn open_default() -> Result<Cache> {
        Cache::open(Cache::default_root()?)
    }

    /// The `sources/` directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn blob_path(&self, hex: &str) -> PathBuf {
        self.dir.join("blobs").join("sha256").join(hex)
    }

    fn ref_path(&self, kind: &str, key: &str) -> PathBuf {
        self.dir.join("refs").join(kind).join(format!("{}.json", key_hash(key)))
    }

    /// Takes the exclusive lock for `key` (blocking) and a shared hold on the prune lock.
    pub(crate) fn lock(&self, key: &str) -> Result<KeyLock> {
        let open = |p: PathBuf| {
            OpenOptions::new().create(true).truncate(false).write(true).open(&p).map_err(|e| Error::cache(&p, e))
        };
        let gc_path = self.dir.join("gc.lock");
        let gc = open(gc_path.clone())?;
        gc.lock_shared().map_err(|e| Error::cache(&gc_path, e))?;
        let key_path = self.dir.join("locks").join(format!("{}.lock", key_hash(key)));
        let k = open(key_path.clone())?;
        k.lock().map_err(|e| Error::cache(&key_path, e))?;
        Ok(KeyLock { _key: k, _gc: gc })
    }

    /// Reads and verifies a blob. A blob whose content does not match its name is deleted and reported missing.
    pub(crate) fn read_blob(&self, digest: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        let hex = digest_hex(digest)?;
        let path = self.blob_path(hex);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::cache(&path, e)),
        };
        let mut data = Vec::new();
        Read::by_ref(&mut file)
            .take(limit.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| Error::cache(&path, e))?;
        let actual = hex::encode(Sha256::digest(&data));
        if actual != hex || data.len() as u64 > limit {
            tracing::warn!(blob = %path.display(), "discarding a corrupt or oversized cache entry");
            let _ = fs::remove_file(&path);
            return Ok(None);
        }
        Ok(Some(data))
    }

    /// Reads a blob this process has just committed (its digest was computed while it was written).
    pub(crate) fn read_committed(&self, digest: &str) -> Result<Vec<u8>> {
        let path = self.blob_path(digest_hex(digest)?);
        fs::read(&path).map_err(|e| Error::cache(&path, e))
    }

    /// True if the blob is present and intact (reads and hashes it).
    pub(crate) fn has_blob(&self, digest: &str, limit: u64) -> Result<bool> {
        Ok(self.read_blob(digest, limit)?.is_some())
    }

    /// Starts a new temporary file under `tmp/`.
    pub(crate) fn temp(&self) -> Result<TempBlob> {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = self.dir.join("tmp").join(format!("{}-{n}-{nanos}.part", std::process::id()));
        let file = OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| Error::cache(&path, e))?;
        Ok(TempBlob { path, file: Some(file), hasher: Sha256::new(), size: 0 })
    }

    /// Moves a finished temporary file into `blobs/` under its digest; checks it against `expected` first.
    pub(crate) fn commit(&self, mut temp: TempBlob, expected: Option<&str>, what: &str) -> Result<String> {
        let file = temp.file.take();
        if let Some(f) = file {
            f.sync_all().map_err(|e| Error::cache(&temp.path, e))?;
        }
        let hasher = std::mem::take(&mut temp.hasher);
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if let Some(exp) = expected {
            let exp_hex = digest_hex(exp)?;
            if actual != format!("sha256:{exp_hex}") {
                return Err(Error::DigestMismatch {
                    what: what.to_owned(),
                    expected: format!("sha256:{exp_hex}"),
                    actual,
                });
            }
        }
        let dest = self.blob_path(digest_hex(&actual)?);
        fs::rename(&temp.path, &dest).map_err(|e| Error::cache(&dest, e))?;
        Ok(actual)
    }

    /// Stores bytes as a blob and returns their digest.
    pub(crate) fn put_bytes(&self, data: &[u8]) -> Result<String> {
        let mut t = self.temp()?;
        t.write_all(data).map_err(|e| Error::cache(&t.path, e))?;
        self.commit(t, None, "cache write")
    }

    /// Reads a reference record; `None` if absent or unreadable (a broken record is removed).
    pub(crate) fn get_ref(&self, kind: &str, key: &str) -> Result<Option<RefRecord>> {
        let path = self.ref_path(kind, key);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::cache(&path, e)),
        };
        match serde_json::from_slice::<RefRecord>(&text) {
            Ok(r) => {
                // Record the use for `prune --older-than`.
                if let Ok(f) = File::options().write(true).open(&path) {
                    let _ = f.set_modified(SystemTime::now());
                }
                Ok(Some(r))
            }
            Err(_) => {
                let _ = fs::remove_file(&path);
                Ok(None)
            }
        }
    }

    /// Writes a reference record atomically.
    pub(crate) fn put_ref(
        &self,
        kind: &str,
        key: &str,
        display: &str,
        digests: Vec<String>,
        data: serde_json::Value,
    ) -> Result<()> {
        let record = RefRecord { display: display.to_owned(), digests, data, updated: now_secs() };
        let text = serde_json::to_vec_pretty(&record).map_err(|e| Error::Config(e.to_string()))?;
        let dir = self.dir.join("refs").join(kind);
        create_private_dir(&dir)?;
        let mut t = self.temp()?;
        t.write_all(&text).map_err(|e| Error::cache(&t.path, e))?;
        if let Some(f) = t.file.take() {
            f.sync_all().map_err(|e| Error::cache(&t.path, e))?;
        }
        let dest = self.ref_path(kind, key);
        fs::rename(&t.path, &dest).map_err(|e| Error::cache(&dest, e))?;
        Ok(())
    }

    fn records(&self) -> Result<Vec<(PathBuf, String, RefRecord, SystemTime)>> {
        let mut out = Vec::new();
        let refs = self.dir.join("refs");
        let kinds = match fs::read_dir(&refs) {
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(Error::cache(&refs, e)),
        };
        for kind in kinds {
            let kind = kind.map_err(|e| Error::cache(&refs, e))?;
            let kind_name = kind.file_name().to_string_lossy().into_owned();
            let entries = fs::read_dir(kind.path()).map_err(|e| Error::cache(kind.path(), e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::cache(kind.path(), e))?;
                let path = entry.path();
                let Ok(text) = fs::read(&path) else { continue };
                let Ok(rec) = serde_json::from_slice::<RefRecord>(&text) else { continue };
                let used = entry.metadata().and_then(|m| m.modified()).unwrap_or(UNIX_EPOCH);
                out.push((path, kind_name.clone(), rec, used));
            }
        }
        out.sort_by(|a, b| (&a.1, &a.2.display).cmp(&(&b.1, &b.2.display)));
        Ok(out)
    }

    fn blob_size(&self, digest: &str) -> u64 {
        digest_hex(digest).ok().and_then(|h| fs::metadata(self.blob_path(h)).ok()).map_or(0, |m| m.len())
    }

    /// Lists every reference record with the blobs it keeps.
    pub fn list(&self) -> Result<Vec<CacheEntry>> {
        Ok(self
            .records()?
            .into_iter()
            .map(|(_, kind, rec, used)| CacheEntry {
                size: rec.digests.iter().map(|d| self.blob_size(d)).sum(),
                kind,
                key: rec.display,
                digests: rec.digests,
                last_used: used,
            })
            .collect())
    }

    /// Removes records unused for `older_than` (all records when `None`), then every blob no remaining record
    /// refers to, and stale temporary files. Waits for running fetches to finish (exclusive prune lock).
    pub fn prune(&self, opts: &PruneOptions) -> Result<PruneReport> {
        let gc_path = self.dir.join("gc.lock");
        let gc = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&gc_path)
            .map_err(|e| Error::cache(&gc_path, e))?;
        gc.lock().map_err(|e| Error::cache(&gc_path, e))?;
        let now = SystemTime::now();
        let mut report = PruneReport::default();
        let mut keep = std::collections::HashSet::new();
        for (path, _, rec, used) in self.records()? {
            let old = match opts.older_than {
                None => true,
                Some(age) => now.duration_since(used).map(|d| d >= age).unwrap_or(false),
            };
            if old {
                report.entries += 1;
                if !opts.dry_run {
                    fs::remove_file(&path).map_err(|e| Error::cache(&path, e))?;
                }
            } else {
                keep.extend(rec.digests.iter().filter_map(|d| digest_hex(d).ok().map(str::to_owned)));
            }
        }
        let blobs = self.dir.join("blobs").join("sha256");
        for entry in fs::read_dir(&blobs).map_err(|e| Error::cache(&blobs, e))? {
            let entry = entry.map_err(|e| Error::cache(&blobs, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if keep.contains(&name) {
                continue;
            }
            report.blobs += 1;
            report.bytes += entry.metadata().map_or(0, |m| m.len());
            if !opts.dry_run {
                fs::remove_file(entry.path()).map_err(|e| Error::cache(entry.path(), e))?;
            }
        }
        // No fetch runs while we hold the exclusive lock, so every temporary file is left over from a crash.
        let tmp = self.dir.join("tmp");
        if !opts.dry_run
            && let Ok(entries) = fs::read_dir(&tmp)
        {
            for e in entries.flatten() {
                let p = e.path();
                let _ = if p.is_dir() { fs::remove_dir_all(&p) } else { fs::remove_file(&p) };
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_verified_and_corruption_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let d = cache.put_bytes(b"hello").unwrap();
        assert_eq!(d, sha256_digest(b"hello"));
        assert_eq!(cache.read_blob(&d, 100).unwrap().as_deref(), Some(&b"hello"[..]));
        let path = cache.blob_path(digest_hex(&d).unwrap());
        fs::write(&path, b"hellO").unwrap();
        assert_eq!(cache.read_blob(&d, 100).unwrap(), None);
        assert!(!path.exists(), "corrupt blob must be removed");
    }

    #[test]
    fn failed_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let mut t = cache.temp().unwrap();
        t.write_all(b"abc").unwrap();
        let err = cache.commit(t, Some(&sha256_digest(b"abd")), "x").unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { .. }));
        assert_eq!(fs::read_dir(cache.dir().join("tmp")).unwrap().count(), 0);
        assert_eq!(fs::read_dir(cache.dir().join("blobs/sha256")).unwrap().count(), 0);
    }

    #[test]
    fn refs_list_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let a = cache.put_bytes(b"a").unwrap();
        let _orphan = cache.put_bytes(b"orphan").unwrap();
        cache
            .put_ref("url", "https://x.test/a.tgz", "https://x.test/a.tgz", vec![a.clone()], serde_json::json!({}))
            .unwrap();
        let list = cache.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].size, 1);
        let r = cache.prune(&PruneOptions { older_than: Some(Duration::from_secs(3600)), dry_run: false }).unwrap();
        assert_eq!((r.entries, r.blobs), (0, 1));
        let r = cache.prune(&PruneOptions::default()).unwrap();
        assert_eq!((r.entries, r.blobs), (1, 1));
        assert!(cache.list().unwrap().is_empty());
    }
}
