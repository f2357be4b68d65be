//! `values.schema.json` validation (`pkg/chart/common/util/jsonschema.go`).
//!
//! Every chart with a schema validates its own slice of the coalesced values: the root chart the whole tree, a
//! subchart the table under its name (including the `global` table coalescing copies into it). Without `$schema`
//! the draft is 2020-12. Format assertions follow the draft (on for draft 4/6/7, off for 2019-09 and 2020-12), as
//! in the validator Helm uses. External references are not fetched.
//!
//! Messages imitate Helm's validator (`- at '/ports/web': additional properties 'redirections' not allowed`), one
//! line per failed keyword, grouped per chart.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use kiln_yaml::{Map, Value};

use crate::chart::Chart;
use crate::gofmt::format_float64_g;

/// Convert values to `serde_json` for the validator. Helm hands the validator the values' JSON encoding, in which
/// a float with an integral value is written as an integer (`replicas: 2.0` is `2`): such floats become integers,
/// which `type: integer` accepts in every draft.
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Uint(u) => serde_json::Value::from(*u),
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => serde_json::Value::from(*f as i64),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// Go's `%q` with the validator's tweaks: single quotes, `"` unescaped, `'` escaped.
fn quote(s: &str) -> String {
    let q = kiln_helm_values::go_quote(s);
    let inner = q.get(1..q.len().saturating_sub(1)).unwrap_or("");
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn join_quoted<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(quote).collect::<Vec<_>>().join(", ")
}

/// `%v` of a JSON value as the validator prints primitives.
fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => "value".into(),
        serde_json::Value::Null => "<nil>".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => number(n),
    }
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format_float64_g(n.as_f64().unwrap_or(0.0))
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn message(kind: &ValidationErrorKind, instance: &serde_json::Value) -> String {
    use ValidationErrorKind as K;
    let len = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.chars().count(),
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o.len(),
        _ => 0,
    };
    match kind {
        K::AdditionalItems { limit } => {
            format!("last {} additionalItem(s) not allowed", len(instance).saturating_sub(*limit))
        }
        K::AdditionalProperties { unexpected } => {
            format!("additional properties {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::AnyOf { .. } => "'anyOf' failed".into(),
        K::Constant { expected_value } => match &**expected_value {
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => "'const' failed".into(),
            v => format!("value must be {}", display(v)),
        },
        K::Contains => "no items match contains schema".into(),
        K::Enum { options } => match &**options {
            serde_json::Value::Array(opts) if opts.iter().all(|o| !o.is_array() && !o.is_object()) => {
                if opts.len() == 1 {
                    format!("value must be {}", opts.first().map(display).unwrap_or_default())
                } else {
                    format!("value must be one of {}", opts.iter().map(display).collect::<Vec<_>>().join(", "))
                }
            }
            _ => "'enum' failed".into(),
        },
        K::ExclusiveMaximum { limit } => {
            format!("exclusiveMaximum: got {}, want {}", display(instance), display(limit))
        }
        K::ExclusiveMinimum { limit } => {
            format!("exclusiveMinimum: got {}, want {}", display(instance), display(limit))
        }
        K::FalseSchema => "false schema".into(),
        K::Format { format } => format!("{} is not valid {format}", display(instance)),
        K::MaxItems { limit } => format!("maxItems: got {}, want {limit}", len(instance)),
        K::Maximum { limit } => format!("maximum: got {}, want {}", display(instance), display(limit)),
        K::MaxLength { limit } => format!("maxLength: got {}, want {limit}", len(instance)),
        K::MaxProperties { limit } => format!("maxProperties: got {}, want {limit}", len(instance)),
        K::MinItems { limit } => format!("minItems: got {}, want {limit}", len(instance)),
        K::Minimum { limit } => format!("minimum: got {}, want {}", display(instance), display(limit)),
        K::MinLength { limit } => format!("minLength: got {}, want {limit}", len(instance)),
        K::MinProperties { limit } => format!("minProperties: got {}, want {limit}", len(instance)),
        K::Not { .. } => "'not' failed".into(),
        K::OneOfMultipleValid { context } => {
            let mut valid = context.iter().enumerate().filter(|(_, errors)| errors.is_empty()).map(|(i, _)| i);
            match (valid.next(), valid.next()) {
                (Some(a), Some(b)) => format!("'oneOf' failed, subschemas {a}, {b} matched"),
                _ => "'oneOf' failed, multiple subschemas matched".into(),
            }
        }
        K::OneOfNotValid { .. } => "'oneOf' failed, none matched".into(),
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            instance.as_str().map(quote).unwrap_or_else(|| display(instance)),
            quote(pattern)
        ),
        K::PropertyNames { error } => match error.instance().as_str() {
            Some(name) => format!("invalid propertyName {}", quote(name)),
            None => "invalid propertyName".into(),
        },
        K::Required { property } => {
            format!("missing property {}", property.as_str().map(quote).unwrap_or_else(|| display(property)))
        }
        K::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            };
            format!("got {}, want {want}", json_type(instance))
        }
        K::UnevaluatedItems { unexpected } => {
            format!("unevaluated items {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::UnevaluatedProperties { unexpected } => {
            format!("unevaluated properties {} not allowed", join_quoted(unexpected.iter().map(String::as_str)))
        }
        K::UniqueItems => match instance.as_array().and_then(|a| first_duplicate(a)) {
            Some((i, j)) => format!("items at {i} and {j} are equal"),
            None => "items are not unique".into(),
        },
        other => format!("{other:?}"),
    }
}

/// Validate `values` against one schema document. `Err` holds the lines to print under the chart's name.
///
/// Values that [`crate::schema_fast`] finds certainly valid are done with; everything else (failures, and schemas
/// outside its subset) goes through the exact validator, which also writes the report.
pub fn validate_single(values: &Map, schema: &[u8]) -> Result<(), String> {
    validate_with(values, schema, true)
}

/// [`validate_single`] without the fast path: the exact validator alone (tests compare the two).
pub fn validate_single_exact(values: &Map, schema: &[u8]) -> Result<(), String> {
    validate_with(values, schema, false)
}

