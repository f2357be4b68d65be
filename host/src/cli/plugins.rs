//! Command-line plugin references (`--plugin NAME[=CONFIG]`), limits and grants, and loading them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::plugin::limits::{parse_duration, parse_seed, parse_size};
use crate::plugin::{Clock, Plugin, Randomness, Runtime, Sandbox, builtin};

/// A plugin named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRef {
    /// A built-in name or a path to a `.wasm` component.
    pub target: Target,
    /// Configuration text passed to the plugin.
    pub config: String,
}

/// What a plugin reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A built-in plugin.
    Builtin(String),
    /// A component file.
    File(PathBuf),
}

impl Target {
    /// Name used in limits, grants and messages: the built-in name or the file name.
    pub fn name(&self) -> String {
        match self {
            Target::Builtin(n) => n.clone(),
            Target::File(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        }
    }
}

/// Parse `NAME[=CONFIG]`. NAME is a built-in when it has no `/` and does not end in `.wasm`; CONFIG starting with
/// `@` names a file whose contents are the configuration.
pub fn parse_plugin_ref(s: &str) -> Result<PluginRef> {
    let (name, config) = match s.split_once('=') {
        Some((n, c)) => (n, Some(c)),
        None => (s, None),
    };
    if name.is_empty() {
        bail!("`--plugin {s}`: the plugin name is empty (expected NAME[=CONFIG], e.g. `patch=@patches.yaml`)");
    }
    let target = if name.contains('/') || name.ends_with(".wasm") {
        Target::File(PathBuf::from(name))
    } else {
        Target::Builtin(name.to_owned())
    };
    let config = match config {
        Some(c) => match c.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading the configuration file {path} for plugin `{name}`"))?,
            None => c.to_owned(),
        },
        None => String::new(),
    };
    Ok(PluginRef { target, config })
}

/// Sandbox settings from the command line: defaults for every plugin plus per-plugin overrides.
#[derive(Debug, Clone, Default)]
pub struct SandboxArgs {
    /// `--plugin-timeout`.
    pub timeout: Option<String>,
    /// `--plugin-memory`.
    pub memory: Option<String>,
    /// `--plugin-output`.
    pub output: Option<String>,
    /// `--seed`.
    pub seed: Option<String>,
    /// `--limit PLUGIN:KEY=VALUE`.
    pub limits: Vec<String>,
    /// `--grant PLUGIN:CAPABILITY`.
    pub grants: Vec<String>,
}

impl SandboxArgs {
    /// The sandbox for the plugin named `name`, starting from `base`.
    pub fn sandbox_for(&self, name: &str, base: Sandbox) -> Result<Sandbox> {
        let mut sb = base;
        let mut kv: BTreeMap<&str, &str> = BTreeMap::new();
        if let Some(t) = &self.timeout {
            kv.insert("timeout", t);
        }
        if let Some(m) = &self.memory {
            kv.insert("memory", m);
        }
        if let Some(o) = &self.output {
            kv.insert("output", o);
        }
        for l in &self.limits {
            let (plugin, setting) = l
                .split_once(':')
                .with_context(|| format!("`--limit {l}`: expected PLUGIN:KEY=VALUE, e.g. `label.wasm:timeout=30s`"))?;
            if plugin != name && plugin != "*" {
                continue;
            }
            let (k, v) =
                setting.split_once('=').with_context(|| format!("`--limit {l}`: expected KEY=VALUE after `:`"))?;
            kv.insert(k, v);
        }
        for (k, v) in kv {
            let err = |e: String| anyhow::anyhow!("plugin `{name}` limit `{k}`: {e}");
            match k {
                "timeout" => sb.limits.timeout = parse_duration(v).map_err(err)?,
                "memory" => sb.limits.memory = parse_size(v).map_err(err)?,
                "output" => sb.limits.output = parse_size(v).map_err(err)?,
                "instances" => sb.limits.instances = v.parse().map_err(|_| err(format!("`{v}` is not a count")))?,
                "tables" => sb.limits.tables = v.parse().map_err(|_| err(format!("`{v}` is not a count")))?,
                "memories" => sb.limits.memories = v.parse().map_err(|_| err(format!("`{v}` is not a count")))?,
                other => bail!(
                    "unknown plugin limit `{other}` (known: timeout, memory, output, instances, tables, memories)"
                ),
            }
        }
        for g in &self.grants {
            let (plugin, cap) = g
                .split_once(':')
                .with_context(|| format!("`--grant {g}`: expected PLUGIN:CAPABILITY, e.g. `x.wasm:clock`"))?;
            if plugin != name && plugin != "*" {
                continue;
            }
            match cap {
                "clock" => sb.grants.clock = Clock::Real,
                "random" => sb.grants.random = Randomness::Real,
                other => bail!(
                    "unknown capability `{other}` in `--grant {g}` (grantable: clock, random; plugins never get filesystem or network access)"
                ),
            }
        }
        if let Some(seed) = &self.seed {
            sb.grants.random = Randomness::Seeded(parse_seed(seed).map_err(anyhow::Error::msg)?);
        }
        Ok(sb)
    }
}

