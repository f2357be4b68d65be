//! Helm's source and connection flags, shared by every command that fetches (`template`, `fetch`, `kustomize`), mapped onto
//! `kiln-source`.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use kiln_source::{ConnectionOptions, FetchOptions, Fetched, RefFlags, Secret, SourceRef};

/// How to reach servers (Helm's connection flags) and whether to use the network at all. Shared by every command
/// that fetches; with Git over HTTPS the credentials and CA apply too.
#[derive(Debug, Clone, Default, Args)]
pub(super) struct ConnectionFlags {
    /// Use only the local cache; fail instead of touching the network.
    #[arg(long, help_heading = "Source")]
    offline: bool,
    /// Verify servers with this CA bundle (PEM) instead of the system trust store.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    cert_file: Option<PathBuf>,
    /// Client private key (PEM) for mutual TLS.
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    key_file: Option<PathBuf>,
    /// Skip TLS certificate verification (unsafe; for testing only).
    #[arg(long, help_heading = "Connection")]
    insecure_skip_tls_verify: bool,
    /// User name for the repository, registry or Git server.
    #[arg(long, value_name = "USER", help_heading = "Connection")]
    username: Option<String>,
    /// Password (or token) for the repository, registry or Git server. Prefer KILN_PASSWORD: arguments are visible to
    /// other local users.
    #[arg(long, env = "KILN_PASSWORD", hide_env_values = true, value_name = "PASSWORD", help_heading = "Connection")]
    password: Option<String>,
    /// Send credentials to every host the repository's chart URLs point at, not only the repository's own.
    #[arg(long, help_heading = "Connection")]
    pass_credentials: bool,
    /// Allow plain HTTP to a loopback registry or repository.
    #[arg(long, help_heading = "Connection")]
    plain_http: bool,
    /// Registry credentials file (default: Helm's, then Docker's config.json).
    #[arg(long, value_name = "FILE", help_heading = "Connection")]
    registry_config: Option<PathBuf>,
}

impl ConnectionFlags {
    /// The connection settings alone (TLS, credentials, plain HTTP), for requests outside a source fetch.
    pub(super) fn connection_options(&self) -> ConnectionOptions {
        self.fetch_options().connection
    }

    /// `--offline`: nothing may touch the network.
    pub(super) fn offline(&self) -> bool {
        self.offline
    }

    fn fetch_options(&self) -> FetchOptions {
        FetchOptions {
            connection: ConnectionOptions {
                ca_file: self.ca_file.clone(),
                cert_file: self.cert_file.clone(),
                key_file: self.key_file.clone(),
                insecure_skip_tls_verify: self.insecure_skip_tls_verify,
                username: self.username.clone(),
                password: self.password.clone().map(Secret::new),
                pass_credentials: self.pass_credentials,
                plain_http: self.plain_http,
                registry_config: self.registry_config.clone(),
                ..ConnectionOptions::default()
            },
            offline: self.offline,
            progress: std::io::stderr().is_terminal(),
            ..FetchOptions::default()
        }
    }

    /// Fetch an already parsed source (from the cache when possible).
    pub(super) fn fetch(&self, r: &SourceRef) -> Result<Fetched> {
        self.fetch_with(r, self.fetch_options())
    }

    fn fetch_with(&self, r: &SourceRef, opts: FetchOptions) -> Result<Fetched> {
        let fetched = kiln_source::fetch(r, &opts).with_context(|| format!("fetching {r}"))?;
        tracing::info!(source = %fetched.source, revision = %fetched.revision, digest = %fetched.digest, "fetched");
        Ok(fetched)
    }
}

/// Where a chart comes from and how to reach it.
#[derive(Debug, Clone, Default, Args)]
pub(super) struct SourceFlags {
    /// Chart repository URL: CHART is then a chart name in that Helm repository.
    #[arg(long, value_name = "URL", help_heading = "Source")]
    repo: Option<String>,
    /// Version constraint for a repository or OCI chart (`1.2.3`, `^1.2`, `>=1.0 <2.0`); default: the latest stable.
    #[arg(long, value_name = "RANGE", help_heading = "Source")]
    version: Option<String>,
    /// Include pre-release versions when resolving a range.
    #[arg(long, help_heading = "Source")]
    devel: bool,
    #[command(flatten)]
    connection: ConnectionFlags,
}

impl SourceFlags {
    fn ref_flags(&self) -> RefFlags {
        RefFlags { repo: self.repo.clone(), version: self.version.clone(), devel: self.devel }
    }

    /// Parse `source` with these flags and fetch it (from the cache when possible).
    pub(super) fn fetch(&self, source: &str) -> Result<Fetched> {
        self.fetch_as(source, false)
    }

    /// [`SourceFlags::fetch`] for a command that only reads the files: a local directory is not digested.
    pub(super) fn fetch_files(&self, source: &str) -> Result<Fetched> {
        self.fetch_as(source, true)
    }

    fn fetch_as(&self, source: &str, skip_local_dir_digest: bool) -> Result<Fetched> {
        let r = SourceRef::parse(source, &self.ref_flags()).with_context(|| format!("chart reference `{source}`"))?;
        self.connection.fetch_with(&r, FetchOptions { skip_local_dir_digest, ..self.connection.fetch_options() })
    }
}
