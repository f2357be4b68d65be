//! Go's reference-time layouts (`2006-01-02 15:04:05.000 -0700 MST`): `Time.Format` and `time.ParseInLocation`,
//! with Go's element recognition (`Jan`/`January`, `Mon`/`Monday`, `1`/`01`, `2`/`02`/`_2`, `002`/`__2`,
//! `15`/`3`/`03`, `4`/`04`, `5`/`05`, `2006`/`06`, `PM`/`pm`, `MST`, the `Z07…`/`-07…` offsets, and `.000`/`.999`
//! or `,000`/`,999` fractions), its parsing rules and its error texts.

use super::time::{GoTime, Location, days_in, is_leap};

/// A layout element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// `.000`: exactly this many digits (and the separator, `.` or `,`).
    FracSecond0(usize, u8),
    /// `.999`: up to this many digits, trailing zeros dropped.
    FracSecond9(usize, u8),
}

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LONG_DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// The English name of a month (1..=12), or `%!Month(N)` as Go prints an out-of-range one.
pub(crate) fn month_name(m: i64) -> String {
    usize::try_from(m - 1)
        .ok()
        .and_then(|i| LONG_MONTHS.get(i))
        .map_or_else(|| format!("%!Month({m})"), |s| (*s).to_string())
}

/// The English name of a weekday (0 = Sunday), or `%!Weekday(N)`.
pub(crate) fn weekday_name(d: i64) -> String {
    usize::try_from(d)
        .ok()
        .and_then(|i| LONG_DAYS.get(i))
        .map_or_else(|| format!("%!Weekday({d})"), |s| (*s).to_string())
}

fn starts_with_lower(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_lowercase)
}

fn is_digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// A layout split at its first element: the literal text before it, the element and its text, and the rest.
type Chunk<'a> = (&'a [u8], Option<(Std, &'a [u8])>, &'a [u8]);

/// Go's `nextStdChunk`: the literal text before the first element, the element, and the rest.
fn next_std_chunk(layout: &[u8]) -> Chunk<'_> {
    let at = |i: usize, s: &str| layout.get(i..i + s.len()) == Some(s.as_bytes());
    for i in 0..layout.len() {
        let cut = |std: Std, len: usize| (&layout[..i], Some((std, &layout[i..i + len])), &layout[i + len..]);
        match layout[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    return cut(Std::LongMonth, 7);
                }
                if !starts_with_lower(&layout[i + 3..]) {
                    return cut(Std::Month, 3);
                }
            }
            b'M' if layout.len() >= i + 3 => {
                if at(i, "Mon") {
                    if at(i, "Monday") {
                        return cut(Std::LongWeekDay, 6);
                    }
                    if !starts_with_lower(&layout[i + 3..]) {
                        return cut(Std::WeekDay, 3);
                    }
                }
                if at(i, "MST") {
                    return cut(Std::Tz, 3);
                }
            }
            b'0' => {
                if let Some(&c @ b'1'..=b'6') = layout.get(i + 1) {
                    let std =
                        [Std::ZeroMonth, Std::ZeroDay, Std::ZeroHour12, Std::ZeroMinute, Std::ZeroSecond, Std::Year]
                            [usize::from(c - b'1')];
                    return cut(std, 2);
                }
                if at(i, "002") {
                    return cut(Std::ZeroYearDay, 3);
                }
            }
            b'1' => {
                if layout.get(i + 1) == Some(&b'5') {
                    return cut(Std::Hour, 2);
                }
                return cut(Std::NumMonth, 1);
            }
            b'2' => {
                if at(i, "2006") {
                    return cut(Std::LongYear, 4);
                }
                return cut(Std::Day, 1);
            }
            b'_' => {
                if layout.get(i + 1) == Some(&b'2') {
                    // "_2006" is a literal underscore followed by the long year.
                    if at(i + 1, "2006") {
                        return (&layout[..i + 1], Some((Std::LongYear, &layout[i + 1..i + 5])), &layout[i + 5..]);
                    }
                    return cut(Std::UnderDay, 2);
                }
                if at(i, "__2") {
                    return cut(Std::UnderYearDay, 3);
                }
            }
            b'3' => return cut(Std::Hour12, 1),
            b'4' => return cut(Std::Minute, 1),
            b'5' => return cut(Std::Second, 1),
            b'P' if layout.get(i + 1) == Some(&b'M') => return cut(Std::PM, 2),
            b'p' if layout.get(i + 1) == Some(&b'm') => return cut(Std::Pm, 2),
            b'-' => {
                for (s, std) in [
                    ("-070000", Std::NumSecondsTz),
                    ("-07:00:00", Std::NumColonSecondsTz),
                    ("-0700", Std::NumTz),
                    ("-07:00", Std::NumColonTz),
                    ("-07", Std::NumShortTz),
                ] {
                    if at(i, s) {
                        return cut(std, s.len());
                    }
                }
            }
            b'Z' => {
                for (s, std) in [
                    ("Z070000", Std::Iso8601SecondsTz),
                    ("Z07:00:00", Std::Iso8601ColonSecondsTz),
                    ("Z0700", Std::Iso8601Tz),
                    ("Z07:00", Std::Iso8601ColonTz),
                    ("Z07", Std::Iso8601ShortTz),
                ] {
                    if at(i, s) {
                        return cut(std, s.len());
                    }
                }
            }
            sep @ (b'.' | b',') => {
                if let Some(&ch @ (b'0' | b'9')) = layout.get(i + 1) {
                    let mut j = i + 1;
                    while layout.get(j) == Some(&ch) {
                        j += 1;
                    }
                    // Only a run of digits that ends here is a fraction.
                    if !is_digit(layout, j) {
                        let n = (j - (i + 1)) & 0xfff;
                        let std = if ch == b'0' { Std::FracSecond0(n, sep) } else { Std::FracSecond9(n, sep) };
                        return cut(std, j - i);
                    }
                }
            }
            _ => {}
        }
    }
    (layout, None, &[])
}

