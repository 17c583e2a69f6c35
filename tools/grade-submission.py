#!/usr/bin/env python3
"""grade-submission.py - grade a student's lab files in a pristine tree:
`make grade-submission SUBMISSION=path`.

A student hands in their labs/ directory, or a whole tree, as a directory or
an archive (.tar, .tar.gz, .tgz, .zip). This tool

  1. makes a pristine tree in a temporary directory: `git archive HEAD` of
     this repository (or, outside git, a copy of it without build/), so the
     Makefile, tests, tools and framework are the instructor's, as committed;
  2. copies into it ONLY the student files: the lab sources (.c, .h, .asm)
     that solutions/NN-name/ has (without solutions/, the ones labs/ has),
     taken from the submission's labs/NN-name/. Handouts are ignored; any
     other file is reported as ignored; a missing file stays the skeleton;
  3. builds that tree and runs tools/grade.py there, with any hidden tests
     (--extra-tests, written like tests/lab_tests.py);
  4. prints the table, writes Gradescope's results.json (--results) and
     copies the serial logs beside it.

A student cannot change a test, the grader or the framework this way: none
of their files but the lab sources is ever read. (Their C code does run on
the grading machine in the host unit tests of labs 0, 4 and 5: grade
submissions in a throwaway container or VM, as Gradescope does.)
Exits 0 only with full points.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from grade import collect, failed_build_json, write_json  # noqa: E402

LAB_DIR = re.compile(r"^(\d\d)-[\w.-]+$")
LAB_SOURCE = (".c", ".h", ".asm")  # what tools/mklab.c treats as lab sources


def fail(msg):
    sys.exit("grade-submission: " + msg)


# --- the submission -----------------------------------------------------------

def unpack(path, into):
    """The archive into `into`, by bsdtar (libarchive-tools). bsdtar drops a
    leading '/' and refuses a member named with '..', a hard link to anything
    but an earlier member, and writing through a symlink; then this tool
    stops, with bsdtar's reasons, as it does for an archive bsdtar cannot
    read. The symlinks, devices and FIFOs bsdtar did make are removed (and
    counted): a lab file must be bytes from the archive, never a way to read
    the grading machine's files."""
    try:
        r = subprocess.run(["bsdtar", "-x", "-f", path, "-C", into, "--no-same-owner",
                            "--no-same-permissions"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        fail("bsdtar is not installed (Debian package libarchive-tools; `make deps`)")
    if r.returncode != 0:
        why = [re.sub(r": (Unknown error -1|Success)$", "", line) for line in r.stdout.splitlines()
               if not re.search(r"Error exit delayed|Removing leading", line)]
        fail("cannot unpack %s (a .tar, .tar.gz, .tgz or .zip, with no member that leaves it):"
             "\n  %s" % (path, "\n  ".join(why[:10])))
    skipped = 0
    for d, subdirs, files in os.walk(into):
        for name in subdirs + files:
            p = os.path.join(d, name)
            mode = os.lstat(p).st_mode
            if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
                os.chmod(p, 0o755 if stat.S_ISDIR(mode) else 0o644)  # readable, whatever it said
            else:
                os.remove(p)
                skipped += 1
        subdirs[:] = [s for s in subdirs if os.path.isdir(os.path.join(d, s))]
    return skipped


def find_labs_root(top, lab_dirs):
    """The shallowest directory under top that holds one of the lab folders
    (top itself when the student handed in the contents of labs/)."""
    best = None
    for d, subdirs, _ in os.walk(top):
        subdirs[:] = sorted(s for s in subdirs if s not in (".git", "build"))
        if any(s in lab_dirs for s in subdirs):
            depth = os.path.relpath(d, top).count(os.sep)
            if best is None or depth < best[0]:
                best = (depth, d)
    return best[1] if best else None


# --- the pristine tree ----------------------------------------------------------

def pristine_tree(into, ref):
    """The committed tree at ref (git archive), or a copy of ROOT without build/."""
    try:
        inside_git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--show-toplevel"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        is_checkout = inside_git.returncode == 0 and os.path.samefile(inside_git.stdout.strip(),
                                                                      ROOT)
    except FileNotFoundError:  # no git at all (a Gradescope image, say)
        is_checkout = False
    if is_checkout:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", ref],
                                stdout=subprocess.PIPE, text=True)
        if commit.returncode != 0:
            fail("no commit %s in %s" % (ref, ROOT))
        archive = subprocess.Popen(["git", "-C", ROOT, "archive", ref], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", into], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            fail("git archive %s failed" % ref)
        return "commit %s of %s" % (commit.stdout.strip(), ROOT)
    shutil.copytree(ROOT, into, dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if d == ROOT and n in ("build", ".git")])
    return "a copy of %s (not a git checkout)" % ROOT


