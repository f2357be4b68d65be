//! Sprig's defaults, flow control and JSON functions: `default empty coalesce all any ternary fail fromJson
//! toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson`.
//!
//! Emptiness is Go's zero-ness (`default 5 0` is `5`, `default true false` is `true`); structs are never empty.
//! JSON follows Go's `encoding/json` (see [`super::json`]); the non-`must` encoders print `""` on error except
//! `toRawJson`, which panics in Sprig (so it fails here too).

use super::conv::is_empty;
use super::json;
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::value::Value;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Bool, String as Str};
    funcs.register("default", Signature::variadic(&[Any], Any), |_, a| {
        Ok(match a.get(1) {
            Some(given) if !is_empty(given) => given.clone(),
            _ => a.value(0)?.clone(),
        })
    });
    funcs.register("empty", Signature::new(&[Any]), |_, a| Ok(Value::Bool(is_empty(a.value(0)?))));
    funcs.register("coalesce", Signature::variadic(&[], Any), |_, a| {
        Ok(a.as_slice().iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
    });
    funcs.register("all", Signature::variadic(&[], Any), |_, a| {
        Ok(Value::Bool(a.as_slice().iter().all(|v| !is_empty(v))))
    });
    funcs.register("any", Signature::variadic(&[], Any), |_, a| {
        Ok(Value::Bool(a.as_slice().iter().any(|v| !is_empty(v))))
    });
    funcs.register("ternary", Signature::new(&[Any, Any, Bool]), |_, a| {
        Ok(if a.bool(2)? { a.value(0)?.clone() } else { a.value(1)?.clone() })
    });
    funcs.register("fail", Signature::new(&[Str]), |_, a| Err(FuncError::new(a.str(0)?)));
    funcs.register("fromJson", Signature::new(&[Str]), |_, a| Ok(json::decode(a.str(0)?).value));
    funcs.register("mustFromJson", Signature::new(&[Str]), |_, a| {
        let d = json::decode(a.str(0)?);
        match d.error {
            Some(e) => Err(FuncError::new(e.message())),
            None => Ok(d.value),
        }
    });
    for (name, html, pretty, must) in [
        ("toJson", true, false, false),
        ("toPrettyJson", true, true, false),
        ("mustToJson", true, false, true),
        ("mustToPrettyJson", true, true, true),
        ("toRawJson", false, false, true),
        ("mustToRawJson", false, false, true),
    ] {
        funcs.register(name, Signature::new(&[Any]), move |_, a| match json::encode(a.value(0)?, html, pretty) {
            Ok(s) => Ok(Value::from(s)),
            Err(_) if !must => Ok(Value::from("")),
            Err(e) => Err(FuncError::new(e.message())),
        });
    }
}
