//! Git sources through the system `git`, run with a cleaned environment.
//!
//! Why the `git` binary rather than `gix`: see docs/sources.md. In short, `git` speaks every transport and protocol
//! version servers use, does shallow fetches of branches, tags and (where the server allows) commits, verifies SSH
//! host keys through OpenSSH's `known_hosts`, and costs no build time; `gix` would add a large dependency tree and
//! still shell out to `ssh`.
//!
//! Each command runs with: no inherited `GIT_*` variables, no system or global configuration, no terminal prompts,
//! no credential helpers, hooks disabled, only the transport the reference names allowed, object checks on fetch,
//! SSH in batch mode with strict host-key checking, and credentials passed as an `Authorization` header scoped to
//! the repository's origin through `GIT_CONFIG_*` variables (never on the command line).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use url::Url;

use crate::archive::{self, SourceFile};
use crate::error::{Error, Result};
use crate::options::{ConnectionOptions, Limits};
use crate::redact::{RedactedUrl, Secret, scrub};
use crate::reference::{GitRef, GitRevision};
use crate::semver::{Constraints, Version};

/// The refs a remote advertises.
#[derive(Debug, Default)]
pub(crate) struct RemoteRefs {
    /// Target of the remote `HEAD` (`refs/heads/main`).
    pub head_target: Option<String>,
    /// Commit of `HEAD`.
    pub head: Option<String>,
    /// Ref name to object id (annotated tags: the tag object; see `peeled`).
    pub refs: BTreeMap<String, String>,
    /// Annotated tag name to the commit it points at.
    pub peeled: BTreeMap<String, String>,
}

impl RemoteRefs {
    fn commit_of(&self, name: &str) -> Option<&String> {
        self.peeled.get(name).or_else(|| self.refs.get(name))
    }
}

/// What to fetch and how it resolved.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The name shown before `@sha1:` (branch or tag), or `None` for a bare commit.
    pub name: Option<String>,
    /// Full ref to fetch, or `None` to fetch by commit.
    pub refspec: Option<String>,
    /// The commit (40 hex) when known from the advertisement; an abbreviated hex for short commit references.
    pub commit: String,
}

