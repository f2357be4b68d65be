//! Sprig's regular-expression functions with Go's `regexp` (RE2) semantics: `regexMatch regexFindAll regexFind
//! regexReplaceAll regexReplaceAllLiteral regexSplit regexQuoteMeta` and their `must*` forms.
//!
//! Patterns are parsed with Go's `regexp/syntax` grammar and error texts (`error parsing regexp: missing closing
//! ]: `[``), then translated into an equivalent pattern for the `regex` crate, which implements the same
//! leftmost-first RE2 matching: Go's ASCII-only `\d \s \w \b`, its `^`/`$` (text anchors unless `(?m)`), its flag
//! groups, `\Q…\E`, octal and `\x{…}` escapes and repetition limits (`{1001}` is an error) are all rewritten
//! explicitly, and capture names are tracked here so that `$name`/`${1}` expansion follows Go's `Regexp.Expand`
//! (`$1x` names the group `1x`). The match loops of `FindAll`, `ReplaceAll` and `Split` are Go's, so empty
//! matches are handled as Go handles them.
//!
//! Sprig's non-`must` forms call `regexp.MustCompile`, so an invalid pattern fails the template with Go's panic
//! text (`regexp: Compile(`[`): error parsing regexp: …`); `regexMatch` alone swallows the error and is `false`.

use std::cell::RefCell;
use std::fmt;
use std::fmt::Write as _;
use std::rc::Rc;

use super::strings::MAX_OUTPUT;
use super::unicode as uni;
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::strconv;
use crate::value::{ElemType, List, Value};

/// A Go `*syntax.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    code: &'static str,
    expr: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

const ERR_INVALID_CHAR_RANGE: &str = "invalid character class range";
const ERR_INVALID_ESCAPE: &str = "invalid escape sequence";
const ERR_INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const ERR_INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const ERR_INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const ERR_INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const ERR_MISSING_BRACKET: &str = "missing closing ]";
const ERR_MISSING_PAREN: &str = "missing closing )";
const ERR_MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const ERR_TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const ERR_UNEXPECTED_PAREN: &str = "unexpected )";
const ERR_NESTING_DEPTH: &str = "expression nests too deeply";
const ERR_LARGE: &str = "expression too large";

fn err(code: &'static str, expr: &str) -> SyntaxError {
    SyntaxError { code, expr: expr.to_string() }
}

/// A compiled Go regular expression.
pub(crate) struct GoRegex {
    expr: String,
    re: regex::Regex,
    /// Capture group names by group index (index 0 is the whole match).
    names: Vec<Option<String>>,
}

#[derive(Clone, Copy)]
struct Flags {
    fold: bool,
    one_line: bool,
    dot_nl: bool,
    non_greedy: bool,
}

struct Group {
    /// Output position of the group's opening parenthesis.
    out_start: usize,
    /// Flags to restore at the closing parenthesis.
    flags: Flags,
    /// The largest product of nested counted repetitions inside the group so far.
    max_product: u64,
}

/// The largest repetition count and nested repetition product Go accepts.
const MAX_REPEAT: u64 = 1000;
/// Go's maximum nesting depth.
const MAX_NESTING: usize = 1000;

struct Translator<'a> {
    whole: &'a str,
    out: String,
    flags: Flags,
    groups: Vec<Group>,
    /// Output position and repetition product of the last repeatable item, if the last thing parsed was one.
    atom: Option<(usize, u64)>,
    names: Vec<Option<String>>,
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

/// Go's `canonicalName` for Unicode class names: first letter upper-case, the rest lower-case, and `_`, `-` and
/// spaces removed.
fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut first = true;
    for b in name.bytes() {
        match b {
            b'_' | b'-' | b' ' => {}
            _ if first => {
                out.push(char::from(b.to_ascii_uppercase()));
                first = false;
            }
            _ => out.push(char::from(b.to_ascii_lowercase())),
        }
    }
    // Non-ASCII names cannot match any table; keep them distinct from every key.
    if !name.is_ascii() {
        out.push('\u{0}');
    }
    out
}

