//! Identities (group/version/kind, resource IDs) and field specs, with kustomize's matching and ordering rules.

use std::fmt;

use kiln_yaml::Value;

use crate::error::{Error, Result};

/// Group, version and kind. Empty fields act as wildcards when a `Gvk` is used as a selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

/// Kinds kustomize's legacy order puts first, in order.
pub(crate) const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
/// Kinds the legacy order puts last, in order.
pub(crate) const ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/// Position of a kind in an order given by `first` and `last` lists: negative for `first`, positive for `last`,
/// zero otherwise.
pub fn kind_rank<S: AsRef<str>>(kind: &str, first: &[S], last: &[S]) -> i64 {
    if let Some(i) = first.iter().position(|k| k.as_ref() == kind) {
        return i as i64 - first.len() as i64;
    }
    if let Some(i) = last.iter().position(|k| k.as_ref() == kind) {
        return 1 + i as i64;
    }
    0
}

impl Gvk {
    /// A `Gvk` from an `apiVersion` string and a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        Gvk { group: group.to_owned(), version: version.to_owned(), kind: kind.to_owned() }
    }

    /// The `apiVersion` string (`group/version`, or `version` for the core group).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }

    /// True when this matches `selector` (its empty fields match anything).
    pub fn is_selected(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// True when the kind is certainly cluster-scoped: a built-in Kubernetes kind, or one the custom OpenAPI
    /// schema in force serves only under cluster paths.
    pub fn is_cluster_scoped(&self) -> bool {
        if self.kind.is_empty() {
            return false;
        }
        let av = self.api_version();
        kpatch::resid::is_cluster_scoped(&av, &self.kind)
            || (kpatch::schema::builtin().kind(&av, &self.kind).is_none()
                && crate::openapi::custom_scope(&av, &self.kind) == Some(true))
    }

    /// The tie-breaking sort string of kustomize (`group_version_kind`, `~G`/`~V`/`~K` for empty parts).
    pub fn stable_sort_string(&self) -> String {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
        format!("{}_{}_{}", or(&self.group, "~G"), or(&self.version, "~V"), or(&self.kind, "~K"))
    }

    /// kustomize's `IsLessThan`: legacy kind order first, then [`Gvk::stable_sort_string`].
    pub fn is_less_than(&self, other: &Gvk) -> bool {
        let (a, b) =
            (kind_rank(&self.kind, &ORDER_FIRST, &ORDER_LAST), kind_rank(&other.kind, &ORDER_FIRST, &ORDER_LAST));
        if a != b {
            return a < b;
        }
        self.sort_string_bytes().lt(other.sort_string_bytes())
    }

    /// The bytes of [`Gvk::stable_sort_string`], without building it: configurations are sorted with this
    /// comparison every time a kustomization is entered.
    fn sort_string_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        fn or<'s>(s: &'s str, d: &'static str) -> &'s [u8] {
            if s.is_empty() { d.as_bytes() } else { s.as_bytes() }
        }
        let sep = std::iter::once(b'_');
        or(&self.group, "~G")
            .iter()
            .copied()
            .chain(sep.clone())
            .chain(or(&self.version, "~V").iter().copied())
            .chain(sep)
            .chain(or(&self.kind, "~K").iter().copied())
    }
}

impl fmt::Display for Gvk {
    /// kustomize's `Kind.version.group` form, with `[noKind]`, `[noVer]`, `[noGrp]` for empty parts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |s: &str, d: &'static str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
        write!(f, "{}.{}.{}", or(&self.kind, "[noKind]"), or(&self.version, "[noVer]"), or(&self.group, "[noGrp]"))
    }
}

/// The namespace kustomize gives cluster-scoped objects when comparing namespaces.
pub const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// A resource identity: GVK, name, namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` as written.
    pub namespace: String,
    /// Whether the kind counts as cluster-scoped (kustomize computes this for current IDs, not previous ones).
    pub cluster_scoped: bool,
}

impl ResId {
    /// A current ID (cluster scope computed from the kind).
    pub fn new(gvk: Gvk, name: &str, namespace: &str) -> Self {
        let cluster_scoped = gvk.is_cluster_scoped();
        ResId { gvk, name: name.to_owned(), namespace: namespace.to_owned(), cluster_scoped }
    }

