//! The apply engine: staged server-side apply, write-ahead inventory, safe pruning, dry-run plans and waits.
//!
//! One run:
//! 1. checks and normalises the manifests, runs discovery (per-group tolerant), reads the inventory;
//! 2. records new members in the inventory **before** applying anything (write-ahead), so a crash at any later
//!    point leaves every object kiln may have created listed and prunable;
//! 3. lists the live members the inventory records (by the ApplySet label, one LIST per resource and namespace;
//!    nothing in a first apply: an object not yet recorded is read only if its dry-run says it exists);
//! 4. applies stage by stage ([`stage_of`]): every object of a stage is dry-run first, concurrently; if any
//!    dry-run fails, nothing of that stage is written and the run stops; otherwise the objects that change are
//!    applied, concurrently. CRDs are waited for (Established) and discovery re-run before later stages;
//! 5. prunes members that left the set, latest stage first, each only if the live object still carries this
//!    set's label, has no opt-out annotation, and (for a Namespace) holds no members; deletes carry a UID
//!    precondition taken from the listing, so an object replaced since then is never deleted;
//! 6. writes the final inventory (shrinking it only by what the prune settled) and optionally waits for health.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::cluster::{ApplyParams, Cluster};
use crate::diff::{Masker, object_diff};
use crate::discovery::{Discovery, Lookup, Resource};
use crate::error::{Error, FieldConflict, ObjectError, describe, status};
use crate::health::{Health, health};
use crate::inventory::{Inventory, LABEL_PART_OF, Member};
use crate::object::{ObjectId, annotation, label, split_api_version, str_at};
use crate::report::{Action, ObjectReport, PruneOutcome, PruneReport, Report};

/// A callback awaited just before each prune DELETE (after the object was listed and checked); for tests that
/// need to change the cluster in that window.
pub type PruneHook = Arc<dyn Fn(ObjectId) -> BoxFuture<'static, ()> + Send + Sync>;

/// Options of one run (see the `kiln apply` flags).
#[derive(Clone)]
pub struct ApplyOptions {
    /// `--inventory NAME`: the ApplySet parent ConfigMap. Without it nothing is tracked or pruned.
    pub inventory: Option<String>,
    /// `--inventory-namespace`: the parent's namespace (default: the cluster's default namespace).
    pub inventory_namespace: Option<String>,
    /// `--prune` (default true): delete members that left the set.
    pub prune: bool,
    /// `--allow-empty`: allow an empty set over a non-empty inventory (prunes everything).
    pub allow_empty: bool,
    /// `--dry-run=server`: dry-run everything, write nothing, report the plan.
    pub dry_run: bool,
    /// `--force-conflicts`: take ownership of fields owned by other managers.
    pub force_conflicts: bool,
    /// `--force-recreate`: delete and recreate objects whose change hits immutable fields.
    pub force_recreate: bool,
    /// `--wait`: wait up to this long for the set to become healthy.
    pub wait: Option<Duration>,
    /// Requests in flight at once (default 16).
    pub concurrency: usize,
    /// Field manager (default `kiln`).
    pub field_manager: String,
    /// Compute unified diffs into the report.
    pub diff: bool,
    /// Dry-run even objects the inventory proves unchanged (see [`crate::inventory`]).
    pub verify_unchanged: bool,
    /// Test hook awaited before each prune delete.
    pub before_prune_delete: Option<PruneHook>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            inventory: None,
            inventory_namespace: None,
            prune: true,
            allow_empty: false,
            dry_run: false,
            force_conflicts: false,
            force_recreate: false,
            wait: None,
            concurrency: 16,
            field_manager: crate::FIELD_MANAGER.to_string(),
            diff: false,
            verify_unchanged: false,
            before_prune_delete: None,
        }
    }
}

impl std::fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("inventory", &self.inventory)
            .field("inventory_namespace", &self.inventory_namespace)
            .field("prune", &self.prune)
            .field("dry_run", &self.dry_run)
            .field("force_conflicts", &self.force_conflicts)
            .field("force_recreate", &self.force_recreate)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

/// Number of stages.
pub const STAGES: usize = 5;

/// The stage of a kind. Stages are applied in order, each fully (dry-run, then writes) before the next:
///
/// 0. `CustomResourceDefinition`, `Namespace` (CRDs are then waited for until Established);
/// 1. `ClusterRole`, `ClusterRoleBinding` and every `*Class` kind (`StorageClass`, `PriorityClass`, ...);
/// 2. what workloads refer to: `ResourceQuota`, `LimitRange`, `ServiceAccount`, `Role`, `RoleBinding`,
///    `ConfigMap`, `Secret`, `PersistentVolume`, `PersistentVolumeClaim`, `Service`;
/// 3. everything else: workloads, custom resources, unknown kinds;
/// 4. admission (`Mutating`/`ValidatingWebhookConfiguration`, `ValidatingAdmissionPolicy[Binding]`,
///    `MutatingAdmissionPolicy[Binding]`) and `APIService`, last so they cannot block the rest.
///
/// Pruning runs in the reverse order.
pub fn stage_of(group: &str, kind: &str) -> usize {
    match (group, kind) {
        ("apiextensions.k8s.io", "CustomResourceDefinition") | ("", "Namespace") => 0,
        ("rbac.authorization.k8s.io", "ClusterRole" | "ClusterRoleBinding") => 1,
        (_, k) if k.ends_with("Class") => 1,
        (
            "",
            "ResourceQuota"
            | "LimitRange"
            | "ServiceAccount"
            | "ConfigMap"
            | "Secret"
            | "PersistentVolume"
            | "PersistentVolumeClaim"
            | "Service",
        )
        | ("rbac.authorization.k8s.io", "Role" | "RoleBinding") => 2,
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding",
        )
        | ("apiregistration.k8s.io", "APIService") => 4,
        _ => 3,
    }
}

