//! Real servers on loopback for kiln-source's integration tests: nginx (HTTPS Helm repository, Git smart HTTP via
//! fcgiwrap + git-http-backend), Debian's docker-registry, a test CA made with rcgen, charts packaged and pushed by
//! the reference `helm`. A missing server binary skips the test, unless CI=true, where it fails.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kiln_source::{ConnectionOptions, FetchOptions, Limits, Secret};

pub const USER: &str = "kiln";
pub const PASS: &str = "s3cret-pass";

/// Finds a program on PATH (or at an absolute path).
pub fn which(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.is_absolute() {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|c| c.is_file()))
        .or_else(|| ["/usr/sbin", "/sbin"].iter().map(|d| Path::new(d).join(name)).find(|c| c.is_file()))
}

/// Returns the programs, or `None` (test skipped) when one is missing outside CI; panics in CI.
pub fn require(names: &[&str]) -> Option<Vec<PathBuf>> {
    let mut out = Vec::new();
    for n in names {
        match which(n) {
            Some(p) => out.push(p),
            None => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{n} is required in CI (see docs/sources.md for the packages)");
                }
                eprintln!("skipping: {n} not installed");
                return None;
            }
        }
    }
    Some(out)
}

/// The reference helm binary (`KILN_REF_HELM`, else /work/ref/bin/helm).
pub fn helm() -> Option<PathBuf> {
    let p = std::env::var_os("KILN_REF_HELM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/ref/bin/helm"));
    if p.is_file() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the reference helm is required in CI (KILN_REF_HELM)");
    }
    eprintln!("skipping: reference helm not found");
    None
}

/// The repository's tests/servers directory.
pub fn servers_dir() -> PathBuf {
    // This file is also compiled into the end-to-end tests of the `kiln` package (another manifest directory).
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|d| d.join("tests/servers"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| here.join("../../tests/servers"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

pub fn wait_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{what} did not start listening on {port}");
}

/// A test CA and a server certificate for localhost / 127.0.0.1.
pub struct Pki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// A second, unrelated CA (for "untrusted certificate" tests).
    pub other_ca: PathBuf,
    /// A client certificate and key from the test CA (for mutual TLS).
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

pub fn make_pki(dir: &Path) -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_for = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, cn);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        (p, key, cert)
    };
    let (ca_params, ca_key, ca_cert) = ca_for("kiln test CA");
    let (_, _, other) = ca_for("kiln unrelated CA");
    let mut sp = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    sp.distinguished_name.push(DnType::CommonName, "localhost");
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let skey = KeyPair::generate().unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let scert = sp.signed_by(&skey, &issuer).unwrap();
    let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.distinguished_name.push(DnType::CommonName, "kiln test client");
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let ckey = KeyPair::generate().unwrap();
    let ccert = cp.signed_by(&ckey, &issuer).unwrap();
    let pki = Pki {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server-key.pem"),
        other_ca: dir.join("other-ca.pem"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client-key.pem"),
    };
    std::fs::write(&pki.client_cert, ccert.pem()).unwrap();
    std::fs::write(&pki.client_key, ckey.serialize_pem()).unwrap();
    std::fs::write(&pki.ca, ca_cert.pem()).unwrap();
    std::fs::write(&pki.other_ca, other.pem()).unwrap();
    // The server presents its chain (leaf + CA).
    std::fs::write(&pki.cert, format!("{}{}", scert.pem(), ca_cert.pem())).unwrap();
    std::fs::write(&pki.key, skey.serialize_pem()).unwrap();
    pki
}

/// Writes an htpasswd line with `htpasswd` (bcrypt when asked: the registry requires it).
pub fn htpasswd(path: &Path, bcrypt: bool) {
    let mut cmd = Command::new("htpasswd");
    cmd.arg(if bcrypt { "-nbB" } else { "-nbm" }).arg(USER).arg(PASS);
    let out = cmd.output().expect("htpasswd");
    assert!(out.status.success(), "htpasswd failed");
    std::fs::write(path, out.stdout).unwrap();
}

/// A child process killed (and its process group) on drop.
pub struct Proc {
    pub child: Child,
    pub name: String,
}

