#!/usr/bin/env python3
"""grade.py - grade one lab, or every lab, of a tree: `make grade [LAB=N]`.

Runs the lab's tests from tests/lab_tests.py against build/<tree>/ and
prints a table with the points of each test, a subtotal per lab and the
total. With --results it also writes the outcome in the format of
Gradescope's autograder (results.json: score, max_score, and one entry per
test with its name, score, max_score, status, output and visibility), so
the same run serves a student at a terminal, an instructor's spreadsheet
and Gradescope. Exits 0 only with full points.

A test never stops the grading: a guest that hangs is killed at the test's
timeout by tools/qemu.py and scores 0 ("timed out"), so does a guest that
triple-faults or a test whose own code raises; the output says which.

A failure's line says why; below it come a Check suite's failed cases, the
command that reproduces the boot, the log and its last lines. A Check
suite's points are split evenly across its test cases. --test WORDS (make
grade TEST=...) runs only the tests whose names hold every word.

Hidden tests: --extra-tests FILE (any number of times) adds the tests of a
file written like tests/lab_tests.py (a LABS dict of lab -> tests). They
are graded like the others and, in results.json, shown to the student only
when the instructor publishes the grades (visibility "after_published").
"""
import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)  # hidden-tests files import harness, as lab_tests.py does
sys.path.insert(0, os.path.join(ROOT, "tests"))
from harness import log_of  # noqa: E402
from lab_tests import LABS  # noqa: E402

LOG_TAIL_LINES = 15


class Graded:
    """One test of one lab, ready to run: where it came from and how visible."""

    def __init__(self, lab, number, test, visibility="visible"):
        self.lab, self.number, self.test, self.visibility = lab, number, test, visibility
        self.name, self.points = test.name, test.points


