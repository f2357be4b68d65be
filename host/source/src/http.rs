//! The one HTTP client behind Helm repositories, direct chart URLs and OCI registries.
//!
//! Built on `ureq` (rustls with the `ring` provider). It adds what Helm's getters do and a little more:
//!
//! * TLS: the system trust store (`SSL_CERT_FILE`/`SSL_CERT_DIR` honoured) or, with `--ca-file`, only that bundle;
//!   client certificates; `--insecure-skip-tls-verify`;
//! * plain HTTP only with `--plain-http` and only to loopback hosts; no HTTPS-to-HTTP redirect without it;
//! * redirects followed by hand, so credentials are dropped when a redirect leaves the origin they belong to
//!   (unless `--pass-credentials`);
//! * timeouts, bounded retries with exponential backoff on transient failures, a size cap on every body, and a
//!   sha256 computed while streaming into the cache's temporary file, with a progress bar on terminals.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use url::Url;

use crate::cache::TempBlob;
use crate::error::{Error, Result};
use crate::options::ConnectionOptions;
use crate::redact::{RedactedUrl, Secret, scrub};

/// Credentials for one request.
#[derive(Debug, Clone, Default)]
pub(crate) enum Credentials {
    /// Anonymous.
    #[default]
    None,
    /// HTTP basic authentication.
    Basic { user: String, pass: Secret },
    /// A bearer token.
    Bearer(Secret),
}

impl Credentials {
    fn header(&self) -> Option<String> {
        match self {
            Credentials::None => None,
            Credentials::Basic { user, pass } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", pass.expose()))
            )),
            Credentials::Bearer(t) => Some(format!("Bearer {}", t.expose())),
        }
    }
    pub fn is_some(&self) -> bool {
        !matches!(self, Credentials::None)
    }
}

/// One request.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    pub url: Url,
    pub accept: Option<&'a str>,
    pub auth: &'a Credentials,
    /// The origin whose hosts may receive `auth`; with `None`, the request URL's own origin.
    pub auth_origin: Option<url::Origin>,
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
    pub head: bool,
}

