//! `buildMetadata`: where each resource came from (`config.kubernetes.io/origin`) and which transformers ran over
//! it (`alpha.config.kubernetes.io/transformations`), kept as real annotations during the build, as kustomize keeps
//! them, so patches, selectors and replacements see what they see in kustomize.

use kiln_yaml::Value;

use crate::error::{Error, Result};
use crate::resource::Resource;

/// The origin annotation.
pub const ORIGIN: &str = "config.kubernetes.io/origin";
/// The transformations annotation.
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";
/// `buildMetadata` option: keep origin annotations.
pub const OPT_ORIGIN: &str = "originAnnotations";
/// `buildMetadata` option: keep transformation annotations.
pub const OPT_TRANSFORMER: &str = "transformerAnnotations";
/// `buildMetadata` option: label every resource `app.kubernetes.io/managed-by`.
pub const OPT_MANAGED_BY: &str = "managedByLabel";
/// The managed-by label and the value kustomize v5.7.1 writes.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kustomize-v5.7.1");

/// What configured a generator or transformer (kustomize's `ResourceIdentifier`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfiguredBy {
    /// `apiVersion` (`builtin` for kustomization fields).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `name` of a plugin configuration.
    pub name: String,
    /// `namespace` of a plugin configuration.
    pub namespace: String,
}

/// kustomize's `resource.Origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// File path relative to the top kustomization (or within `repo`).
    pub path: String,
    /// Remote repository.
    pub repo: String,
    /// Its ref.
    pub ref_: String,
    /// The kustomization or plugin file that configured a generator or transformer.
    pub configured_in: String,
    /// The generator or transformer.
    pub configured_by: ConfiguredBy,
}

/// Go's `filepath.Join`: the non-empty parts joined with `/` and cleaned.
pub fn go_join(a: &str, b: &str) -> String {
    let joined = match (a.is_empty(), b.is_empty()) {
        (true, true) => return String::new(),
        (true, false) => b.to_owned(),
        (false, true) => a.to_owned(),
        (false, false) => format!("{a}/{b}"),
    };
    kiln_yaml::gofmt::path_clean(&joined)
}

impl Origin {
    /// kustomize's `Origin.Append` for a local path. Remote bases are refused by the caller.
    pub fn append(&self, path: &str) -> Origin {
        Origin { path: go_join(&self.path, path), ..self.clone() }
    }

    /// The origin of a generator or transformer a kustomization field configures (`configuredIn` the
    /// kustomization file, `configuredBy` `builtin` and the plugin kind).
    pub fn builtin(&self, kustomization_file: &str, kind: &str) -> Origin {
        Origin {
            repo: self.repo.clone(),
            ref_: self.ref_.clone(),
            configured_in: go_join(&self.path, kustomization_file),
            configured_by: ConfiguredBy { api_version: "builtin".into(), kind: kind.into(), ..ConfiguredBy::default() },
            ..Origin::default()
        }
    }

    /// kustomize's `OriginFromCustomPlugin`: a plugin configured by a document whose own origin is known.
    pub fn of_plugin(config: &Resource) -> Result<Option<Origin>> {
        Ok(get(config)?.map(|o| Origin {
            repo: o.repo,
            ref_: o.ref_,
            configured_in: o.path,
            configured_by: ConfiguredBy {
                api_version: config.api_version().to_owned(),
                kind: config.kind().to_owned(),
                name: config.name().to_owned(),
                namespace: config.namespace().to_owned(),
            },
            ..Origin::default()
        }))
    }

    /// Write this origin as kyaml marshals it (struct field order, empty fields omitted, indent 2), the first line
    /// prefixed by `first` and the others by `indent`.
    fn write(&self, out: &mut String, first: &str, indent: &str) {
        let mut prefix = first;
        for (k, v) in
            [("path", &self.path), ("repo", &self.repo), ("ref", &self.ref_), ("configuredIn", &self.configured_in)]
        {
            if !v.is_empty() {
                out.push_str(&format!("{prefix}{k}: {}\n", scalar(v)));
                prefix = indent;
            }
        }
        let by = &self.configured_by;
        let by_fields =
            [("apiVersion", &by.api_version), ("kind", &by.kind), ("name", &by.name), ("namespace", &by.namespace)];
        if by_fields.iter().any(|(_, v)| !v.is_empty()) {
            out.push_str(&format!("{prefix}configuredBy:\n"));
            for (k, v) in by_fields.iter().filter(|(_, v)| !v.is_empty()) {
                out.push_str(&format!("{indent}  {k}: {}\n", scalar(v)));
            }
        }
    }

