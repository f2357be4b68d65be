//! Health of live objects, with kstatus-like rules (the rules Flux and cli-utils use to wait).
//!
//! Generic checks come first: a deletion timestamp means terminating; a `status.observedGeneration` behind
//! `metadata.generation` means in progress; `Reconciling=True` means in progress and `Stalled=True` failed. Then
//! kind rules (CRD, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod, PVC, Service), then the `Ready`
//! condition; objects without conditions are current.

use serde_json::Value;

use crate::object::{at, condition, i64_at, str_at};

/// The health of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Reconciled and ready.
    Current,
    /// Not ready yet; the message says why.
    InProgress(String),
    /// Will not become ready without intervention (terminal).
    Failed(String),
    /// Being deleted.
    Terminating,
    /// Does not exist.
    NotFound,
}

impl Health {
    /// True for [`Health::Current`].
    pub fn is_current(&self) -> bool {
        matches!(self, Health::Current)
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Health::Current => write!(f, "Current"),
            Health::InProgress(m) => write!(f, "InProgress: {m}"),
            Health::Failed(m) => write!(f, "Failed: {m}"),
            Health::Terminating => write!(f, "Terminating"),
            Health::NotFound => write!(f, "NotFound"),
        }
    }
}

fn int(v: &Value, path: &[&str]) -> i64 {
    i64_at(v, path).unwrap_or(0)
}

/// Computes the health of a live object (`group` is its API group).
pub fn health(group: &str, obj: &Value) -> Health {
    if at(obj, &["metadata", "deletionTimestamp"]).is_some_and(|v| !v.is_null()) {
        return Health::Terminating;
    }
    let generation = i64_at(obj, &["metadata", "generation"]);
    if let (Some(g), Some(og)) = (generation, i64_at(obj, &["status", "observedGeneration"]))
        && og != g
    {
        return Health::InProgress(format!("observedGeneration {og} is behind generation {g}"));
    }
    if let Some(("True", reason, msg)) = condition(obj, "Reconciling") {
        return Health::InProgress(format!("Reconciling: {reason} {msg}").trim().to_string());
    }
    if let Some(("True", reason, msg)) = condition(obj, "Stalled") {
        return Health::Failed(format!("Stalled: {reason} {msg}").trim().to_string());
    }
    let kind = str_at(obj, &["kind"]).unwrap_or("");
    if let Some(h) = kind_rule(group, kind, obj) {
        return h;
    }
    match condition(obj, "Ready") {
        Some(("True", _, _)) | None => Health::Current,
        Some((s, reason, msg)) => Health::InProgress(format!("Ready={s}: {reason} {msg}").trim().to_string()),
    }
}

fn replicas_rule(obj: &Value, what: &str, want: i64, checks: &[(&str, &str)]) -> Option<Health> {
    for (field, label) in checks {
        let have = int(obj, &["status", field]);
        if have < want {
            return Some(Health::InProgress(format!("{what}: {label} {have}/{want}")));
        }
    }
    None
}

