#!/usr/bin/env python3
"""mutants.py - which tests catch which mistake: `make mutants`.

For every deliberately broken solution in tests/lab_mutants.py: copy
solutions/ to build/mutant-<name>/labs, apply the mutant's edit, build
that tree, run the graded tests of the mutant's labs against it, and
record which tests fail. A mutant that no test catches is a finding: a
mistake a student can hand in for full points. Exits 1 when a verdict
differs from the `expect` tests/lab_mutants.py records (a test that
stopped catching a mistake, or a new one that catches it). The table printed at the
end (and build/mutants/report.json, rewritten after every mutant so an
interrupted run keeps what it measured) is what book/10-instructors.md's
"common mistakes" section is written from.

usage: mutants.py [--lab N]... [--only NAME]... [--resume] [--keep]
       mutants.py --update-guide | --check-guide
  --resume        skip mutants already in build/mutants/report.json (but not --only ones)
  --keep          keep each mutant's build tree (build/mutant-<name>/)
  --update-guide  rewrite book/10-instructors.md's tables and counts from the
                  report of a full run (every mutant in it)
  --check-guide   check, without a run, that those tables list exactly the
                  mutants of tests/lab_mutants.py (make test runs it)
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)
from grade import collect, run_all  # noqa: E402
from lab_mutants import MUTANTS, NOTES  # noqa: E402

REPORT = os.path.join(ROOT, "build", "mutants", "report.json")
GUIDE = os.path.join(ROOT, "book", "10-instructors.md")
GUIDE_BLOCK = re.compile(r"^<!-- mutants (\w+): made by tools/mutants\.py --update-guide -->\n"
                         r".*?^<!-- end mutants -->$", re.M | re.S)


def mutant_tree(m):
    """build/mutant-<name>/labs: solutions/ with the mutant's edit. Returns
    (tree name, labs path relative to ROOT) or raises ValueError."""
    tree = "mutant-" + m.name
    labs = os.path.join("build", tree, "labs")
    shutil.rmtree(os.path.join(ROOT, "build", tree), ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(ROOT, labs))
    target = os.path.join(ROOT, labs, os.path.relpath(m.path, "solutions"))
    with open(target) as f:
        text = f.read()
    n = text.count(m.old)
    if n != 1:
        raise ValueError("%s: the text to replace occurs %d times in %s (expected once): "
                         "update tests/lab_mutants.py" % (m.name, n, m.path))
    with open(target, "w") as f:
        f.write(text.replace(m.old, m.new))
    return tree, labs


def build(tree, labs, linux):
    cmd = ["make", "--no-print-directory", "-C", ROOT, "-j2", "TREE=" + tree, "LABSRC=" + labs,
           "images", "unit-build"] + (["linux"] if linux else [])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout[-1500:]


def run_mutant(m):
    start = time.monotonic()
    entry = {"name": m.name, "lab": m.lab, "file": m.path, "why": m.why, "expect": m.expect,
             "labs": list(m.labs), "tests": []}
    try:
        tree, labs = mutant_tree(m)
    except ValueError as e:
        entry.update(verdict="does not apply", detail=str(e))
        return entry
    ok, out = build(tree, labs, 7 in m.labs)
    if not ok:
        entry.update(verdict="caught", caught_by=["the build"], detail=out)
    else:
        graded = collect(m.labs)
        results = run_all(graded, tree)
        for g, (passed, detail, seconds) in zip(graded, results):
            entry["tests"].append({"lab": g.lab, "name": g.name, "passed": passed,
                                   "detail": detail, "seconds": round(seconds)})
        caught = ["lab %d: %s" % (t["lab"], t["name"]) for t in entry["tests"] if not t["passed"]]
        entry.update(verdict="caught" if caught else "NOT CAUGHT", caught_by=caught)
    entry["seconds"] = round(time.monotonic() - start)
    return entry


def load_report():
    try:
        with open(REPORT) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save_report(entries):
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT + ".tmp", "w") as f:
        json.dump(entries, f, indent=2)
    os.replace(REPORT + ".tmp", REPORT)


def print_summary(entries):
    """The table, and the mutants whose verdict is not what tests/lab_mutants.py expects."""
    expected = {m.name: m.expect for m in MUTANTS}
    changed = []
    print("\n%-4s %-26s %-12s %s" % ("lab", "mutant", "verdict", "caught by"))
    for e in sorted(entries, key=lambda e: (e["lab"], e["name"])):
        by = "; ".join(e.get("caught_by", [])) or e.get("detail", "")[:80]
        expect = expected.get(e["name"], "caught")
        note = ""
        if (e["verdict"] == "caught") != (expect == "caught"):
            note = "  (CHANGED: expected %s)" % expect
            changed.append(e["name"])
        print("%-4d %-26s %-12s %s%s" % (e["lab"], e["name"], e["verdict"], by, note))
    print("\n" + score_line(entries))
    if changed:
        print("mutants: %d verdicts differ from tests/lab_mutants.py's expect: %s" % (
            len(changed), ", ".join(changed)))
    return changed


def score_line(entries):
    """The caught fraction: of the mutants that change what this machine
    does (an equivalent one, tests/lab_mutants.py says why, cannot be seen
    by any test here: run, listed, not scored)."""
    equivalent = {m.name for m in MUTANTS if m.equivalent}
    scored = [e for e in entries if e["name"] not in equivalent]
    caught = [e for e in scored if e["verdict"] == "caught"]
    missed = [e["name"] for e in scored if e["verdict"] != "caught"]
    same = sorted(e["name"] for e in entries if e["name"] in equivalent)
    return ("%d mutants: %d of the %d that change what the machine does caught (%d %%)%s; "
            "%d equivalent here, not scored%s" % (
                len(entries), len(caught), len(scored),
                round(100 * len(caught) / max(len(scored), 1)),
                ", missed: " + ", ".join(missed) if missed else "", len(same),
                " (" + ", ".join(same) + ")" if same else ""))


def guide_cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def guide_note(m):
    """The third column: why no test sees an equivalent mutant, then NOTES."""
    note = NOTES.get(m.name, "")
    if m.equivalent:
        note = "**equivalent here**: " + m.equivalent + ("; " + note if note else "")
    return guide_cell(note)


def guide_blocks(entries):
    """The guide's generated blocks: "summary", and one table per lab."""
    by_name = {e["name"]: e for e in entries}
    equivalent = {m.name for m in MUTANTS if m.equivalent}
    scored = [e for e in entries if e["name"] not in equivalent]
    caught = sum(1 for e in scored if e["verdict"] == "caught")
    blocks = {"summary": "`tests/lab_mutants.py` lists %d deliberately broken solutions. %d of "
                         "them are equivalent on this machine: the mistake changes nothing "
                         "QEMU's x86 does (an ordering x86 gives anyway, a state INIT already "
                         "leaves), so no test can see it; they are run, listed and not "
                         "scored. Of the other %d, the last full run of `make mutants` caught "
                         "%d (%d %%) and missed %d." % (
                             len(entries), len(entries) - len(scored), len(scored), caught,
                             round(100 * caught / max(len(scored), 1)), len(scored) - caught)}
    for lab in sorted({m.lab for m in MUTANTS}):
        rows = ["| mistake | caught by (the last `make mutants`) | how it shows, or why no "
                "test sees it |", "| --- | --- | --- |"]
        for m in (m for m in MUTANTS if m.lab == lab):
            e = by_name[m.name]
            tests = ["the build"] if e.get("caught_by") == ["the build"] else \
                ["%s%s" % ("lab %d: " % t["lab"] if t["lab"] != lab else "", t["name"])
                 for t in e["tests"] if not t["passed"]]
            rows.append("| %s | %s | %s |" % (guide_cell(m.why), guide_cell(
                "; ".join("\"%s\"" % t if t != "the build" else t for t in tests)
                if tests else "**not caught**"), guide_note(m)))
        blocks[str(lab)] = "\n".join(rows)
    return blocks


