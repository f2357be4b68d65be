#!/usr/bin/env python3
"""Render charts with both `kiln template` and the reference `helm template` and report every difference.

Usage: tools/helm-compare/compare.py [--kiln PATH] [--helm PATH] [--jobs N] [--out DIR] CASE...

A CASE is a chart directory (dependencies already under its charts/), optionally followed by `@VALUES` naming a
values file (e.g. `charts/redis@ci/values-ha.yaml`, relative to the chart). Each case runs as
`template rel CHART -n ns [-f VALUES]`. Results, one line each: `ok`, `ok-masked` (helm itself is not
deterministic, e.g. random passwords, and the outputs agree once runs of 5+ token characters are masked, as the
conformance tool masks them), `both-fail`, `exit h=X k=Y` (only one tool failed, with both messages), `DIFF`
(outputs written to --out as CASE.helm / CASE.kiln). Exit status 1 when any case is `exit` or `DIFF`.

This is how kiln's Helm fidelity is checked beyond the corpus (see docs/benchmarks.md, "Fidelity beyond the
corpus"): point it at a directory of public charts.
"""
import argparse, concurrent.futures, os, pathlib, re, subprocess, sys

HERE = pathlib.Path(__file__).resolve()


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def shape(line):
    return re.split(r"[A-Za-z0-9+/=]{5,}", line)


def masked_equal(a, b):
    la, lb = a.split("\n"), b.split("\n")
    return len(la) == len(lb) and all(x == y or shape(x) == shape(y) for x, y in zip(la, lb))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln", default=str(HERE.parents[2] / "target/release/kiln"))
    ap.add_argument("--helm", default=os.environ.get("KILN_REF_HELM", "helm"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default="helm-compare-out")
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()

    def one(case):
        chart, _, values = case.partition("@")
        args = ["template", "rel", chart, "-n", "ns"] + (["-f", os.path.join(chart, values)] if values else [])
        h, k = run([a.helm] + args), run([a.kiln] + args)
        if h[0] != 0 or k[0] != 0:
            if h[0] != 0 and k[0] != 0:
                return case, "both-fail", ""
            return case, "exit h=%d k=%d" % (h[0], k[0]), h[2][-400:] + "\n---\n" + k[2][-400:]
        if h[1] == k[1]:
            return case, "ok", ""
        if run([a.helm] + args)[1] != h[1] and masked_equal(h[1], k[1]):
            return case, "ok-masked", ""
        os.makedirs(a.out, exist_ok=True)
        stem = os.path.join(a.out, case.strip("/").replace("/", "_"))
        pathlib.Path(stem + ".helm").write_text(h[1])
        pathlib.Path(stem + ".kiln").write_text(k[1])
        return case, "DIFF", ""

    bad = 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for case, status, info in ex.map(one, a.cases):
            print(status, case, flush=True)
            if info:
                print("    " + info.replace("\n", "\n    "))
            bad += status.startswith(("exit", "DIFF"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
