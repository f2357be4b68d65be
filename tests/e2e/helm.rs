//! Helm fidelity: every case of `../shared/corpus/helm` through the real `kiln template`, compared byte for byte
//! with the reference `helm template` output (random tokens masked where the case says the chart is not
//! deterministic, as `../shared/tools/helm-conformance` does).
//!
//! `tests/e2e/helm-known-failures.txt` lists cases that do not pass yet, one per line with a reason. The test fails
//! when a case outside the list fails, and also when a listed case passes (so the list only ever shrinks).

use std::path::{Path, PathBuf};

use crate::support::{self, require, run_kiln, text};

struct Case {
    name: String,
    args: Vec<String>,
    expected_ok: Option<String>,
    /// What helm printed on stderr, for a case where it fails.
    expected_err: Option<String>,
    deterministic: bool,
}

fn corpus() -> Option<PathBuf> {
    let d = support::repo_root().join("../shared/corpus/helm");
    require("../shared/corpus/helm", d.is_dir().then_some(d))
}

fn load_case(dir: &Path) -> Case {
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).expect("case.json")).expect("json");
    let s = |k: &str| spec[k].as_str().unwrap_or_default().to_owned();
    let chart = dir.join(s("chart"));
    let mut args =
        vec!["template".to_owned(), s("release"), chart.display().to_string(), "--namespace".into(), s("namespace")];
    for v in spec["values"].as_array().into_iter().flatten() {
        args.push("-f".into());
        args.push(dir.join(v.as_str().unwrap_or_default()).display().to_string());
    }
    args.extend(spec["args"].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_owned)));
    let expected_ok = (spec["exit_code"].as_i64() == Some(0))
        .then(|| std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml"));
    let expected_err = std::fs::read_to_string(dir.join("expected.err")).ok();
    Case {
        name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        args,
        expected_ok,
        expected_err,
        deterministic: spec["deterministic"].as_bool().unwrap_or(true),
    }
}

/// The conformance tool's masking: lines equal, or equal once runs of 5+ token characters are ignored.
fn masked_equal(a: &str, b: &str) -> bool {
    fn shape(line: &str) -> Vec<String> {
        let mut parts = Vec::new();
        let mut cur = String::new();
        let mut run = String::new();
        for c in line.chars() {
            if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') {
                run.push(c);
            } else {
                if run.chars().count() < 5 {
                    cur.push_str(&run);
                } else {
                    parts.push(std::mem::take(&mut cur));
                }
                run.clear();
                cur.push(c);
            }
        }
        if run.chars().count() < 5 {
            cur.push_str(&run);
        } else {
            parts.push(std::mem::take(&mut cur));
        }
        parts.push(cur);
        parts
    }
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    la.len() == lb.len() && la.iter().zip(&lb).all(|(x, y)| x == y || shape(x) == shape(y))
}

/// Whether kiln's stderr is the error helm printed. Helm lists the schema failures of several properties in Go's
/// random map order, so those compare as sets of lines.
fn same_error(got: &str, want: &str) -> bool {
    fn lines(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s.lines().collect();
        v.sort_unstable();
        v
    }
    got == want || (want.contains("specifications of the schema") && lines(got) == lines(want))
}

fn first_difference(got: &str, want: &str) -> String {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            return format!("line {}:\n  kiln: {g}\n  helm: {w}", i + 1);
        }
    }
    format!("lengths differ: kiln {} lines, helm {} lines", got.lines().count(), want.lines().count())
}

