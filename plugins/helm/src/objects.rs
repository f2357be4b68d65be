//! The Go objects Helm puts in front of templates: `.Files`, `.Capabilities` (with its `KubeVersion`,
//! `APIVersions` and `HelmVersion`), as [`gotmpl::Object`]s with Go's type names, fields, methods and printing.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use gotmpl::{Args, CallContext, FuncError, List, Map, Object, Param, Signature, Value};

use crate::capabilities::{Capabilities, HELM_VERSION, KubeVersion};
use crate::chart::FileData;

/// `engine.files`: the chart's files by path (`map[string][]byte`), with Helm's accessor methods.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: BTreeMap<String, FileData>,
}

impl Files {
    /// The files of a chart.
    pub fn new(files: impl IntoIterator<Item = (String, FileData)>) -> Files {
        Files { files: files.into_iter().collect() }
    }

    fn get_bytes(&self, name: &str) -> &[u8] {
        self.files.get(name).map_or(&[][..], |d| d)
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher = crate::glob::Glob::compile(pattern).unwrap_or_else(|_| crate::glob::Glob::match_all());
        Files {
            files: self
                .files
                .iter()
                .filter(|(k, _)| matcher.is_match(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    fn base_map(&self, f: impl Fn(&[u8]) -> String) -> String {
        let mut m = kiln_yaml::Map::new();
        for (k, v) in &self.files {
            let base = k.rsplit('/').next().unwrap_or(k);
            m.insert(base.to_owned(), kiln_yaml::Value::String(f(v)));
        }
        let out = kiln_yaml::to_helm_yaml(&kiln_yaml::Value::Map(m));
        out.strip_suffix('\n').unwrap_or(&out).to_owned()
    }

    fn lines(&self, name: &str) -> Result<Value, FuncError> {
        let Some(data) = self.files.get(name) else {
            return Ok(Value::List(List::strings(Vec::<String>::new())));
        };
        if data.is_empty() {
            return Err(FuncError::new("runtime error: index out of range [-1]"));
        }
        let s = go_string(data);
        let s = s.strip_suffix('\n').unwrap_or(&s);
        Ok(Value::List(List::strings(s.split('\n').map(str::to_owned))))
    }

    fn as_map(&self) -> Map {
        Map::from_entries(
            self.files.iter().map(|(k, v)| (Rc::from(k.as_str()), Value::Bytes(Rc::from(&v[..])))).collect(),
        )
    }
}

/// Go's `string(bytes)`: invalid UTF-8 sequences become U+FFFD when the text is later handled as runes.
fn go_string(b: &[u8]) -> String {
    kiln_yaml::utf8_lossy(b).into_owned()
}

const SIG_STRING: Signature = Signature::new(&[Param::String]);
const SIG_NONE: Signature = Signature::new(&[]);

impl Object for Files {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("engine.files")
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn fmt_value(&self) -> String {
        gotmpl::gofmt::format_v(&Value::Map(self.as_map()))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(SIG_STRING),
            "AsConfig" | "AsSecrets" => Some(SIG_NONE),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, _cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        match name {
            "Get" => Ok(Value::from(go_string(self.get_bytes(args.str(0)?)))),
            "GetBytes" => Ok(Value::Bytes(Rc::from(self.get_bytes(args.str(0)?)))),
            "Glob" => Ok(Value::object(self.glob(args.str(0)?))),
            "Lines" => self.lines(args.str(0)?),
            "AsConfig" => Ok(Value::from(self.base_map(go_string))),
            "AsSecrets" => Ok(Value::from(self.base_map(base64_std))),
            _ => Err(FuncError::new(format!("method {name} not implemented"))),
        }
    }
    fn truth(&self) -> bool {
        !self.files.is_empty()
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::Map(self.as_map()))
    }
}

/// Standard base64 with padding.
pub fn base64_std(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `*common.Capabilities`.
#[derive(Debug, Clone)]
pub struct CapabilitiesObject {
    caps: Rc<Capabilities>,
}

impl CapabilitiesObject {
    /// Wrap capabilities.
    pub fn new(caps: Capabilities) -> Self {
        CapabilitiesObject { caps: Rc::new(caps) }
    }
}

fn kube_fmt(k: &KubeVersion) -> String {
    format!("{{{} {} {} {}}}", k.version, k.normalized, k.major, k.minor)
}

fn helm_version_fmt() -> String {
    let h = HELM_VERSION;
    format!("{{{} {} {} {} {}}}", h.version, h.git_commit, h.git_tree_state, h.go_version, h.kube_client_version)
}

/// `version.BuildInfo`'s JSON fields, in declaration order (every one set, so `omitempty` drops none).
fn helm_version_fields() -> Vec<(&'static str, Value)> {
    let h = HELM_VERSION;
    vec![
        ("version", Value::from(h.version)),
        ("git_commit", Value::from(h.git_commit)),
        ("git_tree_state", Value::from(h.git_tree_state)),
        ("go_version", Value::from(h.go_version)),
        ("kube_client_version", Value::from(h.kube_client_version)),
    ]
}

/// `common.KubeVersion`'s exported fields, in declaration order.
fn kube_fields(k: &KubeVersion) -> Vec<(&'static str, Value)> {
    vec![
        ("Version", Value::from(k.version.as_str())),
        ("Major", Value::from(k.major.as_str())),
        ("Minor", Value::from(k.minor.as_str())),
    ]
}

impl Object for CapabilitiesObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("*common.Capabilities")
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn fmt_value(&self) -> String {
        format!(
            "&{{{} [{}] {}}}",
            kube_fmt(&self.caps.kube_version),
            self.caps.api_versions.join(" "),
            helm_version_fmt()
        )
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::object(KubeVersionObject { kv: Rc::new(self.caps.kube_version.clone()) })),
            "APIVersions" => Some(Value::object(VersionSet { versions: Rc::new(self.caps.api_versions.clone()) })),
            "HelmVersion" => Some(Value::object(BuildInfo)),
            _ => None,
        }
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "Copy").then_some(SIG_NONE)
    }
    fn call_method(&self, _name: &str, _cx: &mut CallContext<'_>, _args: &Args<'_>) -> Result<Value, FuncError> {
        Ok(Value::object(self.clone()))
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::map([
            ("KubeVersion", Value::map(kube_fields(&self.caps.kube_version))),
            ("APIVersions", Value::List(List::strings(self.caps.api_versions.iter().cloned()))),
            ("HelmVersion", Value::map(helm_version_fields())),
        ]))
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("KubeVersion", Value::object(KubeVersionObject { kv: Rc::new(self.caps.kube_version.clone()) })),
            ("APIVersions", Value::List(List::strings(self.caps.api_versions.iter().cloned()))),
            ("HelmVersion", Value::object(BuildInfo)),
        ])
    }
}

