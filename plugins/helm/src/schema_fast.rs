//! A fast answer to "do these values pass this `values.schema.json`?" for the schemas charts actually ship.
//!
//! The exact validator ([`crate::schema`]) compiles the chart's schema and the draft's meta-schema with the
//! `jsonschema` crate on every render, which costs more than rendering many charts. Most schemas use a small,
//! plain part of JSON Schema, and most renders pass them, so this module first decides validity directly on the
//! JSON documents, following the validator Helm 4.1.4 uses (santhosh-tekuri/jsonschema v6):
//!
//! * the draft comes from `$schema` as that validator reads it (absent, or `…/schema`, is 2020-12); only 2020-12
//!   and draft-07 are handled here;
//! * the schema is checked against what the draft's meta-schema requires of every keyword this module knows
//!   (`type` names, non-negative integer limits, unique `required` names, patterns that Go's `regexp` compiles,
//!   `$ref`s that are JSON pointers into the document, …); any keyword outside that set which the validator would
//!   act on (`$id` below the root, anchors, dynamic or recursive references, `format` where it asserts, `dependencies`,
//!   `contains`, `unevaluated*`, content keywords, a nested `$schema`) makes the answer "unsure";
//! * values are then validated with the validator's semantics: `integer` is any number without a fraction,
//!   lengths count characters, patterns are unanchored Go regular expressions, numbers compare exactly, draft-07
//!   `$ref` hides its siblings, `oneOf` wants exactly one match, and so on.
//!
//! The schema is read with a strict JSON reader of its own (RFC 8259; anything it does not take plainly, such as
//! duplicate keys, lone surrogates or integers beyond 64 bits, is "unsure") into a borrowed tree that is cheap to
//! build, and the values are validated as they are, in the form the exact path converts them to (an integral float
//! is an integer, a non-finite float is null).
//!
//! The answer is only ever "valid" or "unsure": anything invalid, and anything this module cannot decide exactly
//! (a reference cycle, a non-integer `multipleOf`, a float that ties a limit), is handed to the exact validator,
//! which also writes Helm's messages. So a schema outside the subset costs what it did before, and an answer of
//! "valid" is the one the exact validator would give (a differential test in `tests/schema_fast.rs` holds the two
//! to that on mutated schemas and values).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use gotmpl::sprig::Regexp;
use kiln_yaml::{Map as VMap, Value as V};

/// A number as the validator compares it: an exact integer or a float.
#[derive(Clone, Copy, Debug)]
enum Num {
    I(i128),
    F(f64),
}

/// One node of the schema document.
#[derive(Debug)]
enum J<'a> {
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'a, str>),
    Arr(Vec<J<'a>>),
    Obj(Vec<(Cow<'a, str>, J<'a>)>),
}

type Obj<'a> = [(Cow<'a, str>, J<'a>)];

impl<'a> J<'a> {
    fn as_str(&self) -> Option<&str> {
        if let J::Str(s) = self { Some(s) } else { None }
    }
    fn as_arr(&self) -> Option<&[J<'a>]> {
        if let J::Arr(a) = self { Some(a) } else { None }
    }
    fn as_obj(&self) -> Option<&Obj<'a>> {
        if let J::Obj(o) = self { Some(o) } else { None }
    }
    fn as_num(&self) -> Option<Num> {
        if let J::Num(n) = self { Some(*n) } else { None }
    }
}

