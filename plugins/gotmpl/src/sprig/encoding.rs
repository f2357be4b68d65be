//! Sprig's encoding and checksum functions: `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum adler32sum`.
//!
//! The decoders follow Go's `encoding/base64` and `encoding/base32` standard encodings exactly, including what
//! they tolerate (`\r` and `\n` anywhere, non-zero trailing bits) and where they report corruption: Sprig's
//! `b64dec`/`b32dec` return the error text (`illegal base64 data at input byte 4`) instead of failing.

use sha1::Digest;

use super::conv::bytes_to_string;
use crate::funcs::{Funcs, Param, Signature};
use crate::value::Value;

/// The standard base64 alphabet (RFC 4648).
pub(crate) const BASE64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// The standard base32 alphabet (RFC 4648).
const BASE32_STD: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::String as Str;
    funcs.register("b64enc", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(base64_encode(a.str(0)?.as_bytes(), BASE64_STD)))
    });
    funcs.register("b64dec", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(match base64_decode(a.str(0)?.as_bytes()) {
            Ok(b) => bytes_to_string(&b),
            Err(at) => format!("illegal base64 data at input byte {at}"),
        }))
    });
    funcs.register("b32enc", Signature::new(&[Str]), |_, a| Ok(Value::from(base32_encode(a.str(0)?.as_bytes()))));
    funcs.register("b32dec", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(match base32_decode(a.str(0)?.as_bytes()) {
            Ok(b) => bytes_to_string(&b),
            Err(at) => format!("illegal base32 data at input byte {at}"),
        }))
    });
    funcs.register("sha1sum", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(hex(&sha1::Sha1::digest(a.str(0)?.as_bytes()))))
    });
    funcs.register("sha256sum", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(hex(&sha2::Sha256::digest(a.str(0)?.as_bytes()))))
    });
    funcs.register("sha512sum", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(hex(&sha2::Sha512::digest(a.str(0)?.as_bytes()))))
    });
    funcs.register("adler32sum", Signature::new(&[Str]), |_, a| {
        Ok(Value::from(adler32(a.str(0)?.as_bytes()).to_string()))
    });
}

/// Lower-case hexadecimal (`hex.EncodeToString`).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
}

/// Adler-32 (`hash/adler32.Checksum`).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest n with 255n(n+1)/2 + (n+1)(MOD-1) < 2^32, so sums cannot overflow within a chunk.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Base64 with padding over `alphabet`.
pub(crate) fn base64_encode(data: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn decode_map<const N: usize>(alphabet: &[u8; N], c: u8) -> Option<u8> {
    alphabet.iter().position(|&a| a == c).and_then(|p| u8::try_from(p).ok())
}

/// `base64.StdEncoding.DecodeString`: the decoded bytes, or the offset Go's `CorruptInputError` reports.
pub(crate) fn base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0usize;
    let is_nl = |c: u8| c == b'\n' || c == b'\r';
    while si < src.len() {
        let mut dbuf = [0u8; 4];
        let mut dlen = 4;
        let mut trailing_error = None;
        let mut j = 0usize;
        while j < 4 {
            let Some(&c) = src.get(si) else {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            };
            si += 1;
            if let Some(v) = decode_map(BASE64_STD, c) {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if is_nl(c) {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while src.get(si).is_some_and(|&c| is_nl(c)) {
                        si += 1;
                    }
                    match src.get(si) {
                        None => return Err(src.len()),
                        Some(&b'=') => si += 1,
                        Some(_) => return Err(si - 1),
                    }
                }
                _ => {}
            }
            while src.get(si).is_some_and(|&c| is_nl(c)) {
                si += 1;
            }
            if si < src.len() {
                trailing_error = Some(si);
            }
            dlen = j;
            break;
        }
        let val =
            (u32::from(dbuf[0]) << 18) | (u32::from(dbuf[1]) << 12) | (u32::from(dbuf[2]) << 6) | u32::from(dbuf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(bytes.get(..dlen - 1).unwrap_or_default());
        if let Some(at) = trailing_error {
            return Err(at);
        }
    }
    Ok(out)
}

/// Base32 with padding (standard alphabet).
fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf.get_mut(..chunk.len()).unwrap_or_default().copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(char::from(BASE32_STD[((n >> (35 - 5 * i)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString`: newlines are stripped first, then the offsets of Go's `CorruptInputError`
/// refer to the stripped input.
fn base32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let src: Vec<u8> = input.iter().copied().filter(|&c| c != b'\r' && c != b'\n').collect();
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u8; 8];
        let mut dlen = 8;
        let mut j = 0usize;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(olen - j);
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(olen);
                }
                for k in 0..7 - j {
                    if rest.get(k).is_some_and(|&p| p != b'=') {
                        return Err(olen - rest.len() + k - 1);
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(olen - rest.len() - 1);
                }
                break;
            }
            dbuf[j] = decode_map(BASE32_STD, c).ok_or(olen - rest.len() - 1)?;
            j += 1;
        }
        let n = dbuf.iter().fold(0u64, |acc, &b| (acc << 5) | u64::from(b));
        let bytes = n.to_be_bytes();
        let produced = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(bytes.get(3..3 + produced).unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        assert_eq!(base64_encode(b"hello", BASE64_STD), "aGVsbG8=");
        assert_eq!(base64_decode(b"aGVs\nbG8="), Ok(b"hello".to_vec()));
        assert_eq!(base64_decode(b"aGVsbG8"), Err(4));
        assert_eq!(base64_decode(b"aGVsbG8=x"), Err(8));
        assert_eq!(base32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(base32_encode(b"f"), "MY======");
        assert_eq!(base32_decode(b"MY======"), Ok(b"f".to_vec()));
        assert_eq!(base32_decode(b"NBSWY3DP"), Ok(b"hello".to_vec()));
        assert_eq!(adler32(b"hello"), 103547413);
        assert_eq!(hex(&[0, 255]), "00ff");
    }
}
