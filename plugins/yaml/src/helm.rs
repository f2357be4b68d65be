//! `sigs.k8s.io/yaml.Marshal`: the bytes of Helm's `toYaml` and of `kubectl kustomize`'s output.
//!
//! Both reference tools print a value by marshalling it to JSON, reading the JSON back with go-yaml v2 and
//! marshalling that with go-yaml v2. The consequences reproduced here:
//!
//! * keys are strings, ordered by go-yaml v2's "natural" order (letters after other characters, digit runs compared
//!   as numbers): `_x`, `"1"`, `"9"`, `"10"`, `B`, `a`, `a-b`, `a2`, `a10`;
//! * numbers take the type their JSON text resolves to: an integral float below 1e21 becomes an integer
//!   (`1e6` → `1000000`, `1.0` → `1`), other floats print with Go's `%g`-style shortest form (`1.2345675e+06`,
//!   `1e+21`, `1e-07`), integers above `u64::MAX` cannot occur;
//! * NaN and infinities make `encoding/json` fail, and so do characters that JSON leaves unescaped but go-yaml's
//!   reader refuses (DEL, C1 controls, U+FFFE, U+FFFF): `toYaml` then yields the empty string;
//! * strings are plain when go-yaml would read them back as the same string, double-quoted when they would
//!   resolve to another type (`"yes"`, `"123"`, `"1e3"`, `"0755"`, `"~"`, `"2024-01-01"`, `"1:20"`), literal
//!   block scalars when they hold a line feed, and the emitter's own analysis turns the rest into single or
//!   double quotes (`'foo: bar'`, `' lead'`, `"a\tb"`).

use crate::emit_v2::{self, Config, Dialect, Node, Style};
use crate::error::{Error, ErrorKind};
use crate::gofmt;
use crate::resolve::{self, Resolved};
use crate::value::Value;
use std::borrow::Cow;

/// `sigs.k8s.io/yaml.Marshal(v)`, including its trailing line break.
pub(crate) fn marshal(v: &Value) -> Result<String, Error> {
    let root = json_round_trip(v)?;
    Ok(emit_v2::emit_document(&root, Config::default()))
}

/// Build the go-yaml v2 document that the JSON round trip of `v` produces.
fn json_round_trip(v: &Value) -> Result<Node<'_>, Error> {
    Ok(match v {
        Value::Null => Node::Scalar(Cow::Borrowed("null"), Style::Plain),
        Value::Bool(b) => Node::Scalar(
            Cow::Borrowed(if *b { "true" } else { "false" }),
            Style::Plain,
        ),
        Value::Int(i) => Node::Scalar(Cow::Owned(i.to_string()), Style::Plain),
        Value::Uint(u) => Node::Scalar(Cow::Owned(u.to_string()), Style::Plain),
        Value::Float(f) => Node::Scalar(Cow::Owned(float_through_json(*f)?), Style::Plain),
        Value::String(s) => string_node(s)?,
        Value::Seq(items) => Node::Seq(
            items
                .iter()
                .map(json_round_trip)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            sort_natural(&mut keys);
            let mut entries = Vec::with_capacity(keys.len());
            for k in keys {
                let value = map.get(k.as_str()).map_or(
                    Ok(Node::Scalar(Cow::Borrowed("null"), Style::Plain)),
                    json_round_trip,
                )?;
                entries.push((string_node(k)?, value));
            }
            Node::Map(entries)
        }
    })
}

/// A float after `json.Marshal` and go-yaml v2's resolution of the JSON number text.
fn float_through_json(f: f64) -> Result<String, Error> {
    if !f.is_finite() {
        return Err(Error::bare(
            ErrorKind::Unsupported,
            format!("json: unsupported value: {}", gofmt::format_float_g(f)),
            0,
            0,
        ));
    }
    let text = gofmt::format_float_json(f);
    Ok(match resolve::resolve_v2(&text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(g) => gofmt::format_float_g(g),
        _ => text,
    })
}

