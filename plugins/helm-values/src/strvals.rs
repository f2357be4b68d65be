//! The `--set` family of value expressions, with the semantics of Helm's `pkg/strvals`.
//!
//! A line is `name1=value1,name2=value2`. Names are dotted paths (`a.b.c`) with optional list indexes
//! (`a[0].b`, `a[1][2]`); `\` escapes the next character in names and values (except in `--set-literal`). Values in
//! braces (`{a,b}`) are lists. The typing of plain values differs per flag:
//!
//! * `--set`: `true`/`false` (any case) are booleans, `null` is null, `0` and decimal integers that do not start with
//!   `0` become 64-bit integers, everything else is a string;
//! * `--set-string`: always strings;
//! * `--set-json`: each value is one JSON document (numbers become floats, as Go's `encoding/json` decodes them);
//! * `--set-file`: each value is a path whose contents become a string;
//! * `--set-literal`: the whole rest of the line is one string, no escapes, no lists.
//!
//! Parsing merges into an existing map in place, like Helm's `ParseInto`: a later expression overwrites what an
//! earlier one (or a values file) put at the same path. Helm's quirks are kept, including that a line ending inside
//! an index (`a[0`) is silently ignored, and that a path through an existing non-map value is an error
//! (`unable to parse key: interface conversion: ...`), because both decide whether a command succeeds.

use kiln_yaml::{Map, Value};

use crate::goquote::go_quote;

/// The largest list index an expression may use.
pub const MAX_INDEX: usize = 65536;
/// The deepest dotted path an expression may use.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Why an expression could not be parsed. The text is Helm's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Reads the value of a `--set-file` expression: receives the path, returns the file's contents.
pub type FileReader<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

/// How values are typed.
enum Mode<'a> {
    /// `--set` (`false`) or `--set-string` (`true`).
    Typed(bool),
    /// `--set-json`.
    Json,
    /// `--set-file`.
    File(&'a mut dyn FnMut(&str) -> Result<String, String>),
}

/// Internal error: end of input (which ends parsing successfully), a real error, or the equivalent of a Go panic
/// that the nearest enclosing `key` turns into "unable to parse key: ...".
#[derive(Debug)]
enum PErr {
    Eof,
    Msg(String),
    Panic(String),
}

type PResult<T> = Result<T, PErr>;

/// Wrap an error the way `fmt.Errorf("...: %w", err)` does. A wrapped end of input is still end of input
/// (`errors.Is(err, io.EOF)`), which ends parsing successfully.
fn wrap(prefix: &str, e: PErr) -> PErr {
    match e {
        PErr::Msg(m) => PErr::Msg(format!("{prefix}: {m}")),
        other => other,
    }
}

/// Go's name for the dynamic type of a value inside an `interface{}`, for panic messages.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

fn not_a_list(v: &Value) -> PErr {
    PErr::Panic(format!("interface conversion: interface {{}} is {}, not []interface {{}}", go_type(v)))
}

fn not_a_map(v: &Value) -> PErr {
    PErr::Panic(format!("interface conversion: interface {{}} is {}, not map[string]interface {{}}", go_type(v)))
}

struct Parser<'s, 'a> {
    src: &'s str,
    pos: usize,
    last_len: usize,
    mode: Mode<'a>,
    literal: bool,
}

impl<'s, 'a> Parser<'s, 'a> {
    fn read(&mut self) -> Option<char> {
        let c = self.src.get(self.pos..)?.chars().next()?;
        self.last_len = c.len_utf8();
        self.pos += self.last_len;
        Some(c)
    }

    fn unread(&mut self) {
        self.pos -= self.last_len;
        self.last_len = 0;
    }

