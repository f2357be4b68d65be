//! Sprig functions: random strings, numbers and identifiers (`randAlphaNum randAlpha randAscii randNumeric randInt
//! randBytes shuffle uuidv4`). Registered by [`super::register`].
//!
//! Every random draw in the Sprig functions (these, and the keys, salts and IVs of the crypto family) comes from the
//! WASI random source through [`fill`]: the host decides whether that source is the system's or a seeded stream,
//! which is how kiln makes charts that call these functions reproducible (`--seed`). Nothing here keeps state between
//! calls, so the output depends only on that stream.
//!
//! Character sets are those of Sprig's `goutils.CryptoRandom*` helpers: the code points from `' '` to `'z'` that are
//! letters and/or digits for `randAlpha`/`randNumeric`/`randAlphaNum` (so `[A-Za-z]`, `[0-9]`, `[0-9A-Za-z]`), and
//! every printable ASCII character `' '..='~'` for `randAscii`, each drawn uniformly.

use rand_core::{CryptoRng, RngCore};

use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::value::Value;

/// The largest length a random-string or byte function accepts. Go would try to allocate anything up to its
/// `maxAlloc` (and die of memory exhaustion long before); a plugin has at most 4 GiB, so refuse earlier and cleanly.
const MAX_LEN: i64 = 1 << 28;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Int, String};
    // func randAlphaNumeric(count int) string (and the three other goutils wrappers): a negative count is an error
    // inside goutils, which Sprig discards, giving "".
    funcs.register("randAlphaNum", Signature::new(&[Int]), |_, args| random_string(args.int(0)?, Charset::AlphaNum));
    funcs.register("randAlpha", Signature::new(&[Int]), |_, args| random_string(args.int(0)?, Charset::Alpha));
    funcs.register("randAscii", Signature::new(&[Int]), |_, args| random_string(args.int(0)?, Charset::Ascii));
    funcs.register("randNumeric", Signature::new(&[Int]), |_, args| random_string(args.int(0)?, Charset::Numeric));
    // "randInt": func(min, max int) int { return rand.Intn(max-min) + min }
    funcs.register("randInt", Signature::new(&[Int, Int]), |_, args| {
        let (min, max) = (args.int(0)?, args.int(1)?);
        let span = max.wrapping_sub(min);
        if span <= 0 {
            return Err(FuncError::new("invalid argument to Intn"));
        }
        let n = uniform(span.unsigned_abs())?;
        Ok(Value::Int(i64::try_from(n).unwrap_or(0).wrapping_add(min)))
    });
    // func randBytes(count int) (string, error): base64 of count random bytes.
    funcs.register("randBytes", Signature::new(&[Int]), |_, args| {
        let count = args.int(0)?;
        let len = checked_len(count)?;
        let mut buf = vec![0u8; len];
        fill(&mut buf)?;
        Ok(Value::from(super::crypto::base64_std(&buf)))
    });
    // xstrings.Shuffle(str string) string: a uniform permutation of the string's runes.
    funcs.register("shuffle", Signature::new(&[String]), |_, args| {
        let mut runes: Vec<char> = args.str(0)?.chars().collect();
        for i in (1..runes.len()).rev() {
            let j = usize::try_from(uniform(i as u64 + 1)?).unwrap_or(0);
            runes.swap(i, j);
        }
        Ok(Value::from(runes.into_iter().collect::<std::string::String>()))
    });
    // func uuidv4() string: a random (version 4, RFC 4122 variant) UUID in its canonical lowercase form.
    funcs.register("uuidv4", Signature::new(&[]), |_, _| Ok(Value::from(uuid_v4()?)));
}

/// The character classes of Sprig's random-string functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charset {
    /// `[0-9A-Za-z]` (`randAlphaNum`).
    AlphaNum,
    /// `[A-Za-z]` (`randAlpha`).
    Alpha,
    /// `[0-9]` (`randNumeric`).
    Numeric,
    /// Printable ASCII, `' '..='~'` (`randAscii`).
    Ascii,
}

