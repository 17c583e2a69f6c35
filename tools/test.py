#!/usr/bin/env python3
"""test.py - everything `make test` checks, ending with "N passed, N failed".

  1. builds the solutions and, for every lab N, a tree with the solutions of
     all other labs and lab N's untouched skeleton (regenerated from
     solutions/ by mklab, so a student's edits to labs/ do not matter here);
  2. static checks: labs/ is in sync with solutions/, the book's excerpts
     all resolve, the book builds without a warning or a broken link; the
     unit tests under ASan/UBSan, the command protocol between threads under
     TSan, a short run of every fuzzer, make lint;
  3. the framework's tests against the solutions, and the hardening tests
     (tests/hardening_tests.py: bad inputs, hostile guests, racing commands);
  4. every lab's graded tests against the solutions: each must pass;
  5. the discrimination check: every test of lab N must fail on the tree
     where only lab N is the skeleton - so it tests lab N, not an earlier lab;
  6. the student's path: lab N's tests on the tree of labs 0..N solved and
     the later labs untouched (what a student who does the labs in order
     has), which must pass - a later lab's function on an earlier lab's path
     needs a fallback (include/lab.h); a failure names the function;
  7. the instructor's kit (tests/kit_tests.py): the submission grader and
     the student release.
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
from hardening_tests import HARDENING  # noqa: E402
from lab_tests import LABS  # noqa: E402
from kit_tests import KIT  # noqa: E402
from harness import STOPS_HERE, Failure, log_of  # noqa: E402

PRISTINE = "build/pristine/labs"


def skeleton_tree(lab):
    """build/skeleton-N/labs: solutions/, but lab N from the pristine skeleton."""
    root = os.path.join(ROOT, "build", "skeleton-%d" % lab, "labs")
    subprocess.run(["rm", "-rf", os.path.dirname(root)], check=True)
    os.makedirs(os.path.dirname(root))
    subprocess.run(["cp", "-r", os.path.join(ROOT, "solutions"), root], check=True)
    for d in os.listdir(os.path.join(ROOT, PRISTINE)):
        if d.startswith("%02d-" % lab):
            for f in os.listdir(os.path.join(ROOT, PRISTINE, d)):
                subprocess.run(["cp", os.path.join(ROOT, PRISTINE, d, f),
                                os.path.join(root, d, f)], check=True)
    return os.path.relpath(root, ROOT)


def path_tree(lab):
    """build/path-N/labs: the tree of a student who has done labs 0..N and not
    yet begun the later ones - solutions/ up to lab N, the pristine skeleton
    after it."""
    root = os.path.join(ROOT, "build", "path-%d" % lab, "labs")
    subprocess.run(["rm", "-rf", os.path.dirname(root)], check=True)
    os.makedirs(root)
    for d in sorted(os.listdir(os.path.join(ROOT, "solutions"))):
        src = "solutions" if int(d[:2]) <= lab else PRISTINE
        subprocess.run(["cp", "-r", os.path.join(ROOT, src, d), os.path.join(root, d)],
                       check=True)
    return os.path.relpath(root, ROOT)


def path_build(lab):
    """The tree (under build/) that lab N's student-path tests run on. Lab 7's
    files are not in the images, so from lab 6 on the path is the solution."""
    if lab >= max(LABS) - 1:
        return "solution"
    return "path-%d" % lab


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


class OnPath:
    """Wraps a lab test for the student's path: lab N's test on the tree of
    labs 0..N solved and the later ones untouched. A failure names the later
    lab's function that stopped the boot, if one did."""

    def __init__(self, lab, test):
        self.lab, self.test, self.name = lab, test, test.name

    def run(self, tree):
        ok, detail = self.test.run(tree)
        if ok:
            return True, ""
        log = log_of(detail)
        blocker = None
        if log and os.path.exists(os.path.join(ROOT, log)):
            with open(os.path.join(ROOT, log), errors="replace") as f:
                blocker = next(filter(None, map(STOPS_HERE.match, f.read().splitlines())), None)
        if blocker and int(blocker.group(1)) > self.lab:
            text = "lab %d is blocked by lab %s's %s(), not written yet on this path: %s" % (
                self.lab, blocker.group(1), blocker.group(2), detail)
        else:
            text = "lab %d fails on its path (labs 0-%d solved, the rest the skeleton): %s" % (
                self.lab, self.lab, detail)
        return False, Failure(text, getattr(detail, "log", None),
                              getattr(detail, "reproduce", None))


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
    make("-j2", "SOLUTION=1", "images", "unit-build")
    make("SOLUTION=1", "linux")  # lab 7: fetches Debian's kernel and its headers
    subprocess.run(["rm", "-rf", os.path.join(ROOT, "build/pristine")])
    os.makedirs(os.path.join(ROOT, PRISTINE))
    subprocess.run([os.path.join(ROOT, "build/tools/mklab"), "--tree", "solutions", PRISTINE],
                   cwd=ROOT, check=True)
    for lab in sorted(LABS):
        make("-j2", "TREE=skeleton-%d" % lab, "LABSRC=" + skeleton_tree(lab), "images",
             "unit-build", *(["linux"] if lab == 7 else []))

    # The student's path: labs 0..N solved, N+1.. the untouched skeleton.
    for lab in sorted(LABS):
        if path_build(lab) != "solution":
            make("-j2", "TREE=" + path_build(lab), "LABSRC=" + path_tree(lab), "images",
                 "unit-build")

    jobs = [("static", Static("labs/ is the skeleton of solutions/",
                              ["build/tools/mklab", "--check", "solutions", "labs"]), None)]
    jobs.append(("static", Static("book excerpts resolve",
                                  [sys.executable, "tools/book.py", "--check"]), None))
    jobs.append(("static", Static("book checks catch broken links (self-test)",
                                  [sys.executable, "tools/book.py", "--self-test"]), None))
    jobs.append(("static", Static("book builds: no warnings, no broken links or images",
                                  [sys.executable, "tools/book.py", "--out", "build/book"]), None))
    jobs.append(("static", Static("handout output comparison catches changes (self-test)",
                                  [sys.executable, "tools/outputs.py", "--self-test"]), None))
    jobs.append(("static", Static("handouts' expected output is what real boots print",
                                  [sys.executable, "tools/outputs.py"]), None))
    # Hardening (README): sanitizers, the protocol between threads, a short fuzz, lint.
    make("-j2", "fuzz-build", "build/fuzz/protocol-tsan", "build/fuzz/unit-asan")
    for name, target in [("unit tests under ASan and UBSan", ["unit-asan"]),
                         ("command protocol between threads under TSan", ["protocol-tsan"]),
                         ("every fuzz harness, 3 s each", ["fuzz", "FUZZ_SECONDS=3"]),
                         ("lint: cppcheck, no unexplained findings", ["lint"])]:
        jobs.append(("static", Static(name, ["make", "--no-print-directory"] + target), None))
    jobs += [("framework", t, "solution") for t in FRAMEWORK]
    jobs += [("hardening", t, "solution") for t in HARDENING]
    for lab in sorted(LABS):
        jobs += [("lab %d" % lab, t, "solution") for t in LABS[lab]]
    for lab in sorted(LABS):
        jobs += [("lab %d skeleton" % lab, MustFail(t), "skeleton-%d" % lab)
                 for t in LABS[lab]]

    for lab in sorted(LABS):
        if path_build(lab) != "solution":  # on the solution tree, "lab N" above ran them
            jobs += [("lab %d student path" % lab, OnPath(lab, t), path_build(lab))
                     for t in LABS[lab]]

    jobs += [("kit", t, None) for t in KIT]  # the grader and the release (run alone, last)

    passed = failed = 0

    def report(group, t, ok, detail):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        again = getattr(detail, "reproduce", None)
        print("%s  %-18s %s%s" % ("PASS" if ok else "FAIL", group, t.name,
                                 "" if ok else "\n      " + detail.replace("\n", "\n      ") +
                                 ("\n      reproduce: " + again if again else "")))
        sys.stdout.flush()

    def exclusive(t):
        inner = getattr(t, "test", t)
        return getattr(inner, "exclusive", False)

    # Two QEMUs at a time; tests that measure host CPU time run alone at the end.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(group, t, pool.submit(t.run, tree)) for group, t, tree in jobs
                   if not exclusive(t)]
        for group, t, fut in futures:
            report(group, t, *fut.result())
    for group, t, tree in jobs:
        if exclusive(t):
            report(group, t, *t.run(tree))
    print("test: %.0f s" % (time.monotonic() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
