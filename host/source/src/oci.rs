//! OCI registries: Helm chart artifacts over the distribution API (pull only).
//!
//! Implemented on the crate's own HTTP client rather than `oci-client`, so registries get the same TLS options
//! (client certificates included), redirect credential policy, retries, size caps and redaction as Helm
//! repositories, without an async runtime (see docs/sources.md). Covered: manifests by tag or digest (verified),
//! blobs (verified, streamed into the cache), tag listing with `Link` pagination, the `WWW-Authenticate` challenge
//! flow (Basic, and Bearer tokens anonymous or with credentials), and credentials from `--username/--password`,
//! Helm's registry config and Docker's `config.json` with credential helpers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::http::{Credentials, Fetched, Http, Request, status_error};
use crate::redact::{RedactedUrl, Secret, scrub};

/// Helm's chart config media type.
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Helm's chart layer media type.
pub const HELM_CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// The legacy chart layer media type Helm still accepts.
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
const MANIFEST_ACCEPT: &str =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// A content descriptor.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
}

/// The parts of an image manifest a chart pull needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Manifest {
    #[serde(rename = "mediaType", default)]
    pub media_type: Option<String>,
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

impl Manifest {
    /// The chart layer, checked to be a Helm chart artifact.
    pub fn chart_layer(&self, reference: &str) -> Result<&Descriptor> {
        let err = |reason: String| Error::Oci { reference: reference.to_owned(), reason };
        if self.media_type.as_deref() == Some("application/vnd.oci.image.index.v1+json") {
            return Err(err("the reference is an image index, not a Helm chart manifest".into()));
        }
        let config = self.config.as_ref().ok_or_else(|| err("manifest has no config".into()))?;
        if config.media_type != HELM_CONFIG_MEDIA_TYPE {
            return Err(err(format!(
                "not a Helm chart: config media type is {:?}, expected {HELM_CONFIG_MEDIA_TYPE}",
                config.media_type
            )));
        }
        let mut charts = self
            .layers
            .iter()
            .filter(|l| l.media_type == HELM_CHART_LAYER_MEDIA_TYPE || l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE);
        let layer = charts.next().ok_or_else(|| err("manifest has no chart layer".into()))?;
        if charts.next().is_some() {
            return Err(err("manifest has more than one chart layer".into()));
        }
        crate::cache::digest_hex(&layer.digest)
            .map_err(|_| err(format!("unsupported layer digest {}", layer.digest)))?;
        Ok(layer)
    }
}

/// Parses `WWW-Authenticate: Scheme k="v", k2=v2` into the scheme and parameters.
fn parse_challenge(h: &str) -> (String, HashMap<String, String>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect::<String>().trim().to_ascii_lowercase();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim().to_owned();
        }
        params.insert(key, value);
    }
    (scheme.to_ascii_lowercase(), params)
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct TagList {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// A session with one registry.
pub(crate) struct Registry<'a> {
    http: &'a Http,
    base: Url,
    host: String,
    basic: Credentials,
    /// The authorization that worked last, per scope.
    auth: RefCell<HashMap<String, Credentials>>,
}