/// Order of kinds within a stage, for reporting (objects of a stage are applied concurrently).
fn kind_rank(kind: &str) -> usize {
    const ORDER: &[&str] = &[
        "CustomResourceDefinition",
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "ResourceQuota",
        "LimitRange",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ConfigMap",
        "Secret",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Service",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Ingress",
        "NetworkPolicy",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

/// One object of the set, normalised.
#[derive(Debug, Clone)]
struct Desired {
    id: ObjectId,
    api_version: String,
    body: Value,
    hash: String,
    stage: usize,
    /// Resolved resource; `None` when the kind is not (yet) served.
    resource: Option<Resource>,
    /// The kind is defined by a CRD of this set that the cluster does not serve yet.
    crd_pending: bool,
    /// Error that keeps the object from being applied (resolution failures).
    error: Option<ObjectError>,
}

/// The plan for one object after its dry-run.
#[derive(Debug, Clone)]
struct Planned {
    action: Action,
    live: Option<Value>,
    planned: Option<Value>,
    migrate: bool,
    force: bool,
    error: Option<ObjectError>,
    notes: Vec<String>,
    /// For a failed plan, whether it stops the stage (resolution errors of unavailable groups do not).
    blocks_stage: bool,
    /// The member record after the run (unchanged objects keep theirs).
    member: Option<Member>,
}

impl Planned {
    fn failed(error: ObjectError, blocks_stage: bool) -> Planned {
        Planned {
            action: Action::Failed,
            live: None,
            planned: None,
            migrate: false,
            force: false,
            error: Some(error),
            notes: Vec::new(),
            blocks_stage,
            member: None,
        }
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn hash_body(body: &Value, manager: &str) -> String {
    let mut h = Sha256::new();
    h.update(manager.as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize()).chars().take(16).collect()
}

/// Checks one manifest object and normalises what SSA would trip on.
fn normalise(index: usize, obj: &Value) -> Result<(String, String, String, Value), Error> {
    let bad = |message: &str| Error::Manifest { index, message: message.to_string() };
    if !obj.is_object() {
        return Err(bad("not a mapping"));
    }
    let api_version = str_at(obj, &["apiVersion"]).filter(|s| !s.is_empty()).ok_or_else(|| bad("no apiVersion"))?;
    let kind = str_at(obj, &["kind"]).filter(|s| !s.is_empty()).ok_or_else(|| bad("no kind"))?;
    let name = match str_at(obj, &["metadata", "name"]) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ if str_at(obj, &["metadata", "generateName"]).is_some() => {
            return Err(bad(&format!("{kind} uses metadata.generateName, which cannot be applied idempotently")));
        }
        _ => return Err(bad(&format!("{kind} has no metadata.name"))),
    };
    let mut body = obj.clone();
    if let Some(o) = body.as_object_mut()
        && o.get("status").is_some_and(|s| s.is_null() || s.as_object().is_some_and(Map::is_empty))
    {
        o.remove("status");
    }
    if let Some(md) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        if md.get("creationTimestamp").is_some_and(Value::is_null) {
            md.remove("creationTimestamp");
        }
        md.remove("managedFields");
        for k in ["labels", "annotations"] {
            if md.get(k).is_some_and(Value::is_null) {
                md.remove(k);
            }
        }
    }
    Ok((api_version.to_string(), kind.to_string(), name, body))
}

/// Managed-fields entries kiln takes over before its first apply: every non-subresource `kubectl*` entry
/// (client-side apply, edit, label, server-side `kubectl`), `before-first-apply`.
fn migratable(entry: &Value) -> bool {
    let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
    let op = entry.get("operation").and_then(Value::as_str).unwrap_or("");
    let sub = entry.get("subresource").and_then(Value::as_str).unwrap_or("");
    sub.is_empty() && (manager.starts_with("kubectl") || (manager == "before-first-apply" && op == "Update"))
}

fn needs_migration(live: &Value) -> bool {
    annotation(live, LAST_APPLIED).is_some()
        || live.pointer("/metadata/managedFields").and_then(Value::as_array).is_some_and(|mf| mf.iter().any(migratable))
}

/// Deep union of two `fieldsV1` sets.
fn merge_fields(into: &mut Value, from: &Value) {
    match (into.as_object_mut(), from.as_object()) {
        (Some(a), Some(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(existing) => merge_fields(existing, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => {
            if into.is_null() {
                *into = from.clone();
            }
        }
    }
}

/// The JSON patch that moves kubectl-owned fields into kiln's Apply entry and drops the last-applied annotation.
fn migration_patch(live: &Value, manager: &str, api_version: &str) -> Value {
    let mf = live.pointer("/metadata/managedFields").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut fields = json!({});
    let mut kept = Vec::new();
    for e in mf {
        let ours = e.get("manager").and_then(Value::as_str) == Some(manager)
            && e.get("operation").and_then(Value::as_str) == Some("Apply")
            && e.get("subresource").and_then(Value::as_str).unwrap_or("").is_empty();
        if ours || migratable(&e) {
            if let Some(f) = e.get("fieldsV1") {
                merge_fields(&mut fields, f);
            }
        } else {
            kept.push(e);
        }
    }
    kept.push(json!({
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    }));
    let rv = str_at(live, &["metadata", "resourceVersion"]).unwrap_or("");
    let mut ops = vec![
        json!({"op": "test", "path": "/metadata/resourceVersion", "value": rv}),
        json!({"op": "replace", "path": "/metadata/managedFields", "value": kept}),
    ];
    if annotation(live, LAST_APPLIED).is_some() {
        ops.push(
            json!({"op": "remove", "path": "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"}),
        );
    }
    Value::Array(ops)
}

/// Field-manager conflicts from a 409 apply answer.
fn conflicts(e: &kube::Error) -> Option<Vec<FieldConflict>> {
    let s = status(e)?;
    if s.code != 409 {
        return None;
    }
    let causes = s.details.as_ref().map(|d| d.causes.as_slice()).unwrap_or_default();
    let out: Vec<FieldConflict> = causes
        .iter()
        .filter(|c| c.reason == "FieldManagerConflict")
        .map(|c| {
            let manager = c
                .message
                .split_once("conflict with \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(m, _)| m.to_string())
                .unwrap_or_default();
            FieldConflict { field: c.field.clone(), manager }
        })
        .collect();
    if out.is_empty() { None } else { Some(out) }
}

/// True when an apply failed only because immutable fields changed: a 422 whose every cause says so.
fn is_immutable(e: &kube::Error) -> bool {
    let Some(s) = status(e) else { return false };
    if s.code != 422 {
        return false;
    }
    let causes = s.details.as_ref().map(|d| d.causes.as_slice()).unwrap_or_default();
    !causes.is_empty() && causes.iter().all(|c| c.message.contains("immutable"))
}

/// True when a 404 says the object's namespace does not exist.
fn is_namespace_missing(e: &kube::Error) -> bool {
    status(e).is_some_and(|s| s.code == 404 && s.details.as_ref().is_some_and(|d| d.kind == "namespaces"))
}

fn dry_run_error(e: &kube::Error) -> ObjectError {
    match status(e) {
        Some(s) => ObjectError::DryRun { reason: s.reason.clone(), message: describe(e) },
        None => ObjectError::DryRun { reason: "Error".into(), message: describe(e) },
    }
}

/// Compares a dry-run result with the live object, ignoring managed-fields timestamps.
fn same_object(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(mf) = v.pointer_mut("/metadata/managedFields").and_then(Value::as_array_mut) {
            for e in mf {
                if let Some(o) = e.as_object_mut() {
                    o.remove("time");
                }
            }
        }
        v
    }
    strip(a) == strip(b)
}

fn member_from(id: &ObjectId, obj: &Value, hash: &str) -> Member {
    Member {
        id: id.clone(),
        uid: str_at(obj, &["metadata", "uid"]).unwrap_or("").to_string(),
        resource_version: str_at(obj, &["metadata", "resourceVersion"]).unwrap_or("").to_string(),
        hash: hash.to_string(),
    }
}

struct Engine<'a> {
    cluster: &'a Cluster,
    opts: &'a ApplyOptions,
    masker: Masker,
    /// ApplySet ID (with an inventory).
    set_id: Option<String>,
    /// Namespaces this run creates (dry-run: planned; they do not exist yet).
    new_namespaces: HashSet<String>,
}

/// Runs `kiln apply` (or, with `opts.dry_run`, plans it) for `objects`.
///
/// Returns the report; per-object failures are in it ([`Report::failed`]). Fails as a whole only when the run
/// cannot start or continue safely (bad manifests, unreachable API, foreign inventory, empty-set guard).
pub async fn apply(cluster: &Cluster, objects: &[Value], opts: &ApplyOptions) -> Result<Report, Error> {
    let mut report = Report { dry_run: opts.dry_run, ..Report::default() };
    let mut discovery = Discovery::run(cluster).await?;
    for (g, why) in discovery.failed_groups() {
        report.warnings.push(format!("discovery of API group {g:?} failed: {why}"));
    }

    // Manifests.
    let mut desired: Vec<Desired> = Vec::with_capacity(objects.len());
    let mut crds: Vec<Value> = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let (api_version, kind, name, body) = normalise(i, obj)?;
        let group = split_api_version(&api_version).0.to_string();
        let group = group.as_str();
        if group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition" {
            crds.push(body.clone());
        }
        let namespace = str_at(&body, &["metadata", "namespace"]).unwrap_or("").to_string();
        desired.push(Desired {
            id: ObjectId { group: group.to_string(), kind: kind.clone(), namespace, name },
            api_version,
            body,
            hash: String::new(),
            stage: stage_of(group, &kind),
            resource: None,
            crd_pending: false,
            error: None,
        });
    }
    let mut planned_discovery = discovery.clone();
    for c in &crds {
        planned_discovery.add_crd(c);
    }
    let default_ns = cluster.namespace().to_string();
    for d in &mut desired {
        resolve(d, &discovery, &planned_discovery, &default_ns);
    }
    let mut seen = HashSet::new();
    for d in &desired {
        if !seen.insert(d.id.clone()) {
            return Err(Error::Duplicate(d.id.clone()));
        }
    }

    // Inventory.
    let mut inventory = match &opts.inventory {
        Some(name) => {
            let ns = opts.inventory_namespace.clone().unwrap_or_else(|| default_ns.clone());
            // The parent is a ConfigMap: a member of the same name would overwrite it (and it would prune itself).
            if desired.iter().any(|d| {
                d.id.group.is_empty() && d.id.kind == "ConfigMap" && d.id.namespace == ns && &d.id.name == name
            }) {
                return Err(Error::Inventory {
                    name: format!("{ns}/{name}"),
                    message: format!(
                        "the set contains ConfigMap {ns}/{name}, the name of the inventory's own ConfigMap; choose another --inventory name (or --inventory-namespace)"
                    ),
                });
            }
            // A set that creates the inventory's namespace cannot record its members there before applying them.
            if desired.iter().any(|d| d.id.group.is_empty() && d.id.kind == "Namespace" && d.id.name == ns) {
                let path = format!("/api/v1/namespaces/{ns}");
                match cluster.get_json(&path, None).await {
                    Ok(_) => {}
                    Err(e) if crate::error::is_not_found(&e) => {
                        return Err(Error::Inventory {
                            name: format!("{ns}/{name}"),
                            message: format!(
                                "namespace {ns} does not exist yet: this set creates it, but the inventory must be written before any member is applied; create the namespace first, or keep the inventory in an existing namespace (--inventory-namespace)"
                            ),
                        });
                    }
                    Err(e) => return Err(Error::api(format!("reading namespace {ns}"), e)),
                }
            }
            Some(Inventory::load(cluster, name, &ns).await?)
        }
        None => None,
    };
    let mut engine = Engine {
        cluster,
        opts,
        masker: Masker::new(),
        set_id: inventory.as_ref().map(|i| i.id.clone()),
        new_namespaces: HashSet::new(),
    };
    for d in &mut desired {
        if let Some(id) = &engine.set_id
            && let Some(labels) = crate::object::string_map_mut(&mut d.body, "labels")
        {
            labels.insert(LABEL_PART_OF.to_string(), Value::String(id.clone()));
        }
        d.hash = hash_body(&d.body, &opts.field_manager);
    }
    let desired_ids: BTreeSet<ObjectId> = desired.iter().map(|d| d.id.clone()).collect();
    let old_members: BTreeMap<ObjectId, Member> = inventory.as_ref().map(|i| i.members.clone()).unwrap_or_default();
    if let Some(inv) = &inventory
        && desired.is_empty()
        && !inv.members.is_empty()
        && !opts.allow_empty
    {
        return Err(Error::EmptySet { name: inv.display_name(), count: inv.members.len() });
    }

    // Write-ahead: every member of the set is recorded before anything is applied.
    let mut members = old_members.clone();
    for id in &desired_ids {
        members.entry(id.clone()).or_insert_with(|| Member::pending(id.clone()));
    }
    if let Some(inv) = inventory.as_mut()
        && !opts.dry_run
    {
        inv.store(cluster, &opts.field_manager, members.clone()).await?;
    }

    // Live state of the recorded members, by label. Objects the inventory does not record yet (all of them in a
    // first apply) are not listed: their dry-run tells whether they exist, and those that do are read then.
    let mut live = engine.list_members(old_members.keys(), &discovery, &mut report).await;

    // Stages.
    let mut results: HashMap<ObjectId, Planned> = HashMap::new();
    let mut stopped = false;
    desired.sort_by(|a, b| {
        (a.stage, kind_rank(&a.id.kind), &a.id.kind, &a.id.namespace, &a.id.name).cmp(&(
            b.stage,
            kind_rank(&b.id.kind),
            &b.id.kind,
            &b.id.namespace,
            &b.id.name,
        ))
    });
    for stage in 0..STAGES {
        let idx: Vec<usize> =
            (0..desired.len()).filter(|i| desired.get(*i).is_some_and(|d| d.stage == stage)).collect();
        if idx.is_empty() {
            continue;
        }
        if stopped {
            for i in &idx {
                if let Some(d) = desired.get(*i) {
                    results.insert(d.id.clone(), Planned::failed(ObjectError::StageAborted, false));
                }
            }
            continue;
        }
        if stage > 0 && !opts.dry_run && desired.iter().any(|d| d.crd_pending && d.stage == stage) {
            // CRDs were applied in stage 0: discover their kinds now.
            discovery = engine.rediscover(&desired, &mut report).await?;
            let mut new_kinds: HashSet<(String, String)> = HashSet::new();
            for i in &idx {
                if let Some(d) = desired.get_mut(*i)
                    && d.crd_pending
                {
                    new_kinds.insert((d.id.group.clone(), d.id.kind.clone()));
                    resolve(d, &discovery, &discovery, &default_ns);
                }
            }
            // Recorded members of those kinds could not be listed before their CRDs were served.
            let recorded = old_members.keys().filter(|id| new_kinds.contains(&(id.group.clone(), id.kind.clone())));
            let extra = engine.list_members(recorded, &discovery, &mut report).await;
            live.extend(extra);
        }
        let stage_objs: Vec<&Desired> = idx.iter().filter_map(|i| desired.get(*i)).collect();
        let plans: Vec<(ObjectId, Planned)> = futures::stream::iter(stage_objs.iter().map(|d| {
            let l = live.get(&d.id).cloned();
            let old = old_members.get(&d.id).cloned();
            let engine = &engine;
            async move { (d.id.clone(), engine.plan(d, l, old.as_ref()).await) }
        }))
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
        let mut plans: HashMap<ObjectId, Planned> = plans.into_iter().collect();
        let blocked = plans.values().any(|p| p.action == Action::Failed && p.blocks_stage);
        if blocked && !opts.dry_run {
            for p in plans.values_mut() {
                if p.action != Action::Failed && p.action != Action::Unchanged {
                    *p = Planned::failed(ObjectError::StageAborted, false);
                }
            }
            stopped = true;
        } else if !opts.dry_run {
            let writes: Vec<(ObjectId, Planned)> = futures::stream::iter(stage_objs.iter().filter_map(|d| {
                let p = plans.remove(&d.id)?;
                let engine = &engine;
                Some(async move { (d.id.clone(), engine.write(d, p).await) })
            }))
            .buffer_unordered(opts.concurrency.max(1))
            .collect()
            .await;
            plans.extend(writes);
            if plans.values().any(|p| p.action == Action::Failed && p.blocks_stage) {
                stopped = true;
            }
            if stage == 0 && !stopped {
                let crd_ids: Vec<&Desired> =
                    stage_objs.iter().copied().filter(|d| d.id.kind == "CustomResourceDefinition").collect();
                if !crd_ids.is_empty() {
                    engine.wait_established(&crd_ids).await?;
                }
            }
        } else if stage == 0 {
            for d in &stage_objs {
                if d.id.kind == "Namespace"
                    && d.id.group.is_empty()
                    && plans.get(&d.id).is_some_and(|p| p.action == Action::Created)
                {
                    engine.new_namespaces.insert(d.id.name.clone());
                }
            }
        }
        for (id, p) in plans {
            if let Some(m) = &p.member {
                members.insert(id.clone(), m.clone());
            }
            results.insert(id, p);
        }
    }
    let any_failed = results.values().any(|p| p.action == Action::Failed && p.blocks_stage) || stopped;
    for d in &desired {
        let Some(p) = results.remove(&d.id) else { continue };
        let diff = if opts.diff && p.action != Action::Unchanged && p.action != Action::Failed {
            object_diff(p.live.as_ref(), p.planned.as_ref(), &d.id.to_string(), &engine.masker)
        } else {
            String::new()
        };
        report.objects.push(ObjectReport { id: d.id.clone(), action: p.action, error: p.error, notes: p.notes, diff });
    }

    // Prune.
    let prune_ran = inventory.is_some() && opts.prune && !any_failed;
    if prune_ran {
        let candidates: Vec<ObjectId> = old_members.keys().filter(|id| !desired_ids.contains(*id)).cloned().collect();
        let outcomes = engine.prune(&candidates, &desired_ids, &old_members, &live, &discovery).await;
        for p in outcomes {
            match &p.outcome {
                PruneOutcome::Pruned if !opts.dry_run => {
                    members.remove(&p.id);
                }
                PruneOutcome::Gone | PruneOutcome::Skipped(_) => {
                    members.remove(&p.id);
                }
                _ => {}
            }
            report.prune.push(p);
        }
    } else if inventory.is_some() && opts.prune && any_failed {
        report.warnings.push("prune skipped because the apply failed".into());
    }

    // Final inventory.
    if let Some(inv) = inventory.as_mut()
        && !opts.dry_run
    {
        inv.store(cluster, &opts.field_manager, members).await?;
    }

    // Wait.
    if let Some(timeout) = opts.wait
        && !opts.dry_run
        && !report.failed()
    {
        engine.wait_healthy(&desired, timeout, &mut report).await;
    }
    Ok(report)
}

/// Resolves an object's resource and fills or strips its namespace.
fn resolve(d: &mut Desired, live: &Discovery, planned: &Discovery, default_ns: &str) {
    d.error = None;
    d.crd_pending = false;
    let r = match live.resolve(&d.api_version, &d.id.kind) {
        Lookup::Found(r) => r,
        Lookup::GroupFailed(msg) => match planned.resolve(&d.api_version, &d.id.kind) {
            Lookup::Found(r) if !std::ptr::eq(live, planned) => {
                d.crd_pending = true;
                r
            }
            _ => {
                d.error = Some(ObjectError::GroupUnavailable { group: d.id.group.clone(), message: msg });
                return;
            }
        },
        Lookup::NotFound => match planned.resolve(&d.api_version, &d.id.kind) {
            Lookup::Found(r) if !std::ptr::eq(live, planned) => {
                d.crd_pending = true;
                r
            }
            _ => {
                d.error = Some(ObjectError::NoKind(format!("{} {}", d.api_version, d.id.kind)));
                return;
            }
        },
    };
    if r.namespaced {
        if d.id.namespace.is_empty() {
            d.id.namespace = default_ns.to_string();
        }
        if let Some(md) = crate::object::metadata_mut(&mut d.body) {
            md.insert("namespace".into(), Value::String(d.id.namespace.clone()));
        }
    } else {
        d.id.namespace.clear();
        if let Some(md) = crate::object::metadata_mut(&mut d.body) {
            md.remove("namespace");
        }
    }
    d.resource = Some(r);
}

impl Engine<'_> {
    /// Lists live members by the ApplySet label: one LIST per resource and namespace of the given recorded
    /// members (kinds that are not served are left out).
    async fn list_members<'i>(
        &self,
        recorded: impl Iterator<Item = &'i ObjectId>,
        discovery: &Discovery,
        report: &mut Report,
    ) -> HashMap<ObjectId, Value> {
        let mut out = HashMap::new();
        let Some(set_id) = &self.set_id else { return out };
        let selector = format!("{LABEL_PART_OF}={set_id}");
        let mut queries: BTreeMap<(String, String, String), Resource> = BTreeMap::new();
        for id in recorded {
            if let Lookup::Found(r) = discovery.resolve_gk(&id.group, &id.kind) {
                queries.insert((r.group.clone(), r.kind.clone(), id.namespace.clone()), r);
            }
        }
        let results: Vec<_> = futures::stream::iter(queries.into_iter().map(|((_, _, ns), r)| {
            let selector = &selector;
            async move {
                let res =
                    self.cluster.list(&r, if r.namespaced { Some(ns.as_str()) } else { None }, Some(selector)).await;
                (r, res)
            }
        }))
        .buffer_unordered(self.opts.concurrency.max(1))
        .collect()
        .await;
        for (r, res) in results {
            match res {
                Ok(items) => {
                    for item in items {
                        let id = ObjectId {
                            group: r.group.clone(),
                            kind: r.kind.clone(),
                            namespace: str_at(&item, &["metadata", "namespace"]).unwrap_or("").to_string(),
                            name: str_at(&item, &["metadata", "name"]).unwrap_or("").to_string(),
                        };
                        out.insert(id, item);
                    }
                }
                Err(e) => report.warnings.push(format!("listing {}: {}", r.plural, describe(&e))),
            }
        }
        out
    }

    fn params(&self, force: bool, dry_run: bool) -> ApplyParams<'_> {
        ApplyParams { manager: &self.opts.field_manager, force: force || self.opts.force_conflicts, dry_run }
    }

    /// Dry-runs one object and decides what to do with it.
    async fn plan(&self, d: &Desired, mut live: Option<Value>, old: Option<&Member>) -> Planned {
        if let Some(e) = &d.error {
            let blocks = !matches!(e, ObjectError::GroupUnavailable { .. });
            return Planned::failed(e.clone(), blocks);
        }
        let Some(r) = &d.resource else {
            return Planned::failed(ObjectError::NoKind(format!("{} {}", d.api_version, d.id.kind)), true);
        };
        let mut plan = Planned {
            action: Action::Configured,
            live: None,
            planned: None,
            migrate: false,
            force: false,
            error: None,
            notes: Vec::new(),
            blocks_stage: true,
            member: None,
        };
        // The inventory proves it unchanged: same body applied, and nobody wrote the object since.
        if let (Some(l), Some(m)) = (&live, old)
            && !self.opts.verify_unchanged
            && !m.hash.is_empty()
            && m.hash == d.hash
            && str_at(l, &["metadata", "resourceVersion"]) == Some(m.resource_version.as_str())
            && str_at(l, &["metadata", "uid"]) == Some(m.uid.as_str())
        {
            plan.action = Action::Unchanged;
            plan.member = Some(m.clone());
            return plan;
        }
        if d.crd_pending || (self.opts.dry_run && self.new_namespaces.contains(&d.id.namespace)) {
            // Dry-run mode only: its CRD or namespace is created by this run, so the server cannot check it yet.
            plan.action = Action::Created;
            plan.planned = Some(d.body.clone());
            plan.notes.push(if d.crd_pending {
                "not validated: its CRD is created by this run".into()
            } else {
                format!("not validated: namespace {} is created by this run", d.id.namespace)
            });
            return plan;
        }
        let ns = d.id.namespace.as_str();
        let name = d.id.name.as_str();
        let mut result = self.cluster.apply(r, ns, name, &d.body, self.params(false, true)).await;
        if let Err(e) = &result
            && let Some(cs) = conflicts(e)
        {
            if live.is_none() {
                live = self.cluster.get(r, ns, name).await.ok().flatten();
            }
            let migrate = live.as_ref().is_some_and(needs_migration);
            let migratable_managers: HashSet<String> = live
                .as_ref()
                .and_then(|l| l.pointer("/metadata/managedFields").and_then(Value::as_array).cloned())
                .unwrap_or_default()
                .iter()
                .filter(|e| migratable(e))
                .filter_map(|e| e.get("manager").and_then(Value::as_str).map(String::from))
                .collect();
            let foreign: Vec<FieldConflict> =
                cs.into_iter().filter(|c| !(migrate && migratable_managers.contains(&c.manager))).collect();
            if !foreign.is_empty() {
                let mut p = Planned::failed(ObjectError::Conflict(foreign), true);
                p.live = live;
                return p;
            }
            // Only kubectl-owned fields conflict; they are migrated to kiln before the write.
            plan.force = true;
            result = self.cluster.apply(r, ns, name, &d.body, self.params(true, true)).await;
        }
        let result = match result {
            Ok(v) => v,
            Err(e) => {
                if is_immutable(&e) {
                    let allowed =
                        self.opts.force_recreate || annotation(&d.body, crate::ANNOTATION_RECREATE) == Some("enabled");
                    if live.is_none() {
                        live = self.cluster.get(r, ns, name).await.ok().flatten();
                    }
                    if allowed {
                        plan.action = Action::Recreated;
                        plan.live = live;
                        plan.planned = Some(d.body.clone());
                        plan.notes.push(format!("immutable fields changed: {}", describe(&e)));
                        return plan;
                    }
                    let mut p = Planned::failed(ObjectError::Immutable { message: describe(&e) }, true);
                    p.live = live;
                    return p;
                }
                if self.opts.dry_run && is_namespace_missing(&e) && self.new_namespaces.contains(ns) {
                    plan.action = Action::Created;
                    plan.planned = Some(d.body.clone());
                    plan.notes.push(format!("not validated: namespace {ns} is created by this run"));
                    return plan;
                }
                return Planned::failed(dry_run_error(&e), true);
            }
        };
        // A dry-run create comes back without a resourceVersion (Flux relies on the same).
        let exists = str_at(&result, &["metadata", "resourceVersion"]).is_some_and(|s| !s.is_empty());
        if exists && live.is_none() {
            // Exists but was not listed (not labelled as ours yet, or no inventory): read it.
            live = match self.cluster.get(r, ns, name).await {
                Ok(l) => l,
                Err(e) => return Planned::failed(dry_run_error(&e), true),
            };
        }
        if !exists {
            live = None;
        }
        match &live {
            None => {
                plan.action = Action::Created;
            }
            Some(l) => {
                plan.migrate = needs_migration(l);
                if plan.migrate {
                    plan.action = Action::Configured;
                    plan.notes.push("fields owned by kubectl are taken over by kiln".into());
                } else if same_object(&result, l) {
                    plan.action = Action::Unchanged;
                    plan.member = Some(member_from(&d.id, l, &d.hash));
                } else {
                    plan.action = Action::Configured;
                }
            }
        }
        plan.live = live;
        plan.planned = Some(result);
        plan
    }

    /// Writes one planned object (stage already validated by dry-runs).
    async fn write(&self, d: &Desired, mut p: Planned) -> Planned {
        let Some(r) = &d.resource else { return p };
        let (ns, name) = (d.id.namespace.as_str(), d.id.name.as_str());
        match p.action {
            Action::Unchanged | Action::Failed => return p,
            Action::Recreated => {
                if let Some(l) = &p.live {
                    let uid = str_at(l, &["metadata", "uid"]);
                    if let Err(e) = self.cluster.delete(r, ns, name, uid).await {
                        p.action = Action::Failed;
                        p.error = Some(ObjectError::Write(format!("delete for recreation: {}", describe(&e))));
                        return p;
                    }
                    let deadline = Instant::now() + Duration::from_secs(120);
                    loop {
                        match self.cluster.get(r, ns, name).await {
                            Ok(None) => break,
                            Ok(Some(_)) if Instant::now() < deadline => {
                                tokio::time::sleep(Duration::from_millis(200)).await;
                            }
                            Ok(Some(_)) => {
                                p.action = Action::Failed;
                                p.error =
                                    Some(ObjectError::Write("timed out waiting for deletion before recreation".into()));
                                return p;
                            }
                            Err(e) => {
                                p.action = Action::Failed;
                                p.error = Some(ObjectError::Write(describe(&e)));
                                return p;
                            }
                        }
                    }
                }
            }
            Action::Created | Action::Configured => {
                if p.migrate
                    && let Some(l) = &p.live
                {
                    let patch = migration_patch(l, &self.opts.field_manager, &d.api_version);
                    if let Err(e) = self.cluster.json_patch(r, ns, name, &patch, &self.opts.field_manager).await {
                        p.action = Action::Failed;
                        p.error = Some(ObjectError::Write(format!("migrating kubectl-owned fields: {}", describe(&e))));
                        return p;
                    }
                }
            }
        }
        match self.cluster.apply(r, ns, name, &d.body, self.params(p.force, false)).await {
            Ok(v) => {
                p.member = Some(member_from(&d.id, &v, &d.hash));
                p.planned = Some(v);
            }
            Err(e) => {
                p.action = Action::Failed;
                p.error = Some(match conflicts(&e) {
                    Some(cs) => ObjectError::Conflict(cs),
                    None => ObjectError::Write(describe(&e)),
                });
            }
        }
        p
    }

    /// Waits until the applied CRDs are Established (or fail), up to 60 s.
    async fn wait_established(&self, crds: &[&Desired]) -> Result<(), Error> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut pending = Vec::new();
            for d in crds {
                let Some(r) = &d.resource else { continue };
                let h = match self.cluster.get(r, "", &d.id.name).await {
                    Ok(Some(l)) => health(&d.id.group, &l),
                    Ok(None) => Health::NotFound,
                    Err(e) => Health::InProgress(describe(&e)),
                };
                match h {
                    Health::Current => {}
                    Health::Failed(m) => return Err(Error::Wait(format!("{}: {m}", d.id))),
                    other => pending.push(format!("{}: {other}", d.id)),
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(Error::Wait(format!("CRDs not established after 60s: {}", pending.join("; "))));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Re-runs discovery until every kind of the set's CRDs is served (up to 30 s).
    async fn rediscover(&self, desired: &[Desired], report: &mut Report) -> Result<Discovery, Error> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let d = Discovery::run(self.cluster).await?;
            let missing: Vec<String> = desired
                .iter()
                .filter(|x| x.crd_pending && !matches!(d.resolve(&x.api_version, &x.id.kind), Lookup::Found(_)))
                .map(|x| format!("{} {}", x.api_version, x.id.kind))
                .collect();
            if missing.is_empty() || Instant::now() > deadline {
                if !missing.is_empty() {
                    report.warnings.push(format!("kinds still not served after their CRDs: {}", missing.join(", ")));
                }
                return Ok(d);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Decides and carries out the prune of each candidate.
    async fn prune(
        &self,
        candidates: &[ObjectId],
        desired: &BTreeSet<ObjectId>,
        old: &BTreeMap<ObjectId, Member>,
        live: &HashMap<ObjectId, Value>,
        discovery: &Discovery,
    ) -> Vec<PruneReport> {
        // Namespaces that still hold members (of the set, or retained in the inventory).
        let mut occupied: HashSet<&str> = desired.iter().map(|i| i.namespace.as_str()).collect();
        occupied.extend(old.keys().filter(|i| !desired.contains(*i)).map(|i| i.namespace.as_str()));
        let mut by_stage: BTreeMap<std::cmp::Reverse<usize>, Vec<&ObjectId>> = BTreeMap::new();
        for c in candidates {
            by_stage.entry(std::cmp::Reverse(stage_of(&c.group, &c.kind))).or_default().push(c);
        }
        let mut out = Vec::new();
        for (_, ids) in by_stage {
            let occupied = &occupied;
            let results: Vec<PruneReport> = futures::stream::iter(
                ids.into_iter().map(|id| async move { self.prune_one(id, live.get(id), discovery, occupied).await }),
            )
            .buffer_unordered(self.opts.concurrency.max(1))
            .collect()
            .await;
            out.extend(results);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    async fn prune_one(
        &self,
        id: &ObjectId,
        listed: Option<&Value>,
        discovery: &Discovery,
        occupied: &HashSet<&str>,
    ) -> PruneReport {
        let mk =
            |outcome: PruneOutcome, failed: bool| PruneReport { id: id.clone(), outcome, failed, diff: String::new() };
        let r = match discovery.resolve_gk(&id.group, &id.kind) {
            Lookup::Found(r) => r,
            Lookup::GroupFailed(why) => {
                return mk(PruneOutcome::Kept(format!("API group unavailable ({why}); deferred")), false);
            }
            Lookup::NotFound => return mk(PruneOutcome::Skipped("its API is no longer served".into()), false),
        };
        let live = match listed {
            Some(l) => Some(l.clone()),
            None => match self.cluster.get(&r, &id.namespace, &id.name).await {
                Ok(l) => l,
                Err(e) => return mk(PruneOutcome::Kept(format!("cannot read it: {}", describe(&e))), true),
            },
        };
        let Some(live) = live else { return mk(PruneOutcome::Gone, false) };
        if label(&live, LABEL_PART_OF) != self.set_id.as_deref() {
            return mk(PruneOutcome::Skipped("no longer labelled as a member of this set".into()), false);
        }
        if annotation(&live, crate::ANNOTATION_PRUNE).is_some_and(|v| v.eq_ignore_ascii_case("disabled")) {
            return mk(PruneOutcome::Skipped(format!("annotated {}: disabled", crate::ANNOTATION_PRUNE)), false);
        }
        if id.group.is_empty() && id.kind == "Namespace" && occupied.contains(id.name.as_str()) {
            return mk(PruneOutcome::Kept("the namespace still holds members of this set".into()), false);
        }
        let diff =
            if self.opts.diff { object_diff(Some(&live), None, &id.to_string(), &self.masker) } else { String::new() };
        if self.opts.dry_run {
            return PruneReport { id: id.clone(), outcome: PruneOutcome::Pruned, failed: false, diff };
        }
        if let Some(hook) = &self.opts.before_prune_delete {
            hook(id.clone()).await;
        }
        let uid = str_at(&live, &["metadata", "uid"]);
        match self.cluster.delete(&r, &id.namespace, &id.name, uid).await {
            Ok(true) => PruneReport { id: id.clone(), outcome: PruneOutcome::Pruned, failed: false, diff },
            Ok(false) => mk(PruneOutcome::Gone, false),
            Err(e) if status(&e).is_some_and(|s| s.code == 409) => {
                mk(PruneOutcome::Kept("replaced by another object since it was listed (UID changed)".into()), false)
            }
            Err(e) => mk(PruneOutcome::Kept(format!("delete failed: {}", describe(&e))), true),
        }
    }

    /// Polls the health of the set until all are current, one fails, or the timeout passes.
    async fn wait_healthy(&self, desired: &[Desired], timeout: Duration, report: &mut Report) {
        let deadline = Instant::now() + timeout;
        loop {
            let checks: Vec<(ObjectId, Health)> = futures::stream::iter(desired.iter().filter_map(|d| {
                let r = d.resource.clone()?;
                Some(async move {
                    let h = match self.cluster.get(&r, &d.id.namespace, &d.id.name).await {
                        Ok(Some(l)) => health(&d.id.group, &l),
                        Ok(None) => Health::NotFound,
                        Err(e) => Health::InProgress(describe(&e)),
                    };
                    (d.id.clone(), h)
                })
            }))
            .buffered(self.opts.concurrency.max(1))
            .collect()
            .await;
            let failed: Vec<String> = checks
                .iter()
                .filter_map(|(id, h)| match h {
                    Health::Failed(m) => Some(format!("{id}: {m}")),
                    _ => None,
                })
                .collect();
            let pending = checks.iter().filter(|(_, h)| !h.is_current()).count();
            if !failed.is_empty() {
                report.wait_error = Some(format!("failed: {}", failed.join("; ")));
                report.health = checks;
                return;
            }
            if pending == 0 {
                report.health = checks;
                return;
            }
            if Instant::now() >= deadline {
                let list: Vec<String> =
                    checks.iter().filter(|(_, h)| !h.is_current()).map(|(id, h)| format!("{id} ({h})")).collect();
                report.wait_error = Some(format!("timed out after {timeout:?} waiting for: {}", list.join(", ")));
                report.health = checks;
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn stages() {
        assert_eq!(stage_of("apiextensions.k8s.io", "CustomResourceDefinition"), 0);
        assert_eq!(stage_of("", "Namespace"), 0);
        assert_eq!(stage_of("rbac.authorization.k8s.io", "ClusterRole"), 1);
        assert_eq!(stage_of("storage.k8s.io", "StorageClass"), 1);
        assert_eq!(stage_of("", "ConfigMap"), 2);
        assert_eq!(stage_of("apps", "Deployment"), 3);
        assert_eq!(stage_of("example.com", "Widget"), 3);
        assert_eq!(stage_of("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"), 4);
    }

    #[test]
    fn migration_merges_kubectl_entries() {
        let live = json!({"metadata": {"resourceVersion": "7",
        "annotations": {LAST_APPLIED: "{}"},
        "managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}},
            {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {"f:c": {}}}},
            {"manager": "other", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:data": {"f:d": {}}}},
            {"manager": "kubectl", "operation": "Update", "subresource": "status", "fieldsV1": {}}
        ]}});
        assert!(needs_migration(&live));
        let patch = migration_patch(&live, "kiln", "v1");
        let ops = patch.as_array().unwrap();
        assert_eq!(ops[0]["op"], "test");
        let mf = ops[1]["value"].as_array().unwrap();
        assert_eq!(mf.len(), 3, "{mf:?}");
        let ours = mf.iter().find(|e| e["manager"] == "kiln").unwrap();
        assert_eq!(ours["fieldsV1"], json!({"f:data": {"f:a": {}, "f:b": {}, "f:c": {}}}));
        assert_eq!(ops[2]["op"], "remove");
    }

    #[test]
    fn normalise_rejects_and_cleans() {
        assert!(normalise(0, &json!({"kind": "ConfigMap", "metadata": {"name": "x"}})).is_err());
        assert!(
            normalise(0, &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "x-"}}))
                .is_err()
        );
        let (_, _, _, b) = normalise(
            0,
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "creationTimestamp": null}, "status": {}}),
        )
        .unwrap();
        assert_eq!(b, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}));
    }
}
