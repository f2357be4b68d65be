//! Apply a kpatch configuration to a JSON array of objects and print the result as a JSON array.
//!
//! `cargo run -p kpatch --example apply -- CONFIG RESOURCES.json` (CONFIG is YAML or JSON text in a file).
//! Used by `tools/smp-cases/diff.py` for differential testing against `kubectl kustomize`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, resources] = args.as_slice() else {
        eprintln!("usage: apply CONFIG RESOURCES.json");
        return ExitCode::from(2);
    };
    let run = || -> Result<String, String> {
        let config = std::fs::read_to_string(config).map_err(|e| e.to_string())?;
        let config = kpatch::Config::parse(&config).map_err(|e| e.to_string())?;
        let resources = std::fs::read_to_string(resources).map_err(|e| e.to_string())?;
        let resources: Vec<kiln_yaml::Value> = serde_json::from_str(&resources).map_err(|e| e.to_string())?;
        let out = kpatch::apply(&config, resources).map_err(|e| e.to_string())?;
        let values: Vec<&kiln_yaml::Value> = out.iter().map(|r| &r.value).collect();
        serde_json::to_string(&values).map_err(|e| e.to_string())
    };
    match run() {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
