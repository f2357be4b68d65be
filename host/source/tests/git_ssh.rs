//! `git+ssh://` against a real OpenSSH server on loopback: host keys are verified against `known_hosts` (a missing
//! or different key is refused), the client authenticates with a key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;

use kiln_source::{Error, FetchOptions, Fetcher, RefFlags, SourceRef};
use support::*;

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect(program);
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn git_over_ssh_verifies_host_keys() {
    let Some(bins) = require(&["git", "sshd", "ssh", "ssh-keygen"]) else { return };
    let sshd = bins[1].clone();
    // sshd needs root for its privilege-separation directory and to log in as the current user without PAM.
    let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if uid.as_deref().ok() != Some("0") {
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "the SSH test needs root in CI");
        eprintln!("skipping: the SSH test needs root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Repository with one commit.
    let work = dir.join("work");
    std::fs::create_dir_all(work.join("charts/app")).unwrap();
    std::fs::write(work.join("charts/app/Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n").unwrap();
    let g = ["-c", "user.name=kiln", "-c", "user.email=kiln@test", "-c", "init.defaultBranch=main"];
    run(&work, "git", &[&g[..], &["init", "-q"]].concat());
    run(&work, "git", &[&g[..], &["add", "-A"]].concat());
    run(&work, "git", &[&g[..], &["commit", "-q", "-m", "one"]].concat());
    let commit = run(&work, "git", &["rev-parse", "HEAD"]);
    let bare = dir.join("repo.git");
    run(dir, "git", &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    // Keys and server configuration.
    for (name, _) in [("host_key", ()), ("client_key", ()), ("other_host_key", ())] {
        run(dir, "ssh-keygen", &["-q", "-t", "ed25519", "-N", "", "-f", dir.join(name).to_str().unwrap()]);
    }
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
    let port = free_port();
    let user = run(dir, "id", &["-un"]);
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {d}/sshd.pid\n\
         PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n",
        d = dir.display()
    );
    std::fs::write(dir.join("sshd_config"), config).unwrap();
    // sshd needs its privilege-separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let mut cmd = Command::new(&sshd);
    cmd.args(["-D", "-e", "-f"]).arg(dir.join("sshd_config"));
    let _server = Proc::spawn(cmd, "sshd", &dir.join("sshd.log"));
    wait_port(port, "sshd");
    let host_pub = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
    let other_pub = std::fs::read_to_string(dir.join("other_host_key.pub")).unwrap();
    let key_line = |pubkey: &str| {
        let mut parts = pubkey.split_whitespace();
        format!("[127.0.0.1]:{port} {} {}\n", parts.next().unwrap(), parts.next().unwrap())
    };
    std::fs::write(dir.join("known_hosts"), key_line(&host_pub)).unwrap();
    std::fs::write(dir.join("wrong_known_hosts"), key_line(&other_pub)).unwrap();
    std::fs::write(dir.join("empty_known_hosts"), "").unwrap();

    let reference = format!("git+ssh://{user}@127.0.0.1:{port}{}//charts/app?ref=main", bare.display());
    let source = SourceRef::parse(&reference, &RefFlags::default()).unwrap();
    let opts = |known: &str, cache: &str| {
        let mut o: FetchOptions = options(&dir.join(cache), &dir.join("unused-ca.pem"), false);
        o.connection.ssh_known_hosts = Some(dir.join(known));
        o.connection.ssh_identity = Some(dir.join("client_key"));
        o
    };
    let f = Fetcher::new(opts("known_hosts", "cache")).unwrap().fetch(&source).unwrap();
    assert_eq!(f.revision, format!("main@sha1:{commit}"));
    assert_eq!(f.files.len(), 1);
    for bad in ["empty_known_hosts", "wrong_known_hosts"] {
        let err = Fetcher::new(opts(bad, "cache-bad")).unwrap().fetch(&source).unwrap_err();
        assert!(matches!(err, Error::Git { .. }), "{err}");
        assert!(err.to_string().contains("known_hosts"), "{bad}: {err}");
    }
}
