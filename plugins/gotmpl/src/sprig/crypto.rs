//! Sprig functions: passwords, keys, certificates and encryption (`bcrypt htpasswd derivePassword genPrivateKey
//! buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
//! encryptAES decryptAES`). Registered by [`super::register`]. (The `*sum` hashes live with the string functions.)
//!
//! Randomness (salts, keys, serial numbers, IVs) comes from the host's WASI random source, see [`super::random`].
//! Output has the structure Sprig's has: bcrypt hashes are `$2a$10$…`; keys are PEM blocks of the types Go writes
//! (`RSA PRIVATE KEY` for the 4096-bit RSA default, `EC PRIVATE KEY` for P-256, `PRIVATE KEY` for Ed25519, `DSA
//! PRIVATE KEY`); certificates are `sprig.certificate` objects with `Cert` and `Key` PEM strings, laid out as
//! described in [`certs`]. As in Sprig, `bcrypt`, `htpasswd`, `derivePassword` and `genPrivateKey` report
//! problems in their result text rather than as errors.

mod certs;
mod der;
mod keys;
mod prime;

use std::borrow::Cow;

use base64::Engine as _;
use hmac::Mac as _;

use crate::funcs::{Args, FuncError, Funcs, Param, Signature};
use crate::value::{Object, Value};

