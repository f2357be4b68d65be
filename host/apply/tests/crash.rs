//! `kill -9` of the applying process at random points during applies of ~200 objects, then a re-run: the
//! cluster must converge to exactly the set, with no orphans (objects kiln created that nothing tracks) and no
//! wrong deletions (decoys and another set's objects untouched).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use kiln_apply::{ApplyOptions, apply, inventory};
use serde_json::{Value, json};

/// A small deterministic PRNG (xorshift64*), seeded per run and printed, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The universe of 260 objects over two namespaces; each run applies a random subset of about 200.
fn universe(ns: &[&str; 2]) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..260 {
        let ns = ns[i % 2];
        let name = format!("o{i:03}");
        out.push(match i % 5 {
            0 | 1 => cm(ns, &name, json!({"i": i.to_string()})),
            2 => json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, "stringData": {"i": i.to_string()}}),
            3 => json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}}),
            _ => json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
                "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}),
        });
    }
    out
}

fn key(v: &Value) -> (String, String, String) {
    (
        v["kind"].as_str().unwrap().to_string(),
        v["metadata"]["namespace"].as_str().unwrap().to_string(),
        v["metadata"]["name"].as_str().unwrap().to_string(),
    )
}

/// Every object of the used kinds in the namespaces whose name starts with `o` (decoys start with `d`).
async fn live_objects(
    c: &kiln_apply::Cluster,
    nss: &[&str; 2],
    set_id: &str,
) -> (BTreeSet<(String, String, String)>, usize) {
    let mut out = BTreeSet::new();
    let mut foreign_labelled = 0;
    for ns in nss {
        for (kind, plural) in [
            ("ConfigMap", "configmaps"),
            ("Secret", "secrets"),
            ("ServiceAccount", "serviceaccounts"),
            ("Service", "services"),
        ] {
            let a = api(c, ns, "", "v1", kind, plural);
            for o in a.list(&Default::default()).await.unwrap() {
                let v = serde_json::to_value(&o).unwrap();
                let name = v["metadata"]["name"].as_str().unwrap().to_string();
                if !name.starts_with('o') {
                    continue;
                }
                if ptr(&v, "/metadata/labels/applyset.kubernetes.io~1part-of") != Some(set_id) {
                    foreign_labelled += 1;
                }
                out.insert((kind.to_string(), ns.to_string(), name));
            }
        }
    }
    (out, foreign_labelled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_then_rerun_converges() {
    let kc = need_cluster!();
    let runner = example("apply_file");
    assert!(runner.exists(), "example binary {} missing (cargo test builds it)", runner.display());
    let (na, nb) = (uniq("t-crash-a"), uniq("t-crash-b"));
    let nss = [na.as_str(), nb.as_str()];
    let c = connect(&kc, nss[0]).await;
    for ns in &nss {
        namespace(&c, ns).await;
    }
    let set_id = inventory::applyset_id("crash", nss[0]);
    // Decoys: same namespaces, not ours (unlabelled, and another kiln set).
    for ns in &nss {
        apply_as(&cms(&c, ns), "someone", cm(ns, "d-unlabelled", json!({"x": "1"}))).await;
    }
    let other = vec![cm(nss[1], "d-other-set", json!({"x": "1"}))];
    apply(&c, &other, &inv("d-other", nss[1])).await.unwrap();

    let all = universe(&nss);
    let seed = std::env::var("KILN_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test seed {seed} (KILN_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let run = |set: &[Value], file: &str| {
        let path = dir.path().join(file);
        std::fs::write(&path, serde_json::to_vec(set).unwrap()).unwrap();
        let mut cmd = Command::new(&runner);
        cmd.args(["--kubeconfig"])
            .arg(&kc)
            .args(["--inventory", "crash", "--inventory-namespace", nss[0], "--file"])
            .arg(&path);
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        cmd
    };
    // Time one full run to spread the kills over it.
    let first: Vec<Value> = all.iter().take(200).cloned().collect();
    let t = Instant::now();
    let out = run(&first, "first.json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let full = t.elapsed().max(Duration::from_millis(200));
    eprintln!("one run of 200 objects: {full:?}");

    let rounds = std::env::var("KILN_CRASH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    for round in 0..rounds {
        let set: Vec<Value> = all.iter().filter(|_| rng.below(100) < 77).cloned().collect();
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64 * 9 / 10));
        let mut child = run(&set, "set.json").spawn().unwrap();
        tokio::time::sleep(delay).await;
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let out = run(&set, "set.json").output().unwrap();
        assert!(out.status.success(), "round {round}: re-run failed: {}", String::from_utf8_lossy(&out.stderr));
        let want: BTreeSet<_> = set.iter().map(key).collect();
        let (have, foreign) = live_objects(&c, &nss, &set_id).await;
        let orphans: Vec<_> = have.difference(&want).collect();
        let missing: Vec<_> = want.difference(&have).collect();
        assert!(
            orphans.is_empty() && missing.is_empty() && foreign == 0,
            "round {round} (seed {seed}, killed after {delay:?}, killed={killed}): orphans {orphans:?}, missing {missing:?}, unlabelled {foreign}"
        );
        // The inventory lists exactly the set.
        let parent = get(&cms(&c, nss[0]), "crash").await.unwrap();
        assert_eq!(ptr(&parent, "/data/members").unwrap().lines().count(), set.len(), "round {round}");
        // No wrong deletions.
        for ns in &nss {
            assert!(get(&cms(&c, ns), "d-unlabelled").await.is_some(), "round {round}: decoy deleted");
        }
        assert!(get(&cms(&c, nss[1]), "d-other-set").await.is_some(), "round {round}: other set's object deleted");
        eprintln!(
            "round {round}: {} objects, killed after {delay:?} (still running: {killed}) -> converged",
            set.len()
        );
    }
    // Leave nothing behind for other runs.
    let r = apply(&c, &[], &ApplyOptions { allow_empty: true, ..inv("crash", nss[0]) }).await.unwrap();
    assert!(!r.failed(), "{}", r.render());
}
