//! `kiln kustomize`: `kubectl kustomize`, rendered by the built-in kustomize renderer plugin, with kiln's
//! post-render chain.
//!
//! The plugin sees no file system: this module reads the overlay directory and every directory and file its
//! kustomization files name (`resources`, `components`, `bases`, patches, generator sources, configurations,
//! chart homes; recursively through the kustomizations found), and passes them with paths relative to their
//! common ancestor. Remote bases that are Git repositories (kustomize's URL forms, or kiln's `git+…`) are fetched
//! through kiln's verified source cache, written to a private temporary directory and passed like local ones, with
//! a map from each reference to its directory; DIR itself may be such a reference.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgMatches, Args};
use kiln_yaml::Value;

use super::SandboxFlags;
use super::plugins::PluginRef;
use super::source_args::ConnectionFlags;
use crate::manifest::{self, Entry};
use crate::pipeline;
use crate::plugin::{Release, RenderInput, Runtime, Sandbox, SourceFile, World};
use kiln_source::{RefFlags, SourceRef};

/// Most files one build may read.
const MAX_FILES: usize = 50_000;
/// Largest total size of the files one build may read.
const MAX_TOTAL: u64 = 512 << 20;
/// File names kustomize recognises as a kustomization.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Clone, Args)]
pub(super) struct KustomizeArgs {
    /// The directory holding `kustomization.yaml` (default: the current directory), or a remote base in
    /// kustomize's notation (`https://github.com/org/repo//dir?ref=v1`) or kiln's (`git+https://…//dir?ref=`).
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
    connection: ConnectionFlags,
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

/// A remote base in kustomize's notation, as kiln's Git source for its whole repository (`git+SCHEME://host/repo`,
/// with `?ref=` when one is given) plus the base's directory inside the repository.
///
/// Accepted like kustomize: `https://host/org/repo//dir?ref=v1`, `https://host/org/repo.git/dir`,
/// `github.com/org/repo/dir?ref=v1` (also gitlab.com, bitbucket.org: the first two segments name the repository),
/// `git@host:org/repo.git//dir`, `ssh://…`, `file:///srv/repo.git//dir`, an optional `git::` prefix, `version=` for
/// `ref=`; `timeout=` and `submodules=` are accepted and ignored. kiln's `git+https://…//dir?ref=` works as well.
/// Returns `None` for anything else (for example a plain HTTPS file, which kiln does not fetch).
pub(super) fn git_remote(reference: &str) -> Option<(String, String)> {
    let r = reference.trim();
    let r = r.strip_prefix("git::").unwrap_or(r);
    let (body, query) = r.split_once('?').unwrap_or((r, ""));
    let mut git_ref = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "ref" | "version" if !v.is_empty() => git_ref = Some(v.to_owned()),
            "timeout" | "submodules" => {}
            _ => return None,
        }
    }
    // Normalise to SCHEME://host/path.
    let url = if let Some(rest) = body.strip_prefix("git+") {
        rest.to_owned()
    } else if body.contains("://") {
        body.to_owned()
    } else if let Some(rest) = body.strip_prefix("git@") {
        let (host, path) = rest.split_once(':')?;
        format!("ssh://git@{host}/{path}")
    } else if let Some(rest) = body.strip_prefix("gh:") {
        format!("https://github.com/{rest}")
    } else {
        format!("https://{body}")
    };
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "https" | "http" | "ssh" | "file") {
        return None;
    }
    let (host, path) = match scheme {
        "file" => ("", rest),
        _ => rest.split_once('/')?,
    };
    let path = path.trim_start_matches('/');
    let (repo, dir) = if let Some((repo, dir)) = path.split_once("//") {
        (repo.to_owned(), dir.to_owned())
    } else if let Some(i) = path.find(".git/").map(|i| i + 4).or_else(|| path.ends_with(".git").then_some(path.len())) {
        (path[..i].to_owned(), path[i..].trim_start_matches('/').to_owned())
    } else if ["github.com", "gitlab.com", "bitbucket.org"].contains(&host.to_ascii_lowercase().as_str()) {
        let mut segs = path.splitn(3, '/');
        let (org, name) = (segs.next()?, segs.next()?);
        (format!("{org}/{name}"), segs.next().unwrap_or("").to_owned())
    } else {
        (path.to_owned(), String::new())
    };
    if repo.is_empty() {
        return None;
    }
    let mut source = match scheme {
        "file" => format!("git+file:///{repo}"),
        _ => format!("git+{scheme}://{host}/{repo}"),
    };
    if let Some(r) = git_ref {
        source.push_str("?ref=");
        source.push_str(&r);
    }
    Some((source, dir.trim_matches('/').to_owned()))
}

