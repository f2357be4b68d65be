//! The plugin runtime: one wasmtime [`Engine`], one [`Linker`], an epoch ticker, and per-call stores.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, InstancePre, Linker};
use wasmtime::{Engine, Store, Trap};

use super::bindings::post::PostRendererPre;
use super::bindings::render::RendererPre;
use super::bindings::{Document, GuestError, RenderInput};
use super::cache::ComponentCache;
use super::error::{LoadError, PluginCallError};
use super::limits::{Bytes, Sandbox, stack_limit};
use super::policy::{self, World};
use super::state::{LimitExceeded, LimitHit, State};
use super::{builtin, engine_config};

/// Epoch tick. Deadlines are counted in ticks, so a call overruns its timeout by at most one tick.
const TICK: Duration = Duration::from_millis(5);

/// The shared plugin runtime. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<State>,
    cache: Option<ComponentCache>,
    ticker: Mutex<Option<Ticker>>,
}

/// The epoch ticker thread. It is never joined: it holds nothing but a weak reference to the engine, and waiting
/// for a thread to wind down would only delay kiln's exit.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<thread::Thread>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake it so that it sees the flag and ends at once.
        if let Some(t) = &self.thread {
            t.unpark();
        }
    }
}

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the kiln binary.
    Builtin,
    /// Loaded from this file.
    File(std::path::PathBuf),
}

/// A loaded, checked plugin, ready to call any number of times.
pub struct Plugin {
    name: Arc<str>,
    origin: Origin,
    world: World,
    version: String,
    sha256: String,
    size: usize,
    imports: Vec<String>,
    exports: Vec<String>,
    pre: InstancePre<State>,
    sandbox: Sandbox,
    runtime: Runtime,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("name", &self.name).field("world", &self.world).finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime using the kiln cache directory for compiled components (if one can be determined).
    pub fn new() -> Result<Self, LoadError> {
        Self::with_cache(super::cache::cache_root().map(|r| ComponentCache::new(&r)))
    }

    /// A runtime with an explicit compiled-component cache (or none).
    pub fn with_cache(cache: Option<ComponentCache>) -> Result<Self, LoadError> {
        #[allow(unused_mut)]
        let mut config = engine_config::engine_config();
        // Guest memories on transparent huge pages (a run-time setting: precompiled code does not depend on it).
        #[cfg(target_os = "linux")]
        config.with_host_memory(Arc::new(super::memory::HugePageMemoryCreator));
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        super::bindings::post::kiln::plugin::log::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)
            .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        Ok(Self { inner: Arc::new(Inner { engine, linker, cache, ticker: Mutex::new(None) }) })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Start the epoch ticker if it is not running yet.
    fn ensure_ticker(&self) {
        let Ok(mut guard) = self.inner.ticker.lock() else { return };
        if guard.is_some() {
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let engine = self.inner.engine.weak();
        let stop2 = stop.clone();
        let handle = thread::Builder::new()
            .name("kiln-epoch".into())
            .spawn(move || {
                loop {
                    // A timed park, not a sleep: dropping the ticker unparks the thread to stop it at once.
                    let until = std::time::Instant::now() + TICK;
                    while !stop2.load(Ordering::Relaxed) && std::time::Instant::now() < until {
                        thread::park_timeout(until.saturating_duration_since(std::time::Instant::now()));
                    }
                    if stop2.load(Ordering::Relaxed) {
                        break;
                    }
                    match engine.upgrade() {
                        Some(e) => e.increment_epoch(),
                        None => break,
                    }
                }
            })
            .ok();
        *guard = Some(Ticker { stop, thread: handle.map(|h| h.thread().clone()) });
    }

    /// Load a built-in plugin by name.
    pub fn load_builtin(&self, name: &str, sandbox: Sandbox) -> Result<Plugin, LoadError> {
        let b = builtin::find(name).ok_or_else(|| LoadError::UnknownBuiltin {
            name: name.to_owned(),
            available: builtin::names().join(", "),
        })?;
        let sha = b.sha256.to_owned();
        let cache = self.inner.cache.as_ref();
        let engine = &self.inner.engine;
        let precompiled = b.precompiled.and_then(|cwasm| {
            if let Some(c) = cache.and_then(|c| c.load_builtin(name, b.precompiled_sha256, cwasm, engine)) {
                return Some(c);
            }
            // SAFETY: these bytes were produced by `Engine::precompile_component` in kiln's own build
            // (`tools/precompile`, with this runtime's engine configuration) and are embedded in this binary, so they
            // are as trusted as the binary itself. wasmtime checks the artifact's engine and CPU compatibility and
            // refuses an incompatible one, in which case the component is compiled instead.
            #[allow(unsafe_code)]
            let loaded = unsafe { Component::deserialize(engine, cwasm) };
            let loaded = loaded
                .inspect_err(|e| tracing::debug!(plugin = name, error = %e, "precompiled built-in unusable here"))
                .ok()?;
            // It loads here: keep a copy that later runs can map instead of copying it out of the binary.
            if let Some(c) = cache {
                c.store_builtin(name, b.precompiled_sha256, cwasm, engine);
            }
            Some(loaded)
        });
        let component = match precompiled {
            Some(c) => c,
            None => self.compile_cached(name, b.wasm, &sha)?,
        };
        self.finish_load(name.into(), Origin::Builtin, component, sha, b.wasm.len(), sandbox)
    }

    /// Load a plugin from a `.wasm` component file.
    pub fn load_file(&self, path: &std::path::Path, sandbox: Sandbox) -> Result<Plugin, LoadError> {
        let name: Arc<str> = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().into();
        let bytes = std::fs::read(path).map_err(|e| LoadError::Read { path: path.to_owned(), source: e })?;
        self.load_bytes(name, Origin::File(path.to_owned()), &bytes, sandbox)
    }

    /// Load a plugin from component bytes.
    pub fn load_bytes(
        &self,
        name: Arc<str>,
        origin: Origin,
        bytes: &[u8],
        sandbox: Sandbox,
    ) -> Result<Plugin, LoadError> {
        if !bytes.starts_with(b"\0asm") {
            return Err(LoadError::Invalid {
                plugin: name.to_string(),
                reason: "the file is not WebAssembly (it does not start with the `\\0asm` magic)".into(),
            });
        }
        // A core module has version 1 in its header; a component has layer 1.
        if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
            return Err(LoadError::Invalid {
                plugin: name.to_string(),
                reason: "this is a core WebAssembly module, not a component; build it as a component \
                         (e.g. for the wasm32-wasip2 target, or with `wasm-tools component new`)"
                    .into(),
            });
        }
        let sha = hex::encode(Sha256::digest(bytes));
        let component = self.compile_cached(&name, bytes, &sha)?;
        self.finish_load(name, origin, component, sha, bytes.len(), sandbox)
    }

