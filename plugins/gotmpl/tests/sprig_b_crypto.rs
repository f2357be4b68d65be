//! Structure of the random outputs of Sprig's crypto functions, checked against what helm v4.1.4 produced.
//!
//! `tests/sprig_b_helm_certs.json` holds the output of one run of the template stored in it under `_template` (CA,
//! leaf, self-signed, ECDSA and Ed25519 certificates, keys of each type, a bcrypt hash and an htpasswd line),
//! rendered with `helm install rel CHART -n ns1 --dry-run=client` (`TZ=UTC`) as a chart's `NOTES.txt`. The tests
//! render the same template here and compare everything that is not random: certificate versions, signature and
//! key algorithms and sizes, names, validity spans, extensions (order, criticality, and the exact values of the
//! non-random ones), issuer chains and signatures; PEM block types and key sizes. They also feed Helm's keys and
//! certificates to the `*WithKey` and `buildCustomCert` functions and check that bcrypt hashes verify both ways.

use std::collections::BTreeMap;

use gotmpl::{Funcs, MissingKey, Options, TemplateSet, Value};
use x509_parser::prelude::*;

fn render(text: &str) -> Result<String, String> {
    let mut funcs = Funcs::builtins();
    gotmpl::sprig::register(&mut funcs);
    let mut set =
        TemplateSet::new("gotpl", funcs).with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
    set.parse("t", text).map_err(|e| e.to_string())?;
    set.execute("t", &Value::map([("Values", Value::map::<&str>([]))])).map_err(|e| e.to_string())
}

fn fixture() -> BTreeMap<String, String> {
    let path = format!("{}/tests/sprig_b_helm_certs.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Our rendering of the fixture's template (once: it generates several RSA keys).
fn ours(helm: &BTreeMap<String, String>) -> &'static BTreeMap<String, String> {
    static OURS: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    OURS.get_or_init(|| {
        let out = render(&helm["_template"]).unwrap_or_else(|e| panic!("render: {e}"));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("our output is not JSON: {e}\n{out}"))
    })
}

/// The DER of the first PEM block, and its type.
fn pem(text: &str) -> (String, Vec<u8>) {
    let (_, p) = x509_parser::pem::parse_x509_pem(text.as_bytes()).unwrap_or_else(|e| panic!("PEM: {e}\n{text}"));
    (p.label, p.contents)
}

/// Everything about a certificate that does not depend on random numbers or the clock.
fn shape(der: &[u8]) -> Vec<String> {
    let (rest, cert) = X509Certificate::from_der(der).unwrap_or_else(|e| panic!("certificate: {e}"));
    assert!(rest.is_empty());
    let tbs = &cert.tbs_certificate;
    let mut out = vec![
        format!("version {:?}", tbs.version),
        format!("serial bytes <= 17: {}", tbs.raw_serial().len() <= 17),
        format!("signature {}", tbs.signature.algorithm),
        format!("outer signature {}", cert.signature_algorithm.algorithm),
        format!("issuer {}", tbs.issuer),
        format!("subject {}", tbs.subject),
        format!("validity {}s", tbs.validity.not_after.timestamp() - tbs.validity.not_before.timestamp()),
        format!("key {}", tbs.subject_pki.algorithm.algorithm),
        format!("key params {:?}", tbs.subject_pki.algorithm.parameters.as_ref().map(|p| p.as_bytes().to_vec())),
    ];
    if let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = tbs.subject_pki.parsed() {
        out.push(format!("rsa bits {} e {:?}", rsa.key_size(), rsa.exponent));
    }
    for ext in tbs.extensions() {
        let oid = ext.oid.to_id_string();
        let value = match oid.as_str() {
            // Key identifiers are hashes of random keys: only their length is fixed.
            "2.5.29.14" | "2.5.29.35" => format!("{} bytes", ext.value.len()),
            _ => format!("{:02x?}", ext.value),
        };
        out.push(format!("ext {oid} critical={} {value}", ext.critical));
    }
    out
}

