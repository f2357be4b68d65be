#!/usr/bin/env python3
"""Build every dumped krusty test tree with kubectl kustomize and kiln kustomize; print a summary and the cases
that differ (stdout, or which tool failed). Usage: cmp.py --kiln K --kubectl C DUMP_DIR"""
import argparse, collections, concurrent.futures, os, subprocess

ap = argparse.ArgumentParser()
ap.add_argument("--kiln", required=True)
ap.add_argument("--kubectl", required=True)
ap.add_argument("dump")
args = ap.parse_args()
dump = os.path.abspath(args.dump)


def run(case):
    d = os.path.join(dump, case)
    meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(d, "meta")) if "=" in l)
    root = os.path.join(d, "fs")
    target = os.path.normpath(os.path.join(root, meta["path"].lstrip("/")))
    flags = ["--load-restrictor", meta["loadRestrictions"]] + (["--enable-helm"] if meta.get("helm") == "true" else [])
    ref = subprocess.run([args.kubectl, "kustomize", target] + flags, capture_output=True, text=True, cwd=root)
    got = subprocess.run([args.kiln, "kustomize", target] + flags, capture_output=True, text=True, cwd=root)
    if ref.returncode == 0 and got.returncode == 0:
        return case, "ok" if ref.stdout == got.stdout else "DIFF"
    if ref.returncode and got.returncode:
        return case, "both-fail"
    return case, "KILN-FAIL" if ref.returncode == 0 else "KILN-OK-REF-FAIL"


with concurrent.futures.ThreadPoolExecutor(2) as ex:
    results = list(ex.map(run, sorted(os.listdir(dump))))
print(dict(collections.Counter(s for _, s in results)))
for case, status in results:
    if status not in ("ok", "both-fail"):
        print(status, case)
