//! The inventory: an ApplySet parent (KEP-3659) that also records kiln's exact member list.
//!
//! The parent is a ConfigMap named by `--inventory` in `--inventory-namespace`. It carries the ApplySet label
//! `applyset.kubernetes.io/id`, the annotations `applyset.kubernetes.io/tooling: kiln/<version>`,
//! `applyset.kubernetes.io/contains-group-kinds` and `applyset.kubernetes.io/additional-namespaces`, so other
//! ApplySet-aware tools can see the set; every member carries the label `applyset.kubernetes.io/part-of: <id>`.
//!
//! Beyond the KEP, `data.members` lists every member exactly, one per line:
//! `<Kind.group> <namespace|-> <name> <uid|-> <resourceVersion|-> <hash|->`, where `uid` and `resourceVersion`
//! are those kiln saw after its last apply and `hash` is a digest of the body kiln applied. The last two let a
//! re-apply of an unchanged manifest over an untouched object skip even the dry-run.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cluster::{ApplyParams, Cluster};
use crate::discovery::Resource;
use crate::error::Error;
use crate::object::{ObjectId, annotation, label};

/// Label on the parent holding the ApplySet ID.
pub const LABEL_ID: &str = "applyset.kubernetes.io/id";
/// Label on every member naming its ApplySet.
pub const LABEL_PART_OF: &str = "applyset.kubernetes.io/part-of";
/// Parent annotation naming the tool that manages the set.
pub const ANNOTATION_TOOLING: &str = "applyset.kubernetes.io/tooling";
/// Parent annotation listing the member group-kinds.
pub const ANNOTATION_GROUP_KINDS: &str = "applyset.kubernetes.io/contains-group-kinds";
/// Parent annotation listing member namespaces other than the parent's own.
pub const ANNOTATION_NAMESPACES: &str = "applyset.kubernetes.io/additional-namespaces";
/// The `data` key holding kiln's member list.
pub const DATA_MEMBERS: &str = "members";

/// The tooling value kiln writes.
pub fn tooling() -> String {
    format!("kiln/{}", env!("CARGO_PKG_VERSION"))
}

/// The ApplySet ID of a ConfigMap parent: `applyset-<base64url(sha256("<name>.<namespace>.ConfigMap."))>-v1`.
pub fn applyset_id(name: &str, namespace: &str) -> String {
    let digest = Sha256::digest(format!("{name}.{namespace}.ConfigMap.").as_bytes());
    format!("applyset-{}-v1", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest))
}

/// One recorded member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Identity.
    pub id: ObjectId,
    /// UID after kiln's last apply (empty when not yet known: recorded ahead of its creation).
    pub uid: String,
    /// `resourceVersion` after kiln's last apply (empty when unknown).
    pub resource_version: String,
    /// Digest of the body kiln last applied (empty when unknown).
    pub hash: String,
}

impl Member {
    /// A member recorded ahead of its apply: nothing known but its identity.
    pub fn pending(id: ObjectId) -> Member {
        Member { id, uid: String::new(), resource_version: String::new(), hash: String::new() }
    }
}

/// The inventory parent as read from the cluster.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// Parent name.
    pub name: String,
    /// Parent namespace.
    pub namespace: String,
    /// ApplySet ID.
    pub id: String,
    /// Members by identity.
    pub members: BTreeMap<ObjectId, Member>,
    /// The parent's `resourceVersion` (`None` when it does not exist yet).
    pub resource_version: Option<String>,
}

pub(crate) fn configmap_resource() -> Resource {
    Resource {
        group: String::new(),
        version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        namespaced: true,
    }
}

fn dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn undash(s: &str) -> String {
    if s == "-" { String::new() } else { s.to_string() }
}

/// Serialises members, sorted by identity.
pub fn format_members<'a>(members: impl IntoIterator<Item = &'a Member>) -> String {
    let mut lines: Vec<String> = members
        .into_iter()
        .map(|m| {
            format!(
                "{} {} {} {} {} {}",
                m.id.group_kind(),
                dash(&m.id.namespace),
                m.id.name,
                dash(&m.uid),
                dash(&m.resource_version),
                dash(&m.hash)
            )
        })
        .collect();
    lines.sort();
    let mut s = lines.join("\n");
    if !s.is_empty() {
        s.push('\n');
    }
    s
}

/// Parses `data.members`.
pub fn parse_members(text: &str) -> Result<BTreeMap<ObjectId, Member>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        let [gk, ns, name, uid, rv, hash] = f.as_slice() else {
            return Err(format!("line {}: expected 6 fields, found {}", i + 1, f.len()));
        };
        let (kind, group) = match gk.split_once('.') {
            Some((k, g)) => (k.to_string(), g.to_string()),
            None => (gk.to_string(), String::new()),
        };
        if kind.is_empty() || name.is_empty() {
            return Err(format!("line {}: empty kind or name", i + 1));
        }
        let id = ObjectId { group, kind, namespace: undash(ns), name: name.to_string() };
        out.insert(id.clone(), Member { id, uid: undash(uid), resource_version: undash(rv), hash: undash(hash) });
    }
    Ok(out)
}

