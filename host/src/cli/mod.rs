//! The `kiln` command line.

mod apply;
mod diff;
mod fetch;
mod helm_compat;
mod kustomize;
mod patch_config;
mod plugin_cmd;
pub mod plugins;
mod post_render;
mod source_args;
mod template;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Version line: kiln's version, the plugin contract it implements, and its wasmtime.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nplugin contract: kiln:plugin@",
    "0.1.0",
    "\nwasm runtime: wasmtime 48 (component model, WASI 0.2)"
);

/// kiln renders Helm charts and overlays through sandboxed WebAssembly plugins, post-renders them with patches and
/// plugins, and applies them.
// A flag given twice takes its last value, as helm's and kubectl's flag parser does (`--kube-version 1.29
// --kube-version 1.31`, `--skip-tests --skip-tests`): scripts that append flags must not start failing under kiln.
// Repeatable options (`-f`, `--set`, ...) still collect every occurrence. Propagated to every subcommand.
#[derive(Debug, Parser)]
#[command(
    name = "kiln",
    version,
    long_version = LONG_VERSION,
    propagate_version = true,
    max_term_width = 110,
    args_override_self = true
)]
pub struct Cli {
    /// More logging on stderr (-v: info, -vv: kiln's debug records, -vvv: everything's trace). `KILN_LOG` accepts a
    /// full filter instead.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Post-render a YAML stream through plugins and patches, in the order given
    ///
    /// Reads a multi-document YAML stream (stdin, or -f), passes every object
    /// through each --plugin and --patch in command-line order, and writes the
    /// resulting stream to stdout. Objects no plugin changed are written back byte
    /// for byte. Works as Helm's post-renderer:
    ///
    ///   helm template app ./chart --post-renderer kiln \
    ///     --post-renderer-args post-render \
    ///     --post-renderer-args --patch=patches.yaml
    #[command(name = "post-render", verbatim_doc_comment)]
    PostRender(Lazy<post_render::PostRenderArgs>),
    /// Render a Helm chart as `helm template` (Helm 4.1.4) does, then post-render it
    ///
    /// Accepts `helm template`'s flags, and renders byte for byte what it prints.
    /// The chart is rendered by kiln's built-in Helm renderer inside the plugin
    /// sandbox; --post-renderer and --patch then run in command-line order.
    ///
    ///   kiln template podinfo ./charts/podinfo -n apps -f values.yaml \
    ///     --set replicaCount=3 --patch patches.yaml
    #[command(verbatim_doc_comment)]
    Template(Lazy<Box<template::TemplateArgs>>),
    /// Apply manifests with server-side apply; record the set, prune what left it
    ///
    /// Objects are applied in stages (CRDs and Namespaces, cluster-scoped RBAC and
    /// *Class kinds, then the rest), dry-run first within each stage: if one
    /// object is refused, nothing of its stage is written. A re-apply of an
    /// unchanged set writes nothing. With --inventory NAME the set is recorded in
    /// an ApplySet-compatible ConfigMap, and objects that leave the set are pruned
    /// (only if they still carry this set's label, with a UID precondition).
    ///
    /// The set comes from -f (files, directories, stdin), or from a `template` or
    /// `kustomize` subcommand that takes exactly the arguments of `kiln template`
    /// or `kiln kustomize`:
    ///
    ///   kiln apply --inventory shop -n shop --wait --timeout 2m -f shop.yaml
    ///   kiln apply --inventory shop template shop examples/charts/shop \
    ///     -n shop -f values.yaml
    ///   kiln apply --inventory web kustomize overlays/production
    #[command(verbatim_doc_comment)]
    Apply(Lazy<Box<apply::ApplyArgs>>),
    /// Show what `kiln apply` would change, from a server-side dry-run
    ///
    /// Per object: created, configured, unchanged, pruned or recreated, with a
    /// unified diff that leaves out managedFields and server-generated fields.
    /// Secret values are masked (equal values show equal digests). Takes the set
    /// like `kiln apply`: -f, or a `template …` / `kustomize …` subcommand.
    /// Exits 0 when nothing would change, 1 when something would, 2 on errors.
    ///
    ///   kiln diff --inventory shop template shop examples/charts/shop \
    ///     -n shop --set replicas=3
    #[command(verbatim_doc_comment)]
    Diff(Lazy<Box<diff::DiffArgs>>),
    /// Fetch a source into the verified cache; print its revision and digest
    ///
    ///   kiln fetch podinfo --repo https://stefanprodan.github.io/podinfo \
    ///     --version '^6'
    ///   kiln fetch oci://ghcr.io/stefanprodan/charts/podinfo --version 6.7.0
    ///   kiln fetch \
    ///     'git+https://github.com/stefanprodan/podinfo.git//charts/podinfo?ref=master'
    #[command(verbatim_doc_comment)]
    Fetch(Lazy<fetch::FetchArgs>),
    /// List or prune the source cache.
    #[command(subcommand)]
    Cache(fetch::CacheCommand),
    /// Build a kustomize overlay as `kubectl kustomize` (v5.7.1) does; post-render it
    ///
    /// Reads DIR's kustomization.yaml and everything it reaches (resources, bases,
    /// components, patches, generator files), builds it with kiln's built-in
    /// kustomize renderer inside the plugin sandbox, and prints the result as
    /// `kubectl kustomize DIR` would. --enable-helm renders helmCharts with kiln's
    /// own Helm renderer. --post-renderer and --patch then run in command-line
    /// order. Remote Git bases and HTTPS files are fetched by the host.
    ///
    ///   kiln kustomize overlays/production --patch extra-patches.yaml
    #[command(verbatim_doc_comment)]
    Kustomize(Lazy<Box<kustomize::KustomizeArgs>>),
    /// Inspect and list plugins.
    #[command(subcommand)]
    Plugin(plugin_cmd::PluginCommand),
}

