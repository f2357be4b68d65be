//! The function table: how template functions are declared, registered and called.
//!
//! A function is a Rust closure `Fn(&mut CallContext, &Args) -> Result<Value, FuncError>` plus a [`Signature`]
//! listing Go parameter types. The executor does what Go's reflection-based caller does before the function runs:
//! it checks the argument count (`wrong number of args for f: want 2 got 1`), converts literal arguments by
//! parameter type (`expected integer; found "x"`), and checks the types of computed arguments
//! (`wrong type for value; expected string; got float64`). So a function body only sees arguments of the declared
//! types, read with the [`Args`] accessors. An error returned by a function becomes
//! `error calling NAME: MESSAGE` at the call site.
//!
//! Functions that re-enter the engine (Helm's `include` and `tpl`) use [`CallContext::execute_template`] and
//! [`CallContext::execute_text`].
//!
//! ```
//! use gotmpl::{Funcs, Param, Signature, TemplateSet, Value};
//!
//! let mut funcs = Funcs::builtins();
//! funcs.register("repeat", Signature::new(&[Param::Int, Param::String]), |_cx, args| {
//!     let n = usize::try_from(args.int(0)?).unwrap_or(0);
//!     Ok(Value::from(args.str(1)?.repeat(n)))
//! });
//! let mut set = TemplateSet::new("t", funcs);
//! set.parse("main", r#"{{ repeat 3 "ab" }}"#).unwrap();
//! assert_eq!(set.execute("main", &Value::Nil).unwrap(), "ababab");
//! ```

pub mod builtins;

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::error::Error;
use crate::exec::Env;
use crate::value::{ElemType, List, Map, Value};

/// A Go parameter type, as far as argument checking and literal conversion are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// `interface{}` (or `reflect.Value`): any value; number literals become `int` or `float64` by their syntax.
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
    /// `[]interface{}`.
    List,
    /// `[]string`.
    Strings,
    /// `map[string]interface{}`.
    Map,
    /// `[]byte`.
    Bytes,
    /// `time.Time` (a struct: no literal converts to it, and `nil` cannot be assigned).
    Time,
}

impl Param {
    /// The Go spelling of the type, as it appears in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::Int64 => "int64",
            Param::Float64 => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Strings => "[]string",
            Param::Map => "map[string]interface {}",
            Param::Bytes => "[]uint8",
            Param::Time => "time.Time",
        }
    }

    /// Whether Go's untyped `nil` can be assigned to the type.
    pub fn can_be_nil(self) -> bool {
        matches!(self, Param::Any | Param::List | Param::Strings | Param::Map | Param::Bytes)
    }

    /// Whether a value of `v`'s dynamic type is assignable to this parameter type.
    pub fn admits(self, v: &Value) -> bool {
        match (self, v) {
            (Param::Any, _)
            | (Param::String, Value::String(_))
            | (Param::Int, Value::Int(_))
            | (Param::Int64, Value::Int64(_))
            | (Param::Float64, Value::Float64(_))
            | (Param::Bool, Value::Bool(_))
            | (Param::Bytes, Value::Bytes(_)) => true,
            (Param::List, Value::List(l)) => l.elem_type() == ElemType::Any,
            (Param::Strings, Value::List(l)) => l.elem_type() == ElemType::String,
            (Param::Map, Value::Map(m)) => m.elem_type() == ElemType::Any,
            (Param::Time, Value::Object(o)) => o.type_name() == "time.Time",
            _ => false,
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.go_name())
    }
}

/// A Go function signature: fixed parameters, optionally followed by a variadic `...T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The fixed parameters.
    pub params: &'static [Param],
    /// The element type of the trailing `...T` parameter, if the function is variadic.
    pub variadic: Option<Param>,
}

impl Signature {
    /// A function with exactly these parameters.
    pub const fn new(params: &'static [Param]) -> Self {
        Signature { params, variadic: None }
    }

    /// A variadic function: `params` followed by `...rest`.
    pub const fn variadic(params: &'static [Param], rest: Param) -> Self {
        Signature { params, variadic: Some(rest) }
    }
}

/// The Rust side of a template function.
pub type NativeFn = dyn Fn(&mut CallContext<'_>, &Args<'_>) -> Result<Value, FuncError>;

