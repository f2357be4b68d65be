//! Sprig functions: semantic versions (`semver semverCompare`), with the rules of Masterminds/semver v3.4 (the
//! version Helm v4.1.4 links). Registered by [`super::register`].
//!
//! * Versions are parsed leniently ("coercing" mode): an optional `v`, one to three numeric parts (missing ones are
//!   0, leading zeros allowed), then an optional `-prerelease` (dot-separated identifiers; numeric ones without
//!   leading zeros) and `+metadata`.
//! * Constraints are `||`-separated groups of comma- or space-separated comparisons (`= != > < >= => <= =< ~ ~> ^`,
//!   or none), whose versions may use `x`, `X` or `*` wildcards or omit parts; `A - B` is the range `>= A, <= B`.
//!   A prerelease version only satisfies a group in which some comparison names a prerelease: `>=1.19` does not
//!   match `1.20.0-gke.100`, `>=1.19.0-0` does.
//!
//! `semver` returns a `*semver.Version` host object with the library's methods (`Major Minor Patch Prerelease
//! Metadata Original String IncMajor IncMinor IncPatch SetPrerelease SetMetadata Compare Equal LessThan
//! LessThanEqual GreaterThan GreaterThanEqual`). Methods that return a `semver.Version` value give an object without
//! the pointer-receiver methods (`Original`, the comparisons), as in Go.

use std::borrow::Cow;
use std::cmp::Ordering;

pub use super::constraint_grammar as grammar;
use crate::funcs::{Args, CallContext, FuncError, Funcs, Param, Signature};
use crate::strconv::quote;
use crate::value::{Object, Value};

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    // func semver(version string) (*sv2.Version, error)
    funcs.register("semver", Signature::new(&[Param::String]), |_, args| {
        let v = Version::parse(args.str(0)?).map_err(FuncError::new)?;
        Ok(Value::object(SemverObject { version: v, pointer: true }))
    });
    // func semverCompare(constraint, version string) (bool, error)
    funcs.register("semverCompare", Signature::new(&[Param::String, Param::String]), |_, args| {
        let c = Constraints::parse(args.str(0)?).map_err(FuncError::new)?;
        let v = Version::parse(args.str(1)?).map_err(FuncError::new)?;
        Ok(Value::Bool(c.check(&v)))
    });
}

/// A semantic version (`semver.Version`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

/// Whether `s` is one or more dot-separated, non-empty runs of `[0-9A-Za-z-]`.
fn is_dotted_idents(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// `strconv.ParseUint(s, 10, 64)` of a run of ASCII digits, with the library's error wrapping.
fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!("error parsing version segment: strconv.ParseUint: parsing {}: value out of range", quote(s))
    })
}

/// The library's `validatePrerelease`.
fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err("invalid prerelease string".into());
        } else if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        } else if !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("invalid prerelease string".into());
        }
    }
    Ok(())
}

impl Version {
    /// `semver.NewVersion` (coercing mode).
    pub(crate) fn parse(s: &str) -> Result<Version, String> {
        let invalid = || "invalid semantic version".to_string();
        let body = s.strip_prefix('v').unwrap_or(s);
        // Split off +metadata, then -prerelease: neither numeric part may contain '-' or '+'.
        let (rest, metadata) = match body.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (body, None),
        };
        let (nums, pre) = match rest.split_once('-') {
            Some((n, p)) => (n, Some(p)),
            None => (rest, None),
        };
        let parts: Vec<&str> = nums.split('.').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid());
        }
        if pre.is_some_and(|p| !is_dotted_idents(p)) || metadata.is_some_and(|m| !is_dotted_idents(m)) {
            return Err(invalid());
        }
        let seg = |i: usize| parts.get(i).map_or(Ok(0), |p| parse_segment(p));
        let v = Version {
            major: seg(0)?,
            minor: seg(1)?,
            patch: seg(2)?,
            pre: pre.unwrap_or("").to_string(),
            metadata: metadata.unwrap_or("").to_string(),
            original: s.to_string(),
        };
        if !v.pre.is_empty() {
            validate_prerelease(&v.pre)?;
        }
        Ok(v)
    }

    /// `Version.String`: `MAJOR.MINOR.PATCH[-PRE][+META]`, without a `v`.
    pub(crate) fn to_go_string(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.metadata.is_empty() {
            s.push('+');
            s.push_str(&self.metadata);
        }
        s
    }

    /// `Version.Compare`: precedence order (metadata ignored; a prerelease sorts before its release).
    pub(crate) fn compare(&self, o: &Version) -> Ordering {
        self.major.cmp(&o.major).then(self.minor.cmp(&o.minor)).then(self.patch.cmp(&o.patch)).then_with(|| {
            match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            }
        })
    }

    /// The `v` the original text started with, if any (kept by the `Inc*`/`Set*` methods).
    fn v_prefix(&self) -> &'static str {
        if self.original.starts_with('v') { "v" } else { "" }
    }

    /// A derived version whose `Original` is its new string form with the old `v` prefix.
    fn derived(&self, f: impl FnOnce(&mut Version)) -> Version {
        let mut next = self.clone();
        f(&mut next);
        next.original = format!("{}{}", self.v_prefix(), next.to_go_string());
        next
    }
}

