//! The template engine glue (`pkg/engine/engine.go`): one Go template set named `gotpl` holding every template of
//! the chart and its subcharts, parsed in Helm's order and executed with each chart's scoped values.
//!
//! * Template names are `<chart full path>/templates/...`, a subchart's full path being
//!   `parent/charts/<name or alias>`.
//! * Parse and execution order: more `/` first; at equal depth, reverse byte order. So a parent's `define` wins
//!   over a subchart's, and `_helpers.tpl` over `a.yaml` in the same directory.
//! * Each chart sees `.Chart` (its metadata as a map of Go field names plus `IsRoot`), `.Files`, `.Release`,
//!   `.Capabilities`, `.Values` (the parent's table under its name, shared, not copied), `.Subcharts` and, while a
//!   file renders, `.Template` (`Name`, `BasePath`).
//! * `missingkey=zero`; every `<no value>` in a file's output is removed.

use std::rc::Rc;

use gotmpl::{Funcs, List, Map, MissingKey, NumberMode, Options, TemplateSet, Value};

use crate::capabilities::Capabilities;
use crate::chart::Chart;
use crate::metadata::Metadata;
use crate::objects::{CapabilitiesObject, Files};

/// The release context of a render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// `.Release.Name`.
    pub name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Release.Revision`.
    pub revision: i64,
    /// `.Release.IsUpgrade` (`.Release.IsInstall` is its negation).
    pub is_upgrade: bool,
}

impl Default for ReleaseInfo {
    fn default() -> Self {
        ReleaseInfo { name: "release-name".into(), namespace: "default".into(), revision: 1, is_upgrade: false }
    }
}

fn strings(items: &[String]) -> Value {
    Value::List(List::new(items.iter().map(|s| Value::from(s.as_str())).collect()))
}

/// `MetadataAsMap` plus `IsRoot`: the chart's metadata as `.Chart` shows it in Helm 4.
pub fn metadata_map(md: &Metadata, is_root: bool) -> Value {
    let maintainers: Vec<Value> = md
        .maintainers
        .iter()
        .map(|m| match m {
            Some(m) => Value::map([
                ("Name", Value::from(m.name.as_str())),
                ("Email", Value::from(m.email.as_str())),
                ("URL", Value::from(m.url.as_str())),
            ]),
            None => Value::Nil,
        })
        .collect();
    let dependencies: Vec<Value> = md
        .dependencies
        .iter()
        .map(|d| match d {
            Some(d) => Value::map([
                ("Name", Value::from(d.name.as_str())),
                ("Version", Value::from(d.version.as_str())),
                ("Repository", Value::from(d.repository.as_str())),
                ("Condition", Value::from(d.condition.as_str())),
                ("Tags", strings(&d.tags)),
                ("Enabled", Value::Bool(d.enabled)),
                ("ImportValues", Value::List(List::new(d.import_values.iter().map(import_value).collect()))),
                ("Alias", Value::from(d.alias.as_str())),
            ]),
            None => Value::Nil,
        })
        .collect();
    let annotations = Map::typed(gotmpl::ElemType::String);
    if let Some(a) = &md.annotations {
        for (k, v) in a {
            annotations.insert(k.as_str(), Value::from(v.as_str()));
        }
    }
    Value::map([
        ("Name", Value::from(md.name.as_str())),
        ("Home", Value::from(md.home.as_str())),
        ("Sources", strings(&md.sources)),
        ("Version", Value::from(md.version.as_str())),
        ("Description", Value::from(md.description.as_str())),
        ("Keywords", strings(&md.keywords)),
        ("Maintainers", Value::List(List::new(maintainers))),
        ("Icon", Value::from(md.icon.as_str())),
        ("APIVersion", Value::from(md.api_version.as_str())),
        ("Condition", Value::from(md.condition.as_str())),
        ("Tags", Value::from(md.tags.as_str())),
        ("AppVersion", Value::from(md.app_version.as_str())),
        ("Deprecated", Value::Bool(md.deprecated)),
        ("Annotations", Value::Map(annotations)),
        ("KubeVersion", Value::from(md.kube_version.as_str())),
        ("Dependencies", Value::List(List::new(dependencies))),
        ("Type", Value::from(md.chart_type.as_str())),
        ("IsRoot", Value::Bool(is_root)),
    ])
}

/// An `import-values` entry: processed entries are `map[string]string` (`child`, `parent`).
fn import_value(v: &kiln_yaml::Value) -> Value {
    match v {
        kiln_yaml::Value::Map(m) if m.values().all(|v| matches!(v, kiln_yaml::Value::String(_))) => {
            let out = Map::typed(gotmpl::ElemType::String);
            for (k, v) in m {
                if let kiln_yaml::Value::String(s) = v {
                    out.insert(k.as_str(), Value::from(s.as_str()));
                }
            }
            Value::Map(out)
        }
        other => Value::from_yaml(other, NumberMode::Float64),
    }
}

/// A template file ready to parse and render.
struct Renderable {
    name: String,
    text: Rc<str>,
    vals: Map,
    base_path: String,
}

/// `recAllTpls`: build `chart`'s template scope from its parent's and collect its templates (and its subcharts').
fn collect(chart: &Chart, parent: &Map, full_path: &str, is_root: bool, out: &mut Vec<Renderable>) -> Map {
    let subcharts = Map::new();
    let next = Map::new();
    next.insert("Chart", metadata_map(&chart.metadata, is_root));
    next.insert("Files", Value::object(Files::new(chart.files.iter().map(|f| (f.name.clone(), f.data.clone())))));
    next.insert("Release", parent.get("Release").unwrap_or_default());
    next.insert("Capabilities", parent.get("Capabilities").unwrap_or_default());
    let values = if is_root {
        parent.get("Values").unwrap_or_else(|| Value::Map(Map::new()))
    } else {
        match parent.get("Values").and_then(|v| v.as_map().and_then(|m| m.get(chart.name()))) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::Map(Map::new()),
        }
    };
    next.insert("Values", values);
    next.insert("Subcharts", Value::Map(subcharts.clone()));
    for child in &chart.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let child_next = collect(child, &next, &child_path, false, out);
        subcharts.insert(child.name(), Value::Map(child_next));
    }
    let library = chart.is_library();
    for t in &chart.templates {
        if library && !t.name.rsplit('/').next().unwrap_or(&t.name).starts_with('_') {
            continue;
        }
        out.push(Renderable {
            name: join_path(full_path, &t.name),
            text: Rc::from(kiln_yaml::utf8_lossy(&t.data).as_ref()),
            vals: next.clone(),
            base_path: join_path(full_path, "templates"),
        });
    }
    next
}

/// `path.Join` for two relative parts.
fn join_path(a: &str, b: &str) -> String {
    crate::archive::clean_path(&format!("{a}/{b}"))
}

/// Helm's `sortTemplates`: deeper paths first, then reverse byte order.
fn sort_names(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// The function table of a render: Go builtins, Sprig, Helm.
pub fn function_table() -> Funcs {
    let mut funcs = Funcs::builtins();
    gotmpl::sprig::register(&mut funcs);
    crate::funcs::register(&mut funcs);
    funcs
}

/// Render every template of `chart` (already processed: dependencies resolved) with the coalesced `values`.
/// Returns (template name, output) for every rendered (non-partial) file, in render order, or Helm's error text.
pub fn render(
    chart: &Chart,
    values: &kiln_yaml::Map,
    release: &ReleaseInfo,
    caps: &Capabilities,
) -> Result<Vec<(String, String)>, String> {
    let top = Map::new();
    top.insert("Values", Value::from_yaml(&kiln_yaml::Value::Map(values.clone()), NumberMode::Int64));
    top.insert(
        "Release",
        Value::map([
            ("Name", Value::from(release.name.as_str())),
            ("Namespace", Value::from(release.namespace.as_str())),
            ("IsUpgrade", Value::Bool(release.is_upgrade)),
            ("IsInstall", Value::Bool(!release.is_upgrade)),
            ("Revision", Value::Int(release.revision)),
            ("Service", Value::from("Helm")),
        ]),
    );
    top.insert("Capabilities", Value::object(CapabilitiesObject::new(caps.clone())));

    let mut renderables = Vec::new();
    collect(chart, &top, chart.name(), true, &mut renderables);

    // Later entries with the same name replace earlier ones, as in Helm's map.
    let mut by_name: std::collections::HashMap<String, Renderable> = std::collections::HashMap::new();
    for r in renderables {
        by_name.insert(r.name.clone(), r);
    }
    let mut names: Vec<String> = by_name.keys().cloned().collect();
    sort_names(&mut names);

    let mut set = TemplateSet::new("gotpl", function_table())
        .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
    for name in &names {
        let Some(r) = by_name.get(name) else { continue };
        if let Err(e) = set.parse_shared(name, r.text.clone()) {
            return Err(cleanup_parse_error(name, &e.to_string()));
        }
    }

    let mut rendered = Vec::with_capacity(names.len());
    for name in &names {
        let Some(r) = by_name.get(name) else { continue };
        if name.rsplit('/').next().unwrap_or(name).starts_with('_') {
            continue;
        }
        r.vals.insert(
            "Template",
            Value::map([("Name", Value::from(name.as_str())), ("BasePath", Value::from(r.base_path.as_str()))]),
        );
        match set.execute(name, &Value::Map(r.vals.clone())) {
            Ok(out) => rendered.push((name.clone(), strip_no_value(out))),
            Err(e) => return Err(crate::errors::reformat_exec_error(name, &e)),
        }
    }
    kiln_plugin_sdk::alloc::discard(set);
    kiln_plugin_sdk::alloc::discard(by_name);
    Ok(rendered)
}

/// Helm's `strings.ReplaceAll(out, "<no value>", "")`, without copying the (often megabyte-sized CRD) output
/// when there is nothing to remove.
fn strip_no_value(out: String) -> String {
    const NO_VALUE: &str = "<no value>";
    let finder = memchr::memmem::Finder::new(NO_VALUE);
    let Some(first) = finder.find(out.as_bytes()) else { return out };
    let mut s = String::with_capacity(out.len());
    let mut from = 0;
    let mut at = Some(first);
    while let Some(i) = at {
        s.push_str(out.get(from..from + i).unwrap_or_default());
        from += i + NO_VALUE.len();
        at = out.get(from..).and_then(|rest| finder.find(rest.as_bytes()));
    }
    s.push_str(out.get(from..).unwrap_or_default());
    s
}

/// `cleanupParseError`.
fn cleanup_parse_error(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    let location = tokens.get(1).copied().unwrap_or("");
    let msg = tokens.last().copied().unwrap_or("");
    format!("parse error at ({location}): {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_order() {
        let mut v: Vec<String> =
            ["c/templates/a.yaml", "c/templates/_helpers.tpl", "c/charts/s/templates/x.yaml", "c/templates/b.yaml"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        sort_names(&mut v);
        assert_eq!(
            v,
            vec!["c/charts/s/templates/x.yaml", "c/templates/b.yaml", "c/templates/a.yaml", "c/templates/_helpers.tpl"]
        );
    }

    #[test]
    fn no_value_is_removed_everywhere_like_replace_all() {
        for s in [
            "",
            "plain",
            "<no value>",
            "a<no value>b<no value>",
            "<no value><no value>x",
            "<no <no value>value>",
            "ü<no value>ß",
        ] {
            assert_eq!(strip_no_value(s.to_owned()), s.replace("<no value>", ""), "{s:?}");
        }
    }
}