use certs::Template;
use keys::PrivateKey;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, Int, List, String};
    // func bcrypt(input string) string
    funcs.register("bcrypt", Signature::new(&[String]), |_, args| Ok(Value::from(bcrypt_hash(args.str(0)?))));
    // func htpasswd(username string, password string) string
    funcs.register("htpasswd", Signature::new(&[String, String]), |_, args| {
        let user = args.str(0)?;
        if user.contains(':') {
            return Ok(Value::from(format!("invalid username: {user}")));
        }
        Ok(Value::from(format!("{user}:{}", bcrypt_hash(args.str(1)?))))
    });
    // func derivePassword(counter uint32, passwordType, password, user, site string) string
    funcs.register("derivePassword", Signature::new(&[Any, String, String, String, String]), |_, args| {
        let counter = match args.value(0)? {
            // An integer constant converts to uint32 by truncation, as reflect.Value.SetUint does.
            Value::Int(n) if *n >= 0 => *n as u32,
            Value::Int(n) => return Err(FuncError::new(format!("expected unsigned integer; found {n}"))),
            Value::Nil => return Err(FuncError::new("invalid value; expected uint32")),
            v => {
                return Err(FuncError::new(format!("wrong type for value; expected uint32; got {}", v.type_name())));
            }
        };
        Ok(Value::from(derive_password(counter, args.str(1)?, args.str(2)?, args.str(3)?, args.str(4)?)))
    });
    // func generatePrivateKey(typ string) string
    funcs.register("genPrivateKey", Signature::new(&[String]), |_, args| {
        let pem = match PrivateKey::generate(args.str(0)?) {
            Ok(key) => key.to_pem().unwrap_or_else(|e| format!("failed to generate private key: {e}")),
            Err(keys::GenerateError::UnknownType(t)) => format!("Unknown type {t}"),
            Err(keys::GenerateError::Failed(e)) => format!("failed to generate private key: {e}"),
        };
        Ok(Value::from(pem))
    });
    // func buildCustomCertificate(b64cert string, b64key string) (certificate, error)
    funcs.register("buildCustomCert", Signature::new(&[String, String]), |_, args| {
        let cert = base64_std_decode(args.str(0)?.as_bytes())
            .map_err(|_| FuncError::new("unable to decode base64 certificate"))?;
        let key = base64_std_decode(args.str(1)?.as_bytes())
            .map_err(|_| FuncError::new("unable to decode base64 private key"))?;
        let (_, der) = keys::pem_decode(&cert).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
        certs::parse_certificate(&der)
            .map_err(|e| FuncError::new(format!("error parsing certificate: decodedCert.Bytes: {e}")))?;
        let key_text = std::string::String::from_utf8_lossy(&key).into_owned();
        PrivateKey::from_pem(&key_text).map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
        Ok(Certificate::value(std::string::String::from_utf8_lossy(&cert).into_owned(), key_text))
    });
    // func generateCertificateAuthority(cn string, daysValid int) (certificate, error)
    funcs.register("genCA", Signature::new(&[String, Int]), |_, args| {
        let template = Template::ca(args.str(0)?, args.int(1)?);
        self_signed(&template, &rsa_2048()?)
    });
    // func generateCertificateAuthorityWithPEMKey(cn string, daysValid int, privPEM string) (certificate, error)
    funcs.register("genCAWithKey", Signature::new(&[String, Int, String]), |_, args| {
        let key = parse_key_arg(args.str(2)?)?;
        self_signed(&Template::ca(args.str(0)?, args.int(1)?), &key)
    });
    // func generateSelfSignedCertificate(cn string, ips []interface{}, alternateDNS []interface{}, daysValid int)
    funcs.register("genSelfSignedCert", Signature::new(&[String, List, List, Int]), |_, args| {
        let template = template_arg(args)?;
        self_signed(&template, &rsa_2048()?)
    });
    // func generateSelfSignedCertificateWithPEMKey(cn, ips, alternateDNS, daysValid, privPEM string)
    funcs.register("genSelfSignedCertWithKey", Signature::new(&[String, List, List, Int, String]), |_, args| {
        let key = parse_key_arg(args.str(4)?)?;
        self_signed(&template_arg(args)?, &key)
    });
    // func generateSignedCertificate(cn, ips, alternateDNS, daysValid int, ca certificate) (certificate, error)
    funcs.register("genSignedCert", Signature::new(&[String, List, List, Int, Any]), |_, args| {
        let (issuer, ca_key) = issuer_arg(args.value(4)?)?;
        let template = template_arg(args)?;
        signed(&template, &rsa_2048()?, &issuer, &ca_key)
    });
    // func generateSignedCertificateWithPEMKey(cn, ips, alternateDNS, daysValid, ca certificate, privPEM string)
    funcs.register("genSignedCertWithKey", Signature::new(&[String, List, List, Int, Any, String]), |_, args| {
        let key = parse_key_arg(args.str(5)?)?;
        let (issuer, ca_key) = issuer_arg(args.value(4)?)?;
        signed(&template_arg(args)?, &key, &issuer, &ca_key)
    });
    // func encryptAES(password string, plaintext string) (string, error)
    funcs.register("encryptAES", Signature::new(&[String, String]), |_, args| {
        encrypt_aes(args.str(0)?, args.str(1)?).map(Value::from)
    });
    // func decryptAES(password string, crypt64 string) (string, error)
    funcs.register("decryptAES", Signature::new(&[String, String]), |_, args| {
        decrypt_aes(args.str(0)?, args.str(1)?).map(Value::from)
    });
}

