//! On-disk cache of compiled components.
//!
//! Compiling a component with Cranelift costs from milliseconds (small Rust plugins) to seconds (Python and
//! JavaScript runtimes); loading a compiled artifact costs well under a millisecond. Entries are keyed by the
//! sha256 of the component and the engine's compatibility hash (wasmtime version, settings and CPU features), so a
//! new kiln or a different machine never loads a stale artifact.
//!
//! Deserialising a compiled artifact is trusted code loading, so kiln only ever loads files it wrote itself: the
//! cache directory is created private (0700), an entry is used only when it is owned by the current user and not
//! writable by anyone else, and every entry carries a sha256 of its payload that is verified before loading.
//! Entries are written to a temporary file and renamed into place, so concurrent kiln processes never see a
//! partial file.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// File magic and format version of a cache entry.
const MAGIC: &[u8; 12] = b"KILN-CWASM1\n";

/// The kiln cache root: `$KILN_CACHE_DIR`, else `$XDG_CACHE_HOME/kiln`, else `$HOME/.cache/kiln`.
pub fn cache_root() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KILN_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("kiln"));
    }
    std::env::var_os("HOME").filter(|d| !d.is_empty()).map(|h| PathBuf::from(h).join(".cache").join("kiln"))
}

/// Cache of compiled components under `<root>/components`.
#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: PathBuf,
}

/// A 64-bit digest of the engine's compatibility hash, used in entry names.
pub fn engine_tag(engine: &Engine) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

impl ComponentCache {
    /// A cache rooted at `root` (usually [`cache_root`]).
    pub fn new(root: &Path) -> Self {
        Self { dir: root.join("components") }
    }