/// `common.KubeVersion` (reached through the capabilities pointer, so addressable: `{{ . }}` uses its `String()`).
#[derive(Debug, Clone)]
pub struct KubeVersionObject {
    kv: Rc<KubeVersion>,
}

impl Object for KubeVersionObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("common.KubeVersion")
    }
    fn fmt_value(&self) -> String {
        kube_fmt(&self.kv)
    }
    fn fmt_action(&self) -> String {
        self.kv.normalized.clone()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::from(self.kv.version.as_str())),
            "Major" => Some(Value::from(self.kv.major.as_str())),
            "Minor" => Some(Value::from(self.kv.minor.as_str())),
            _ => None,
        }
    }
    fn method(&self, name: &str) -> Option<Signature> {
        matches!(name, "String" | "GitVersion").then_some(SIG_NONE)
    }
    fn call_method(&self, name: &str, _cx: &mut CallContext<'_>, _args: &Args<'_>) -> Result<Value, FuncError> {
        Ok(Value::from(if name == "String" { self.kv.normalized.as_str() } else { self.kv.version.as_str() }))
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::map(kube_fields(&self.kv)))
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(kube_fields(&self.kv))
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = (other as &dyn std::any::Any).downcast_ref::<KubeVersionObject>()?;
        Some(*self.kv == *o.kv)
    }
}

/// `common.VersionSet` (`[]string` with a `Has` method).
#[derive(Debug, Clone)]
pub struct VersionSet {
    versions: Rc<Vec<String>>,
}

impl Object for VersionSet {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("common.VersionSet")
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn fmt_value(&self) -> String {
        format!("[{}]", self.versions.join(" "))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "Has").then_some(SIG_STRING)
    }
    fn call_method(&self, _name: &str, _cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        let want = args.str(0)?;
        Ok(Value::Bool(self.versions.iter().any(|v| v == want)))
    }
    fn truth(&self) -> bool {
        !self.versions.is_empty()
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::List(List::strings(self.versions.iter().cloned())))
    }
}

/// `version.BuildInfo`.
#[derive(Debug, Clone, Copy)]
pub struct BuildInfo;

impl Object for BuildInfo {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("version.BuildInfo")
    }
    fn fmt_value(&self) -> String {
        helm_version_fmt()
    }
    fn field(&self, name: &str) -> Option<Value> {
        let h = HELM_VERSION;
        Some(Value::from(match name {
            "Version" => h.version,
            "GitCommit" => h.git_commit,
            "GitTreeState" => h.git_tree_state,
            "GoVersion" => h.go_version,
            "KubeClientVersion" => h.kube_client_version,
            _ => return None,
        }))
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::map(helm_version_fields()))
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(helm_version_fields())
    }
}
