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
    bad_patterns(&schema)?;
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

/// The meta-schema Helm's validator checks a document against, as it names it in reports, and whether that draft
/// nests its vocabularies under `allOf` (2019-09 and later). `None` for a `$schema` it does not know.
fn meta_schema(schema: &serde_json::Value) -> Option<(&'static str, bool)> {
    let (version, url) = match schema.get("$schema") {
        None => (2020, "https://json-schema.org/draft/2020-12/schema#"),
        Some(u) => crate::schema_fast::draft_from_url(u.as_str()?)?,
    };
    Some((url, version >= 2019))
}

/// Patterns Go's `regexp` refuses. Helm's validator checks `pattern` and `patternProperties` names against the
/// meta-schema's `format: regex` with Go's engine, so a look-ahead (ECMA syntax, which the `jsonschema` crate
/// accepts) fails the render there; this reports the first such pattern as the validator does.
fn bad_patterns(schema: &serde_json::Value) -> Result<(), String> {
    let Some((meta, nested)) = meta_schema(schema) else { return Ok(()) };
    let mut found = None;
    walk_patterns(schema, String::new(), &mut Vec::new(), nested, &mut found);
    let Some((ancestors, at, kind, pattern, err)) = found else { return Ok(()) };
    let mut out = format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with '{meta}'\n"
    );
    let mut depth = 0;
    if nested {
        for a in &ancestors {
            out.push_str(&format!("{}- at '{a}': 'allOf' failed\n", "  ".repeat(depth)));
            depth += 1;
        }
    }
    let pad = "  ".repeat(depth);
    match kind {
        PatternAt::Keyword => {
            out.push_str(&format!("{pad}- at '{at}': {} is not valid regex: {err}\n", quote(&pattern)))
        }
        PatternAt::PropertyName => {
            out.push_str(&format!("{pad}- at '{at}': invalid propertyName {}\n", quote(&pattern)));
            out.push_str(&format!("{pad}  - at '{at}': {} is not valid regex: {err}\n", quote(&pattern)));
        }
    }
    out.pop();
    Err(out)
}

enum PatternAt {
    Keyword,
    PropertyName,
}

/// JSON-pointer escaping of one token.
fn pointer_token(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}

type BadPattern = (Vec<String>, String, PatternAt, String, String);

/// Depth-first over the schema positions the meta-schemas recurse into: the first pattern Go refuses, with the
/// schema paths above it.
fn walk_patterns(
    s: &serde_json::Value,
    path: String,
    ancestors: &mut Vec<String>,
    nested: bool,
    found: &mut Option<BadPattern>,
) {
    let serde_json::Value::Object(o) = s else { return };
    if found.is_some() || ancestors.len() > 200 {
        return;
    }
    ancestors.push(path.clone());
    for (k, v) in o {
        if found.is_some() {
            break;
        }
        let here = format!("{path}/{}", pointer_token(k));
        match k.as_str() {
            "pattern" => {
                if let Some(p) = v.as_str()
                    && let Err(e) = gotmpl::sprig::Regexp::compile(p)
                {
                    *found = Some((ancestors.clone(), here, PatternAt::Keyword, p.to_owned(), e));
                }
            }
            "patternProperties" => {
                if let Some(m) = v.as_object() {
                    for name in m.keys() {
                        if let Err(e) = gotmpl::sprig::Regexp::compile(name) {
                            *found = Some((ancestors.clone(), path.clone(), PatternAt::PropertyName, name.clone(), e));
                            break;
                        }
                    }
                    for (name, sub) in m {
                        walk_patterns(sub, format!("{here}/{}", pointer_token(name)), ancestors, nested, found);
                    }
                }
            }
            // `$defs` is a schema position of the meta-schemas from 2019-09 on.
            "properties" | "definitions" | "dependentSchemas" | "$defs" if k != "$defs" || nested => {
                if let Some(m) = v.as_object() {
                    for (name, sub) in m {
                        walk_patterns(sub, format!("{here}/{}", pointer_token(name)), ancestors, nested, found);
                    }
                }
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" | "items" if v.is_array() => {
                for (i, sub) in v.as_array().into_iter().flatten().enumerate() {
                    walk_patterns(sub, format!("{here}/{i}"), ancestors, nested, found);
                }
            }
            "items"
            | "additionalProperties"
            | "additionalItems"
            | "not"
            | "if"
            | "then"
            | "else"
            | "propertyNames"
            | "contains"
            | "unevaluatedItems"
            | "unevaluatedProperties" => {
                walk_patterns(v, here, ancestors, nested, found);
            }
            _ => {}
        }
    }
    ancestors.pop();
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