/// Whether the fast path alone accepts `values` (tests compare it with the exact validator).
pub fn fast_path_accepts(values: &Map, schema: &[u8]) -> bool {
    crate::schema_fast::certainly_valid(schema, values)
}

fn instance(values: &Map) -> serde_json::Value {
    serde_json::Value::Object(values.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

fn validate_with(values: &Map, schema: &[u8], fast: bool) -> Result<(), String> {
    if fast && crate::schema_fast::certainly_valid(schema, values) {
        return Ok(());
    }
    let schema: serde_json::Value = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    meta_problems(&schema)?;
    let instance = instance(values);
    let validator = jsonschema::options().build(&schema).map_err(|e| format!("jsonschema: {e}"))?;
    let raw: Vec<jsonschema::ValidationError<'_>> = validator.iter_errors(&instance).collect();
    let errors: Vec<Failure<'_>> = raw.iter().map(Failure::new).collect();
    if errors.is_empty() {
        return Ok(());
    }
    let docs = Docs { schema: &schema, values: &instance };
    let mut entries = node_entries(&docs, &errors.iter().collect::<Vec<_>>(), 0, 0);
    // The whole document is one schema: when it failed once and that failure groups several, the validator
    // prints the group's members at the top level.
    if let [only] = entries.as_mut_slice()
        && only.group
    {
        entries = std::mem::take(&mut only.causes);
    }
    let mut out = String::new();
    for e in &entries {
        e.write(&mut out, 0);
    }
    Err(out)
}

/// The meta-schema Helm's validator checks a document against, as it names it in reports, and its draft (4, 6, 7,
/// 2019, 2020). `None` for a `$schema` it does not know.
fn meta_schema(schema: &serde_json::Value) -> Option<(&'static str, u16)> {
    let (version, url) = match schema.get("$schema") {
        None => (2020, "https://json-schema.org/draft/2020-12/schema#"),
        Some(u) => crate::schema_fast::draft_from_url(u.as_str()?)?,
    };
    Some((url, version))
}

/// Meta-schema failures of the kinds charts make, reported as Helm's validator (santhosh-tekuri/jsonschema v6)
/// reports them: `pattern`s and `patternProperties` names Go's `regexp` refuses (the meta-schemas' `format: regex`,
/// checked with Go's engine, so a look-ahead that the `jsonschema` crate accepts fails the render there), `type`
/// values that are not a simple type or a non-empty list of distinct ones (`"int"`, `"bool"`), empty or mistyped
/// schema lists and maps (`allOf: []`, `properties: []`), and non-schemas where a schema belongs. The report mirrors the validator's tree (see [`MetaWalk`]); where several failures sit side
/// by side the validator's order comes from Go maps and varies between runs, and kiln keeps the document's. Other
/// meta-schema failures are left to the `jsonschema` crate. Drafts 4 and 6 do not check `patternProperties` names
/// against the meta-schema; the validator refuses them when it compiles the schema, which is reported too.
fn meta_problems(schema: &serde_json::Value) -> Result<(), String> {
    let Some((meta, draft)) = meta_schema(schema) else { return Ok(()) };
    let walker = MetaWalk { draft, budget: std::cell::Cell::new(20_000) };
    let Some(root) = walker.node(schema, "") else {
        if draft <= 6
            && let Some((at, name, e)) = first_bad_pattern_name(schema, String::new(), draft, 0)
        {
            return Err(format!(
                "invalid regex {} at \"file:///values.schema.json#{at}\": {e}",
                kiln_helm_values::go_quote(&name)
            ));
        }
        return Ok(());
    };
    let mut out = format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with '{meta}'\n"
    );
    // The validator lists the root's failures unwrapped.
    let top = if root.group { root.causes } else { vec![root] };
    for e in &top {
        e.write(&mut out, 0);
    }
    out.pop();
    Err(out)
}

/// The first `patternProperties` name Go's `regexp` refuses, at the schema positions drafts 4 and 6 compile.
fn first_bad_pattern_name(
    s: &serde_json::Value,
    at: String,
    draft: u16,
    depth: usize,
) -> Option<(String, String, String)> {
    let serde_json::Value::Object(o) = s else { return None };
    if depth > 200 {
        return None;
    }
    for (k, v) in o {
        let here = format!("{at}/{}", pointer_token(k));
        let found = match k.as_str() {
            "patternProperties" => {
                let Some(m) = v.as_object() else { continue };
                if let Some((name, e)) =
                    m.keys().find_map(|n| gotmpl::sprig::Regexp::compile(n).err().map(|e| (n.clone(), e)))
                {
                    return Some((here, name, e));
                }
                m.iter().find_map(|(n, sub)| {
                    first_bad_pattern_name(sub, format!("{here}/{}", pointer_token(n)), draft, depth + 1)
                })
            }
            "properties" | "definitions" => v.as_object().and_then(|m| {
                m.iter().find_map(|(n, sub)| {
                    first_bad_pattern_name(sub, format!("{here}/{}", pointer_token(n)), draft, depth + 1)
                })
            }),
            "allOf" | "anyOf" | "oneOf" | "items" if v.is_array() => v.as_array().and_then(|l| {
                l.iter()
                    .enumerate()
                    .find_map(|(i, sub)| first_bad_pattern_name(sub, format!("{here}/{i}"), draft, depth + 1))
            }),
            "items" | "additionalProperties" | "additionalItems" | "not" => {
                first_bad_pattern_name(v, here, draft, depth + 1)
            }
            "contains" | "propertyNames" if draft >= 6 => first_bad_pattern_name(v, here, draft, depth + 1),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// JSON-pointer escaping of one token.
fn pointer_token(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}

/// The simple types of every draft's meta-schema, as its `enum` lists them.
const SIMPLE_TYPES: [&str; 7] = ["array", "boolean", "integer", "null", "number", "object", "string"];

fn entry(at: &str, msg: String, causes: Vec<Entry>) -> Entry {
    Entry { at: at.to_owned(), msg, causes, group: false }
}

/// A schema's failures as the validator returns them: one is itself, several are a group (`validation failed`)
/// at the instance the schema was applied to.
fn group(at: &str, mut errors: Vec<Entry>) -> Option<Entry> {
    match errors.len() {
        0 => None,
        1 => errors.pop(),
        _ => Some(Entry { at: at.to_owned(), msg: "validation failed".to_owned(), causes: errors, group: true }),
    }
}

/// A failure coming back through a reference (`$ref`, `$dynamicRef`, `$recursiveRef`) evaluated at `at`: a group
/// is re-homed there (the validator replaces it by the reference's own error, with the group's causes); anything
/// else passes through (the one-cause reference is not printed).
fn via_ref(at: &str, e: Entry) -> Entry {
    if e.group { entry(at, "validation failed".to_owned(), e.causes) } else { e }
}

/// The validator's walk of a schema document against its draft's meta-schema, for the failures modelled here.
///
/// Every schema position is the meta-schema's root applied to it. From 2019-09 on the root is `allOf` over the
/// vocabularies (core, applicator, unevaluated in 2020-12, validation), each through a `$ref`, so a failing
/// position reads `'allOf' failed` over the failing vocabularies; `definitions` sits beside the `allOf`. An object
/// of schemas (`properties`, `$defs`, ...) is validated at its own position (its failures group there), a list of
/// schemas (`allOf`, ...) through `$ref: schemaArray` (its group stays at the list), and a single schema (`not`,
/// `items` in 2020-12, ...) through the recursive reference. Up to 2019-09 `items` is `anyOf` of a schema and a
/// list of schemas.
struct MetaWalk {
    /// The draft: 4, 6, 7, 2019 or 2020.
    draft: u16,
    /// Schema positions left to visit (a bound on pathological documents).
    budget: std::cell::Cell<u32>,
}

impl MetaWalk {
    /// The meta-schema's root applied at `at` (as the validator returns it, before any reference re-homes it).
    fn node(&self, s: &serde_json::Value, at: &str) -> Option<Entry> {
        let serde_json::Value::Object(o) = s else { return None };
        let left = self.budget.get();
        if left == 0 {
            return None;
        }
        self.budget.set(left - 1);
        let (d, nested) = (self.draft, self.draft >= 2019);
        // Vocabularies (core, applicator, unevaluated, validation), or everything when not nested.
        let mut vocab: [Vec<Entry>; 4] = Default::default();
        let mut own = Vec::new();
        for (k, v) in o {
            let here = format!("{at}/{}", pointer_token(k));
            let (slot, found): (usize, Option<Entry>) = match k.as_str() {
                "type" => (3, type_problem(v, &here)),
                "pattern" => (3, v.as_str().and_then(|p| regex_problem(p, &here))),
                "patternProperties" => (1, self.object(v, &here, d >= 7)),
                "$defs" if nested => (0, self.object(v, &here, false)),
                "definitions" if nested => {
                    own.extend(self.object(v, &here, false));
                    continue;
                }
                "definitions" | "properties" => (1, self.object(v, &here, false)),
                "dependentSchemas" if nested => (1, self.object(v, &here, false)),
                "allOf" | "anyOf" | "oneOf" => (1, self.list(v, &here)),
                "prefixItems" if d >= 2020 => (1, self.list(v, &here)),
                "items" if d <= 2019 => (1, self.items_up_to_2019(v, &here)),
                "unevaluatedItems" | "unevaluatedProperties" if d >= 2019 => {
                    (if d >= 2020 { 2 } else { 1 }, self.child(v, &here))
                }
                "additionalItems" | "additionalProperties" if d == 4 => (1, self.bool_or_schema(v, &here)),
                "additionalItems" if d <= 2019 => (1, self.child(v, &here)),
                "contains" | "propertyNames" if d >= 6 => (1, self.child(v, &here)),
                "if" | "then" | "else" if d >= 7 => (1, self.child(v, &here)),
                "items" | "additionalProperties" | "not" => (1, self.child(v, &here)),
                _ => continue,
            };
            let Some(found) = found else { continue };
            match vocab.get_mut(slot) {
                Some(list) if nested => list.push(found),
                _ => own.push(found),
            }
        }
        if !nested {
            return group(at, own);
        }
        let failed: Vec<Entry> = vocab.into_iter().filter_map(|v| group(at, v).map(|e| via_ref(at, e))).collect();
        let mut errors = Vec::new();
        if !failed.is_empty() {
            errors.push(entry(at, "'allOf' failed".to_owned(), failed));
        }
        errors.extend(own);
        group(at, errors)
    }

    /// A schema reached through the recursive reference, applied at `at`. Something else than a schema fails the
    /// meta-schema's `type` (booleans are schemas from draft 6 on).
    fn child(&self, s: &serde_json::Value, at: &str) -> Option<Entry> {
        match s {
            serde_json::Value::Object(_) => self.node(s, at).map(|e| via_ref(at, e)),
            serde_json::Value::Bool(_) if self.draft >= 6 => None,
            other => Some(self.not_a_schema(other, at)),
        }
    }

    fn not_a_schema(&self, v: &serde_json::Value, at: &str) -> Entry {
        let want = if self.draft >= 6 { "boolean or object" } else { "object" };
        entry(at, format!("got {}, want {want}", json_type(v)), Vec::new())
    }

    /// Draft 4's `additionalProperties`/`additionalItems`: `anyOf` of a boolean and a schema.
    fn bool_or_schema(&self, v: &serde_json::Value, at: &str) -> Option<Entry> {
        if v.is_boolean() {
            return None;
        }
        let failure = self.child(v, at)?;
        let other = entry(at, format!("got {}, want boolean", json_type(v)), Vec::new());
        Some(entry(at, "'anyOf' failed".to_owned(), vec![other, failure]))
    }

    /// An object of schemas (`properties`, `$defs`, ...) at `at`; `names`: its keys must be Go regexps
    /// (`patternProperties` from draft 7 on: `propertyNames: {format: regex}`, reported at the document's root
    /// because the validator checks each name as a document of its own).
    fn object(&self, v: &serde_json::Value, at: &str, names: bool) -> Option<Entry> {
        let Some(m) = v.as_object() else {
            return Some(entry(at, format!("got {}, want object", json_type(v)), Vec::new()));
        };
        let mut errors: Vec<Entry> =
            m.iter().filter_map(|(name, sub)| self.child(sub, &format!("{at}/{}", pointer_token(name)))).collect();
        if names {
            for name in m.keys() {
                if let Some(cause) = regex_problem(name, "") {
                    errors.push(entry("", format!("invalid propertyName {}", quote(name)), vec![cause]));
                }
            }
        }
        group(at, errors)
    }

    /// A list of schemas (`allOf`, ...) at `at`, through `$ref: schemaArray` (`type: array, minItems: 1`).
    fn list(&self, v: &serde_json::Value, at: &str) -> Option<Entry> {
        let Some(items) = v.as_array() else {
            return Some(entry(at, format!("got {}, want array", json_type(v)), Vec::new()));
        };
        let mut errors = Vec::new();
        if items.is_empty() {
            errors.push(entry(at, "minItems: got 0, want 1".to_owned(), Vec::new()));
        }
        errors.extend(items.iter().enumerate().filter_map(|(i, sub)| self.child(sub, &format!("{at}/{i}"))));
        group(at, errors).map(|e| via_ref(at, e))
    }

    /// `items` up to 2019-09: `anyOf` of a schema and a list of schemas; when both fail, both branches' failures.
    fn items_up_to_2019(&self, v: &serde_json::Value, at: &str) -> Option<Entry> {
        let as_schema = self.child(v, at)?;
        let as_list = self.list(v, at)?;
        Some(entry(at, "'anyOf' failed".to_owned(), vec![as_schema, as_list]))
    }
}

fn regex_problem(pattern: &str, at: &str) -> Option<Entry> {
    let e = gotmpl::sprig::Regexp::compile(pattern).err()?;
    Some(entry(at, format!("{} is not valid regex: {e}", quote(pattern)), Vec::new()))
}

/// `type` against `anyOf: [simpleTypes, {type: array, items: simpleTypes, minItems: 1, uniqueItems: true}]`.
fn type_problem(v: &serde_json::Value, at: &str) -> Option<Entry> {
    let simple = |v: &serde_json::Value| v.as_str().is_some_and(|t| SIMPLE_TYPES.contains(&t));
    let one_of = || {
        let list = SIMPLE_TYPES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        format!("value must be one of {list}")
    };
    let as_list = match v {
        _ if simple(v) => return None,
        serde_json::Value::Array(items) => {
            let mut errors = Vec::new();
            if items.is_empty() {
                errors.push(entry(at, "minItems: got 0, want 1".to_owned(), Vec::new()));
            }
            if let Some((i, j)) = first_duplicate(items) {
                errors.push(entry(at, format!("items at {i} and {j} are equal"), Vec::new()));
            }
            for (i, item) in items.iter().enumerate() {
                if !simple(item) {
                    errors.push(entry(&format!("{at}/{i}"), one_of(), Vec::new()));
                }
            }
            group(at, errors)?
        }
        other => entry(at, format!("got {}, want array", json_type(other)), Vec::new()),
    };
    Some(entry(at, "'anyOf' failed".to_owned(), vec![entry(at, one_of(), Vec::new()), as_list]))
}

/// The schema and the values being validated, for the details a failure does not carry.
struct Docs<'d> {
    schema: &'d serde_json::Value,
    values: &'d serde_json::Value,
}

/// One reported failure: where in the values, what, and the failures under it (the validator Helm uses prints a
/// tree: `validation failed` over several failures of one schema, `'anyOf' failed` over each branch's).
struct Entry {
    at: String,
    msg: String,
    causes: Vec<Entry>,
    group: bool,
}

impl Entry {
    fn write(&self, out: &mut String, depth: usize) {
        if depth > 0 {
            out.push('\n');
        }
        for _ in 0..depth {
            out.push_str("  ");
        }
        out.push_str(&format!("- at {}: {}", quote(&self.at), self.msg));
        for c in &self.causes {
            c.write(out, depth + 1);
        }
        if depth == 0 {
            out.push('\n');
        }
    }
}

/// A validation error with its evaluation path (through `$ref`s) split into keywords and its instance path split
/// into tokens.
struct Failure<'e> {
    error: &'e jsonschema::ValidationError<'e>,
    eval: Vec<String>,
    instance: Vec<String>,
}

impl<'e> Failure<'e> {
    fn new(error: &'e jsonschema::ValidationError<'e>) -> Self {
        let eval = pointer_tokens(&error.evaluation_path().to_string());
        let instance = pointer_tokens(&error.instance_path().to_string());
        Failure { error, eval, instance }
    }
}

fn pointer_tokens(p: &str) -> Vec<String> {
    p.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

fn pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect()
}

/// How many evaluation-path tokens an applicator takes, and whether it descends into a member of the instance.
fn applicator(eval: &[String]) -> (usize, bool) {
    match eval.first().map(String::as_str) {
        Some("properties" | "patternProperties") => (2, true),
        Some("prefixItems") => (2, true),
        Some("items") if eval.get(1).is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) => {
            (2, true)
        }
        Some("items" | "additionalItems" | "additionalProperties" | "contains") => (1, true),
        Some("unevaluatedProperties" | "unevaluatedItems") => (1, true),
        Some("allOf" | "anyOf" | "oneOf" | "dependentSchemas" | "dependencies" | "$defs" | "definitions") => (2, false),
        _ => (1, false),
    }
}

/// The order in which the validator Helm uses checks a schema's keywords.
fn rank(keyword: &str) -> u8 {
    match keyword {
        "type" => 0,
        "const" => 1,
        "enum" => 2,
        "format" => 3,
        "$ref" => 4,
        "minProperties" => 10,
        "maxProperties" => 11,
        "required" => 12,
        "dependencies" => 13,
        "properties" | "patternProperties" => 14,
        "additionalProperties" => 15,
        "propertyNames" => 16,
        "dependentSchemas" => 17,
        "dependentRequired" => 18,
        "minItems" => 20,
        "maxItems" => 21,
        "uniqueItems" => 22,
        "items" | "prefixItems" | "additionalItems" => 23,
        "contains" | "minContains" | "maxContains" => 24,
        "minLength" => 30,
        "maxLength" => 31,
        "pattern" => 32,
        "contentEncoding" | "contentMediaType" | "contentSchema" => 33,
        "minimum" => 40,
        "maximum" => 41,
        "exclusiveMinimum" => 42,
        "exclusiveMaximum" => 43,
        "multipleOf" => 44,
        "$dynamicRef" | "$recursiveRef" => 50,
        "not" => 51,
        "allOf" => 52,
        "anyOf" => 53,
        "oneOf" => 54,
        "if" | "then" | "else" => 55,
        "unevaluatedProperties" => 60,
        "unevaluatedItems" => 61,
        _ => 70,
    }
}

/// The failures of one schema applied to one value: `errors` all evaluate below the schema at `base` evaluation
/// tokens, on the value at `depth` instance tokens. The validator stops at the first failing `type`, `const`,
/// `enum` or `format` keyword; otherwise every keyword's failure counts, a subschema's failures as one (several
/// grouped under `validation failed`), in keyword order.
fn node_entries(docs: &Docs<'_>, errors: &[&Failure<'_>], base: usize, depth: usize) -> Vec<Entry> {
    // A keyword of this schema failed (or the schema is `false` itself).
    let own: Vec<&Failure<'_>> = errors.iter().copied().filter(|f| f.eval.len() <= base + 1).collect();
    for stop in ["type", "const", "enum", "format"] {
        if let Some(f) = own.iter().find(|f| f.eval.get(base).is_some_and(|k| k == stop)) {
            return vec![leaf(docs, f, depth)];
        }
    }
    let mut ranked: Vec<(u8, Entry)> = Vec::new();
    let mut required: Vec<&Failure<'_>> = Vec::new();
    for f in &own {
        let keyword = f.eval.get(base).map(String::as_str).unwrap_or("");
        match f.error.kind() {
            ValidationErrorKind::Required { .. } => required.push(f),
            ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                // Each unevaluated property fails the `false` schema on its own.
                for name in unexpected {
                    let mut at = f.instance.clone();
                    at.push(name.clone());
                    ranked.push((
                        rank(keyword),
                        Entry { at: pointer(&at), msg: "false schema".into(), causes: Vec::new(), group: false },
                    ));
                }
            }
            _ => ranked.push((rank(keyword), leaf(docs, f, depth))),
        }
    }
    ranked.extend(required_entries(docs, &required));
    // Subschemas: group the deeper failures by the applicator (and member of the value) they went through.
    let mut children: Vec<(&[String], &[String], Vec<&Failure<'_>>)> = Vec::new();
    for &f in errors {
        if f.eval.len() <= base + 1 {
            continue;
        }
        let (take, descends) = applicator(&f.eval[base..]);
        let key = &f.eval[base..(base + take).min(f.eval.len())];
        let at = &f.instance[..(depth + usize::from(descends)).min(f.instance.len())];
        match children.iter_mut().find(|(k, a, _)| *k == key && *a == at) {
            Some((_, _, members)) => members.push(f),
            None => children.push((key, at, vec![f])),
        }
    }
    let mut all_of: Vec<Entry> = Vec::new();
    for (key, at, members) in children {
        let entries = node_entries(docs, &members, base + key.len(), at.len());
        let Some(entry) = one_entry(pointer(at), entries) else { continue };
        if key.first().is_some_and(|k| k == "allOf") {
            all_of.push(entry);
        } else {
            ranked.push((rank(key.first().map(String::as_str).unwrap_or("")), entry));
        }
    }
    if !all_of.is_empty() {
        let at = errors.first().map(|f| pointer(f.instance.get(..depth).unwrap_or(&f.instance))).unwrap_or_default();
        ranked.push((rank("allOf"), Entry { at, msg: "'allOf' failed".into(), causes: all_of, group: false }));
    }
    ranked.sort_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, e)| e).collect()
}

