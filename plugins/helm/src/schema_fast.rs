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
//!   act on (`$id`, anchors, dynamic or recursive references, `format` where it asserts, `dependencies`,
//!   `contains`, `unevaluated*`, content keywords, a nested `$schema`) makes the answer "unsure";
//! * values are then validated with the validator's semantics: `integer` is any number without a fraction,
//!   lengths count characters, patterns are unanchored Go regular expressions, numbers compare exactly, draft-07
//!   `$ref` hides its siblings, `oneOf` wants exactly one match, and so on.
//!
//! The answer is only ever "valid" or "unsure": anything invalid, and anything this module cannot decide exactly
//! (a reference cycle, a non-integer `multipleOf`, a float that ties a limit), is handed to the exact validator,
//! which also writes Helm's messages. So a schema outside the subset costs what it did before, and an answer of
//! "valid" is the one the exact validator would give (a differential test in `tests/schema_fast.rs` holds the two
//! to that on mutated schemas and values).

use std::collections::{HashMap, HashSet};

use gotmpl::sprig::Regexp;
use serde_json::{Map, Number, Value};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Draft {
    D7,
    D2020,
}

/// The draft a root `$schema` names, as the validator maps it (`None`: a draft this module does not handle, or
/// not a draft at all).
fn draft_of(root: &Value) -> Option<Draft> {
    let Some(url) = root.as_object().and_then(|o| o.get("$schema")) else { return Some(Draft::D2020) };
    let url = url.as_str()?;
    let (base, frag) = url.split_once('#').unwrap_or((url, ""));
    if !frag.is_empty() {
        return None;
    }
    let rest = base.strip_prefix("http://").or_else(|| base.strip_prefix("https://")).unwrap_or(base);
    match rest {
        "json-schema.org/schema" | "json-schema.org/draft/2020-12/schema" => Some(Draft::D2020),
        "json-schema.org/draft-07/schema" => Some(Draft::D7),
        _ => None,
    }
}

/// Whether `values` certainly pass `schema` (parsed `values.schema.json`). `false` means invalid or undecided.
pub fn certainly_valid(schema: &Value, values: &Value) -> bool {
    let Some(draft) = draft_of(schema) else { return false };
    let mut checker = Checker { root: schema, draft, regexps: HashMap::new(), ref_targets: HashSet::new() };
    if !checker.schema(schema, true) {
        return false;
    }
    let v = Validator { root: schema, draft, regexps: &checker.regexps };
    v.valid(schema, values, 0) == Some(true)
}

/// Resolve a `$ref` that is a fragment-only JSON pointer (`#`, `#/$defs/name`) in `root`.
fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
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
            Value::Object(o) => o.get(&token)?,
            Value::Array(a) => a.get(go_atoi(&token)?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Go's `strconv.Atoi` for an array index: decimal digits with an optional sign (a sign makes it no index here).
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
struct Checker<'a> {
    root: &'a Value,
    draft: Draft,
    regexps: HashMap<&'a str, Regexp>,
    /// Targets of `$ref`s already followed (by address), so that each is checked once and cycles end.
    ref_targets: HashSet<*const Value>,
}

impl<'a> Checker<'a> {
    fn schema(&mut self, s: &'a Value, is_root: bool) -> bool {
        let o = match s {
            Value::Bool(_) => return true,
            Value::Object(o) => o,
            _ => return false,
        };
        o.iter().all(|(k, v)| self.keyword(k, v, is_root))
    }

    fn schemas_in_map(&mut self, v: &'a Value) -> bool {
        v.as_object().is_some_and(|m| m.values().all(|s| self.schema(s, false)))
    }

