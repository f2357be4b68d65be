//! The `renderer` world export: the kiln host calls [`Guest::render`] with the chart's files, the user's values as
//! JSON (floats with a fraction or exponent, integers without: see `kiln_helm_values::to_transport_json`), the
//! release, and this plugin's configuration (a JSON object, documented in the README).

use kiln_plugin_sdk::renderer::{Document, ErrorDetail, Guest, Level, PluginError, RenderInput, log};
use serde_json::Value as Json;

use crate::{ChartFile, ErrorKind, ReleaseInfo, RenderOptions, RenderRequest};

/// The plugin's configuration: the `helm template` flags that change rendering, and what to return.
///
/// ```json
/// {"includeCrds": false, "skipTests": false, "noHooks": false, "skipSchemaValidation": false,
///  "debug": false, "rawTemplates": false}
/// ```
///
/// `debug` is `helm template --debug`: errors found once the release exists lack Helm's "Use --debug flag" hint.
/// `rawTemplates` returns every rendered template instead of the sorted manifests: each non-partial template but
/// `NOTES.txt`, in render order, as it rendered (not parsed, so output that is not valid YAML comes back too), its
/// path as the origin. That is what `helm template --debug` prints when the manifests fail to parse.
///
/// Every key is optional (default `false`); unknown keys are an error.
pub fn parse_config(config: &str) -> Result<(RenderOptions, bool), String> {
    let mut opts = RenderOptions::default();
    let mut raw_templates = false;
    if config.trim().is_empty() {
        return Ok((opts, raw_templates));
    }
    let v: Json = serde_json::from_str(config).map_err(|e| format!("configuration is not JSON: {e}"))?;
    let Json::Object(m) = v else {
        return Err("configuration must be a JSON object".into());
    };
    for (k, v) in m {
        let Json::Bool(b) = v else {
            return Err(format!("configuration key `{k}` must be a boolean"));
        };
        match k.as_str() {
            "includeCrds" => opts.include_crds = b,
            "skipTests" => opts.skip_tests = b,
            "noHooks" => opts.no_hooks = b,
            "skipSchemaValidation" => opts.skip_schema_validation = b,
            "debug" => opts.debug = b,
            "rawTemplates" => raw_templates = b,
            other => return Err(format!("unknown configuration key `{other}`")),
        }
    }
    Ok((opts, raw_templates))
}

/// Build a [`RenderRequest`] from the plugin input, and whether it asks for the raw templates.
pub fn request_from_input(input: RenderInput) -> Result<(RenderRequest, bool), PluginError> {
    let (options, raw_templates) = parse_config(&input.config).map_err(PluginError::invalid_config)?;
    let values =
        kiln_helm_values::from_transport_json(&input.values).map_err(|e| PluginError::invalid_input(e.to_string()))?;
    let release = input.release;
    let req = RenderRequest {
        files: input.files.into_iter().map(|f| ChartFile::new(f.path, f.content)).collect(),
        values,
        release: ReleaseInfo {
            name: release.name,
            namespace: release.namespace,
            revision: i64::from(release.revision),
            is_upgrade: release.is_upgrade,
        },
        kube_version: Some(release.kube_version).filter(|v| !v.is_empty()),
        api_versions: release.api_versions,
        options,
    };
    Ok((req, raw_templates))
}

fn plugin_error(e: crate::RenderError) -> PluginError {
    let detail = ErrorDetail { message: e.message, location: None };
    match e.kind {
        ErrorKind::InvalidInput => PluginError::InvalidInput(detail),
        ErrorKind::Failed => PluginError::Failed(detail),
    }
}

/// The plugin: implements the `render` export.
pub struct HelmRenderer;

impl Guest for HelmRenderer {
    fn render(input: RenderInput) -> Result<Vec<Document>, PluginError> {
        let (req, raw_templates) = request_from_input(input)?;
        if raw_templates {
            let templates = crate::render_templates(&req).map_err(plugin_error)?;
            return Ok(templates
                .into_iter()
                .filter(|(name, _)| !name.ends_with("NOTES.txt"))
                .map(|(origin, content)| Document { content: content.into_bytes(), origin })
                .collect());
        }
        let result = crate::render_with_warnings(&req);
        kiln_plugin_sdk::alloc::discard(req);
        // Helm logs these on stderr and goes on; so does kiln, through the host's log (warn level: each one says a
        // value or a condition was ignored).
        let warnings = match &result {
            Ok((_, w)) => w.as_slice(),
            Err(e) => e.warnings.as_slice(),
        };
        for w in warnings {
            log(Level::Warn, w);
        }
        match result.map(|(docs, _)| docs) {
            Ok(docs) => {
                Ok(docs.into_iter().map(|d| Document { content: d.content.into_bytes(), origin: d.origin }).collect())
            }
            Err(e) => Err(plugin_error(e)),
        }
    }
}

// Exported only when building the WebAssembly component: the component model's export names (`kiln:plugin/...`)
// are not valid symbol names for a native shared library.
#[cfg(feature = "export")]
kiln_plugin_sdk::export_renderer!(HelmRenderer);

// One call per instance: allocate from an arena first (see `kiln_plugin_sdk::alloc`).
#[cfg(all(target_arch = "wasm32", feature = "export"))]
#[global_allocator]
static ALLOC: kiln_plugin_sdk::alloc::ArenaThenSystem = kiln_plugin_sdk::alloc::ArenaThenSystem::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config() {
        assert_eq!(parse_config("").unwrap(), (RenderOptions::default(), false));
        let (o, raw) = parse_config(r#"{"includeCrds": true, "skipTests": true}"#).unwrap();
        assert!(o.include_crds && o.skip_tests && !o.no_hooks && !o.debug && !raw);
        let (o, raw) = parse_config(r#"{"debug": true, "rawTemplates": true}"#).unwrap();
        assert!(o.debug && raw);
        assert!(parse_config(r#"{"bogus": true}"#).is_err());
        assert!(parse_config(r#"{"noHooks": 1}"#).is_err());
        assert!(parse_config("[]").is_err());
    }
}
