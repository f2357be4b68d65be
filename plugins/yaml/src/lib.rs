//! YAML for kiln.
//!
//! * [`Value`]: the document model (string-keyed, insertion-ordered mappings).
//! * Loading with go-yaml v2 / YAML 1.1 semantics, as Helm and `sigs.k8s.io/yaml` read values and manifests
//!   ([`from_str`], [`from_str_multi`]), or with kustomize's go-yaml v3 semantics ([`from_str_with`] and
//!   [`LoadOptions::kustomize`]).
//! * Emitting byte-compatible with Helm's `toYaml` ([`to_helm_yaml`]), `toYamlPretty` ([`to_helm_yaml_pretty`]) and
//!   with `kubectl kustomize` output ([`to_string`]).
//! * Go number formatting ([`gofmt`]).
//! * A fast path that reads a few fields of a plain block-style document without building it ([`skim`]).
//!
//! Pure Rust (the event parser is `saphyr-parser`), so it builds for `wasm32-wasip2`.

mod diag;
mod emit_v2;
mod error;
pub mod gofmt;
mod helm;
mod keyorder;
mod load;
mod resolve;
pub mod skim;
mod value;

pub use error::{Error, ErrorKind};
pub use load::{DuplicateKeys, LoadOptions, MergeKeys, NonStringKeys, Schema};
pub use value::{Map, Value};

/// Load one YAML document as `sigs.k8s.io/yaml.Unmarshal` does (go-yaml v2, YAML 1.1 typing, non-string keys turned
/// into strings, `.inf`/`.nan` rejected as the JSON step rejects them).
///
/// Empty input (or only comments) gives [`Value::Null`]. Only the first document of a stream is read, as go-yaml's
/// `Unmarshal` does; use [`from_str_multi`] for streams.
pub fn from_str(src: &str) -> Result<Value, Error> {
    load::load_one(src, &LoadOptions::helm())
}

/// Load every document of a `---`-separated stream with the same rules as [`from_str`]. An empty stream gives no
/// documents; an empty document between two `---` gives [`Value::Null`].
pub fn from_str_multi(src: &str) -> Result<Vec<Value>, Error> {
    load::load_all(src, &LoadOptions::helm())
}

/// Load the first document with explicit options (for example [`LoadOptions::kustomize`]).
pub fn from_str_with(src: &str, opts: &LoadOptions) -> Result<Value, Error> {
    load::load_one(src, opts)
}

/// Load every document of a stream with explicit options.
pub fn from_str_multi_with(src: &str, opts: &LoadOptions) -> Result<Vec<Value>, Error> {
    load::load_all(src, opts)
}

/// Exactly the bytes of `sigs.k8s.io/yaml.Marshal(v)`, including the final line break.
///
/// Helm's `toYaml` is this with one trailing `"\n"` removed (`strings.TrimSuffix(..., "\n")`); it also returns
/// `""` when marshalling fails, which this function does too (NaN or infinite floats, or strings holding DEL, C1
/// control characters, U+FFFE or U+FFFF). Use [`try_to_helm_yaml`] to see the error (`mustToYaml`).
pub fn to_helm_yaml(v: &Value) -> String {
    helm::marshal(v).unwrap_or_default()
}

/// [`to_helm_yaml`] with its error: `json: unsupported value: NaN` or `yaml: control characters are not allowed`.
pub fn try_to_helm_yaml(v: &Value) -> Result<String, Error> {
    helm::marshal(v)
}

/// One resource the way `kubectl kustomize` prints it (kustomize's `Resource.AsYAML`: JSON, then
/// `sigs.k8s.io/yaml.JSONToYAML`): the same bytes as [`to_helm_yaml`], keys sorted, sequences not indented under
/// their key, long strings folded at 80 columns. Returns `""` for values JSON cannot hold (see [`try_to_string`]).
pub fn to_string(v: &Value) -> String {
    helm::marshal(v).unwrap_or_default()
}

/// [`to_string`] with its error.
pub fn try_to_string(v: &Value) -> Result<String, Error> {
    helm::marshal(v)
}

/// Helm's `toYamlPretty` bytes before its final trim: the go-yaml v3 encoder with indent 2 on the value itself (no
/// JSON round trip, so floats keep `%g` form such as `1e+06`), sequences indented under their key, no folding.
pub fn to_helm_yaml_pretty(v: &Value) -> String {
    helm::marshal_pretty(v)
}

/// Bytes as text, invalid UTF-8 sequences replaced by U+FFFD (Go's `string(bytes)` seen as runes). Valid input,
/// the usual case, is checked with the standard library's word-at-a-time validator and borrowed;
/// `String::from_utf8_lossy` walks it chunk by chunk, which is several times slower on megabyte-sized charts.
pub fn utf8_lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// What go-yaml v3 (kyaml, kustomize) reads a *plain* (unquoted) scalar as: `"string"`, `"bool"`, `"int"`,
/// `"float"`, `"null"` or `"timestamp"`. kustomize writes map keys it creates as plain scalars, so a key such as
/// `true` or `1` comes back as a non-string.
pub fn plain_scalar_type_v3(s: &str) -> &'static str {
    match resolve::resolve_v3(s) {
        resolve::Resolved::Str => "string",
        resolve::Resolved::Bool(_) => "bool",
        resolve::Resolved::Int(_) | resolve::Resolved::Uint(_) => "int",
        resolve::Resolved::Float(_) => "float",
        resolve::Resolved::Null => "null",
        resolve::Resolved::Timestamp => "timestamp",
    }
}
