#!/usr/bin/env python3
"""Benchmark: `kiln template` vs `helm template` over the Helm corpus, in the same run.

Usage: tests/bench/template.py [--kiln PATH] [--helm PATH] [--runs N] [--corpus DIR]

Each case of ../shared/corpus/helm is rendered by both tools, alternating, N times. Printed: total wall time of each
tool (sum over cases of the median run), the ratio kiln/helm, and the largest peak RSS of any single process of
each tool. The compiled-plugin cache is warmed first (kiln's built-ins are precompiled at build time anyway).
Nothing here is an assertion; record the numbers in docs/benchmarks.md.
"""
import argparse, json, os, pathlib, resource, statistics, subprocess, sys, time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(cmd):
    """Run cmd, return (wall seconds, peak RSS in KiB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=str(ROOT / "target/release/kiln"))
    ap.add_argument("--helm", default=os.environ.get("KILN_REF_HELM", "helm"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/helm"))
    a = ap.parse_args()
    cases = sorted(pathlib.Path(a.corpus, "cases").iterdir())
    totals = {"kiln": 0.0, "helm": 0.0}
    peaks = {"kiln": 0, "helm": 0}
    print(f"{'case':<36} {'helm ms':>9} {'kiln ms':>9} {'ratio':>6}")
    for case in cases:
        spec = json.loads((case / "case.json").read_text())
        args = ["template", spec["release"], str((case / spec["chart"]).resolve()), "--namespace", spec["namespace"]]
        for v in spec["values"]:
            args += ["-f", str(case / v)]
        args += spec["args"]
        times = {"kiln": [], "helm": []}
        run([a.kiln] + args)  # warm the page cache and the plugin cache
        for _ in range(a.runs):
            for tool, exe in (("helm", a.helm), ("kiln", a.kiln)):
                wall, rss, _code = run([exe] + args)
                times[tool].append(wall)
                peaks[tool] = max(peaks[tool], rss)
        med = {t: statistics.median(v) for t, v in times.items()}
        for t in totals:
            totals[t] += med[t]
        print(f"{case.name:<36} {med['helm']*1000:>9.1f} {med['kiln']*1000:>9.1f} {med['kiln']/med['helm']:>6.2f}")
    print(f"{'total (sum of medians)':<36} {totals['helm']*1000:>9.1f} {totals['kiln']*1000:>9.1f} {totals['kiln']/totals['helm']:>6.2f}")
    print(f"wall time ratio kiln/helm: {totals['kiln']/totals['helm']:.3f}  (kiln is {totals['helm']/totals['kiln']:.1f}x faster)")
    print(f"peak RSS: helm {peaks['helm']/1024:.1f} MiB, kiln {peaks['kiln']/1024:.1f} MiB, ratio {peaks['kiln']/peaks['helm']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
