//! `.Capabilities` for `helm template`: Helm 4.1.4's defaults, `--kube-version` and `--api-versions`.

/// The API versions Helm 4.1.4 reports by default, in its order (the client-go scheme's prioritized group
/// versions plus `apiextensions.k8s.io`). Recorded from the reference binary with
/// `helm template` of a chart printing `{{ toJson .Capabilities.APIVersions }}`.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// The Kubernetes version Helm 4.1.4 assumes (client-go 0.35 → v1.35.0).
pub const DEFAULT_KUBE_VERSION: &str = "v1.35.0";

/// `.Capabilities.HelmVersion` of the Helm release kiln reproduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmVersion {
    /// `version`.
    pub version: &'static str,
    /// `git_commit`.
    pub git_commit: &'static str,
    /// `git_tree_state`.
    pub git_tree_state: &'static str,
    /// `go_version`.
    pub go_version: &'static str,
    /// `kube_client_version`.
    pub kube_client_version: &'static str,
}

/// The build information Helm v4.1.4 reports.
pub const HELM_VERSION: HelmVersion = HelmVersion {
    version: "v4.1.4",
    git_commit: "05fa37973dc9e42b76e1d2883494c87174b6074f",
    git_tree_state: "clean",
    go_version: "go1.25.9",
    kube_client_version: "v1.35",
};

/// `.Capabilities.KubeVersion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// `Version`: the version as given, with a `v` prefix (`v1.33.4-gke.1`).
    pub version: String,
    /// What `String()` prints and constraints are checked against (`v1.33.4`).
    pub normalized: String,
    /// `Major`.
    pub major: String,
    /// `Minor`.
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            normalized: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "35".into(),
        }
    }
}

/// `common.ParseKubeVersion` (`k8s.io/apimachinery` `ParseGeneric` underneath): `[v]MAJOR.MINOR[.more...][suffix]`.
pub fn parse_kube_version(input: &str) -> Result<KubeVersion, String> {
    let s = input.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
    let s = s.strip_prefix('v').unwrap_or(s);
    let numeric_end = {
        // [0-9]+(\.[0-9]+)*
        let b = s.as_bytes();
        let mut i = 0;
        let mut end = 0;
        loop {
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                break;
            }
            end = i;
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
            } else {
                break;
            }
        }
        end
    };
    if numeric_end == 0 {
        return Err(format!("could not parse {} as version", kiln_helm_values::go_quote(input)));
    }
    let numbers = s.get(..numeric_end).unwrap_or("");
    let components: Vec<&str> = numbers.split('.').collect();
    if components.len() < 2 {
        return Err(format!("illegal version string {}", kiln_helm_values::go_quote(input)));
    }
    let mut parsed = Vec::with_capacity(components.len());
    for (i, comp) in components.iter().enumerate() {
        if i == 0 && comp.starts_with('0') && *comp != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {} in {}",
                kiln_helm_values::go_quote(comp),
                kiln_helm_values::go_quote(input)
            ));
        }
        let n: u64 = comp.parse().map_err(|_| {
            format!(
                "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                kiln_helm_values::go_quote(comp),
                kiln_helm_values::go_quote(input),
                kiln_helm_values::go_quote(comp)
            )
        })?;
        parsed.push(n);
    }
    let version = if input.starts_with('v') { input.to_owned() } else { format!("v{input}") };
    let normalized = format!("v{}", parsed.iter().map(u64::to_string).collect::<Vec<_>>().join("."));
    Ok(KubeVersion {
        version,
        normalized,
        major: parsed.first().copied().unwrap_or(0).to_string(),
        minor: parsed.get(1).copied().unwrap_or(0).to_string(),
    })
}

/// `.Capabilities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `KubeVersion`.
    pub kube_version: KubeVersion,
    /// `APIVersions`: the defaults followed by the extra ones.
    pub api_versions: Vec<String>,
}

impl Capabilities {
    /// Helm's defaults, then `kube_version` (when given) and `extra_api_versions` appended.
    pub fn new(kube_version: Option<&str>, extra_api_versions: &[String]) -> Result<Capabilities, String> {
        let kube_version = match kube_version {
            Some(v) if !v.is_empty() => {
                parse_kube_version(v).map_err(|e| format!("invalid kube version '{v}': {e}"))?
            }
            _ => KubeVersion::default(),
        };
        let mut api_versions: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| (*s).to_owned()).collect();
        api_versions.extend(extra_api_versions.iter().cloned());
        Ok(Capabilities { kube_version, api_versions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_helm() {
        // Expectations from `helm template c --kube-version X` printing the KubeVersion fields (helm v4.1.4).
        let k = parse_kube_version("1.33.4-gke.1").unwrap();
        assert_eq!(
            (k.normalized.as_str(), k.version.as_str(), k.major.as_str(), k.minor.as_str()),
            ("v1.33.4", "v1.33.4-gke.1", "1", "33")
        );
        let k = parse_kube_version("v1.30").unwrap();
        assert_eq!((k.normalized.as_str(), k.version.as_str()), ("v1.30", "v1.30"));
        let k = parse_kube_version("1.30.1.5").unwrap();
        assert_eq!(k.normalized, "v1.30.1.5");
        let k = parse_kube_version(" 1.2.3").unwrap();
        assert_eq!((k.normalized.as_str(), k.version.as_str()), ("v1.2.3", "v 1.2.3"));
        let k = parse_kube_version("1.02.3").unwrap();
        assert_eq!((k.normalized.as_str(), k.minor.as_str()), ("v1.2.3", "2"));
        assert_eq!(
            parse_kube_version("01.2").unwrap_err(),
            "illegal zero-prefixed version component \"01\" in \"01.2\""
        );
        assert_eq!(parse_kube_version("1").unwrap_err(), "illegal version string \"1\"");
        assert_eq!(DEFAULT_API_VERSIONS.len(), 57);
    }
}
