//! Private keys as Sprig handles them: generation (`genPrivateKey`), Go's PEM encodings (`RSA PRIVATE KEY` =
//! PKCS#1, `EC PRIVATE KEY` = SEC 1, `DSA PRIVATE KEY` = OpenSSL's sequence of integers, `PRIVATE KEY` = PKCS#8 for
//! Ed25519), parsing them back (Sprig's `parsePrivateKeyPEM`), and the public-key and signing operations that
//! certificate creation needs.
//!
//! Supported: RSA, ECDSA on P-256 and P-384, Ed25519, and DSA (which, as in Go, can be generated and parsed but not
//! used to make certificates). ECDSA keys on P-224 and P-521, which Go also reads, are reported as unsupported.

use base64::Engine as _;
use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rand_core::RngCore;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};

use super::der::{self, Reader, tag};
use crate::sprig::random::HostRng;

/// OIDs used by keys and certificates.
pub(crate) mod oids {
    pub(crate) const RSA_ENCRYPTION: &[u64] = &[1, 2, 840, 113_549, 1, 1, 1];
    pub(crate) const SHA256_WITH_RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 11];
    pub(crate) const EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10_045, 2, 1];
    pub(crate) const ECDSA_WITH_SHA256: &[u64] = &[1, 2, 840, 10_045, 4, 3, 2];
    pub(crate) const ECDSA_WITH_SHA384: &[u64] = &[1, 2, 840, 10_045, 4, 3, 3];
    pub(crate) const P256: &[u64] = &[1, 2, 840, 10_045, 3, 1, 7];
    pub(crate) const P384: &[u64] = &[1, 3, 132, 0, 34];
    pub(crate) const P224: &[u64] = &[1, 3, 132, 0, 33];
    pub(crate) const P521: &[u64] = &[1, 3, 132, 0, 35];
    pub(crate) const ED25519: &[u64] = &[1, 3, 101, 112];
    pub(crate) const X25519: &[u64] = &[1, 3, 101, 110];
}

/// Why `genPrivateKey` produced no key.
#[derive(Debug)]
pub(crate) enum GenerateError {
    /// The key type is not one Sprig knows.
    UnknownType(String),
    /// Generation failed (the random source).
    Failed(String),
}

/// A private key.
pub(crate) enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// A DSA key (P, Q, G, Y, X), kept only to be re-encoded and to report what Go reports.
    Dsa(Vec<Vec<u8>>),
    /// An X25519 key from PKCS#8 (Go reads it as an ECDH key, which cannot sign).
    X25519,
}

/// PEM-encode a block as Go's `pem.Encode` does (64-column base64, no headers).
pub(crate) fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The first PEM block in `data` (Go's `pem.Decode`, without header support beyond skipping `Key: value` lines):
/// its type and decoded bytes, or `None` when there is no well-formed block.
pub(crate) fn pem_decode(data: &[u8]) -> Option<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(data);
    let mut rest: &str = &text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        // The BEGIN line must end right after its dashes.
        let body = body_start.strip_prefix("\r\n").or_else(|| body_start.strip_prefix('\n'));
        let end_marker = format!("-----END {kind}-----");
        if let Some(body) = body
            && !kind.contains('\n')
            && let Some(end) = body.find(&end_marker)
        {
            let content = &body[..end];
            let lines: Vec<&str> = content.lines().collect();
            // Skip RFC 1421 headers ("Key: value" lines up to a blank line).
            let mut first = 0;
            if lines.first().is_some_and(|l| l.contains(':')) {
                while first < lines.len() && !lines[first].trim().is_empty() {
                    first += 1;
                }
            }
            let b64: String = lines[first.min(lines.len())..].concat().chars().filter(|c| !c.is_whitespace()).collect();
            if let Ok(bytes) = super::base64_std_decode(b64.as_bytes()) {
                return Some((kind.to_string(), bytes));
            }
        }
        rest = &rest[start + 11..];
    }
}