/// The Rust class for a Go Unicode class name, or `None` when Go does not know the name.
fn unicode_class(name: &str, negate: bool) -> Option<String> {
    use uni::tables as names;
    let canon = canonical_name(name);
    let (class, invert) = match canon.as_str() {
        "Any" => ("Any".to_string(), false),
        "Assigned" => ("Cn".to_string(), true),
        "Ascii" => ("ASCII".to_string(), false),
        "Lc" => ("LC".to_string(), false),
        c if names::CATEGORIES.contains(&c) => (c.to_string(), false),
        c if names::SCRIPTS.contains(&c) => (format!("Script={c}"), false),
        c => {
            let actual = names::CATEGORY_ALIASES.iter().find(|(alias, _)| canonical_name(alias) == c)?.1;
            (actual.to_string(), false)
        }
    };
    Some(format!("\\{}{{{class}}}", if negate != invert { 'P' } else { 'p' }))
}

/// The ASCII class Go uses for a Perl class escape (`\d \D \s \S \w \W`), as Rust class items, and whether it is
/// negated.
fn perl_class(c: char) -> Option<(&'static str, bool)> {
    Some(match c {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        's' => ("\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}", false),
        'S' => ("\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        _ => return None,
    })
}

const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word",
    "xdigit",
];

fn hex_char(c: char) -> String {
    format!("\\x{{{:X}}}", u32::from(c))
}

impl<'a> Translator<'a> {
    fn new(whole: &'a str) -> Self {
        Translator {
            whole,
            out: String::with_capacity(whole.len() * 2),
            flags: Flags { fold: false, one_line: true, dot_nl: false, non_greedy: false },
            groups: vec![Group {
                out_start: 0,
                flags: Flags { fold: false, one_line: true, dot_nl: false, non_greedy: false },
                max_product: 1,
            }],
            atom: None,
            names: vec![None],
        }
    }

    /// Record a new repeatable item that started at output position `start`.
    fn push_atom(&mut self, start: usize, product: u64) {
        self.atom = Some((start, product));
        if let Some(g) = self.groups.last_mut() {
            g.max_product = g.max_product.max(product);
        }
    }

    fn literal(&mut self, c: char) {
        let start = self.out.len();
        if self.flags.fold {
            let _ = write!(self.out, "(?i:{})", hex_char(c));
        } else {
            self.out.push_str(&hex_char(c));
        }
        self.push_atom(start, 1);
    }

    fn emit_atom(&mut self, text: &str) {
        let start = self.out.len();
        self.out.push_str(text);
        self.push_atom(start, 1);
    }

    fn translate(mut self) -> Result<(String, Vec<Option<String>>), SyntaxError> {
        let whole = self.whole;
        let mut t = whole;
        let mut last_repeat: Option<&str> = None;
        while let Some(c) = t.chars().next() {
            let mut repeat: Option<&str> = None;
            match c {
                '(' => {
                    if t.as_bytes().get(1) == Some(&b'?') {
                        t = self.perl_flags(t)?;
                    } else {
                        self.open_group(None)?;
                        t = &t[1..];
                    }
                }
                '|' => {
                    self.out.push('|');
                    self.atom = None;
                    t = &t[1..];
                }
                ')' => {
                    self.close_group()?;
                    t = &t[1..];
                }
                '^' => {
                    self.emit_atom(if self.flags.one_line { "\\A" } else { "(?m:^)" });
                    t = &t[1..];
                }
                '$' => {
                    self.emit_atom(if self.flags.one_line { "\\z" } else { "(?m:$)" });
                    t = &t[1..];
                }
                '.' => {
                    self.emit_atom(if self.flags.dot_nl { "(?s:.)" } else { "." });
                    t = &t[1..];
                }
                '[' => t = self.class(t)?,
                '*' | '+' | '?' => {
                    let before = t;
                    let after = self.repeat(c.to_string().as_str(), 0, 0, before, &t[1..], last_repeat)?;
                    repeat = Some(before);
                    t = after;
                }
                '{' => {
                    let before = t;
                    match parse_repeat(t) {
                        None => {
                            self.literal('{');
                            t = &t[1..];
                        }
                        Some((min, max, after)) => {
                            let op_text = &before[..before.len() - after.len()];
                            if !(0..=1000).contains(&min) || max > 1000 || max >= 0 && min > max {
                                return Err(err(ERR_INVALID_REPEAT_SIZE, op_text));
                            }
                            let op = if max == min {
                                format!("{{{min}}}")
                            } else if max < 0 {
                                format!("{{{min},}}")
                            } else {
                                format!("{{{min},{max}}}")
                            };
                            t = self.repeat(&op, min, max, before, after, last_repeat)?;
                            repeat = Some(before);
                        }
                    }
                }
                '\\' => t = self.backslash(t)?,
                c => {
                    self.literal(c);
                    t = &t[c.len_utf8()..];
                }
            }
            last_repeat = repeat;
        }
        if self.groups.len() != 1 {
            return Err(err(ERR_MISSING_PAREN, whole));
        }
        Ok((self.out, self.names))
    }

