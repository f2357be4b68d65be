//! The `renderer` world export. The host sends the overlay's files (paths relative to a common root) and a JSON
//! configuration:
//!
//! ```json
//! {"path": "overlays/dev", "loadRestrictor": "LoadRestrictionsRootOnly", "enableHelm": false,
//!  "helmKubeVersion": "", "helmApiVersions": [],
//!  "remotes": {"https://github.com/org/repo//deploy?ref=v1": ".kiln-remote/1/deploy"}}
//! ```
//!
//! `path` (the kustomization directory, relative to the root; default the root) is the only required key.
//! The plugin returns one document per resource, in output order, each printed as `kubectl kustomize` prints it.

use kiln_plugin_sdk::renderer::{Document, ErrorDetail, Guest, Location, PluginError, RenderInput};
use serde_json::Value as Json;

use crate::{BuildOptions, ErrorKind, FileTree, LoadRestrictor};

/// Parsed plugin configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The kustomization directory.
    pub path: String,
    /// Build options.
    pub options: BuildOptions,
    /// Remote bases fetched by the host: reference → directory among the files.
    pub remotes: Vec<(String, String)>,
}

/// Parse the plugin configuration (JSON; empty means the root directory with default options).
pub fn parse_config(config: &str) -> Result<Config, String> {
    let mut c = Config::default();
    if config.trim().is_empty() {
        return Ok(c);
    }
    let v: Json = serde_json::from_str(config).map_err(|e| format!("configuration is not JSON: {e}"))?;
    let Json::Object(m) = v else { return Err("configuration must be a JSON object".into()) };
    for (k, v) in m {
        match (k.as_str(), v) {
            ("path", Json::String(s)) => c.path = s,
            ("loadRestrictor", Json::String(s)) => {
                c.options.load_restrictor = match s.as_str() {
                    "LoadRestrictionsRootOnly" | "rootOnly" => LoadRestrictor::RootOnly,
                    "LoadRestrictionsNone" | "none" => LoadRestrictor::None,
                    other => return Err(format!("unknown load restrictor {other:?}")),
                }
            }
            ("enableHelm", Json::Bool(b)) => c.options.enable_helm = b,
            ("helmKubeVersion", Json::String(s)) => c.options.helm_kube_version = s,
            ("helmApiVersions", Json::Array(a)) => {
                c.options.helm_api_versions = a
                    .into_iter()
                    .map(|x| x.as_str().map(str::to_owned).ok_or("helmApiVersions must hold strings"))
                    .collect::<Result<_, _>>()?
            }
            ("remotes", Json::Object(m)) => {
                c.remotes = m
                    .into_iter()
                    .map(|(k, v)| v.as_str().map(|d| (k, d.to_owned())).ok_or("remotes must map to directory strings"))
                    .collect::<Result<_, _>>()?
            }
            (other, _) => return Err(format!("unknown or mistyped configuration key `{other}`")),
        }
    }
    Ok(c)
}

/// Run a build on plugin input (the exported function, callable natively).
pub fn run(input: RenderInput) -> Result<Vec<Document>, PluginError> {
    let config = parse_config(&input.config).map_err(PluginError::invalid_config)?;
    let tree = FileTree::new(input.files.into_iter().map(|f| (f.path, f.content)))
        .and_then(|t| t.with_remotes(config.remotes))
        .map_err(|e| PluginError::invalid_input(e.message))?;
    let resources = crate::build(&tree, &config.path, &config.options).map_err(|e| {
        let detail = ErrorDetail { message: e.message, location: None::<Location> };
        match e.kind {
            ErrorKind::InvalidInput => PluginError::InvalidInput(detail),
            ErrorKind::Failed => PluginError::Failed(detail),
            ErrorKind::Unsupported => PluginError::Unsupported(detail),
        }
    })?;
    let docs = resources
        .iter()
        .map(|r| {
            let text = kiln_yaml::try_to_string(&r.value)
                .map_err(|e| PluginError::failed(format!("printing {}: {e}", r.cur_id())))?;
            Ok(Document { content: text.into_bytes(), origin: r.origin.clone() })
        })
        .collect();
    kiln_plugin_sdk::alloc::discard((resources, tree));
    docs
}

/// The plugin type.
pub struct Kustomize;

impl Guest for Kustomize {
    fn render(input: RenderInput) -> Result<Vec<Document>, PluginError> {
        run(input)
    }
}

#[cfg(target_arch = "wasm32")]
kiln_plugin_sdk::export_renderer!(Kustomize);

// One call per instance: allocate from an arena first (see `kiln_plugin_sdk::alloc`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: kiln_plugin_sdk::alloc::ArenaThenSystem = kiln_plugin_sdk::alloc::ArenaThenSystem::new();
