//! The document model shared by kiln's YAML loader, emitters, the patch engine and the overlay renderer.
//!
//! It is the shape `sigs.k8s.io/yaml` gives a Kubernetes object after its YAML → JSON step: mapping keys are strings,
//! scalars are null, booleans, integers, floats or strings. Mappings keep their insertion order; emitters decide
//! whether to sort.

use indexmap::IndexMap;

/// A mapping with string keys, in insertion order.
pub type Map = IndexMap<String, Value>;

/// One YAML/JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`, `~` or an empty scalar.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A non-negative integer above `i64::MAX`.
    Uint(u64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping.
    Map(Map),
}

impl Value {
    /// The mapping, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// The mapping, mutably, if this is one.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// The sequence, if this is one.
    pub fn as_seq(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// The sequence, mutably, if this is one.
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// Look up `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }
    /// Look up `key` mutably when this is a mapping.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.as_map_mut().and_then(|m| m.get_mut(key))
    }
    /// Follow a path of mapping keys.
    pub fn pointer(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, k| v.get(k))
    }
    /// Turn every integer into a float, in place and at any depth, as Go's `encoding/json` does when it decodes into
    /// `interface{}`: Helm's values and the results of `fromYaml`/`fromJson` hold only `float64` numbers
    /// (`sigs.k8s.io/yaml.Unmarshal` is YAML → JSON → `json.Unmarshal`). Integers above 2^53 lose precision exactly
    /// as there.
    pub fn ints_to_floats(&mut self) {
        let mut stack: Vec<&mut Value> = vec![self];
        while let Some(v) = stack.pop() {
            let float = match v {
                Value::Int(i) => *i as f64,
                Value::Uint(u) => *u as f64,
                Value::Seq(items) => {
                    stack.extend(items.iter_mut());
                    continue;
                }
                Value::Map(m) => {
                    stack.extend(m.values_mut());
                    continue;
                }
                _ => continue,
            };
            *v = Value::Float(float);
        }
    }

    /// A short name for the value's type, for error messages: `null`, `bool`, `int`, `float`, `string`, `list`, `map`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Uint(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(s: Vec<Value>) -> Self {
        Value::Seq(s)
    }
}

mod serde_impls {
    use super::{Map, Value};
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
    use std::fmt;

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Value::Null => s.serialize_unit(),
                Value::Bool(b) => s.serialize_bool(*b),
                Value::Int(i) => s.serialize_i64(*i),
                Value::Uint(u) => s.serialize_u64(*u),
                Value::Float(f) => s.serialize_f64(*f),
                Value::String(v) => s.serialize_str(v),
                Value::Seq(v) => {
                    let mut seq = s.serialize_seq(Some(v.len()))?;
                    for e in v {
                        seq.serialize_element(e)?;
                    }
                    seq.end()
                }
                Value::Map(m) => {
                    let mut map = s.serialize_map(Some(m.len()))?;
                    for (k, v) in m {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }
        }
    }

    struct ValueVisitor;

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON or YAML value")
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Value::deserialize(d)
        }
        fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
            Ok(Value::Bool(b))
        }
        fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
            Ok(Value::Int(i))
        }
        fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
            Ok(i64::try_from(u).map_or(Value::Uint(u), Value::Int))
        }
        fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
            Ok(Value::Float(f))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(4096));
            while let Some(e) = a.next_element()? {
                v.push(e);
            }
            Ok(Value::Seq(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut m = Map::with_capacity(a.size_hint().unwrap_or(0).min(4096));
            while let Some((k, v)) = a.next_entry::<String, Value>()? {
                m.insert(k, v);
            }
            Ok(Value::Map(m))
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ValueVisitor)
        }
    }
}
