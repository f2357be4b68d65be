//! Go's `unicode` predicates and single-rune case mappings (`unicode.ToUpper` maps `ß` to itself and `İ` to `i`,
//! unlike Rust's full case conversions), backed by tables generated from Go (see `tools/gen_unicode.go`).

use std::cmp::Ordering;

#[path = "unicode_tables.rs"]
pub(crate) mod tables;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// `unicode.IsUpper`.
pub(crate) fn is_upper(c: char) -> bool {
    in_table(tables::UPPER, c)
}

/// `unicode.IsLower`.
pub(crate) fn is_lower(c: char) -> bool {
    in_table(tables::LOWER, c)
}

/// `unicode.IsTitle`.
pub(crate) fn is_title(c: char) -> bool {
    in_table(tables::TITLE, c)
}

/// `unicode.IsNumber` (category N).
pub(crate) fn is_number(c: char) -> bool {
    in_table(tables::NUMBER, c)
}

/// `unicode.IsPunct` (category P).
pub(crate) fn is_punct(c: char) -> bool {
    in_table(tables::PUNCT, c)
}

/// `unicode.IsSpace`: the Unicode White_Space property, which Rust's `char::is_whitespace` also implements.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `unicode.IsLetter`.
pub(crate) fn is_letter(c: char) -> bool {
    crate::strconv::is_letter(c)
}

/// `unicode.IsDigit`.
pub(crate) fn is_digit(c: char) -> bool {
    crate::strconv::is_digit(c)
}

fn map_case(c: char, pick: fn(&(u32, u32, i32, i32, i32)) -> i32) -> char {
    let cu = u32::from(c);
    let found = tables::CASE.binary_search_by(|e| {
        if e.1 < cu {
            Ordering::Less
        } else if e.0 > cu {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    match found.ok().and_then(|i| tables::CASE.get(i)) {
        Some(entry) => cu.checked_add_signed(pick(entry)).and_then(char::from_u32).unwrap_or(c),
        None => c,
    }
}

/// `unicode.ToUpper`.
pub(crate) fn to_upper(c: char) -> char {
    map_case(c, |e| e.2)
}

/// `unicode.ToLower`.
pub(crate) fn to_lower(c: char) -> char {
    map_case(c, |e| e.3)
}

/// `unicode.ToTitle`.
pub(crate) fn to_title(c: char) -> char {
    map_case(c, |e| e.4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_rune_mappings() {
        assert_eq!(to_upper('a'), 'A');
        assert_eq!(to_upper('ß'), 'ß');
        assert_eq!(to_lower('İ'), 'i');
        assert_eq!(to_title('ǆ'), 'ǅ');
        assert_eq!(to_upper('ǆ'), 'Ǆ');
        assert_eq!(to_lower('À'), 'à');
        assert!(is_upper('À') && is_lower('ß') && is_title('ǅ'));
        assert!(is_number('½') && is_punct('!') && !is_punct('+'));
    }
}
