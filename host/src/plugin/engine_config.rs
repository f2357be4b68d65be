//! The one wasmtime configuration kiln uses, shared by the runtime and by `build.rs` (which precompiles the
//! built-in plugins): a precompiled component only loads into an engine configured identically, so both sides must
//! call this function.

/// Largest wasm stack a plugin may use. Deep recursion in a guest traps cleanly once it is exhausted; 1 MiB is
/// ample for template engines and patchers while keeping a runaway recursion cheap to stop.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// Build the engine configuration.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // Per-call deadlines: a background thread advances the epoch, each store gets a deadline in ticks.
    config.epoch_interruption(true);
    config.max_wasm_stack(MAX_WASM_STACK);
    // Optimise compiled code: built-ins are precompiled once at build time and user plugins once per cache entry.
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    config.parallel_compilation(true);
    // 64×64→128-bit multiplies as single instructions; the built-in plugins are compiled to use them (build.rs).
    config.wasm_wide_arithmetic(true);
    // Data segments are copied into each new memory rather than mapped copy-on-write: the runtime backs guest
    // memories with its own huge-page mappings (`plugin::memory`), which wasmtime's memory images cannot use.
    // Precompiled artifacts record this setting, so it lives here, shared with the precompiler.
    config.memory_init_cow(false);
    config
}
