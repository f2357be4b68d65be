//! Semantic versions and constraints as Helm reads them (`Masterminds/semver` v3.4 semantics).
//!
//! Used for the chart `version` check, `kubeVersion` constraints and dependency version ranges. Parsing is lenient
//! the way Helm's is: `v1`, `1.2` and `01.2.3` are versions (missing parts are zero). Constraints support
//! `= != > < >= <= ~ ~> ^`, wildcards (`1.2.x`, `*`), hyphen ranges (`1 - 2`), comma/space for AND and `||` for OR;
//! a prerelease version only satisfies a constraint group that mentions a prerelease itself.

use std::cmp::Ordering;
use std::fmt;

/// A parsed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
}

/// Why a version or constraint could not be parsed. The text is the library's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SemverError(pub String);

/// The library's constraint grammar, shared with sprig's `semverCompare` (the same library).
use gotmpl::sprig::semver::grammar;

/// The parts of a loose version, as the library's pattern
/// `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`
/// captures them: major, minor and patch digits (empty when absent), prerelease and metadata. Matched by hand: every
/// chart's version goes through here, and compiling the pattern costs more than a whole small render.
fn loose_parts(v: &str) -> Option<[&str; 5]> {
    fn digits(s: &str) -> usize {
        s.bytes().take_while(u8::is_ascii_digit).count()
    }
    /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`, up to `stop` or the end.
    fn idents(s: &str, stop: Option<u8>) -> Option<usize> {
        let end = s.bytes().position(|b| Some(b) == stop).unwrap_or(s.len());
        let body = &s[..end];
        let ok = body.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        ok.then_some(end)
    }
    let rest = v.strip_prefix('v').unwrap_or(v);
    let n = digits(rest);
    if n == 0 {
        return None;
    }
    let (major, mut rest) = rest.split_at(n);
    let mut nums = ["", ""];
    for slot in &mut nums {
        if let Some(after) = rest.strip_prefix('.') {
            let n = digits(after);
            if n == 0 {
                return None;
            }
            *slot = &after[..n];
            rest = &after[n..];
        }
    }
    let mut pre = "";
    if let Some(after) = rest.strip_prefix('-') {
        let end = idents(after, Some(b'+'))?;
        pre = &after[..end];
        rest = &after[end..];
    }
    let mut meta = "";
    if let Some(after) = rest.strip_prefix('+') {
        let end = idents(after, None)?;
        meta = &after[..end];
        rest = &after[end..];
    }
    rest.is_empty().then_some([major, nums[0], nums[1], pre, meta])
}

fn only(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    s.chars().all(allowed)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn validate_prerelease(p: &str) -> Result<(), SemverError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(SemverError("invalid prerelease string".into()));
        } else if only(part, |c| c.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(SemverError("version segment starts with 0".into()));
            }
        } else if !only(part, is_ident_char) {
            return Err(SemverError("invalid prerelease string".into()));
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), SemverError> {
    for part in m.split('.') {
        if part.is_empty() || !only(part, is_ident_char) {
            return Err(SemverError("invalid metadata string".into()));
        }
    }
    Ok(())
}

fn parse_segment(s: &str) -> Result<u64, SemverError> {
    s.parse::<u64>().map_err(|_| {
        SemverError(format!("error parsing version segment: strconv.ParseUint: parsing \"{s}\": value out of range"))
    })
}

impl Version {
    /// Parse leniently (`NewVersion` with coercion on).
    pub fn parse(v: &str) -> Result<Version, SemverError> {
        let [major, minor, patch, pre, metadata] =
            loose_parts(v).ok_or_else(|| SemverError("invalid semantic version".into()))?;
        let major = parse_segment(major)?;
        let minor = if minor.is_empty() { 0 } else { parse_segment(minor)? };
        let patch = if patch.is_empty() { 0 } else { parse_segment(patch)? };
        let (pre, metadata) = (pre.to_owned(), metadata.to_owned());
        if !pre.is_empty() {
            validate_prerelease(&pre)?;
        }
        if !metadata.is_empty() {
            validate_metadata(&metadata)?;
        }
        Ok(Version { major, minor, patch, pre, metadata })
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
    /// The prerelease part, without the `-`.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// Precedence order (metadata ignored).
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major.cmp(&o.major).then(self.minor.cmp(&o.minor)).then(self.patch.cmp(&o.patch)).then_with(|| {
            match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            }
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let x = ap.get(i).copied().unwrap_or("");
        let y = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

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
        (Ok(si), Ok(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

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

#[derive(Debug, Clone)]
struct Constraint {
    con: Version,
    op: Op,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A parsed constraint: OR of AND groups.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<(Vec<Constraint>, bool)>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

fn rewrite_range(input: &str) -> String {
    let mut out = input.to_owned();
    for (whole, a, b) in grammar::ranges(input) {
        out = out.replacen(whole, &format!(">= {a}, <= {b} "), 1);
    }
    out
}

fn parse_constraint(c: &str) -> Result<Constraint, SemverError> {
    if c.is_empty() {
        return Ok(Constraint {
            con: Version { major: 0, minor: 0, patch: 0, pre: String::new(), metadata: String::new() },
            op: Op::TildeOrEqual,
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = grammar::single(c).ok_or_else(|| SemverError(format!("improper constraint: {c}")))?;
    let op = match m.op {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(m.major) || m.major.is_empty() {
        dirty = true;
        format!("0.0.0{}", m.pre)
    } else if is_x(m.minor.trim_start_matches('.')) || m.minor.is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{}.0.0{}", m.major, m.pre)
    } else if is_x(m.patch.trim_start_matches('.')) || m.patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{}{}.0{}", m.major, m.minor, m.pre)
    } else {
        m.version.to_owned()
    };
    let con = Version::parse(&ver).map_err(|_| SemverError("constraint parser error".into()))?;
    Ok(Constraint { con, op, minor_dirty, patch_dirty, dirty })
}

impl Constraints {
    /// Parse a constraint string (`NewConstraint`).
    pub fn parse(c: &str) -> Result<Constraints, SemverError> {
        let c = rewrite_range(c);
        let mut groups = Vec::new();
        for part in c.split("||") {
            if !grammar::valid(part) {
                return Err(SemverError(format!("improper constraint: {part}")));
            }
            let found: Vec<&str> = grammar::comparisons(part);
            let found = if found.is_empty() { vec![part] } else { found };
            let mut group = Vec::new();
            let mut has_pre = false;
            for s in found {
                let pc = parse_constraint(s)?;
                if !pc.con.pre.is_empty() {
                    has_pre = true;
                }
                group.push(pc);
            }
            groups.push((group, has_pre));
        }
        Ok(Constraints { groups })
    }

    /// Whether `v` satisfies the constraints.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|(group, has_pre)| group.iter().all(|c| check_one(v, c, *has_pre)))
    }
}

fn tilde(v: &Version, c: &Constraint) -> bool {
    if v.compare(&c.con) == Ordering::Less {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

fn check_one(v: &Version, c: &Constraint, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    match c.op {
        Op::NotEqual => {
            if c.dirty {
                if c.con.major != v.major {
                    return true;
                }
                if c.con.minor != v.minor && !c.minor_dirty {
                    return true;
                } else if c.minor_dirty {
                    return false;
                } else if c.con.patch != v.patch && !c.patch_dirty {
                    return true;
                } else if c.patch_dirty {
                    if !v.pre.is_empty() || !c.con.pre.is_empty() {
                        return compare_prerelease(&v.pre, &c.con.pre) != Ordering::Equal;
                    }
                    return false;
                }
            }
            v.compare(&c.con) != Ordering::Equal
        }
        Op::Greater => {
            if !c.dirty {
                return v.compare(&c.con) == Ordering::Greater;
            }
            if v.major > c.con.major {
                true
            } else if v.major < c.con.major || c.minor_dirty {
                false
            } else if c.patch_dirty {
                v.minor > c.con.minor
            } else {
                v.compare(&c.con) == Ordering::Greater
            }
        }
        Op::Less => v.compare(&c.con) == Ordering::Less,
        Op::GreaterEqual => v.compare(&c.con) != Ordering::Less,
        Op::LessEqual => {
            if !c.dirty {
                return v.compare(&c.con) != Ordering::Greater;
            }
            if v.major > c.con.major {
                false
            } else {
                !(v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty)
            }
        }
        Op::Tilde => tilde(v, c),
        Op::TildeOrEqual => {
            if c.dirty {
                tilde(v, c)
            } else {
                v.compare(&c.con) == Ordering::Equal
            }
        }
        Op::Caret => {
            if v.compare(&c.con) == Ordering::Less {
                return false;
            }
            if c.con.major > 0 || c.minor_dirty {
                return v.major == c.con.major;
            }
            if c.con.major == 0 && v.major > 0 {
                return false;
            }
            if c.con.minor > 0 || c.patch_dirty {
                return v.minor == c.con.minor;
            }
            if c.con.minor == 0 && v.minor > 0 {
                return false;
            }
            c.con.patch == v.patch
        }
    }
}

/// `chartutil.IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = Version::parse(version) else {
        return false;
    };
    let Ok(c) = Constraints::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(Version::parse("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(Version::parse("1.2.3-rc.1+b.5").unwrap().to_string(), "1.2.3-rc.1+b.5");
        assert!(Version::parse("1.2.3-01").is_err());
        assert!(Version::parse("").is_err());
        assert!(Version::parse("1.2.3.4").is_err());
        assert_eq!(Version::parse("01.2.3").unwrap().to_string(), "1.2.3");
    }

    /// The hand-written matcher captures what the library's pattern captures, over every string of up to five
    /// characters from an alphabet that exercises each part (and a few longer ones).
    #[test]
    fn loose_parts_match_the_pattern() {
        let re = regex::Regex::new(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
        )
        .unwrap();
        let alphabet = ['v', '0', '1', '.', '-', '+', 'a', 'x', '_'];
        let mut inputs: Vec<String> = vec![String::new()];
        let mut frontier = inputs.clone();
        for _ in 0..5 {
            frontier = frontier.iter().flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}"))).collect();
            inputs.extend(frontier.iter().cloned());
        }
        inputs.extend(
            ["v1.2.3-rc.1+b.5", "10.20.30-alpha-1.beta+exp.sha.5114f85", "1.2.3-+x", "1.2.3+a..b"].map(String::from),
        );
        for v in &inputs {
            let want = re.captures(v).map(|m| {
                let g = |i: usize| m.get(i).map_or("", |g| g.as_str());
                [g(1), g(2).trim_start_matches('.'), g(3).trim_start_matches('.'), g(5), g(8)]
            });
            assert_eq!(loose_parts(v), want, "{v:?}");
        }
    }

    #[test]
    fn constraints() {
        let ok = |c: &str, v: &str| is_compatible_range(c, v);
        assert!(ok(">=1.21.0-0", "v1.35.0"));
        assert!(ok(">= 1.22.0-0", "v1.35.0"));
        assert!(!ok(">=1.19", "v1.20.0-gke.100"));
        assert!(ok(">=1.20.0-0", "v1.20.0-gke.100"));
        assert!(ok("~1.2", "1.2.9"));
        assert!(!ok("~1.2", "1.3.0"));
        assert!(ok("^1.2.3", "1.9.0"));
        assert!(!ok("^0.2.3", "0.3.0"));
        assert!(ok("1.2.x", "1.2.7"));
        assert!(ok("*", "3.0.0"));
        assert!(ok("1 - 2", "2.5.0"));
        assert!(!ok("1 - 2", "3.0.0"));
        assert!(ok("<1.0 || >=2.0", "2.1.0"));
        assert!(ok(">=1.0, <2.0", "1.5.0"));
        assert!(ok(">=1.0 <2.0", "1.5.0"));
        assert!(!ok("", "1.0.0"));
        assert!(!ok("!=1.2.3", "1.2.3"));
        assert!(ok("!=1.2.3", "1.2.4"));
        assert!(ok("<= 1.2", "1.2.9"));
        assert!(ok("> 1.2", "1.3.0"));
        assert!(!ok("> 1.2", "1.2.9"));
    }
}