    /// The directory entries live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry_path(&self, sha256_hex: &str, engine: &Engine) -> PathBuf {
        self.dir.join(format!("{sha256_hex}-{:016x}.cwasm", engine_tag(engine)))
    }

    /// Load the compiled form of the component with this sha256, if a valid entry exists. Invalid entries
    /// (corrupt, foreign, or from an incompatible engine) are removed and reported as a miss.
    pub fn load(&self, sha256_hex: &str, engine: &Engine) -> Option<Component> {
        let path = self.entry_path(sha256_hex, engine);
        if !trusted_file(&path) {
            return None;
        }
        let bytes = fs::read(&path).ok()?;
        let payload = match verify(&bytes) {
            Some(p) => p,
            None => {
                tracing::warn!(path = %path.display(), "discarding corrupt compiled-plugin cache entry");
                let _ = fs::remove_file(&path);
                return None;
            }
        };
        // SAFETY: `payload` was produced by `Engine::precompile_component`/`Component::serialize` in a kiln
        // process (the file is private to this user, was written atomically by `store`, and its digest matches),
        // and the entry name pins the engine compatibility hash. wasmtime additionally checks the artifact's
        // header against the engine and refuses incompatible ones.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize(engine, payload) };
        match loaded {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "discarding unusable compiled-plugin cache entry");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Store a compiled component. Failures are logged and otherwise ignored: the cache is an optimisation.
    pub fn store(&self, sha256_hex: &str, engine: &Engine, component: &Component) {
        if let Err(e) = self.try_store(sha256_hex, engine, component) {
            tracing::debug!(dir = %self.dir.display(), error = %e, "could not write compiled-plugin cache entry");
        }
    }

    fn try_store(&self, sha256_hex: &str, engine: &Engine, component: &Component) -> std::io::Result<()> {
        let payload = component.serialize().map_err(std::io::Error::other)?;
        create_private_dir(&self.dir)?;
        let path = self.entry_path(sha256_hex, engine);
        let mut tmp = tempfile_in(&self.dir)?;
        tmp.1.write_all(MAGIC)?;
        tmp.1.write_all(&Sha256::digest(&payload))?;
        tmp.1.write_all(&payload)?;
        tmp.1.sync_all()?;
        drop(tmp.1);
        fs::rename(&tmp.0, &path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp.0);
        })
    }

    fn builtin_path(&self, name: &str, cwasm_sha256: &str, engine: &Engine) -> PathBuf {
        let short = cwasm_sha256.get(..32).unwrap_or(cwasm_sha256);
        self.dir.join(format!("builtin-{name}-{short}-{:016x}.cwasm", engine_tag(engine)))
    }

    /// Map a built-in's precompiled code from its cache copy (see [`ComponentCache::store_builtin`]).
    ///
    /// Built-ins are precompiled into the binary; deserialising from there copies the whole artifact (over 20 MB
    /// for the Helm renderer) into fresh memory on every run, which dominates a small render. A cache copy is
    /// mapped instead, and only the pages a render touches are read. The copy is a plain artifact without the
    /// digest header (verifying a digest would read every page): it is used only when kiln's own trust checks
    /// pass (owned by this user, not writable by others, written atomically), its size equals the embedded
    /// artifact's and sampled pages equal the embedded bytes; wasmtime then checks the engine and CPU.
    pub fn load_builtin(&self, name: &str, cwasm_sha256: &str, embedded: &[u8], engine: &Engine) -> Option<Component> {
        let path = self.builtin_path(name, cwasm_sha256, engine);
        if !trusted_file(&path) || !same_samples(&path, embedded) {
            return None;
        }
        // SAFETY: the file is a byte-for-byte copy of the precompiled artifact embedded in this binary (checked
        // above: size and sampled pages), written by kiln for this user and replaced only by atomic renames, so
        // it is as trusted as the binary itself.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize_file(engine, &path) };
        loaded
            .inspect_err(|e| {
                tracing::debug!(path = %path.display(), error = %e, "discarding unusable built-in cache copy");
                let _ = fs::remove_file(&path);
            })
            .ok()
    }

    /// Write a built-in's precompiled code (known to load on this machine) to the cache, atomically, so later
    /// runs can map it. Failures are logged and otherwise ignored.
    pub fn store_builtin(&self, name: &str, cwasm_sha256: &str, embedded: &[u8], engine: &Engine) {
        let path = self.builtin_path(name, cwasm_sha256, engine);
        let write = || -> std::io::Result<()> {
            create_private_dir(&self.dir)?;
            let mut tmp = tempfile_in(&self.dir)?;
            tmp.1.write_all(embedded)?;
            tmp.1.sync_all()?;
            drop(tmp.1);
            fs::rename(&tmp.0, &path).inspect_err(|_| {
                let _ = fs::remove_file(&tmp.0);
            })
        };
        if let Err(e) = write() {
            tracing::debug!(dir = %self.dir.display(), error = %e, "could not write built-in cache copy");
        }
    }

    /// Remove every entry; returns how many files were removed.
    pub fn clear(&self) -> std::io::Result<usize> {
        let mut n = 0;
        let Ok(rd) = fs::read_dir(&self.dir) else { return Ok(0) };
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "cwasm") {
                fs::remove_file(e.path())?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// True when the file at `path` has `expected`'s size and equal bytes in 16 pages spread over it (first and last
/// included): a cheap guard against a truncated or foreign file under the expected name.
fn same_samples(path: &Path, expected: &[u8]) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    const PAGE: usize = 4096;
    let Ok(mut f) = fs::File::open(path) else { return false };
    if f.metadata().map(|m| m.len()).ok() != Some(expected.len() as u64) {
        return false;
    }
    let pages = expected.len().div_ceil(PAGE).max(1);
    let mut buf = vec![0u8; PAGE];
    (0..16usize).all(|i| {
        let page = if i == 15 { pages - 1 } else { i * (pages - 1) / 15 };
        let start = page * PAGE;
        let want = expected.get(start..(start + PAGE).min(expected.len())).unwrap_or_default();
        let got = buf.get_mut(..want.len()).unwrap_or_default();
        f.seek(SeekFrom::Start(start as u64)).is_ok() && f.read_exact(got).is_ok() && got == want
    })
}

/// The payload of a well-formed entry whose digest matches.
fn verify(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    if rest.len() < 32 {
        return None;
    }
    let (digest, payload) = rest.split_at(32);
    (Sha256::digest(payload).as_slice() == digest).then_some(payload)
}

/// Create `dir` (and parents) with mode 0700 for the leaf.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// A new uniquely named file in `dir`, created exclusively with mode 0600.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = dir.join(format!(".tmp-{pid}-{nanos:08x}-{attempt}"));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}

/// True when `path` is a regular file owned by the current user and not writable by group or others.
fn trusted_file(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    if !meta.file_type().is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != rustix::process::getuid().as_raw() || meta.mode() & 0o022 != 0 {
            tracing::warn!(path = %path.display(), "ignoring compiled-plugin cache entry not written by kiln for this user");
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_rejects_tampering() {
        let payload = b"compiled bytes";
        let mut entry = MAGIC.to_vec();
        entry.extend_from_slice(&Sha256::digest(payload));
        entry.extend_from_slice(payload);
        assert_eq!(verify(&entry), Some(payload.as_slice()));
        let last = entry.len() - 1;
        entry[last] ^= 1;
        assert_eq!(verify(&entry), None);
        assert_eq!(verify(b"short"), None);
    }
}