    fn open_group(&mut self, name: Option<&str>) -> Result<(), SyntaxError> {
        if self.groups.len() > MAX_NESTING {
            return Err(err(ERR_NESTING_DEPTH, self.whole));
        }
        let out_start = self.out.len();
        self.out.push('(');
        self.names.push(name.map(str::to_string));
        self.groups.push(Group { out_start, flags: self.flags, max_product: 1 });
        self.atom = None;
        Ok(())
    }

    fn open_noncapturing(&mut self) -> Result<(), SyntaxError> {
        if self.groups.len() > MAX_NESTING {
            return Err(err(ERR_NESTING_DEPTH, self.whole));
        }
        let out_start = self.out.len();
        self.out.push_str("(?:");
        self.groups.push(Group { out_start, flags: self.flags, max_product: 1 });
        self.atom = None;
        Ok(())
    }

    fn close_group(&mut self) -> Result<(), SyntaxError> {
        if self.groups.len() < 2 {
            return Err(err(ERR_UNEXPECTED_PAREN, self.whole));
        }
        let Some(g) = self.groups.pop() else {
            return Err(err(ERR_UNEXPECTED_PAREN, self.whole));
        };
        self.out.push(')');
        self.flags = g.flags;
        self.push_atom(g.out_start, g.max_product);
        Ok(())
    }

    /// Go's `parsePerlFlags`: named groups, non-capturing groups and flag changes. `s` starts with `(?`.
    fn perl_flags(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let b = s.as_bytes();
        let starts_with_p = s.len() > 4 && b.get(2) == Some(&b'P') && b.get(3) == Some(&b'<');
        let starts_with_name = s.len() > 3 && b.get(2) == Some(&b'<');
        if starts_with_p || starts_with_name {
            let expr_start = if starts_with_p { 4 } else { 3 };
            let Some(end) = s.find('>') else {
                return Err(err(ERR_INVALID_NAMED_CAPTURE, s));
            };
            let capture = &s[..=end];
            let name = s.get(expr_start..end).unwrap_or_default();
            if name.is_empty() || !name.chars().all(|c| c == '_' || is_alnum(c)) {
                return Err(err(ERR_INVALID_NAMED_CAPTURE, capture));
            }
            self.open_group(Some(name))?;
            return Ok(&s[end + 1..]);
        }
        let mut t = &s[2..];
        let mut flags = self.flags;
        let mut negated = false;
        let mut saw_flag = false;
        while let Some(c) = t.chars().next() {
            t = &t[c.len_utf8()..];
            let set = !negated;
            match c {
                'i' => {
                    flags.fold = set;
                    saw_flag = true;
                }
                'm' => {
                    flags.one_line = !set;
                    saw_flag = true;
                }
                's' => {
                    flags.dot_nl = set;
                    saw_flag = true;
                }
                'U' => {
                    flags.non_greedy = set;
                    saw_flag = true;
                }
                '-' => {
                    if negated {
                        break;
                    }
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' => {
                    if negated && !saw_flag {
                        break;
                    }
                    if c == ':' {
                        self.open_noncapturing()?;
                    }
                    self.flags = flags;
                    return Ok(t);
                }
                _ => break,
            }
        }
        Err(err(ERR_INVALID_PERL_OP, &s[..s.len() - t.len()]))
    }

