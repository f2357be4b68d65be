//! Sprig functions: dates and durations (`ago date date_in_zone date_modify dateInZone dateModify duration
//! durationRound htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch`).
//! Registered by [`super::register`].
//!
//! Times are `time.Time` host objects that print as Go prints them (`2024-03-05 00:00:00 +0000 UTC`, with
//! ` m=+0.000123456` for a time from `now`) and carry the usual methods (`Year Month Day Hour Minute Second
//! Nanosecond YearDay Weekday Unix UnixMilli UnixMicro UnixNano Format String UTC Local Location In Add AddDate Sub
//! Before After Equal Compare IsZero IsDST Round Truncate`). Durations from `Sub` are `time.Duration` objects.
//!
//! As in Sprig: `date`, `dateInZone`, `htmlDate*` and `ago` accept a `time.Time`, an `int` or an `int64` (Unix
//! seconds) and use the current time for anything else; `duration` accepts only `int64` and `string` seconds and
//! `durationRound` only `int64` nanoseconds, `string` durations and times (anything else counts as 0); `toDate`
//! parses in `Local` and gives the zero time on error where `mustToDate` fails; an unknown zone name means UTC.
//! See [`time`] for what `Local` is inside kiln's sandbox (UTC unless a `TZ` is passed to the plugin).

mod layout;
pub(crate) mod time;

use std::borrow::Cow;

use crate::funcs::{Args, CallContext, FuncError, Funcs, Param, Signature};
use crate::strconv::{NumError, parse_int};
use crate::value::{Object, Value};

use self::time::{GoTime, Location, NANOS, duration_round, duration_string, duration_truncate, parse_duration};

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, String, Time};
    // func dateAgo(date interface{}) string
    funcs.register("ago", Signature::new(&[Any]), |_, args| {
        let t = time_or_now(args.value(0)?);
        Ok(Value::from(duration_string(duration_round(GoTime::now().sub(&t), NANOS))))
    });
    // func date(fmt string, date interface{}) string
    funcs.register("date", Signature::new(&[String, Any]), |_, args| {
        Ok(Value::from(date_in_zone(args.str(0)?, args.value(1)?, "Local")))
    });
    // func dateInZone(fmt string, date interface{}, zone string) string
    for name in ["dateInZone", "date_in_zone"] {
        funcs.register(name, Signature::new(&[String, Any, String]), |_, args| {
            Ok(Value::from(date_in_zone(args.str(0)?, args.value(1)?, args.str(2)?)))
        });
    }
    // func dateModify(fmt string, date time.Time) time.Time: an unparsable duration leaves the date unchanged.
    for name in ["dateModify", "date_modify"] {
        funcs.register(name, Signature::new(&[String, Time]), |_, args| {
            let t = time_arg(args.value(1)?)?;
            Ok(time_value(match parse_duration(args.str(0)?) {
                Ok(d) => t.add(d),
                Err(_) => t.clone(),
            }))
        });
    }
    // func mustDateModify(fmt string, date time.Time) (time.Time, error)
    for name in ["mustDateModify", "must_date_modify"] {
        funcs.register(name, Signature::new(&[String, Time]), |_, args| {
            let t = time_arg(args.value(1)?)?;
            let d = parse_duration(args.str(0)?).map_err(FuncError::new)?;
            Ok(time_value(t.add(d)))
        });
    }
    // func duration(sec interface{}) string
    funcs.register("duration", Signature::new(&[Any]), |_, args| {
        let secs = match args.value(0)? {
            Value::String(s) => match parse_int(s, 10) {
                Ok(n) => n,
                // strconv.ParseInt gives the bound on overflow (and 0 on a syntax error), which Sprig keeps.
                Err(NumError::Range) => {
                    if s.starts_with('-') {
                        i64::MIN
                    } else {
                        i64::MAX
                    }
                }
                Err(_) => 0,
            },
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::from(duration_string(secs.wrapping_mul(NANOS))))
    });
    // func durationRound(duration interface{}) string
    funcs.register("durationRound", Signature::new(&[Any]), |_, args| {
        let d = match args.value(0)? {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(n) => *n,
            v => v.downcast_object::<TimeObject>().map_or(0, |t| GoTime::now().sub(&t.0)),
        };
        Ok(Value::from(duration_round_human(d)))
    });
    // func htmlDate(date interface{}) string
    funcs.register("htmlDate", Signature::new(&[Any]), |_, args| {
        Ok(Value::from(date_in_zone("2006-01-02", args.value(0)?, "Local")))
    });
    // func htmlDateInZone(date interface{}, zone string) string
    funcs.register("htmlDateInZone", Signature::new(&[Any, String]), |_, args| {
        Ok(Value::from(date_in_zone("2006-01-02", args.value(0)?, args.str(1)?)))
    });
    // func toDate(fmt, str string) time.Time: the zero time when the text does not match the layout.
    funcs.register("toDate", Signature::new(&[String, String]), |_, args| {
        Ok(time_value(layout::parse(args.str(0)?, args.str(1)?, &Location::Local).unwrap_or_else(|_| GoTime::zero())))
    });
    // func mustToDate(fmt, str string) (time.Time, error)
    funcs.register("mustToDate", Signature::new(&[String, String]), |_, args| {
        layout::parse(args.str(0)?, args.str(1)?, &Location::Local).map(time_value).map_err(FuncError::new)
    });
    // time.Now
    funcs.register("now", Signature::new(&[]), |_, _| Ok(time_value(GoTime::now())));
    // func unixEpoch(date time.Time) string
    funcs.register("unixEpoch", Signature::new(&[Time]), |_, args| {
        Ok(Value::from(time_arg(args.value(0)?)?.unix.to_string()))
    });
}

