//! Go's `strconv` behaviour that templates depend on: number literal parsing (`ParseInt`/`ParseUint` with base 0,
//! `ParseFloat`), float formatting (`FormatFloat` with the `e`, `f`, `g` formats), quoting (`Quote`,
//! `QuoteToASCII`, `QuoteRune`, `CanBackquote`) and unquoting (`Unquote`, `UnquoteChar`), plus the Unicode rune
//! classes Go uses (`unicode.IsLetter`, `IsDigit`, `IsPrint`).

use std::fmt;

use crate::unicode_tables;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Go's `unicode.IsLetter`.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(unicode_tables::LETTER, c)
}

/// Go's `unicode.IsDigit`.
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(unicode_tables::DIGIT, c)
}

/// Go's `unicode.IsPrint` (and `strconv.IsPrint`): letters, marks, numbers, punctuation, symbols and U+0020.
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    in_table(unicode_tables::PRINT, c)
}

/// A failed conversion, worded like Go's `*strconv.NumError` causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    /// `invalid syntax`.
    Syntax,
    /// `value out of range`.
    Range,
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NumError::Syntax => "invalid syntax",
            NumError::Range => "value out of range",
        })
    }
}

impl std::error::Error for NumError {}

/// Go's `underscoreOK`: underscores may only separate digits (or follow a base prefix).
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let b = match b.first() {
        Some(b'+' | b'-') => &b[1..],
        _ => b,
    };
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
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