    /// Go's `repeat`: apply a repetition operator to the last item.
    fn repeat(
        &mut self,
        op: &str,
        min: i64,
        max: i64,
        before: &'a str,
        after: &'a str,
        last_repeat: Option<&'a str>,
    ) -> Result<&'a str, SyntaxError> {
        let mut after = after;
        let mut non_greedy = self.flags.non_greedy;
        if let Some(rest) = after.strip_prefix('?') {
            after = rest;
            non_greedy = !non_greedy;
        }
        if let Some(last) = last_repeat {
            return Err(err(ERR_INVALID_REPEAT_OP, &last[..last.len() - after.len()]));
        }
        let op_text = &before[..before.len() - after.len()];
        let Some((start, product)) = self.atom else {
            return Err(err(ERR_MISSING_REPEAT_ARGUMENT, op_text));
        };
        let is_counted = op.starts_with('{');
        let mut new_product = product;
        if is_counted {
            let m = if max < 0 { min } else { max };
            if m == 0 {
                new_product = 1;
            } else {
                let m = m.unsigned_abs();
                if (min >= 2 || max >= 2) && m.saturating_mul(product) > MAX_REPEAT {
                    return Err(err(ERR_INVALID_REPEAT_SIZE, op_text));
                }
                new_product = m.saturating_mul(product);
            }
        }
        self.out.insert_str(start, "(?:");
        self.out.push(')');
        self.out.push_str(op);
        if non_greedy {
            self.out.push('?');
        }
        self.push_atom(start, new_product);
        Ok(after)
    }

    /// A backslash sequence at the start of `t`.
    fn backslash(&mut self, t: &'a str) -> Result<&'a str, SyntaxError> {
        let next = t[1..].chars().next();
        match next {
            Some('A') => {
                self.emit_atom("\\A");
                return Ok(&t[2..]);
            }
            Some('b') => {
                self.emit_atom("(?-u:\\b)");
                return Ok(&t[2..]);
            }
            Some('B') => {
                self.emit_atom("(?-u:\\B)");
                return Ok(&t[2..]);
            }
            Some('C') => return Err(err(ERR_INVALID_ESCAPE, &t[..2])),
            Some('Q') => {
                let body = &t[2..];
                let (lit, rest) = match body.find("\\E") {
                    Some(i) => (&body[..i], &body[i + 2..]),
                    None => (body, ""),
                };
                for c in lit.chars() {
                    self.literal(c);
                }
                return Ok(rest);
            }
            Some('z') => {
                self.emit_atom("\\z");
                return Ok(&t[2..]);
            }
            Some('p' | 'P') => {
                let (class, rest) = self.unicode_class(t)?;
                let start = self.out.len();
                if self.flags.fold {
                    let _ = write!(self.out, "(?i:{class})");
                } else {
                    self.out.push_str(&class);
                }
                self.push_atom(start, 1);
                return Ok(rest);
            }
            Some(c) => {
                if let Some((items, negated)) = perl_class(c) {
                    let class = format!("[{}{items}]", if negated { "^" } else { "" });
                    let start = self.out.len();
                    if self.flags.fold {
                        let _ = write!(self.out, "(?i:{class})");
                    } else {
                        self.out.push_str(&class);
                    }
                    self.push_atom(start, 1);
                    return Ok(&t[2..]);
                }
            }
            None => {}
        }
        let (c, rest) = parse_escape(t)?;
        self.literal(c);
        Ok(rest)
    }

    /// Go's `parseUnicodeClass` for `\pX`, `\p{Name}`, `\PX`, `\P{^Name}` at the start of `s`.
    fn unicode_class(&self, s: &'a str) -> Result<(String, &'a str), SyntaxError> {
        let mut negate = s.as_bytes().get(1) == Some(&b'P');
        let after = &s[2..];
        let (seq, name, rest) = match after.chars().next() {
            Some('{') => match s.find('}') {
                Some(end) => (&s[..=end], &s[3..end], &s[end + 1..]),
                None => return Err(err(ERR_INVALID_CHAR_RANGE, s)),
            },
            Some(c) => {
                let len = 2 + c.len_utf8();
                (&s[..len], &s[2..len], &s[len..])
            }
            None => (&s[..2], "", ""),
        };
        let name = match name.strip_prefix('^') {
            Some(n) => {
                negate = !negate;
                n
            }
            None => name,
        };
        let class = unicode_class(name, negate).ok_or_else(|| err(ERR_INVALID_CHAR_RANGE, seq))?;
        Ok((class, rest))
    }

    /// Go's `parseClass` for a bracketed class at the start of `s`.
    fn class(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let mut t = &s[1..];
        let mut items = String::new();
        let negated = t.starts_with('^');
        if negated {
            t = &t[1..];
        }
        let mut first = true;
        loop {
            if t.is_empty() {
                return Err(err(ERR_MISSING_BRACKET, s));
            }
            if t.starts_with(']') && !first {
                break;
            }
            first = false;
            // POSIX [:alnum:].
            if t.len() > 2
                && t.starts_with("[:")
                && let Some(i) = t[2..].find(":]")
            {
                let name = &t[..i + 4];
                let inner = &name[2..name.len() - 2];
                let (neg, base) = match inner.strip_prefix('^') {
                    Some(b) => (true, b),
                    None => (false, inner),
                };
                if !POSIX_CLASSES.contains(&base) {
                    return Err(err(ERR_INVALID_CHAR_RANGE, name));
                }
                let _ = write!(items, "[:{}{base}:]", if neg { "^" } else { "" });
                t = &t[i + 4..];
                continue;
            }
            // Unicode \p{Han}.
            if t.starts_with("\\p") || t.starts_with("\\P") {
                let (class, rest) = self.unicode_class(t)?;
                items.push_str(&class);
                t = rest;
                continue;
            }
            // Perl \d.
            if let Some(c) = t.strip_prefix('\\').and_then(|r| r.chars().next())
                && let Some((class, neg)) = perl_class(c)
            {
                let _ = write!(items, "[{}{class}]", if neg { "^" } else { "" });
                t = &t[2..];
                continue;
            }
            // A single character or a range.
            let rng = t;
            let (lo, rest) = class_char(t, s)?;
            t = rest;
            let mut hi = lo;
            if t.len() >= 2 && t.starts_with('-') && !t[1..].starts_with(']') {
                let (h, rest) = class_char(&t[1..], s)?;
                t = rest;
                hi = h;
                if hi < lo {
                    return Err(err(ERR_INVALID_CHAR_RANGE, &rng[..rng.len() - t.len()]));
                }
            }
            if lo == hi {
                items.push_str(&hex_char(lo));
            } else {
                let _ = write!(items, "{}-{}", hex_char(lo), hex_char(hi));
            }
        }
        let class = format!("[{}{items}]", if negated { "^" } else { "" });
        let start = self.out.len();
        if self.flags.fold {
            let _ = write!(self.out, "(?i:{class})");
        } else {
            self.out.push_str(&class);
        }
        self.push_atom(start, 1);
        Ok(&t[1..])
    }
}

