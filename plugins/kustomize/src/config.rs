//! Transformer configuration: which fields each built-in transformer writes (kustomize's `TransformerConfig`).
//!
//! The defaults are kustomize v5.7.1's built-in field specs, kept as a table in `defaults.txt` (see
//! `scripts/gen-defaults.py`). Kustomizations extend them with `configurations` files (the same YAML shape
//! kustomize reads) and with `crds` (OpenAPI definitions carrying `x-kubernetes-*` extensions).

use std::sync::OnceLock;

use kiln_yaml::Value;

use crate::error::{Error, Result};
use crate::types::{FieldSpec, Gvk, merge_fieldspec, order, sort_fieldspecs};

/// Field specs for one referral kind: the fields of other objects that hold its name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameBackReferences {
    /// The kind whose name is referenced.
    pub gvk: Gvk,
    /// Where referrers hold the name.
    pub referrers: Vec<FieldSpec>,
}

/// Every field list the built-in transformers use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    /// `namePrefix`.
    pub name_prefix: Vec<FieldSpec>,
    /// `nameSuffix`.
    pub name_suffix: Vec<FieldSpec>,
    /// `namespace`.
    pub namespace: Vec<FieldSpec>,
    /// `commonLabels` (metadata, selectors and templates).
    pub common_labels: Vec<FieldSpec>,
    /// `labels` (user-configured extra label fields).
    pub labels: Vec<FieldSpec>,
    /// `templateLabels` (metadata and templates, no selectors).
    pub template_labels: Vec<FieldSpec>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<FieldSpec>,
    /// `nameReference`.
    pub name_reference: Vec<NameBackReferences>,
    /// `varReference`.
    pub var_reference: Vec<FieldSpec>,
    /// `images`.
    pub images: Vec<FieldSpec>,
    /// `replicas`.
    pub replicas: Vec<FieldSpec>,
}

fn parse_gvk(s: &str) -> Gvk {
    // `group/version/kind`, `*` for empty; the group may itself contain `/`.
    let mut parts = s.rsplitn(3, '/');
    let kind = parts.next().unwrap_or("*");
    let version = parts.next().unwrap_or("*");
    let group = parts.next().unwrap_or("*");
    let f = |x: &str| if x == "*" { String::new() } else { x.to_owned() };
    Gvk { group: f(group), version: f(version), kind: f(kind) }
}