    /// The namespace used for comparisons: [`NOT_A_NAMESPACE`] for cluster-scoped kinds, `default` when empty.
    pub fn effective_namespace(&self) -> &str {
        if self.cluster_scoped {
            NOT_A_NAMESPACE
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Same effective namespace.
    pub fn is_ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// Same GVK and name.
    pub fn gvkn_equals(&self, other: &ResId) -> bool {
        self.name == other.name && self.gvk == other.gvk
    }

    /// Same GVK, name and effective namespace.
    pub fn equals(&self, other: &ResId) -> bool {
        self.is_ns_equals(other) && self.gvkn_equals(other)
    }

    /// True when `selector` (empty name, namespace and GVK fields match anything) selects this ID.
    pub fn is_selected_by(&self, selector: &ResId) -> bool {
        (selector.name.is_empty() || selector.name == self.name)
            && (selector.namespace.is_empty() || selector.is_ns_equals(self))
            && self.gvk.is_selected(&selector.gvk)
    }

    /// True when every field is empty.
    pub fn is_empty(&self) -> bool {
        self.gvk == Gvk::default() && self.name.is_empty() && self.namespace.is_empty()
    }
}

impl fmt::Display for ResId {
    /// kustomize's `Kind.version.group/name.namespace` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.namespace.is_empty() { "[noNs]" } else { &self.namespace };
        let name = if self.name.is_empty() { "[noName]" } else { &self.name };
        write!(f, "{}/{}.{}", self.gvk, name, ns)
    }
}

/// Where a transformer writes: objects of a GVK (empty fields match anything) and a `/`-separated path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    /// Which objects.
    pub gvk: Gvk,
    /// The field path (`spec/template/metadata/labels`; `[]` marks a list that must not be created; `\/` is a
    /// literal slash).
    pub path: String,
    /// Create missing fields on the way.
    pub create: bool,
}

impl FieldSpec {
    /// A field spec from its YAML form (`group`, `version`, `kind`, `path`, `create`).
    pub fn from_value(v: &Value) -> Result<Self> {
        Self::decode(v, true)
    }

    /// Decode a field spec as Go's JSON decoding does: names match case-insensitively; unknown fields are errors
    /// when `strict` (inside a kustomization) and ignored otherwise (plugin and `configurations` documents).
    pub fn decode(v: &Value, strict: bool) -> Result<Self> {
        let m = v
            .as_map()
            .ok_or_else(|| Error::invalid(format!("a field spec must be a mapping, not {}", v.type_name())))?;
        let mut fs = FieldSpec::default();
        for (k, val) in m {
            match go_name(k, &["group", "version", "kind", "path", "create"]) {
                Some("group") => fs.gvk.group = scalar_string(val, "group")?,
                Some("version") => fs.gvk.version = scalar_string(val, "version")?,
                Some("kind") => fs.gvk.kind = scalar_string(val, "kind")?,
                Some("path") => fs.path = scalar_string(val, "path")?,
                Some(_) => {
                    fs.create = match val {
                        Value::Bool(b) => *b,
                        Value::Null => false,
                        other => {
                            return Err(Error::invalid(format!(
                                "field spec `create` must be a boolean, not {}",
                                other.type_name()
                            )));
                        }
                    }
                }
                None if strict => return Err(Error::invalid(format!("unknown field `{k}` in field spec"))),
                None => {}
            }
        }
        Ok(fs)
    }

    /// kustomize's `effectivelyEquals`: this spec's GVK is selected by the other's and the paths are equal.
    pub fn effectively_equals(&self, other: &FieldSpec) -> bool {
        // The path comparison rejects almost every pair and is the cheaper one.
        self.path == other.path && self.gvk.is_selected(&other.gvk)
    }
}

/// Add `fs` to `list` unless an effectively equal spec is there (then their `create` must agree).
pub fn merge_fieldspec(list: &mut Vec<FieldSpec>, fs: FieldSpec) -> Result<()> {
    match list.iter().find(|x| x.effectively_equals(&fs)) {
        Some(x) if x.create != fs.create => Err(Error::invalid(format!(
            "conflicting fieldspecs: path {:?} for {} is given with create={} and create={}",
            fs.path, fs.gvk, x.create, fs.create
        ))),
        Some(_) => Ok(()),
        None => {
            list.push(fs);
            Ok(())
        }
    }
}

/// Sort field specs by GVK as kustomize does (stable, so equal GVKs keep their order).
pub fn sort_fieldspecs(list: &mut [FieldSpec]) {
    list.sort_by(|a, b| order(&a.gvk, &b.gvk));
}