/// Check that `cert` is signed by `issuer`'s key, and that its authority key identifier names the issuer's.
fn verify_chain(cert_der: &[u8], issuer_der: &[u8]) {
    let (_, cert) = X509Certificate::from_der(cert_der).expect("certificate");
    let (_, issuer) = X509Certificate::from_der(issuer_der).expect("issuer");
    assert_eq!(cert.issuer().as_raw(), issuer.subject().as_raw(), "issuer name");
    let tbs = cert.tbs_certificate.as_ref();
    let sig = cert.signature_value.data.as_ref();
    let key = &issuer.tbs_certificate.subject_pki;
    let key_bits = key.subject_public_key.data.as_ref();
    match key.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::signature::Verifier;
            let pk = rsa::RsaPublicKey::from_pkcs1_der(key_bits).expect("RSA key");
            let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk);
            let s = rsa::pkcs1v15::Signature::try_from(sig).expect("signature");
            vk.verify(tbs, &s).expect("RSA signature verifies");
        }
        "1.2.840.10045.2.1" => {
            use p256::ecdsa::signature::Verifier;
            let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bits).expect("P-256 key");
            let s = p256::ecdsa::Signature::from_der(sig).expect("signature");
            vk.verify(tbs, &s).expect("ECDSA signature verifies");
        }
        "1.3.101.112" => {
            use ed25519_dalek::Verifier;
            let bytes: [u8; 32] = key_bits.try_into().expect("Ed25519 key");
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&bytes).expect("Ed25519 key");
            let s = ed25519_dalek::Signature::from_slice(sig).expect("signature");
            vk.verify(tbs, &s).expect("Ed25519 signature verifies");
        }
        other => panic!("unexpected issuer key {other}"),
    }
    let ski = issuer.extensions().iter().find(|e| e.oid.to_id_string() == "2.5.29.14").map(|e| e.parsed_extension());
    let aki = cert.extensions().iter().find(|e| e.oid.to_id_string() == "2.5.29.35").map(|e| e.parsed_extension());
    if cert.subject().as_raw() != issuer.subject().as_raw() {
        match (ski, aki) {
            (Some(ParsedExtension::SubjectKeyIdentifier(s)), Some(ParsedExtension::AuthorityKeyIdentifier(a))) => {
                assert_eq!(a.key_identifier.as_ref().map(|k| k.0), Some(s.0), "authority key id")
            }
            other => panic!("key identifiers: {other:?}"),
        }
    }
}

/// Issuers of the fixture's signed certificates.
const CHAINS: &[(&str, &str)] = &[
    ("ca", "ca"),
    ("leaf", "ca"),
    ("self", "self"),
    ("self2", "self2"),
    ("eca", "eca"),
    ("eleaf", "eca"),
    ("edca", "edca"),
    ("same", "ca"),
    ("long", "long"),
];

#[test]
fn certificates_have_helms_structure() {
    let helm = fixture();
    let ours = ours(&helm);
    for (name, issuer) in CHAINS {
        let (label, helm_der) = pem(&helm[*name]);
        assert_eq!(label, "CERTIFICATE");
        let (label, our_der) = pem(&ours[*name]);
        assert_eq!(label, "CERTIFICATE", "{name}");
        let (h, o) = (shape(&helm_der), shape(&our_der));
        // Go calls time.Now() twice for the validity; the seconds may differ by one.
        let relax = |v: &Vec<String>| -> Vec<String> {
            v.iter()
                .map(|l| match l.strip_prefix("validity ").and_then(|s| s.strip_suffix('s')) {
                    Some(n) => format!("validity ~{}", n.parse::<i64>().unwrap_or(0).div_euclid(10)),
                    None => l.clone(),
                })
                .collect()
        };
        assert_eq!(relax(&o), relax(&h), "structure of {name}");
        verify_chain(&helm_der, &pem(&helm[*issuer]).1);
        verify_chain(&our_der, &pem(&ours[*issuer]).1);
    }
}