impl TransformerConfig {
    /// kustomize's default configuration.
    pub fn defaults() -> &'static TransformerConfig {
        static DEFAULTS: OnceLock<TransformerConfig> = OnceLock::new();
        DEFAULTS.get_or_init(|| {
            let mut tc = TransformerConfig::from_table(include_str!("defaults.txt"));
            tc.sort();
            tc
        })
    }

    /// Whether no transformer has any field spec.
    pub fn is_empty(&self) -> bool {
        *self == TransformerConfig::default()
    }

    fn from_table(text: &str) -> TransformerConfig {
        let mut tc = TransformerConfig::default();
        let mut section = String::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = header.to_owned();
                if let Some(gvk) = header.strip_prefix("nameReference ") {
                    tc.name_reference.push(NameBackReferences { gvk: parse_gvk(gvk), referrers: Vec::new() });
                }
                continue;
            }
            let mut words = line.split_whitespace();
            let gvk = parse_gvk(words.next().unwrap_or("*/*/*"));
            let path = words.next().unwrap_or_default().to_owned();
            let create = words.next() == Some("create");
            let fs = FieldSpec { gvk, path, create };
            let list = match section.as_str() {
                "namePrefix" => &mut tc.name_prefix,
                "nameSuffix" => &mut tc.name_suffix,
                "namespace" => &mut tc.namespace,
                "commonLabels" => &mut tc.common_labels,
                "templateLabels" => &mut tc.template_labels,
                "commonAnnotations" => &mut tc.common_annotations,
                "varReference" => &mut tc.var_reference,
                "images" => &mut tc.images,
                "replicas" => &mut tc.replicas,
                s if s.starts_with("nameReference ") => match tc.name_reference.last_mut() {
                    Some(nbr) => &mut nbr.referrers,
                    None => continue,
                },
                _ => continue,
            };
            list.push(fs);
        }
        tc
    }

    /// Parse a `configurations` file.
    pub fn parse(text: &str) -> Result<TransformerConfig> {
        let v = kiln_yaml::from_str(text).map_err(|e| Error::invalid(e.to_string()))?;
        let mut tc = TransformerConfig::default();
        let Value::Map(m) = &v else {
            if v.is_null() {
                return Ok(tc);
            }
            return Err(Error::invalid("a transformer configuration must be a mapping"));
        };
        const FIELDS: &[&str] = &[
            "namePrefix",
            "nameSuffix",
            "namespace",
            "commonLabels",
            "labels",
            "templateLabels",
            "commonAnnotations",
            "varReference",
            "images",
            "replicas",
            "nameReference",
        ];
        for (k, val) in m {
            let list = match crate::types::go_name(k, FIELDS).unwrap_or(k.as_str()) {
                "namePrefix" => &mut tc.name_prefix,
                "nameSuffix" => &mut tc.name_suffix,
                "namespace" => &mut tc.namespace,
                "commonLabels" => &mut tc.common_labels,
                "labels" => &mut tc.labels,
                "templateLabels" => &mut tc.template_labels,
                "commonAnnotations" => &mut tc.common_annotations,
                "varReference" => &mut tc.var_reference,
                "images" => &mut tc.images,
                "replicas" => &mut tc.replicas,
                "nameReference" => {
                    for item in seq(val, k)? {
                        let Value::Map(im) = item else {
                            return Err(Error::invalid("nameReference entries must be mappings"));
                        };
                        let mut nbr = NameBackReferences::default();
                        for (ik, iv) in im {
                            match crate::types::go_name(ik, &["group", "version", "kind", "fieldSpecs"])
                                .unwrap_or(ik.as_str())
                            {
                                "group" => nbr.gvk.group = crate::types::scalar_string(iv, "group")?,
                                "version" => nbr.gvk.version = crate::types::scalar_string(iv, "version")?,
                                "kind" => nbr.gvk.kind = crate::types::scalar_string(iv, "kind")?,
                                "fieldSpecs" => {
                                    for fs in seq(iv, "fieldSpecs")? {
                                        nbr.referrers.push(FieldSpec::from_value(fs)?);
                                    }
                                }
                                other => {
                                    return Err(Error::invalid(format!("unknown field `{other}` in nameReference")));
                                }
                            }
                        }
                        merge_nbr(&mut tc.name_reference, nbr)?;
                    }
                    continue;
                }
                other => return Err(Error::invalid(format!("unknown field `{other}` in transformer configuration"))),
            };
            for fs in seq(val, k)? {
                merge_fieldspec(list, FieldSpec::from_value(fs)?)?;
            }
        }
        tc.sort();
        Ok(tc)
    }

    fn sort(&mut self) {
        for l in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            sort_fieldspecs(l);
        }
        self.name_reference.sort_by(|a, b| order(&a.gvk, &b.gvk));
    }

    /// Merge `other` into this configuration (kustomize's `Merge`): union of field specs, then sorted.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<()> {
        // Every kustomization a build enters carries the same (default) configuration: merging a configuration
        // into an identical one adds nothing (each spec finds itself), so skip the quadratic comparison.
        if self == other {
            self.sort();
            return Ok(());
        }
        let pairs: [(&mut Vec<FieldSpec>, &Vec<FieldSpec>); 10] = [
            (&mut self.name_prefix, &other.name_prefix),
            (&mut self.name_suffix, &other.name_suffix),
            (&mut self.namespace, &other.namespace),
            (&mut self.common_annotations, &other.common_annotations),
            (&mut self.common_labels, &other.common_labels),
            (&mut self.labels, &other.labels),
            (&mut self.template_labels, &other.template_labels),
            (&mut self.var_reference, &other.var_reference),
            (&mut self.images, &other.images),
            (&mut self.replicas, &other.replicas),
        ];
        for (mine, theirs) in pairs {
            for fs in theirs {
                merge_fieldspec(mine, fs.clone())?;
            }
        }
        for nbr in &other.name_reference {
            merge_nbr(&mut self.name_reference, nbr.clone())?;
        }
        self.sort();
        Ok(())
    }
}

fn merge_nbr(list: &mut Vec<NameBackReferences>, other: NameBackReferences) -> Result<()> {
    match list.iter_mut().find(|n| n.gvk == other.gvk) {
        Some(n) => {
            for fs in other.referrers {
                merge_fieldspec(&mut n.referrers, fs)?;
            }
        }
        None => list.push(other),
    }
    Ok(())
}

