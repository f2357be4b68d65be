//! Semantic versions and version constraints with the rules Helm uses (Masterminds `semver` v3.4).
//!
//! Helm resolves `--version` ranges against chart repository indexes and OCI tags with this library's rules, which
//! differ from Cargo's in several ways that matter for fidelity:
//!
//! * versions are parsed leniently: a leading `v` is allowed and missing minor/patch parts default to zero
//!   (`v1.2` is `1.2.0`); [`Version::parse_strict`] is the strict form used for OCI tags;
//! * a constraint is a list of OR groups (`||`) of AND-ed comparisons separated by commas or spaces, with the
//!   operators `=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`, `~`, `~>`, `^`, hyphen ranges (`1.2 - 1.4.5`) and the
//!   wildcards `x`, `X` and `*` in any position;
//! * a pre-release version only satisfies an AND group that itself names a pre-release, unless the caller asks for
//!   pre-releases ([`Constraints::include_prerelease`], Helm's `--devel`).

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

/// Why a version or constraint could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SemverError(pub String);

/// A semantic version as Masterminds `semver` models it.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
    original: String,
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn validate_prerelease(p: &str) -> Result<(), SemverError> {
    for part in p.split('.') {
        if part.is_empty() || !is_ident(part) {
            return Err(SemverError("invalid prerelease string".into()));
        }
        if is_num(part) && part.len() > 1 && part.starts_with('0') {
            return Err(SemverError("version segment starts with 0".into()));
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), SemverError> {
    if m.split('.').all(is_ident) { Ok(()) } else { Err(SemverError("invalid metadata string".into())) }
}

fn parse_u64(s: &str) -> Result<u64, SemverError> {
    s.parse::<u64>().map_err(|e| SemverError(format!("error parsing version segment: {e}")))
}

impl Version {
    /// Parses a version leniently (Masterminds `NewVersion`): `v` prefix allowed, minor and patch optional, leading
    /// zeros in numeric parts accepted.
    pub fn parse(s: &str) -> Result<Version, SemverError> {
        let invalid = || SemverError("invalid semantic version".into());
        let body = s.strip_prefix('v').unwrap_or(s);
        // Split off build metadata, then the pre-release, at the first `+` and the first `-` before it.
        let (core_pre, meta) = match body.find('+') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (core, pre) = match core_pre.find('-') {
            Some(i) => (&core_pre[..i], Some(&core_pre[i + 1..])),
            None => (core_pre, None),
        };
        let mut nums = core.split('.');
        let major = nums.next().filter(|p| is_num(p)).ok_or_else(invalid)?;
        let minor = nums.next();
        let patch = nums.next();
        if nums.next().is_some() {
            return Err(invalid());
        }
        for part in [minor, patch].into_iter().flatten() {
            if !is_num(part) {
                return Err(invalid());
            }
        }
        if minor.is_none() && patch.is_some() {
            return Err(invalid());
        }
        // The lenient grammar only allows identifier characters in the pre-release and metadata.
        if let Some(p) = pre
            && (p.is_empty() || !p.split('.').all(is_ident))
        {
            return Err(invalid());
        }
        if let Some(m) = meta
            && (m.is_empty() || !m.split('.').all(is_ident))
        {
            return Err(invalid());
        }
        let v = Version {
            major: parse_u64(major)?,
            minor: minor.map(parse_u64).transpose()?.unwrap_or(0),
            patch: patch.map(parse_u64).transpose()?.unwrap_or(0),
            pre: pre.unwrap_or("").to_owned(),
            meta: meta.unwrap_or("").to_owned(),
            original: s.to_owned(),
        };
        if !v.pre.is_empty() {
            validate_prerelease(&v.pre)?;
        }
        if !v.meta.is_empty() {
            validate_metadata(&v.meta)?;
        }
        Ok(v)
    }

    /// Parses a strict semantic version (Masterminds `StrictNewVersion`): exactly `MAJOR.MINOR.PATCH`, no `v`, no
    /// leading zeros.
    pub fn parse_strict(s: &str) -> Result<Version, SemverError> {
        if s.is_empty() {
            return Err(SemverError("version string empty".into()));
        }
        let mut parts = s.splitn(3, '.');
        let (Some(major), Some(minor), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SemverError("invalid semantic version".into()));
        };
        let (rest, meta) = match rest.split_once('+') {
            Some((r, m)) => {
                validate_metadata(m)?;
                (r, m)
            }
            None => (rest, ""),
        };
        let (patch, pre) = match rest.split_once('-') {
            Some((p, pre)) => {
                validate_prerelease(pre)?;
                (p, pre)
            }
            None => (rest, ""),
        };
        for p in [major, minor, patch] {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SemverError("invalid characters in version".into()));
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err(SemverError("version segment starts with 0".into()));
            }
        }
        Ok(Version {
            major: parse_u64(major)?,
            minor: parse_u64(minor)?,
            patch: parse_u64(patch)?,
            pre: pre.to_owned(),
            meta: meta.to_owned(),
            original: s.to_owned(),
        })
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }
    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }
    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }
    /// The pre-release, empty when none.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }
    /// The build metadata, empty when none.
    pub fn metadata(&self) -> &str {
        &self.meta
    }
    /// The text this version was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Precedence order (build metadata ignored), as Masterminds `Compare`.
    pub fn precedence(&self, other: &Version) -> Ordering {
        self.major.cmp(&other.major).then(self.minor.cmp(&other.minor)).then(self.patch.cmp(&other.patch)).then_with(
            || match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            },
        )
    }
}

