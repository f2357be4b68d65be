//! Values coalescing (`pkg/chart/common/util/coalesce.go`): user values over chart defaults, recursively into
//! subcharts, with `global` propagation.
//!
//! Rules: the user's value wins; maps merge key by key; lists and scalars replace; a user `null` deletes the chart's
//! default (when coalescing; merging keeps nulls); a map/scalar mismatch keeps the user's side with a warning. Each
//! subchart sees its own table (`.Values.<name>`), into which the parent's `global` table is copied, the parent's
//! keys winning.

use kiln_yaml::{Map, Value};

use crate::chart::Chart;
use crate::gofmt::{go_type_name, sprint_value};

/// Collected warnings (Helm logs them to stderr).
pub type Warnings = Vec<String>;

/// The key that holds values shared by a chart and all its subcharts.
pub const GLOBAL_KEY: &str = "global";

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_owned() } else { format!("{a}.{b}") }
}

/// Why coalescing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CoalesceError(pub String);

/// `CoalesceValues`: the chart's values (and its subcharts') under `vals`; nulls in `vals` delete defaults.
pub fn coalesce_values(chart: &Chart, vals: &Map, warnings: &mut Warnings) -> Result<Map, CoalesceError> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, "", false, warnings)?;
    Ok(dest)
}

/// `MergeValues`: like [`coalesce_values`] but nulls are kept.
pub fn merge_values(chart: &Chart, vals: &Map, warnings: &mut Warnings) -> Result<Map, CoalesceError> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, "", true, warnings)?;
    Ok(dest)
}

fn coalesce(ch: &Chart, dest: &mut Map, prefix: &str, merge: bool, w: &mut Warnings) -> Result<(), CoalesceError> {
    coalesce_chart_values(ch, dest, prefix, merge, w);
    coalesce_deps(ch, dest, prefix, merge, w)
}

fn coalesce_deps(ch: &Chart, dest: &mut Map, prefix: &str, merge: bool, w: &mut Warnings) -> Result<(), CoalesceError> {
    for sub in &ch.dependencies {
        let name = sub.name().to_owned();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), Value::Map(Map::new()));
            }
            Some(Value::Map(_)) => {}
            Some(other) => {
                return Err(CoalesceError(format!(
                    "type mismatch on {name}: %!t({})",
                    if other.is_null() {
                        "<nil>".to_owned()
                    } else {
                        format!("{}={}", go_type_name(other), sprint_value(other))
                    }
                )));
            }
        }
        let sub_prefix = concat_prefix(prefix, ch.name());
        let globals = dest.get(GLOBAL_KEY).cloned();
        let mut dvmap = match dest.get_mut(&name) {
            Some(Value::Map(m)) => std::mem::take(m),
            _ => Map::new(),
        };
        coalesce_globals(&mut dvmap, globals.as_ref(), &sub_prefix, w);
        let res = coalesce(sub, &mut dvmap, &sub_prefix, merge, w);
        dest.insert(name, Value::Map(dvmap));
        res?;
    }
    Ok(())
}

/// Copy the parent's globals (`src_global`) into `dest["global"]`, the parent's keys winning.
fn coalesce_globals(dest: &mut Map, src_global: Option<&Value>, prefix: &str, w: &mut Warnings) {
    let mut dg = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            w.push(format!("warning: skipping globals because destination {GLOBAL_KEY} is not a table."));
            return;
        }
    };
    let sg = match src_global {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            w.push(format!("warning: skipping globals because source {GLOBAL_KEY} is not a table."));
            return;
        }
    };
    for (key, val) in sg {
        match val {
            Value::Map(vv) => {
                let mut vv = vv;
                match dg.get(&key) {
                    None => {
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(Value::Map(destv)) => {
                        let destv = destv.clone();
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables(&mut vv, destv, &sub_prefix, true, w);
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(_) => w.push(format!("Conflict: cannot merge map onto non-map for {key:?}. Skipping.")),
                }
            }
            val => {
                if matches!(dg.get(&key), Some(Value::Map(_))) {
                    w.push(format!("key {key} is table. Skipping"));
                } else {
                    dg.insert(key, val);
                }
            }
        }
    }
    dest.insert(GLOBAL_KEY.to_owned(), Value::Map(dg));
}

/// Whether `key` names one of the chart's subcharts.
fn is_child_chart(ch: &Chart, key: &str) -> bool {
    ch.dependencies.iter().any(|d| d.name() == key)
}

/// Put the chart's default values under `v` (`coalesceValues`).
fn coalesce_chart_values(ch: &Chart, v: &mut Map, prefix: &str, merge: bool, w: &mut Warnings) {
    let sub_prefix = concat_prefix(prefix, ch.name());
    for (key, val) in &ch.values {
        match v.get_mut(key) {
            Some(value) => {
                if value.is_null() && !merge {
                    v.shift_remove(key);
                } else if let Value::Map(dest) = value {
                    match val {
                        Value::Map(src) => {
                            let merge = merge || is_child_chart(ch, key);
                            coalesce_tables(dest, src.clone(), &concat_prefix(&sub_prefix, key), merge, w);
                        }
                        Value::Null => {}
                        _ => w.push(format!("warning: skipped value for {sub_prefix}.{key}: Not a table.")),
                    }
                }
            }
            None => {
                v.insert(key.clone(), val.clone());
            }
        }
    }
}

/// `CoalesceTables`: `src` under `dst`, `dst` authoritative; nulls in `dst` delete `src` values.
pub fn coalesce_tables_pub(dst: &mut Map, src: Map, w: &mut Warnings) {
    coalesce_tables(dst, src, "", false, w);
}

/// `MergeTables`: like [`coalesce_tables_pub`] but nulls are kept.
pub fn merge_tables(dst: &mut Map, src: Map, w: &mut Warnings) {
    coalesce_tables(dst, src, "", true, w);
}

/// `coalesceTablesFullKey`.
fn coalesce_tables(dst: &mut Map, mut src: Map, prefix: &str, merge: bool, w: &mut Warnings) {
    let src_original_non_nil: std::collections::HashSet<String> =
        src.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.clone()).collect();
    for (key, val) in dst.iter() {
        if val.is_null() {
            src.insert(key.clone(), Value::Null);
        }
    }
    for (key, val) in src {
        let full_key = concat_prefix(prefix, &key);
        match dst.get_mut(&key) {
            Some(dv) if !merge && dv.is_null() && src_original_non_nil.contains(&key) => {
                dst.shift_remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => match (dv, val) {
                (Value::Map(dvm), Value::Map(vm)) => coalesce_tables(dvm, vm, &full_key, merge, w),
                (_, val @ Value::Map(_)) => w.push(format!(
                    "warning: cannot overwrite table with non table for {full_key} ({})",
                    sprint_value(&val)
                )),
                (Value::Map(_), val) if !val.is_null() => w.push(format!(
                    "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                    sprint_value(&val)
                )),
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests;
