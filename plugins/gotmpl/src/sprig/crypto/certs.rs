//! X.509 certificates as Sprig makes them (`genCA genSelfSignedCert genSignedCert` and their `WithKey` forms):
//! the template of Sprig's `getBaseCertTemplate` encoded the way Go's `x509.CreateCertificate` encodes it.
//!
//! * Version 3, a random 128-bit serial number, subject `CN=<cn>` (no subject at all for an empty CN), issuer the
//!   CA's subject (or the subject itself), validity from now to now + `days` × 24 h.
//! * Extensions, in Go's order: key usage (critical; digital signature + key encipherment, + certificate signing
//!   for a CA), extended key usage (server and client auth), basic constraints (critical; `CA:TRUE` for a CA),
//!   subject key identifier (CAs only: the first 20 bytes of the SHA-256 of the public key, as Go 1.25 does),
//!   authority key identifier (the CA's subject key identifier, when the issuer differs from the subject), and the
//!   subject alternative names (DNS names, then IP addresses; critical when the subject is empty).
//! * Signed with SHA-256 and PKCS#1 v1.5 for RSA keys, ECDSA with SHA-256/SHA-384 for P-256/P-384, Ed25519.

use sha2::Digest as _;

use super::der::{self, Reader, tag};
use super::keys::PrivateKey;
use crate::sprig::dates::time::{Civil, GoTime, Location};
use crate::sprig::network::ip;
use crate::sprig::random;
use crate::value::Value;

/// What goes into a certificate besides the keys (Sprig's `getBaseCertTemplate`).
pub(crate) struct Template {
    cn: String,
    ips: Vec<ip::Addr>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

impl Template {
    /// Validate the IP and DNS lists the way Sprig does (`getNetIPs`, `getAlternateDNSStrs`).
    pub(crate) fn new(cn: &str, ips: &[Value], dns: &[Value], days: i64) -> Result<Template, String> {
        let mut addrs = Vec::with_capacity(ips.len());
        for v in ips {
            let Value::String(s) = v else {
                return Err(format!("error parsing ip: {} is not a string", crate::gofmt::format_v(v)));
            };
            addrs.push(ip::parse_ip(s).ok_or_else(|| format!("error parsing ip: {s}"))?);
        }
        let mut names = Vec::with_capacity(dns.len());
        for v in dns {
            let Value::String(s) = v else {
                return Err(format!(
                    "error processing alternate dns name: {} is not a string",
                    crate::gofmt::format_v(v)
                ));
            };
            names.push(s.to_string());
        }
        Ok(Template { cn: cn.to_string(), ips: addrs, dns: names, days, is_ca: false })
    }

    /// The CA template of `genCA`: no alternative names, certificate signing allowed.
    pub(crate) fn ca(cn: &str, days: i64) -> Template {
        Template { cn: cn.to_string(), ips: Vec::new(), dns: Vec::new(), days, is_ca: true }
    }
}

/// The parts of a parsed issuer certificate that signing needs.
pub(crate) struct Issuer {
    subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    /// The public key algorithm OID (content bytes) and key bits.
    public_key: (Vec<u8>, Vec<u8>),
}

/// Whether an ASN.1 string can be a PrintableString under Go's marshalling rules (no `*` or `&`).
fn printable(s: &str) -> bool {
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric() || (b'\''..=b')').contains(&b) || (b'+'..=b'/').contains(&b) || b" :=?".contains(&b)
    })
}

/// The DER subject `CN=<cn>` (an empty RDN sequence for an empty name).
fn subject(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return der::seq(&[]);
    }
    let value = der::tlv(if printable(cn) { tag::PRINTABLE_STRING } else { tag::UTF8_STRING }, cn.as_bytes());
    let atv = der::seq(&[&der::oid(&[2, 5, 4, 3]), &value]);
    der::seq(&[&der::tlv(tag::SET, &atv)])
}

/// ASN.1 time as Go encodes it: UTCTime for 1950..2049, GeneralizedTime otherwise.
fn asn1_time(t: &Civil) -> Result<Vec<u8>, String> {
    let hms = format!("{:02}{:02}{:02}{:02}{:02}Z", t.month, t.day, t.hour, t.minute, t.second);
    if (1950..2050).contains(&t.year) {
        Ok(der::tlv(tag::UTC_TIME, format!("{:02}{hms}", t.year % 100).as_bytes()))
    } else if (0..=9999).contains(&t.year) {
        Ok(der::tlv(tag::GENERALIZED_TIME, format!("{:04}{hms}", t.year).as_bytes()))
    } else {
        Err("asn1: structure error: cannot represent time as GeneralizedTime".into())
    }
}

