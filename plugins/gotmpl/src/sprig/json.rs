//! Go's `encoding/json` for template values: [`encode`] is `json.Marshal` / `MarshalIndent(v, "", "  ")` (with or
//! without HTML escaping) and [`decode`] is `json.Unmarshal` into an `interface{}`, with Go's output bytes and
//! error texts.
//!
//! Encoding: map keys in sorted order; floats as Go prints them (`1e+21`, `1e-7`, integral floats without a
//! fraction); strings with `\u003c`-style escapes for `<`, `>`, `&` when HTML escaping is on, `\u2028`/`\u2029`
//! always, and `\b \f \n \r \t`; `[]byte` as base64; NaN and infinities are errors
//! (`json: unsupported value: NaN`), and so is a map that contains itself.
//!
//! Decoding: numbers become `float64`, objects `map[string]interface{}`, arrays `[]interface{}`; a syntax error is
//! reported as Go's scanner reports the first one (`invalid character 'x' looking for beginning of value`,
//! `unexpected end of JSON input`).

use std::fmt;
use std::rc::Rc;

use crate::stack;
use crate::strconv;
use crate::value::{List, Map, Value};

/// A JSON encoding or decoding error, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    message: String,
}

impl JsonError {
    fn new(message: impl Into<String>) -> Self {
        JsonError { message: message.into() }
    }

    /// The message, as Go's `err.Error()` prints it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Stack the recursive encoder and decoder may use (a guard against pathological nesting).
const STACK_BUDGET: usize = 256 * 1024;

/// Go's `json.Marshal(v)` (`escape_html`) or `Encoder.SetEscapeHTML(false)`, optionally indented like
/// `json.MarshalIndent(v, "", "  ")`.
pub fn encode(v: &Value, escape_html: bool, pretty: bool) -> Result<String, JsonError> {
    let mut enc =
        Encoder { out: String::new(), escape_html, pretty, path: Vec::new(), base: stack::position(), containers: 0 };
    enc.value(v, 0)?;
    Ok(enc.out)
}

struct Encoder {
    out: String,
    escape_html: bool,
    pretty: bool,
    path: Vec<Map>,
    base: usize,
    /// Maps and lists encoded so far (shared sub-structures count once per reference).
    containers: usize,
}

/// The most maps and lists one encoding may visit (a structure sharing its maps can be exponentially large).
const CONTAINER_BUDGET: usize = 1_000_000;

impl Encoder {
    fn enter_container(&mut self) -> Result<(), JsonError> {
        self.containers += 1;
        if self.containers > CONTAINER_BUDGET {
            return Err(JsonError::new("json: output too large"));
        }
        Ok(())
    }

    fn newline(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn value(&mut self, v: &Value, depth: usize) -> Result<(), JsonError> {
        if stack::used_since(self.base) > STACK_BUDGET {
            return Err(JsonError::new("json: unsupported value: nesting too deep"));
        }
        if self.out.len() > super::strings::MAX_OUTPUT {
            return Err(JsonError::new("json: output too large"));
        }
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.out.push_str(&i.to_string()),
            Value::Uint64(u) => self.out.push_str(&u.to_string()),
            Value::Uint8(u) => self.out.push_str(&u.to_string()),
            Value::Float64(f) => self.out.push_str(&format_float(*f)?),
            Value::String(s) => write_string(&mut self.out, s, self.escape_html),
            Value::Bytes(b) => {
                self.out.push('"');
                self.out.push_str(&super::encoding::base64_encode(b, super::encoding::BASE64_STD));
                self.out.push('"');
            }
            // A nil slice (`rest` of an empty list, `regexFindAll` without a match) is JSON `null`, as in Go.
            Value::List(l) if l.is_nil() => self.out.push_str("null"),
            Value::List(l) => {
                self.enter_container()?;
                self.out.push('[');
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.value(item, depth + 1)?;
                }
                if !l.is_empty() {
                    self.newline(depth);
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                if self.path.iter().any(|p| p.ptr_eq(m)) {
                    return Err(JsonError::new(format!(
                        "json: unsupported value: encountered a cycle via {}",
                        m.go_type()
                    )));
                }
                self.path.push(m.clone());
                // Encoding never calls back into the engine, so the map cannot change while it is borrowed.
                let entries = m.entries();
                self.object(entries.iter().map(|(k, v)| (&**k, v)), depth)?;
                drop(entries);
                self.path.pop();
            }
            Value::Object(o) => {
                if let Some(fields) = o.json_fields() {
                    self.object(fields.iter().map(|(k, v)| (*k, v)), depth)?;
                } else if let Some(u) = o.to_data() {
                    self.value(&u, depth)?;
                } else {
                    return Err(JsonError::new(format!("json: unsupported type: {}", o.type_name())));
                }
            }
        }
        Ok(())
    }

