//! Sprig's dictionary functions: `dict get set unset hasKey pluck keys pick omit values dig merge mergeOverwrite
//! mustMerge mustMergeOverwrite deepCopy mustDeepCopy`.
//!
//! Maps are shared handles, so `set`, `unset` and `merge` mutate the map they are given, as in Go. `keys` and
//! `values` return Go's map iteration order in Helm, which is random; here they follow the sorted key order (per
//! dictionary for `keys`), which is one of the orders Go can produce.
//!
//! `merge` follows `dario.cat/mergo` v1.0.1 as Sprig calls it (`mergo.Merge(&dst, src)`, optionally
//! `WithOverride`): for each source key, a nil source value is skipped (or, overwriting, stored); two maps merge
//! recursively *into the destination's nested map*; otherwise the source value is stored when the destination
//! lacks the key or holds an empty value (`false`, `0`, `""`, an empty list or map), or always when overwriting.
//! Stored maps and lists are the source's own handles, so later changes to them show through (mergo aliases too).

use std::rc::Rc;

use super::conv::{is_empty, strval};
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::stack;
use crate::value::{ElemType, List, Map, Value};

/// How much stack the recursive helpers here may use before giving up on a too-deep (or cyclic) structure.
const STACK_BUDGET: usize = 256 * 1024;

/// How many nodes one recursive walk may visit (shared sub-structures are visited once per reference, so a walk
/// can grow exponentially with nesting).
const NODE_BUDGET: usize = 1_000_000;

/// A guard for recursive walks: the stack used since the walk started, and the number of nodes visited.
pub(crate) struct DepthGuard {
    base: usize,
    nodes: std::cell::Cell<usize>,
}

impl DepthGuard {
    /// Start measuring here.
    pub(crate) fn new() -> Self {
        DepthGuard { base: stack::position(), nodes: std::cell::Cell::new(0) }
    }

    /// Count a node; fail once the walk has used more stack or visited more nodes than its budget.
    pub(crate) fn check(&self, what: &str) -> Result<(), FuncError> {
        self.nodes.set(self.nodes.get() + 1);
        if stack::used_since(self.base) > STACK_BUDGET || self.nodes.get() > NODE_BUDGET {
            return Err(FuncError::new(format!("{what}: structure too large or nested too deeply (or cyclic)")));
        }
        Ok(())
    }
}

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Map as M, String as Str};
    funcs.register("dict", Signature::variadic(&[], Any), |_, a| {
        let m = Map::new();
        for pair in a.as_slice().chunks(2) {
            let key = pair.first().map(strval).unwrap_or_default();
            m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::from("")));
        }
        Ok(Value::Map(m))
    });
    funcs.register("get", Signature::new(&[M, Str]), |_, a| {
        Ok(a.map(0)?.get(a.str(1)?).unwrap_or_else(|| Value::from("")))
    });
    funcs.register("set", Signature::new(&[M, Str, Any]), |_, a| {
        if a.value(0)?.is_nil() {
            // Go panics writing to a nil map.
            return Err(FuncError::new("assignment to entry in nil map"));
        }
        let m = a.map(0)?;
        m.insert(a.str(1)?, a.value(2)?.clone());
        Ok(Value::Map(m))
    });
    funcs.register("unset", Signature::new(&[M, Str]), |_, a| {
        let m = a.map(0)?;
        m.remove(a.str(1)?);
        Ok(Value::Map(m))
    });
    funcs.register("hasKey", Signature::new(&[M, Str]), |_, a| Ok(Value::Bool(a.map(0)?.contains_key(a.str(1)?))));
    funcs.register("pluck", Signature::variadic(&[Str], M), |_, a| {
        let key = a.str(0)?;
        Ok(Value::list(a.rest(1).iter().filter_map(|d| d.as_map().and_then(|m| m.get(key))).collect()))
    });
    funcs.register("keys", Signature::variadic(&[], M), |_, a| {
        let keys: Vec<Rc<str>> = a.as_slice().iter().filter_map(Value::as_map).flat_map(Map::keys).collect();
        Ok(Value::List(List::strings(keys)))
    });
    funcs.register("values", Signature::new(&[M]), |_, a| {
        Ok(Value::list(a.map(0)?.to_vec().into_iter().map(|(_, v)| v).collect()))
    });
    funcs.register("pick", Signature::variadic(&[M], Str), |_, a| {
        let (src, out) = (a.map(0)?, Map::new());
        for k in a.rest(1).iter().filter_map(Value::as_str) {
            if let Some(v) = src.get(k) {
                out.insert(k, v);
            }
        }
        Ok(Value::Map(out))
    });
    funcs.register("omit", Signature::variadic(&[M], Str), |_, a| {
        let omit: Vec<&str> = a.rest(1).iter().filter_map(Value::as_str).collect();
        let out = Map::new();
        for (k, v) in a.map(0)?.to_vec() {
            if !omit.contains(&k.as_ref()) {
                out.insert(k, v);
            }
        }
        Ok(Value::Map(out))
    });
    funcs.register("dig", Signature::variadic(&[], Any), |_, a| dig(a.as_slice()));
    for (name, overwrite) in
        [("merge", false), ("mustMerge", false), ("mergeOverwrite", true), ("mustMergeOverwrite", true)]
    {
        funcs.register(name, Signature::variadic(&[M], M), move |_, a| {
            let dst = match a.value(0)? {
                Value::Map(m) => m.clone(),
                _ => Map::new(),
            };
            let guard = DepthGuard::new();
            for src in a.rest(1).iter().filter_map(Value::as_map) {
                merge_into(&dst, src, overwrite, &guard)?;
            }
            Ok(Value::Map(dst))
        });
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| match a.value(0)? {
            // copystructure panics inside reflect on a nil interface.
            Value::Nil => Err(FuncError::new("reflect: call of reflect.Value.Type on zero Value")),
            v => deep_copy(v, &DepthGuard::new()),
        });
    }
}