/// Sprig's `dateInZone`: format a time (or Unix seconds, or now) in the named zone (UTC if unknown).
fn date_in_zone(fmt: &str, date: &Value, zone: &str) -> String {
    let t = time_or_now(date);
    let loc = Location::load(zone).unwrap_or(Location::Utc);
    layout::format(&t.in_location(loc), fmt)
}

/// The time a date argument stands for: a `time.Time`, Unix seconds from an `int64` or `int`, else now.
/// (`int32`, which Sprig's `dateInZone` also accepts, does not occur in templates.)
fn time_or_now(v: &Value) -> GoTime {
    match v {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
        _ => v.downcast_object::<TimeObject>().map_or_else(GoTime::now, |t| t.0.clone()),
    }
}

/// Sprig's `durationRound` rendering: the largest whole unit (`y` = 365 days, `mo` = 30 days, `d`, `h`, `m`, `s`)
/// that the magnitude strictly exceeds, truncated; `0s` below a second.
fn duration_round_human(d: i64) -> String {
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    let units: [(u64, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    for (size, unit) in units {
        if u > size {
            return format!("{}{unit}", u / size);
        }
    }
    "0s".to_string()
}

/// A `time.Time` parameter: the executor's check for a Go function typed `time.Time`.
fn time_arg(v: &Value) -> Result<&GoTime, FuncError> {
    match v {
        Value::Nil => Err(FuncError::new("invalid value; expected time.Time")),
        _ => v
            .downcast_object::<TimeObject>()
            .map(|t| &t.0)
            .ok_or_else(|| FuncError::new(format!("wrong type for value; expected time.Time; got {}", v.type_name()))),
    }
}

/// A `time.Duration` parameter (an integer literal converts to one).
fn duration_arg(v: &Value) -> Result<i64, FuncError> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Nil => Err(FuncError::new("invalid value; expected time.Duration")),
        _ => v.downcast_object::<DurationObject>().map(|d| d.0).ok_or_else(|| {
            FuncError::new(format!("wrong type for value; expected time.Duration; got {}", v.type_name()))
        }),
    }
}

fn time_value(t: GoTime) -> Value {
    Value::object(TimeObject(t))
}

/// A `time.Time` value.
#[derive(Clone, Debug)]
struct TimeObject(GoTime);

