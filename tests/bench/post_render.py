#!/usr/bin/env python3
"""Benchmark: process start to first output of `kiln post-render` with one built-in plugin (the patch engine),
with a cold compiled-plugin cache (a fresh KILN_CACHE_DIR every run) and a warm one.

Usage: tests/bench/post_render.py [--kiln PATH] [--runs N]

Input: examples/post-render/stream.yaml with examples/post-render/patches.yaml. "First output" is the moment the
first byte arrives on kiln's stdout pipe; the process's total time is printed too. For scale, the same stream
through `cat` is measured in the same run (the floor of starting any process). Nothing here is an assertion.
"""
import argparse, os, pathlib, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def first_output(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = p.stdout.read(1)
    t1 = time.perf_counter()
    rest = p.stdout.read()
    err = p.stderr.read()
    p.wait()
    t2 = time.perf_counter()
    if p.returncode != 0 or not first:
        sys.exit(f"{cmd} failed ({p.returncode}): {err.decode()[:2000]}")
    return t1 - t0, t2 - t0, len(first) + len(rest)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=str(ROOT / "target/release/kiln"))
    ap.add_argument("--runs", type=int, default=21)
    a = ap.parse_args()
    stream = str(ROOT / "examples/post-render/stream.yaml")
    patches = str(ROOT / "examples/post-render/patches.yaml")
    cmd = [a.kiln, "post-render", "-f", stream, "--patch", patches]
    results = {}
    with tempfile.TemporaryDirectory() as warm:
        env_warm = dict(os.environ, KILN_CACHE_DIR=warm)
        first_output(cmd, env_warm)  # fill the warm cache (and the page cache)
        series = {"cat (process floor)": [], "kiln, cold cache": [], "kiln, warm cache": []}
        totals = {k: [] for k in series}
        for _ in range(a.runs):
            f, t, _ = first_output(["cat", stream], dict(os.environ))
            series["cat (process floor)"].append(f)
            totals["cat (process floor)"].append(t)
            with tempfile.TemporaryDirectory() as cold:
                f, t, _ = first_output(cmd, dict(os.environ, KILN_CACHE_DIR=cold))
            series["kiln, cold cache"].append(f)
            totals["kiln, cold cache"].append(t)
            f, t, n = first_output(cmd, env_warm)
            series["kiln, warm cache"].append(f)
            totals["kiln, warm cache"].append(t)
        for k in series:
            results[k] = (statistics.median(series[k]), statistics.median(totals[k]))
    print(f"{'':<22} {'first output':>13} {'exit':>9}   (medians of {a.runs} runs, {n} bytes out)")
    for k, (f, t) in results.items():
        print(f"{k:<22} {f*1000:>10.1f} ms {t*1000:>6.1f} ms")
    print("target: first output of a warm-cache kiln post-render under 20 ms")


if __name__ == "__main__":
    sys.exit(main())
