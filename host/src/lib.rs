//! kiln: render Helm charts and overlays through sandboxed WebAssembly plugins, post-render them, and apply them.
//!
//! See `docs/ARCHITECTURE.md` for the data flow and the module map.

pub mod cli;
pub mod manifest;
pub mod pipeline;
pub mod plugin;