/// An extension: SEQUENCE { id, critical DEFAULT FALSE, OCTET STRING value }.
fn extension(id: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        der::seq(&[&der::oid(id), &der::tlv(tag::BOOLEAN, &[0xff]), &der::octets(value)])
    } else {
        der::seq(&[&der::oid(id), &der::octets(value)])
    }
}

/// `x509.CreateCertificate(rand, template, parent, signee's public key, signer)`, PEM-encoded, plus the signee's
/// key as Sprig's `pemBlockForKey` writes it. Errors are Go's texts (Sprig prefixes them).
pub(crate) fn create(
    template: &Template,
    signee: &PrivateKey,
    issuer: Option<&Issuer>,
    signer: &PrivateKey,
) -> Result<(String, String), String> {
    let create_err = |e: String| format!("error creating certificate: {e}");
    let sig_alg = signer.signature_algorithm().map_err(create_err)?;
    let (spki, public_bits) = signee.spki().map_err(create_err)?;
    let subject = subject(&template.cn);
    let issuer_name = issuer.map_or_else(|| subject.clone(), |i| i.subject.clone());
    let authority_key_id = match issuer {
        Some(i) if i.subject != subject => i.subject_key_id.clone(),
        _ => None,
    };
    let subject_key_id = template.is_ca.then(|| sha2::Sha256::digest(&public_bits)[..20].to_vec());
    if let Some(i) = issuer {
        let (signer_spki, signer_bits) = signer.spki().map_err(create_err)?;
        let mut r = Reader::new(&signer_spki);
        let signer_oid = r
            .sequence()
            .and_then(|mut s| s.sequence())
            .and_then(|mut a| a.expect(tag::OID))
            .map(|t| t.content.to_vec())
            .unwrap_or_default();
        if (signer_oid, signer_bits) != i.public_key {
            return Err(create_err("x509: provided PrivateKey doesn't match parent's PublicKey".into()));
        }
    }

    let mut exts: Vec<Vec<u8>> = Vec::new();
    // KeyUsage bits, most significant first: digitalSignature(0), keyEncipherment(2), keyCertSign(5).
    let usage =
        if template.is_ca { der::tlv(tag::BIT_STRING, &[2, 0xa4]) } else { der::tlv(tag::BIT_STRING, &[5, 0xa0]) };
    exts.push(extension(&[2, 5, 29, 15], true, &usage));
    let server_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]);
    let client_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]);
    exts.push(extension(&[2, 5, 29, 37], false, &der::seq(&[&server_auth, &client_auth])));
    let constraints = if template.is_ca { der::seq(&[&der::tlv(tag::BOOLEAN, &[0xff])]) } else { der::seq(&[]) };
    exts.push(extension(&[2, 5, 29, 19], true, &constraints));
    if let Some(id) = &subject_key_id {
        exts.push(extension(&[2, 5, 29, 14], false, &der::octets(id)));
    }
    if let Some(id) = &authority_key_id {
        exts.push(extension(&[2, 5, 29, 35], false, &der::seq(&[&der::tlv(0x80, id)])));
    }
    if !template.dns.is_empty() || !template.ips.is_empty() {
        let mut names = Vec::new();
        for name in &template.dns {
            if !name.is_ascii() {
                return Err(create_err(format!(
                    "x509: {} cannot be encoded as an IA5String",
                    crate::strconv::quote(name)
                )));
            }
            names.push(der::tlv(0x82, name.as_bytes()));
        }
        for addr in &template.ips {
            names.push(der::tlv(0x87, &addr.cert_bytes()));
        }
        let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        exts.push(extension(&[2, 5, 29, 17], template.cn.is_empty(), &der::seq(&refs)));
    }

    let mut serial = [0u8; 16];
    random::fill(&mut serial).map_err(|e| e.to_string())?;
    let now = GoTime::now().in_location(Location::Utc);
    // time.Hour * 24 * time.Duration(daysValid), which wraps in Go as here.
    let not_after = now.add(template.days.wrapping_mul(24 * 3600 * 1_000_000_000));
    let validity =
        der::seq(&[&asn1_time(&now.civil()).map_err(create_err)?, &asn1_time(&not_after.civil()).map_err(create_err)?]);
    let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
    let tbs = der::seq(&[
        &der::explicit(0, &der::small_uint(2)),
        &der::uint(&serial),
        &sig_alg,
        &issuer_name,
        &validity,
        &subject,
        &spki,
        &der::explicit(3, &der::seq(&ext_refs)),
    ]);
    let signature = signer.sign(&tbs).map_err(create_err)?;
    let cert = der::seq(&[&tbs, &sig_alg, &der::bit_string(&signature)]);
    let key_pem = signee.to_pem().map_err(|e| format!("error pem-encoding key: {e}"))?;
    Ok((super::keys::pem_encode("CERTIFICATE", &cert), key_pem))
}

