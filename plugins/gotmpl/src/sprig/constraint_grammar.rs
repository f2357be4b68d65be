//! The constraint grammar of `Masterminds/semver` v3, matched by hand.
//!
//! The library defines constraints with four regular expressions built from these pieces (RE2 syntax):
//!
//! ```text
//! sp   = [\t\n\f\r ]
//! ops  = =||!=|>|<|>=|=>|<=|=<|~|~>|\^          (note the empty alternative)
//! part = [0-9|xX*]+                              (`|` included, as in the library)
//! cv   = v?(part)(\.part)?(\.part)?(-(ident(\.ident)*))?(\+(ident(\.ident)*))?   with ident = [0-9A-Za-z-]+
//! single = ^sp*(ops)sp*(cv)sp*$                  one comparison, anchored
//! range  = sp*(cv)sp+-sp+(cv)sp*                 a hyphen range, found anywhere
//! find   = (ops)sp*(cv)                          each comparison of a group, found left to right
//! valid  = ^(sp*(ops)sp*(cv)sp*)((?:sp+|,sp*)(ops)sp*(cv)sp*)*$
//! ```
//!
//! No character can both end one piece and start the next (operators, spaces, separators and version characters
//! are disjoint classes, and a version's optional parts each start with `.`, `-` or `+`), so the regular
//! expressions' backtracking never finds a second way to match: each is decided in one greedy left-to-right pass.
//! An operator is the whole run of operator characters before the version, and it must be one of the list. Compiling
//! the expressions cost more than a small chart's whole render; the module's tests compare these functions with the
//! library's expressions on generated constraints.

/// The captures of [`single`] the library reads: the operator, the whole version, its major part, `.minor`,
/// `.patch` and `-prerelease` (each with its leading separator, empty when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison<'a> {
    pub op: &'a str,
    pub version: &'a str,
    pub major: &'a str,
    pub minor: &'a str,
    pub patch: &'a str,
    pub pre: &'a str,
}

fn is_sp(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_part(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'|' | b'x' | b'X' | b'*')
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_op_char(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'>' | b'<' | b'~' | b'^')
}

const OPS: [&str; 12] = ["=", "", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"];

fn skip(s: &[u8], mut i: usize, class: fn(u8) -> bool) -> usize {
    while i < s.len() && class(s[i]) {
        i += 1;
    }
    i
}

/// `(ident(\.ident)*)` at `i`: its end, if at least one identifier character is there.
fn idents(s: &[u8], i: usize) -> Option<usize> {
    let mut end = skip(s, i, is_ident);
    if end == i {
        return None;
    }
    while end + 1 < s.len() && s[end] == b'.' && is_ident(s[end + 1]) {
        end = skip(s, end + 1, is_ident);
    }
    Some(end)
}

/// Byte ranges of a version's captures: major, `.minor`, `.patch`, `-prerelease`.
type Captures = [Span; 4];

/// `cv` at `i` (greedy): its end and the positions of its captures.
fn version_at(s: &[u8], i: usize) -> Option<(usize, Captures)> {
    let mut at = i;
    if s.get(at) == Some(&b'v') && s.get(at + 1).is_some_and(|&b| is_part(b)) {
        at += 1;
    }
    let major_end = skip(s, at, is_part);
    if major_end == at {
        return None;
    }
    let mut caps = [(at, major_end), (major_end, major_end), (major_end, major_end), (major_end, major_end)];
    let mut end = major_end;
    for slot in 1..3 {
        if s.get(end) == Some(&b'.') && s.get(end + 1).is_some_and(|&b| is_part(b)) {
            let e = skip(s, end + 1, is_part);
            caps[slot] = (end, e);
            end = e;
        } else {
            for c in &mut caps[slot..] {
                *c = (end, end);
            }
            break;
        }
    }
    caps[3] = (end, end);
    if s.get(end) == Some(&b'-')
        && let Some(e) = idents(s, end + 1)
    {
        caps[3] = (end, e);
        end = e;
    }
    if s.get(end) == Some(&b'+')
        && let Some(e) = idents(s, end + 1)
    {
        end = e;
    }
    Some((end, caps))
}

/// `(ops)sp*(cv)` at `i`: the operator's end, the version's start and end, and its captures.
fn comparison_at(s: &[u8], i: usize) -> Option<(usize, usize, usize, Captures)> {
    let op_end = skip(s, i, is_op_char);
    let op = std::str::from_utf8(&s[i..op_end]).ok()?;
    if !OPS.contains(&op) {
        return None;
    }
    let v_start = skip(s, op_end, is_sp);
    let (v_end, caps) = version_at(s, v_start)?;
    Some((op_end, v_start, v_end, caps))
}

/// The `single` expression's captures, when `c` is one comparison.
pub fn single(c: &str) -> Option<Comparison<'_>> {
    let s = c.as_bytes();
    let start = skip(s, 0, is_sp);
    let (op_end, v_start, v_end, caps) = comparison_at(s, start)?;
    if skip(s, v_end, is_sp) != s.len() {
        return None;
    }
    let g = |(a, b): Span| c.get(a..b).unwrap_or("");
    Some(Comparison {
        op: c.get(start..op_end)?,
        version: c.get(v_start..v_end)?,
        major: g(caps[0]),
        minor: g(caps[1]),
        patch: g(caps[2]),
        pre: g(caps[3]),
    })
}