fn kind_rule(group: &str, kind: &str, obj: &Value) -> Option<Health> {
    let spec_replicas = i64_at(obj, &["spec", "replicas"]).unwrap_or(1);
    let has_og = i64_at(obj, &["status", "observedGeneration"]).is_some();
    match (group, kind) {
        ("apiextensions.k8s.io", "CustomResourceDefinition") => Some(match condition(obj, "NamesAccepted") {
            Some(("False", reason, msg)) => Health::Failed(format!("NamesAccepted=False: {reason} {msg}")),
            _ => match condition(obj, "Established") {
                Some(("True", _, _)) => Health::Current,
                Some(("False", reason, msg)) if reason != "Installing" => {
                    Health::Failed(format!("Established=False: {reason} {msg}"))
                }
                _ => Health::InProgress("not Established yet".into()),
            },
        }),
        ("apps", "Deployment") => {
            if !has_og {
                return Some(Health::InProgress("no observedGeneration yet".into()));
            }
            if let Some(("False", "ProgressDeadlineExceeded", msg)) = condition(obj, "Progressing") {
                return Some(Health::Failed(format!("ProgressDeadlineExceeded: {msg}")));
            }
            if let Some(h) = replicas_rule(
                obj,
                "Deployment",
                spec_replicas,
                &[("updatedReplicas", "updated"), ("readyReplicas", "ready"), ("availableReplicas", "available")],
            ) {
                return Some(h);
            }
            let total = int(obj, &["status", "replicas"]);
            if total > spec_replicas {
                return Some(Health::InProgress(format!("Deployment: {total} replicas, want {spec_replicas}")));
            }
            if matches!(condition(obj, "Available"), Some((s, _, _)) if s != "True") {
                return Some(Health::InProgress("Deployment: Available is not True".into()));
            }
            Some(Health::Current)
        }
        ("apps", "StatefulSet") => {
            if !has_og {
                return Some(Health::InProgress("no observedGeneration yet".into()));
            }
            if str_at(obj, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
                return Some(Health::Current);
            }
            if let Some(h) = replicas_rule(
                obj,
                "StatefulSet",
                spec_replicas,
                &[("readyReplicas", "ready"), ("currentReplicas", "current")],
            ) {
                let partition = int(obj, &["spec", "updateStrategy", "rollingUpdate", "partition"]);
                if partition == 0 {
                    return Some(h);
                }
                let updated = int(obj, &["status", "updatedReplicas"]);
                if updated < spec_replicas - partition {
                    return Some(Health::InProgress(format!(
                        "StatefulSet: updated {updated}/{} (partition {partition})",
                        spec_replicas - partition
                    )));
                }
                return Some(Health::Current);
            }
            if str_at(obj, &["status", "currentRevision"]) != str_at(obj, &["status", "updateRevision"]) {
                return Some(Health::InProgress("StatefulSet: currentRevision != updateRevision".into()));
            }
            Some(Health::Current)
        }
        ("apps", "DaemonSet") => {
            if !has_og {
                return Some(Health::InProgress("no observedGeneration yet".into()));
            }
            let want = int(obj, &["status", "desiredNumberScheduled"]);
            replicas_rule(
                obj,
                "DaemonSet",
                want,
                &[
                    ("currentNumberScheduled", "scheduled"),
                    ("updatedNumberScheduled", "updated"),
                    ("numberAvailable", "available"),
                    ("numberReady", "ready"),
                ],
            )
            .or(Some(Health::Current))
        }
        ("apps", "ReplicaSet") => replicas_rule(
            obj,
            "ReplicaSet",
            spec_replicas,
            &[("availableReplicas", "available"), ("readyReplicas", "ready")],
        )
        .or(Some(Health::Current)),
        ("batch", "Job") => {
            if let Some(("True", reason, msg)) = condition(obj, "Failed") {
                return Some(Health::Failed(format!("Job failed: {reason} {msg}").trim().to_string()));
            }
            if matches!(condition(obj, "Complete"), Some(("True", _, _))) {
                return Some(Health::Current);
            }
            if at(obj, &["spec", "suspend"]).and_then(Value::as_bool) == Some(true) {
                return Some(Health::Current);
            }
            if at(obj, &["status", "startTime"]).is_some() {
                return Some(Health::Current);
            }
            Some(Health::InProgress("Job not started".into()))
        }
        ("batch", "CronJob") | ("", "ConfigMap") | ("", "Secret") | ("policy", "PodDisruptionBudget") => {
            Some(Health::Current)
        }
        ("", "PersistentVolumeClaim") => Some(match str_at(obj, &["status", "phase"]) {
            Some("Bound") => Health::Current,
            Some("Lost") => Health::Failed("PVC lost its volume".into()),
            p => Health::InProgress(format!("PVC phase {}", p.unwrap_or("unknown"))),
        }),
        ("", "Service") => {
            if str_at(obj, &["spec", "type"]) == Some("LoadBalancer")
                && at(obj, &["status", "loadBalancer", "ingress"]).and_then(Value::as_array).is_none_or(Vec::is_empty)
            {
                return Some(Health::InProgress("LoadBalancer has no ingress yet".into()));
            }
            Some(Health::Current)
        }
        ("", "Pod") => {
            match str_at(obj, &["status", "phase"]) {
                Some("Succeeded") => return Some(Health::Current),
                Some("Failed") => return Some(Health::Failed("Pod failed".into())),
                _ => {}
            }
            let statuses = at(obj, &["status", "containerStatuses"]).and_then(Value::as_array);
            for s in statuses.into_iter().flatten() {
                if str_at(s, &["state", "waiting", "reason"]) == Some("CrashLoopBackOff") {
                    let name = s.get("name").and_then(Value::as_str).unwrap_or("?");
                    return Some(Health::Failed(format!("container {name} is in CrashLoopBackOff")));
                }
            }
            Some(match condition(obj, "Ready") {
                Some(("True", _, _)) => Health::Current,
                _ => Health::InProgress("Pod not Ready".into()),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generic_rules() {
        assert_eq!(health("x", &json!({"kind": "Foo"})), Health::Current);
        let stale = json!({"kind":"Foo","metadata":{"generation":3},"status":{"observedGeneration":2}});
        assert!(matches!(health("x", &stale), Health::InProgress(_)));
        let stalled = json!({"kind":"Foo","status":{"conditions":[{"type":"Stalled","status":"True"}]}});
        assert!(matches!(health("x", &stalled), Health::Failed(_)));
        let not_ready = json!({"kind":"Foo","status":{"conditions":[{"type":"Ready","status":"False"}]}});
        assert!(matches!(health("x", &not_ready), Health::InProgress(_)));
    }

    #[test]
    fn deployment_rules() {
        let d = json!({"kind":"Deployment","metadata":{"generation":1},"spec":{"replicas":2},
            "status":{"observedGeneration":1,"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1}});
        assert!(matches!(health("apps", &d), Health::InProgress(m) if m.contains("ready 1/2")));
        let failed = json!({"kind":"Deployment","metadata":{"generation":1},"spec":{"replicas":2},
            "status":{"observedGeneration":1,"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]}});
        assert!(matches!(health("apps", &failed), Health::Failed(_)));
    }

    #[test]
    fn crd_rules() {
        let clash = json!({"kind":"CustomResourceDefinition","status":{"conditions":[{"type":"NamesAccepted","status":"False","reason":"MultipleNamesNotAllowed"}]}});
        assert!(matches!(health("apiextensions.k8s.io", &clash), Health::Failed(_)));
        let ok =
            json!({"kind":"CustomResourceDefinition","status":{"conditions":[{"type":"Established","status":"True"}]}});
        assert_eq!(health("apiextensions.k8s.io", &ok), Health::Current);
    }
}