    fn compile_cached(&self, name: &str, bytes: &[u8], sha: &str) -> Result<Component, LoadError> {
        if let Some(c) = self.inner.cache.as_ref().and_then(|c| c.load(sha, &self.inner.engine)) {
            return Ok(c);
        }
        let started = Instant::now();
        let component = Component::new(&self.inner.engine, bytes)
            .map_err(|e| LoadError::Invalid { plugin: name.to_owned(), reason: format!("{e:#}") })?;
        tracing::debug!(plugin = name, elapsed = ?started.elapsed(), "compiled plugin");
        if let Some(cache) = &self.inner.cache {
            cache.store(sha, &self.inner.engine, &component);
        }
        Ok(component)
    }

    fn finish_load(
        &self,
        name: Arc<str>,
        origin: Origin,
        component: Component,
        sha256: String,
        size: usize,
        sandbox: Sandbox,
    ) -> Result<Plugin, LoadError> {
        let engine = &self.inner.engine;
        let ty = component.component_type();
        let imports: Vec<String> = ty.imports(engine).map(|(n, _)| n.to_owned()).collect();
        let exports: Vec<String> = ty.exports(engine).map(|(n, _)| n.to_owned()).collect();
        for import in &imports {
            policy::check_import(import).map_err(|r| LoadError::ForbiddenImport {
                plugin: name.to_string(),
                import: r.import,
                reason: r.reason,
            })?;
        }
        let (world, version) = policy::world_from_exports(exports.iter().map(String::as_str))
            .map_err(|reason| LoadError::WrongWorld { plugin: name.to_string(), reason })?;
        let pre = self
            .inner
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link { plugin: name.to_string(), reason: format!("{e:#}") })?;
        // Check the exported function's signature now, so a mismatch is a load error rather than a call error.
        match world {
            World::PostRenderer => {
                PostRendererPre::new(pre.clone())
                    .map_err(|e| LoadError::WrongWorld { plugin: name.to_string(), reason: format!("{e:#}") })?;
            }
            World::Renderer => {
                RendererPre::new(pre.clone())
                    .map_err(|e| LoadError::WrongWorld { plugin: name.to_string(), reason: format!("{e:#}") })?;
            }
        }
        Ok(Plugin { name, origin, world, version, sha256, size, imports, exports, pre, sandbox, runtime: self.clone() })
    }
}

/// Metadata about a loaded plugin, as `kiln plugin inspect` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginInfo {
    /// Name (built-in name or file name).
    pub name: String,
    /// `builtin` or the file path.
    pub source: String,
    /// World implemented (`post-renderer` or `renderer`).
    pub world: &'static str,
    /// Contract version the plugin was built against.
    pub package_version: String,
    /// Component size in bytes.
    pub size: usize,
    /// sha256 of the component, hex.
    pub sha256: String,
    /// Import names.
    pub imports: Vec<String>,
    /// Export names.
    pub exports: Vec<String>,
}

impl Plugin {
    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The world it implements.
    pub fn world(&self) -> World {
        self.world
    }
    /// The sandbox it runs in.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }
    /// Change its sandbox.
    pub fn set_sandbox(&mut self, sandbox: Sandbox) {
        self.sandbox = sandbox;
    }

