//! Dependency processing (`pkg/chart/v2/util/dependencies.go`): aliases, `tags` and `condition` switches,
//! removal of disabled subcharts, and `import-values`.

use kiln_yaml::{Map, Value};

use crate::chart::Chart;
use crate::coalesce::{CoalesceError, Warnings, coalesce_values, merge_tables, merge_values};
use crate::gofmt::sprint_value;
use crate::semver::is_compatible_range;

/// `Values.Table`: follow a dotted path of maps.
pub fn table<'a>(v: &'a Map, path: &str) -> Option<&'a Map> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?.as_map()?;
    }
    Some(cur)
}

/// `Values.PathValue`: the non-map value at a dotted path. `Err(true)` when there is no such value, `Err(false)`
/// for an empty path.
pub fn path_value<'a>(v: &'a Map, path: &str) -> Result<&'a Value, bool> {
    if path.is_empty() {
        return Err(false);
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(v, p).ok_or(true)?, k),
        None => (v, path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => Err(true),
        Some(val) => Ok(val),
    }
}

/// `ProcessDependencies`: enable/disable subcharts from the user's values, then import values.
pub fn process_dependencies(c: &mut Chart, vals: &Map, w: &mut Warnings) -> Result<(), CoalesceError> {
    process_enabled(c, vals, "", w)?;
    process_import_values_rec(c, w)
}

/// The first loaded subchart that a dependency entry refers to (same name, compatible version), copied and renamed
/// to the alias.
fn alias_dependency(charts: &[Chart], name: &str, version: &str, alias: &str) -> Option<Chart> {
    let found = charts.iter().find(|c| c.name() == name && is_compatible_range(version, &c.metadata.version))?;
    let mut out = found.clone();
    if !alias.is_empty() {
        out.metadata.name = alias.to_owned();
    }
    Some(out)
}

fn process_tags(c: &mut Chart, cvals: &Map, w: &mut Warnings) {
    let Some(tags) = cvals.get("tags").and_then(Value::as_map) else {
        return;
    };
    for r in c.metadata.deps_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            if let Some(b) = tags.get(k) {
                match b {
                    Value::Bool(true) => has_true = true,
                    Value::Bool(false) => has_false = true,
                    _ => w.push(format!("returned non-bool value: tag {k} chart {}", r.name)),
                }
            }
        }
        r.enabled = has_true || !has_false;
    }
}

fn process_conditions(c: &mut Chart, cvals: &Map, path: &str, w: &mut Warnings) {
    for r in c.metadata.deps_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{cond}")) {
                Ok(Value::Bool(b)) => {
                    r.enabled = *b;
                    break;
                }
                Ok(_) => w.push(format!("returned non-bool value: path {cond} chart {}", r.name)),
                Err(true) => {}
                Err(false) => w.push("the method PathValue returned error: YAML path cannot be empty".into()),
            }
        }
    }
}

/// `processDependencyEnabled`.
fn process_enabled(c: &mut Chart, v: &Map, path: &str, w: &mut Warnings) -> Result<(), CoalesceError> {
    if !c.metadata.has_dependencies {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !c.metadata.deps().any(|r| e.name() == r.name && is_compatible_range(&r.version, &e.metadata.version))
        })
        .cloned()
        .collect();
    for r in c.metadata.deps_mut() {
        if let Some(d) = alias_dependency(&existing, &r.name, &r.version, &r.alias) {
            chart_deps.push(d);
        }
        if !r.alias.is_empty() {
            r.name = r.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in c.metadata.deps_mut() {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v, w)?;
    process_tags(c, &cvals, w);
    process_conditions(c, &cvals, path, w);
    let removed: Vec<String> = c.metadata.deps().filter(|r| !r.enabled).map(|r| r.name.clone()).collect();
    c.dependencies.retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata.dependencies.retain(|r| r.as_ref().is_none_or(|r| !removed.contains(&r.name)));
    for t in &mut c.dependencies {
        let sub_path = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub_path, w)?;
    }
    // Go rebuilds the list with append onto nil: an empty result is a nil list.
    c.metadata.has_dependencies = !c.metadata.dependencies.is_empty();
    Ok(())
}

fn process_import_values_rec(c: &mut Chart, w: &mut Warnings) -> Result<(), CoalesceError> {
    for d in &mut c.dependencies {
        process_import_values_rec(d, w)?;
    }
    process_import_values(c, w)
}

/// Nest `data` under a dotted path (`pathToMap`); `.` means the top level.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_owned(), Value::Map(cur));
        cur = m;
    }
    cur
}

/// `processImportValues` in merge mode (what `helm template` uses).
fn process_import_values(c: &mut Chart, w: &mut Warnings) -> Result<(), CoalesceError> {
    if !c.metadata.has_dependencies {
        return Ok(());
    }
    let cvals = merge_values(c, &Map::new(), w)?;
    let mut b = Map::new();
    for r in c.metadata.deps_mut() {
        let mut out = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Map(iv) => {
                    let child = iv.get("child").map_or_else(|| "<nil>".to_owned(), sprint_value);
                    let parent = iv.get("parent").map_or_else(|| "<nil>".to_owned(), sprint_value);
                    let mut entry = Map::new();
                    entry.insert("child".into(), Value::String(child.clone()));
                    entry.insert("parent".into(), Value::String(parent.clone()));
                    out.push(Value::Map(entry));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Some(vv) => merge_tables(&mut b, path_to_map(&parent, vv.clone()), w),
                        None => w.push(format!("ImportValues missing table from chart {}: {child}", r.name)),
                    }
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    let mut entry = Map::new();
                    entry.insert("child".into(), Value::String(child.clone()));
                    entry.insert("parent".into(), Value::String(".".into()));
                    out.push(Value::Map(entry));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Some(vm) => merge_tables(&mut b, vm.clone(), w),
                        None => w.push(format!("ImportValues missing table: {}.{child}", r.name)),
                    }
                }
                _ => {}
            }
        }
        r.import_values = out;
    }
    let mut values = cvals;
    merge_tables(&mut values, b, w);
    c.values = values;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, Value)]) -> Map {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn path_values() {
        let v = m(&[("a", Value::Map(m(&[("b", Value::Bool(true)), ("t", Value::Map(Map::new()))])))]);
        assert_eq!(path_value(&v, "a.b"), Ok(&Value::Bool(true)));
        assert_eq!(path_value(&v, "a.t"), Err(true));
        assert_eq!(path_value(&v, "a.x"), Err(true));
        assert_eq!(path_value(&v, "q.b"), Err(true));
        assert_eq!(path_value(&v, ""), Err(false));
    }

    #[test]
    fn nests_paths() {
        let inner = m(&[("x", Value::Int(1))]);
        let out = path_to_map("a.b", inner.clone());
        assert_eq!(table(&out, "a.b"), Some(&inner));
        assert_eq!(path_to_map(".", inner.clone()), inner);
    }
}
