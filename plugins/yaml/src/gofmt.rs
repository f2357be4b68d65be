//! Go number formatting, byte for byte.
//!
//! * [`format_float_g`]: `strconv.FormatFloat(f, 'g', -1, 64)`, which is what `fmt`'s `%v` prints for a
//!   `float64` and what go-yaml writes for floats (`1e+06`, `1.234567e+06`, `123456`, `1e-05`, `+Inf`, `NaN`).
//! * [`format_float_32g`]: `strconv.FormatFloat(f, 'g', -1, 32)`, used by `sigs.k8s.io/yaml` when it turns float
//!   map keys into strings and when it coerces numbers into string fields (Helm's `Chart.yaml`: `1.20` → `1.2`).
//! * [`format_float_json`]: `encoding/json`'s float format (`'f'` unless the exponent is below -6 or at least 21,
//!   then `'e'` with a one-digit negative exponent kept short: `1e+21`, `1e-7`).
//!
//! All three use the shortest decimal digits that read back to the same value, as Go does; Rust's formatter
//! produces the same digits, only the layout differs.

/// Shortest round-trip digits of a finite float: sign, digit string (no leading or trailing zeros; empty for
/// zero) and the decimal point position (`0.d1d2… × 10^dp`).
fn shortest(f: f64, single: bool) -> (bool, String, i32) {
    let text = if single { format!("{:e}", f as f32) } else { format!("{f:e}") };
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_owned();
    if digits.is_empty() {
        return (neg, String::new(), 0);
    }
    let digits = break_tie_to_even(f, single, digits, exp);
    (neg, digits, exp + 1)
}

/// When the exact binary value lies exactly halfway between two shortest candidates, Go picks the one with an even
/// last digit while Rust's formatter rounds up. Ties only happen when the shortest form needs about all the
/// precision there is (16–17 digits for `f64`, 8–9 for `f32`), so other values skip the check.
fn break_tie_to_even(f: f64, single: bool, digits: String, exp: i32) -> String {
    let n = digits.len();
    if n < if single { 8 } else { 16 } {
        return digits;
    }
    let value = if single { f64::from(f as f32).abs() } else { f.abs() };
    // A cheap look at 60 digits rules out almost every value; a tie is then confirmed on the full expansion
    // (every binary float has a finite decimal expansion of at most 767 significant digits).
    let mut head = String::new();
    for precision in [60, 800] {
        let exact = format!("{value:.precision$e}");
        let exact_digits: String =
            exact.split_once('e').map_or("", |(m, _)| m).chars().filter(char::is_ascii_digit).collect();
        let (Some(h), Some(rest)) = (exact_digits.get(..n), exact_digits.get(n..)) else {
            return digits;
        };
        let is_tie = rest.starts_with('5') && rest.get(1..).is_some_and(|r| r.bytes().all(|b| b == b'0'));
        if !is_tie {
            return digits;
        }
        head = h.to_owned();
    }
    let head = head.as_str();
    // The two candidates are `head` and `head + 1` (in the last digit); take the even one if it reads back.
    let even = if head.ends_with(['0', '2', '4', '6', '8']) {
        head.to_owned()
    } else {
        match increment_digits(head) {
            Some(d) => d,
            None => return digits,
        }
    };
    if even.len() != n {
        return digits;
    }
    let candidate = format!("0.{even}e{}", exp + 1);
    let reads_back = if single {
        candidate.parse::<f32>().is_ok_and(|c| c == (f as f32).abs())
    } else {
        candidate.parse::<f64>().is_ok_and(|c| c == f.abs())
    };
    if reads_back { even.trim_end_matches('0').to_owned() } else { digits }
}

