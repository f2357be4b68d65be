//! Object identity as kustomize sees it: group, version, kind, name and effective namespace.

use crate::schema::{Scope, builtin};
use kiln_yaml::Value;
use std::fmt;

/// Kubernetes kinds that are cluster-scoped, for API groups whose OpenAPI documents are not in the built-in
/// table (group, kind). kustomize knows these from its own built-in schema.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
];

/// Split an `apiVersion` into group and version (`apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`)).
pub fn split_api_version(av: &str) -> (&str, &str) {
    av.split_once('/').unwrap_or(("", av))
}

/// True when kustomize would treat the kind as certainly cluster-scoped.
pub fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    if let Some(k) = builtin().kind(api_version, kind) {
        return k.scope == Scope::Cluster;
    }
    let (group, _) = split_api_version(api_version);
    CLUSTER_SCOPED.iter().any(|(g, k)| *g == group && *k == kind)
}

/// The identity of an object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectId {
    /// API group (empty for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` as written (possibly empty).
    pub namespace: String,
    /// Whether the kind is cluster-scoped.
    pub cluster_scoped: bool,
}

impl ObjectId {
    /// Read the identity of `obj`.
    pub fn of(obj: &Value) -> Self {
        let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let (group, version) = split_api_version(av);
        ObjectId {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
            name: crate::values::meta_str(obj, "name").to_owned(),
            namespace: crate::values::meta_str(obj, "namespace").to_owned(),
            cluster_scoped: is_cluster_scoped(av, kind),
        }
    }

    /// The namespace kustomize compares: `default` for namespaced objects without one, and a marker that
    /// matches nothing else for cluster-scoped objects.
    pub fn effective_namespace(&self) -> &str {
        if self.cluster_scoped {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// kustomize's `ResId.Equals`: same group, version, kind and name, and the same effective namespace.
    pub fn same_object(&self, other: &ObjectId) -> bool {
        self.group == other.group
            && self.version == other.version
            && self.kind == other.kind
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    /// `apiVersion` text.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }
}

impl fmt::Display for ObjectId {
    /// `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}
