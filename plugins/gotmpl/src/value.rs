//! The dynamic value model: Go's `interface{}` values as templates see them.
//!
//! Go templates are dynamically typed, but what they print and how they compare depends on the Go type behind each
//! value: `{{ 1000000.0 }}` prints `1e+06` because it is a `float64`, `eq 1 .x` fails when `.x` is a `float64`, and a
//! missing key of a `map[string]string` is `""` while one of a `map[string]interface{}` is `<no value>`. [`Value`]
//! therefore carries the Go type: `int` and `int64` are distinct, lists and maps remember their element type, and
//! host objects (Helm's `.Files`, `.Capabilities`, semver versions…) are trait objects with a Go type name.
//!
//! Maps are shared by reference, like Go maps: cloning a [`Value::Map`] clones a handle, and Sprig's `set`, `unset`
//! and `merge` mutate the map everywhere it is seen. Lists are shared too but immutable (Go templates have no way to
//! assign to a slice element). Map iteration (range, printing, JSON) is in sorted byte order of the keys, which is
//! the order Go's `fmt`, `text/template` and `encoding/json` use.

use std::any::Any;
use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::funcs::{Args, CallContext, FuncError, Signature};

/// A Go value as seen by a template (`interface{}` holding one of the supported dynamic types).
#[derive(Clone, Default)]
pub enum Value {
    /// The untyped `nil` (an empty `interface{}`).
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// `int` (64-bit, as on every platform Helm runs on).
    Int(i64),
    /// `int64`.
    Int64(i64),
    /// `uint64`.
    Uint64(u64),
    /// `uint8` (a `byte`, e.g. from `index "abc" 0`).
    Uint8(u8),
    /// `float64`.
    Float64(f64),
    /// `string`. Go strings are byte strings; this model only holds valid UTF-8.
    String(Rc<str>),
    /// `[]byte` (`[]uint8`).
    Bytes(Rc<[u8]>),
    /// A slice: `[]interface{}`, `[]string`, `[]int`…
    List(List),
    /// A map with string keys: `map[string]interface{}`, `map[string]string`…
    Map(Map),
    /// A host object (a Go struct or named type with fields and methods).
    Object(Rc<dyn Object>),
}

/// The element type of a [`List`] or the value type of a [`Map`].
///
/// It decides the Go type name (`[]string` vs `[]interface {}`), the zero value of a missing map key, and whether
/// elements behave as interface values in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ElemType {
    /// `interface{}`: any value.
    #[default]
    Any,
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `int64`.
    Int64,
    /// `float64`.
    Float64,
    /// `bool`.
    Bool,
    /// `[]byte` (e.g. Helm's `Files`, a `map[string][]byte`).
    Bytes,
    /// `[]interface{}` (e.g. Sprig's `chunk`, a `[][]interface{}`).
    List,
    /// `[]string`.
    Strings,
    /// `map[string]interface{}` (e.g. a `[]map[string]interface{}`).
    Map,
}

impl ElemType {
    /// The Go spelling of the type, as `reflect` prints it.
    pub fn go_name(self) -> &'static str {
        match self {
            ElemType::Any => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::Int64 => "int64",
            ElemType::Float64 => "float64",
            ElemType::Bool => "bool",
            ElemType::Bytes => "[]uint8",
            ElemType::List => "[]interface {}",
            ElemType::Strings => "[]string",
            ElemType::Map => "map[string]interface {}",
        }
    }

    /// The zero value of the type (`nil` for `interface{}`).
    pub fn zero(self) -> Value {
        match self {
            ElemType::Any => Value::Nil,
            ElemType::String => Value::String(Rc::from("")),
            ElemType::Int => Value::Int(0),
            ElemType::Int64 => Value::Int64(0),
            ElemType::Float64 => Value::Float64(0.0),
            ElemType::Bool => Value::Bool(false),
            ElemType::Bytes => Value::Bytes(Rc::from(&[][..])),
            ElemType::List => Value::List(List::nil(ElemType::Any)),
            ElemType::Strings => Value::List(List::nil(ElemType::String)),
            ElemType::Map => Value::Map(Map::new()),
        }
    }

    /// Whether `v` has this type (every value has type `interface{}`).
    pub fn admits(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (ElemType::Any, _)
                | (ElemType::String, Value::String(_))
                | (ElemType::Int, Value::Int(_))
                | (ElemType::Int64, Value::Int64(_))
                | (ElemType::Float64, Value::Float64(_))
                | (ElemType::Bool, Value::Bool(_))
                | (ElemType::Bytes, Value::Bytes(_))
        ) || match (self, v) {
            (ElemType::List, Value::List(l)) => l.elem_type() == ElemType::Any,
            (ElemType::Strings, Value::List(l)) => l.elem_type() == ElemType::String,
            (ElemType::Map, Value::Map(m)) => m.elem_type() == ElemType::Any,
            _ => false,
        }
    }
}