/// Add one to the last digit of a decimal digit string (`None` when it would carry past the first digit).
fn increment_digits(d: &str) -> Option<String> {
    let mut bytes = d.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

fn non_finite(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// `%e` layout: `d.ddde±XX` with at least two exponent digits.
fn fmt_e(out: &mut String, digits: &str, dp: i32) {
    let mut chars = digits.chars();
    out.push(chars.next().unwrap_or('0'));
    let rest = chars.as_str();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
}

/// `%f` layout with exactly the digits needed.
fn fmt_f(out: &mut String, digits: &str, dp: i32) {
    let nd = digits.len() as i32;
    if dp <= 0 {
        out.push('0');
        if nd > 0 {
            out.push('.');
            for _ in 0..(-dp) {
                out.push('0');
            }
            out.push_str(digits);
        }
    } else if dp >= nd {
        out.push_str(digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        let (int, frac) = digits.split_at(dp as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
}

fn format_g(f: f64, single: bool) -> String {
    let value = if single { f64::from(f as f32) } else { f };
    if let Some(s) = non_finite(value) {
        return s.to_owned();
    }
    let (neg, digits, dp) = shortest(f, single);
    let mut out = String::with_capacity(24);
    if neg {
        out.push('-');
    }
    let exp = dp - 1;
    if !digits.is_empty() && !(-4..6).contains(&exp) {
        fmt_e(&mut out, &digits, dp);
    } else {
        fmt_f(&mut out, &digits, dp);
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: `1e+06`, `1.234567e+06`, `123456`, `0.0001`, `1e-05`, `-0`, `+Inf`,
/// `NaN`.
pub fn format_float_g(f: f64) -> String {
    format_g(f, false)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the value is first rounded to `float32`, then printed with the
/// shortest digits that identify that `float32` (`1.2` for 1.2, `1e+06`, `3.4028235e+38`).
pub fn format_float_32g(f: f64) -> String {
    format_g(f, true)
}

/// Go's `encoding/json` float64 format: `'f'` layout unless `|f| < 1e-6` or `|f| >= 1e21` (then `'e'`, with
/// `e-07` shortened to `e-7`). Go refuses NaN and infinities (`json: unsupported value`); for those this returns
/// the `'g'` spelling, so callers must check [`f64::is_finite`] when they need Go's error.
pub fn format_float_json(f: f64) -> String {
    if let Some(s) = non_finite(f) {
        return s.to_owned();
    }
    let (neg, digits, dp) = shortest(f, false);
    let mut out = String::with_capacity(24);
    if neg {
        out.push('-');
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        fmt_e(&mut out, &digits, dp);
        // Go: "clean up e-09 to e-9".
        let b = out.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            out.remove(n - 2);
        }
    } else {
        fmt_f(&mut out, &digits, dp);
    }
    out
}

/// The string `sigs.k8s.io/yaml` puts into a Go `string` field for a scalar (how Helm reads `Chart.yaml` fields such
/// as `version` and `appVersion`): strings as they are, integers in decimal, floats with
/// `FormatFloat(f, 'g', -1, 32)` (`1.20` → `1.2`, `1.0` → `1`), booleans as `true`/`false`. `None` for null (the
/// field stays empty) and for collections (a JSON type error in Go).
pub fn string_field(v: &crate::Value) -> Option<String> {
    use crate::Value;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Uint(u) => Some(u.to_string()),
        Value::Float(f) => Some(format_float_32g(*f)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Seq(_) | Value::Map(_) => None,
    }
}

/// Bytes to text the way Go's `encoding/json` writes a string holding invalid UTF-8: every byte that does not
/// start a valid sequence becomes U+FFFD.
pub fn go_lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{FFFD}');
        }
    }
    out
}

/// Go's `strconv.Quote` (what `%q` and `%#v` print for strings), for error messages.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || c == '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of a value decoded into `interface{}` (`map[interface {}]interface {}{"a":1}`, `[]interface {}{"x"}`,
/// `"s"`, `0x5` for a uint64), for error messages. `top` is true for a value passed to `Printf` directly, where nil
/// prints as `<nil>` instead of `interface {}(nil)`.
pub(crate) fn go_sharp_v(v: &crate::Value, top: bool) -> String {
    use crate::Value;
    match v {
        Value::Null if top => "<nil>".to_owned(),
        Value::Null => "interface {}(nil)".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => format!("0x{u:x}"),
        Value::Float(f) => format_float_g(*f),
        Value::String(s) => go_quote(s),
        Value::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|i| go_sharp_v(i, false)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Map(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> =
                entries.iter().map(|(k, v)| format!("{}:{}", go_quote(k), go_sharp_v(v, false))).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

/// Go's `path.Clean`: the shortest path equivalent to `p` by lexical processing (`.` and `..` elements resolved,
/// repeated slashes collapsed, `.` for an empty result). Shared by the template engine (`clean`, `dir`), the chart
/// archive reader and the kustomize renderer's origins.
pub fn path_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ground truth from Go 1.26 (`go run` of strconv.FormatFloat / json.Marshal); the program and its output are
    // in tests/fixtures/gofmt/ and tests/gofmt.rs checks the full table.
    #[test]
    fn g_format() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (5e-324, "5e-324"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(*f), *want, "{f:e}");
        }
    }

    #[test]
    fn g32_format() {
        assert_eq!(format_float_32g(1.2), "1.2");
        assert_eq!(format_float_32g(1.20), "1.2");
        assert_eq!(format_float_32g(1.0), "1");
        assert_eq!(format_float_32g(0.1), "0.1");
        assert_eq!(format_float_32g(16777217.0), "1.6777216e+07");
        assert_eq!(format_float_32g(1e39), "+Inf");
    }

    #[test]
    fn json_format() {
        assert_eq!(format_float_json(1e21), "1e+21");
        assert_eq!(format_float_json(1e20), "100000000000000000000");
        assert_eq!(format_float_json(1e-7), "1e-7");
        assert_eq!(format_float_json(1e-6), "0.000001");
        assert_eq!(format_float_json(1.5e-10), "1.5e-10");
        assert_eq!(format_float_json(-0.0), "-0");
        assert_eq!(format_float_json(1234567.5), "1234567.5");
        assert_eq!(format_float_json(1e6), "1000000");
    }

    #[test]
    fn chart_yaml_string_fields() {
        use crate::Value;
        // Reference: Chart.yaml `version: 1.0`, `appVersion: 1.20`, `description: 0755` with NOTES.txt
        // `{{ .Chart.Version }}|{{ .Chart.AppVersion }}|{{ .Chart.Description }}`, `helm install r . --dry-run=client`
        // (v4.1.4) prints `1|1.2|493`.
        assert_eq!(string_field(&Value::Float(1.20)).as_deref(), Some("1.2"));
        assert_eq!(string_field(&Value::Float(1.0)).as_deref(), Some("1"));
        assert_eq!(string_field(&Value::Int(493)).as_deref(), Some("493"));
        assert_eq!(string_field(&Value::Null), None);
    }

    #[test]
    fn lossy_like_go() {
        assert_eq!(go_lossy_utf8(b"a\xE2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(go_lossy_utf8(b"\xED\xA0\x80"), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(go_lossy_utf8("é".as_bytes()), "é");
    }
}