/// Go's `strconv.ParseUint(s, base, 64)` for `base` 0 (prefix-determined, underscores allowed) or 2..=36.
pub fn parse_uint(s: &str, base: u32) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let base0 = base == 0;
    let b = s.as_bytes();
    let (base, digits) = if base0 {
        if b[0] == b'0' {
            if b.len() >= 3 {
                match b[1].to_ascii_lowercase() {
                    b'b' => (2, &b[2..]),
                    b'o' => (8, &b[2..]),
                    b'x' => (16, &b[2..]),
                    _ => (8, &b[1..]),
                }
            } else {
                (8, &b[1..])
            }
        } else {
            (10, b)
        }
    } else if (2..=36).contains(&base) {
        (base, b)
    } else {
        return Err(NumError::Syntax);
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut overflow = false;
    for &c in digits {
        let d = match c {
            b'_' if base0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err(NumError::Syntax),
        };
        if d >= base {
            return Err(NumError::Syntax);
        }
        match n.checked_mul(u64::from(base)).and_then(|m| m.checked_add(u64::from(d))) {
            Some(v) => n = v,
            None => overflow = true,
        }
    }
    if underscores && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    if overflow {
        return Err(NumError::Range);
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`.
pub fn parse_int(s: &str, base: u32) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let u = match parse_uint(body, base) {
        Ok(u) => u,
        Err(NumError::Range) => return Err(NumError::Range),
        Err(e) => return Err(e),
    };
    if base == 0 && body.contains('_') && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    if neg {
        if u > 1u64 << 63 {
            return Err(NumError::Range);
        }
        Ok((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).map_err(|_| NumError::Range)
    }
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal and hexadecimal literals (with `_` separators), `inf`, `infinity`
/// and `nan` in any case. Overflow is a range error; underflow gives zero.
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if neg { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower == "nan" && s.len() == 3 {
        return Ok(f64::NAN);
    }
    let v = match lower.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => parse_dec_float(body)?,
    };
    if body.contains('_') && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    if v.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(if neg { -v } else { v })
}

fn parse_dec_float(body: &str) -> Result<f64, NumError> {
    let b = body.as_bytes();
    let mut i = 0;
    let mut mant_digits = 0;
    let mut clean = String::with_capacity(b.len());
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        if b[i] != b'_' {
            mant_digits += 1;
            clean.push(char::from(b[i]));
        }
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        clean.push('.');
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] != b'_' {
                mant_digits += 1;
                clean.push(char::from(b[i]));
            }
            i += 1;
        }
    }
    if mant_digits == 0 {
        return Err(NumError::Syntax);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        clean.push('e');
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            clean.push(char::from(b[i]));
            i += 1;
        }
        let mut exp_digits = 0;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] != b'_' {
                exp_digits += 1;
                clean.push(char::from(b[i]));
            }
            i += 1;
        }
        if exp_digits == 0 {
            return Err(NumError::Syntax);
        }
    }
    if i != b.len() {
        return Err(NumError::Syntax);
    }
    clean.parse::<f64>().map_err(|_| NumError::Syntax)
}

fn parse_hex_float(body: &str) -> Result<f64, NumError> {
    // body is lower-cased and follows "0x".
    let b = body.as_bytes();
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut digits = 0;
    let mut exp_adj: i64 = 0;
    let mut sticky = false;
    let mut seen_dot = false;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            i += 1;
            continue;
        }
        if c == b'.' && !seen_dot {
            seen_dot = true;
            i += 1;
            continue;
        }
        let Some(d) = char::from(c).to_digit(16) else {
            break;
        };
        digits += 1;
        if mant >> 60 == 0 {
            mant = mant << 4 | u64::from(d);
            if seen_dot {
                exp_adj -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_dot {
                exp_adj += 4;
            }
        }
        i += 1;
    }
    if digits == 0 || i >= b.len() || b[i] != b'p' {
        return Err(NumError::Syntax);
    }
    i += 1;
    let exp_str: String = b[i..].iter().filter(|&&c| c != b'_').map(|&c| char::from(c)).collect();
    if exp_str.is_empty() || exp_str == "+" || exp_str == "-" {
        return Err(NumError::Syntax);
    }
    let exp: i64 = match exp_str.parse::<i64>() {
        Ok(e) => e,
        Err(_) if exp_str.bytes().skip(1).all(|c| c.is_ascii_digit()) => {
            if exp_str.starts_with('-') {
                -100_000
            } else {
                100_000
            }
        }
        Err(_) => return Err(NumError::Syntax),
    };
    if sticky {
        mant |= 1;
    }
    let e = (exp + exp_adj).clamp(-100_000, 100_000);
    // mant fits in 64 bits: scale in two steps so intermediate results stay finite when possible.
    let v = mant as f64;
    let half = (e / 2) as i32;
    Ok(v * 2f64.powi(half) * 2f64.powi((e - i64::from(half)) as i32))
}

/// Decimal digits of a float: value = 0.d[0]d[1]… × 10^dp.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

impl Digits {
    fn nd(&self) -> i32 {
        self.d.len() as i32
    }

    fn at(&self, i: i32) -> u8 {
        if i >= 0 { self.d.get(i as usize).copied().unwrap_or(b'0') } else { b'0' }
    }

    /// The shortest digits that identify `a` (non-negative, finite), with Go's tie-breaking: taken from kiln-yaml's
    /// `FormatFloat(f, 'g', -1, 64)`, the one implementation of shortest formatting in the workspace.
    fn shortest(a: f64) -> Digits {
        let g = kiln_yaml::gofmt::format_float_g(a);
        let g = g.trim_start_matches(['-', '+']);
        if let Some((mant, exp)) = g.split_once('e') {
            let exp: i32 = exp.parse().unwrap_or(0);
            let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
            while d.last() == Some(&b'0') {
                d.pop();
            }
            return if d.is_empty() { Digits { d, dp: 0 } } else { Digits { d, dp: exp + 1 } };
        }
        let (int, frac) = g.split_once('.').unwrap_or((g, ""));
        let (mut d, dp): (Vec<u8>, i32) = if int.trim_start_matches('0').is_empty() {
            let zeros = frac.len() - frac.trim_start_matches('0').len();
            (frac.trim_start_matches('0').bytes().collect(), -(zeros as i32))
        } else {
            let int = int.trim_start_matches('0');
            (int.bytes().chain(frac.bytes()).collect(), int.len() as i32)
        };
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits { d, dp }
    }

    /// Parse Rust's `{:e}` rendering of a non-negative finite float ("1.2345e6", "0e0").
    fn from_exp_repr(s: &str) -> Digits {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits { d, dp: exp + 1 }
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` one of `e E f g G` (and `F`, as `f`). A negative
/// `prec` means the shortest representation that round-trips.
pub fn format_float(f: f64, fmt: u8, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".to_owned() } else { "-Inf".to_owned() };
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let fmt = if fmt == b'F' { b'f' } else { fmt };
    if matches!(fmt, b'x' | b'X' | b'b') {
        return format_float_binary(f, fmt, prec);
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let shortest = prec < 0;
    let mut prec = prec;
    let digs = if shortest {
        let d = Digits::shortest(a);
        prec = match fmt {
            b'e' | b'E' => (d.nd() - 1).max(0),
            b'f' => (d.nd() - d.dp).max(0),
            _ => d.nd(),
        };
        d
    } else {
        // A float's exact decimal expansion has at most 767 significant digits and 1074 fractional digits, so
        // digits past EXACT_DIGITS are zeros; Rust's formatter also rejects precisions above u16::MAX.
        const EXACT_DIGITS: usize = 1100;
        let p = usize::try_from(prec).unwrap_or(0);
        match fmt {
            b'e' | b'E' => Digits::from_exp_repr(&format!("{:.*e}", p.min(EXACT_DIGITS), a)),
            b'f' => {
                // Rust's fixed formatting is correctly rounded (ties to even), like Go's.
                out.push_str(&format!("{:.*}", p.min(EXACT_DIGITS), a));
                out.extend(std::iter::repeat_n('0', p.saturating_sub(EXACT_DIGITS)));
                return out;
            }
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                let sig = usize::try_from(prec - 1).unwrap_or(0);
                Digits::from_exp_repr(&format!("{:.*e}", sig.min(EXACT_DIGITS), a))
            }
        }
    };
    match fmt {
        b'e' | b'E' => fmt_e(&mut out, &digs, prec, fmt),
        b'f' => fmt_f(&mut out, &digs, prec),
        b'g' | b'G' => {
            let mut eprec = prec;
            if eprec > digs.nd() && digs.nd() >= digs.dp {
                eprec = digs.nd();
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if prec > digs.nd() {
                    prec = digs.nd();
                }
                fmt_e(&mut out, &digs, prec - 1, fmt + b'e' - b'g');
            } else {
                if prec > digs.dp {
                    prec = digs.nd();
                }
                fmt_f(&mut out, &digs, (prec - digs.dp).max(0));
            }
        }
        other => {
            out.push('%');
            out.push(char::from(other));
        }
    }
    out
}

/// The `b` (`-ddddp±ddd`) and `x`/`X` (`-0x1.yyyp±dd`) formats, from the float's binary mantissa and exponent.
fn format_float_binary(f: f64, fmt: u8, prec: i32) -> String {
    const MANTBITS: i32 = 52;
    let bits = f.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> MANTBITS) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << MANTBITS) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << MANTBITS;
    }
    exp -= 1023;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if fmt == b'b' {
        out.push_str(&mant.to_string());
        out.push('p');
        let e = exp - MANTBITS;
        if e >= 0 {
            out.push('+');
        }
        out.push_str(&e.to_string());
        return out;
    }
    if mant == 0 {
        exp = 0;
    }
    // Shift the mantissa so that its leading 1 is bit 60.
    mant <<= 60 - MANTBITS;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == b'X' { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    out.push('0');
    out.push(char::from(fmt));
    out.push(char::from(b'0' + ((mant >> 60) & 1) as u8));
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(char::from(hex[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(char::from(hex[((mant >> 60) & 15) as usize]));
            mant <<= 4;
        }
    }
    out.push(if fmt == b'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

fn fmt_e(out: &mut String, d: &Digits, prec: i32, fmt: u8) {
    out.push(char::from(if d.d.is_empty() { b'0' } else { d.at(0) }));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(d.at(i)));
        }
    }
    out.push(char::from(fmt));
    let exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

fn fmt_f(out: &mut String, d: &Digits, prec: i32) {
    if d.dp > 0 {
        for i in 0..d.dp {
            out.push(char::from(d.at(i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(char::from(d.at(d.dp + i)));
        }
    }
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

fn push_escaped_rune(out: &mut String, r: char, quote: char, ascii_only: bool) {
    if r == quote || r == '\\' {
        out.push('\\');
        out.push(r);
        return;
    }
    if ascii_only {
        if r.is_ascii() && is_print(r) {
            out.push(r);
            return;
        }
    } else if is_print(r) {
        out.push(r);
        return;
    }
    match r {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ => {
            let u = u32::from(r);
            if u < 0x20 || u == 0x7f {
                out.push_str("\\x");
                out.push(char::from(LOWER_HEX[(u >> 4) as usize & 0xf]));
                out.push(char::from(LOWER_HEX[u as usize & 0xf]));
            } else if u < 0x10000 {
                out.push_str("\\u");
                for s in [12u32, 8, 4, 0] {
                    out.push(char::from(LOWER_HEX[(u >> s) as usize & 0xf]));
                }
            } else {
                out.push_str("\\U");
                for s in [28u32, 24, 20, 16, 12, 8, 4, 0] {
                    out.push(char::from(LOWER_HEX[(u >> s) as usize & 0xf]));
                }
            }
        }
    }
}

fn quote_with(s: &str, quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for r in s.chars() {
        push_escaped_rune(&mut out, r, quote, ascii_only);
    }
    out.push(quote);
    out
}

/// Go's `strconv.Quote`: a double-quoted Go string literal, escaping non-printable runes.
pub fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_to_ascii(s: &str) -> String {
    quote_with(s, '"', true)
}

/// Go's `strconv.QuoteRune` (invalid code points print as U+FFFD).
pub fn quote_rune(r: u32) -> String {
    let c = char::from_u32(r).unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    push_escaped_rune(&mut out, c, '\'', false);
    out.push('\'');
    out
}

/// Go's `strconv.QuoteRuneToASCII`.
pub fn quote_rune_to_ascii(r: u32) -> String {
    let c = char::from_u32(r).unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    push_escaped_rune(&mut out, c, '\'', true);
    out.push('\'');
    out
}

/// Go's `strconv.CanBackquote`.
pub fn can_backquote(s: &str) -> bool {
    s.chars().all(|r| {
        if r.len_utf8() > 1 {
            return r != '\u{FEFF}';
        }
        !((r < ' ' && r != '\t') || r == '`' || r == '\u{7F}')
    })
}

/// One decoded character of a quoted literal (Go's `strconv.UnquoteChar`): the value, whether it must be encoded
/// as UTF-8 (`false` for single bytes from `\x` and octal escapes), and the remaining input.
pub fn unquote_char(s: &str, quote: u8) -> Result<(u32, bool, &str), NumError> {
    let b = s.as_bytes();
    let Some(&c) = b.first() else {
        return Err(NumError::Syntax);
    };
    if c == quote && (quote == b'\'' || quote == b'"') {
        return Err(NumError::Syntax);
    }
    if c >= 0x80 {
        let ch = s.chars().next().ok_or(NumError::Syntax)?;
        return Ok((u32::from(ch), true, &s[ch.len_utf8()..]));
    }
    if c != b'\\' {
        return Ok((u32::from(c), false, &s[1..]));
    }
    let Some(&esc) = b.get(1) else {
        return Err(NumError::Syntax);
    };
    // Every valid escape is ASCII; anything else (including a multi-byte rune) is a syntax error.
    let Some(rest) = s.get(2..).filter(|_| esc.is_ascii()) else {
        return Err(NumError::Syntax);
    };
    let simple = |v: u32| Ok((v, false, rest));
    match esc {
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(10),
        b'r' => simple(13),
        b't' => simple(9),
        b'v' => simple(11),
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = rest.as_bytes().get(..n).ok_or(NumError::Syntax)?;
            let mut v: u32 = 0;
            for &h in hex {
                let d = char::from(h).to_digit(16).ok_or(NumError::Syntax)?;
                v = v << 4 | d;
            }
            let tail = &rest[n..];
            if esc == b'x' {
                return Ok((v, false, tail));
            }
            if char::from_u32(v).is_none() {
                return Err(NumError::Syntax);
            }
            Ok((v, true, tail))
        }
        b'0'..=b'7' => {
            let oct = rest.as_bytes().get(..2).ok_or(NumError::Syntax)?;
            let mut v = u32::from(esc - b'0');
            for &o in oct {
                if !(b'0'..=b'7').contains(&o) {
                    return Err(NumError::Syntax);
                }
                v = v << 3 | u32::from(o - b'0');
            }
            if v > 255 {
                return Err(NumError::Syntax);
            }
            Ok((v, false, &rest[2..]))
        }
        b'\\' => simple(u32::from(b'\\')),
        b'\'' | b'"' => {
            if esc != quote {
                return Err(NumError::Syntax);
            }
            simple(u32::from(esc))
        }
        _ => Err(NumError::Syntax),
    }
}

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals, as bytes (a `\xff` escape yields a raw byte).
pub fn unquote_bytes(s: &str) -> Result<Vec<u8>, NumError> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(NumError::Syntax);
    }
    let quote = b[0];
    if b[b.len() - 1] != quote {
        return Err(NumError::Syntax);
    }
    let inner = &s[1..s.len() - 1];
    match quote {
        b'`' => {
            if inner.contains('`') {
                return Err(NumError::Syntax);
            }
            Ok(inner.bytes().filter(|&c| c != b'\r').collect())
        }
        b'"' | b'\'' => {
            let mut out = Vec::with_capacity(inner.len());
            let mut rest = inner;
            let mut count = 0;
            while !rest.is_empty() {
                if rest.starts_with('\n') {
                    return Err(NumError::Syntax);
                }
                let (v, multibyte, tail) = unquote_char(rest, quote)?;
                if v < 0x80 || !multibyte {
                    out.push(v as u8);
                } else {
                    let c = char::from_u32(v).ok_or(NumError::Syntax)?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                rest = tail;
                count += 1;
                if quote == b'\'' && !rest.is_empty() {
                    return Err(NumError::Syntax);
                }
            }
            if quote == b'\'' && count != 1 {
                return Err(NumError::Syntax);
            }
            Ok(out)
        }
        _ => Err(NumError::Syntax),
    }
}

/// Go's `strconv.Unquote`, with invalid UTF-8 (from byte escapes) replaced by U+FFFD.
pub fn unquote(s: &str) -> Result<String, NumError> {
    unquote_bytes(s).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_follow_go_base_prefixes() {
        assert_eq!(parse_int("0755", 0), Ok(493));
        assert_eq!(parse_int("0x1F", 0), Ok(31));
        assert_eq!(parse_int("0b101", 0), Ok(5));
        assert_eq!(parse_int("0o17", 0), Ok(15));
        assert_eq!(parse_int("1_000", 0), Ok(1000));
        assert_eq!(parse_int("-0", 0), Ok(0));
        assert_eq!(parse_int("089", 0), Err(NumError::Syntax));
        assert_eq!(parse_int("1__0", 0), Err(NumError::Syntax));
        assert_eq!(parse_int("9223372036854775808", 0), Err(NumError::Range));
        assert_eq!(parse_int("-9223372036854775808", 0), Ok(i64::MIN));
        assert_eq!(parse_uint("18446744073709551615", 0), Ok(u64::MAX));
        assert_eq!(parse_uint("0x", 0), Err(NumError::Syntax));
    }

    #[test]
    fn floats_parse_like_go() {
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float("1_0.5"), Ok(10.5));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("0x1p-2"), Ok(0.25));
        assert_eq!(parse_float("1e400"), Err(NumError::Range));
        assert_eq!(parse_float("1e"), Err(NumError::Syntax));
        assert_eq!(parse_float("."), Err(NumError::Syntax));
    }

    #[test]
    fn float_formatting() {
        assert_eq!(format_float(1_000_000.0, b'g', -1), "1e+06");
        assert_eq!(format_float(123_456.0, b'g', -1), "123456");
        assert_eq!(format_float(1_234_567.0, b'g', -1), "1.234567e+06");
        assert_eq!(format_float(0.0001, b'g', -1), "0.0001");
        assert_eq!(format_float(0.00001, b'g', -1), "1e-05");
        assert_eq!(format_float(0.0, b'g', -1), "0");
        assert_eq!(format_float(-1.5, b'f', 2), "-1.50");
        assert_eq!(format_float(4.56789, b'e', 3), "4.568e+00");
        assert_eq!(format_float(1e21, b'f', -1), "1000000000000000000000");
        assert_eq!(format_float(100.0, b'g', 2), "1e+02");
        assert_eq!(format_float(f64::NAN, b'g', -1), "NaN");
        let wide = format_float(0.1, b'f', 70_000);
        assert_eq!(wide.len(), 70_002);
        assert!(wide.starts_with("0.1000000000000000055511151231257827"));
        assert!(wide.ends_with("000"));
        assert_eq!(format_float(0.5, b'e', 70_000).len(), 70_006);
        assert!(format_float(1.0 / 3.0, b'g', 70_000).starts_with("0.333333333333333314829616256247"));
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\n\u{0}é"), "\"a\\\"b\\n\\x00é\"");
        assert_eq!(quote_to_ascii("é"), "\"\\u00e9\"");
        assert_eq!(quote_rune(u32::from('x')), "'x'");
        assert_eq!(unquote("\"a\\tb\"").as_deref(), Ok("a\tb"));
        assert_eq!(unquote("`a\r\nb`").as_deref(), Ok("a\nb"));
        assert_eq!(unquote("'\\''").as_deref(), Ok("'"));
        assert_eq!(unquote("\"\\'\""), Err(NumError::Syntax));
        assert_eq!(unquote("\"\\é\""), Err(NumError::Syntax));
        assert_eq!(unquote("'\\é'"), Err(NumError::Syntax));
        assert!(can_backquote("abc"));
        assert!(!can_backquote("a`b"));
    }

    #[test]
    fn rune_classes() {
        assert!(is_letter('é') && is_letter('ж') && !is_letter('1'));
        assert!(is_digit('٣') && !is_digit('Ⅳ'));
        assert!(is_print('é') && !is_print('\u{200b}') && !is_print('\u{a0}'));
    }
}

#[cfg(test)]
mod shared_formatting_tests {
    use super::format_float;

    /// `%v` of a float must print exactly what kiln-yaml's Go-compatible formatter prints.
    #[test]
    fn shortest_g_matches_kiln_yaml() {
        let mut x: u64 = 0x243F_6A88_85A3_08D3;
        let mut checked = 0;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if !f.is_finite() {
                continue;
            }
            assert_eq!(format_float(f, b'g', -1), kiln_yaml::gofmt::format_float_g(f), "{f:e}");
            checked += 1;
        }
        for f in [0.0, -0.0, 1.0, 1e6, 1e21, 1e-7, 123456.0, 1234567.0, 5e-324, f64::MAX, 0.1, 100.0] {
            assert_eq!(format_float(f, b'g', -1), kiln_yaml::gofmt::format_float_g(f), "{f:e}");
        }
        assert!(checked > 10_000);
    }
}
