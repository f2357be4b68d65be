//! The OCI Bearer-token flow against a real docker-registry configured for token auth: the registry answers 401 with
//! a `Bearer realm=…` challenge, kiln asks the realm (nginx handing out a token signed with a test key) anonymously,
//! and the registry verifies the JWT (signature against its trusted root, issuer, audience, expiry, access) before
//! serving the chart that `helm push` uploaded through the same flow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use kiln_source::{Fetcher, RefFlags, SourceRef};
use rcgen::SigningKey as _;
use support::*;

/// DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` to JOSE's fixed-width `r || s`.
fn der_to_jose(der: &[u8]) -> Vec<u8> {
    fn int(b: &[u8]) -> (&[u8], &[u8]) {
        assert_eq!(b[0], 0x02, "INTEGER");
        let len = b[1] as usize;
        (&b[2..2 + len], &b[2 + len..])
    }
    assert_eq!(der[0], 0x30, "SEQUENCE");
    let body = if der[1] & 0x80 != 0 { &der[3..] } else { &der[2..] };
    let (r, rest) = int(body);
    let (s, _) = int(rest);
    let mut out = Vec::new();
    for n in [r, s] {
        let n = if n.len() > 32 { &n[n.len() - 32..] } else { n };
        out.extend(std::iter::repeat_n(0u8, 32 - n.len()));
        out.extend_from_slice(n);
    }
    out
}

#[test]
fn oci_bearer_token_flow() {
    let Some(_) = require(&["docker-registry", "nginx", "htpasswd"]) else { return };
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (dir, root, home) = (tmp.path().join("srv"), tmp.path().join("root"), tmp.path().join("home"));
    for d in [&dir, &root.join("charts"), &home] {
        std::fs::create_dir_all(d).unwrap();
    }
    let pki = make_pki(&dir);
    // The token signing key and its self-signed certificate, which the registry trusts.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "kiln token signer");
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("token-root.pem"), cert.pem()).unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let header = serde_json::json!({
        "typ": "JWT", "alg": "ES256",
        "x5c": [base64::engine::general_purpose::STANDARD.encode(cert.der())],
    });
    let claims = serde_json::json!({
        "iss": "kiln-test-issuer", "sub": "", "aud": "kiln-registry", "exp": now + 3600, "nbf": now - 60,
        "iat": now - 60, "jti": "kiln-test-1",
        "access": [{ "type": "repository", "name": "charts/demo", "actions": ["pull", "push"] }],
    });
    let signing_input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let signature = der_to_jose(&key.sign(signing_input.as_bytes()).unwrap());
    let jwt = format!("{signing_input}.{}", b64(&signature));
    std::fs::write(root.join("token.json"), serde_json::json!({ "token": jwt, "access_token": jwt }).to_string())
        .unwrap();

    let nginx = Nginx::start(&dir, &root, "0");
    let registry = Registry::start_token(&dir, &nginx.url("token"));
    let host = registry.host();
    let pkgs = tmp.path().join("pkgs");
    let mut digests = Vec::new();
    for v in ["1.0.0", "1.4.0", "2.0.0"] {
        let c = write_chart(tmp.path(), "demo", v, &[]);
        let tgz = package(&helm, &home, &c, &pkgs);
        let out = run_helm(
            &helm,
            &home,
            &["push", tgz.to_str().unwrap(), &format!("oci://{host}/charts"), "--ca-file", pki.ca.to_str().unwrap()],
        );
        digests.push(out.lines().find_map(|l| l.strip_prefix("Digest: ")).unwrap().trim().to_owned());
    }
    let tokens_before = nginx.log_count("GET /token?");

    // Anonymous: challenge, token from the realm, verified by the registry; tags listed for the range.
    let mut opts = options(&tmp.path().join("cache"), &pki.ca, false);
    opts.connection.registry_config = Some(tmp.path().join("no-config.json"));
    let source = SourceRef::parse(
        &format!("oci://{host}/charts/demo"),
        &RefFlags { version: Some("^1".into()), ..RefFlags::default() },
    )
    .unwrap();
    let f = Fetcher::new(opts.clone()).unwrap().fetch(&source).unwrap();
    assert_eq!(f.revision, format!("1.4.0@{}", digests[1]));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(nginx.log_count("GET /token?") > tokens_before, "the token realm was asked");
    let log = std::fs::read_to_string(dir.join("nginx-access.log")).unwrap();
    assert!(
        log.contains("scope=repository%3Acharts%2Fdemo%3Apull") || log.contains("scope=repository:charts/demo:pull"),
        "{log}"
    );

    // A repository the token does not grant is refused with an authentication error.
    let other = SourceRef::parse(&format!("oci://{host}/charts/other:1.0.0"), &RefFlags::default()).unwrap();
    let err = Fetcher::new(opts).unwrap().fetch(&other).unwrap_err();
    assert!(matches!(err, kiln_source::Error::Auth { .. }), "{err}");
}