/// A Go slice: an immutable, reference-counted sequence with an element type.
#[derive(Clone, Default)]
pub struct List {
    elem: ElemType,
    items: Rc<Vec<Value>>,
    nil: bool,
}

impl List {
    /// A `[]interface{}` holding `items`.
    pub fn new(items: Vec<Value>) -> Self {
        List { elem: ElemType::Any, items: Rc::new(items), nil: false }
    }

    /// A slice of element type `elem`. The caller promises that every item has that type (see
    /// [`ElemType::admits`]); items of another type would print and compare as themselves.
    pub fn typed(elem: ElemType, items: Vec<Value>) -> Self {
        List { elem, items: Rc::new(items), nil: false }
    }

    /// A `[]string`.
    pub fn strings<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Rc<str>>,
    {
        List::typed(ElemType::String, items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// A nil slice of element type `elem` (what Go functions return for "no elements" without allocating): it
    /// prints as `[]` but converts to JSON `null`, equals `nil` in `eq`, and differs from an empty slice in
    /// `deep_equal`.
    pub fn nil(elem: ElemType) -> Self {
        List { elem, items: Rc::default(), nil: true }
    }

    /// Whether this is a nil slice (see [`List::nil`]).
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// The element type.
    pub fn elem_type(&self) -> ElemType {
        self.elem
    }

    /// The elements.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.items.get(i)
    }

    /// Whether two handles share the same storage.
    pub fn ptr_eq(&self, other: &List) -> bool {
        Rc::ptr_eq(&self.items, &other.items)
    }

    /// The Go type name, e.g. `[]interface {}`.
    pub fn go_type(&self) -> String {
        format!("[]{}", self.elem.go_name())
    }
}

impl From<Vec<Value>> for List {
    fn from(items: Vec<Value>) -> Self {
        List::new(items)
    }
}

impl FromIterator<Value> for List {
    fn from_iter<T: IntoIterator<Item = Value>>(iter: T) -> Self {
        List::new(iter.into_iter().collect())
    }
}

/// The entries of a [`Map`], sorted by key in byte order.
pub type Entries = BTreeMap<Rc<str>, Value>;

/// A Go map with string keys, shared by reference: clones are handles to the same entries.
///
/// Borrows of the entries are short-lived: every method borrows internally and returns owned values, except
/// [`Map::entries`], whose guard must be dropped before anything that may mutate the map runs (do not call back into
/// the template engine while holding it).
#[derive(Clone, Default)]
pub struct Map {
    elem: ElemType,
    entries: Rc<RefCell<Entries>>,
}

impl Map {
    /// An empty `map[string]interface{}`.
    pub fn new() -> Self {
        Map::default()
    }

    /// An empty map whose values have type `elem`.
    pub fn typed(elem: ElemType) -> Self {
        Map { elem, entries: Rc::default() }
    }

    /// A `map[string]interface{}` holding `entries`.
    pub fn from_entries(entries: Entries) -> Self {
        Map { elem: ElemType::Any, entries: Rc::new(RefCell::new(entries)) }
    }

    /// A map of value type `elem` holding `entries` (each value should have that type).
    pub fn typed_from_entries(elem: ElemType, entries: Entries) -> Self {
        Map { elem, entries: Rc::new(RefCell::new(entries)) }
    }

    /// The value type.
    pub fn elem_type(&self) -> ElemType {
        self.elem
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.entries.borrow().get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.borrow().contains_key(key)
    }

    /// Store `value` under `key`, returning the previous value. Visible through every handle to this map.
    pub fn insert(&self, key: impl Into<Rc<str>>, value: Value) -> Option<Value> {
        self.entries.borrow_mut().insert(key.into(), value)
    }

