//! Legacy `vars`: `$(NAME)` in the fields listed by `varReference` is replaced with a field of another resource.

use kiln_yaml::Value;

use crate::error::{Error, Result};
use crate::fieldspec::{self, Create};
use crate::kustomization::Var;
use crate::resource::{ResMap, scalar_text};
use crate::types::FieldSpec;

/// Split a var field path (`spec.containers[0].image`) into lookup steps.
fn steps(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        while let Some(open) = rest.find('[') {
            let head = rest.get(..open).unwrap_or("");
            if !head.is_empty() {
                out.push(head.to_owned());
            }
            let after = rest.get(open + 1..).unwrap_or("");
            let close = after.find(']').unwrap_or(after.len());
            out.push(after.get(..close).unwrap_or("").to_owned());
            rest = after.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            out.push(rest.to_owned());
        }
    }
    out
}

fn field_value<'v>(obj: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = obj;
    for s in steps(path) {
        cur = match cur {
            Value::Seq(items) => items.get(s.parse::<usize>().ok()?)?,
            other => other.get(&s)?,
        };
    }
    Some(cur)
}

/// Expand `$(NAME)` references in `s` (`$$` escapes a `$`). Returns the new value: a whole-string reference to a
/// non-string value keeps that value's type.
fn expand(s: &str, values: &[(String, Value)], used: &mut Vec<String>) -> Value {
    for (name, v) in values {
        if s == format!("$({name})") && !matches!(v, Value::String(_)) {
            used.push(name.clone());
            return v.clone();
        }
    }
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = s.get(i..).unwrap_or("");
        if rest.starts_with("$$(") {
            out.push_str("$(");
            i += 3;
            continue;
        }
        if let Some(after) = rest.strip_prefix("$(")
            && let Some(end) = after.find(')')
        {
            let name = after.get(..end).unwrap_or("");
            if let Some((_, v)) = values.iter().find(|(n, _)| n == name) {
                used.push(name.to_owned());
                out.push_str(&scalar_text(v));
                i += 2 + end + 1;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    Value::String(out)
}

fn replace_in(node: &mut Value, values: &[(String, Value)], used: &mut Vec<String>) {
    match node {
        Value::String(s) => {
            let new = expand(s, values, used);
            *node = new;
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| {
            if let Value::String(s) = i {
                let new = expand(s, values, used);
                *i = new;
            }
        }),
        Value::Map(m) => m.values_mut().for_each(|i| {
            if let Value::String(s) = i {
                let new = expand(s, values, used);
                *i = new;
            }
        }),
        _ => {}
    }
}

/// Resolve the vars and replace their references.
pub fn resolve(rm: &mut ResMap, vars: &[Var], specs: &[FieldSpec]) -> Result<()> {
    let mut values = Vec::new();
    for v in vars {
        let src = rm.list.iter().find(|r| r.meta.ref_var_names.iter().any(|n| n == &v.name)).ok_or_else(|| {
            Error::failed(format!("var '{}' cannot be mapped to a field in the set of known resources", v.name))
        })?;
        let val = field_value(&src.value, &v.field_path).ok_or_else(|| {
            Error::failed(format!("field specified in var '{}' not found in corresponding resource", v.name))
        })?;
        values.push((v.name.clone(), val.clone()));
    }
    let mut used = Vec::new();
    for r in &mut rm.list {
        for fs in specs {
            fieldspec::apply(&mut r.value, fs, Create::Never, &mut |n| {
                replace_in(n, &values, &mut used);
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion() {
        let vals = vec![("SVC".to_owned(), Value::from("web")), ("PORT".to_owned(), Value::Int(80))];
        let mut used = Vec::new();
        assert_eq!(expand("http://$(SVC):$(PORT)/$(X)", &vals, &mut used), Value::from("http://web:80/$(X)"));
        assert_eq!(expand("$(PORT)", &vals, &mut used), Value::Int(80));
        assert_eq!(expand("$$(SVC)", &vals, &mut used), Value::from("$(SVC)"));
        assert_eq!(steps("spec.containers[0].image"), ["spec", "containers", "0", "image"]);
    }
}
