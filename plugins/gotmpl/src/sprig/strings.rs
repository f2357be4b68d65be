//! Sprig's string functions: `hello abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall
//! trimAll trimSuffix trimPrefix nospace initials swapcase snakecase camelcase kebabcase wrap wrapWith contains
//! hasPrefix hasSuffix quote squote cat indent nindent replace plural toString split splitList splitn toStrings
//! join`.
//!
//! Go strings are byte strings and Sprig slices them by byte (`trunc 5 "héllo"` is `héll`); where a Go function
//! would cut a UTF-8 sequence the result here carries U+FFFD instead of the raw partial bytes. Case conversions
//! use Go's single-rune mappings (`upper "ß"` is `ß`), and the helpers from `Masterminds/goutils` and
//! `huandu/xstrings` (v1.5.0) that Sprig wraps are reproduced with their quirks (`initials` and `nospace` work on
//! bytes).

use std::rc::Rc;

use super::conv::{bytes_to_string, strslice, strval};
use super::unicode as uni;
use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::gofmt;
use crate::strconv;
use crate::value::{ElemType, List, Map, Value};

/// The largest string a function may build (Go would try to allocate it; the sandbox cannot).
pub(crate) const MAX_OUTPUT: usize = 64 << 20;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Int, String as Str};
    funcs.register("hello", Signature::new(&[]), |_, _| Ok(Value::from("Hello!")));
    funcs.register("abbrev", Signature::new(&[Int, Str]), |_, a| {
        let (width, s) = (a.int(0)?, a.str(1)?);
        if width < 4 {
            return Ok(Value::from(s));
        }
        Ok(Value::from(abbreviate_full(s.as_bytes(), 0, width).map(|b| bytes_to_string(&b)).unwrap_or_default()))
    });
    funcs.register("abbrevboth", Signature::new(&[Int, Int, Str]), |_, a| {
        let (left, right, s) = (a.int(0)?, a.int(1)?, a.str(2)?);
        if right < 4 || left > 0 && right < 7 {
            return Ok(Value::from(s));
        }
        Ok(Value::from(abbreviate_full(s.as_bytes(), left, right).map(|b| bytes_to_string(&b)).unwrap_or_default()))
    });
    funcs.register("trunc", Signature::new(&[Int, Str]), |_, a| Ok(Value::from(trunc(a.int(0)?, a.str(1)?))));
    funcs.register("trim", Signature::new(&[Str]), |_, a| Ok(Value::from(a.str(0)?.trim())));
    funcs.register("upper", Signature::new(&[Str]), |_, a| Ok(Value::from(map_chars(a.str(0)?, uni::to_upper))));
    funcs.register("lower", Signature::new(&[Str]), |_, a| Ok(Value::from(map_chars(a.str(0)?, uni::to_lower))));
    funcs.register("title", Signature::new(&[Str]), |_, a| Ok(Value::from(title(a.str(0)?))));
    funcs.register("untitle", Signature::new(&[Str]), |_, a| Ok(Value::from(untitle(a.str(0)?))));
    funcs.register("substr", Signature::new(&[Int, Int, Str]), |_, a| {
        substring(a.int(0)?, a.int(1)?, a.str(2)?).map(Value::from)
    });
    funcs.register("repeat", Signature::new(&[Int, Str]), |_, a| repeat(a.str(1)?, a.int(0)?).map(Value::from));
    for name in ["trimall", "trimAll"] {
        funcs.register(name, Signature::new(&[Str, Str]), |_, a| {
            let cutset = a.str(0)?;
            Ok(Value::from(a.str(1)?.trim_matches(|c| cutset.contains(c))))
        });
    }
    funcs.register("trimSuffix", Signature::new(&[Str, Str]), |_, a| {
        let (suffix, s) = (a.str(0)?, a.str(1)?);
        Ok(Value::from(s.strip_suffix(suffix).unwrap_or(s)))
    });
    funcs.register("trimPrefix", Signature::new(&[Str, Str]), |_, a| {
        let (prefix, s) = (a.str(0)?, a.str(1)?);
        Ok(Value::from(s.strip_prefix(prefix).unwrap_or(s)))
    });
    funcs.register("nospace", Signature::new(&[Str]), |_, a| Ok(Value::from(delete_white_space(a.str(0)?))));
    funcs.register("initials", Signature::new(&[Str]), |_, a| Ok(Value::from(initials(a.str(0)?))));
    funcs.register("swapcase", Signature::new(&[Str]), |_, a| Ok(Value::from(swap_case(a.str(0)?))));
    funcs.register("snakecase", Signature::new(&[Str]), |_, a| Ok(Value::from(camel_to_lower(a.str(0)?, '_'))));
    funcs.register("kebabcase", Signature::new(&[Str]), |_, a| Ok(Value::from(camel_to_lower(a.str(0)?, '-'))));
    funcs.register("camelcase", Signature::new(&[Str]), |_, a| Ok(Value::from(pascal_case(a.str(0)?))));
    funcs.register("wrap", Signature::new(&[Int, Str]), |_, a| {
        wrap_custom(a.str(1)?, a.int(0)?, "", false).map(Value::from)
    });
    funcs.register("wrapWith", Signature::new(&[Int, Str, Str]), |_, a| {
        wrap_custom(a.str(2)?, a.int(0)?, a.str(1)?, true).map(Value::from)
    });
    funcs.register("contains", Signature::new(&[Str, Str]), |_, a| Ok(Value::Bool(a.str(1)?.contains(a.str(0)?))));
    funcs.register("hasPrefix", Signature::new(&[Str, Str]), |_, a| Ok(Value::Bool(a.str(1)?.starts_with(a.str(0)?))));
    funcs.register("hasSuffix", Signature::new(&[Str, Str]), |_, a| Ok(Value::Bool(a.str(1)?.ends_with(a.str(0)?))));
    funcs.register("quote", Signature::variadic(&[], Any), |_, a| {
        let parts: Vec<String> =
            a.as_slice().iter().filter(|v| !v.is_nil()).map(|v| strconv::quote(&strval(v))).collect();
        Ok(Value::from(parts.join(" ")))
    });
    funcs.register("squote", Signature::variadic(&[], Any), |_, a| {
        let parts: Vec<String> =
            a.as_slice().iter().filter(|v| !v.is_nil()).map(|v| format!("'{}'", gofmt::format_v(v))).collect();
        Ok(Value::from(parts.join(" ")))
    });
    funcs.register("cat", Signature::variadic(&[], Any), |_, a| {
        let parts: Vec<String> = a.as_slice().iter().filter(|v| !v.is_nil()).map(gofmt::format_v).collect();
        Ok(Value::from(parts.join(" ")))
    });
    funcs.register("indent", Signature::new(&[Int, Str]), |_, a| indent(a.int(0)?, a.str(1)?, "").map(Value::from));
    funcs.register("nindent", Signature::new(&[Int, Str]), |_, a| indent(a.int(0)?, a.str(1)?, "\n").map(Value::from));
    funcs.register("replace", Signature::new(&[Str, Str, Str]), |_, a| {
        let (old, new, src) = (a.str(0)?, a.str(1)?, a.str(2)?);
        replace_all(src, old, new).map(Value::from)
    });
    funcs.register("plural", Signature::new(&[Str, Str, Int]), |_, a| {
        Ok(Value::from(if a.int(2)? == 1 { a.str(0)? } else { a.str(1)? }))
    });
    funcs.register("toString", Signature::new(&[Any]), |_, a| Ok(Value::from(strval(a.value(0)?))));
    funcs.register("split", Signature::new(&[Str, Str]), |_, a| {
        Ok(Value::Map(indexed_parts(&go_split(a.str(1)?, a.str(0)?, -1))))
    });
    funcs.register("splitn", Signature::new(&[Str, Int, Str]), |_, a| {
        Ok(Value::Map(indexed_parts(&go_split(a.str(2)?, a.str(0)?, a.int(1)?))))
    });
    funcs.register("splitList", Signature::new(&[Str, Str]), |_, a| {
        Ok(Value::List(List::strings(go_split(a.str(1)?, a.str(0)?, -1))))
    });
    funcs.register("toStrings", Signature::new(&[Any]), |_, a| Ok(Value::List(List::strings(strslice(a.value(0)?)))));
    funcs.register("join", Signature::new(&[Str, Any]), |_, a| {
        let parts = strslice(a.value(1)?);
        Ok(Value::from(parts.iter().map(|s| s.as_ref()).collect::<Vec<&str>>().join(a.str(0)?)))
    });
}