/// Go's `parseClassChar`.
fn class_char<'s>(t: &'s str, whole_class: &str) -> Result<(char, &'s str), SyntaxError> {
    match t.chars().next() {
        None => Err(err(ERR_MISSING_BRACKET, whole_class)),
        Some('\\') => parse_escape(t),
        Some(c) => Ok((c, &t[c.len_utf8()..])),
    }
}

/// Go's `parseRepeat`: `{min}`, `{min,}` (max -1) or `{min,max}`; `None` when `s` does not have that form (the
/// brace is then a literal). Numbers too big give `min == -1`.
fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    let (mut min, max, s) = if let Some(rest) = s.strip_prefix(',') {
        if rest.starts_with('}') {
            (min, -1, rest)
        } else {
            let (max, rest) = parse_int(rest)?;
            if max < 0 { (-1, max, rest) } else { (min, max, rest) }
        }
    } else {
        (min, min, s)
    };
    if s.is_empty() {
        return None;
    }
    let rest = s.strip_prefix('}')?;
    if min < -1 {
        min = -1;
    }
    Some((min, max, rest))
}

/// Go's `parser.parseInt`: decimal digits without leading zeros; values of 1e8 or more give -1.
fn parse_int(s: &str) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits >= 2 && s.starts_with('0') {
        return None;
    }
    let mut n: i64 = 0;
    for b in s[..digits].bytes() {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some((n, &s[digits..]))
}

/// Go's `parseEscape` for a single-character escape at the start of `s` (which starts with `\`).
fn parse_escape(s: &str) -> Result<(char, &str), SyntaxError> {
    let t = &s[1..];
    let Some(c) = t.chars().next() else {
        return Err(err(ERR_TRAILING_BACKSLASH, ""));
    };
    let mut t = &t[c.len_utf8()..];
    let consumed = |t: &str| s[..s.len() - t.len()].to_string();
    match c {
        '1'..='7' if !t.starts_with(|d: char| ('0'..='7').contains(&d)) => {}
        '0'..='7' => {
            let mut r = c.to_digit(8).unwrap_or(0);
            for _ in 1..3 {
                match t.chars().next().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        r = r * 8 + d;
                        t = &t[1..];
                    }
                    None => break,
                }
            }
            return Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t));
        }
        'x' => {
            let Some(c) = t.chars().next() else {
                return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) });
            };
            t = &t[c.len_utf8()..];
            if c == '{' {
                let mut nhex = 0;
                let mut r: u32 = 0;
                loop {
                    let Some(c) = t.chars().next() else {
                        return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) });
                    };
                    t = &t[c.len_utf8()..];
                    if c == '}' {
                        break;
                    }
                    let Some(v) = unhex(c) else {
                        return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) });
                    };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) });
                    }
                    nhex += 1;
                }
                if nhex == 0 {
                    return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) });
                }
                // Surrogate code points cannot appear in a Rust string; they can never match valid UTF-8 text.
                return Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t));
            }
            let x = unhex(c);
            let y = t.chars().next();
            if let Some(y) = y {
                t = &t[y.len_utf8()..];
            }
            match (x, y.and_then(unhex)) {
                (Some(x), Some(y)) => return Ok((char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}'), t)),
                _ => return Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) }),
            }
        }
        'a' => return Ok(('\u{7}', t)),
        'f' => return Ok(('\u{c}', t)),
        'n' => return Ok(('\n', t)),
        'r' => return Ok(('\r', t)),
        't' => return Ok(('\t', t)),
        'v' => return Ok(('\u{b}', t)),
        c if c.is_ascii() && !is_alnum(c) => return Ok((c, t)),
        _ => {}
    }
    Err(SyntaxError { code: ERR_INVALID_ESCAPE, expr: consumed(t) })
}

