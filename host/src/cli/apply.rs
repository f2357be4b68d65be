//! `kiln apply`: server-side apply of a manifest set with an ApplySet inventory, pruning and health waits.
//!
//! The set is read with `-f`, or rendered in-process by a `template …` or `kustomize …` subcommand taking exactly
//! the arguments of `kiln template` / `kiln kustomize`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{ArgMatches, Args, Subcommand};

use super::kustomize::KustomizeArgs;
use super::template::TemplateArgs;

/// Cluster, inventory and apply flags shared by `kiln apply` and `kiln diff`.
#[derive(Debug, Clone, Args)]
pub(super) struct ClusterArgs {
    /// Manifests: YAML or JSON files, directories (their .yaml, .yml and .json files, sorted), or `-` for stdin.
    /// Or, instead of -f, a `template …` or `kustomize …` subcommand renders the set.
    #[arg(short = 'f', long = "filename", value_name = "PATH", required = true)]
    pub(super) files: Vec<PathBuf>,
    /// Kubeconfig file (default: KUBECONFIG, merged, else ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub(super) kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: current-context).
    #[arg(long)]
    pub(super) context: Option<String>,
    /// Namespace for namespaced objects without one (default: the context's, else `default`).
    #[arg(short = 'n', long)]
    pub(super) namespace: Option<String>,
    /// Name of the set: the ApplySet parent ConfigMap. Without it nothing is tracked or pruned.
    #[arg(long, value_name = "NAME")]
    pub(super) inventory: Option<String>,
    /// Namespace of the inventory ConfigMap (default: --namespace).
    #[arg(long, value_name = "NAMESPACE")]
    pub(super) inventory_namespace: Option<String>,
    /// Delete objects that left the set (needs --inventory).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub(super) prune: bool,
    /// Allow an empty set over a non-empty inventory (prunes everything it lists).
    #[arg(long)]
    pub(super) allow_empty: bool,
    /// Take ownership of fields that other field managers own.
    #[arg(long)]
    pub(super) force_conflicts: bool,
    /// Delete and recreate objects whose change hits immutable fields.
    #[arg(long)]
    pub(super) force_recreate: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    pub(super) concurrency: usize,
    /// Field manager name.
    #[arg(long, default_value = "kiln")]
    pub(super) field_manager: String,
    /// Dry-run objects even when the inventory proves them unchanged.
    #[arg(long)]
    pub(super) verify_unchanged: bool,
}

/// The set rendered in-process instead of read with `-f`: exactly what the command prints on its own.
#[derive(Debug, Clone, Subcommand)]
pub(super) enum Render {
    /// Render a Helm chart as `kiln template` does (same arguments and flags) and use the output as the set.
    ///
    /// The release namespace (-n after `template`) is also the default namespace for objects without one
    /// unless --namespace is given before `template`.
    Template(Box<TemplateArgs>),
    /// Build an overlay as `kiln kustomize` does (same arguments and flags) and use the output as the set.
    Kustomize(Box<KustomizeArgs>),
}

impl Render {
    fn name(&self) -> &'static str {
        match self {
            Render::Template(_) => "template",
            Render::Kustomize(_) => "kustomize",
        }
    }
}

#[derive(Debug, Clone, Args)]
#[command(subcommand_negates_reqs = true, subcommand_value_name = "RENDER", subcommand_help_heading = "Render the set")]
pub(super) struct ApplyArgs {
    #[command(flatten)]
    pub(super) cluster: ClusterArgs,
    #[command(subcommand)]
    pub(super) render: Option<Render>,
    /// `server`: plan with a server-side dry-run and print it; write nothing.
    #[arg(long, value_parser = ["none", "server"], default_value = "none", value_name = "MODE")]
    dry_run: String,
    /// Wait until the set is healthy (kstatus rules).
    #[arg(long)]
    wait: bool,
    /// Timeout for --wait (e.g. 90s, 5m, 1h).
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    timeout: String,
    /// Also print unified diffs (Secret values masked).
    #[arg(long)]
    diff: bool,
}

/// Parses `90s`, `5m`, `1h`, `500ms` or a plain number of seconds.
pub(super) fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, mult) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.trim().parse().with_context(|| format!("invalid duration {s:?}"))?;
    if !v.is_finite() || v < 0.0 {
        bail!("invalid duration {s:?}");
    }
    Ok(Duration::from_secs_f64(v * mult))
}

