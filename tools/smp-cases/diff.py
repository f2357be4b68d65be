#!/usr/bin/env python3
"""Randomised differential test of kpatch's strategic merge against `kubectl kustomize`.

Generates random Deployments and strategic-merge patches (containers, env, ports with and without protocol,
volumes, volumeMounts, tolerations, args, finalizers, labels, $patch directives, nulls), runs both, and reports
every case whose parsed outputs differ. Not part of the test suite (it needs the reference binary):
  cargo build -p kpatch --example apply && tools/smp-cases/diff.py --runs 300 --apply target/debug/examples/apply
"""
import argparse, json, os, random, subprocess, sys, tempfile

import yaml

NAMES = ["a", "b", "c", "d"]
ENV = ["A", "B", "C", "D"]


def rnd_container(r, name):
    c = {"name": name, "image": r.choice(["nginx:1", "redis:7", "busybox"])}
    if r.random() < .6:
        c["env"] = [{"name": n, "value": str(r.randint(0, 9))} for n in r.sample(ENV, r.randint(1, 3))]
    if r.random() < .5:
        ports = []
        for p in r.sample([80, 443, 53, 8080], r.randint(1, 3)):
            d = {"containerPort": p, "name": "p%d" % p}
            if r.random() < .5:
                d["protocol"] = r.choice(["TCP", "UDP"])
            ports.append(d)
        c["ports"] = ports
    if r.random() < .4:
        c["args"] = ["--x%d" % i for i in range(r.randint(1, 3))]
    if r.random() < .4:
        c["volumeMounts"] = [{"name": "v%d" % i, "mountPath": "/m%d" % i} for i in r.sample(range(3), r.randint(1, 2))]
    if r.random() < .3:
        c["resources"] = {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}
    return c


def rnd_base(r):
    pod = {"containers": [rnd_container(r, n) for n in r.sample(NAMES, r.randint(1, 3))]}
    if r.random() < .5:
        pod["volumes"] = [{"name": "v%d" % i, "emptyDir": {}} for i in r.sample(range(3), r.randint(1, 3))]
    if r.random() < .4:
        pod["tolerations"] = [{"key": "k%d" % i, "operator": "Exists"} for i in range(r.randint(1, 2))]
    meta = {"name": "web", "labels": {"app": "web"}}
    if r.random() < .4:
        meta["finalizers"] = ["f/%d" % i for i in r.sample(range(4), r.randint(1, 3))]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod}}}


def rnd_elem_patch(r, name):
    c = {"name": name}
    roll = r.random()
    if roll < .1:
        c["$patch"] = "delete"
        return c
    if roll < .2:
        c["image"] = None
    if r.random() < .5:
        c["image"] = r.choice(["x:1", "y:2"])
    if r.random() < .4:
        env = []
        for n in r.sample(ENV, r.randint(1, 2)):
            e = {"name": n}
            q = r.random()
            if q < .15:
                e["$patch"] = "delete"
            elif q < .3:
                e["value"] = None
                e["valueFrom"] = {"fieldRef": {"fieldPath": "metadata.name"}}
            else:
                e["value"] = "p"
            env.append(e)
        if r.random() < .1:
            env.insert(0, {"$patch": "replace"})
        c["env"] = env
    if r.random() < .35:
        ports = []
        for p in r.sample([80, 53, 9090], r.randint(1, 2)):
            d = {"containerPort": p}
            if r.random() < .5:
                d["protocol"] = r.choice(["TCP", "UDP"])
            if r.random() < .2:
                d["$patch"] = "delete"
            else:
                d["name"] = "n%d" % p
            ports.append(d)
        c["ports"] = ports
    if r.random() < .25:
        c["args"] = r.choice([["--new"], [], None])
    if r.random() < .25:
        c["volumeMounts"] = [{"mountPath": "/m%d" % r.randint(0, 3), "name": "v%d" % r.randint(0, 2)}]
    if r.random() < .2:
        c["resources"] = r.choice([None, {"limits": {"cpu": "2"}}, {"$patch": "replace", "requests": {"cpu": "1"}}])
    return c


def rnd_patch(r):
    pod = {}
    if r.random() < .8:
        pod["containers"] = [rnd_elem_patch(r, n) for n in r.sample(NAMES, r.randint(1, 2))]
    if r.random() < .3:
        pod["volumes"] = [r.choice([{"name": "v%d" % r.randint(0, 4), "configMap": {"name": "c"}},
                                    {"name": "v%d" % r.randint(0, 2), "$patch": "delete"}])]
    if r.random() < .2:
        pod["tolerations"] = r.choice([None, [{"key": "t", "operator": "Exists"}]])
    meta = {"name": "web"}
    if r.random() < .3:
        meta["finalizers"] = ["f/%d" % i for i in r.sample(range(5), r.randint(1, 2))]
    if r.random() < .3:
        meta["labels"] = {"app": None, "x": "y"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"template": {"spec": pod}}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kubectl", default="/work/ref/bin/kubectl")
    ap.add_argument("--apply", required=True)
    a = ap.parse_args()
    r = random.Random(a.seed)
    bad = 0
    for i in range(a.runs):
        base, patch = rnd_base(r), rnd_patch(r)
        cfg = {"patches": [{"patch": json.dumps(patch)}]}
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "r.yaml"), "w").write(json.dumps(base))
            open(os.path.join(d, "kustomization.yaml"), "w").write(json.dumps(dict(resources=["r.yaml"], **cfg)))
            open(os.path.join(d, "cfg.json"), "w").write(json.dumps(cfg))
            open(os.path.join(d, "res.json"), "w").write(json.dumps([base]))
            k = subprocess.run([a.kubectl, "kustomize", d], capture_output=True, text=True)
            m = subprocess.run([a.apply, os.path.join(d, "cfg.json"), os.path.join(d, "res.json")], capture_output=True, text=True)
        want = list(yaml.safe_load_all(k.stdout)) if k.returncode == 0 else None
        got = json.loads(m.stdout) if m.returncode == 0 else None
        if want != got:
            bad += 1
            print(json.dumps({"run": i, "base": base, "patch": patch, "kustomize": want or k.stderr.strip()[:300],
                              "kpatch": got or m.stderr.strip()[:300]}))
    print(f"{a.runs - bad} of {a.runs} agree", file=sys.stderr)


if __name__ == "__main__":
    main()
