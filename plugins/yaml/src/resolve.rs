//! Implicit typing of plain scalars, as go-yaml resolves them.
//!
//! * [`resolve_v2`]: go-yaml v2 (YAML 1.1 flavoured), used by `sigs.k8s.io/yaml` for Helm values, `Chart.yaml`,
//!   manifests, and by the `toYaml` emitter to decide which strings need quotes.
//! * [`resolve_v3`]: go-yaml v3 (YAML 1.2 core schema with 1.1 octals kept), used by kyaml / kustomize.
//!
//! Numbers follow Go's `strconv` rules exactly (base prefixes `0x`/`0o`/`0b`, a leading `0` meaning octal,
//! underscores, range errors), because that is what the reference tools run.

/// The result of resolving a plain scalar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or the empty scalar.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// An integer above `i64::MAX` that fits `u64`.
    Uint(u64),
    /// A float (including `.inf`, `.nan`).
    Float(f64),
    /// A YAML 1.1 timestamp (`2001-12-14`, `2001-12-14T21:59:43.10Z`, ...). Decoded as its text.
    Timestamp,
    /// Any other text: a string.
    Str,
}

/// Which resolver to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    V2,
    V3,
}

/// Resolve a plain scalar as go-yaml v2 does.
pub(crate) fn resolve_v2(s: &str) -> Resolved {
    resolve(s, Flavor::V2)
}

/// Resolve a plain scalar as go-yaml v3 does.
pub(crate) fn resolve_v3(s: &str) -> Resolved {
    resolve(s, Flavor::V3)
}

/// Resolve a plain scalar with the given flavour.
pub(crate) fn resolve(s: &str, flavor: Flavor) -> Resolved {
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            lookup_word(s, flavor).unwrap_or(Resolved::Str)
        }
        b'.' => {
            if let Some(r) = lookup_word(s, flavor) {
                return r;
            }
            match parse_go_float(s) {
                Some(f) => Resolved::Float(f),
                None => Resolved::Str,
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(r) = lookup_word(s, flavor) {
                return r;
            }
            resolve_number(s, flavor)
        }
        _ => Resolved::Str,
    }
}

