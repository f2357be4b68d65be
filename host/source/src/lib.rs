//! kiln sources: fetch charts and overlays from local paths, Helm HTTPS repositories, OCI registries and Git into a
//! content-addressed, verified cache, and hand them out as file lists.
//!
//! The CLI's path through this crate:
//!
//! ```no_run
//! use kiln_source::{FetchOptions, Fetcher, RefFlags, SourceRef};
//! # fn main() -> Result<(), kiln_source::Error> {
//! let flags = RefFlags { repo: Some("https://charts.example.com".into()), version: Some("^1.2".into()), devel: false };
//! let source = SourceRef::parse("my-chart", &flags)?;
//! let fetcher = Fetcher::new(FetchOptions::default())?;
//! let fetched = fetcher.fetch(&source)?;
//! println!("{} {}", fetched.revision, fetched.digest);
//! for file in &fetched.files {
//!     let _ = (&file.path, file.data.len());
//! }
//! # Ok(()) }
//! ```
//!
//! Modules: [`reference`] parses references, [`semver`] implements Helm's version constraints, [`helm_repo`] reads
//! repository indexes lazily, `oci` and `git` talk to registries and Git, [`cache`] stores verified blobs,
//! [`archive`] reads archives and directories under [`Limits`], [`redact`] keeps credentials out of messages.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod archive;
pub mod cache;
mod error;
mod fetch;
mod git;
pub mod helm_repo;
mod http;
mod oci;
mod options;
pub mod redact;
pub mod reference;
pub mod semver;
mod yamlnode;

pub use archive::SourceFile;
pub use cache::{Cache, CacheEntry, PruneOptions, PruneReport};
pub use error::{Error, Result};
pub use fetch::{FetchOptions, Fetched, Fetcher, SourceKind, fetch};
pub use http::get_file;
pub use oci::{HELM_CHART_LAYER_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE};
pub use options::{ConnectionOptions, Limits};
pub use redact::{RedactedUrl, Secret};
pub use reference::{GitRef, GitRevision, OciRef, RefFlags, SourceRef, UrlCredentials};