/// A malformed-certificate error in Go's words.
fn malformed(_: der::DerError) -> String {
    "x509: malformed certificate".to_string()
}

/// Parse a DER certificate (structure only, as far as signing with it needs; Go's `x509.ParseCertificate`
/// validates more).
pub(crate) fn parse_certificate(data: &[u8]) -> Result<Issuer, String> {
    let mut outer = Reader::new(data);
    let mut cert = outer.sequence().map_err(malformed)?;
    outer.finish().map_err(|_| "x509: trailing data".to_string())?;
    let mut tbs = cert.sequence().map_err(|_| "x509: malformed tbs certificate".to_string())?;
    cert.sequence().map_err(|_| "x509: malformed signature algorithm identifier".to_string())?;
    cert.expect(tag::BIT_STRING).map_err(|_| "x509: malformed signature".to_string())?;
    cert.finish().map_err(malformed)?;
    tbs.optional(0xa0).map_err(|_| "x509: malformed version".to_string())?;
    tbs.expect(tag::INTEGER).map_err(|_| "x509: malformed serial number".to_string())?;
    tbs.sequence().map_err(|_| "x509: malformed signature algorithm identifier".to_string())?;
    tbs.expect(tag::SEQUENCE).map_err(|_| "x509: malformed issuer".to_string())?;
    let mut validity = tbs.sequence().map_err(|_| "x509: malformed validity".to_string())?;
    for _ in 0..2 {
        let t = validity.read().map_err(|_| "x509: malformed validity".to_string())?;
        if t.tag != tag::UTC_TIME && t.tag != tag::GENERALIZED_TIME {
            return Err("x509: malformed validity".into());
        }
    }
    let subject = tbs.expect(tag::SEQUENCE).map_err(|_| "x509: malformed subject".to_string())?.raw.to_vec();
    let mut spki = tbs.sequence().map_err(|_| "x509: malformed spki".to_string())?;
    let mut alg = spki.sequence().map_err(|_| "x509: malformed spki".to_string())?;
    let alg_oid = alg.expect(tag::OID).map_err(|_| "x509: malformed spki".to_string())?.content.to_vec();
    let bits = spki.expect(tag::BIT_STRING).map_err(|_| "x509: malformed spki".to_string())?.content;
    let key_bits = bits.get(1..).unwrap_or_default().to_vec();
    tbs.optional(0x81).map_err(malformed)?;
    tbs.optional(0x82).map_err(malformed)?;
    let mut subject_key_id = None;
    if let Some(exts) = tbs.optional(0xa3).map_err(|_| "x509: malformed extensions".to_string())? {
        let mut list = Reader::new(exts.content).sequence().map_err(|_| "x509: malformed extensions".to_string())?;
        while !list.is_empty() {
            let mut ext = list.sequence().map_err(|_| "x509: malformed extension".to_string())?;
            let id = ext.expect(tag::OID).map_err(|_| "x509: malformed extension OID field".to_string())?.content;
            ext.optional(tag::BOOLEAN).map_err(|_| "x509: malformed extension critical field".to_string())?;
            let value =
                ext.expect(tag::OCTET_STRING).map_err(|_| "x509: malformed extension value field".to_string())?;
            if der::oid(&[2, 5, 29, 14]).get(2..) == Some(id) {
                let inner =
                    der::single(value.content).map_err(|_| "x509: invalid subject key identifier".to_string())?;
                subject_key_id = Some(inner.content.to_vec());
            }
        }
    }
    Ok(Issuer { subject, subject_key_id, public_key: (alg_oid, key_bits) })
}