    /// A JSON object of these members, in this order.
    fn object<'a>(
        &mut self,
        members: impl ExactSizeIterator<Item = (&'a str, &'a Value)>,
        depth: usize,
    ) -> Result<(), JsonError> {
        self.enter_container()?;
        self.out.push('{');
        let empty = members.len() == 0;
        for (i, (k, item)) in members.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            write_string(&mut self.out, k, self.escape_html);
            self.out.push_str(if self.pretty { ": " } else { ":" });
            self.value(item, depth + 1)?;
        }
        if !empty {
            self.newline(depth);
        }
        self.out.push('}');
        Ok(())
    }
}

/// Go's `floatEncoder` for float64 (`kiln_yaml::gofmt::format_float_json`, which Helm's YAML path uses too); a NaN
/// or an infinity is an error, as in Go.
fn format_float(f: f64) -> Result<String, JsonError> {
    if !f.is_finite() {
        return Err(JsonError::new(format!("json: unsupported value: {}", strconv::format_float(f, b'g', -1))));
    }
    Ok(kiln_yaml::gofmt::format_float_json(f))
}

/// Go's `encodeState.string`.
fn write_string(out: &mut String, s: &str, escape_html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
            c if u32::from(c) < 0x20 => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The result of [`decode`]: the value and, when Go's `Unmarshal` would also return an error, that error (a type
/// error such as an out-of-range number leaves a partial value, as in Go; a syntax error leaves nil).
pub struct Decoded {
    /// The decoded value (nil after a syntax error).
    pub value: Value,
    /// The error `json.Unmarshal` returns, if any.
    pub error: Option<JsonError>,
}

/// Go's `json.Unmarshal(data, &v)` with `v` an `interface{}`.
pub fn decode(data: &str) -> Decoded {
    let mut p = Parser { s: data.as_bytes(), pos: 0, depth: 0, base: stack::position(), type_error: None };
    if let Err(e) = p.check_valid() {
        return Decoded { value: Value::Nil, error: Some(e) };
    }
    p.pos = 0;
    let value = p.value().unwrap_or(Value::Nil);
    Decoded { value, error: p.type_error }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
    base: usize,
    type_error: Option<JsonError>,
}

/// Go's `quoteChar` for the byte in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let q = strconv::quote(&char::from(c).to_string());
            format!("'{}'", q.get(1..q.len() - 1).unwrap_or_default())
        }
    }
}

fn syntax(c: u8, context: &str) -> JsonError {
    JsonError::new(format!("invalid character {} {context}", quote_char(c)))
}

fn eof() -> JsonError {
    JsonError::new("unexpected end of JSON input")
}

