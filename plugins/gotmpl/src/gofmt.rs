//! Go's `fmt` printing of template values: `Sprint`, `Sprintln` and `Sprintf` with Go's verbs, flags, width,
//! precision, argument indexes and error forms (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int=3)`).
//!
//! `%v` prints floats with `strconv.FormatFloat(f, 'g', -1, 64)` (`1e+06`), maps as `map[a:1 b:[x true]]` with sorted
//! keys, slices as `[1 <nil> a]` and nil as `<nil>`.

use crate::strconv;
use crate::value::{ElemType, Value};

const NIL_ANGLE: &str = "<nil>";

/// How deeply nested values are printed before printing stops (cyclic maps).
const MAX_DEPTH: usize = 1000;

/// `fmt.Sprint(args...)`: operands are separated by a space when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln(args...)`: operands separated by spaces, with a trailing newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

/// `fmt.Sprint(v)` for one value: Go's `%v`.
pub fn format_v(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.buf
}

#[derive(Default, Clone, Copy)]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: usize,
    prec: usize,
}

struct Printer {
    stack_base: usize,
    buf: String,
    f: Flags,
    erroring: bool,
    reordered: bool,
    good_arg_num: bool,
}

/// What the printer is printing, for `badVerb`: a top-level argument or a nested value.
enum Ctx<'a> {
    Arg(&'a Value),
    Nested(&'a Value),
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            stack_base: crate::stack::position(),
            buf: String::new(),
            f: Flags::default(),
            erroring: false,
            reordered: false,
            good_arg_num: false,
        }
    }
}