#[test]
fn helm_corpus_matches_helm_template() {
    let Some(dir) = corpus() else { return };
    let known_file = support::repo_root().join("tests/e2e/helm-known-failures.txt");
    let known: Vec<String> = std::fs::read_to_string(&known_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split('#').next().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
        .collect();
    let cache = support::shared_cache();
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(dir.join("cases")).expect("cases").flatten().map(|e| e.path()).collect();
    cases.sort();
    let (mut passed, mut problems) = (0, Vec::new());
    for case in cases.iter().map(|c| load_case(c)) {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let out = run_kiln(&args, "", cache);
        let (stdout, stderr) = text(&out);
        let result = match &case.expected_ok {
            Some(_) if !out.status.success() => Err(format!("exit {:?}: {}", out.status.code(), stderr.trim())),
            Some(want) if stdout == *want || (!case.deterministic && masked_equal(&stdout, want)) => Ok(()),
            Some(want) => Err(first_difference(&stdout, want)),
            None if out.status.success() => Err("helm fails on this case; kiln succeeded".to_owned()),
            None => {
                assert!(!stderr.contains("panicked"), "{}: kiln panicked: {stderr}", case.name);
                match &case.expected_err {
                    Some(want) if !same_error(&stderr, want) => {
                        Err(format!("stderr differs from helm's:\n--- kiln\n{stderr}--- helm\n{want}"))
                    }
                    _ => Ok(()),
                }
            }
        };
        let listed = known.contains(&case.name);
        match (result, listed) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => {
                problems.push(format!("{}: passes now; remove it from helm-known-failures.txt", case.name))
            }
            (Err(e), false) => problems.push(format!("{}: {e}", case.name)),
            (Err(_), true) => {}
        }
    }
    eprintln!("helm corpus: {passed} of {} cases pass ({} known failures)", cases.len(), known.len());
    assert!(problems.is_empty(), "helm corpus problems:\n{}", problems.join("\n"));
}

/// The README's main command: the shipped example chart renders exactly as `helm template shop
/// examples/charts/shop` (helm v4.1.4) printed it into `examples/charts/shop.expected.yaml`.
#[test]
fn example_chart_matches_helm_template() {
    let root = support::repo_root();
    let cache = support::shared_cache();
    let chart = root.join("examples/charts/shop");
    let out = run_kiln(&["template", "shop", chart.to_str().expect("utf8")], "", cache);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let want = std::fs::read_to_string(root.join("examples/charts/shop.expected.yaml")).expect("expected");
    assert!(stdout == want, "{}", first_difference(&stdout, &want));
}

/// Values from the command line change the output the way they change Helm's.
#[test]
fn example_chart_with_values() {
    let root = support::repo_root();
    let cache = support::shared_cache();
    let chart = root.join("examples/charts/shop");
    let out = run_kiln(
        &[
            "template",
            "web",
            chart.to_str().expect("utf8"),
            "-n",
            "prod",
            "--set",
            "autoscaling.enabled=true,ingress.enabled=false",
            "--skip-tests",
        ],
        "",
        cache,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("kind: HorizontalPodAutoscaler") && !stdout.contains("kind: Ingress"), "{stdout}");
    assert!(!stdout.contains("test-connection"), "{stdout}");
    assert!(stdout.contains("name: web-shop"), "{stdout}");
    // A schema violation is refused with the path named.
    let out = run_kiln(&["template", "web", chart.to_str().expect("utf8"), "--set", "replicaCount=-1"], "", cache);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("replicaCount"), "{stderr}");
}

/// kiln's own Helm cases (`plugins/helm/tests/charts/cases.txt`, expectations printed by helm v4.1.4) through the
/// real binary: the renderer's tests check the plugin alone, this checks what `kiln template` prints around it
/// (the release manifest's line break when only hooks or nothing render, hook placement, exit codes).
#[test]
fn own_helm_cases_through_the_binary() {
    let dir = support::repo_root().join("plugins/helm/tests/charts");
    let cache = support::shared_cache();
    let cases = std::fs::read_to_string(dir.join("cases.txt")).expect("cases.txt");
    let mut problems = Vec::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut parts = line.splitn(3, '|');
        let (Some(name), Some(chart), args) = (parts.next(), parts.next(), parts.next().unwrap_or("")) else {
            panic!("malformed line in cases.txt: {line}");
        };
        count += 1;
        let chart_path = dir.join(chart).display().to_string();
        let mut argv = vec!["template", "rel", chart_path.as_str()];
        argv.extend(args.split_whitespace());
        let out = run_kiln(&argv, "", cache);
        let (stdout, stderr) = text(&out);
        assert!(!stderr.contains("panicked"), "{name}: kiln panicked: {stderr}");
        match std::fs::read_to_string(dir.join("expected").join(format!("{name}.out"))) {
            Ok(_) if !out.status.success() => problems.push(format!("{name}: exit {:?}: {stderr}", out.status.code())),
            Ok(want) if stdout != want => problems.push(format!("{name}: {}", first_difference(&stdout, &want))),
            Ok(_) => {}
            Err(_) if out.status.success() => problems.push(format!("{name}: helm fails on this case; kiln succeeded")),
            Err(_) => {
                let want =
                    std::fs::read_to_string(dir.join("expected").join(format!("{name}.err"))).unwrap_or_default();
                if !same_error(&stderr, &want) {
                    problems.push(format!("{name}: stderr differs from helm's:\n--- kiln\n{stderr}--- helm\n{want}"));
                }
            }
        }
    }
    assert!(count > 20, "cases.txt lists only {count} cases");
    assert!(problems.is_empty(), "own helm cases through kiln template:\n{}", problems.join("\n"));
}