/// Standard base64 with padding.
pub(crate) fn base64_std(data: &[u8]) -> std::string::String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n` skipped, trailing bits ignored; the error
/// is the offset Go reports (`illegal base64 data at input byte N`).
pub(crate) fn base64_std_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    fn value(c: u8) -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u8; 4];
        let mut len = 4;
        let mut trailing_error = None;
        let mut j = 0;
        while j < 4 {
            let Some(&c) = src.get(si) else {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            };
            si += 1;
            if let Some(v) = value(c) {
                quantum[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            if j == 2 {
                // "==" is expected; the first '=' is consumed.
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_error = Some(si);
            }
            len = j;
            break;
        }
        let v = (u32::from(quantum[0]) << 18)
            | (u32::from(quantum[1]) << 12)
            | (u32::from(quantum[2]) << 6)
            | u32::from(quantum[3]);
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing_error {
            return Err(at);
        }
    }
    Ok(out)
}

/// The 2048-bit RSA key the certificate functions generate.
fn rsa_2048() -> Result<PrivateKey, FuncError> {
    PrivateKey::generate_rsa(2048).map_err(|e| FuncError::new(format!("error generating rsa key: {e}")))
}

/// Sprig's `bcrypt`: `$2a$10$` hash with a random salt, or the failure as text.
fn bcrypt_hash(input: &str) -> std::string::String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".to_string();
    }
    let mut salt = [0u8; 16];
    if let Err(e) = super::random::fill(&mut salt) {
        return format!("failed to encrypt string with bcrypt: {e}");
    }
    match bcrypt::hash_with_salt(input, 10, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// Master Password's templates (Sprig's `passwordTypeTemplates`).
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for (Sprig's `templateCharacters`).
fn template_characters(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => b"",
    }
}

/// Sprig's `derivePassword`: the Master Password algorithm (scrypt N=32768 r=8 p=2 key of the password salted with
/// the user, then HMAC-SHA256 of the site and counter choosing a template and its characters).
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> std::string::String {
    const SEED: &str = "com.lyndir.masterpassword";
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|p| scrypt::scrypt(password.as_bytes(), &salt, &p, &mut key).map_err(|e| e.to_string()));
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut message = SEED.as_bytes().to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: invalid HMAC key".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_characters(c);
            let pick = usize::from(seed.get(i + 1).copied().unwrap_or(0)) % chars.len().max(1);
            char::from(chars.get(pick).copied().unwrap_or(b'?'))
        })
        .collect()
}

/// The PEM key argument of a `*WithKey` function.
fn parse_key_arg(pem: &str) -> Result<PrivateKey, FuncError> {
    PrivateKey::from_pem(pem).map_err(|e| FuncError::new(format!("parsing private key: {e}")))
}

/// The `cn, ips, alternateDNS, daysValid` arguments of the certificate functions.
fn template_arg(args: &Args<'_>) -> Result<Template, FuncError> {
    Template::new(args.str(0)?, args.list(1)?.items(), args.list(2)?.items(), args.int(3)?).map_err(FuncError::new)
}

/// The `ca certificate` argument: its parsed certificate and key.
fn issuer_arg(v: &Value) -> Result<(certs::Issuer, PrivateKey), FuncError> {
    let ca = match v {
        Value::Nil => return Err(FuncError::new("invalid value; expected sprig.certificate")),
        _ => v.downcast_object::<Certificate>().ok_or_else(|| {
            FuncError::new(format!("wrong type for value; expected sprig.certificate; got {}", v.type_name()))
        })?,
    };
    let (_, der) =
        keys::pem_decode(ca.cert.as_bytes()).ok_or_else(|| FuncError::new("unable to decode certificate"))?;
    let issuer = certs::parse_certificate(&der)
        .map_err(|e| FuncError::new(format!("error parsing certificate: decodedSignerCert.Bytes: {e}")))?;
    let key = PrivateKey::from_pem(&ca.key).map_err(|e| FuncError::new(format!("error parsing private key: {e}")))?;
    Ok((issuer, key))
}

fn self_signed(template: &Template, key: &PrivateKey) -> Result<Value, FuncError> {
    let (cert, key) = certs::create(template, key, None, key).map_err(FuncError::new)?;
    Ok(Certificate::value(cert, key))
}

fn signed(
    template: &Template,
    key: &PrivateKey,
    issuer: &certs::Issuer,
    ca_key: &PrivateKey,
) -> Result<Value, FuncError> {
    let (cert, key) = certs::create(template, key, Some(issuer), ca_key).map_err(FuncError::new)?;
    Ok(Certificate::value(cert, key))
}

/// Sprig's `certificate` struct: `Cert` and `Key`, PEM text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Certificate {
    cert: std::string::String,
    key: std::string::String,
}

impl Certificate {
    fn value(cert: std::string::String, key: std::string::String) -> Value {
        Value::object(Certificate { cert, key })
    }
}

impl Object for Certificate {
    fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed("sprig.certificate")
    }

    fn fmt_value(&self) -> std::string::String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::from(self.cert.as_str())),
            "Key" => Some(Value::from(self.key.as_str())),
            _ => None,
        }
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let any: &dyn std::any::Any = other;
        Some(any.downcast_ref::<Certificate>().is_some_and(|o| o == self))
    }
}

/// The AES-256 key Sprig derives from a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// Sprig's `encryptAES`: base64 of a random IV followed by the AES-256-CBC encryption (PKCS#7 padding).
fn encrypt_aes(password: &str, plaintext: &str) -> Result<std::string::String, FuncError> {
    use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    if plaintext.is_empty() {
        return Ok(std::string::String::new());
    }
    let mut iv = [0u8; 16];
    super::random::fill(&mut iv)?;
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let ciphertext = enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
    let mut out = iv.to_vec();
    out.extend(ciphertext);
    Ok(base64_std(&out))
}

/// Sprig's `decryptAES`, with Go's failures (bad base64 is an error; short or misaligned input panics in Go, which
/// templates report as an error). Bytes that are not UTF-8 (a wrong password) are replaced by U+FFFD.
fn decrypt_aes(password: &str, crypt64: &str) -> Result<std::string::String, FuncError> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    if crypt64.is_empty() {
        return Ok(std::string::String::new());
    }
    let crypt = base64_std_decode(crypt64.as_bytes())
        .map_err(|at| FuncError::new(format!("illegal base64 data at input byte {at}")))?;
    let Some((iv, body)) = crypt.split_first_chunk::<16>() else {
        return Err(FuncError::new(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        )));
    };
    if body.len() % 16 != 0 {
        return Err(FuncError::new("crypto/cipher: input not full blocks"));
    }
    let dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), iv.into());
    let plain = dec
        .decrypt_padded_vec_mut::<NoPadding>(body)
        .map_err(|_| FuncError::new("crypto/cipher: input not full blocks"))?;
    let Some(&last) = plain.last() else {
        return Err(FuncError::new("runtime error: index out of range [-1]"));
    };
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(FuncError::new(format!("runtime error: slice bounds out of range [:{keep}]")));
    }
    Ok(std::string::String::from_utf8_lossy(&plain[..keep as usize]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decoding_follows_go() {
        assert_eq!(base64_std_decode(b"aGk="), Ok(b"hi".to_vec()));
        assert_eq!(base64_std_decode(b"aG\nk="), Ok(b"hi".to_vec()));
        assert_eq!(base64_std_decode(b""), Ok(vec![]));
        assert_eq!(base64_std_decode(b"AAAAAAAAAAAAAAAAAAAAAA"), Err(20));
        assert_eq!(base64_std_decode(b"!!"), Err(0));
        assert_eq!(base64_std_decode(b"aG="), Err(3));
        assert_eq!(base64_std_decode(b"aGk=x"), Err(4));
        assert_eq!(base64_std_decode(b"a==="), Err(1));
    }

    #[test]
    fn aes_round_trips_and_rejects_garbage() {
        let c = encrypt_aes("secretkey", "plaintext").unwrap_or_default();
        assert_eq!(decrypt_aes("secretkey", &c).ok().as_deref(), Some("plaintext"));
        assert!(decrypt_aes("k", "AAAA").is_err());
        assert!(decrypt_aes("k", "!!").is_err());
        assert_eq!(encrypt_aes("k", "").ok().as_deref(), Some(""));
    }

    #[test]
    fn derive_password_matches_master_password() {
        // helm v4.1.4: {{ derivePassword 1 "long" "password" "user" "example.com" }}
        assert_eq!(derive_password(1, "long", "password", "user", "example.com"), "ZedaFaxcZaso9*");
        assert_eq!(derive_password(1, "nope", "p", "u", "s"), "cannot find password template nope");
    }
}
