//! Resolving and fetching a [`SourceRef`] into a file list, through the cache.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use url::Url;

use crate::archive::{self, SourceFile};
use crate::cache::{Cache, sha256_digest};
use crate::error::{Error, Result};
use crate::git::Git;
use crate::helm_repo;
use crate::http::{Credentials, Download, Http, Request};
use crate::oci::{self, Manifest, Registry};
use crate::options::{ConnectionOptions, Limits};
use crate::redact::RedactedUrl;
use crate::reference::{GitRef, OciRef, SourceRef, UrlCredentials};
use crate::semver::Version;

/// Everything a fetch needs besides the reference.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Helm's connection flags and network tuning.
    pub connection: ConnectionOptions,
    /// Size and count caps.
    pub limits: Limits,
    /// `--offline`: answer from the cache only; fail if it cannot.
    pub offline: bool,
    /// Draw progress bars on stderr when it is a terminal.
    pub progress: bool,
    /// The kiln cache root; `None` for [`Cache::default_root`].
    pub cache_root: Option<PathBuf>,
    /// Leave local directories unidentified: no digest of their canonical tar (empty `digest`, and a `revision` of
    /// just the chart version). For commands that only read the files, such as `kiln template DIR`, where hashing
    /// megabytes of CRDs on every run would be wasted work. Nothing is cached for a directory either way.
    pub skip_local_dir_digest: bool,
}

/// What kind of source was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A local directory.
    LocalDir,
    /// A local `.tgz`.
    LocalArchive,
    /// A chart archive at a URL.
    Url,
    /// A chart from a Helm repository.
    HelmRepo,
    /// A chart from an OCI registry.
    Oci,
    /// A Git directory.
    Git,
}

/// The result of a fetch: the files and how they were identified.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The reference, canonical and without credentials.
    pub source: String,
    /// What kind of source it was.
    pub kind: SourceKind,
    /// The resolved revision, Flux style: `1.2.3@sha256:<hex>` for charts (OCI: the manifest digest),
    /// `main@sha1:<hex>` / `v1.0.0@sha1:<hex>` / `sha1:<hex>` for Git, `sha256:<hex>` for a directory without a
    /// chart version.
    pub revision: String,
    /// `sha256:<hex>` of the artifact: the chart archive for charts, the canonical tar of the files for Git and
    /// directories.
    pub digest: String,
    /// The chart version from `Chart.yaml`, when there is one.
    pub chart_version: Option<String>,
    /// Files relative to the chart or overlay root, sorted by path.
    pub files: Vec<SourceFile>,
}

/// Fetches sources through one cache with one set of options. Create one per command.
pub struct Fetcher {
    cache: Cache,
    opts: FetchOptions,
    http: OnceCell<Http>,
}

