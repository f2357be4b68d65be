//! Source references: what a user writes wherever a chart or overlay is named.
//!
//! | form | meaning |
//! |---|---|
//! | `./dir`, `/abs/dir` | a local chart or overlay directory |
//! | `./chart-1.2.3.tgz` | a local chart archive |
//! | `--repo https://charts.example.com CHART [--version RANGE]` | a chart from a Helm HTTPS repository |
//! | `https://host/path/chart-1.2.3.tgz` | a chart archive at a URL |
//! | `oci://registry/path/chart[:tag][@sha256:…] [--version RANGE]` | a chart in an OCI registry |
//! | `git+https://host/repo.git//sub/path?ref=REF` | a directory of a Git repository (also `git+ssh://`, `git+file://`) |
//! | `…?semver=RANGE` | the highest tag of the repository matching RANGE |
//!
//! REF is a branch, a tag or a commit (full or abbreviated hex). Without `ref` or `semver`, the remote's default
//! branch is used.

use std::fmt;
use std::path::PathBuf;

use url::Url;

use crate::error::{Error, Result};
use crate::redact::{RedactedUrl, Secret, scrub};
use crate::semver::Constraints;

/// Extra flags that qualify a reference, as the CLI collects them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefFlags {
    /// `--repo URL`: the positional argument is then a chart name in that Helm repository.
    pub repo: Option<String>,
    /// `--version`: an exact version or a constraint (Helm's semver rules); empty means latest.
    pub version: Option<String>,
    /// `--devel`: let pre-release versions match when no version is given (Helm's `>0.0.0-0`).
    pub devel: bool,
}

/// A parsed source reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    /// A local directory or `.tgz` file (which one is decided when it is read).
    Local {
        /// The path as given.
        path: PathBuf,
    },
    /// A chart archive at an HTTP(S) URL.
    Url {
        /// The URL, credentials removed (see `credentials`).
        url: Url,
        /// Credentials that were written into the URL.
        credentials: Option<UrlCredentials>,
    },
    /// A chart in a Helm HTTPS repository.
    HelmRepo {
        /// The repository URL, credentials removed.
        repo: Url,
        /// Chart name.
        chart: String,
        /// Version or constraint; `None` for the latest release.
        version: Option<String>,
        /// Allow pre-releases when `version` is `None`.
        devel: bool,
        /// Credentials that were written into the repository URL.
        credentials: Option<UrlCredentials>,
    },
    /// A chart in an OCI registry.
    Oci(OciRef),
    /// A directory of a Git repository.
    Git(GitRef),
}

/// User name and password written into a URL (`https://user:pass@host/...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlCredentials {
    /// User name (percent-decoded).
    pub username: String,
    /// Password (percent-decoded); may be empty.
    pub password: Secret,
}

/// `oci://registry/repository[:tag][@digest]` plus `--version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    /// Registry host, with port if any (`ghcr.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// Repository path (`org/charts/app`).
    pub repository: String,
    /// Tag from the reference, with Helm's `+` to `_` conversion applied.
    pub tag: Option<String>,
    /// Pinned manifest digest (`sha256:<hex>`).
    pub digest: Option<String>,
    /// `--version`.
    pub version: Option<String>,
    /// `--devel`.
    pub devel: bool,
}

/// How a Git reference selects a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRevision {
    /// The remote's default branch (`HEAD`).
    Default,
    /// `?ref=`: a branch, tag, full ref name or commit.
    Ref(String),
    /// `?semver=`: the highest tag whose name (optionally `v`-prefixed) satisfies the constraint.
    Semver(String),
}

/// `git+SCHEME://host/repo.git//sub/path?ref=REF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    /// The repository URL as `git` sees it (`https://`, `ssh://`, `file://`, `http://`), credentials removed.
    pub url: Url,
    /// Sub-path inside the repository (`/`-separated, no `..`), empty for the root.
    pub path: String,
    /// Which commit.
    pub revision: GitRevision,
    /// HTTPS credentials that were written into the URL.
    pub credentials: Option<UrlCredentials>,
}

fn invalid(input: &str, reason: impl Into<String>) -> Error {
    Error::InvalidRef { input: scrub(input), reason: reason.into() }
}

/// Removes user-info from a URL and returns it separately (percent-decoded).
fn take_credentials(url: &mut Url) -> Option<UrlCredentials> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    let user = decode(url.username()).unwrap_or_default();
    let pass = url.password().and_then(decode).unwrap_or_default();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(UrlCredentials { username: user, password: Secret::new(pass) })
}