/// Every file under `root`, by path relative to it, with its bytes.
fn tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.clone());
                out.push((rel, std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// `--output-dir` writes the same files, byte for byte, and prints the same lines as `helm template` (CRDs with
/// their trailing blank line, outside the release directory with `--release-name`; one `wrote` line per document).
#[test]
fn output_dir_matches_helm() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let chart = support::repo_root().join("plugins/helm/tests/charts/parent").display().to_string();
    let cache = support::shared_cache();
    for extra in [&["--include-crds"][..], &["--include-crds", "--release-name"], &["--no-hooks", "--skip-tests"]] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (h, k) = (tmp.path().join("helm"), tmp.path().join("kiln"));
        std::fs::create_dir_all(&h).expect("mkdir");
        std::fs::create_dir_all(&k).expect("mkdir");
        let args: Vec<&str> = ["template", "rel", chart.as_str(), "--output-dir", "out"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let ho = std::process::Command::new(&helm).args(&args).current_dir(&h).output().expect("run helm");
        let ko = support::kiln().args(&args).current_dir(&k).env("KILN_CACHE_DIR", cache).output().expect("run kiln");
        assert!(ho.status.success() && ko.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&ko.stderr));
        assert_eq!(String::from_utf8_lossy(&ko.stdout), String::from_utf8_lossy(&ho.stdout), "{extra:?}: stdout");
        let (ht, kt) = (tree(&h.join("out")), tree(&k.join("out")));
        assert_eq!(
            kt.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            ht.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
            "{extra:?}: files"
        );
        for ((path, kb), (_, hb)) in kt.iter().zip(&ht) {
            assert_eq!(String::from_utf8_lossy(kb), String::from_utf8_lossy(hb), "{extra:?}: {}", path.display());
        }
    }
}

/// Command lines copied from `helm install` (waits, release records, cluster connections) render as `helm template`
/// renders them: the same bytes and exit code as helm v4.1.4 with the same flags.
#[test]
fn install_flags_render_as_helm_template_does() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let chart = support::repo_root().join("plugins/helm/tests/charts/parent").display().to_string();
    let cache = support::shared_cache();
    let flags: &[&[&str]] = &[
        &["--create-namespace", "--wait", "--timeout", "10m", "--wait-for-jobs", "--atomic", "--debug"],
        &["--skip-crds", "--include-crds", "--description", "x", "--labels", "a=b,c=d", "--replace", "--dry-run"],
        &["--kube-context", "prod", "--kubeconfig", "/nonexistent", "--dry-run=client", "--server-side=false"],
        &["--render-subchart-notes", "--hide-notes", "--disable-openapi-validation", "--take-ownership", "--force"],
        // Boolean flags take Go's ParseBool spellings after `=`, as pflag's do.
        &["--include-crds=true", "--skip-tests=false", "--no-hooks=0", "--is-upgrade=T", "--enable-dns=false"],
        &["--include-crds=1", "--no-hooks=False", "--skip-tests=TRUE", "--validate=false", "--debug=f"],
    ];
    for extra in flags {
        let args: Vec<&str> = ["template", "rel", chart.as_str()].into_iter().chain(extra.iter().copied()).collect();
        let ho = std::process::Command::new(&helm).args(&args).output().expect("run helm");
        let ko = support::kiln().args(&args).env("KILN_CACHE_DIR", cache).output().expect("run kiln");
        assert!(ho.status.success(), "{extra:?}: helm failed: {}", String::from_utf8_lossy(&ho.stderr));
        assert!(ko.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&ko.stderr));
        assert_eq!(String::from_utf8_lossy(&ko.stdout), String::from_utf8_lossy(&ho.stdout), "{extra:?}");
    }
}

