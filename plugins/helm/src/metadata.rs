//! `Chart.yaml` (and the v1 `requirements.yaml`): the chart's metadata, decoded the way Helm decodes it.
//!
//! Helm reads the file with `sigs.k8s.io/yaml` into a Go struct: YAML becomes JSON, field names match
//! case-insensitively, and numbers or booleans given for string fields become strings (`appVersion: 1.20` is
//! `"1.2"`, formatted as a 32-bit float). A value of the wrong shape (a list for `name`, a string for `sources`) is a
//! load error with `encoding/json`'s wording.

use std::collections::BTreeMap;

use kiln_yaml::{Map, Value};

use crate::gofmt::format_float32_g;

/// A maintainer entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `url`.
    pub url: String,
}

/// A dependency entry of `Chart.yaml` (or `requirements.yaml`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// `name` (replaced by the alias once dependencies are processed).
    pub name: String,
    /// `version`: a version or range.
    pub version: String,
    /// `repository`.
    pub repository: String,
    /// `condition`: comma-separated value paths.
    pub condition: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `enabled` (set while processing dependencies).
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps.
    pub import_values: Vec<Value>,
    /// `alias`.
    pub alias: String,
}

/// The metadata of a chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `home`.
    pub home: String,
    /// `sources`.
    pub sources: Vec<String>,
    /// `version`.
    pub version: String,
    /// `description`.
    pub description: String,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// `maintainers` (`None` for a null entry, which validation rejects).
    pub maintainers: Vec<Option<Maintainer>>,
    /// `icon`.
    pub icon: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `condition`.
    pub condition: String,
    /// `tags`.
    pub tags: String,
    /// `appVersion`.
    pub app_version: String,
    /// `deprecated`.
    pub deprecated: bool,
    /// `annotations`; `None` when absent (Go's nil map, which `toJson` prints as `null`).
    pub annotations: Option<BTreeMap<String, String>>,
    /// `kubeVersion`.
    pub kube_version: String,
    /// `dependencies` (`None` for a null entry, which validation rejects).
    pub dependencies: Vec<Option<Dependency>>,
    /// Whether `dependencies` is set at all (Go distinguishes a nil list from an empty one).
    pub has_dependencies: bool,
    /// `type`.
    pub chart_type: String,
}

/// A decoding or validation error. The text is Helm's (without the `cannot load Chart.yaml: ` prefix).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MetadataError(pub String);

/// The JSON kind of a value, for `cannot unmarshal X into ...` messages.
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

fn type_error(v: &Value, strukt: &str, field: &str, go_type: &str) -> MetadataError {
    MetadataError(format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {strukt}.{field} of type {go_type}",
        json_kind(v)
    ))
}

/// A scalar given for a Go `string` field, coerced as `sigs.k8s.io/yaml` does. `Ok(None)` for null (field
/// unchanged).
fn coerce_string(v: &Value) -> Option<Result<String, ()>> {
    Some(Ok(match v {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => format_float32_g(*f),
        Value::Seq(_) | Value::Map(_) => return Some(Err(())),
    }))
}

struct Decoder<'a> {
    strukt: &'a str,
}

impl Decoder<'_> {
    fn string(&self, v: &Value, field: &str, out: &mut String) -> Result<(), MetadataError> {
        match coerce_string(v) {
            None => Ok(()),
            Some(Ok(s)) => {
                *out = s;
                Ok(())
            }
            Some(Err(())) => Err(type_error(v, self.strukt, field, "string")),
        }
    }

    fn strings(&self, v: &Value, field: &str, out: &mut Vec<String>) -> Result<(), MetadataError> {
        match v {
            Value::Null => {
                out.clear();
                Ok(())
            }
            Value::Seq(items) => {
                let mut res = Vec::with_capacity(items.len());
                for item in items {
                    match coerce_string(item) {
                        None => res.push(String::new()),
                        Some(Ok(s)) => res.push(s),
                        Some(Err(())) => return Err(type_error(item, self.strukt, field, "string")),
                    }
                }
                *out = res;
                Ok(())
            }
            other => Err(type_error(other, self.strukt, field, "[]string")),
        }
    }

    fn boolean(&self, v: &Value, field: &str, out: &mut bool) -> Result<(), MetadataError> {
        match v {
            Value::Null => Ok(()),
            Value::Bool(b) => {
                *out = *b;
                Ok(())
            }
            other => Err(type_error(other, self.strukt, field, "bool")),
        }
    }
}