impl Inventory {
    /// `namespace/name` of the parent.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Reads the parent; a missing parent gives an empty inventory. Fails when the parent belongs to another
    /// tool or its member list is malformed.
    pub async fn load(cluster: &Cluster, name: &str, namespace: &str) -> Result<Inventory, Error> {
        let id = applyset_id(name, namespace);
        let mut inv = Inventory {
            name: name.to_string(),
            namespace: namespace.to_string(),
            id: id.clone(),
            members: BTreeMap::new(),
            resource_version: None,
        };
        let live = cluster
            .get(&configmap_resource(), namespace, name)
            .await
            .map_err(|e| Error::api(format!("reading inventory {namespace}/{name}"), e))?;
        let Some(live) = live else { return Ok(inv) };
        let bad = |message: String| Error::Inventory { name: inv.display_name(), message };
        match annotation(&live, ANNOTATION_TOOLING) {
            Some(t) if t.starts_with("kiln/") => {}
            Some(t) => return Err(bad(format!("the ApplySet is managed by {t:?}, not kiln"))),
            None => return Err(bad("the ConfigMap exists and is not a kiln inventory".into())),
        }
        if label(&live, LABEL_ID) != Some(id.as_str()) {
            return Err(bad(format!("label {LABEL_ID} is not {id:?}")));
        }
        let text = crate::object::str_at(&live, &["data", DATA_MEMBERS]).unwrap_or("");
        inv.members = parse_members(text).map_err(|m| bad(format!("data.{DATA_MEMBERS}: {m}")))?;
        inv.resource_version = crate::object::str_at(&live, &["metadata", "resourceVersion"]).map(String::from);
        Ok(inv)
    }

    /// Writes the parent with `members` (server-side apply, optimistic on the `resourceVersion` read or last
    /// written, so a concurrent kiln run on the same inventory fails instead of losing entries). Skips the
    /// write when nothing would change. Updates `self`.
    pub async fn store(
        &mut self,
        cluster: &Cluster,
        manager: &str,
        members: BTreeMap<ObjectId, Member>,
    ) -> Result<(), Error> {
        if self.resource_version.is_some() && members == self.members {
            return Ok(());
        }
        let gks: BTreeSet<String> = members.keys().map(ObjectId::group_kind).collect();
        let nss: BTreeSet<&str> =
            members.keys().map(|m| m.namespace.as_str()).filter(|n| !n.is_empty() && *n != self.namespace).collect();
        let mut body = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": self.name,
                "namespace": self.namespace,
                "labels": { LABEL_ID: self.id },
                "annotations": {
                    ANNOTATION_TOOLING: tooling(),
                    ANNOTATION_GROUP_KINDS: gks.into_iter().collect::<Vec<_>>().join(","),
                    ANNOTATION_NAMESPACES: nss.into_iter().collect::<Vec<_>>().join(","),
                },
            },
            "data": { DATA_MEMBERS: format_members(members.values()) },
        });
        if let Some(rv) = &self.resource_version {
            body["metadata"]["resourceVersion"] = Value::String(rv.clone());
        }
        let written = cluster
            .apply(
                &configmap_resource(),
                &self.namespace,
                &self.name,
                &body,
                ApplyParams { manager, force: true, dry_run: false },
            )
            .await
            .map_err(|e| {
                if crate::error::status(&e).is_some_and(|s| s.code == 409) {
                    Error::Inventory {
                        name: self.display_name(),
                        message: "changed by someone else during this run (another kiln apply?); re-run".into(),
                    }
                } else {
                    Error::api(format!("writing inventory {}", self.display_name()), e)
                }
            })?;
        self.resource_version = crate::object::str_at(&written, &["metadata", "resourceVersion"]).map(String::from);
        self.members = members;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip() {
        let a = Member {
            id: ObjectId {
                group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                namespace: String::new(),
                name: "system:foo".into(),
            },
            uid: "u1".into(),
            resource_version: "12".into(),
            hash: String::new(),
        };
        let b = Member::pending(ObjectId {
            group: String::new(),
            kind: "ConfigMap".into(),
            namespace: "ns".into(),
            name: "c".into(),
        });
        let text = format_members([&a, &b]);
        assert_eq!(text, "ClusterRole.rbac.authorization.k8s.io - system:foo u1 12 -\nConfigMap ns c - - -\n");
        let back = parse_members(&text).unwrap();
        assert_eq!(back.get(&a.id), Some(&a));
        assert_eq!(back.get(&b.id), Some(&b));
        assert!(parse_members("ConfigMap ns c").is_err());
    }
}
