//! From rendered template files to ordered manifests and hooks (`pkg/release/v1/util`).
//!
//! Files are taken in byte order of their paths (partials and blank files skipped), split into documents at `---`
//! lines, and each document's head (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`) is read. A
//! document whose `helm.sh/hook` annotation names known hook events is a hook; one naming an unknown event is
//! dropped. Both lists are then stably sorted by kind in Helm's install order; unknown kinds go last, by name.

use std::collections::BTreeMap;

use kiln_yaml::Value;

/// Helm's install order of kinds.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The hook events Helm knows (`test-success` is the Helm 2 name of `test`).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// The head of a manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimpleHead {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.annotations` (empty when absent).
    pub annotations: BTreeMap<String, String>,
}

/// A manifest: the template it came from and one YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Template path (`chart/templates/x.yaml`).
    pub name: String,
    /// The document, trimmed.
    pub content: String,
    /// Its head.
    pub head: SimpleHead,
}

/// A hook manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    /// Template path.
    pub path: String,
    /// The document, trimmed.
    pub manifest: String,
    /// Its kind.
    pub kind: String,
    /// Normalised events (`test-success` stays as written, lowercased).
    pub events: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`helm template --skip-tests` leaves these out).
    pub fn is_test(&self) -> bool {
        self.events.iter().any(|e| e == "test" || e == "test-success")
    }
}

/// Why sorting failed: a document is not valid YAML or has a malformed head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SortError(pub String);

/// Go's `\s` (ASCII white space, no vertical tab).
fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The pieces Go's `regexp.Split` leaves when splitting on Helm's separator pattern
/// `(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*`: a `---` at the very start or right after a line break, with the white space
/// run before that line break and all white space after the dashes. Matched by hand, leftmost-first and without
/// overlap as the regexp engine does: this runs on every rendered file, and compiling the pattern inside the sandbox
/// costs more than a small render.
fn split_on_separators(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    // One searcher for the whole text (SIMD on WebAssembly too), rather than `str::find`'s two-way search per piece:
    // rendered CRDs run to megabytes.
    let separator = memchr::memmem::Finder::new(b"\n---");
    let mut pieces = Vec::new();
    let (mut piece_start, mut pos) = (0usize, 0usize);
    loop {
        let found = if pos == 0 && b.starts_with(b"---") {
            Some((0, 3))
        } else {
            separator.find(b.get(pos..).unwrap_or_default()).map(|i| {
                let nl = pos + i;
                let mut start = nl;
                while start > pos && is_go_space(b[start - 1]) {
                    start -= 1;
                }
                (start, nl + 4)
            })
        };
        let Some((start, mut end)) = found else { break };
        while end < b.len() && is_go_space(b[end]) {
            end += 1;
        }
        pieces.push(&text[piece_start..start]);
        piece_start = end;
        pos = end;
    }
    pieces.push(&text[piece_start..]);
    pieces
}

/// `SplitManifests`: the documents of one rendered file, in order, each trimmed.
pub fn split_manifests(big: &str) -> Vec<String> {
    split_on_separators(big.trim()).into_iter().filter(|d| !d.is_empty()).map(|d| d.trim().to_owned()).collect()
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Uint(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn head_string(v: &Value, field: &str, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => {}
        Value::String(s) => *out = s.clone(),
        Value::Bool(b) => *out = b.to_string(),
        Value::Int(i) => *out = i.to_string(),
        Value::Uint(u) => *out = u.to_string(),
        Value::Float(f) => *out = crate::gofmt::format_float32_g(*f),
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type string",
                json_kind(other)
            ));
        }
    }
    Ok(())
}

/// Match a JSON object key to a struct field name as `encoding/json` does (exact, else case-insensitive), taking
/// keys in sorted order.
fn sorted_fields<'a>(m: &'a kiln_yaml::Map, names: &[&str]) -> Vec<(usize, &'a Value)> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| {
            let i =
                names.iter().position(|n| n == k).or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(k)))?;
            Some((i, m.get(k.as_str())?))
        })
        .collect()
}

