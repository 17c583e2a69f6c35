"""kit_tests.py - tests of the instructor's kit (book/10-instructors.md).

`make test` runs them after everything else (each builds a tree of its own
and boots lab 0, the quickest lab):
  - tools/grade-submission.py gives the untouched skeleton 0 points, the
    solutions full points (plus a hidden test, hidden until published) and
    a submission with one known mistake exactly the points of the tests
    that catch it; files outside the lab sources are never read; an archive
    whose members leave it, or link to the grading machine's files, is
    refused or neutralised;
  - `make student-release` makes a tree without solutions/ in which
    `make grade LAB=0` builds and grades the skeleton, and the targets that
    need solutions/ say so.
Each run(tree) returns (passed, detail), like tools/harness.py's tests.
"""
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "kit-test")

HIDDEN_TESTS = '''
from harness import Unit
LABS = {0: [Unit("hidden: the MADT walk, again", "madt", points=5)]}
'''

# A mistake a student makes (tests/lab_mutants.py, "bzimage-no-hdrs"): no
# check of the "HdrS" magic. Only the bzImage unit suite catches it.
BROKEN_FILE = "00-boot/bzimage.c"
BROKEN_OLD, BROKEN_NEW = "if (h->header != SETUP_HDRS_MAGIC)", "if (0)"


def bzimage_cases():
    """How many test cases the "bzimage" suite has (tests/unit/test_bzimage.c)."""
    with open(os.path.join(ROOT, "tests", "unit", "test_bzimage.c")) as f:
        return f.read().count("tcase_add_test(")


def run(cmd, cwd=ROOT):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def grade_submission(submission, results, *extra):
    return run([sys.executable, os.path.join(ROOT, "tools", "grade-submission.py"), submission,
                "--lab", "0", "--results", results] + list(extra))


def load(results):
    try:
        with open(results) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": str(e)}


class KitTest:
    exclusive = True  # builds its own tree and boots 2 QEMUs: run alone, at the end

    def __init__(self, name, check):
        self.name, self.check, self.points = name, check, 0

    def run(self, tree):
        try:
            problem = self.check()
        except Exception as e:
            problem = "%s: %s" % (type(e).__name__, e)
        return problem is None, problem or ""


def skeleton_scores_zero():
    """The committed labs/ as a .tar.gz: nothing but skeletons."""
    d = fresh("skeleton")
    archive = os.path.join(d, "labs.tar.gz")
    code, out = run(["sh", "-c", "git archive --format=tar.gz -o '%s' HEAD labs" % archive])
    if code:
        return "git archive failed: " + out[-300:]
    results = os.path.join(d, "results.json")
    code, out = grade_submission(archive, results)
    r = load(results)
    if code == 0 or r.get("score") != 0 or r.get("max_score", 0) < 100:
        return "skeleton: exit %d, score %s of %s (expected 0): %s" % (
            code, r.get("score"), r.get("max_score"), out[-400:])
    # A failed boot says where it stopped (not a lab_fallback notice), how to
    # boot it again, and shows the log's last lines on the terminal.
    for want in ("FAIL: exit 1, expected 0 (the guest reported failure); it stopped at: "
                 "lab 0: mb2_walk() is not implemented yet (shim stops here",
                 "reproduce: make qemu SMP=1 NODES=1 MEM=256 SIDECAR=0 TIMEOUT=60 RUN=status",
                 "its last ", "qemu: the guest reported failure"):
        if want not in out:
            return "skeleton: the grader's output lacks %r: %s" % (want, out[-1500:])
    boot = next((t for t in r.get("tests", []) if t["name"] == "lab 0: boot: 1 CPU"), {})
    if "reproduce: make qemu" not in boot.get("output", ""):
        return "skeleton: results.json's failed boot has no reproduce command: %s" % boot
    return None