impl PrivateKey {
    /// An RSA key of `bits` bits (exponent 65537).
    pub(crate) fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
        let mut rng = HostRng::checked().map_err(|e| e.to_string())?;
        // Two primes of half the size with their top two bits set, so that n has exactly `bits` bits (as Go's
        // rsa.GenerateKey), and e = 65537.
        const E: u32 = 65_537;
        let p = super::prime::rsa_prime(bits / 2, E, &mut rng);
        let q = loop {
            let q = super::prime::rsa_prime(bits - bits / 2, E, &mut rng);
            if q != p {
                break q;
            }
        };
        let key = rsa::RsaPrivateKey::from_primes(vec![p, q], rsa::BigUint::from(E)).map_err(|e| e.to_string())?;
        Ok(PrivateKey::Rsa(Box::new(key)))
    }

    /// Generate a key as `genPrivateKey` does: RSA 4096 (`""` or `rsa`), DSA L2048N256, ECDSA P-256 or Ed25519.
    pub(crate) fn generate(kind: &str) -> Result<PrivateKey, GenerateError> {
        let mut rng = HostRng::checked().map_err(|e| GenerateError::Failed(e.to_string()))?;
        Ok(match kind {
            "" | "rsa" => return PrivateKey::generate_rsa(4096).map_err(GenerateError::Failed),
            "dsa" => {
                // dsa.GenerateParameters(L2048N256), then dsa.GenerateKey: x uniform in [1, q), y = g^x mod p.
                let (p, q, g) = super::prime::dsa_parameters(2048, 256, &mut rng);
                let x = loop {
                    let mut bytes = [0u8; 32];
                    rng.fill_bytes(&mut bytes);
                    let x = rsa::BigUint::from_bytes_be(&bytes);
                    if x != rsa::BigUint::from(0u8) && x < q {
                        break x;
                    }
                };
                let y = g.modpow(&x, &p);
                PrivateKey::Dsa(vec![
                    p.to_bytes_be(),
                    q.to_bytes_be(),
                    g.to_bytes_be(),
                    y.to_bytes_be(),
                    x.to_bytes_be(),
                ])
            }
            "ecdsa" => PrivateKey::P256(p256::SecretKey::random(&mut rng)),
            "ed25519" => {
                let mut seed = [0u8; 32];
                rng.fill_bytes(&mut seed);
                PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            _ => return Err(GenerateError::UnknownType(kind.to_string())),
        })
    }

    /// Sprig's `pemBlockForKey`: the key as a PEM block of the type Go uses for it.
    pub(crate) fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => {
                pem_encode("RSA PRIVATE KEY", k.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes())
            }
            PrivateKey::P256(k) => {
                pem_encode("EC PRIVATE KEY", &ec_private_der(&k.to_bytes(), oids::P256, &self.public_key_bits()?))
            }
            PrivateKey::P384(k) => {
                pem_encode("EC PRIVATE KEY", &ec_private_der(&k.to_bytes(), oids::P384, &self.public_key_bits()?))
            }
            PrivateKey::Ed25519(k) => {
                let der = der::seq(&[
                    &der::small_uint(0),
                    &der::seq(&[&der::oid(oids::ED25519)]),
                    &der::octets(&der::octets(&k.to_bytes())),
                ]);
                pem_encode("PRIVATE KEY", &der)
            }
            PrivateKey::Dsa(parts) => {
                let mut fields = vec![der::small_uint(0)];
                fields.extend(parts.iter().map(|p| der::uint(p)));
                let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
                pem_encode("DSA PRIVATE KEY", &der::seq(&refs))
            }
            PrivateKey::X25519 => return Err("x509: unknown key type while marshaling PKCS#8: *ecdh.PrivateKey".into()),
        })
    }

    /// Go's `%T` of the public key, for error messages.
    fn public_type(&self) -> &'static str {
        match self {
            PrivateKey::Rsa(_) => "*rsa.PublicKey",
            PrivateKey::P256(_) | PrivateKey::P384(_) => "*ecdsa.PublicKey",
            PrivateKey::Ed25519(_) => "ed25519.PublicKey",
            PrivateKey::Dsa(_) => "*dsa.PublicKey",
            PrivateKey::X25519 => "*ecdh.PublicKey",
        }
    }

    /// The subjectPublicKey bits (Go's `marshalPublicKey` bytes).
    fn public_key_bits(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes().to_vec(),
            PrivateKey::P256(k) => {
                p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k.public_key(), false).as_bytes().to_vec()
            }
            PrivateKey::P384(k) => {
                p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k.public_key(), false).as_bytes().to_vec()
            }
            PrivateKey::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
            PrivateKey::Dsa(_) | PrivateKey::X25519 => {
                return Err(format!("x509: unsupported public key type: {}", self.public_type()));
            }
        })
    }

    /// The SubjectPublicKeyInfo of the key's public half, and the bits alone (for the subject key identifier).
    pub(crate) fn spki(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let bits = self.public_key_bits()?;
        let alg = match self {
            PrivateKey::Rsa(_) => der::seq(&[&der::oid(oids::RSA_ENCRYPTION), &der::null()]),
            PrivateKey::P256(_) => der::seq(&[&der::oid(oids::EC_PUBLIC_KEY), &der::oid(oids::P256)]),
            PrivateKey::P384(_) => der::seq(&[&der::oid(oids::EC_PUBLIC_KEY), &der::oid(oids::P384)]),
            _ => der::seq(&[&der::oid(oids::ED25519)]),
        };
        Ok((der::seq(&[&alg, &der::bit_string(&bits)]), bits))
    }

    /// The signature AlgorithmIdentifier Go picks for this signing key (`signingParamsForKey`).
    pub(crate) fn signature_algorithm(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(_) => der::seq(&[&der::oid(oids::SHA256_WITH_RSA), &der::null()]),
            PrivateKey::P256(_) => der::seq(&[&der::oid(oids::ECDSA_WITH_SHA256)]),
            PrivateKey::P384(_) => der::seq(&[&der::oid(oids::ECDSA_WITH_SHA384)]),
            PrivateKey::Ed25519(_) => der::seq(&[&der::oid(oids::ED25519)]),
            PrivateKey::Dsa(_) | PrivateKey::X25519 => {
                return Err("x509: certificate private key does not implement crypto.Signer".into());
            }
        })
    }

    /// Sign `msg` with the algorithm of [`PrivateKey::signature_algorithm`].
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        let mut rng = HostRng::checked().map_err(|e| e.to_string())?;
        Ok(match self {
            PrivateKey::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                signer.try_sign(msg).map_err(|e| e.to_string())?.to_vec()
            }
            PrivateKey::P256(k) => {
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = signer.try_sign_with_rng(&mut rng, msg).map_err(|e| e.to_string())?;
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKey::P384(k) => {
                let signer = p384::ecdsa::SigningKey::from(k);
                let sig: p384::ecdsa::Signature = signer.try_sign_with_rng(&mut rng, msg).map_err(|e| e.to_string())?;
                sig.to_der().as_bytes().to_vec()
            }
            PrivateKey::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
            PrivateKey::Dsa(_) | PrivateKey::X25519 => {
                return Err("x509: certificate private key does not implement crypto.Signer".into());
            }
        })
    }

    /// Sprig's `parsePrivateKeyPEM`.
    pub(crate) fn from_pem(pem: &str) -> Result<PrivateKey, String> {
        let (kind, der) = pem_decode(pem.as_bytes()).ok_or("no PEM data in input")?;
        if kind == "PRIVATE KEY" {
            return parse_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        match algo {
            "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: x509: failed to parse private key: {e}")),
            "EC" => parse_ec(&der, None).map_err(|e| format!("parsing EC private key from PEM: {e}")),
            "DSA" => parse_dsa(&der).map_err(|e| format!("parsing DSA private key from PEM: asn1: {e}")),
            _ => Err(format!("invalid private key type {kind}")),
        }
    }
}