    /// The annotation text of one origin.
    pub fn to_yaml(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, "", "");
        s
    }

    fn from_value(v: &Value) -> Origin {
        let text = |k: &str| v.get(k).map(crate::resource::scalar_text).unwrap_or_default();
        let by = v.get("configuredBy");
        let by_text = |k: &str| by.and_then(|b| b.get(k)).map(crate::resource::scalar_text).unwrap_or_default();
        Origin {
            path: text("path"),
            repo: text("repo"),
            ref_: text("ref"),
            configured_in: text("configuredIn"),
            configured_by: ConfiguredBy {
                api_version: by_text("apiVersion"),
                kind: by_text("kind"),
                name: by_text("name"),
                namespace: by_text("namespace"),
            },
        }
    }
}

/// A scalar as go-yaml v3 writes a string: plain when it reads back as the same string, quoted otherwise.
fn scalar(s: &str) -> String {
    let y = kiln_yaml::to_helm_yaml_pretty(&Value::String(s.to_owned()));
    let y = y.strip_suffix('\n').unwrap_or(&y);
    if y.contains('\n') { serde_json::to_string(s).unwrap_or_default() } else { y.to_owned() }
}

fn annotation(r: &Resource, key: &str) -> Option<String> {
    r.string_map("annotations").into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn set_annotation(r: &mut Resource, key: &str, value: Option<String>) -> Result<()> {
    let mut pairs = r.string_map("annotations");
    pairs.retain(|(k, _)| k != key);
    if let Some(v) = value {
        pairs.push((key.to_owned(), v));
    }
    r.set_string_map("annotations", pairs)
}

/// The origin annotation of a resource, if any.
pub fn get(r: &Resource) -> Result<Option<Origin>> {
    let Some(text) = annotation(r, ORIGIN) else { return Ok(None) };
    let v = kiln_yaml::from_str(&text)
        .map_err(|e| Error::invalid(format!("{}: annotation {ORIGIN} is not YAML: {e}", r.cur_id())))?;
    Ok(Some(Origin::from_value(&v)))
}

/// Set (or with `None`, remove) the origin annotation.
pub fn set(r: &mut Resource, origin: Option<&Origin>) -> Result<()> {
    set_annotation(r, ORIGIN, origin.map(Origin::to_yaml))
}

/// kustomize's `AddOriginAnnotation`: resources without an origin get this one.
pub fn add_origin(list: &mut [Resource], origin: &Origin) -> Result<()> {
    for r in list {
        if annotation(r, ORIGIN).is_none() {
            set(r, Some(origin))?;
        }
    }
    Ok(())
}

/// kustomize's `AddTransformerAnnotation` after a transformer ran: every resource with an origin records the
/// transformer; one without takes the transformer as its origin.
pub fn add_transformation(list: &mut [Resource], origin: &Origin) -> Result<()> {
    for r in list {
        if get(r)?.is_none() {
            set(r, Some(origin))?;
            continue;
        }
        let mut done: Vec<Origin> = match annotation(r, TRANSFORMATIONS) {
            None => Vec::new(),
            Some(text) => match kiln_yaml::from_str(&text) {
                Ok(Value::Seq(items)) => items.iter().map(Origin::from_value).collect(),
                Ok(Value::Null) => Vec::new(),
                _ => {
                    return Err(Error::invalid(format!(
                        "{}: annotation {TRANSFORMATIONS} is not a list of origins",
                        r.cur_id()
                    )));
                }
            },
        };
        done.push(origin.clone());
        let mut text = String::new();
        for o in &done {
            o.write(&mut text, "- ", "  ");
        }
        set_annotation(r, TRANSFORMATIONS, Some(text))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_go() {
        assert_eq!(go_join("", "a.yaml"), "a.yaml");
        assert_eq!(go_join("../base", "x.yaml"), "../base/x.yaml");
        assert_eq!(go_join("a/b", "../c"), "a/c");
        assert_eq!(go_join("..", "../x"), "../../x");
        assert_eq!(go_join("a", "."), "a");
    }

    #[test]
    fn marshals_in_struct_order() {
        let o = Origin::default().builtin("kustomization.yaml", "PrefixTransformer");
        assert_eq!(
            o.to_yaml(),
            "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: PrefixTransformer\n"
        );
        assert_eq!(Origin::default().append("svc.yaml").to_yaml(), "path: svc.yaml\n");
    }
}