    /// Remove `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.entries.borrow_mut().remove(key)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    /// True when the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<Rc<str>> {
        self.entries.borrow().keys().cloned().collect()
    }

    /// A snapshot of the entries, sorted by key (values are handles, so this is cheap).
    pub fn to_vec(&self) -> Vec<(Rc<str>, Value)> {
        self.entries.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Borrow the entries. Drop the guard before anything can mutate this map.
    pub fn entries(&self) -> Ref<'_, Entries> {
        self.entries.borrow()
    }

    /// Whether two handles share the same storage.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.entries, &other.entries)
    }

    /// A new map with the same entries (a shallow copy: nested maps stay shared).
    pub fn shallow_copy(&self) -> Map {
        Map { elem: self.elem, entries: Rc::new(RefCell::new(self.entries.borrow().clone())) }
    }

    /// The Go type name, e.g. `map[string]interface {}`.
    pub fn go_type(&self) -> String {
        format!("map[string]{}", self.elem.go_name())
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        Map::from_entries(iter.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }
}

impl<'a> FromIterator<(&'a str, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (&'a str, Value)>>(iter: T) -> Self {
        Map::from_entries(iter.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }
}

/// A host object: a Go struct or named type (Helm's `.Files`, `.Capabilities`, a semver version, a time value…).
///
/// Field access `.Name` on an object first looks for a method (as Go does), then for a field. Methods are called with
/// the template arguments, converted and checked against [`Object::method`]'s signature exactly like function
/// arguments. Only [`Object::type_name`] and [`Object::fmt_value`] are required.
pub trait Object: Any {
    /// The Go type as `%T` prints it, e.g. `*common.Capabilities` or `common.Files`.
    fn type_name(&self) -> Cow<'_, str>;

    /// The `reflect.Kind` name (Sprig's `kindOf`): `struct`, `ptr`, `map`, `slice`…
    fn kind_name(&self) -> &'static str {
        "struct"
    }

    /// How `fmt` prints the value with `%v` (as a plain, non-addressable value): e.g. `{v1.35.0 v1.35.0 1 35}`.
    fn fmt_value(&self) -> String;

    /// How a template action `{{ . }}` prints the value. Go prints an addressable value and so uses methods with
    /// pointer receivers (`.Capabilities.KubeVersion` prints `v1.35.0`); defaults to [`Object::fmt_value`].
    fn fmt_action(&self) -> String {
        self.fmt_value()
    }

    /// The value's `String()` (or `Error()`) result when it implements `fmt.Stringer` on a value receiver; `fmt`
    /// then uses it for the verbs `%v %s %q %x %X`.
    fn stringer(&self) -> Option<String> {
        None
    }

    /// The value of field `name`, or `None` when there is no such field.
    fn field(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }

    /// The signature of method `name`, or `None` when there is no such method.
    fn method(&self, name: &str) -> Option<Signature> {
        let _ = name;
        None
    }

    /// Call method `name` (only called when [`Object::method`] returned a signature, with arguments already checked
    /// against it).
    fn call_method(&self, name: &str, cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        let _ = (cx, args);
        Err(FuncError::new(format!("method {name} not implemented")))
    }

    /// Truth in `if`/`with`/`and`/`or`/`not`: structs are always true, which is the default.
    fn truth(&self) -> bool {
        true
    }

    /// The underlying Go data when the object's kind is a map or a slice (e.g. `chartutil.VersionSet` is a
    /// `[]string`): used by `range`, `index`, `len`, JSON/YAML conversion and `fmt` verbs other than `%v`.
    fn underlying(&self) -> Option<Value> {
        None
    }

    /// The value as Go's `encoding/json` would marshal it (a map of the JSON field names for a struct), for
    /// `toJson`/`toYaml`. Defaults to [`Object::underlying`]; `None` makes conversion fail.
    fn to_data(&self) -> Option<Value> {
        self.underlying()
    }

    /// For a struct, the fields Go's `encoding/json` writes, in declaration order: `toJson` keeps this order where
    /// the map form of [`Object::to_data`] would sort the keys (`toYaml` sorts them in Go too). `None` (the
    /// default) encodes [`Object::to_data`].
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }

    /// Go `==` between two objects: `None` when the type is not comparable.
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let _ = other;
        None
    }
}

