//! `kiln fetch` and `kiln cache`.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use clap::{Args, Subcommand};

use super::source_args::SourceFlags;

#[derive(Debug, Clone, Args)]
pub(super) struct FetchArgs {
    /// The source: a chart directory or `.tgz`, `https://…/chart-1.2.3.tgz`, a chart name with --repo,
    /// `oci://registry/path/chart[:tag|@sha256:…]`, or `git+https://host/repo.git//path?ref=REF`.
    source: String,
    /// Print JSON (source, kind, revision, digest, chart version, file count).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    source_flags: SourceFlags,
}

pub(super) fn run_fetch(args: FetchArgs) -> Result<ExitCode> {
    let f = args.source_flags.fetch(&args.source)?;
    let text = if args.json {
        serde_json::to_string_pretty(&serde_json::json!({
            "source": f.source,
            "kind": format!("{:?}", f.kind),
            "revision": f.revision,
            "digest": f.digest,
            "chartVersion": f.chart_version,
            "files": f.files.len(),
        }))? + "\n"
    } else {
        format!("revision: {}\ndigest:   {}\n", f.revision, f.digest)
    };
    super::write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub(super) enum CacheCommand {
    /// List cached sources: kind, what was resolved, size and last use.
    List,
    /// Remove cached sources (all, or those unused for a while) and the blobs only they referenced.
    Prune {
        /// Only entries not used for this long (e.g. 30d, 12h, 90m).
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        older_than: Option<Duration>,
        /// Show what would be removed without removing it.
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_age(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("`{s}` is not an age (examples: 30d, 12h, 90m)"))?;
    let secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" | "" => 1,
        other => return Err(format!("unknown unit `{other}` in `{s}` (use d, h, m or s)")),
    };
    Ok(Duration::from_secs(n.saturating_mul(secs)))
}

pub(super) fn run_cache(cmd: CacheCommand) -> Result<ExitCode> {
    let cache = kiln_source::Cache::open_default()?;
    match cmd {
        CacheCommand::List => {
            let mut s = String::new();
            let now = SystemTime::now();
            for e in cache.list()? {
                let age = now.duration_since(e.last_used).map(|d| d.as_secs() / 3600).unwrap_or(0);
                s.push_str(&format!("{:<13} {:>10}  {:>5}h  {}\n", e.kind, e.size, age, e.key));
            }
            super::write_stdout(&s)?;
        }
        CacheCommand::Prune { older_than, dry_run } => {
            let r = cache.prune(&kiln_source::PruneOptions { older_than, dry_run })?;
            let verb = if dry_run { "would remove" } else { "removed" };
            super::write_stdout(&format!("{verb} {} entries, {} blobs, {} bytes\n", r.entries, r.blobs, r.bytes))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
