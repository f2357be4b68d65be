//! Go's `time.Time`, `time.Location` and `time.Duration` as Sprig's date functions use them: instants with
//! nanosecond precision and an optional monotonic reading, proleptic Gregorian calendar arithmetic with Go's
//! normalisation (`time.Date`), zone lookups, and `Duration`'s parsing, printing and rounding.
//!
//! Zones: `UTC`; `Local`, which is the zone named by the `TZ` environment variable when the plugin sees one (as
//! Go does) and UTC otherwise (inside kiln's sandbox no `TZ` is passed, so `Local` is UTC, as for Helm run with
//! `TZ=UTC`); fixed offsets made by parsing; and IANA zones from the time zone database compiled into the plugin
//! (Go reads the host's `/usr/share/zoneinfo`; names are case-sensitive as on Linux).

use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Seconds from 0001-01-01T00:00:00Z (Go's zero time) to the Unix epoch.
pub(crate) const ZERO_UNIX: i64 = -62_135_596_800;

/// The largest year magnitude `time.Date` computes with here (Go's own range ends near 292 billion years; beyond
/// it Go's arithmetic wraps, this port's clamps).
const MAX_YEAR: i64 = 1_000_000_000_000;

/// Nanoseconds in a second.
pub(crate) const NANOS: i64 = 1_000_000_000;

/// A zone: where an instant's wall-clock reading comes from.
#[derive(Clone, Debug)]
pub(crate) enum Location {
    /// `time.UTC`.
    Utc,
    /// `time.Local`.
    Local,
    /// `time.FixedZone(name, offset)`, made by parsing a numeric or unknown zone.
    Fixed { name: String, offset: i32 },
    /// A zone from the time zone database (`time.LoadLocation(name)`).
    Named { name: String, tz: TimeZone },
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Location::Utc, Location::Utc) | (Location::Local, Location::Local) => true,
            (Location::Fixed { name: a, offset: x }, Location::Fixed { name: b, offset: y }) => a == b && x == y,
            (Location::Named { name: a, .. }, Location::Named { name: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// The zone `Local` stands for, and its name: the zone named by `TZ` when that is set to a known zone (a leading
/// `:` is ignored, as in Go), else UTC. Like Go, `Local` then calls itself by the zone's name, or `UTC`.
fn local_zone_named() -> Option<&'static (String, TimeZone)> {
    static LOCAL: OnceLock<Option<(String, TimeZone)>> = OnceLock::new();
    LOCAL
        .get_or_init(|| {
            let tz = std::env::var("TZ").ok()?;
            let name = tz.strip_prefix(':').unwrap_or(&tz);
            if name.is_empty() || name == "UTC" {
                return None;
            }
            load_zone(name).map(|z| (name.to_string(), z))
        })
        .as_ref()
}

/// The zone `Local` stands for (`None`: UTC).
fn local_zone() -> Option<&'static TimeZone> {
    local_zone_named().map(|(_, z)| z)
}

/// A database zone by its exact (case-sensitive) name.
fn load_zone(name: &str) -> Option<TimeZone> {
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return None;
    }
    let tz = TimeZone::get(name).ok()?;
    // The database lookup ignores case; Go's (a file name on Linux) does not.
    match tz.iana_name() {
        Some(n) if n == name => Some(tz),
        _ => None,
    }
}

/// The offset and abbreviation of `tz` at Unix second `unix` (clamped to the database's range).
fn zone_at(tz: &TimeZone, unix: i64) -> (String, i32) {
    let ts = Timestamp::from_second(unix.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second()))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let info = tz.to_offset_info(ts);
    (info.abbreviation().to_string(), info.offset().seconds())
}

impl Location {
    /// `time.LoadLocation(name)`: `""` and `"UTC"` are UTC, `"Local"` is Local, others come from the database.
    pub(crate) fn load(name: &str) -> Option<Location> {
        match name {
            "" | "UTC" => Some(Location::Utc),
            "Local" => Some(Location::Local),
            _ => load_zone(name).map(|tz| Location::Named { name: name.to_string(), tz }),
        }
    }

    /// `Location.String`.
    pub(crate) fn name(&self) -> &str {
        match self {
            Location::Utc => "UTC",
            Location::Local => local_zone_named().map_or("UTC", |(n, _)| n.as_str()),
            Location::Fixed { name, .. } | Location::Named { name, .. } => name,
        }
    }