/// The library's `comparePrerelease`: identifier by identifier, a missing identifier sorting first.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let d = compare_pre_part(pa.get(i).copied().unwrap_or(""), pb.get(i).copied().unwrap_or(""));
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

/// The library's `comparePrePart`: numbers compare numerically and sort before alphanumerics, which compare
/// bytewise; an empty part sorts first.
fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// The comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `""` and `=`: equal, or tilde when the version has wildcards.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_text(s: &str) -> Option<Op> {
        Some(match s {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        })
    }
}

/// One comparison of a constraint.
#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraint {
    /// The library's `parseConstraint` (only called on text the grammar found, which is never empty).
    fn parse(c: &str) -> Result<Constraint, String> {
        let m = grammar::single(c).ok_or_else(|| format!("improper constraint: {c}"))?;
        let op = Op::from_text(m.op).ok_or_else(|| format!("improper constraint: {c}"))?;
        let (major, minor, patch, pre) = (m.major, m.minor, m.patch, m.pre);
        let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
        let text = if is_x(major) {
            dirty = true;
            format!("0.0.0{pre}")
        } else if minor.is_empty() || is_x(minor.trim_start_matches('.')) {
            minor_dirty = true;
            dirty = true;
            format!("{major}.0.0{pre}")
        } else if patch.is_empty() || is_x(patch.trim_start_matches('.')) {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            m.version.to_string()
        };
        let con = Version::parse(&text).map_err(|_| "constraint parser error".to_string())?;
        Ok(Constraint { op, con, minor_dirty, patch_dirty, dirty })
    }

    /// Whether `v` satisfies this comparison (`include_pre`: the group admits prereleases).
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    /// `~`: at least the version, and the same major (and minor, unless the minor was a wildcard).
    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// A parsed constraint string: OR-groups of AND-ed comparisons.
#[derive(Clone, Debug)]
pub(crate) struct Constraints {
    groups: Vec<(Vec<Constraint>, bool)>,
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub(crate) fn parse(text: &str) -> Result<Constraints, String> {
        // Rewrite "A - B" ranges as ">= A, <= B ", one occurrence per match, as the library does.
        let mut rewritten = text.to_string();
        for (whole, from, to) in grammar::ranges(text) {
            rewritten = rewritten.replacen(whole, &format!(">= {from}, <= {to} "), 1);
        }
        let mut groups = Vec::new();
        for segment in rewritten.split("||") {
            if !grammar::valid(segment) {
                return Err(format!("improper constraint: {segment}"));
            }
            let mut group = Vec::new();
            let mut has_pre = false;
            for m in grammar::comparisons(segment) {
                let c = Constraint::parse(m)?;
                has_pre |= !c.con.pre.is_empty();
                group.push(c);
            }
            groups.push((group, has_pre));
        }
        Ok(Constraints { groups })
    }

    /// `Constraints.Check`: some group has every comparison satisfied.
    pub(crate) fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|(group, has_pre)| group.iter().all(|c| c.check(v, *has_pre)))
    }
}

/// A version as a template sees it: `*semver.Version` from `semver`, or a `semver.Version` value from the
/// `Inc*`/`Set*` methods (which lack the pointer-receiver methods).
#[derive(Clone, Debug)]
pub(crate) struct SemverObject {
    version: Version,
    pointer: bool,
}

impl SemverObject {
    fn value(version: Version) -> Value {
        Value::object(SemverObject { version, pointer: false })
    }

    /// The `*semver.Version` argument of a comparison method.
    fn other<'a>(&self, args: &'a Args<'_>) -> Result<Option<&'a Version>, FuncError> {
        let v = args.value(0)?;
        match v {
            Value::Nil => Ok(None),
            _ => match v.downcast_object::<SemverObject>() {
                Some(o) if o.pointer => Ok(Some(&o.version)),
                _ => Err(FuncError::new(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    v.type_name()
                ))),
            },
        }
    }
}

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