/// How a function is evaluated.
#[derive(Clone)]
pub(crate) enum Imp {
    /// A Rust function.
    Native(Rc<NativeFn>),
    /// Go's builtin `and`: short-circuits and returns an operand.
    And,
    /// Go's builtin `or`.
    Or,
    /// Go's builtin `call` (there are no function values in this model, so it always reports why it cannot call).
    Call,
    /// Go's builtin `len`, which sees its argument as a `reflect.Value` (an invalid one fails differently from a
    /// nil interface).
    Len,
}

/// A registered function.
#[derive(Clone)]
pub struct Func {
    pub(crate) sig: Signature,
    pub(crate) imp: Imp,
}

impl Func {
    /// The function's signature.
    pub fn signature(&self) -> Signature {
        self.sig
    }
}

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Func").field("sig", &self.sig).finish_non_exhaustive()
    }
}

/// A function table (Go's `FuncMap` merged with the builtins).
///
/// Later registrations replace earlier ones; replacing a builtin (e.g. Sprig's `slice`) also removes its special
/// evaluation rules, exactly as in Go.
#[derive(Clone, Default, Debug)]
pub struct Funcs {
    map: HashMap<Rc<str>, Func>,
}

impl Funcs {
    /// An empty table (not even Go's builtins).
    pub fn new() -> Self {
        Funcs::default()
    }

    /// A table holding Go's builtin functions: `and call html index slice js len not or print printf println
    /// urlquery eq ge gt le lt ne`.
    pub fn builtins() -> Self {
        let mut f = Funcs::new();
        builtins::register(&mut f);
        f
    }

    /// Register (or replace) `name`. The name must be a Go identifier to be callable from templates.
    pub fn register<F>(&mut self, name: &str, sig: Signature, f: F) -> &mut Self
    where
        F: Fn(&mut CallContext<'_>, &Args<'_>) -> Result<Value, FuncError> + 'static,
    {
        self.map.insert(Rc::from(name), Func { sig, imp: Imp::Native(Rc::new(f)) });
        self
    }

    pub(crate) fn register_special(&mut self, name: &str, sig: Signature, imp: Imp) {
        self.map.insert(Rc::from(name), Func { sig, imp });
    }

    /// Copy every function of `other` into this table (replacing same-named ones).
    pub fn extend(&mut self, other: &Funcs) -> &mut Self {
        for (k, v) in &other.map {
            self.map.insert(k.clone(), v.clone());
        }
        self
    }

    /// Remove `name`; returns whether it was present.
    pub fn remove(&mut self, name: &str) -> bool {
        self.map.remove(name).is_some()
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Look up `name`.
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.map.get(name)
    }

    /// The defined names, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(|k| k.as_ref())
    }
}

/// An error returned by a function. Its message is what Go's function would return as `error`; the executor reports
/// it as `error calling NAME: MESSAGE`. An optional source keeps the chain of wrapped errors (Go's `%w`).
#[derive(Debug)]
pub struct FuncError {
    message: String,
    source: Option<Box<dyn std::error::Error + 'static>>,
}

impl FuncError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        FuncError { message: message.into(), source: None }
    }

    /// An error with this full message that wraps `source` (Go's `fmt.Errorf("...: %w", err)`; the message must
    /// already contain the source's text if Go's would).
    pub fn with_source(message: impl Into<String>, source: impl std::error::Error + 'static) -> Self {
        FuncError { message: message.into(), source: Some(Box::new(source)) }
    }

    /// `fmt.Errorf("{context}: %w", err)`.
    pub fn wrap(context: impl fmt::Display, source: impl std::error::Error + 'static) -> Self {
        FuncError { message: format!("{context}: {source}"), source: Some(Box::new(source)) }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref()
    }
}

impl From<Error> for FuncError {
    /// A template error returned as a function's error (its text unchanged, the error kept as source).
    fn from(e: Error) -> Self {
        FuncError { message: e.to_string(), source: Some(Box::new(e)) }
    }
}

/// The arguments of a call, already checked against the function's [`Signature`].
///
/// The typed accessors only fail when the index or type disagrees with the declared signature (a bug in the
/// function's registration), never because of template input.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    vals: &'a [Value],
}

fn arg_type_error(i: usize, want: &str, got: Option<&Value>) -> FuncError {
    match got {
        Some(v) => FuncError::new(format!("argument {i}: expected {want}, got {}", v.type_name())),
        None => FuncError::new(format!("argument {i}: missing (expected {want})")),
    }
}

impl<'a> Args<'a> {
    /// Wrap a slice of values.
    pub fn new(vals: &'a [Value]) -> Self {
        Args { vals }
    }