    /// The zone abbreviation and offset (seconds east of UTC) in effect at Unix second `unix`.
    pub(crate) fn lookup(&self, unix: i64) -> (Cow<'_, str>, i32) {
        match self {
            Location::Utc => (Cow::Borrowed("UTC"), 0),
            Location::Local => match local_zone() {
                Some(tz) => {
                    let (n, o) = zone_at(tz, unix);
                    (Cow::Owned(n), o)
                }
                None => (Cow::Borrowed("UTC"), 0),
            },
            Location::Fixed { name, offset } => (Cow::Borrowed(name.as_str()), *offset),
            Location::Named { tz, .. } => {
                let (n, o) = zone_at(tz, unix);
                (Cow::Owned(n), o)
            }
        }
    }

    /// The offset of a zone abbreviation in this location around Unix second `unix` (Go's `lookupName`, as far
    /// as a zone's abbreviations can be discovered: the ones in effect within half a year of the instant).
    pub(crate) fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        let tz = match self {
            Location::Utc => return None,
            Location::Local => local_zone()?,
            Location::Fixed { name: n, offset } => return (n == name).then_some(*offset),
            Location::Named { tz, .. } => tz,
        };
        const HALF_YEAR: i64 = 183 * 86_400;
        for probe in [unix, unix - HALF_YEAR, unix + HALF_YEAR] {
            let (abbr, offset) = zone_at(tz, probe);
            if abbr == name {
                // Go checks that the zone holds at the instant the offset implies, then takes any zone so named.
                let (abbr_at, offset_at) = zone_at(tz, unix - i64::from(offset));
                if abbr_at == name {
                    return Some(offset_at);
                }
                return Some(offset);
            }
        }
        None
    }
}

/// A `time.Time`.
#[derive(Clone, Debug)]
pub(crate) struct GoTime {
    /// Seconds since the Unix epoch.
    pub(crate) unix: i64,
    /// Nanoseconds within the second, `0..1e9`.
    pub(crate) nsec: i64,
    /// The zone the time is presented in.
    pub(crate) loc: Location,
    /// The monotonic clock reading (nanoseconds since the process started), for times from `now`.
    pub(crate) mono: Option<i64>,
}

impl PartialEq for GoTime {
    /// Go's `==` on `time.Time` values (same instant, location and monotonic reading), not `Time.Equal`.
    fn eq(&self, other: &Self) -> bool {
        self.unix == other.unix && self.nsec == other.nsec && self.loc == other.loc && self.mono == other.mono
    }
}

/// A wall-clock reading: the fields `time.Time`'s accessors return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    /// 1..=12.
    pub(crate) month: i64,
    /// 1..=31.
    pub(crate) day: i64,
    /// Day of the year, 1..=366.
    pub(crate) yday: i64,
    /// 0 = Sunday.
    pub(crate) weekday: i64,
    pub(crate) hour: i64,
    pub(crate) minute: i64,
    pub(crate) second: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in `month` (1..=12) of `year`.
