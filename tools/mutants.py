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
       mutants.py --delete-lines LAB [--scope lab|all] [--samples N] [--seed S] [--resume]
       mutants.py --delete-lines LAB --rerun build/mutants/lines-<LAB>-<scope>.json
  --resume        skip mutants already in build/mutants/report.json (but not --only
                  ones; with --delete-lines: in its report, which then goes on)
  --keep          keep each mutant's build tree (build/mutant-<name>/)
  --update-guide  rewrite book/10-instructors.md's tables and counts from the
                  report of a full run (every mutant in it)
  --check-guide   check, without a run, that those tables list exactly the
                  mutants of tests/lab_mutants.py (make test runs it)

--delete-lines measures the tests rather than checks a list: each mutant
deletes one random statement line of the lab's solution (C files; --scope
lab: only between BEGIN LAB and END LAB, all: anywhere), chosen with
--seed; a deletion that does not build is skipped and counted, until
--samples mutants have built and faced the lab's graded tests. The caught
and the survivors, each with its line, go to build/mutants/lines-<LAB>-
<scope>.json; --rerun deletes that file's survivors again (found by their
text, in today's solutions/) to see whether new tests catch them.
"""
import argparse
import json
import os
import random
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
from lab_mutants import MUTANTS, NOTES, Mutant  # noqa: E402

REPORT = os.path.join(ROOT, "build", "mutants", "report.json")
GUIDE = os.path.join(ROOT, "book", "10-instructors.md")
GUIDE_BLOCK = re.compile(r"^<!-- mutants (\w+): made by tools/mutants\.py --update-guide -->\n"
                         r".*?^<!-- end mutants -->$", re.M | re.S)


def mutant_tree(m, tree=None):
    """build/mutant-<name>/labs: solutions/ with the mutant's edit. Returns
    (tree name, labs path relative to ROOT) or raises ValueError. With tree,
    that tree is reused, its objects kept: the copy keeps solutions/' times
    but the mutated lab's files are touched, so make rebuilds that lab only
    (the previous mutant's edit included)."""
    labs = os.path.join("build", tree or "mutant-" + m.name, "labs")
    if not tree:
        tree = "mutant-" + m.name
        shutil.rmtree(os.path.join(ROOT, "build", tree), ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(ROOT, labs), dirs_exist_ok=True)
    target = os.path.join(ROOT, labs, os.path.relpath(m.path, "solutions"))
    for name in os.listdir(os.path.dirname(target)):
        os.utime(os.path.join(os.path.dirname(target), name))
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


def run_mutant(m, tree=None):
    start = time.monotonic()
    entry = {"name": m.name, "lab": m.lab, "file": m.path, "why": m.why, "expect": m.expect,
             "labs": list(m.labs), "tests": []}
    try:
        tree, labs = mutant_tree(m, tree)
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


def load_report(path=REPORT):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save_report(entries, path=REPORT, head=None):
    """Write entries (with head: {**head, "mutants": entries}) to path."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(dict(head, mutants=entries) if head else entries, f, indent=2)
    os.replace(path + ".tmp", path)


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


def score(entries):
    """(scored, caught, missed, equivalent): an equivalent mutant (tests/
    lab_mutants.py says why) changes nothing this machine does, so no test
    can see it: run, listed, not scored."""
    equivalent = {m.name for m in MUTANTS if m.equivalent}
    scored = [e for e in entries if e["name"] not in equivalent]
    caught = [e["name"] for e in scored if e["verdict"] == "caught"]
    missed = [e["name"] for e in scored if e["verdict"] != "caught"]
    same = sorted(e["name"] for e in entries if e["name"] in equivalent)
    return scored, caught, missed, same


def percent(part, whole):
    return round(100 * len(part) / max(len(whole), 1))


def score_line(entries):
    """The caught fraction, of the mutants that change what the machine does."""
    scored, caught, missed, same = score(entries)
    return ("%d mutants: %d of the %d that change what the machine does caught (%d %%)%s; "
            "%d equivalent here, not scored%s" % (
                len(entries), len(caught), len(scored), percent(caught, scored),
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
    scored, caught, missed, same = score(entries)
    blocks = {"summary": "`tests/lab_mutants.py` lists %d deliberately broken solutions. %d of "
                         "them are equivalent on this machine: the mistake changes nothing "
                         "QEMU's x86 does (an ordering x86 gives anyway, a state INIT already "
                         "leaves), so no test can see it; they are run, listed and not "
                         "scored. Of the other %d, the last full run of `make mutants` caught "
                         "%d (%d %%) and missed %d." % (
                             len(entries), len(same), len(scored), len(caught),
                             percent(caught, scored), len(missed))}
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


# --- line deletions -------------------------------------------------------------

# A declaration (a deleted one leaves its name undeclared): a type, then a name.
DECLARATION = re.compile(r"^(?!(?:return|goto|else|case|do)\b)(?:(?:static|const|unsigned|"
                         r"struct|enum|union)\s+)*\w+[\s*]+\w+\s*(?:\[[^]]*\])?\s*[=;,[]")


def statement_lines(path, lab, scope):
    """(line number, text) of each line of a C file whose deletion is one
    statement less: inside a function body (its braces at column 0), a
    whole statement (it ends with ';' and the line before ended one, or
    opened a block or a condition), not a declaration; with scope "lab",
    only between BEGIN LAB <lab> and END LAB <lab>."""
    found, in_body, in_region, in_comment, before = [], False, False, False, ""
    with open(os.path.join(ROOT, path)) as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        if "BEGIN LAB %d" % lab in line or "END LAB %d" % lab in line:
            in_region = "BEGIN" in line
        code = line
        if in_comment:
            in_comment = "*/" not in code
            code = code.split("*/", 1)[1] if "*/" in code else ""
        code = re.sub(r"/\*.*?\*/", "", code).split("//", 1)[0]
        if "/*" in code:
            code, in_comment = code.split("/*", 1)[0], True
        code = code.strip()
        if line in ("{", "}"):
            in_body = line == "{"
        elif code and in_body:
            if (code.endswith(";") and not DECLARATION.match(code) and
                    (before[-1:] in (";", "{", "}", ":", ")") or before in ("else", "do")) and
                    (scope == "all" or in_region)):
                found.append((n, line))
            before = code
    return found


def deletion(path, n, lab):
    """The mutant that deletes line n of path: old is the line with as much
    of its context as makes it occur once in the file."""
    with open(os.path.join(ROOT, path)) as f:
        text = f.read()
    lines = text.splitlines(True)
    a = b = n - 1
    while text.count("".join(lines[a:b + 1])) > 1:
        a, b = max(a - 1, 0), min(b + 1, len(lines) - 1)
    old = "".join(lines[a:b + 1])
    new = "".join(lines[a:n - 1] + lines[n:b + 1])
    name = "del-%s-%d" % (os.path.splitext(os.path.basename(path))[0], n)
    return Mutant(name, lab, path, old, new, "deletes %s:%d: %s" % (path, n, lines[n - 1].strip()))


def line_mutants(lab, scope, seed):
    """Every candidate deletion of the lab's C files, shuffled by seed."""
    d = next("solutions/" + x for x in sorted(os.listdir(os.path.join(ROOT, "solutions")))
             if x.startswith("%02d-" % lab))
    paths = [d + "/" + f for f in sorted(os.listdir(os.path.join(ROOT, d)))
             if f.endswith((".c", ".h"))]
    found = [deletion(p, n, lab) for p in paths for n, _ in statement_lines(p, lab, scope)]
    random.Random(seed).shuffle(found)
    return found


def delete_lines(a):
    """--delete-lines: run deletions until a.samples have built (or --rerun's
    survivors), in one reused tree; report the caught and the survivors."""
    head = {"lab": a.delete_lines, "scope": a.scope, "seed": a.seed}
    if a.rerun:
        with open(a.rerun) as f:
            report = json.load(f)
        chosen = [Mutant(e["name"], e["lab"], e["file"], e["old"], e["new"], e["why"])
                  for e in report["mutants"] if e["verdict"] == "NOT CAUGHT"]
        head = dict({k: report[k] for k in head}, rerun=os.path.relpath(a.rerun, ROOT))
        out = a.rerun.replace(".json", "-rerun.json")
    else:
        chosen = line_mutants(a.delete_lines, a.scope, a.seed)
        head["candidates"] = len(chosen)
        out = os.path.join(ROOT, "build", "mutants", "lines-%d-%s.json" % (a.delete_lines, a.scope))
    entries = (load_report(out) or {}).get("mutants", []) if a.resume else []
    done = {e["name"] for e in entries}
    ran = sum(e["verdict"] in ("caught", "NOT CAUGHT") for e in entries)
    for m in chosen:
        if ran == a.samples and not a.rerun:
            break
        if m.name in done:
            continue
        e = run_mutant(m, "mutant-lines")
        e.update(old=m.old, new=m.new)
        if e.get("caught_by") == ["the build"]:
            e["verdict"] = "does not build"
        ran += e["verdict"] in ("caught", "NOT CAUGHT")
        print("mutants: %s: %s %s (%s s)" % (m.why, e["verdict"], "; ".join(
            e.get("caught_by", []) if e["verdict"] == "caught" else []), e.get("seconds", 0)),
            flush=True)
        entries.append(e)
        save_report(entries, out, head)
    if not a.keep:
        shutil.rmtree(os.path.join(ROOT, "build", "mutant-lines"), ignore_errors=True)
    by = {v: [e for e in entries if e["verdict"] == v]
          for v in ("caught", "NOT CAUGHT", "does not build", "does not apply")}
    for v, title in (("NOT CAUGHT", "survived"), ("caught", "caught")):
        print("\n%s:" % title)
        for e in by[v]:
            print("  " + e["why"][len("deletes "):] + "".join(
                "\n      by " + t for t in e.get("caught_by", []) if v == "caught"))
    print("\nlines: %s: %d ran, %d caught, %d survived (%d%%); %d did not build, %d no longer "
          "apply (%s)" % (", ".join("%s %s" % kv for kv in head.items()), ran, len(by["caught"]),
                          len(by["NOT CAUGHT"]), round(100 * len(by["NOT CAUGHT"]) / max(ran, 1)),
                          len(by["does not build"]), len(by["does not apply"]),
                          os.path.relpath(out, ROOT)))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lab", type=int, action="append")
    p.add_argument("--only", action="append")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--update-guide", action="store_true")
    p.add_argument("--check-guide", action="store_true")
    p.add_argument("--delete-lines", type=int, metavar="LAB")
    p.add_argument("--scope", choices=("lab", "all"), default="lab")
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rerun", metavar="REPORT")
    a = p.parse_args()
    if a.update_guide:
        return update_guide()
    if a.check_guide:
        return check_guide()
    if not os.path.isdir(os.path.join(ROOT, "solutions")):
        sys.exit("mutants: not in the student release: this needs solutions/")
    if a.delete_lines is not None:
        return delete_lines(a)
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
