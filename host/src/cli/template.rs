//! `kiln template`: `helm template`, rendered by the built-in Helm renderer plugin, with kiln's post-render chain.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgMatches, Args};

use super::SandboxFlags;
use super::helm_compat::HelmCompatFlags;
use super::plugins::PluginRef;
use super::source_args::SourceFlags;
use crate::manifest::{self, Entry};
use crate::pipeline;
use crate::plugin::{Clock, Randomness, Release, RenderInput, Runtime, Sandbox, SourceFile, World};

/// Release names Helm accepts (`chartutil.ValidateReleaseName`).
const MAX_RELEASE_NAME: usize = 53;

#[derive(Debug, Clone, Args)]
pub(super) struct TemplateArgs {
    /// `[NAME] CHART`: the release name (default `release-name`) and the chart: a directory, a `.tgz`, a chart URL,
    /// a chart name with --repo, `oci://registry/path/chart`, or `git+https://host/repo.git//path?ref=REF`.
    #[arg(value_name = "NAME_AND_CHART", num_args = 1..=2, required = true)]
    args: Vec<String>,
    /// Namespace the release is rendered for.
    #[arg(short = 'n', long, env = "HELM_NAMESPACE", default_value = "default", help_heading = "Helm")]
    namespace: String,
    /// Values files (YAML), comma-separated or repeated; later files win. `-` reads standard input.
    #[arg(short = 'f', long = "values", value_name = "FILE", help_heading = "Helm")]
    values: Vec<String>,
    /// Set values (`a.b=c,d[0]=e`); integers become integers, `true`/`false`/`null` their types.
    #[arg(long = "set", value_name = "KEY=VALUE", help_heading = "Helm")]
    set: Vec<String>,
    /// Set values as strings.
    #[arg(long = "set-string", value_name = "KEY=VALUE", help_heading = "Helm")]
    set_string: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file", value_name = "KEY=PATH", help_heading = "Helm")]
    set_file: Vec<String>,
    /// Set values from JSON (`key=JSON` or a JSON object).
    #[arg(long = "set-json", value_name = "KEY=JSON", help_heading = "Helm")]
    set_json: Vec<String>,
    /// Set literal string values (no parsing of commas or brackets).
    #[arg(long = "set-literal", value_name = "KEY=VALUE", help_heading = "Helm")]
    set_literal: Vec<String>,
    /// Kubernetes version for `.Capabilities.KubeVersion` (default v1.35.0, Helm 4.1.4's).
    #[arg(long, value_name = "VERSION", help_heading = "Helm")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (`group/version` or `group/version/Kind`); repeatable or comma-separated.
    #[arg(short = 'a', long = "api-versions", value_name = "VERSION", help_heading = "Helm")]
    api_versions: Vec<String>,
    /// Print the files of the charts' `crds/` directories first.
    #[arg(long, help_heading = "Helm")]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long, help_heading = "Helm")]
    skip_tests: bool,
    /// Leave out all hooks.
    #[arg(long, help_heading = "Helm")]
    no_hooks: bool,
    /// Render as an upgrade (`.Release.IsUpgrade`).
    #[arg(long, help_heading = "Helm")]
    is_upgrade: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long, help_heading = "Helm")]
    skip_schema_validation: bool,
    /// Print only the manifests rendered from these templates (`templates/x.yaml`, globs allowed); repeatable.
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE", help_heading = "Helm")]
    show_only: Vec<String>,
    /// Generate the release name (`CHART-<unix time>`) instead of taking NAME.
    #[arg(short = 'g', long, help_heading = "Helm")]
    generate_name: bool,
    /// Write each template's output to a file under DIR instead of stdout.
    #[arg(long, value_name = "DIR", help_heading = "Helm")]
    output_dir: Option<PathBuf>,
    /// With --output-dir, put files under DIR/NAME/ (the release name).
    #[arg(long, help_heading = "Helm")]
    release_name: bool,
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
    source: SourceFlags,
    #[command(flatten)]
    sandbox: SandboxFlags,
    #[command(flatten)]
    pub(super) compat: HelmCompatFlags,
}

/// Helm's release name rule.
fn validate_release_name(name: &str) -> Result<()> {
    let label = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    if name.len() <= MAX_RELEASE_NAME && name.split('.').all(label) {
        return Ok(());
    }
    bail!(
        "release name check failed: release name {name:?}: invalid release name, must match regex \
         ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
    )
}