    /// Read up to (and consuming) the first stop character. Returns the text, the stop character, or end of input
    /// with the text read so far. Backslash escapes apply unless parsing `--set-literal`.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            let Some(c) = self.read() else {
                return (v, None);
            };
            if stop.contains(&c) {
                return (v, Some(c));
            }
            if c == '\\' && !self.literal {
                match self.read() {
                    Some(n) => v.push(n),
                    None => return (v, None),
                }
            } else {
                v.push(c);
            }
        }
    }

    fn parse(&mut self, data: &mut Map) -> Result<(), StrvalsError> {
        loop {
            match self.key(data, 0) {
                Ok(()) => {}
                Err(PErr::Eof) => return Ok(()),
                Err(PErr::Msg(m)) | Err(PErr::Panic(m)) => return Err(StrvalsError(m)),
            }
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> PResult<()> {
        match self.key_inner(data, level) {
            Err(PErr::Panic(m)) => Err(PErr::Msg(format!("unable to parse key: {m}"))),
            r => r,
        }
    }

    fn key_inner(&mut self, data: &mut Map, mut level: usize) -> PResult<()> {
        let stop: &[char] = if self.literal { &['=', '[', '.'] } else { &['=', '[', ',', '.'] };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    Err(PErr::Eof)
                } else {
                    Err(PErr::Msg(format!("key {} has no value", go_quote(&k))))
                }
            }
            Some('[') => {
                let i = self.key_index().map_err(|e| wrap("error parsing index", e))?;
                let list = match data.get_mut(&k) {
                    None => Vec::new(),
                    Some(Value::Seq(l)) => std::mem::take(l),
                    Some(other) => return Err(not_a_list(other)),
                };
                let (list, res) = self.list_item(list, i, level);
                set(data, &k, Value::Seq(list));
                res
            }
            Some('=') => self.assign(data, k),
            Some(',') => {
                set(data, &k, Value::String(String::new()));
                Err(PErr::Msg(format!("key {} has no value (cannot end with ,)", go_quote(&k))))
            }
            Some(_) => {
                // '.'
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(PErr::Msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let existed = match data.get(&k) {
                    None => false,
                    Some(Value::Map(_)) => true,
                    Some(other) => return Err(not_a_map(other)),
                };
                let mut inner = match data.get_mut(&k) {
                    Some(Value::Map(m)) => std::mem::take(m),
                    _ => Map::new(),
                };
                let res = self.key(&mut inner, level);
                let empty = inner.is_empty();
                if existed {
                    // The map was updated in place in Go; put it back (even under an empty key).
                    data.insert(k.clone(), Value::Map(inner));
                } else if !empty {
                    set(data, &k, Value::Map(inner));
                }
                match res {
                    Ok(()) if empty => Err(PErr::Msg(format!("key map {} has no value", go_quote(&k)))),
                    r => r,
                }
            }
        }
    }

    /// After `name=`: read and store the value.
    fn assign(&mut self, data: &mut Map, k: String) -> PResult<()> {
        if self.literal {
            let (v, _) = self.until(&[]);
            set(data, &k, Value::String(v));
            return Ok(());
        }
        if matches!(self.mode, Mode::Json) {
            if self.empty_val() {
                set(data, &k, Value::Null);
                return Ok(());
            }
            let v = self.json_value()?;
            set(data, &k, v);
            self.empty_val();
            return Ok(());
        }
        match self.val_list() {
            ListResult::List(l) => {
                set(data, &k, Value::Seq(l));
                Ok(())
            }
            ListResult::Eof => {
                set(data, &k, Value::String(String::new()));
                Err(PErr::Eof)
            }
            ListResult::NotList => {
                let (rs, _) = self.until(&[',']);
                let v = self.reader(&rs)?;
                set(data, &k, v);
                Ok(())
            }
            ListResult::Err(e) => Err(e),
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(PErr::Eof);
        }
        go_atoi(&v).map_err(PErr::Msg)
    }

    /// Parse what follows `[i]`, updating `list`. Returns the list (even on error, like Go) and the outcome.
    fn list_item(&mut self, mut list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, PResult<()>) {
        if i < 0 {
            return (list, Err(PErr::Msg(format!("negative {i} index not allowed"))));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (list, Err(PErr::Msg(format!("unexpected data at end of array index: {}", go_quote(&k)))));
        }
        match last {
            None => (list, Err(PErr::Eof)),
            Some('=') => {
                if self.literal {
                    let (v, _) = self.until(&[]);
                    return set_index(list, i, Value::String(v));
                }
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Null);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (list, Err(e)),
                    };
                    let (list, res) = set_index(list, i, v);
                    if res.is_err() {
                        return (list, res);
                    }
                    self.empty_val();
                    return (list, Ok(()));
                }
                match self.val_list() {
                    ListResult::List(l) => set_index(list, i, Value::Seq(l)),
                    ListResult::Eof => set_index(list, i, Value::String(String::new())),
                    ListResult::NotList => {
                        let (rs, _) = self.until(&[',']);
                        match self.reader(&rs) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => (list, Err(e)),
                        }
                    }
                    ListResult::Err(e) => (list, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(wrap("error parsing index", e))),
                };
                let current = match usize::try_from(i).ok().and_then(|iu| list.get(iu)) {
                    None | Some(Value::Null) => Ok(Vec::new()),
                    Some(Value::Seq(l)) => Ok(l.clone()),
                    Some(other) => Err(not_a_list(other)),
                };
                let current = match current {
                    Ok(c) => c,
                    Err(e) => return (list, Err(e)),
                };
                let (inner, res) = self.list_item(current, next, level);
                if res.is_err() {
                    return (list, res);
                }
                set_index(list, i, Value::Seq(inner))
            }
            Some(_) => {
                // '.'
                let iu = usize::try_from(i).unwrap_or(usize::MAX);
                let mut inner = Map::new();
                if let Some(slot) = list.get_mut(iu) {
                    match slot {
                        Value::Map(m) => inner = std::mem::take(m),
                        // Indices out of order: start from an empty map.
                        _ => *slot = Value::Map(Map::new()),
                    }
                }
                let res = self.key(&mut inner, level);
                if let Err(e) = res {
                    if let Some(slot) = list.get_mut(iu) {
                        *slot = Value::Map(inner);
                    }
                    return (list, Err(e));
                }
                set_index(list, i, Value::Map(inner))
            }
        }
    }

    /// Skip spaces; true (and the comma consumed) at end of input or a comma, false (nothing consumed) at any other
    /// character.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None => return true,
                Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// Decode one JSON document at the current position, as a Go `json.Decoder` would, and consume it.
    fn json_value(&mut self) -> PResult<Value> {
        let rest = self.src.get(self.pos..).unwrap_or("");
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                self.pos += stream.byte_offset();
                self.last_len = 0;
                Ok(crate::json::from_json_value(v))
            }
            Some(Err(e)) => Err(PErr::Msg(e.to_string())),
            None => Err(PErr::Eof),
        }
    }

    fn val_list(&mut self) -> ListResult {
        match self.read() {
            None => return ListResult::Eof,
            Some('{') => {}
            Some(_) => {
                self.unread();
                return ListResult::NotList;
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => {
                    return ListResult::Err(PErr::Msg("list must terminate with '}'".to_owned()));
                }
                Some('}') => {
                    match self.read() {
                        Some(',') | None => {}
                        Some(_) => self.unread(),
                    }
                    match self.reader(&rs) {
                        Ok(v) => list.push(v),
                        Err(e) => return ListResult::Err(e),
                    }
                    return ListResult::List(list);
                }
                Some(_) => match self.reader(&rs) {
                    Ok(v) => list.push(v),
                    Err(e) => return ListResult::Err(e),
                },
            }
        }
    }

    fn reader(&mut self, rs: &str) -> PResult<Value> {
        match &mut self.mode {
            Mode::Typed(string) => Ok(typed_val(rs, *string)),
            Mode::File(read) => read(rs).map(Value::String).map_err(PErr::Msg),
            Mode::Json => Ok(Value::String(rs.to_owned())),
        }
    }
}

