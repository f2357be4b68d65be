//! `--patch FILE`: a Flux `postRenderers[].kustomize` block turned into configuration for the built-in `patch`
//! plugin. Plugins get no filesystem, so patch files named by `path:` are read here, relative to the patch file,
//! and inlined as `patch:`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use kiln_yaml::Value;

use super::plugins::{PluginRef, Target};

/// Build the `patch` plugin step for one patch file.
pub(super) fn patch_step(path: &Path, allow_no_match: bool) -> Result<PluginRef> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading patch file {}", path.display()))?;
    let mut config = kiln_yaml::from_str(&text).with_context(|| format!("parsing patch file {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let Some(map) = config.as_map_mut() else {
        bail!(
            "patch file {}: expected a mapping with `patches:` and/or `images:` (a Flux postRenderers[].kustomize block), found a {}",
            path.display(),
            config.type_name()
        );
    };
    if let Some(Value::Seq(patches)) = map.get_mut("patches") {
        for (i, p) in patches.iter_mut().enumerate() {
            let Some(entry) = p.as_map_mut() else { continue };
            let Some(rel) = entry.get("path").and_then(Value::as_str).map(str::to_owned) else { continue };
            if entry.contains_key("patch") {
                bail!("patch file {}: patches[{i}] has both `patch` and `path`; give one", path.display());
            }
            let file = base.join(&rel);
            let body = std::fs::read_to_string(&file).with_context(|| {
                format!("patch file {}: patches[{i}].path: reading {}", path.display(), file.display())
            })?;
            entry.shift_remove("path");
            entry.insert("patch".to_owned(), Value::String(body));
        }
    }
    if allow_no_match {
        map.insert("allowNoMatch".to_owned(), Value::Bool(true));
    }
    let json = serde_json::to_string(&config).context("serialising patch configuration")?;
    Ok(PluginRef { target: Target::Builtin("patch".to_owned()), config: json })
}
