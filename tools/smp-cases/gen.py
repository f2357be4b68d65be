#!/usr/bin/env python3
"""Record strategic-merge (and patch/image) fixtures for kpatch from the reference tools.

For every case in cases.py this script builds a kustomization (resources + the case's `patches`/`images`),
runs `kubectl kustomize` (kustomize v5.7.1 inside kubectl v1.35.2) and stores its output, parsed, as the
expected result. Cases marked `reference="apiserver"` exercise directives kustomize does not implement
($setElementOrder, $retainKeys, $deleteFromPrimitiveList); for those the expected result comes from
`kubectl patch --local --type strategic`, the Kubernetes API server's strategic-merge code.

Usage: tools/smp-cases/gen.py [--kubectl /work/ref/bin/kubectl] [--out plugins/kpatch/tests/fixtures/smp]
The fixtures are committed; the Rust test (plugins/kpatch/tests/smp_fixtures.rs) never runs the reference.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

import yaml  # PyYAML, only to read kustomize's YAML output

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as case_defs  # noqa: E402


def run_kustomize(kubectl, case, workdir):
    resources = "\n---\n".join(json.dumps(r) for r in case["resources"]) + "\n"
    with open(os.path.join(workdir, "resources.yaml"), "w") as f:
        f.write(resources)
    kust = {"resources": ["resources.yaml"]}
    kust.update(case["config"])
    if case.get("openapi"):
        with open(os.path.join(workdir, "schema.json"), "w") as f:
            json.dump(case["openapi"], f)
        kust["openapi"] = {"path": "schema.json"}
    with open(os.path.join(workdir, "kustomization.yaml"), "w") as f:
        json.dump(kust, f, indent=1)
    p = subprocess.run([kubectl, "kustomize", workdir], capture_output=True, text=True)
    cmd = "kubectl kustomize (kustomize v5.7.1) on resources + kustomization " + json.dumps(case["config"])
    if p.returncode != 0:
        return cmd, None, p.stderr.strip()
    return cmd, [d for d in yaml.safe_load_all(p.stdout) if d is not None], None


def run_apiserver(kubectl, case, workdir):
    (base,) = case["resources"]
    path = os.path.join(workdir, "base.json")
    with open(path, "w") as f:
        json.dump(base, f)
    body = json.dumps(case["smp"])
    p = subprocess.run([kubectl, "patch", "--local", "-f", path, "--type", "strategic", "-p", body, "-o", "json"],
                       capture_output=True, text=True)
    cmd = "kubectl patch --local --type strategic -p " + body
    if p.returncode != 0:
        return cmd, None, p.stderr.strip()
    return cmd, [json.loads(p.stdout)], None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", default="/work/ref/bin/kubectl")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "../../plugins/kpatch/tests/fixtures/smp"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    version = subprocess.run([args.kubectl, "version", "--client"], capture_output=True, text=True).stdout.strip()
    names = set()
    for case in case_defs.CASES:
        name = case["name"]
        assert name not in names, name
        names.add(name)
        with tempfile.TemporaryDirectory() as d:
            if case.get("reference") == "apiserver":
                cmd, expected, err = run_apiserver(args.kubectl, case, d)
            else:
                cmd, expected, err = run_kustomize(args.kubectl, case, d)
        fixture = {
            "name": name,
            "description": case["description"],
            "reference": cmd,
            "reference_version": version.replace("\n", "; "),
            "resources": case["resources"],
            "config": case["config"],
        }
        if case.get("kiln"):
            fixture["kiln"] = case["kiln"]
        if err is not None:
            fixture["error"] = err
        else:
            fixture["expected"] = expected
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(fixture, f, indent=1, sort_keys=False)
            f.write("\n")
        status = "error" if err is not None else "ok"
        print(f"{name}: {status}")
    print(f"{len(names)} cases written to {out}")


if __name__ == "__main__":
    main()
