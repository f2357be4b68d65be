//! Nesting limits: malformed or hostile templates must fail with an error, never overflow the stack.
//!
//! These run on the default 2 MiB test-thread stack, in debug builds too (whose frames are several times larger
//! than release ones): the stack budget (`Options::max_stack`, 1 MiB by default) stops parsing and execution first.

use gotmpl::{Funcs, MissingKey, Options, Param, Signature, TemplateSet, Value};

fn set() -> TemplateSet {
    TemplateSet::new("gotpl", Funcs::builtins())
        .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() })
}

fn with_include(mut funcs: Funcs) -> Funcs {
    funcs.register("include", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_template(a.str(0)?, a.value(1)?).map(Value::from).map_err(gotmpl::FuncError::from)
    });
    funcs
}

#[test]
fn nested_parentheses_parse_and_run() {
    let depth = 40;
    let text = format!("{{{{ {}1{} }}}}", "(print ".repeat(depth), ")".repeat(depth));
    let mut s = set();
    s.parse("t", &text).expect("nested parentheses parse");
    assert_eq!(s.execute("t", &Value::Nil).expect("and run"), "1");
}

#[test]
fn too_deep_parentheses_are_an_error() {
    let depth = 100_000;
    let text = format!("{{{{ {}1{} }}}}", "(".repeat(depth), ")".repeat(depth));
    let err = set().parse("t", &text).expect_err("too deep");
    assert_eq!(err.to_string(), "template: t:1: max expression depth exceeded");
}

#[test]
fn deep_control_nesting_is_an_error_not_a_crash() {
    let depth = 100_000;
    let text = format!("{}x{}", "{{if 1}}".repeat(depth), "{{end}}".repeat(depth));
    let err = set().parse("t", &text).expect_err("too deep");
    assert_eq!(err.to_string(), "template: t:1: max expression depth exceeded");
    let ok = format!("{}x{}", "{{with 1}}".repeat(40), "{{end}}".repeat(40));
    let mut s = set();
    s.parse("t", &ok).expect("nested blocks parse");
    assert_eq!(s.execute("t", &Value::Nil).expect("and run"), "x");
}

#[test]
fn template_recursion_stops_at_max_depth_with_gos_message() {
    let mut s = set();
    s.set_options(Options { max_depth: 50, ..s.options() });
    s.parse("t", r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#).expect("parses");
    let err = s.execute("t", &Value::Nil).expect_err("recursion must stop");
    assert_eq!(
        err.to_string(),
        r#"template: t:1:25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (50)"#
    );
}

#[test]
fn runaway_recursion_never_overflows_the_stack() {
    // With the default limits either the depth limit (release builds) or the stack budget (debug builds, whose
    // frames are larger) stops these.
    let texts = [
        r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#,
        r#"{{define "r"}}{{include "r" .}}{{end}}{{include "r" .}}"#,
        r#"{{define "r"}}{{if 1}}{{with 1}}{{range 1}}{{print (print (include "r" .))}}{{end}}{{end}}{{end}}{{end}}{{include "r" .}}"#,
    ];
    for text in texts {
        let mut s = TemplateSet::new("gotpl", with_include(Funcs::builtins()));
        s.parse("t", text).expect("parses");
        let err = s.execute("t", &Value::Nil).expect_err("recursion must stop");
        let msg = err.to_string();
        assert!(
            msg.contains("exceeded maximum template depth (1000)")
                || msg.contains("exceeded maximum template nesting: stack limit of"),
            "{msg}"
        );
    }
}

#[test]
fn the_stack_budget_is_configurable() {
    let mut s = set();
    s.set_options(Options { max_stack: 16 * 1024, ..s.options() });
    let text = format!("{}x{}", "{{if 1}}".repeat(400), "{{end}}".repeat(400));
    let err = s.parse("t", &text).expect_err("a small budget stops parsing");
    assert_eq!(err.to_string(), "template: t:1: max expression depth exceeded");
}

#[test]
fn a_map_containing_itself_does_not_crash_printing_or_conversion() {
    let m = gotmpl::Map::new();
    m.insert("self", Value::Map(m.clone()));
    let v = Value::Map(m);
    let printed = gotmpl::gofmt::format_v(&v);
    assert!(printed.starts_with("map[self:map[self:") && printed.contains("..."));
    assert!(v.deep_equal(&v.clone()));
    let err = v.to_yaml().expect_err("cycle");
    assert_eq!(err.to_string(), "json: unsupported value: encountered a cycle via map[string]interface {}");
    let mut s = set();
    s.parse("t", "{{ . }}|{{ printf \"%v\" . | len }}").expect("parses");
    assert!(s.execute("t", &v).is_ok());
}