impl fmt::Debug for dyn Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_name(), self.fmt_value())
    }
}

impl Value {
    /// A `string` value.
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A `[]interface{}` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A `map[string]interface{}` value built from pairs.
    pub fn map<K: Into<Rc<str>>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(Map::from_entries(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect()))
    }

    /// A host object.
    pub fn object(obj: impl Object) -> Value {
        Value::Object(Rc::new(obj))
    }

    /// True for [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The string, for a `string` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map, for a map value.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The list, for a slice value (not `[]byte`).
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The boolean, for a `bool` value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The object, for a host object.
    pub fn as_object(&self) -> Option<&Rc<dyn Object>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Downcast a host object to its concrete Rust type.
    pub fn downcast_object<T: Object>(&self) -> Option<&T> {
        match self {
            Value::Object(o) => {
                let any: &dyn Any = o.as_ref();
                any.downcast_ref::<T>()
            }
            _ => None,
        }
    }

    /// The signed integer value of any Go integer kind (`int`, `int64`, `uint8`, and `uint64` when it fits).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) | Value::Int64(i) => Some(i),
            Value::Uint8(u) => Some(i64::from(u)),
            Value::Uint64(u) => i64::try_from(u).ok(),
            _ => None,
        }
    }

    /// The Go type as `%T` prints it: `int`, `float64`, `map[string]interface {}`, `[]uint8`, `<nil>`…
    pub fn type_name(&self) -> Cow<'_, str> {
        match self {
            Value::Nil => Cow::Borrowed("<nil>"),
            Value::Bool(_) => Cow::Borrowed("bool"),
            Value::Int(_) => Cow::Borrowed("int"),
            Value::Int64(_) => Cow::Borrowed("int64"),
            Value::Uint64(_) => Cow::Borrowed("uint64"),
            Value::Uint8(_) => Cow::Borrowed("uint8"),
            Value::Float64(_) => Cow::Borrowed("float64"),
            Value::String(_) => Cow::Borrowed("string"),
            Value::Bytes(_) => Cow::Borrowed("[]uint8"),
            Value::List(l) => Cow::Owned(l.go_type()),
            Value::Map(m) => Cow::Owned(m.go_type()),
            Value::Object(o) => o.type_name(),
        }
    }

    /// The `reflect.Kind` name (Sprig's `kindOf`): `invalid` for nil, then `bool`, `int`, `int64`, `uint64`,
    /// `uint8`, `float64`, `string`, `slice`, `map`, or the object's kind.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint64(_) => "uint64",
            Value::Uint8(_) => "uint8",
            Value::Float64(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go template truth (`if`, `with`, `and`, `or`, `not`): false for nil, `false`, zero numbers and empty
    /// strings, slices and maps; true otherwise (structs are always true).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint64(u) => *u != 0,
            Value::Uint8(u) => *u != 0,
            Value::Float64(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truth(),
        }
    }

    /// True when [`Value::len`] is `Some(0)`.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The length as Go's `len` computes it (bytes for strings), or `None` for types without a length.
    pub fn len(&self) -> Option<usize> {
        match self {
            Value::String(s) => Some(s.len()),
            Value::Bytes(b) => Some(b.len()),
            Value::List(l) => Some(l.len()),
            Value::Map(m) => Some(m.len()),
            Value::Object(o) => o.underlying().and_then(|u| u.len()),
            _ => None,
        }
    }

    /// Go's `reflect.DeepEqual`: same dynamic type and deeply equal contents (NaN is not equal to itself; maps and
    /// lists compare element-wise; objects compare with [`Object::equals`] or by identity).
    pub fn deep_equal(&self, other: &Value) -> bool {
        self.deep_equal_at(other, 0, crate::stack::position())
    }

    fn deep_equal_at(&self, other: &Value, depth: usize, base: usize) -> bool {
        if depth > MAX_DEPTH || crate::stack::used_since(base) > crate::stack::VALUE_RECURSION_BUDGET {
            // Only cyclic maps nest this deep; Go's DeepEqual treats revisited pairs as equal.
            return true;
        }
        let depth = depth + 1;
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint64(a), Value::Uint64(b)) => a == b,
            (Value::Uint8(a), Value::Uint8(b)) => a == b,
            (Value::Float64(a), Value::Float64(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.elem == b.elem
                    && a.nil == b.nil
                    && a.len() == b.len()
                    && a.items().iter().zip(b.items()).all(|(x, y)| x.deep_equal_at(y, depth, base))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.elem != b.elem {
                    return false;
                }
                if a.ptr_eq(b) {
                    return true;
                }
                let (ea, eb) = (a.to_vec(), b.to_vec());
                ea.len() == eb.len()
                    && ea.iter().zip(&eb).all(|((ka, va), (kb, vb))| ka == kb && va.deep_equal_at(vb, depth, base))
            }
            (Value::Object(a), Value::Object(b)) => {
                Rc::ptr_eq(a, b) || (a.type_name() == b.type_name() && a.equals(b.as_ref()) == Some(true))
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_name(), crate::gofmt::sprint(std::slice::from_ref(self)))
    }
}

