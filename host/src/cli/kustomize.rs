//! `kiln kustomize`: `kubectl kustomize`, rendered by the built-in kustomize renderer plugin, with kiln's
//! post-render chain.
//!
//! The plugin sees no file system: this module reads the overlay directory and every directory and file its
//! kustomization files name (`resources`, `components`, `bases`, patches, generator sources, configurations,
//! chart homes; recursively through the kustomizations found), and passes them with paths relative to their
//! common ancestor. Remote bases are not fetched.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgMatches, Args};
use kiln_yaml::Value;

use super::SandboxFlags;
use super::plugins::{self, PluginRef};
use crate::manifest::{self, Entry};
use crate::pipeline::{self, Step};
use crate::plugin::{Release, RenderInput, Runtime, Sandbox, SourceFile, World};

/// Most files one build may read.
const MAX_FILES: usize = 50_000;
/// Largest total size of the files one build may read.
const MAX_TOTAL: u64 = 512 << 20;
/// File names kustomize recognises as a kustomization.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Clone, Args)]
pub(super) struct KustomizeArgs {
    /// The directory holding `kustomization.yaml` (default: the current directory).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// `LoadRestrictionsRootOnly` (default): files must be in or below their kustomization's directory;
    /// `LoadRestrictionsNone`: files may be anywhere.
    #[arg(long, value_name = "RESTRICTOR", default_value = "LoadRestrictionsRootOnly", help_heading = "Kustomize")]
    load_restrictor: String,
    /// Render `helmCharts` with kiln's built-in Helm renderer (no helm binary is run).
    #[arg(long, help_heading = "Kustomize")]
    enable_helm: bool,
    /// Kubernetes version for the charts' `.Capabilities.KubeVersion`.
    #[arg(long, value_name = "VERSION", help_heading = "Kustomize")]
    helm_kube_version: Option<String>,
    /// API versions for the charts' `.Capabilities.APIVersions`; repeatable or comma-separated.
    #[arg(long, value_name = "VERSION", value_delimiter = ',', help_heading = "Kustomize")]
    helm_api_versions: Vec<String>,
    /// Write the output to this file instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE", help_heading = "Kustomize")]
    output: Option<PathBuf>,
    /// A post-render plugin: a built-in (see `kiln plugin list`) or a .wasm component, with optional configuration after
    /// `=` (`=@FILE` reads it from a file). Repeatable; runs in command-line order with --patch.
    #[arg(long = "post-renderer", value_name = "PLUGIN[=CONFIG]", help_heading = "Post-rendering")]
    post_renderers: Vec<String>,
    /// A patch file (a Flux HelmRelease `postRenderers[].kustomize` block). Repeatable; runs in order with --post-renderer.
    #[arg(long = "patch", value_name = "FILE", help_heading = "Post-rendering")]
    patches: Vec<PathBuf>,
    /// Let a patch that matches no object pass instead of failing.
    #[arg(long, help_heading = "Post-rendering")]
    allow_no_match: bool,
    #[command(flatten)]
    sandbox: SandboxFlags,
}

/// Files collected for a build, keyed by absolute path.
#[derive(Default)]
struct Collected {
    files: BTreeMap<PathBuf, Vec<u8>>,
    total: u64,
}

impl Collected {
    fn add_file(&mut self, path: &Path) -> Result<()> {
        if self.files.contains_key(path) {
            return Ok(());
        }
        if self.files.len() >= MAX_FILES {
            bail!("the overlay names more than {MAX_FILES} files");
        }
        let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        self.total += data.len() as u64;
        if self.total > MAX_TOTAL {
            bail!("the overlay's files exceed {MAX_TOTAL} bytes");
        }
        self.files.insert(path.to_owned(), data);
        Ok(())
    }

