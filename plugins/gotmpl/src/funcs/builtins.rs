//! Go's builtin template functions (`text/template/funcs.go`): `and call html index slice js len not or print
//! printf println urlquery eq ge gt le lt ne`, with Go's results and error texts.

use std::rc::Rc;

use super::{Args, FuncError, Funcs, Imp, Param, Signature};
use crate::gofmt;
use crate::strconv;
use crate::value::{List, Value};

const ANY: &[Param] = &[Param::Any];
const ANY2: &[Param] = &[Param::Any, Param::Any];

/// Add Go's builtins to `funcs`.
pub fn register(funcs: &mut Funcs) {
    funcs.register_special("and", Signature::variadic(ANY, Param::Any), Imp::And);
    funcs.register_special("or", Signature::variadic(ANY, Param::Any), Imp::Or);
    funcs.register_special("call", Signature::variadic(ANY, Param::Any), Imp::Call);
    funcs.register("html", Signature::variadic(&[], Param::Any), |_, a| Ok(Value::from(html_escape(&eval_args(a)))));
    funcs.register("js", Signature::variadic(&[], Param::Any), |_, a| Ok(Value::from(js_escape(&eval_args(a)))));
    funcs.register("urlquery", Signature::variadic(&[], Param::Any), |_, a| {
        Ok(Value::from(query_escape(&eval_args(a))))
    });
    funcs.register("index", Signature::variadic(ANY, Param::Any), |_, a| index(a.value(0)?, a.rest(1)));
    funcs.register("slice", Signature::variadic(ANY, Param::Any), |_, a| slice(a.value(0)?, a.rest(1)));
    funcs.register_special("len", Signature::new(ANY), Imp::Len);
    funcs.register("not", Signature::new(ANY), |_, a| Ok(Value::Bool(!a.value(0)?.truthy())));
    funcs.register("print", Signature::variadic(&[], Param::Any), |_, a| Ok(Value::from(gofmt::sprint(a.as_slice()))));
    funcs.register("printf", Signature::variadic(&[Param::String], Param::Any), |_, a| {
        Ok(Value::from(gofmt::sprintf(a.str(0)?, a.rest(1))))
    });
    funcs.register("println", Signature::variadic(&[], Param::Any), |_, a| {
        Ok(Value::from(gofmt::sprintln(a.as_slice())))
    });
    funcs.register("eq", Signature::variadic(ANY, Param::Any), |_, a| eq(a.value(0)?, a.rest(1)).map(Value::Bool));
    funcs.register("ne", Signature::new(ANY2), |_, a| eq(a.value(0)?, a.rest(1)).map(|b| Value::Bool(!b)));
    funcs.register("lt", Signature::new(ANY2), |_, a| lt(a.value(0)?, a.value(1)?).map(Value::Bool));
    funcs.register("le", Signature::new(ANY2), |_, a| le(a.value(0)?, a.value(1)?).map(Value::Bool));
    funcs.register("gt", Signature::new(ANY2), |_, a| le(a.value(0)?, a.value(1)?).map(|b| Value::Bool(!b)));
    funcs.register("ge", Signature::new(ANY2), |_, a| lt(a.value(0)?, a.value(1)?).map(|b| Value::Bool(!b)));
}

/// Go's `evalArgs`: a lone string is used as is; anything else is `fmt.Sprint`ed, with nil arguments printed as
/// `<no value>` (as the template's own printing does).
fn eval_args(args: &Args<'_>) -> String {
    match args.as_slice() {
        [Value::String(s)] => s.to_string(),
        all => {
            let printable: Vec<Value> =
                all.iter().map(|v| if v.is_nil() { Value::from("<no value>") } else { v.clone() }).collect();
            gofmt::sprint(&printable)
        }
    }
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => out.push_str(&format!("\\u00{:02X}", u32::from(c))),
            c if c.is_ascii() => out.push(c),
            c if strconv::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `indexArg`: an integer index within `0..=cap`.
fn index_arg(index: &Value, cap: usize) -> Result<usize, FuncError> {
    let x: i128 = match index {
        Value::Int(i) | Value::Int64(i) => i128::from(*i),
        Value::Uint64(u) => i128::from(*u),
        Value::Uint8(u) => i128::from(*u),
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => {
            return Err(FuncError::new(format!("cannot index slice/array with type {}", other.type_name())));
        }
    };
    match usize::try_from(x) {
        Ok(u) if u <= cap => Ok(u),
        _ => Err(FuncError::new(format!("index out of range: {}", x as i64))),
    }
}

/// The Go data behind a host object of slice or map kind.
fn underlying(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.underlying().unwrap_or_else(|| v.clone()),
        _ => v.clone(),
    }
}

