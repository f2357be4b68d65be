//! `replacements`: copy a field of one resource (or a literal) into fields of others.
//!
//! Field paths are `.`-separated (kyaml's `SmarterPathSplitter`): a field name, a list index (`0`), `*` for every
//! element, or `[key=value]` for the list elements whose `key` matches `value` (a regular expression, not
//! anchored, as in kyaml's `PathMatcher`; the source path matches exactly).

use kiln_yaml::{Map, Value};

use crate::error::{Error, Result};
use crate::fs::Loader;
use crate::kustomization::{REPLACEMENT, Selector, go_keys, selector};
use crate::resource::{ResMap, Resource, scalar_text};
use crate::types::{ResId, smarter_split_path};

/// `options` of a source or target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldOptions {
    /// Split the value on this string.
    pub delimiter: String,
    /// Which part (targets: negative prefixes, past the end appends).
    pub index: i64,
    /// Create missing target fields.
    pub create: bool,
}

/// A replacement target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// Which resources.
    pub select: Option<Selector>,
    /// Resources to leave out.
    pub reject: Vec<Selector>,
    /// Fields to write (default `metadata.name`).
    pub field_paths: Vec<String>,
    /// Options.
    pub options: Option<FieldOptions>,
}

/// One replacement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replacement {
    /// The source resource and field.
    pub source: Option<(ResId, String, Option<FieldOptions>)>,
    /// A literal source value.
    pub source_value: Option<String>,
    /// Where to copy it.
    pub targets: Option<Vec<Target>>,
}

fn options(v: &Value) -> Result<Option<FieldOptions>> {
    let Value::Map(m) = v else { return Ok(None) };
    let mut o = FieldOptions::default();
    for (k, x) in m {
        match (k.as_str(), x) {
            ("delimiter", Value::String(s)) => o.delimiter = s.clone(),
            ("index", Value::Int(i)) => o.index = *i,
            ("create", Value::Bool(b)) => o.create = *b,
            ("encoding", Value::String(_)) => {}
            (_, Value::Null) => {}
            (other, _) => return Err(Error::invalid(format!("replacement options: invalid field `{other}`"))),
        }
    }
    Ok(Some(o))
}

/// Parse one replacement (the inline form, without `path`).
pub fn parse(v: &Value) -> Result<Replacement> {
    let Value::Map(m) = v else { return Err(Error::invalid("a replacement must be a mapping")) };
    let mut r = Replacement::default();
    for (k, x) in m {
        match k.as_str() {
            "source" if !x.is_null() => {
                let s = selector(x, "source", &["fieldPath", "options"])?;
                let field_path = x.get("fieldPath").and_then(Value::as_str).unwrap_or("").to_owned();
                let opts = x.get("options").map(options).transpose()?.flatten();
                r.source = Some((s.id, field_path, opts));
            }
            "sourceValue" => r.source_value = Some(scalar_text(x)),
            "targets" => {
                let Value::Seq(items) = x else {
                    if x.is_null() {
                        continue;
                    }
                    return Err(Error::invalid("replacement targets must be a list"));
                };
                let mut targets = Vec::new();
                for t in items {
                    let Value::Map(tm) = t else {
                        return Err(Error::invalid("a replacement target must be a mapping"));
                    };
                    let mut target = Target::default();
                    for (tk, tv) in tm {
                        match tk.as_str() {
                            "select" if !tv.is_null() => target.select = Some(selector(tv, "select", &[])?),
                            "reject" => {
                                if let Value::Seq(rs) = tv {
                                    for rj in rs {
                                        target.reject.push(selector(rj, "reject", &[])?);
                                    }
                                }
                            }
                            "fieldPaths" => {
                                if let Value::Seq(ps) = tv {
                                    target.field_paths = ps.iter().map(scalar_text).collect();
                                }
                            }
                            "options" => target.options = options(tv)?,
                            "select" => {}
                            other => {
                                return Err(Error::invalid(format!("unknown field `{other}` in replacement target")));
                            }
                        }
                    }
                    targets.push(target);
                }
                r.targets = Some(targets);
            }
            "source" => {}
            other => return Err(Error::invalid(format!("unknown field `{other}` in replacement"))),
        }
    }
    Ok(r)
}

