//! The skim fast path against the full loader: whenever `skim_helm` answers, the full loader must load the same
//! document without error and give the same values for the paths asked for. Checked on every YAML fixture of this
//! crate, the examples, the shared Helm corpus's rendered manifests when `../shared` is present, and many random
//! mutations of each (set `KILN_SKIM_MUTATIONS` to run more).

mod common;
use common::Rng;
use kiln_yaml::skim::{Want, helm_head as head, skim_helm};
use kiln_yaml::{Map, Value};
use std::path::{Path, PathBuf};

/// A second shape, deeper: `spec.replicas` and `spec.selector.matchLabels.*`.
fn spec(path: &[&str]) -> Want {
    match path {
        ["spec"] | ["spec", "selector"] | ["spec", "selector", "matchLabels"] => Want::Descend,
        ["spec", "replicas"] | ["spec", "selector", "matchLabels", _] => Want::Value,
        _ => Want::Skip,
    }
}

/// The full value reduced to the paths `want` asks for, as the skim returns it.
fn prune(v: &Value, want: &dyn Fn(&[&str]) -> Want, path: &mut Vec<String>) -> Value {
    let Value::Map(m) = v else { return v.clone() };
    let mut out = Map::new();
    for (k, child) in m {
        path.push(k.clone());
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match want(&p) {
            Want::Skip => {}
            Want::Value => {
                out.insert(k.clone(), child.clone());
            }
            Want::Descend => {
                out.insert(k.clone(), prune(child, want, path));
            }
        }
        path.pop();
    }
    Value::Map(out)
}

/// Check one document with one shape; true when the skim answered.
fn check(doc: &str, want: &dyn Fn(&[&str]) -> Want) -> bool {
    let Some(skimmed) = skim_helm(doc, want) else { return false };
    let full = match kiln_yaml::from_str(doc) {
        Ok(v) => v,
        Err(e) => panic!("the skim accepted a document the loader refuses ({e}):\n{doc}\n---- skimmed: {skimmed:?}"),
    };
    let expected = prune(&full, want, &mut Vec::new());
    assert_eq!(skimmed, expected, "the skim disagrees with the loader on:\n{doc}");
    true
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|e| matches!(e.to_str(), Some("yaml" | "yml" | "helm" | "pretty"))) {
            out.push(p);
        }
    }
}

/// Documents split the way Helm's sorter splits rendered files (at `---` line starts), trimmed.
fn documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") {
            docs.push(std::mem::take(&mut cur));
        } else {
            cur.push_str(line);
        }
    }
    docs.push(cur);
    docs.into_iter().map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect()
}

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("tests/fixtures"), &mut files);
    files_under(&root.join("../../examples"), &mut files);
    files_under(&root.join("../../../shared/corpus/helm/cases"), &mut files);
    let mut docs = Vec::new();
    for f in files {
        if let Ok(text) = std::fs::read_to_string(&f) {
            docs.extend(documents(&text));
        }
    }
    docs.extend(HANDWRITTEN.iter().map(|s| s.to_string()));
    docs
}

const HANDWRITTEN: &[&str] = &[
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    ax: \"1\"\n    ay: 2\n    # a comment\ndata:\n  k: |\n    line\n\n    more\n  j: >-\n    folded\n",
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n- b\n-\n  c: d\n",
    "metadata:\n  name: a long name\n    continued here\n\n    after a blank\nkind: K # comment\n",
    "# only a comment\n# and another",
    "kind: [a, \"b\", 'c']\nmetadata: {}\napiVersion: {}\n",
    "Kind: X\nkind: Y\nKIND: Z\nmetadata:\n  name: a\nmetadata:\n  Name: b\n",
    "metadata:\n  annotations:\n    helm.sh/hook: pre-install,post-install\n    helm.sh/hook-weight: \"-5\"\n    kn: null\n    kb: yes\n    kf: 1.5e3\n    ko: 0o17\n    kt: 2001-12-14\n",
    "spec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels: {}\n    spec:\n      containers:\n      - name: c\n        args: [\"--a\", -b, c d]\n",
    "a:\n- x\n- y\nb:\n  - z\nc: 'it''s'\nd: \"tab\\tbed\"\ne: .inf\n",
];

