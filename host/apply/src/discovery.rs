//! API discovery that degrades per API group.
//!
//! kiln asks for aggregated discovery (`/api` and `/apis` as `apidiscovery.k8s.io/v2` lists: two requests) and
//! falls back to the legacy per-group-version documents. Either way a group that fails (an unavailable
//! aggregated API, a stale entry, a request error) is recorded in [`Discovery::failed_groups`] instead of failing
//! the whole discovery: objects of other groups are applied normally, and pruning of the failed groups' kinds
//! is deferred.

use std::collections::{BTreeMap, HashMap};

use futures::StreamExt;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::error::Error;
use crate::object::{split_api_version, str_at};

const AGGREGATED_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/// A REST resource: where objects of one group/version/kind live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// API group (empty for core).
    pub group: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Plural resource name (the URL segment).
    pub plural: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
}

impl Resource {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }

    fn prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// The collection URL path (`ns` is ignored for cluster-scoped resources; `None` lists all namespaces).
    pub fn collection_path(&self, ns: Option<&str>) -> String {
        match ns {
            Some(ns) if self.namespaced && !ns.is_empty() => {
                format!("{}/namespaces/{}/{}", self.prefix(), ns, self.plural)
            }
            _ => format!("{}/{}", self.prefix(), self.plural),
        }
    }

    /// One object's URL path.
    pub fn object_path(&self, ns: &str, name: &str) -> String {
        format!("{}/{}", self.collection_path(Some(ns)), name)
    }
}

/// The outcome of resolving a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Served.
    Found(Resource),
    /// The group's discovery failed: whether the kind exists is unknown.
    GroupFailed(String),
    /// The group was discovered and does not serve the kind (or the group does not exist).
    NotFound,
}

/// A discovery snapshot.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    by_gvk: HashMap<(String, String, String), Resource>,
    /// Preferred (first listed) version per group and kind.
    by_gk: HashMap<(String, String), Resource>,
    failed: BTreeMap<String, String>,
}

impl Discovery {
    /// Runs discovery. Fails only when neither `/api` nor `/apis` can be read.
    pub async fn run(cluster: &Cluster) -> Result<Discovery, Error> {
        let mut d = Discovery::default();
        let (core, apis) = futures::join!(
            cluster.get_json("/api", Some(AGGREGATED_ACCEPT)),
            cluster.get_json("/apis", Some(AGGREGATED_ACCEPT))
        );
        let core = core.map_err(|e| Error::api("discovery (/api)", e))?;
        let apis = apis.map_err(|e| Error::api("discovery (/apis)", e))?;
        for doc in [&core, &apis] {
            if doc.get("kind").and_then(Value::as_str) == Some("APIGroupDiscoveryList") {
                d.add_aggregated(doc);
            } else {
                d.add_legacy(cluster, doc).await;
            }
        }
        Ok(d)
    }

    fn insert(&mut self, r: Resource) {
        self.by_gk.entry((r.group.clone(), r.kind.clone())).or_insert_with(|| r.clone());
        self.by_gvk.insert((r.group.clone(), r.version.clone(), r.kind.clone()), r);
    }

    fn add_aggregated(&mut self, doc: &Value) {
        let Some(items) = doc.get("items").and_then(Value::as_array) else { return };
        for g in items {
            let group = str_at(g, &["metadata", "name"]).unwrap_or("").to_string();
            let Some(versions) = g.get("versions").and_then(Value::as_array) else { continue };
            for v in versions {
                let version = v.get("version").and_then(Value::as_str).unwrap_or("").to_string();
                if v.get("freshness").and_then(Value::as_str) == Some("Stale") {
                    self.failed
                        .insert(group.clone(), format!("discovery for {group}/{version} is stale (API unavailable)"));
                }
                let Some(resources) = v.get("resources").and_then(Value::as_array) else { continue };
                for r in resources {
                    let (Some(plural), Some(kind)) =
                        (r.get("resource").and_then(Value::as_str), str_at(r, &["responseKind", "kind"]))
                    else {
                        continue;
                    };
                    self.insert(Resource {
                        group: group.clone(),
                        version: version.clone(),
                        kind: kind.to_string(),
                        plural: plural.to_string(),
                        namespaced: r.get("scope").and_then(Value::as_str) == Some("Namespaced"),
                    });
                }
            }
        }
    }

