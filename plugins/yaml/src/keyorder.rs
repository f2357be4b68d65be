//! go-yaml's "natural" order of mapping keys (`sorter.go`), as `toYaml` and kustomize print them.
//!
//! Letters sort after other characters, runs of digits compare as numbers (`a2` < `a10`), and go-yaml v3 adds one
//! rule: right after an equal digit, a letter sorts before a digit. The comparison is not always a strict order
//! (`1a` < `9` < `10` < `1a` in v2); Go then returns whatever its sort makes of the random map order, so such key
//! sets have no reproducible order and any result is as good as the reference's.

/// Sort keys in go-yaml v2's natural order without relying on the comparison being a total order.
pub(crate) fn sort_natural(keys: &mut Vec<&String>) {
    merge_sort(keys, &|a: &&String, b: &&String| natural_less(a, b, false));
}

/// Sort keys in go-yaml v3's natural order.
pub(crate) fn sort_natural_v3(keys: &mut Vec<&String>) {
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
            let (src, dst): (&Vec<T>, &mut Vec<T>) = if src_is_v { (v, &mut buf) } else { (&buf, v) };
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
    if a.is_ascii() && b.is_ascii() {
        // Characters are bytes: compare in place.
        less_in(a.as_bytes(), b.as_bytes(), v3)
    } else {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        less_in(&ar, &br, v3)
    }
}

/// [`natural_less`] over sequences of characters.
fn less_in<C: Copy + Into<char>>(ar: &[C], br: &[C], v3: bool) -> bool {
    let ch = |s: &[C], i: usize| -> char { s.get(i).map_or('\0', |&c| c.into()) };
    let mut after_digit = false;
    for i in 0..ar.len().min(br.len()) {
        let (ac, bc) = (ch(ar, i), ch(br, i));
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
            while j > 0 && is_digit(ch(ar, j - 1)) {
                j -= 1;
                if ch(ar, j) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let digit = |c: char| i64::from(c as u32) - i64::from('0' as u32);
        let mut ai = i;
        while ai < ar.len() && is_digit(ch(ar, ai)) {
            an = an.wrapping_mul(10).wrapping_add(digit(ch(ar, ai)));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(ch(br, bi)) {
            bn = bn.wrapping_mul(10).wrapping_add(digit(ch(br, bi)));
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
    if c.is_ascii() { c.is_ascii_alphabetic() } else { c.is_alphabetic() }
}

/// Go's `unicode.IsDigit` for the ASCII range (other decimal digits are treated as non-digits).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        // Reference order from the design notes (helm toYaml of these keys).
        let mut keys: Vec<String> =
            ["a10", "a2", "a-b", "a", "B", "10", "9", "1", "_x"].iter().map(|s| (*s).to_owned()).collect();
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
