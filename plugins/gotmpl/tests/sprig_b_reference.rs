//! The date, semver, URL, network, crypto and random functions against the reference: `tests/sprig_b_cases.json`
//! holds template cases and what helm v4.1.4 printed for them (for the random and crypto functions, expressions whose
//! result is deterministic: lengths, charsets, prefixes, errors, and decryption of text Helm encrypted).
//!
//! The fixture was produced by rendering every case as the text between two markers in a chart's `NOTES.txt` (the
//! shared corpus chart, `helm install rel CHART -n ns1 --dry-run=client`, `TZ=UTC`); failing batches were bisected
//! so that every failing case ran alone and its stderr is recorded as `error`. The generator and runner are kept
//! outside the repository (`/work/scratch/sprig-b/ref/cases.py`, `run_helm.py`):
//!
//! ```text
//! python3 cases.py && python3 run_helm.py cases.json plugins/gotmpl/tests/sprig_b_cases.json
//! ```
//!
//! A case with `expected` must render exactly that text. A case with `error` must fail; when Helm printed Go's own
//! execution error (`template: …`, after Helm's `Error: INSTALLATION FAILED: ` prefix) the message must be
//! identical, except for the cases listed in [`MESSAGE_DEVIATIONS`]. (Helm reformats the other errors itself, which
//! is the Helm renderer's business.) Cases in [`KNOWN_DEVIATIONS`] are rendered but not compared.

use gotmpl::{Funcs, MissingKey, Options, TemplateSet, Value};
use serde_json::Value as Json;

/// Cases whose error text differs from Go's, with the reason; they must still fail.
const MESSAGE_DEVIATIONS: &[(&str, &str)] = &[
    ("certs-13", "the PKCS#1 parser's error text is not encoding/asn1's"),
    ("certs-15", "the PKCS#8 parser's error text is not encoding/asn1's"),
];

/// Cases where this port cannot give Go's answer yet, with the reason. They must not panic; their result is not
/// compared.
const KNOWN_DEVIATIONS: &[(&str, &str)] = &[
    ("methods-16", "`int` (spf13/cast) does not convert named integer types such as time.Month"),
    ("methods-17", "the engine's `eq` does not compare named integer types such as time.Weekday with int"),
    ("derive-14", "the engine has no uint32 parameter type, so a computed int is accepted as derivePassword's counter"),
    ("random-7", "`b64dec` of bytes that are not UTF-8 gives U+FFFD replacements (template strings are UTF-8 here)"),
];

/// The chart's values that the cases read (numbers from values files are `float64`).
fn values() -> Value {
    Value::map([
        ("int", Value::Float64(42.0)),
        ("semverish", Value::from("v1.20.0-gke.100")),
        ("url", Value::from("https://example.com:8443/path?q=1&r=2#frag")),
    ])
}

/// Render `text` as Helm renders a chart's notes: Go's builtins and Sprig, `missingkey=zero`, `<no value>` removed.
fn render(text: &str) -> Result<String, String> {
    let mut funcs = Funcs::builtins();
    gotmpl::sprig::register(&mut funcs);
    let mut set =
        TemplateSet::new("gotpl", funcs).with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
    let name = "probe/templates/NOTES.txt";
    set.parse(name, text).map_err(|e| e.to_string())?;
    let data = Value::map([("Values", values())]);
    set.execute(name, &data).map(|out| out.replace("<no value>", "")).map_err(|e| e.to_string())
}

