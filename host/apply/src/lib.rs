//! kiln apply: server-side apply with inventory-based pruning, dry-run, diff and health waits.
//!
//! The library behind `kiln apply` and `kiln diff`:
//!
//! * [`Cluster::connect`] reads credentials the way kubectl does (`--kubeconfig`, `KUBECONFIG`, `--context`,
//!   `--namespace`);
//! * [`apply`] applies a set of objects with server-side apply (field manager `kiln`) in stages
//!   ([`engine::stage_of`]), records the set in an ApplySet-compatible inventory ([`inventory`]) and prunes what
//!   left the set; with [`ApplyOptions::dry_run`] it writes nothing and returns the plan, which is what
//!   [`diff`] does with unified diffs;
//! * discovery degrades per API group ([`discovery`]); health follows kstatus-like rules ([`health`]).
//!
//! See `docs/apply.md` in the repository for the behaviour in full.

pub mod cluster;
pub mod diff;
pub mod discovery;
pub mod engine;
pub mod error;
pub mod health;
pub mod inventory;
pub mod object;
pub mod report;

pub use cluster::{Cluster, ConnectOptions};
pub use engine::{ApplyOptions, PruneHook, apply, stage_of};
pub use error::{Error, FieldConflict, ObjectError};
pub use health::Health;
pub use object::ObjectId;
pub use report::{Action, ObjectReport, PruneOutcome, PruneReport, Report};

/// The default field manager.
pub const FIELD_MANAGER: &str = "kiln";
/// Annotation on a live object that keeps it from being pruned: `kiln.dev/prune: disabled`.
pub const ANNOTATION_PRUNE: &str = "kiln.dev/prune";
/// Annotation on a manifest that allows recreating it when an immutable field changes:
/// `kiln.dev/recreate: enabled`.
pub const ANNOTATION_RECREATE: &str = "kiln.dev/recreate";

/// `kiln diff`: a server-side dry-run of [`apply`] with unified diffs (Secret values masked). Use
/// [`Report::render_diff`] for the text and [`Report::diff_exit_code`] for the exit status.
pub async fn diff(cluster: &Cluster, objects: &[serde_json::Value], opts: &ApplyOptions) -> Result<Report, Error> {
    let opts = ApplyOptions { dry_run: true, diff: true, ..opts.clone() };
    apply(cluster, objects, &opts).await
}
