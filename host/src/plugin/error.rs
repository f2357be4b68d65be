//! Errors from loading and calling plugins. Every message names the plugin, and the limit or import involved.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::bindings::{self, GuestError};
use super::limits::Bytes;
use super::policy::World;

/// A plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The wasmtime engine could not be set up.
    #[error("could not set up the WebAssembly engine: {0}")]
    Engine(String),
    /// No built-in plugin has this name.
    #[error(
        "there is no built-in plugin named `{name}` (built-ins: {available}); to load a file, give a path to a .wasm component"
    )]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// Names of the built-ins.
        available: String,
    },
    /// The file could not be read.
    #[error("could not read plugin file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a valid component.
    #[error("plugin `{plugin}` is not a valid WebAssembly component: {reason}")]
    Invalid {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// The component imports something kiln does not grant.
    #[error("plugin `{plugin}` imports `{import}`, which kiln does not allow: {reason}")]
    ForbiddenImport {
        /// Plugin name.
        plugin: String,
        /// The offending import.
        import: String,
        /// Why it is refused.
        reason: String,
    },
    /// The component does not implement a kiln world (or a compatible version of one).
    #[error("plugin `{plugin}` cannot be used: {reason}")]
    WrongWorld {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// The component's imports could not be linked.
    #[error("plugin `{plugin}` cannot be linked: {reason}")]
    Link {
        /// Plugin name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
}

/// The kind of error a plugin reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestErrorKind {
    /// `invalid-config`.
    InvalidConfig,
    /// `invalid-input`.
    InvalidInput,
    /// `failed`.
    Failed,
    /// `unsupported`.
    Unsupported,
}

/// An error a plugin returned (as opposed to a trap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestFailure {
    /// Which kind.
    pub kind: GuestErrorKind,
    /// The plugin's message.
    pub message: String,
    /// File, if the plugin named one.
    pub file: Option<String>,
    /// Line, if known.
    pub line: Option<u32>,
    /// Column, if known.
    pub column: Option<u32>,
    /// Object (`Kind/namespace/name`), if known.
    pub object: Option<String>,
}

impl From<GuestError> for GuestFailure {
    fn from(e: GuestError) -> Self {
        let (kind, d): (GuestErrorKind, bindings::ErrorDetail) = match e {
            GuestError::InvalidConfig(d) => (GuestErrorKind::InvalidConfig, d),
            GuestError::InvalidInput(d) => (GuestErrorKind::InvalidInput, d),
            GuestError::Failed(d) => (GuestErrorKind::Failed, d),
            GuestError::Unsupported(d) => (GuestErrorKind::Unsupported, d),
        };
        let loc = d.location;
        Self {
            kind,
            message: d.message,
            file: loc.as_ref().and_then(|l| l.file.clone()),
            line: loc.as_ref().and_then(|l| l.line),
            column: loc.as_ref().and_then(|l| l.column),
            object: loc.and_then(|l| l.object),
        }
    }
}

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = String::new();
        if let Some(file) = &self.file {
            place.push_str(file);
            if let Some(line) = self.line {
                place.push_str(&format!(":{line}"));
                if let Some(col) = self.column {
                    place.push_str(&format!(":{col}"));
                }
            }
        }
        if let Some(obj) = &self.object {
            if !place.is_empty() {
                place.push_str(", ");
            }
            place.push_str(obj);
        }
        let kind = match self.kind {
            GuestErrorKind::InvalidConfig => "invalid configuration",
            GuestErrorKind::InvalidInput => "invalid input",
            GuestErrorKind::Failed => "failed",
            GuestErrorKind::Unsupported => "unsupported",
        };
        if place.is_empty() {
            write!(f, "{kind}: {}", self.message)
        } else {
            write!(f, "{kind} ({place}): {}", self.message)
        }
    }
}

/// A plugin call failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginCallError {
    /// The plugin returned an error.
    #[error("plugin `{plugin}`: {error}")]
    Guest {
        /// Plugin name.
        plugin: String,
        /// What it reported.
        error: GuestFailure,
    },
    /// The call ran past its deadline.
    #[error("plugin `{plugin}` exceeded its time limit of {} and was stopped (raise it with --plugin-timeout)", fmt_duration(*.limit))]
    Timeout {
        /// Plugin name.
        plugin: String,
        /// The limit.
        limit: Duration,
    },
    /// The plugin tried to grow memory past its limit.
    #[error("plugin `{plugin}` exceeded its memory limit of {} and was stopped{} (raise it with --plugin-memory)", Bytes(*.limit), if *.requested > 0 { format!(" (it asked for {})", Bytes(*.requested)) } else { String::new() })]
    MemoryLimit {
        /// Plugin name.
        plugin: String,
        /// The limit in bytes.
        limit: usize,
        /// Bytes requested, when known.
        requested: usize,
    },
    /// The wasm stack overflowed.
    #[error("plugin `{plugin}` exceeded its stack limit of {} (runaway recursion?) and was stopped", Bytes(*.limit))]
    StackOverflow {
        /// Plugin name.
        plugin: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many instances, tables or memories.
    #[error("plugin `{plugin}` exceeded its limit on {what} ({limit})")]
    ResourceLimit {
        /// Plugin name.
        plugin: String,
        /// Which resource.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The plugin returned more than the output limit.
    #[error("plugin `{plugin}` returned {} of documents, more than its output limit of {}", Bytes(*.size), Bytes(*.limit))]
    OutputTooLarge {
        /// Plugin name.
        plugin: String,
        /// Bytes returned.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The guest panicked.
    #[error("plugin `{plugin}` panicked: {message}")]
    Panic {
        /// Plugin name.
        plugin: String,
        /// The panic message from the guest's stderr.
        message: String,
    },
    /// Another trap.
    #[error("plugin `{plugin}` crashed ({trap}){}", if .stderr.is_empty() { String::new() } else { format!("; its stderr said: {}", .stderr) })]
    Trap {
        /// Plugin name.
        plugin: String,
        /// The trap.
        trap: String,
        /// Captured stderr.
        stderr: String,
    },
    /// A host-side failure while calling the plugin.
    #[error("calling plugin `{plugin}` failed: {message}{}", if .stderr.is_empty() { String::new() } else { format!("; its stderr said: {}", .stderr) })]
    Host {
        /// Plugin name.
        plugin: String,
        /// What happened.
        message: String,
        /// Captured stderr.
        stderr: String,
    },
    /// The plugin was called through the wrong world.
    #[error("plugin `{plugin}` implements {actual}, but it was used as a {wanted}")]
    WrongWorld {
        /// Plugin name.
        plugin: String,
        /// The world the caller needs.
        wanted: World,
        /// The world the plugin implements.
        actual: World,
    },
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} s", d.as_secs()) } else { format!("{} ms", d.as_millis()) }
}