impl Proc {
    pub fn spawn(mut cmd: Command, name: &str, log: &Path) -> Proc {
        let log = std::fs::File::create(log).unwrap();
        cmd.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { child, name: name.to_owned() }
    }
    /// Sends SIGTERM (nginx: fast shutdown, open connections are closed) and waits.
    pub fn terminate(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

pub fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    let mut s = template.to_owned();
    for (k, v) in pairs {
        s = s.replace(&format!("@{k}@"), v);
    }
    assert!(!s.contains("@DIR@") && !s.contains("@PORT@"), "unfilled placeholder");
    s
}

/// nginx (and fcgiwrap for Git) serving `<root>/charts` and `<root>/git`.
pub struct Nginx {
    pub port: u16,
    /// The mutual-TLS server's port.
    pub mtls_port: u16,
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub proc: Option<Proc>,
    pub fcgi: Option<Proc>,
}

impl Nginx {
    pub fn start(dir: &Path, root: &Path, rate: &str) -> Nginx {
        let port = free_port();
        let mtls_port = free_port();
        let exec = Command::new("git").arg("--exec-path").output().expect("git");
        let backend = PathBuf::from(String::from_utf8_lossy(&exec.stdout).trim()).join("git-http-backend");
        let template = std::fs::read_to_string(servers_dir().join("nginx.conf.in")).unwrap();
        let conf = fill(
            &template,
            &[
                ("DIR", dir.display().to_string()),
                ("ROOT", root.display().to_string()),
                ("PORT", port.to_string()),
                ("MTLS_PORT", mtls_port.to_string()),
                ("RATE", rate.to_owned()),
                ("GIT_HTTP_BACKEND", backend.display().to_string()),
            ],
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        htpasswd(&dir.join("htpasswd"), false);
        let mut n = Nginx { port, mtls_port, dir: dir.to_path_buf(), conf: conf_path, proc: None, fcgi: None };
        if which("fcgiwrap").is_some() {
            let sock = dir.join("fcgiwrap.sock");
            let _ = std::fs::remove_file(&sock);
            let mut cmd = Command::new(which("fcgiwrap").unwrap());
            cmd.arg("-c").arg("4").arg("-s").arg(format!("unix:{}", sock.display()));
            n.fcgi = Some(Proc::spawn(cmd, "fcgiwrap", &dir.join("fcgiwrap.log")));
            let deadline = Instant::now() + Duration::from_secs(10);
            while !sock.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        n.restart();
        n
    }

    /// (Re)starts nginx on the same port.
    pub fn restart(&mut self) {
        let mut cmd = Command::new(which("nginx").unwrap());
        cmd.arg("-e").arg(self.dir.join("nginx-startup.log")).arg("-p").arg(&self.dir).arg("-c").arg(&self.conf);
        self.proc = Some(Proc::spawn(cmd, "nginx", &self.dir.join("nginx.log")));
        wait_port(self.port, "nginx");
        wait_port(self.mtls_port, "nginx (mutual TLS)");
    }

    /// Stops nginx abruptly (fast shutdown closes transfers in flight).
    pub fn kill(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.terminate();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}/{}", self.port, path.trim_start_matches('/'))
    }

    /// How many logged requests contain `needle` (nginx access log).
    pub fn log_count(&self, needle: &str) -> usize {
        std::fs::read_to_string(self.dir.join("nginx-access.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(needle))
            .count()
    }
}

/// Debian's docker-registry with TLS and htpasswd auth.
pub struct Registry {
    pub port: u16,
    pub proc: Proc,
}

impl Registry {
    pub fn start(dir: &Path) -> Registry {
        htpasswd(&dir.join("htpasswd-bcrypt"), true);
        Registry::start_from(dir, "registry.yml.in", &[])
    }

    /// A registry with token auth whose realm is `realm` (the token root certificate must be in
    /// `<dir>/token-root.pem`).
    pub fn start_token(dir: &Path, realm: &str) -> Registry {
        Registry::start_from(dir, "registry-token.yml.in", &[("REALM", realm.to_owned())])
    }

    fn start_from(dir: &Path, template: &str, extra: &[(&str, String)]) -> Registry {
        let port = free_port();
        let template = std::fs::read_to_string(servers_dir().join(template)).unwrap();
        let mut pairs = vec![("DIR", dir.display().to_string()), ("PORT", port.to_string())];
        pairs.extend(extra.iter().cloned());
        let conf = fill(&template, &pairs);
        let conf_path = dir.join(format!("registry-{port}.yml"));
        std::fs::write(&conf_path, conf).unwrap();
        let mut cmd = Command::new(which("docker-registry").unwrap());
        cmd.arg("serve").arg(&conf_path);
        let proc = Proc::spawn(cmd, "docker-registry", &dir.join(format!("registry-{port}.log")));
        wait_port(port, "docker-registry");
        Registry { port, proc }
    }
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// A TCP relay in front of a real server that cuts the first connection once it has relayed `cut_after` bytes
/// from the server (a connection dying mid-download); later connections pass through untouched.
pub struct CutRelay {
    pub port: u16,
    pub cuts: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl CutRelay {
    pub fn start(target: u16, cut_after: u64) -> CutRelay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let cuts = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let armed = Arc::new(AtomicBool::new(true));
        let total = Arc::new(AtomicU64::new(0));
        let (c2, s2) = (cuts.clone(), stop.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(300);
            while !s2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else { continue };
                        let (armed, total, cuts) = (armed.clone(), total.clone(), c2.clone());
                        let (c_read, s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                        std::thread::spawn(move || pipe(c_read, s_write, None));
                        std::thread::spawn(move || pipe(server, client, Some((armed, total, cuts, cut_after))));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        CutRelay { port, cuts, stop }
    }
}

impl Drop for CutRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

type Cut = (Arc<AtomicBool>, Arc<AtomicU64>, Arc<AtomicU64>, u64);

fn pipe(mut from: TcpStream, mut to: TcpStream, cut: Option<Cut>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some((armed, total, cuts, after)) = &cut
            && armed.load(Ordering::SeqCst)
        {
            let t = total.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
            if t > *after && armed.swap(false, Ordering::SeqCst) {
                cuts.fetch_add(1, Ordering::SeqCst);
                let keep = n.saturating_sub((t - after) as usize);
                let _ = to.write_all(&buf[..keep]);
                break;
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// Writes a small chart directory.
pub fn write_chart(dir: &Path, name: &str, version: &str, extra: &[(&str, &[u8])]) -> PathBuf {
    let c = dir.join(format!("{name}-{version}-src")).join(name);
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: {version}\ndescription: kiln test chart\n"),
    )
    .unwrap();
    std::fs::write(c.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(
        c.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    for (p, data) in extra {
        let f = c.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, data).unwrap();
    }
    c
}

/// The reference helm with an isolated home (no user repositories, registry logins or caches leak in).
pub fn helm_command(helm: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(helm);
    cmd.env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    cmd
}

/// Runs the reference helm with an isolated home; panics with its output on failure.
pub fn run_helm(helm: &Path, home: &Path, args: &[&str]) -> String {
    let out = helm_command(helm, home).args(args).output().expect("helm");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "helm {args:?} failed: {text}");
    text
}

/// `helm package` a chart directory into `dest`; returns the archive path.
pub fn package(helm: &Path, home: &Path, chart_dir: &Path, dest: &Path) -> PathBuf {
    std::fs::create_dir_all(dest).unwrap();
    let out = run_helm(helm, home, &["package", chart_dir.to_str().unwrap(), "-d", dest.to_str().unwrap()]);
    let path = out.trim().rsplit(": ").next().unwrap().trim().to_owned();
    PathBuf::from(path)
}

/// Options trusting the test CA, with fast retries.
pub fn options(cache: &Path, ca: &Path, creds: bool) -> FetchOptions {
    FetchOptions {
        connection: ConnectionOptions {
            ca_file: Some(ca.to_path_buf()),
            username: creds.then(|| USER.to_owned()),
            password: creds.then(|| Secret::new(PASS)),
            retries: 0,
            backoff: Duration::from_millis(100),
            read_timeout: Duration::from_secs(20),
            ..ConnectionOptions::default()
        },
        limits: Limits::default(),
        offline: false,
        progress: false,
        cache_root: Some(cache.to_path_buf()),
        skip_local_dir_digest: false,
    }
}

/// Blob files currently in a cache root.
pub fn blobs(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cache.join("sources/blobs/sha256"))
        .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Files left in the cache's tmp directory.
pub fn temp_files(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("sources/tmp")).map(|r| r.count()).unwrap_or(0)
}

pub fn sha256_file(p: &Path) -> String {
    kiln_source::cache::sha256_digest(&std::fs::read(p).unwrap())
}

/// Incompressible bytes (a simple xorshift stream), for charts large enough to interrupt.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
