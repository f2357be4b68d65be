#!/usr/bin/env python3
"""Benchmark: 50 strategic-merge and 50 JSON patches on a 2,000-object stream, `kiln post-render --patch` vs
`kubectl kustomize` on the same input, in the same run.

Usage: tests/bench/patch.py [--kiln PATH] [--kubectl PATH] [--runs N]

The stream holds 500 each of Deployments, Services, ConfigMaps and ServiceAccounts. The patches are one Flux
`postRenderers[].kustomize` block: kiln reads it with `--patch`, and the same `patches:` list goes into a
kustomization.yaml whose only resource is the stream, for kubectl. Before timing, the script checks that both
tools changed the same objects the same way (compared as JSON, since kustomize re-sorts and re-prints everything).
Printed: the median wall time of each tool, the ratio, and each tool's peak RSS. Nothing here is an assertion.
"""
import argparse, json, os, pathlib, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def objects():
    out = []
    for i in range(500):
        out.append({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": f"app-{i}", "namespace": "ns", "labels": {"app": f"app-{i}", "tier": f"t{i % 3}"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"app-{i}"}}, "template": {
                "metadata": {"labels": {"app": f"app-{i}"}},
                "spec": {"containers": [
                    {"name": "main", "image": f"registry.example.com/app:{i}", "args": ["--port=8080", "--v=2"],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}],
                     "ports": [{"containerPort": 8080, "name": "http"},
                               {"containerPort": 9090, "protocol": "TCP", "name": "metrics"}],
                     "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}],
                     "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}}},
                    {"name": "sidecar", "image": "proxy:1", "ports": [{"containerPort": 15000}]}],
                    "volumes": [{"name": "cfg", "configMap": {"name": f"cfg-{i}"}}],
                    "tolerations": [{"key": "k", "operator": "Exists"}]}}}})
        out.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"app-{i}", "namespace": "ns"},
                    "spec": {"selector": {"app": f"app-{i}"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cfg-{i}", "namespace": "ns"},
                    "data": {"a": "1", "b": "2"}})
        out.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": f"app-{i}", "namespace": "ns"}})
    return out


def patches():
    out = []
    for i in range(50):
        n = i * 10
        smp = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"app-{n}", "namespace": "ns"},
               "spec": {"template": {"spec": {"containers": [
                   {"name": "main", "image": "registry.example.com/app:new",
                    "env": [{"name": "B", "value": "20"}, {"name": "D", "value": "4"}],
                    "ports": [{"containerPort": 8080, "name": "web"}]},
                   {"name": "extra", "image": "extra:1"}]}}}}
        out.append({"patch": json.dumps(smp)})
        ops = [{"op": "replace", "path": "/spec/ports/0/port", "value": 8080},
               {"op": "add", "path": "/metadata/annotations", "value": {"patched": "yes"}}]
        out.append({"patch": json.dumps(ops), "target": {"kind": "Service", "name": f"app-{n + 5}"}})
    return out


def run(cmd, cwd=None, stdout=subprocess.DEVNULL):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{cmd[0]} failed ({code}): {p.stderr.read().decode()[:2000]}")
    return wall, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=str(ROOT / "target/release/kiln"))
    ap.add_argument("--kubectl", default=os.environ.get("KILN_REF_KUBECTL", "kubectl"))
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        # JSON is YAML: one object per document.
        (d / "stream.yaml").write_text("".join("---\n" + json.dumps(o) + "\n" for o in objects()))
        block = {"patches": patches()}
        (d / "patches.yaml").write_text(json.dumps(block))
        (d / "kustomization.yaml").write_text(json.dumps({"resources": ["stream.yaml"], **block}))
        kiln = [a.kiln, "post-render", "-f", str(d / "stream.yaml"), "--patch", str(d / "patches.yaml")]
        kubectl = [a.kubectl, "kustomize", str(d)]

        with open(d / "kiln.out", "wb") as f:
            run(kiln, stdout=f)
        with open(d / "kubectl.out", "wb") as f:
            run(kubectl, stdout=f)
        print(f"{len(objects())} objects, {len(block['patches'])} patches")
        try:
            import yaml  # optional: PyYAML, to check that both tools agree
        except ImportError:
            yaml = None
        if yaml is not None:
            load = lambda p: sorted(json.dumps(o, sort_keys=True) for o in yaml.safe_load_all(p.read_text()) if o)
            same = load(d / "kiln.out") == load(d / "kubectl.out")
            print(f"outputs agree (as objects): {same}")

        times = {"kiln": [], "kubectl": []}
        peaks = {"kiln": 0, "kubectl": 0}
        for _ in range(a.runs):
            for tool, cmd in (("kubectl", kubectl), ("kiln", kiln)):
                wall, rss = run(cmd)
                times[tool].append(wall)
                peaks[tool] = max(peaks[tool], rss)
        med = {t: statistics.median(v) for t, v in times.items()}
        print(f"kubectl kustomize: {med['kubectl']*1000:.1f} ms (median of {a.runs}), peak RSS {peaks['kubectl']/1024:.1f} MiB")
        print(f"kiln post-render:  {med['kiln']*1000:.1f} ms (median of {a.runs}), peak RSS {peaks['kiln']/1024:.1f} MiB")
        print(f"kiln is {med['kubectl']/med['kiln']:.1f}x faster (wall time ratio kiln/kubectl {med['kiln']/med['kubectl']:.3f})")


if __name__ == "__main__":
    sys.exit(main())
