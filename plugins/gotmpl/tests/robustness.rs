//! Malformed templates never panic: every prefix of every oracle case, and many random token-level mutations of
//! them, must parse and execute to `Ok` or `Err`. (The same property is fuzzed by `fuzz/fuzz_targets/parse_exec.rs`;
//! this deterministic version runs in every test run.)

use gotmpl::{FuncError, Funcs, MissingKey, Options, Param, Signature, TemplateSet, Value};

fn funcs() -> Funcs {
    let mut f = Funcs::builtins();
    f.register("include", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_template(a.str(0)?, a.value(1)?).map(Value::from).map_err(FuncError::from)
    });
    f.register("tpl", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_text("gotpl", a.str(0)?, a.value(1)?).map(Value::from).map_err(FuncError::from)
    });
    f
}

fn data() -> Value {
    Value::map([
        ("str", Value::from("hello")),
        ("num", Value::Float64(1e6)),
        ("int", Value::Int64(7)),
        ("nil", Value::Nil),
        ("list", Value::list(vec![Value::from("a"), Value::Int(1), Value::Nil])),
        ("map", Value::map([("a", Value::from("x")), ("b", Value::map([("c", Value::Float64(2.5))]))])),
    ])
}

fn run(funcs: &Funcs, text: &str, missing: MissingKey) {
    let mut set =
        TemplateSet::new("gotpl", funcs.clone()).with_options(Options { missing_key: missing, ..Options::default() });
    if set.parse("t", text).is_ok() {
        let _ = set.execute("t", &data());
        let _ = set.execute("t", &Value::Nil);
    }
}

/// xorshift64*, deterministic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "(",
    ")",
    "|",
    "$",
    "$x",
    ":=",
    "=",
    ".",
    ".a",
    ".str.x",
    "\"",
    "`",
    "'",
    " ",
    "\n",
    "end",
    "else",
    "if",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "nil",
    "1",
    "-1",
    "0x",
    "1e",
    "1.5",
    "'a'",
    "print",
    "printf \"%d\"",
    "index",
    "slice",
    "len",
    "eq",
    "and",
    "or",
    "\\",
    "\"\\é\"",
    "'\\é'",
    "\\x",
    "\\u12",
    "printf \"%.99999f|%.70000e|%.70000g\" 1.5 2.5 3.5",
    "include \"t\" .",
    "tpl \"{{.}}\" .",
    "/*",
    "*/",
    "é",
    "\u{0}",
    "{{end}}",
    "{{else}}",
    "{{range .list}}",
];

fn cases() -> Vec<String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/exec.json")).expect("fixture present");
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid fixture");
    json.as_array().into_iter().flatten().filter_map(|c| c["templates"][0][1].as_str().map(str::to_owned)).collect()
}

#[test]
fn every_prefix_of_every_case_is_handled() {
    let funcs = funcs();
    let mut count = 0;
    for text in cases() {
        for (i, _) in text.char_indices() {
            run(&funcs, &text[..i], MissingKey::Zero);
            count += 1;
        }
    }
    assert!(count > 1000, "only {count} prefixes");
}

#[test]
fn random_token_mutations_are_handled() {
    let funcs = funcs();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let cases = cases();
    for text in &cases {
        for _ in 0..12 {
            let mut s = text.clone();
            for _ in 0..=rng.below(3) {
                let boundaries: Vec<usize> = s.char_indices().map(|(i, _)| i).chain(std::iter::once(s.len())).collect();
                let at = boundaries[rng.below(boundaries.len())];
                match rng.below(3) {
                    0 => s.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
                    1 => {
                        let end = boundaries.iter().copied().find(|&b| b > at).unwrap_or(at);
                        s.replace_range(at..end, TOKENS[rng.below(TOKENS.len())]);
                    }
                    _ => {
                        let end = boundaries.iter().copied().filter(|&b| b > at).nth(rng.below(4)).unwrap_or(s.len());
                        s.replace_range(at..end, "");
                    }
                }
            }
            let missing = [MissingKey::Zero, MissingKey::Default, MissingKey::Error][rng.below(3)];
            run(&funcs, &s, missing);
        }
    }
}

#[test]
fn random_token_soup_is_handled() {
    let funcs = funcs();
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let n = 1 + rng.below(24);
        let s: String = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        run(&funcs, &s, MissingKey::Zero);
    }
}