/// Load the plugin a reference points at.
pub fn load(rt: &Runtime, r: &PluginRef, args: &SandboxArgs) -> Result<Plugin> {
    let name = r.target.name();
    let sandbox = args.sandbox_for(&name, Sandbox::default())?;
    let plugin = match &r.target {
        Target::Builtin(n) => rt.load_builtin(n, sandbox)?,
        Target::File(p) => rt.load_file(p, sandbox)?,
    };
    Ok(plugin)
}

/// Resolve a name for `kiln plugin inspect`: a built-in name, or a file.
pub fn load_for_inspect(rt: &Runtime, name: &str) -> Result<Plugin> {
    if builtin::find(name).is_some() && !Path::new(name).exists() {
        return Ok(rt.load_builtin(name, Sandbox::default())?);
    }
    let p = Path::new(name);
    if !p.exists() {
        bail!("`{name}` is neither a built-in plugin ({}) nor an existing file", builtin::names().join(", "));
    }
    Ok(rt.load_file(p, Sandbox::default())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn plugin_refs() {
        let r = parse_plugin_ref("patch").expect("ok");
        assert_eq!(r.target, Target::Builtin("patch".into()));
        assert_eq!(r.config, "");
        let r = parse_plugin_ref("./x/label.wasm=app=web").expect("ok");
        assert_eq!(r.target, Target::File("./x/label.wasm".into()));
        assert_eq!(r.config, "app=web");
        assert_eq!(r.target.name(), "label.wasm");
        assert!(parse_plugin_ref("=x").is_err());
        assert!(parse_plugin_ref("patch=@/nonexistent/file").is_err());
    }

    #[test]
    fn sandbox_overrides() {
        let args = SandboxArgs {
            timeout: Some("2s".into()),
            limits: vec!["a.wasm:memory=64MiB".into(), "*:output=1MiB".into()],
            grants: vec!["a.wasm:clock".into()],
            seed: Some("42".into()),
            ..Default::default()
        };
        let sb = args.sandbox_for("a.wasm", Sandbox::default()).expect("ok");
        assert_eq!(sb.limits.timeout, Duration::from_secs(2));
        assert_eq!(sb.limits.memory, 64 << 20);
        assert_eq!(sb.limits.output, 1 << 20);
        assert_eq!(sb.grants.clock, Clock::Real);
        assert_eq!(sb.grants.random, Randomness::Seeded(42));
        let other = args.sandbox_for("b.wasm", Sandbox::default()).expect("ok");
        assert_eq!(other.limits.memory, Sandbox::default().limits.memory);
        assert!(
            SandboxArgs { grants: vec!["a:network".into()], ..Default::default() }
                .sandbox_for("a", Sandbox::default())
                .is_err()
        );
        assert!(
            SandboxArgs { limits: vec!["a:speed=9".into()], ..Default::default() }
                .sandbox_for("a", Sandbox::default())
                .is_err()
        );
    }
}