impl Object for TimeObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("time.Time")
    }

    fn fmt_value(&self) -> String {
        self.0.to_go_string()
    }

    fn stringer(&self) -> Option<String> {
        Some(self.0.to_go_string())
    }

    /// `Time.MarshalJSON`: an RFC 3339 string with nanoseconds as needed; years outside 0–9999 cannot be marshalled.
    fn to_data(&self) -> Option<Value> {
        (0..=9999)
            .contains(&self.0.civil().year)
            .then(|| Value::from(layout::format(&self.0, "2006-01-02T15:04:05.999999999Z07:00")))
    }

    fn method(&self, name: &str) -> Option<Signature> {
        use Param::{Any, Int, String};
        Some(match name {
            "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay" | "Weekday" | "Unix"
            | "UnixMilli" | "UnixMicro" | "UnixNano" | "String" | "UTC" | "Local" | "Location" | "IsZero" | "IsDST" => {
                Signature::new(&[])
            }
            "Format" => Signature::new(&[String]),
            "Add" | "Round" | "Truncate" | "Sub" | "Before" | "After" | "Equal" | "Compare" | "In" => {
                Signature::new(&[Any])
            }
            "AddDate" => Signature::new(&[Int, Int, Int]),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, _cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        let t = &self.0;
        let c = || t.civil();
        Ok(match name {
            "Year" => Value::Int(c().year),
            "Month" => Value::object(MonthObject(c().month)),
            "Day" => Value::Int(c().day),
            "Hour" => Value::Int(c().hour),
            "Minute" => Value::Int(c().minute),
            "Second" => Value::Int(c().second),
            "Nanosecond" => Value::Int(t.nsec),
            "YearDay" => Value::Int(c().yday),
            "Weekday" => Value::object(WeekdayObject(c().weekday)),
            "Unix" => Value::Int64(t.unix),
            "UnixMilli" => Value::Int64(t.unix.wrapping_mul(1_000).wrapping_add(t.nsec / 1_000_000)),
            "UnixMicro" => Value::Int64(t.unix.wrapping_mul(1_000_000).wrapping_add(t.nsec / 1_000)),
            "UnixNano" => Value::Int64(t.unix.wrapping_mul(NANOS).wrapping_add(t.nsec)),
            "String" => Value::from(t.to_go_string()),
            "Format" => Value::from(layout::format(t, args.str(0)?)),
            "UTC" => time_value(t.in_location(Location::Utc)),
            "Local" => time_value(t.in_location(Location::Local)),
            "Location" => Value::object(LocationObject(t.loc.clone())),
            "In" => {
                let v = args.value(0)?;
                let loc = v.downcast_object::<LocationObject>().ok_or_else(|| match v {
                    // Go's In panics on a nil *Location.
                    Value::Nil => FuncError::new("time: missing Location in call to Time.In"),
                    _ => {
                        FuncError::new(format!("wrong type for value; expected *time.Location; got {}", v.type_name()))
                    }
                })?;
                time_value(t.in_location(loc.0.clone()))
            }
            "IsZero" => Value::Bool(t.is_zero()),
            "IsDST" => Value::Bool(is_dst(t)),
            "Add" => time_value(t.add(duration_arg(args.value(0)?)?)),
            "Round" => time_value(t.round_to(duration_arg(args.value(0)?)?, true)),
            "Truncate" => time_value(t.round_to(duration_arg(args.value(0)?)?, false)),
            "AddDate" => time_value(t.add_date(args.int(0)?, args.int(1)?, args.int(2)?)),
            "Sub" => Value::object(DurationObject(t.sub(time_arg(args.value(0)?)?))),
            "Before" => Value::Bool(t.compare(time_arg(args.value(0)?)?).is_lt()),
            "After" => Value::Bool(t.compare(time_arg(args.value(0)?)?).is_gt()),
            "Equal" => Value::Bool(t.compare(time_arg(args.value(0)?)?).is_eq()),
            "Compare" => Value::Int(t.compare(time_arg(args.value(0)?)?) as i64),
            _ => return Err(FuncError::new(format!("method {name} not implemented"))),
        })
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<TimeObject>().is_some_and(|o| o.0 == self.0))
    }
}

/// Whether daylight saving time is in effect: the offset differs from the zone's standard offset, taken as the
/// smaller of the offsets half a year apart.
fn is_dst(t: &GoTime) -> bool {
    let (_, now) = t.zone();
    let (_, a) = t.loc.lookup(t.unix.saturating_sub(183 * 86_400));
    let (_, b) = t.loc.lookup(t.unix.saturating_add(183 * 86_400));
    now > a.min(b)
}

/// A `time.Month` (a named `int` printing as its English name).
#[derive(Clone, Copy, Debug)]
struct MonthObject(i64);