    fn schema_array(&mut self, v: &'a Value) -> bool {
        v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|s| self.schema(s, false)))
    }

    fn regexp(&mut self, pattern: &'a str) -> bool {
        if self.regexps.contains_key(pattern) {
            return true;
        }
        match Regexp::compile(pattern) {
            Some(re) => {
                self.regexps.insert(pattern, re);
                true
            }
            None => false,
        }
    }

    fn keyword(&mut self, k: &str, v: &'a Value, is_root: bool) -> bool {
        let d7 = self.draft == Draft::D7;
        match k {
            // Applied by the validator (see `Validator::valid`).
            "type" => match v {
                Value::String(t) => TYPE_NAMES.contains(&t.as_str()),
                Value::Array(ts) => {
                    !ts.is_empty()
                        && ts.iter().all(|t| t.as_str().is_some_and(|t| TYPE_NAMES.contains(&t)))
                        && unique(ts)
                }
                _ => false,
            },
            "enum" => v.is_array(),
            "const" | "default" => true,
            "multipleOf" => v.as_f64().is_some_and(|m| m > 0.0),
            "maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum" => v.is_number(),
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                non_negative_int(v).is_some()
            }
            "pattern" => v.as_str().is_some_and(|p| self.regexp(p)),
            "uniqueItems" => v.is_boolean(),
            "required" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string) && unique(a)),
            "properties" => self.schemas_in_map(v),
            "patternProperties" => {
                v.as_object().is_some_and(|m| m.keys().all(|p| self.regexp(p))) && self.schemas_in_map(v)
            }
            "additionalProperties" | "propertyNames" | "not" | "if" | "then" | "else" => self.schema(v, false),
            "allOf" | "anyOf" | "oneOf" => self.schema_array(v),
            "items" => match v {
                Value::Array(_) if d7 => self.schema_array(v),
                _ => self.schema(v, false),
            },
            "additionalItems" if d7 => self.schema(v, false),
            "prefixItems" if !d7 => self.schema_array(v),
            "dependentRequired" if !d7 => v.as_object().is_some_and(|m| {
                m.values().all(|a| a.as_array().is_some_and(|a| a.iter().all(Value::is_string) && unique(a)))
            }),
            "dependentSchemas" if !d7 => self.schemas_in_map(v),
            "$ref" => {
                let Some(target) = v.as_str().and_then(|r| resolve(self.root, r)) else { return false };
                let addr: *const Value = target;
                !self.ref_targets.insert(addr) || self.schema(target, false)
            }
            // Containers of schemas that are only reached through `$ref` (the meta-schemas check them).
            "$defs" | "definitions" => self.schemas_in_map(v),
            // Annotations, with the types the meta-schemas give them.
            "title" | "description" | "$comment" => v.is_string(),
            "readOnly" | "writeOnly" | "deprecated" => v.is_boolean(),
            "examples" => v.is_array(),
            // Only an annotation in 2020-12 (the validator asserts formats for draft-07 and older).
            "format" => !d7 && v.is_string(),
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
fn non_negative_int(v: &Value) -> Option<usize> {
    if let Some(u) = v.as_u64() {
        return usize::try_from(u).ok();
    }
    let f = v.as_f64()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (f >= 0.0 && f.fract() == 0.0 && f <= 9.0e15).then_some(f as usize)
}

fn unique(items: &[Value]) -> bool {
    items.iter().enumerate().all(|(i, a)| items.iter().skip(i + 1).all(|b| json_equal(a, b) == Some(false)))
}

/// JSON equality as the validator decides it (numbers by value). `None` when floats make it undecidable here.
fn json_equal(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y)? == std::cmp::Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y) {
                if !json_equal(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (k, p) in x {
                let Some(q) = y.get(k) else { return Some(false) };
                if !json_equal(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        _ => false,
    })
}

/// An exact integer, when the number is one that `f64` does not round.
fn exact_int(n: &Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    None
}

/// Compare two numbers as the validator does (exact rationals). Integers compare exactly; otherwise the `f64`
/// order is the exact order when it is strict (rounding to the nearest double is monotonic), and a tie between
/// two floats is undecided here (two different decimals can round to one double), as is anything beyond 2^53.
fn num_cmp(a: &Number, b: &Number) -> Option<std::cmp::Ordering> {
    if let (Some(x), Some(y)) = (exact_int(a), exact_int(b)) {
        return Some(x.cmp(&y));
    }
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    if !x.is_finite() || !y.is_finite() || x.abs() > EXACT || y.abs() > EXACT {
        return None;
    }
    match x.partial_cmp(&y)? {
        std::cmp::Ordering::Equal => {
            // An integer against a float that equals it: both are that integer exactly.
            let int_side = exact_int(a).is_some() || exact_int(b).is_some();
            int_side.then_some(std::cmp::Ordering::Equal)
        }
        o => Some(o),
    }
}

fn is_integer(n: &Number) -> bool {
    exact_int(n).is_some() || n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

fn type_matches(t: &str, v: &Value) -> bool {
    match (t, v) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_))
        | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => is_integer(n),
        _ => false,
    }
}