def solutions_score_full():
    """solutions/ handed in as a labs/ directory, with a tampered test file
    beside it (never read) and a stray file in labs/ (reported, ignored);
    plus one hidden test."""
    d = fresh("solutions")
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(d, "tree", "labs"))
    os.makedirs(os.path.join(d, "tree", "tests"))
    with open(os.path.join(d, "tree", "tests", "lab_tests.py"), "w") as f:
        f.write("LABS = {0: []}  # a student's attempt to grade nothing\n")
    with open(os.path.join(d, "tree", "labs", "00-boot", "notes.txt"), "w") as f:
        f.write("not a lab file\n")
    hidden = os.path.join(d, "hidden_tests.py")
    with open(hidden, "w") as f:
        f.write(HIDDEN_TESTS)
    results = os.path.join(d, "results.json")
    code, out = grade_submission(os.path.join(d, "tree"), results, "--extra-tests", hidden)
    r = load(results)
    if code != 0 or r.get("score") != 105 or r.get("max_score") != 105:
        return "solutions: exit %d, score %s of %s (expected 105 of 105): %s" % (
            code, r.get("score"), r.get("max_score"), out[-600:])
    hidden_entries = [t for t in r["tests"] if t["name"].startswith("lab 0: hidden:")]
    if len(hidden_entries) != 1 or hidden_entries[0]["visibility"] != "after_published":
        return "the hidden test is not in results.json as after_published: %s" % hidden_entries
    if "ignored (not a lab file): labs/00-boot/notes.txt" not in out:
        return "the stray file was not reported: " + out[-400:]
    return None


def broken_loses_its_test():
    """The solutions with one mistake, as a .zip of the whole tree."""
    d = fresh("broken")
    labs = os.path.join(d, "tree", "labs")
    shutil.copytree(os.path.join(ROOT, "solutions"), labs)
    path = os.path.join(labs, BROKEN_FILE)
    with open(path) as f:
        text = f.read()
    if text.count(BROKEN_OLD) != 1:
        return "the mistake no longer applies to solutions/%s: update kit_tests.py" % BROKEN_FILE
    with open(path, "w") as f:
        f.write(text.replace(BROKEN_OLD, BROKEN_NEW))
    archive = os.path.join(d, "submission.zip")
    with zipfile.ZipFile(archive, "w") as z:
        for base, _, files in os.walk(os.path.join(d, "tree")):
            for name in files:
                full = os.path.join(base, name)
                z.write(full, os.path.join("student", os.path.relpath(full, os.path.join(d, "tree"))))
    results = os.path.join(d, "results.json")
    code, out = grade_submission(archive, results)
    r = load(results)
    failed = [t["name"] for t in r.get("tests", []) if t["status"] != "passed"]
    # The bzImage suite's points are split across its cases: only the case
    # the mistake breaks (no "HdrS" is accepted) loses its share, and the
    # grader names it.
    cases = bzimage_cases()
    want = round(100 - 15 + 15 * (cases - 1) / cases, 2)
    if code == 0 or failed != ["lab 0: bzImage header checks"] or r.get("score") != want:
        return "broken: exit %d, score %s, failed %s (expected %g: one of the bzImage test's " \
            "%d cases): %s" % (code, r.get("score"), failed, want, cases, out[-400:])
    if ":F:refused:rejects_missing_hdrs:" not in out:
        return "broken: the grader does not name the failed case rejects_missing_hdrs: %s" % (
            out[-600:])
    return None


def hostile_archive(path, members):
    """A .tar or .zip of (name, kind, data or link target) members."""
    if path.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as z:
            for name, kind, data in members:
                info = zipfile.ZipInfo(name)
                info.create_system = 3  # Unix: external_attr holds st_mode
                info.external_attr = (0o120777 if kind == "symlink" else 0o100644) << 16
                z.writestr(info, data)
        return path
    kinds = {"file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
             "fifo": tarfile.FIFOTYPE, "device": tarfile.CHRTYPE}
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.mode = kinds[kind], 0o644
            if kind == "file":
                info.size = len(data.encode())
            else:
                info.linkname, info.devmajor, info.devminor = data, 1, 3  # 1,3: /dev/null
            t.addfile(info, io.BytesIO(data.encode()) if kind == "file" else None)
    return path


