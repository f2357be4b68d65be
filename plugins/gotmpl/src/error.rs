//! Errors, worded exactly as Go's `text/template` words them (Helm parses these strings).

use crate::funcs::FuncError;
use crate::strconv;

/// A syntax error: `template: NAME:LINE: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template: {name}:{line}: {message}")]
pub struct ParseError {
    name: String,
    line: usize,
    message: String,
}

impl ParseError {
    pub(crate) fn new(name: &str, line: usize, message: String) -> Self {
        ParseError { name: name.to_owned(), line, message }
    }

    /// The name of the template being parsed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The line of the last token read when the error was found.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The message after the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// An execution error (Go's `template.ExecError`). Its text is Go's:
/// `template: NAME:LINE:COL: executing "TEMPLATE" at <NODE>: MESSAGE`.
///
/// When a function failed, [`std::error::Error::source`] is that function's [`FuncError`] (whose own source may be
/// a nested error, e.g. from `include`), mirroring Go's `%w` wrapping chain.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    name: String,
    message: String,
    #[source]
    source: Option<Box<FuncError>>,
}

impl ExecError {
    pub(crate) fn new(name: &str, message: String, source: Option<FuncError>) -> Self {
        ExecError { name: name.to_owned(), message, source: source.map(Box::new) }
    }

    /// The name of the template that was executing.
    pub fn template_name(&self) -> &str {
        &self.name
    }

    /// The full message (same as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The function error this error wraps, if any.
    pub fn func_error(&self) -> Option<&FuncError> {
        self.source.as_deref()
    }
}

/// Any error from parsing or executing templates.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A syntax error.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An execution error.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// `ExecuteTemplate` of a name that is not defined (not an `ExecError` in Go).
    #[error("template: no template {} associated with template {}", strconv::quote(.name), strconv::quote(.set))]
    NoTemplate {
        /// The requested template.
        name: String,
        /// The name of the template set.
        set: String,
    },
}