fn chart_version(files: &[SourceFile]) -> Option<String> {
    let chart = files.iter().find(|f| f.path == "Chart.yaml")?;
    let text = std::str::from_utf8(&chart.data).ok()?;
    let node = crate::yamlnode::parse(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    node.get("version").and_then(|v| v.as_str()).map(str::to_owned)
}

fn hex_digest(d: &str) -> Result<String> {
    let lower = d.trim().to_ascii_lowercase();
    let hex = lower.strip_prefix("sha256:").unwrap_or(&lower);
    crate::cache::digest_hex(hex).map(|h| format!("sha256:{h}"))
}

fn credentials_for(url_creds: &Option<UrlCredentials>, opts: &ConnectionOptions) -> Credentials {
    match url_creds {
        Some(c) => Credentials::Basic { user: c.username.clone(), pass: c.password.clone() },
        None => crate::http::option_credentials(opts),
    }
}

impl Fetcher {
    /// Opens the cache; the network client is built on first use (so cache hits never read CA files).
    pub fn new(opts: FetchOptions) -> Result<Fetcher> {
        let cache = match &opts.cache_root {
            Some(r) => Cache::open(r)?,
            None => Cache::open_default()?,
        };
        Ok(Fetcher { cache, opts, http: OnceCell::new() })
    }

    /// The cache this fetcher uses (for `kiln cache list|prune`).
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    fn http(&self) -> Result<&Http> {
        if let Some(h) = self.http.get() {
            return Ok(h);
        }
        let h = Http::new(&self.opts.connection, self.opts.progress)?;
        Ok(self.http.get_or_init(|| h))
    }

    /// Resolves and fetches a source, warming the cache; returns its files, revision and digest.
    pub fn fetch(&self, source: &SourceRef) -> Result<Fetched> {
        let shown = source.to_string();
        match source {
            SourceRef::Local { path } => self.local(path, shown),
            SourceRef::Url { url, credentials } => {
                let creds = credentials_for(credentials, &self.opts.connection);
                let digest = self.url_blob(url, &creds, None, &url.origin())?;
                self.chart_from_blob(&digest, None, shown, SourceKind::Url)
            }
            SourceRef::HelmRepo { repo, chart, version, devel, credentials } => {
                self.helm_repo(repo, chart, version.as_deref(), *devel, credentials, shown)
            }
            SourceRef::Oci(o) => self.oci(o, shown),
            SourceRef::Git(g) => self.git(g, shown),
        }
    }

    fn local(&self, path: &Path, shown: String) -> Result<Fetched> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        let limits = &self.opts.limits;
        let (files, digest, kind) = if meta.is_dir() {
            let files = archive::read_dir(path, limits)?;
            let digest = if self.opts.skip_local_dir_digest {
                String::new()
            } else {
                sha256_digest(&archive::canonical_tar(&files)?)
            };
            (files, digest, SourceKind::LocalDir)
        } else {
            if meta.len() > limits.max_download_bytes {
                return Err(Error::limit(shown, format!("archive is larger than {} bytes", limits.max_download_bytes)));
            }
            let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let files = archive::read_tgz(&data, &shown, limits, true)?;
            (files, sha256_digest(&data), SourceKind::LocalArchive)
        };
        let version = chart_version(&files);
        let revision = match &version {
            Some(v) if digest.is_empty() => v.clone(),
            Some(v) => format!("{v}@{digest}"),
            None => digest.clone(),
        };
        Ok(Fetched { source: shown, kind, revision, digest, chart_version: version, files })
    }

    fn chart_from_blob(&self, digest: &str, tag: Option<String>, shown: String, kind: SourceKind) -> Result<Fetched> {
        let data = self
            .cache
            .read_blob(digest, self.opts.limits.max_download_bytes)?
            .ok_or_else(|| Error::NotCached(format!("{shown} ({digest})")))?;
        let files = archive::read_tgz(&data, &shown, &self.opts.limits, true)?;
        let version = chart_version(&files);
        let label = tag.or_else(|| version.clone());
        let revision = match label {
            Some(v) => format!("{v}@{digest}"),
            None => digest.to_owned(),
        };
        Ok(Fetched { source: shown, kind, revision, digest: digest.to_owned(), chart_version: version, files })
    }

    /// Gets a blob for a URL (with an expected digest if known), revalidating with ETag/Last-Modified.
    fn url_blob(&self, url: &Url, creds: &Credentials, expected: Option<&str>, origin: &url::Origin) -> Result<String> {
        let limit = self.opts.limits.max_download_bytes;
        if let Some(d) = expected
            && self.cache.has_blob(d, limit)?
        {
            return Ok(d.to_owned());
        }
        let key = url.as_str().to_owned();
        let _lock = self.cache.lock(&format!("url\0{key}"))?;
        let cached = self.cache.get_ref("url", &key)?;
        let cached_digest = cached.as_ref().and_then(|r| r.digests.first().cloned());
        let usable = match &cached_digest {
            Some(d) => expected.is_none_or(|e| e == d) && self.cache.has_blob(d, limit)?,
            None => false,
        };
        if self.opts.offline {
            return match (usable, cached_digest) {
                (true, Some(d)) => Ok(d),
                _ => Err(Error::NotCached(RedactedUrl::new(url).to_string())),
            };
        }
        let http = self.http()?;
        let etag = cached.as_ref().and_then(|r| r.data.get("etag")).and_then(|v| v.as_str()).map(str::to_owned);
        let lm = cached.as_ref().and_then(|r| r.data.get("last_modified")).and_then(|v| v.as_str()).map(str::to_owned);
        let mut req = Request::get(url.clone(), creds);
        req.accept = Some("application/gzip,application/octet-stream");
        req.auth_origin = Some(origin.clone());
        if usable {
            req.if_none_match = etag.as_deref();
            req.if_modified_since = lm.as_deref();
        }
        let mut temp = self.cache.temp()?;
        let label = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("download").to_owned();
        match http.download(&req, &mut temp, limit, &label)? {
            Download::NotModified => cached_digest.ok_or_else(|| Error::NotCached(RedactedUrl::new(url).to_string())),
            Download::Done { etag, last_modified } => {
                let digest = self.cache.commit(temp, expected, &RedactedUrl::new(url).to_string())?;
                self.cache.put_ref(
                    "url",
                    &key,
                    RedactedUrl::new(url).as_str(),
                    vec![digest.clone()],
                    serde_json::json!({ "etag": etag, "last_modified": last_modified }),
                )?;
                Ok(digest)
            }
        }
    }

    fn helm_repo(
        &self,
        repo: &Url,
        chart: &str,
        version: Option<&str>,
        devel: bool,
        url_creds: &Option<UrlCredentials>,
        shown: String,
    ) -> Result<Fetched> {
        let creds = credentials_for(url_creds, &self.opts.connection);
        let index_url = helm_repo::resolve_chart_url(repo, "index.yaml")?;
        let index = self.index(&index_url, &creds, &repo.origin())?;
        let entries = helm_repo::chart_entries(&index, chart, &index_url)?;
        drop(index);
        let entry = helm_repo::select(&entries, chart, version, devel).map_err(|e| match e {
            Error::NotFound(m) => Error::NotFound(format!("{m} in {}", RedactedUrl::new(repo))),
            other => other,
        })?;
        let first = entry.urls.first().ok_or_else(|| {
            Error::NotFound(format!("chart {chart:?} version {:?} has no downloadable URLs", entry.version))
        })?;
        let chart_url = helm_repo::resolve_chart_url(repo, first)?;
        let expected = match &entry.digest {
            Some(d) => Some(hex_digest(d).map_err(|_| Error::Index {
                url: RedactedUrl::new(&index_url),
                reason: format!("bad digest {d:?} for {chart} {}", entry.version),
            })?),
            None => None,
        };
        // Credentials follow Helm: only to the repository's scheme, host and port unless --pass-credentials.
        let digest = self.url_blob(&chart_url, &creds, expected.as_deref(), &repo.origin())?;
        let mut f = self.chart_from_blob(&digest, Some(entry.version.clone()), shown, SourceKind::HelmRepo)?;
        f.chart_version = f.chart_version.or(Some(entry.version));
        Ok(f)
    }

    /// The index bytes: revalidated with ETag / Last-Modified, read from the cache on 304 (verified once), or
    /// downloaded.
    fn index(&self, index_url: &Url, creds: &Credentials, origin: &url::Origin) -> Result<Vec<u8>> {
        let key = index_url.as_str().to_owned();
        let limit = self.opts.limits.max_index_bytes;
        let _lock = self.cache.lock(&format!("helm-index\0{key}"))?;
        let cached = self.cache.get_ref("helm-index", &key)?;
        let cached_digest = cached.as_ref().and_then(|r| r.digests.first().cloned());
        if self.opts.offline {
            let d = cached_digest.ok_or_else(|| Error::NotCached(RedactedUrl::new(index_url).to_string()))?;
            return self
                .cache
                .read_blob(&d, limit)?
                .ok_or_else(|| Error::NotCached(RedactedUrl::new(index_url).to_string()));
        }
        let etag = cached.as_ref().and_then(|r| r.data.get("etag")).and_then(|v| v.as_str()).map(str::to_owned);
        let lm = cached.as_ref().and_then(|r| r.data.get("last_modified")).and_then(|v| v.as_str()).map(str::to_owned);
        let mut req = Request::get(index_url.clone(), creds);
        req.auth_origin = Some(origin.clone());
        if cached_digest.is_some() {
            req.if_none_match = etag.as_deref();
            req.if_modified_since = lm.as_deref();
        }
        let http = self.http()?;
        let mut temp = self.cache.temp()?;
        let outcome = http.download(&req, &mut temp, limit, "index.yaml")?;
        let (etag, last_modified) = match outcome {
            Download::Done { etag, last_modified } => (etag, last_modified),
            Download::NotModified => {
                if let Some(d) = &cached_digest
                    && let Some(data) = self.cache.read_blob(d, limit)?
                {
                    return Ok(data);
                }
                // The cached copy went bad: fetch unconditionally.
                req.if_none_match = None;
                req.if_modified_since = None;
                match http.download(&req, &mut temp, limit, "index.yaml")? {
                    Download::Done { etag, last_modified } => (etag, last_modified),
                    Download::NotModified => {
                        return Err(Error::Index { url: RedactedUrl::new(index_url), reason: "unexpected 304".into() });
                    }
                }
            }
        };
        let digest = self.cache.commit(temp, None, "index")?;
        self.cache.put_ref(
            "helm-index",
            &key,
            RedactedUrl::new(index_url).as_str(),
            vec![digest.clone()],
            serde_json::json!({ "etag": etag, "last_modified": last_modified }),
        )?;
        // Just hashed while streaming; read back without hashing again.
        self.cache.read_committed(&digest)
    }

    fn oci(&self, r: &OciRef, shown: String) -> Result<Fetched> {
        let limits = &self.opts.limits;
        let repo_key = format!("{}/{}", r.registry, r.repository);
        // Which tag, if any; Helm uses a version that parses as a semantic version directly as the tag.
        let version = r.version.clone().or_else(|| r.tag.as_ref().map(|t| t.replace('_', "+")));
        let tag_wanted: Option<String> = match (&version, &r.digest) {
            (Some(v), _) if Version::parse(v).is_ok() => Some(v.replace('+', "_")),
            (None, Some(_)) => None,
            _ => None,
        };
        let needs_listing = r.digest.is_none() && tag_wanted.is_none();
        // 1. Manifest digest.
        let manifest_digest = if let Some(d) = &r.digest {
            d.clone()
        } else {
            let registry_tag = if needs_listing {
                let key = format!("{repo_key}\0tags");
                if self.opts.offline {
                    let rec = self.cache.get_ref("oci-tags", &key)?.ok_or_else(|| Error::NotCached(shown.clone()))?;
                    let tags: Vec<String> = serde_json::from_value(rec.data).unwrap_or_default();
                    oci::select_tag(&tags, version.as_deref(), r.devel, &repo_key)?
                } else {
                    let http = self.http()?;
                    let reg = Registry::new(http, &r.registry)?;
                    let tags = reg.tags(&r.repository, limits.max_manifest_bytes)?;
                    self.cache.put_ref(
                        "oci-tags",
                        &key,
                        &format!("oci://{repo_key}"),
                        vec![],
                        serde_json::json!(tags),
                    )?;
                    oci::select_tag(&tags, version.as_deref(), r.devel, &repo_key)?
                }
            } else {
                tag_wanted.clone().unwrap_or_default()
            };
            let key = format!("{repo_key}:{registry_tag}");
            if self.opts.offline {
                let rec =
                    self.cache.get_ref("oci-tag", &key)?.ok_or_else(|| Error::NotCached(format!("oci://{key}")))?;
                rec.digests.first().cloned().ok_or_else(|| Error::NotCached(format!("oci://{key}")))?
            } else {
                let http = self.http()?;
                let reg = Registry::new(http, &r.registry)?;
                let _lock = self.cache.lock(&format!("oci-tag\0{key}"))?;
                let (bytes, digest) = reg.manifest(&r.repository, &registry_tag, limits.max_manifest_bytes)?;
                let stored = self.cache.put_bytes(&bytes)?;
                debug_assert_eq!(stored, digest);
                self.cache.put_ref(
                    "oci-tag",
                    &key,
                    &format!("oci://{key}"),
                    vec![digest.clone()],
                    serde_json::json!({}),
                )?;
                return self.oci_from_manifest(r, &bytes, &digest, Some(registry_tag), shown, Some(&reg));
            }
        };
        // 2. Manifest by digest: from the cache when present (no network at all).
        let tag_label = tag_wanted.clone();
        if let Some(bytes) = self.cache.read_blob(&manifest_digest, limits.max_manifest_bytes)? {
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| Error::Oci { reference: shown.clone(), reason: format!("bad manifest: {e}") })?;
            let layer = manifest.chart_layer(&shown)?;
            if self.cache.has_blob(&layer.digest, limits.max_download_bytes)? {
                return self.oci_from_manifest(r, &bytes, &manifest_digest, tag_label, shown, None);
            }
        }
        if self.opts.offline {
            return Err(Error::NotCached(format!("{shown} ({manifest_digest})")));
        }
        let http = self.http()?;
        let reg = Registry::new(http, &r.registry)?;
        let _lock = self.cache.lock(&format!("oci-manifest\0{manifest_digest}"))?;
        let (bytes, digest) = reg.manifest(&r.repository, &manifest_digest, limits.max_manifest_bytes)?;
        // With both a tag and a digest, Helm checks that the tag (if it resolves) points at the digest.
        if let Some(t) = &tag_wanted
            && let Ok((_, tag_digest)) = reg.manifest(&r.repository, t, limits.max_manifest_bytes)
            && tag_digest != digest
        {
            return Err(Error::DigestMismatch {
                what: format!("{shown} (tag {t})"),
                expected: digest,
                actual: tag_digest,
            });
        }
        self.cache.put_bytes(&bytes)?;
        self.oci_from_manifest(r, &bytes, &digest, tag_label, shown, Some(&reg))
    }

    fn oci_from_manifest(
        &self,
        r: &OciRef,
        manifest_bytes: &[u8],
        manifest_digest: &str,
        tag: Option<String>,
        shown: String,
        reg: Option<&Registry<'_>>,
    ) -> Result<Fetched> {
        let limits = &self.opts.limits;
        let manifest: Manifest = serde_json::from_slice(manifest_bytes)
            .map_err(|e| Error::Oci { reference: shown.clone(), reason: format!("bad manifest: {e}") })?;
        let layer = manifest.chart_layer(&shown)?.clone();
        if layer.size > limits.max_download_bytes {
            return Err(Error::limit(&shown, format!("chart layer is {} bytes, over the download limit", layer.size)));
        }
        let display = format!("oci://{}/{}@{manifest_digest}", r.registry, r.repository);
        if !self.cache.has_blob(&layer.digest, limits.max_download_bytes)? {
            if self.opts.offline {
                return Err(Error::NotCached(display));
            }
            let reg = reg.ok_or_else(|| Error::NotCached(display.clone()))?;
            let _lock = self.cache.lock(&format!("blob\0{}", layer.digest))?;
            if !self.cache.has_blob(&layer.digest, limits.max_download_bytes)? {
                let url = reg.blob_url(&r.repository, &layer.digest)?;
                let creds = reg.credentials(&format!("repository:{}:pull", r.repository));
                let mut req = Request::get(url.clone(), &creds);
                req.auth_origin = Some(reg.origin());
                let mut temp = self.cache.temp()?;
                let label = r.repository.rsplit('/').next().unwrap_or("chart").to_owned();
                match self.http()?.download(&req, &mut temp, limits.max_download_bytes, &label)? {
                    Download::Done { .. } => {
                        self.cache.commit(temp, Some(&layer.digest), &display)?;
                    }
                    Download::NotModified => {
                        return Err(Error::Oci { reference: display, reason: "unexpected 304".into() });
                    }
                }
            }
        }
        self.cache.put_ref(
            "oci-manifest",
            manifest_digest,
            &display,
            vec![manifest_digest.to_owned(), layer.digest.clone()],
            serde_json::json!({}),
        )?;
        let data = self
            .cache
            .read_blob(&layer.digest, limits.max_download_bytes)?
            .ok_or_else(|| Error::NotCached(display.clone()))?;
        let files = archive::read_tgz(&data, &shown, limits, true)?;
        let version = chart_version(&files);
        let label = tag.map(|t| t.replace('_', "+")).or_else(|| version.clone());
        let revision = match label {
            Some(v) => format!("{v}@{manifest_digest}"),
            None => manifest_digest.to_owned(),
        };
        Ok(Fetched {
            source: shown,
            kind: SourceKind::Oci,
            revision,
            digest: layer.digest,
            chart_version: version,
            files,
        })
    }

    fn git(&self, g: &GitRef, shown: String) -> Result<Fetched> {
        let limits = &self.opts.limits;
        let git = Git::new(&self.opts.connection, g)?;
        let url_key = g.url.as_str().to_owned();
        let rev_key = format!("{url_key}\0{:?}", g.revision);
        // 1. Resolve the revision to a commit (from the cache when offline).
        let (resolved, revision_label) = if self.opts.offline {
            let rec = self.cache.get_ref("git-ref", &rev_key)?.ok_or_else(|| Error::NotCached(shown.clone()))?;
            let commit = rec.data.get("commit").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let revision = rec.data.get("revision").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            (crate::git::Resolved { name: None, refspec: None, commit }, Some(revision))
        } else {
            let refs = git.ls_remote()?;
            (git.resolve(&g.revision, &refs)?, None)
        };
        // 2. The tree for (url, commit, path), from the cache when present.
        let tree_key = |commit: &str| format!("{url_key}\0{commit}\0{}", g.path);
        if resolved.commit.len() == 40
            && let Some(rec) = self.cache.get_ref("git-tree", &tree_key(&resolved.commit))?
            && let Some(d) = rec.digests.first()
            && let Some(tar) = self.cache.read_blob(d, limits.max_total_bytes.saturating_mul(2))?
        {
            let revision = revision_label.unwrap_or_else(|| resolved.revision(&resolved.commit));
            if !self.opts.offline {
                self.remember_git_ref(&rev_key, &shown, &resolved.commit, &revision)?;
            }
            return self.git_result(&tar, d, revision, shown, limits);
        }
        if self.opts.offline {
            return Err(Error::NotCached(shown));
        }
        let _lock = self.cache.lock(&format!("git\0{url_key}\0{}", resolved.commit))?;
        let tmp = TempDir::new(&self.cache.dir().join("tmp"))?;
        let commit = git.fetch(&resolved, tmp.path())?;
        let files = git.read_tree(tmp.path(), &commit, &g.path, limits)?;
        let tar = archive::canonical_tar(&files)?;
        let digest = self.cache.put_bytes(&tar)?;
        let revision = resolved.revision(&commit);
        self.cache.put_ref(
            "git-tree",
            &tree_key(&commit),
            &format!("{}@sha1:{commit}", shown),
            vec![digest.clone()],
            serde_json::json!({}),
        )?;
        self.remember_git_ref(&rev_key, &shown, &commit, &revision)?;
        Ok(Fetched {
            source: shown,
            kind: SourceKind::Git,
            revision,
            digest,
            chart_version: chart_version(&files),
            files,
        })
    }

    fn remember_git_ref(&self, key: &str, shown: &str, commit: &str, revision: &str) -> Result<()> {
        self.cache.put_ref("git-ref", key, shown, vec![], serde_json::json!({ "commit": commit, "revision": revision }))
    }

    fn git_result(
        &self,
        tar: &[u8],
        digest: &str,
        revision: String,
        shown: String,
        limits: &Limits,
    ) -> Result<Fetched> {
        let files = archive::read_tar(tar, &shown, limits, false)?;
        Ok(Fetched {
            source: shown,
            kind: SourceKind::Git,
            revision,
            digest: digest.to_owned(),
            chart_version: chart_version(&files),
            files,
        })
    }
}

/// A temporary directory under the cache's `tmp/`, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(parent: &Path) -> Result<TempDir> {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let p = parent.join(format!("git-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).map_err(|e| Error::cache(&p, e))?;
        Ok(TempDir(p))
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Convenience: fetch one source with fresh options.
pub fn fetch(source: &SourceRef, opts: &FetchOptions) -> Result<Fetched> {
    Fetcher::new(opts.clone())?.fetch(source)
}
