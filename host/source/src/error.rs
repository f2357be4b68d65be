//! The error type of every fallible operation in this crate. Messages never contain credentials: URLs appear as
//! [`RedactedUrl`](crate::redact::RedactedUrl) and text from other programs is passed through
//! [`scrub`](crate::redact::scrub).

use std::path::PathBuf;

use crate::redact::RedactedUrl;

/// Everything that can go wrong while parsing, resolving, fetching or caching a source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source reference or one of its flags is malformed.
    #[error("invalid source reference {input:?}: {reason}")]
    InvalidRef {
        /// The reference as given (credentials removed).
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `--version` constraint does not parse.
    #[error("invalid version constraint {constraint:?}: {reason}")]
    Constraint {
        /// The constraint text.
        constraint: String,
        /// The parser's message.
        reason: String,
    },
    /// A connection option is unusable (unreadable CA bundle, bad client key, ...).
    #[error("{0}")]
    Config(String),
    /// The server refused the credentials, or asked for some and none were given.
    #[error("{url}: authentication failed (HTTP {status}); {hint}")]
    Auth {
        /// Where.
        url: RedactedUrl,
        /// 401 or 403.
        status: u16,
        /// What the user can do.
        hint: String,
    },
    /// An unexpected HTTP status.
    #[error("{url}: HTTP {status}{detail}")]
    HttpStatus {
        /// Where.
        url: RedactedUrl,
        /// The status code.
        status: u16,
        /// Extra context (starts with a separator when not empty).
        detail: String,
    },
    /// The server's certificate was not trusted, or the TLS handshake failed.
    #[error("{url}: TLS error: {message} (use --ca-file for a private CA)")]
    Tls {
        /// Where.
        url: RedactedUrl,
        /// The TLS library's message.
        message: String,
    },
    /// A connection, timeout or transfer failure (after the retries ran out).
    #[error("{url}: {message}")]
    Network {
        /// Where.
        url: RedactedUrl,
        /// What happened.
        message: String,
    },
    /// Content did not have the digest it was pinned to.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was checked.
        what: String,
        /// The digest asked for.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// An archive or directory is unsafe or malformed.
    #[error("{what}: {reason}")]
    Archive {
        /// The archive or directory.
        what: String,
        /// Why it was refused.
        reason: String,
    },
    /// A size or count limit was exceeded.
    #[error("{what}: {reason} (limits are configurable; see docs/sources.md)")]
    Limit {
        /// The archive, file or download.
        what: String,
        /// Which limit.
        reason: String,
    },
    /// The Helm repository index does not list the chart, or no version matches.
    #[error("{0}")]
    NotFound(String),
    /// A Helm repository index could not be used.
    #[error("index {url}: {reason}")]
    Index {
        /// The index URL.
        url: RedactedUrl,
        /// Why.
        reason: String,
    },
    /// An OCI registry interaction failed in a protocol-level way.
    #[error("oci://{reference}: {reason}")]
    Oci {
        /// Registry, repository and tag or digest.
        reference: String,
        /// Why.
        reason: String,
    },
    /// A Git operation failed.
    #[error("git {url}: {reason}")]
    Git {
        /// The repository URL (credentials removed).
        url: String,
        /// Why (scrubbed `git` output).
        reason: String,
    },
    /// `--offline` was given and the cache cannot answer.
    #[error("offline: {0} is not in the cache (run `kiln fetch` while online)")]
    NotCached(String),
    /// Reading or writing the cache failed.
    #[error("cache {}: {source}", path.display())]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Reading a local source failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Docker or Helm registry credentials could not be read.
    #[error("registry credentials: {0}")]
    Credentials(String),
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// True for failures worth retrying: connection problems, timeouts, truncated transfers, HTTP 5xx and 429.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Network { .. } => true,
            Error::HttpStatus { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn cache(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Cache { path: path.into(), source }
    }

    pub(crate) fn limit(what: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Limit { what: what.into(), reason: reason.into() }
    }

    pub(crate) fn archive(what: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Archive { what: what.into(), reason: reason.into() }
    }
}
