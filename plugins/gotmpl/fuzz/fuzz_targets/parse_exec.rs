//! Parse and execute arbitrary template text: the engine must return `Ok` or `Err`, never panic, hang or
//! overflow the stack.
//!
//! Run with `cargo +nightly fuzz run parse_exec` from `plugins/gotmpl` (seed corpus: `fuzz/corpus/parse_exec`).
#![no_main]

use gotmpl::{FuncError, Funcs, MissingKey, Options, Param, Signature, TemplateSet, Value};
use libfuzzer_sys::fuzz_target;

fn funcs() -> Funcs {
    let mut f = Funcs::builtins();
    f.register("include", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_template(a.str(0)?, a.value(1)?).map(Value::from).map_err(FuncError::from)
    });
    f.register("tpl", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_text("gotpl", a.str(0)?, a.value(1)?).map(Value::from).map_err(FuncError::from)
    });
    f.register("typedInt", Signature::new(&[Param::Int]), |_, a| Ok(Value::Int(a.int(0)?.wrapping_mul(2))));
    f.register("strs", Signature::variadic(&[], Param::String), |_, a| {
        Ok(Value::List(gotmpl::List::strings(a.as_slice().iter().filter_map(Value::as_str))))
    });
    f
}

fn data() -> Value {
    Value::map([
        ("str", Value::from("hello")),
        ("num", Value::Float64(1e6)),
        ("int", Value::Int64(7)),
        ("nil", Value::Nil),
        ("list", Value::list(vec![Value::from("a"), Value::Int(1), Value::Nil, Value::Bool(true)])),
        ("map", Value::map([("a", Value::from("x")), ("b", Value::map([("c", Value::Float64(2.5))]))])),
        ("bytes", Value::from(b"hi".to_vec())),
    ])
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else { return };
    // An optional second template after a NUL byte exercises defines across templates.
    let (main, helper) = text.split_once('\0').unwrap_or((text, ""));
    let missing = match input.first().map(|b| b % 3) {
        Some(0) => MissingKey::Zero,
        Some(1) => MissingKey::Default,
        _ => MissingKey::Error,
    };
    let mut set = TemplateSet::new("gotpl", funcs()).with_options(Options { missing_key: missing, ..Options::default() });
    if set.parse("_helper", helper).is_err() {
        return;
    }
    if set.parse("main", main).is_err() {
        return;
    }
    let _ = set.execute("main", &data());
    let _ = set.execute("main", &Value::Nil);
});