def hostile_archives_refused():
    """Archives whose members try to leave the directory they unpack to, or
    to read the grading machine's files: bsdtar refuses them (the grader
    stops and says why) or they are neutralised (symlinks, FIFOs and devices
    removed, a leading '/' dropped). Calls the grader's unpack() itself, and
    runs the grader once on a file that is no archive."""
    d = fresh("hostile")
    secret = os.path.join(d, "secret.c")  # a file of the grading machine's
    with open(secret, "w") as f:
        f.write("SECRET\n")
    spec = importlib.util.spec_from_file_location(
        "grade_submission", os.path.join(ROOT, "tools", "grade-submission.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    refused = [("dotdot.tar", [("../escaped.c", "file", "x")], "Path contains '..'"),
               ("dotdot.zip", [("labs/../../escaped.c", "file", "x")], "Path contains '..'"),
               ("hardlink.tar", [("labs/00-boot/acpi.c", "hardlink", secret)], "Hard-link target"),
               ("hardlink-dotdot.tar", [("labs/00-boot/acpi.c", "hardlink", "../secret.c")],
                "Path contains '..'"),
               ("through.tar", [("labs/00-boot", "symlink", d), ("labs/00-boot/escaped.c", "file",
                                                                  "x")],
                "Cannot extract through symlink")]
    for name, members, reason in refused:
        out = fresh("hostile/" + name + ".out")
        try:
            tool.unpack(hostile_archive(os.path.join(d, name), members), out)
            return "%s was unpacked; bsdtar should have refused it (%s)" % (name, reason)
        except SystemExit as e:
            if reason not in str(e) or "cannot unpack" not in str(e):
                return "%s: refused without saying %r: %s" % (name, reason, e)
        if os.path.exists(os.path.join(d, "escaped.c")):
            return "%s wrote escaped.c outside the directory it unpacks to" % name
    absolute = os.path.join(d, "absolute.c")
    for name, members, want in (
            ("links.tar", [(absolute, "file", "x"), ("labs/00-boot/bzimage.c", "symlink", secret),
                           ("labs/00-boot/acpi.c", "symlink", "../../../secret.c"),
                           ("labs/00-boot/madt.c", "fifo", "")], 3),
            ("links.zip", [("labs/00-boot/bzimage.c", "symlink", secret)], 1),
            ("device.tar", [("labs/00-boot/bzimage.c", "device", "")], 1)):
        out = fresh("hostile/" + name + ".out")
        try:
            skipped = tool.unpack(hostile_archive(os.path.join(d, name), members), out)
        except SystemExit as e:  # not root: bsdtar cannot make the device, and says so
            if name != "device.tar" or os.geteuid() == 0:
                return "%s was refused, not neutralised: %s" % (name, e)
            skipped = want
        left = [os.path.join(b, n) for b, dirs, files in os.walk(out) for n in dirs + files]
        links = [p for p in left if not (os.path.isdir(p) or os.path.isfile(p))
                 or os.path.islink(p)]
        if skipped != want or links:
            return "%s: %d members skipped (expected %d), left: %s" % (name, skipped, want, links)
        if any(os.path.isfile(p) and "SECRET" in open(p).read() for p in left):
            return "%s: a file unpacked from it reads the grading machine's secret.c" % name
    if os.path.exists(absolute) or not os.path.isfile(os.path.join(d, "links.tar.out") + absolute):
        return "links.tar's absolute member %s was not unpacked below the directory" % absolute
    garbage = os.path.join(d, "notes.tar.gz")
    with open(garbage, "w") as f:
        f.write("not an archive\n")
    code, out = grade_submission(garbage, os.path.join(d, "results.json"))
    if code == 0 or "cannot unpack %s" % garbage not in out or "Unrecognized archive" not in out:
        return "a file that is no archive: exit %d, %s" % (code, out[-400:])
    return None


def release_grades_without_solutions():
    d = fresh("release")
    archive = os.path.join(d, "student.tar.gz")
    code, out = run(["sh", "tools/student-release.sh", archive])
    if code:
        return "student-release failed: " + out[-400:]
    with tarfile.open(archive) as t:
        names = t.getnames()
        t.extractall(d)
    leaked = [n for n in names if n.startswith(("sidecar-os/solutions", "sidecar-os/tests/lab_mutants"))]
    if leaked:
        return "the release holds instructor files: %s" % leaked[:3]
    tree = os.path.join(d, "sidecar-os")
    code, out = run(["make", "--no-print-directory", "grade", "LAB=0"], cwd=tree)
    r = load(os.path.join(tree, "build", "grade", "results.json"))
    bad = [l for l in out.splitlines() if "No such file" in l or "No rule to make" in l]
    if code == 0 or bad or r.get("score") != 0 or len(r.get("tests", [])) < 5:
        return "make grade LAB=0 in the release: exit %d, score %s, %s" % (
            code, r.get("score"), "; ".join(bad) or out[-400:])
    code, out = run(["make", "--no-print-directory", "run"], cwd=tree)
    if code == 0 or "not in the student release" not in out:
        return "make run in the release does not say it needs solutions/: " + out[-300:]
    return None


KIT = [
    KitTest("grade-submission: the untouched skeleton scores 0", skeleton_scores_zero),
    KitTest("grade-submission: the solutions score full points, hidden test included",
            solutions_score_full),
    KitTest("grade-submission: a known mistake loses exactly the test that catches it",
            broken_loses_its_test),
    KitTest("grade-submission: a hostile archive is refused or neutralised",
            hostile_archives_refused),
    KitTest("student-release: make grade LAB=0 works without solutions/",
            release_grades_without_solutions),
]