/// Go's `MarshalECPrivateKey`: SEC 1 ECPrivateKey with the named curve and the uncompressed public key.
fn ec_private_der(scalar: &[u8], curve: &[u64], public: &[u8]) -> Vec<u8> {
    der::seq(&[
        &der::small_uint(1),
        &der::octets(scalar),
        &der::explicit(0, &der::oid(curve)),
        &der::explicit(1, &der::bit_string(public)),
    ])
}

/// Compare an encoded OID with arcs.
fn is_oid(encoded_content: &[u8], arcs: &[u64]) -> bool {
    der::oid(arcs).get(2..) == Some(encoded_content)
}

/// Go's `parseECPrivateKey` (`named`: the curve given by a PKCS#8 wrapper).
fn parse_ec(data: &[u8], named: Option<&[u8]>) -> Result<PrivateKey, String> {
    let malformed = |_| "x509: failed to parse EC private key".to_string();
    let mut r = Reader::new(data).sequence().map_err(malformed)?;
    let version = r.uint().map_err(malformed)?;
    if version != [1] {
        return Err(format!("x509: unknown EC private key version {}", version.first().copied().unwrap_or(0)));
    }
    let scalar = r.expect(tag::OCTET_STRING).map_err(malformed)?.content;
    let curve_in_key = match r.optional(0xa0).map_err(malformed)? {
        Some(t) => Some(Reader::new(t.content).expect(tag::OID).map_err(malformed)?.content),
        None => None,
    };
    let curve = named.or(curve_in_key).ok_or("x509: failed to parse EC private key")?;
    if is_oid(curve, oids::P256) {
        if scalar.len() > 32 {
            return Err("x509: invalid private key length".into());
        }
        let mut padded = [0u8; 32];
        padded[32 - scalar.len()..].copy_from_slice(scalar);
        p256::SecretKey::from_slice(&padded)
            .map(PrivateKey::P256)
            .map_err(|_| "x509: failed to parse EC private key: invalid private key".into())
    } else if is_oid(curve, oids::P384) {
        if scalar.len() > 48 {
            return Err("x509: invalid private key length".into());
        }
        let mut padded = [0u8; 48];
        padded[48 - scalar.len()..].copy_from_slice(scalar);
        p384::SecretKey::from_slice(&padded)
            .map(PrivateKey::P384)
            .map_err(|_| "x509: failed to parse EC private key: invalid private key".into())
    } else if is_oid(curve, oids::P224) || is_oid(curve, oids::P521) {
        Err("x509: unsupported elliptic curve (kiln supports P-256 and P-384)".into())
    } else {
        Err("x509: unknown elliptic curve".into())
    }
}

