//! `kiln post-render`.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{ArgMatches, Args};

use super::SandboxFlags;
use super::plugins::{self, PluginRef};
use crate::manifest;
use crate::pipeline::{self, Step};
use crate::plugin::Runtime;

#[derive(Debug, Clone, Args)]
pub(super) struct PostRenderArgs {
    /// Read the stream from FILE instead of stdin (`-` is stdin).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    file: Option<PathBuf>,
    /// A plugin to run: a built-in name (see `kiln plugin list`) or a .wasm component, with optional configuration
    /// text after `=` (`=@FILE` reads it from a file). Repeatable; runs in command-line order with --patch.
    #[arg(long = "plugin", value_name = "PLUGIN[=CONFIG]")]
    plugins: Vec<String>,
    /// A patch file: what a Flux HelmRelease `postRenderers[].kustomize` block holds (`patches:` with strategic-merge
    /// or JSON 6902 patches and targets, `images:`). Repeatable; runs in command-line order with --plugin.
    #[arg(long = "patch", value_name = "FILE")]
    patches: Vec<PathBuf>,
    /// Let a patch that matches no object pass instead of failing.
    #[arg(long)]
    allow_no_match: bool,
    #[command(flatten)]
    sandbox: SandboxFlags,
}

/// The --plugin and --patch arguments in the order they appeared on the command line.
pub(super) fn ordered_steps(
    sub: &ArgMatches,
    plugin_args: &[String],
    patch_args: &[PathBuf],
    allow_no_match: bool,
    plugin_id: &str,
) -> Result<Vec<PluginRef>> {
    let mut items: Vec<(usize, PluginRef)> = Vec::new();
    if let Some(idx) = sub.indices_of(plugin_id) {
        for (i, raw) in idx.zip(plugin_args) {
            items.push((i, plugins::parse_plugin_ref(raw)?));
        }
    }
    if let Some(idx) = sub.indices_of("patches") {
        for (i, path) in idx.zip(patch_args) {
            items.push((i, super::patch_config::patch_step(path, allow_no_match)?));
        }
    }
    items.sort_by_key(|(i, _)| *i);
    Ok(items.into_iter().map(|(_, r)| r).collect())
}

/// Load each post-render step (a built-in or a `.wasm` file) and check that it is a post-renderer.
pub(super) fn load_steps(rt: &Runtime, refs: &[PluginRef], sandbox: &plugins::SandboxArgs) -> Result<Vec<Step>> {
    refs.iter()
        .map(|r| {
            let plugin = plugins::load(rt, r, sandbox)?;
            if plugin.world() != crate::plugin::World::PostRenderer {
                anyhow::bail!("plugin `{}` is a {}, not a post-renderer", plugin.name(), plugin.world());
            }
            Ok(Step { plugin, config: r.config.clone() })
        })
        .collect()
}

pub(super) fn run(args: PostRenderArgs, matches: &ArgMatches) -> Result<ExitCode> {
    let (name, input) = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            (p.display().to_string(), text)
        }
        _ => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading the manifest stream from stdin")?;
            ("stdin".to_owned(), s)
        }
    };
    let refs = ordered_steps(matches, &args.plugins, &args.patches, args.allow_no_match, "plugins")?;
    let entries = manifest::parse_stream(&input, &name)?;
    let helm_style = entries.iter().any(|e| e.source_comment);
    let steps =
        if refs.is_empty() { Vec::new() } else { load_steps(&Runtime::new()?, &refs, &args.sandbox.to_args())? };
    let out = pipeline::post_render(&entries, &steps)?;
    super::write_stdout(&manifest::write_stream(&out, helm_style))?;
    Ok(ExitCode::SUCCESS)
}