fn clean_subpath(input: &str, raw: &str) -> Result<String> {
    let mut parts = Vec::new();
    for p in raw.split('/') {
        match p {
            "" | "." => {}
            ".." => return Err(invalid(input, "the sub-path must not contain `..`")),
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

fn valid_repository(repo: &str) -> bool {
    // Components: lowercase alphanumerics separated by `.`, `_`, `__` or runs of `-`.
    !repo.is_empty()
        && repo.split('/').all(|c| {
            let b = c.as_bytes();
            !c.is_empty()
                && b.first().is_some_and(|x| x.is_ascii_lowercase() || x.is_ascii_digit())
                && b.last().is_some_and(|x| x.is_ascii_lowercase() || x.is_ascii_digit())
                && b.iter().all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || matches!(x, b'.' | b'_' | b'-'))
                && !c.contains("..")
                && !c.contains("___")
        })
}

fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && b.first().is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_')
        && b.iter().all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

impl OciRef {
    /// Parses `oci://registry/repository[:tag][@sha256:…]`.
    pub fn parse(input: &str, version: Option<String>, devel: bool) -> Result<OciRef> {
        let rest = input.strip_prefix("oci://").ok_or_else(|| invalid(input, "expected oci://"))?;
        if rest.contains("://") || rest.contains('@') && rest.split('@').count() > 2 {
            return Err(invalid(input, "malformed OCI reference"));
        }
        let (rest, digest) = match rest.rsplit_once('@') {
            Some((r, d)) => {
                crate::cache::digest_hex(d).map_err(|_| invalid(input, "digest must be sha256:<64 lowercase hex>"))?;
                (r, Some(d.to_owned()))
            }
            None => (rest, None),
        };
        let (registry, path) =
            rest.split_once('/').ok_or_else(|| invalid(input, "expected oci://REGISTRY/REPOSITORY"))?;
        if registry.is_empty() || registry.contains(|c: char| c.is_whitespace() || c == '?' || c == '#') {
            return Err(invalid(input, "bad registry host"));
        }
        let (repository, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.replace('+', "_"))),
            _ => (path, None),
        };
        if !valid_repository(repository) {
            return Err(invalid(
                input,
                format!("invalid repository name {repository:?} (lowercase letters, digits, separators)"),
            ));
        }
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(invalid(input, format!("invalid tag {t:?}")));
        }
        // Helm refuses a version that contradicts the tag in the reference.
        if let (Some(t), Some(v)) = (&tag, &version)
            && !v.is_empty()
            && *t != v.replace('+', "_")
        {
            return Err(invalid(
                input,
                format!("chart reference and version mismatch: {v} is not {}", t.replace('_', "+")),
            ));
        }
        Ok(OciRef {
            registry: registry.to_ascii_lowercase(),
            repository: repository.to_owned(),
            tag,
            digest,
            version: version.filter(|v| !v.is_empty()),
            devel,
        })
    }
}