/// Helm's `NameAndChart`.
fn name_and_chart(args: &TemplateArgs) -> Result<(String, String)> {
    match (args.args.as_slice(), args.generate_name) {
        ([chart], true) => {
            let base = Path::new(chart).file_name().map(|b| b.to_string_lossy().into_owned()).unwrap_or_default();
            let base = match base.as_str() {
                "" | "." => "chart".to_owned(),
                b => b.split('.').next().unwrap_or(b).to_owned(),
            };
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            Ok((format!("{base}-{now}"), chart.clone()))
        }
        ([_, _], true) => bail!("cannot set --generate-name and also specify a name"),
        ([chart], false) => Ok(("release-name".to_owned(), chart.clone())),
        ([name, chart], false) => Ok((name.clone(), chart.clone())),
        _ => bail!("expected NAME and CHART, or CHART with --generate-name"),
    }
}

fn read_user_file(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    if path.starts_with("http://") || path.starts_with("https://") {
        return Err(format!("{path}: values files from URLs are not supported; download the file first"));
    }
    std::fs::read(path).map_err(|e| {
        // As Go's os.ReadFile words it: the failing call (a directory opens, then fails to read) and the errno text.
        let op = if e.kind() == std::io::ErrorKind::IsADirectory { "read" } else { "open" };
        format!("{op} {path}: {}", go_errno_text(&e))
    })
}

