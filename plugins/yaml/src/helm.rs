//! `sigs.k8s.io/yaml.Marshal`: the bytes of Helm's `toYaml` and of `kubectl kustomize`'s output.
//!
//! Both reference tools print a value by marshalling it to JSON, reading the JSON back with go-yaml v2 and
//! marshalling that with go-yaml v2. The consequences reproduced here:
//!
//! * keys are strings, ordered by go-yaml v2's "natural" order (letters after other characters, digit runs compared
//!   as numbers): `_x`, `"1"`, `"9"`, `"10"`, `B`, `a`, `a-b`, `a2`, `a10`;
//! * numbers take the type their JSON text resolves to: an integral float below 1e21 becomes an integer
//!   (`1e6` → `1000000`, `1.0` → `1`), other floats print with Go's `%g`-style shortest form (`1.2345675e+06`,
//!   `1e+21`, `1e-07`), integers above `u64::MAX` cannot occur;
//! * NaN and infinities make `encoding/json` fail, and so do characters that JSON leaves unescaped but go-yaml's
//!   reader refuses (DEL, C1 controls, U+FFFE, U+FFFF): `toYaml` then yields the empty string;
//! * strings are plain when go-yaml would read them back as the same string, double-quoted when they would
//!   resolve to another type (`"yes"`, `"123"`, `"1e3"`, `"0755"`, `"~"`, `"2024-01-01"`, `"1:20"`), literal
//!   block scalars when they hold a line feed, and the emitter's own analysis turns the rest into single or
//!   double quotes (`'foo: bar'`, `' lead'`, `"a\tb"`).
use crate::emit_v2::{self, Config, Dialect, Policy, Style};
use crate::error::{Error, ErrorKind};
use crate::gofmt;
use crate::keyorder::{sort_natural, sort_natural_v3};
use crate::resolve::{self, Resolved};
use crate::value::Value;
use std::borrow::Cow;

/// `sigs.k8s.io/yaml.Marshal(v)`, including its trailing line break.
pub(crate) fn marshal(v: &Value) -> Result<String, Error> {
    emit_v2::emit_document(v, Config::default(), &JsonV2)
}

/// Helm's `toYamlPretty`: the go-yaml v3 encoder with indent 2 on the value as it is (no JSON round trip).
pub(crate) fn marshal_pretty(v: &Value) -> String {
    let config = Config { dialect: Dialect::V3, best_indent: 2, best_width: usize::MAX };
    emit_v2::emit_document(v, config, &DirectV3).unwrap_or_default()
}

/// The value as `json.Marshal` then go-yaml v2's `Unmarshal` and `Marshal` see it.
struct JsonV2;

impl Policy for JsonV2 {
    fn scalar<'v>(&self, v: &'v Value) -> Result<(Cow<'v, str>, Style), Error> {
        Ok(match v {
            Value::String(s) => return string_node(s),
            Value::Float(f) => (Cow::Owned(float_through_json(*f)?), Style::Plain),
            other => (plain_scalar(other), Style::Plain),
        })
    }
    fn key<'v>(&self, k: &'v str) -> Result<(Cow<'v, str>, Style), Error> {
        string_node(k)
    }
    fn sort_keys(&self, keys: &mut Vec<&String>) {
        sort_natural(keys);
    }
}

/// The value as go-yaml v3's encoder sees a Go value.
struct DirectV3;

impl Policy for DirectV3 {
    fn scalar<'v>(&self, v: &'v Value) -> Result<(Cow<'v, str>, Style), Error> {
        Ok(match v {
            Value::String(s) => (Cow::Borrowed(s.as_str()), v3_string_style(s)),
            Value::Float(f) => {
                let s = match gofmt::format_float_g(*f).as_str() {
                    "+Inf" => ".inf".to_owned(),
                    "-Inf" => "-.inf".to_owned(),
                    "NaN" => ".nan".to_owned(),
                    s => s.to_owned(),
                };
                (Cow::Owned(s), Style::Plain)
            }
            other => (plain_scalar(other), Style::Plain),
        })
    }
    fn key<'v>(&self, k: &'v str) -> Result<(Cow<'v, str>, Style), Error> {
        Ok((Cow::Borrowed(k), v3_string_style(k)))
    }
    fn sort_keys(&self, keys: &mut Vec<&String>) {
        sort_natural_v3(keys);
    }
}