impl<'a> Request<'a> {
    pub fn get(url: Url, auth: &'a Credentials) -> Request<'a> {
        Request {
            url,
            accept: None,
            auth,
            auth_origin: None,
            if_none_match: None,
            if_modified_since: None,
            head: false,
        }
    }
}

/// Status, headers and (unread) body of a response.
pub(crate) struct Response {
    pub status: u16,
    pub url: Url,
    headers: Vec<(String, String)>,
    body: ureq::Body,
}

impl Response {
    /// A header value by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A response body read into memory.
pub(crate) struct Fetched {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What a download into a temporary cache file produced.
pub(crate) enum Download {
    /// The server answered 304 to a conditional request.
    NotModified,
    /// The body is in the temporary file.
    Done { etag: Option<String>, last_modified: Option<String> },
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The HTTP client. Cheap to share by reference; connections are pooled per host.
pub(crate) struct Http {
    agent: ureq::Agent,
    opts: ConnectionOptions,
    progress: bool,
}

fn read_pem(path: &std::path::Path, flag: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Config(format!("{flag} {}: {e}", path.display())))
}

fn tls_config(opts: &ConnectionOptions) -> Result<TlsConfig> {
    let mut b = TlsConfig::builder();
    if let Some(ca) = &opts.ca_file {
        let pem = read_pem(ca, "--ca-file")?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(Error::Config(format!("--ca-file {}: no PEM certificates found", ca.display())));
        }
        b = b.root_certs(RootCerts::Specific(Arc::new(certs)));
    } else {
        let native = rustls_native_certs::load_native_certs();
        let certs: Vec<Certificate<'static>> =
            native.certs.iter().map(|c| Certificate::from_der(c.as_ref()).to_owned()).collect();
        if certs.is_empty() {
            tracing::warn!("no certificates in the system trust store; using the bundled Mozilla roots");
            b = b.root_certs(RootCerts::WebPki);
        } else {
            b = b.root_certs(RootCerts::Specific(Arc::new(certs)));
        }
    }
    match (&opts.cert_file, &opts.key_file) {
        (Some(cert), Some(key)) => {
            let cert_pem = read_pem(cert, "--cert-file")?;
            let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(&cert_pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if chain.is_empty() {
                return Err(Error::Config(format!("--cert-file {}: no PEM certificate found", cert.display())));
            }
            let key_pem = read_pem(key, "--key-file")?;
            let key = PrivateKey::from_pem(&key_pem)
                .map_err(|e| Error::Config(format!("--key-file {}: {e}", key.display())))?;
            b = b.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        (None, None) => {}
        _ => return Err(Error::Config("--cert-file and --key-file must be given together".into())),
    }
    if opts.insecure_skip_tls_verify {
        b = b.disable_verification(true);
    }
    Ok(b.build())
}

/// Maps a transport error to ours; TLS problems are told apart so the message can point at `--ca-file`.
fn map_ureq(url: &Url, e: ureq::Error) -> Error {
    let red = RedactedUrl::new(url);
    let text = scrub(&e.to_string());
    let lower = text.to_ascii_lowercase();
    let tls = matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
        || lower.contains("certificate")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
        || lower.contains("tls");
    if tls {
        return Error::Tls { url: red, message: text };
    }
    let message = match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        _ => text,
    };
    Error::Network { url: red, message }
}

impl Http {
    /// Builds the client from the connection options (reads CA and client-certificate files now).
    pub fn new(opts: &ConnectionOptions, progress: bool) -> Result<Http> {
        let tls = tls_config(opts)?;
        let config = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(format!("kiln/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_recv_response(Some(opts.read_timeout))
            .timeout_per_read(Some(opts.read_timeout))
            .timeout_global(Some(opts.request_timeout))
            .build();
        Ok(Http { agent: config.new_agent(), opts: opts.clone(), progress })
    }

    /// The options this client was built with.
    pub fn options(&self) -> &ConnectionOptions {
        &self.opts
    }

    /// Checks the scheme rules: HTTPS always; HTTP only with `--plain-http` and to loopback.
    pub fn check_scheme(&self, url: &Url) -> Result<()> {
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.opts.plain_http && is_loopback(url) => Ok(()),
            "http" if self.opts.plain_http => Err(Error::Config(format!(
                "{}: plain HTTP is only allowed to loopback addresses",
                RedactedUrl::new(url)
            ))),
            "http" => Err(Error::Config(format!(
                "{}: plain HTTP needs --plain-http (and a loopback address)",
                RedactedUrl::new(url)
            ))),
            other => Err(Error::Config(format!("{}: unsupported scheme {other:?}", RedactedUrl::new(url)))),
        }
    }

    /// Sends one request, following up to 10 redirects. Credentials go only to the allowed origin unless
    /// `--pass-credentials`.
    pub fn send(&self, req: &Request<'_>) -> Result<Response> {
        let origin = req.auth_origin.clone().unwrap_or_else(|| req.url.origin());
        let mut url = req.url.clone();
        for _ in 0..=10 {
            self.check_scheme(&url)?;
            let send_auth = self.opts.pass_credentials || url.origin() == origin;
            let mut b = if req.head { self.agent.head(url.as_str()) } else { self.agent.get(url.as_str()) };
            if let Some(a) = req.accept {
                b = b.header("Accept", a);
            }
            if send_auth && let Some(h) = req.auth.header() {
                b = b.header("Authorization", h);
            }
            if let Some(e) = req.if_none_match {
                b = b.header("If-None-Match", e);
            }
            if let Some(m) = req.if_modified_since {
                b = b.header("If-Modified-Since", m);
            }
            let resp = b.call().map_err(|e| map_ureq(&url, e))?;
            let status = resp.status().as_u16();
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
                .collect();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let loc = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| Error::HttpStatus {
                        url: RedactedUrl::new(&url),
                        status,
                        detail: ": redirect without a Location header".into(),
                    })?;
                let next = url.join(&loc).map_err(|e| Error::HttpStatus {
                    url: RedactedUrl::new(&url),
                    status,
                    detail: format!(": bad redirect location: {e}"),
                })?;
                if url.scheme() == "https" && next.scheme() != "https" && !self.opts.plain_http {
                    return Err(Error::HttpStatus {
                        url: RedactedUrl::new(&url),
                        status,
                        detail: format!(": refusing redirect from HTTPS to {}", RedactedUrl::new(&next)),
                    });
                }
                url = next;
                continue;
            }
            return Ok(Response { status, url, headers, body: resp.into_body() });
        }
        Err(Error::HttpStatus { url: RedactedUrl::new(&req.url), status: 310, detail: ": too many redirects".into() })
    }

