//! Sprig's arithmetic: `add1 add sub div mod mul biggest max min` on `int64` (arguments converted with
//! `cast.ToInt64`, so `add 1 2.9` is `3`), `add1f addf subf divf mulf` through `shopspring/decimal` (so
//! `mulf 0.1 3` is `0.3`), `maxf minf ceil floor round`, and the integer sequences `until untilStep seq`,
//! plus the conversions `atoi int int64 float64 toDecimal`.

use super::conv::{atoi, to_float64, to_int64};
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::gofmt;
use crate::strconv;
use crate::value::{ElemType, List, Value};

/// The longest integer sequence `until`/`untilStep`/`seq` may build (Go would try to allocate it).
const MAX_SEQUENCE: usize = 10_000_000;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Int, String as Str};
    funcs.register("add1", Signature::new(&[Any]), |_, a| Ok(Value::Int64(to_int64(a.value(0)?).wrapping_add(1))));
    funcs.register("add", Signature::variadic(&[], Any), |_, a| {
        Ok(Value::Int64(a.as_slice().iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v)))))
    });
    funcs.register("sub", Signature::new(&[Any, Any]), |_, a| {
        Ok(Value::Int64(to_int64(a.value(0)?).wrapping_sub(to_int64(a.value(1)?))))
    });
    funcs.register("div", Signature::new(&[Any, Any]), |_, a| {
        let (x, y) = (to_int64(a.value(0)?), to_int64(a.value(1)?));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    funcs.register("mod", Signature::new(&[Any, Any]), |_, a| {
        let (x, y) = (to_int64(a.value(0)?), to_int64(a.value(1)?));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    funcs.register("mul", Signature::variadic(&[Any], Any), |_, a| {
        Ok(Value::Int64(a.rest(1).iter().fold(to_int64(a.value(0)?), |acc, v| acc.wrapping_mul(to_int64(v)))))
    });
    for name in ["max", "biggest"] {
        funcs.register(name, Signature::variadic(&[Any], Any), |_, a| {
            Ok(Value::Int64(a.rest(1).iter().map(to_int64).fold(to_int64(a.value(0)?), i64::max)))
        });
    }
    funcs.register("min", Signature::variadic(&[Any], Any), |_, a| {
        Ok(Value::Int64(a.rest(1).iter().map(to_int64).fold(to_int64(a.value(0)?), i64::min)))
    });
    funcs.register("maxf", Signature::variadic(&[Any], Any), |_, a| {
        Ok(Value::Float64(a.rest(1).iter().map(to_float64).fold(to_float64(a.value(0)?), go_max)))
    });
    funcs.register("minf", Signature::variadic(&[Any], Any), |_, a| {
        Ok(Value::Float64(a.rest(1).iter().map(to_float64).fold(to_float64(a.value(0)?), go_min)))
    });
    funcs.register("add1f", Signature::new(&[Any]), |_, a| {
        decimal_op(a.value(0)?, &[Value::Int(1)], Op::Add).map(Value::Float64)
    });
    funcs.register("addf", Signature::variadic(&[], Any), |_, a| {
        decimal_op(&Value::Float64(0.0), a.as_slice(), Op::Add).map(Value::Float64)
    });
    for (name, op) in [("subf", Op::Sub), ("mulf", Op::Mul), ("divf", Op::Div)] {
        funcs.register(name, Signature::variadic(&[Any], Any), move |_, a| {
            decimal_op(a.value(0)?, a.rest(1), op).map(Value::Float64)
        });
    }
    funcs.register("ceil", Signature::new(&[Any]), |_, a| Ok(Value::Float64(to_float64(a.value(0)?).ceil())));
    funcs.register("floor", Signature::new(&[Any]), |_, a| Ok(Value::Float64(to_float64(a.value(0)?).floor())));
    funcs.register("round", Signature::variadic(&[Any, Int], Param::Float64), |_, a| {
        let round_on = match a.get(2) {
            Some(_) => a.float(2)?,
            None => 0.5,
        };
        Ok(Value::Float64(round(to_float64(a.value(0)?), a.int(1)?, round_on)))
    });
    funcs.register("until", Signature::new(&[Int]), |_, a| {
        let n = a.int(0)?;
        until_step(0, n, if n < 0 { -1 } else { 1 }).map(int_list)
    });
    funcs.register("untilStep", Signature::new(&[Int, Int, Int]), |_, a| {
        until_step(a.int(0)?, a.int(1)?, a.int(2)?).map(int_list)
    });
    funcs.register("seq", Signature::variadic(&[], Int), |_, a| {
        let params: Vec<i64> = a.as_slice().iter().filter_map(Value::as_i64).collect();
        seq(&params).map(Value::from)
    });
    funcs.register("atoi", Signature::new(&[Str]), |_, a| Ok(Value::Int(atoi(a.str(0)?))));
    funcs.register("int", Signature::new(&[Any]), |_, a| Ok(Value::Int(to_int64(a.value(0)?))));
    funcs.register("int64", Signature::new(&[Any]), |_, a| Ok(Value::Int64(to_int64(a.value(0)?))));
    funcs.register("float64", Signature::new(&[Any]), |_, a| Ok(Value::Float64(to_float64(a.value(0)?))));
    funcs.register("toDecimal", Signature::new(&[Any]), |_, a| {
        let text = gofmt::sprint(std::slice::from_ref(a.value(0)?));
        Ok(Value::Int64(strconv::parse_int(&text, 8).unwrap_or(0)))
    });
}

fn divide_by_zero() -> FuncError {
    FuncError::new("runtime error: integer divide by zero")
}

/// Go's `math.Max`.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x > 0.0 || y.is_infinite() && y > 0.0 {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y { x } else { y }
}

/// Go's `math.Min`.
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x < 0.0 || y.is_infinite() && y < 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y { x } else { y }
}

/// Sprig's `round`: round half up (at `round_on`) to `places` decimals, with Go's float arithmetic.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let frac = digit - digit.trunc();
    let r = if frac >= round_on { digit.ceil() } else { digit.floor() };
    r / pow
}