impl GitRef {
    /// Parses `git+https://…`, `git+ssh://…`, `git+file://…` (and `git+http://…`, usable with `--plain-http`).
    pub fn parse(input: &str) -> Result<GitRef> {
        let rest = input.strip_prefix("git+").ok_or_else(|| invalid(input, "expected git+SCHEME://"))?;
        // URL parsing would silently resolve `..`; refuse it before that happens.
        let raw_path = rest.split(['?', '#']).next().unwrap_or(rest);
        if raw_path.split('/').any(|seg| {
            let lower = seg.to_ascii_lowercase().replace("%2e", ".");
            lower == ".."
        }) {
            return Err(invalid(input, "the URL and sub-path must not contain `..`"));
        }
        let mut url = Url::parse(rest).map_err(|e| invalid(input, e.to_string()))?;
        let scheme = url.scheme().to_owned();
        if !matches!(scheme.as_str(), "https" | "http" | "ssh" | "file") {
            return Err(invalid(input, format!("unsupported Git scheme {scheme:?}")));
        }
        let mut revision = GitRevision::Default;
        for (k, v) in url.query_pairs() {
            let next = match k.as_ref() {
                "ref" if !v.is_empty() => GitRevision::Ref(v.into_owned()),
                "semver" if !v.is_empty() => {
                    Constraints::parse(&v)
                        .map_err(|e| Error::Constraint { constraint: v.to_string(), reason: e.to_string() })?;
                    GitRevision::Semver(v.into_owned())
                }
                other => {
                    return Err(invalid(
                        input,
                        format!("unknown or empty query parameter {other:?} (use ref= or semver=)"),
                    ));
                }
            };
            if revision != GitRevision::Default {
                return Err(invalid(input, "give only one of ref= and semver="));
            }
            revision = next;
        }
        if let GitRevision::Ref(r) = &revision
            && (r.starts_with('-') || r.contains("..") || r.contains(|c: char| c.is_whitespace() || c.is_control()))
        {
            return Err(invalid(input, format!("invalid ref {r:?}")));
        }
        url.set_query(None);
        url.set_fragment(None);
        let full_path = url.path().to_owned();
        let (repo_path, sub) = match full_path.get(1..).and_then(|p| p.find("//")) {
            Some(i) => (full_path[..i + 1].to_owned(), full_path[i + 3..].to_owned()),
            None => (full_path.clone(), String::new()),
        };
        let path = clean_subpath(input, &sub)?;
        url.set_path(&repo_path);
        if url.path().trim_matches('/').is_empty() {
            return Err(invalid(input, "missing repository path"));
        }
        let credentials = match scheme.as_str() {
            // For SSH the user name is part of the address (`git@host`); passwords are not accepted.
            "ssh" => {
                if url.password().is_some() {
                    return Err(invalid(input, "passwords in git+ssh URLs are not supported; use an SSH key"));
                }
                None
            }
            "file" => None,
            _ => take_credentials(&mut url),
        };
        Ok(GitRef { url, path, revision, credentials })
    }
}

impl SourceRef {
    /// Parses a reference with its flags. Local paths are not checked here (see [`crate::Fetcher::fetch`]).
    pub fn parse(input: &str, flags: &RefFlags) -> Result<SourceRef> {
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid(input, "empty reference"));
        }
        if let Some(repo) = flags.repo.as_deref() {
            let mut repo_url = Url::parse(repo).map_err(|e| invalid(repo, format!("--repo: {e}")))?;
            if !matches!(repo_url.scheme(), "https" | "http") {
                return Err(invalid(repo, "--repo must be an https:// URL"));
            }
            if input.contains('/') || input.contains(':') {
                return Err(invalid(input, "with --repo, give the chart name only"));
            }
            let credentials = take_credentials(&mut repo_url);
            if let Some(v) = flags.version.as_deref().filter(|v| !v.is_empty()) {
                Constraints::parse(v).map_err(|e| Error::Constraint { constraint: v.into(), reason: e.to_string() })?;
            }
            return Ok(SourceRef::HelmRepo {
                repo: repo_url,
                chart: input.to_owned(),
                version: flags.version.clone().filter(|v| !v.is_empty()),
                devel: flags.devel,
                credentials,
            });
        }
        if input.starts_with("oci://") {
            if let Some(v) = flags.version.as_deref().filter(|v| !v.is_empty()) {
                Constraints::parse(v).map_err(|e| Error::Constraint { constraint: v.into(), reason: e.to_string() })?;
            }
            return Ok(SourceRef::Oci(OciRef::parse(input, flags.version.clone(), flags.devel)?));
        }
        if input.starts_with("git+") {
            return Ok(SourceRef::Git(GitRef::parse(input)?));
        }
        if input.starts_with("https://") || input.starts_with("http://") {
            let mut url = Url::parse(input).map_err(|e| invalid(input, e.to_string()))?;
            let credentials = take_credentials(&mut url);
            let last = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("");
            if !(last.ends_with(".tgz") || last.ends_with(".tar.gz")) {
                return Err(invalid(
                    input,
                    "an http(s) URL must point at a chart archive (.tgz); for a repository use --repo URL CHART",
                ));
            }
            return Ok(SourceRef::Url { url, credentials });
        }
        if let Some((scheme, _)) = input.split_once("://") {
            return Err(invalid(input, format!("unsupported scheme {scheme:?}")));
        }
        Ok(SourceRef::Local { path: PathBuf::from(input) })
    }
}

