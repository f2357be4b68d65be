//! Helm's own template functions (`pkg/engine/funcs.go` and the closures of `engine.go`), registered on top of
//! Go's builtins and Sprig: `include`, `tpl`, `required`, `fail`, `toYaml`, `mustToYaml`, `toYamlPretty`,
//! `fromYaml`, `fromYamlArray`, `toJson`, `mustToJson`, `fromJson`, `fromJsonArray`, `toToml`, `fromToml`,
//! `lookup` (always an empty map: `helm template` has no cluster) and `getHostByName` (always `""`: DNS is off).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gotmpl::{FuncError, Funcs, List, Map, NumberMode, Param, Signature, Value};

/// How deeply one template may `include` itself (Helm's `recursionMaxNums`).
pub const RECURSION_MAX: usize = 1000;

/// Helm's markers around `required`/`fail` messages, so they can be found in the error chain.
pub const WARN_START: &str = "HELM_ERR_START";
/// See [`WARN_START`].
pub const WARN_END: &str = "HELM_ERR_END";

fn warn_wrap(s: &str) -> String {
    format!("{WARN_START}{s}{WARN_END}")
}

/// `json.Marshal` of a template value.
pub fn to_json(v: &Value) -> Result<String, String> {
    gotmpl::sprig::json::encode(v, true, false).map_err(|e| e.message().to_owned())
}

/// `toYAML`: `sigs.k8s.io/yaml.Marshal` without the final newline; `Err` when marshalling fails.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let data = v.to_yaml().map_err(|e| e.to_string())?;
    let out = kiln_yaml::try_to_helm_yaml(&data).map_err(|e| e.to_string())?;
    Ok(out.strip_suffix('\n').map(str::to_owned).unwrap_or(out))
}

fn json_kind(v: &kiln_yaml::Value) -> &'static str {
    use kiln_yaml::Value as Y;
    match v {
        Y::Null => "null",
        Y::Bool(_) => "bool",
        Y::Int(_) | Y::Uint(_) | Y::Float(_) => "number",
        Y::String(_) => "string",
        Y::Seq(_) => "array",
        Y::Map(_) => "object",
    }
}

/// `yaml.Unmarshal` (sigs.k8s.io) of `s` into a value of Go type `target`: map or slice.
fn from_yaml_as(s: &str, want_map: bool) -> Result<kiln_yaml::Value, String> {
    let v = kiln_yaml::from_str(s).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let target = if want_map { "map[string]interface {}" } else { "[]interface {}" };
    match (&v, want_map) {
        (kiln_yaml::Value::Null, true) => Ok(kiln_yaml::Value::Map(kiln_yaml::Map::new())),
        (kiln_yaml::Value::Null, false) => Ok(kiln_yaml::Value::Seq(Vec::new())),
        (kiln_yaml::Value::Map(_), true) | (kiln_yaml::Value::Seq(_), false) => Ok(v),
        (other, _) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {target}",
            json_kind(other)
        )),
    }
}

/// Go's `encoding/json` error text for invalid input, approximated from the parser's error.
/// The error `json.Unmarshal` into `target` gives for text `serde_json` refused: Go's scanner's own message
/// (`invalid character '1' after object key`, the offending byte quoted as Go quotes it), from the engine's
/// Go-faithful decoder. Text that is valid JSON but holds a number beyond float64 fails on the top-level kind first
/// when that is not the target's (`cannot unmarshal number into Go value of type map[string]interface {}`).
fn go_json_error(src: &str, e: &serde_json::Error, want_map: bool, target: &str) -> String {
    let Some(go) = gotmpl::sprig::json::decode(src).error else {
        return if e.classify() == serde_json::error::Category::Eof {
            "unexpected end of JSON input".into()
        } else {
            e.to_string()
        };
    };
    if go.message().starts_with("json: cannot unmarshal") {
        let top = match src.trim_start_matches([' ', '\t', '\n', '\r']).bytes().next() {
            Some(b'{') => "object",
            Some(b'[') => "array",
            _ => "number",
        };
        let wanted = if want_map { "object" } else { "array" };
        if top != wanted {
            return format!("json: cannot unmarshal {top} into Go value of type {target}");
        }
    }
    go.message().to_owned()
}