/// Map each rune through a Go case mapping (`strings.ToUpper` / `strings.ToLower`).
fn map_chars(s: &str, f: fn(char) -> char) -> String {
    s.chars().map(f).collect()
}

/// Go's `strings.Title`: the first letter of every word (after a separator rune) mapped with `unicode.ToTitle`.
fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if uni::is_letter(c) || uni::is_digit(c) {
            return false;
        }
        uni::is_space(c)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { uni::to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-case the first rune after each run of whitespace.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if uni::is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                uni::to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `AbbreviateFull` on bytes; `None` is its "illegal argument" error.
fn abbreviate_full(s: &[u8], offset: i64, max_width: i64) -> Option<Vec<u8>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if len <= max_width {
        return Some(s.to_vec());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    let cut = |from: i64, to: i64| -> Vec<u8> {
        let from = usize::try_from(from).unwrap_or(0);
        let to = usize::try_from(to).unwrap_or(0);
        s.get(from..to).unwrap_or_default().to_vec()
    };
    let mut out = b"...".to_vec();
    if offset <= 4 {
        let mut head = cut(0, max_width - 3);
        head.extend_from_slice(b"...");
        return Some(head);
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = cut(offset, len);
        out.extend(abbreviate_full(&rest, 0, max_width - 3)?);
        return Some(out);
    }
    out.extend(cut(len - (max_width - 3), len));
    Some(out)
}

/// Sprig's `trunc`: the first `c` bytes, or for a negative `c` the last `-c` bytes.
fn trunc(c: i64, s: &str) -> String {
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    let b = s.as_bytes();
    if c < 0 && len + c > 0 {
        return bytes_to_string(b.get(usize::try_from(len + c).unwrap_or(0)..).unwrap_or_default());
    }
    if c >= 0 && len > c {
        return bytes_to_string(b.get(..usize::try_from(c).unwrap_or(0)).unwrap_or_default());
    }
    s.to_string()
}

/// Go's runtime panic text for a string slice expression out of range.
fn slice_panic(text: String) -> FuncError {
    FuncError::new(format!("runtime error: slice bounds out of range {text}"))
}

/// Sprig's `substr`: `s[:end]` when `start < 0`, `s[start:]` when `end` is negative or past the end, else
/// `s[start:end]`, with Go's panics when the bounds are invalid.
fn substring(start: i64, end: i64, s: &str) -> Result<String, FuncError> {
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    let b = s.as_bytes();
    let idx = |i: i64| usize::try_from(i).unwrap_or(0);
    if start < 0 {
        if end < 0 || end > len {
            return Err(if end < 0 {
                slice_panic(format!("[:{end}]"))
            } else {
                slice_panic(format!("[:{end}] with length {len}"))
            });
        }
        return Ok(bytes_to_string(b.get(..idx(end)).unwrap_or_default()));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(slice_panic(format!("[{start}:{len}]")));
        }
        return Ok(bytes_to_string(b.get(idx(start)..).unwrap_or_default()));
    }
    if start > end {
        return Err(slice_panic(format!("[{start}:{end}]")));
    }
    Ok(bytes_to_string(b.get(idx(start)..idx(end)).unwrap_or_default()))
}

