//! Connecting to a cluster (kubeconfig handling like kubectl) and the raw REST calls kiln makes.
//!
//! Requests are built by hand from a [`Resource`] (group, version, plural, scope) so that any kind, built-in or
//! custom, is handled the same way on `serde_json::Value` bodies.

use std::path::PathBuf;
use std::time::Duration;

use http::{Method, Request};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use crate::discovery::Resource;
use crate::error::Error;

/// Where to find credentials, like kubectl's `--kubeconfig`, `--context` and `--namespace`.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--kubeconfig`: one file; overrides `KUBECONFIG` (which may list several files, merged) and
    /// `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: a context of the kubeconfig instead of its `current-context`.
    pub context: Option<String>,
    /// `--namespace`: the default namespace for namespaced objects without one (otherwise the context's
    /// namespace, otherwise `default`).
    pub namespace: Option<String>,
}

/// A connected cluster: the client and the default namespace.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    namespace: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("namespace", &self.namespace).finish_non_exhaustive()
    }
}

/// The API groups the kube-apiserver serves itself, with the schemas compiled in. (Not `*.k8s.io` as a pattern:
/// `metrics.k8s.io`, for one, is served by an aggregated server.)
pub(crate) fn builtin_group(group: &str) -> bool {
    matches!(
        group,
        "" | "admissionregistration.k8s.io"
            | "apiextensions.k8s.io"
            | "apiregistration.k8s.io"
            | "apps"
            | "authentication.k8s.io"
            | "authorization.k8s.io"
            | "autoscaling"
            | "batch"
            | "certificates.k8s.io"
            | "coordination.k8s.io"
            | "discovery.k8s.io"
            | "events.k8s.io"
            | "flowcontrol.apiserver.k8s.io"
            | "internal.apiserver.k8s.io"
            | "networking.k8s.io"
            | "node.k8s.io"
            | "policy"
            | "rbac.authorization.k8s.io"
            | "resource.k8s.io"
            | "scheduling.k8s.io"
            | "storage.k8s.io"
            | "storagemigration.k8s.io"
    )
}

/// Query parameters for an apply PATCH.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplyParams<'a> {
    pub manager: &'a str,
    pub force: bool,
    pub dry_run: bool,
}

impl Cluster {
    /// Connects using the kubeconfig rules of kubectl: `opts.kubeconfig`, else `KUBECONFIG` (merged), else
    /// `~/.kube/config`.
    pub async fn connect(opts: &ConnectOptions) -> Result<Cluster, Error> {
        let kc = match &opts.kubeconfig {
            Some(p) => Kubeconfig::read_from(p),
            None => Kubeconfig::read(),
        }
        .map_err(|e| Error::Kubeconfig(e.to_string()))?;
        let kopts = KubeConfigOptions { context: opts.context.clone(), cluster: None, user: None };
        let mut config =
            kube::Config::from_custom_kubeconfig(kc, &kopts).await.map_err(|e| Error::Kubeconfig(e.to_string()))?;
        config.read_timeout = Some(Duration::from_secs(60));
        if let Some(ns) = &opts.namespace {
            config.default_namespace = ns.clone();
        }
        let namespace = config.default_namespace.clone();
        let client = kube::Client::try_from(config).map_err(|e| Error::api("creating the client", e))?;
        Ok(Cluster { client, namespace })
    }

    /// Wraps an existing client.
    pub fn from_client(client: kube::Client, namespace: impl Into<String>) -> Cluster {
        Cluster { client, namespace: namespace.into() }
    }