    /// Runs `f` with bounded retries and exponential backoff on transient errors.
    pub fn retry<T>(&self, mut f: impl FnMut() -> Result<T>) -> Result<T> {
        let mut delay = self.opts.backoff;
        let mut attempt = 0;
        loop {
            match f() {
                Err(e) if e.is_transient() && attempt < self.opts.retries => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "transient failure; retrying in {:?}", delay);
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2).min(Duration::from_secs(30));
                }
                other => return other,
            }
        }
    }

    /// Reads a whole body (up to `limit` bytes) of a request, with retries. Statuses are returned, not turned into
    /// errors, except that a body over the limit is an error.
    pub fn fetch(&self, req: &Request<'_>, limit: u64) -> Result<Fetched> {
        self.retry(|| {
            let resp = self.send(req)?;
            let status = resp.status;
            if status >= 500 || status == 429 {
                return Err(status_error(&resp.url, status, ""));
            }
            let mut body = Vec::new();
            let url = resp.url.clone();
            let headers = resp.headers.clone();
            if !req.head {
                let mut reader = resp.body.into_reader().take(limit.saturating_add(1));
                reader.read_to_end(&mut body).map_err(|e| Error::Network {
                    url: RedactedUrl::new(&url),
                    message: format!("reading the response failed: {}", scrub(&e.to_string())),
                })?;
                if body.len() as u64 > limit {
                    return Err(Error::limit(
                        RedactedUrl::new(&url).to_string(),
                        format!("response exceeds {limit} bytes"),
                    ));
                }
            }
            Ok(Fetched { status, headers, body })
        })
    }

    /// Streams a body into `temp` (hashing as it goes), with retries that restart from zero. 401/403/404 and other
    /// non-success statuses become errors; a conditional request may yield [`Download::NotModified`].
    pub fn download(&self, req: &Request<'_>, temp: &mut TempBlob, limit: u64, label: &str) -> Result<Download> {
        self.retry(|| {
            temp.reset()?;
            let resp = self.send(req)?;
            match resp.status {
                200 => {}
                304 if req.if_none_match.is_some() || req.if_modified_since.is_some() => {
                    return Ok(Download::NotModified);
                }
                s => return Err(status_error(&resp.url, s, "")),
            }
            let url = resp.url.clone();
            let encoded = resp.header("content-encoding").is_some_and(|v| !v.eq_ignore_ascii_case("identity"));
            let length = resp.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(n) = length
                && n > limit
                && !encoded
            {
                return Err(Error::limit(label, format!("{n} bytes is more than the {limit} byte download limit")));
            }
            let etag = resp.header("etag").map(str::to_owned);
            let last_modified = resp.header("last-modified").map(str::to_owned);
            let bar = self.progress_bar(label, if encoded { None } else { length });
            let mut reader = resp.body.into_reader();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        bar.abandon();
                        return Err(Error::Network {
                            url: RedactedUrl::new(&url),
                            message: format!("download interrupted: {}", scrub(&e.to_string())),
                        });
                    }
                };
                if temp.size() + n as u64 > limit {
                    bar.abandon();
                    return Err(Error::limit(label, format!("more than the {limit} byte download limit")));
                }
                let chunk = buf.get(..n).unwrap_or_default();
                temp.write_all(chunk).map_err(|e| Error::Network {
                    url: RedactedUrl::new(&url),
                    message: format!("writing the cache failed: {e}"),
                })?;
                bar.inc(n as u64);
            }
            bar.finish_and_clear();
            if let Some(n) = length
                && !encoded
                && temp.size() != n
            {
                return Err(Error::Network {
                    url: RedactedUrl::new(&url),
                    message: format!("download truncated: got {} of {n} bytes", temp.size()),
                });
            }
            Ok(Download::Done { etag: etag.clone(), last_modified: last_modified.clone() })
        })
    }

    fn progress_bar(&self, label: &str, len: Option<u64>) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
        let style = if len.is_some() {
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
        } else {
            ProgressStyle::with_template("{msg} {bytes} {bytes_per_sec}")
        };
        if let Ok(s) = style {
            bar.set_style(s.progress_chars("=> "));
        }
        bar.set_message(label.to_owned());
        bar
    }
}

/// The error for a non-success status; 401/403 become [`Error::Auth`].
pub(crate) fn status_error(url: &Url, status: u16, detail: &str) -> Error {
    match status {
        401 | 403 => Error::Auth {
            url: RedactedUrl::new(url),
            status,
            hint: "check --username/--password (or the registry login)".into(),
        },
        _ => Error::HttpStatus {
            url: RedactedUrl::new(url),
            status,
            detail: if detail.is_empty() { String::new() } else { format!(": {detail}") },
        },
    }
}

/// The basic-auth or bearer credentials the options give, if any.
pub(crate) fn option_credentials(opts: &ConnectionOptions) -> Credentials {
    if let Some(t) = &opts.token {
        return Credentials::Bearer(t.clone());
    }
    match (&opts.username, &opts.password) {
        // Helm sends basic auth only when both parts are non-empty.
        (Some(u), Some(p)) if !u.is_empty() && !p.expose().is_empty() => {
            Credentials::Basic { user: u.clone(), pass: p.clone() }
        }
        _ => Credentials::None,
    }
}

/// One file over HTTP(S) (kustomize's remote resource files): the final status and, on success, the body (at most
/// `limit` bytes). Same client rules as every other fetch: TLS verified against the system store or `--ca-file`,
/// plain HTTP only to loopback with `--plain-http`, credentials kept to their origin, retries on transient failures.
/// A non-success status is returned, not turned into an error, so the caller can try the URL another way.
pub fn get_file(url: &str, opts: &ConnectionOptions, limit: u64) -> Result<(u16, Vec<u8>)> {
    let parsed = Url::parse(url).map_err(|e| Error::Config(format!("invalid URL {}: {e}", scrub(url))))?;
    let http = Http::new(opts, false)?;
    let auth = option_credentials(opts);
    let fetched = http.fetch(&Request::get(parsed, &auth), limit)?;
    let body = if (200..300).contains(&fetched.status) { fetched.body } else { Vec::new() };
    Ok((fetched.status, body))
}