/// Go's `strings.Repeat`, with its panics, and a cap on the output size.
pub(crate) fn repeat(s: &str, count: i64) -> Result<String, FuncError> {
    let count = usize::try_from(count).map_err(|_| FuncError::new("strings: negative Repeat count"))?;
    match s.len().checked_mul(count) {
        Some(n) if n <= MAX_OUTPUT => Ok(s.repeat(count)),
        _ => Err(FuncError::new("strings: Repeat output length overflow")),
    }
}

/// Sprig's `indent`: `spaces` spaces before the string and after every newline.
/// `indent` (`lead` empty) and `nindent` (`lead` a line break, which Sprig puts before the indented text).
fn indent(spaces: i64, v: &str, lead: &str) -> Result<String, FuncError> {
    let pad = repeat(" ", spaces)?;
    let lines = memchr::memchr_iter(b'\n', v.as_bytes()).count();
    let size = lines.saturating_add(1).saturating_mul(pad.len()).saturating_add(v.len());
    if size > MAX_OUTPUT {
        return Err(FuncError::new("strings: Repeat output length overflow"));
    }
    // `pad + strings.Replace(v, "\n", "\n"+pad, -1)`, built in one buffer of the exact size: `toYaml | nindent`
    // runs on every values block of a chart, often on large ones.
    let mut out = String::with_capacity(size.saturating_add(lead.len()));
    out.push_str(lead);
    out.push_str(&pad);
    let mut rest = v;
    while let Some(i) = memchr::memchr(b'\n', rest.as_bytes()) {
        // `\n` is ASCII, so the split falls on a character boundary.
        let (line, tail) = rest.split_at(i + 1);
        out.push_str(line);
        out.push_str(&pad);
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

/// Go's `strings.Replace(src, old, new, -1)` (an empty `old` matches before every rune and at the end).
fn replace_all(src: &str, old: &str, new: &str) -> Result<String, FuncError> {
    let matches = if old.is_empty() { src.chars().count() + 1 } else { src.matches(old).count() };
    if matches.saturating_mul(new.len()).saturating_add(src.len()) > MAX_OUTPUT {
        return Err(FuncError::new("strings: Replace output length overflow"));
    }
    Ok(src.replace(old, new))
}

/// goutils `DeleteWhiteSpace`, which walks bytes: each byte is tested as the rune of the same value (so the UTF-8
/// continuation bytes 0x85 and 0xA0 count as whitespace) and written back as that rune, unless nothing was removed.
fn delete_white_space(s: &str) -> String {
    let kept: String = s.bytes().map(char::from).filter(|&c| !uni::is_space(c)).collect();
    if kept.chars().count() == s.len() { s.to_string() } else { kept }
}

/// goutils `Initials`: the first byte (as a rune) of every whitespace-separated word.
fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_gap = true;
    for c in s.bytes().map(char::from) {
        if uni::is_space(c) {
            last_was_gap = true;
        } else if last_was_gap {
            out.push(c);
            last_was_gap = false;
        }
    }
    out
}

/// goutils `SwapCase`: upper and title case become lower; lower case becomes title case after whitespace (or at
/// the start) and upper case elsewhere.
fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if uni::is_upper(c) || uni::is_title(c) {
                whitespace = false;
                uni::to_lower(c)
            } else if uni::is_lower(c) {
                let out = if whitespace { uni::to_title(c) } else { uni::to_upper(c) };
                whitespace = false;
                out
            } else {
                whitespace = uni::is_space(c);
                c
            }
        })
        .collect()
}

