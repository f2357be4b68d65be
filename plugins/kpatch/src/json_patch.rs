//! RFC 6902 JSON Patch.
//!
//! A patch is a sequence of operations (`add`, `remove`, `replace`, `move`, `copy`, `test`) addressed with JSON
//! Pointers. [`JsonPatch::apply`] is atomic: when any operation fails the document is left untouched.

use crate::pointer::{Pointer, PointerError, parse_index};
use crate::values::{json_equal, short_json};
use kiln_yaml::Value;
use std::fmt;

/// One operation of a JSON patch.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Insert `value` at `path` (appending with `-` in arrays, replacing an existing member of an object).
    Add {
        /// Target location.
        path: Pointer,
        /// The value to add.
        value: Value,
    },
    /// Remove the value at `path`, which must exist.
    Remove {
        /// Target location.
        path: Pointer,
    },
    /// Replace the value at `path`, which must exist.
    Replace {
        /// Target location.
        path: Pointer,
        /// The new value.
        value: Value,
    },
    /// Remove the value at `from` and add it at `path`.
    Move {
        /// Source location.
        from: Pointer,
        /// Target location.
        path: Pointer,
    },
    /// Add a copy of the value at `from` at `path`.
    Copy {
        /// Source location.
        from: Pointer,
        /// Target location.
        path: Pointer,
    },
    /// Check that the value at `path` equals `value`.
    Test {
        /// Location to check.
        path: Pointer,
        /// The expected value.
        value: Value,
    },
}

impl Op {
    /// The operation's name as written in a patch (`add`, `remove`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Add { .. } => "add",
            Op::Remove { .. } => "remove",
            Op::Replace { .. } => "replace",
            Op::Move { .. } => "move",
            Op::Copy { .. } => "copy",
            Op::Test { .. } => "test",
        }
    }

    /// The operation's target path.
    pub fn path(&self) -> &Pointer {
        match self {
            Op::Add { path, .. }
            | Op::Remove { path }
            | Op::Replace { path, .. }
            | Op::Move { path, .. }
            | Op::Copy { path, .. }
            | Op::Test { path, .. } => path,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Move { from, path } | Op::Copy { from, path } => {
                write!(f, "{} from {:?} to {:?}", self.name(), from.to_string(), path.to_string())
            }
            _ => write!(f, "{} {:?}", self.name(), self.path().to_string()),
        }
    }
}

/// A parsed RFC 6902 patch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonPatch {
    /// The operations, applied in order.
    pub ops: Vec<Op>,
}

/// Why a JSON patch could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The patch is not a sequence.
    #[error("a JSON patch must be a list of operations, got a {0}")]
    NotAList(&'static str),
    /// An operation is not a mapping.
    #[error("operation {index}: must be a mapping, got a {kind}")]
    NotAMapping {
        /// 0-based operation index.
        index: usize,
        /// The kind found.
        kind: &'static str,
    },
    /// A required member is missing or has the wrong type.
    #[error("operation {index}: missing or invalid {member:?}")]
    Member {
        /// 0-based operation index.
        index: usize,
        /// The member (`op`, `path`, `from`, `value`).
        member: &'static str,
    },
    /// The `op` member names no RFC 6902 operation.
    #[error("operation {index}: unknown op {op:?} (expected add, remove, replace, move, copy or test)")]
    UnknownOp {
        /// 0-based operation index.
        index: usize,
        /// The op found.
        op: String,
    },
    /// A pointer is malformed.
    #[error("operation {index}: {source}")]
    Pointer {
        /// 0-based operation index.
        index: usize,
        /// The pointer error.
        source: PointerError,
    },
}

/// Why applying a JSON patch failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// The location (or its parent) does not exist.
    #[error("operation {index} ({op}): path {path:?} does not exist")]
    PathNotFound {
        /// 0-based operation index.
        index: usize,
        /// The operation, for the message.
        op: String,
        /// The missing path.
        path: String,
    },
    /// An array index is malformed or out of bounds.
    #[error("operation {index} ({op}): invalid array index {token:?} for an array of length {len}")]
    BadIndex {
        /// 0-based operation index.
        index: usize,
        /// The operation.
        op: String,
        /// The offending token.
        token: String,
        /// The array's length.
        len: usize,
    },
    /// The parent of the target is a scalar.
    #[error("operation {index} ({op}): parent of {path:?} is a {kind}, not an object or array")]
    NotAContainer {
        /// 0-based operation index.
        index: usize,
        /// The operation.
        op: String,
        /// The target path.
        path: String,
        /// The parent's kind.
        kind: &'static str,
    },
    /// `move` into one of its own children.
    #[error("operation {index} ({op}): cannot move a value into one of its own children")]
    MoveIntoChild {
        /// 0-based operation index.
        index: usize,
        /// The operation.
        op: String,
    },
    /// A `test` operation failed.
    #[error("operation {index} (test {path:?}) failed: expected {expected}, found {actual}")]
    TestFailed {
        /// 0-based operation index.
        index: usize,
        /// The tested path.
        path: String,
        /// The expected value (compact JSON).
        expected: String,
        /// The actual value (compact JSON), or `nothing` when the path does not exist.
        actual: String,
    },
}