/// Go's builtin `index`.
pub fn index(item: &Value, indexes: &[Value]) -> Result<Value, FuncError> {
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    let mut item = item.clone();
    for ix in indexes {
        item = underlying(&item);
        item = match &item {
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            Value::List(l) => {
                let x = index_arg(ix, l.len())?;
                l.get(x).cloned().ok_or_else(|| FuncError::new("reflect: slice index out of range"))?
            }
            Value::Bytes(b) => {
                let x = index_arg(ix, b.len())?;
                Value::Uint8(*b.get(x).ok_or_else(|| FuncError::new("reflect: slice index out of range"))?)
            }
            Value::String(s) => {
                let x = index_arg(ix, s.len())?;
                Value::Uint8(*s.as_bytes().get(x).ok_or_else(|| FuncError::new("reflect: string index out of range"))?)
            }
            Value::Map(m) => {
                let key = match ix {
                    Value::String(k) => k,
                    Value::Nil => {
                        return Err(FuncError::new("value is nil; should be of type string"));
                    }
                    other => {
                        return Err(FuncError::new(format!("value has type {}; should be string", other.type_name())));
                    }
                };
                m.get(key).unwrap_or_else(|| m.elem_type().zero())
            }
            other => {
                return Err(FuncError::new(format!("can't index item of type {}", other.type_name())));
            }
        };
    }
    Ok(item)
}

/// Go's builtin `slice`.
pub fn slice(item: &Value, indexes: &[Value]) -> Result<Value, FuncError> {
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    let item = underlying(item);
    if indexes.len() > 3 {
        return Err(FuncError::new(format!("too many slice indexes: {}", indexes.len())));
    }
    let len = match &item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::new(format!("can't slice item of type {}", other.type_name())));
        }
    };
    let mut idx = [0usize, len, 0];
    for (i, ix) in indexes.iter().enumerate() {
        idx[i] = index_arg(ix, len)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::new(format!("invalid slice index: {} > {}", idx[0], idx[1])));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::new(format!("invalid slice index: {} > {}", idx[1], idx[2])));
    }
    let (lo, hi) = (idx[0], idx[1]);
    Ok(match &item {
        Value::String(s) => {
            let bytes = s.as_bytes().get(lo..hi).unwrap_or(&[]);
            Value::from(String::from_utf8_lossy(bytes).into_owned())
        }
        Value::List(l) => Value::List(List::typed(l.elem_type(), l.items().get(lo..hi).unwrap_or(&[]).to_vec())),
        Value::Bytes(b) => Value::Bytes(Rc::from(b.get(lo..hi).unwrap_or(&[]))),
        _ => Value::Nil,
    })
}

/// Go's builtin `len`.
pub fn length(item: &Value) -> Result<Value, FuncError> {
    match item {
        Value::Nil => Err(FuncError::new("len of nil pointer")),
        other => match other.len() {
            Some(n) => Ok(Value::from(n)),
            None => Err(FuncError::new(format!("len of type {}", other.type_name()))),
        },
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint64(_) | Value::Uint8(_) => Kind::Uint,
        Value::Float64(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn as_int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn as_uint(v: &Value) -> u64 {
    match *v {
        Value::Uint64(u) => u,
        Value::Uint8(u) => u64::from(u),
        _ => 0,
    }
}

fn as_float(v: &Value) -> f64 {
    match *v {
        Value::Float64(f) => f,
        _ => 0.0,
    }
}

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!("incompatible types for comparison: {} and {}", a.type_name(), b.type_name()))
}

/// Go's reflect `Kind` family for `canCompare`.
fn reflect_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(o) => o.kind_name(),
        other => other.kind_name(),
    }
}

/// Go's `isNil` for comparisons: untyped nil or a nil slice.
fn is_nil(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::List(l) => l.is_nil(),
        _ => false,
    }
}