/// Sprig's `untilStep`.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let mut v = Vec::new();
    let too_long = || FuncError::new(format!("sequence longer than {MAX_SEQUENCE} elements"));
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        let mut i = start;
        while i > stop {
            if v.len() >= MAX_SEQUENCE {
                return Err(too_long());
            }
            v.push(i);
            match i.checked_add(step) {
                Some(n) => i = n,
                None => break,
            }
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    let mut i = start;
    while i < stop {
        if v.len() >= MAX_SEQUENCE {
            return Err(too_long());
        }
        v.push(i);
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(v)
}

fn int_list(v: Vec<i64>) -> Value {
    Value::List(List::typed(ElemType::Int, v.into_iter().map(Value::Int).collect()))
}

/// Sprig's `seq`, like GNU `seq`: `seq LAST`, `seq FIRST LAST`, `seq FIRST STEP LAST`.
fn seq(params: &[i64]) -> Result<String, FuncError> {
    let nums = match *params {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(String::new());
                }
            }
            until_step(start, end.wrapping_add(inc), step)?
        }
        _ => return Ok(String::new()),
    };
    Ok(nums.iter().map(i64::to_string).collect::<Vec<_>>().join(" "))
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Sprig's `execDecimalOp`: each operand goes through `cast.ToFloat64` and `decimal.NewFromFloat`, the operation
/// is exact (division rounds to 16 decimal places, half away from zero), and the result is the nearest float64.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<f64, FuncError> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for v in rest {
        let d = Decimal::from_f64(to_float64(v))?;
        acc = match op {
            Op::Add => acc.add(&d),
            Op::Sub => acc.add(&d.neg()),
            Op::Mul => acc.mul(&d),
            Op::Div => acc.div(&d)?,
        };
    }
    Ok(acc.to_f64())
}

/// An arbitrary-precision decimal `(-1)^neg * digits * 10^exp`, digits little-endian in base 10.
#[derive(Clone, Debug)]
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

