//! Options the CLI fills: Helm's connection flags, network tuning, archive limits.

use std::path::PathBuf;
use std::time::Duration;

use crate::redact::Secret;

/// Helm's connection flags, with Helm's meaning, plus the network tuning every fetching command shares. They apply
/// to Helm repositories, OCI registries and Git over HTTPS alike.
#[derive(Debug, Clone)]
pub struct ConnectionOptions {
    /// `--ca-file`: verify servers with this PEM bundle *instead of* the system trust store (as Helm does).
    pub ca_file: Option<PathBuf>,
    /// `--cert-file`: client certificate (PEM) for mutual TLS; needs `key_file`.
    pub cert_file: Option<PathBuf>,
    /// `--key-file`: client private key (PEM) for mutual TLS; needs `cert_file`.
    pub key_file: Option<PathBuf>,
    /// `--insecure-skip-tls-verify`: do not verify server certificates.
    pub insecure_skip_tls_verify: bool,
    /// `--username`: basic-auth user for the repository or registry.
    pub username: Option<String>,
    /// `--password`: basic-auth password (or a token used as password).
    pub password: Option<Secret>,
    /// A bearer token for HTTPS Helm repositories and Git over HTTPS (for example from an environment variable).
    pub token: Option<Secret>,
    /// `--pass-credentials`: send credentials to every host, not only the repository's own.
    pub pass_credentials: bool,
    /// `--plain-http`: allow plain HTTP, and only to loopback addresses.
    pub plain_http: bool,
    /// Connect timeout per attempt.
    pub connect_timeout: Duration,
    /// Longest silence while waiting for response headers or body bytes.
    pub read_timeout: Duration,
    /// Upper bound for one request including its body (and for one `git` command).
    pub request_timeout: Duration,
    /// Retries after a transient network failure (so `retries + 1` attempts), with exponential backoff.
    pub retries: u32,
    /// First backoff delay; doubled after each failed attempt.
    pub backoff: Duration,
    /// `--registry-config`: Helm's registry credentials file (default `$HELM_REGISTRY_CONFIG`, else
    /// `$XDG_CONFIG_HOME/helm/registry/config.json`, else `~/.config/helm/registry/config.json`). Docker's
    /// `config.json` (`$DOCKER_CONFIG`, else `~/.docker`) is consulted after it.
    pub registry_config: Option<PathBuf>,
    /// `known_hosts` file for `git+ssh://` (default: OpenSSH's own, `~/.ssh/known_hosts`). Host keys are always
    /// verified.
    pub ssh_known_hosts: Option<PathBuf>,
    /// Private key for `git+ssh://` (default: the SSH agent and OpenSSH's usual identities).
    pub ssh_identity: Option<PathBuf>,
}

impl Default for ConnectionOptions {
    fn default() -> Self {
        ConnectionOptions {
            ca_file: None,
            cert_file: None,
            key_file: None,
            insecure_skip_tls_verify: false,
            username: None,
            password: None,
            token: None,
            pass_credentials: false,
            plain_http: false,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(600),
            retries: 3,
            backoff: Duration::from_millis(500),
            registry_config: None,
            ssh_known_hosts: None,
            ssh_identity: None,
        }
    }
}

/// Caps applied to everything fetched or read, so a hostile or broken source fails fast with a clear error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest download of a chart archive, OCI blob or direct `.tgz` URL (compressed bytes). Default 100 MiB.
    pub max_download_bytes: u64,
    /// Largest Helm repository `index.yaml`. Default 512 MiB.
    pub max_index_bytes: u64,
    /// Largest OCI manifest or other small JSON document. Default 4 MiB.
    pub max_manifest_bytes: u64,
    /// Largest total of decompressed file contents. Default 100 MiB (Helm's `MaxDecompressedChartSize`).
    pub max_total_bytes: u64,
    /// Largest single file. Default 5 MiB (Helm's `MaxDecompressedFileSize`).
    pub max_file_bytes: u64,
    /// Most files in one source. Default 10 000.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_download_bytes: 100 << 20,
            max_index_bytes: 512 << 20,
            max_manifest_bytes: 4 << 20,
            max_total_bytes: 100 << 20,
            max_file_bytes: 5 << 20,
            max_files: 10_000,
        }
    }
}
