//! The function corpus (`shared/corpus/funcs/cases.json`): 196 template expressions, each rendered by helm v4.1.4
//! as the whole `templates/NOTES.txt` of the corpus chart (`helm install rel CHART -n ns1 --dry-run=client`,
//! `TZ=UTC`). Each case's rendered NOTES must equal Helm's text, or fail when Helm failed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use kiln_plugin_helm::{ChartFile, ReleaseInfo, RenderRequest, read_chart_path, render_templates};

#[test]
fn funcs_corpus() {
    let Some(corpus) = common::corpus_dir() else { return };
    let dir = corpus.join("funcs");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).expect("cases.json")).expect("JSON");
    let chart_files = read_chart_path(&dir.join("chart")).expect("corpus chart");
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or_default();
        let template = case["template"].as_str().unwrap_or_default();
        let mut files = chart_files.clone();
        files.push(ChartFile::new("templates/NOTES.txt", template.as_bytes().to_vec()));
        let req = RenderRequest {
            files,
            release: ReleaseInfo { name: "rel".into(), namespace: "ns1".into(), revision: 1, is_upgrade: false },
            ..Default::default()
        };
        let got = render_templates(&req)
            .map(|files| files.into_iter().find(|(n, _)| n == "probe/templates/NOTES.txt").map(|(_, t)| t));
        let ok = match (case.get("expected").and_then(|e| e.as_str()), &got) {
            (Some(want), Ok(Some(have))) => want == have,
            (None, Err(_)) => true,
            _ => false,
        };
        if !ok {
            eprintln!("FAIL {id}: {template}\n  want {:?}\n  have {got:?}", case.get("expected").or(case.get("error")));
            failures.push(id.to_owned());
        }
    }
    eprintln!("{} passed, {} failed", cases.len() - failures.len(), failures.len());
    assert!(cases.len() >= 196, "too few cases");
    assert!(failures.is_empty(), "failing cases: {failures:?}");
}