#[test]
fn sprig_b_cases_match_helm() {
    let path = format!("{}/tests/sprig_b_cases.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases = cases.as_array().expect("array of cases");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or_default();
        let template = case["template"].as_str().unwrap_or_default();
        let marked = format!("@@@CASE {id}@@@{template}@@@END@@@\n");
        let got = render(&marked);
        if KNOWN_DEVIATIONS.iter().any(|(k, _)| *k == id) {
            continue;
        }
        if let Some(want) = case.get("expected").and_then(Json::as_str) {
            let inner = got.as_ref().ok().and_then(|out| {
                out.strip_prefix(&format!("@@@CASE {id}@@@")).and_then(|s| s.strip_suffix("@@@END@@@\n"))
            });
            if inner != Some(want) {
                failures.push(format!("{id}: {template}\n   want {want:?}\n    got {got:?}"));
            }
        } else {
            let want = case["error"].as_str().unwrap_or_default();
            let want = want.strip_prefix("Error: INSTALLATION FAILED: ").unwrap_or(want);
            let exact = want.starts_with("template: ") && !MESSAGE_DEVIATIONS.iter().any(|(k, _)| *k == id);
            match &got {
                Err(e) if e == want || !exact => {}
                _ => failures.push(format!("{id}: {template}\n   want error {want:?}\n    got {got:?}")),
            }
        }
    }
    println!("{} passed, {} failed", cases.len() - failures.len(), failures.len());
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

/// The functions this family provides, to pick their cases out of the shared corpus.
const FAMILY: &[&str] = &[
    "ago",
    "date",
    "dateInZone",
    "date_in_zone",
    "dateModify",
    "date_modify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "mustDateModify",
    "must_date_modify",
    "mustToDate",
    "now",
    "toDate",
    "unixEpoch",
    "semver",
    "semverCompare",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "randInt",
    "randBytes",
    "shuffle",
    "uuidv4",
    "getHostByName",
    "urlParse",
    "urlJoin",
];

/// The shared corpus' cases that call these functions (`../shared/corpus/funcs/cases.json`, helm v4.1.4 output),
/// with the corpus' values file as `.Values` and the default capabilities' `KubeVersion` as `.Capabilities`. Skipped
/// when the corpus is absent, except in CI.
#[test]
fn corpus_cases_of_this_family_match_helm() {
    let dir = format!("{}/../../../shared/corpus/funcs", env!("CARGO_MANIFEST_DIR"));
    let (Ok(cases), Ok(values)) =
        (std::fs::read_to_string(format!("{dir}/cases.json")), std::fs::read_to_string(format!("{dir}/values.yaml")))
    else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "corpus missing at {dir}");
        eprintln!("corpus missing at {dir}: skipped");
        return;
    };
    let cases: Json = serde_json::from_str(&cases).expect("cases.json is JSON");
    let values = kiln_yaml::from_str_with(&values, &kiln_yaml::LoadOptions::helm()).expect("values.yaml loads");
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mentions = |t: &str, name: &str| {
        t.match_indices(name).any(|(i, _)| {
            !t[..i].chars().next_back().is_some_and(|c| is_word(c) || c == '.' || c == '$')
                && !t[i + name.len()..].chars().next().is_some_and(is_word)
        })
    };
    let (mut ran, mut failures) = (0, Vec::new());
    for case in cases.as_array().expect("array of cases") {
        let id = case["id"].as_str().unwrap_or_default();
        let template = case["template"].as_str().unwrap_or_default();
        if !FAMILY.iter().any(|f| mentions(template, f)) {
            continue;
        }
        ran += 1;
        let capabilities = Value::map([("KubeVersion", Value::map([("GitVersion", Value::from("v1.35.0"))]))]);
        let data = Value::map([
            ("Values", Value::from_yaml(&values, gotmpl::NumberMode::Float64)),
            ("Capabilities", capabilities),
        ]);
        let mut funcs = Funcs::builtins();
        gotmpl::sprig::register(&mut funcs);
        let mut set = TemplateSet::new("gotpl", funcs)
            .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
        let got = set
            .parse("probe/templates/NOTES.txt", template)
            .map_err(|e| e.to_string())
            .and_then(|_| set.execute("probe/templates/NOTES.txt", &data).map_err(|e| e.to_string()))
            .map(|out| out.replace("<no value>", ""));
        match (case.get("expected").and_then(Json::as_str), &got) {
            (Some(want), Ok(out)) if out == want => {}
            (None, Err(_)) => {}
            (want, _) => failures.push(format!("{id}: {template}\n   want {want:?}\n    got {got:?}")),
        }
    }
    println!("corpus: {ran} cases of this family, {} failed", failures.len());
    assert!(ran >= 14, "the corpus should have this family's cases ({ran} found)");
    assert!(failures.is_empty(), "{} failing corpus cases:\n{}", failures.len(), failures.join("\n"));
}