/// [`Gvk::is_less_than`] as an ordering.
pub fn order(a: &Gvk, b: &Gvk) -> std::cmp::Ordering {
    if a.is_less_than(b) {
        std::cmp::Ordering::Less
    } else if b.is_less_than(a) {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// The text of a scalar as a string field would hold it (numbers and booleans are rejected like Go's JSON decoder
/// rejects them for a `string` field; null is empty).
pub fn scalar_string(v: &Value, field: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(Error::invalid(format!("`{field}` must be a string, not {}", other.type_name()))),
    }
}

/// Split a field-spec path on `/`, honouring `\/` escapes and an optional leading `/` (kyaml's `PathSplitter`).
pub fn split_path(path: &str, delimiter: char) -> Vec<String> {
    let mut parts: Vec<&str> = path.split(delimiter).collect();
    if parts.len() > 1 && parts.first().is_some_and(|p| p.is_empty()) {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    for p in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push(delimiter);
                last.push_str(p);
            }
            _ => out.push(p.to_owned()),
        }
    }
    out
}

/// kyaml's `SmarterPathSplitter`: like [`split_path`], but a bracketed list selector (`[name=a.b]`) stays whole even
/// when it contains the delimiter; brackets without `=` are removed.
pub fn smarter_split_path(path: &str, delimiter: char) -> Vec<String> {
    let split = split_path(path, delimiter);
    let mut out = Vec::with_capacity(split.len());
    let mut i = 0;
    while let Some(elem) = split.get(i) {
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem.clone()];
            while i + 1 < split.len() {
                i += 1;
                if let Some(next) = split.get(i) {
                    bracketed.push(next.clone());
                    if next.ends_with(']') {
                        break;
                    }
                }
            }
            let joined = bracketed.join(&delimiter.to_string());
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_owned());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// The struct field a JSON object key names under Go's `encoding/json` rules: the field of exactly that name, else
/// the first whose name equals it ignoring ASCII case.
pub fn go_name<'f>(key: &str, fields: &[&'f str]) -> Option<&'f str> {
    fields.iter().find(|f| **f == key).or_else(|| fields.iter().find(|f| f.eq_ignore_ascii_case(key))).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let a = ResId::new(Gvk::from_api_version("apps/v1", "Deployment"), "web", "");
        let b = ResId::new(Gvk::from_api_version("apps/v1", "Deployment"), "web", "default");
        assert!(a.equals(&b));
        assert_eq!(a.to_string(), "Deployment.v1.apps/web.[noNs]");
        let ns = ResId::new(Gvk::from_api_version("v1", "Namespace"), "x", "");
        assert_eq!(ns.effective_namespace(), NOT_A_NAMESPACE);
    }

    #[test]
    fn sort_comparison_is_the_sort_strings_order() {
        let parts = ["", "a", "a_b", "apps", "v1", "~", "Z", "_"];
        let mut gvks = Vec::new();
        for g in parts {
            for v in parts {
                for k in ["", "Pod", "CronTab", "a"] {
                    gvks.push(Gvk { group: g.to_owned(), version: v.to_owned(), kind: k.to_owned() });
                }
            }
        }
        for a in &gvks {
            for b in &gvks {
                let bytes: Vec<u8> = a.sort_string_bytes().collect();
                assert_eq!(bytes, a.stable_sort_string().into_bytes());
                assert_eq!(
                    a.sort_string_bytes().lt(b.sort_string_bytes()),
                    a.stable_sort_string() < b.stable_sort_string(),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn legacy_order() {
        let ns = Gvk::from_api_version("v1", "Namespace");
        let dep = Gvk::from_api_version("apps/v1", "Deployment");
        let crd = Gvk::from_api_version("example.com/v1", "Widget");
        let hook = Gvk::from_api_version("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration");
        assert!(ns.is_less_than(&dep) && dep.is_less_than(&crd) && crd.is_less_than(&hook));
    }

    #[test]
    fn path_splitting() {
        assert_eq!(split_path("metadata/annotations/a.b\\/c", '/'), ["metadata", "annotations", "a.b/c"]);
        assert_eq!(split_path("/a/b", '/'), ["a", "b"]);
        assert_eq!(
            smarter_split_path("spec.containers.[name=a.b].image", '.'),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(smarter_split_path("a.[b.c].d", '.'), ["a", "b.c", "d"]);
    }
}