impl Object for MonthObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("time.Month")
    }
    fn kind_name(&self) -> &'static str {
        "int"
    }
    fn fmt_value(&self) -> String {
        layout::month_name(self.0)
    }
    fn stringer(&self) -> Option<String> {
        Some(layout::month_name(self.0))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::new(&[]))
    }
    fn call_method(&self, _name: &str, _cx: &mut CallContext<'_>, _args: &Args<'_>) -> Result<Value, FuncError> {
        Ok(Value::from(layout::month_name(self.0)))
    }
    fn truth(&self) -> bool {
        self.0 != 0
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::Int(self.0))
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<MonthObject>().is_some_and(|o| o.0 == self.0))
    }
}

/// A `time.Weekday` (a named `int`, 0 = Sunday, printing as its English name).
#[derive(Clone, Copy, Debug)]
struct WeekdayObject(i64);

impl Object for WeekdayObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("time.Weekday")
    }
    fn kind_name(&self) -> &'static str {
        "int"
    }
    fn fmt_value(&self) -> String {
        layout::weekday_name(self.0)
    }
    fn stringer(&self) -> Option<String> {
        Some(layout::weekday_name(self.0))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::new(&[]))
    }
    fn call_method(&self, _name: &str, _cx: &mut CallContext<'_>, _args: &Args<'_>) -> Result<Value, FuncError> {
        Ok(Value::from(layout::weekday_name(self.0)))
    }
    fn truth(&self) -> bool {
        self.0 != 0
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::Int(self.0))
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<WeekdayObject>().is_some_and(|o| o.0 == self.0))
    }
}

/// A `time.Duration` (a named `int64` of nanoseconds printing as `1h2m3s`).
#[derive(Clone, Copy, Debug)]
struct DurationObject(i64);

impl Object for DurationObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("time.Duration")
    }
    fn kind_name(&self) -> &'static str {
        "int64"
    }
    fn fmt_value(&self) -> String {
        duration_string(self.0)
    }
    fn stringer(&self) -> Option<String> {
        Some(duration_string(self.0))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "String" | "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds" | "Nanoseconds" | "Abs" => {
                Signature::new(&[])
            }
            "Round" | "Truncate" => Signature::new(&[Param::Any]),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, _cx: &mut CallContext<'_>, args: &Args<'_>) -> Result<Value, FuncError> {
        let d = self.0;
        // Go splits whole and fractional parts so that the float result is as exact as possible.
        let split = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
        Ok(match name {
            "String" => Value::from(duration_string(d)),
            "Hours" => Value::Float64(split(3600 * NANOS)),
            "Minutes" => Value::Float64(split(60 * NANOS)),
            "Seconds" => Value::Float64(split(NANOS)),
            "Milliseconds" => Value::Int64(d / 1_000_000),
            "Microseconds" => Value::Int64(d / 1_000),
            "Nanoseconds" => Value::Int64(d),
            "Abs" => Value::object(DurationObject(if d == i64::MIN { i64::MAX } else { d.abs() })),
            "Round" => Value::object(DurationObject(duration_round(d, duration_arg(args.value(0)?)?))),
            "Truncate" => Value::object(DurationObject(duration_truncate(d, duration_arg(args.value(0)?)?))),
            _ => return Err(FuncError::new(format!("method {name} not implemented"))),
        })
    }
    fn truth(&self) -> bool {
        self.0 != 0
    }
    fn underlying(&self) -> Option<Value> {
        Some(Value::Int64(self.0))
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<DurationObject>().is_some_and(|o| o.0 == self.0))
    }
}

/// A `*time.Location` (prints as its name: `UTC`, `Local`, `Europe/Paris`…).
#[derive(Clone, Debug)]
struct LocationObject(Location);

impl Object for LocationObject {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("*time.Location")
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn fmt_value(&self) -> String {
        self.0.name().to_string()
    }
    fn stringer(&self) -> Option<String> {
        Some(self.0.name().to_string())
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::new(&[]))
    }
    fn call_method(&self, _name: &str, _cx: &mut CallContext<'_>, _args: &Args<'_>) -> Result<Value, FuncError> {
        Ok(Value::from(self.0.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_round_uses_the_largest_exceeded_unit() {
        let h = 3600 * NANOS;
        assert_eq!(duration_round_human(2 * h + 10 * 60 * NANOS), "2h");
        assert_eq!(duration_round_human(h), "60m");
        assert_eq!(duration_round_human(-3 * 24 * h - 1), "3d");
        assert_eq!(duration_round_human(999), "0s");
        assert_eq!(duration_round_human(400 * 24 * h), "1y");
    }
}