impl fmt::Display for SourceRef {
    /// The reference in its canonical form, without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceRef::Local { path } => write!(f, "{}", path.display()),
            SourceRef::Url { url, .. } => write!(f, "{}", RedactedUrl::new(url)),
            SourceRef::HelmRepo { repo, chart, version, .. } => {
                write!(f, "{} {chart}", RedactedUrl::new(repo))?;
                if let Some(v) = version {
                    write!(f, " --version {v}")?;
                }
                Ok(())
            }
            SourceRef::Oci(o) => write!(f, "{o}"),
            SourceRef::Git(g) => {
                write!(f, "git+{}", RedactedUrl::new(&g.url))?;
                if !g.path.is_empty() {
                    write!(f, "//{}", g.path)?;
                }
                match &g.revision {
                    GitRevision::Default => Ok(()),
                    GitRevision::Ref(r) => write!(f, "?ref={r}"),
                    GitRevision::Semver(s) => write!(f, "?semver={s}"),
                }
            }
        }
    }
}

impl fmt::Display for OciRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<SourceRef> {
        SourceRef::parse(s, &RefFlags::default())
    }

    #[test]
    fn forms() {
        assert!(matches!(p("./charts/app"), Ok(SourceRef::Local { .. })));
        assert!(matches!(p("https://h.test/c/app-1.2.3.tgz"), Ok(SourceRef::Url { .. })));
        assert!(p("https://h.test/charts").is_err());
        let flags =
            RefFlags { repo: Some("https://u:p@h.test/charts".into()), version: Some("^1".into()), devel: false };
        match SourceRef::parse("app", &flags).unwrap() {
            SourceRef::HelmRepo { repo, chart, version, credentials, .. } => {
                assert_eq!(repo.as_str(), "https://h.test/charts");
                assert_eq!(chart, "app");
                assert_eq!(version.as_deref(), Some("^1"));
                assert_eq!(credentials.unwrap().username, "u");
            }
            other => panic!("{other:?}"),
        }
        let bad = RefFlags { version: Some(">>1".into()), ..flags };
        assert!(matches!(SourceRef::parse("app", &bad), Err(Error::Constraint { .. })));
    }

    #[test]
    fn oci() {
        let o = OciRef::parse("oci://127.0.0.1:5000/charts/app:1.2.3+build", None, false).unwrap();
        assert_eq!(
            (o.registry.as_str(), o.repository.as_str(), o.tag.as_deref()),
            ("127.0.0.1:5000", "charts/app", Some("1.2.3_build"))
        );
        let d = format!("sha256:{}", "a".repeat(64));
        let o = OciRef::parse(&format!("oci://r.test/app@{d}"), None, false).unwrap();
        assert_eq!(o.digest.as_deref(), Some(d.as_str()));
        assert!(OciRef::parse("oci://r.test/App", None, false).is_err());
        assert!(OciRef::parse("oci://r.test/app@sha256:abc", None, false).is_err());
        assert!(OciRef::parse("oci://r.test/app:1.0.0", Some("2.0.0".into()), false).is_err());
        assert!(OciRef::parse("oci://r.test", None, false).is_err());
    }

    #[test]
    fn git() {
        let g = GitRef::parse("git+https://tok:x-oauth@h.test/org/repo.git//charts/app?ref=v1.2.0").unwrap();
        assert_eq!(g.url.as_str(), "https://h.test/org/repo.git");
        assert_eq!(g.path, "charts/app");
        assert_eq!(g.revision, GitRevision::Ref("v1.2.0".into()));
        assert!(g.credentials.is_some());
        let g = GitRef::parse("git+file:///srv/repo.git//overlays/prod?semver=~1.2").unwrap();
        assert_eq!(g.url.as_str(), "file:///srv/repo.git");
        assert_eq!(g.path, "overlays/prod");
        let g = GitRef::parse("git+ssh://git@h.test:2222/org/repo.git").unwrap();
        assert_eq!((g.path.as_str(), &g.revision), ("", &GitRevision::Default));
        assert!(GitRef::parse("git+https://h.test/r.git//a/../../b").is_err());
        assert!(GitRef::parse("git+https://h.test/r.git?ref=main&semver=1").is_err());
        assert!(GitRef::parse("git+https://h.test/r.git?ref=--upload-pack=x").is_err());
        assert!(GitRef::parse("git+ftp://h.test/r.git").is_err());
        let shown = p("git+https://tok:secret@h.test/r.git//x?ref=main").unwrap().to_string();
        assert_eq!(shown, "git+https://h.test/r.git//x?ref=main");
    }
}