    /// The number of arguments (fixed and variadic).
    pub fn len(&self) -> usize {
        self.vals.len()
    }

    /// True when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }

    /// All arguments.
    pub fn as_slice(&self) -> &'a [Value] {
        self.vals
    }

    /// The arguments from index `from` on (e.g. the variadic part).
    pub fn rest(&self, from: usize) -> &'a [Value] {
        self.vals.get(from..).unwrap_or(&[])
    }

    /// Argument `i`, if present.
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.vals.get(i)
    }

    /// Argument `i` (declared `interface{}` or anything else).
    pub fn value(&self, i: usize) -> Result<&'a Value, FuncError> {
        self.vals.get(i).ok_or_else(|| arg_type_error(i, "a value", None))
    }

    /// Argument `i`, declared `string`.
    pub fn str(&self, i: usize) -> Result<&'a str, FuncError> {
        match self.vals.get(i) {
            Some(Value::String(s)) => Ok(s),
            other => Err(arg_type_error(i, "string", other)),
        }
    }

    /// Argument `i`, declared `int` or `int64`.
    pub fn int(&self, i: usize) -> Result<i64, FuncError> {
        match self.vals.get(i) {
            Some(Value::Int(n) | Value::Int64(n)) => Ok(*n),
            other => Err(arg_type_error(i, "int", other)),
        }
    }

    /// Argument `i`, declared `float64`.
    pub fn float(&self, i: usize) -> Result<f64, FuncError> {
        match self.vals.get(i) {
            Some(Value::Float64(f)) => Ok(*f),
            other => Err(arg_type_error(i, "float64", other)),
        }
    }

    /// Argument `i`, declared `bool`.
    pub fn bool(&self, i: usize) -> Result<bool, FuncError> {
        match self.vals.get(i) {
            Some(Value::Bool(b)) => Ok(*b),
            other => Err(arg_type_error(i, "bool", other)),
        }
    }

    /// Argument `i`, declared `[]interface{}` or `[]string`. A nil argument reads as an empty slice.
    pub fn list(&self, i: usize) -> Result<List, FuncError> {
        match self.vals.get(i) {
            Some(Value::List(l)) => Ok(l.clone()),
            Some(Value::Nil) => Ok(List::default()),
            other => Err(arg_type_error(i, "slice", other)),
        }
    }

    /// Argument `i`, declared `map[string]interface{}`. A nil argument reads as a new empty map (writes to it are
    /// not seen by the caller, as writes to a nil Go map cannot happen).
    pub fn map(&self, i: usize) -> Result<Map, FuncError> {
        match self.vals.get(i) {
            Some(Value::Map(m)) => Ok(m.clone()),
            Some(Value::Nil) => Ok(Map::new()),
            other => Err(arg_type_error(i, "map", other)),
        }
    }

    /// Argument `i`, declared `[]byte`. A nil argument reads as empty.
    pub fn bytes(&self, i: usize) -> Result<&'a [u8], FuncError> {
        match self.vals.get(i) {
            Some(Value::Bytes(b)) => Ok(b),
            Some(Value::Nil) => Ok(&[]),
            other => Err(arg_type_error(i, "[]byte", other)),
        }
    }
}

/// What a function can reach while it runs: the template set (and any `tpl` overlay) of the current execution.
pub struct CallContext<'a> {
    pub(crate) env: &'a Env<'a>,
    pub(crate) name: &'a str,
}

impl CallContext<'_> {
    /// The name the function was called by.
    pub fn function_name(&self) -> &str {
        self.name
    }

    /// The name of the template set (Go's root template name, e.g. Helm's `gotpl`).
    pub fn set_name(&self) -> &str {
        self.env.set_name()
    }

    /// Whether a template called `name` is defined in the current scope.
    pub fn has_template(&self, name: &str) -> bool {
        self.env.lookup(name).is_some()
    }

    /// Go's `ExecuteTemplate` on the current template set: run the template called `name` with `data` as dot and
    /// return its output (Helm's `include`). Defines added by an enclosing [`CallContext::execute_text`] are
    /// visible.
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        self.env.execute_named(name, data)
    }

    /// Parse `text` as a new template called `name` in a copy of the current template set (so it can use and
    /// override every define, without changing the set), then execute it with `data` (Helm's `tpl`).
    pub fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String, Error> {
        self.env.execute_text(name, text, data)
    }
}