const TOKENS: &[&str] = &[
    " ",
    "  ",
    "\n",
    ":",
    ": ",
    "-",
    "- ",
    "#",
    " #",
    "'",
    "\"",
    "|",
    ">",
    "|-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!",
    "?",
    "\t",
    "~",
    "null",
    "yes",
    ".inf",
    "0x1F",
    "1e3",
    "<<: ",
    "\\",
    "---",
    "...",
    "%",
    "@",
    "a",
    "kind: ",
    "metadata:",
    "name: ",
    "annotations:",
    "\u{85}",
    "\u{feff}",
    "é",
    "\r",
];

fn mutate(doc: &str, rng: &mut Rng) -> String {
    let mut s = doc.to_owned();
    for _ in 0..1 + rng.below(3) {
        let lines: Vec<&str> = s.split('\n').collect();
        let li = rng.below(lines.len());
        s = match rng.below(7) {
            0 | 1 => {
                let mut at = rng.below(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                let tok = TOKENS[rng.below(TOKENS.len())];
                format!("{}{}{}", &s[..at], tok, &s[at..])
            }
            2 => {
                let mut at = rng.below(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + 1 + rng.below(3)).min(s.len());
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                format!("{}{}", &s[..at], &s[end..])
            }
            3 => {
                let mut v = lines.clone();
                v.insert(li, lines[li]);
                v.join("\n")
            }
            4 => {
                let mut v = lines.clone();
                v.remove(li);
                v.join("\n")
            }
            5 => {
                let indented = format!("{}{}", " ".repeat(1 + rng.below(2)), lines[li]);
                let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                v[li] = indented;
                v.join("\n")
            }
            _ => {
                let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                let l = &v[li];
                let cut = l.len() - l.trim_start_matches(' ').len();
                v[li] = l[cut.min(1 + rng.below(2))..].to_owned();
                if li + 1 < v.len() && rng.below(2) == 0 {
                    v.swap(li, li + 1);
                }
                v.join("\n")
            }
        };
    }
    s
}

#[test]
fn representative_manifests_take_the_fast_path() {
    for doc in &HANDWRITTEN[..3] {
        assert!(check(doc, &head), "not skimmed:\n{doc}");
    }
    assert!(check(HANDWRITTEN[6], &head));
    assert!(check(HANDWRITTEN[7], &spec));
    // Values outside the subset hand over to the full loader.
    assert!(skim_helm("a: &x 1\nb: *x\n", &head).is_none());
    assert!(skim_helm("a:\tb\n", &head).is_none());
    assert!(skim_helm("e: .inf\n", &head).is_none());
    assert!(skim_helm("~: x\n", &head).is_none());
    assert_eq!(skim_helm("# nothing\n", &head), Some(Value::Null));
}

#[test]
fn skim_agrees_with_the_loader_on_every_seed_and_its_mutations() {
    let seeds = seeds();
    assert!(seeds.len() > 100, "expected the crate's fixtures as seeds, found {}", seeds.len());
    let per_seed: usize = std::env::var("KILN_SKIM_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut total, mut mutants) = (0usize, 0usize, 0usize);
    for doc in &seeds {
        for want in [&head as &dyn Fn(&[&str]) -> Want, &spec] {
            total += 1;
            accepted += usize::from(check(doc, want));
            // Mutations of large documents are checked on a prefix: the full loader is the slow side.
            let base: String = if doc.len() > 4096 {
                doc.char_indices().take_while(|(i, _)| *i < 4096).map(|(_, c)| c).collect()
            } else {
                doc.clone()
            };
            for _ in 0..per_seed {
                mutants += usize::from(check(&mutate(&base, &mut rng), want));
            }
        }
    }
    eprintln!("skim answered for {accepted} of {total} seed documents and {mutants} mutants");
}
