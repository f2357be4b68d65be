//! `helm template` flags that kiln accepts without their changing anything, and the ones it refuses with a reason.
//!
//! `helm template` shares its flag set with `helm install`, so command lines copied from an install (or written
//! for Helm's CI use) carry flags about waiting, release records and cluster connections. In template mode Helm
//! ignores them: the output does not depend on them. kiln accepts the same ones so such command lines keep working,
//! and refuses, with the reason, the few whose effect it does not reproduce.

use anyhow::{Result, anyhow, bail};
use clap::Args;

const HEADING: &str = "Accepted for helm compatibility (no effect on the output)";

/// Flags `helm template` accepts that change nothing in its output (install-time behaviour, release records,
/// cluster connections: template mode never contacts a cluster).
#[derive(Debug, Clone, Default, Args)]
pub(super) struct HelmCompatFlags {
    /// Helm's verbose output; kiln logs at debug level (as -vv).
    #[arg(long, help_heading = HEADING)]
    pub(super) debug: bool,
    /// Client-side dry run (`client`, the only mode of `helm template` without a cluster).
    #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true, default_missing_value = "unset", help_heading = HEADING)]
    dry_run: Option<String>,
    /// This and Helm's other install-time flags (--wait, --timeout, --atomic, --skip-crds, --description, --labels,
    /// --replace, ...): accepted and ignored, as `helm template` ignores them.
    #[arg(long, help_heading = HEADING)]
    create_namespace: bool,
    #[arg(long, hide = true)]
    skip_crds: bool,
    #[arg(long, value_name = "TEXT", hide = true)]
    description: Option<String>,
    #[arg(long, value_name = "DURATION", hide = true)]
    timeout: Option<String>,
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, require_equals = true, default_missing_value = "watcher", hide = true)]
    wait: Option<String>,
    #[arg(long, hide = true)]
    wait_for_jobs: bool,
    #[arg(long, hide = true)]
    hide_notes: bool,
    #[arg(long, hide = true)]
    render_subchart_notes: bool,
    #[arg(long, hide = true)]
    disable_openapi_validation: bool,
    #[arg(short = 'l', long, value_name = "KEY=VALUE", value_delimiter = ',', hide = true)]
    labels: Vec<String>,
    #[arg(long, hide = true)]
    replace: bool,
    #[arg(long, hide = true)]
    take_ownership: bool,
    #[arg(long, hide = true)]
    force_replace: bool,
    #[arg(long, hide = true)]
    force: bool,
    #[arg(long, hide = true)]
    force_conflicts: bool,
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", hide = true)]
    server_side: Option<String>,
    #[arg(long, hide = true)]
    rollback_on_failure: bool,
    #[arg(long, hide = true)]
    atomic: bool,
    /// Cluster connection flags (--kube-context, --kubeconfig, --kube-apiserver, --kube-token, ...): template mode
    /// never contacts a cluster. Under `kiln apply`, give the connection before `template`.
    #[arg(long, value_name = "CONTEXT", help_heading = HEADING)]
    kube_context: Option<String>,
    #[arg(long, value_name = "FILE", hide = true)]
    kubeconfig: Option<String>,
    #[arg(long, value_name = "URL", hide = true)]
    kube_apiserver: Option<String>,
    #[arg(long, value_name = "TOKEN", hide = true)]
    kube_token: Option<String>,
    #[arg(long, value_name = "USER", hide = true)]
    kube_as_user: Option<String>,
    #[arg(long, value_name = "GROUP", hide = true)]
    kube_as_group: Vec<String>,
    #[arg(long, value_name = "FILE", hide = true)]
    kube_ca_file: Option<String>,
    #[arg(long, hide = true)]
    kube_insecure_skip_tls_verify: bool,
    #[arg(long, value_name = "NAME", hide = true)]
    kube_tls_server_name: Option<String>,
    #[arg(long, value_name = "N", hide = true)]
    burst_limit: Option<String>,
    #[arg(long, value_name = "N", hide = true)]
    qps: Option<String>,
    // Flags whose effect kiln does not reproduce: refused with the reason (see `check`).
    #[arg(long, value_name = "TEMPLATE", hide = true)]
    name_template: Option<String>,
    #[arg(long, hide = true)]
    enable_dns: bool,
    #[arg(long, hide = true)]
    dependency_update: bool,
    #[arg(long, hide = true)]
    validate: bool,
    #[arg(long, hide = true)]
    verify: bool,
    #[arg(long, value_name = "FILE", hide = true)]
    keyring: Option<String>,
}