/// A string after the JSON round trip, with go-yaml v2's requested style.
fn string_node(s: &str) -> Result<Node<'_>, Error> {
    if s.chars().any(rejected_by_reader) {
        let message = "control characters are not allowed";
        return Err(Error::new(ErrorKind::Unsupported, message, 0, 0));
    }
    let s: Cow<'_, str> = if s.contains('\u{85}') {
        Cow::Owned(fold_nel(s))
    } else {
        Cow::Borrowed(s)
    };
    let style = string_style(&s);
    Ok(Node::Scalar(s, style))
}

/// `encoding/json` writes NEL (U+0085) raw, and go-yaml's reader treats it as a line break inside the
/// double-quoted JSON string, so it is folded like one: spaces before it are dropped, spaces after it are skipped,
/// a single break becomes a space and each further break stays a line feed.
fn fold_nel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(first) = chars.next() {
        if first != ' ' && first != '\u{85}' {
            out.push(first);
            continue;
        }
        // A run of spaces and NELs.
        let mut spaces = 0usize;
        let mut breaks = 0usize;
        let mut c = first;
        loop {
            if c == ' ' {
                if breaks == 0 {
                    spaces += 1;
                }
            } else {
                breaks += 1;
            }
            match chars.peek() {
                Some(&n) if n == ' ' || n == '\u{85}' => {
                    c = n;
                    chars.next();
                }
                _ => break,
            }
        }
        match breaks {
            0 => out.extend(std::iter::repeat_n(' ', spaces)),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
    }
    out
}

/// The style go-yaml v2 requests for a string: literal if it holds `\n`, plain if it would read back as the same
/// string, double-quoted otherwise.
pub(crate) fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve::resolve_v2(s) == Resolved::Str && !resolve::is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// Characters that `encoding/json` writes raw but go-yaml's reader refuses ("control characters are not allowed").
fn rejected_by_reader(c: char) -> bool {
    matches!(c, '\u{7f}' | '\u{80}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod fold_tests {
    use super::fold_nel;

    #[test]
    fn nel_folds_like_a_line_break() {
        // Reference: helm toYaml of "c1\x85" is 'c1 ' and of "x\x85y\nz" is "x y\nz" (tests/fixtures/helm).
        assert_eq!(fold_nel("c1\u{85}"), "c1 ");
        assert_eq!(fold_nel("x\u{85}y"), "x y");
        assert_eq!(fold_nel("a  \u{85}  b"), "a b");
        assert_eq!(fold_nel("a\u{85}\u{85}b"), "a\nb");
        assert_eq!(fold_nel("a  b"), "a  b");
    }
}

/// Sort keys in go-yaml v2's natural order without relying on the comparison being a total order.
pub(crate) fn sort_natural(keys: &mut Vec<&String>) {
    merge_sort(keys, &|a: &&String, b: &&String| natural_less(a, b, false));
}

/// Sort keys in go-yaml v3's natural order.
fn sort_natural_v3(keys: &mut Vec<&String>) {
    merge_sort(keys, &|a: &&String, b: &&String| natural_less(a, b, true));
}

/// A stable merge sort that never panics, whatever the comparison does.
fn merge_sort<T: Copy, F: Fn(&T, &T) -> bool>(v: &mut Vec<T>, less: &F) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut buf: Vec<T> = v.clone();
    let mut width = 1;
    let mut src_is_v = true;
    while width < n {
        {
            let (src, dst): (&Vec<T>, &mut Vec<T>) =
                if src_is_v { (v, &mut buf) } else { (&buf, v) };
            let mut start = 0;
            while start < n {
                let mid = (start + width).min(n);
                let end = (start + 2 * width).min(n);
                let (mut i, mut j, mut k) = (start, mid, start);
                while i < mid && j < end {
                    // Take from the right only when strictly less: stable.
                    if less(&src[j], &src[i]) {
                        dst[k] = src[j];
                        j += 1;
                    } else {
                        dst[k] = src[i];
                        i += 1;
                    }
                    k += 1;
                }
                while i < mid {
                    dst[k] = src[i];
                    i += 1;
                    k += 1;
                }
                while j < end {
                    dst[k] = src[j];
                    j += 1;
                    k += 1;
                }
                start = end;
            }
        }
        src_is_v = !src_is_v;
        width *= 2;
    }
    if !src_is_v {
        v.copy_from_slice(&buf);
    }
}