    /// The default namespace (from `--namespace`, the context, or `default`).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The underlying client.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    pub(crate) async fn get_json(&self, path: &str, accept: Option<&str>) -> Result<Value, kube::Error> {
        let mut b = Request::builder().method(Method::GET).uri(path);
        if let Some(a) = accept {
            b = b.header(http::header::ACCEPT, a);
        }
        let req = b.body(Vec::new()).map_err(kube::Error::HttpError)?;
        self.client.request::<Value>(req).await
    }

    /// GET one object; `Ok(None)` when it does not exist.
    pub(crate) async fn get(&self, r: &Resource, ns: &str, name: &str) -> Result<Option<Value>, kube::Error> {
        match self.get_json(&r.object_path(ns, name), None).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if crate::error::is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// LIST objects of a resource in a namespace (all namespaces when `ns` is `None` or the resource is
    /// cluster-scoped), optionally filtered by a label selector. Follows `continue` tokens.
    pub(crate) async fn list(
        &self,
        r: &Resource,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>, kube::Error> {
        let mut out = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut q = vec!["limit=500".to_string()];
            if let Some(s) = selector {
                q.push(format!("labelSelector={}", encode(s)));
            }
            if let Some(c) = &cont {
                q.push(format!("continue={}", encode(c)));
            }
            let path = format!("{}?{}", r.collection_path(ns), q.join("&"));
            let list = self.get_json(&path, None).await?;
            let api_version = r.api_version();
            if let Some(items) = list.get("items").and_then(Value::as_array) {
                for item in items {
                    let mut item = item.clone();
                    // List items carry no apiVersion/kind; fill them in so they look like GETs.
                    if let Some(o) = item.as_object_mut() {
                        o.insert("apiVersion".into(), Value::String(api_version.clone()));
                        o.insert("kind".into(), Value::String(r.kind.clone()));
                    }
                    out.push(item);
                }
            }
            cont = crate::object::str_at(&list, &["metadata", "continue"]).filter(|c| !c.is_empty()).map(String::from);
            if cont.is_none() {
                return Ok(out);
            }
        }
    }

    /// Server-side apply PATCH.
    pub(crate) async fn apply(
        &self,
        r: &Resource,
        ns: &str,
        name: &str,
        body: &Value,
        p: ApplyParams<'_>,
    ) -> Result<Value, kube::Error> {
        let mut q = vec![format!("fieldManager={}", encode(p.manager))];
        if p.force {
            q.push("force=true".into());
        }
        if p.dry_run {
            q.push("dryRun=All".into());
        }
        // For the kube-apiserver's own kinds, unknown or misplaced fields are refused by server-side apply itself,
        // whatever this parameter says: the field manager converts the body to the kind's schema first ("field not
        // declared in schema"; `unknown_fields_are_refused_for_every_kind` in `tests/cluster.rs`). For them
        // `Strict` only adds a second, strict YAML parse of the body to find duplicate keys, which a body serialised
        // from a JSON map cannot have; that parse was about 40% of the API server's CPU for a dry-run
        // (`docs/benchmarks.md`, "Apply"). Any other group (custom resources, aggregated APIs, whose servers may
        // convert without a schema and then drop what they do not know) keeps `Strict`.
        q.push(if builtin_group(&r.group) { "fieldValidation=Ignore" } else { "fieldValidation=Strict" }.into());
        let path = format!("{}?{}", r.object_path(ns, name), q.join("&"));
        let bytes = serde_json::to_vec(body).map_err(kube::Error::SerdeError)?;
        let req = Request::builder()
            .method(Method::PATCH)
            .uri(path)
            .header(http::header::CONTENT_TYPE, "application/apply-patch+yaml")
            .body(bytes)
            .map_err(kube::Error::HttpError)?;
        self.client.request::<Value>(req).await
    }

    /// JSON-patch (RFC 6902) PATCH.
    pub(crate) async fn json_patch(
        &self,
        r: &Resource,
        ns: &str,
        name: &str,
        patch: &Value,
        manager: &str,
    ) -> Result<Value, kube::Error> {
        let path = format!("{}?fieldManager={}", r.object_path(ns, name), encode(manager));
        let bytes = serde_json::to_vec(patch).map_err(kube::Error::SerdeError)?;
        let req = Request::builder()
            .method(Method::PATCH)
            .uri(path)
            .header(http::header::CONTENT_TYPE, "application/json-patch+json")
            .body(bytes)
            .map_err(kube::Error::HttpError)?;
        self.client.request::<Value>(req).await
    }

    /// DELETE with background propagation and an optional UID precondition. `Ok(false)` when already gone.
    pub(crate) async fn delete(
        &self,
        r: &Resource,
        ns: &str,
        name: &str,
        uid: Option<&str>,
    ) -> Result<bool, kube::Error> {
        let mut opts =
            serde_json::json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"});
        if let Some(u) = uid {
            opts["preconditions"] = serde_json::json!({ "uid": u });
        }
        let bytes = serde_json::to_vec(&opts).map_err(kube::Error::SerdeError)?;
        let req = Request::builder()
            .method(Method::DELETE)
            .uri(r.object_path(ns, name))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(bytes)
            .map_err(kube::Error::HttpError)?;
        match self.client.request_text(req).await {
            Ok(_) => Ok(true),
            Err(e) if crate::error::is_not_found(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::builtin_group;

    #[test]
    fn builtin_groups_are_named_not_patterned() {
        for g in ["", "apps", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "apiextensions.k8s.io"] {
            assert!(builtin_group(g), "{g}");
        }
        for g in ["metrics.k8s.io", "custom.metrics.k8s.io", "cert-manager.io", "example.com", "apps.example.com"] {
            assert!(!builtin_group(g), "{g}");
        }
    }
}