impl HelmCompatFlags {
    /// Refuse the flags whose effect kiln does not reproduce, naming what to do instead.
    pub(super) fn check(&self) -> Result<()> {
        if let Some(mode) = &self.dry_run {
            match mode.as_str() {
                // `unset` is Helm's value for a bare `--dry-run`.
                "client" | "unset" => {}
                "server" => bail!(
                    "--dry-run=server needs a cluster; `kiln template` renders offline. Use `kiln diff` or \
                     `kiln apply --dry-run=server` for a server-side dry run"
                ),
                // Helm takes the old boolean form: true is `client`; false and `none` are refused in template mode.
                other => match (other, go_bool(other)) {
                    (_, Ok(true)) => {}
                    ("none", _) | (_, Ok(false)) => {
                        bail!("invalid dry-run value ({mode:?}). Must be \"server\" or \"client\"")
                    }
                    (_, Err(_)) => {
                        bail!("invalid dry-run value ({mode:?}). Must be \"none\", \"server\", or \"client\"")
                    }
                },
            }
        }
        if self.validate {
            bail!(
                "--validate needs a cluster; `kiln template` renders offline. Use `kiln diff` or \
                 `kiln apply --dry-run=server` to validate against the API server"
            );
        }
        if self.name_template.is_some() {
            bail!("--name-template is not supported: give the release name as NAME, or use --generate-name");
        }
        if self.enable_dns {
            bail!(
                "--enable-dns is not supported: the Helm renderer runs without network access, so getHostByName \
                 returns an empty string as in Helm's default"
            );
        }
        if self.dependency_update {
            bail!(
                "--dependency-update is not supported: vendor the chart's dependencies into its charts/ directory \
                 (`helm dependency build`) or render a packaged chart"
            );
        }
        if self.verify || self.keyring.is_some() {
            bail!(
                "--verify/--keyring (provenance signatures) are not supported; kiln verifies the digests of what it \
                 fetches (OCI manifests, repository index digests)"
            );
        }
        Ok(())
    }

    /// The cluster connection flag given, if any: under `kiln apply` it would not choose the cluster the set is
    /// applied to, so apply refuses it instead of ignoring it.
    pub(super) fn connection_flag(&self) -> Option<&'static str> {
        [
            (self.kube_context.is_some(), "--kube-context"),
            (self.kubeconfig.is_some(), "--kubeconfig"),
            (self.kube_apiserver.is_some(), "--kube-apiserver"),
            (self.kube_token.is_some(), "--kube-token"),
            (self.kube_as_user.is_some(), "--kube-as-user"),
            (!self.kube_as_group.is_empty(), "--kube-as-group"),
            (self.kube_ca_file.is_some(), "--kube-ca-file"),
            (self.kube_insecure_skip_tls_verify, "--kube-insecure-skip-tls-verify"),
            (self.kube_tls_server_name.is_some(), "--kube-tls-server-name"),
            (self.burst_limit.is_some(), "--burst-limit"),
            (self.qps.is_some(), "--qps"),
        ]
        .into_iter()
        .find_map(|(set, name)| set.then_some(name))
    }
}

/// A boolean flag's value as Go's `strconv.ParseBool` reads it, which is what Helm's flags (pflag) accept after `=`:
/// `--include-crds=false` is a common way to pass a pipeline variable.
pub(super) fn go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid boolean {s:?} (true, false, 1, 0, t, f)")),
    }
}