/// Read a kustomization's `replacements` entries (inline, or `path` to a file holding one or a list).
pub fn load(loader: &Loader<'_>, entries: &[Value]) -> Result<Vec<Replacement>> {
    let mut out = Vec::new();
    for e in entries {
        let path = e.get("path").and_then(Value::as_str).filter(|p| !p.is_empty());
        match path {
            Some(p) => {
                if e.get("source").is_some_and(|s| !s.is_null()) || e.get("targets").is_some_and(|t| !t.is_null()) {
                    return Err(Error::invalid("cannot specify both path and inline replacement"));
                }
                let text = String::from_utf8_lossy(loader.load(p)?).into_owned();
                let mut v = kiln_yaml::from_str(&text).map_err(|err| Error::invalid(format!("{p}: {err}")))?;
                // Field names match as Go's JSON decoding matches them (the file is decoded into structs).
                match &mut v {
                    Value::Seq(items) => items.iter_mut().for_each(|i| go_keys(i, &REPLACEMENT)),
                    other => go_keys(other, &REPLACEMENT),
                }
                match &v {
                    Value::Seq(items) => {
                        for i in items {
                            out.push(parse(i)?);
                        }
                    }
                    Value::Map(_) => out.push(parse(&v)?),
                    _ => {
                        return Err(Error::invalid(format!(
                            "unsupported replacement type encountered within replacement path: {p}"
                        )));
                    }
                }
            }
            None => {
                let mut inline = e.clone();
                if let Value::Map(m) = &mut inline {
                    m.shift_remove("path");
                }
                out.push(parse(&inline)?);
            }
        }
    }
    Ok(out)
}

fn ids(r: &Resource) -> Vec<ResId> {
    r.all_ids_unscoped()
}

fn label_match(r: &Resource, sel: &Selector) -> Result<bool> {
    let parse = |s: &str| kpatch::selector::LabelSelector::parse(s).map_err(|e| Error::invalid(e.to_string()));
    let labels = kpatch::values::meta_string_map(&r.value, "labels");
    let annotations = kpatch::values::meta_string_map(&r.value, "annotations");
    Ok(parse(&sel.label_selector)?.matches(&labels) && parse(&sel.annotation_selector)?.matches(&annotations))
}

