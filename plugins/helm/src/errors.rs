//! Helm's rewriting of template execution errors (`reformatExecErrorMsg` in `pkg/engine/engine.go`).
//!
//! * A `required`/`fail` message (wrapped in `HELM_ERR_START…HELM_ERR_END` anywhere in the chain) becomes
//!   `execution error at (<file>:<line>:<col>): <message>`.
//! * Otherwise the chain of errors (a template error wrapping the error of an `include`d template, and so on) is
//!   printed as one block per template:
//!
//! ```text
//! t1/templates/c.yaml:1:6
//!   executing "t1/templates/c.yaml" at <include "bar" .>:
//!     error calling include:
//! t1/templates/_h.tpl:2:28
//!   executing "bar" at <.Values.q.r>:
//!     nil pointer evaluating interface {}.r
//! ```
//!
//! * When some link of the chain is not a template error (a function's own error), the original one-line error
//!   is kept.

use crate::funcs::{WARN_END, WARN_START};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Traceable {
    location: String,
    message: String,
    executed_function: String,
}

impl Traceable {
    fn render(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executed_function.is_empty() {
            out.push_str(&self.executed_function);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

fn cut_next(msg: &str) -> &str {
    match msg.find(" template:") {
        Some(i) => msg.get(..i).unwrap_or(msg),
        None => msg,
    }
}

/// `parseTemplateExecErrorString`.
fn parse_exec_error(s: &str) -> Option<Traceable> {
    let rest = s.strip_prefix("template: ")?;
    if rest.starts_with("no template ") {
        return Some(Traceable { message: s.to_owned(), ..Default::default() });
    }
    if let Some(idx) = rest.find(": executing ") {
        let name = rest.get(..idx)?;
        let after = rest.get(idx + ": executing ".len()..)?;
        if let Some(after_quote) = after.strip_prefix('"')
            && let Some(end) = after_quote.find('"')
        {
            let func = after_quote.get(..end)?;
            let after_func = after_quote.get(end + 1..)?;
            if let Some(after_at) = after_func.strip_prefix(" at <")
                && let Some(end_loc) = after_at.find(">: ")
            {
                let loc = after_at.get(..end_loc)?;
                let msg = after_at.get(end_loc + 3..)?;
                return Some(Traceable {
                    location: name.to_owned(),
                    message: cut_next(msg).to_owned(),
                    executed_function: format!("executing \"{func}\" at <{loc}>:"),
                });
            }
        }
    }
    let sep = rest.rfind(": ")?;
    Some(Traceable {
        location: rest.get(..sep)?.to_owned(),
        message: cut_next(rest.get(sep + 2..)?).to_owned(),
        executed_function: String::new(),
    })
}

/// The texts of the error chain, as Go's `errors.Unwrap` walks it.
fn chain(err: &gotmpl::Error) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = err;
    loop {
        out.push(cur.to_string());
        let gotmpl::Error::Exec(e) = cur else { break };
        let Some(f) = e.func_error() else { break };
        out.push(f.message().to_owned());
        let Some(next) = std::error::Error::source(f).and_then(|s| s.downcast_ref::<gotmpl::Error>()) else {
            break;
        };
        cur = next;
    }
    out
}

/// Find `HELM_ERR_START(.*)HELM_ERR_END` (greedy, across lines).
fn warn_message(s: &str) -> Option<&str> {
    let start = s.find(WARN_START)? + WARN_START.len();
    let end = s.rfind(WARN_END)?;
    if end < start {
        return None;
    }
    s.get(start..end)
}

/// `reformatExecErrorMsg(filename, err)`.
pub fn reformat_exec_error(filename: &str, err: &gotmpl::Error) -> String {
    let text = err.to_string();
    if !matches!(err, gotmpl::Error::Exec(_)) {
        return text;
    }
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    let (Some(location), Some(rest)) = (tokens.get(1), tokens.get(2)) else {
        return format!("execution error in ({filename}): {text}");
    };
    if let Some(msg) = warn_message(rest) {
        return format!("execution error at ({location}): {msg}");
    }
    let mut traces: Vec<Traceable> = Vec::new();
    for link in chain(err) {
        let Some(t) = parse_exec_error(&link) else {
            return text;
        };
        if traces.last() != Some(&t) {
            traces.push(t);
        }
    }
    let mut out = String::new();
    for t in &traces {
        t.render(&mut out);
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_error_forms() {
        let t = parse_exec_error(
            "template: t1/templates/c.yaml:1:6: executing \"t1/templates/c.yaml\" at <include \"bar\" .>: error calling include: template: t1/templates/_h.tpl:2:28: executing \"bar\" at <.Values.q.r>: nil pointer evaluating interface {}.r",
        )
        .unwrap();
        assert_eq!(t.location, "t1/templates/c.yaml:1:6");
        assert_eq!(t.executed_function, "executing \"t1/templates/c.yaml\" at <include \"bar\" .>:");
        assert_eq!(t.message, "error calling include:");
        let t = parse_exec_error("template: no template \"x\" associated with template \"gotpl\"").unwrap();
        assert_eq!(t.message, "template: no template \"x\" associated with template \"gotpl\"");
        assert!(parse_exec_error("plain error").is_none());
        assert_eq!(warn_message("a: HELM_ERR_STARTneed zHELM_ERR_END"), Some("need z"));
    }
}