/// What a remote reference turned out to be.
enum Remote {
    /// A Git base: its directory.
    Dir(PathBuf),
    /// A file fetched over HTTP(S).
    File(PathBuf),
}

/// Largest remote file kiln fetches.
const MAX_REMOTE_FILE: u64 = 64 << 20;

/// Whether a fetched body is a resource file: YAML whose documents are objects (not an HTML page or a scalar).
fn holds_objects(body: &[u8]) -> bool {
    let docs = std::str::from_utf8(body).ok().and_then(|t| kiln_yaml::from_str_multi(t).ok());
    docs.is_some_and(|docs| {
        docs.iter().any(|d| matches!(d, Value::Map(_))) && docs.iter().all(|d| matches!(d, Value::Map(_) | Value::Null))
    })
}

/// An `http(s)://` URL not written as a Git base (no `//dir`, `.git`, `?ref=`/`?version=`, `git::` or `git+`):
/// kustomize GETs such a URL as a file first.
fn is_http_file_candidate(reference: &str) -> bool {
    let lower = reference.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else { return false };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let git_query = query.split('&').any(|kv| kv.starts_with("ref=") || kv.starts_with("version="));
    !path.contains("//") && !path.contains(".git/") && !path.ends_with(".git") && !git_query
}

/// Remote bases and files fetched for one build, written below a private temporary directory (removed when dropped).
struct Remotes {
    dir: tempfile::TempDir,
    /// Git source → the directory its repository was written to (one checkout per source and revision).
    checkouts: BTreeMap<String, PathBuf>,
    /// The reference as written in a kustomization → the base's directory, or the fetched file.
    bases: BTreeMap<String, PathBuf>,
}

impl Remotes {
    fn new() -> Result<Remotes> {
        let dir =
            tempfile::Builder::new().prefix("kiln-remote-").tempdir().context("creating a temporary directory")?;
        Ok(Remotes { dir, checkouts: BTreeMap::new(), bases: BTreeMap::new() })
    }

    /// Fetch what a remote `resources` entry names: a file over HTTP(S), or a Git base.
    ///
    /// kustomize first GETs an `http(s)://` URL and uses the body as a resource file when it succeeds and holds
    /// objects; otherwise (an error status, HTML) it tries the URL as a Git repository. kiln does the same, except
    /// that a URL written as a Git base (`//dir`, `.git`, `?ref=`, `git::`) goes to Git directly.
    fn fetch_any(&mut self, reference: &str, conn: &ConnectionFlags) -> Result<Remote> {
        let reference = reference.trim();
        if let Some(p) = self.bases.get(reference) {
            return Ok(if p.is_file() { Remote::File(p.clone()) } else { Remote::Dir(p.clone()) });
        }
        if !is_http_file_candidate(reference) {
            return self.fetch(reference, conn).map(Remote::Dir);
        }
        let as_file = match self.get(reference, conn) {
            Ok(body) if holds_objects(&body) => return self.add_remote_file(reference, body).map(Remote::File),
            Ok(_) => anyhow!("the response holds no Kubernetes objects"),
            Err(e) => e,
        };
        if git_remote(reference).is_none() {
            return Err(as_file.context(format!("remote resource `{reference}`")));
        }
        // kustomize's fallback: the URL may be a Git repository.
        self.fetch(reference, conn).map(Remote::Dir).map_err(|git| {
            anyhow!("remote resource `{reference}`: as a file: {as_file:#}; as a Git repository: {git:#}")
        })
    }

    /// GET `url` (a successful status, or an error naming the status).
    fn get(&self, url: &str, conn: &ConnectionFlags) -> Result<Vec<u8>> {
        if conn.offline() {
            bail!("remote file `{url}`: --offline forbids fetching it");
        }
        let (status, body) = kiln_source::get_file(url, &conn.connection_options(), MAX_REMOTE_FILE)
            .with_context(|| format!("remote file `{url}`"))?;
        if !(200..300).contains(&status) {
            bail!("remote file `{url}`: HTTP status {status}");
        }
        Ok(body)
    }

    /// A file that is not a resource list (a patch, a generator's file) named by URL: any successful body is kept.
    fn fetch_plain_file(&mut self, url: &str, conn: &ConnectionFlags) -> Result<PathBuf> {
        let url = url.trim();
        if let Some(f) = self.bases.get(url) {
            return Ok(f.clone());
        }
        let body = self.get(url, conn)?;
        self.add_remote_file(url, body)
    }