/// Go's `appendInt`: `x` in decimal, zero-padded to `width` digits after any minus sign.
fn append_int(b: &mut Vec<u8>, x: i64, width: usize) {
    if x < 0 {
        b.push(b'-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push(b'0');
    }
    b.extend_from_slice(digits.as_bytes());
}

/// `Time.Format(layout)`.
pub(crate) fn format(t: &GoTime, layout: &str) -> String {
    let (name, offset) = t.zone();
    let c = t.civil();
    let mut b = Vec::with_capacity(layout.len() + 10);
    let mut layout = layout.as_bytes();
    loop {
        let (prefix, std, suffix) = next_std_chunk(layout);
        b.extend_from_slice(prefix);
        let Some((std, _)) = std else { break };
        layout = suffix;
        match std {
            Std::Year => append_int(&mut b, c.year.abs() % 100, 2),
            Std::LongYear => append_int(&mut b, c.year, 4),
            Std::Month => b.extend_from_slice(&month_name(c.month).as_bytes()[..3]),
            Std::LongMonth => b.extend_from_slice(month_name(c.month).as_bytes()),
            Std::NumMonth => append_int(&mut b, c.month, 0),
            Std::ZeroMonth => append_int(&mut b, c.month, 2),
            Std::WeekDay => b.extend_from_slice(&weekday_name(c.weekday).as_bytes()[..3]),
            Std::LongWeekDay => b.extend_from_slice(weekday_name(c.weekday).as_bytes()),
            Std::Day => append_int(&mut b, c.day, 0),
            Std::UnderDay => {
                if c.day < 10 {
                    b.push(b' ');
                }
                append_int(&mut b, c.day, 0);
            }
            Std::ZeroDay => append_int(&mut b, c.day, 2),
            Std::UnderYearDay => {
                if c.yday < 100 {
                    b.push(b' ');
                    if c.yday < 10 {
                        b.push(b' ');
                    }
                }
                append_int(&mut b, c.yday, 0);
            }
            Std::ZeroYearDay => append_int(&mut b, c.yday, 3),
            Std::Hour => append_int(&mut b, c.hour, 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let hr = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
                append_int(&mut b, hr, if std == Std::ZeroHour12 { 2 } else { 0 });
            }
            Std::Minute => append_int(&mut b, c.minute, 0),
            Std::ZeroMinute => append_int(&mut b, c.minute, 2),
            Std::Second => append_int(&mut b, c.second, 0),
            Std::ZeroSecond => append_int(&mut b, c.second, 2),
            Std::PM => b.extend_from_slice(if c.hour >= 12 { b"PM" } else { b"AM" }),
            Std::Pm => b.extend_from_slice(if c.hour >= 12 { b"pm" } else { b"am" }),
            Std::Iso8601Tz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumColonTz
            | Std::NumSecondsTz
            | Std::NumShortTz
            | Std::NumColonSecondsTz => {
                let iso = matches!(
                    std,
                    Std::Iso8601Tz
                        | Std::Iso8601ColonTz
                        | Std::Iso8601SecondsTz
                        | Std::Iso8601ShortTz
                        | Std::Iso8601ColonSecondsTz
                );
                if offset == 0 && iso {
                    b.push(b'Z');
                    continue;
                }
                let offset = i64::from(offset);
                let mut zone = offset / 60;
                let mut abs = offset;
                if zone < 0 {
                    b.push(b'-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    b.push(b'+');
                }
                append_int(&mut b, zone / 60, 2);
                if matches!(
                    std,
                    Std::Iso8601ColonTz | Std::NumColonTz | Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz
                ) {
                    b.push(b':');
                }
                if !matches!(std, Std::NumShortTz | Std::Iso8601ShortTz) {
                    append_int(&mut b, zone % 60, 2);
                }
                if matches!(
                    std,
                    Std::Iso8601SecondsTz | Std::NumSecondsTz | Std::NumColonSecondsTz | Std::Iso8601ColonSecondsTz
                ) {
                    if matches!(std, Std::NumColonSecondsTz | Std::Iso8601ColonSecondsTz) {
                        b.push(b':');
                    }
                    append_int(&mut b, abs % 60, 2);
                }
            }
            Std::Tz => {
                if !name.is_empty() {
                    b.extend_from_slice(name.as_bytes());
                } else {
                    let mut zone = i64::from(offset) / 60;
                    if zone < 0 {
                        b.push(b'-');
                        zone = -zone;
                    } else {
                        b.push(b'+');
                    }
                    append_int(&mut b, zone / 60, 2);
                    append_int(&mut b, zone % 60, 2);
                }
            }
            Std::FracSecond0(n, sep) | Std::FracSecond9(n, sep) => {
                let trim = matches!(std, Std::FracSecond9(..));
                if trim && (n == 0 || t.nsec == 0) {
                    continue;
                }
                let start = b.len();
                b.push(sep);
                append_int(&mut b, t.nsec, 9);
                if n < 9 {
                    b.truncate(b.len() - 9 + n);
                }
                if trim {
                    while b.len() > start && b.last() == Some(&b'0') {
                        b.pop();
                    }
                    if b.len() == start + 1 {
                        b.pop();
                    }
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The `time` package's own `quote`: `"…"` with `"` and `\` escaped and every control or non-ASCII byte as `\xNN`.
pub(crate) fn time_quote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s {
        if !(b' '..0x80).contains(&c) {
            out.push_str(&format!("\\x{c:02x}"));
        } else {
            if c == b'"' || c == b'\\' {
                out.push('\\');
            }
            out.push(char::from(c));
        }
    }
    out.push('"');
    out
}

/// A `time.ParseError`.
fn parse_error(layout: &[u8], value: &[u8], layout_elem: &[u8], value_elem: &[u8], message: &str) -> String {
    if message.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            time_quote(value),
            time_quote(layout),
            time_quote(value_elem),
            time_quote(layout_elem)
        )
    } else {
        format!("parsing time {}{message}", time_quote(value))
    }
}

/// A numeric zone offset's sign, hours, minutes and seconds text, and its length in the value.
type OffsetParts<'a> = (u8, &'a [u8], &'a [u8], &'a [u8], usize);

/// Go's `getnum`: one or two digits (`fixed`: exactly two).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !is_digit(s, 0) {
        return None;
    }
    if !is_digit(s, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(s[0] - b'0'), &s[1..]));
    }
    Some((i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'), &s[2..]))
}

/// Go's `getnum3`: one to three digits (`fixed`: exactly three).
fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && is_digit(s, i) {
        n = n * 10 + i64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `skip`: remove `prefix` from `value`, runs of spaces matching runs of spaces.
fn skip<'v>(mut value: &'v [u8], mut prefix: &[u8]) -> Result<&'v [u8], &'v [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return Err(value);
            }
            while prefix.first() == Some(&b' ') {
                prefix = &prefix[1..];
            }
            while value.first() == Some(&b' ') {
                value = &value[1..];
            }
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

/// Go's `atoi` on a short run: optional sign then digits only.
fn atoi(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut x: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > 1 << 63 {
            return None;
        }
    }
    let x = x as i64;
    Some(if neg { x.wrapping_neg() } else { x })
}