def update_guide():
    entries = load_report()
    missing = sorted({m.name for m in MUTANTS} - {e["name"] for e in entries})
    if missing:
        sys.exit("mutants: --update-guide needs a full run; the report lacks %d mutants: %s"
                 % (len(missing), ", ".join(missing)))
    blocks = guide_blocks([e for e in entries if e["name"] in {m.name for m in MUTANTS}])
    with open(GUIDE) as f:
        text = f.read()
    seen = set()

    def fill(match):
        seen.add(match.group(1))
        return ("<!-- mutants %s: made by tools/mutants.py --update-guide -->\n%s\n"
                "<!-- end mutants -->" % (match.group(1), blocks[match.group(1)]))
    text = GUIDE_BLOCK.sub(fill, text)
    if seen != set(blocks):
        sys.exit("mutants: %s lacks the blocks for %s" % (
            os.path.relpath(GUIDE, ROOT), ", ".join(sorted(set(blocks) - seen))))
    with open(GUIDE, "w") as f:
        f.write(text)
    print("mutants: wrote %d tables and the counts into %s" % (len(blocks) - 1,
                                                              os.path.relpath(GUIDE, ROOT)))
    return 0


def check_guide():
    """Without a run: the guide's tables list exactly tests/lab_mutants.py's
    mutants, with their notes, and its count is theirs (a mutant added, removed
    or reworded since the last --update-guide fails this)."""
    with open(GUIDE) as f:
        text = f.read()
    found = {m.group(1): m.group(0) for m in GUIDE_BLOCK.finditer(text)}
    problems = []
    for lab in sorted({m.lab for m in MUTANTS}):
        rows = [r for r in found.get(str(lab), "").split("\n")[3:-1]]
        want = ["| %s | " % guide_cell(m.why) for m in MUTANTS if m.lab == lab]
        ends = [" | %s |" % guide_note(m) for m in MUTANTS if m.lab == lab]
        if len(rows) != len(want) or not all(r.startswith(w) and r.endswith(e)
                                             for r, w, e in zip(rows, want, ends)):
            problems.append("lab %d's table is not tests/lab_mutants.py's %d mutants" %
                            (lab, len(want)))
    if "lists %d deliberately broken solutions" % len(MUTANTS) not in found.get("summary", ""):
        problems.append("the count is not tests/lab_mutants.py's %d mutants" % len(MUTANTS))
    for problem in problems:
        print("mutants: %s: %s" % (os.path.relpath(GUIDE, ROOT), problem))
    if problems:
        print("mutants: run make mutants, then tools/mutants.py --update-guide")
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lab", type=int, action="append")
    p.add_argument("--only", action="append")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--update-guide", action="store_true")
    p.add_argument("--check-guide", action="store_true")
    a = p.parse_args()
    if a.update_guide:
        return update_guide()
    if a.check_guide:
        return check_guide()
    if not os.path.isdir(os.path.join(ROOT, "solutions")):
        sys.exit("mutants: not in the student release: this needs solutions/")
    chosen = [m for m in MUTANTS if (not a.lab or m.lab in a.lab) and
              (not a.only or m.name in a.only)]
    if not chosen:
        sys.exit("mutants: no mutant matches (see tests/lab_mutants.py)")
    entries = load_report() if a.resume else []
    done = {e["name"] for e in entries}
    for m in chosen:
        if m.name in done and not a.only:
            continue
        print("mutants: lab %d %s ..." % (m.lab, m.name), flush=True)
        e = run_mutant(m)
        print("mutants: lab %d %s: %s %s (%s s)" % (m.lab, m.name, e["verdict"],
                                                  "; ".join(e.get("caught_by", [])),
                                                  e.get("seconds", 0)), flush=True)
        entries = [x for x in entries if x["name"] != m.name] + [e]
        save_report(entries)
        if not a.keep:
            shutil.rmtree(os.path.join(ROOT, "build", "mutant-" + m.name), ignore_errors=True)
    ran = {m.name for m in chosen}
    return 1 if print_summary([e for e in entries if e["name"] in ran]) else 0


if __name__ == "__main__":
    sys.exit(main())
