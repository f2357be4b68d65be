//! Hostile plugins: every misbehaviour ends in a clear error naming the plugin and the limit or import involved,
//! and the runtime keeps serving other plugins afterwards.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::plugin::cache::ComponentCache;
use kiln::plugin::{Document, LoadError, Origin, Plugin, PluginCallError, Runtime, Sandbox};

use crate::support::{self, build_wasm, hostile, label_rust};

fn runtime(cache: &tempfile::TempDir) -> Runtime {
    Runtime::with_cache(Some(ComponentCache::new(cache.path()))).expect("runtime")
}

fn docs() -> Vec<Document> {
    vec![Document {
        content: br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#.to_vec(),
        origin: "t/a.yaml".into(),
    }]
}

fn sandbox(f: impl FnOnce(&mut Sandbox)) -> Sandbox {
    let mut s = Sandbox::default();
    f(&mut s);
    s
}

/// After a hostile call, a well-behaved plugin in the same runtime still works.
fn still_works(rt: &Runtime) {
    let label = rt.load_file(label_rust(), Sandbox::default()).expect("load label plugin");
    let out = label.post_render(&docs(), "after=hostile").expect("label plugin still works");
    let v: serde_json::Value = serde_json::from_slice(&out[0].content).expect("json");
    assert_eq!(v["metadata"]["labels"]["after"], "hostile");
}

fn hostile_plugin(rt: &Runtime, sb: Sandbox) -> Plugin {
    rt.load_file(hostile(), sb).expect("load hostile fixture")
}

fn call(p: &Plugin, config: &str) -> (Result<Vec<Document>, PluginCallError>, Duration) {
    let t = Instant::now();
    let r = p.post_render(&docs(), config);
    (r, t.elapsed())
}

#[test]
fn infinite_loop_hits_the_time_limit() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, sandbox(|s| s.limits.timeout = Duration::from_millis(500)));
    let (r, elapsed) = call(&p, "loop");
    let err = r.expect_err("loop must be stopped");
    assert!(matches!(err, PluginCallError::Timeout { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("kiln_fixture_hostile.wasm") && msg.contains("time limit of 500 ms"), "{msg}");
    eprintln!("loop stopped after {elapsed:?} (limit 500 ms)");
    still_works(&rt);
}

#[test]
fn memory_growth_hits_the_memory_limit() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, sandbox(|s| s.limits.memory = 64 << 20));
    let (r, _) = call(&p, "grow");
    let err = r.expect_err("growth must be stopped");
    assert!(matches!(err, PluginCallError::MemoryLimit { limit, .. } if limit == 64 << 20), "{err:?}");
    assert!(err.to_string().contains("memory limit of 64 MiB"), "{err}");
    still_works(&rt);
}

#[test]
fn deep_recursion_hits_the_stack_limit() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, Sandbox::default());
    let (r, _) = call(&p, "recurse");
    let err = r.expect_err("recursion must be stopped");
    assert!(matches!(err, PluginCallError::StackOverflow { .. }), "{err:?}");
    assert!(err.to_string().contains("stack limit of 1 MiB"), "{err}");
    still_works(&rt);
}

#[test]
fn gigabyte_output_is_stopped_by_a_limit() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    // Building 1 GiB inside the guest runs into the default 256 MiB memory limit first.
    let p = hostile_plugin(&rt, Sandbox::default());
    let (r, _) = call(&p, "huge-output");
    let err = r.expect_err("1 GiB output must be refused");
    assert!(matches!(err, PluginCallError::MemoryLimit { limit, .. } if limit == 256 << 20), "{err:?}");
    still_works(&rt);
}

#[test]
fn output_beyond_the_output_limit_is_refused() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, sandbox(|s| s.limits.output = 4 << 20));
    let (r, _) = call(&p, "output-mib:8");
    let err = r.expect_err("8 MiB over a 4 MiB limit");
    assert!(matches!(err, PluginCallError::OutputTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("output limit of 4 MiB"), "{err}");
    still_works(&rt);
}

#[test]
fn guest_panic_is_reported_with_its_message() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, Sandbox::default());
    let (r, _) = call(&p, "panic");
    let err = r.expect_err("panic");
    assert!(matches!(err, PluginCallError::Panic { .. }), "{err:?}");
    assert!(err.to_string().contains("hostile fixture panicked on purpose"), "{err}");
    still_works(&rt);
}

