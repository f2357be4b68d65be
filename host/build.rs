//! Builds kiln's first-party plugins for `wasm32-wasip2`, precompiles them, and generates `builtins.rs`, which
//! embeds both forms into the `kiln` binary.
//!
//! The plugins are built by a nested `cargo build` into their own target directory (`<target>/kiln-plugins`,
//! shared by every profile of the host), the pattern wasmtime uses for its test programs.
//!
//! Precompiling means no run of `kiln` pays Cranelift for a built-in (the Helm renderer takes about 20 s of CPU
//! to compile). It is done by `tools/precompile`, built in the same nested target directory and sharing the
//! runtime's engine configuration file, rather than by wasmtime as a build dependency: cargo would compile such a
//! build dependency separately from the runtime's wasmtime on every profile and every feature change, while the
//! nested build is compiled once per target directory. When the running machine cannot load the precompiled code
//! (another CPU, another engine), the runtime falls back to compiling once into its on-disk cache.
//!
//! Environment knobs (for developers):
//! * `KILN_BUILTINS=patch,helm` builds only the listed built-ins (default: all).
//! * `KILN_SKIP_PRECOMPILE=1` embeds the plugins without precompiling them.
//! * `KILN_WASM_NAMES=1` keeps the plugins' function names (for profiling; they cost load time on every run).
//! * `KILN_PIE=1` links `kiln` as a position-independent executable (address randomisation of the binary itself;
//!   about 1 ms more per run). By default it is position-dependent, as helm and kubectl are.
//! * `KILN_NO_RELR=1` links a PIE without packed relative relocations (they are used when the toolchain and C
//!   library support them).

use sha2::{Digest as _, Sha256};
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A first-party plugin: its name on the command line, its cargo package, and the WIT world it targets.
struct Builtin {
    name: &'static str,
    package: &'static str,
    world: &'static str,
    description: &'static str,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "patch",
        package: "kiln-plugin-patch",
        world: "post-renderer",
        description: "kustomize-style patches (strategic merge, JSON 6902), images and common metadata",
    },
    Builtin {
        name: "helm",
        package: "kiln-plugin-helm",
        world: "renderer",
        description: "Helm chart renderer, byte-compatible with `helm template` v4.1.4",
    },
    Builtin {
        name: "kustomize",
        package: "kiln-plugin-kustomize",
        world: "renderer",
        description: "kustomize overlay renderer, byte-compatible with `kubectl kustomize` (kustomize v5.7.1)",
    },
];

