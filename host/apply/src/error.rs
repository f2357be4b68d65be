//! Error types: fatal errors ([`Error`]) stop a run before or between stages; per-object failures are
//! [`ObjectError`]s recorded in the [`crate::Report`].

use crate::object::ObjectId;

/// A fatal error: the run could not start, or could not continue safely.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kubeconfig could not be read or lacks the requested context.
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    /// A manifest object is malformed (missing `apiVersion`, `kind`, `metadata.name`, ...).
    #[error("object #{index}: {message}")]
    Manifest {
        /// Position of the object in the input list (0-based).
        index: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Two objects in the set have the same identity.
    #[error("duplicate object in the set: {0}")]
    Duplicate(ObjectId),
    /// The API server could not be reached or answered a request kiln cannot do without.
    #[error("{context}: {source}")]
    Api {
        /// What kiln was doing.
        context: String,
        /// The client error.
        #[source]
        source: Box<kube::Error>,
    },
    /// The inventory parent exists but belongs to another tool or is malformed.
    #[error("inventory {name}: {message}")]
    Inventory {
        /// `namespace/name` of the parent.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The set is empty but the inventory still lists objects.
    #[error(
        "refusing to apply an empty set over inventory {name} that lists {count} object(s) (this would prune them all); pass --allow-empty to do it"
    )]
    EmptySet {
        /// `namespace/name` of the parent.
        name: String,
        /// Number of members it still lists.
        count: usize,
    },
    /// Pruning was requested without an inventory.
    #[error("pruning needs an inventory: pass --inventory NAME or --prune=false")]
    PruneWithoutInventory,
    /// A wait for CRDs to be established timed out or failed.
    #[error("{0}")]
    Wait(String),
}

impl Error {
    pub(crate) fn api(context: impl Into<String>, source: kube::Error) -> Self {
        Error::Api { context: context.into(), source: Box::new(source) }
    }
}

/// A per-object failure, reported against the object it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// Server-side dry-run refused the object.
    #[error("dry-run failed ({reason}): {message}")]
    DryRun {
        /// The API `reason` (e.g. `Invalid`, `NotFound`, `BadRequest`).
        reason: String,
        /// The API message.
        message: String,
    },
    /// Fields are owned by another field manager with a different value.
    #[error("{}", conflict_message(.0))]
    Conflict(Vec<FieldConflict>),
    /// The change touches immutable fields and recreation was not allowed.
    #[error(
        "immutable field(s) changed: {message}; pass --force-recreate or annotate the object with {} to delete and recreate it",
        crate::ANNOTATION_RECREATE
    )]
    Immutable {
        /// The API message.
        message: String,
    },
    /// The kind is not served by the cluster.
    #[error("no API for {0} (is its CRD installed?)")]
    NoKind(String),
    /// The kind's API group could not be discovered (for example an unavailable aggregated API).
    #[error("API group {group:?} is unavailable: {message}")]
    GroupUnavailable {
        /// The API group.
        group: String,
        /// The discovery error.
        message: String,
    },
    /// The apply (or another write) failed.
    #[error("{0}")]
    Write(String),
    /// Not attempted because another object in the same stage failed its dry-run.
    #[error("not applied: another object in its stage failed")]
    StageAborted,
}

/// One field conflict from a server-side apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    /// The field path as the API reports it, e.g. `.spec.replicas`.
    pub field: String,
    /// The field manager that owns it.
    pub manager: String,
}

fn conflict_message(c: &[FieldConflict]) -> String {
    let list: Vec<String> = c.iter().map(|c| format!("{} (owned by {:?})", c.field, c.manager)).collect();
    format!("conflicts with other field managers: {}; pass --force-conflicts to take ownership", list.join(", "))
}

/// Converts a client error into a short human message with the API reason when there is one.
pub(crate) fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => {
            if s.message.is_empty() {
                format!("{} ({})", s.reason, s.code)
            } else {
                s.message.clone()
            }
        }
        other => other.to_string(),
    }
}

/// The API status of an error, when it came from the API server.
pub(crate) fn status(e: &kube::Error) -> Option<&kube::core::Status> {
    match e {
        kube::Error::Api(s) => Some(s),
        _ => None,
    }
}

/// True for a 404 answer.
pub(crate) fn is_not_found(e: &kube::Error) -> bool {
    status(e).is_some_and(|s| s.code == 404)
}
