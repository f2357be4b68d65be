//! Sprig's list functions: `tuple list append push prepend first rest last initial reverse uniq without has slice
//! concat chunk compact sortAlpha` and their `must*` forms.
//!
//! Like Sprig these accept any slice (`[]interface{}`, `[]string`, `[]int`, `[]byte`…) through reflection and
//! return `[]interface{}` (except `slice`, which keeps the slice type, and `sortAlpha`, which returns `[]string`).
//! Sprig's non-`must` variants panic where the `must` ones return an error; `text/template` turns both into the
//! same call error, so both forms share one implementation here. Calling them on nil fails the way Go does
//! (`reflect.TypeOf(nil).Kind()` dereferences a nil pointer).

use super::conv::{as_list, is_empty, kind_of, nil_deref, slice_items, strslice, strval, to_int64};
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::value::{ElemType, List, Value};

/// The elements of `v`, or Sprig's `Cannot <what> on type <kind>` error.
fn items_or(v: &Value, what: impl FnOnce(&str) -> String) -> Result<Vec<Value>, FuncError> {
    if v.is_nil() {
        return Err(nil_deref());
    }
    slice_items(v).ok_or_else(|| FuncError::new(what(kind_of(v))))
}

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Int};
    for name in ["list", "tuple"] {
        funcs.register(name, Signature::variadic(&[], Any), |_, a| Ok(Value::list(a.as_slice().to_vec())));
    }
    for name in ["append", "push", "mustAppend", "mustPush"] {
        funcs.register(name, Signature::new(&[Any, Any]), |_, a| {
            let mut items = items_or(a.value(0)?, |k| format!("Cannot push on type {k}"))?;
            items.push(a.value(1)?.clone());
            Ok(Value::list(items))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        funcs.register(name, Signature::new(&[Any, Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot prepend on type {k}"))?;
            let mut out = Vec::with_capacity(items.len() + 1);
            out.push(a.value(1)?.clone());
            out.extend(items);
            Ok(Value::list(out))
        });
    }
    for name in ["first", "mustFirst"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot find first on type {k}"))?;
            Ok(items.into_iter().next().unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot find last on type {k}"))?;
            Ok(items.into_iter().next_back().unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot find rest on type {k}"))?;
            // Sprig returns a nil slice for an empty list (`toJson` prints `null`).
            if items.is_empty() {
                return Ok(Value::List(List::nil(ElemType::Any)));
            }
            Ok(Value::list(items.into_iter().skip(1).collect()))
        });
    }
    for name in ["initial", "mustInitial"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let mut items = items_or(a.value(0)?, |k| format!("Cannot find initial on type {k}"))?;
            if items.is_empty() {
                return Ok(Value::List(List::nil(ElemType::Any)));
            }
            items.pop();
            Ok(Value::list(items))
        });
    }
    for name in ["reverse", "mustReverse"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let mut items = items_or(a.value(0)?, |k| format!("Cannot find reverse on type {k}"))?;
            items.reverse();
            Ok(Value::list(items))
        });
    }
    for name in ["compact", "mustCompact"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot compact on type {k}"))?;
            Ok(Value::list(items.into_iter().filter(|v| !is_empty(v)).collect()))
        });
    }
    for name in ["uniq", "mustUniq"] {
        funcs.register(name, Signature::new(&[Any]), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot find uniq on type {k}"))?;
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                if !out.iter().any(|o| item.deep_equal(o)) {
                    out.push(item);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        funcs.register(name, Signature::variadic(&[Any], Any), |_, a| {
            let items = items_or(a.value(0)?, |k| format!("Cannot find without on type {k}"))?;
            let omit = a.rest(1);
            Ok(Value::list(items.into_iter().filter(|i| !omit.iter().any(|o| i.deep_equal(o))).collect()))
        });
    }
    for name in ["has", "mustHas"] {
        funcs.register(name, Signature::new(&[Any, Any]), |_, a| {
            let (needle, haystack) = (a.value(0)?, a.value(1)?);
            if haystack.is_nil() {
                return Ok(Value::Bool(false));
            }
            let items = items_or(haystack, |k| format!("Cannot find has on type {k}"))?;
            Ok(Value::Bool(items.iter().any(|i| needle.deep_equal(i))))
        });
    }
    for name in ["slice", "mustSlice"] {
        funcs.register(name, Signature::variadic(&[Any], Any), |_, a| slice(a.value(0)?, a.rest(1)));
    }
    funcs.register("concat", Signature::variadic(&[], Any), |_, a| {
        let mut out = Vec::new();
        for l in a.as_slice() {
            out.extend(items_or(l, |k| format!("Cannot concat type {k} as list"))?);
        }
        // Nothing appended leaves Sprig's result a nil slice.
        if out.is_empty() {
            return Ok(Value::List(List::nil(ElemType::Any)));
        }
        Ok(Value::list(out))
    });
    for name in ["chunk", "mustChunk"] {
        funcs.register(name, Signature::new(&[Int, Any]), |_, a| {
            let items = items_or(a.value(1)?, |k| format!("Cannot chunk type {k}"))?;
            chunk(a.int(0)?, &items)
        });
    }
    funcs.register("sortAlpha", Signature::new(&[Any]), |_, a| {
        let v = a.value(0)?;
        let mut strings = if slice_items(v).is_some() { strslice(v) } else { vec![strval(v).into()] };
        strings.sort();
        Ok(Value::List(List::strings(strings)))
    });
}

/// Sprig's `slice`: `list[start:end]` with indexes converted by `cast.ToInt`, keeping the slice's type; an empty
/// slice gives nil.
fn slice(list: &Value, indices: &[Value]) -> Result<Value, FuncError> {
    if list.is_nil() {
        return Err(nil_deref());
    }
    let (items, typed) = match as_list(list) {
        Some(l) => (l.items().to_vec(), Some(l)),
        None => match slice_items(list) {
            Some(items) => (items, None),
            None => {
                return Err(FuncError::new(format!("list should be type of slice or array but {}", kind_of(list))));
            }
        },
    };
    let len = items.len() as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = indices.first().map(to_int64).unwrap_or(0);
    let end = if indices.len() < 2 { len } else { indices.get(1).map(to_int64).unwrap_or(len) };
    if start < 0 || end < start || end > len {
        return Err(FuncError::new("reflect.Value.Slice: slice index out of bounds"));
    }
    let part = items.get(start as usize..end as usize).unwrap_or_default().to_vec();
    Ok(match (typed, list) {
        (Some(l), _) => Value::List(List::typed(l.elem_type(), part)),
        (None, Value::Bytes(_)) => Value::from(part.iter().map(|v| v.as_i64().unwrap_or(0) as u8).collect::<Vec<u8>>()),
        (None, _) => Value::list(part),
    })
}

/// Sprig's `chunk`, including the float arithmetic it sizes chunks with (so non-positive sizes fail as Go's
/// `makeslice` does).
fn chunk(size: i64, items: &[Value]) -> Result<Value, FuncError> {
    let makeslice = || FuncError::new("runtime error: makeslice: len out of range");
    let l = items.len() as f64;
    let count = super::conv::f64_to_i64(((l - 1.0) / size as f64).floor()).wrapping_add(1);
    let count = usize::try_from(count).map_err(|_| makeslice())?;
    if count > items.len().max(1) {
        return Err(makeslice());
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut clen = size;
        if i + 1 == count {
            clen = super::conv::f64_to_i64((l % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        let clen = usize::try_from(clen).map_err(|_| makeslice())?;
        let mut part = Vec::with_capacity(clen.min(items.len()));
        for j in 0..clen {
            let ix = (i as i64).wrapping_mul(size).wrapping_add(j as i64);
            let item = usize::try_from(ix)
                .ok()
                .and_then(|ix| items.get(ix))
                .ok_or_else(|| FuncError::new("reflect: slice index out of range"))?;
            part.push(item.clone());
        }
        out.push(Value::list(part));
    }
    Ok(Value::list(out))
}