pub(crate) fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The process's monotonic clock origin (Go's `startNano`).
fn mono_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl GoTime {
    /// Go's zero `time.Time` (0001-01-01 00:00:00 UTC).
    pub(crate) fn zero() -> GoTime {
        GoTime { unix: ZERO_UNIX, nsec: 0, loc: Location::Utc, mono: None }
    }

    /// `time.Now()`: the wall clock in `Local`, with a monotonic reading.
    pub(crate) fn now() -> GoTime {
        let start = mono_start();
        let wall = SystemTime::now();
        let (unix, nsec) = match wall.duration_since(UNIX_EPOCH) {
            Ok(d) => (i64::try_from(d.as_secs()).unwrap_or(i64::MAX), i64::from(d.subsec_nanos())),
            Err(e) => {
                let d = e.duration();
                let (s, n) = (i64::try_from(d.as_secs()).unwrap_or(i64::MAX), i64::from(d.subsec_nanos()));
                if n == 0 { (-s, 0) } else { (-s - 1, NANOS - n) }
            }
        };
        let mono = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        GoTime { unix, nsec, loc: Location::Local, mono: Some(mono) }
    }

    /// `time.Unix(sec, 0)` (in `Local`).
    pub(crate) fn from_unix(sec: i64) -> GoTime {
        GoTime { unix: sec, nsec: 0, loc: Location::Local, mono: None }
    }

    /// `time.Date(...)`: the instant whose wall clock in `loc` reads the given fields, each normalised into range
    /// (month 13 is January of the next year, second -1 the last second of the previous minute, …).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        loc: Location,
    ) -> GoTime {
        let m0 = month.saturating_sub(1);
        let year = year.saturating_add(m0.div_euclid(12)).clamp(-MAX_YEAR, MAX_YEAR);
        let month = m0.rem_euclid(12) + 1;
        let sec = sec.saturating_add(nsec.div_euclid(NANOS));
        let nsec = nsec.rem_euclid(NANOS);
        let min = min.saturating_add(sec.div_euclid(60));
        let sec = sec.rem_euclid(60);
        let hour = hour.saturating_add(min.div_euclid(60));
        let min = min.rem_euclid(60);
        let day = day.saturating_add(hour.div_euclid(24));
        let hour = hour.rem_euclid(24);
        let days = days_from_civil(year, month, 1).saturating_add(day.saturating_sub(1));
        let local = days.saturating_mul(86_400).saturating_add(hour * 3600 + min * 60 + sec);
        let (_, offset) = loc.lookup(local);
        let unix = if offset == 0 {
            local
        } else {
            // The offset in effect at the resulting instant (Go re-looks it up when the first guess's zone period
            // does not contain that instant, which gives the same answer).
            let (_, offset2) = loc.lookup(local.saturating_sub(i64::from(offset)));
            local.saturating_sub(i64::from(offset2))
        };
        GoTime { unix, nsec, loc, mono: None }
    }

    /// The zone abbreviation and offset in effect at this instant.
    pub(crate) fn zone(&self) -> (Cow<'_, str>, i32) {
        self.loc.lookup(self.unix)
    }

    /// The wall-clock fields in the time's location.
    pub(crate) fn civil(&self) -> Civil {
        let (_, offset) = self.zone();
        let local = self.unix.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            yday: days - days_from_civil(year, 1, 1) + 1,
            weekday: (days + 4).rem_euclid(7),
            hour: secs / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
        }
    }

    /// The same instant in another location (`In`, `UTC`, `Local`: the monotonic reading is dropped).
    pub(crate) fn in_location(&self, loc: Location) -> GoTime {
        GoTime { unix: self.unix, nsec: self.nsec, loc, mono: None }
    }

    /// `Time.Add`.
    pub(crate) fn add(&self, d: i64) -> GoTime {
        let mut unix = self.unix.wrapping_add(d / NANOS);
        let mut nsec = self.nsec + d % NANOS;
        if nsec >= NANOS {
            unix = unix.wrapping_add(1);
            nsec -= NANOS;
        } else if nsec < 0 {
            unix = unix.wrapping_sub(1);
            nsec += NANOS;
        }
        let mono = self.mono.and_then(|m| m.checked_add(d));
        GoTime { unix, nsec, loc: self.loc.clone(), mono }
    }

    /// `Time.AddDate`.
    pub(crate) fn add_date(&self, years: i64, months: i64, days: i64) -> GoTime {
        let c = self.civil();
        GoTime::date(
            c.year.saturating_add(years),
            c.month.saturating_add(months),
            c.day.saturating_add(days),
            c.hour,
            c.minute,
            c.second,
            self.nsec,
            self.loc.clone(),
        )
    }

    /// Nanoseconds since the Unix epoch, widened.
    fn nanos(&self) -> i128 {
        i128::from(self.unix) * i128::from(NANOS) + i128::from(self.nsec)
    }

    /// `Time.Sub`: `self - u`, saturated to the `Duration` range; monotonic readings are used when both have one.
    pub(crate) fn sub(&self, u: &GoTime) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, u.mono) {
            return a.saturating_sub(b);
        }
        let d = self.nanos() - u.nanos();
        i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
    }

    /// `Time.Compare`: the order of the instants (monotonic readings when both have one).
    pub(crate) fn compare(&self, u: &GoTime) -> std::cmp::Ordering {
        if let (Some(a), Some(b)) = (self.mono, u.mono) {
            return a.cmp(&b);
        }
        self.nanos().cmp(&u.nanos())
    }

    /// `Time.IsZero`.
    pub(crate) fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX && self.nsec == 0
    }

    /// `Time.Round(d)` (`round == true`) or `Time.Truncate(d)`: to a multiple of `d` since the zero time.
    pub(crate) fn round_to(&self, d: i64, round: bool) -> GoTime {
        let mut t = self.in_location(self.loc.clone());
        if d <= 0 {
            return t;
        }
        let since_zero = (i128::from(self.unix) - i128::from(ZERO_UNIX)) * i128::from(NANOS) + i128::from(self.nsec);
        let r = i64::try_from(since_zero.rem_euclid(i128::from(d))).unwrap_or(0);
        t = if !round || less_than_half(r, d) { t.add(-r) } else { t.add(d - r) };
        t
    }

    /// `Time.String`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus ` m=±S.NNNNNNNNN` with a monotonic reading.
    pub(crate) fn to_go_string(&self) -> String {
        let mut s = super::layout::format(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let u = m.unsigned_abs();
            let (secs, ns) = (u / 1_000_000_000, u % 1_000_000_000);
            let (hi, lo) = (secs / 1_000_000_000, secs % 1_000_000_000);
            if hi != 0 {
                s.push_str(&format!(" m={sign}{hi}{lo:09}.{ns:09}"));
            } else {
                s.push_str(&format!(" m={sign}{lo}.{ns:09}"));
            }
        }
        s
    }
}