/// A subcommand's arguments, defined only when that subcommand is parsed or its help shown (`Command::defer`).
/// Building the definitions of every subcommand's many flags took about a quarter of a millisecond of every run,
/// most of it for subcommands the run does not use.
#[derive(Debug)]
struct Lazy<T>(T);

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(define::<T>)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(define_for_update::<T>)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// The deferred definition. It runs after the subcommand's own description was set (the derive sets it once the
/// arguments are added, which is now), and an `Args` struct's doc comment would replace it: keep the subcommand's.
fn define<T: Args>(cmd: clap::Command) -> clap::Command {
    keep_description(cmd, T::augment_args)
}

fn define_for_update<T: Args>(cmd: clap::Command) -> clap::Command {
    keep_description(cmd, T::augment_args_for_update)
}

fn keep_description(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    use clap::builder::{Resettable, StyledStr};
    let (about, long_about) = (cmd.get_about().cloned(), cmd.get_long_about().cloned());
    let restore = |s: Option<StyledStr>| s.map_or(Resettable::Reset, Resettable::Value);
    go_style_bools(augment(cmd)).about(restore(about)).long_about(restore(long_about))
}

/// Boolean flags also take a value after `=` (`--include-crds=false`), as Helm's pflag flags do: command lines pass
/// pipeline variables that way. The spellings are Go's `strconv.ParseBool`'s.
fn go_style_bools(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if !matches!(a.get_action(), clap::ArgAction::SetTrue) {
            return a;
        }
        a.action(clap::ArgAction::Set)
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .default_value("false")
            .hide_default_value(true)
            .value_name("BOOL")
            .value_parser(helm_compat::go_bool)
    })
    .mut_subcommands(go_style_bools)
}

impl<T: FromArgMatches> FromArgMatches for Lazy<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Lazy)
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Lazy)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

/// Sandbox flags shared by every command that runs plugins.
#[derive(Debug, Clone, Default, Args)]
pub struct SandboxFlags {
    /// Time limit per plugin call (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", help_heading = "Plugin sandbox")]
    plugin_timeout: Option<String>,
    /// Memory limit per plugin instance (e.g. 256MiB, 1GiB).
    #[arg(long, value_name = "SIZE", help_heading = "Plugin sandbox")]
    plugin_memory: Option<String>,
    /// Limit on the bytes one plugin call may return (e.g. 64MiB).
    #[arg(long, value_name = "SIZE", help_heading = "Plugin sandbox")]
    plugin_output: Option<String>,
    /// Per-plugin limit, PLUGIN:KEY=VALUE (keys: timeout, memory, output, instances, tables, memories; PLUGIN may be `*`).
    #[arg(long = "limit", value_name = "PLUGIN:KEY=VALUE", help_heading = "Plugin sandbox")]
    limits: Vec<String>,
    /// Grant a capability, PLUGIN:CAPABILITY (clock: real time; random: real entropy). Default: fixed clock, seeded randomness.
    #[arg(long = "grant", value_name = "PLUGIN:CAPABILITY", help_heading = "Plugin sandbox")]
    grants: Vec<String>,
    /// Seed for plugins' randomness, making random output reproducible.
    #[arg(long, value_name = "N", help_heading = "Plugin sandbox")]
    seed: Option<String>,
}