/// The fixed words of the resolver tables (booleans, nulls, infinities, NaN).
fn lookup_word(s: &str, flavor: Flavor) -> Option<Resolved> {
    let r = match s {
        "true" | "True" | "TRUE" => Resolved::Bool(true),
        "false" | "False" | "FALSE" => Resolved::Bool(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" if flavor == Flavor::V2 => Resolved::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" if flavor == Flavor::V2 => Resolved::Bool(false),
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    };
    Some(r)
}

/// Scalars starting with a sign or a digit: timestamp, integer, float or string.
fn resolve_number(s: &str, flavor: Flavor) -> Resolved {
    if is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: std::borrow::Cow<'_, str> = if s.contains('_') { s.replace('_', "").into() } else { s.into() };
    if let Some(r) = parse_go_int(&plain) {
        return r;
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = parse_decimal_float(&plain)
    {
        return Resolved::Float(f);
    }
    // go-yaml's explicit binary and (v3) octal fallbacks: `0b`/`0o` followed by digits of that base. Modern Go's
    // ParseInt already accepts these prefixes, so only the negative forms with an unusual spelling can still land
    // here; they are kept for completeness.
    let fallbacks: &[(&str, u32)] = match flavor {
        Flavor::V2 => &[("0b", 2)],
        Flavor::V3 => &[("0b", 2), ("0o", 8)],
    };
    for &(prefix, radix) in fallbacks {
        if let Some(digits) = plain.strip_prefix(prefix) {
            if let Some(r) = parse_digits(digits, radix).and_then(int_from_magnitude) {
                return r;
            }
        } else if let Some(digits) = plain.strip_prefix('-').and_then(|p| p.strip_prefix(prefix))
            && let Some(m) = parse_digits(digits, radix)
            && m <= 1u64 << 63
        {
            return Resolved::Int((m as i64).wrapping_neg());
        }
    }
    Resolved::Str
}

fn int_from_magnitude(m: u64) -> Option<Resolved> {
    Some(i64::try_from(m).map_or(Resolved::Uint(m), Resolved::Int))
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `strconv.ParseUint(s, 0, 64)` on a string without underscores.
fn parse_go_int(s: &str) -> Option<Resolved> {
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_go_uint_base0(unsigned)?;
    if negative {
        if magnitude <= 1u64 << 63 { Some(Resolved::Int((magnitude as i64).wrapping_neg())) } else { None }
    } else if let Ok(i) = i64::try_from(magnitude) {
        Some(Resolved::Int(i))
    } else if s.starts_with('+') {
        // ParseInt overflows; ParseUint rejects the sign.
        None
    } else {
        Some(Resolved::Uint(magnitude))
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` without underscores: `0x`/`0o`/`0b` prefixes (only when at least one more
/// character follows), a leading `0` meaning octal, decimal otherwise.
fn parse_go_uint_base0(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    parse_digits_allow_empty(digits, radix)
}

/// Digits of `radix`, at least one.
fn parse_digits(s: &str, radix: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    parse_digits_allow_empty(s, radix)
}

fn parse_digits_allow_empty(s: &str, radix: u32) -> Option<u64> {
    let mut n: u64 = 0;
    for c in s.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A decimal float with Go's `ParseFloat` range rule: overflow to infinity is an error.
fn parse_decimal_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal spellings reachable from a scalar starting with `.`:
/// underscores are accepted only between digits.
fn parse_go_float(s: &str) -> Option<f64> {
    if s.contains('_') {
        if !go_underscore_ok(s) {
            return None;
        }
        return parse_go_float_no_underscore(&s.replace('_', ""));
    }
    parse_go_float_no_underscore(s)
}

fn parse_go_float_no_underscore(s: &str) -> Option<f64> {
    // Rust accepts words such as "inf" and "nan" that Go only accepts without a leading dot; a scalar starting
    // with '.' can never be one of them, and the decimal grammar is otherwise the same.
    if !s.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    parse_decimal_float(s)
}

/// Go's rule for underscores in number literals: each must sit between two digits (or after a base prefix).
fn go_underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    // 'd' = digit or base prefix, '_' = underscore, '^' = start, '!' = anything else.
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= i + 2 && b[i] == b'0' && matches!(b[i + 1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        hex = b[i + 1].eq_ignore_ascii_case(&b'x');
        i += 2;
        saw = b'd';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'd';
        } else if c == b'_' {
            if saw != b'd' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// The YAML 1.1 base-60 float shape that go-yaml quotes on output: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // [0-5]?[0-9]: one or two digits, the first of two at most 5.
        match (b.get(i).copied(), b.get(i + 1).copied()) {
            (Some(b'0'..=b'5'), Some(c)) if c.is_ascii_digit() => i += 2,
            (Some(a), _) if a.is_ascii_digit() => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether `s` is one of the timestamp spellings go-yaml recognises.
pub(crate) fn is_timestamp(s: &str) -> bool {
    parse_timestamp(s).is_some()
}

/// A timestamp as Go's `time.Parse` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Offset east of UTC in seconds; 0 for `Z` and for the zone-less layouts (UTC).
    offset: i32,
}

impl Timestamp {
    /// Go's `time.RFC3339Nano` rendering (`2006-01-02T15:04:05.999999999Z07:00`), which is what
    /// `encoding/json` prints for a `time.Time`.
    pub(crate) fn to_rfc3339_nano(self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            out.push('Z');
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let minutes = self.offset.unsigned_abs() / 60;
            out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
        }
        out
    }
}

/// Parse `s` with Go `time.Parse` and the layouts go-yaml tries: `2006-1-2T15:4:5.999999999Z07:00`, the same
/// with a lower-case `t`, `2006-1-2 15:4:5.999999999` and `2006-1-2`.
pub(crate) fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let mut p = TimeParser { b, i: 5 };
    let year = b[..4].iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let month = p.num()?;
    if !(1..=12).contains(&month) || !p.lit(b'-') {
        return None;
    }
    let day = p.num()?;
    if day < 1 || day > days_in_month(month, year) {
        return None;
    }
    let mut ts = Timestamp { year, month, day, hour: 0, minute: 0, second: 0, nanos: 0, offset: 0 };
    if p.done() {
        return Some(ts);
    }
    let zoned = match p.next() {
        Some(b'T' | b't') => true,
        Some(b' ') => false,
        _ => return None,
    };
    let hour = p.num()?;
    p.lit(b':').then_some(())?;
    let minute = p.num()?;
    p.lit(b':').then_some(())?;
    let second = p.num()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    ts.hour = hour;
    ts.minute = minute;
    ts.second = second;
    // Optional fraction: a '.' or ',' followed by at least one digit; any number of digits, nine kept.
    if matches!(p.peek(), Some(b'.' | b',')) && p.b.get(p.i + 1).is_some_and(u8::is_ascii_digit) {
        p.i += 1;
        let mut nanos = 0u32;
        let mut kept = 0;
        while let Some(c) = p.peek().filter(u8::is_ascii_digit) {
            if kept < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
                kept += 1;
            }
            p.i += 1;
        }
        while kept < 9 {
            nanos *= 10;
            kept += 1;
        }
        ts.nanos = nanos;
    }
    if !zoned {
        return p.done().then_some(ts);
    }
    match p.next() {
        Some(b'Z') => p.done().then_some(ts),
        Some(sign @ (b'+' | b'-')) => {
            // hh:mm, two digits each.
            let rest = p.b.get(p.i..)?;
            let ok = rest.len() == 5
                && rest[0].is_ascii_digit()
                && rest[1].is_ascii_digit()
                && rest[2] == b':'
                && rest[3].is_ascii_digit()
                && rest[4].is_ascii_digit();
            if !ok {
                return None;
            }
            let hh = i32::from((rest[0] - b'0') * 10 + (rest[1] - b'0'));
            let mm = i32::from((rest[3] - b'0') * 10 + (rest[4] - b'0'));
            if hh > 24 || mm > 60 {
                return None;
            }
            let offset = (hh * 60 + mm) * 60;
            ts.offset = if sign == b'-' { -offset } else { offset };
            Some(ts)
        }
        _ => None,
    }
}

struct TimeParser<'a> {
    b: &'a [u8],
    i: usize,
}

impl TimeParser<'_> {
    /// One or two digits (Go's non-fixed `getnum`).
    fn num(&mut self) -> Option<u32> {
        let d0 = *self.b.get(self.i).filter(|c| c.is_ascii_digit())?;
        self.i += 1;
        let mut n = u32::from(d0 - b'0');
        if let Some(&d1) = self.b.get(self.i).filter(|c| c.is_ascii_digit()) {
            self.i += 1;
            n = n * 10 + u32::from(d1 - b'0');
        }
        Some(n)
    }
    fn lit(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.b.get(self.i).copied();
        self.i += 1;
        c
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

fn days_in_month(month: u32, year: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::Resolved::*;
    use super::*;

    // Ground truth: go-yaml v2.4.0 resolve.go run with Go 1.26 strconv (see tests/README.md for how the table
    // was checked against `helm template` output).
    #[test]
    fn v2_table() {
        let cases: &[(&str, Resolved)] = &[
            ("", Null),
            ("~", Null),
            ("null", Null),
            ("Null", Null),
            ("NULL", Null),
            ("nULL", Str),
            ("y", Bool(true)),
            ("Y", Bool(true)),
            ("yes", Bool(true)),
            ("On", Bool(true)),
            ("n", Bool(false)),
            ("off", Bool(false)),
            ("oFF", Str),
            ("True", Bool(true)),
            ("tRUE", Str),
            ("0755", Int(493)),
            ("0x1F", Int(31)),
            ("0X1f", Int(31)),
            ("0o17", Int(15)),
            ("0b101", Int(5)),
            ("-0b101", Int(-5)),
            ("1_000", Int(1000)),
            ("+12", Int(12)),
            ("-0", Int(0)),
            ("08", Float(8.0)),
            ("09.5", Float(9.5)),
            ("1e3", Float(1000.0)),
            ("1E3", Float(1000.0)),
            ("1.", Float(1.0)),
            ("+.5", Float(0.5)),
            (".5", Float(0.5)),
            (".5_0", Float(0.5)),
            ("._5", Str),
            (".", Str),
            ("1e400", Str),
            ("9223372036854775807", Int(i64::MAX)),
            ("9223372036854775808", Uint(9223372036854775808)),
            ("-9223372036854775808", Int(i64::MIN)),
            ("-9223372036854775809", Float(-9223372036854775809.0)),
            ("18446744073709551616", Float(18446744073709551616.0)),
            ("+9223372036854775808", Float(9223372036854775808.0)),
            ("0x", Str),
            ("0xFFFFFFFFFFFFFFFFF", Str),
            ("1:20", Str),
            ("2001-12-14", Timestamp),
            ("2001-12-14T21:59:43.10Z", Timestamp),
            ("2001-12-14t21:59:43.10-05:00", Timestamp),
            ("2001-12-14 21:59:43.10", Timestamp),
            ("2001-12-14 21:59:43.10 -5", Str),
            ("2001-2-30", Str),
            ("2000-2-29", Timestamp),
            ("1900-2-29", Str),
            // `<` has no resolver hint: the merge key resolves as a plain string (merging is decided by the
            // decoder on the text).
            ("<<", Str),
            ("-", Str),
            ("+", Str),
            ("1.2.3", Str),
        ];
        for (s, want) in cases {
            let got = resolve_v2(s);
            match (got, want) {
                (Float(a), Float(b)) => assert!(a == *b, "{s:?}: {a} != {b}"),
                _ => assert_eq!(&got, want, "{s:?}"),
            }
        }
        assert!(matches!(resolve_v2(".nan"), Float(f) if f.is_nan()));
        assert_eq!(resolve_v2("-.Inf"), Float(f64::NEG_INFINITY));
    }

    #[test]
    fn v3_drops_yaml11_booleans_keeps_octal() {
        assert_eq!(resolve_v3("yes"), Str);
        assert_eq!(resolve_v3("on"), Str);
        assert_eq!(resolve_v3("y"), Str);
        assert_eq!(resolve_v3("true"), Bool(true));
        assert_eq!(resolve_v3("0755"), Int(493));
        assert_eq!(resolve_v3("0o17"), Int(15));
    }

    #[test]
    fn timestamps_render_like_go_json() {
        let r = |s: &str| parse_timestamp(s).map(super::Timestamp::to_rfc3339_nano);
        // Reference: kubectl kustomize of a ConfigMap holding these values (see tests/kustomize_typing.rs).
        assert_eq!(r("2024-01-01").as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(r("2001-12-14t21:59:43.10-05:00").as_deref(), Some("2001-12-14T21:59:43.1-05:00"));
        assert_eq!(r("2001-12-14 21:59:43.10").as_deref(), Some("2001-12-14T21:59:43.1Z"));
        assert_eq!(r("2001-12-14T21:59:43Z").as_deref(), Some("2001-12-14T21:59:43Z"));
        assert_eq!(r("2001-12-14T21:59:43+00:00").as_deref(), Some("2001-12-14T21:59:43Z"));
        assert_eq!(r("2001-1-2T3:4:5.1234567891Z").as_deref(), Some("2001-01-02T03:04:05.123456789Z"));
        assert_eq!(r("2001-12-14T21:59:43"), None);
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("-1_0:5:59.5"));
        assert!(is_base60_float("190:20:30"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("a:1"));
        assert!(!is_base60_float("1"));
    }
}
