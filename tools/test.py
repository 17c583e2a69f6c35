#!/usr/bin/env python3
"""test.py - everything `make test` checks, ending with "N passed, N failed".

  1. builds the solutions and the pristine skeleton (labs regenerated from
     solutions/ into build/pristine/labs, so a student's edits to labs/ do
     not matter here);
  2. static checks: labs/ is in sync with solutions/, the book's excerpts
     all resolve;
  3. the framework's tests against the solutions;
  4. every lab's graded tests against the solutions: each must pass;
  5. the discrimination check: every lab test against the skeleton must fail.
QEMU boots run two at a time (the CI machine has two cores).
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from framework_tests import FRAMEWORK  # noqa: E402
from lab_tests import LABS  # noqa: E402

PRISTINE = "build/pristine/labs"


def make(*args):
    cmd = ["make", "--no-print-directory", "-C", ROOT] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout)
        sys.exit("test: build failed: %s" % " ".join(cmd))


class Static:
    """A host command that must succeed."""

    def __init__(self, name, cmd):
        self.name, self.cmd = name, cmd

    def run(self, tree):
        r = subprocess.run(self.cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        return r.returncode == 0, r.stdout.strip()[-400:]


class MustFail:
    """Wraps a lab test: passes when the test fails on the skeleton."""

    def __init__(self, test):
        self.test, self.name = test, test.name

    def run(self, tree):
        ok, detail = self.test.run(tree)
        if ok:
            return False, "passes on the untouched skeleton: it cannot tell a solution from none"
        return True, ""


def main():
    start = time.monotonic()
    print("test: building solutions and the pristine skeleton")
    make("tools")
    make("SOLUTION=1", "images", "unit-build")
    subprocess.run(["rm", "-rf", os.path.join(ROOT, "build/pristine")])
    os.makedirs(os.path.join(ROOT, PRISTINE))
    subprocess.run([os.path.join(ROOT, "build/tools/mklab"), "--tree", "solutions", PRISTINE],
                   cwd=ROOT, check=True)
    make("TREE=pristine", "LABSRC=" + PRISTINE, "images", "unit-build")

    jobs = [("static", Static("labs/ is the skeleton of solutions/",
                              ["build/tools/mklab", "--check", "solutions", "labs"]), None)]
    jobs.append(("static", Static("book excerpts resolve",
                                  [sys.executable, "tools/book.py", "--check"]), None))
    jobs += [("framework", t, "solution") for t in FRAMEWORK]
    for lab in sorted(LABS):
        jobs += [("lab %d" % lab, t, "solution") for t in LABS[lab]]
    for lab in sorted(LABS):
        jobs += [("lab %d skeleton" % lab, MustFail(t), "pristine") for t in LABS[lab]]

    passed = failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(group, t, pool.submit(t.run, tree)) for group, t, tree in jobs]
        for group, t, fut in futures:
            ok, detail = fut.result()
            passed += ok
            failed += not ok
            print("%s  %-18s %s%s" % ("PASS" if ok else "FAIL", group, t.name,
                                     "" if ok else "\n      " + detail))
            sys.stdout.flush()
    print("test: %.0f s" % (time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