/// Null, booleans and integers, the same in every encoder.
fn plain_scalar(v: &Value) -> Cow<'static, str> {
    match v {
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        Value::Int(i) => Cow::Owned(i.to_string()),
        Value::Uint(u) => Cow::Owned(u.to_string()),
        _ => Cow::Borrowed("null"),
    }
}

/// A float after `json.Marshal` and go-yaml v2's resolution of the JSON number text.
fn float_through_json(f: f64) -> Result<String, Error> {
    if !f.is_finite() {
        return Err(Error::bare(
            ErrorKind::Unsupported,
            format!("json: unsupported value: {}", gofmt::format_float_g(f)),
            0,
            0,
        ));
    }
    let text = gofmt::format_float_json(f);
    Ok(match resolve::resolve_v2(&text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(g) => gofmt::format_float_g(g),
        _ => text,
    })
}

/// A string after the JSON round trip, with go-yaml v2's requested style.
fn string_node(s: &str) -> Result<(Cow<'_, str>, Style), Error> {
    if s.chars().any(rejected_by_reader) {
        let message = "control characters are not allowed";
        return Err(Error::new(ErrorKind::Unsupported, message, 0, 0));
    }
    let s: Cow<'_, str> = if s.contains('\u{85}') { Cow::Owned(fold_nel(s)) } else { Cow::Borrowed(s) };
    let style = string_style(&s);
    Ok((s, style))
}

/// `encoding/json` writes NEL (U+0085) raw, and go-yaml's reader treats it as a line break inside the
/// double-quoted JSON string, so it is folded like one: spaces before it are dropped, spaces after it are skipped,
/// a single break becomes a space and each further break stays a line feed.
fn fold_nel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(first) = chars.next() {
        if first != ' ' && first != '\u{85}' {
            out.push(first);
            continue;
        }
        // A run of spaces and NELs.
        let mut spaces = 0usize;
        let mut breaks = 0usize;
        let mut c = first;
        loop {
            if c == ' ' {
                if breaks == 0 {
                    spaces += 1;
                }
            } else {
                breaks += 1;
            }
            match chars.peek() {
                Some(&n) if n == ' ' || n == '\u{85}' => {
                    c = n;
                    chars.next();
                }
                _ => break,
            }
        }
        match breaks {
            0 => out.extend(std::iter::repeat_n(' ', spaces)),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
    }
    out
}

/// The style go-yaml v2 requests for a string: literal if it holds `\n`, plain if it would read back as the same
/// string, double-quoted otherwise.
pub(crate) fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve::resolve_v2(s) == Resolved::Str && !resolve::is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// Characters that `encoding/json` writes raw but go-yaml's reader refuses ("control characters are not allowed").
fn rejected_by_reader(c: char) -> bool {
    matches!(c, '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

/// go-yaml v3's `stringv`: YAML 1.1 booleans and base-60 floats are still quoted for old readers.
fn v3_string_style(s: &str) -> Style {
    let old_bool = matches!(
        s,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
    );
    if s.contains('\n') {
        Style::Literal
    } else if resolve::resolve_v3(s) == Resolved::Str && !resolve::is_base60_float(s) && !old_bool {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

#[cfg(test)]
mod fold_tests {
    use super::fold_nel;

    #[test]
    fn nel_folds_like_a_line_break() {
        // Reference: helm toYaml of "c1\x85" is 'c1 ' and of "x\x85y\nz" is "x y\nz" (tests/fixtures/helm).
        assert_eq!(fold_nel("c1\u{85}"), "c1 ");
        assert_eq!(fold_nel("x\u{85}y"), "x y");
        assert_eq!(fold_nel("a  \u{85}  b"), "a b");
        assert_eq!(fold_nel("a\u{85}\u{85}b"), "a\nb");
        assert_eq!(fold_nel("a  b"), "a  b");
    }
}