impl Charset {
    /// Whether the character belongs to the class.
    pub(crate) fn contains(self, c: u8) -> bool {
        match self {
            Charset::AlphaNum => c.is_ascii_alphanumeric(),
            Charset::Alpha => c.is_ascii_alphabetic(),
            Charset::Numeric => c.is_ascii_digit(),
            Charset::Ascii => (b' '..=b'~').contains(&c),
        }
    }

    /// The class's characters in code-point order.
    fn chars(self) -> Vec<u8> {
        (b' '..=b'~').filter(|&c| self.contains(c)).collect()
    }
}

/// `count` characters drawn uniformly from `set`; `""` for a negative count (as Sprig, which ignores goutils' error).
fn random_string(count: i64, set: Charset) -> Result<Value, FuncError> {
    if count <= 0 {
        return Ok(Value::from(""));
    }
    let len = checked_len(count)?;
    let chars = set.chars();
    let mut out = std::string::String::with_capacity(len);
    for _ in 0..len {
        let i = usize::try_from(uniform(chars.len() as u64)?).unwrap_or(0);
        out.push(char::from(chars.get(i).copied().unwrap_or(b'0')));
    }
    Ok(Value::from(out))
}

/// A length argument as `usize`: Go's `make` panics on a negative length, and this port refuses huge ones.
fn checked_len(count: i64) -> Result<usize, FuncError> {
    if !(0..=MAX_LEN).contains(&count) {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    usize::try_from(count).map_err(|_| FuncError::new("runtime error: makeslice: len out of range"))
}

/// A random version-4 UUID, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
pub(crate) fn uuid_v4() -> Result<std::string::String, FuncError> {
    let mut b = [0u8; 16];
    fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: std::string::String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]))
}

/// Fill `buf` from the WASI (or OS) random source.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), FuncError> {
    getrandom::fill(buf).map_err(|e| FuncError::new(format!("crypto/rand: reading random bytes: {e}")))
}

/// A uniformly distributed integer in `[0, n)` (`n > 0`), by rejection sampling so that no value is favoured.
pub(crate) fn uniform(n: u64) -> Result<u64, FuncError> {
    if n <= 1 {
        return Ok(0);
    }
    // The largest multiple of n that fits in u64's range of 2^64 values; draws at or above it are rejected.
    let zone = u64::MAX - (u64::MAX - n + 1) % n;
    loop {
        let mut b = [0u8; 8];
        fill(&mut b)?;
        let v = u64::from_le_bytes(b);
        if v <= zone {
            return Ok(v % n);
        }
    }
}

/// A `rand_core` generator over [`fill`], for the key-generation crates. Its infallible methods can only fail if the
/// random source itself is broken; callers first draw through [`fill`] (which reports that as an error), so this
/// generator is only handed out once the source is known to work.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HostRng;

impl HostRng {
    /// A generator, after checking that the random source works.
    pub(crate) fn checked() -> Result<HostRng, FuncError> {
        fill(&mut [0u8; 1])?;
        Ok(HostRng)
    }
}

impl RngCore for HostRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if let Err(e) = getrandom::fill(dest) {
            // The source answered a moment ago (see `checked`); a failure now leaves no safe way to continue.
            panic!("random source failed: {e}");
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        getrandom::fill(dest).map_err(|e| rand_core::Error::new(Box::new(std::io::Error::other(e.to_string()))))
    }
}

impl CryptoRng for HostRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets_match_goutils() {
        assert_eq!(Charset::Numeric.chars(), b"0123456789");
        assert_eq!(Charset::Alpha.chars().len(), 52);
        assert_eq!(Charset::AlphaNum.chars().len(), 62);
        assert_eq!(Charset::Ascii.chars().len(), 95);
    }

    #[test]
    fn uniform_stays_in_range() {
        for n in [1u64, 2, 3, 7, 62, 95, u64::MAX] {
            for _ in 0..50 {
                assert!(uniform(n).unwrap_or(u64::MAX) < n);
            }
        }
    }
}