impl ApplyError {
    /// The path of the failing operation, as written in the patch.
    pub fn path(&self) -> Option<&str> {
        match self {
            ApplyError::PathNotFound { path, .. }
            | ApplyError::NotAContainer { path, .. }
            | ApplyError::TestFailed { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl JsonPatch {
    /// Parse a patch from its JSON/YAML value (a sequence of operation mappings).
    pub fn from_value(v: &Value) -> Result<Self, ParseError> {
        let Value::Seq(items) = v else {
            return Err(ParseError::NotAList(v.type_name()));
        };
        let mut ops = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            ops.push(parse_op(index, item)?);
        }
        Ok(Self { ops })
    }

    /// Apply the patch to `doc`. On error `doc` is unchanged.
    pub fn apply(&self, doc: &mut Value) -> Result<(), ApplyError> {
        let mut work = doc.clone();
        for (index, op) in self.ops.iter().enumerate() {
            apply_op(&mut work, index, op)?;
        }
        *doc = work;
        Ok(())
    }
}

fn parse_op(index: usize, item: &Value) -> Result<Op, ParseError> {
    let Value::Map(m) = item else {
        return Err(ParseError::NotAMapping { index, kind: item.type_name() });
    };
    let op = m.get("op").and_then(Value::as_str).ok_or(ParseError::Member { index, member: "op" })?;
    let pointer = |member: &'static str| -> Result<Pointer, ParseError> {
        let s = m.get(member).and_then(Value::as_str).ok_or(ParseError::Member { index, member })?;
        Pointer::parse(s).map_err(|source| ParseError::Pointer { index, source })
    };
    let value = || m.get("value").cloned().ok_or(ParseError::Member { index, member: "value" });
    Ok(match op {
        "add" => Op::Add { path: pointer("path")?, value: value()? },
        "remove" => Op::Remove { path: pointer("path")? },
        "replace" => Op::Replace { path: pointer("path")?, value: value()? },
        "move" => Op::Move { from: pointer("from")?, path: pointer("path")? },
        "copy" => Op::Copy { from: pointer("from")?, path: pointer("path")? },
        "test" => Op::Test { path: pointer("path")?, value: value()? },
        other => return Err(ParseError::UnknownOp { index, op: other.to_owned() }),
    })
}

fn not_found(index: usize, op: &Op, path: &Pointer) -> ApplyError {
    ApplyError::PathNotFound { index, op: op.to_string(), path: path.to_string() }
}

fn apply_op(doc: &mut Value, index: usize, op: &Op) -> Result<(), ApplyError> {
    match op {
        Op::Add { path, value } => add(doc, index, op, path, value.clone()),
        Op::Remove { path } => remove(doc, index, op, path).map(drop),
        Op::Replace { path, value } => {
            let slot = path.get_mut(doc).ok_or_else(|| not_found(index, op, path))?;
            *slot = value.clone();
            Ok(())
        }
        Op::Move { from, path } => {
            if from == path {
                return if from.get(doc).is_some() { Ok(()) } else { Err(not_found(index, op, from)) };
            }
            if from.is_proper_prefix_of(path) {
                return Err(ApplyError::MoveIntoChild { index, op: op.to_string() });
            }
            let v = remove(doc, index, op, from)?;
            add(doc, index, op, path, v)
        }
        Op::Copy { from, path } => {
            let v = from.get(doc).cloned().ok_or_else(|| not_found(index, op, from))?;
            add(doc, index, op, path, v)
        }
        Op::Test { path, value } => match path.get(doc) {
            Some(actual) if json_equal(actual, value) => Ok(()),
            actual => Err(ApplyError::TestFailed {
                index,
                path: path.to_string(),
                expected: short_json(value, 200),
                actual: actual.map_or_else(|| "nothing".to_owned(), |a| short_json(a, 200)),
            }),
        },
    }
}

fn add(doc: &mut Value, index: usize, op: &Op, path: &Pointer, value: Value) -> Result<(), ApplyError> {
    let Some((parent_ptr, last)) = path.split_last() else {
        *doc = value;
        return Ok(());
    };
    let parent = parent_ptr.get_mut(doc).ok_or_else(|| not_found(index, op, path))?;
    match parent {
        Value::Map(m) => {
            m.insert(last.to_owned(), value);
            Ok(())
        }
        Value::Seq(s) => {
            let len = s.len();
            if last == "-" {
                s.push(value);
                return Ok(());
            }
            match parse_index(last) {
                Some(i) if i <= len => {
                    s.insert(i, value);
                    Ok(())
                }
                _ => Err(ApplyError::BadIndex { index, op: op.to_string(), token: last.to_owned(), len }),
            }
        }
        other => Err(ApplyError::NotAContainer {
            index,
            op: op.to_string(),
            path: path.to_string(),
            kind: other.type_name(),
        }),
    }
}

fn remove(doc: &mut Value, index: usize, op: &Op, path: &Pointer) -> Result<Value, ApplyError> {
    let Some((parent_ptr, last)) = path.split_last() else {
        return Ok(std::mem::take(doc));
    };
    let parent = parent_ptr.get_mut(doc).ok_or_else(|| not_found(index, op, path))?;
    match parent {
        Value::Map(m) => m.shift_remove(last).ok_or_else(|| not_found(index, op, path)),
        Value::Seq(s) => {
            let len = s.len();
            match parse_index(last) {
                Some(i) if i < len => Ok(s.remove(i)),
                _ => Err(ApplyError::BadIndex { index, op: op.to_string(), token: last.to_owned(), len }),
            }
        }
        _ => Err(not_found(index, op, path)),
    }
}