def load_extra_tests(path):
    """The LABS dict of a hidden-tests file written like tests/lab_tests.py."""
    if not os.path.isfile(path):
        sys.exit("grade: extra tests file %s does not exist" % path)
    spec = importlib.util.spec_from_file_location("extra_tests_%d" % abs(hash(path)), path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        sys.exit("grade: %s does not load:\n%s" % (path, traceback.format_exc()))
    labs = getattr(module, "LABS", None)
    if not isinstance(labs, dict):
        sys.exit("grade: %s has no LABS dict (lab number -> list of tests)" % path)
    return labs


def collect(labs, extra_files=(), hidden_visibility="after_published"):
    """Graded tests of the given labs, numbered "lab.n" in order."""
    extra = [load_extra_tests(p) for p in extra_files]
    graded = []
    for lab in labs:
        tests = [(t, "visible") for t in LABS.get(lab, [])]
        for e in extra:
            tests += [(t, hidden_visibility) for t in e.get(lab, [])]
        graded += [Graded(lab, "%d.%d" % (lab, i + 1), t, v) for i, (t, v) in enumerate(tests)]
    return graded


def log_tail(detail):
    """The last lines of the serial log a failure's detail names, if any."""
    path = log_of(detail)
    if not path:
        return []
    try:
        with open(os.path.join(ROOT, path), errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    return lines[-LOG_TAIL_LINES:]


def explain(detail):
    """What a failure shows below its line: the reproduce command, the log
    and the log's last lines (lines of text, unindented)."""
    out = detail.splitlines()[1:]  # a suite's failed cases, one a line
    if getattr(detail, "reproduce", None):
        out.append("reproduce: " + detail.reproduce)
    tail = log_tail(detail)
    if tail:
        out.append("log: %s; its last %d lines:" % (log_of(detail), len(tail)))
        out += ["  " + l for l in tail]
    return out


def score(g, ok, detail):
    return g.points if ok else getattr(detail, "score", 0)


def select(graded, words):
    """The tests whose names hold every word (case-insensitive)."""
    words = [w.lower() for w in words.split()]
    return [g for g in graded if all(w in g.name.lower() for w in words)]


def run_one(g, tree):
    """(passed, detail, seconds): never raises, whatever the test does."""
    start = time.monotonic()
    try:
        ok, detail = g.test.run(tree)
    except Exception as e:  # a check that choked on unexpected output, say
        ok, detail = False, "the test itself failed on this tree's output: %s: %s" % (
            type(e).__name__, e)
    return bool(ok), detail or "", time.monotonic() - start


def run_all(graded, tree, jobs=2):
    """Run the tests: `jobs` QEMUs at a time, then the "exclusive" ones
    (host CPU time measurements) alone. Results in the order of graded."""
    results = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        shared = [(i, pool.submit(run_one, g, tree)) for i, g in enumerate(graded)
                  if not getattr(g.test, "exclusive", False)]
        for i, fut in shared:
            results[i] = fut.result()
    for i, g in enumerate(graded):
        if getattr(g.test, "exclusive", False):
            results[i] = run_one(g, tree)
    return [results[i] for i in range(len(graded))]


def print_table(graded, results, out=sys.stdout):
    width = max([len(g.name) for g in graded] + [20]) + 2
    print("%-5s %-*s %10s  %s" % ("lab", width, "test", "points", "result"), file=out)
    got = total = 0
    for lab in sorted(set(g.lab for g in graded)):
        lab_got = lab_total = 0
        for g, (ok, detail, _) in zip(graded, results):
            if g.lab != lab:
                continue
            lab_total += g.points
            lab_got += score(g, ok, detail)
            hidden = " [hidden]" if g.visibility != "visible" else ""
            print("%-5d %-*s %6s/%-3d  %s%s" % (lab, width, g.name + hidden,
                                                 "%g" % score(g, ok, detail), g.points,
                                                "pass" if ok else "FAIL",
                                                "" if ok else ": " + detail.split("\n")[0]),
                  file=out)
            if not ok:
                for line in explain(detail):
                    print("%-5s %s" % ("", line), file=out)
        print("%-5s %-*s %6s/%-3d" % ("", width, "lab %d subtotal" % lab,
                                      "%g" % round(lab_got, 2), lab_total), file=out)
        got, total = got + lab_got, total + lab_total
    got = round(got, 2)
    print("%-5s %-*s %6s/%-3d" % ("total", width, "", "%g" % got, total), file=out)
    return got, total


def results_json(graded, results, elapsed, output=""):
    """Gradescope's results.json (its autograder specification)."""
    tests = []
    for g, (ok, detail, seconds) in zip(graded, results):
        text = "passed" if ok else "\n".join(["FAILED: " + detail.split("\n")[0]] +
                                             explain(detail))
        tests.append({
            "name": "lab %d: %s" % (g.lab, g.name),
            "number": g.number,
            "score": score(g, ok, detail),
            "max_score": g.points,
            "status": "passed" if ok else "failed",
            "output": text + "\n(%.0f s)" % seconds,
            "tags": ["lab %d" % g.lab],
            "visibility": g.visibility,
        })
    return {
        "score": round(sum(t["score"] for t in tests), 2),
        "max_score": sum(t["max_score"] for t in tests),
        "execution_time": round(elapsed),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def failed_build_json(graded, why):
    """Every test 0, each saying the tree did not build (and why)."""
    results = [(False, "the tree did not build: %s" % why, 0.0) for _ in graded]
    return results_json(graded, results, 0, "The submission did not build:\n" + why)


def write_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tree", default="student", help="grade build/<tree>/")
    p.add_argument("--lab", type=int, action="append", help="this lab only (repeatable)")
    p.add_argument("--jobs", type=int, default=2, help="QEMUs at a time")
    p.add_argument("--results", help="write Gradescope's results.json here")
    p.add_argument("--extra-tests", action="append", default=[],
                   help="a hidden-tests file written like tests/lab_tests.py")
    p.add_argument("--hidden-visibility", default="after_published",
                   choices=["hidden", "after_due_date", "after_published", "visible"])
    p.add_argument("--test", default=os.environ.get("SIDECAR_TEST"),
                   help="only the tests whose names hold all these words (any case); "
                        "make grade's TEST= arrives in $SIDECAR_TEST")
    a = p.parse_args()
    labs = a.lab or sorted(LABS)
    unknown = [l for l in labs if l not in LABS]
    if unknown:
        sys.exit("grade: no tests for lab %s (labs with tests: %s)" %
                 (unknown[0], ", ".join(map(str, sorted(LABS)))))
    graded = collect(labs, a.extra_tests, a.hidden_visibility)
    if a.test and a.test.strip():
        chosen = select(graded, a.test)
        if not chosen:
            sys.exit("grade: TEST='%s' matches none of the %d tests of lab %s; their names:\n%s" % (
                a.test, len(graded), ", ".join(map(str, labs)),
                "\n".join("  %d: %s" % (g.lab, g.name) for g in graded)))
        print("grade: TEST='%s' matches %d of the %d tests of lab %s" % (
            a.test, len(chosen), len(graded), ", ".join(map(str, labs))))
        graded = chosen
    start = time.monotonic()
    results = run_all(graded, a.tree, a.jobs)
    got, total = print_table(graded, results)
    if a.results:
        write_json(a.results, results_json(graded, results, time.monotonic() - start,
                                           "%d/%d points, labs %s" % (
                                               got, total, ", ".join(map(str, labs)))))
        print("grade: results.json written to %s" % a.results)
    sys.exit(0 if got == total else 1)


if __name__ == "__main__":
    main()