/// Case-insensitive (ASCII letters only) prefix lookup in a name table (Go's `lookup`).
fn lookup<'v>(table: &[&str], value: &'v [u8]) -> Option<(usize, &'v [u8])> {
    for (i, name) in table.iter().enumerate() {
        let n = name.as_bytes();
        if value.len() >= n.len() && value[..n.len()].eq_ignore_ascii_case(n) {
            return Some((i, &value[n.len()..]));
        }
    }
    None
}

/// Go's `parseNanoseconds`: the fraction `value[..nbytes]` (separator included) in nanoseconds. `Err(None)` is a
/// syntax error, `Err(Some(what))` a range error.
fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<i64, Option<&'static str>> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(None);
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(value.get(1..nbytes).ok_or(None)?).ok_or(None)?;
    if ns < 0 {
        return Err(Some("fractional second"));
    }
    Ok(ns * 10i64.pow(u32::try_from(10 - nbytes).unwrap_or(0)))
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if value[0] == b'+' || value[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let upper = value.iter().take(6).take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        5 if value[4] == b'T' => Some(5),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: the length of `+N`/`-N` with N in 0..=23, or 0.
fn parse_signed_offset(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = value[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match atoi(&value[1..1 + digits]) {
        Some(x) if x <= 23 => 1 + digits,
        _ => 0,
    }
}

/// `time.ParseInLocation(layout, value, loc)`; the error is Go's `ParseError` text.
pub(crate) fn parse(layout_text: &str, value_text: &str, loc: &Location) -> Result<GoTime, String> {
    let (alayout, avalue) = (layout_text.as_bytes(), value_text.as_bytes());
    let (mut layout, mut value) = (alayout, avalue);
    let mut range_err = "";
    let (mut am_set, mut pm_set) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut utc = false;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name: &[u8] = b"";
    loop {
        let (prefix, std, suffix) = next_std_chunk(layout);
        value = match skip(value, prefix) {
            Ok(v) => v,
            Err(v) => return Err(parse_error(alayout, avalue, prefix, v, "")),
        };
        let Some((std, stdstr)) = std else {
            if !value.is_empty() {
                return Err(parse_error(alayout, avalue, b"", value, &format!(": extra text: {}", time_quote(value))));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let mut ok = true;
        match std {
            Std::Year => {
                if value.len() < 2 {
                    ok = false;
                } else {
                    let p = &value[..2];
                    value = &value[2..];
                    match atoi(p) {
                        Some(y) => year = if y >= 69 { y + 1900 } else { y + 2000 },
                        None => ok = false,
                    }
                }
            }
            Std::LongYear => {
                if value.len() < 4 || !is_digit(value, 0) {
                    ok = false;
                } else {
                    let p = &value[..4];
                    value = &value[4..];
                    match atoi(p) {
                        Some(y) => year = y,
                        None => ok = false,
                    }
                }
            }
            Std::Month | Std::LongMonth => {
                let short: Vec<&str> = LONG_MONTHS.iter().map(|m| &m[..3]).collect();
                let table: &[&str] = if std == Std::Month { &short } else { &LONG_MONTHS };
                match lookup(table, value) {
                    Some((i, rest)) => {
                        month = i as i64 + 1;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::NumMonth | Std::ZeroMonth => match getnum(value, std == Std::ZeroMonth) {
                Some((m, rest)) => {
                    month = m;
                    value = rest;
                    if month <= 0 || 12 < month {
                        range_err = "month";
                    }
                }
                None => ok = false,
            },
            Std::WeekDay | Std::LongWeekDay => {
                let short: Vec<&str> = LONG_DAYS.iter().map(|d| &d[..3]).collect();
                let table: &[&str] = if std == Std::WeekDay { &short } else { &LONG_DAYS };
                match lookup(table, value) {
                    Some((_, rest)) => value = rest,
                    None => ok = false,
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.first() == Some(&b' ') {
                    value = &value[1..];
                }
                match getnum(value, std == Std::ZeroDay) {
                    Some((d, rest)) => {
                        day = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && value.first() == Some(&b' ') {
                        value = &value[1..];
                    }
                }
                match getnum3(value, std == Std::ZeroYearDay) {
                    Some((d, rest)) => {
                        yday = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::Hour => match getnum(value, false) {
                Some((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..24).contains(&hour) {
                        range_err = "hour";
                    }
                }
                None => ok = false,
            },
            Std::Hour12 | Std::ZeroHour12 => match getnum(value, std == Std::ZeroHour12) {
                Some((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..=12).contains(&hour) {
                        range_err = "hour";
                    }
                }
                None => ok = false,
            },
            Std::Minute | Std::ZeroMinute => match getnum(value, std == Std::ZeroMinute) {
                Some((m, rest)) => {
                    min = m;
                    value = rest;
                    if !(0..60).contains(&min) {
                        range_err = "minute";
                    }
                }
                None => ok = false,
            },
            Std::Second | Std::ZeroSecond => match getnum(value, std == Std::ZeroSecond) {
                Some((s, rest)) => {
                    sec = s;
                    value = rest;
                    if !(0..60).contains(&sec) {
                        range_err = "second";
                    } else if value.len() >= 2 && matches!(value[0], b'.' | b',') && is_digit(value, 1) {
                        // A fraction in the value with none in the layout is accepted too.
                        let (_, next, _) = next_std_chunk(layout);
                        if !matches!(next, Some((Std::FracSecond0(..) | Std::FracSecond9(..), _))) {
                            let mut n = 2;
                            while is_digit(value, n) {
                                n += 1;
                            }
                            match parse_nanoseconds(value, n) {
                                Ok(ns) => nsec = ns,
                                Err(Some(what)) => range_err = what,
                                Err(None) => ok = false,
                            }
                            value = &value[n..];
                        }
                    }
                }
                None => ok = false,
            },
            Std::PM | Std::Pm => {
                if value.len() < 2 {
                    ok = false;
                } else {
                    let p = &value[..2];
                    value = &value[2..];
                    let (pm, am): (&[u8], &[u8]) = if std == Std::PM { (b"PM", b"AM") } else { (b"pm", b"am") };
                    if p == pm {
                        pm_set = true;
                    } else if p == am {
                        am_set = true;
                    } else {
                        ok = false;
                    }
                }
            }
            Std::Iso8601Tz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ColonSecondsTz
                if value.first() == Some(&b'Z') =>
            {
                value = &value[1..];
                utc = true;
            }
            Std::Iso8601Tz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumShortTz
            | Std::NumColonTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz => {
                // (sign, hours, minutes, seconds, length)
                let parts: Option<OffsetParts<'_>> = match std {
                    Std::Iso8601ColonTz | Std::NumColonTz => (value.len() >= 6 && value[3] == b':')
                        .then(|| (value[0], &value[1..3], &value[4..6], &b"00"[..], 6)),
                    Std::NumShortTz | Std::Iso8601ShortTz => {
                        (value.len() >= 3).then(|| (value[0], &value[1..3], &b"00"[..], &b"00"[..], 3))
                    }
                    Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
                        (value.len() >= 9 && value[3] == b':' && value[6] == b':')
                            .then(|| (value[0], &value[1..3], &value[4..6], &value[7..9], 9))
                    }
                    Std::Iso8601SecondsTz | Std::NumSecondsTz => {
                        (value.len() >= 7).then(|| (value[0], &value[1..3], &value[3..5], &value[5..7], 7))
                    }
                    _ => (value.len() >= 5).then(|| (value[0], &value[1..3], &value[3..5], &b"00"[..], 5)),
                };
                match parts {
                    None => ok = false,
                    Some((sign, h, m, s, len)) => {
                        value = &value[len..];
                        let hms = getnum(h, true).and_then(|(hr, _)| {
                            getnum(m, true).and_then(|(mm, _)| getnum(s, true).map(|(ss, _)| (hr, mm, ss)))
                        });
                        let (hr, mm, ss) = hms.unwrap_or((0, 0, 0));
                        if hms.is_none() {
                            ok = false;
                        }
                        if hr > 24 {
                            range_err = "time zone offset hour";
                        }
                        if mm > 60 {
                            range_err = "time zone offset minute";
                        }
                        if ss > 60 {
                            range_err = "time zone offset second";
                        }
                        let off = (hr * 60 + mm) * 60 + ss;
                        match sign {
                            b'+' => zone_offset = Some(off),
                            b'-' => zone_offset = Some(-off),
                            _ => ok = false,
                        }
                    }
                }
            }
            Std::Tz => {
                if value.starts_with(b"UTC") {
                    utc = true;
                    value = &value[3..];
                } else {
                    match parse_time_zone(value) {
                        Some(n) => {
                            zone_name = &value[..n];
                            value = &value[n..];
                        }
                        None => ok = false,
                    }
                }
            }
            Std::FracSecond0(n, _) => {
                let ndigit = 1 + n;
                if value.len() < ndigit {
                    ok = false;
                } else {
                    match parse_nanoseconds(value, ndigit) {
                        Ok(ns) => nsec = ns,
                        Err(Some(what)) => range_err = what,
                        Err(None) => ok = false,
                    }
                    value = &value[ndigit..];
                }
            }
            Std::FracSecond9(..) => {
                if value.len() >= 2 && matches!(value[0], b'.' | b',') && value[1].is_ascii_digit() {
                    let mut i = 0;
                    while i + 1 < value.len() && value[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    match parse_nanoseconds(value, 1 + i) {
                        Ok(ns) => nsec = ns,
                        Err(Some(what)) => range_err = what,
                        Err(None) => ok = false,
                    }
                    value = &value[1 + i..];
                }
            }
        }
        if !range_err.is_empty() {
            return Err(parse_error(alayout, avalue, stdstr, value, &format!(": {range_err} out of range")));
        }
        if !ok {
            return Err(parse_error(alayout, avalue, stdstr, hold, ""));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let (mut m, mut d) = (0i64, 0i64);
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(parse_error(alayout, avalue, b"", value, ": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if days_before(m + 1) < yday {
                m += 1;
            }
            d = yday - days_before(m);
        }
        if month >= 0 && month != m {
            return Err(parse_error(alayout, avalue, b"", value, ": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(parse_error(alayout, avalue, b"", value, ": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(parse_error(alayout, avalue, b"", value, ": day out of range"));
    }
    if utc {
        return Ok(GoTime::date(year, month, day, hour, min, sec, nsec, Location::Utc));
    }
    let zone_name = String::from_utf8_lossy(zone_name).into_owned();
    if let Some(offset) = zone_offset {
        let mut t = GoTime::date(year, month, day, hour, min, sec, nsec, Location::Utc);
        t.unix -= offset;
        let (name, local_offset) = loc.lookup(t.unix);
        if i64::from(local_offset) == offset && (zone_name.is_empty() || name == zone_name) {
            return Ok(t.in_location(loc.clone()));
        }
        let offset = i32::try_from(offset).unwrap_or(0);
        return Ok(t.in_location(Location::Fixed { name: zone_name, offset }));
    }
    if !zone_name.is_empty() {
        let mut t = GoTime::date(year, month, day, hour, min, sec, nsec, Location::Utc);
        if let Some(offset) = loc.lookup_name(&zone_name, t.unix) {
            t.unix -= i64::from(offset);
            return Ok(t.in_location(loc.clone()));
        }
        let mut offset = 0;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            offset = atoi(&zone_name.as_bytes()[3..]).unwrap_or(0) * 3600;
        }
        let offset = i32::try_from(offset).unwrap_or(0);
        return Ok(t.in_location(Location::Fixed { name: zone_name, offset }));
    }
    Ok(GoTime::date(year, month, day, hour, min, sec, nsec, loc.clone()))
}

/// Days before the first of `month` in a non-leap year (`month` 1..=13).
fn days_before(month: i64) -> i64 {
    const BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
    usize::try_from(month - 1).ok().and_then(|i| BEFORE.get(i)).copied().unwrap_or(365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_reference_layouts() {
        let t = GoTime::date(2006, 1, 2, 15, 4, 5, 123_456_789, Location::Utc);
        assert_eq!(format(&t, "2006-01-02T15:04:05.000Z07:00"), "2006-01-02T15:04:05.123Z");
        assert_eq!(format(&t, "Mon Jan _2 3:04PM '06 -0700 MST"), "Mon Jan  2 3:04PM '06 +0000 UTC");
        assert_eq!(format(&t, "Monday January 002 .999999"), "Monday January 002 .123456");
        assert_eq!(format(&t, "Janet"), "Janet");
    }

    #[test]
    fn parses_with_go_errors() {
        let t = parse("2006-01-02", "2024-03-05", &Location::Utc).map(|t| t.unix);
        assert_eq!(t, Ok(1_709_596_800));
        assert_eq!(
            parse("2006-01-02", "2024-3-05", &Location::Utc).err().as_deref(),
            Some(r#"parsing time "2024-3-05" as "2006-01-02": cannot parse "3-05" as "01""#)
        );
        assert_eq!(
            parse("2006-01-02", "2024-02-30", &Location::Utc).err().as_deref(),
            Some(r#"parsing time "2024-02-30": day out of range"#)
        );
        let z = parse("2006-01-02T15:04:05Z07:00", "2024-01-01T10:00:00+02:00", &Location::Utc);
        assert_eq!(z.map(|t| format(&t, "15:04 -07:00 MST")), Ok("10:00 +02:00 +0200".to_string()));
    }
}