fn seq<'v>(v: &'v Value, field: &str) -> Result<&'v [Value]> {
    match v {
        Value::Seq(s) => Ok(s),
        Value::Null => Ok(&[]),
        other => Err(Error::invalid(format!("`{field}` must be a list, not {}", other.type_name()))),
    }
}

/// Build a configuration from CRD OpenAPI definitions (`crds` field): a map from Go type names to
/// `{Schema, Dependencies}` (the shape `openapi-gen` writes), whose properties carry kustomize's
/// `x-kubernetes-annotation`, `x-kubernetes-label-selector`, `x-kubernetes-identity` and
/// `x-kubernetes-object-ref-*` extensions.
///
/// As kustomize: a definition whose schema has `kind`, `apiVersion` and `metadata` properties is a kind named by the
/// type name's last dot-separated part; its properties are scanned, following `$ref`s to other definitions by
/// their full name (nested inline schemas are not followed). The text is JSON when its first byte is `{`,
/// YAML otherwise; `Schema`/`Dependencies` and `properties` match case-insensitively, as Go's JSON decoding does.
pub fn from_crd_definitions(text: &str) -> Result<TransformerConfig> {
    let bad = |m: String| Error::invalid(format!("unable to parse open API definition: {m}"));
    if text.is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let v = if text.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| bad(e.to_string()))
            .and_then(|j| kiln_yaml::from_str(&j.to_string()).map_err(|e| bad(e.to_string())))?
    } else {
        kiln_yaml::from_str(text).map_err(|e| bad(e.to_string()))?
    };
    let defs = match &v {
        Value::Map(m) => m,
        Value::Null => return Ok(TransformerConfig::default()),
        other => return Err(bad(format!("expected a map of type names to definitions, not {}", other.type_name()))),
    };
    // Each definition's properties, checked up front (Go decodes the whole file before using any of it).
    let mut props: std::collections::HashMap<&str, &kiln_yaml::Map> = std::collections::HashMap::new();
    for (name, def) in defs {
        let schema = match def {
            Value::Null => continue,
            Value::Map(d) => go_field(d, "schema"),
            other => return Err(bad(format!("definition {name:?} must be a mapping, not {}", other.type_name()))),
        };
        let properties = match schema {
            None | Some(Value::Null) => continue,
            Some(Value::Map(s)) => go_field(s, "properties"),
            Some(other) => {
                return Err(bad(format!("the schema of {name:?} must be a mapping, not {}", other.type_name())));
            }
        };
        match properties {
            None | Some(Value::Null) => {}
            Some(Value::Map(p)) => {
                if let Some((prop, other)) = p.iter().find(|(_, x)| !matches!(x, Value::Map(_) | Value::Null)) {
                    return Err(bad(format!(
                        "property {prop:?} of {name:?} must be a mapping, not {}",
                        other.type_name()
                    )));
                }
                props.insert(name.as_str(), p);
            }
            Some(other) => {
                return Err(bad(format!("the properties of {name:?} must be a mapping, not {}", other.type_name())));
            }
        }
    }
    let mut result = TransformerConfig::default();
    for name in defs.keys() {
        let Some(p) = props.get(name.as_str()) else { continue };
        let looks_k8s = ["kind", "apiVersion", "metadata"].iter().all(|k| p.contains_key(*k));
        if !looks_k8s {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        let gvk = Gvk { kind: kind.to_owned(), ..Gvk::default() };
        let mut tc = TransformerConfig::default();
        load_crd(&mut tc, &gvk, &props, name, &mut Vec::new(), 0)?;
        result.merge(&tc)?;
    }
    Ok(result)
}