def student_files(tree):
    """labs/NN-name/file paths a student writes, from the pristine tree."""
    source = "solutions" if os.path.isdir(os.path.join(tree, "solutions")) else "labs"
    files = []
    for d in sorted(os.listdir(os.path.join(tree, source))):
        if not LAB_DIR.match(d):
            continue
        for f in sorted(os.listdir(os.path.join(tree, source, d))):
            if f.endswith(LAB_SOURCE):
                files.append("labs/%s/%s" % (d, f))
    return files


def copy_student_files(labs_root, tree, wanted):
    """Copy what the student wrote over the skeleton; say what was done."""
    report = {"copied": [], "unchanged": [], "missing": [], "ignored": []}
    wanted_set = set(wanted)
    handouts = set()
    for d in os.listdir(os.path.join(tree, "labs")):
        for f in os.listdir(os.path.join(tree, "labs", d)):
            if not f.endswith(LAB_SOURCE):
                handouts.add("labs/%s/%s" % (d, f))
    for rel in wanted:
        src = os.path.join(labs_root, os.path.relpath(rel, "labs"))
        dst = os.path.join(tree, rel)
        if not os.path.isfile(src):
            report["missing"].append(rel)
            continue
        with open(src, "rb") as f:
            data = f.read()
        with open(dst, "rb") as f:
            same = f.read() == data
        with open(dst, "wb") as f:
            f.write(data)
        report["unchanged" if same else "copied"].append(rel)
    for d, subdirs, names in os.walk(labs_root):
        subdirs[:] = [s for s in subdirs if s not in (".git", "build")]
        for n in names:
            rel = os.path.join("labs", os.path.relpath(os.path.join(d, n), labs_root))
            if rel not in wanted_set and rel not in handouts:
                report["ignored"].append(rel)
    return report


def describe(report, origin, skipped):
    lines = ["graded against %s" % origin,
             "student files: %d changed from the skeleton, %d untouched, %d missing "
             "(the skeleton was used)" % (len(report["copied"]), len(report["unchanged"]),
                                          len(report["missing"]))]
    lines += ["  changed: %s" % f for f in report["copied"]]
    lines += ["  missing: %s" % f for f in report["missing"]]
    lines += ["  ignored (not a lab file): %s" % f for f in report["ignored"]]
    if report.get("outside"):
        lines.append("  %d file%s outside labs/ not read (the Makefile, tests and tools "
                     "are the pristine tree's)" % (report["outside"],
                                                   "" if report["outside"] == 1 else "s"))
    if skipped:
        lines.append("  %d archive members skipped (symlinks, devices or FIFOs)" % skipped)
    return "\n".join(lines)


# --- building and grading -----------------------------------------------------------

