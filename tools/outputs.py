#!/usr/bin/env python3
"""outputs.py - the handouts' and the book's expected output is what a real boot prints.

A handout (labs/NN-*/README.md) or a chapter (book/*.md) that shows what a
boot prints marks the block with the tree it comes from, on the line
before the fence:

    <!-- output: labs 0-N solved -->    labs 0 to N from solutions/, the
                                        later labs as handed out (skeletons)
    <!-- output: no lab solved -->      every lab as handed out
    <!-- output: solution -->           every lab solved

and the block's first line is the command, `$ make qemu KNOB=value ...`.
This tool builds that tree (under build/outputs/), boots it with that very
command, and compares what it printed with the rest of the block. Numbers
that differ from boot to boot are not compared: hexadecimal addresses,
decimals (times), counts of a unit of time or frequency (`12 ms`,
`2608 MHz`), the figures after min, median, max and mean, and how many
responses arrived by IPI (a race with the client's poll). A line `...` in the block stands for any number of lines, and a word `N`
for a count that varies from run to run.
Everything else must match, line for line: when a boot's output changes,
the check fails until the handout says what the boot says.

usage: outputs.py [--update | --self-test] [FILE...]
  (no option)  check every marked block of every handout (or of FILE...)
  --update     write each block afresh from its boot (then review the diff)
  --self-test  show that the comparison catches a changed, missing or moved line
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"^<!-- output: (labs 0-(\d+) solved|no lab solved|solution) -->$")
FENCE = re.compile(r"^```")
BUILD_LINE = re.compile(r"^(make(\[\d+\])?: |  [A-Z]+ {2,}\S|build/tools/)")
KNOB = re.compile(r"^[A-Z_]+=")


def normalise(line):
    line = re.sub(r"0x[0-9a-fA-F]+", "0x…", line)
    line = re.sub(r"\d+\.\d+", "N.N", line)
    line = re.sub(r"\b\d+( ?)(ms|us|µs|ns|MHz|GHz|cycles)\b", r"N\1\2", line)
    line = re.sub(r"\b(min|median|max|mean) \d+", r"\1 N", line)
    line = re.sub(r"\b\d+ (responses arrived)", r"N \1", line)  # how many beat the poll
    return line.rstrip()


def blocks(path):
    """[(first line index of the output, end index, tree, command)]."""
    lines = open(path, encoding="utf-8").read().splitlines()
    found = []
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        rel = os.path.relpath(path, ROOT)
        if i + 2 >= len(lines) or not FENCE.match(lines[i + 1]) or \
                not lines[i + 2].startswith("$ make "):
            raise SystemExit("outputs: %s:%d: the mark must stand before a ``` block whose "
                             "first line is '$ make ...'" % (rel, i + 1))
        end = next((k for k in range(i + 3, len(lines)) if FENCE.match(lines[k])), None)
        if end is None:
            raise SystemExit("outputs: %s:%d: the block is never closed" % (rel, i + 2))
        tree = "solution" if m.group(1) == "solution" else \
            int(m.group(2)) if m.group(2) else -1
        found.append((i + 3, end, tree, lines[i + 2][2:]))
    return lines, found


def labs_of(tree):
    return sorted(d for d in os.listdir(os.path.join(ROOT, "solutions"))
                  if re.match(r"\d\d-", d) and (tree == "solution" or int(d[:2]) <= tree))


def build_tree(tree, built):
    """(TREE, LABSRC) of a tree, built once per run."""
    if tree in built:
        return built[tree]
    name = "solution" if tree == "solution" else "outputs-%d" % tree
    if tree == "solution":
        src = "solutions"
    else:
        src = os.path.join("build", "outputs", "src-%d" % tree)
        shutil.rmtree(os.path.join(ROOT, src), ignore_errors=True)
        os.makedirs(os.path.join(ROOT, src))
        subprocess.run(["make", "--no-print-directory", "tools"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([os.path.join(ROOT, "build", "tools", "mklab"), "--tree", "solutions",
                        src], cwd=ROOT, check=True)
        for d in labs_of(tree):
            for f in glob.glob(os.path.join(ROOT, "solutions", d, "*")):
                if os.path.splitext(f)[1] in (".c", ".h", ".asm"):
                    with open(f) as a, open(os.path.join(ROOT, src, d, os.path.basename(f)),
                                            "w") as b:
                        b.writelines(l for l in a if not re.match(
                            r"^\s*(//|;) ?(BEGIN|END) LAB \d|^\s*(//|;)>", l))
    r = subprocess.run(["make", "--no-print-directory", "-j2", "TREE=" + name,
                        "LABSRC=" + src, "images"], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit("outputs: building %s failed:\n%s" % (name, r.stdout[-2000:]))
    built[tree] = (name, src)
    return built[tree]


def boot(command, tree, built):
    """The lines `command` (`make qemu ...`) prints on that tree."""
    words = shlex.split(command)
    if words[:2] != ["make", "qemu"] or not all(KNOB.match(w) for w in words[2:]):
        raise SystemExit("outputs: '%s': expected 'make qemu KNOB=value ...'" % command)
    name, src = build_tree(tree, built)
    knobs = [w for w in words[2:] if not w.startswith(("SOLUTION=", "TREE=", "LABSRC="))]
    r = subprocess.run(["make", "--no-print-directory", "TREE=" + name, "LABSRC=" + src,
                        "qemu"] + knobs, cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600)
    return [l.rstrip() for l in r.stdout.replace("\r", "").splitlines()
            if not BUILD_LINE.match(l)]


def same(want, got):
    """A line of the block against a line of the boot."""
    pattern = re.sub(r"\bN\b", r"(?:\\d+|N)", re.escape(normalise(want)))
    return re.fullmatch(pattern, normalise(got)) is not None


def compare(expected, actual):
    """None if the block matches, else what differs."""
    want = [l for l in expected]
    while want and not want[0].strip():
        want.pop(0)
    got = [l for l in actual if l.strip()]
    want = [l for l in want if l.strip()]

    def match(w, g):
        if w >= len(want):
            return g >= len(got)
        if want[w] == "...":
            return any(match(w + 1, k) for k in range(g, len(got) + 1))
        return g < len(got) and same(want[w], got[g]) and match(w + 1, g + 1)

    if match(0, 0):
        return None
    for k, w in enumerate(want):
        if w == "...":
            continue
        if not any(same(w, g) for g in got):
            return "the handout's line %d, %r, is not in the boot's output" % (k + 1, w)
    return "the lines are all there, but not in this order (or the boot printed more)"


def self_test():
    """The comparison must be able to fail."""
    boot = ["shim: a", "shim: cpu 1 up in 12.5 ms at 0x1000", "wake: 17 responses", "run: ok"]
    good = [["", "shim: a", "shim: cpu 1 up in 3.0 ms at 0x2000", "wake: N responses", "run: ok"],
            ["...", "wake: N responses", "run: ok"]]
    bad = [["shim: a", "shim: cpu 2 up in 3.0 ms at 0x2000", "wake: N responses", "run: ok"],
           ["...", "wake: N responses"], ["shim: a", "...", "run: failed"],
           ["wake: N responses", "shim: a", "..."]]
    for block in good:
        if compare(block, boot):
            raise SystemExit("outputs: self-test: %r should match: %s" % (block, compare(block, boot)))
    for block in bad:
        if not compare(block, boot):
            raise SystemExit("outputs: self-test: %r should not match the boot" % block)
    print("outputs: self-test passed: changed lines, missing lines and a changed order are caught")


def realign(expected, actual):
    """The block made afresh from the boot, keeping its `...` elisions: each
    run of lines between two `...` becomes the run of the boot's lines from
    the one most like its first line to the one most like its last (a line
    that already matches stays as the block has it)."""
    import difflib
    want = [l for l in expected if l.strip()]
    got = [l for l in actual if l.strip()]
    segments, cur = [], []
    for l in want:
        if l == "...":
            segments.append(cur)
            segments.append(None)
            cur = []
        else:
            cur.append(l)
    segments.append(cur)

    def best(line, lo, hi):
        scores = [(difflib.SequenceMatcher(None, normalise(line), normalise(got[k])).ratio(), -k)
                  for k in range(lo, hi)]
        return -max(scores)[1] if scores else lo

    out, pos = ([""] if expected and not expected[0].strip() else []), 0
    for i, seg in enumerate(segments):
        if seg is None:
            out.append("...")
            continue
        if not seg:
            continue
        first = pos if i == 0 else best(seg[0], pos, len(got))
        last = len(got) - 1 if i == len(segments) - 1 else \
            best(seg[-1], first, len(got)) if len(seg) > 1 else first
        # A line that already matches keeps the block's own figures.
        for g in got[first:last + 1]:
            out.append(next((w for w in seg if same(w, g)), g))
        pos = last + 1
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--update", action="store_true")
    p.add_argument("--self-test", action="store_true")
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    if a.self_test:
        return self_test()
    files = a.files or (sorted(glob.glob(os.path.join(ROOT, "labs", "*", "README.md"))) +
                        sorted(glob.glob(os.path.join(ROOT, "book", "*.md"))))
    built, failed, checked = {}, 0, 0
    for path in files:
        lines, found = blocks(os.path.abspath(path))
        rel = os.path.relpath(os.path.abspath(path), ROOT)
        for start, end, tree, command in reversed(found):
            actual = boot(command, tree, built)
            checked += 1
            if a.update:
                if compare(lines[start:end], actual):
                    lines[start:end] = realign(lines[start:end], actual)
                continue
            problem = compare(lines[start:end], actual)
            if problem:
                failed += 1
                print("outputs: FAIL %s:%d (%s on %s): %s\n  what the boot printed:\n    %s" % (
                    rel, start, command, tree if tree == "solution" else
                    "labs 0-%d solved" % tree if tree >= 0 else "no lab solved", problem,
                    "\n    ".join(actual)))
            else:
                print("outputs: ok   %s:%d (%s)" % (rel, start, command))
        if a.update:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
    if not a.update:
        print("outputs: %d blocks, %d differ from their boots" % (checked, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