/// Sprig's `DSAKeyFormat`: SEQUENCE { version, P, Q, G, Y, X }.
fn parse_dsa(data: &[u8]) -> Result<PrivateKey, String> {
    let bad = |e: der::DerError| e.to_string();
    let mut outer = Reader::new(data);
    let mut r = outer.sequence().map_err(bad)?;
    r.expect(tag::INTEGER).map_err(bad)?;
    let mut parts = Vec::with_capacity(5);
    for _ in 0..5 {
        parts.push(r.uint().map_err(bad)?.to_vec());
    }
    Ok(PrivateKey::Dsa(parts))
}

/// Go's `ParsePKCS8PrivateKey`.
fn parse_pkcs8(data: &[u8]) -> Result<PrivateKey, String> {
    let malformed =
        |_| "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)".to_string();
    let mut outer = Reader::new(data);
    let mut r = outer.sequence().map_err(malformed)?;
    outer.finish().map_err(malformed)?;
    r.expect(tag::INTEGER).map_err(malformed)?;
    let mut alg = r.sequence().map_err(malformed)?;
    let alg_oid = alg.expect(tag::OID).map_err(malformed)?.content;
    let key = r.expect(tag::OCTET_STRING).map_err(malformed)?.content;
    if is_oid(alg_oid, oids::RSA_ENCRYPTION) {
        rsa::RsaPrivateKey::from_pkcs1_der(key)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}"))
    } else if is_oid(alg_oid, oids::EC_PUBLIC_KEY) {
        let curve = alg.optional(tag::OID).map_err(malformed)?.map(|t| t.content);
        parse_ec(key, curve).map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"))
    } else if is_oid(alg_oid, oids::ED25519) {
        let seed = der::single(key).ok().filter(|t| t.tag == tag::OCTET_STRING).map(|t| t.content);
        let seed: [u8; 32] = seed.and_then(|s| s.try_into().ok()).ok_or("x509: invalid Ed25519 private key")?;
        Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)))
    } else if is_oid(alg_oid, oids::X25519) {
        Ok(PrivateKey::X25519)
    } else {
        Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips() {
        let pem = pem_encode("TEST", &[1, 2, 3]);
        assert_eq!(pem, "-----BEGIN TEST-----\nAQID\n-----END TEST-----\n");
        assert_eq!(pem_decode(format!("junk\n{pem}").as_bytes()), Some(("TEST".to_string(), vec![1, 2, 3])));
        assert_eq!(pem_decode(b"nothing here"), None);
    }

    #[test]
    fn ec_and_ed25519_keys_round_trip_through_pem() {
        for kind in ["ecdsa", "ed25519"] {
            let key = PrivateKey::generate(kind).unwrap_or_else(|e| panic!("{e:?}"));
            let pem = key.to_pem().unwrap_or_default();
            let back = PrivateKey::from_pem(&pem).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back.to_pem().ok(), Some(pem));
        }
    }
}