/// An I/O error as Go prints a syscall error: the C library's text, lower-cased, without Rust's `(os error N)`.
fn go_errno_text(e: &std::io::Error) -> String {
    let Some(code) = e.raw_os_error() else { return e.to_string() };
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let text = text.rsplit_once(" (os error").map_or(text.as_str(), |(t, _)| t);
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

pub(super) fn run(args: TemplateArgs, matches: &ArgMatches) -> Result<ExitCode> {
    let (name, text) = match render(&args, matches) {
        Ok(r) => r,
        Err(e) => {
            // `helm template --debug` prints what rendered (filtered by --show-only, always to stdout) before the
            // error; a --show-only pattern that matches nothing replaces the error, as Helm's check runs first.
            if let Some(dump) = e.downcast_ref::<DebugDump>() {
                let text =
                    if args.show_only.is_empty() { dump.text.clone() } else { show_only(&dump.text, &args.show_only)? };
                super::write_stdout(&text)?;
            }
            return Err(e);
        }
    };
    match &args.output_dir {
        Some(dir) => write_output_dir(&text, dir, args.release_name.then_some(name.as_str()))?,
        None => super::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

impl TemplateArgs {
    /// The release namespace when the user chose one (`-n` or `HELM_NAMESPACE`), for `kiln apply template …`.
    pub(super) fn explicit_namespace(&self, matches: &ArgMatches) -> Option<String> {
        matches!(
            matches.value_source("namespace"),
            Some(clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable)
        )
        .then(|| self.namespace.clone())
    }

    /// `--output-dir` writes files instead of a stream: meaningless where the stream is applied. Helm's cluster
    /// connection flags, ignored by `kiln template`, would not choose the cluster here: refused rather than ignored.
    pub(super) fn check_streaming(&self) -> Result<()> {
        if self.output_dir.is_some() {
            bail!("--output-dir cannot be combined with apply or diff: the rendered set goes to the cluster");
        }
        if let Some(flag) = self.compat.connection_flag() {
            bail!(
                "{flag} after `template` does not choose the cluster: give kiln's connection flags (--kubeconfig, \
                 --context) before `template`"
            );
        }
        Ok(())
    }
}

/// Render the chart as `kiln template` prints it (after post-rendering and --show-only): (release name, stream).
pub(super) fn render(args: &TemplateArgs, matches: &ArgMatches) -> Result<(String, String)> {
    args.compat.check()?;
    // `-f` and `-a` are pflag string slices: each occurrence is a CSV record.
    let value_files = super::helm_compat::string_slice(&args.values, "-f, --values")?;
    let api_versions = super::helm_compat::string_slice(&args.api_versions, "-a, --api-versions")?;
    let (name, chart) = name_and_chart(args)?;
    validate_release_name(&name)?;

    let sources = kiln_helm_values::ValueSources {
        files: value_files,
        set_json: args.set_json.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        set_file: args.set_file.clone(),
        set_literal: args.set_literal.clone(),
    };
    let values = kiln_helm_values::merge_values(&sources, &mut |p| read_user_file(p))?;
    let values_json = kiln_helm_values::to_transport_json(&values)?;

    let files = args.source.fetch_files(&chart)?.files;

    let sandbox_args = args.sandbox.to_args();
    // Helm's random and date functions see real entropy and time unless --seed asks for reproducibility.
    let mut base = Sandbox {
        grants: crate::plugin::Grants { random: Randomness::Real, clock: Clock::Real },
        ..Sandbox::default()
    };
    base.limits.timeout = crate::plugin::limits::HELM_RENDER_TIMEOUT;
    let sandbox = sandbox_args.sandbox_for("helm", base)?;
    let rt = Runtime::new()?;
    let helm = rt.load_builtin("helm", sandbox)?;
    if helm.world() != World::Renderer {
        bail!("built-in plugin `helm` is not a renderer");
    }
    let mut config = serde_json::json!({
        "includeCrds": args.include_crds,
        "skipTests": args.skip_tests,
        "noHooks": args.no_hooks,
        "skipSchemaValidation": args.skip_schema_validation,
        "debug": args.compat.debug,
    });
    let config_text = config.to_string();
    let input = RenderInput {
        files: files.into_iter().map(|f| SourceFile { path: f.path, content: f.data }).collect(),
        values: values_json,
        release: Release {
            name: name.clone(),
            namespace: args.namespace.clone(),
            revision: 1,
            is_upgrade: args.is_upgrade,
            kube_version: args.kube_version.clone().unwrap_or_default(),
            api_versions,
        },
        config: config_text,
    };
    let docs = match helm.render(&input) {
        Ok(docs) => docs,
        Err(e) => {
            let failed_after_release = matches!(
                &e,
                crate::plugin::PluginCallError::Guest { error, .. } if error.kind == crate::plugin::GuestErrorKind::Failed
            );
            let error = helm_error(e);
            if !(args.compat.debug && failed_after_release) {
                return Err(error);
            }
            // The release existed when this failed (a template, its sorting, kubeVersion): Helm's --debug prints
            // the rendered templates as they came out, or a lone line break when rendering itself failed.
            config["rawTemplates"] = serde_json::Value::Bool(true);
            let raw = RenderInput { config: config.to_string(), ..input };
            let text = match helm.render(&raw) {
                Ok(templates) => debug_dump(&templates),
                Err(_) => "\n".to_owned(),
            };
            return Err(anyhow::Error::new(DebugDump { text, message: format!("{error:#}") }));
        }
    };

    let steps: Vec<PluginRef> = super::post_render::ordered_steps(
        matches,
        &args.post_renderers,
        &args.patches,
        args.allow_no_match,
        "post_renderers",
    )?;
    let text = if steps.is_empty() {
        print_helm(&docs)
    } else {
        let entries: Vec<Entry> = docs
            .iter()
            .map(|d| {
                let raw = format!("# Source: {}\n{}\n", d.origin, String::from_utf8_lossy(&d.content));
                manifest::parse_stream(&format!("---\n{raw}"), &d.origin).map(|mut v| v.remove(0))
            })
            .collect::<Result<_, _>>()?;
        let loaded = super::post_render::load_steps(&rt, &steps, &sandbox_args)?;
        let out = pipeline::post_render(&entries, &loaded)?;
        manifest::write_stream(&out, true)
    };

    let text = if args.show_only.is_empty() { text } else { show_only(&text, &args.show_only)? };
    Ok((name, text))
}

/// A render error under `--debug`, with what Helm prints on stdout before it.
#[derive(Debug)]
struct DebugDump {
    /// Helm's dump of the rendered templates.
    text: String,
    /// The error.
    message: String,
}

impl std::fmt::Display for DebugDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DebugDump {}

/// Helm's debugging blob: every rendered template that is not blank as `---\n# Source: PATH\nCONTENT\n`, and the
/// whole printed as `TrimSpace(blob) + "\n"`. (Helm walks a map, so its order varies from run to run; kiln keeps
/// the render order.)
fn debug_dump(templates: &[crate::plugin::Document]) -> String {
    let mut blob = String::new();
    for t in templates {
        if !String::from_utf8_lossy(&t.content).trim().is_empty() {
            push_document(&mut blob, t);
        }
    }
    let mut out = blob.trim().to_owned();
    out.push('\n');
    out
}

/// The Helm renderer's own errors (template, values, schema, chart errors) print as `helm template` prints them,
/// so that kiln's stderr reads like Helm's (`Error: execution error at (chart/templates/x.yaml:1:35): …`); the
/// sandbox's errors (memory or time limit, trap) keep naming the plugin and the limit.
fn helm_error(e: crate::plugin::PluginCallError) -> anyhow::Error {
    match e {
        crate::plugin::PluginCallError::Guest { error, .. } => anyhow!(error.message),
        other => anyhow!(other),
    }
}

/// Helm's layout: every document as `---\n# Source: PATH\nCONTENT\n`, after the release manifest printed as
/// `TrimSpace(manifest) + "\n"`, which is a lone line break when every document is a hook (or there is none). The
/// renderer returns plain manifests before hooks, so only the first document needs looking at.
fn print_helm(docs: &[crate::plugin::Document]) -> String {
    let mut out = String::with_capacity(docs.iter().map(|d| d.content.len() + d.origin.len() + 16).sum::<usize>() + 1);
    if docs.first().is_none_or(|d| is_hook(&d.content)) {
        out.push('\n');
    }
    for d in docs {
        push_document(&mut out, d);
    }
    out
}

/// One document as Helm prints it: `---\n# Source: PATH\nCONTENT\n`.
fn push_document(out: &mut String, d: &crate::plugin::Document) {
    out.push_str("---\n# Source: ");
    out.push_str(&d.origin);
    out.push('\n');
    // Validated with the standard library's fast path; only invalid bytes take the lossy walk.
    match std::str::from_utf8(&d.content) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(&d.content)),
    }
    out.push('\n');
}

/// Whether a rendered document is a Helm hook: it carries the `helm.sh/hook` annotation (any value).
fn is_hook(content: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(content) else { return false };
    if !text.contains("helm.sh/hook") {
        return false;
    }
    kiln_yaml::from_str(text).is_ok_and(|v| {
        v.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get("helm.sh/hook")).is_some()
    })
}