impl Object for SemverObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(if self.pointer { "*semver.Version" } else { "semver.Version" })
    }

    fn kind_name(&self) -> &'static str {
        if self.pointer { "ptr" } else { "struct" }
    }

    fn fmt_value(&self) -> String {
        self.version.to_go_string()
    }

    fn stringer(&self) -> Option<String> {
        Some(self.version.to_go_string())
    }

    /// `Version.MarshalJSON`: the version's `String()` as a JSON string.
    fn to_data(&self) -> Option<Value> {
        Some(Value::from(self.version.to_go_string()))
    }

    fn method(&self, name: &str) -> Option<Signature> {
        match name {
            "String" | "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "IncMajor" | "IncMinor"
            | "IncPatch" => Some(Signature::new(&[])),
            "SetPrerelease" | "SetMetadata" => Some(Signature::new(&[Param::String])),
            "Original" if self.pointer => Some(Signature::new(&[])),
            "Compare" | "Equal" | "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" if self.pointer => {
                Some(Signature::new(&[Param::Any]))
            }
            _ => None,
        }
    }

    fn call_method(&self, name: &str, _cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        let v = &self.version;
        Ok(match name {
            "String" => Value::from(v.to_go_string()),
            "Original" => Value::from(v.original.as_str()),
            "Major" => Value::Uint64(v.major),
            "Minor" => Value::Uint64(v.minor),
            "Patch" => Value::Uint64(v.patch),
            "Prerelease" => Value::from(v.pre.as_str()),
            "Metadata" => Value::from(v.metadata.as_str()),
            "IncPatch" => SemverObject::value(v.derived(|n| {
                if v.pre.is_empty() {
                    n.patch = v.patch.wrapping_add(1);
                }
                n.pre.clear();
                n.metadata.clear();
            })),
            "IncMinor" => SemverObject::value(v.derived(|n| {
                n.minor = v.minor.wrapping_add(1);
                n.patch = 0;
                n.pre.clear();
                n.metadata.clear();
            })),
            "IncMajor" => SemverObject::value(v.derived(|n| {
                n.major = v.major.wrapping_add(1);
                n.minor = 0;
                n.patch = 0;
                n.pre.clear();
                n.metadata.clear();
            })),
            "SetPrerelease" => {
                let p = args.str(0)?;
                if !p.is_empty() {
                    validate_prerelease(p).map_err(FuncError::new)?;
                }
                SemverObject::value(v.derived(|n| n.pre = p.to_string()))
            }
            "SetMetadata" => {
                let m = args.str(0)?;
                if !m.is_empty() && !is_dotted_idents(m) {
                    return Err(FuncError::new("invalid metadata string"));
                }
                SemverObject::value(v.derived(|n| n.metadata = m.to_string()))
            }
            "Equal" => Value::Bool(self.other(args)?.is_some_and(|o| v.compare(o) == Ordering::Equal)),
            _ => {
                let o = self.other(args)?.ok_or_else(|| FuncError::new(NIL_DEREF))?;
                let d = v.compare(o);
                match name {
                    "Compare" => Value::Int(match d {
                        Ordering::Less => -1,
                        Ordering::Equal => 0,
                        Ordering::Greater => 1,
                    }),
                    "LessThan" => Value::Bool(d == Ordering::Less),
                    "LessThanEqual" => Value::Bool(d != Ordering::Greater),
                    "GreaterThan" => Value::Bool(d == Ordering::Greater),
                    "GreaterThanEqual" => Value::Bool(d != Ordering::Less),
                    _ => return Err(FuncError::new(format!("method {name} not implemented"))),
                }
            }
        })
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        let o = any.downcast_ref::<SemverObject>()?;
        if self.pointer != o.pointer {
            return Some(false);
        }
        if self.pointer {
            // Pointers are equal only when they are the same pointer.
            Some(std::ptr::eq(self, o))
        } else {
            Some(self.version == o.version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        let c = Constraints::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        c.check(&Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}")))
    }

    #[test]
    fn parses_coercively() {
        let v = Version::parse("v1.2").unwrap_or_default();
        assert_eq!((v.major, v.minor, v.patch, v.to_go_string()), (1, 2, 0, "1.2.0".to_string()));
        assert_eq!(Version::parse("01.02.03").map(|v| v.to_go_string()), Ok("1.2.3".to_string()));
        assert_eq!(Version::parse("1.2.3.4"), Err("invalid semantic version".to_string()));
        assert_eq!(Version::parse("1.2.3-01"), Err("version segment starts with 0".to_string()));
        assert_eq!(Version::parse(""), Err("invalid semantic version".to_string()));
    }

    #[test]
    fn constraints_follow_the_library() {
        assert!(check(">=1.2.0", "1.2.3"));
        assert!(!check(">=1.19", "v1.20.0-gke.100"));
        assert!(check(">=1.19-0", "v1.20.0-gke.100"));
        assert!(check("^1.2", "1.3.0"));
        assert!(!check("~1.2.0", "1.3.0"));
        assert!(check("1.2 - 1.4", "1.4.0"));
        assert!(check("<1 || >=2.1", "2.1.0"));
        assert!(check("1.x", "1.9.9"));
        assert!(!check("!=1.2.x", "1.2.5"));
        assert!(Constraints::parse("foo").is_err());
        assert!(Constraints::parse(">=1|2").is_err());
    }
}