impl fmt::Display for Version {
    /// The canonical form `MAJOR.MINOR.PATCH[-PRE][+META]` (no `v`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let mut ia = a.split('.');
    let mut ib = b.split('.');
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            // A longer list of identifiers has higher precedence when all earlier ones are equal.
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = compare_pre_part(x, y);
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

fn compare_pre_part(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    match (x.parse::<u64>(), y.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        // Numeric identifiers sort before alphanumeric ones.
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => x.cmp(y),
    }
}

/// Comparison operators of a single constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
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

/// One comparison, e.g. `>= 1.2` or `~1.x`.
#[derive(Debug, Clone)]
struct Comparison {
    op: Op,
    version: Version,
    /// Minor (and so patch) given as a wildcard or missing.
    minor_dirty: bool,
    /// Patch given as a wildcard or missing.
    patch_dirty: bool,
    /// Any wildcard or missing part.
    dirty: bool,
}

/// A parsed version constraint: OR groups of AND-ed comparisons.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Comparison>>,
    group_has_pre: Vec<bool>,
    include_pre: bool,
    text: String,
}

/// The grammar pieces, written out once. Whitespace is ASCII only, as in Go's `\s`.
struct Grammar {
    range: Regex,
    valid_group: Regex,
    find: Regex,
    single: Regex,
}

fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(|| {
        let ws = r"[\t\n\f\r ]";
        // Version part of a constraint: numbers or wildcards (the character class is as permissive as the reference's,
        // which also admits `|`), optional pre-release and metadata.
        let num = r"[0-9|xX*]+";
        let ident = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*";
        let cv = format!(r"v?({num})(\.{num})?(\.{num})?(-{ident})?(?:\+{ident})?");
        let cv_plain = format!(r"v?{num}(?:\.{num})?(?:\.{num})?(?:-{ident})?(?:\+{ident})?");
        // Operator alternatives in the reference's priority order (leftmost-first), including the empty operator.
        let ops = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
        let build = |p: String| Regex::new(&p).map_err(|e| e.to_string());
        let compile = || -> Result<Grammar, String> {
            Ok(Grammar {
                range: build(format!(r"{ws}*({cv_plain}){ws}+-{ws}+({cv_plain}){ws}*"))?,
                valid_group: build(format!(
                    r"^({ws}*(?:{ops}){ws}*(?:{cv_plain}){ws}*)(?:(?:{ws}+|,{ws}*)(?:{ops}){ws}*(?:{cv_plain}){ws}*)*$"
                ))?,
                find: build(format!(r"(?:{ops}){ws}*(?:{cv_plain})"))?,
                single: build(format!(r"^{ws}*({ops}){ws}*({cv}){ws}*$"))?,
            })
        };
        match compile() {
            Ok(g) => g,
            // The patterns are constants; failing to compile them is a programming error caught by the unit tests.
            Err(e) => unreachable!("semver grammar: {e}"),
        }
    })
}