/// The documents of Helm-style output, each as (source path, the text after its `---\n# Source: ` marker, exactly
/// as printed).
fn source_parts(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split("---\n# Source: ").skip(1).map(|part| (part.split_once('\n').map_or(part, |(p, _)| p), part))
}

/// Split Helm-style output into (source path, document text without the leading `---\n`).
fn split_sources(text: &str) -> Vec<(String, String)> {
    source_parts(text)
        .map(|(path, part)| (path.to_owned(), format!("# Source: {}", part.trim_end_matches('\n'))))
        .collect()
}

/// `--show-only`: keep the documents whose template path (without the chart name) matches one of the patterns.
fn show_only(text: &str, patterns: &[String]) -> Result<String> {
    let docs = split_sources(text);
    let mut out = String::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for (path, doc) in &docs {
            let Some((_, rel)) = path.split_once('/') else { continue };
            if glob_match(&pattern, rel) {
                out.push_str("---\n");
                out.push_str(doc);
                out.push('\n');
                found = true;
            }
        }
        if !found {
            bail!("could not find template {pattern} in chart");
        }
    }
    Ok(out)
}

/// Go's `filepath.Match` on `/`-separated paths: `*` and `?` do not cross `/`, `[...]` classes.
fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).take_while(|&i| i == 0 || n[i - 1] != '/').any(|i| go(&p[1..], &n[i..])),
            Some('?') => n.first().is_some_and(|&c| c != '/') && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(end) = p.iter().skip(1).position(|&c| c == ']').map(|e| e + 1) else { return false };
                let Some(&c) = n.first() else { return false };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('^') | Some('!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && c != '/' && go(&p[end + 1..], &n[1..])
            }
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && go(&p[2..], &n[1..]),
            Some(&c) => n.first() == Some(&c) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// `--output-dir`: every document appended to a file named by its source path, as Helm writes them: under