/// `%v` formatting, exactly as Go's `fmt.Sprint(v)`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::gofmt::sprint(std::slice::from_ref(self)))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    /// A Go `int`.
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    /// A Go `int`.
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<usize> for Value {
    /// A Go `int` (saturating above `i64::MAX`).
    fn from(i: usize) -> Self {
        Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float64(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Rc::from(s))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Rc::from(s))
    }
}
impl From<Rc<str>> for Value {
    fn from(s: Rc<str>) -> Self {
        Value::String(s)
    }
}
impl From<Vec<u8>> for Value {
    /// A `[]byte`.
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(Rc::from(b))
    }
}
impl From<List> for Value {
    fn from(l: List) -> Self {
        Value::List(l)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}
impl From<Vec<Value>> for Value {
    /// A `[]interface{}`.
    fn from(items: Vec<Value>) -> Self {
        Value::List(List::new(items))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is nil.
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Nil, Into::into)
    }
}

/// How deeply nested values are compared or converted before giving up (only cyclic maps nest this deep; Go's
/// `encoding/json` reports such a cycle after 1000 levels too).
const MAX_DEPTH: usize = 1000;

/// How numbers from YAML/JSON data become Go numbers (see [`Value::from_yaml`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NumberMode {
    /// Every number becomes `float64`, as after Go's `json.Unmarshal` into `interface{}`. This is what Helm values
    /// loaded from files (and `fromYaml`/`fromJson` results) look like.
    #[default]
    Float64,
    /// Integers become `int64` (unsigned ones above `i64::MAX` become `uint64`) and floats `float64`, as Helm's
    /// `--set` parser produces.
    Int64,
}

/// A value that cannot be converted to YAML/JSON data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("json: unsupported {what}")]
pub struct ConvertError {
    what: String,
}

impl Value {
    /// Convert parsed YAML/JSON data into template values (maps become `map[string]interface{}`, sequences
    /// `[]interface{}`), with numbers typed by `mode`.
    pub fn from_yaml(v: &kiln_yaml::Value, mode: NumberMode) -> Value {
        use kiln_yaml::Value as Y;
        match v {
            Y::Null => Value::Nil,
            Y::Bool(b) => Value::Bool(*b),
            Y::Int(i) => match mode {
                NumberMode::Float64 => Value::Float64(*i as f64),
                NumberMode::Int64 => Value::Int64(*i),
            },
            Y::Uint(u) => match mode {
                NumberMode::Float64 => Value::Float64(*u as f64),
                NumberMode::Int64 => Value::Uint64(*u),
            },
            Y::Float(f) => Value::Float64(*f),
            Y::String(s) => Value::String(Rc::from(s.as_str())),
            Y::Seq(items) => Value::List(List::new(items.iter().map(|i| Value::from_yaml(i, mode)).collect())),
            Y::Map(m) => Value::Map(Map::from_entries(
                m.iter().map(|(k, v)| (Rc::from(k.as_str()), Value::from_yaml(v, mode))).collect(),
            )),
        }
    }

    /// Convert to YAML/JSON data with the semantics of Go's `json.Marshal`: integers stay integers, floats stay
    /// floats (callers that emulate Helm's `toYaml` JSON round trip decide how to print them), `[]byte` becomes its
    /// base64 string, maps are emitted in sorted key order, and objects convert through [`Object::to_data`].
    /// NaN and infinities are errors, as in Go.
    pub fn to_yaml(&self) -> Result<kiln_yaml::Value, ConvertError> {
        self.to_yaml_at(0, crate::stack::position())
    }