/// The values of one occurrence of a pflag string-slice flag (`-f a.yaml,b.yaml`): the first record of the text
/// read as CSV by Go's `encoding/csv` (fields split at commas, `"…"` quoting with `""` for a quote), an empty text
/// being no value. Errors are worded and placed as Go's reader reports them.
pub(super) fn go_csv_record(s: &str) -> Result<Vec<String>, String> {
    const QUOTE_ERR: &str = "extraneous or missing \" in quoted-field";
    let err = |col: usize, what: &str| format!("parse error on line 1, column {col}: {what}");
    let b = s.as_bytes();
    let mut fields = Vec::new();
    if b.is_empty() {
        return Ok(fields);
    }
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut field = Vec::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(err(b.len() + 1, QUOTE_ERR)),
                    Some(b'"') => match b.get(i + 1) {
                        Some(b'"') => {
                            field.push(b'"');
                            i += 2;
                        }
                        Some(b',') => {
                            i += 2;
                            fields.push(String::from_utf8_lossy(&field).into_owned());
                            break;
                        }
                        None | Some(b'\n') => {
                            fields.push(String::from_utf8_lossy(&field).into_owned());
                            return Ok(fields);
                        }
                        Some(_) => return Err(err(i + 1, QUOTE_ERR)),
                    },
                    Some(&c) => {
                        field.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            let end = b[i..].iter().position(|&c| c == b',' || c == b'\n').map_or(b.len(), |n| i + n);
            if let Some(q) = b[i..end].iter().position(|&c| c == b'"') {
                return Err(err(i + q + 1, "bare \" in non-quoted-field"));
            }
            fields.push(String::from_utf8_lossy(&b[i..end]).into_owned());
            if b.get(end) != Some(&b',') {
                return Ok(fields);
            }
            i = end + 1;
        }
    }
}

/// All values of a pflag string-slice flag given `raw` occurrences, or pflag's error naming the flag (`flag` as
/// pflag prints it, e.g. `-f, --values`).
pub(super) fn string_slice(raw: &[String], flag: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for r in raw {
        out.extend(go_csv_record(r).map_err(|e| anyhow!("invalid argument {r:?} for \"{flag}\" flag: {e}"))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expectations are what helm v4.1.4 made of `-f VALUE` (files opened, or its flag error).
    #[test]
    fn csv_records_split_as_pflag_does() {
        assert_eq!(go_csv_record("a.yaml,b.yaml").expect("a record"), ["a.yaml", "b.yaml"]);
        assert_eq!(go_csv_record("\"c,d.yaml\"").expect("a record"), ["c,d.yaml"]);
        assert_eq!(go_csv_record("\"a\"\"b\",a.yaml").expect("a record"), ["a\"b", "a.yaml"]);
        assert_eq!(go_csv_record(" a.yaml").expect("a record"), [" a.yaml"]);
        assert_eq!(go_csv_record("a.yaml,").expect("a record"), ["a.yaml", ""]);
        assert_eq!(go_csv_record(",a.yaml").expect("a record"), ["", "a.yaml"]);
        assert!(go_csv_record("").expect("a record").is_empty());
        let quote = "extraneous or missing \" in quoted-field";
        for (input, col, what) in [
            ("a.yaml,\"b", 10, quote),
            ("\"b", 3, quote),
            ("\"", 2, quote),
            ("\"a\"b", 3, quote),
            ("a.yaml,\"a\"b,c", 10, quote),
            ("\"a.yaml\" ,b.yaml", 8, quote),
            ("x\"y", 2, "bare \" in non-quoted-field"),
            ("a.yaml,x\"y", 9, "bare \" in non-quoted-field"),
        ] {
            assert_eq!(
                go_csv_record(input).expect_err("a parse error"),
                format!("parse error on line 1, column {col}: {what}"),
                "{input}"
            );
        }
    }

    #[test]
    fn go_bools() {
        for t in ["1", "t", "T", "true", "TRUE", "True"] {
            assert_eq!(go_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "false", "FALSE", "False"] {
            assert_eq!(go_bool(f), Ok(false));
        }
        assert!(go_bool("yes").is_err());
    }
}
