#!/usr/bin/env python3
"""grade.py - grade one lab (or all) of a tree: `make grade LAB=N`.

Runs the lab's tests from tests/lab_tests.py against build/<tree>/ and
prints a table with the points of each test and the total. Exits 0 only
with full points.
"""
import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from lab_tests import LABS  # noqa: E402


def grade(tree, labs, jobs):
    tests = [(lab, t) for lab in labs for t in LABS[lab]]
    # Most tests run two at a time; "exclusive" ones (host CPU time
    # measurements) afterwards, alone.
    results = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        shared = [(i, pool.submit(t.run, tree)) for i, (_, t) in enumerate(tests)
                  if not getattr(t, "exclusive", False)]
        for i, fut in shared:
            results[i] = fut.result()
    for i, (_, t) in enumerate(tests):
        if getattr(t, "exclusive", False):
            results[i] = t.run(tree)
    results = [results[i] for i in range(len(tests))]
    width = max(len(t.name) for _, t in tests) + 2
    print("%-5s %-*s %7s  %s" % ("lab", width, "test", "points", "result"))
    got = total = 0
    for (lab, t), (ok, detail) in zip(tests, results):
        total += t.points
        got += t.points if ok else 0
        print("%-5d %-*s %3d/%-3d  %s%s" % (lab, width, t.name, t.points if ok else 0, t.points,
                                            "pass" if ok else "FAIL",
                                            "" if ok else ": " + detail))
    print("%-5s %-*s %3d/%-3d" % ("total", width, "", got, total))
    return got == total


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tree", default="student")
    p.add_argument("--lab", type=int, action="append")
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    labs = a.lab or sorted(LABS)
    unknown = [l for l in labs if l not in LABS]
    if unknown:
        sys.exit("grade: no tests for lab %s (labs with tests: %s)" %
                 (unknown[0], ", ".join(map(str, sorted(LABS)))))
    sys.exit(0 if grade(a.tree, labs, a.jobs) else 1)


if __name__ == "__main__":
    main()
