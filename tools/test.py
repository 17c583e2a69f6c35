#!/usr/bin/python3
"""test.py - `make test`: build every tree, then run tests/test_all.py under pytest
(tests/pytest.ini: two workers, JUnit XML in build/test-results.xml). Report below
prints on the terminal; pytest's own report goes to build/pytest.log. Arguments
go to pytest: tools/test.py -k lab-3 builds every tree, then runs lab 3's tests.
"""
import os
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from test_all import LABS, ROOT, path_build  # noqa: E402

PRISTINE = "build/pristine/labs"


def make(*args):
    cmd = ["make", "--no-print-directory"] + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit("%s\ntest: build failed: %s" % (r.stdout, " ".join(cmd)))


def build(name, skeleton, *targets):
    """build/<name>: solutions/ with the labs in `skeleton` the pristine
    skeleton (mklab's, so a student's edits to labs/ do not matter here)."""
    labs = os.path.join("build", name, "labs")
    shutil.rmtree(os.path.dirname(labs), ignore_errors=True)
    shutil.copytree("solutions", labs)
    for d in os.listdir(PRISTINE):
        if int(d[:2]) in skeleton:
            shutil.copytree(os.path.join(PRISTINE, d), os.path.join(labs, d), dirs_exist_ok=True)
    make("-j2", "TREE=" + name, "LABSRC=" + labs, "images", "unit-build", *targets)


class Report:
    """make test's report: a line per test as it ends, PASS or FAIL, group and
    name, below a failure its detail and "reproduce:" line; at the end "N
    passed, N failed"."""
    start, passed, failed = time.monotonic(), 0, 0  # the clock starts with the builds

    def pytest_runtest_logreport(self, report):  # a call, or a failed setup or collection
        if getattr(report, "when", None) == "call" or report.failed:
            test = dict(getattr(report, "user_properties", [("group", "collect")]))
            self.passed, self.failed = self.passed + report.passed, self.failed + report.failed
            line = "%s  %-18s %s" % ("PASS" if report.passed else "FAIL", test["group"],
                                     test.get("name", report.nodeid))
            if report.failed:  # its detail, "reproduce:" line included
                line += ("\n" + str(report.longrepr)).replace("\n", "\n      ")
            print(line, file=sys.__stdout__, flush=True)
    pytest_collectreport = pytest_runtest_logreport

    def pytest_sessionfinish(self):
        print("test: %.0f s\n%d passed, %d failed" % (
            time.monotonic() - self.start, self.passed, self.failed), file=sys.__stdout__)


def main():
    os.chdir(ROOT)
    print("test: building solutions and the pristine skeleton", flush=True)
    make("tools")
    make("-j2", "SOLUTION=1", "images", "unit-build")
    make("SOLUTION=1", "linux")  # lab 7: fetches Debian's kernel and its headers
    shutil.rmtree(os.path.dirname(PRISTINE), ignore_errors=True)
    os.makedirs(PRISTINE)
    subprocess.run(["build/tools/mklab", "--tree", "solutions", PRISTINE], check=True)
    for lab in sorted(LABS):  # lab N the skeleton; the student's path, labs 0..N solved
        build("skeleton-%d" % lab, [lab], *(["linux"] if lab == 7 else []))
        if path_build(lab) != "solution":
            build(path_build(lab), range(lab + 1, max(LABS) + 1))
    # Hardening (README): sanitizers, the protocol between threads, a short fuzz.
    make("-j2", "fuzz-build", "build/fuzz/protocol-tsan", "build/fuzz/unit-asan")
    sys.stdout = open("build/pytest.log", "w")  # where pytest's terminal writes
    return pytest.main(["-c", "tests/pytest.ini"] + sys.argv[1:], plugins=[Report()])


if __name__ == "__main__":
    sys.exit(main())