/// `DIR/RELEASE` with `--release-name` (CRDs stay directly under `DIR`), each document exactly as the stream
/// printed it (`---\n# Source: PATH\nCONTENT\n`, so a CRD keeps the blank line its file's final line break
/// makes), one `wrote FILE` line per document in stream order, then a blank line.
fn write_output_dir(text: &str, dir: &Path, release: Option<&str>) -> Result<()> {
    let release_dir = release.map(|r| dir.join(r));
    let mut files: std::collections::BTreeMap<PathBuf, String> = std::collections::BTreeMap::new();
    let mut report = String::new();
    for (path, part) in source_parts(text) {
        if path.split('/').any(|c| c == ".." || c.is_empty()) || path.starts_with('/') {
            bail!("refusing to write template output outside the output directory: {path}");
        }
        let base = match &release_dir {
            Some(r) if !is_crd_path(path) => r.as_path(),
            _ => dir,
        };
        let file = base.join(path);
        report.push_str(&format!("wrote {}\n", file.display()));
        let content = files.entry(file).or_default();
        content.push_str("---\n# Source: ");
        content.push_str(part);
    }
    for (file, content) in &files {
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(file, content).with_context(|| format!("writing {}", file.display()))?;
    }
    report.push('\n');
    super::write_stdout(&report)
}

/// Whether a source path names a file of a chart's `crds/` directory (`app/crds/x.yaml`,
/// `app/charts/sub/crds/x.yaml`) rather than a template (`app/templates/…`).
fn is_crd_path(path: &str) -> bool {
    let mut parts = path.split('/').skip(1);
    while let Some(dir) = parts.next() {
        match dir {
            "crds" => return true,
            // A subchart: its name, then its own layout.
            "charts" if parts.next().is_some() => {}
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flag given twice takes its last value, as with `helm template`; repeatable options keep every value.
    #[test]
    fn repeated_flags_take_the_last_value() {
        use clap::{CommandFactory as _, FromArgMatches as _};
        let argv = [
            "kiln",
            "-v",
            "-v",
            "template",
            "rel",
            "chart",
            "--kube-version",
            "1.20.0",
            "--kube-version",
            "1.31.2",
            "--skip-tests",
            "--skip-tests",
            "-n",
            "a",
            "--namespace",
            "b",
            "-f",
            "x.yaml",
            "-f",
            "y.yaml",
            "--set",
            "a=1",
            "--set",
            "b=2",
        ];
        let matches = match crate::cli::Cli::command().try_get_matches_from(argv) {
            Ok(m) => m,
            Err(e) => panic!("repeated flags must parse: {e}"),
        };
        assert_eq!(matches.get_count("verbose"), 2);
        let Some(sub) = matches.subcommand_matches("template") else { panic!("not parsed as `template`") };
        let t = match TemplateArgs::from_arg_matches(sub) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(t.kube_version.as_deref(), Some("1.31.2"));
        assert!(t.skip_tests);
        assert_eq!(t.namespace, "b");
        assert_eq!(t.values, ["x.yaml", "y.yaml"]);
        assert_eq!(t.set, ["a=1", "b=2"]);
    }

    #[test]
    fn crd_paths() {
        assert!(is_crd_path("app/crds/widget.yaml"));
        assert!(is_crd_path("app/crds/sub/widget.yaml"));
        assert!(is_crd_path("app/charts/sub/crds/gadget.yaml"));
        assert!(!is_crd_path("app/templates/crds/x.yaml"));
        assert!(!is_crd_path("app/charts/sub/templates/cm.yaml"));
        assert!(!is_crd_path("app/templates/cm.yaml"));
    }

    #[test]
    fn release_names() {
        assert!(validate_release_name("podinfo").is_ok());
        assert!(validate_release_name("a.b-c").is_ok());
        for bad in ["BadName", "-x", "x-", "", "a..b", &"a".repeat(54)] {
            assert!(validate_release_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("templates/*.yaml", "templates/service.yaml"));
        assert!(!glob_match("templates/*.yaml", "templates/tests/t.yaml"));
        assert!(glob_match("templates/tests/*", "templates/tests/t.yaml"));
        assert!(glob_match("templates/[a-s]ervice.yaml", "templates/service.yaml"));
        assert!(glob_match("templates/servic?.yaml", "templates/service.yaml"));
    }
}
