//! Syntax errors in go-yaml's words.
//!
//! The parser (`saphyr-parser`) has its own messages and positions. go-yaml (a port of libyaml) prints
//! `yaml: line N: <problem>` where the problem is libyaml's text without its context, and `N` is the 1-based line
//! for scanner errors but the 0-based line for parser errors, with no line at all when that number is 0. This module
//! maps one onto the other, and adds the checks libyaml makes that saphyr does not (directive names, unknown
//! directives and `%YAML` versions other than 1.1).

use crate::error::Error;
use saphyr_parser::Marker;

/// Which half of libyaml reports a problem: it decides how go-yaml numbers the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Scanner,
    Parser,
}

/// The line go-yaml prints for a problem at 1-based `line`.
fn go_line(stage: Stage, line: usize) -> usize {
    match stage {
        Stage::Scanner if line > 1 => line,
        Stage::Scanner => 0,
        Stage::Parser => line.saturating_sub(1),
    }
}

/// libyaml's wording and stage for a saphyr problem.
fn translate(problem: &str) -> (String, Stage) {
    use Stage::{Parser, Scanner};
    let (text, stage) = match problem {
        "simple key expect ':'" | "simple key expected" => ("could not find expected ':'", Scanner),
        "expected ',' or ']'" | "did not find expected ',' or ']'" => ("did not find expected ',' or ']'", Parser),
        "did not find expected ',' or '}'" => ("did not find expected ',' or '}'", Parser),
        "did not find expected key" => ("did not find expected key", Parser),
        "did not find expected '-' indicator" => ("did not find expected '-' indicator", Parser),
        "did not find expected node content" => ("did not find expected node content", Parser),
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            ("did not find expected <document start>", Parser)
        }
        "the handle wasn't declared" => ("found undefined tag handle", Parser),
        "tab cannot be used as indentation"
        | "tabs disallowed in this context"
        | "tabs disallowed within this context (block indentation)"
        | "found a tab" => ("found character that cannot start any token", Scanner),
        "unexpected eof" => ("found unexpected end of stream", Scanner),
        "recursion limit exceeded" => ("exceeded max depth of 10000", Scanner),
        p if p.starts_with("unexpected character: ") => ("found character that cannot start any token", Scanner),
        p if p.ends_with("is only valid inside a block") => ("did not find expected node content", Parser),
        "comment intercepting the multiline text" | "invalid trailing content after double-quoted scalar" => {
            ("did not find expected key", Parser)
        }
        p => (p, Scanner),
    };
    (text.to_owned(), stage)
}

/// Build the go-yaml style error for a parser problem `info` at `mark`.
pub(crate) fn syntax_error(src: &str, info: &str, mark: Marker) -> Error {
    // libyaml reports "while <context>, <problem>" as context and problem; go-yaml prints only the problem.
    let problem = match info.strip_prefix("while ") {
        Some(rest) => rest.split_once(", ").map_or(info, |(_, p)| p),
        None => info,
    };
    let mut line = mark.line();
    let mut col = mark.col() + 1;
    if problem == "found unknown anchor" {
        let name = alias_name(src, mark.index());
        return Error::new(crate::ErrorKind::Alias, format!("unknown anchor '{name}' referenced"), line, col);
    }
    let (message, stage) = translate(problem);
    match message.as_str() {
        // saphyr points at the start of the quoted scalar; libyaml at the place it gave up.
        "found unexpected end of stream" => (line, col) = end_position(src),
        // saphyr points at the comment; libyaml at the continuation line after it.
        "did not find expected key" if problem == "comment intercepting the multiline text" => line += 1,
        "found unexpected document indicator" => {
            if let Some(l) = document_indicator_after(src, mark.index()) {
                (line, col) = (l, 1);
            }
        }
        _ => {}
    }
    Error::syntax(message, line, col, go_line(stage, line))
}

/// saphyr refuses a tab as the only separator after a `:` or `-` indicator when a value follows on the line
/// (a YAML 1.2 rule); libyaml accepts it as ordinary white space. For such an error at character `index`, returns the
/// byte offsets of the tabs between the indicator and the value, which can be replaced by spaces without changing
/// the document's meaning.
pub(crate) fn separator_tabs(src: &str, info: &str, index: usize) -> Option<Vec<usize>> {
    if !info.ends_with("must be followed by a valid YAML whitespace") {
        return None;
    }
    let byte = src.char_indices().nth(index).map_or(src.len(), |(b, _)| b);
    let before = src.get(..byte)?;
    let mut tabs = Vec::new();
    for (i, c) in before.char_indices().rev() {
        match c {
            '\t' => tabs.push(i),
            ' ' => {}
            ':' | '-' => break,
            _ => return None,
        }
    }
    (!tabs.is_empty()).then_some(tabs)
}