impl SandboxFlags {
    fn to_args(&self) -> plugins::SandboxArgs {
        plugins::SandboxArgs {
            timeout: self.plugin_timeout.clone(),
            memory: self.plugin_memory.clone(),
            output: self.plugin_output.clone(),
            seed: self.seed.clone(),
            limits: self.limits.clone(),
            grants: self.grants.clone(),
        }
    }
}

/// Entry point of the `kiln` binary.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // Helm's --debug is its verbose output: kiln's debug level.
    let helm_debug = match &cli.command {
        Command::Template(args) => args.0.compat.debug,
        _ => false,
    };
    init_logging(if helm_debug { cli.verbose.max(2) } else { cli.verbose });
    let result = match cli.command {
        Command::PostRender(args) => {
            let sub = matches.subcommand_matches("post-render").unwrap_or(&matches);
            post_render::run(args.0, sub)
        }
        Command::Template(args) => {
            let sub = matches.subcommand_matches("template").unwrap_or(&matches);
            template::run(*args.0, sub)
        }
        Command::Apply(args) => apply::run(*args.0, matches.subcommand_matches("apply")),
        Command::Diff(args) => diff::run(*args.0, matches.subcommand_matches("diff")),
        Command::Fetch(args) => fetch::run_fetch(args.0),
        Command::Cache(cmd) => fetch::run_cache(cmd),
        Command::Kustomize(args) => {
            let sub = matches.subcommand_matches("kustomize").unwrap_or(&matches);
            kustomize::run(*args.0, sub)
        }
        Command::Plugin(cmd) => plugin_cmd::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // An empty KILN_LOG counts as unset, for the filter and the timestamps alike.
    let custom = std::env::var("KILN_LOG").ok().filter(|f| !f.is_empty());
    let timestamps = verbose >= 2 || custom.is_some();
    let filter = match custom {
        Some(f) => EnvFilter::new(f),
        None => EnvFilter::new(match verbose {
            0 => "warn",
            1 => "info",
            // kiln's own debug records (and the Kubernetes client's requests); the WebAssembly runtime's would
            // bury them (section-by-section notes on every module it loads), so they wait for -vvv.
            2 => "info,kiln=debug,kube_client=debug",
            _ => "trace",
        }),
    };
    // Colours only for a terminal (and not under NO_COLOR): CI logs and files get plain text. Timestamps only when
    // asking for the debug records, where timing is what one reads them for.
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi);
    let _ = if timestamps { fmt.try_init() } else { fmt.without_time().try_init() };
}

/// Write `s` to stdout in one go.
fn write_stdout(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand's definition is consistent (clap's own checks), deferred ones included.
    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    /// Descriptions that keep their line breaks (`verbatim_doc_comment`: examples are laid out by hand) may not
    /// have a line wider than an 80-column terminal: clap would wrap it again and leave a ragged stub line behind.
    /// (Descriptions without kept line breaks are one paragraph per line here, and clap wraps those cleanly.)
    #[test]
    fn help_text_fits_80_columns() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut all = vec![cmd.clone()];
        all.extend(cmd.get_subcommands().cloned());
        for c in &all {
            for text in [c.get_about(), c.get_long_about()].into_iter().flatten().map(ToString::to_string) {
                if !text.trim_end().contains('\n') {
                    continue;
                }
                for line in text.lines() {
                    assert!(line.chars().count() <= 80, "{}: line of {} columns: {line}", c.get_name(), line.len());
                }
            }
        }
    }

    /// A deferred subcommand keeps its own description, not the doc comment of its arguments' struct.
    #[test]
    fn deferred_subcommands_keep_their_help() {
        let mut cmd = Cli::command();
        cmd.build();
        let about = |name: &str| {
            cmd.find_subcommand(name).and_then(|c| c.get_about()).map(ToString::to_string).unwrap_or_default()
        };
        assert!(about("template").starts_with("Render a Helm chart as `helm template`"));
        assert!(about("kustomize").starts_with("Build a kustomize overlay"));
        assert!(about("apply").starts_with("Apply manifests with server-side apply"));
        assert!(about("post-render").starts_with("Post-render a YAML stream"));
        let template = cmd.find_subcommand("template").map(|c| c.get_arguments().count()).unwrap_or(0);
        assert!(template > 20, "the template subcommand's flags are defined once built ({template})");
    }
}