/// A compiled Go regular expression, for other crates that need Go's `regexp` semantics (Helm's schema validator
/// compiles `pattern` and `patternProperties` with `regexp.Compile`).
#[derive(Clone)]
pub struct Regexp(Rc<GoRegex>);

impl Regexp {
    /// Go's `regexp.Compile`; the error is Go's text (`error parsing regexp: missing closing ]: `[``).
    pub fn compile(expr: &str) -> Result<Regexp, String> {
        GoRegex::compile(expr).map(Regexp).map_err(|e| e.to_string())
    }

    /// Go's `MatchString`: whether the expression matches anywhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        self.0.re.is_match(s)
    }
}

impl GoRegex {
    /// Go's `regexp.Compile`.
    /// Compile `expr`, or reuse it if one of the last few expressions compiled was the same: templates call the
    /// regex functions inside loops with one pattern, and compiling costs far more than matching a short string.
    pub(crate) fn compile(expr: &str) -> Result<Rc<GoRegex>, SyntaxError> {
        thread_local! {
            static RECENT: RefCell<Vec<(String, Rc<GoRegex>)>> = const { RefCell::new(Vec::new()) };
        }
        /// Few enough that a handful of large expressions cannot pile up in memory.
        const KEEP: usize = 8;
        if let Some(hit) = RECENT.with(|r| r.borrow().iter().find(|(e, _)| e == expr).map(|(_, re)| Rc::clone(re))) {
            return Ok(hit);
        }
        let re = Rc::new(GoRegex::compile_uncached(expr)?);
        RECENT.with(|r| {
            let mut r = r.borrow_mut();
            if r.len() == KEEP {
                r.remove(0);
            }
            r.push((expr.to_owned(), Rc::clone(&re)));
        });
        Ok(re)
    }

    fn compile_uncached(expr: &str) -> Result<GoRegex, SyntaxError> {
        let (pattern, names) = Translator::new(expr).translate()?;
        let re = regex::RegexBuilder::new(&pattern)
            .nest_limit(4 * MAX_NESTING as u32 + 100)
            .size_limit(64 << 20)
            .dfa_size_limit(8 << 20)
            .build()
            .map_err(|_| err(ERR_LARGE, expr))?;
        Ok(GoRegex { expr: expr.to_string(), re, names })
    }

    /// Go's `regexp.MustCompile` panic text as an error.
    fn must_compile(expr: &str) -> Result<Rc<GoRegex>, FuncError> {
        GoRegex::compile(expr).map_err(|e| FuncError::new(format!("regexp: Compile({}): {e}", quote_expr(expr))))
    }

    /// Go's `allMatches`: up to `n` (all when negative) match ranges.
    fn all_matches(&self, s: &str, n: i64) -> Vec<(usize, usize)> {
        let limit = if n < 0 { usize::MAX } else { usize::try_from(n).unwrap_or(usize::MAX) };
        let end = s.len();
        let mut out = Vec::new();
        let mut pos = 0usize;
        let mut prev_end: Option<usize> = None;
        while out.len() < limit && pos <= end {
            let Some(m) = self.re.find_at(s, pos) else { break };
            let mut accept = true;
            if m.end() == pos {
                if Some(m.start()) == prev_end {
                    accept = false;
                }
                pos = match s[pos..].chars().next() {
                    Some(c) => pos + c.len_utf8(),
                    None => end + 1,
                };
            } else {
                pos = m.end();
            }
            prev_end = Some(m.end());
            if accept {
                out.push((m.start(), m.end()));
            }
        }
        out
    }