#[test]
fn keys_have_helms_pem_types_and_sizes() {
    let helm = fixture();
    let ours = ours(&helm);
    for name in ["caKey", "leafKey", "ecaKey", "eleafKey", "edcaKey", "rsaKey", "dsaKey"] {
        let (hl, hd) = pem(&helm[name]);
        let (ol, od) = pem(&ours[name]);
        assert_eq!(ol, hl, "{name} PEM type");
        match hl.as_str() {
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                use rsa::traits::PublicKeyParts;
                let h = rsa::RsaPrivateKey::from_pkcs1_der(&hd).expect("helm RSA key");
                let o = rsa::RsaPrivateKey::from_pkcs1_der(&od).expect("our RSA key");
                assert_eq!(o.size(), h.size(), "{name} size");
                assert_eq!(o.e(), h.e());
            }
            // Fixed-size encodings: SEC 1 P-256 and PKCS#8 Ed25519 keys always have the same length.
            "EC PRIVATE KEY" | "PRIVATE KEY" => assert_eq!(od.len(), hd.len(), "{name} length"),
            // OpenSSL's DSA sequence: version then P, Q, G (2048/256 bits), Y, X.
            "DSA PRIVATE KEY" => assert!((od.len() as i64 - hd.len() as i64).abs() < 16, "{name} length"),
            other => panic!("unexpected PEM type {other}"),
        }
    }
}

#[test]
fn helm_keys_and_certificates_are_accepted() {
    let helm = fixture();
    let json = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let b64 = |s: &str| json(&base64_std(s.as_bytes()));
    // A CA rebuilt from Helm's PEM signs a certificate that chains to Helm's CA.
    let out = render(&format!(
        r#"{{{{ $ca := buildCustomCert {} {} }}}}{{{{ (genSignedCert "x" nil (list "x.example") 3 $ca).Cert }}}}"#,
        b64(&helm["ca"]),
        b64(&helm["caKey"])
    ))
    .expect("buildCustomCert + genSignedCert");
    verify_chain(&pem(&out).1, &pem(&helm["ca"]).1);
    // Helm's keys of every type go through the *WithKey functions, and the key comes back unchanged.
    for key in ["caKey", "ecaKey", "edcaKey", "rsaKey"] {
        let out = render(&format!(r#"{{{{ (genCAWithKey "k" 1 {}).Key }}}}"#, json(&helm[key]))).expect(key);
        assert_eq!(out, helm[key], "{key}");
        let out = render(&format!(r#"{{{{ (genSelfSignedCertWithKey "k" nil nil 1 {}).Cert }}}}"#, json(&helm[key])))
            .expect(key);
        verify_chain(&pem(&out).1, &pem(&out).1);
    }
    // As in Go, a DSA key parses but cannot sign.
    let err = render(&format!(r#"{{{{ genCAWithKey "k" 1 {} }}}}"#, json(&helm["dsaKey"]))).expect_err("DSA");
    assert!(
        err.ends_with("error creating certificate: x509: certificate private key does not implement crypto.Signer")
    );
    // A signee key that does not belong to the CA certificate is refused.
    let err = render(&format!(
        r#"{{{{ genSignedCert "x" nil nil 1 (buildCustomCert {} {}) }}}}"#,
        b64(&helm["ca"]),
        b64(&helm["rsaKey"])
    ))
    .expect_err("mismatched CA key");
    assert!(err.ends_with("x509: provided PrivateKey doesn't match parent's PublicKey"), "{err}");
}

fn base64_std(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]) } else { '=' });
        }
    }
    out
}

#[test]
fn bcrypt_hashes_verify_both_ways() {
    let helm = fixture();
    assert_eq!(bcrypt::verify("s3cret pass", &helm["bcrypt"]).ok(), Some(true));
    let (user, hash) = helm["htpasswd"].split_once(':').expect("user:hash");
    assert_eq!((user, bcrypt::verify("pw", hash).ok()), ("admin", Some(true)));
    let ours = ours(&helm);
    assert!(ours["bcrypt"].starts_with("$2a$10$") && ours["bcrypt"].len() == helm["bcrypt"].len());
    assert_eq!(bcrypt::verify("s3cret pass", &ours["bcrypt"]).ok(), Some(true));
    assert_eq!(bcrypt::verify("other", &ours["bcrypt"]).ok(), Some(false));
    let (user, hash) = ours["htpasswd"].split_once(':').expect("user:hash");
    assert_eq!((user, bcrypt::verify("pw", hash).ok()), ("admin", Some(true)));
}

