//! Errors of a kustomize build.

/// Which class of failure an [`Error`] is, following the plugin contract's distinctions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The overlay is malformed: a missing file, YAML that does not parse, an unknown kustomization field.
    InvalidInput,
    /// The overlay was understood but building it failed: a patch that matches nothing, an ID conflict.
    Failed,
    /// The overlay asks for something kiln does not implement (remote bases, exec plugins).
    Unsupported,
}

/// A build error: a message (with the kustomization file and field where known) and its class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The class of the error.
    pub kind: ErrorKind,
    /// What went wrong, outermost context first.
    pub message: String,
}

impl Error {
    /// An [`ErrorKind::InvalidInput`] error.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::InvalidInput, message: message.into() }
    }

    /// An [`ErrorKind::Failed`] error.
    pub fn failed(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Failed, message: message.into() }
    }

    /// An [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Unsupported, message: message.into() }
    }

    /// The same error with `context` put in front of the message (`context: message`).
    pub fn context(mut self, context: impl std::fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to the error of a [`Result`].
pub trait Context<T> {
    /// Put `context` (computed lazily) in front of the error message.
    fn with_context<C: std::fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T>;
}

impl<T> Context<T> for Result<T> {
    fn with_context<C: std::fmt::Display>(self, context: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| e.context(context()))
    }
}