/// `lessThanHalf`: `x + x < y` for non-negative durations, without overflow.
pub(crate) fn less_than_half(x: i64, y: i64) -> bool {
    (x as u64).wrapping_add(x as u64) < y as u64
}

/// `Duration.Round`.
pub(crate) fn duration_round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        return match d.checked_sub(m).map(|x| x + r) {
            Some(d1) if d1 < d => d1,
            _ => i64::MIN,
        };
    }
    if less_than_half(r, m) {
        return d - r;
    }
    match d.checked_add(m - r) {
        Some(d1) if d1 > d => d1,
        _ => i64::MAX,
    }
}

/// `Duration.Truncate`.
pub(crate) fn duration_truncate(d: i64, m: i64) -> i64 {
    if m <= 0 { d } else { d - d % m }
}

/// The digits of `v / 10^prec` and its fraction without trailing zeros (Go's `fmtFrac` + `fmtInt`).
fn frac(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (int, fr) = (v / p, v % p);
    if fr == 0 {
        return int.to_string();
    }
    let digits = format!("{fr:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`, …
pub(crate) fn duration_string(d: i64) -> String {
    let u = d.unsigned_abs();
    let sign = if d < 0 { "-" } else { "" };
    let body = if u < 1_000_000_000 {
        match u {
            0 => return "0s".to_string(),
            1..=999 => format!("{u}ns"),
            1_000..=999_999 => format!("{}µs", frac(u, 3)),
            _ => format!("{}ms", frac(u, 6)),
        }
    } else {
        let secs = u / 1_000_000_000;
        let s = frac(secs % 60 * 1_000_000_000 + u % 1_000_000_000, 9);
        let mins = secs / 60;
        if mins == 0 {
            format!("{s}s")
        } else if mins / 60 == 0 {
            format!("{}m{s}s", mins % 60)
        } else {
            format!("{}h{}m{s}s", mins / 60, mins % 60)
        }
    };
    format!("{sign}{body}")
}

/// `time.ParseDuration`; the error is Go's text (`time: invalid duration "x"`).
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let quoted = super::layout::time_quote(text.as_bytes());
    let invalid = || format!("time: invalid duration {quoted}");
    let mut s = text.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(s[i] - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
            i += 1;
        }
        let pre = i > 0;
        s = &s[i..];
        // Fraction.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let mut j = 0;
            let mut overflow = false;
            while j < s.len() && s[j].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[j] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                j += 1;
            }
            post = j > 0;
            s = &s[j..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        // Unit.
        let mut k = 0;
        while k < s.len() && !(s[k] == b'.' || s[k].is_ascii_digit()) {
            k += 1;
        }
        if k == 0 {
            return Err(format!("time: missing unit in duration {quoted}"));
        }
        let unit_text = &s[..k];
        s = &s[k..];
        let unit: u64 = match unit_text {
            b"ns" => 1,
            // "us", "µs" (U+00B5 micro sign) and "μs" (U+03BC Greek mu).
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {quoted}",
                    super::layout::time_quote(unit_text)
                ));
            }
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        // Go's uint64 addition wraps (only possible for 2^63 + 2^63); so does this one.
        d = d.wrapping_add(v);
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    i64::try_from(d).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for days in [-719_162, -1, 0, 1, 59, 365, 10_957, 19_787, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(1, 1, 1) * 86_400, ZERO_UNIX);
    }

    #[test]
    fn durations_print_and_parse_like_go() {
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_string(95 * NANOS), "1m35s");
        assert_eq!(duration_string(3600 * NANOS), "1h0m0s");
        assert_eq!(duration_string(1_500), "1.5µs");
        assert_eq!(duration_string(-1_500_000), "-1.5ms");
        assert_eq!(duration_string(i64::MIN), "-2562047h47m16.854775808s");
        assert_eq!(parse_duration("1h30m"), Ok(5400 * NANOS));
        assert_eq!(parse_duration("-1.5h"), Ok(-5400 * NANOS));
        assert_eq!(parse_duration(".5s"), Ok(NANOS / 2));
        assert_eq!(parse_duration("1"), Err(r#"time: missing unit in duration "1""#.to_string()));
        assert_eq!(parse_duration("1x"), Err(r#"time: unknown unit "x" in duration "1x""#.to_string()));
        assert_eq!(parse_duration(""), Err(r#"time: invalid duration """#.to_string()));
    }
}
