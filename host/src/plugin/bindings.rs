//! Host bindings for `wit/kiln-plugin.wit`, generated in exactly one place.
//!
//! One module per world; the renderer bindings reuse the post-renderer's `types` and `log` interfaces so both
//! worlds share one `Document` and one logging implementation. A future incompatible contract version gets its own
//! module next to these (e.g. `v0_2`), dispatched on the version a plugin exports.

#![allow(missing_docs, clippy::all)]

/// Bindings for the `post-renderer` world.
pub mod post {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "kiln:plugin/post-renderer",
    });
}

/// Bindings for the `renderer` world.
pub mod render {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "kiln:plugin/renderer",
        with: {
            "kiln:plugin/types": super::post::kiln::plugin::types,
            "kiln:plugin/log": super::post::kiln::plugin::log,
        },
    });
}

pub use post::kiln::plugin::log::Level;
pub use post::kiln::plugin::types::{Document, ErrorDetail, Location, PluginError as GuestError};
pub use render::exports::kiln::plugin::render::{Release, RenderInput, SourceFile};