/// Read a document's head the way `yaml.Unmarshal(doc, &SimpleHead{})` does.
pub fn parse_head(doc: &str) -> Result<(SimpleHead, bool), String> {
    // Most rendered manifests are plain block YAML that the skim reads without building the tree; anything else
    // (and every error) goes through the full loader.
    let v = match kiln_yaml::skim::skim_helm(doc, &kiln_yaml::skim::helm_head) {
        Some(v) => v,
        None => crate::yaml::parse(doc).map_err(|e| format!("error converting YAML to JSON: {e}"))?,
    };
    let mut head = SimpleHead::default();
    let m = match &v {
        Value::Null => return Ok((head, false)),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_kind(other)
            ));
        }
    };
    let mut has_annotations = false;
    for (i, val) in sorted_fields(m, &["apiVersion", "kind", "metadata"]) {
        match i {
            0 => head_string(val, "SimpleHead.apiVersion", &mut head.api_version)?,
            1 => head_string(val, "SimpleHead.kind", &mut head.kind)?,
            _ => match val {
                Value::Null => {}
                Value::Map(md) => {
                    for (j, mv) in sorted_fields(md, &["name", "annotations"]) {
                        if j == 0 {
                            head_string(mv, "SimpleHead.metadata.name", &mut head.name)?;
                            continue;
                        }
                        match mv {
                            Value::Null => {}
                            Value::Map(ann) => {
                                for (k, av) in ann {
                                    let mut s = String::new();
                                    head_string(av, "SimpleHead.metadata.annotations", &mut s)?;
                                    head.annotations.insert(k.clone(), s);
                                }
                                has_annotations = !head.annotations.is_empty();
                            }
                            other => {
                                return Err(format!(
                                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field SimpleHead.metadata.annotations of type map[string]string",
                                    json_kind(other)
                                ));
                            }
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}",
                        json_kind(other)
                    ));
                }
            },
        }
    }
    Ok((head, has_annotations))
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// `lessByKind` as a total order (the sort is stable, so equal kinds keep their order).
fn kind_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// `SortManifests` with the install order: `files` are (template path, rendered text).
pub fn sort_manifests(files: &[(String, String)]) -> Result<(Vec<Hook>, Vec<Manifest>), SortError> {
    let mut order: Vec<&(String, String)> = files.iter().collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in order {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for m in split_manifests(content) {
            let (head, has_annotations) =
                parse_head(&m).map_err(|e| SortError(format!("YAML parse error on {path}: {e}")))?;
            let hook_types = if has_annotations { head.annotations.get("helm.sh/hook").cloned() } else { None };
            let Some(hook_types) = hook_types else {
                generic.push(Manifest { name: path.clone(), content: m, head });
                continue;
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_lowercase();
                if !HOOK_EVENTS.contains(&t.as_str()) {
                    unknown = true;
                    break;
                }
                events.push(t);
            }
            if unknown {
                continue;
            }
            hooks.push(Hook { path: path.clone(), manifest: m, kind: head.kind.clone(), events });
        }
    }
    generic.sort_by(|a, b| kind_cmp(&a.head.kind, &b.head.kind));
    hooks.sort_by(|a, b| kind_cmp(&a.kind, &b.kind));
    Ok((hooks, generic))
}

#[cfg(test)]
mod tests {
    /// The hand-written splitter cuts where the regexp does, over every string of up to seven characters from an
    /// alphabet of dashes, white space and text.
    #[test]
    fn separator_split_matches_the_pattern() {
        let re = regex::Regex::new(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*").unwrap();
        let alphabet = ['-', '\n', ' ', 'a', '\t'];
        let mut frontier = vec![String::new()];
        let mut inputs = frontier.clone();
        for _ in 0..7 {
            frontier = frontier.iter().flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}"))).collect();
            inputs.extend(frontier.iter().cloned());
        }
        for text in &inputs {
            let want: Vec<&str> = re.split(text).collect();
            assert_eq!(super::split_on_separators(text), want, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn splits_like_helm() {
        assert_eq!(split_manifests("a: 1\n---\nb: 2\n"), vec!["a: 1", "b: 2"]);
        assert_eq!(split_manifests("---\na: 1\n---apiVersion: v1"), vec!["a: 1", "apiVersion: v1"]);
        assert_eq!(split_manifests("a\n---\n\n---\nb"), vec!["a", "---\nb"]);
        assert_eq!(split_manifests("  \n"), Vec::<String>::new());
        assert_eq!(split_manifests("x: a---b"), vec!["x: a---b"]);
    }

    #[test]
    fn kind_order() {
        use std::cmp::Ordering;
        assert_eq!(kind_cmp("Namespace", "Deployment"), Ordering::Less);
        assert_eq!(kind_cmp("Zebra", "Deployment"), Ordering::Greater);
        assert_eq!(kind_cmp("Alpha", "Beta"), Ordering::Less);
        assert_eq!(kind_cmp("", "Alpha"), Ordering::Less);
    }
}