/// A subschema's failures as one: itself when alone, else grouped under `validation failed`.
fn one_entry(at: String, mut entries: Vec<Entry>) -> Option<Entry> {
    match entries.len() {
        0 => None,
        1 => entries.pop(),
        _ => Some(Entry { at, msg: "validation failed".into(), causes: entries, group: true }),
    }
}

/// The report line of one keyword's failure, with the failures of the branches it names (`anyOf`, `oneOf`) or
/// of the property name (`propertyNames`).
fn leaf(docs: &Docs<'_>, f: &Failure<'_>, depth: usize) -> Entry {
    let at = pointer(&f.instance);
    let instance = f.error.instance();
    let keyword = f.eval.last().map(String::as_str).unwrap_or("");
    let mut causes = Vec::new();
    let msg = match f.error.kind() {
        ValidationErrorKind::FalseSchema if keyword == "additionalProperties" => {
            // `additionalProperties: false` beside no `properties`: every member is unexpected.
            let declared = docs
                .schema
                .pointer(&f.error.schema_path().to_string())
                .and_then(|node| node.get("properties"))
                .and_then(serde_json::Value::as_object);
            let object = docs.values.pointer(&at).unwrap_or(instance);
            let names: Vec<&str> = object
                .as_object()
                .map(|o| {
                    o.keys().map(String::as_str).filter(|k| declared.is_none_or(|d| !d.contains_key(*k))).collect()
                })
                .unwrap_or_default();
            format!("additional properties {} not allowed", join_quoted(names))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            for branch in context {
                let failures: Vec<Failure<'_>> = branch.iter().map(Failure::new).collect();
                let refs: Vec<&Failure<'_>> = failures.iter().collect();
                let entries = node_entries(docs, &refs, f.eval.len() + 1, depth);
                causes.extend(one_entry(at.clone(), entries));
            }
            message(f.error.kind(), instance)
        }
        ValidationErrorKind::PropertyNames { error } => {
            // The name is validated as a value of its own, at the top of its own document.
            causes.push(Entry {
                at: String::new(),
                msg: message(error.kind(), error.instance()),
                causes: Vec::new(),
                group: false,
            });
            message(f.error.kind(), instance)
        }
        kind => message(kind, instance),
    };
    Entry { at, msg, causes, group: false }
}

