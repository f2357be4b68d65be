//! Errors of the YAML loader and emitters.
//!
//! Messages follow go-yaml's wording where practical (`yaml: line 3: mapping values are not allowed in this
//! context`), because Helm and kubectl print them verbatim and users grep for them.

use std::fmt;

/// What kind of problem an [`Error`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not well-formed YAML (scanner or parser error).
    Syntax,
    /// A scalar does not fit its explicit tag (`!!int foo`), or a `!!binary` scalar is not base64.
    Type,
    /// An alias names an anchor that was never defined, or an anchor contains itself.
    Alias,
    /// A merge key (`<<`) whose value is not a mapping or a sequence of mappings.
    Merge,
    /// A mapping key that cannot become a string key (a mapping, a sequence, null, or an integer above `i64::MAX`).
    Key,
    /// The same key appears twice in one mapping (only when [`crate::DuplicateKeys::Error`] is chosen).
    DuplicateKey,
    /// A resource limit was hit: nesting depth or alias expansion ("billion laughs").
    Limit,
    /// A value cannot be represented in the requested output (NaN or infinity through JSON).
    Unsupported,
}

/// A YAML loading or emitting error, with the position where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    line: usize,
    column: usize,
    /// The line number go-yaml prints (0: none). go-yaml prints 1-based lines for scanner errors but 0-based ones
    /// for parser errors, and none at all when that number is 0; messages copy that quirk.
    go_line: usize,
    go_prefix: bool,
}

impl Error {
    /// A new error at `line`/`column` (both 1-based; 0 when unknown).
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>, line: usize, column: usize) -> Self {
        Error { kind, message: message.into(), line, column, go_line: 0, go_prefix: true }
    }

    /// A syntax error whose message shows `go_line` (see the field's documentation).
    pub(crate) fn syntax(message: impl Into<String>, line: usize, column: usize, go_line: usize) -> Self {
        Error { go_line, ..Error::new(ErrorKind::Syntax, message, line, column) }
    }

    /// An error whose Go counterpart is not prefixed with `yaml:` (errors raised by `sigs.k8s.io/yaml` itself or by
    /// `encoding/json`).
    pub(crate) fn bare(kind: ErrorKind, message: impl Into<String>, line: usize, column: usize) -> Self {
        Error { go_prefix: false, ..Error::new(kind, message, line, column) }
    }

    /// The kind of problem.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The problem, without position or `yaml:` prefix (for example `mapping values are not allowed in this
    /// context`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line where the problem was detected, or 0 when unknown. This is the real position; the text of
    /// [`Display`](fmt::Display) shows the line number go-yaml would print, which is off by one for parser errors.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column where the problem was detected, or 0 when unknown.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for Error {
    /// Go-style text: `yaml: line 3: <problem>` for syntax errors, `yaml: <problem>` for decoding errors, and the
    /// bare message for errors that Go reports without the `yaml:` prefix. The line shown is go-yaml's (see
    /// [`Error::line`] for the real one).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.go_prefix {
            f.write_str("yaml: ")?;
        }
        if self.go_line > 0 {
            write!(f, "line {}: ", self.go_line)?;
        }
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_go_style() {
        let e = Error::syntax("mapping values are not allowed in this context", 3, 5, 3);
        assert_eq!(e.to_string(), "yaml: line 3: mapping values are not allowed in this context");
        assert_eq!((e.line(), e.column()), (3, 5));
        // Parser errors: go-yaml prints the 0-based line, and nothing when it is 0.
        let e = Error::syntax("did not find expected key", 1, 7, 0);
        assert_eq!(e.to_string(), "yaml: did not find expected key");
        let e = Error::new(ErrorKind::Alias, "unknown anchor 'x' referenced", 2, 1);
        assert_eq!(e.to_string(), "yaml: unknown anchor 'x' referenced");
        let e = Error::bare(ErrorKind::Unsupported, "json: unsupported value: NaN", 0, 0);
        assert_eq!(e.to_string(), "json: unsupported value: NaN");
    }
}