    /// Write a fetched file under the build's temporary directory and remember it for `reference`.
    fn add_remote_file(&mut self, reference: &str, body: Vec<u8>) -> Result<PathBuf> {
        let name = reference
            .split(['?', '#'])
            .next()
            .and_then(|u| u.rsplit('/').next())
            .filter(|n| !n.is_empty() && *n != "." && *n != ".." && !n.contains('\\'))
            .unwrap_or("resource.yaml")
            .to_owned();
        let dir = self.dir.path().join(format!("file-{}", self.bases.len()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(name);
        std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))?;
        self.bases.insert(reference.to_owned(), path.clone());
        Ok(path)
    }

    /// Fetch the repository `reference` names (once per build) and return the base's directory.
    fn fetch(&mut self, reference: &str, conn: &ConnectionFlags) -> Result<PathBuf> {
        let reference = reference.trim();
        if let Some(d) = self.bases.get(reference) {
            return Ok(d.clone());
        }
        let (source, sub) = git_remote(reference).ok_or_else(|| {
            anyhow!(
                "remote resource `{reference}`: kiln fetches remote bases from Git repositories only \
                 (https://host/org/repo//dir?ref=…, github.com/org/repo/dir, git@host:org/repo, file://…)"
            )
        })?;
        let checkout = match self.checkouts.get(&source) {
            Some(c) => c.clone(),
            None => {
                let r = SourceRef::parse(&source, &RefFlags::default())
                    .with_context(|| format!("remote base `{reference}`"))?;
                let fetched = conn.fetch(&r).with_context(|| format!("remote base `{reference}`"))?;
                tracing::info!(reference, revision = %fetched.revision, "fetched remote base");
                let target = self.dir.path().join(self.checkouts.len().to_string());
                for f in &fetched.files {
                    // kiln-source hands out cleaned, relative paths; check anyway before writing.
                    let rel = Path::new(&f.path);
                    if rel.is_absolute() || rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
                        bail!("remote base `{reference}`: refusing file path {:?}", f.path);
                    }
                    let p = target.join(rel);
                    if let Some(parent) = p.parent() {
                        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                    }
                    std::fs::write(&p, &f.data).with_context(|| format!("writing {}", p.display()))?;
                }
                std::fs::create_dir_all(&target)?;
                self.checkouts.insert(source.clone(), target.clone());
                target
            }
        };
        let base = std::fs::canonicalize(checkout.join(&sub))
            .ok()
            .filter(|b| b.is_dir() && b.starts_with(std::fs::canonicalize(&checkout).unwrap_or(checkout.clone())))
            .ok_or_else(|| anyhow!("remote base `{reference}`: `{sub}` is not a directory in {source}"))?;
        self.bases.insert(reference.to_owned(), base.clone());
        Ok(base)
    }
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

/// What the renderer is given for one build.
struct Overlay {
    /// Files, relative to their common root.
    files: OverlayFiles,
    /// The kustomization directory, relative to the root.
    path: String,
    /// Remote references → their directories, relative to the root.
    remotes: BTreeMap<String, String>,
}

/// Read the overlay at `dir` (a directory, or a remote Git base) and everything it reaches.
fn collect(dir: &Path, conn: &ConnectionFlags, remotes: &mut Remotes) -> Result<Overlay> {
    let given = dir.to_string_lossy();
    let top = if !dir.exists() && is_remote(&given) {
        remotes.fetch(&given, conn)?
    } else {
        std::fs::canonicalize(dir).with_context(|| format!("must build at directory: {}", dir.display()))?
    };
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
            if maybe_dir && is_remote(&p) && !p.contains('\n') {
                match remotes.fetch_any(&p, conn).with_context(|| format!("in {}", kfile.display()))? {
                    Remote::Dir(base) => queue.push_back(base),
                    Remote::File(f) => c.add_file(&f)?,
                }
                continue;
            }
            if !maybe_dir && is_http_file_candidate(&p) && !p.contains('\n') {
                // A patch, replacement or generator file named by URL: kustomize's loader reads it over HTTP(S).
                let f = remotes.fetch_plain_file(&p, conn).with_context(|| format!("in {}", kfile.display()))?;
                c.add_file(&f)?;
                continue;
            }
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
    let path = rel(&top)?;
    let remote_dirs = remotes.bases.iter().map(|(r, d)| Ok((r.clone(), rel(d)?))).collect::<Result<_>>()?;
    let files = c.files.into_iter().map(|(p, data)| Ok((rel(&p)?, data))).collect::<Result<Vec<_>>>()?;
    Ok(Overlay { files, path, remotes: remote_dirs })
}