    /// Metadata for display.
    pub fn info(&self) -> PluginInfo {
        PluginInfo {
            name: self.name.to_string(),
            source: match &self.origin {
                Origin::Builtin => "builtin".to_owned(),
                Origin::File(p) => p.display().to_string(),
            },
            world: self.world.wit_name(),
            package_version: self.version.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            imports: self.imports.clone(),
            exports: self.exports.clone(),
        }
    }

    fn new_store(&self) -> Store<State> {
        let rt = &self.runtime;
        rt.ensure_ticker();
        let mut store = Store::new(&rt.inner.engine, State::new(self.name.clone(), &self.sandbox));
        store.limiter(|s| &mut s.limiter);
        let ticks = self.sandbox.limits.timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        store
    }

    /// Call a post-renderer.
    pub fn post_render(&self, documents: &[Document], config: &str) -> Result<Vec<Document>, PluginCallError> {
        if self.world != World::PostRenderer {
            return Err(self.wrong_world(World::PostRenderer));
        }
        let mut store = self.new_store();
        let started = Instant::now();
        let result = PostRendererPre::new(self.pre.clone())
            .and_then(|pre| pre.instantiate(&mut store))
            .and_then(|b| b.kiln_plugin_post_render().call_post_render(&mut store, documents, config));
        self.finish(store, started, result)
    }

    /// Call a renderer.
    pub fn render(&self, input: &RenderInput) -> Result<Vec<Document>, PluginCallError> {
        if self.world != World::Renderer {
            return Err(self.wrong_world(World::Renderer));
        }
        let mut store = self.new_store();
        let started = Instant::now();
        let result = RendererPre::new(self.pre.clone())
            .and_then(|pre| pre.instantiate(&mut store))
            .and_then(|b| b.kiln_plugin_render().call_render(&mut store, input));
        self.finish(store, started, result)
    }

    fn wrong_world(&self, wanted: World) -> PluginCallError {
        PluginCallError::WrongWorld { plugin: self.name.to_string(), wanted, actual: self.world }
    }

    fn finish(
        &self,
        store: Store<State>,
        started: Instant,
        result: wasmtime::Result<Result<Vec<Document>, GuestError>>,
    ) -> Result<Vec<Document>, PluginCallError> {
        let plugin = self.name.to_string();
        let elapsed = started.elapsed();
        tracing::debug!(plugin = %plugin, ?elapsed, "plugin call finished");
        let state = store.into_data();
        match result {
            Ok(Ok(docs)) => {
                let total: usize = docs.iter().map(|d| d.content.len() + d.origin.len()).sum();
                if total > self.sandbox.limits.output {
                    return Err(PluginCallError::OutputTooLarge {
                        plugin,
                        size: total,
                        limit: self.sandbox.limits.output,
                    });
                }
                Ok(docs)
            }
            Ok(Err(guest)) => Err(PluginCallError::Guest { plugin, error: guest.into() }),
            Err(e) => Err(classify_trap(plugin, &self.sandbox, &state, e)),
        }
    }
}

/// Turn a wasmtime error into an error that names the plugin and the limit involved.
fn classify_trap(plugin: String, sandbox: &Sandbox, state: &State, e: wasmtime::Error) -> PluginCallError {
    let stderr = String::from_utf8_lossy(&state.stderr.contents()).trim().to_owned();
    if let Some(hit) = state.limiter.hit {
        return match hit {
            LimitHit::Memory(requested) => {
                PluginCallError::MemoryLimit { plugin, limit: sandbox.limits.memory, requested }
            }
            LimitHit::TableElements(n) => PluginCallError::ResourceLimit { plugin, what: "table elements", limit: n },
        };
    }
    if e.downcast_ref::<LimitExceeded>().is_some() {
        return PluginCallError::MemoryLimit { plugin, limit: sandbox.limits.memory, requested: 0 };
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => PluginCallError::Timeout { plugin, limit: sandbox.limits.timeout },
        Some(Trap::StackOverflow) => PluginCallError::StackOverflow { plugin, limit: stack_limit() },
        Some(trap) => {
            let panic = stderr.lines().find(|l| l.contains("panicked at")).is_some();
            if panic {
                PluginCallError::Panic { plugin, message: stderr }
            } else {
                let msg = format!("{e:#}");
                // Instance/table/memory count limits surface as instantiation errors mentioning the limit.
                if msg.contains("resource limit exceeded") {
                    return PluginCallError::ResourceLimit { plugin, what: "instances, tables or memories", limit: 0 };
                }
                PluginCallError::Trap { plugin, trap: trap.to_string(), stderr }
            }
        }
        None => {
            let msg = format!("{e:#}");
            if msg.contains("resource limit exceeded") || msg.contains("exceeds the limit") {
                PluginCallError::ResourceLimit {
                    plugin,
                    what: "instances, tables or memories",
                    limit: sandbox.limits.instances,
                }
            } else {
                PluginCallError::Host { plugin, message: msg, stderr }
            }
        }
    }
}

/// A process-wide runtime for callers that do not manage their own.
pub fn global() -> Result<&'static Runtime, LoadError> {
    static RT: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| Runtime::new().map_err(|e| e.to_string())).as_ref().map_err(|e| LoadError::Engine(e.clone()))
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Runtime>();
    check::<Plugin>();
    let _ = Bytes(0);
}