/// goutils `WrapCustom` (byte-based): break lines at the last space within `width`, optionally splitting words
/// longer than the width.
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long_words: bool) -> Result<String, FuncError> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let newline = if newline.is_empty() { "\n" } else { newline }.as_bytes();
    let width = usize::try_from(width.max(1)).unwrap_or(usize::MAX);
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let sub = |from: usize, to: usize| b.get(from..to).unwrap_or_default();
    while len - offset > width {
        if out.len() > MAX_OUTPUT {
            return Err(FuncError::new("wrap: output too large"));
        }
        if b.get(offset) == Some(&b' ') {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        match sub(offset, end).iter().rposition(|&c| c == b' ') {
            Some(pos) => {
                out.extend_from_slice(sub(offset, offset + pos));
                out.extend_from_slice(newline);
                offset += pos + 1;
            }
            None if wrap_long_words => {
                out.extend_from_slice(sub(offset, width + offset));
                out.extend_from_slice(newline);
                offset += width;
            }
            None => {
                let end = width + offset;
                match sub(end, len).iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(sub(offset, len));
                        offset = len;
                    }
                    Some(i) => {
                        out.extend_from_slice(sub(offset, end + i));
                        out.extend_from_slice(newline);
                        offset = end + i + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(sub(offset, len));
    Ok(bytes_to_string(&out))
}

/// xstrings' connector runes: `-`, `_` and whitespace.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || uni::is_space(c)
}

/// xstrings' `isAlphabet`: letters other than the common CJK ideographs.
fn is_alphabet(c: char) -> bool {
    if !uni::is_letter(c) {
        return false;
    }
    let c = u32::from(c);
    !(c >= 0x3400 && (0x4E00..=0x9FCC).contains(&c)
        || (0x3400..=0x4D85).contains(&c)
        || (0x20000..=0x2B81D).contains(&c))
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`): connectors are dropped and the rune after them upper-cased; a
/// word that starts upper-case has its following upper-case runes lowered.
fn pascal_case(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::with_capacity(s.len());
    let mut first_upper = false;
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = uni::is_upper(c);
            r0 = Some(uni::to_upper(c));
            break;
        }
        out.push(c);
        r0 = Some(c);
    }
    let Some(mut r0) = r0 else {
        return out;
    };
    if chars.as_str().is_empty() {
        // xstrings writes the last rune it decoded once more (a lone connector run `__` becomes `___`).
        out.push(r0);
        return out;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = uni::is_upper(r0);
            r0 = uni::to_upper(r0);
        } else {
            if first_upper {
                if uni::is_upper(r0) {
                    r0 = uni::to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord`: the type and extent of the word at the start of `s`, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices();
    let Some((_, first)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    // `offset` is where the word ends; `pos` is how far runes have been looked at.
    let mut offset = first.len_utf8();
    let rest_from = |pos: usize| s.get(pos..).unwrap_or_default();
    let take_while = |mut offset: usize, pred: &dyn Fn(char) -> bool| -> usize {
        for c in rest_from(offset).chars() {
            if !pred(c) {
                break;
            }
            offset += c.len_utf8();
        }
        offset
    };
    let wt = if is_connector(first) {
        offset = take_while(offset, &is_connector);
        Word::Connector
    } else if uni::is_punct(first) {
        offset = take_while(offset, &uni::is_punct);
        Word::Punct
    } else if uni::is_upper(first) {
        let mut rest = rest_from(offset).chars();
        if let Some(second) = rest.next() {
            if uni::is_upper(second) {
                let mut prev_size = second.len_utf8();
                offset += prev_size;
                let mut stopped_at = None;
                for c in rest_from(offset).chars() {
                    if !uni::is_upper(c) {
                        stopped_at = Some(c);
                        break;
                    }
                    prev_size = c.len_utf8();
                    offset += prev_size;
                }
                if stopped_at.is_some_and(is_alphabet) {
                    offset -= prev_size;
                }
            } else if is_alphabet(second) {
                offset += second.len_utf8();
                offset = take_while(offset, &|c| is_alphabet(c) && !uni::is_upper(c));
            }
        }
        Word::Upper
    } else if is_alphabet(first) {
        offset = take_while(offset, &|c| is_alphabet(c) && !uni::is_upper(c));
        Word::Alphabet
    } else if uni::is_number(first) {
        offset = take_while(offset, &uni::is_number);
        Word::Number
    } else {
        offset = take_while(offset, &|c| !(is_connector(c) || is_alphabet(c) || uni::is_number(c) || uni::is_punct(c)));
        Word::Other
    };
    let (word, rest) = s.split_at(offset.min(s.len()));
    (wt, word, rest)
}

/// xstrings `toLower`: upper-case and connector words are lowered (connectors become `connector`); other words
/// are copied.
fn push_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if uni::is_upper(c) {
            out.push(uni::to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (Sprig's `snakecase` and `kebabcase`).
fn camel_to_lower(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, word, connector);
        }
        let (prev, last) = (wt, word);
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Word::Alphabet {
                    push_lower(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, word, connector);
    out
}

/// Go's `strings.SplitN(s, sep, n)` (`n < 0`: all parts; `n == 0`: none; an empty `sep` splits into runes).
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<Rc<str>> {
    if n == 0 {
        return Vec::new();
    }
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    if sep.is_empty() {
        let mut out: Vec<Rc<str>> = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if out.len() + 1 == limit {
                break;
            }
            out.push(Rc::from(&rest[..c.len_utf8()]));
            rest = &rest[c.len_utf8()..];
        }
        if !rest.is_empty() {
            out.push(Rc::from(rest));
        }
        return out;
    }
    s.splitn(limit, sep).map(Rc::from).collect()
}

/// Sprig's `split`/`splitn` result: a `map[string]string` with keys `_0`, `_1`, ….
fn indexed_parts(parts: &[Rc<str>]) -> Map {
    let m = Map::typed(ElemType::String);
    for (i, p) in parts.iter().enumerate() {
        m.insert(format!("_{i}"), Value::String(p.clone()));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xstrings_cases() {
        for (input, snake) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(camel_to_lower(input, '_'), snake, "{input}");
        }
        assert_eq!(pascal_case("http_server"), "HttpServer");
        assert_eq!(pascal_case("_complex__case_"), "_Complex_Case_");
        assert_eq!(pascal_case("GOLANG_IS_GREAT"), "GolangIsGreat");
    }

    #[test]
    fn splits_like_go() {
        assert_eq!(go_split("abc", "", 2), vec![Rc::from("a"), Rc::from("bc")]);
        assert_eq!(go_split("", ",", -1), vec![Rc::from("")]);
        assert!(go_split("a,b", ",", 0).is_empty());
    }
}
