//! Guest-side helpers for kiln plugins written in Rust.
//!
//! Enable exactly one world feature (`post-renderer` or `renderer`) per plugin crate, implement the generated
//! `Guest` trait, and export it with the matching macro:
//!
//! ```ignore
//! use kiln_plugin_sdk::post_renderer::{Document, Guest, PluginError};
//! struct Label;
//! impl Guest for Label {
//!     fn post_render(documents: Vec<Document>, config: String) -> Result<Vec<Document>, PluginError> {
//!         Ok(documents)
//!     }
//! }
//! kiln_plugin_sdk::export_post_renderer!(Label);
//! ```
//!
//! The contract itself is `wit/kiln-plugin.wit` at the root of the repository.

/// Bindings for the `post-renderer` world.
pub mod alloc;

#[cfg(feature = "post-renderer")]
pub mod post_renderer {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "kiln:plugin/post-renderer",
        pub_export_macro: true,
        export_macro_name: "export_post_renderer_inner",
        default_bindings_module: "kiln_plugin_sdk::post_renderer",
    });

    pub use exports::kiln::plugin::post_render::Guest;
    pub use kiln::plugin::log::{Level, log};
    pub use kiln::plugin::types::{Document, ErrorDetail, Location, PluginError};
}

/// Bindings for the `renderer` world.
#[cfg(feature = "renderer")]
pub mod renderer {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "kiln:plugin/renderer",
        pub_export_macro: true,
        export_macro_name: "export_renderer_inner",
        default_bindings_module: "kiln_plugin_sdk::renderer",
    });

    pub use exports::kiln::plugin::render::{Guest, Release, RenderInput, SourceFile};
    pub use kiln::plugin::log::{Level, log};
    pub use kiln::plugin::types::{Document, ErrorDetail, Location, PluginError};
}

/// Export a type implementing [`post_renderer::Guest`] as this component's `post-render` function.
///
/// The export exists only when compiling for wasm: the component-model symbol names are not valid for native
/// linkers, and native builds of a plugin crate (its unit tests) do not need them.
#[cfg(feature = "post-renderer")]
#[macro_export]
macro_rules! export_post_renderer {
    ($ty:ident) => {
        #[cfg(target_arch = "wasm32")]
        $crate::post_renderer::export_post_renderer_inner!($ty);
        // Natively the type is still the plugin's entry point: name it so it counts as used.
        #[cfg(not(target_arch = "wasm32"))]
        const _: fn(
            ::std::vec::Vec<$crate::post_renderer::Document>,
            ::std::string::String,
        ) -> ::std::result::Result<
            ::std::vec::Vec<$crate::post_renderer::Document>,
            $crate::post_renderer::PluginError,
        > = <$ty as $crate::post_renderer::Guest>::post_render;
    };
}

/// Export a type implementing [`renderer::Guest`] as this component's `render` function (on wasm only, as for
/// [`export_post_renderer!`]).
#[cfg(feature = "renderer")]
#[macro_export]
macro_rules! export_renderer {
    ($ty:ident) => {
        #[cfg(target_arch = "wasm32")]
        $crate::renderer::export_renderer_inner!($ty);
        // Natively the type is still the plugin's entry point: name it so it counts as used.
        #[cfg(not(target_arch = "wasm32"))]
        const _: fn(
            $crate::renderer::RenderInput,
        ) -> ::std::result::Result<
            ::std::vec::Vec<$crate::renderer::Document>,
            $crate::renderer::PluginError,
        > = <$ty as $crate::renderer::Guest>::render;
    };
}

#[cfg(feature = "post-renderer")]
impl post_renderer::PluginError {
    /// A `failed` error with a message and no location.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(post_renderer::ErrorDetail { message: message.into(), location: None })
    }
    /// An `invalid-config` error with a message and no location.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::InvalidConfig(post_renderer::ErrorDetail { message: message.into(), location: None })
    }
    /// An `invalid-input` error with a message and no location.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput(post_renderer::ErrorDetail { message: message.into(), location: None })
    }
}

#[cfg(feature = "renderer")]
impl renderer::PluginError {
    /// A `failed` error with a message and no location.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(renderer::ErrorDetail { message: message.into(), location: None })
    }
    /// An `invalid-config` error with a message and no location.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::InvalidConfig(renderer::ErrorDetail { message: message.into(), location: None })
    }
    /// An `invalid-input` error with a message and no location.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput(renderer::ErrorDetail { message: message.into(), location: None })
    }
}