    /// Go's `replaceAll` with either `Expand`-style templates or literal replacement.
    fn replace_all(&self, s: &str, repl: &str, literal: bool) -> Result<String, FuncError> {
        let mut buf = String::with_capacity(s.len());
        let mut last_match_end = 0usize;
        let mut search_pos = 0usize;
        while search_pos <= s.len() {
            let Some(caps) = self.re.captures_at(s, search_pos) else { break };
            let Some(m) = caps.get(0) else { break };
            buf.push_str(&s[last_match_end..m.start()]);
            if m.end() > last_match_end || m.start() == 0 {
                if literal {
                    buf.push_str(repl);
                } else {
                    self.expand(&mut buf, repl, s, &caps);
                }
                if buf.len() > MAX_OUTPUT {
                    return Err(FuncError::new("regexp: replacement output too large"));
                }
            }
            last_match_end = m.end();
            let width = s[search_pos..].chars().next().map_or(0, char::len_utf8);
            if search_pos + width > m.end() {
                search_pos += width;
            } else if search_pos + 1 > m.end() {
                search_pos += 1;
            } else {
                search_pos = m.end();
            }
        }
        buf.push_str(&s[last_match_end..]);
        Ok(buf)
    }

    /// Go's `Regexp.expand`: `$$`, `$name`, `${name}` (a name of only digits without a leading zero is a group
    /// number), an unknown or unmatched group expands to nothing, and a malformed `$` is literal.
    fn expand(&self, dst: &mut String, template: &str, src: &str, caps: &regex::Captures<'_>) {
        let mut t = template;
        while let Some(i) = t.find('$') {
            dst.push_str(&t[..i]);
            t = &t[i + 1..];
            if let Some(rest) = t.strip_prefix('$') {
                dst.push('$');
                t = rest;
                continue;
            }
            let Some((name, num, rest)) = extract(t) else {
                dst.push('$');
                continue;
            };
            t = rest;
            let group = match num {
                Some(n) => caps.get(n),
                None => self
                    .names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.as_deref() == Some(name))
                    .find_map(|(i, _)| caps.get(i)),
            };
            if let Some(g) = group {
                dst.push_str(&src[g.start()..g.end()]);
            }
        }
        dst.push_str(t);
    }
}

/// Go's `extract` for `Expand`: the leading `name` or `{name}` of `s`, its group number if it is one, and the
/// rest.
fn extract(s: &str) -> Option<(&str, Option<usize>, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let len: usize = body
        .chars()
        .take_while(|&c| strconv::is_letter(c) || strconv::is_digit(c) || c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        num = match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => Some(n * 10 + usize::from(b - b'0')),
            _ => None,
        };
    }
    if name.starts_with('0') && name.len() > 1 {
        num = None;
    }
    Some((name, num, rest))
}

