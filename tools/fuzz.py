#!/usr/bin/env python3
"""fuzz.py - run the libFuzzer harnesses one after another, for a bounded time.

  python3 tools/fuzz.py --seconds 60 fuzz_mb2 fuzz_acpi ...   (make fuzz)

Each harness (build/fuzz/<name>, from tests/fuzz/<name>.c) starts from its
committed seeds in tests/fuzz/corpus/<short name>/ and keeps what it finds
in build/fuzz/corpus/<short name>/ (the committed seeds stay as they are).
A crash, a sanitizer report or a failed check in a harness leaves the input
in build/fuzz/crashes/ and fails the run; turn it into a unit test in
tests/unit/ once it is fixed. Prints one line per harness with the
executions and the speed, then a total.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(name, seconds):
    short = name[len("fuzz_"):]
    work = os.path.join(ROOT, "build", "fuzz", "corpus", short)
    seeds = os.path.join(ROOT, "tests", "fuzz", "corpus", short)
    crashes = os.path.join(ROOT, "build", "fuzz", "crashes")
    os.makedirs(work, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    cmd = [os.path.join(ROOT, "build", "fuzz", name), "-max_total_time=%d" % seconds,
           "-print_final_stats=1", "-timeout=10", "-max_len=65536",
           "-artifact_prefix=%s/%s-" % (crashes, short), work]
    if os.path.isdir(seeds):
        cmd.append(seeds)
    start = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=seconds + 120)
    wall = time.monotonic() - start
    stats = dict(re.findall(r"^stat::(\w+):\s+(\d+)", r.stdout, re.M))
    execs = int(stats.get("number_of_executed_units", 0))
    cov = re.findall(r"cov: (\d+) ft: (\d+)", r.stdout)
    ok = r.returncode == 0 and execs > 0
    line = "%-8s %s %12d execs %9.0f/s %6.1f s  cov %s  corpus %d" % (
        "ok" if ok else "CRASH", "%-14s" % name, execs, execs / max(wall, 0.001), wall,
        cov[-1][0] if cov else "?", len(os.listdir(work)))
    print(line)
    if not ok:
        tail = [l for l in r.stdout.splitlines() if "ERROR" in l or "SUMMARY" in l or
                "Test unit written" in l or "runtime error" in l]
        print("\n".join("    " + l for l in tail[-8:]) or r.stdout[-2000:])
    sys.stdout.flush()
    return ok, execs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("harnesses", nargs="+")
    a = p.parse_args()
    total, failed = 0, 0
    start = time.monotonic()
    for name in a.harnesses:
        ok, execs = run(name, a.seconds)
        total += execs
        failed += not ok
    print("fuzz: %d harnesses, %d executions in %.0f s, %d failed" %
          (len(a.harnesses), total, time.monotonic() - start, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