/// The maximum nesting depth Go's scanner accepts.
const MAX_DEPTH: usize = 10000;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Go's `checkValid`: scan the whole input, reporting the first syntax error.
    fn check_valid(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        self.scan_value()?;
        self.skip_ws();
        match self.peek() {
            None => Ok(()),
            Some(c) => Err(syntax(c, "after top-level value")),
        }
    }

    fn scan_value(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Err(eof()),
            Some(b'{') => self.scan_container(b'}'),
            Some(b'[') => self.scan_container(b']'),
            Some(b'"') => self.scan_string(),
            Some(b'-' | b'0'..=b'9') => self.scan_number(),
            Some(b't') => self.scan_literal(b"true"),
            Some(b'f') => self.scan_literal(b"false"),
            Some(b'n') => self.scan_literal(b"null"),
            Some(c) => Err(syntax(c, "looking for beginning of value")),
        }
    }

    fn scan_container(&mut self, close: u8) -> Result<(), JsonError> {
        let open = self.peek().unwrap_or(b'[');
        self.depth += 1;
        if self.depth > MAX_DEPTH || stack::used_since(self.base) > STACK_BUDGET / 2 {
            return Err(syntax(open, "exceeded max depth"));
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if close == b'}' {
                match self.peek() {
                    None => return Err(eof()),
                    Some(b'"') => self.scan_string()?,
                    Some(c) => return Err(syntax(c, "looking for beginning of object key string")),
                }
                self.skip_ws();
                match self.peek() {
                    None => return Err(eof()),
                    Some(b':') => self.pos += 1,
                    Some(c) => return Err(syntax(c, "after object key")),
                }
                self.skip_ws();
            }
            self.scan_value()?;
            self.skip_ws();
            match self.peek() {
                None => return Err(eof()),
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                Some(c) => {
                    let ctx = if close == b'}' { "after object key:value pair" } else { "after array element" };
                    return Err(syntax(c, ctx));
                }
            }
        }
    }

    fn scan_string(&mut self) -> Result<(), JsonError> {
        self.pos += 1;
        loop {
            let Some(c) = self.peek() else { return Err(eof()) };
            self.pos += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.peek().unwrap_or(b' ');
                    self.pos += 1;
                    match e {
                        b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.peek().unwrap_or(b' ');
                                if !h.is_ascii_hexdigit() {
                                    return Err(syntax(h, "in \\u hexadecimal character escape"));
                                }
                                self.pos += 1;
                            }
                        }
                        other => return Err(syntax(other, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(syntax(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn scan_number(&mut self) -> Result<(), JsonError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(syntax(c, "in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(syntax(c, "after decimal point in numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {}
                c => return Err(syntax(c, "in exponent of numeric literal")),
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn scan_literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        let name = String::from_utf8_lossy(word).into_owned();
        self.pos += 1;
        for &want in word.get(1..).unwrap_or_default() {
            match self.peek().unwrap_or(b' ') {
                c if c == want => self.pos += 1,
                c => {
                    return Err(syntax(c, &format!("in literal {name} (expecting {})", quote_char(want))));
                }
            }
        }
        Ok(())
    }

    /// Decode the (already validated) value at the current position.
    fn value(&mut self) -> Option<Value> {
        if stack::used_since(self.base) > STACK_BUDGET {
            self.type_error.get_or_insert_with(|| JsonError::new("json: exceeded max depth"));
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                let m = Map::new();
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        self.pos += 1;
                        return Some(Value::Map(m));
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    self.pos += 1; // ':'
                    let v = self.value()?;
                    m.insert(key, v);
                    self.skip_ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        self.pos += 1;
                        return Some(Value::List(List::new(items)));
                    }
                    items.push(self.value()?);
                    self.skip_ws();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                }
            }
            b'"' => self.string().map(Value::String),
            b't' => {
                self.pos += 4;
                Some(Value::Bool(true))
            }
            b'f' => {
                self.pos += 5;
                Some(Value::Bool(false))
            }
            b'n' => {
                self.pos += 4;
                Some(Value::Nil)
            }
            _ => {
                let start = self.pos;
                self.scan_number().ok()?;
                let text = std::str::from_utf8(self.s.get(start..self.pos)?).ok()?;
                match strconv::parse_float(text) {
                    Ok(f) => Some(Value::Float64(f)),
                    Err(_) => {
                        if self.type_error.is_none() {
                            self.type_error = Some(JsonError::new(format!(
                                "json: cannot unmarshal number {text} into Go value of type float64"
                            )));
                        }
                        Some(Value::Nil)
                    }
                }
            }
        }
    }

    /// Decode a validated string literal (escapes resolved, lone surrogates replaced by U+FFFD).
    fn string(&mut self) -> Option<Rc<str>> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(self.peek()?, b'"' | b'\\') {
                self.pos += 1;
            }
            out.push_str(std::str::from_utf8(self.s.get(start..self.pos)?).ok()?);
            let c = self.peek()?;
            self.pos += 1;
            if c == b'"' {
                return Some(Rc::from(out));
            }
            let e = self.peek()?;
            self.pos += 1;
            match e {
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    if (0xD800..0xDC00).contains(&hi) && self.s.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        let save = self.pos;
                        self.pos += 2;
                        let lo = self.hex4()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        self.pos = save;
                    }
                    out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                }
                other => out.push(char::from(other)),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let text = std::str::from_utf8(self.s.get(self.pos..self.pos + 4)?).ok()?;
        self.pos += 4;
        u32::from_str_radix(text, 16).ok()
    }
}

impl fmt::Debug for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoded").field("value", &self.value).field("error", &self.error).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        for (f, want) in [(1e21, "1e+21"), (1e-7, "1e-7"), (1e20, "100000000000000000000"), (0.000001, "0.000001")] {
            assert_eq!(format_float(f).ok().as_deref(), Some(want));
        }
        assert!(format_float(f64::NAN).is_err());
    }

    #[test]
    fn syntax_errors_match_go() {
        let err = |s: &str| decode(s).error.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(err("[1,]"), "invalid character ']' looking for beginning of value");
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(err("tru"), "invalid character ' ' in literal true (expecting 'e')");
        assert_eq!(err("trux"), "invalid character 'x' in literal true (expecting 'e')");
        assert_eq!(err("01"), "invalid character '1' after top-level value");
    }
}