/// Iterate a mapping the way `encoding/json` sees the JSON object `sigs.k8s.io/yaml` builds: keys in sorted order,
/// each matched to a field exactly or case-insensitively.
fn fields<'m>(m: &'m Map, names: &[&str]) -> Vec<(usize, &'m Value)> {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        let idx = names.iter().position(|n| n == k).or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(k)));
        if let (Some(i), Some(v)) = (idx, m.get(k.as_str())) {
            out.push((i, v));
        }
    }
    out
}

fn decode_maintainer(v: &Value) -> Result<Option<Maintainer>, MetadataError> {
    let m = match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        other => return Err(type_error(other, "Metadata", "maintainers", "chart.Maintainer")),
    };
    let d = Decoder { strukt: "Maintainer" };
    let mut out = Maintainer::default();
    for (i, v) in fields(m, &["name", "email", "url"]) {
        match i {
            0 => d.string(v, "name", &mut out.name)?,
            1 => d.string(v, "email", &mut out.email)?,
            _ => d.string(v, "url", &mut out.url)?,
        }
    }
    Ok(Some(out))
}

/// Decode one dependency entry.
pub fn decode_dependency(v: &Value) -> Result<Option<Dependency>, MetadataError> {
    let m = match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m,
        other => return Err(type_error(other, "Metadata", "dependencies", "chart.Dependency")),
    };
    let d = Decoder { strukt: "Dependency" };
    let mut out = Dependency::default();
    let names = ["name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias"];
    for (i, v) in fields(m, &names) {
        match i {
            0 => d.string(v, "name", &mut out.name)?,
            1 => d.string(v, "version", &mut out.version)?,
            2 => d.string(v, "repository", &mut out.repository)?,
            3 => d.string(v, "condition", &mut out.condition)?,
            4 => d.strings(v, "tags", &mut out.tags)?,
            5 => d.boolean(v, "enabled", &mut out.enabled)?,
            6 => match v {
                Value::Null => out.import_values.clear(),
                Value::Seq(items) => out.import_values = items.clone(),
                other => return Err(type_error(other, "Dependency", "import-values", "[]interface {}")),
            },
            _ => d.string(v, "alias", &mut out.alias)?,
        }
    }
    Ok(Some(out))
}

fn decode_dependencies(v: &Value, out: &mut Vec<Option<Dependency>>, set: &mut bool) -> Result<(), MetadataError> {
    match v {
        Value::Null => {
            out.clear();
            *set = false;
            Ok(())
        }
        Value::Seq(items) => {
            *out = items.iter().map(decode_dependency).collect::<Result<_, _>>()?;
            *set = true;
            Ok(())
        }
        other => Err(type_error(other, "Metadata", "dependencies", "[]*chart.Dependency")),
    }
}

