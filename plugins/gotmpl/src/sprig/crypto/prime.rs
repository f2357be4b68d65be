//! Random primes for key generation (RSA primes, DSA parameters), fast enough for a template function: a sieve
//! over the small primes below 2^15 walks candidates in an arithmetic progression, and survivors are tested with
//! Miller–Rabin (base 2, then random bases) using Montgomery multiplication on 64-bit limbs.
//!
//! The general-purpose big integers of the `rsa` crate (`num-bigint-dig`) are used for the few non-hot operations
//! (products, quotients, the private exponent); prime search is where key generation spends its time, and doing it
//! with fixed-width Montgomery arithmetic makes a 4096-bit RSA key about an order of magnitude quicker.

use rand_core::RngCore;
use rsa::BigUint;

/// Miller–Rabin rounds with random bases after the base-2 round, by the bit length of the candidate: the counts
/// FIPS 186-5 (Appendix B.3) gives for randomly chosen candidates and an error probability below 2^-100, the
/// same numbers Go's key generation uses. Larger candidates need fewer rounds because a random composite is ever
/// less likely to fool a random base.
fn rounds(bits: usize) -> usize {
    match bits {
        1345.. => 4,
        476.. => 5,
        400.. => 6,
        347.. => 7,
        308.. => 8,
        55.. => 27,
        _ => 34,
    }
}

/// Odd primes below 2^15, for sieving.
fn small_primes() -> &'static [u32] {
    static PRIMES: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    PRIMES.get_or_init(|| {
        const LIMIT: usize = 1 << 15;
        let mut composite = vec![false; LIMIT];
        let mut out = Vec::new();
        for i in 3..LIMIT {
            if !composite[i] && i % 2 == 1 {
                out.push(i as u32);
                let mut j = i * i;
                while j < LIMIT {
                    composite[j] = true;
                    j += i;
                }
            }
        }
        out
    })
}

/// Little-endian 64-bit limbs of `v`, zero-padded to `n` limbs.
fn limbs(v: &BigUint, n: usize) -> Vec<u64> {
    let bytes = v.to_bytes_le();
    let mut out = vec![0u64; n.max(bytes.len().div_ceil(8))];
    for (i, b) in bytes.iter().enumerate() {
        out[i / 8] |= u64::from(*b) << (8 * (i % 8));
    }
    out
}