/// `required` failures of one schema as one line; `dependentRequired`/`dependencies` failures as one line per
/// property that requires others.
fn required_entries(docs: &Docs<'_>, failures: &[&Failure<'_>]) -> Vec<(u8, Entry)> {
    let mut out: Vec<(u8, String, Option<String>, Vec<String>)> = Vec::new();
    for f in failures {
        let ValidationErrorKind::Required { property } = f.error.kind() else { continue };
        let missing = property.as_str().map(str::to_owned).unwrap_or_else(|| display(property));
        let keyword = f.eval.last().map(String::as_str).unwrap_or("required");
        let at = pointer(&f.instance);
        let trigger = if keyword == "required" {
            None
        } else {
            // Which present property asked for the missing one.
            docs.schema.pointer(&f.error.schema_path().to_string()).and_then(serde_json::Value::as_object).and_then(
                |deps| {
                    deps.iter()
                        .find(|(k, v)| {
                            f.error.instance().get(k.as_str()).is_some()
                                && v.as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(missing.as_str())))
                        })
                        .map(|(k, _)| k.clone())
                },
            )
        };
        match out.iter_mut().find(|(_, a, t, _)| *a == at && *t == trigger) {
            Some((_, _, _, names)) => names.push(missing),
            None => out.push((rank(keyword), at, trigger, vec![missing])),
        }
    }
    out.into_iter()
        .map(|(r, at, trigger, names)| {
            let list = join_quoted(names.iter().map(String::as_str));
            let msg = match (&trigger, names.len()) {
                (Some(t), _) => format!("properties {list} required, if {} exists", quote(t)),
                (None, 1) => format!("missing property {list}"),
                (None, _) => format!("missing properties {list}"),
            };
            (r, Entry { at, msg, causes: Vec::new(), group: false })
        })
        .collect()
}