    /// Add every regular file below `dir` (hidden directories such as `.git` are skipped).
    fn add_tree(&mut self, dir: &Path) -> Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("reading directory {}", dir.display()))?
            .collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name();
            let p = e.path();
            let Ok(meta) = std::fs::metadata(&p) else { continue };
            if meta.is_dir() {
                if name.to_string_lossy().starts_with('.') {
                    continue;
                }
                self.add_tree(&p)?;
            } else if meta.is_file() {
                self.add_file(&p)?;
            }
        }
        Ok(())
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Seq(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn is_remote(p: &str) -> bool {
    let l = p.to_ascii_lowercase();
    l.contains("://")
        || ["git@", "git::", "gh:", "github.com/", "gitlab.com/", "bitbucket.org/"].iter().any(|x| l.starts_with(x))
}

/// Every path a kustomization names, and whether it may be a kustomization directory.
fn referenced(k: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for f in ["resources", "bases", "components", "generators", "transformers", "validators"] {
        out.extend(strings(k.get(f)).into_iter().map(|p| (p, true)));
    }
    for f in ["crds", "configurations", "patchesStrategicMerge"] {
        out.extend(strings(k.get(f)).into_iter().map(|p| (p, false)));
    }
    for f in ["patches", "patchesJson6902", "replacements"] {
        if let Some(Value::Seq(items)) = k.get(f) {
            out.extend(
                items.iter().filter_map(|i| i.get("path").and_then(Value::as_str)).map(|p| (p.to_owned(), false)),
            );
        }
    }
    for f in ["configMapGenerator", "secretGenerator"] {
        if let Some(Value::Seq(items)) = k.get(f) {
            for g in items {
                for src in strings(g.get("files")) {
                    let path = src.split_once('=').map_or(src.as_str(), |(_, p)| p).to_owned();
                    out.push((path, false));
                }
                out.extend(strings(g.get("envs")).into_iter().map(|p| (p, false)));
                out.extend(strings(g.get("env")).into_iter().map(|p| (p, false)));
            }
        }
    }
    if let Some(p) = k.pointer(&["openapi", "path"]).and_then(Value::as_str) {
        out.push((p.to_owned(), false));
    }
    if let Some(h) = k.pointer(&["helmGlobals", "chartHome"]).and_then(Value::as_str) {
        out.push((h.to_owned(), false));
    }
    if let Some(Value::Seq(charts)) = k.get("helmCharts") {
        for c in charts {
            out.extend(strings(c.get("valuesFile")).into_iter().map(|p| (p, false)));
            out.extend(strings(c.get("additionalValuesFiles")).into_iter().map(|p| (p, false)));
        }
    }
    out
}

/// Files (path relative to the common root, bytes) handed to the renderer.
type OverlayFiles = Vec<(String, Vec<u8>)>;

/// Read the overlay at `dir` and everything it reaches: the common root, the files, and the overlay's path in it.
fn collect(dir: &Path) -> Result<(PathBuf, OverlayFiles, String)> {
    let top = std::fs::canonicalize(dir).with_context(|| format!("must build at directory: {}", dir.display()))?;
    if !top.is_dir() {
        bail!("must build at directory: not a valid directory: {}", dir.display());
    }
    let mut c = Collected::default();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([top.clone()]);
    while let Some(d) = queue.pop_front() {
        if !seen.insert(d.clone()) {
            continue;
        }
        c.add_tree(&d)?;
        let Some(kfile) = KUSTOMIZATION_FILES.iter().map(|n| d.join(n)).find(|p| p.is_file()) else { continue };
        let text = std::fs::read_to_string(&kfile).unwrap_or_default();
        let Ok(k) = kiln_yaml::from_str(&text) else { continue };
        for (p, maybe_dir) in referenced(&k) {
            if is_remote(&p) || p.contains('\n') || p.trim().is_empty() {
                continue;
            }
            let full = d.join(&p);
            let Ok(full) = std::fs::canonicalize(&full) else { continue };
            if full.is_dir() {
                if maybe_dir && KUSTOMIZATION_FILES.iter().any(|n| full.join(n).is_file()) {
                    queue.push_back(full);
                } else {
                    c.add_tree(&full)?;
                }
            } else if full.is_file() {
                c.add_file(&full)?;
            }
        }
    }
    let mut root = top.clone();
    for p in c.files.keys() {
        while !p.starts_with(&root) {
            root = root
                .parent()
                .map(Path::to_path_buf)
                .ok_or_else(|| anyhow!("no common root for the overlay's files"))?;
        }
    }
    let rel = |p: &Path| -> Result<String> {
        let r = p.strip_prefix(&root).map_err(|_| anyhow!("{} is outside {}", p.display(), root.display()))?;
        Ok(r.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"))
    };
    let overlay = rel(&top)?;
    let files = c.files.into_iter().map(|(p, data)| Ok((rel(&p)?, data))).collect::<Result<Vec<_>>>()?;
    Ok((root, files, overlay))
}

pub(super) fn run(args: KustomizeArgs, matches: &ArgMatches) -> Result<ExitCode> {
    let restrictor = match args.load_restrictor.as_str() {
        "LoadRestrictionsRootOnly" | "LoadRestrictionsNone" => args.load_restrictor.clone(),
        other => bail!("invalid --load-restrictor {other:?}: use LoadRestrictionsRootOnly or LoadRestrictionsNone"),
    };
    let (_root, files, overlay) = collect(&args.dir)?;

    let sandbox_args = args.sandbox.to_args();
    let sandbox = sandbox_args.sandbox_for("kustomize", Sandbox::default())?;
    let rt = Runtime::new()?;
    let plugin = rt.load_builtin("kustomize", sandbox)?;
    if plugin.world() != World::Renderer {
        bail!("built-in plugin `kustomize` is not a renderer");
    }
    let config = serde_json::json!({
        "path": overlay,
        "loadRestrictor": restrictor,
        "enableHelm": args.enable_helm,
        "helmKubeVersion": args.helm_kube_version.clone().unwrap_or_default(),
        "helmApiVersions": args.helm_api_versions,
    })
    .to_string();
    let input = RenderInput {
        files: files.into_iter().map(|(path, content)| SourceFile { path, content }).collect(),
        values: "{}".to_owned(),
        release: Release {
            name: String::new(),
            namespace: String::new(),
            revision: 1,
            is_upgrade: false,
            kube_version: String::new(),
            api_versions: Vec::new(),
        },
        config,
    };
    let docs =
        plugin.render(&input).map_err(|e| anyhow!(e)).with_context(|| format!("kustomize {}", args.dir.display()))?;

    let steps: Vec<PluginRef> = super::post_render::ordered_steps(
        matches,
        &args.post_renderers,
        &args.patches,
        args.allow_no_match,
        "post_renderers",
    )?;
    let text = if steps.is_empty() {
        let mut out = String::with_capacity(docs.iter().map(|d| d.content.len() + 4).sum());
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            out.push_str(&String::from_utf8_lossy(&d.content));
        }
        out
    } else {
        let entries: Vec<Entry> = docs
            .iter()
            .map(|d| {
                manifest::parse_stream(&String::from_utf8_lossy(&d.content), &d.origin)
                    .map_err(anyhow::Error::from)
                    .and_then(|mut v| {
                        if v.is_empty() { Err(anyhow!("empty document from {}", d.origin)) } else { Ok(v.remove(0)) }
                    })
            })
            .collect::<Result<_>>()?;
        let loaded = steps
            .iter()
            .map(|r| {
                let plugin = plugins::load(&rt, r, &sandbox_args)?;
                if plugin.world() != World::PostRenderer {
                    bail!("plugin `{}` is a {}, not a post-renderer", plugin.name(), plugin.world());
                }
                Ok(Step { plugin, config: r.config.clone() })
            })
            .collect::<Result<Vec<_>>>()?;
        let out = pipeline::post_render(&entries, &loaded)?;
        manifest::write_stream(&out, false)
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => super::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