/// Go's builtin `eq`: `arg1 == arg2 || arg1 == arg3 …`, with Go's typed rules.
pub fn eq(arg1: &Value, rest: &[Value]) -> Result<bool, FuncError> {
    if rest.is_empty() {
        return Err(FuncError::new("missing argument for comparison"));
    }
    let k1 = basic_kind(arg1);
    for arg in rest {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => as_int(arg1) >= 0 && as_int(arg1) as u64 == as_uint(arg),
                (Kind::Uint, Kind::Int) => as_int(arg) >= 0 && as_uint(arg1) == as_int(arg) as u64,
                _ => {
                    if !arg1.is_nil() && !arg.is_nil() {
                        return Err(incompatible(arg1, arg));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => arg1.as_bool() == arg.as_bool(),
                Kind::Float => as_float(arg1) == as_float(arg),
                Kind::Int => as_int(arg1) == as_int(arg),
                Kind::String => arg1.as_str() == arg.as_str(),
                Kind::Uint => as_uint(arg1) == as_uint(arg),
                Kind::Invalid => {
                    let (n1, n2) = (is_nil(arg1), is_nil(arg));
                    if !n1 && !n2 && reflect_kind(arg1) != reflect_kind(arg) {
                        return Err(FuncError::new(format!(
                            "non-comparable types {}: {}, {}: {}",
                            gofmt::sprintf("%s", std::slice::from_ref(arg1)),
                            arg1.type_name(),
                            arg.type_name(),
                            gofmt::format_v(arg)
                        )));
                    }
                    if n1 || n2 {
                        n1 == n2
                    } else {
                        match (arg1, arg) {
                            (Value::Object(a), Value::Object(b)) if a.type_name() == b.type_name() => {
                                match a.equals(b.as_ref()) {
                                    Some(t) => t,
                                    None => {
                                        return Err(FuncError::new(format!(
                                            "non-comparable type {}: {}",
                                            gofmt::sprintf("%s", std::slice::from_ref(arg)),
                                            arg.type_name()
                                        )));
                                    }
                                }
                            }
                            (Value::Object(_), Value::Object(_)) => false,
                            _ => {
                                return Err(FuncError::new(format!(
                                    "non-comparable type {}: {}",
                                    gofmt::sprintf("%s", std::slice::from_ref(arg)),
                                    arg.type_name()
                                )));
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's builtin `lt`.
pub fn lt(arg1: &Value, arg2: &Value) -> Result<bool, FuncError> {
    let k1 = basic_kind(arg1);
    let k2 = basic_kind(arg2);
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err(FuncError::new("invalid type for comparison"));
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(as_int(arg1) < 0 || (as_int(arg1) as u64) < as_uint(arg2)),
            (Kind::Uint, Kind::Int) => Ok(as_int(arg2) >= 0 && as_uint(arg1) < as_int(arg2) as u64),
            _ => Err(incompatible(arg1, arg2)),
        };
    }
    match k1 {
        Kind::Bool | Kind::Invalid => Err(FuncError::new("invalid type for comparison")),
        Kind::Float => Ok(as_float(arg1) < as_float(arg2)),
        Kind::Int => Ok(as_int(arg1) < as_int(arg2)),
        Kind::String => Ok(arg1.as_str() < arg2.as_str()),
        Kind::Uint => Ok(as_uint(arg1) < as_uint(arg2)),
    }
}

/// Go's builtin `le`.
pub fn le(arg1: &Value, arg2: &Value) -> Result<bool, FuncError> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers() {
        assert_eq!(html_escape("<a href='x'>&\"\0"), "&lt;a href=&#39;x&#39;&gt;&amp;&#34;\u{FFFD}");
        assert_eq!(js_escape("<a='b'>\n\u{2028}é"), "\\u003Ca\\u003D\\'b\\'\\u003E\\u000A\\u2028é");
        assert_eq!(query_escape("a b&c/d~"), "a+b%26c%2Fd~");
    }

    #[test]
    fn comparisons() {
        assert_eq!(eq(&Value::Int(1), &[Value::Int64(1)]).ok(), Some(true));
        assert_eq!(eq(&Value::Int(1), &[Value::Uint8(1)]).ok(), Some(true));
        assert!(eq(&Value::Float64(1.0), &[Value::Int(1)]).is_err());
        assert_eq!(eq(&Value::Nil, &[Value::Int(1)]).ok(), Some(false));
        assert_eq!(eq(&Value::Nil, &[Value::Nil]).ok(), Some(true));
        assert!(eq(&Value::list(vec![]), &[Value::list(vec![])]).is_err());
        assert_eq!(lt(&Value::from("a"), &Value::from("b")).ok(), Some(true));
        assert!(lt(&Value::Int(1), &Value::Float64(2.5)).is_err());
        assert_eq!(le(&Value::Int(2), &Value::Int(2)).ok(), Some(true));
    }
}