/// Whether a `||`-separated group is made of comparisons only (the `valid` expression).
pub fn valid(group: &str) -> bool {
    let s = group.as_bytes();
    let mut at = skip(s, 0, is_sp);
    loop {
        let Some((_, _, v_end, _)) = comparison_at(s, at) else { return false };
        let after = skip(s, v_end, is_sp);
        if after == s.len() {
            return true;
        }
        at = if s[after] == b',' {
            skip(s, after + 1, is_sp)
        } else if after > v_end {
            after
        } else {
            return false;
        };
    }
}

/// Each comparison of a group, left to right, as the `find` expression's matches.
pub fn comparisons(group: &str) -> Vec<&str> {
    let s = group.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        match comparison_at(s, i) {
            Some((_, _, v_end, _)) => {
                if let Some(m) = group.get(i..v_end) {
                    out.push(m);
                }
                i = v_end;
            }
            None => i += 1,
        }
    }
    out
}

/// Each hyphen range `A - B` in `text`, as the `range` expression's matches: the whole match and the two versions.
pub fn ranges(text: &str) -> Vec<(&str, &str, &str)> {
    let s = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        match range_at(s, i) {
            Some((end, a, b)) => {
                if let (Some(w), Some(x), Some(y)) = (text.get(i..end), text.get(a.0..a.1), text.get(b.0..b.1)) {
                    out.push((w, x, y));
                }
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

type Span = (usize, usize);

fn range_at(s: &[u8], i: usize) -> Option<(usize, Span, Span)> {
    let a_start = skip(s, i, is_sp);
    let (a_end, _) = version_at(s, a_start)?;
    let dash = skip(s, a_end, is_sp);
    if dash == a_end || s.get(dash) != Some(&b'-') {
        return None;
    }
    let b_start = skip(s, dash + 1, is_sp);
    if b_start == dash + 1 {
        return None;
    }
    let (b_end, _) = version_at(s, b_start)?;
    Some((skip(s, b_end, is_sp), (a_start, a_end), (b_start, b_end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_lite::Regex;

    /// The library's expressions, as it writes them.
    struct Library {
        single: Regex,
        range: Regex,
        find: Regex,
        valid: Regex,
    }

    fn library() -> Library {
        let sp = r"[\t\n\x0C\r ]";
        let ops = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
        let part = r"[0-9|xX*]+";
        let ident = r"[0-9A-Za-z\-]+";
        let cv = format!(r"v?({part})(\.{part})?(\.{part})?(-({ident}(\.{ident})*))?(\+({ident}(\.{ident})*))?");
        let build = |re: String| Regex::new(&re).expect("grammar");
        Library {
            single: build(format!(r"^{sp}*({ops}){sp}*({cv}){sp}*$")),
            range: build(format!(r"{sp}*({cv}){sp}+-{sp}+({cv}){sp}*")),
            find: build(format!(r"({ops}){sp}*({cv})")),
            valid: build(format!(r"^({sp}*({ops}){sp}*({cv}){sp}*)((?:{sp}+|,{sp}*)({ops}){sp}*({cv}){sp}*)*$")),
        }
    }

    fn check(lib: &Library, c: &str) {
        let want_single = lib.single.captures(c).map(|m| {
            let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
            Comparison { op: g(1), version: g(2), major: g(3), minor: g(4), patch: g(5), pre: g(6) }
        });
        assert_eq!(single(c), want_single, "single {c:?}");
        assert_eq!(valid(c), lib.valid.is_match(c), "valid {c:?}");
        let want_find: Vec<&str> = lib.find.find_iter(c).map(|m| m.as_str()).collect();
        assert_eq!(comparisons(c), want_find, "find {c:?}");
        let want_ranges: Vec<(&str, &str, &str)> = lib
            .range
            .captures_iter(c)
            .map(|m| {
                let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
                (g(0), g(1), g(11))
            })
            .collect();
        assert_eq!(ranges(c), want_ranges, "range {c:?}");
    }

    #[test]
    fn written_constraints_match_the_library() {
        let lib = library();
        for c in [
            ">=1.19-0",
            "< 1.22.0-0",
            ">= 1.2.3, < 2",
            "~1.2.x || ^2",
            "1.2 - 1.4.5",
            " 1 - 2 ",
            "=>1.0 =<2.0",
            "!=1.2.3-beta.1+build.5",
            "v1.2.3",
            "vv1",
            "==1",
            "~>1.2",
            ">=1.2.3.4",
            "1.2.3-",
            "1.2.",
            "*",
            "x.X.*",
            "1|2",
            ">= 1.2 <= 1.3,,1.4",
            "1 -2",
            "1- 2",
            "1 - - 2",
            "",
            "   ",
            ">",
            "1.2.3-a..b",
            "1.2.3+",
            "^0.0.1-rc.1, != 0.0.1-rc.2",
            "é1.2",
            "1.2é",
        ] {
            check(&lib, c);
        }
    }

    #[test]
    fn generated_constraints_match_the_library() {
        let lib = library();
        let atoms: &[&str] = &[
            "1", "2", "0", "10", ".", "-", "+", " ", ",", "v", "x", "X", "*", "|", "||", "=", "!=", ">", "<", ">=",
            "=>", "<=", "=<", "~", "~>", "^", "a", "beta", "\t", "!", "é",
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let n = 1 + next() % 12;
            let c: String = (0..n).map(|_| atoms[(next() % atoms.len() as u64) as usize]).collect();
            check(&lib, &c);
        }
    }
}