fn is_wild(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_comparison(text: &str) -> Result<Comparison, SemverError> {
    let g = grammar();
    let caps = g.single.captures(text).ok_or_else(|| SemverError(format!("improper constraint: {text}")))?;
    let op_text = caps.get(1).map_or("", |m| m.as_str());
    let op = Op::from_text(op_text).ok_or_else(|| SemverError(format!("improper constraint: {text}")))?;
    let whole = caps.get(2).map_or("", |m| m.as_str());
    let major = caps.get(3).map_or("", |m| m.as_str());
    let minor = caps.get(4).map_or("", |m| m.as_str());
    let patch = caps.get(5).map_or("", |m| m.as_str());
    let pre = caps.get(6).map_or("", |m| m.as_str());
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_wild(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if minor.is_empty() || is_wild(minor.strip_prefix('.').unwrap_or(minor)) {
        minor_dirty = true;
        dirty = true;
        format!("{major}.0.0{pre}")
    } else if patch.is_empty() || is_wild(patch.strip_prefix('.').unwrap_or(patch)) {
        patch_dirty = true;
        dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        whole.to_owned()
    };
    let version = Version::parse(&ver).map_err(|_| SemverError(format!("improper constraint: {text}")))?;
    Ok(Comparison { op, version, minor_dirty, patch_dirty, dirty })
}

impl Constraints {
    /// Parses a constraint string such as `^1.2`, `>=1.0.0, <2.0.0 || 3.x`, `1.2 - 1.4` or `*`.
    pub fn parse(text: &str) -> Result<Constraints, SemverError> {
        let g = grammar();
        // Hyphen ranges become `>= A, <= B`.
        let rewritten = g.range.replace_all(text, ">= ${1}, <= ${2} ").into_owned();
        let mut groups = Vec::new();
        let mut group_has_pre = Vec::new();
        for segment in rewritten.split("||") {
            if !g.valid_group.is_match(segment) {
                return Err(SemverError(format!("improper constraint: {segment}")));
            }
            let mut group = Vec::new();
            let mut found: Vec<&str> = g.find.find_iter(segment).map(|m| m.as_str()).collect();
            if found.is_empty() {
                found.push(segment);
            }
            let mut has_pre = false;
            for piece in found {
                let c = parse_comparison(piece)?;
                has_pre |= !c.version.pre.is_empty();
                group.push(c);
            }
            groups.push(group);
            group_has_pre.push(has_pre);
        }
        Ok(Constraints { groups, group_has_pre, include_pre: false, text: text.to_owned() })
    }

    /// Lets pre-release versions satisfy groups without a pre-release of their own (Helm's `--devel`).
    pub fn include_prerelease(mut self, yes: bool) -> Constraints {
        self.include_pre = yes;
        self
    }

    /// True if `v` satisfies any OR group.
    pub fn matches(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .zip(&self.group_has_pre)
            .any(|(group, has_pre)| group.iter().all(|c| check(c, v, self.include_pre || *has_pre)))
    }

    /// The constraint text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn check(c: &Comparison, v: &Version, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let con = &c.version;
    match c.op {
        Op::TildeOrEqual => {
            if c.dirty {
                tilde(c, v)
            } else {
                v.precedence(con) == Ordering::Equal
            }
        }
        Op::Tilde => tilde(c, v),
        Op::NotEqual => {
            if c.dirty {
                if con.major != v.major {
                    return true;
                }
                if con.minor != v.minor && !c.minor_dirty {
                    return true;
                } else if c.minor_dirty {
                    return false;
                } else if con.patch != v.patch && !c.patch_dirty {
                    return true;
                } else if c.patch_dirty {
                    if !v.pre.is_empty() || !con.pre.is_empty() {
                        return compare_pre_or_empty(&v.pre, &con.pre) != Ordering::Equal;
                    }
                    return false;
                }
            }
            v.precedence(con) != Ordering::Equal
        }
        Op::Greater => {
            if !c.dirty {
                return v.precedence(con) == Ordering::Greater;
            }
            if v.major != con.major {
                return v.major > con.major;
            }
            if c.minor_dirty {
                return false;
            }
            if c.patch_dirty {
                return v.minor > con.minor;
            }
            v.precedence(con) == Ordering::Greater
        }
        Op::Less => v.precedence(con) == Ordering::Less,
        Op::GreaterEqual => v.precedence(con) != Ordering::Less,
        Op::LessEqual => {
            if !c.dirty {
                return v.precedence(con) != Ordering::Greater;
            }
            if v.major > con.major {
                return false;
            }
            !(v.major == con.major && v.minor > con.minor && !c.minor_dirty)
        }
        Op::Caret => {
            if v.precedence(con) == Ordering::Less {
                return false;
            }
            if con.major > 0 || c.minor_dirty {
                return v.major == con.major;
            }
            if v.major > 0 {
                return false;
            }
            if con.minor > 0 || c.patch_dirty {
                return v.minor == con.minor;
            }
            if v.minor > 0 {
                return false;
            }
            v.patch == con.patch
        }
    }
}

/// Pre-release comparison where an empty pre-release counts as an identifier list of one empty string, as the
/// reference does for `!=` with a wildcard patch.
fn compare_pre_or_empty(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => compare_prerelease(a, b),
    }
}

fn tilde(c: &Comparison, v: &Version) -> bool {
    let con = &c.version;
    if v.precedence(con) == Ordering::Less {
        return false;
    }
    // `~0`, `~*`: any version.
    if con.major == 0 && con.minor == 0 && con.patch == 0 && !c.minor_dirty && !c.patch_dirty {
        return true;
    }
    if v.major != con.major {
        return false;
    }
    v.minor == con.minor || c.minor_dirty
}

/// Sorts versions newest first, stable for equal precedence (build metadata does not order).
pub fn sort_descending<T>(items: &mut [(Version, T)]) {
    items.sort_by(|a, b| b.0.precedence(&a.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: &str, v: &str) -> bool {
        let cs = Constraints::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        let v = Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        cs.matches(&v)
    }

    #[test]
    fn lenient_and_strict_parsing() {
        assert_eq!(Version::parse("v1.2").map(|v| v.to_string()), Ok("1.2.0".into()));
        assert_eq!(Version::parse("1").map(|v| v.to_string()), Ok("1.0.0".into()));
        assert_eq!(Version::parse("01.2.3").map(|v| v.to_string()), Ok("1.2.3".into()));
        assert!(Version::parse("1.2.3-01").is_err());
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("1..2").is_err());
        assert!(Version::parse("").is_err());
        assert!(Version::parse("latest").is_err());
        assert!(Version::parse("1.2.3-").is_err());
        assert!(Version::parse("1.2.3+a_b").is_err());
        assert_eq!(Version::parse("1.2.3-rc.1+build.5").map(|v| v.to_string()), Ok("1.2.3-rc.1+build.5".into()));
        assert!(Version::parse_strict("1.2").is_err());
        assert!(Version::parse_strict("v1.2.3").is_err());
        assert!(Version::parse_strict("1.02.3").is_err());
        assert!(Version::parse_strict("1.2.3-alpha+x").is_ok());
    }

    #[test]
    fn precedence() {
        let order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11"];
        for w in order.windows(2) {
            let (a, b) = (Version::parse(w[0]).unwrap(), Version::parse(w[1]).unwrap());
            assert_eq!(a.precedence(&b), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        let a = Version::parse("1.0.0+a").unwrap();
        let b = Version::parse("1.0.0+b").unwrap();
        assert_eq!(a.precedence(&b), Ordering::Equal);
    }

    // Expected results follow the reference library's documented semantics (its README and constraint tests).
    #[test]
    fn operators() {
        assert!(m("1.2.3", "1.2.3"));
        assert!(!m("1.2.3", "1.2.4"));
        assert!(m("=1.2", "1.2.9"));
        assert!(m("!=1.2.3", "1.2.4"));
        assert!(!m("!=1.x", "1.9.0"));
        assert!(m(">1.1", "1.2.0"));
        assert!(!m(">1.1", "1.1.9"));
        assert!(!m(">11", "11.1.0"));
        assert!(m(">=1.2, <2", "1.9.9"));
        assert!(m(">=1.2 <2", "1.9.9"));
        assert!(!m(">=1.2, <2", "2.0.0"));
        assert!(m("<=1.2", "1.2.9"));
        assert!(!m("<=1.2", "1.3.0"));
        assert!(m("~1.2.3", "1.2.9"));
        assert!(!m("~1.2.3", "1.3.0"));
        assert!(m("~1", "1.9.0"));
        assert!(m("~>1.2", "1.2.5"));
        assert!(m("^1.2.3", "1.9.0"));
        assert!(!m("^1.2.3", "2.0.0"));
        assert!(m("^0.2.3", "0.2.9"));
        assert!(!m("^0.2.3", "0.3.0"));
        assert!(m("^0.0.3", "0.0.3"));
        assert!(!m("^0.0.3", "0.0.4"));
        assert!(m("^0", "0.9.0"));
        assert!(m("1.x", "1.4.0"));
        assert!(m("1.2.X", "1.2.7"));
        assert!(m("*", "7.0.0"));
        assert!(m("1.2 - 1.4.5", "1.4.5"));
        assert!(!m("1.2 - 1.4.5", "1.4.6"));
        assert!(m("<1 || >=3.1", "3.2.0"));
        assert!(!m("<1 || >=3.1", "2.0.0"));
        assert!(m("v1.2.3", "1.2.3"));
    }

    #[test]
    fn prereleases() {
        assert!(!m("*", "1.0.0-rc.1"));
        assert!(!m(">=1.0.0", "1.1.0-rc.1"));
        assert!(m(">=1.0.0-0", "1.1.0-rc.1"));
        assert!(m(">0.0.0-0", "0.1.0-alpha"));
        assert!(m("~1.2.3-beta.2", "1.2.3-beta.4"));
        // Only the AND group naming a pre-release admits pre-releases.
        assert!(!m(">=2.0.0 || >=1.0.0-0 <1.5.0", "2.1.0-rc.1"));
        let cs = Constraints::parse("^1").unwrap().include_prerelease(true);
        assert!(cs.matches(&Version::parse("1.3.0-rc.1").unwrap()));
    }

    #[test]
    fn bad_constraints() {
        for bad in ["", "||", "abc", ">=1.2,", "1.2.3.4", "> > 1", "1.2 -"] {
            assert!(Constraints::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