/// Run replacements over the resources.
pub fn apply(rm: &mut ResMap, replacements: &[Replacement]) -> Result<()> {
    for r in replacements {
        let Some(targets) = &r.targets else {
            return Err(Error::invalid("replacements must specify a source and at least one target"));
        };
        let value = match (&r.source_value, &r.source) {
            (Some(_), Some(_)) => return Err(Error::invalid("value and resource selectors are mutually exclusive")),
            (None, None) => return Err(Error::invalid("replacements must specify a source and at least one target")),
            (Some(v), None) => Value::String(v.clone()),
            (None, Some((sel, field_path, opts))) => source_value(rm, sel, field_path, opts.as_ref())?,
        };
        for t in targets {
            let Some(select) = &t.select else {
                return Err(Error::invalid("target must specify resources to select"));
            };
            let paths: Vec<String> =
                if t.field_paths.is_empty() { vec!["metadata.name".to_owned()] } else { t.field_paths.clone() };
            for res in &mut rm.list {
                if !label_match(res, select)? {
                    continue;
                }
                let mut rejected = false;
                for rj in &t.reject {
                    if (!rj.annotation_selector.is_empty() || !rj.label_selector.is_empty()) && label_match(res, rj)? {
                        rejected = true;
                    }
                }
                if rejected {
                    continue;
                }
                let rids = ids(res);
                let rejected_id =
                    t.reject.iter().any(|rj| !rj.id.is_empty() && rids.iter().any(|id| id.is_selected_by(&rj.id)));
                if rids.iter().any(|id| id.is_selected_by(&select.id)) && !rejected_id {
                    for p in &paths {
                        copy_to_target(&mut res.value, &value, p, t.options.as_ref())
                            .map_err(|e| e.context(format!("replacement target {}", res.cur_id())))?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn source_value(rm: &ResMap, sel: &ResId, field_path: &str, opts: Option<&FieldOptions>) -> Result<Value> {
    let mut found: Option<&Resource> = None;
    for r in &rm.list {
        if ids(r).iter().any(|id| id.is_selected_by(sel)) {
            if found.is_some() {
                return Err(Error::failed(format!("multiple matches for selector {sel}")));
            }
            found = Some(r);
        }
    }
    let Some(src) = found else {
        return Err(Error::failed(format!("nothing selected by {sel}")));
    };
    let fp = if field_path.is_empty() { "metadata.name" } else { field_path };
    let path = smarter_split_path(fp, '.');
    let v = lookup(&src.value, &path)?;
    let missing = match v {
        None | Some(Value::Null) => true,
        Some(Value::Map(m)) => m.is_empty(),
        Some(Value::Seq(s)) => s.is_empty(),
        _ => false,
    };
    let Some(v) = v.filter(|_| !missing) else {
        return Err(Error::failed(format!("fieldPath `{fp}` is missing for replacement source {sel}")));
    };
    match opts.filter(|o| !o.delimiter.is_empty()) {
        None => Ok(v.clone()),
        Some(o) => {
            if matches!(v, Value::Map(_) | Value::Seq(_)) {
                return Err(Error::invalid("delimiter option can only be used with scalar nodes"));
            }
            let text = scalar_text(v);
            let parts: Vec<&str> = text.split(o.delimiter.as_str()).collect();
            let part = usize::try_from(o.index).ok().and_then(|i| parts.get(i)).ok_or_else(|| {
                Error::invalid(format!("options.index {} is out of bounds for value {text}", o.index))
            })?;
            Ok(match v {
                Value::String(_) => Value::String((*part).to_owned()),
                other => retype(other, part)?,
            })
        }
    }
}

/// kyaml's `PathGetter` lookup (exact `[k=v]` matches, numeric indexes, `-` for the last element).
fn lookup<'v>(v: &'v Value, path: &[String]) -> Result<Option<&'v Value>> {
    let mut cur = v;
    for part in path {
        let next = if let Ok(i) = part.parse::<i64>() {
            if i < 0 {
                return Err(Error::invalid(format!("array index {i} cannot be negative")));
            }
            cur.as_seq().and_then(|s| usize::try_from(i).ok().and_then(|i| s.get(i)))
        } else if part == "-" {
            cur.as_seq().and_then(|s| s.last())
        } else if part == "*" {
            return Err(Error::invalid("wildcard is not supported in PathGetter"));
        } else if part.starts_with('[') && part.ends_with(']') {
            let (k, want) = split_index(part)?;
            cur.as_seq().and_then(|s| {
                s.iter().find(|e| {
                    if k.is_empty() {
                        scalar_text(e) == want
                    } else {
                        e.get(&k).is_some_and(|x| scalar_text(x) == want)
                    }
                })
            })
        } else {
            cur.get(part)
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn split_index(part: &str) -> Result<(String, String)> {
    let inner = part.trim_start_matches('[').trim_end_matches(']');
    let inner = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')).unwrap_or(inner);
    inner
        .split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| Error::invalid("list path element must contain fieldName=fieldValue for element to match"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Scalar,
    Seq,
    Map,
}

fn kind_of(v: &Value) -> NodeKind {
    match v {
        Value::Map(_) => NodeKind::Map,
        Value::Seq(_) => NodeKind::Seq,
        _ => NodeKind::Scalar,
    }
}

fn part_kind(next: Option<&String>, last: NodeKind) -> NodeKind {
    match next {
        None => last,
        Some(p) if (p.starts_with('[') && p.ends_with(']')) || p.parse::<u64>().is_ok() => NodeKind::Seq,
        Some(_) => NodeKind::Map,
    }
}

/// A fresh node created by a path match; `Value::Null` stands for kyaml's untyped empty scalar, retyped from the
/// text written into it.
fn fresh(kind: NodeKind) -> Value {
    match kind {
        NodeKind::Scalar => Value::Null,
        NodeKind::Seq => Value::Seq(Vec::new()),
        NodeKind::Map => Value::Map(Map::new()),
    }
}

/// Marks nodes created by a path match so [`copy_to_target`] types them from their new text.
struct Matcher {
    create: Option<NodeKind>,
}

impl Matcher {
    /// Collect the nodes `path` reaches (creating them when asked), as raw pointers-free paths: the visitor is
    /// called on each match with whether the node was just created.
    fn visit(
        &self,
        node: &mut Value,
        path: &[String],
        created: bool,
        f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
    ) -> Result<()> {
        let Some((first, rest)) = path.split_first() else {
            return f(node, created);
        };
        if let Ok(idx) = first.parse::<usize>() {
            let Value::Seq(items) = node else {
                return Err(Error::failed(format!("wrong node kind: expected a sequence at index {idx}")));
            };
            if items.len() == idx
                && let Some(k) = self.create
            {
                items.push(fresh(part_kind(rest.first(), k)));
                let len = items.len();
                let Some(elem) = items.get_mut(idx) else { return Ok(()) };
                let _ = len;
                return self.visit(elem, rest, true, f);
            }
            let len = items.len();
            let elem = items
                .get_mut(idx)
                .ok_or_else(|| Error::failed(format!("index {idx} specified but only {len} elements found")))?;
            return self.visit(elem, rest, false, f);
        }
        if first.starts_with('[') && first.ends_with(']') {
            let (key, pattern) = split_index(first)?;
            let re = regex::Regex::new(&pattern).map_err(|e| Error::invalid(format!("{first}: {e}")))?;
            let Value::Seq(items) = node else { return Ok(()) };
            let mut matched = false;
            for item in items.iter_mut() {
                let text = if key.is_empty() { Some(scalar_text(item)) } else { item.get(&key).map(scalar_text) };
                if text.is_some_and(|t| re.is_match(t.trim())) {
                    matched = true;
                    if key.is_empty() {
                        f(item, false)?;
                    } else {
                        self.visit(item, rest, false, f)?;
                    }
                }
            }
            if !matched && self.create.is_some() {
                let elem = if key.is_empty() {
                    Value::String(pattern.clone())
                } else {
                    let mut m = Map::new();
                    m.insert(key.clone(), Value::String(pattern.clone()));
                    Value::Map(m)
                };
                items.push(elem);
                if let Some(item) = items.last_mut() {
                    if key.is_empty() {
                        f(item, false)?;
                    } else {
                        self.visit(item, rest, false, f)?;
                    }
                }
            }
            return Ok(());
        }
        if first == "*" {
            if let Value::Seq(items) = node {
                for item in items {
                    self.visit(item, rest, false, f)?;
                }
            }
            return Ok(());
        }
        if node.is_null() && self.create.is_some() {
            *node = Value::Map(Map::new());
        }
        let Value::Map(m) = node else { return Ok(()) };
        if !m.contains_key(first.as_str()) {
            let Some(k) = self.create else { return Ok(()) };
            m.insert(first.clone(), fresh(part_kind(rest.first(), k)));
            let Some(child) = m.get_mut(first.as_str()) else { return Ok(()) };
            return self.visit(child, rest, true, f);
        }
        let Some(child) = m.get_mut(first.as_str()) else { return Ok(()) };
        self.visit(child, rest, false, f)
    }
}

fn copy_to_target(target: &mut Value, value: &Value, field_path: &str, opts: Option<&FieldOptions>) -> Result<()> {
    let create = opts.filter(|o| o.create).map(|_| kind_of(value));
    let path = smarter_split_path(field_path, '.');
    let mut count = 0;
    let m = Matcher { create };
    m.visit(target, &path, false, &mut |node, created| {
        count += 1;
        set_field(node, value, opts, created)
    })?;
    if count == 0 {
        return Err(Error::failed(if create.is_some() {
            format!("unable to find or create field {field_path:?} in replacement target")
        } else {
            format!("unable to find field {field_path:?} in replacement target")
        }));
    }
    Ok(())
}

fn set_field(node: &mut Value, value: &Value, opts: Option<&FieldOptions>, created: bool) -> Result<()> {
    let mut text_value = None;
    if let Some(o) = opts.filter(|o| !o.delimiter.is_empty()) {
        if matches!(node, Value::Map(_) | Value::Seq(_)) {
            return Err(Error::invalid("delimiter option can only be used with scalar nodes"));
        }
        let cur = scalar_text(node);
        let mut parts: Vec<String> = cur.split(o.delimiter.as_str()).map(str::to_owned).collect();
        let v = scalar_text(value);
        if o.index < 0 {
            parts.insert(0, v);
        } else if let Some(slot) = usize::try_from(o.index).ok().and_then(|i| parts.get_mut(i)) {
            *slot = v;
        } else {
            parts.push(v);
        }
        text_value = Some(parts.join(&o.delimiter));
    }
    let is_scalar = |v: &Value| !matches!(v, Value::Map(_) | Value::Seq(_));
    if is_scalar(node) && (is_scalar(value) || text_value.is_some()) {
        let text = text_value.unwrap_or_else(|| scalar_text(value));
        *node = if created { resolve_plain(&text) } else { retype(node, &text)? };
    } else if let Some(text) = text_value {
        *node = Value::String(text);
    } else if is_scalar(node) && !is_scalar(value) {
        // A collection into a scalar field: kyaml keeps the scalar node and copies the (empty) text.
        *node = if created { value.clone() } else { retype(node, "")? };
    } else {
        *node = value.clone();
    }
    Ok(())
}

/// New text in an existing scalar node keeps the node's tag (its type).
fn retype(node: &Value, text: &str) -> Result<Value> {
    let bad = |t: &str| Error::failed(format!("cannot decode {text:?} as {t} in replacement target"));
    Ok(match node {
        Value::String(_) => Value::String(text.to_owned()),
        Value::Null => Value::Null,
        Value::Bool(_) => match text {
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => return Err(bad("bool")),
        },
        Value::Int(_) | Value::Uint(_) => match resolve_plain(text) {
            v @ (Value::Int(_) | Value::Uint(_)) => v,
            Value::Float(f) if f.fract() == 0.0 => Value::Int(f as i64),
            _ => return Err(bad("int")),
        },
        Value::Float(_) => match resolve_plain(text) {
            Value::Int(i) => Value::Float(i as f64),
            v @ Value::Float(_) => v,
            _ => return Err(bad("float")),
        },
        other => other.clone(),
    })
}

/// The type an untagged plain scalar gets (YAML 1.2 core schema as go-yaml v3 resolves it).
pub fn resolve_plain(text: &str) -> Value {
    match kiln_yaml::from_str_with(text, &kiln_yaml::LoadOptions::kustomize()) {
        Ok(v @ (Value::Null | Value::Bool(_) | Value::Int(_) | Value::Uint(_) | Value::Float(_)))
            if !text.contains('\n') =>
        {
            v
        }
        _ if text.is_empty() => Value::Null,
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        kiln_yaml::from_str_with(s, &kiln_yaml::LoadOptions::kustomize()).unwrap()
    }

    #[test]
    fn lookup_and_copy() {
        let src = v("spec:\n  containers:\n  - name: a\n    image: x:1\n  - name: b\n    image: y:2\n");
        let p = smarter_split_path("spec.containers.[name=b].image", '.');
        assert_eq!(lookup(&src, &p).unwrap(), Some(&Value::from("y:2")));
        let mut t = v("spec:\n  replicas: 1\n  template: {}\n");
        copy_to_target(&mut t, &Value::from("3"), "spec.replicas", None).unwrap();
        assert_eq!(t.pointer(&["spec", "replicas"]), Some(&Value::Int(3)));
        assert!(copy_to_target(&mut t, &Value::from("x"), "spec.missing", None).is_err());
        let create = FieldOptions { create: true, ..FieldOptions::default() };
        copy_to_target(&mut t, &Value::from("8080"), "spec.port", Some(&create)).unwrap();
        assert_eq!(t.pointer(&["spec", "port"]), Some(&Value::Int(8080)));
    }

    #[test]
    fn delimiters() {
        let mut t = v("image: repo/app:1.0\n");
        let o = FieldOptions { delimiter: ":".into(), index: 1, create: false };
        copy_to_target(&mut t, &Value::from("2.0"), "image", Some(&o)).unwrap();
        assert_eq!(t.get("image"), Some(&Value::from("repo/app:2.0")));
    }
}