/// saphyr requires the lines of a flow collection that sits in a block to be indented more than that block (a YAML
/// 1.2 rule); libyaml does not look at indentation inside flow collections at all, so Helm charts close a multi-line
/// `[ ... ]` at the key's own column. For such an error at character `index`, when the error point really lies inside
/// a flow collection opened at one of the `open` character indices, returns where to insert how many spaces: enough
/// to indent the line past the opening bracket. Leading white space of a line inside a flow collection is never
/// content (scalars fold it away), so the insertion changes nothing but the indentation saphyr checks.
pub(crate) fn flow_indentation(src: &str, info: &str, index: usize, open: &[usize]) -> Option<Vec<(usize, usize)>> {
    if !matches!(
        info,
        "invalid indentation" | "invalid indentation in flow construct" | "invalid indentation in quoted scalar"
    ) {
        return None;
    }
    // Byte offsets of the open collections' starts and of the error, in one pass over the characters.
    let mut wanted: Vec<usize> = open.to_vec();
    wanted.push(index);
    let mut bytes = vec![None; wanted.len()];
    for (ci, (b, _)) in src.char_indices().enumerate() {
        for (slot, &w) in bytes.iter_mut().zip(&wanted) {
            if w == ci {
                *slot = Some(b);
            }
        }
        if ci >= index {
            break;
        }
    }
    let err = bytes.pop()??;
    // Scan from the outermost open flow collection the parser has reported, or else from the innermost open
    // collection (the parser may not have reported a flow collection the scanner is already inside).
    let known = bytes.iter().flatten().copied().find(|&b| matches!(src.as_bytes().get(b), Some(b'[' | b'{')));
    let start = known.or_else(|| bytes.iter().flatten().copied().last()).unwrap_or(0);
    let opener = start + unclosed_flow(src.get(start..err)?)?;
    // Indent every line of that collection (saphyr may report the error past a line's first character, after a
    // plain scalar continued from the line before, and would report the next short line after this one).
    let opener_col = src.get(..opener)?.rsplit('\n').next().map_or(0, |l| l.chars().count());
    let edits: Vec<(usize, usize)> = flow_line_starts(src.get(opener..)?)
        .into_iter()
        .filter_map(|start| {
            let at = opener + start;
            let lead = src.get(at..)?.bytes().take_while(|&b| b == b' ').count();
            (opener_col + 1).checked_sub(lead).filter(|&n| n > 0).map(|n| (at + lead, n))
        })
        .collect();
    (!edits.is_empty()).then_some(edits)
}

/// Byte offsets (in `text`, which starts with a flow collection's opening bracket) of the starts of the lines after
/// the first, up to the line holding the matching closing bracket.
fn flow_line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    let mut prev_blank = true;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => out.push(i + 1),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b'\'' | b'"' => i = skip_quoted(bytes, i, |nl| out.push(nl + 1)),
            b'#' if prev_blank => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            _ => {}
        }
        prev_blank = matches!(c, b' ' | b'\t' | b'\n' | b'\r');
        i += 1;
    }
    out
}

/// The index of the quote that closes the quoted scalar opening at `open` (or the end of `bytes`), calling
/// `newline` with the index of every line break inside it. `\` escapes in double quotes, `''` in single quotes.
fn skip_quoted(bytes: &[u8], open: usize, mut newline: impl FnMut(usize)) -> usize {
    let quote = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => {
                // An escaped line break still starts a line.
                if bytes.get(i + 1) == Some(&b'\n') {
                    newline(i + 1);
                }
                i += 1;
            }
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b'\n' => newline(i),
            q if q == quote => break,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The byte offset in `text` of the outermost flow collection still open at its end, if any. Brackets are counted
/// outside quoted scalars, comments and block scalars (whose lines, indented past the line that introduces them,
/// are skipped).
fn unclosed_flow(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut opener = 0usize;
    let mut i = 0usize;
    let mut prev_blank = true;
    // Indentation of the current line and whether only indentation has been seen on it.
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    // A block scalar's parent indentation, while its content lines are being skipped.
    let mut skipping: Option<usize> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if at_line_start {
            if c == b' ' {
                line_indent += 1;
                i += 1;
                continue;
            }
            at_line_start = false;
            if let Some(parent) = skipping {
                if c == b'\n' || line_indent > parent {
                    i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    continue;
                }
                skipping = None;
            }
        }
        match c {
            b'\n' => {
                at_line_start = true;
                line_indent = 0;
            }
            b'[' | b'{' => {
                if depth == 0 {
                    opener = i;
                }
                depth += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\'' | b'"' if prev_blank || depth > 0 => i = skip_quoted(bytes, i, |_| {}),
            b'#' if prev_blank => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                prev_blank = true;
                continue;
            }
            b'|' | b'>' if depth == 0 && prev_blank => {
                // A block scalar header: indicators, then only a comment or the end of the line.
                let rest = text[i + 1..].split('\n').next().unwrap_or("");
                let head = rest.trim_start_matches(|ch: char| ch == '+' || ch == '-' || ch.is_ascii_digit());
                let head = head.trim_start_matches([' ', '\t']);
                if head.is_empty() || head.starts_with('#') {
                    skipping = Some(line_indent);
                }
            }
            _ => {}
        }
        prev_blank = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b'{' | b':' | b'-');
        i += 1;
    }
    (depth > 0).then_some(opener)
}