/// How many `$ref`s may be followed without descending into the values before the answer is "unsure" (the
/// validator reports a reference cycle where the same schema comes back for the same value).
const MAX_REF_CHAIN: u32 = 32;

struct Validator<'a> {
    root: &'a Value,
    draft: Draft,
    regexps: &'a HashMap<&'a str, Regexp>,
}

/// `Some(false)` unless every item is `Some(true)`; `None` when one is undecided and none is `Some(false)`.
macro_rules! require {
    ($e:expr) => {
        match $e {
            Some(true) => {}
            other => return other,
        }
    };
}

impl Validator<'_> {
    /// Whether `v` passes `s` (`None`: undecided). `refs` counts `$ref`s followed at this value.
    fn valid(&self, s: &Value, v: &Value, refs: u32) -> Option<bool> {
        let o: &Map<String, Value> = match s {
            Value::Bool(b) => return Some(*b),
            Value::Object(o) => o,
            _ => return None,
        };
        if let Some(r) = o.get("$ref") {
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
        if let Some(t) = o.get("type") {
            let ok = match t {
                Value::String(t) => type_matches(t, v),
                Value::Array(ts) => ts.iter().any(|t| t.as_str().is_some_and(|t| type_matches(t, v))),
                _ => return None,
            };
            if !ok {
                return Some(false);
            }
        }
        if let Some(c) = o.get("const") {
            require!(json_equal(v, c));
        }
        if let Some(e) = o.get("enum") {
            let mut undecided = false;
            let mut found = false;
            for item in e.as_array()? {
                match json_equal(v, item) {
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
            Value::Object(m) => require!(self.object(o, v, m, refs)),
            Value::Array(a) => require!(self.array(o, a)),
            Value::String(st) => require!(self.string(o, st)),
            Value::Number(n) => require!(number(o, n)),
            _ => {}
        }
        self.applicators(o, v, refs)
    }

    fn applicators(&self, o: &Map<String, Value>, v: &Value, refs: u32) -> Option<bool> {
        if let Some(n) = o.get("not") {
            require!(self.valid(n, v, refs).map(|b| !b));
        }
        if let Some(all) = o.get("allOf") {
            for s in all.as_array()? {
                require!(self.valid(s, v, refs));
            }
        }
        if let Some(any) = o.get("anyOf") {
            let mut undecided = false;
            let mut matched = false;
            for s in any.as_array()? {
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
        if let Some(one) = o.get("oneOf") {
            let mut matches = 0;
            for s in one.as_array()? {
                if self.valid(s, v, refs)? {
                    matches += 1;
                }
            }
            if matches != 1 {
                return Some(false);
            }
        }
        if let Some(cond) = o.get("if") {
            let branch = if self.valid(cond, v, refs)? { o.get("then") } else { o.get("else") };
            if let Some(b) = branch {
                require!(self.valid(b, v, refs));
            }
        }
        Some(true)
    }

    fn object(&self, o: &Map<String, Value>, v: &Value, m: &Map<String, Value>, refs: u32) -> Option<bool> {
        if let Some(n) = o.get("minProperties")
            && m.len() < non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(n) = o.get("maxProperties")
            && m.len() > non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(req) = o.get("required")
            && !req.as_array()?.iter().all(|k| k.as_str().is_some_and(|k| m.contains_key(k)))
        {
            return Some(false);
        }
        let props = o.get("properties").and_then(Value::as_object);
        let patterns = o.get("patternProperties").and_then(Value::as_object);
        let additional = o.get("additionalProperties");
        for (name, value) in m {
            let mut evaluated = false;
            if let Some(s) = props.and_then(|p| p.get(name)) {
                evaluated = true;
                require!(self.valid(s, value, 0));
            }
            if let Some(patterns) = patterns {
                for (p, s) in patterns {
                    if self.regexps.get(p.as_str())?.is_match(name) {
                        evaluated = true;
                        require!(self.valid(s, value, 0));
                    }
                }
            }
            if !evaluated && let Some(s) = additional {
                require!(self.valid(s, value, 0));
            }
        }
        if let Some(names) = o.get("propertyNames") {
            for name in m.keys() {
                require!(self.valid(names, &Value::String(name.clone()), 0));
            }
        }
        if self.draft == Draft::D2020 {
            if let Some(deps) = o.get("dependentSchemas").and_then(Value::as_object) {
                for (name, s) in deps {
                    if m.contains_key(name) {
                        require!(self.valid(s, v, refs));
                    }
                }
            }
            if let Some(deps) = o.get("dependentRequired").and_then(Value::as_object) {
                for (name, needs) in deps {
                    if m.contains_key(name)
                        && !needs.as_array()?.iter().all(|k| k.as_str().is_some_and(|k| m.contains_key(k)))
                    {
                        return Some(false);
                    }
                }
            }
        }
        Some(true)
    }

    fn array(&self, o: &Map<String, Value>, a: &[Value]) -> Option<bool> {
        if let Some(n) = o.get("minItems")
            && a.len() < non_negative_int(n)?
        {
            return Some(false);
        }
        if let Some(n) = o.get("maxItems")
            && a.len() > non_negative_int(n)?
        {
            return Some(false);
        }
        if o.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            for (i, x) in a.iter().enumerate() {
                for y in &a[i + 1..] {
                    if json_equal(x, y)? {
                        return Some(false);
                    }
                }
            }
        }
        let (tuple, rest): (&[Value], Option<&Value>) = match (self.draft, o.get("items")) {
            (Draft::D7, Some(Value::Array(t))) => (t, o.get("additionalItems")),
            (Draft::D7, items) => (&[], items),
            (Draft::D2020, items) => (o.get("prefixItems").and_then(Value::as_array).map_or(&[], Vec::as_slice), items),
        };
        for (i, item) in a.iter().enumerate() {
            let s = match tuple.get(i) {
                Some(s) => s,
                None => match rest {
                    Some(s) => s,
                    None => break,
                },
            };
            require!(self.valid(s, item, 0));
        }
        Some(true)
    }

    fn string(&self, o: &Map<String, Value>, st: &str) -> Option<bool> {
        if o.contains_key("minLength") || o.contains_key("maxLength") {
            let len = st.chars().count();
            if let Some(n) = o.get("minLength")
                && len < non_negative_int(n)?
            {
                return Some(false);
            }
            if let Some(n) = o.get("maxLength")
                && len > non_negative_int(n)?
            {
                return Some(false);
            }
        }
        if let Some(p) = o.get("pattern")
            && !self.regexps.get(p.as_str()?)?.is_match(st)
        {
            return Some(false);
        }
        Some(true)
    }
}

fn number(o: &Map<String, Value>, n: &Number) -> Option<bool> {
    use std::cmp::Ordering::{Greater, Less};
    let limit = |k: &str| o.get(k).map(|l| l.as_number().and_then(|l| num_cmp(n, l)));
    if let Some(c) = limit("minimum") {
        require!(Some(c? != Less));
    }
    if let Some(c) = limit("maximum") {
        require!(Some(c? != Greater));
    }
    if let Some(c) = limit("exclusiveMinimum") {
        require!(Some(c? == Greater));
    }
    if let Some(c) = limit("exclusiveMaximum") {
        require!(Some(c? == Less));
    }
    if let Some(m) = o.get("multipleOf") {
        // Only integers are decided here (the validator divides exact decimals).
        let (x, m) = (exact_int(n)?, exact_int(m.as_number()?)?);
        if m <= 0 || x % m != 0 {
            return if m <= 0 { None } else { Some(false) };
        }
    }
    Some(true)
}
