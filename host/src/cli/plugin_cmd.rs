//! `kiln plugin …`: inspect and list plugins.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::plugins::load_for_inspect;
use crate::plugin::{Runtime, builtin};

#[derive(Debug, Subcommand)]
pub(super) enum PluginCommand {
    /// Show a plugin's world, contract version, imports, exports, size and sha256.
    ///
    /// PLUGIN is a built-in name (see `kiln plugin list`) or a path to a .wasm component. Loading also checks the
    /// plugin: a component that imports something kiln does not allow, or implements no kiln world, is reported.
    Inspect {
        /// Built-in name or .wasm file.
        plugin: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in plugins.
    List,
}

pub(super) fn run(cmd: PluginCommand) -> Result<ExitCode> {
    match cmd {
        PluginCommand::Inspect { plugin, json } => {
            let rt = Runtime::new()?;
            let p = load_for_inspect(&rt, &plugin)?;
            let info = p.info();
            let text = if json {
                serde_json::to_string_pretty(&info)? + "\n"
            } else {
                let mut s = format!(
                    "name:            {}\nsource:          {}\nworld:           kiln:plugin/{}\npackage version: kiln:plugin@{}\nsize:            {} bytes\nsha256:          {}\nimports:\n",
                    info.name, info.source, info.world, info.package_version, info.size, info.sha256
                );
                for i in &info.imports {
                    s.push_str(&format!("  {i}\n"));
                }
                s.push_str("exports:\n");
                for e in &info.exports {
                    s.push_str(&format!("  {e}\n"));
                }
                s
            };
            super::write_stdout(&text)?;
        }
        PluginCommand::List => {
            let mut s = String::new();
            for b in builtin::BUILTINS {
                s.push_str(&format!("{:<8} {:<14} {}\n", b.name, b.world, b.description));
            }
            super::write_stdout(&s)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