fn from_json_as(s: &str, want_map: bool) -> Result<kiln_yaml::Value, String> {
    let target = if want_map { "map[string]interface {}" } else { "[]interface {}" };
    let parsed: serde_json::Value = serde_json::from_str(s).map_err(|e| go_json_error(s, &e, want_map, target))?;
    let v = kiln_helm_values::from_json_value(parsed);
    match (&v, want_map) {
        (kiln_yaml::Value::Null, true) => Ok(kiln_yaml::Value::Map(kiln_yaml::Map::new())),
        (kiln_yaml::Value::Null, false) => Ok(kiln_yaml::Value::Seq(Vec::new())),
        (kiln_yaml::Value::Map(_), true) | (kiln_yaml::Value::Seq(_), false) => Ok(v),
        (other, _) => Err(format!("json: cannot unmarshal {} into Go value of type {target}", json_kind(other))),
    }
}

fn error_map(message: String) -> Value {
    Value::map([("Error", Value::from(message))])
}

fn data_value(v: &kiln_yaml::Value) -> Value {
    Value::from_yaml(v, NumberMode::Float64)
}

/// Register Helm's functions. `include` and `tpl` share one recursion counter per render.
pub fn register(funcs: &mut Funcs) {
    funcs.remove("env");
    funcs.remove("expandenv");

    funcs.register("toYaml", Signature::new(&[Param::Any]), |_cx, args| {
        Ok(Value::from(to_yaml(args.value(0)?).unwrap_or_default()))
    });
    funcs.register("mustToYaml", Signature::new(&[Param::Any]), |_cx, args| {
        to_yaml(args.value(0)?).map(Value::from).map_err(FuncError::new)
    });
    funcs.register("toYamlPretty", Signature::new(&[Param::Any]), |_cx, args| {
        let Ok(data) = args.value(0)?.to_yaml() else {
            return Ok(Value::from(""));
        };
        let out = kiln_yaml::to_helm_yaml_pretty(&data);
        Ok(Value::from(out.strip_suffix('\n').unwrap_or(&out)))
    });
    funcs.register("fromYaml", Signature::new(&[Param::String]), |_cx, args| {
        Ok(match from_yaml_as(args.str(0)?, true) {
            Ok(v) => data_value(&v),
            Err(e) => error_map(e),
        })
    });
    funcs.register("fromYamlArray", Signature::new(&[Param::String]), |_cx, args| {
        Ok(match from_yaml_as(args.str(0)?, false) {
            Ok(v) => data_value(&v),
            Err(e) => Value::List(List::new(vec![Value::from(e)])),
        })
    });
    funcs.register("toJson", Signature::new(&[Param::Any]), |_cx, args| {
        Ok(Value::from(to_json(args.value(0)?).unwrap_or_default()))
    });
    funcs.register("mustToJson", Signature::new(&[Param::Any]), |_cx, args| {
        to_json(args.value(0)?).map(Value::from).map_err(FuncError::new)
    });
    funcs.register("fromJson", Signature::new(&[Param::String]), |_cx, args| {
        Ok(match from_json_as(args.str(0)?, true) {
            Ok(v) => data_value(&v),
            Err(e) => error_map(e),
        })
    });
    funcs.register("fromJsonArray", Signature::new(&[Param::String]), |_cx, args| {
        Ok(match from_json_as(args.str(0)?, false) {
            Ok(v) => data_value(&v),
            Err(e) => Value::List(List::new(vec![Value::from(e)])),
        })
    });
    funcs.register("toToml", Signature::new(&[Param::Any]), |_cx, args| {
        let v = args.value(0)?;
        if v.is_nil() {
            // The encoder reflects on the value's type before anything else, and `nil` has none: Go panics, and
            // the template reports the panic.
            return Err(FuncError::new("reflect: call of reflect.Value.Type on zero Value"));
        }
        Ok(Value::from(crate::toml::encode(v).unwrap_or_else(|e| e)))
    });
    funcs.register("fromToml", Signature::new(&[Param::String]), |_cx, args| {
        Ok(match crate::toml::decode(args.str(0)?) {
            Ok(v) => v,
            Err(e) => error_map(e),
        })
    });
    funcs.register("required", Signature::new(&[Param::String, Param::Any]), |_cx, args| {
        let warn = args.str(0)?;
        match args.value(1)? {
            Value::Nil => Err(FuncError::new(warn_wrap(warn))),
            Value::String(s) if s.is_empty() => Err(FuncError::new(warn_wrap(warn))),
            v => Ok(v.clone()),
        }
    });
    funcs.register("fail", Signature::new(&[Param::String]), |_cx, args| Err(FuncError::new(warn_wrap(args.str(0)?))));
    funcs.register(
        "lookup",
        Signature::new(&[Param::String, Param::String, Param::String, Param::String]),
        |_cx, _args| Ok(Value::Map(Map::new())),
    );
    funcs.register("getHostByName", Signature::new(&[Param::String]), |_cx, _args| Ok(Value::from("")));

    let included: Rc<RefCell<HashMap<String, usize>>> = Rc::new(RefCell::new(HashMap::new()));
    let counter = included.clone();
    funcs.register("include", Signature::new(&[Param::String, Param::Any]), move |cx, args| {
        let name = args.str(0)?;
        let data = args.value(1)?;
        {
            let mut c = counter.borrow_mut();
            let n = c.entry(name.to_owned()).or_insert(0);
            if *n > RECURSION_MAX {
                return Err(FuncError::new(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            *n += 1;
        }
        let res = cx.execute_template(name, data);
        if let Some(n) = counter.borrow_mut().get_mut(name) {
            *n = n.saturating_sub(1);
        }
        res.map(Value::from).map_err(FuncError::from)
    });
    funcs.register("tpl", Signature::new(&[Param::String, Param::Any]), move |cx, args| {
        let text = args.str(0)?;
        let data = args.value(1)?;
        let set = cx.set_name().to_owned();
        match cx.execute_text(&set, text, data) {
            Ok(out) => Ok(Value::from(out.replace("<no value>", ""))),
            Err(e @ gotmpl::Error::Parse(_)) => {
                Err(FuncError::with_source(format!("cannot parse template {}: {e}", gotmpl::strconv::quote(text)), e))
            }
            Err(e) => Err(FuncError::with_source(
                format!("error during tpl function execution for {}: {e}", gotmpl::strconv::quote(text)),
                e,
            )),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_like_go() {
        let v = Value::map([("b", Value::from("<a&b>")), ("a", Value::Float64(1e21)), ("c", Value::Float64(1e6))]);
        assert_eq!(to_json(&v).unwrap(), r#"{"a":1e+21,"b":"\u003ca\u0026b\u003e","c":1000000}"#);
        assert!(to_json(&Value::Float64(f64::NAN)).is_err());
    }

    #[test]
    fn from_json_errors() {
        assert_eq!(
            from_json_as("[1,2]", true).unwrap_err(),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(from_json_as("{", true).unwrap_err(), "unexpected end of JSON input");
    }

    /// `fromJson`/`fromJsonArray` errors as helm v4.1.4 returned them (Go's scanner's messages).
    #[test]
    fn from_json_syntax_errors_like_helm() {
        for (text, want_map, want) in [
            ("\u{b6}\u{eb}", true, "invalid character '\u{c2}' looking for beginning of value"),
            ("{\"a\" 1}", true, "invalid character '1' after object key"),
            ("[1,]", true, "invalid character ']' looking for beginning of value"),
            ("tru", true, "invalid character ' ' in literal true (expecting 'e')"),
            ("{\"a\":1} x", true, "invalid character 'x' after top-level value"),
            ("[1 2]", false, "invalid character '2' after array element"),
            ("{\"a\":\"\\x\"}", true, "invalid character 'x' in string escape code"),
            ("1e400", true, "json: cannot unmarshal number into Go value of type map[string]interface {}"),
            ("", true, "unexpected end of JSON input"),
        ] {
            assert_eq!(from_json_as(text, want_map).unwrap_err(), want, "{text:?}");
        }
    }
}
