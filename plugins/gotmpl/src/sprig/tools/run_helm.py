#!/usr/bin/env python3
"""Render template cases with the reference helm (v4.1.4) and record its exact output or error.

usage: run_helm.py CASES.json VALUES.json OUT.json
Each case: {"id", "template"}. Each case is the whole text between two markers in a chart's NOTES.txt
(`helm install rel CHART -n ns1 --dry-run=client`, TZ=UTC), so its output is exact; batches that fail are bisected
until each failing case runs alone and its stderr is recorded as the error. Each case is rendered on its own.
"""
import json, os, shutil, subprocess, sys, tempfile

HELM = "/work/ref/bin/helm"

def render(cases, values_path):
    d = tempfile.mkdtemp(prefix="sprigref")
    try:
        os.makedirs(os.path.join(d, "templates"))
        with open(os.path.join(d, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
        shutil.copy(values_path, os.path.join(d, "values.yaml"))
        body = "".join("@@@CASE %s@@@%s@@@END@@@\n" % (c["id"], c["template"]) for c in cases)
        with open(os.path.join(d, "templates", "NOTES.txt"), "w") as f:
            f.write(body)
        env = dict(os.environ, TZ="UTC")
        p = subprocess.run([HELM, "install", "rel", d, "-n", "ns1", "--dry-run=client"], capture_output=True, env=env)
        # Go may print bytes that are not UTF-8 (a string cut inside a character); they become U+FFFD, which is
        # what the Rust port (whose strings are UTF-8) produces for them.
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    finally:
        shutil.rmtree(d)

def solve(cases, values_path, out):
    code, stdout, stderr = render(cases, values_path)
    if code == 0:
        notes = stdout.split("\nNOTES:\n", 1)[1]
        for c in cases:
            start = notes.index("@@@CASE %s@@@" % c["id"]) + len("@@@CASE %s@@@" % c["id"])
            end = notes.index("@@@END@@@", start)
            out[c["id"]] = {"id": c["id"], "template": c["template"], "expected": notes[start:end]}
        return
    if len(cases) == 1:
        c = cases[0]
        out[c["id"]] = {"id": c["id"], "template": c["template"], "error": stderr.strip()}
        return
    mid = len(cases) // 2
    solve(cases[:mid], values_path, out)
    solve(cases[mid:], values_path, out)

def main():
    from concurrent.futures import ThreadPoolExecutor
    cases = json.load(open(sys.argv[1]))
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate ids"
    out = {}
    # Each case renders alone, so that cases mutating .Values cannot affect one another.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda c: solve([c], sys.argv[2], out), cases))
    with open(sys.argv[3], "w") as f:
        json.dump([out[i] for i in ids], f, indent=1, ensure_ascii=False)
        f.write("\n")

main()
