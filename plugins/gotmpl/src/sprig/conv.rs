//! The Go conversions Sprig's functions are built on: `spf13/cast` (v1.7.0) number casts, Sprig's `strval`
//! and `strslice`, Sprig's reflection-based `empty`, and `reflect`'s view of slices.
//!
//! `cast` never fails from a template's point of view: an unconvertible value becomes `0`. Its rules are kept
//! exactly: `int`-kinded values pass through, floats truncate toward zero (`add 1 2.9` is `3`), strings go through
//! `strconv.ParseInt(s, 0, 0)` after dropping a zero fraction (`"010"` is `8`, `"1.0"` is `1`, `"1.5"` is `0`),
//! booleans are `0`/`1` and nil is `0`.

use std::rc::Rc;

use crate::funcs::FuncError;
use crate::gofmt;
use crate::strconv::{self, NumError};
use crate::value::{List, Value};

/// Go's conversion `int64(f)` of a float64 as amd64 performs it: truncation toward zero, and the "integer
/// indefinite" value `math.MinInt64` for NaN and out-of-range values.
pub(crate) fn f64_to_i64(f: f64) -> i64 {
    // 2^63 is exactly representable; every finite float strictly between -2^63-1 and 2^63 truncates into range.
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast`'s `trimZeroDecimal`: `"12.00"` → `"12"`; anything else (including `"1.50"` and `"0."`) is unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b'.' if found_zero => return &s[..i],
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `cast.ToInt64` (and `cast.ToInt`, identical on 64-bit platforms), errors mapped to `0`.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint64(u) => *u as i64,
        Value::Uint8(u) => i64::from(*u),
        Value::Float64(f) => f64_to_i64(*f),
        Value::String(s) => strconv::parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToFloat64`, errors mapped to `0`.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint64(u) => *u as f64,
        Value::Uint8(u) => f64::from(*u),
        Value::Float64(f) => *f,
        Value::String(s) => strconv::parse_float(s).unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// `strconv.Atoi` with its error ignored, as Sprig's `atoi` does: a syntax error gives `0`, an out-of-range value
/// the clamped extreme (Go returns it alongside the error).
pub(crate) fn atoi(s: &str) -> i64 {
    match strconv::parse_int(s, 10) {
        Ok(i) => i,
        Err(NumError::Range) if s.starts_with('-') => i64::MIN,
        Err(NumError::Range) => i64::MAX,
        Err(NumError::Syntax) => 0,
    }
}

/// Go's `string(b)` for bytes that must become a Rust string: invalid UTF-8 sequences become U+FFFD (the only
/// representable approximation of Go's raw bytes).
pub(crate) fn bytes_to_string(b: &[u8]) -> String {
    kiln_yaml::utf8_lossy(b).into_owned()
}

/// Sprig's `strval`: strings as they are, `[]byte` as text, `error`/`fmt.Stringer` through their method, anything
/// else with `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => bytes_to_string(b),
        Value::Object(o) => o.stringer().unwrap_or_else(|| gofmt::format_v(v)),
        _ => gofmt::format_v(v),
    }
}

/// The elements of a value whose `reflect.Kind` is `Slice` or `Array` (`[]byte` yields `uint8` elements, host
/// objects their underlying slice), or `None` for any other kind.
pub(crate) fn slice_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items().to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|&x| Value::Uint8(x)).collect()),
        Value::Object(o) if o.kind_name() == "slice" => o.underlying().and_then(|u| slice_items(&u)),
        _ => None,
    }
}

/// A value's slice-typed view preserving its element type (for functions returning `l2.Slice(i, j).Interface()`).
pub(crate) fn as_list(v: &Value) -> Option<List> {
    match v {
        Value::List(l) => Some(l.clone()),
        Value::Object(o) if o.kind_name() == "slice" => o.underlying().and_then(|u| as_list(&u)),
        _ => None,
    }
}

/// `reflect.TypeOf(v).Kind().String()` for a non-nil value.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    v.kind_name()
}

/// What Go does when Sprig calls `reflect.TypeOf(v).Kind()` on a nil interface: a nil pointer dereference panic,
/// which `text/template` reports as the function's error.
pub(crate) fn nil_deref() -> FuncError {
    FuncError::new("runtime error: invalid memory address or nil pointer dereference")
}

/// Sprig's `empty`: whether `v` is the zero value of its type (nil, `false`, `0`, `""`, or an empty slice or map).
/// Structs are never empty; pointers only when nil.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint64(u) => *u == 0,
        Value::Uint8(u) => *u == 0,
        Value::Float64(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => match o.kind_name() {
            "map" | "slice" => o.underlying().is_some_and(|u| is_empty(&u)),
            _ => false,
        },
    }
}

/// Sprig's `strslice`: a `[]string` from any slice (nil elements dropped, others through `strval`), an empty
/// slice for nil, or a one-element slice holding `strval(v)`.
pub(crate) fn strslice(v: &Value) -> Vec<Rc<str>> {
    if let Value::List(l) = v
        && l.elem_type() == crate::value::ElemType::String
    {
        return l.items().iter().filter_map(|s| s.as_str().map(Rc::from)).collect();
    }
    match slice_items(v) {
        Some(items) => items.iter().filter(|x| !x.is_nil()).map(|x| Rc::from(strval(x))).collect(),
        None if v.is_nil() => Vec::new(),
        None => vec![Rc::from(strval(v))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_only_zero_fractions() {
        assert_eq!(trim_zero_decimal("12.00"), "12");
        assert_eq!(trim_zero_decimal("1.50"), "1.50");
        assert_eq!(trim_zero_decimal("0."), "0.");
        assert_eq!(trim_zero_decimal("10"), "10");
    }

    #[test]
    fn casts_follow_spf13_cast() {
        assert_eq!(to_int64(&Value::from("010")), 8);
        assert_eq!(to_int64(&Value::from("0x1F")), 31);
        assert_eq!(to_int64(&Value::from("1.0")), 1);
        assert_eq!(to_int64(&Value::from("1.5")), 0);
        assert_eq!(to_int64(&Value::Float64(-2.9)), -2);
        assert_eq!(to_int64(&Value::Float64(f64::NAN)), i64::MIN);
        assert_eq!(to_float64(&Value::from("1e3")), 1000.0);
        assert_eq!(atoi("99999999999999999999"), i64::MAX);
        assert_eq!(atoi("0x10"), 0);
    }
}