    fn to_yaml_at(&self, depth: usize, base: usize) -> Result<kiln_yaml::Value, ConvertError> {
        use kiln_yaml::Value as Y;
        if depth > MAX_DEPTH || crate::stack::used_since(base) > crate::stack::VALUE_RECURSION_BUDGET {
            return Err(ConvertError { what: format!("value: encountered a cycle via {}", self.type_name()) });
        }
        let depth = depth + 1;
        Ok(match self {
            Value::Nil => Y::Null,
            Value::Bool(b) => Y::Bool(*b),
            Value::Int(i) | Value::Int64(i) => Y::Int(*i),
            Value::Uint64(u) => match i64::try_from(*u) {
                Ok(i) => Y::Int(i),
                Err(_) => Y::Uint(*u),
            },
            Value::Uint8(u) => Y::Int(i64::from(*u)),
            Value::Float64(f) => {
                if !f.is_finite() {
                    return Err(ConvertError {
                        what: format!("value: {}", crate::strconv::format_float(*f, b'g', -1)),
                    });
                }
                Y::Float(*f)
            }
            Value::String(s) => Y::String(s.to_string()),
            Value::Bytes(b) => Y::String(base64_std(b)),
            Value::List(l) if l.is_nil() => Y::Null,
            Value::List(l) => Y::Seq(l.items().iter().map(|v| v.to_yaml_at(depth, base)).collect::<Result<_, _>>()?),
            Value::Map(m) => {
                let mut out = kiln_yaml::Map::new();
                for (k, v) in m.to_vec() {
                    out.insert(k.to_string(), v.to_yaml_at(depth, base)?);
                }
                Y::Map(out)
            }
            Value::Object(o) => match o.to_data() {
                Some(u) => u.to_yaml_at(depth, base)?,
                None => {
                    return Err(ConvertError { what: format!("type: {}", o.type_name()) });
                }
            },
        })
    }
}

/// Standard base64 with padding (what `encoding/json` uses for `[]byte`).
fn base64_std(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")];
        for (plain, enc) in cases {
            assert_eq!(base64_std(plain.as_bytes()), enc);
        }
    }

    #[test]
    fn maps_are_shared_by_reference() {
        let m = Map::new();
        let v = Value::Map(m.clone());
        m.insert("a", Value::from(1i64));
        assert_eq!(v.as_map().and_then(|m| m.get("a")).and_then(|v| v.as_i64()), Some(1));
        let copy = m.shallow_copy();
        copy.insert("b", Value::Nil);
        assert!(!m.contains_key("b"));
    }

    #[test]
    fn yaml_numbers_follow_the_mode() {
        let y = kiln_yaml::Value::Int(3);
        assert!(matches!(Value::from_yaml(&y, NumberMode::Float64), Value::Float64(f) if f == 3.0));
        assert!(matches!(Value::from_yaml(&y, NumberMode::Int64), Value::Int64(3)));
    }

    #[test]
    fn nil_slices_print_empty_but_convert_to_null() {
        let nil = Value::List(List::nil(ElemType::String));
        assert_eq!(crate::gofmt::format_v(&nil), "[]");
        assert_eq!(crate::gofmt::sprintf("%#v", std::slice::from_ref(&nil)), "[]string(nil)");
        assert_eq!(nil.to_yaml(), Ok(kiln_yaml::Value::Null));
        assert!(!nil.deep_equal(&Value::List(List::typed(ElemType::String, vec![]))));
        assert!(!nil.truthy());
        let nested = Value::List(List::typed(ElemType::List, vec![Value::list(vec![Value::Int(1)])]));
        assert_eq!(nested.type_name(), "[][]interface {}");
    }

    #[test]
    fn type_names_are_go_spellings() {
        assert_eq!(Value::list(vec![]).type_name(), "[]interface {}");
        assert_eq!(Value::Map(Map::typed(ElemType::String)).type_name(), "map[string]string");
        assert_eq!(Value::from(vec![1u8]).type_name(), "[]uint8");
        assert_eq!(Value::Nil.type_name(), "<nil>");
    }
}
