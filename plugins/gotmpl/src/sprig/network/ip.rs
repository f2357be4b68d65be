//! IP address parsing with the rules and error texts of Go's `net/netip.ParseAddr` (which `net.ParseIP` and
//! `net/url` use): dotted IPv4 without leading zeros, IPv6 with at most one `::`, an optional embedded IPv4 tail and
//! an optional `%zone`.

use crate::strconv::quote;

/// A parsed address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Addr {
    /// An IPv4 address (`netip.Addr.Is4`).
    V4([u8; 4]),
    /// An IPv6 address (including IPv4-mapped ones) and its zone (empty when absent).
    V6([u8; 16], String),
}

impl Addr {
    /// The address bytes as Go's `x509` puts them in a certificate: 4 bytes for IPv4 and IPv4-mapped IPv6
    /// addresses (`net.IP.To4`), 16 bytes otherwise.
    pub(crate) fn cert_bytes(&self) -> Vec<u8> {
        match self {
            Addr::V4(b) => b.to_vec(),
            Addr::V6(b, _) => {
                if b[..10].iter().all(|&x| x == 0) && b[10] == 0xff && b[11] == 0xff {
                    b[12..].to_vec()
                } else {
                    b.to_vec()
                }
            }
        }
    }
}

/// A `ParseAddr` error message.
fn error(input: &str, msg: &str, at: Option<&str>) -> String {
    match at {
        Some(at) if !at.is_empty() => format!("ParseAddr({}): {msg} (at {})", quote(input), quote(at)),
        _ => format!("ParseAddr({}): {msg}", quote(input)),
    }
}

/// Go's `netip.ParseAddr`.
pub(crate) fn parse_addr(s: &str) -> Result<Addr, String> {
    for &c in s.as_bytes() {
        match c {
            b'.' => return parse_v4_fields(s, 0, s.len()).map(Addr::V4),
            b':' => return parse_v6(s),
            b'%' => return Err(error(s, "missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(error(s, "unable to parse IP", None))
}

/// Go's `net.ParseIP`: `ParseAddr` without a zone.
pub(crate) fn parse_ip(s: &str) -> Option<Addr> {
    match parse_addr(s) {
        Ok(Addr::V6(_, zone)) if !zone.is_empty() => None,
        Ok(a) => Some(a),
        Err(_) => None,
    }
}

/// The four fields of the dotted IPv4 address in `input[off..end]`.
fn parse_v4_fields(input: &str, off: usize, end: usize) -> Result<[u8; 4], String> {
    let s = input.get(off..end).unwrap_or("").as_bytes();
    let mut fields = [0u8; 4];
    let (mut val, mut pos, mut digits) = (0u32, 0usize, 0usize);
    for (i, &c) in s.iter().enumerate() {
        let rest = || std::str::from_utf8(&s[i..]).unwrap_or("");
        if c.is_ascii_digit() {
            if digits == 1 && val == 0 {
                return Err(error(input, "IPv4 field has octet with leading zero", None));
            }
            val = val * 10 + u32::from(c - b'0');
            digits += 1;
            if val > 255 {
                return Err(error(input, "IPv4 field has value >255", None));
            }
        } else if c == b'.' {
            if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                return Err(error(input, "IPv4 field must have at least one digit", Some(rest())));
            }
            if pos == 3 {
                return Err(error(input, "IPv4 address too long", None));
            }
            fields[pos] = val as u8;
            pos += 1;
            val = 0;
            digits = 0;
        } else {
            return Err(error(input, "unexpected character", Some(rest())));
        }
    }
    if pos < 3 {
        return Err(error(input, "IPv4 address too short", None));
    }
    fields[3] = val as u8;
    Ok(fields)
}

fn parse_v6(input: &str) -> Result<Addr, String> {
    let (mut s, zone) = match input.split_once('%') {
        Some((a, z)) => {
            if z.is_empty() {
                return Err(error(input, "zone must be a non-empty string", None));
            }
            (a, z)
        }
        None => (input, ""),
    };
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if s.starts_with("::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(Addr::V6(ip, zone.to_string()));
        }
    }
    let mut i = 0usize;
    while i < 16 {
        let b = s.as_bytes();
        let mut off = 0usize;
        let mut acc = 0u32;
        while off < b.len() {
            let d = match b[off] {
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'f' => c - b'a' + 10,
                c @ b'A'..=b'F' => c - b'A' + 10,
                _ => break,
            };
            acc = (acc << 4) + u32::from(d);
            if off > 3 {
                return Err(error(input, "each group must have 4 or less digits", Some(s)));
            }
            if acc > 0xffff {
                return Err(error(input, "IPv6 field has value >=2^16", Some(s)));
            }
            off += 1;
        }
        if off == 0 {
            return Err(error(input, "each colon-separated field must have at least one digit", Some(s)));
        }
        if b.get(off) == Some(&b'.') {
            if ellipsis.is_none() && i != 12 {
                return Err(error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if i + 4 > 16 {
                return Err(error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            let end = if zone.is_empty() { input.len() } else { input.len() - zone.len() - 1 };
            let v4 = parse_v4_fields(input, end - s.len(), end)?;
            ip[i..i + 4].copy_from_slice(&v4);
            s = "";
            i += 4;
            break;
        }
        ip[i] = (acc >> 8) as u8;
        ip[i + 1] = acc as u8;
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if !s.starts_with(':') {
            return Err(error(input, "unexpected character, want colon", Some(s)));
        } else if s.len() == 1 {
            return Err(error(input, "colon must be followed by more characters", Some(s)));
        }
        s = &s[1..];
        if s.starts_with(':') {
            if ellipsis.is_some() {
                return Err(error(input, "multiple :: in address", Some(s)));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(error(input, "trailing garbage after address", Some(s)));
    }
    if i < 16 {
        let Some(e) = ellipsis else {
            return Err(error(input, "address string too short", None));
        };
        let n = 16 - i;
        for j in (e..i).rev() {
            ip[j + n] = ip[j];
        }
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return Err(error(input, "the :: must expand to at least one field of zeros", None));
    }
    Ok(Addr::V6(ip, zone.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_netip() {
        assert_eq!(parse_addr("10.0.0.1"), Ok(Addr::V4([10, 0, 0, 1])));
        let mut lo = [0u8; 16];
        lo[15] = 1;
        assert_eq!(parse_addr("::1"), Ok(Addr::V6(lo, String::new())));
        assert_eq!(parse_addr("::1%eth0"), Ok(Addr::V6(lo, "eth0".into())));
        assert_eq!(parse_addr("::ffff:1.2.3.4").map(|a| a.cert_bytes()), Ok(vec![1, 2, 3, 4]));
        assert_eq!(parse_addr("zz").err().as_deref(), Some(r#"ParseAddr("zz"): unable to parse IP"#));
        assert_eq!(
            parse_addr("01.2.3.4").err().as_deref(),
            Some(r#"ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero"#)
        );
        assert!(parse_addr("1:2:3:4:5:6:7:8:9").is_err());
        assert!(parse_addr("1::2::3").is_err());
        assert!(parse_ip("fe80::1%en0").is_none());
    }
}
