//! `kiln-precompile IN.wasm OUT.cwasm [IN OUT]...`: compile components ahead of time with the wasmtime
//! configuration the kiln runtime uses (`host/src/plugin/engine_config.rs`, shared by path), so the `kiln` binary can
//! embed ready-to-load built-ins. Run by `host/build.rs`; not meant for users.

#[path = "../../../host/src/plugin/engine_config.rs"]
mod engine_config;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || !args.len().is_multiple_of(2) {
        eprintln!("usage: kiln-precompile IN.wasm OUT.cwasm [IN.wasm OUT.cwasm]...");
        return ExitCode::from(2);
    }
    let engine = match wasmtime::Engine::new(&engine_config::engine_config()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kiln-precompile: creating the engine: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    for pair in args.chunks(2) {
        let (input, output) = (&pair[0], &pair[1]);
        let result = std::fs::read(input)
            .map_err(|e| format!("reading {input}: {e}"))
            .and_then(|wasm| engine.precompile_component(&wasm).map_err(|e| format!("compiling {input}: {e:#}")))
            .and_then(|cwasm| std::fs::write(output, cwasm).map_err(|e| format!("writing {output}: {e}")));
        if let Err(e) = result {
            eprintln!("kiln-precompile: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