/// go-yaml's `keyList.Less` for two string keys. v3 differs in one rule: right after an equal digit, a letter sorts
/// before a digit (`1a` < `10`), where v2 always puts letters last.
pub(crate) fn natural_less(a: &str, b: &str, v3: bool) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut after_digit = false;
    for i in 0..ar.len().min(br.len()) {
        let (ac, bc) = (ar[i], br[i]);
        if ac == bc {
            after_digit = is_digit(ac);
            continue;
        }
        let al = is_letter(ac);
        let bl = is_letter(bc);
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return if v3 && after_digit { al } else { bl };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ac == '0' || bc == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u32) - i64::from('0' as u32));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u32) - i64::from('0' as u32));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// Go's `unicode.IsLetter` (general category L). Rust's `is_alphabetic` also accepts letter numbers and some marks;
/// those are rare enough in mapping keys to accept the difference.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

/// Go's `unicode.IsDigit` for the ASCII range (other decimal digits are treated as non-digits).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// Helm's `toYamlPretty`: the go-yaml v3 encoder with indent 2 on the value as it is (no JSON round trip).
pub(crate) fn marshal_pretty(v: &Value) -> String {
    let root = v3_node(v);
    emit_v2::emit_document(
        &root,
        Config {
            dialect: Dialect::V3,
            best_indent: 2,
            best_width: usize::MAX,
        },
    )
}

fn v3_node(v: &Value) -> Node<'_> {
    match v {
        Value::Null => Node::Scalar(Cow::Borrowed("null"), Style::Plain),
        Value::Bool(b) => Node::Scalar(
            Cow::Borrowed(if *b { "true" } else { "false" }),
            Style::Plain,
        ),
        Value::Int(i) => Node::Scalar(Cow::Owned(i.to_string()), Style::Plain),
        Value::Uint(u) => Node::Scalar(Cow::Owned(u.to_string()), Style::Plain),
        Value::Float(f) => {
            let s = match gofmt::format_float_g(*f).as_str() {
                "+Inf" => ".inf".to_owned(),
                "-Inf" => "-.inf".to_owned(),
                "NaN" => ".nan".to_owned(),
                s => s.to_owned(),
            };
            Node::Scalar(Cow::Owned(s), Style::Plain)
        }
        Value::String(s) => Node::Scalar(Cow::Borrowed(s), v3_string_style(s)),
        Value::Seq(items) => Node::Seq(items.iter().map(v3_node).collect()),
        Value::Map(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            sort_natural_v3(&mut keys);
            Node::Map(
                keys.into_iter()
                    .map(|k| {
                        let value = map
                            .get(k.as_str())
                            .map_or(Node::Scalar(Cow::Borrowed("null"), Style::Plain), v3_node);
                        (
                            Node::Scalar(Cow::Borrowed(k.as_str()), v3_string_style(k)),
                            value,
                        )
                    })
                    .collect(),
            )
        }
    }
}

/// go-yaml v3's `stringv`: YAML 1.1 booleans and base-60 floats are still quoted for old readers.
fn v3_string_style(s: &str) -> Style {
    let old_bool = matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    );
    if s.contains('\n') {
        Style::Literal
    } else if resolve::resolve_v3(s) == Resolved::Str && !resolve::is_base60_float(s) && !old_bool {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        // Reference order from the design notes (helm toYaml of these keys).
        let mut keys: Vec<String> = ["a10", "a2", "a-b", "a", "B", "10", "9", "1", "_x"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut refs: Vec<&String> = keys.iter().collect();
        sort_natural(&mut refs);
        let got: Vec<&str> = refs.iter().map(|s| s.as_str()).collect();
        assert_eq!(got, ["_x", "1", "9", "10", "B", "a", "a-b", "a2", "a10"]);
        keys.clear();
    }

    #[test]
    fn merge_sort_handles_inconsistent_comparisons() {
        let mut v: Vec<u32> = (0..100).rev().collect();
        merge_sort(&mut v, &|a: &u32, b: &u32| (a ^ b) & 1 == 1);
        assert_eq!(v.len(), 100);
        let mut w: Vec<u32> = (0..100).rev().collect();
        merge_sort(&mut w, &|a: &u32, b: &u32| a < b);
        assert_eq!(w, (0..100).collect::<Vec<_>>());
    }
}