/// Flags whose effect kiln does not reproduce are refused with the reason, never ignored; under `kiln apply`, a
/// Helm connection flag after `template` is refused (it would not choose the cluster), before any connection.
#[test]
fn unsupported_helm_flags_are_refused_with_a_reason() {
    let chart = support::repo_root().join("plugins/helm/tests/charts/parent").display().to_string();
    let cache = support::temp_cache();
    for (extra, want) in [
        (&["--dry-run=server"][..], "needs a cluster"),
        (&["--dry-run=none"], "invalid dry-run value (\"none\")"),
        (&["--validate"], "needs a cluster"),
        (&["--name-template", "{{ randAlpha 5 }}"], "--name-template is not supported"),
        (&["--enable-dns"], "--enable-dns is not supported"),
        (&["--dependency-update"], "--dependency-update is not supported"),
        (&["--verify"], "not supported"),
        (&["--include-crds=maybe"], "invalid boolean \"maybe\""),
    ] {
        let args: Vec<&str> = ["template", "rel", chart.as_str()].into_iter().chain(extra.iter().copied()).collect();
        let out = run_kiln(&args, "", cache.path());
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success() && stdout.is_empty(), "{extra:?} was accepted");
        assert!(stderr.contains(want), "{extra:?}: {stderr}");
    }
    let out = run_kiln(&["apply", "template", "rel", chart.as_str(), "--kube-context", "prod"], "", cache.path());
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "apply accepted --kube-context after template");
    assert!(stderr.contains("--kube-context after `template` does not choose the cluster"), "{stderr}");
}

/// `-f` is a pflag string slice: `-f a.yaml,b.yaml` names two files, quoted names may hold commas, and malformed
/// lists, missing files and directories fail with helm's own words. Both tools run on the same inputs.
#[test]
fn values_file_lists_match_helm() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    for (path, text) in [
        ("chart/Chart.yaml", "apiVersion: v2\nname: vf\nversion: 0.1.0\n"),
        (
            "chart/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.a | quote }}\n  b: {{ .Values.b | quote }}\n",
        ),
        ("a.yaml", "a: one\n"),
        ("b.yaml", "b: two\n"),
        ("c,d.yaml", "a: comma\n"),
    ] {
        std::fs::create_dir_all(dir.join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(dir.join(path), text).expect("write");
    }
    std::fs::create_dir_all(dir.join("adir")).expect("mkdir");
    let cache = support::shared_cache();
    for list in ["a.yaml,b.yaml", "\"c,d.yaml\",b.yaml", "a.yaml,\"b", "x\"y", "a.yaml,missing.yaml", "adir", ""] {
        let args = ["template", "r", "chart", "-f", list];
        let ho = std::process::Command::new(&helm).args(args).current_dir(dir).output().expect("run helm");
        let ko = support::kiln().args(args).current_dir(dir).env("KILN_CACHE_DIR", cache).output().expect("run kiln");
        assert_eq!(ko.status.success(), ho.status.success(), "-f {list}: {}", String::from_utf8_lossy(&ko.stderr));
        assert_eq!(String::from_utf8_lossy(&ko.stdout), String::from_utf8_lossy(&ho.stdout), "-f {list}");
        assert_eq!(String::from_utf8_lossy(&ko.stderr), String::from_utf8_lossy(&ho.stderr), "-f {list}");
    }
}

