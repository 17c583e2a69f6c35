"""test_all.py - everything `make test` checks: a pytest item per (group, test, tree).

On the trees tools/test.py builds: static checks (labs/ in sync, the book,
the sanitizers, a short fuzz, lint); the framework's and the hardening tests
on the solutions; each lab's graded tests on the solutions (each must pass),
on the tree where only that lab is the skeleton (each must fail: it tests
lab N, not an earlier one) and on the student's path, labs 0..N solved and
the rest untouched (each must pass: a later lab's function needs a fallback,
include/lab.h); the instructor's kit. The tests stay data (tools/grade.py
reads them too). An id is the group, dashed, and the test's name (-k lab-3-skeleton).
"""
import fcntl
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from harness import ROOT, STOPS_HERE, Failure, log_of  # noqa: E402
from framework_tests import FRAMEWORK  # noqa: E402
from hardening_tests import HARDENING  # noqa: E402
from kit_tests import KIT  # noqa: E402
from lab_tests import LABS  # noqa: E402


def path_build(lab):  # lab 7's files are not in the images: from lab 6 on, the solution
    return "solution" if lab >= max(LABS) - 1 else "path-%d" % lab


class Static:
    """A host command that must succeed."""

    def __init__(self, name, cmd):
        self.name, self.cmd = name, cmd

    def run(self, tree):
        cmd = self.cmd.format(py=sys.executable, make="make --no-print-directory").split()
        r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
        log = os.path.join(ROOT, log_of(detail) or "no log")
        with open(log if os.path.exists(log) else os.devnull, errors="replace") as f:
            stop = next(filter(None, map(STOPS_HERE.match, f.read().splitlines())), None)
        if stop and int(stop.group(1)) > self.lab:
            text = "lab %d is blocked by lab %s's %s(), not written yet on this path: " % (
                self.lab, stop.group(1), stop.group(2))
        else:
            text = "lab %d fails on its path (labs 0-%d solved, the rest the skeleton): " % (
                self.lab, self.lab)
        return False, Failure(text + detail, getattr(detail, "log", None),
                              getattr(detail, "reproduce", None))


class MustFail:
    """Wraps a lab test: passes when the test fails on the skeleton."""

    def __init__(self, test):
        self.test, self.name = test, test.name

    def run(self, tree):
        if self.test.run(tree)[0]:
            return False, "passes on the untouched skeleton: it cannot tell a solution from none"
        return True, ""


STATIC = [("labs/ is the skeleton of solutions/", "build/tools/mklab --check solutions labs"),
          ("book excerpts resolve", "{py} tools/book.py --check"),
          ("book checks catch broken links (self-test)", "{py} tools/book.py --self-test"),
          ("book builds: no warnings, no broken links or images",
           "{py} tools/book.py --out build/book"),
          ("handout output comparison catches changes (self-test)",
           "{py} tools/outputs.py --self-test"),
          ("handouts' expected output is what real boots print", "{py} tools/outputs.py"),
          ("unit tests under ASan and UBSan", "{make} unit-asan"),
          ("command protocol between threads under TSan", "{make} protocol-tsan"),
          ("every fuzz harness, 3 s each", "{make} fuzz FUZZ_SECONDS=3"),
          ("lint: cppcheck, no unexplained findings", "{make} lint"),
          ("the instructor guide's mistake tables list every mutant",
           "{py} tools/mutants.py --check-guide")]
JOBS = [("static", Static(name, cmd), None) for name, cmd in STATIC]
JOBS += [("framework", t, "solution") for t in FRAMEWORK]
JOBS += [("hardening", t, "solution") for t in HARDENING]
JOBS += [("lab %d" % lab, t, "solution") for lab in sorted(LABS) for t in LABS[lab]]
JOBS += [("lab %d skeleton" % lab, MustFail(t), "skeleton-%d" % lab)
         for lab in sorted(LABS) for t in LABS[lab]]
JOBS += [("lab %d student path" % lab, OnPath(lab, t), path_build(lab))
         for lab in sorted(LABS) if path_build(lab) != "solution"  # else "lab N" ran them
         for t in LABS[lab]]
JOBS += [("kit", t, None) for t in KIT]  # the grader and the release


def inner(t, attribute, default):  # of MustFail's and OnPath's test
    return getattr(getattr(t, "test", t), attribute, default)


def backstop(t):  # pytest-timeout's: past the test's own (qemu.py's for a boot), or an hour
    own = inner(t, "timeout", None)
    return 2 * own + 300 if own else 3600


@pytest.fixture(params=[pytest.param(job, id="%s: %s" % (job[0].replace(" ", "-"), job[1].name),
                                     marks=pytest.mark.timeout(backstop(job[1]), func_only=True))
                        for job in sorted(JOBS, key=lambda j: inner(j[1], "exclusive", False))])
def job(request):
    """The job, in its turn: every test holds build/test-turn shared, an
    exclusive one (it measures host CPU time, or builds and boots on its own;
    sorted last) holds it alone, so it runs beside nothing on any worker.
    The wait is not timed (func_only: the backstop times the test alone)."""
    group, t, tree = request.param
    request.node.user_properties += [("group", group), ("name", t.name)]
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "test-turn"), "a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX if inner(t, "exclusive", False) else fcntl.LOCK_SH)
        yield t, tree


def test(job):
    ok, detail = job[0].run(job[1])
    if not ok:
        again = getattr(detail, "reproduce", None)
        pytest.fail(detail + ("\nreproduce: " + again if again else ""), pytrace=False)
