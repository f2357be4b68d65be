//! Shared helpers: locating the repository, building wasm fixtures from source, running the `kiln` binary, and
//! the skip-unless-CI rule for tests that need a toolchain or server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ has a parent").to_path_buf()
}

/// True when running in CI, where every toolchain and server must be present: a missing prerequisite fails the test
/// instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skip (return `None`) when a prerequisite is missing on a developer machine; panic in CI.
pub fn require<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        if in_ci() {
            panic!("prerequisite missing in CI: {what}");
        }
        eprintln!("skipping: {what} is not available (set CI=true to make this a failure)");
    }
    found
}

/// A private cache directory for one test, so tests never share compiled-plugin cache state by accident.
pub fn temp_cache() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// A compiled-plugin cache shared by the tests that run the CLI, warmed once per test process: every built-in is
/// compiled into it before the first test uses it, so parallel tests load instead of each compiling the same plugins.
/// (Tests of the cache itself use [`temp_cache`].)
pub fn shared_cache() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = fixture_target().join("kiln-test-cache");
        std::fs::create_dir_all(&dir).expect("cache dir");
        let list = kiln().arg("plugin").arg("list").output().expect("kiln plugin list");
        for line in String::from_utf8_lossy(&list.stdout).lines() {
            if let Some(name) = line.split_whitespace().next() {
                let _ = kiln().args(["plugin", "inspect", name]).env("KILN_CACHE_DIR", &dir).output();
            }
        }
        dir
    })
}

/// Directory the wasm fixtures are built into, shared across test runs.
fn fixture_target() -> PathBuf {
    // CARGO_TARGET_DIR is not set for tests; derive from the test binary's location: <target>/<profile>/deps/e2e-…
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors()
        .nth(3)
        .map(|t| t.join("kiln-test-plugins"))
        .unwrap_or_else(|| repo_root().join("target/kiln-test-plugins"))
}

/// Build a workspace package for `wasm32-wasip2` (release) and return the path of its `.wasm` artifact. Builds
/// are serialised within this process; cargo's own lock serialises them across processes.
pub fn build_wasm(package: &str, artifact: &str) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let target = fixture_target();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(repo_root())
        .args(["build", "--quiet", "--release", "--target", "wasm32-wasip2", "--package", package, "--target-dir"])
        .arg(&target)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        .stdout(Stdio::null())
        .status()
        .expect("running cargo");
    assert!(status.success(), "building {package} for wasm32-wasip2 failed");
    let path = target.join("wasm32-wasip2").join("release").join(artifact);
    assert!(path.exists(), "{} missing after build", path.display());
    path
}

/// The hostile fixture component.
pub fn hostile() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| build_wasm("kiln-fixture-hostile", "kiln_fixture_hostile.wasm"))
}

/// The Rust label example component.
pub fn label_rust() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| build_wasm("kiln-example-label", "kiln_example_label.wasm"))
}

/// The `kiln` binary under test.
pub fn kiln() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiln"));
    c.env_remove("KILN_LOG");
    c
}

/// Run `kiln` with `args`, feeding `stdin`, with the compiled-plugin cache in `cache`.
pub fn run_kiln(args: &[&str], stdin: &str, cache: &Path) -> Output {
    use std::io::Write as _;
    let mut child = kiln()
        .args(args)
        .env("KILN_CACHE_DIR", cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(data.as_bytes());
    });
    let out = child.wait_with_output().expect("wait kiln");
    let _ = writer.join();
    out
}

/// stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Is `program` on PATH?
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// A small multi-object stream in Helm's format.
pub const SAMPLE_STREAM: &str = "---\n# Source: app/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  key: value\n---\n# Source: app/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  labels:\n    app: web\nspec:\n  ports:\n  - port: 80\n";

/// Run `git` in `dir` with a fixed identity and default branch `main`; panics with git's stderr on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=kiln-test", "-c", "user.email=test@kiln.invalid", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}