fn get<'o, 'a>(o: &'o Obj<'a>, key: &str) -> Option<&'o J<'a>> {
    o.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A strict JSON reader: `None` for anything that is not plainly RFC 8259 JSON, or that another reader might take
/// differently (duplicate keys, lone surrogates, integers beyond 64 bits, numbers beyond `f64`, nesting deeper than
/// the exact path's reader allows).
mod json {
    use super::{Cow, J, Num};

    const MAX_DEPTH: usize = 100;

    pub(super) fn parse(src: &[u8]) -> Option<J<'_>> {
        let text = std::str::from_utf8(src).ok()?;
        let mut r = Reader { s: text, b: text.as_bytes(), i: 0 };
        let v = r.value(0)?;
        r.ws();
        (r.i == r.b.len()).then_some(v)
    }

    struct Reader<'a> {
        s: &'a str,
        b: &'a [u8],
        i: usize,
    }

    impl<'a> Reader<'a> {
        fn ws(&mut self) {
            while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }

        fn eat(&mut self, lit: &[u8]) -> Option<()> {
            let end = self.i.checked_add(lit.len())?;
            (self.b.get(self.i..end)? == lit).then(|| self.i = end)
        }

        fn value(&mut self, depth: usize) -> Option<J<'a>> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.ws();
            match *self.b.get(self.i)? {
                b'n' => self.eat(b"null").map(|()| J::Null),
                b't' => self.eat(b"true").map(|()| J::Bool(true)),
                b'f' => self.eat(b"false").map(|()| J::Bool(false)),
                b'"' => self.string().map(J::Str),
                b'[' => self.array(depth),
                b'{' => self.object(depth),
                b'-' | b'0'..=b'9' => self.number().map(J::Num),
                _ => None,
            }
        }

        fn array(&mut self, depth: usize) -> Option<J<'a>> {
            self.i += 1;
            let mut items = Vec::new();
            self.ws();
            if self.b.get(self.i) == Some(&b']') {
                self.i += 1;
                return Some(J::Arr(items));
            }
            loop {
                items.push(self.value(depth + 1)?);
                self.ws();
                match *self.b.get(self.i)? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        return Some(J::Arr(items));
                    }
                    _ => return None,
                }
            }
        }

        fn object(&mut self, depth: usize) -> Option<J<'a>> {
            self.i += 1;
            let mut members: Vec<(Cow<'a, str>, J<'a>)> = Vec::new();
            self.ws();
            if self.b.get(self.i) == Some(&b'}') {
                self.i += 1;
                return Some(J::Obj(members));
            }
            loop {
                self.ws();
                if self.b.get(self.i) != Some(&b'"') {
                    return None;
                }
                let key = self.string()?;
                self.ws();
                self.eat(b":")?;
                let value = self.value(depth + 1)?;
                members.push((key, value));
                self.ws();
                match *self.b.get(self.i)? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        return distinct_keys(&members).then_some(J::Obj(members));
                    }
                    _ => return None,
                }
            }
        }

        /// A string literal at the reader (on its opening quote).
        fn string(&mut self) -> Option<Cow<'a, str>> {
            self.i += 1;
            let start = self.i;
            loop {
                match *self.b.get(self.i)? {
                    b'"' => {
                        let s = self.s.get(start..self.i)?;
                        self.i += 1;
                        return Some(Cow::Borrowed(s));
                    }
                    b'\\' => break,
                    c if c < 0x20 => return None,
                    _ => self.i += 1,
                }
            }
            let mut out = String::from(self.s.get(start..self.i)?);
            loop {
                match *self.b.get(self.i)? {
                    b'"' => {
                        self.i += 1;
                        return Some(Cow::Owned(out));
                    }
                    b'\\' => {
                        let c = match *self.b.get(self.i + 1)? {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hi = self.hex4(self.i + 2)?;
                                self.i += 6;
                                let c = if (0xD800..0xDC00).contains(&hi) {
                                    if self.b.get(self.i..self.i + 2)? != b"\\u" {
                                        return None;
                                    }
                                    let lo = self.hex4(self.i + 2)?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return None;
                                    }
                                    self.i += 6;
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                                } else {
                                    char::from_u32(hi)?
                                };
                                out.push(c);
                                continue;
                            }
                            _ => return None,
                        };
                        self.i += 2;
                        out.push(c);
                    }
                    c if c < 0x20 => return None,
                    _ => {
                        let ch = self.s.get(self.i..)?.chars().next()?;
                        out.push(ch);
                        self.i += ch.len_utf8();
                    }
                }
            }
        }

        /// The four hex digits at `at`.
        fn hex4(&self, at: usize) -> Option<u32> {
            let h = self.s.get(at..at.checked_add(4)?)?;
            if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(h, 16).ok()
        }

        fn number(&mut self) -> Option<Num> {
            let start = self.i;
            if self.b.get(self.i) == Some(&b'-') {
                self.i += 1;
            }
            match *self.b.get(self.i)? {
                b'0' => self.i += 1,
                b'1'..=b'9' => self.digits(),
                _ => return None,
            }
            let mut integral = true;
            if self.b.get(self.i) == Some(&b'.') {
                self.i += 1;
                if !self.b.get(self.i)?.is_ascii_digit() {
                    return None;
                }
                self.digits();
                integral = false;
            }
            if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
                self.i += 1;
                if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                    self.i += 1;
                }
                if !self.b.get(self.i)?.is_ascii_digit() {
                    return None;
                }
                self.digits();
                integral = false;
            }
            let text = self.s.get(start..self.i)?;
            if integral && text != "-0" {
                return text.parse::<i64>().ok().map(|n| Num::I(i128::from(n)));
            }
            text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Num::F)
        }

        fn digits(&mut self) {
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
    }

    fn distinct_keys(members: &[(Cow<'_, str>, J<'_>)]) -> bool {
        if members.len() <= 16 {
            return members.iter().enumerate().all(|(i, (k, _))| members[..i].iter().all(|(q, _)| q != k));
        }
        let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        keys.windows(2).all(|w| w[0] != w[1])
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Draft {
    D7,
    D2020,
}

/// The draft a `$schema` URL names, as Helm's validator reads it (`draftFromURL`: no fragment but an empty one,
/// `http` or `https`, `…/schema` is the latest): its version and the meta-schema URL its reports name.
pub(crate) fn draft_from_url(url: &str) -> Option<(u16, &'static str)> {
    let (base, frag) = url.split_once('#').unwrap_or((url, ""));
    if !frag.is_empty() {
        return None;
    }
    let rest = base.strip_prefix("http://").or_else(|| base.strip_prefix("https://")).unwrap_or(base);
    Some(match rest {
        "json-schema.org/schema" | "json-schema.org/draft/2020-12/schema" => {
            (2020, "https://json-schema.org/draft/2020-12/schema#")
        }
        "json-schema.org/draft/2019-09/schema" => (2019, "https://json-schema.org/draft/2019-09/schema#"),
        "json-schema.org/draft-07/schema" => (7, "http://json-schema.org/draft-07/schema#"),
        "json-schema.org/draft-06/schema" => (6, "http://json-schema.org/draft-06/schema#"),
        "json-schema.org/draft-04/schema" => (4, "http://json-schema.org/draft-04/schema#"),
        _ => return None,
    })
}

/// The draft a root `$schema` names (absent: 2020-12), when it is one this module handles.
fn draft_of(root: &J<'_>) -> Option<Draft> {
    let Some(url) = root.as_obj().and_then(|o| get(o, "$schema")) else { return Some(Draft::D2020) };
    match draft_from_url(url.as_str()?)?.0 {
        2020 => Some(Draft::D2020),
        7 => Some(Draft::D7),
        _ => None,
    }
}

/// Whether `values` certainly pass the schema document `schema` (the bytes of `values.schema.json`). `false` means
/// invalid or undecided.
pub fn certainly_valid(schema: &[u8], values: &VMap) -> bool {
    let Some(root) = json::parse(schema) else { return false };
    let Some(draft) = draft_of(&root) else { return false };
    let mut checker = Checker { root: &root, draft, regexps: HashMap::new(), ref_targets: HashSet::new() };
    if !checker.schema(&root, true) {
        return false;
    }
    let v = Validator { root: &root, draft, regexps: &checker.regexps, visits: std::cell::Cell::new(0) };
    v.valid_map(&root, values) == Some(true)
}

/// Resolve a `$ref` that is a fragment-only JSON pointer (`#`, `#/$defs/name`) in `root`.
fn resolve<'r, 'a>(root: &'r J<'a>, reference: &str) -> Option<&'r J<'a>> {
    let frag = reference.strip_prefix('#')?;
    if !frag.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b)) {
        return None;
    }
    let decoded = percent_decode(frag)?;
    if decoded.is_empty() {
        return Some(root);
    }
    let pointer = decoded.strip_prefix('/')?;
    let mut at = root;
    for token in pointer.split('/') {
        let token = unescape_token(token)?;
        at = match at {
            J::Obj(o) => get(o, &token)?,
            J::Arr(a) => a.get(go_atoi(&token)?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Go's `strconv.Atoi` for an array index: decimal digits (a sign makes it no index here).
fn go_atoi(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A JSON-pointer reference token with `~1` and `~0` undone (any other `~` makes the pointer invalid).
fn unescape_token(t: &str) -> Option<String> {
    if !t.contains('~') {
        return Some(t.to_owned());
    }
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next()? {
                '0' => out.push('~'),
                '1' => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

const TYPE_NAMES: [&str; 7] = ["array", "boolean", "integer", "null", "number", "object", "string"];

/// Checks a schema against what the meta-schema requires of the keywords handled here, and that nothing the
/// validator would act on is outside them. Compiles the patterns on the way.
struct Checker<'r, 'a> {
    root: &'r J<'a>,
    draft: Draft,
    regexps: HashMap<&'r str, Regexp>,
    /// Targets of `$ref`s already followed (by address), so that each is checked once and cycles end.
    ref_targets: HashSet<*const J<'a>>,
}

impl<'r, 'a> Checker<'r, 'a> {
    fn schema(&mut self, s: &'r J<'a>, is_root: bool) -> bool {
        match s {
            J::Bool(_) => true,
            J::Obj(o) => o.iter().all(|(k, v)| self.keyword(k, v, is_root)),
            _ => false,
        }
    }

    fn schemas_in_map(&mut self, v: &'r J<'a>) -> bool {
        v.as_obj().is_some_and(|m| m.iter().all(|(_, s)| self.schema(s, false)))
    }

    fn schema_array(&mut self, v: &'r J<'a>) -> bool {
        v.as_arr().is_some_and(|a| !a.is_empty() && a.iter().all(|s| self.schema(s, false)))
    }

    fn regexp(&mut self, pattern: &'r str) -> bool {
        if self.regexps.contains_key(pattern) {
            return true;
        }
        match Regexp::compile(pattern) {
            Ok(re) => {
                self.regexps.insert(pattern, re);
                true
            }
            Err(_) => false,
        }
    }

    fn keyword(&mut self, k: &str, v: &'r J<'a>, is_root: bool) -> bool {
        let d7 = self.draft == Draft::D7;
        match k {
            // Applied by the validator (see `Validator::valid`).
            "type" => match v {
                J::Str(t) => TYPE_NAMES.contains(&t.as_ref()),
                J::Arr(ts) => {
                    !ts.is_empty()
                        && ts.iter().all(|t| t.as_str().is_some_and(|t| TYPE_NAMES.contains(&t)))
                        && unique(ts)
                }
                _ => false,
            },
            "enum" => matches!(v, J::Arr(_)),
            "const" | "default" => true,
            "multipleOf" => match v.as_num() {
                Some(Num::I(m)) => m > 0,
                Some(Num::F(m)) => m > 0.0,
                None => false,
            },
            "maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum" => matches!(v, J::Num(_)),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                non_negative_int(v).is_some()
            }
            "pattern" => match v {
                J::Str(p) => self.regexp(p),
                _ => false,
            },
            "uniqueItems" => matches!(v, J::Bool(_)),
            "required" => v.as_arr().is_some_and(|a| a.iter().all(|n| matches!(n, J::Str(_))) && unique(a)),
            "properties" => self.schemas_in_map(v),
            "patternProperties" => match v {
                J::Obj(m) => m.iter().all(|(p, _)| self.regexp(p)) && self.schemas_in_map(v),
                _ => false,
            },
            "additionalProperties" | "propertyNames" | "not" | "if" | "then" | "else" => self.schema(v, false),
            "allOf" | "anyOf" | "oneOf" => self.schema_array(v),
            "items" => match v {
                J::Arr(_) if d7 => self.schema_array(v),
                _ => self.schema(v, false),
            },
            "additionalItems" if d7 => self.schema(v, false),
            "prefixItems" if !d7 => self.schema_array(v),
            "dependentRequired" if !d7 => v.as_obj().is_some_and(|m| {
                m.iter().all(|(_, a)| a.as_arr().is_some_and(|a| a.iter().all(|n| matches!(n, J::Str(_))) && unique(a)))
            }),
            "dependentSchemas" if !d7 => self.schemas_in_map(v),
            "$ref" => {
                let Some(target) = v.as_str().and_then(|r| resolve(self.root, r)) else { return false };
                let addr: *const J<'a> = target;
                !self.ref_targets.insert(addr) || self.schema(target, false)
            }
            // Containers of schemas that are only reached through `$ref` (the meta-schemas check them).
            "$defs" | "definitions" => self.schemas_in_map(v),
            // Annotations, with the types the meta-schemas give them.
            "title" | "description" | "$comment" => matches!(v, J::Str(_)),
            "readOnly" | "writeOnly" | "deprecated" => matches!(v, J::Bool(_)),
            "examples" => matches!(v, J::Arr(_)),
            // Only an annotation in 2020-12 (the validator asserts formats for draft-07 and older).
            "format" => !d7 && matches!(v, J::Str(_)),
            "$schema" => is_root,
            // The document's own URL: fragment-only references still point into this document.
            "$id" if is_root => v.as_str().is_some_and(plain_url),
            // Keywords the validator acts on that this module does not model, and keywords of the other draft
            // (whose meaning here the meta-schemas decide).
            "$id"
            | "id"
            | "$anchor"
            | "$dynamicRef"
            | "$dynamicAnchor"
            | "$recursiveRef"
            | "$recursiveAnchor"
            | "$vocabulary"
            | "dependencies"
            | "contains"
            | "minContains"
            | "maxContains"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "contentEncoding"
            | "contentMediaType"
            | "contentSchema"
            | "additionalItems"
            | "prefixItems"
            | "dependentRequired"
            | "dependentSchemas" => false,
            // Anything else is not JSON Schema (`form`, `hidden`, … of UI generators): ignored by the validator.
            _ => true,
        }
    }
}

/// An absolute `http(s)` URL of plain characters with no fragment (an empty one aside), which every draft's
/// meta-schema accepts as `$id`.
fn plain_url(s: &str) -> bool {
    let s = s.strip_suffix('#').unwrap_or(s);
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~:/?[]@!$&'()*+,;=".contains(&b))
    })
}

/// A meta-schema `nonNegativeInteger` as the validator reads limits (an integral number, fractions of zero included).
fn non_negative_int(v: &J<'_>) -> Option<usize> {
    match v.as_num()? {
        Num::I(i) => usize::try_from(i).ok(),
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Num::F(f) => (f >= 0.0 && f.fract() == 0.0 && f <= 9.0e15).then_some(f as usize),
    }
}

fn unique(items: &[J<'_>]) -> bool {
    items.iter().enumerate().all(|(i, a)| items.iter().skip(i + 1).all(|b| eq_jj(a, b) == Some(false)))
}

/// Compare two numbers as the validator does (exact rationals). Integers compare exactly; otherwise the `f64`
/// order is the exact order when it is strict (rounding to the nearest double is monotonic), and a tie between
/// two floats is undecided here (two different decimals can round to one double), as is anything beyond 2^53.
fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    #[allow(clippy::cast_precision_loss)]
    let (x, y) = match (a, b) {
        (Num::I(x), Num::I(y)) => return Some(x.cmp(&y)),
        (Num::I(x), Num::F(y)) => (x as f64, y),
        (Num::F(x), Num::I(y)) => (x, y as f64),
        (Num::F(x), Num::F(y)) => (x, y),
    };
    if !x.is_finite() || !y.is_finite() || x.abs() > EXACT || y.abs() > EXACT {
        return None;
    }
    match x.partial_cmp(&y)? {
        // An integer against a float that equals it: both are that integer exactly.
        Ordering::Equal => matches!((a, b), (Num::I(_), _) | (_, Num::I(_))).then_some(Ordering::Equal),
        o => Some(o),
    }
}

fn is_integer(n: Num) -> bool {
    match n {
        Num::I(_) => true,
        Num::F(f) => f.is_finite() && f.fract() == 0.0,
    }
}

/// A value as the exact path hands it to its validator (`schema::to_json`): integral floats below 9e15 are
/// integers, non-finite floats are null.
#[derive(Clone, Copy)]
enum Inst<'v> {
    Null,
    Bool(bool),
    Num(Num),
    Str(&'v str),
    Seq(&'v [V]),
    Map(&'v VMap),
}

fn inst(v: &V) -> Inst<'_> {
    match v {
        V::Null => Inst::Null,
        V::Bool(b) => Inst::Bool(*b),
        V::Int(i) => Inst::Num(Num::I(i128::from(*i))),
        V::Uint(u) => Inst::Num(Num::I(i128::from(*u))),
        #[allow(clippy::cast_possible_truncation)]
        V::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Inst::Num(Num::I(i128::from(*f as i64))),
        V::Float(f) if f.is_finite() => Inst::Num(Num::F(*f)),
        V::Float(_) => Inst::Null,
        V::String(s) => Inst::Str(s),
        V::Seq(s) => Inst::Seq(s),
        V::Map(m) => Inst::Map(m),
    }
}

fn type_matches(t: &str, v: Inst<'_>) -> bool {
    match (t, v) {
        ("null", Inst::Null)
        | ("boolean", Inst::Bool(_))
        | ("string", Inst::Str(_))
        | ("array", Inst::Seq(_))
        | ("object", Inst::Map(_))
        | ("number", Inst::Num(_)) => true,
        ("integer", Inst::Num(n)) => is_integer(n),
        _ => false,
    }
}

/// JSON equality between two schema nodes (numbers by value). `None` when floats make it undecidable here.
fn eq_jj(a: &J<'_>, b: &J<'_>) -> Option<bool> {
    Some(match (a, b) {
        (J::Null, J::Null) => true,
        (J::Bool(x), J::Bool(y)) => x == y,
        (J::Str(x), J::Str(y)) => x == y,
        (J::Num(x), J::Num(y)) => num_cmp(*x, *y)? == Ordering::Equal,
        (J::Arr(x), J::Arr(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !eq_jj(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        (J::Obj(x), J::Obj(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (k, p) in x {
                let Some(q) = get(y, k) else { return Some(false) };
                if !eq_jj(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        _ => false,
    })
}

/// JSON equality between a value and a schema node (`const`, `enum`).
fn eq_vj(a: Inst<'_>, b: &J<'_>) -> Option<bool> {
    Some(match (a, b) {
        (Inst::Null, J::Null) => true,
        (Inst::Bool(x), J::Bool(y)) => x == *y,
        (Inst::Str(x), J::Str(y)) => x == y,
        (Inst::Num(x), J::Num(y)) => num_cmp(x, *y)? == Ordering::Equal,
        (Inst::Seq(x), J::Arr(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !eq_vj(inst(p), q)? {
                    return Some(false);
                }
            }
            true
        }
        (Inst::Map(x), J::Obj(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (k, q) in y {
                let Some(p) = x.get(k.as_ref()) else { return Some(false) };
                if !eq_vj(inst(p), q)? {
                    return Some(false);
                }
            }
            true
        }
        _ => false,
    })
}

/// JSON equality between two values (`uniqueItems`).
fn eq_vv(a: Inst<'_>, b: Inst<'_>) -> Option<bool> {
    Some(match (a, b) {
        (Inst::Null, Inst::Null) => true,
        (Inst::Bool(x), Inst::Bool(y)) => x == y,
        (Inst::Str(x), Inst::Str(y)) => x == y,
        (Inst::Num(x), Inst::Num(y)) => num_cmp(x, y)? == Ordering::Equal,
        (Inst::Seq(x), Inst::Seq(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !eq_vv(inst(p), inst(q))? {
                    return Some(false);
                }
            }
            true
        }
        (Inst::Map(x), Inst::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (k, p) in x {
                let Some(q) = y.get(k) else { return Some(false) };
                if !eq_vv(inst(p), inst(q))? {
                    return Some(false);
                }
            }
            true
        }
        _ => false,
    })
}

/// How many `$ref`s may be followed without descending into the values before the answer is "unsure" (the
/// validator reports a reference cycle where the same schema comes back for the same value).
const MAX_REF_CHAIN: u32 = 32;

/// How many (schema, value) pairs one validation may visit before the answer is "unsure": references that branch
/// (`allOf` of several `$ref`s back into each other) make the work exponential in the chain length, and the exact
/// validator reports such cycles instead of running them out.
const MAX_VISITS: u32 = 200_000;

struct Validator<'r, 'a> {
    root: &'r J<'a>,
    draft: Draft,
    regexps: &'r HashMap<&'r str, Regexp>,
    visits: std::cell::Cell<u32>,
}

/// Continue when the check passed; return its answer (`Some(false)` or undecided) otherwise.
macro_rules! require {
    ($e:expr) => {
        match $e {
            Some(true) => {}
            other => return other,
        }
    };
}

impl Validator<'_, '_> {
    fn valid_map(&self, s: &J<'_>, m: &VMap) -> Option<bool> {
        self.valid(s, Inst::Map(m), 0)
    }

    /// Whether `v` passes `s` (`None`: undecided). `refs` counts `$ref`s followed at this value.
    fn valid(&self, s: &J<'_>, v: Inst<'_>, refs: u32) -> Option<bool> {
        let visits = self.visits.get() + 1;
        if visits > MAX_VISITS {
            return None;
        }
        self.visits.set(visits);
        let o = match s {
            J::Bool(b) => return Some(*b),
            J::Obj(o) => o,
            _ => return None,
        };
        if let Some(r) = get(o, "$ref") {
            if refs >= MAX_REF_CHAIN {
                return None;
            }
            let target = resolve(self.root, r.as_str()?)?;
            let ok = self.valid(target, v, refs + 1);
            if self.draft == Draft::D7 {
                // All other keywords beside a draft-07 `$ref` are ignored.
                return ok;
            }
            require!(ok);
        }
        if let Some(t) = get(o, "type") {
            let ok = match t {
                J::Str(t) => type_matches(t, v),
                J::Arr(ts) => ts.iter().any(|t| t.as_str().is_some_and(|t| type_matches(t, v))),
                _ => return None,
            };
            if !ok {
                return Some(false);
            }
        }
        if let Some(c) = get(o, "const") {
            require!(eq_vj(v, c));
        }
        if let Some(e) = get(o, "enum") {
            let mut undecided = false;
            let mut found = false;
            for item in e.as_arr()? {
                match eq_vj(v, item) {
                    Some(true) => {
                        found = true;
                        break;
                    }
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            if !found {
                return if undecided { None } else { Some(false) };
            }
        }
        match v {
            Inst::Map(m) => require!(self.object(o, v, m, refs)),
            Inst::Seq(a) => require!(self.array(o, a)),
            Inst::Str(st) => require!(self.string(o, st)),
            Inst::Num(n) => require!(number(o, n)),
            Inst::Null | Inst::Bool(_) => {}
        }
        self.applicators(o, v, refs)
    }

    fn applicators(&self, o: &Obj<'_>, v: Inst<'_>, refs: u32) -> Option<bool> {
        if let Some(n) = get(o, "not") {
            require!(self.valid(n, v, refs).map(|b| !b));
        }
        if let Some(all) = get(o, "allOf") {
            for s in all.as_arr()? {
                require!(self.valid(s, v, refs));
            }
        }
        if let Some(any) = get(o, "anyOf") {
            let mut undecided = false;
            let mut matched = false;
            for s in any.as_arr()? {
                match self.valid(s, v, refs) {
                    Some(true) => {
                        matched = true;
                        break;
                    }
                    Some(false) => {}
                    None => undecided = true,
                }
            }
            if !matched {
                return if undecided { None } else { Some(false) };
            }
        }
        if let Some(one) = get(o, "oneOf") {
            let mut matches = 0;
            for s in one.as_arr()? {
                if self.valid(s, v, refs)? {
                    matches += 1;
                }
            }
            if matches != 1 {
                return Some(false);
            }
        }
        if let Some(cond) = get(o, "if") {
            let branch = if self.valid(cond, v, refs)? { get(o, "then") } else { get(o, "else") };
            if let Some(b) = branch {
                require!(self.valid(b, v, refs));
            }
        }
        Some(true)
    }

    fn object(&self, o: &Obj<'_>, v: Inst<'_>, m: &VMap, refs: u32) -> Option<bool> {
        if let Some(n) = get(o, "minProperties")
            && m.len() < non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(n) = get(o, "maxProperties")
            && m.len() > non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(req) = get(o, "required")
            && !req.as_arr()?.iter().all(|k| k.as_str().is_some_and(|k| m.contains_key(k)))
        {
            return Some(false);
        }
        let props = get(o, "properties").and_then(J::as_obj);
        let patterns = get(o, "patternProperties").and_then(J::as_obj);
        let additional = get(o, "additionalProperties");
        for (name, value) in m {
            let mut evaluated = false;
            if let Some(s) = props.and_then(|p| get(p, name)) {
                evaluated = true;
                require!(self.valid(s, inst(value), 0));
            }
            if let Some(patterns) = patterns {
                for (p, s) in patterns {
                    if self.regexps.get(p.as_ref())?.is_match(name) {
                        evaluated = true;
                        require!(self.valid(s, inst(value), 0));
                    }
                }
            }
            if !evaluated && let Some(s) = additional {
                require!(self.valid(s, inst(value), 0));
            }
        }
        if let Some(names) = get(o, "propertyNames") {
            for name in m.keys() {
                require!(self.valid(names, Inst::Str(name), 0));
            }
        }
        if self.draft == Draft::D2020 {
            if let Some(deps) = get(o, "dependentSchemas").and_then(J::as_obj) {
                for (name, s) in deps {
                    if m.contains_key(name.as_ref()) {
                        require!(self.valid(s, v, refs));
                    }
                }
            }
            if let Some(deps) = get(o, "dependentRequired").and_then(J::as_obj) {
                for (name, needs) in deps {
                    if m.contains_key(name.as_ref())
                        && !needs.as_arr()?.iter().all(|k| k.as_str().is_some_and(|k| m.contains_key(k)))
                    {
                        return Some(false);
                    }
                }
            }
        }
        Some(true)
    }

    fn array(&self, o: &Obj<'_>, a: &[V]) -> Option<bool> {
        if let Some(n) = get(o, "minItems")
            && a.len() < non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(n) = get(o, "maxItems")
            && a.len() > non_negative_int(n)?
        {
            return Some(false);
        }
        if matches!(get(o, "uniqueItems"), Some(J::Bool(true))) {
            for (i, x) in a.iter().enumerate() {
                for y in &a[i + 1..] {
                    if eq_vv(inst(x), inst(y))? {
                        return Some(false);
                    }
                }
            }
        }
        let (tuple, rest): (&[J<'_>], Option<&J<'_>>) = match (self.draft, get(o, "items")) {
            (Draft::D7, Some(J::Arr(t))) => (t, get(o, "additionalItems")),
            (Draft::D7, items) => (&[], items),
            (Draft::D2020, items) => (get(o, "prefixItems").and_then(J::as_arr).unwrap_or(&[]), items),
        };
        for (i, item) in a.iter().enumerate() {
            let s = match tuple.get(i) {
                Some(s) => s,
                None => match rest {
                    Some(s) => s,
                    None => break,
                },
            };
            require!(self.valid(s, inst(item), 0));
        }
        Some(true)
    }

    fn string(&self, o: &Obj<'_>, st: &str) -> Option<bool> {
        let min = get(o, "minLength");
        let max = get(o, "maxLength");
        if min.is_some() || max.is_some() {
            let len = st.chars().count();
            if let Some(n) = min
                && len < non_negative_int(n)?
            {
                return Some(false);
            }
            if let Some(n) = max
                && len > non_negative_int(n)?
            {
                return Some(false);
            }
        }
        if let Some(p) = get(o, "pattern")
            && !self.regexps.get(p.as_str()?)?.is_match(st)
        {
            return Some(false);
        }
        Some(true)
    }
}

fn number(o: &Obj<'_>, n: Num) -> Option<bool> {
    let limit = |k: &str| get(o, k).map(|l| l.as_num().and_then(|l| num_cmp(n, l)));
    if let Some(c) = limit("minimum") {
        require!(Some(c? != Ordering::Less));
    }
    if let Some(c) = limit("maximum") {
        require!(Some(c? != Ordering::Greater));
    }
    if let Some(c) = limit("exclusiveMinimum") {
        require!(Some(c? == Ordering::Greater));
    }
    if let Some(c) = limit("exclusiveMaximum") {
        require!(Some(c? == Ordering::Less));
    }
    if let Some(m) = get(o, "multipleOf") {
        // Only integers are decided here (the validator divides exact decimals).
        let (Num::I(x), Some(Num::I(m))) = (n, m.as_num()) else { return None };
        if m <= 0 {
            return None;
        }
        if x % m != 0 {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_serde(j: &J<'_>) -> serde_json::Value {
        match j {
            J::Null => serde_json::Value::Null,
            J::Bool(b) => (*b).into(),
            J::Num(Num::I(i)) => serde_json::Value::from(i64::try_from(*i).expect("i64")),
            J::Num(Num::F(f)) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
            J::Str(s) => s.to_string().into(),
            J::Arr(a) => a.iter().map(to_serde).collect(),
            J::Obj(o) => serde_json::Value::Object(o.iter().map(|(k, v)| (k.to_string(), to_serde(v))).collect()),
        }
    }

    /// What the reader takes, serde_json reads to the same document.
    fn agrees(src: &[u8]) -> bool {
        match json::parse(src) {
            Some(j) => {
                let theirs: serde_json::Value = serde_json::from_slice(src).unwrap_or_else(|e| {
                    panic!("{:?} read here, refused by serde_json: {e}", String::from_utf8_lossy(src))
                });
                assert_eq!(to_serde(&j), theirs, "{:?}", String::from_utf8_lossy(src));
                true
            }
            None => false,
        }
    }

    #[test]
    fn reads_plain_json_as_serde_json_does() {
        for ok in [
            r#"{}"#,
            r#" {"a" : [1, -0, 2.5, -1e3, 1E+2, 0.000001, 9223372036854775807, true, false, null]} "#,
            r#"{"s": "plain", "e": "q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00", "nested": {"x": [[], {}]}}"#,
            "[\"é ü ✓\"]",
            "\"just a string\"",
            "123",
        ] {
            assert!(agrees(ok.as_bytes()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_is_not_plainly_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "1e400",
            "9223372036854775808",
            "\u{feff}{}",
            "{\"a\":1,\"a\":2}",
            "\"tab\there\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\x41\"",
            "{} {}",
            "[1 2]",
            "{'a':1}",
            "tru",
        ] {
            assert!(json::parse(bad.as_bytes()).is_none(), "{bad:?} should be refused");
        }
        let deep = format!("{}{}", "[".repeat(150), "]".repeat(150));
        assert!(json::parse(deep.as_bytes()).is_none(), "nesting beyond the exact path's reader");
    }

    #[test]
    fn byte_mutations_never_read_differently() {
        let base = br#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"a":{"type":["string","null"],"enum":["x","y\u0041",1.5e2,-3]},"b":{"minimum":0,"items":[true,false]}}}"#;
        let alphabet = b"{}[]\",:\\/-+.eE0123456789 \tnulltruefalseu\x01\xc3\xa9";
        let mut state = 0x1234_5678_9abc_def0_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut doc = base.to_vec();
            for _ in 0..=(next() % 3) {
                let at = (next() % doc.len() as u64) as usize;
                match next() % 3 {
                    0 => doc[at] = alphabet[(next() % alphabet.len() as u64) as usize],
                    1 => {
                        doc.remove(at);
                    }
                    _ => doc.insert(at, alphabet[(next() % alphabet.len() as u64) as usize]),
                }
            }
            agrees(&doc);
        }
    }
}