/// The value of a struct field as Go's JSON decoding finds it: the last key equal to `name` ignoring case.
fn go_field<'v>(m: &'v kiln_yaml::Map, name: &str) -> Option<&'v Value> {
    m.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn load_crd(
    tc: &mut TransformerConfig,
    gvk: &Gvk,
    defs: &std::collections::HashMap<&str, &kiln_yaml::Map>,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<()> {
    // kustomize recurses without a bound (a self-referencing type overflows its stack); kiln stops with an error.
    if depth > 64 {
        return Err(Error::invalid(format!(
            "open API definition {type_name} nests more than 64 references deep (or references itself)"
        )));
    }
    let Some(props) = defs.get(type_name) else {
        return Ok(());
    };
    for (prop, p) in props.iter() {
        path.push(prop.clone());
        let fs = |path: &[String]| FieldSpec { gvk: gvk.clone(), path: path.join("/"), create: false };
        let ext = |k: &str| p.get(k).and_then(Value::as_str);
        if ext("x-kubernetes-annotation").is_some() {
            merge_fieldspec(&mut tc.common_annotations, fs(path))?;
        }
        if ext("x-kubernetes-label-selector").is_some() {
            merge_fieldspec(&mut tc.common_labels, fs(path))?;
        }
        if ext("x-kubernetes-identity").is_some() {
            merge_fieldspec(&mut tc.name_prefix, fs(path))?;
        }
        if let (Some(version), Some(kind)) =
            (ext("x-kubernetes-object-ref-api-version"), ext("x-kubernetes-object-ref-kind"))
        {
            let key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut p2 = path.clone();
            p2.push(key.to_owned());
            merge_nbr(
                &mut tc.name_reference,
                NameBackReferences {
                    gvk: Gvk { group: String::new(), version: version.to_owned(), kind: kind.to_owned() },
                    referrers: vec![fs(&p2)],
                },
            )?;
        }
        if let Some(r) = p.get("$ref").and_then(Value::as_str).filter(|r| !r.is_empty()) {
            load_crd(tc, gvk, defs, r, path, depth + 1)?;
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_merge_normalised() {
        // The build shares the defaults instead of merging them into an empty configuration; that is exact only if
        // such a merge changes nothing (no two specs of a list are effectively equal, no kind is listed twice).
        let d = TransformerConfig::defaults();
        let mut merged = TransformerConfig::default();
        merged.merge(d).unwrap();
        assert_eq!(&merged, d);
        assert!(!d.is_empty() && TransformerConfig::default().is_empty());
    }

    #[test]
    fn defaults_load() {
        let d = TransformerConfig::defaults();
        assert_eq!(d.name_prefix.len(), 1);
        assert!(d.common_labels.iter().any(|f| f.path == "spec/selector" && f.gvk.kind == "Service" && f.create));
        let cm = d.name_reference.iter().find(|n| n.gvk.kind == "ConfigMap").unwrap();
        assert!(cm.referrers.iter().any(|f| f.path == "spec/template/spec/volumes/configMap/name"));
        let ic = d.name_reference.iter().find(|n| n.gvk.kind == "IngressClass").unwrap();
        assert_eq!(ic.gvk.group, "networking.k8s.io/v1");
        // Sorted by kustomize's GVK order: specs without a kind first... then by rank.
        assert!(d.common_labels.windows(2).all(|w| !w[1].gvk.is_less_than(&w[0].gvk)));
    }

    #[test]
    fn user_configuration() {
        let tc = TransformerConfig::parse(
            "nameReference:\n- kind: ConfigMap\n  version: v1\n  fieldSpecs:\n  - path: spec/configRef/name\n    kind: Widget\nnamePrefix:\n- path: spec/alias\n  kind: Widget\n",
        )
        .unwrap();
        let mut all = TransformerConfig::defaults().clone();
        all.merge(&tc).unwrap();
        let cm = all.name_reference.iter().find(|n| n.gvk.kind == "ConfigMap").unwrap();
        assert!(cm.referrers.iter().any(|f| f.path == "spec/configRef/name"));
        assert_eq!(all.name_prefix.len(), 2);
        assert!(TransformerConfig::parse("bogus: []").is_err());
    }

    #[test]
    fn merging_the_defaults_adds_nothing_on_either_path() {
        let d = TransformerConfig::defaults();
        // Fast path: identical configurations.
        let mut same = d.clone();
        same.merge(d).unwrap();
        assert_eq!(&same, d);
        // Slow path: the defaults merged into a configuration that differs by one spec find every one of their
        // specs already there, so the result is that configuration (which is what the fast path assumes).
        let extra = TransformerConfig::parse("namePrefix:\n- path: spec/alias\n  kind: Widget\n").unwrap();
        let mut with_extra = d.clone();
        with_extra.merge(&extra).unwrap();
        let before = with_extra.clone();
        with_extra.merge(d).unwrap();
        assert_eq!(with_extra, before);
    }
}