/// The text of Go's failed type assertion `v.(T)` on an `interface{}`.
fn assertion_error(v: &Value, want: &str) -> FuncError {
    let got = if v.is_nil() { "nil".into() } else { v.type_name() };
    FuncError::new(format!("interface conversion: interface {{}} is {got}, not {want}"))
}

/// Sprig's `dig KEY... DEFAULT DICT`.
fn dig(ps: &[Value]) -> Result<Value, FuncError> {
    let [keys @ .., default, dict] = ps else {
        return Err(FuncError::new("dig needs at least three arguments"));
    };
    if keys.is_empty() {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let as_dict = |v: &Value| match v {
        Value::Map(m) if m.elem_type() == ElemType::Any => Ok(m.clone()),
        other => Err(assertion_error(other, "map[string]interface {}")),
    };
    let mut current = as_dict(dict)?;
    let keys: Vec<&str> =
        keys.iter().map(|k| k.as_str().ok_or_else(|| assertion_error(k, "string"))).collect::<Result<_, _>>()?;
    for (i, key) in keys.iter().enumerate() {
        let Some(step) = current.get(key) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = as_dict(&step)?;
    }
    Ok(default.clone())
}

/// mergo's `deepMerge` of two `map[string]interface{}` values, mutating `dst`.
pub(crate) fn merge_into(dst: &Map, src: &Map, overwrite: bool, guard: &DepthGuard) -> Result<(), FuncError> {
    guard.check("merge")?;
    for (key, sv) in src.to_vec() {
        let dv = dst.get(&key);
        if sv.is_nil() {
            if overwrite {
                dst.insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&sv, &dv)
            && !sm.ptr_eq(dm)
        {
            if dm.elem_type() != sm.elem_type() && !sm.is_empty() {
                return Err(FuncError::new(format!(
                    "reflect.Value.SetMapIndex: value of type {} is not assignable to type {}",
                    sm.elem_type().go_name(),
                    dm.elem_type().go_name()
                )));
            }
            merge_into(dm, sm, overwrite, guard)?;
        }
        if let Some(d) = &dv
            && !is_empty(d)
        {
            if matches!(sv, Value::List(_) | Value::Bytes(_)) {
                if overwrite {
                    dst.insert(key, sv);
                }
                continue;
            }
            if matches!((&sv, d), (Value::Map(_), Value::Map(_))) {
                continue;
            }
        }
        if overwrite || dv.as_ref().is_none_or(is_empty) {
            dst.insert(key, sv);
        }
    }
    Ok(())
}

/// `copystructure.Copy`: new maps and lists all the way down; scalars and host objects are shared.
pub(crate) fn deep_copy(v: &Value, guard: &DepthGuard) -> Result<Value, FuncError> {
    guard.check("deepCopy error")?;
    Ok(match v {
        Value::Map(m) => {
            let out = Map::typed(m.elem_type());
            for (k, v) in m.to_vec() {
                out.insert(k, deep_copy(&v, guard)?);
            }
            Value::Map(out)
        }
        Value::List(l) => Value::List(List::typed(
            l.elem_type(),
            l.items().iter().map(|x| deep_copy(x, guard)).collect::<Result<_, _>>()?,
        )),
        other => other.clone(),
    })
}