/// The first two equal items, as the validator looks for them.
fn first_duplicate(items: &[serde_json::Value]) -> Option<(usize, usize)> {
    (0..items.len()).find_map(|i| ((i + 1)..items.len()).find(|&j| items[i] == items[j]).map(|j| (i, j)))
}

/// `ValidateAgainstSchema`: the chart's schema, then each subchart's against its table. Returns the combined
/// report (empty when valid).
pub fn validate(chart: &Chart, values: &Map) -> String {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        sb.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Map(m)) => sb.push_str(&validate(sub, m)),
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                crate::gofmt::go_type_name(other)
            )),
        }
    }
    sb
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expectations printed by helm v4.1.4 (`helm template` on a chart with each schema).
    #[test]
    fn patterns_go_refuses_fail_like_helm() {
        let head = "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with";
        let values = Map::new();
        let nested = br#"{"type":"object","properties":{"a":{"properties":{"name":{"pattern":"(?!x)"}}}}}"#;
        assert_eq!(
            validate_single(&values, nested).unwrap_err(),
            format!(
                "{head} 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at '/properties/a': \
                 'allOf' failed\n    - at '/properties/a/properties/name': 'allOf' failed\n      - at \
                 '/properties/a/properties/name/pattern': '(?!x)' is not valid regex: error parsing regexp: invalid or \
                 unsupported Perl syntax: `(?!`"
            )
        );
        let draft7 =
            br#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"n":{"pattern":"^(?!-)[a-z]+$"}}}"#;
        assert_eq!(
            validate_single(&values, draft7).unwrap_err(),
            format!(
                "{head} 'http://json-schema.org/draft-07/schema#'\n- at '/properties/n/pattern': '^(?!-)[a-z]+$' is not \
                 valid regex: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"
            )
        );
        let names = br#"{"type":"object","patternProperties":{"(?!x)":{"type":"string"}}}"#;
        assert_eq!(
            validate_single(&values, names).unwrap_err(),
            format!(
                "{head} 'https://json-schema.org/draft/2020-12/schema#'\n- at '': 'allOf' failed\n  - at '': invalid \
                 propertyName '(?!x)'\n    - at '': '(?!x)' is not valid regex: error parsing regexp: invalid or \
                 unsupported Perl syntax: `(?!`"
            )
        );
        // ECMA-only syntax the jsonschema crate would accept is refused even when no value reaches the pattern.
        assert!(validate_single(&values, br#"{"$defs":{"d":{"pattern":"(?=y)"}}}"#).is_err());
        assert!(validate_single(&values, br#"{"properties":{"a":{"pattern":"^[a-z]+$"}}}"#).is_ok());
    }

    /// Meta-schema failures of `type` (and with patterns), as helm v4.1.4 printed them for each schema. Where
    /// several failures sit side by side the validator's order comes from Go maps and varies between runs, so
    /// those reports are compared as sets of lines.
    #[test]
    fn meta_schema_type_failures_like_helm() {
        let head = "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with";
        let d2020 = format!("{head} 'https://json-schema.org/draft/2020-12/schema#'");
        let one_of = "value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'";
        let values = Map::new();
        let exact: &[(&str, String)] = &[
            (
                r#"{"type":"object","properties":{"a":{"type":"int"}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': got \
                     string, want array"
                ),
            ),
            (
                r#"{"properties":{"a":{"type":["string","int"]}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type/1': {one_of}"
                ),
            ),
            (
                r#"{"properties":{"a":{"type":5}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': got \
                     number, want array"
                ),
            ),
            (
                r#"{"properties":{"a":{"type":[]}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': \
                     minItems: got 0, want 1"
                ),
            ),
            (
                r#"{"properties":{"a":{"type":["string","string"]}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': items \
                     at 0 and 1 are equal"
                ),
            ),
            (
                r#"{"type":"int"}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/type': 'anyOf' failed\n    - at '/type': {one_of}\n    - at \
                     '/type': got string, want array"
                ),
            ),
            (
                r#"{"allOf":[{"type":"int"}]}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/allOf/0': 'allOf' failed\n    - at '/allOf/0/type': 'anyOf' \
                     failed\n      - at '/allOf/0/type': {one_of}\n      - at '/allOf/0/type': got string, want array"
                ),
            ),
            (
                r#"{"definitions":{"d":{"type":"int"}}}"#,
                format!(
                    "{d2020}\n- at '/definitions/d': 'allOf' failed\n  - at '/definitions/d/type': 'anyOf' failed\n    - \
                     at '/definitions/d/type': {one_of}\n    - at '/definitions/d/type': got string, want array"
                ),
            ),
            (
                r#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"a":{"type":"int"}}}"#,
                format!(
                    "{head} 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a/type': 'anyOf' failed\n  - at \
                     '/properties/a/type': {one_of}\n  - at '/properties/a/type': got string, want array"
                ),
            ),
            (
                r#"{"$schema":"http://json-schema.org/draft-07/schema#","items":{"type":"int"}}"#,
                format!(
                    "{head} 'http://json-schema.org/draft-07/schema#'\n- at '/items': 'anyOf' failed\n  - at '/items/type': \
                     'anyOf' failed\n    - at '/items/type': {one_of}\n    - at '/items/type': got string, want array\n  - \
                     at '/items': got object, want array"
                ),
            ),
        ];
        for (schema, want) in exact {
            assert_eq!(validate_single(&values, schema.as_bytes()).unwrap_err(), *want, "{schema}");
        }
        let as_set: &[(&str, String)] = &[
            (
                r#"{"properties":{"b":{"type":"int"},"a":{"type":"bool"}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '': validation failed\n    - at '/properties/b': 'allOf' \
                     failed\n      - at '/properties/b/type': 'anyOf' failed\n        - at '/properties/b/type': {one_of}\n        \
                     - at '/properties/b/type': got string, want array\n    - at '/properties/a': 'allOf' failed\n      - at \
                     '/properties/a/type': 'anyOf' failed\n        - at '/properties/a/type': {one_of}\n        - at \
                     '/properties/a/type': got string, want array"
                ),
            ),
            (
                r#"{"properties":{"a":{"pattern":"(?!x)","type":"int"}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a': \
                     validation failed\n      - at '/properties/a/pattern': '(?!x)' is not valid regex: error parsing \
                     regexp: invalid or unsupported Perl syntax: `(?!`\n      - at '/properties/a/type': 'anyOf' failed\n        \
                     - at '/properties/a/type': {one_of}\n        - at '/properties/a/type': got string, want array"
                ),
            ),
            (
                r#"{"type":"int","properties":{"a":{"type":"bool"}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': got \
                     string, want array\n  - at '/type': 'anyOf' failed\n    - at '/type': {one_of}\n    - at '/type': got \
                     string, want array"
                ),
            ),
            (
                r#"{"properties":{"a":{"type":["int","int"]}}}"#,
                format!(
                    "{d2020}\n- at '': 'allOf' failed\n  - at '/properties/a': 'allOf' failed\n    - at '/properties/a/type': \
                     'anyOf' failed\n      - at '/properties/a/type': {one_of}\n      - at '/properties/a/type': \
                     validation failed\n        - at '/properties/a/type': items at 0 and 1 are equal\n        - at \
                     '/properties/a/type/0': {one_of}\n        - at '/properties/a/type/1': {one_of}"
                ),
            ),
            (
                r#"{"$schema":"https://json-schema.org/draft/2019-09/schema","$defs":{"d":{"type":"int"}},"properties":{"a":{"pattern":"(?!x)"}},"type":"x"}"#,
                format!(
                    "{head} 'https://json-schema.org/draft/2019-09/schema#'\n- at '': 'allOf' failed\n  - at '/$defs/d': \
                     'allOf' failed\n    - at '/$defs/d/type': 'anyOf' failed\n      - at '/$defs/d/type': {one_of}\n      \
                     - at '/$defs/d/type': got string, want array\n  - at '/properties/a': 'allOf' failed\n    - at \
                     '/properties/a/pattern': '(?!x)' is not valid regex: error parsing regexp: invalid or unsupported Perl \
                     syntax: `(?!`\n  - at '/type': 'anyOf' failed\n    - at '/type': {one_of}\n    - at '/type': got \
                     string, want array"
                ),
            ),
            (
                r#"{"definitions":{"d":{"type":"int"}},"type":"x"}"#,
                format!(
                    "{d2020}\n- at '/definitions/d': 'allOf' failed\n  - at '/definitions/d/type': 'anyOf' failed\n    - \
                     at '/definitions/d/type': {one_of}\n    - at '/definitions/d/type': got string, want array\n- at '': \
                     'allOf' failed\n  - at '/type': 'anyOf' failed\n    - at '/type': {one_of}\n    - at '/type': got \
                     string, want array"
                ),
            ),
            (
                r#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"a":{"type":"int","pattern":"(?!x)"}}}"#,
                format!(
                    "{head} 'http://json-schema.org/draft-07/schema#'\n- at '/properties/a': validation failed\n  - at \
                     '/properties/a/type': 'anyOf' failed\n    - at '/properties/a/type': {one_of}\n    - at \
                     '/properties/a/type': got string, want array\n  - at '/properties/a/pattern': '(?!x)' is not valid \
                     regex: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"
                ),
            ),
        ];
        let lines = |s: &str| {
            let mut l: Vec<String> = s.lines().map(str::to_owned).collect();
            l.sort();
            l
        };
        for (schema, want) in as_set {
            assert_eq!(lines(&validate_single(&values, schema.as_bytes()).unwrap_err()), lines(want), "{schema}");
        }
        // Keywords a draft's meta-schema does not recurse into are not checked there (as Helm renders them).
        for ok in [
            r#"{"additionalItems":{"type":"int"}}"#,
            r#"{"$schema":"http://json-schema.org/draft-07/schema#","$defs":{"d":{"type":"int"}}}"#,
            r#"{"$schema":"http://json-schema.org/draft-04/schema#","if":{"type":"int"}}"#,
        ] {
            assert_eq!(validate_single(&values, ok.as_bytes()), Ok(()), "{ok}");
        }
    }

    #[test]
    fn reports_like_helm() {
        let schema = br#"{"type":"object","properties":{"a":{"type":"integer"},"p":{"type":"string","pattern":"^a+$"},
            "e":{"enum":["x","y"]}},"additionalProperties":false,"required":["q","r"]}"#;
        let mut values = Map::new();
        values.insert("a".into(), Value::Float(1.0));
        values.insert("b".into(), Value::Int(2));
        values.insert("p".into(), Value::String("b".into()));
        values.insert("e".into(), Value::String("z".into()));
        let report = validate_single(&values, schema).unwrap_err();
        assert!(report.contains("- at '': additional properties 'b' not allowed"), "{report}");
        assert!(report.contains("- at '': missing properties 'q', 'r'"), "{report}");
        assert!(report.contains("- at '/p': 'b' does not match pattern '^a+$'"), "{report}");
        assert!(report.contains("- at '/e': value must be one of 'x', 'y'"), "{report}");
        assert!(!report.contains("/a"), "1.0 is an integer: {report}");
    }

    /// Validate YAML values against a schema, as a chart's `values.yaml` would be.
    fn check(schema: &str, values: &str) -> Result<(), String> {
        let Ok(Value::Map(values)) = crate::yaml::parse(values) else { panic!("test values must be a map") };
        validate_single(&values, schema.as_bytes())
    }

    /// Reports printed by helm v4.1.4 for the same schema and values (its validator stops at a failing `type`,
    /// `const`, `enum` or `format`, groups several failures of one schema, nests the branches of `anyOf`).
    #[test]
    fn report_tree_like_helm() {
        let schema = r#"{"type":"object","properties":{
            "a":{"type":"string","minLength":5,"pattern":"^z"},
            "b":{"type":["integer","null"],"enum":[1,2,null],"minimum":1},
            "c":{"anyOf":[{"type":"string","minLength":3},{"type":"integer"}]},
            "o":{"type":"object","properties":{"p":{"type":"integer","maximum":5}},"required":["p"]}}}"#;
        let base = "a: zzzzzz\nb: 1\nc: xxx\no:\n  p: 1\n";
        let with = |change: &str| check(schema, &format!("{base}{change}\n"));
        assert_eq!(with(""), Ok(()));
        assert_eq!(
            with("a: abc"),
            Err("- at '/a': minLength: got 3, want 5\n- at '/a': 'abc' does not match pattern '^z'\n".into())
        );
        assert_eq!(with("b: abc"), Err("- at '/b': got string, want null or integer\n".into()));
        assert_eq!(with("b: 7"), Err("- at '/b': value must be one of 1, 2, <nil>\n".into()));
        assert_eq!(
            with("c: ab"),
            Err("- at '/c': 'anyOf' failed\n  - at '/c': minLength: got 2, want 3\n  - at '/c': got string, want integer\n"
                .into())
        );
        assert_eq!(with("o:\n  p: 9"), Err("- at '/o/p': maximum: got 9, want 5\n".into()));
        // Several failing properties: one line each, a property failing twice as a group (helm's order among
        // properties follows Go's map iteration and varies from run to run).
        let report = with("a: abc\nb: x").unwrap_err();
        assert!(report.contains("- at '/b': got string, want null or integer\n"), "{report}");
        assert!(
            report.contains(
                "- at '/a': validation failed\n  - at '/a': minLength: got 3, want 5\n  - at '/a': 'abc' does not match pattern '^z'\n"
            ),
            "{report}"
        );
        assert_eq!(report.lines().count(), 4, "{report}");
    }

    #[test]
    fn keyword_messages_like_helm() {
        let report = |schema: &str, values: &str| check(schema, values).unwrap_err();
        assert_eq!(
            report(r#"{"properties":{"a":{"dependentRequired":{"x":["y"]}}}}"#, "a: {x: 1}"),
            "- at '/a': properties 'y' required, if 'x' exists\n"
        );
        assert_eq!(
            report(
                r#"{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"a":{"dependencies":{"x":["y"]}}}}"#,
                "a: {x: 1}"
            ),
            "- at '/a': properties 'y' required, if 'x' exists\n"
        );
        assert_eq!(
            report(r#"{"type":"object","propertyNames":{"pattern":"^[a-z]+$"}}"#, "A: 1"),
            "- at '': invalid propertyName 'A'\n  - at '': 'A' does not match pattern '^[a-z]+$'\n"
        );
        assert_eq!(
            report(r#"{"properties":{"a":{"type":"object","additionalProperties":false}}}"#, "a: {x: 1}"),
            "- at '/a': additional properties 'x' not allowed\n"
        );
        assert_eq!(
            report(r#"{"additionalProperties":false}"#, "x: 1"),
            "- at '': additional properties 'x' not allowed\n"
        );
        assert_eq!(
            report(r#"{"properties":{"a":{"uniqueItems":true}}}"#, "a: [1, 1.0]"),
            "- at '/a': items at 0 and 1 are equal\n"
        );
        assert_eq!(
            report(r#"{"type":"object","properties":{"a":{"type":"string"}},"unevaluatedProperties":false}"#, "b: 1"),
            "- at '/b': false schema\n"
        );
        // A float with an integral value is an integer for every draft (helm validates the values' JSON).
        assert_eq!(
            check(
                r#"{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":{"type":"integer"}}}"#,
                "a: 2.0"
            ),
            Ok(())
        );
        assert!(
            check(
                r#"{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":{"type":"integer"}}}"#,
                "a: 2.5"
            )
            .is_err()
        );
    }
}
