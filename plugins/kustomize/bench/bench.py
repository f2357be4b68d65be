#!/usr/bin/env python3
"""Compare `kiln kustomize` with `kubectl kustomize` over the shared kustomize corpus.

Usage: bench.py [--kiln PATH] [--kubectl PATH] [--corpus DIR] [--rounds N]

Each round builds every case once with each tool (alternating, so both see the same machine load). Prints the
total wall time and the peak resident memory of each tool, and the ratios (kubectl / kiln: above 1 means kiln is
faster / smaller). Outputs are checked for equality with the reference's expected.yaml so a broken build cannot
look fast.
"""
import argparse, json, os, pathlib, subprocess, sys, time

HERE = pathlib.Path(__file__).resolve()
REPO = HERE.parents[3]


def run_rusage(cmd):
    """Run cmd; return (seconds, stdout, returncode, peak RSS in KiB)."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        fd = os.open(run_rusage.outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    out = pathlib.Path(run_rusage.outfile).read_text(errors="replace")
    return dt, out, os.waitstatus_to_exitcode(status), ru.ru_maxrss


run_rusage.outfile = "/tmp/kustomize-bench-out.yaml"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", default=str(REPO / "target/release/kiln"))
    ap.add_argument("--kubectl", default="/work/ref/bin/kubectl")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared/corpus/kustomize"))
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    cases = []
    for c in sorted(pathlib.Path(a.corpus, "cases").iterdir()):
        spec = json.loads((c / "case.json").read_text())
        if spec.get("exit_code", 0) == 0:
            cases.append((c.name, str((c / "tree" / spec["dir"]).resolve()), (c / "expected.yaml").read_text()))
    tools = {"kiln": [a.kiln, "kustomize"], "kubectl": [a.kubectl, "kustomize"]}
    total = {k: 0.0 for k in tools}
    peak = {k: 0 for k in tools}
    # One warm-up pass (kiln compiles its built-in plugin into its cache on first use).
    for name, d, _ in cases:
        run_rusage(tools["kiln"] + [d])
    for _ in range(a.rounds):
        for name, d, expected in cases:
            for tool, cmd in tools.items():
                dt, out, rc, rss = run_rusage(cmd + [d])
                if rc != 0 or out != expected:
                    sys.exit(f"{tool} gave wrong output for {name} (exit {rc})")
                total[tool] += dt
                peak[tool] = max(peak[tool], rss)
    n = a.rounds * len(cases)
    for tool in tools:
        print(f"{tool:8} total {total[tool]:.3f} s over {n} builds ({total[tool] / n * 1000:.1f} ms each), peak RSS {peak[tool] / 1024:.1f} MiB")
    print(f"speed ratio (kubectl/kiln wall time): {total['kubectl'] / total['kiln']:.2f}x")
    print(f"memory ratio (kubectl/kiln peak RSS): {peak['kubectl'] / peak['kiln']:.2f}x")


if __name__ == "__main__":
    main()