impl Resolved {
    /// Flux's revision format: `main@sha1:<hex>`, `v1.2.3@sha1:<hex>` or `sha1:<hex>`.
    pub fn revision(&self, commit: &str) -> String {
        match &self.name {
            Some(n) => format!("{n}@sha1:{commit}"),
            None => format!("sha1:{commit}"),
        }
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Runs `git` commands for one repository.
pub(crate) struct Git<'a> {
    opts: &'a ConnectionOptions,
    url: &'a Url,
    auth: Option<String>,
}

fn quote_sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl<'a> Git<'a> {
    pub fn new(opts: &'a ConnectionOptions, reference: &'a GitRef) -> Result<Git<'a>> {
        let url = &reference.url;
        match url.scheme() {
            "https" | "ssh" | "file" => {}
            "http" if opts.plain_http && crate::http::is_loopback(url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "{}: plain HTTP needs --plain-http (and a loopback address)",
                    RedactedUrl::new(url)
                )));
            }
            s => return Err(Error::Config(format!("unsupported Git scheme {s:?}"))),
        }
        let auth = if matches!(url.scheme(), "https" | "http") {
            let basic = |u: &str, p: &Secret| {
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{u}:{}", p.expose())))
            };
            if let Some(c) = &reference.credentials {
                Some(basic(&c.username, &c.password))
            } else if let Some(t) = &opts.token {
                Some(format!("Bearer {}", t.expose()))
            } else {
                match (&opts.username, &opts.password) {
                    (Some(u), Some(p)) if !u.is_empty() => Some(basic(u, p)),
                    _ => None,
                }
            }
        } else {
            None
        };
        Ok(Git { opts, url, auth })
    }

    fn shown(&self) -> String {
        RedactedUrl::new(self.url).to_string()
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::Git { url: self.shown(), reason: reason.into() }
    }

    fn command(&self, git_dir: Option<&Path>) -> Command {
        let mut cmd = Command::new("git");
        cmd.env_clear();
        for k in [
            "PATH",
            "HOME",
            "SSH_AUTH_SOCK",
            "TMPDIR",
            "http_proxy",
            "https_proxy",
            "HTTPS_PROXY",
            "no_proxy",
            "NO_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ] {
            if let Some(v) = std::env::var_os(k) {
                cmd.env(k, v);
            }
        }
        cmd.env("LANG", "C").env("LC_ALL", "C");
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        cmd.env("GIT_CONFIG_NOSYSTEM", "1");
        cmd.env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd.env("GIT_PROTOCOL_FROM_USER", "0");
        let mut ssh = String::from("ssh -o BatchMode=yes -o StrictHostKeyChecking=yes");
        if let Some(kh) = &self.opts.ssh_known_hosts {
            ssh.push_str(&format!(
                " -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null",
                quote_sh(&kh.display().to_string())
            ));
        }
        if let Some(id) = &self.opts.ssh_identity {
            ssh.push_str(&format!(" -o IdentitiesOnly=yes -i {}", quote_sh(&id.display().to_string())));
        }
        ssh.push_str(&format!(" -o ConnectTimeout={}", self.opts.connect_timeout.as_secs().max(1)));
        cmd.env("GIT_SSH_COMMAND", ssh);
        if let Some(d) = git_dir {
            cmd.env("GIT_DIR", d);
        }
        let scheme = self.url.scheme();
        let mut cfg: Vec<(String, String)> = vec![
            ("protocol.allow".into(), "never".into()),
            (format!("protocol.{scheme}.allow"), "always".into()),
            ("core.hooksPath".into(), "/dev/null".into()),
            ("credential.helper".into(), String::new()),
            ("transfer.fsckObjects".into(), "true".into()),
            ("fetch.recurseSubmodules".into(), "false".into()),
            ("submodule.recurse".into(), "false".into()),
            ("http.lowSpeedLimit".into(), "1".into()),
            ("http.lowSpeedTime".into(), self.opts.read_timeout.as_secs().max(1).to_string()),
            ("http.followRedirects".into(), "initial".into()),
        ];
        if self.opts.insecure_skip_tls_verify {
            cfg.push(("http.sslVerify".into(), "false".into()));
        }
        if let Some(ca) = &self.opts.ca_file {
            cfg.push(("http.sslCAInfo".into(), ca.display().to_string()));
        } else if let Some(f) = std::env::var_os("SSL_CERT_FILE") {
            cfg.push(("http.sslCAInfo".into(), f.to_string_lossy().into_owned()));
        }
        if let (Some(c), Some(k)) = (&self.opts.cert_file, &self.opts.key_file) {
            cfg.push(("http.sslCert".into(), c.display().to_string()));
            cfg.push(("http.sslKey".into(), k.display().to_string()));
        }
        if let Some(a) = &self.auth {
            let key = if self.opts.pass_credentials {
                "http.extraHeader".to_owned()
            } else {
                // Scoped to the repository's origin so the header never reaches another host.
                format!("http.{}/.extraHeader", self.url.origin().ascii_serialization())
            };
            cfg.push((key, format!("Authorization: {a}")));
        }
        cmd.env("GIT_CONFIG_COUNT", cfg.len().to_string());
        for (i, (k, v)) in cfg.into_iter().enumerate() {
            cmd.env(format!("GIT_CONFIG_KEY_{i}"), k);
            cmd.env(format!("GIT_CONFIG_VALUE_{i}"), v);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs a command to completion within the request timeout; returns stdout or a scrubbed error.
    fn run(&self, mut cmd: Command, what: &str) -> Result<Vec<u8>> {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| self.err(format!("cannot run git (is it installed?): {e}")))?;
        let out = child.stdout.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = s.read_to_end(&mut v);
                v
            })
        });
        let err = child.stderr.take().map(|mut s| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = s.by_ref().take(1 << 20).read_to_end(&mut v);
                v
            })
        });
        let status = wait_deadline(&mut child, self.opts.request_timeout);
        let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
        match status {
            Some(s) if s.success() => Ok(stdout),
            Some(_) => {
                let msg = scrub(String::from_utf8_lossy(&stderr).trim());
                let lower = msg.to_ascii_lowercase();
                if ["could not read username", "could not read password", "authentication failed", " 401", " 403"]
                    .iter()
                    .any(|p| lower.contains(p))
                {
                    return Err(self.err(format!(
                        "{what} failed: authentication failed; check --username/--password or the token ({msg})"
                    )));
                }
                if lower.contains("host key verification failed") {
                    return Err(self.err(format!(
                        "{what} failed: the SSH host key is not in known_hosts or does not match ({msg})"
                    )));
                }
                Err(self.err(format!("{what} failed: {msg}")))
            }
            None => Err(self.err(format!("{what} timed out after {:?}", self.opts.request_timeout))),
        }
    }

    fn retrying<T>(&self, mut f: impl FnMut() -> Result<T>) -> Result<T> {
        let mut delay = self.opts.backoff;
        let mut attempt = 0;
        loop {
            match f() {
                Err(Error::Git { reason, .. }) if attempt < self.opts.retries && transient(&reason) => {
                    attempt += 1;
                    tracing::warn!("git: {reason}; retrying in {delay:?}");
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2).min(Duration::from_secs(30));
                }
                other => return other,
            }
        }
    }

    /// `git ls-remote --symref URL`.
    pub fn ls_remote(&self) -> Result<RemoteRefs> {
        let out = self.retrying(|| {
            let mut cmd = self.command(None);
            cmd.args(["ls-remote", "--symref", "--"]).arg(self.url.as_str());
            self.run(cmd, "ls-remote")
        })?;
        let text = String::from_utf8_lossy(&out);
        let mut refs = RemoteRefs::default();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("ref: ") {
                if let Some((target, name)) = rest.split_once('\t')
                    && name == "HEAD"
                {
                    refs.head_target = Some(target.to_owned());
                }
                continue;
            }
            let Some((oid, name)) = line.split_once('\t') else { continue };
            if !is_hex(oid) {
                continue;
            }
            if name == "HEAD" {
                refs.head = Some(oid.to_owned());
            } else if let Some(tag) = name.strip_suffix("^{}") {
                refs.peeled.insert(tag.to_owned(), oid.to_owned());
            } else {
                refs.refs.insert(name.to_owned(), oid.to_owned());
            }
        }
        Ok(refs)
    }

    /// Resolves the reference's revision against the advertised refs.
    pub fn resolve(&self, revision: &GitRevision, refs: &RemoteRefs) -> Result<Resolved> {
        match revision {
            GitRevision::Default => {
                let head = refs.head.clone().ok_or_else(|| self.err("the remote has no HEAD (empty repository?)"))?;
                let name = refs.head_target.as_deref().map(|t| t.strip_prefix("refs/heads/").unwrap_or(t).to_owned());
                Ok(Resolved {
                    refspec: refs.head_target.clone().or(Some("HEAD".into())),
                    name: name.or(Some("HEAD".into())),
                    commit: head,
                })
            }
            GitRevision::Ref(r) => {
                // Git's own order: the name as a full ref, then tags, then branches.
                let candidates = if r.starts_with("refs/") {
                    vec![r.clone()]
                } else {
                    vec![format!("refs/tags/{r}"), format!("refs/heads/{r}")]
                };
                for c in candidates {
                    if let Some(commit) = refs.commit_of(&c) {
                        return Ok(Resolved { name: Some(r.clone()), refspec: Some(c), commit: commit.clone() });
                    }
                }
                if is_hex(r) && (4..=40).contains(&r.len()) {
                    return Ok(Resolved { name: None, refspec: None, commit: r.to_ascii_lowercase() });
                }
                Err(Error::NotFound(format!("git {}: no branch, tag or commit named {r:?}", self.shown())))
            }
            GitRevision::Semver(range) => {
                let c = Constraints::parse(range)
                    .map_err(|e| Error::Constraint { constraint: range.clone(), reason: e.to_string() })?;
                let mut tags: Vec<(Version, String)> = refs
                    .refs
                    .keys()
                    .filter_map(|n| n.strip_prefix("refs/tags/"))
                    .filter_map(|t| Version::parse(t).ok().map(|v| (v, t.to_owned())))
                    .filter(|(v, _)| c.matches(v))
                    .collect();
                crate::semver::sort_descending(&mut tags);
                let (_, tag) = tags
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::NotFound(format!("git {}: no tag matches semver {range:?}", self.shown())))?;
                let full = format!("refs/tags/{tag}");
                let commit = refs.commit_of(&full).cloned().unwrap_or_default();
                Ok(Resolved { name: Some(tag), refspec: Some(full), commit })
            }
        }
    }

    /// Fetches the resolved commit into a fresh bare repository at `git_dir` and returns the full commit id.
    pub fn fetch(&self, resolved: &Resolved, git_dir: &Path) -> Result<String> {
        let mut init = self.command(None);
        init.args(["init", "--bare", "-q", "--"]).arg(git_dir);
        self.run(init, "init")?;
        let shallow_target = match &resolved.refspec {
            Some(r) => Some(r.clone()),
            None if resolved.commit.len() == 40 => Some(resolved.commit.clone()),
            None => None,
        };
        let mut fetched = false;
        if let Some(target) = &shallow_target {
            let result = self.retrying(|| {
                let mut cmd = self.command(Some(git_dir));
                cmd.args(["fetch", "-q", "--depth=1", "--no-tags", "--"]).arg(self.url.as_str()).arg(target);
                self.run(cmd, "fetch")
            });
            match result {
                Ok(_) => fetched = true,
                // Servers may refuse to serve an unadvertised commit: fall back to fetching every branch and tag.
                Err(e) if resolved.refspec.is_none() => tracing::debug!("shallow fetch by commit failed: {e}"),
                Err(e) => return Err(e),
            }
        }
        let spec = if fetched {
            "FETCH_HEAD^{commit}".to_owned()
        } else {
            self.retrying(|| {
                let mut cmd = self.command(Some(git_dir));
                cmd.args(["fetch", "-q", "--no-tags", "--"])
                    .arg(self.url.as_str())
                    .arg("+refs/heads/*:refs/heads/*")
                    .arg("+refs/tags/*:refs/tags/*");
                self.run(cmd, "fetch")
            })?;
            format!("{}^{{commit}}", resolved.commit)
        };
        let mut rev = self.command(Some(git_dir));
        rev.args(["rev-parse", "--verify", "-q", "--end-of-options", &spec]);
        let out = self
            .run(rev, "rev-parse")
            .map_err(|_| Error::NotFound(format!("git {}: commit {} not found", self.shown(), resolved.commit)))?;
        let commit = String::from_utf8_lossy(&out).trim().to_owned();
        if commit.len() != 40 || !is_hex(&commit) {
            return Err(self.err(format!("unexpected rev-parse output {commit:?}")));
        }
        if resolved.refspec.as_deref().is_some_and(|r| r.starts_with("refs/tags/"))
            && !resolved.commit.is_empty()
            && resolved.commit != commit
        {
            return Err(self.err(format!("tag moved during the fetch ({} then {commit})", resolved.commit)));
        }
        if resolved.refspec.is_none() && !commit.starts_with(&resolved.commit) {
            return Err(self.err(format!("fetched {commit}, expected {}", resolved.commit)));
        }
        Ok(commit)
    }

    /// Reads the files under `path` at `commit` (via `git archive`, through the hardened tar reader).
    pub fn read_tree(&self, git_dir: &Path, commit: &str, path: &str, limits: &Limits) -> Result<Vec<SourceFile>> {
        // The whole repository is the commit's root tree (`<commit>` alone names a commit object, not a tree).
        let treeish = if path.is_empty() { format!("{commit}^{{tree}}") } else { format!("{commit}:{path}") };
        let mut check = self.command(Some(git_dir));
        check.args(["cat-file", "-t", "--end-of-options", &treeish]);
        let kind = self
            .run(check, "cat-file")
            .map_err(|_| Error::NotFound(format!("git {}: path {path:?} does not exist at {commit}", self.shown())))?;
        if String::from_utf8_lossy(&kind).trim() != "tree" {
            return Err(Error::NotFound(format!("git {}: {path:?} is not a directory at {commit}", self.shown())));
        }
        let mut cmd = self.command(Some(git_dir));
        cmd.args(["archive", "--format=tar", &treeish]).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| self.err(format!("cannot run git archive: {e}")))?;
        let stdout = child.stdout.take().ok_or_else(|| self.err("git archive: no output"))?;
        let what = format!("git {}//{path}@{commit}", self.shown());
        let result = archive::read_tar(stdout, &what, limits, false);
        if result.is_err() {
            let _ = child.kill();
        }
        let status = wait_deadline(&mut child, self.opts.request_timeout);
        let files = result?;
        match status {
            Some(s) if s.success() => Ok(files),
            _ => Err(self.err("git archive failed")),
        }
    }
}

fn transient(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    [
        "early eof",
        "rpc failed",
        "connection refused",
        "connection reset",
        "timed out",
        "unexpected disconnect",
        "could not resolve host",
        "transfer closed",
        "empty reply",
        "returned error: 5",
        "remote end hung up",
        "failed to connect",
    ]
    .iter()
    .any(|p| r.contains(p))
}

fn wait_deadline(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => return None,
        }
    }
}