impl Metadata {
    /// Decode a parsed `Chart.yaml` on top of `self` (fields absent from the document keep their value).
    pub fn decode_into(&mut self, doc: &Value) -> Result<(), MetadataError> {
        let m = match doc {
            Value::Null => return Ok(()),
            Value::Map(m) => m,
            other => {
                return Err(MetadataError(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                    json_kind(other)
                )));
            }
        };
        let d = Decoder { strukt: "Metadata" };
        let names = [
            "name",
            "home",
            "sources",
            "version",
            "description",
            "keywords",
            "maintainers",
            "icon",
            "apiVersion",
            "condition",
            "tags",
            "appVersion",
            "deprecated",
            "annotations",
            "kubeVersion",
            "dependencies",
            "type",
        ];
        for (i, v) in fields(m, &names) {
            match i {
                0 => d.string(v, "name", &mut self.name)?,
                1 => d.string(v, "home", &mut self.home)?,
                2 => d.strings(v, "sources", &mut self.sources)?,
                3 => d.string(v, "version", &mut self.version)?,
                4 => d.string(v, "description", &mut self.description)?,
                5 => d.strings(v, "keywords", &mut self.keywords)?,
                6 => match v {
                    Value::Null => self.maintainers.clear(),
                    Value::Seq(items) => {
                        self.maintainers = items.iter().map(decode_maintainer).collect::<Result<_, _>>()?;
                    }
                    other => return Err(type_error(other, "Metadata", "maintainers", "[]*chart.Maintainer")),
                },
                7 => d.string(v, "icon", &mut self.icon)?,
                8 => d.string(v, "apiVersion", &mut self.api_version)?,
                9 => d.string(v, "condition", &mut self.condition)?,
                10 => d.string(v, "tags", &mut self.tags)?,
                11 => d.string(v, "appVersion", &mut self.app_version)?,
                12 => d.boolean(v, "deprecated", &mut self.deprecated)?,
                13 => match v {
                    Value::Null => self.annotations = None,
                    Value::Map(am) => {
                        let mut out = self.annotations.take().unwrap_or_default();
                        for (k, v) in am {
                            match coerce_string(v) {
                                None => {
                                    out.insert(k.clone(), String::new());
                                }
                                Some(Ok(s)) => {
                                    out.insert(k.clone(), s);
                                }
                                Some(Err(())) => return Err(type_error(v, "Metadata", "annotations", "string")),
                            }
                        }
                        self.annotations = Some(out);
                    }
                    other => return Err(type_error(other, "Metadata", "annotations", "map[string]string")),
                },
                14 => d.string(v, "kubeVersion", &mut self.kube_version)?,
                15 => decode_dependencies(v, &mut self.dependencies, &mut self.has_dependencies)?,
                _ => d.string(v, "type", &mut self.chart_type)?,
            }
        }
        Ok(())
    }

    /// `Metadata.Validate`: sanitise strings and check required fields, names, version, type and dependencies.
    pub fn validate(&mut self) -> Result<(), MetadataError> {
        let verr = |s: String| MetadataError(format!("validation: {s}"));
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err(verr("chart.metadata.apiVersion is required".into()));
        }
        if self.name.is_empty() {
            return Err(verr("chart.metadata.name is required".into()));
        }
        if self.name == "." || self.name == ".." {
            return Err(verr(format!("chart.metadata.name {} is not allowed", go_quote(&self.name))));
        }
        if self.name != go_base(&self.name) {
            return Err(verr(format!("chart.metadata.name {} is invalid", go_quote(&self.name))));
        }
        if self.version.is_empty() {
            return Err(verr("chart.metadata.version is required".into()));
        }
        if crate::semver::Version::parse(&self.version).is_err() {
            return Err(verr(format!("chart.metadata.version {} is invalid", go_quote(&self.version))));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(verr("chart.metadata.type must be application or library".into()));
        }
        for m in &mut self.maintainers {
            let Some(m) = m else {
                return Err(verr("maintainers must not contain empty or null nodes".into()));
            };
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        let mut seen = std::collections::HashSet::new();
        for d in &mut self.dependencies {
            let Some(d) = d else {
                return Err(verr("dependencies must not contain empty or null nodes".into()));
            };
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty() && !d.alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(verr(format!("dependency {} has disallowed characters in the alias", go_quote(&d.name))));
            }
            let key = if d.alias.is_empty() { d.name.clone() } else { d.alias.clone() };
            if !seen.insert(key.clone()) {
                return Err(verr(format!("more than one dependency with name or alias {}", go_quote(&key))));
            }
        }
        Ok(())
    }

    /// The dependencies that are present (validation guarantees all are).
    pub fn deps(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }

    /// The dependencies that are present, mutably.
    pub fn deps_mut(&mut self) -> impl Iterator<Item = &mut Dependency> {
        self.dependencies.iter_mut().flatten()
    }
}

use kiln_helm_values::go_quote;

/// `filepath.Base` for `/`-separated paths.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// Helm's `sanitizeString`: whitespace becomes a space, non-printable characters are dropped.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if kiln_helm_values::is_go_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn coerces_scalars_like_sigs_yaml() {
        let doc = map(&[
            ("apiVersion", "v2".into()),
            ("name", "e1".into()),
            ("version", Value::Float(1.0)),
            ("appVersion", Value::Float(1.2)),
            ("keywords", Value::Seq(vec![Value::Float(1.23456789), Value::Bool(true)])),
            ("Description", "case-insensitive".into()),
        ]);
        let mut m = Metadata::default();
        m.decode_into(&doc).unwrap();
        m.validate().unwrap();
        assert_eq!(m.version, "1");
        assert_eq!(m.app_version, "1.2");
        assert_eq!(m.keywords, vec!["1.2345679".to_owned(), "true".to_owned()]);
        assert_eq!(m.description, "case-insensitive");
    }

    #[test]
    fn type_errors_use_json_wording() {
        // `helm template` of a chart whose Chart.yaml says `sources: x` (helm v4.1.4):
        // Error: cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string
        // into Go struct field Metadata.sources of type []string
        let doc = map(&[("sources", "x".into())]);
        let e = Metadata::default().decode_into(&doc).unwrap_err();
        assert_eq!(
            e.0,
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.sources of type []string"
        );
    }

    #[test]
    fn validation() {
        let mut m = Metadata { api_version: "v2".into(), name: "e1".into(), ..Default::default() };
        assert_eq!(m.validate().unwrap_err().0, "validation: chart.metadata.version is required");
        m.version = "x1".into();
        assert_eq!(m.validate().unwrap_err().0, "validation: chart.metadata.version \"x1\" is invalid");
        m.version = "1.0.0".into();
        m.name = "a/b".into();
        assert!(m.validate().is_err());
    }
}