const WASM_TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("host/ has a parent").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let plugin_target = plugin_target_dir(&out_dir, &root);

    println!("cargo:rerun-if-env-changed=KILN_BUILTINS");
    println!("cargo:rerun-if-env-changed=KILN_SKIP_PRECOMPILE");
    println!("cargo:rerun-if-env-changed=KILN_WASM_NAMES");
    println!("cargo:rerun-if-changed={}", root.join("tools/precompile").display());
    println!("cargo:rerun-if-changed={}", manifest_dir.join("src/plugin/engine_config.rs").display());
    println!("cargo:rerun-if-changed={}", root.join("Cargo.lock").display());
    println!("cargo:rerun-if-changed={}", root.join("Cargo.toml").display());
    println!("cargo:rerun-if-changed={}", root.join("wit").display());

    let selected: Option<Vec<String>> = env::var("KILN_BUILTINS")
        .ok()
        .map(|s| s.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect());

    check_wasm_target();
    println!("cargo:rerun-if-env-changed=KILN_PIE");
    println!("cargo:rerun-if-env-changed=KILN_NO_RELR");
    if env::var_os("KILN_PIE").is_none() && links_with(&out_dir, "-no-pie") {
        // A position-dependent executable, as helm and kubectl are: the loader has nothing to relocate. As a PIE,
        // every start copied and patched the ~220 pages of relocated read-only data and GOT (about 1 ms of a 5 ms
        // render in a VM, measured with LD_DEBUG=statistics), a fifth of the fixed cost of a run. `KILN_PIE=1` keeps
        // address randomisation of the executable at that price.
        println!("cargo:rustc-link-arg-bins=-no-pie");
    } else if env::var_os("KILN_NO_RELR").is_none() && links_with(&out_dir, "-Wl,-z,pack-relative-relocs") {
        // A PIE with its relative relocations packed (DT_RELR): about half the loader's work of plain RELA.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    let precompiler = env::var_os("KILN_SKIP_PRECOMPILE").is_none().then(|| build_precompiler(&root, &plugin_target));

    let mut generated = String::from(
        "// @generated by host/build.rs\n\n/// Plugins embedded in this binary.\npub static BUILTINS: &[Builtin] = &[\n",
    );
    for b in BUILTINS {
        if selected.as_ref().is_some_and(|s| !s.iter().any(|n| n == b.name)) {
            continue;
        }
        let wasm = build_plugin(&root, &plugin_target, b);
        let wasm_out = out_dir.join(format!("{}.wasm", b.name));
        fs::write(&wasm_out, &wasm).expect("write plugin wasm");
        let (precompiled, precompiled_sha) = match &precompiler {
            Some(tool) => {
                let cwasm_out = out_dir.join(format!("{}.cwasm", b.name));
                let status = Command::new(tool)
                    .arg(&wasm_out)
                    .arg(&cwasm_out)
                    .status()
                    .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
                if !status.success() {
                    panic!("precompiling built-in plugin `{}` failed", b.name);
                }
                let digest = hex::encode(Sha256::digest(fs::read(&cwasm_out).expect("read precompiled plugin")));
                (format!("Some(include_bytes!({:?}))", cwasm_out.display().to_string()), digest)
            }
            None => ("None".to_owned(), String::new()),
        };
        let _ = writeln!(
            generated,
            "    Builtin {{ name: {:?}, world: {:?}, description: {:?}, wasm: include_bytes!({:?}), sha256: {:?}, precompiled: {precompiled}, precompiled_sha256: {precompiled_sha:?} }},",
            b.name,
            b.world,
            b.description,
            wasm_out.display().to_string(),
            hex::encode(Sha256::digest(&wasm)),
        );
    }
    generated.push_str("];\n");
    fs::write(out_dir.join("builtins.rs"), generated).expect("write builtins.rs");
}

/// Build `tools/precompile` (for the build machine) into the plugin target directory and return its path.
fn build_precompiler(root: &Path, target_dir: &Path) -> PathBuf {
    let status = nested_cargo(root)
        .args(["build", "--release", "--package", "kiln-precompile", "--target-dir"])
        .arg(target_dir)
        .status()
        .unwrap_or_else(|e| panic!("running cargo to build kiln-precompile: {e}"));
    if !status.success() {
        panic!("building tools/precompile failed");
    }
    target_dir.join("release").join(format!("kiln-precompile{}", env::consts::EXE_SUFFIX))
}

/// A `cargo` command for a nested build: the outer build's flags and wrappers (clippy, coverage, sanitizers) are
/// for the host crate, not for plugins or tools.
fn nested_cargo(root: &Path) -> Command {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3");
    cmd
}

/// `<target>/kiln-plugins`, derived from `OUT_DIR` (`<target>/<profile>/build/<pkg>-<hash>/out`), so that debug and
/// release builds of the host share one plugin build.
fn plugin_target_dir(out_dir: &Path, root: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .nth(4)
        .map(|t| t.join("kiln-plugins"))
        .unwrap_or_else(|| root.join("target").join("kiln-plugins"))
}

