//! The sandboxed plugin runtime.
//!
//! * [`Runtime`] owns one wasmtime engine and linker, an epoch ticker, and the compiled-component cache.
//! * [`Runtime::load_builtin`] / [`Runtime::load_file`] load and check a plugin: its imports against the allowlist
//!   in [`policy`], its exports against the two kiln worlds.
//! * [`Plugin::post_render`] / [`Plugin::render`] call it in a fresh store with the limits and grants of its
//!   [`Sandbox`].

pub mod bindings;
pub mod builtin;
pub mod cache;
pub mod engine_config;
pub mod error;
pub mod limits;
#[cfg(target_os = "linux")]
mod memory;
pub mod policy;
mod runtime;
mod state;

pub use bindings::{Document, Release, RenderInput, SourceFile};
pub use error::{GuestErrorKind, GuestFailure, LoadError, PluginCallError};
pub use limits::{Clock, Grants, Limits, Randomness, Sandbox};
pub use policy::World;
pub use runtime::{Origin, Plugin, PluginInfo, Runtime, global};
