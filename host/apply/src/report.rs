//! What a run did (or, with dry-run, would do): per-object actions, prune outcomes, health, and rendering.

use std::fmt::Write as _;

use crate::error::ObjectError;
use crate::health::Health;
use crate::object::ObjectId;

/// What happened (or would happen) to one object of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Did not exist; created.
    Created,
    /// Existed and was changed.
    Configured,
    /// Existed and needed no change (no write was sent).
    Unchanged,
    /// Deleted and created again because an immutable field changed.
    Recreated,
    /// Not applied: see the error.
    Failed,
}

impl Action {
    /// Lower-case name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Recreated => "recreated",
            Action::Failed => "failed",
        }
    }
}

/// The outcome for one object of the set.
#[derive(Debug, Clone)]
pub struct ObjectReport {
    /// Identity.
    pub id: ObjectId,
    /// The action.
    pub action: Action,
    /// Why it failed, for [`Action::Failed`].
    pub error: Option<ObjectError>,
    /// Remarks (e.g. "kubectl-owned fields migrated", "not validated: namespace created by this run").
    pub notes: Vec<String>,
    /// Unified diff live → planned (cleaned and masked); empty when unchanged or diffs were not requested.
    pub diff: String,
}

/// What happened (or would happen) to one object that left the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PruneOutcome {
    /// Deleted (with dry-run: would be deleted).
    Pruned,
    /// Already gone.
    Gone,
    /// Not deleted, and no longer tracked (opt-out annotation, owned by another set, API removed).
    Skipped(String),
    /// Not deleted and still tracked, to be retried on a later run (namespace still holds members, API group
    /// unavailable, object replaced since it was listed, or the delete failed).
    Kept(String),
}

/// The outcome for one object that left the set.
#[derive(Debug, Clone)]
pub struct PruneReport {
    /// Identity.
    pub id: ObjectId,
    /// The outcome.
    pub outcome: PruneOutcome,
    /// True when the delete was attempted and failed (counts as an error).
    pub failed: bool,
    /// Unified diff of the removal (with diffs requested and the object pruned).
    pub diff: String,
}

/// The result of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// True when nothing was written (server-side dry-run / diff).
    pub dry_run: bool,
    /// The set's objects, in apply order.
    pub objects: Vec<ObjectReport>,
    /// Objects that left the set.
    pub prune: Vec<PruneReport>,
    /// Health of the set's objects after `--wait` (empty without it).
    pub health: Vec<(ObjectId, Health)>,
    /// Why the wait failed (timeout or terminal failure).
    pub wait_error: Option<String>,
    /// Warnings (discovery failures, deferred prunes, ...).
    pub warnings: Vec<String>,
}

impl Report {
    /// True when any object failed, a prune delete failed or the wait failed.
    pub fn failed(&self) -> bool {
        self.objects.iter().any(|o| o.action == Action::Failed)
            || self.prune.iter().any(|p| p.failed)
            || self.wait_error.is_some()
    }

    /// True when anything was (or would be) created, changed, recreated or pruned.
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| matches!(o.action, Action::Created | Action::Configured | Action::Recreated))
            || self.prune.iter().any(|p| p.outcome == PruneOutcome::Pruned)
    }

    /// Exit code for `kiln diff`: 0 no changes, 1 changes, 2 errors.
    pub fn diff_exit_code(&self) -> u8 {
        if self.failed() {
            2
        } else if self.has_changes() {
            1
        } else {
            0
        }
    }

    /// Counts per action: `(created, configured, unchanged, recreated, failed, pruned)`.
    pub fn counts(&self) -> [usize; 6] {
        let mut c = [0; 6];
        for o in &self.objects {
            let i = match o.action {
                Action::Created => 0,
                Action::Configured => 1,
                Action::Unchanged => 2,
                Action::Recreated => 3,
                Action::Failed => 4,
            };
            if let Some(slot) = c.get_mut(i) {
                *slot += 1;
            }
        }
        c[5] = self.prune.iter().filter(|p| p.outcome == PruneOutcome::Pruned).count();
        c
    }

    /// One line per object and prune candidate, then warnings, health problems and a summary line.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let suffix = if self.dry_run { " (server dry run)" } else { "" };
        for o in &self.objects {
            let _ = write!(s, "{} {}{}", o.id, o.action.as_str(), suffix);
            if let Some(e) = &o.error {
                let _ = write!(s, ": {e}");
            }
            for n in &o.notes {
                let _ = write!(s, " [{n}]");
            }
            s.push('\n');
        }
        for p in &self.prune {
            let _ = match &p.outcome {
                PruneOutcome::Pruned => writeln!(s, "{} pruned{}", p.id, suffix),
                PruneOutcome::Gone => writeln!(s, "{} already gone", p.id),
                PruneOutcome::Skipped(why) => writeln!(s, "{} prune skipped: {why}", p.id),
                PruneOutcome::Kept(why) => writeln!(s, "{} not pruned yet: {why}", p.id),
            };
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        for (id, h) in &self.health {
            if !h.is_current() {
                let _ = writeln!(s, "not ready: {id}: {h}");
            }
        }
        if let Some(e) = &self.wait_error {
            let _ = writeln!(s, "wait failed: {e}");
        }
        let [cr, co, un, re, fa, pr] = self.counts();
        let _ = writeln!(
            s,
            "{cr} created, {co} configured, {un} unchanged, {re} recreated, {pr} pruned, {fa} failed{suffix}"
        );
        s
    }

    /// The unified diffs of every changed object, in order.
    pub fn render_diff(&self) -> String {
        let mut s = String::new();
        for o in &self.objects {
            if !o.diff.is_empty() {
                let _ = writeln!(s, "# {} {}", o.id, o.action.as_str());
                s.push_str(&o.diff);
            }
        }
        for p in &self.prune {
            if !p.diff.is_empty() {
                let _ = writeln!(s, "# {} pruned", p.id);
                s.push_str(&p.diff);
            }
        }
        s
    }
}