impl<'a> Registry<'a> {
    /// Opens a session; credentials come from the options, else Helm's and Docker's config files.
    pub fn new(http: &'a Http, host: &str) -> Result<Registry<'a>> {
        let opts = http.options();
        let scheme = if opts.plain_http { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{host}/v2/"))
            .map_err(|e| Error::Oci { reference: host.to_owned(), reason: format!("bad registry host: {e}") })?;
        http.check_scheme(&base)?;
        let basic = match crate::http::option_credentials(opts) {
            Credentials::None => match registry_credentials(host, opts.registry_config.as_deref())? {
                Some((user, pass)) => Credentials::Basic { user, pass },
                None => Credentials::None,
            },
            c => c,
        };
        Ok(Registry { http, base, host: host.to_owned(), basic, auth: RefCell::new(HashMap::new()) })
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base.join(path).map_err(|e| Error::Oci { reference: self.host.clone(), reason: e.to_string() })
    }

    /// The credentials to use for `scope` (after a challenge was answered).
    pub fn credentials(&self, scope: &str) -> Credentials {
        self.auth.borrow().get(scope).cloned().unwrap_or_default()
    }

    /// GET (or HEAD) with the challenge flow: anonymous first, then Basic or a Bearer token for `scope`.
    pub fn get(&self, url: &Url, accept: Option<&str>, scope: &str, limit: u64) -> Result<Fetched> {
        let current = self.credentials(scope);
        let mut req = Request::get(url.clone(), &current);
        req.accept = accept;
        req.auth_origin = Some(self.base.origin());
        let first = self.http.fetch(&req, limit)?;
        if first.status != 401 {
            return Ok(first);
        }
        let challenge = first.header("www-authenticate").unwrap_or("").to_owned();
        let (scheme, params) = parse_challenge(&challenge);
        let next = match scheme.as_str() {
            "basic" => {
                if !self.basic.is_some() {
                    return Err(Error::Auth {
                        url: RedactedUrl::new(url),
                        status: 401,
                        hint: "the registry requires credentials: use --username/--password or `helm registry login`"
                            .into(),
                    });
                }
                self.basic.clone()
            }
            "bearer" => self.token(&params, scope)?,
            _ => return Err(status_error(url, 401, "")),
        };
        if matches!(current, Credentials::Basic { .. }) && matches!(next, Credentials::Basic { .. }) {
            return Err(status_error(url, 401, ""));
        }
        let mut req = Request::get(url.clone(), &next);
        req.accept = accept;
        req.auth_origin = Some(self.base.origin());
        let second = self.http.fetch(&req, limit)?;
        if second.status == 401 || second.status == 403 {
            return Err(Error::Auth {
                url: RedactedUrl::new(url),
                status: second.status,
                hint: if self.basic.is_some() {
                    "the registry refused the credentials".into()
                } else {
                    "the registry requires credentials: use --username/--password or `helm registry login`".into()
                },
            });
        }
        self.auth.borrow_mut().insert(scope.to_owned(), next);
        Ok(second)
    }

    fn token(&self, params: &HashMap<String, String>, scope: &str) -> Result<Credentials> {
        let realm = params.get("realm").ok_or_else(|| Error::Oci {
            reference: self.host.clone(),
            reason: "Bearer challenge without a realm".into(),
        })?;
        let mut url = Url::parse(realm)
            .map_err(|e| Error::Oci { reference: self.host.clone(), reason: format!("bad token realm: {e}") })?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = params.get("service") {
                q.append_pair("service", s);
            }
            q.append_pair("scope", params.get("scope").map_or(scope, String::as_str));
        }
        // The realm is the registry's designated token service: it receives the registry credentials, as with
        // every Docker-compatible client.
        let mut req = Request::get(url.clone(), &self.basic);
        req.auth_origin = Some(url.origin());
        let resp = self.http.fetch(&req, 1 << 20)?;
        if resp.status != 200 {
            return Err(Error::Auth {
                url: RedactedUrl::new(&url),
                status: resp.status,
                hint: if self.basic.is_some() {
                    "the token service refused the credentials".into()
                } else {
                    "the registry requires credentials: use --username/--password or `helm registry login`".into()
                },
            });
        }
        let t: TokenResponse = serde_json::from_slice(&resp.body)
            .map_err(|e| Error::Oci { reference: self.host.clone(), reason: format!("bad token response: {e}") })?;
        let token = t.token.or(t.access_token).filter(|t| !t.is_empty()).ok_or_else(|| Error::Oci {
            reference: self.host.clone(),
            reason: "token response without a token".into(),
        })?;
        Ok(Credentials::Bearer(Secret::new(token)))
    }

    /// Fetches a manifest by tag or digest; returns its bytes and digest (verified against a digest reference).
    pub fn manifest(&self, repository: &str, reference: &str, limit: u64) -> Result<(Vec<u8>, String)> {
        let scope = format!("repository:{repository}:pull");
        let url = self.url(&format!("{repository}/manifests/{reference}"))?;
        let resp = self.get(&url, Some(MANIFEST_ACCEPT), &scope, limit)?;
        let shown = format!("{}/{repository}:{reference}", self.host);
        match resp.status {
            200 => {}
            404 => {
                return Err(Error::NotFound(format!("oci://{shown}: manifest not found")));
            }
            s => return Err(status_error(&url, s, "")),
        }
        let digest = crate::cache::sha256_digest(&resp.body);
        if reference.starts_with("sha256:") && digest != reference {
            return Err(Error::DigestMismatch {
                what: format!("oci://{shown}"),
                expected: reference.to_owned(),
                actual: digest,
            });
        }
        if let Some(h) = resp.header("docker-content-digest")
            && h.starts_with("sha256:")
            && h != digest
        {
            return Err(Error::DigestMismatch {
                what: format!("oci://{shown} (Docker-Content-Digest)"),
                expected: h.to_owned(),
                actual: digest,
            });
        }
        Ok((resp.body, digest))
    }

    /// Lists every tag of a repository (following `Link` pagination).
    pub fn tags(&self, repository: &str, limit: u64) -> Result<Vec<String>> {
        let scope = format!("repository:{repository}:pull");
        let mut url = self.url(&format!("{repository}/tags/list?n=1000"))?;
        let mut out = Vec::new();
        for _ in 0..1000 {
            let resp = self.get(&url, Some("application/json"), &scope, limit)?;
            match resp.status {
                200 => {}
                404 => return Err(Error::NotFound(format!("oci://{}/{repository}: repository not found", self.host))),
                s => return Err(status_error(&url, s, "")),
            }
            let list: TagList = serde_json::from_slice(&resp.body).map_err(|e| Error::Oci {
                reference: format!("{}/{repository}", self.host),
                reason: format!("bad tag list: {e}"),
            })?;
            out.extend(list.tags.unwrap_or_default());
            let next = resp.header("link").and_then(|l| {
                let start = l.find('<')?;
                let end = l[start..].find('>')? + start;
                l.contains("rel=\"next\"").then(|| l[start + 1..end].to_owned())
            });
            match next {
                Some(n) => {
                    url = self
                        .base
                        .join(&n)
                        .map_err(|e| Error::Oci { reference: self.host.clone(), reason: e.to_string() })?
                }
                None => return Ok(out),
            }
        }
        Err(Error::Oci { reference: format!("{}/{repository}", self.host), reason: "too many tag pages".into() })
    }

    /// The URL of a blob, for a streaming download with [`Registry::credentials`].
    pub fn blob_url(&self, repository: &str, digest: &str) -> Result<Url> {
        self.url(&format!("{repository}/blobs/{digest}"))
    }

    /// The registry origin (credentials are sent there only).
    pub fn origin(&self) -> url::Origin {
        self.base.origin()
    }
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, DockerAuth>,
    #[serde(rename = "credHelpers", default)]
    cred_helpers: HashMap<String, String>,
    #[serde(rename = "credsStore", default)]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct DockerAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

fn config_files(helm_config: Option<&std::path::Path>) -> Vec<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = env("HOME");
    let mut files = Vec::new();
    // Helm's registry configuration first (`helm registry login` writes it), then Docker's.
    if let Some(f) = helm_config {
        files.push(f.to_path_buf());
    } else if let Some(f) = env("HELM_REGISTRY_CONFIG") {
        files.push(f);
    } else if let Some(x) = env("XDG_CONFIG_HOME") {
        files.push(x.join("helm/registry/config.json"));
    } else if let Some(h) = &home {
        files.push(h.join(".config/helm/registry/config.json"));
    }
    if let Some(d) = env("DOCKER_CONFIG") {
        files.push(d.join("config.json"));
    } else if let Some(h) = &home {
        files.push(h.join(".docker/config.json"));
    }
    files
}

fn host_of_key(key: &str) -> &str {
    let k = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

fn run_helper(helper: &str, host: &str) -> Result<Option<(String, Secret)>> {
    if helper.is_empty() || !helper.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        return Err(Error::Credentials(format!("invalid credential helper name {helper:?}")));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = match Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Err(Error::Credentials(format!("cannot run {program}: {e}"))),
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(host.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| Error::Credentials(format!("{program}: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        if msg.to_ascii_lowercase().contains("not found") {
            return Ok(None);
        }
        return Err(Error::Credentials(format!("{program} failed: {}", scrub(msg.trim()))));
    }
    let parsed: HelperOutput = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Credentials(format!("{program}: unreadable output: {e}")))?;
    if parsed.username == "<token>" || parsed.secret.is_empty() {
        // Identity tokens (OAuth refresh tokens) are not supported; treat as no credentials.
        return Ok(None);
    }
    Ok(Some((parsed.username, Secret::new(parsed.secret))))
}

/// Credentials for a registry host from Helm's registry config and Docker's `config.json` (with helpers).
pub(crate) fn registry_credentials(
    host: &str,
    helm_config: Option<&std::path::Path>,
) -> Result<Option<(String, Secret)>> {
    for file in config_files(helm_config) {
        let text = match std::fs::read(&file) {
            Ok(t) => t,
            Err(_) => continue,
        };
        let cfg: DockerConfig =
            serde_json::from_slice(&text).map_err(|e| Error::Credentials(format!("{}: {e}", file.display())))?;
        if let Some(helper) = cfg.cred_helpers.iter().find(|(k, _)| host_of_key(k) == host).map(|(_, v)| v) {
            return run_helper(helper, host);
        }
        if let Some(auth) = cfg.auths.iter().find(|(k, _)| host_of_key(k) == host).map(|(_, v)| v) {
            if let Some(encoded) = auth.auth.as_deref().filter(|a| !a.is_empty()) {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|d| String::from_utf8(d).ok())
                    .ok_or_else(|| Error::Credentials(format!("{}: bad auth entry for {host}", file.display())))?;
                let (u, p) = decoded
                    .split_once(':')
                    .ok_or_else(|| Error::Credentials(format!("{}: bad auth entry for {host}", file.display())))?;
                return Ok(Some((u.to_owned(), Secret::new(p))));
            }
            if let (Some(u), Some(p)) = (&auth.username, &auth.password) {
                return Ok(Some((u.clone(), Secret::new(p.clone()))));
            }
        }
        if let Some(store) = cfg.creds_store.as_deref().filter(|s| !s.is_empty()) {
            match run_helper(store, host) {
                Ok(Some(c)) => return Ok(Some(c)),
                Ok(None) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }
    Ok(None)
}

/// Picks the tag Helm would pick: the exact version if listed, else the highest tag (strict semver after `_`→`+`)
/// satisfying the constraint. Returns the tag as stored (with `_`).
pub(crate) fn select_tag(tags: &[String], version: Option<&str>, devel: bool, reference: &str) -> Result<String> {
    use crate::semver::{Constraints, Version};
    let mut versions: Vec<(Version, String)> =
        tags.iter().filter_map(|t| Version::parse_strict(&t.replace('_', "+")).ok().map(|v| (v, t.clone()))).collect();
    crate::semver::sort_descending(&mut versions);
    if versions.is_empty() {
        return Err(Error::NotFound(format!("unable to locate any tags in provided repository: oci://{reference}")));
    }
    let requested = match (version, devel) {
        (Some(v), _) => Some(v),
        (None, true) => Some(">0.0.0-0"),
        (None, false) => None,
    };
    if let Some(v) = requested
        && let Some((_, t)) = versions.iter().find(|(ver, _)| ver.to_string() == v)
    {
        return Ok(t.clone());
    }
    let text = requested.unwrap_or("*");
    let c = Constraints::parse(text)
        .map_err(|e| Error::Constraint { constraint: text.to_owned(), reason: e.to_string() })?;
    versions
        .iter()
        .find(|(v, _)| c.matches(v))
        .map(|(_, t)| t.clone())
        .ok_or_else(|| Error::NotFound(format!("could not locate a version matching provided version string {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.test/token",service="reg.test",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p["realm"], "https://auth.test/token");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!((s.as_str(), p["realm"].as_str()), ("basic", "Registry Realm"));
    }

    #[test]
    fn tag_selection() {
        let tags: Vec<String> = ["0.1.0", "0.2.0", "1.0.0_build.1", "latest", "1.1.0-rc.1", "v2.0.0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(select_tag(&tags, None, false, "r").unwrap(), "1.0.0_build.1");
        assert_eq!(select_tag(&tags, Some("~0.1"), false, "r").unwrap(), "0.1.0");
        assert_eq!(select_tag(&tags, None, true, "r").unwrap(), "1.1.0-rc.1");
        assert_eq!(select_tag(&tags, Some("1.0.0+build.1"), false, "r").unwrap(), "1.0.0_build.1");
        assert!(select_tag(&tags, Some(">=3"), false, "r").is_err());
    }

    #[test]
    fn manifest_checks() {
        let d = format!("sha256:{}", "b".repeat(64));
        let ok: Manifest = serde_json::from_str(&format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{HELM_CONFIG_MEDIA_TYPE}","digest":"{d}","size":1}},"layers":[{{"mediaType":"{HELM_CHART_LAYER_MEDIA_TYPE}","digest":"{d}","size":5}}]}}"#
        ))
        .unwrap();
        assert_eq!(ok.chart_layer("r").unwrap().size, 5);
        let image: Manifest = serde_json::from_str(&format!(
            r#"{{"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{d}"}},"layers":[]}}"#
        ))
        .unwrap();
        assert!(image.chart_layer("r").is_err());
    }
}