/// `--debug` on a render that fails once the release exists: Helm prints the rendered templates on stdout (all of
/// them, unparsed, when the manifests are not valid YAML; a lone line break when a template failed; filtered by
/// `--show-only`, whose unmatched pattern replaces the error) and drops its "Use --debug" hint. Errors before the
/// release (values against the schema) print nothing. Helm walks a map for the dump, so its order varies: the
/// dumps are compared as sets of `# Source:` documents, everything else byte for byte. (No hooks here: Helm
/// appends the hooks its sorter had collected before the failure, which depends on that map order too.)
#[test]
fn debug_dumps_what_rendered_when_rendering_fails() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let chart = |name: &str, files: &[(&str, &str)]| {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
        std::fs::write(dir.join("Chart.yaml"), format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"))
            .expect("write");
        for (path, content) in files {
            std::fs::write(dir.join(path), content).expect("write");
        }
        dir.display().to_string()
    };
    let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n";
    let badyaml = chart(
        "badyaml",
        &[
            ("templates/ok.yaml", ok),
            ("templates/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: b\n c: d\n"),
            ("templates/blank.yaml", "{{- if false }}\nx: 1\n{{- end }}\n"),
            ("templates/_helpers.tpl", "{{- define \"x\" }}y{{ end }}\n"),
            ("templates/NOTES.txt", "notes\n"),
        ],
    );
    let failing = chart("failing", &[("templates/ok.yaml", ok), ("templates/x.yaml", "{{ fail \"boom\" }}\n")]);
    let schema = chart(
        "schema",
        &[("templates/ok.yaml", ok), ("values.schema.json", r#"{"type": "object", "required": ["needed"]}"#)],
    );
    let cache = support::shared_cache();
    // The dump's documents as a set; which one comes last (and so loses its trailing blank line to Helm's
    // TrimSpace) follows the order, so trailing whitespace is compared through the total length instead.
    let sources = |s: &str| {
        let mut docs: Vec<String> = s.split("---\n# Source: ").map(|d| d.trim_end().to_owned()).collect();
        docs.sort();
        docs
    };
    let cases: &[&[&str]] = &[
        &[badyaml.as_str(), "--debug"],
        &[badyaml.as_str()],
        &[badyaml.as_str(), "--debug", "--show-only", "templates/ok.yaml"],
        &[badyaml.as_str(), "--debug", "--show-only", "templates/nope.yaml"],
        &[failing.as_str(), "--debug"],
        &[failing.as_str()],
        &[schema.as_str(), "--debug"],
    ];
    for extra in cases {
        let args: Vec<&str> = ["template", "rel"].into_iter().chain(extra.iter().copied()).collect();
        let ho = std::process::Command::new(&helm).args(&args).output().expect("run helm");
        let ko = support::kiln().args(&args).env("KILN_CACHE_DIR", cache).output().expect("run kiln");
        let ((hout, herr), (kout, kerr)) = (text(&ho), text(&ko));
        assert_eq!(ko.status.code(), ho.status.code(), "{extra:?}: {kerr}");
        assert_eq!(sources(&kout), sources(&hout), "{extra:?}: stdout");
        assert_eq!(kout.len(), hout.len(), "{extra:?}: stdout length");
        // The error (Helm's --debug also logs `level=DEBUG` lines before it; kiln its own debug records).
        let error = |e: &str| e.split("Error: ").last().unwrap_or_default().trim_end().to_owned();
        assert_eq!(error(&kerr), error(&herr), "{extra:?}: stderr");
    }
}

/// Helm's render warnings reach stderr as plain lines when stderr is not a terminal: no colour escapes, no
/// timestamp (CI logs and files read them).
#[test]
fn warnings_are_plain_text_when_piped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: old\nversion: 0.1.0\ndeprecated: true\n")
        .expect("write");
    std::fs::write(dir.join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        .expect("write");
    let chart = dir.display().to_string();
    let out = run_kiln(&["template", "rel", chart.as_str()], "", support::shared_cache());
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("name: c"), "{stdout}");
    let line = stderr.lines().find(|l| l.contains("this chart is deprecated")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(!stderr.contains('\u{1b}'), "colour escapes in piped stderr: {stderr:?}");
    assert!(line.trim_start().starts_with("WARN"), "a timestamp or other prefix: {line:?}");
}

/// Schemas that fail their meta-schema (types such as `"int"`, patterns and `patternProperties` names Go's regexp
/// refuses, empty or mistyped schema lists, non-schemas where a schema belongs) in every draft Helm's validator
/// knows, generated from a fixed seed: the same exit code and the same report lines as helm v4.1.4. The lines are
/// compared as a set, since the validator orders side-by-side failures by Go map iteration.
#[test]
fn meta_schema_failures_match_helm() {
    let Some(helm) = require("reference helm (KILN_REF_HELM)", std::env::var_os("KILN_REF_HELM")) else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("templates")).expect("mkdir");
    std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n").expect("write");
    std::fs::write(dir.join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        .expect("write");
    let chart = dir.display().to_string();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let drafts = [
        None,
        None,
        Some("https://json-schema.org/draft/2019-09/schema"),
        Some("http://json-schema.org/draft-07/schema#"),
        Some("http://json-schema.org/draft-06/schema#"),
        Some("http://json-schema.org/draft-04/schema#"),
    ];
    let (mut failing, mut cases) = (0, 0);
    while failing < 40 && cases < 400 {
        cases += 1;
        let mut schema = random_schema(&mut rng, 0);
        if let (Some(Some(url)), Some(obj)) = (drafts.get(rng.below(drafts.len())), schema.as_object_mut()) {
            obj.insert("$schema".into(), serde_json::Value::String((*url).into()));
        }
        std::fs::write(dir.join("values.schema.json"), schema.to_string()).expect("write");
        let args = ["template", "rel", chart.as_str()];
        let ho = std::process::Command::new(&helm).args(args).output().expect("run helm");
        let ko = support::kiln().args(args).env("KILN_CACHE_DIR", support::shared_cache()).output().expect("run kiln");
        if ho.status.success() && ko.status.success() {
            continue;
        }
        failing += 1;
        let lines = |o: &std::process::Output| {
            let mut l: Vec<String> = String::from_utf8_lossy(&o.stderr).lines().map(str::to_owned).collect();
            l.sort();
            l
        };
        assert_eq!(ko.status.code(), ho.status.code(), "{schema}\nkiln: {}", String::from_utf8_lossy(&ko.stderr));
        assert_eq!(lines(&ko), lines(&ho), "{schema}");
    }
    assert!(failing >= 40, "only {failing} of {cases} generated schemas failed");
}

/// xorshift64: a fixed sequence, so the generated cases are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or_default()
    }
}