#[test]
fn log_flood_is_bounded_and_the_call_succeeds() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let p = hostile_plugin(&rt, sandbox(|s| s.limits.timeout = Duration::from_secs(60)));
    let (r, _) = call(&p, "log-flood");
    assert_eq!(r.expect("log flood passes documents through").len(), 1);
}

#[test]
fn filesystem_and_socket_imports_are_refused_at_load() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let path = build_wasm("kiln-fixture-sneaky", "kiln_fixture_sneaky.wasm");
    let err = rt.load_file(&path, Sandbox::default()).expect_err("sneaky imports");
    match &err {
        LoadError::ForbiddenImport { plugin, import, .. } => {
            assert_eq!(plugin, "kiln_fixture_sneaky.wasm");
            assert!(import.starts_with("wasi:filesystem/preopens") || import.starts_with("wasi:sockets/"), "{import}");
        }
        other => panic!("expected a forbidden import, got {other:?}"),
    }
    still_works(&rt);
}

#[test]
fn malformed_wasm_is_refused() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    for (bytes, what) in [
        (b"not wasm at all".to_vec(), "not WebAssembly"),
        (b"\0asm\x01\0\0\0".to_vec(), "core WebAssembly module"),
        (b"\0asm\x0d\0\x01\0\x07\xff\xff".to_vec(), "not a valid WebAssembly component"),
    ] {
        let err = rt
            .load_bytes(Arc::from("bad.wasm"), Origin::File("bad.wasm".into()), &bytes, Sandbox::default())
            .expect_err(what);
        let msg = err.to_string();
        assert!(msg.contains("bad.wasm") && msg.contains(what), "{msg}");
    }
    still_works(&rt);
}

#[test]
fn a_command_component_is_not_a_plugin() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let path = build_wasm("kiln-fixture-wrong-world", "kiln-fixture-wrong-world.wasm");
    let err = rt.load_file(&path, Sandbox::default()).expect_err("wrong world");
    let msg = err.to_string();
    assert!(matches!(err, LoadError::WrongWorld { .. }), "{msg}");
    assert!(msg.contains("wasi:cli/run") && msg.contains("kiln:plugin/post-render"), "{msg}");
    still_works(&rt);
}

#[test]
fn an_incompatible_contract_version_is_refused() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let path = build_wasm("kiln-fixture-future-version", "kiln_fixture_future_version.wasm");
    let err = rt.load_file(&path, Sandbox::default()).expect_err("future version");
    let msg = err.to_string();
    assert!(msg.contains("0.2.0") && msg.contains("0.1.0"), "{msg}");
    still_works(&rt);
}

fn entropy(p: &Plugin) -> (String, u64) {
    let out = p.post_render(&docs(), "entropy").expect("entropy");
    let text = String::from_utf8(out[0].content.clone()).expect("utf8");
    let (random, now) = text.split_once(' ').expect("two fields");
    (random.to_owned(), now.parse().expect("seconds"))
}

#[test]
fn randomness_and_clock_are_deterministic_unless_granted() {
    let cache = support::temp_cache();
    let rt = runtime(&cache);
    let fixed = hostile_plugin(&rt, Sandbox::default());
    let (r1, t1) = entropy(&fixed);
    let (r2, t2) = entropy(&fixed);
    assert_eq!(r1, r2, "seeded randomness repeats across calls");
    assert_eq!((t1, t2), (0, 0), "the default wall clock is fixed at the epoch");
    let seeded = hostile_plugin(&rt, sandbox(|s| s.grants.random = kiln::plugin::Randomness::Seeded(7)));
    assert_ne!(entropy(&seeded).0, r1, "a different seed gives different randomness");
    let real = hostile_plugin(
        &rt,
        sandbox(|s| {
            s.grants.random = kiln::plugin::Randomness::Real;
            s.grants.clock = kiln::plugin::Clock::Real;
        }),
    );
    let (a, now) = entropy(&real);
    let (b, _) = entropy(&real);
    assert_ne!(a, b, "real randomness differs between calls");
    assert!(now > 1_700_000_000, "the real clock shows the present: {now}");
}