def make(tree, *targets):
    r = subprocess.run(["make", "--no-print-directory", "-C", tree, "-j2"] + list(targets),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout


def build_error(output):
    """The compiler's first complaints, not make's whole log."""
    lines = output.splitlines()
    errors = [i for i, l in enumerate(lines) if re.search(r"error|Error|undefined reference", l)]
    if not errors:
        return "\n".join(lines[-20:])
    return "\n".join(lines[max(0, errors[0] - 3):errors[0] + 15])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("submission", help="labs/ directory, whole tree, or .tar/.tar.gz/.zip of either")
    p.add_argument("--lab", type=int, action="append", help="grade this lab only (repeatable)")
    p.add_argument("--extra-tests", action="append", default=[],
                   help="hidden tests, a file written like tests/lab_tests.py")
    p.add_argument("--results", default=os.path.join(ROOT, "build", "grade", "submission",
                                                     "results.json"))
    p.add_argument("--ref", default="HEAD", help="the commit to grade against (git only)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", action="store_true", help="keep the temporary tree (path printed)")
    a = p.parse_args()
    if not os.path.exists(a.submission):
        fail("%s does not exist" % a.submission)
    extra = [os.path.abspath(f) for f in a.extra_tests]
    for f in extra:
        if not os.path.isfile(f):
            fail("extra tests file %s does not exist" % f)
    results_path = os.path.abspath(a.results)

    work = tempfile.mkdtemp(prefix="sidecar-grade-")
    try:
        tree = os.path.join(work, "tree")
        os.makedirs(tree)
        origin = pristine_tree(tree, a.ref)
        wanted = student_files(tree)
        lab_dirs = {rel.split("/")[1] for rel in wanted}

        skipped = 0
        if os.path.isdir(a.submission):
            unpacked = os.path.abspath(a.submission)
        else:
            unpacked = os.path.join(work, "submission")
            os.makedirs(unpacked)
            skipped = unpack(a.submission, unpacked)
        labs_root = find_labs_root(unpacked, lab_dirs)
        if labs_root is None:
            fail("%s has no lab folder (%s ...): hand in labs/ or the whole tree" % (
                a.submission, ", ".join(sorted(lab_dirs)[:2])))
        report = copy_student_files(labs_root, tree, wanted)
        report["outside"] = sum(len(files) for d, _, files in os.walk(unpacked)
                                if os.path.relpath(d, labs_root).startswith(".."))
        summary = describe(report, origin, skipped)
        print(summary, flush=True)

        # lab 7 boots Debian's kernel, the x2APIC tests QEMU 10: share the
        # instructor's downloads (build/linux, build/qemu10).
        for download in ("linux", "qemu10"):
            path = os.path.join(ROOT, "build", download)
            if os.path.isdir(path):
                os.makedirs(os.path.join(tree, "build"), exist_ok=True)
                os.symlink(path, os.path.join(tree, "build", download))

        sys.path.insert(0, os.path.join(tree, "tests"))
        labs = a.lab or None
        print("grade-submission: building", flush=True)
        ok, out = make(tree, "tools", "images", "unit-build")
        if ok and (labs is None or 7 in labs):
            ok7, out7 = make(tree, "linux")
            if not ok7:
                out, ok = out7, False
        if not ok:
            why = build_error(out)
            print("grade-submission: the submission does not build:\n" + why)
            from lab_tests import LABS
            graded = collect(labs or sorted(LABS), extra)
            data = failed_build_json(graded, why)
            data["output"] = summary + "\n\n" + data["output"]
            write_json(results_path, data)
            print("grade-submission: 0/%d; results.json written to %s" % (data["max_score"],
                                                                           results_path))
            return 1

        cmd = [sys.executable, os.path.join(tree, "tools", "grade.py"), "--tree", "student",
               "--jobs", str(a.jobs), "--results", results_path]
        for lab in labs or []:
            cmd += ["--lab", str(lab)]
        for f in extra:
            cmd += ["--extra-tests", f]
        status = subprocess.call(cmd, cwd=tree)
        try:
            with open(results_path) as f:
                data = json.load(f)
        except (OSError, ValueError):
            fail("the grader wrote no results.json (exit %d)" % status)
        data["output"] = summary + "\n\n" + data.get("output", "")
        write_json(results_path, data)
        logs = os.path.join(os.path.dirname(results_path), "logs")
        shutil.rmtree(logs, ignore_errors=True)
        if os.path.isdir(os.path.join(tree, "build", "test-logs")):
            shutil.copytree(os.path.join(tree, "build", "test-logs"), logs)
        print("grade-submission: serial logs in %s" % logs)
        return status
    finally:
        if a.keep:
            print("grade-submission: the tree is kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
