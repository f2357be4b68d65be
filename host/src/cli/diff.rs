//! `kiln diff`: the plan of `kiln apply` as a server-side dry-run, with unified diffs (Secret values masked).
//!
//! Exit status for CI: 0 no changes, 1 changes, 2 errors (including fatal ones).

use std::process::ExitCode;

use anyhow::Result;
use clap::{ArgMatches, Args};

use super::apply::{ClusterArgs, Render, connect, objects, runtime};

#[derive(Debug, Clone, Args)]
#[command(subcommand_negates_reqs = true, subcommand_value_name = "RENDER", subcommand_help_heading = "Render the set")]
pub(super) struct DiffArgs {
    #[command(flatten)]
    cluster: ClusterArgs,
    #[command(subcommand)]
    render: Option<Render>,
}

/// Runs `kiln diff`; errors are printed here so that they exit with 2 rather than the CLI's usual 1.
pub(super) fn run(mut args: DiffArgs, matches: Option<&ArgMatches>) -> Result<ExitCode> {
    let result: Result<kiln_apply::Report> = (|| {
        let objects = objects(&mut args.cluster, args.render.as_ref(), matches)?;
        runtime()?.block_on(async {
            let (cluster, opts) = connect(&args.cluster).await?;
            Ok(kiln_apply::diff(&cluster, &objects, &opts).await?)
        })
    })();
    match result {
        Ok(report) => {
            print!("{}", report.render_diff());
            eprint!("{}", report.render());
            Ok(ExitCode::from(report.diff_exit_code()))
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(2))
        }
    }
}
