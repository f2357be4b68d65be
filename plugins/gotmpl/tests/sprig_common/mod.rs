//! Shared harness for the Sprig tests: render a template the way Helm renders a chart's `NOTES.txt` (template
//! name `probe/templates/NOTES.txt`, `missingkey=zero`, `<no value>` removed from the output) with Go's builtins
//! plus the Sprig functions.

#![allow(dead_code)]

use gotmpl::{Funcs, MissingKey, Options, TemplateSet, Value};
use serde_json::Value as Json;

/// The template name Helm gives a chart's notes (the reference fixtures were rendered as `NOTES.txt`).
pub const NOTES: &str = "probe/templates/NOTES.txt";

/// JSON data as Helm sees values files: numbers are `float64`, objects `map[string]interface{}`.
pub fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Float64(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        Json::Object(o) => Value::map(o.iter().map(|(k, v)| (k.as_str(), json_to_value(v)))),
    }
}

/// The function table Helm builds before its own additions: Go's builtins and Sprig.
pub fn funcs() -> Funcs {
    let mut funcs = Funcs::builtins();
    gotmpl::sprig::register(&mut funcs);
    funcs
}

/// What rendering a template gave.
pub enum Rendered {
    /// The output, with `<no value>` removed as Helm removes it.
    Output(String),
    /// A parse error (for example an undefined function).
    ParseError(String),
    /// An execution error, as Go's `err.Error()` prints it.
    ExecError(String),
}

/// Parse and execute `text` as Helm's notes template with `data` as dot.
pub fn render(text: &str, data: &Value) -> Rendered {
    let mut set = TemplateSet::new("gotpl", funcs())
        .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
    if let Err(e) = set.parse(NOTES, text) {
        return Rendered::ParseError(e.to_string());
    }
    match set.execute(NOTES, data) {
        Ok(out) => Rendered::Output(out.replace("<no value>", "")),
        Err(e) => Rendered::ExecError(e.to_string()),
    }
}

/// Whether the corpus must be present (in CI it must).
pub fn require_corpus() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}