#[test]
fn aes_decrypts_helm_ciphertext_and_round_trips() {
    // helm v4.1.4: {{ encryptAES "secretkey" "plaintext" }}
    let out = render(r#"{{ decryptAES "secretkey" "TVZSSH2vopCn46TV0Gewl8i5OooQ3USn4l8em4foUIE=" }}"#);
    assert_eq!(out.as_deref(), Ok("plaintext"));
    let out = render(r#"{{ $c := encryptAES "pw" "ünïcode text" }}{{ len (b64dec $c) }} {{ decryptAES "pw" $c }}"#);
    assert!(out.as_deref().is_ok_and(|o| o.ends_with(" ünïcode text")), "{out:?}");
    // Random IVs: two encryptions differ.
    let out = render(r#"{{ eq (encryptAES "pw" "x") (encryptAES "pw" "x") }}"#);
    assert_eq!(out.as_deref(), Ok("false"));
}

#[test]
fn random_strings_cover_their_charsets_uniformly() {
    let all = |f: &str, set: &str| {
        let out = render(&format!("{{{{ {f} 20000 }}}}")).expect(f);
        assert_eq!(out.len(), 20000);
        let mut counts: BTreeMap<char, usize> = BTreeMap::new();
        for c in out.chars() {
            assert!(set.contains(c), "{f} gave {c:?}");
            *counts.entry(c).or_default() += 1;
        }
        assert_eq!(counts.len(), set.len(), "{f} covers its charset");
        let expect = 20000 / set.len();
        assert!(counts.values().all(|&n| n > expect / 3 && n < expect * 3), "{f} is roughly uniform: {counts:?}");
    };
    let digits = "0123456789";
    let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    all("randNumeric", digits);
    all("randAlpha", letters);
    all("randAlphaNum", &format!("{digits}{letters}"));
    all("randAscii", &(32u8..=126).map(char::from).collect::<String>());
}

#[test]
fn shuffle_permutes_and_randint_stays_in_range() {
    let out = render(r#"{{ shuffle "abcdéfghij✓" }}"#).expect("shuffle");
    let mut a: Vec<char> = out.chars().collect();
    let mut b: Vec<char> = "abcdéfghij✓".chars().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    let out = render(r#"{{ range until 300 }}{{ randInt -3 4 }},{{ end }}"#).expect("randInt");
    let seen: std::collections::BTreeSet<i64> =
        out.split(',').filter(|s| !s.is_empty()).map(|s| s.parse().unwrap_or(99)).collect();
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![-3, -2, -1, 0, 1, 2, 3]);
    let out = render(r#"{{ $a := uuidv4 }}{{ $b := uuidv4 }}{{ ne $a $b }} {{ len $a }}"#);
    assert_eq!(out.as_deref(), Ok("true 36"));
}

#[test]
fn now_and_ago_follow_the_clock() {
    let year = render(r#"{{ now.Year }} {{ (now).Location }} {{ ago now }} {{ typeOf now }}"#).expect("now");
    let parts: Vec<&str> = year.split(' ').collect();
    assert!(parts[0].parse::<i64>().is_ok_and(|y| y >= 2024), "{year}");
    assert_eq!(&parts[1..], ["UTC", "0s", "time.Time"]);
    // `now` carries a monotonic reading, printed as Go prints it; `date` and `UTC` drop it.
    let out = render(r#"{{ now }}|{{ now.UTC }}|{{ dateModify "1h" now }}"#).expect("now");
    let fields: Vec<&str> = out.split('|').collect();
    assert!(fields[0].contains(" +0000 UTC m=+"), "{out}");
    assert!(!fields[1].contains("m="), "{out}");
    assert!(fields[2].contains(" m=+"), "{out}");
    let out = render(r#"{{ ago (dateModify "-90m" now) }} {{ durationRound (dateModify "-49h" now) }}"#);
    assert_eq!(out.as_deref(), Ok("1h30m0s 2d"));
}