pub(super) fn run(args: KustomizeArgs, matches: &ArgMatches) -> Result<ExitCode> {
    let text = build(&args, matches)?;
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => super::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

impl KustomizeArgs {
    /// `--output` writes a file instead of a stream: meaningless where the stream is applied.
    pub(super) fn check_streaming(&self) -> Result<()> {
        if self.output.is_some() {
            bail!("--output cannot be combined with apply or diff: the built set goes to the cluster");
        }
        Ok(())
    }
}

/// Build the overlay as `kiln kustomize` prints it (after post-rendering).
pub(super) fn build(args: &KustomizeArgs, matches: &ArgMatches) -> Result<String> {
    let restrictor = match args.load_restrictor.as_str() {
        "LoadRestrictionsRootOnly" | "LoadRestrictionsNone" => args.load_restrictor.clone(),
        other => bail!("invalid --load-restrictor {other:?}: use LoadRestrictionsRootOnly or LoadRestrictionsNone"),
    };
    let mut remotes = Remotes::new()?;
    let overlay = collect(&args.dir, &args.connection, &mut remotes)?;

    let sandbox_args = args.sandbox.to_args();
    let sandbox = sandbox_args.sandbox_for("kustomize", Sandbox::default())?;
    let rt = Runtime::new()?;
    let plugin = rt.load_builtin("kustomize", sandbox)?;
    if plugin.world() != World::Renderer {
        bail!("built-in plugin `kustomize` is not a renderer");
    }
    let config = serde_json::json!({
        "path": overlay.path,
        "loadRestrictor": restrictor,
        "enableHelm": args.enable_helm,
        "helmKubeVersion": args.helm_kube_version.clone().unwrap_or_default(),
        "helmApiVersions": args.helm_api_versions,
        "remotes": overlay.remotes,
    })
    .to_string();
    let input = RenderInput {
        files: overlay.files.into_iter().map(|(path, content)| SourceFile { path, content }).collect(),
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
        let loaded = super::post_render::load_steps(&rt, &steps, &sandbox_args)?;
        let out = pipeline::post_render(&entries, &loaded)?;
        manifest::write_stream(&out, false)
    };
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{git_remote, is_http_file_candidate};

    fn g(r: &str) -> Option<(String, String)> {
        git_remote(r)
    }

    #[test]
    fn http_urls_are_files_unless_written_as_git_bases() {
        for f in [
            "https://raw.githubusercontent.com/org/repo/v1/deploy/app.yaml",
            "http://127.0.0.1:8080/app.yaml",
            "https://example.com/manifests/app.yaml?x=1",
            "https://github.com/org/repo/deploy",
        ] {
            assert!(is_http_file_candidate(f), "{f}");
        }
        for g in [
            "https://github.com/org/repo//deploy?ref=v1",
            "https://git.example.com/team/app.git/kustomize",
            "https://git.example.com/team/app.git",
            "https://github.com/org/repo/deploy?ref=main",
            "https://github.com/org/repo/deploy?version=v2",
            "git::https://host/r.git//x",
            "git+https://host/r.git//a",
            "github.com/org/repo",
            "file:///srv/a.yaml",
        ] {
            assert!(!is_http_file_candidate(g), "{g}");
        }
    }

    #[test]
    fn kustomize_remote_forms() {
        let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(
            g("https://github.com/org/repo//deploy/base?ref=v1.2.0"),
            pair("git+https://github.com/org/repo?ref=v1.2.0", "deploy/base")
        );
        assert_eq!(
            g("github.com/org/repo/deploy?ref=main"),
            pair("git+https://github.com/org/repo?ref=main", "deploy")
        );
        assert_eq!(g("github.com/org/repo"), pair("git+https://github.com/org/repo", ""));
        assert_eq!(
            g("https://git.example.com/team/app.git/kustomize"),
            pair("git+https://git.example.com/team/app.git", "kustomize")
        );
        assert_eq!(g("git@github.com:org/repo.git//base"), pair("git+ssh://git@github.com/org/repo.git", "base"));
        assert_eq!(g("git::https://host/r.git//x?ref=a&timeout=90s"), pair("git+https://host/r.git?ref=a", "x"));
        assert_eq!(g("file:///srv/git/repo.git//base?version=v2"), pair("git+file:///srv/git/repo.git?ref=v2", "base"));
        assert_eq!(g("git+https://host/r.git//a/b?ref=main"), pair("git+https://host/r.git?ref=main", "a/b"));
        assert_eq!(g("https://host/r.git//x?unknown=1"), None, "unknown parameters are refused, not dropped");
        assert_eq!(g("ftp://host/r.git"), None);
    }
}