/// Whether the C toolchain links, and this machine runs, a program with this linker flag (`-no-pie`, or `-z
/// pack-relative-relocs`, which also needs glibc 2.36 or later): only for a Linux glibc target built on its own kind
/// of machine. A small C program is linked and run to find out; any failure means no.
fn links_with(out_dir: &Path, flag: &str) -> bool {
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    if target != host || !target.contains("-linux-gnu") {
        return false;
    }
    let dir = out_dir.join("link-probe");
    if fs::create_dir_all(&dir).is_err() || fs::write(dir.join("probe.c"), "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let exe = dir.join("probe");
    let linked = Command::new(env::var("CC").unwrap_or_else(|_| "cc".to_owned()))
        .arg(flag)
        .arg("-o")
        .arg(&exe)
        .arg(dir.join("probe.c"))
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    linked && Command::new(&exe).status().is_ok_and(|s| s.success())
}

fn check_wasm_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(&rustc).args(["--print", "target-libdir", "--target", WASM_TARGET]).output();
    let ok = match out {
        Ok(o) if o.status.success() => {
            let dir = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            Path::new(&dir).exists()
        }
        _ => false,
    };
    if !ok {
        panic!(
            "kiln embeds its first-party plugins, compiled for {WASM_TARGET}, but that Rust target is not installed.\n\
             Install it with: rustup target add {WASM_TARGET}"
        );
    }
}

fn build_plugin(root: &Path, target_dir: &Path, b: &Builtin) -> Vec<u8> {
    let mut cmd = nested_cargo(root);
    cmd.args(["build", "--release", "--target", WASM_TARGET, "--package", b.package, "--target-dir"]).arg(target_dir);
    // Plugins are built once and run on every render: optimise them as a whole (cross-crate inlining between the
    // template engine, the YAML library and the renderer) and let them use WebAssembly SIMD, which `memchr` and
    // string searching use, and wide arithmetic (a 64×64→128-bit multiply instead of a libcall), which the big
    // integer code behind `genPrivateKey`/`genCA` spends its time in. The engine enables both (`engine_config`).
    // The initial linear memory is 4 MiB, two whole huge pages: the heap then starts inside a fully accessible
    // 2 MiB region, which the runtime's huge-page memories (`plugin::memory`) back with one huge page; with the
    // default size (stack, data and a sliver of heap, about 2.06 MiB) the heap's first pages were faulted in one
    // 4 KiB page at a time, since a huge page cannot straddle the end of the accessible memory.
    // Without the name section: wasmtime turns every function name into load-time metadata, and dropping them made
    // each run of a built-in about 7% faster (A/B over both corpora). `KILN_WASM_NAMES=1` keeps them, for profiling
    // (perf then shows the guest's functions by name) and for named wasm backtraces.
    let strip = if env::var_os("KILN_WASM_NAMES").is_some() { "debuginfo" } else { "symbols" };
    cmd.env("CARGO_PROFILE_RELEASE_STRIP", strip);
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "fat").env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1").env(
        "CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS",
        "-C target-feature=+simd128,+wide-arithmetic -C link-arg=--initial-memory=4194304",
    );
    let status = cmd.status().unwrap_or_else(|e| panic!("running cargo to build plugin `{}`: {e}", b.name));
    if !status.success() {
        panic!("building built-in plugin `{}` (package {}) for {WASM_TARGET} failed", b.name, b.package);
    }
    let artifact_dir = target_dir.join(WASM_TARGET).join("release");
    let stem = b.package.replace('-', "_");
    let wasm_path = artifact_dir.join(format!("{stem}.wasm"));
    // Rebuild when any source file the plugin was built from changes.
    if let Ok(deps) = fs::read_to_string(artifact_dir.join(format!("{stem}.d"))) {
        for dep in dep_files(&deps) {
            println!("cargo:rerun-if-changed={dep}");
        }
    }
    fs::read(&wasm_path).unwrap_or_else(|e| {
        panic!(
            "built-in plugin `{}`: package {} produced no component at {} ({e}); its [lib] needs crate-type = [\"cdylib\", \"rlib\"]",
            b.name,
            b.package,
            wasm_path.display()
        )
    })
}

/// The prerequisites listed in a Makefile-style `.d` file written by cargo (`target: dep dep ...`, with `\ `
/// escaping spaces in paths).
fn dep_files(d: &str) -> Vec<String> {
    let Some((_, deps)) = d.lines().next().and_then(|l| l.split_once(": ")) else { return Vec::new() };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = deps.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                cur.push(' ');
                chars.next();
            }
            ' ' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