/// The number of decimal places `decimal.DivisionPrecision` keeps.
const DIVISION_PRECISION: i64 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            return Err(FuncError::new(format!("Cannot create a Decimal from {}", strconv::format_float(f, b'g', -1))));
        }
        let text = strconv::format_float(f.abs(), b'e', -1);
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i64 = exponent.parse().unwrap_or(0);
        let digits_be: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        let frac_len = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len()) as i64;
        let mut d = Decimal { neg: f < 0.0, digits: digits_be.into_iter().rev().collect(), exp: exponent - frac_len };
        d.normalize();
        Ok(d)
    }

    fn normalize(&mut self) {
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.neg = false;
        }
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn neg(&self) -> Decimal {
        let mut d = self.clone();
        d.neg = !d.neg && !d.is_zero();
        d
    }

    /// The digits scaled to exponent `exp` (which must be at most `self.exp`).
    fn scaled(&self, exp: i64) -> Vec<u8> {
        let shift = usize::try_from(self.exp - exp).unwrap_or(0);
        let mut out = vec![0u8; shift];
        out.extend_from_slice(&self.digits);
        out
    }

    fn add(&self, other: &Decimal) -> Decimal {
        let exp = self.exp.min(other.exp);
        let (a, b) = (self.scaled(exp), other.scaled(exp));
        let (digits, neg) = if self.neg == other.neg {
            (mag_add(&a, &b), self.neg)
        } else {
            match mag_cmp(&a, &b) {
                std::cmp::Ordering::Less => (mag_sub(&b, &a), other.neg),
                _ => (mag_sub(&a, &b), self.neg),
            }
        };
        let mut d = Decimal { neg, digits, exp };
        d.normalize();
        d
    }

    fn mul(&self, other: &Decimal) -> Decimal {
        let mut d = Decimal {
            neg: self.neg != other.neg,
            digits: mag_mul(&self.digits, &other.digits),
            exp: self.exp + other.exp,
        };
        d.normalize();
        d
    }

    /// `Decimal.Div`: the quotient rounded to 16 decimal places, half away from zero.
    fn div(&self, other: &Decimal) -> Result<Decimal, FuncError> {
        if other.is_zero() {
            return Err(FuncError::new("decimal division by 0"));
        }
        // q = round(self / other * 10^16) with self = a*10^ea, other = b*10^eb:
        // self/other*10^16 = a * 10^(ea - eb + 16) / b.
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        let (mut num, mut den) = (self.digits.clone(), other.digits.clone());
        if shift >= 0 {
            let mut scaled = vec![0u8; usize::try_from(shift).unwrap_or(0)];
            scaled.extend_from_slice(&num);
            num = scaled;
        } else {
            let mut scaled = vec![0u8; usize::try_from(-shift).unwrap_or(0)];
            scaled.extend_from_slice(&den);
            den = scaled;
        }
        let (mut q, r) = mag_divmod(&num, &den);
        // Round half away from zero: compare 2r with the divisor.
        if mag_cmp(&mag_add(&r, &r), &den) != std::cmp::Ordering::Less {
            q = mag_add(&q, &[1]);
        }
        let mut d = Decimal { neg: self.neg != other.neg, digits: q, exp: -DIVISION_PRECISION };
        d.normalize();
        Ok(d)
    }

    /// The nearest float64 (`Decimal.Float64`), via Rust's correctly rounded decimal parser.
    fn to_f64(&self) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        let digits: String = self.digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
        let text = format!("{}{digits}e{}", if self.neg { "-" } else { "" }, self.exp);
        text.parse::<f64>().unwrap_or(0.0)
    }
}

fn trim(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

fn mag_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let (a, b) = (trim(a.to_vec()), trim(b.to_vec()));
    a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn mag_add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    trim(out)
}

/// `a - b` for `a >= b`.
fn mag_sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &x) in a.iter().enumerate() {
        let mut d = x as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    trim(out)
}

fn mag_mul(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j] += u32::from(x) * u32::from(y);
        }
        // Propagate carries per row so the accumulators stay small.
        let mut carry = 0u32;
        for slot in acc.iter_mut().skip(i) {
            let v = *slot + carry;
            *slot = v % 10;
            carry = v / 10;
        }
    }
    trim(acc.into_iter().map(|d| d as u8).collect())
}

/// Long division: `(a / b, a % b)` for a non-zero `b`.
fn mag_divmod(a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut q = vec![0u8; a.len()];
    let mut r: Vec<u8> = Vec::new();
    for i in (0..a.len()).rev() {
        r.insert(0, a[i]);
        r = trim(r);
        let mut digit = 0u8;
        while mag_cmp(&r, b) != std::cmp::Ordering::Less {
            r = mag_sub(&r, b);
            digit += 1;
        }
        q[i] = digit;
    }
    (trim(q), r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(a: f64, b: f64, o: Op) -> f64 {
        decimal_op(&Value::Float64(a), &[Value::Float64(b)], o).unwrap_or(f64::NAN)
    }

    #[test]
    fn decimal_arithmetic_is_exact() {
        assert_eq!(op(0.1, 3.0, Op::Mul), 0.3);
        assert_eq!(op(0.1, 0.2, Op::Add), 0.3);
        assert_eq!(op(10.0, 3.3, Op::Sub), 6.7);
        assert_eq!(op(1.0, 3.0, Op::Div), 0.3333333333333333);
        assert_eq!(op(2.0, 3.0, Op::Div), 0.6666666666666667);
        assert_eq!(op(1e-20, 3.0, Op::Div), 0.0);
        assert_eq!(op(-7.0, 2.0, Op::Div), -3.5);
        assert_eq!(op(1e308, 10.0, Op::Mul), f64::INFINITY);
    }

    #[test]
    fn sequences() {
        assert_eq!(seq(&[5]).ok().as_deref(), Some("1 2 3 4 5"));
        assert_eq!(seq(&[5, 2]).ok().as_deref(), Some("5 4 3 2"));
        assert_eq!(seq(&[0, 2, 10]).ok().as_deref(), Some("0 2 4 6 8 10"));
        assert_eq!(seq(&[0]).ok().as_deref(), Some("1 0"));
        assert_eq!(until_step(3, 6, 2).ok(), Some(vec![3, 5]));
    }
}