/// `a >= b` for equal-length limb slices.
fn ge(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b` for equal-length limb slices (`a >= b`).
fn sub_assign(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u64::from(b1 || b2);
    }
}

/// Montgomery arithmetic modulo an odd `m` (R = 2^(64·limbs)).
struct Mont {
    m: Vec<u64>,
    /// `-m^-1 mod 2^64`.
    m_inv: u64,
    /// `R^2 mod m`.
    r2: Vec<u64>,
}

impl Mont {
    fn new(m: Vec<u64>) -> Mont {
        let m0 = m[0];
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        }
        let n = m.len();
        // R^2 mod m by doubling 1 (2·64·n) times, reducing as we go.
        let mut x = vec![0u64; n];
        x[0] = 1;
        for _ in 0..(128 * n) {
            let carry = x[n - 1] >> 63;
            for i in (1..n).rev() {
                x[i] = (x[i] << 1) | (x[i - 1] >> 63);
            }
            x[0] <<= 1;
            if carry == 1 || ge(&x, &m) {
                sub_assign(&mut x, &m);
            }
        }
        Mont { m, m_inv: inv.wrapping_neg(), r2: x }
    }

    /// `out = a·b·R^-1 mod m`, with `t` (at least n + 2 limbs) as scratch. One pass per limb of `a` multiplies
    /// and reduces together (two carry chains), so no intermediate product is stored.
    fn mul_into(&self, a: &[u64], b: &[u64], t: &mut [u64], out: &mut [u64]) {
        let n = self.m.len();
        let (m, a, b, t) = (&self.m[..n], &a[..n], &b[..n], &mut t[..n + 2]);
        t.fill(0);
        for &ai in a {
            let s = u128::from(t[0]) + u128::from(ai) * u128::from(b[0]);
            let mut c1 = (s >> 64) as u64;
            let u = (s as u64).wrapping_mul(self.m_inv);
            let s = u128::from(s as u64) + u128::from(u) * u128::from(m[0]);
            let mut c2 = (s >> 64) as u64;
            for j in 1..n {
                let s = u128::from(t[j]) + u128::from(ai) * u128::from(b[j]) + u128::from(c1);
                c1 = (s >> 64) as u64;
                let s = u128::from(s as u64) + u128::from(u) * u128::from(m[j]) + u128::from(c2);
                c2 = (s >> 64) as u64;
                t[j - 1] = s as u64;
            }
            let s = u128::from(t[n]) + u128::from(c1) + u128::from(c2);
            t[n - 1] = s as u64;
            t[n] = t[n + 1] + (s >> 64) as u64;
            t[n + 1] = 0;
        }
        let overflow = t[n] != 0;
        out[..n].copy_from_slice(&t[..n]);
        if overflow || ge(&out[..n], m) {
            sub_assign(&mut out[..n], m);
        }
    }

    /// `a·b·R^-1 mod m` in a new vector.
    fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let n = self.m.len();
        let (mut t, mut out) = (vec![0u64; n + 2], vec![0u64; n]);
        self.mul_into(a, b, &mut t, &mut out);
        out
    }

    /// `base^exp mod m`, in Montgomery form (`base` in normal form), with a 4-bit window and no allocation per
    /// step.
    fn pow(&self, base: &[u64], exp: &[u64]) -> Vec<u64> {
        let n = self.m.len();
        let mut one = vec![0u64; n];
        one[0] = 1;
        let r1 = self.mul(&self.r2, &one);
        let b = self.mul(base, &self.r2);
        let mut table = vec![r1.clone(), b.clone()];
        for i in 2..16 {
            let next = self.mul(&table[i - 1], &b);
            table.push(next);
        }
        let mut t = vec![0u64; n + 2];
        let mut acc = r1;
        let mut tmp = vec![0u64; n];
        for limb in exp.iter().rev() {
            for nibble in (0..16).rev() {
                for _ in 0..4 {
                    self.mul_into(&acc, &acc, &mut t, &mut tmp);
                    std::mem::swap(&mut acc, &mut tmp);
                }
                let w = ((limb >> (4 * nibble)) & 15) as usize;
                if w != 0 {
                    self.mul_into(&acc, &table[w], &mut t, &mut tmp);
                    std::mem::swap(&mut acc, &mut tmp);
                }
            }
        }
        acc
    }
}

/// Miller–Rabin with base 2 and then [`rounds`] random bases; `n` must be odd and larger than the sieve's primes.
fn probably_prime(n: &BigUint, rng: &mut impl RngCore) -> bool {
    let width = n.bits().div_ceil(64);
    let m = limbs(n, width);
    let mont = Mont::new(m.clone());
    let mut n_minus_1 = m.clone();
    n_minus_1[0] -= 1; // n is odd
    let s =
        n_minus_1.iter().enumerate().find(|(_, l)| **l != 0).map_or(0, |(i, l)| i * 64 + l.trailing_zeros() as usize);
    let d = limbs(&((n - 1u32) >> s), width);
    let mut zero_one = vec![0u64; width];
    zero_one[0] = 1;
    let one = mont.mul(&mont.r2, &zero_one);
    let mut minus_one = m.clone();
    sub_assign(&mut minus_one, &one);
    let top_bits = n.bits() - 64 * (width - 1);
    let mut t = vec![0u64; width + 2];
    let mut tmp = vec![0u64; width];
    'rounds: for round in 0..=rounds(n.bits()) {
        let a = if round == 0 {
            let mut two = vec![0u64; width];
            two[0] = 2;
            two
        } else {
            // A random base in [2, n-2]: one bit shorter than n, and not 0 or 1.
            loop {
                let mut a: Vec<u64> = (0..width).map(|_| rng.next_u64()).collect();
                let keep = top_bits - 1;
                a[width - 1] = if keep == 0 { 0 } else { a[width - 1] & (u64::MAX >> (64 - keep)) };
                if a.iter().skip(1).any(|&l| l != 0) || a[0] > 1 {
                    break a;
                }
            }
        };
        let mut x = mont.pow(&a, &d);
        if x == one || x == minus_one {
            continue;
        }
        for _ in 1..s {
            mont.mul_into(&x, &x, &mut t, &mut tmp);
            std::mem::swap(&mut x, &mut tmp);
            if x == minus_one {
                continue 'rounds;
            }
            if x == one {
                return false;
            }
        }
        return false;
    }
    true
}

/// The first probable prime `start + k·step` (k < `tries`) that has `bits` bits and, if `avoid` is given as
/// `(e, r)`, is not congruent to `r` modulo the prime `e`.
fn sieve_search(
    start: &BigUint,
    step: &BigUint,
    tries: u32,
    bits: usize,
    avoid: Option<(u32, u32)>,
    rng: &mut impl RngCore,
) -> Option<BigUint> {
    let primes = small_primes();
    let residue = |v: &BigUint, p: u32| -> u32 {
        v.to_bytes_be().iter().fold(0u64, |acc, &b| ((acc << 8) | u64::from(b)) % u64::from(p)) as u32
    };
    let mut rs: Vec<u32> = primes.iter().map(|&p| residue(start, p)).collect();
    let steps: Vec<u32> = primes.iter().map(|&p| residue(step, p)).collect();
    let (mut ar, astep) = match avoid {
        Some((e, _)) => (residue(start, e), residue(step, e)),
        None => (0, 0),
    };
    for k in 0..tries {
        let sieved = rs.iter().all(|&r| r != 0) && avoid.is_none_or(|(_, bad)| ar != bad);
        if sieved {
            let candidate = start + step * k;
            if candidate.bits() != bits {
                return None;
            }
            if probably_prime(&candidate, rng) {
                return Some(candidate);
            }
        }
        for ((r, &s), &p) in rs.iter_mut().zip(&steps).zip(primes) {
            *r += s;
            if *r >= p {
                *r -= p;
            }
        }
        if let Some((e, _)) = avoid {
            ar = (ar + astep) % e;
        }
    }
    None
}

/// A random odd number of exactly `bits` bits with its top `top` bits set.
fn random_odd(bits: usize, top: usize, rng: &mut impl RngCore) -> BigUint {
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    rng.fill_bytes(&mut bytes);
    let excess = bytes.len() * 8 - bits;
    bytes[0] &= 0xff >> excess;
    let mut v = BigUint::from_bytes_be(&bytes);
    for i in 0..top {
        v |= BigUint::from(1u8) << (bits - 1 - i);
    }
    v | BigUint::from(1u8)
}

/// A random prime of exactly `bits` bits with its two top bits set (so that the product of two such primes has
/// exactly twice as many bits), and `p - 1` not divisible by the public exponent `e` (a prime).
pub(crate) fn rsa_prime(bits: usize, e: u32, rng: &mut impl RngCore) -> BigUint {
    loop {
        let start = random_odd(bits, 2, rng);
        if let Some(p) = sieve_search(&start, &BigUint::from(2u8), 1 << 14, bits, Some((e, 1)), rng) {
            return p;
        }
    }
}

/// DSA domain parameters (p of `l` bits, q of `n` bits dividing p - 1, generator g), as FIPS 186-3 shapes them
/// and Go's `dsa.GenerateParameters` draws them: q random, p the first prime ≡ 1 (mod 2q) after a random point.
pub(crate) fn dsa_parameters(l: usize, n: usize, rng: &mut impl RngCore) -> (BigUint, BigUint, BigUint) {
    loop {
        let q = loop {
            let start = random_odd(n, 1, rng);
            if let Some(q) = sieve_search(&start, &BigUint::from(2u8), 1 << 12, n, None, rng) {
                break q;
            }
        };
        let two_q = &q << 1;
        for _ in 0..8 {
            let x = random_odd(l, 1, rng);
            let start = &x - (&x % &two_q) + 1u32;
            let start = if start.bits() < l { start + &two_q } else { start };
            let Some(p) = sieve_search(&start, &two_q, 1 << 14, l, None, rng) else { continue };
            let e = (&p - 1u32) / &q;
            let mut h = BigUint::from(2u8);
            loop {
                let g = h.modpow(&e, &p);
                if g != BigUint::from(1u8) {
                    return (p, q, g);
                }
                h += 1u32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::random::HostRng;

    #[test]
    fn montgomery_pow_matches_modpow() {
        let mut rng = HostRng;
        for bits in [127usize, 256, 1000] {
            let m = random_odd(bits, 1, &mut rng);
            let base = random_odd(bits - 3, 0, &mut rng);
            let exp = random_odd(bits, 0, &mut rng);
            let mont = Mont::new(limbs(&m, m.bits().div_ceil(64)));
            let width = mont.m.len();
            let r = mont.pow(&limbs(&base, width), &limbs(&exp, width));
            let mut one = vec![0u64; width];
            one[0] = 1;
            let plain = mont.mul(&r, &one);
            assert_eq!(plain, limbs(&base.modpow(&exp, &m), width), "{bits} bits");
        }
    }

    #[test]
    fn primality_is_decided_correctly() {
        let mut rng = HostRng;
        // 2^127 - 1 and 2^521 - 1 are Mersenne primes; 2^128 + 1 = 59649589127497217 · 5704689200685129054721.
        let m127 = (BigUint::from(1u8) << 127) - 1u32;
        let m521 = (BigUint::from(1u8) << 521) - 1u32;
        let f7 = (BigUint::from(1u8) << 128) + 1u32;
        assert!(probably_prime(&m127, &mut rng));
        assert!(probably_prime(&m521, &mut rng));
        assert!(!probably_prime(&f7, &mut rng));
        // A strong pseudoprime to bases 2, 3, 5 and 7: base 2 lets it through, the random bases do not.
        assert!(!probably_prime(&BigUint::from(3_215_031_751u64), &mut rng));
        let p = rsa_prime(512, 65_537, &mut rng);
        assert_eq!(p.bits(), 512);
        assert_eq!(&p >> 510usize, BigUint::from(3u8));
        assert_eq!(BigUint::from(3u8).modpow(&(&p - 1u32), &p), BigUint::from(1u8));
        assert_ne!(&p % 65_537u32, BigUint::from(1u8));
    }
}
