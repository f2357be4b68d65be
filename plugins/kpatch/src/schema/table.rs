//! The compact text form of a [`SchemaTable`].
//!
//! ```text
//! # comment (sources)
//! K <apiVersion> <kind> <root-shape> <n|c|?>
//! T <type name>
//! F <field> <shape>
//! A <shape>
//! ```
//!
//! Shapes: `-` opaque, `?` unknown, `@Name` object type, `{}S` map of `S`,
//! `[strategy;mergeKey;key1,key2;listType]S` list of `S`.

use super::{KindEntry, ListMeta, ObjectType, SchemaTable, Scope, Shape};
use std::collections::HashMap;
use std::fmt::Write as _;

/// A malformed table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schema table line {line}: {message}")]
pub struct TableError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

pub(super) fn write(t: &SchemaTable) -> String {
    let mut out = String::new();
    for s in &t.sources {
        let _ = writeln!(out, "# {s}");
    }
    for k in &t.kinds {
        let scope = match k.scope {
            Scope::Namespaced => "n",
            Scope::Cluster => "c",
            Scope::Unknown => "?",
        };
        let _ = writeln!(out, "K {} {} {} {}", k.api_version, k.kind, shape_text(t, &k.root), scope);
    }
    for ty in &t.types {
        let _ = writeln!(out, "T {}", ty.name);
        for (f, s) in &ty.fields {
            let _ = writeln!(out, "F {f} {}", shape_text(t, s));
        }
        if let Some(a) = &ty.additional {
            let _ = writeln!(out, "A {}", shape_text(t, a));
        }
    }
    out
}

fn shape_text(t: &SchemaTable, s: &Shape) -> String {
    match s {
        Shape::Unknown => "?".to_owned(),
        Shape::Opaque => "-".to_owned(),
        Shape::Object(i) | Shape::Builtin(i) => {
            format!("@{}", t.object(*i).map_or("", |o| o.name.as_str()))
        }
        Shape::Map(v) => format!("{{}}{}", shape_text(t, v)),
        Shape::List(m, items) => format!(
            "[{};{};{};{}]{}",
            m.strategy,
            m.merge_key.as_deref().unwrap_or(""),
            m.map_keys.join(","),
            m.list_type.as_deref().unwrap_or(""),
            shape_text(t, items)
        ),
    }
}

pub(super) fn parse(text: &str) -> Result<SchemaTable, TableError> {
    // First pass: type names, so shapes can refer forward.
    let mut names: HashMap<&str, u32> = HashMap::new();
    let mut count: u32 = 0;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("T ") {
            names.insert(name.trim(), count);
            count += 1;
        }
    }
    let mut t = SchemaTable::default();
    for (i, line) in text.lines().enumerate() {
        let err = |message: String| TableError { line: i + 1, message };
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            t.sources.push(c.trim().to_owned());
            continue;
        }
        let mut parts = line.split(' ');
        let tag = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        match (tag, rest.as_slice()) {
            ("K", [api_version, kind, shape, scope]) => {
                let root = parse_shape(shape, &names).map_err(err)?;
                let scope = match *scope {
                    "n" => Scope::Namespaced,
                    "c" => Scope::Cluster,
                    _ => Scope::Unknown,
                };
                t.kinds.push(KindEntry {
                    api_version: (*api_version).to_owned(),
                    kind: (*kind).to_owned(),
                    root,
                    scope,
                });
            }
            ("T", [name]) => t.types.push(ObjectType { name: (*name).to_owned(), ..ObjectType::default() }),
            ("F", [field, shape]) => {
                let s = parse_shape(shape, &names).map_err(err)?;
                let ty = t.types.last_mut().ok_or_else(|| err("F before any T".to_owned()))?;
                ty.fields.push(((*field).to_owned(), s));
            }
            ("A", [shape]) => {
                let s = parse_shape(shape, &names).map_err(err)?;
                let ty = t.types.last_mut().ok_or_else(|| err("A before any T".to_owned()))?;
                ty.additional = Some(s);
            }
            _ => return Err(err(format!("unrecognised line {line:?}"))),
        }
    }
    for ty in &mut t.types {
        ty.fields.sort_by(|a, b| a.0.cmp(&b.0));
    }
    t.reindex();
    Ok(t)
}

fn parse_shape(s: &str, names: &HashMap<&str, u32>) -> Result<Shape, String> {
    match s {
        "-" => return Ok(Shape::Opaque),
        "?" => return Ok(Shape::Unknown),
        _ => {}
    }
    if let Some(name) = s.strip_prefix('@') {
        return names.get(name).map(|&i| Shape::Object(i)).ok_or_else(|| format!("unknown type {name:?}"));
    }
    if let Some(rest) = s.strip_prefix("{}") {
        return Ok(Shape::Map(Box::new(parse_shape(rest, names)?)));
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (meta, items) = rest.split_once(']').ok_or_else(|| format!("unterminated list shape {s:?}"))?;
        let fields: Vec<&str> = meta.split(';').collect();
        let [strategy, merge_key, map_keys, list_type] = fields.as_slice() else {
            return Err(format!("list shape {s:?} needs four ';'-separated parts"));
        };
        let opt = |x: &str| (!x.is_empty()).then(|| x.to_owned());
        let meta = ListMeta {
            strategy: (*strategy).to_owned(),
            merge_key: opt(merge_key),
            map_keys: map_keys.split(',').filter(|k| !k.is_empty()).map(str::to_owned).collect(),
            list_type: opt(list_type),
        };
        return Ok(Shape::List(Box::new(meta), Box::new(parse_shape(items, names)?)));
    }
    Err(format!("bad shape {s:?}"))
}