impl Printer {
    fn clear_flags(&mut self) {
        self.f = Flags::default();
    }

    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero && !self.f.minus { '0' } else { ' ' };
        for _ in 0..n {
            self.buf.push(pad);
        }
    }

    fn pad(&mut self, s: &str) {
        if !self.f.wid_present || self.f.wid == 0 {
            self.buf.push_str(s);
            return;
        }
        let width = self.f.wid.saturating_sub(s.chars().count());
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(width);
        } else {
            self.write_padding(width);
            self.buf.push_str(s);
        }
    }

    fn bad_verb(&mut self, verb: char, ctx: Ctx<'_>) {
        self.erroring = true;
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match ctx {
            Ctx::Arg(Value::Nil) => self.buf.push_str(NIL_ANGLE),
            Ctx::Arg(v) => {
                self.buf.push_str(&v.type_name());
                self.buf.push('=');
                self.print_arg(v, 'v');
            }
            Ctx::Nested(v) => {
                self.buf.push_str(&v.type_name());
                self.buf.push('=');
                self.print_value(v, 'v', 0, false);
            }
        }
        self.buf.push(')');
        self.erroring = false;
    }

    fn fmt_bool(&mut self, b: bool, verb: char, ctx: Ctx<'_>) {
        match verb {
            't' | 'v' => self.pad(if b { "true" } else { "false" }),
            _ => self.bad_verb(verb, ctx),
        }
    }

    /// `fmt.fmtInteger`: `u` holds the two's complement bits when `signed`.
    fn fmt_integer_base(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let digits: &[u8; 17] = if upper { b"0123456789ABCDEFX" } else { b"0123456789abcdefx" };
        let negative = signed && (u as i64) < 0;
        let mut u = if negative { (u as i64).unsigned_abs() } else { u };
        let mut prec = 0usize;
        if self.f.prec_present {
            prec = self.f.prec;
            if prec == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero && !self.f.minus && self.f.wid_present {
            prec = self.f.wid;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        let b = u64::from(base);
        while u >= b {
            rev.push(digits[(u % b) as usize]);
            u /= b;
        }
        rev.push(digits[u as usize]);
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s: String = rev.into_iter().map(char::from).collect();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_0x64(&mut self, u: u64, leading0x: bool) {
        let sharp = self.f.sharp;
        self.f.sharp = leading0x;
        self.fmt_integer_base(u, 16, false, 'v', false);
        self.f.sharp = sharp;
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.f.prec_present && self.f.prec > 4 {
            prec = self.f.prec;
        }
        let mut s = String::from("U+");
        let hex = format!("{u:X}");
        for _ in hex.len()..prec {
            s.push('0');
        }
        s.push_str(&hex);
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && strconv::is_print(c)
        {
            s.push_str(" '");
            s.push(c);
            s.push('\'');
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_integer(&mut self, u: u64, signed: bool, verb: char, ctx: Ctx<'_>) {
        match verb {
            'v' => {
                if self.f.sharp_v && !signed {
                    self.fmt_0x64(u, true);
                } else {
                    self.fmt_integer_base(u, 10, signed, verb, false);
                }
            }
            'd' => self.fmt_integer_base(u, 10, signed, verb, false),
            'b' => self.fmt_integer_base(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer_base(u, 8, signed, verb, false),
            'x' => self.fmt_integer_base(u, 16, signed, verb, false),
            'X' => self.fmt_integer_base(u, 16, signed, verb, true),
            'c' => {
                let c = u32::try_from(u).ok().and_then(char::from_u32).unwrap_or('\u{FFFD}');
                self.pad(c.encode_utf8(&mut [0u8; 4]));
            }
            'q' => {
                let r = u32::try_from(u).unwrap_or(0xFFFD);
                let s = if self.f.plus { strconv::quote_rune_to_ascii(r) } else { strconv::quote_rune(r) };
                self.pad(&s);
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, ctx),
        }
    }

    fn fmt_float(&mut self, v: f64, verb: char, ctx: Ctx<'_>) {
        match verb {
            'v' => self.fmt_float_with(v, b'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(v, verb as u8, -1),
            'f' | 'e' | 'E' => self.fmt_float_with(v, verb as u8, 6),
            'F' => self.fmt_float_with(v, b'f', 6),
            _ => self.bad_verb(verb, ctx),
        }
    }

    fn fmt_float_with(&mut self, v: f64, verb: u8, prec: i32) {
        let prec = if self.f.prec_present { i32::try_from(self.f.prec).unwrap_or(i32::MAX) } else { prec };
        let formatted = strconv::format_float(v, verb, prec);
        let mut num: Vec<u8> = Vec::with_capacity(formatted.len() + 1);
        if formatted.starts_with('-') || formatted.starts_with('+') {
            num.extend_from_slice(formatted.as_bytes());
        } else {
            num.push(b'+');
            num.extend_from_slice(formatted.as_bytes());
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num.get(1) == Some(&b'I') || num.get(1) == Some(&b'N') {
            let old = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            let s = String::from_utf8_lossy(&num).into_owned();
            self.pad(&s);
            self.f.zero = old;
            return;
        }
        if self.f.sharp && verb != b'b' {
            let mut digits: i32 = 0;
            if matches!(verb, b'v' | b'g' | b'G' | b'x') {
                digits = prec;
                if digits == -1 {
                    digits = 6;
                }
            }
            let mut tail: Vec<u8> = Vec::new();
            let mut has_decimal_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_decimal_point = true,
                    b'p' | b'P' | b'e' | b'E' => {
                        tail.extend_from_slice(&num[i..]);
                        num.truncate(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_decimal_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend_from_slice(&tail);
        }
        let s = String::from_utf8_lossy(&num).into_owned();
        if self.f.plus || !s.starts_with('+') {
            if self.f.zero && !self.f.minus && self.f.wid_present && self.f.wid > s.len() {
                let (sign, rest) = s.split_at(1);
                self.buf.push_str(sign);
                self.write_padding(self.f.wid - s.len());
                self.buf.push_str(rest);
                return;
            }
            self.pad(&s);
            return;
        }
        self.pad(&s[1..]);
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if self.f.prec_present
            && let Some((i, _)) = s.char_indices().nth(self.f.prec)
        {
            return &s[..i];
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        let s = s.to_owned();
        self.pad(&s);
    }

    fn fmt_sbx(&mut self, b: &[u8], upper: bool) {
        let digits: &[u8; 17] = if upper { b"0123456789ABCDEFX" } else { b"0123456789abcdefx" };
        let mut length = b.len();
        if self.f.prec_present && self.f.prec < length {
            length = self.f.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if self.f.wid_present {
                self.write_padding(self.f.wid);
            }
            return;
        }
        if self.f.wid_present && self.f.wid > width && !self.f.minus {
            self.write_padding(self.f.wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(char::from(digits[16]));
        }
        for (i, &c) in b.iter().take(length).enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(char::from(digits[16]));
                }
            }
            self.buf.push(char::from(digits[usize::from(c >> 4)]));
            self.buf.push(char::from(digits[usize::from(c & 0xf)]));
        }
        if self.f.wid_present && self.f.wid > width && self.f.minus {
            self.write_padding(self.f.wid - width);
        }
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s).to_owned();
        if self.f.sharp && strconv::can_backquote(&s) {
            self.pad(&format!("`{s}`"));
            return;
        }
        let q = if self.f.plus { strconv::quote_to_ascii(&s) } else { strconv::quote(&s) };
        self.pad(&q);
    }

    fn fmt_string(&mut self, s: &str, verb: char, ctx: Ctx<'_>) {
        match verb {
            'v' => {
                if self.f.sharp_v {
                    self.fmt_q(s);
                } else {
                    self.fmt_s(s);
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s.as_bytes(), false),
            'X' => self.fmt_sbx(s.as_bytes(), true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb, ctx),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, type_string: &str, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.f.sharp_v {
                    self.buf.push_str(type_string);
                    self.buf.push('{');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.fmt_0x64(u64::from(c), true);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.fmt_integer_base(u64::from(c), 10, false, verb, false);
                    }
                    self.buf.push(']');
                }
            }
            's' => {
                let t = if self.f.prec_present { &b[..b.len().min(byte_prefix_len(b, self.f.prec))] } else { b };
                let s = String::from_utf8_lossy(t).into_owned();
                self.pad(&s);
            }
            'x' => self.fmt_sbx(b, false),
            'X' => self.fmt_sbx(b, true),
            'q' => {
                let s = String::from_utf8_lossy(b).into_owned();
                self.fmt_q(&s);
            }
            _ => {
                // Element-wise, as reflect prints a []uint8.
                if self.f.sharp_v {
                    self.buf.push_str(type_string);
                    self.buf.push('{');
                } else {
                    self.buf.push('[');
                }
                for (i, &c) in b.iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_value(&Value::Uint8(c), verb, depth + 1, false);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
        }
    }

    /// `handleMethods`: objects implementing `Stringer` print through it for the string verbs.
    fn handle_methods(&mut self, v: &Value, verb: char) -> bool {
        if self.erroring {
            return false;
        }
        if let Value::Object(o) = v
            && !self.f.sharp_v
            && matches!(verb, 'v' | 's' | 'x' | 'X' | 'q')
            && let Some(s) = o.stringer()
        {
            self.fmt_string(&s, verb, Ctx::Arg(v));
            return true;
        }
        false
    }

    fn print_arg(&mut self, arg: &Value, verb: char) {
        if arg.is_nil() {
            match verb {
                'T' | 'v' => self.pad(NIL_ANGLE),
                _ => self.bad_verb(verb, Ctx::Arg(arg)),
            }
            return;
        }
        match verb {
            'T' => {
                let t = arg.type_name().into_owned();
                self.fmt_s(&t);
                return;
            }
            'p' => {
                self.fmt_pointer(arg, 'p');
                return;
            }
            _ => {}
        }
        match arg {
            Value::Bool(b) => self.fmt_bool(*b, verb, Ctx::Arg(arg)),
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i as u64, true, verb, Ctx::Arg(arg)),
            Value::Uint64(u) => self.fmt_integer(*u, false, verb, Ctx::Arg(arg)),
            Value::Uint8(u) => self.fmt_integer(u64::from(*u), false, verb, Ctx::Arg(arg)),
            Value::Float64(f) => self.fmt_float(*f, verb, Ctx::Arg(arg)),
            Value::String(s) => self.fmt_string(s, verb, Ctx::Arg(arg)),
            Value::Bytes(b) => self.fmt_bytes(b, verb, "[]byte", 0),
            _ => {
                if !self.handle_methods(arg, verb) {
                    self.print_value(arg, verb, 0, false);
                }
            }
        }
    }

    fn fmt_pointer(&mut self, v: &Value, verb: char) {
        match v {
            Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Object(_) => {
                // Addresses are not meaningful here; print a stable placeholder address.
                match verb {
                    'v' | 'p' => self.fmt_0x64(0xc000010000, !self.f.sharp),
                    _ => self.fmt_integer(0xc000010000, false, verb, Ctx::Arg(v)),
                }
            }
            _ => self.bad_verb(verb, Ctx::Arg(v)),
        }
    }

    /// `printValue`. `iface` is true when `v` sits in an `interface{}` slot (a `[]interface{}` element or a
    /// `map[string]interface{}` value), where nil prints as `<nil>` whatever the verb.
    fn print_value(&mut self, v: &Value, verb: char, depth: usize, iface: bool) {
        if depth > MAX_DEPTH || crate::stack::used_since(self.stack_base) > crate::stack::VALUE_RECURSION_BUDGET {
            // Only a map that contains itself nests this deep (Go recurses until its stack limit and crashes).
            self.buf.push_str("...");
            return;
        }
        if depth > 0 && !v.is_nil() && self.handle_methods(v, verb) {
            return;
        }
        match v {
            Value::Nil => {
                if iface {
                    if self.f.sharp_v {
                        self.buf.push_str("interface {}(nil)");
                    } else {
                        self.buf.push_str(NIL_ANGLE);
                    }
                } else if depth == 0 {
                    self.buf.push_str("<invalid reflect.Value>");
                } else if verb == 'v' {
                    self.buf.push_str(NIL_ANGLE);
                } else {
                    self.bad_verb(verb, Ctx::Nested(v));
                }
            }
            Value::Bool(b) => self.fmt_bool(*b, verb, Ctx::Nested(v)),
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i as u64, true, verb, Ctx::Nested(v)),
            Value::Uint64(u) => self.fmt_integer(*u, false, verb, Ctx::Nested(v)),
            Value::Uint8(u) => self.fmt_integer(u64::from(*u), false, verb, Ctx::Nested(v)),
            Value::Float64(f) => self.fmt_float(*f, verb, Ctx::Nested(v)),
            Value::String(s) => self.fmt_string(s, verb, Ctx::Nested(v)),
            Value::Bytes(b) => self.fmt_bytes(b, verb, "[]uint8", depth),
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.push_str(&m.go_type());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                let iface = m.elem_type() == ElemType::Any;
                for (i, (k, val)) in m.to_vec().into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_value(&Value::String(k), verb, depth + 1, false);
                    self.buf.push(':');
                    self.print_value(&val, verb, depth + 1, iface);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::List(l) => {
                if self.f.sharp_v && l.is_nil() {
                    self.buf.push_str(&l.go_type());
                    self.buf.push_str("(nil)");
                    return;
                }
                if self.f.sharp_v {
                    self.buf.push_str(&l.go_type());
                    self.buf.push('{');
                } else {
                    self.buf.push('[');
                }
                let iface = l.elem_type() == ElemType::Any;
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_value(item, verb, depth + 1, iface);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => {
                if verb != 'v'
                    && let Some(u) = o.underlying()
                {
                    self.print_value(&u, verb, depth + 1, false);
                    return;
                }
                let s = o.fmt_value();
                self.buf.push_str(&s);
            }
        }
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut after_index;
        self.reordered = false;
        let mut i = 0usize;
        'format_loop: while i < end {
            self.good_arg_num = true;
            let lasti = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.buf.push_str(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1; // skip %
            self.clear_flags();
            // Flags, and the fast path for simple verbs.
            while i < end {
                let c = fb[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = true,
                    b'+' => self.f.plus = true,
                    b'-' => self.f.minus = true,
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&args[arg_num], char::from(c));
                            arg_num += 1;
                            i += 1;
                            continue 'format_loop;
                        }
                        break;
                    }
                }
                i += 1;
            }
            // Argument index, width.
            (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
            if i < end && fb[i] == b'*' {
                i += 1;
                let (w, ok, n) = int_from_arg(args, arg_num);
                arg_num = n;
                self.f.wid_present = ok;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                }
                if w < 0 {
                    self.f.wid = w.unsigned_abs() as usize;
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = w as usize;
                }
                after_index = false;
            } else {
                let (w, ok, ni) = parse_num(fb, i, end);
                self.f.wid = w;
                self.f.wid_present = ok;
                i = ni;
                if after_index && self.f.wid_present {
                    self.good_arg_num = false;
                }
            }
            // Precision.
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (p, ok, n) = int_from_arg(args, arg_num);
                    arg_num = n;
                    self.f.prec_present = ok;
                    if p < 0 {
                        self.f.prec = 0;
                        self.f.prec_present = false;
                    } else {
                        self.f.prec = p as usize;
                    }
                    if !self.f.prec_present {
                        self.buf.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, ok, ni) = parse_num(fb, i, end);
                    self.f.prec = p;
                    self.f.prec_present = ok;
                    i = ni;
                    if !self.f.prec_present {
                        self.f.prec = 0;
                        self.f.prec_present = true;
                    }
                }
            }
            if !after_index {
                (arg_num, i, after_index) = self.arg_number(arg_num, format, i, args.len());
            }
            let _ = after_index;
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let Some(verb) = format[i..].chars().next() else {
                break;
            };
            i += verb.len_utf8();
            if verb == '%' {
                self.buf.push('%');
            } else if !self.good_arg_num {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(MISSING)");
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < args.len() {
            self.clear_flags();
            self.buf.push_str("%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.buf.push_str(", ");
                }
                if arg.is_nil() {
                    self.buf.push_str(NIL_ANGLE);
                } else {
                    self.buf.push_str(&arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }

    fn arg_number(&mut self, arg_num: usize, format: &str, i: usize, num_args: usize) -> (usize, usize, bool) {
        let fb = format.as_bytes();
        if fb.len() <= i || fb[i] != b'[' {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&fb[i..]);
        if ok && index >= 0 && (index as usize) < num_args {
            return (index as usize, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }
}

/// Byte length of the first `n` runes of `b` (treating invalid bytes as one rune each).
fn byte_prefix_len(b: &[u8], n: usize) -> usize {
    let s = String::from_utf8_lossy(b);
    if s.len() == b.len() { s.char_indices().nth(n).map_or(b.len(), |(i, _)| i) } else { n.min(b.len()) }
}

const TOO_LARGE: usize = 1_000_000;

/// `parsenum`: a decimal number in `s[start..end]`.
fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num = 0usize;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > TOO_LARGE {
            return (0, false, end);
        }
        num = num * 10 + usize::from(s[i] - b'0');
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

/// `parseArgNumber`: `[n]` at the start of `s`; returns the zero-based index, the bytes consumed, and success.
fn parse_arg_number(s: &[u8]) -> (isize, usize, bool) {
    if s.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (width, ok, newi) = parse_num(s, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width as isize - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// `intFromArg`: a `*` width or precision.
fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    let Some(a) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let (num, ok) = match *a {
        Value::Int(i) | Value::Int64(i) => (i, true),
        Value::Uint8(u) => (i64::from(u), true),
        Value::Uint64(u) => match i64::try_from(u) {
            Ok(i) => (i, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    if num > TOO_LARGE as i64 || num < -(TOO_LARGE as i64) {
        return (0, false, arg_num + 1);
    }
    (num, ok, arg_num + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{List, Map};

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn sprint_spacing_and_composites() {
        let m = Map::new();
        m.insert("b", Value::list(vec![s("x"), Value::Bool(true)]));
        m.insert("a", Value::Float64(1.0));
        assert_eq!(sprint(&[Value::Map(m)]), "map[a:1 b:[x true]]");
        assert_eq!(sprint(&[Value::list(vec![Value::Int(1), Value::Nil, s("a")])]), "[1 <nil> a]");
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2), s("a"), Value::Int(3)]), "1 2a3");
        assert_eq!(sprint(&[Value::Float64(1e6)]), "1e+06");
        assert_eq!(sprint(&[Value::Nil]), "<nil>");
        assert_eq!(sprint(&[Value::from(b"hi".to_vec())]), "[104 105]");
        assert_eq!(sprint(&[Value::List(List::strings(["a", "b"]))]), "[a b]");
    }

    #[test]
    fn printf_verbs_and_errors() {
        assert_eq!(sprintf("%d", &[Value::Float64(1.0)]), "%!d(float64=1)");
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(sprintf("%d", &[Value::Int(1), Value::Int(3)]), "1%!(EXTRA int=3)");
        assert_eq!(
            sprintf("%5s|%-5s|%05d|%+d", &[s("a"), s("b"), Value::Int(42), Value::Int(7)]),
            "    a|b    |00042|+7"
        );
        assert_eq!(
            sprintf("%.2f %e %g", &[Value::Float64(4.56789), Value::Float64(1234.5), Value::Float64(1e21)]),
            "4.57 1.234500e+03 1e+21"
        );
        assert_eq!(
            sprintf(
                "%q %x %X %o %c %t %T %%",
                &[
                    s("a\"b"),
                    Value::Int(255),
                    s("hi"),
                    Value::Int(8),
                    Value::Int(65),
                    Value::Bool(true),
                    Value::Float64(1.0)
                ]
            ),
            "\"a\\\"b\" ff 6869 10 A true float64 %"
        );
        assert_eq!(sprintf("%s", &[Value::Nil]), "%!s(<nil>)");
        assert_eq!(sprintf("%v", &[Value::Nil]), "<nil>");
        assert_eq!(sprintf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]), "2 1");
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(sprintf("%!", &[]), "%!!(MISSING)");
    }
}