/// Go's `regexp.quote` for panic messages: backquoted when possible.
fn quote_expr(s: &str) -> String {
    if strconv::can_backquote(s) { format!("`{s}`") } else { strconv::quote(s) }
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's `Regexp.Split`.
fn split(re: &GoRegex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.expr.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let matches = re.all_matches(s, n);
    let mut out = Vec::with_capacity(matches.len() + 1);
    let (mut beg, mut end) = (0usize, 0usize);
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 >= n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = me;
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

fn strings(v: Vec<String>) -> Value {
    Value::List(List::strings(v))
}

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Int, String as Str};
    let two = Signature::new(&[Str, Str]);
    let three_int = Signature::new(&[Str, Str, Int]);
    let three_str = Signature::new(&[Str, Str, Str]);
    let compile_err = |e: SyntaxError| FuncError::new(e.to_string());
    funcs.register("regexMatch", two, |_, a| {
        Ok(Value::Bool(GoRegex::compile(a.str(0)?).is_ok_and(|re| re.re.is_match(a.str(1).unwrap_or_default()))))
    });
    funcs.register("mustRegexMatch", two, move |_, a| {
        let re = GoRegex::compile(a.str(0)?).map_err(compile_err)?;
        Ok(Value::Bool(re.re.is_match(a.str(1)?)))
    });
    // Go's `FindAllString` leaves its result nil when nothing matched: `toJson` prints `null`.
    let find_all = |re: &GoRegex, s: &str, n: i64| -> Value {
        let found: Vec<String> = re.all_matches(s, n).into_iter().map(|(b, e)| s[b..e].to_string()).collect();
        if found.is_empty() { Value::List(List::nil(ElemType::String)) } else { strings(found) }
    };
    funcs.register("regexFindAll", three_int, move |_, a| {
        Ok(find_all(&*GoRegex::must_compile(a.str(0)?)?, a.str(1)?, a.int(2)?))
    });
    funcs.register("mustRegexFindAll", three_int, move |_, a| {
        Ok(find_all(&*GoRegex::compile(a.str(0)?).map_err(compile_err)?, a.str(1)?, a.int(2)?))
    });
    let find = |re: &GoRegex, s: &str| Value::from(re.re.find(s).map_or("", |m| m.as_str()));
    funcs.register("regexFind", two, move |_, a| Ok(find(&*GoRegex::must_compile(a.str(0)?)?, a.str(1)?)));
    funcs.register("mustRegexFind", two, move |_, a| {
        Ok(find(&*GoRegex::compile(a.str(0)?).map_err(compile_err)?, a.str(1)?))
    });
    for (name, literal, must) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", false, true),
        ("regexReplaceAllLiteral", true, false),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        funcs.register(name, three_str, move |_, a| {
            let re = if must {
                GoRegex::compile(a.str(0)?).map_err(compile_err)?
            } else {
                GoRegex::must_compile(a.str(0)?)?
            };
            re.replace_all(a.str(1)?, a.str(2)?, literal).map(Value::from)
        });
    }
    // Go's `Split` with `n == 0` returns a nil slice.
    let split_value = |re: &GoRegex, s: &str, n: i64| -> Value {
        if n == 0 { Value::List(List::nil(ElemType::String)) } else { strings(split(re, s, n)) }
    };
    funcs.register("regexSplit", three_int, move |_, a| {
        Ok(split_value(&*GoRegex::must_compile(a.str(0)?)?, a.str(1)?, a.int(2)?))
    });
    funcs.register("mustRegexSplit", three_int, move |_, a| {
        Ok(split_value(&*GoRegex::compile(a.str(0)?).map_err(compile_err)?, a.str(1)?, a.int(2)?))
    });
    funcs.register("regexQuoteMeta", Signature::new(&[Str]), |_, a| Ok(Value::from(quote_meta(a.str(0)?))));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_error(expr: &str) -> String {
        GoRegex::compile(expr).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn go_syntax_errors() {
        assert_eq!(compile_error("["), "error parsing regexp: missing closing ]: `[`");
        assert_eq!(compile_error("a**"), "error parsing regexp: invalid nested repetition operator: `**`");
        assert_eq!(compile_error("*"), "error parsing regexp: missing argument to repetition operator: `*`");
        assert_eq!(compile_error("a{1001}"), "error parsing regexp: invalid repeat count: `{1001}`");
        assert_eq!(compile_error("(a"), "error parsing regexp: missing closing ): `(a`");
        assert_eq!(compile_error("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(compile_error("\\8"), "error parsing regexp: invalid escape sequence: `\\8`");
        assert_eq!(compile_error("(?x)"), "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
        assert_eq!(compile_error("[z-a]"), "error parsing regexp: invalid character class range: `z-a`");
        assert_eq!(compile_error("(a{500}){3}"), "error parsing regexp: invalid repeat count: `{3}`");
        assert_eq!(compile_error("\\"), "error parsing regexp: trailing backslash at end of expression: ``");
    }

    #[test]
    fn go_semantics() {
        let re = |e: &str| GoRegex::compile(e).ok();
        let r = re("\\d+").map(|r| r.re.is_match("٣")).unwrap_or(true);
        assert!(!r, "\\d is ASCII-only");
        let r = re("a(x*)b").map(|r| r.replace_all("-ab-axxb-", "$1W", false).unwrap_or_default());
        assert_eq!(r.as_deref(), Some("---"));
        let r = re("a(x*)b").map(|r| r.replace_all("-ab-axxb-", "${1}W", false).unwrap_or_default());
        assert_eq!(r.as_deref(), Some("-W-xxW-"));
        let r = re("a*").map(|r| r.replace_all("baaac", "X", false).unwrap_or_default());
        assert_eq!(r.as_deref(), Some("XbXcX"));
        let r = re("z+").map(|r| split(&r, "pizza", -1));
        assert_eq!(r, Some(vec!["pi".to_string(), "a".to_string()]));
        let r = re("").map(|r| split(&r, "abc", -1));
        assert_eq!(r, Some(vec!["a".to_string(), "b".to_string(), "c".to_string()]));
    }
}