/// The 1-based line and column just past the last character (libyaml's end-of-stream mark).
fn end_position(src: &str) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    let mut prev_cr = false;
    for c in src.chars() {
        match c {
            '\n' if prev_cr => {}
            '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                line += 1;
                col = 1;
            }
            _ => col += 1,
        }
        prev_cr = c == '\r';
    }
    (line, col)
}

/// The first line after character `from` that starts with `---` or `...` followed by a blank or the end of line.
fn document_indicator_after(src: &str, from: usize) -> Option<usize> {
    let byte_from = src.char_indices().nth(from).map_or(src.len(), |(b, _)| b);
    let before = src.get(..byte_from)?;
    let mut line = 1 + before.matches('\n').count();
    for l in src.get(byte_from..)?.split('\n').skip(1) {
        line += 1;
        let l = l.strip_suffix('\r').unwrap_or(l);
        if (l.starts_with("---") || l.starts_with("..."))
            && l.as_bytes().get(3).is_none_or(|c| matches!(c, b' ' | b'\t'))
        {
            return Some(line);
        }
    }
    None
}

/// The name of the alias that starts at character `index` (`*name`).
pub(crate) fn alias_name(src: &str, index: usize) -> String {
    src.chars()
        .skip(index)
        .skip_while(|&c| c == '*')
        .take_while(|&c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

/// libyaml's directive checks on the first document's preamble: only `%YAML 1.1` and `%TAG` are accepted.
pub(crate) fn check_directives(src: &str) -> Result<(), Error> {
    if !src.trim_start_matches('\u{feff}').trim_start().starts_with(['%', '#']) {
        return Ok(());
    }
    for (i, raw) in src.trim_start_matches('\u{feff}').split('\n').enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let Some(directive) = l.strip_prefix('%') else {
            break;
        };
        // libyaml reads the name as letters, digits, `_` and `-`, and wants a blank or the line's end after it.
        let name_len = directive.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')).count();
        let scanner_error = |problem: &str| Err(Error::syntax(problem, line, 1, go_line(Stage::Scanner, line)));
        if name_len == 0 {
            return scanner_error("could not find expected directive name");
        }
        let (name, rest) = directive.split_at(name_len);
        if rest.bytes().next().is_some_and(|b| !matches!(b, b' ' | b'\t')) {
            return scanner_error("found unexpected non-alphabetical character");
        }
        match name {
            "YAML" => {
                let version = rest.split([' ', '\t']).find(|w| !w.is_empty()).unwrap_or("");
                if version != "1.1" {
                    let stage = Stage::Parser;
                    return Err(Error::syntax("found incompatible YAML document", line, 1, go_line(stage, line)));
                }
            }
            "TAG" => {}
            _ => return scanner_error("found unknown directive name"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_line_numbering() {
        assert_eq!(go_line(Stage::Scanner, 1), 0);
        assert_eq!(go_line(Stage::Scanner, 3), 3);
        assert_eq!(go_line(Stage::Parser, 1), 0);
        assert_eq!(go_line(Stage::Parser, 3), 2);
    }

    #[test]
    fn positions() {
        assert_eq!(end_position("a: \"abc\n"), (2, 1));
        assert_eq!(end_position("a\r\nb"), (2, 2));
        assert_eq!(document_indicator_after("a: \"x\n---\ny\"\n", 3), Some(2));
        assert_eq!(alias_name("a: *nope\n", 3), "nope");
        assert_eq!(alias_name("[*x, y]", 1), "x");
    }
}