fn push_docs(text: &str, origin: &str, out: &mut Vec<serde_json::Value>) -> Result<()> {
    let docs = kiln_yaml::from_str_multi(text).map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
    for doc in docs {
        if matches!(doc, kiln_yaml::Value::Null) {
            continue;
        }
        let v = serde_json::to_value(&doc).with_context(|| origin.to_string())?;
        // `kind: List` (kubectl's list format) contributes its items.
        let is_list = v.get("kind").and_then(|k| k.as_str()).is_some_and(|k| k == "List" || k.ends_with("List"))
            && v.get("items").is_some_and(|i| i.is_array());
        match (is_list, v.get("items").and_then(|i| i.as_array())) {
            (true, Some(items)) => out.extend(items.iter().cloned()),
            _ => out.push(v),
        }
    }
    Ok(())
}

fn load_path(path: &Path, out: &mut Vec<serde_json::Value>) -> Result<()> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading stdin")?;
        return push_docs(&text, "stdin", out);
    }
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            })
            .collect();
        entries.sort();
        for e in entries {
            load_path(&e, out)?;
        }
        return Ok(());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    push_docs(&text, &path.display().to_string(), out)
}

/// Reads every manifest named by `-f`.
pub(super) fn load(files: &[PathBuf]) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for f in files {
        load_path(f, &mut out)?;
    }
    Ok(out)
}

/// The objects of the set: read with `-f`, or rendered by the `template`/`kustomize` subcommand (`matches` are
/// the apply or diff command's). A chart's explicit release namespace becomes the default namespace.
pub(super) fn objects(
    cluster: &mut ClusterArgs,
    render: Option<&Render>,
    matches: Option<&ArgMatches>,
) -> Result<Vec<serde_json::Value>> {
    let Some(render) = render else { return load(&cluster.files) };
    if !cluster.files.is_empty() {
        bail!("give the manifests either with -f or with a `{}` subcommand, not both", render.name());
    }
    let empty = ArgMatches::default();
    let sub = matches.and_then(|m| m.subcommand_matches(render.name())).unwrap_or(&empty);
    let mut out = Vec::new();
    match render {
        Render::Template(t) => {
            t.check_streaming()?;
            let (name, text) = super::template::render(t, sub)?;
            if cluster.namespace.is_none() {
                cluster.namespace = t.explicit_namespace(sub);
            }
            push_docs(&text, &format!("kiln template {name}"), &mut out)?;
        }
        Render::Kustomize(k) => {
            k.check_streaming()?;
            let text = super::kustomize::build(k, sub)?;
            push_docs(&text, "kiln kustomize", &mut out)?;
        }
    }
    Ok(out)
}

/// Connects and builds the library options from the shared flags.
pub(super) async fn connect(args: &ClusterArgs) -> Result<(kiln_apply::Cluster, kiln_apply::ApplyOptions)> {
    let cluster = kiln_apply::Cluster::connect(&kiln_apply::ConnectOptions {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
        namespace: args.namespace.clone(),
    })
    .await?;
    let opts = kiln_apply::ApplyOptions {
        inventory: args.inventory.clone(),
        inventory_namespace: args.inventory_namespace.clone(),
        prune: args.prune,
        allow_empty: args.allow_empty,
        force_conflicts: args.force_conflicts,
        force_recreate: args.force_recreate,
        concurrency: args.concurrency.max(1),
        field_manager: args.field_manager.clone(),
        verify_unchanged: args.verify_unchanged,
        ..kiln_apply::ApplyOptions::default()
    };
    Ok((cluster, opts))
}

/// The runtime for the cluster calls: one thread. kiln's side of an apply is a few hundred microseconds of work
/// per request around waiting for the API server, which is CPU-bound itself when it shares the machine (a test
/// cluster, kind, CI); a multi-threaded runtime's wake-ups and work stealing roughly doubled kiln's CPU per request
/// and took it from the server (`docs/benchmarks.md`, "Apply").
pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}

/// `kiln apply`: exit 0 on success, 1 when an object, a prune or the wait failed (fatal errors are `Err`).
pub(super) fn run(mut args: ApplyArgs, matches: Option<&ArgMatches>) -> Result<ExitCode> {
    let objects = objects(&mut args.cluster, args.render.as_ref(), matches)?;
    let timeout = parse_duration(&args.timeout)?;
    runtime()?.block_on(async {
        let (cluster, mut opts) = connect(&args.cluster).await?;
        opts.dry_run = args.dry_run == "server";
        opts.diff = args.diff;
        opts.wait = args.wait.then_some(timeout);
        let report = kiln_apply::apply(&cluster, &objects, &opts).await?;
        if args.diff {
            print!("{}", report.render_diff());
        }
        print!("{}", report.render());
        Ok(if report.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    })
}