enum ListResult {
    List(Vec<Value>),
    Eof,
    NotList,
    Err(PErr),
}

fn set(data: &mut Map, key: &str, val: Value) {
    if key.is_empty() {
        return;
    }
    data.insert(key.to_owned(), val);
}

fn set_index(mut list: Vec<Value>, index: i64, val: Value) -> (Vec<Value>, PResult<()>) {
    if index < 0 {
        return (list, Err(PErr::Msg(format!("negative {index} index not allowed"))));
    }
    let Ok(i) = usize::try_from(index) else {
        return (list, Err(PErr::Msg(format!("error processing index {index}"))));
    };
    if i > MAX_INDEX {
        return (
            list,
            Err(PErr::Msg(format!("index of {index} is greater than maximum supported index of {MAX_INDEX}"))),
        );
    }
    if list.len() <= i {
        list.resize(i + 1, Value::Null);
    }
    if let Some(slot) = list.get_mut(i) {
        *slot = val;
    }
    (list, Ok(()))
}

/// Go's `strconv.Atoi` on a 64-bit platform, with its error texts.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(s)));
    }
    s.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// `strings.EqualFold` against an ASCII lowercase word, including the Unicode simple folds that map onto ASCII
/// letters (`ſ` folds to `s`, the Kelvin sign to `k`).
fn equal_fold_ascii(s: &str, word: &str) -> bool {
    let mut a = s.chars();
    let mut b = word.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                let x = match x {
                    '\u{017F}' => 's',
                    '\u{212A}' => 'k',
                    x => x.to_ascii_lowercase(),
                };
                if x != y {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The typing of a plain `--set` value (`typedVal` in Helm).
pub fn typed_val(v: &str, as_string: bool) -> Value {
    if as_string {
        return Value::String(v.to_owned());
    }
    if equal_fold_ascii(v, "true") {
        return Value::Bool(true);
    }
    if equal_fold_ascii(v, "false") {
        return Value::Bool(false);
    }
    if equal_fold_ascii(v, "null") {
        return Value::Null;
    }
    if v == "0" {
        return Value::Int(0);
    }
    if !v.is_empty() && !v.starts_with('0') {
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(i) = v.parse::<i64>()
        {
            return Value::Int(i);
        }
    }
    Value::String(v.to_owned())
}

fn run(s: &str, dest: &mut Map, mode: Mode<'_>, literal: bool) -> Result<(), StrvalsError> {
    let mut p = Parser { src: s, pos: 0, last_len: 0, mode, literal };
    p.parse(dest)
}

/// `--set`: parse `s` into `dest` with typed values.
pub fn parse_into(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Typed(false), false)
}

/// `--set-string`: parse `s` into `dest`, every value a string.
pub fn parse_into_string(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Typed(true), false)
}

/// `--set-json` in `key=JSON` form: parse `s` into `dest`, each value one JSON document (empty means null).
pub fn parse_json(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Json, false)
}

/// `--set-file`: parse `s` into `dest`; each value is a path, and `read` returns the file's contents.
pub fn parse_into_file(s: &str, dest: &mut Map, read: &mut FileReader<'_>) -> Result<(), StrvalsError> {
    run(s, dest, Mode::File(read), false)
}

/// `--set-literal`: parse `s` into `dest`; the value is the rest of the line, verbatim.
pub fn parse_literal_into(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Typed(true), true)
}

/// `strvals.Parse`: a fresh map from a `--set` line.
pub fn parse(s: &str) -> Result<Map, StrvalsError> {
    let mut m = Map::new();
    parse_into(s, &mut m)?;
    Ok(m)
}

#[cfg(test)]
mod tests;