fn random_schema(rng: &mut Rng, depth: usize) -> serde_json::Value {
    use serde_json::{Value, json};
    let keywords = [
        "type",
        "type",
        "pattern",
        "properties",
        "items",
        "allOf",
        "$defs",
        "definitions",
        "additionalProperties",
        "not",
        "if",
        "then",
        "patternProperties",
        "prefixItems",
        "anyOf",
        "additionalItems",
        "contains",
        "propertyNames",
        "dependentSchemas",
        "unevaluatedProperties",
    ];
    let mut map = serde_json::Map::new();
    for _ in 0..rng.below(4) {
        let k = rng.pick(&keywords);
        let value = match k {
            "type" => match rng.below(9) {
                0 => json!("string"),
                1 => json!("int"),
                2 => json!("bool"),
                3 => json!(["string", "int"]),
                4 => json!([]),
                5 => json!(["string", "string"]),
                6 => json!(5),
                7 => Value::Null,
                _ => json!(["object", "null"]),
            },
            "pattern" => json!(rng.pick(&["^a+$", "(?!x)", "[a-z]", "(?=y)"])),
            _ if depth > 2 => continue,
            _ if rng.below(12) == 0 => [json!(true), json!(false), json!([]), json!("x"), json!(3)]
                .get(rng.below(5))
                .cloned()
                .unwrap_or_default(),
            "properties" | "$defs" | "definitions" | "dependentSchemas" => {
                let mut m = serde_json::Map::new();
                for _ in 0..=rng.below(2) {
                    m.insert(rng.pick(&["a", "b", "c"]).into(), random_schema(rng, depth + 1));
                }
                Value::Object(m)
            }
            "patternProperties" => {
                let mut m = serde_json::Map::new();
                m.insert(rng.pick(&["^a", "(?!z)", "b"]).into(), random_schema(rng, depth + 1));
                Value::Object(m)
            }
            "allOf" | "anyOf" | "prefixItems" => {
                Value::Array((0..=rng.below(2)).map(|_| random_schema(rng, depth + 1)).collect())
            }
            "items" if rng.below(5) == 0 => Value::Array(vec![random_schema(rng, depth + 1)]),
            _ => random_schema(rng, depth + 1),
        };
        map.insert(k.into(), value);
    }
    Value::Object(map)
}