    async fn add_legacy(&mut self, cluster: &Cluster, doc: &Value) {
        // Either /api (`versions: ["v1"]`) or /apis (`groups: [...]`).
        let mut gvs: Vec<(String, String)> = Vec::new();
        if let Some(versions) = doc.get("versions").and_then(Value::as_array) {
            for v in versions.iter().filter_map(Value::as_str) {
                gvs.push((String::new(), v.to_string()));
            }
        }
        if let Some(groups) = doc.get("groups").and_then(Value::as_array) {
            for g in groups {
                let name = g.get("name").and_then(Value::as_str).unwrap_or("");
                let preferred = str_at(g, &["preferredVersion", "version"]).unwrap_or("");
                let mut vs: Vec<&str> = g
                    .get("versions")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|v| v.get("version").and_then(Value::as_str)).collect())
                    .unwrap_or_default();
                // Preferred version first so `by_gk` picks it.
                vs.sort_by_key(|v| *v != preferred);
                for v in vs {
                    gvs.push((name.to_string(), v.to_string()));
                }
            }
        }
        let fetched: Vec<_> = futures::stream::iter(gvs.into_iter().map(|(g, v)| async move {
            let path = if g.is_empty() { format!("/api/{v}") } else { format!("/apis/{g}/{v}") };
            let res = cluster.get_json(&path, None).await;
            (g, v, res)
        }))
        .buffered(16)
        .collect()
        .await;
        for (group, version, res) in fetched {
            match res {
                Err(e) => {
                    self.failed.insert(group.clone(), format!("{group}/{version}: {}", crate::error::describe(&e)));
                }
                Ok(list) => {
                    let Some(resources) = list.get("resources").and_then(Value::as_array) else { continue };
                    for r in resources {
                        let (Some(plural), Some(kind)) =
                            (r.get("name").and_then(Value::as_str), r.get("kind").and_then(Value::as_str))
                        else {
                            continue;
                        };
                        if plural.contains('/') {
                            continue; // subresource
                        }
                        self.insert(Resource {
                            group: group.clone(),
                            version: version.clone(),
                            kind: kind.to_string(),
                            plural: plural.to_string(),
                            namespaced: r.get("namespaced").and_then(Value::as_bool).unwrap_or(false),
                        });
                    }
                }
            }
        }
    }

    /// Resolves an `apiVersion` and kind.
    pub fn resolve(&self, api_version: &str, kind: &str) -> Lookup {
        let (group, version) = split_api_version(api_version);
        if let Some(r) = self.by_gvk.get(&(group.to_string(), version.to_string(), kind.to_string())) {
            return Lookup::Found(r.clone());
        }
        match self.failed.get(group) {
            Some(msg) => Lookup::GroupFailed(msg.clone()),
            None => Lookup::NotFound,
        }
    }

    /// Resolves a group and kind to its preferred version.
    pub fn resolve_gk(&self, group: &str, kind: &str) -> Lookup {
        if let Some(r) = self.by_gk.get(&(group.to_string(), kind.to_string())) {
            return Lookup::Found(r.clone());
        }
        match self.failed.get(group) {
            Some(msg) => Lookup::GroupFailed(msg.clone()),
            None => Lookup::NotFound,
        }
    }

    /// Groups whose discovery failed or is stale, with the reason.
    pub fn failed_groups(&self) -> &BTreeMap<String, String> {
        &self.failed
    }

    /// True when the group's discovery failed or is stale.
    pub fn group_failed(&self, group: &str) -> bool {
        self.failed.contains_key(group)
    }

    /// Adds resources defined by a CustomResourceDefinition manifest (served versions), so that its custom
    /// resources can be planned before the CRD exists. Existing entries win.
    pub fn add_crd(&mut self, crd: &Value) {
        let Some(group) = str_at(crd, &["spec", "group"]) else { return };
        let (Some(kind), Some(plural)) =
            (str_at(crd, &["spec", "names", "kind"]), str_at(crd, &["spec", "names", "plural"]))
        else {
            return;
        };
        let namespaced = str_at(crd, &["spec", "scope"]) != Some("Cluster");
        let Some(versions) = crate::object::at(crd, &["spec", "versions"]).and_then(Value::as_array) else { return };
        for v in versions {
            if v.get("served").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let Some(version) = v.get("name").and_then(Value::as_str) else { continue };
            let key = (group.to_string(), version.to_string(), kind.to_string());
            if self.by_gvk.contains_key(&key) {
                continue;
            }
            self.insert(Resource {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
                plural: plural.to_string(),
                namespaced,
            });
        }
    }
}
