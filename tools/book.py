#!/usr/bin/env python3
"""book.py - build the Sidecar OS book (book/*.md) into HTML: `make book`.

The book opens with the pages of FRONT_MATTER (book/preface.md,
introduction.md, design.md), which have no number; the chapters follow, as
book/NN-name.md in the order of their numeric prefix (or everything in the
order book/SUMMARY lists it, one file name per line, when that file
exists). Chapter N's file is book/NN-*.md, lab N's chapter (a title
"Chapter N" in another file fails the check). The prefix also puts each
chapter in a part of the book (PARTS below: 00-07 the labs, 08-89 the
chapters beyond the labs, 90-99 the appendices), so a new chapter only
needs a file name; a part without chapters is left out. Each chapter becomes one HTML page made by
pandoc; index.html holds the table of contents, book.html the whole book on
one page, and book/style.css is copied beside them.

Pictures are drawn from text when the book is built: every book/figures/
NAME.dot is rendered by Graphviz into figures/NAME.svg in the output, where
a chapter shows it with ![caption](figures/NAME.svg). After building, every
link and image in every page is checked (a page, a #fragment in it, an
image file), and so is every pandoc or Graphviz warning: any of them fails
the build. `--check-links DIR` runs that check alone on a built book.

Code in the book is never pasted: it is pulled from the source tree when the
book is built, so it cannot drift from the code. A directive on a line of its
own (outside a fenced code block) becomes a fenced code block with a caption
naming the file and the lines:

    {{excerpt FILE FUNCTION}}             a C function, from its signature
                                          (a line at column 0 with FUNCTION
                                          followed by '(') through the '}' at
                                          column 0 that closes it, with the
                                          comment just above it if there is one
    {{excerpt FILE /START/ /END/}}        from the first line matching the
                                          regular expression START through the
                                          first later line matching END
                                          (write \\/ for a '/' inside one);
                                          a START inside a /* */ comment
                                          starts the excerpt at the comment
    {{excerpt FILE}}                      the whole file (short files only)

FILE is relative to the top of the tree. A file, function or pattern that is
not there stops the build with a message naming the chapter, the line and
what was missing; so does an excerpt from solutions/ (the book must not hand
out the labs' answers: excerpt the skeleton in labs/ instead). A file in
labs/ is shown as the untouched skeleton, made from its solution by
tools/mklab.c, so a student's own code never appears in their copy of the
book (without solutions/, as in a student release, labs/ is read as it is).

A lab's reading questions (labs/NN-x/questions.md) have an instructor's copy
with model answers (solutions/NN-x/questions.md): a note, a line '---', then
the student's text with an answer, in lines that start with '>', after each
question. --check fails when the questions of the two differ.

usage: book.py --out DIR          build the HTML book into DIR (and check its links)
       book.py --check            only check every chapter's directives and that
                                  every image it shows has a source, and the
                                  handouts' test tables (no pandoc)
       book.py --update-handouts  remake the handouts' test tables, and the
                                  instructor's copies below their line
       book.py --check-links DIR  check the links and images of a built book
       book.py --self-test        show that those checks catch what they must
"""
import argparse
import atexit
import csv
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK = os.path.join(ROOT, "book")
TITLE = "Sidecar OS"

WHOLE_FILE_MAX_LINES = 120
DIRECTIVE = re.compile(r"^\{\{\s*excerpt\b(.*)\}\}\s*$")
LOOKS_LIKE_DIRECTIVE = re.compile(r"^\s*\{\{")
FENCE = re.compile(r"^(`{3,}|~{3,})")
CHAPTER_NAME = re.compile(r"^(\d+)-[\w.-]+\.md$")
# The pages before the chapters, in this order; they have no number.
FRONT_MATTER = ["preface.md", "introduction.md", "design.md"]

LANGUAGES = {".c": "c", ".h": "c", ".asm": "nasm", ".S": "nasm", ".py": "python",
             ".sh": "bash", ".mk": "makefile"}
NAMED_LANGUAGES = {"Makefile": "makefile", "GNUmakefile": "makefile"}


class BookError(Exception):
    pass


# --- finding the chapters -------------------------------------------------

def chapter_files():
    summary = os.path.join(BOOK, "SUMMARY")
    if os.path.exists(summary):
        names = []
        with open(summary) as f:
            for n, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if not os.path.isfile(os.path.join(BOOK, line)):
                    raise BookError("book/SUMMARY line %d: no chapter book/%s" % (n, line))
                names.append(line)
    else:
        names = [f for f in FRONT_MATTER if os.path.isfile(os.path.join(BOOK, f))]
        names += sorted((f for f in os.listdir(BOOK) if CHAPTER_NAME.match(f)),
                        key=lambda f: (int(CHAPTER_NAME.match(f).group(1)), f))
    if not names:
        raise BookError("book/: no chapters (expected files named like 00-boot.md)")
    return names


# The parts of the book, by the chapters' numeric prefixes (first, last,
# title). A chapter file is all it takes to add a chapter to a part.
PARTS = [(0, 7, "The labs"),
         (8, 89, "Beyond the labs"),
         (90, 99, "Appendices")]


def part_of(chapter):
    if chapter in FRONT_MATTER:
        return "Before the labs"
    m = CHAPTER_NAME.match(chapter)
    if m:
        for first, last, title in PARTS:
            if first <= int(m.group(1)) <= last:
                return title
    return "More"


def by_part(chapters):
    """[(part title, [chapter, ...])] in book order, for chapters
    [(file, title, markdown)]; parts without chapters are left out."""
    parts = []
    for ch in chapters:
        part = part_of(ch[0])
        if not parts or parts[-1][0] != part:
            parts.append((part, []))
        parts[-1][1].append(ch)
    return parts


# --- excerpts ---------------------------------------------------------------

def language_of(path):
    base = os.path.basename(path)
    if base in NAMED_LANGUAGES:
        return NAMED_LANGUAGES[base]
    return LANGUAGES.get(os.path.splitext(base)[1], "")


def split_patterns(text):
    """'/a b/ /c\\/d/' -> ['a b', 'c/d']: slash-delimited regular expressions."""
    patterns, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] != "/":
            raise BookError("expected a /pattern/ at '%s'" % text[i:])
        j, buf = i + 1, []
        while j < len(text) and text[j] != "/":
            if text[j] == "\\" and j + 1 < len(text) and text[j + 1] == "/":
                buf.append("/")
                j += 2
                continue
            buf.append(text[j])
            j += 1
        if j == len(text):
            raise BookError("pattern '%s' has no closing '/'" % text[i:])
        patterns.append("".join(buf))
        i = j + 1
    return patterns


def compile_pattern(p):
    try:
        return re.compile(p)
    except re.error as e:
        raise BookError("bad regular expression /%s/: %s" % (p, e))


def parse_directive(args):
    """The text after 'excerpt' -> (file, kind, detail)."""
    args = args.strip()
    if not args:
        raise BookError("no file named")
    parts = args.split(None, 1)
    path = parts[0]
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not rest:
        return path, "file", None
    if rest.startswith("/"):
        pats = split_patterns(rest)
        if len(pats) != 2:
            raise BookError("expected two patterns, /START/ /END/, found %d" % len(pats))
        return path, "range", [compile_pattern(p) for p in pats]
    if not re.fullmatch(r"[A-Za-z_]\w*", rest):
        raise BookError("'%s' is neither a C function name nor /START/ /END/" % rest)
    return path, "function", rest


_mklab = []


def mklab():
    """The skeleton generator: build/tools/mklab when it is up to date, else
    compiled here into a temporary directory; None without a compiler."""
    if _mklab:
        return _mklab[0]
    src = os.path.join(ROOT, "tools", "mklab.c")
    built = os.path.join(ROOT, "build", "tools", "mklab")
    if os.path.exists(built) and os.path.getmtime(built) >= os.path.getmtime(src):
        _mklab.append(built)
        return built
    tmp = tempfile.mkdtemp(prefix="sidecar-book-mklab-")
    atexit.register(shutil.rmtree, tmp, True)
    exe = os.path.join(tmp, "mklab")
    try:
        r = subprocess.run(["gcc", "-std=gnu11", "-O1", src, "-o", exe],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ok = r.returncode == 0
    except FileNotFoundError:
        ok = False
    _mklab.append(exe if ok else None)
    return _mklab[0]


def lab_skeleton(norm):
    """labs/NN-x/file as mklab makes it from solutions/NN-x/file, or None
    when there is no solution to make it from."""
    solution = os.path.join(ROOT, "solutions", *norm.split(os.sep)[1:])
    if not os.path.isfile(solution):
        return None
    tool = mklab()
    if not tool:
        return None
    r = subprocess.run([tool, solution], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        raise BookError("cannot make the skeleton of %s: %s" % (norm, r.stderr.strip()))
    return r.stdout.splitlines()


def read_source(path):
    norm = os.path.normpath(path)
    if os.path.isabs(path) or norm.startswith(".."):
        raise BookError("%s is not a path inside the tree" % path)
    top = norm.split(os.sep)[0]
    if top == "solutions":
        raise BookError("%s is in solutions/: the book does not show the labs' answers "
                        "(excerpt the skeleton in labs/ or framework code instead)" % path)
    full = os.path.join(ROOT, norm)
    if not os.path.isfile(full):
        raise BookError("file %s does not exist" % path)
    if top == "labs" and os.path.splitext(norm)[1] in (".c", ".h", ".asm"):
        skeleton = lab_skeleton(norm)
        if skeleton is not None:
            return skeleton, "the skeleton"
    with open(full, encoding="utf-8") as f:
        return f.read().splitlines(), None


def comment_above(lines, first):
    """Index of the first line of the comment block that ends just above
    lines[first], or first if there is none."""
    i = first - 1
    if i < 0:
        return first
    if lines[i].rstrip().endswith("*/"):
        while i >= 0 and "/*" not in lines[i]:
            i -= 1
        return i if i >= 0 else first
    if lines[i].lstrip().startswith("//"):
        while i - 1 >= 0 and lines[i - 1].lstrip().startswith("//"):
            i -= 1
        return i
    return first


def find_function(lines, name, path):
    """(first, last) line indexes of C function name's definition."""
    signature = re.compile(r"(^|[^\w])%s\s*\(" % re.escape(name))
    for i, line in enumerate(lines):
        if not line or line[0].isspace() or line.startswith(("#", "/", "*")):
            continue
        if not signature.search(line):
            continue
        # A definition opens its body with '{' at column 0 before any ';'
        # ends the declaration (a prototype, or a call at file scope).
        j = i
        while j < len(lines):
            text = lines[j].split("//", 1)[0].rstrip()
            if text.startswith("{") or text.endswith("{"):
                break
            if text.endswith(";"):
                j = None
                break
            j += 1
        if j is None or j == len(lines):
            continue
        for k in range(j, len(lines)):
            if lines[k].startswith("}"):
                return comment_above(lines, i), k
        raise BookError("function %s in %s has no closing '}' at column 0" % (name, path))
    raise BookError("no definition of function %s() in %s" % (name, path))


def comment_start(lines, i):
    """If lines[i] is inside a /* ... */ block (a line starting with '*'),
    the index of the block's first line; else i."""
    if not lines[i].lstrip().startswith("*") or lines[i].lstrip().startswith("*/"):
        return i
    j = i
    while j >= 0 and "/*" not in lines[j]:
        if not lines[j].lstrip().startswith("*"):
            return i
        j -= 1
    return j if j >= 0 else i


def find_range(lines, start, end, path):
    for i, line in enumerate(lines):
        if start.search(line):
            for k in range(i + 1, len(lines)):
                if end.search(lines[k]):
                    return comment_start(lines, i), k
            raise BookError("in %s, no line after line %d matches /%s/" %
                            (path, i + 1, end.pattern))
    raise BookError("no line in %s matches /%s/" % (path, start.pattern))


def excerpt(args):
    """Resolve one directive -> (path, first line no., last line no., lines, what)."""
    path, kind, detail = parse_directive(args)
    lines, note = read_source(path)
    if kind == "file":
        if len(lines) > WHOLE_FILE_MAX_LINES:
            raise BookError("%s has %d lines; whole-file excerpts are for files of at most "
                            "%d: excerpt a function or a /START/ /END/ range" %
                            (path, len(lines), WHOLE_FILE_MAX_LINES))
        first, last, what = 0, len(lines) - 1, None
    elif kind == "function":
        first, last = find_function(lines, detail, path)
        what = "`%s()`" % detail
    else:
        first, last = find_range(lines, detail[0], detail[1], path)
        what = None
    if note:
        what = "%s (%s)" % (what, note) if what else note
    return path, first + 1, last + 1, lines[first:last + 1], what


def render_excerpt(path, first, last, body, what):
    lang = language_of(path)
    longest = max((len(m) for l in body for m in re.findall(r"`+", l)), default=0)
    fence = "`" * max(3, longest + 1)
    classes = (".%s " % lang if lang else "") + ".numberLines"
    where = "line %d" % first if first == last else "lines %d–%d" % (first, last)
    caption = "`%s`%s, %s" % (path, ": %s" % what if what else "", where)
    return ["::: {.excerpt}", "<p class=\"excerpt-caption\">%s</p>" % caption_html(caption),
            "", "%s {%s startFrom=\"%d\"}" % (fence, classes, first)] + body + \
        [fence, ":::"]


def caption_html(caption):
    """`code` spans in the caption, the rest escaped."""
    parts = caption.split("`")
    return "".join(("<code>%s</code>" if i % 2 else "%s") % html.escape(p)
                   for i, p in enumerate(parts))


def expand(chapter, text):
    """Replace every directive in a chapter; returns (markdown, count, errors)."""
    out, errors, count = [], [], 0
    fence = None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line[len(m.group(1)):].strip():
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        table = directive_table(line)
        if table:
            try:
                out.extend(table())
                count += 1
            except BookError as e:
                errors.append("book/%s:%d: %s: %s" % (chapter, n, line.strip(), e))
                out.append(line)
            continue
        d = DIRECTIVE.match(line)
        if not d:
            if LOOKS_LIKE_DIRECTIVE.match(line) and "}}" in line and not TEST_FIGURE.match(line.strip()) \
                    and not BENCH_FIGURE.match(line.strip()):
                errors.append("book/%s:%d: %s: not a directive; expected {{excerpt FILE ...}}"
                              % (chapter, n, line.strip()))
            out.append(line)
            continue
        try:
            out.extend(render_excerpt(*excerpt(d.group(1))))
            count += 1
        except BookError as e:
            errors.append("book/%s:%d: %s: %s" % (chapter, n, line.strip(), e))
            out.append(line)
    if fence:
        errors.append("book/%s: a code fence %s is never closed" % (chapter, fence))
    return "\n".join(out) + "\n", count, errors


def chapter_title(chapter, text):
    """The first '# ' heading: the page title. It is removed from the body
    (pandoc prints the title itself)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return line[2:].strip(), "\n".join(lines[:i] + lines[i + 1:]) + "\n"
    raise BookError("book/%s has no '# ' title line" % chapter)


# --- headings and links -------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
HEADING_ID = re.compile(r"\{#([\w.:-]+)[^}]*\}$")
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
# ![caption](path): the caption may span lines and hold [brackets].
IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)")


def prose_lines(md):
    """(index, line) of every line of md outside fenced code blocks."""
    fence = None
    for i, line in enumerate(md.splitlines()):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line[len(m.group(1)):].strip():
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield i, line


def slug(text):
    """A heading's identifier, made the way pandoc makes one (its manual,
    "Extension: auto_identifiers"): no markup, only letters, digits and
    _-. kept, spaces to hyphens, lower case, nothing before the first
    letter."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*]", "", text)
    text = re.sub(r"[^\w\s.-]", "", text).strip().lower()
    text = re.sub(r"\s+", "-", text)
    text = re.sub(r"^[^a-z]+", "", text)
    return text or "section"


def label_headings(md, prefix):
    """md with an explicit {#id} on every heading that has none: prefix +
    the heading's slug, made unique within md as pandoc would (-1, -2...).
    The chapter pages use prefix "", the one-page book the chapter's name,
    so that both are sure to have the ids the link check expects."""
    lines = md.splitlines()
    seen = set()
    for i, line in list(prose_lines(md)):
        m = HEADING.match(line)
        if not m:
            continue
        if HEADING_ID.search(m.group(2)):
            seen.add(HEADING_ID.search(m.group(2)).group(1))
            continue
        base = slug(m.group(2))
        ident, n = base, 0
        while ident in seen:
            n += 1
            ident = "%s-%d" % (base, n)
        seen.add(ident)
        lines[i] = "%s %s {#%s%s}" % (m.group(1), m.group(2), prefix, ident)
    return "\n".join(lines) + "\n"


def demote_headings(md):
    """Every heading one level down (## -> ###): in the one-page book a
    part is a level-1 heading, its chapters level 2."""
    lines = md.splitlines()
    for i, line in list(prose_lines(md)):
        if HEADING.match(line) and not line.startswith("######"):
            lines[i] = "#" + line
    return "\n".join(lines) + "\n"


def one_page_links(md, stem, pages):
    """A chapter's links, rewritten for the one-page book: to another
    chapter's page (and a section of it) or a section of this chapter
    become links within the page. pages: {page file: chapter stem}."""
    def fix(m):
        target = m.group(2)
        page, _, frag = target.partition("#")
        if page == "":
            return m.group(1) + "#%s--%s" % (stem, frag) + m.group(3)
        if page in pages:
            other = pages[page]
            return m.group(1) + ("#%s--%s" % (other, frag) if frag else "#" + other) + m.group(3)
        return m.group(0)
    lines = md.splitlines()
    for i, line in list(prose_lines(md)):
        lines[i] = LINK.sub(fix, line)
    return "\n".join(lines) + "\n"


def images_of(md):
    prose = "\n".join(line for _, line in prose_lines(md))
    return [m.group(1) for m in IMAGE.finditer(prose)]


# --- figures from the tests ---------------------------------------------------
#
# What the text says about a lab's tests (their names, points, machines,
# commands, timeouts and bounds) is read from tests/lab_tests.py, never
# retyped, so a changed test changes the text or fails the check:
#
#   {{labs}}                    (a line of its own) every lab: its chapter,
#                               its files, its tests and points
#   {{tests N}}                 (a line of its own, in a chapter) lab N's
#                               test table
#   {{test N "NAME" FIELD}}     (anywhere in a chapter's prose) one figure of
#                               the test of lab N whose name starts with NAME:
#                               points, timeout, smp, nodes, mem, run, slack,
#                               limit, small, big
#
# A handout (labs/NN-x/README.md, read as plain Markdown) cannot be expanded
# when it is read, so its table is written into it, between the lines
#   <!-- tests N: made by tools/book.py --update-handouts from tests/lab_tests.py -->
#   <!-- end of tests N -->
# and `book.py --check` fails when what is there is not what the tests say.

TESTS_DIRECTIVE = re.compile(r"^\{\{\s*tests\s+(\d+)\s*\}\}\s*$")
TEST_FIGURE = re.compile(r"\{\{\s*test\s+(\d+)\s+\"([^\"]+)\"\s+(\w+)\s*\}\}")
HANDOUT_BEGIN = re.compile(r"^<!-- tests (\d+): made by tools/book\.py --update-handouts "
                           r"from tests/lab_tests\.py -->$")
HANDOUT_END = "<!-- end of tests %d -->"
_labs = []


def lab_tests():
    """LABS from tests/lab_tests.py: {lab: [test, ...]}."""
    if not _labs:
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        sys.path.insert(0, os.path.join(ROOT, "tests"))
        try:
            import lab_tests
        except Exception as e:  # noqa: BLE001 - any failure to load is the book's error
            raise BookError("cannot read tests/lab_tests.py: %s" % e)
        _labs.append(lab_tests.LABS)
    return _labs[0]


def tests_of(lab):
    labs = lab_tests()
    if lab not in labs:
        raise BookError("tests/lab_tests.py has no lab %d" % lab)
    return labs[lab]


def test_named(lab, name):
    found = [t for t in tests_of(lab) if t.name.startswith(name)]
    if len(found) != 1:
        raise BookError("lab %d has %d tests whose name starts with \"%s\" (expected 1)"
                        % (lab, len(found), name))
    return found[0]


MAKE_QEMU_MEM = 512  # the Makefile's MEM


def machine_of(t):
    """`SMP=8 NODES=2 MEM=256`, the knobs that give `make qemu` the test's
    machine."""
    knobs = ["SMP=%d" % t.smp]
    if getattr(t, "nodes", 1) > 1:
        knobs.append("NODES=%d" % t.nodes)
    if getattr(t, "mem", MAKE_QEMU_MEM) != MAKE_QEMU_MEM:
        knobs.append("MEM=%d" % t.mem)
    if getattr(t, "sidecar", True) is False:
        knobs.append("SIDECAR=0")
    if getattr(t, "memoryless_node", None) is not None:
        knobs.append("MEMORYLESS_NODE=%d" % t.memoryless_node)
    if getattr(t, "shim_args", ""):
        knobs.append("SHIM_ARGS='%s'" % t.shim_args)
    if getattr(t, "x2apic", False):
        knobs.append("X2APIC=1")
    text = "`%s`" % " ".join(knobs)
    if getattr(t, "linux", False):
        text += ", Debian's Linux"
    if getattr(t, "kernel", None):
        text += ", another main kernel"
    rest = [a for a in getattr(t, "qemu_args", ()) if a not in ("--x2apic", "on")] \
        if getattr(t, "x2apic", False) else list(getattr(t, "qemu_args", ()))
    if rest:
        text += ", `%s`" % " ".join(rest)
    return text


def test_figure(t, field):
    if hasattr(t, "small") and field in ("small", "big"):
        return str(getattr(t, field).smp)
    if hasattr(t, "small") and field in ("timeout", "run"):
        t = t.small
    if field == "run":
        return getattr(t, "run_cmds")
    value = getattr(t, field, None)
    if value is None:
        raise BookError("test \"%s\" has no %s" % (t.name, field))
    if isinstance(value, float):
        return "%.1f" % value
    return str(value)


def cell(text):
    """Text for a table cell: only '|' needs escaping."""
    return text.replace("|", "\\|")


def table_cells(row):
    """'| a | b \\| c |' -> ['a', 'b \\| c']."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def tests_table(lab, passes=None):
    """Lab N's tests as a Markdown table, and the total. passes: {test name:
    text} for a last column, "passes when", which the tests cannot say (a
    handout keeps its own words there; every test must have some)."""
    rows = ["| test | points | the machine | the commands (`RUN=`) | timeout |",
            "| --- | --- | --- | --- | --- |"]
    if passes is not None:
        rows = [rows[0] + " passes when |", rows[1] + " --- |"]
        missing = [t.name for t in tests_of(lab) if not passes.get(cell(t.name))]
        if missing:
            raise BookError("no \"passes when\" text for %s (write it in the table's last "
                            "column)" % ", ".join("\"%s\"" % m for m in missing))
    total = 0
    for t in tests_of(lab):
        total += t.points
        if hasattr(t, "suite"):
            machine, run, timeout = "host: Check suite `%s`" % t.suite, "", ""
        elif hasattr(t, "small"):
            machine = "%s, then %s: QEMU's host CPU time while the commands run, " \
                "at most %.1f s more on %d CPUs than on %d" % (
                    machine_of(t.small), machine_of(t.big), t.slack, t.big.smp, t.small.smp)
            if t.limit is not None:
                machine += ", and at most %.1f s in all" % t.limit
            run, timeout = "`%s`" % t.small.run_cmds, "%d s each" % t.small.timeout
        else:
            machine, run, timeout = machine_of(t), "`%s`" % t.run_cmds, "%d s" % t.timeout
        rows.append("| %s | %d | %s | %s | %s |" % (cell(t.name), t.points, machine,
                                                   run.replace("|", "\\|"), timeout))
        if passes is not None:
            rows[-1] += " %s |" % passes[cell(t.name)]
    rows.append("| total | %d | | | |" % total + (" |" if passes is not None else ""))
    return rows


LABS_DIRECTIVE = re.compile(r"^\{\{\s*labs\s*\}\}\s*$")
LAB_SOURCES = (".c", ".h", ".asm")  # what tools/mklab.c makes skeletons of


BENCH_DIRECTIVE = re.compile(r"^\{\{\s*bench\s+(table|machine|targets)\s*\}\}\s*$")
BENCH_FIGURE = re.compile(r"\{\{\s*bench\s+\"([^\"]+)\"\s+(\d+)\s+\"([^\"]+)\"(?:\s+(\w+))?\s*\}\}")
BENCH_DATA = os.path.join(BOOK, "data")


def bench_rows():
    """book/data/results.csv: the benchmark run the performance chapter shows."""
    path = os.path.join(BENCH_DATA, "results.csv")
    if not os.path.exists(path):
        raise BookError("no book/data/results.csv (copy build/bench/*.csv and machine.txt there)")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def bench_value(v):
    """A figure as make bench prints it (tools/bench.py's fmt)."""
    v = float(v)
    return "%.0f" % v if abs(v) >= 100 else "%.1f" % v if abs(v) >= 10 else "%.3g" % v


def bench_table():
    """{{bench table}}: every row of the run in book/data/results.csv."""
    rows = ["| measure | CPUs | system | stat | value |", "| --- | ---: | --- | --- | ---: |"]
    for r in bench_rows():
        rows.append("| %s | %s | %s | %s | %s %s |" % (
            md_escape(r["measure"]), r["cpus"], md_escape(r["system"]), r["stat"],
            bench_value(r["value"]), r["unit"]))
    return rows


def bench_machine():
    """{{bench machine}}: book/data/machine.txt, the run's date and host."""
    with open(os.path.join(BENCH_DATA, "machine.txt"), encoding="utf-8") as f:
        return ["```"] + f.read().rstrip("\n").splitlines() + ["```"]


def bench_targets():
    """{{bench targets}}: book/data/targets.txt, each target MET or MISSED."""
    with open(os.path.join(BENCH_DATA, "targets.txt"), encoding="utf-8") as f:
        return ["- " + md_escape(line) for line in f.read().splitlines() if line.strip()]


def bench_figure(measure, cpus, system, stat=None):
    """{{bench "MEASURE" CPUS "SYSTEM" [STAT]}} in prose: one figure of the run."""
    found = [r for r in bench_rows() if r["measure"] == measure and r["cpus"] == cpus
             and r["system"] == system and r["stat"] == (stat or "value")]
    if len(found) != 1:
        raise BookError("book/data/results.csv has %d rows for that" % len(found))
    return "%s %s" % (bench_value(found[0]["value"]), found[0]["unit"])


def directive_table(line):
    """What makes the table a {{labs}}, {{tests N}} or {{bench table|machine}}
    line stands for, or None."""
    if LABS_DIRECTIVE.match(line):
        return labs_table
    b = BENCH_DIRECTIVE.match(line)
    if b:
        return {"table": bench_table, "machine": bench_machine,
                "targets": bench_targets}[b.group(1)]
    t = TESTS_DIRECTIVE.match(line)
    return (lambda: tests_table(int(t.group(1)))) if t else None


def labs_table():
    """{{labs}}: every lab with its chapter, its files and its tests, from
    book/, labs/ and tests/lab_tests.py."""
    rows = ["| lab | chapter | you write (`labs/NN-*/`) | tests | points |",
            "| --- | --- | --- | --- | --- |"]
    chapters = {int(CHAPTER_NAME.match(f).group(1)): f for f in os.listdir(BOOK)
                if CHAPTER_NAME.match(f)}
    for lab in sorted(lab_tests()):
        dirs = [d for d in os.listdir(os.path.join(ROOT, "labs")) if d.startswith("%02d-" % lab)]
        if len(dirs) != 1 or lab not in chapters:
            raise BookError("lab %d: expected one labs/%02d-*/ and one book/%02d-*.md" %
                            (lab, lab, lab))
        # The lab's sources (the files tools/mklab.c makes skeletons of),
        # then what else the student writes there: the reading questions'
        # answers and, in some labs, a design document.
        present = os.listdir(os.path.join(ROOT, "labs", dirs[0]))
        files = sorted(f for f in present if f.endswith(LAB_SOURCES)) + \
            sorted(f for f in present if f.endswith(".md") and f != "README.md")
        with open(os.path.join(BOOK, chapters[lab]), encoding="utf-8") as f:
            title = f.readline().lstrip("# ").strip()
        tests = tests_of(lab)
        units = sum(1 for t in tests if hasattr(t, "suite"))
        cpu = sum(1 for t in tests if hasattr(t, "small"))
        boots = len(tests) - units - cpu
        kinds = ["%d %s%s" % (n, what, "" if n == 1 else "s")
                 for n, what in ((units, "unit suite"), (boots, "boot"),
                                 (cpu, "CPU-time comparison")) if n]
        rows.append("| %d | [%s](%s) | %s | %s | %d |" % (
            lab, md_escape(title), page_name(chapters[lab]),
            ", ".join("`%s`" % f for f in files), ", ".join(kinds),
            sum(t.points for t in tests)))
    return rows


def expand_figures(chapter, md):
    """{{test N "NAME" FIELD}} and {{bench "MEASURE" CPUS "SYSTEM" [STAT]}} in
    prose lines -> the figure."""
    errors = []
    lines = md.splitlines()
    for i, line in prose_lines(md):
        def figure(m):
            try:
                return test_figure(test_named(int(m.group(1)), m.group(2)), m.group(3))
            except BookError as e:
                errors.append("book/%s: %s: %s" % (chapter, m.group(0), e))
                return m.group(0)
        def bench(m):
            try:
                return bench_figure(*m.groups())
            except BookError as e:
                errors.append("book/%s: %s: %s" % (chapter, m.group(0), e))
                return m.group(0)
        lines[i] = BENCH_FIGURE.sub(bench, TEST_FIGURE.sub(figure, line))
    return "\n".join(lines) + "\n", errors


def handout_pairs():
    """[(student copy, instructor copy or None)] of every handout."""
    pairs = []
    for d in sorted(os.listdir(os.path.join(ROOT, "labs"))):
        stu = os.path.join(ROOT, "labs", d, "README.md")
        if not os.path.isfile(stu):
            continue
        ins = os.path.join(ROOT, "solutions", d, "README.md")
        pairs.append((stu, ins if os.path.isfile(ins) else None))
    return pairs


def handout_tables(path, text):
    """text with every generated table made afresh, and the problems found."""
    out, errors, lines, i = [], [], text.splitlines(), 0
    rel = os.path.relpath(path, ROOT)
    while i < len(lines):
        out.append(lines[i])
        m = HANDOUT_BEGIN.match(lines[i])
        i += 1
        if not m:
            continue
        lab, end = int(m.group(1)), HANDOUT_END % int(m.group(1))
        j = i
        while j < len(lines) and lines[j] != end:
            j += 1
        if j == len(lines):
            errors.append("%s:%d: no '%s' after the table's first line" % (rel, i, end))
            break
        old = [table_cells(l) for l in lines[i:j] if l.startswith("|")]
        passes = None
        if old and old[0] and old[0][-1] == "passes when":
            passes = {r[0]: r[-1] for r in old[2:] if len(r) == len(old[0])}
        try:
            out.extend(tests_table(lab, passes))
        except BookError as e:
            errors.append("%s:%d: %s" % (rel, i, e))
            out.extend(lines[i:j])
        out.append(end)
        i = j + 1
    return "\n".join(out) + "\n", errors


def questions_pairs():
    """[(labs/NN-x/questions.md, solutions/NN-x/questions.md)] where both exist."""
    pairs = []
    for d in sorted(os.listdir(os.path.join(ROOT, "labs"))):
        stu = os.path.join(ROOT, "labs", d, "questions.md")
        ins = os.path.join(ROOT, "solutions", d, "questions.md")
        if os.path.isfile(stu) and os.path.isfile(ins):
            pairs.append((stu, ins))
    return pairs


def without_answers(text):
    """A questions file's text without its answers (the lines that start
    with '>'), blank lines collapsed, for comparing the two copies."""
    kept = "\n".join(l for l in text.splitlines() if not l.startswith(">"))
    return re.sub(r"\n{3,}", "\n\n", kept).strip("\n")


def check_questions():
    """Each instructor's questions.md holds, below its line '---', the
    student's questions word for word, with its answers as '>' blocks."""
    errors = []
    for stu, ins in questions_pairs():
        with open(stu, encoding="utf-8") as f:
            stu_text = f.read()
        with open(ins, encoding="utf-8") as f:
            head, sep, body = f.read().partition("\n---\n")
        rel_stu, rel_ins = os.path.relpath(stu, ROOT), os.path.relpath(ins, ROOT)
        if not sep:
            errors.append("%s: no line '---' ends the instructor's note" % rel_ins)
        elif ">" in "".join(l[:1] for l in stu_text.splitlines()):
            errors.append("%s: a line starts with '>', which the instructor's copy keeps "
                          "for answers" % rel_stu)
        elif without_answers(body) != without_answers(stu_text.split("\n", 1)[1]):
            errors.append("%s: its questions (below its line, without the '>' answers) are "
                          "not those of %s; edit both" % (rel_ins, rel_stu))
    return errors


def instructor_body(stu_text, ins_text):
    """The instructor's copy made from the student's: its own header (the
    title and the note up to the line '---'), then the student's text
    below the student's title."""
    head, sep, _ = ins_text.partition("\n---\n")
    return head + sep + stu_text.split("\n", 1)[1] if sep else None


def check_handouts(update=False):
    """Every handout's test tables are what tests/lab_tests.py says, and each
    instructor's copy is the student's below its line. update: rewrite
    them so. Also each lab's reading questions: the instructor's copy must
    hold the student's (check_questions; never rewritten, since the answers
    are written by hand). Returns (handouts, problems)."""
    errors, n = [], 0
    for stu, ins in handout_pairs():
        n += 1
        with open(stu, encoding="utf-8") as f:
            old = f.read()
        new, errs = handout_tables(stu, old)
        errs += check_grade_blocks(os.path.relpath(stu, ROOT), old)
        if new != old:
            if update:
                write(stu, new)
            else:
                errs.append("%s: a test table is not what tests/lab_tests.py says "
                            "(python3 tools/book.py --update-handouts rewrites it)"
                            % os.path.relpath(stu, ROOT))
        errors += errs
        if ins:
            with open(ins, encoding="utf-8") as f:
                ins_old = f.read()
            ins_new = instructor_body(new, ins_old)
            if ins_new is None:
                errors.append("%s: no line '---' ends the instructor's note"
                              % os.path.relpath(ins, ROOT))
            elif ins_new != ins_old:
                if update:
                    write(ins, ins_new)
                else:
                    errors.append("%s differs from %s below its line (python3 tools/book.py "
                                  "--update-handouts copies the student's text)" %
                                  (os.path.relpath(ins, ROOT), os.path.relpath(stu, ROOT)))
    errors += check_questions()
    return n, errors


GRADE_ROW = re.compile(r"^(\d+)\s{2,}(\S.*?)\s{2,}(\d+)/(\d+)\s")


def check_grade_blocks(rel, text):
    """In a block that shows `$ make grade ...`, every row names a test of
    tests/lab_tests.py with the points it is worth there."""
    errors, fence, grade = [], None, False
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m and not fence:
            fence, grade = m.group(1), None
            continue
        if fence and m and line.strip() == fence:
            fence = None
            continue
        if not fence:
            continue
        if grade is None:
            grade = line.startswith("$ make grade")
        if not grade:
            continue
        r = GRADE_ROW.match(line)
        if not r:
            continue
        lab, name, most = int(r.group(1)), r.group(2).strip(), int(r.group(4))
        try:
            tests = {t.name: t.points for t in tests_of(lab)}
        except BookError as e:
            errors.append("%s:%d: %s" % (rel, n, e))
            continue
        if name not in tests:
            errors.append("%s:%d: lab %d has no test \"%s\" (tests/lab_tests.py)" %
                          (rel, n, lab, name))
        elif tests[name] != most:
            errors.append("%s:%d: \"%s\" is worth %d points, not %d" %
                          (rel, n, name, tests[name], most))
    return errors


CHAPTER_HEADING = re.compile(r"^#\s+Chapter\s+(\d+)\b")


def check_chapter_number(name, text):
    """A chapter called "Chapter N" is in book/NN-*.md."""
    for line in text.splitlines():
        m = CHAPTER_HEADING.match(line)
        if m:
            f = CHAPTER_NAME.match(name)
            if not f or int(f.group(1)) != int(m.group(1)):
                return ["book/%s: its title says Chapter %s, its file name %s" %
                        (name, m.group(1), "another number" if f else "no number")]
        if line.startswith("# "):
            break
    return []


def load_chapters():
    """[(file, title, expanded markdown)], or BookError listing every problem."""
    chapters, errors, count = [], [], 0
    for name in chapter_files():
        with open(os.path.join(BOOK, name), encoding="utf-8") as f:
            text = f.read()
        errors += check_chapter_number(name, text)
        errors += check_grade_blocks("book/" + name, text)
        md, n, errs = expand(name, text)
        count += n
        errors += errs
        md, errs = expand_figures(name, md)
        errors += errs
        try:
            title, md = chapter_title(name, md)
        except BookError as e:
            errors.append(str(e))
            title = name
        chapters.append((name, title, md))
    made = figure_sources()
    for name, _, md in chapters:
        for image in images_of(md):
            if "://" in image:
                errors.append("book/%s: image %s is not in the book (draw it in book/figures/)"
                              % (name, image))
            elif image not in made and not os.path.isfile(os.path.join(BOOK, image)):
                errors.append("book/%s: image %s has no source (expected book/%s)"
                              % (name, image, os.path.splitext(image)[0] + ".dot"))
    errors += check_handouts()[1]
    if not os.path.isfile(os.path.join(BOOK, "style.css")):
        errors.append("book/style.css is missing")
    if errors:
        raise BookError("%d problem%s in the book:\n  %s" % (
            len(errors), "" if len(errors) == 1 else "s", "\n  ".join(errors)))
    return chapters, count


# --- figures ------------------------------------------------------------------
#
# Every picture in the book is made from a text source when the book is
# built. figure_sources() maps each image path a chapter may show (relative
# to the output directory) to the function that draws it there; a new kind
# of generated picture adds its entries here.

FIGURES = os.path.join(BOOK, "figures")


def figure_sources():
    """{image path in the output: function(out_path) that draws it}."""
    made = {}
    if os.path.isdir(FIGURES):
        for f in sorted(os.listdir(FIGURES)):
            if f.endswith(".dot"):
                src = os.path.join(FIGURES, f)
                made["figures/%s.svg" % f[:-4]] = lambda out, src=src: render_dot(src, out)
    # Chapter 9's charts, drawn by tools/benchplot.py from a real run's CSVs.
    data = os.path.join(BOOK, "data")
    if os.path.exists(os.path.join(data, "results.csv")):
        for chart in BENCH_CHARTS:
            made["bench/%s.svg" % chart] = lambda out: draw_bench(data, out)
    return made


BENCH_CHARTS = ("bringup", "timeline", "timeline-big", "roundtrips", "memory", "boot")


def draw_bench(data, out):
    """benchplot draws every chart at once into out's directory (emptied by
    build()), so the first chart asked for draws them all."""
    if not os.path.exists(out):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import benchplot
        benchplot.draw_all(data, os.path.dirname(out))
    if not os.path.exists(out):
        raise BookError("benchplot drew no %s from book/data" % os.path.basename(out))


def render_dot(src, out):
    """Graphviz: book/figures/NAME.dot -> out (SVG). A warning is an error."""
    try:
        r = subprocess.run(["dot", "-Tsvg", src, "-o", out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise BookError("Graphviz's dot is not installed (Debian package graphviz; `make deps`)")
    if r.returncode != 0 or r.stdout.strip():
        raise BookError("dot on book/figures/%s:\n%s" % (os.path.basename(src), r.stdout.strip()))


def draw_figures(chapters, out):
    """Draw every picture the chapters show; copy the images that are files."""
    made = figure_sources()
    count = 0
    for image in sorted({i for _, _, md in chapters for i in images_of(md)}):
        dest = os.path.join(out, image)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if image in made:
            made[image](dest)
        else:
            shutil.copy(os.path.join(BOOK, image), dest)
        count += 1
    return count


# --- HTML ---------------------------------------------------------------------

ONE_PAGE = "book.html"


def page_name(chapter):
    return os.path.splitext(chapter)[0] + ".html"


def pandoc(src_md, out_html, title, pagetitle, before, after, toc, toc_depth=2):
    # --preserve-tabs: the code is indented with tabs (8 columns, the CSS
    # says); --columns: long table rows must not get fixed column widths.
    cmd = ["pandoc", "--from", "markdown", "--to", "html5", "--standalone",
           "--preserve-tabs", "--columns", "400",
           "--highlight-style", "tango", "--css", "style.css",
           "--metadata", "title=" + title, "--metadata", "pagetitle=" + pagetitle,
           "--metadata", "lang=en", "--include-before-body", before,
           "--include-after-body", after, "--output", out_html, src_md]
    if toc:
        cmd[1:1] = ["--toc", "--toc-depth", str(toc_depth)]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise BookError("pandoc is not installed (Debian package pandoc; `make deps`)")
    if r.returncode != 0:
        raise BookError("pandoc failed on %s:\n%s" % (os.path.basename(src_md), r.stdout))
    if r.stdout.strip():
        # A warning (a duplicate identifier, a missing file...) is a fault
        # in the book like any other.
        raise BookError("pandoc warned on %s:\n%s" % (os.path.basename(src_md), r.stdout.strip()))


def nav(chapters, i):
    links = ['<a href="index.html">Contents</a>', '<a href="%s">One page</a>' % ONE_PAGE]
    if i > 0:
        links.insert(0, '<a href="%s">&larr; %s</a>' %
                     (page_name(chapters[i - 1][0]), html.escape(chapters[i - 1][1])))
    if i + 1 < len(chapters):
        links.append('<a href="%s">%s &rarr;</a>' %
                     (page_name(chapters[i + 1][0]), html.escape(chapters[i + 1][1])))
    return '<nav class="book-nav">%s</nav>\n' % " ".join(links)


H2 = re.compile(r'<h2[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def sections(html_path):
    """(id, title html) of each level-2 heading pandoc wrote."""
    with open(html_path, encoding="utf-8") as f:
        text = f.read()
    return [(m.group(1), re.sub(r"<[^>]+>", "", m.group(2)).strip()) for m in H2.finditer(text)]


def md_escape(text):
    """Text as literal markdown (link text in the index)."""
    return re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", text)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build_chapters(chapters, out, tmp):
    for i, (name, title, md) in enumerate(chapters):
        src = os.path.join(tmp, name)
        write(src, label_headings(md, ""))
        write(src + ".nav.html", nav(chapters, i))
        pandoc(src, os.path.join(out, page_name(name)), title,
               "%s: %s" % (TITLE, title), src + ".nav.html", src + ".nav.html", toc=True)


def build_index(chapters, out, tmp):
    lines = ["This book goes with the code in the same tree: every listing in it",
             "is taken from the source when the book is built, and every picture",
             "is drawn from a text source in `book/figures/`. Build it with",
             "`make book`; read the chapters in order, or the whole book on",
             "[one page](%s)." % ONE_PAGE, ""]
    for part, members in by_part(chapters):
        lines += ["## %s" % md_escape(part), ""]
        for name, title, _ in members:
            page = page_name(name)
            lines.append("- [%s](%s)" % (md_escape(title), page))
            for sid, stitle in sections(os.path.join(out, page)):
                lines.append("    - [%s](%s#%s)" % (md_escape(html.unescape(stitle)), page, sid))
        lines.append("")
    src = os.path.join(tmp, "index.md")
    write(src, label_headings("\n".join(lines), "part-"))
    empty = os.path.join(tmp, "empty.html")
    write(empty, "")
    pandoc(src, os.path.join(out, "index.html"), TITLE + ": the book", TITLE, empty, empty,
           toc=False)


def build_one_page(chapters, out, tmp):
    """book.html: every chapter on one page, under its part's heading
    (parts are level 1, chapters 2, their sections 3). Each chapter's ids
    are prefixed with its name, and its links to other pages of the book
    become links within the page."""
    # (Pandoc takes an id in {#...} only if it starts with a letter.)
    pages = {page_name(name): "ch-" + os.path.splitext(name)[0] for name, _, _ in chapters}
    parts = []
    for part, members in by_part(chapters):
        parts.append("# %s {#part-%s .part}\n" % (part, slug(part)))
        for name, title, md in members:
            stem = pages[page_name(name)]
            body = demote_headings(label_headings(one_page_links(md, stem, pages), stem + "--"))
            parts.append("## %s {#%s .chapter}\n\n%s" % (title, stem, body))
    src = os.path.join(tmp, "book.md")
    write(src, "\n".join(parts))
    top = os.path.join(tmp, "one-page-nav.html")
    write(top, '<nav class="book-nav"><a href="index.html">Contents, one page per chapter</a>'
          '</nav>\n')
    pandoc(src, os.path.join(out, ONE_PAGE), TITLE + ": the book", TITLE, top, top,
           toc=True, toc_depth=3)


def build(out):
    chapters, count = load_chapters()
    os.makedirs(out, exist_ok=True)
    pages = {page_name(name) for name, _, _ in chapters} | {"index.html", ONE_PAGE}
    for old in os.listdir(out):
        if old.endswith(".html") and old not in pages:
            os.remove(os.path.join(out, old))  # a chapter renamed or removed
    for drawn in ("figures", "bench"):  # drawn afresh from their sources
        shutil.rmtree(os.path.join(out, drawn), ignore_errors=True)
    shutil.copy(os.path.join(BOOK, "style.css"), os.path.join(out, "style.css"))
    tmp = tempfile.mkdtemp(prefix="sidecar-book-")
    try:
        figures = draw_figures(chapters, out)
        build_chapters(chapters, out, tmp)
        build_index(chapters, out, tmp)
        build_one_page(chapters, out, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    checked = check_links(out)
    return len(chapters), count, figures, checked


# --- the link check -----------------------------------------------------------
#
# Every href and src in every page of a built book must lead somewhere: a
# file in the output directory and, after a '#', an id in that file. Links
# that leave the book (http:, mailto:) are not followed.

ID = re.compile(r'\bid="([^"]+)"')
REF = re.compile(r'\b(href|src)="([^"]*)"')


def check_links(out):
    """Check a built book in out; returns the number of links checked, or
    BookError listing every broken one."""
    if not os.path.isfile(os.path.join(out, "index.html")):
        raise BookError("%s: no index.html (build the book first: make book)" % out)
    ids, texts = {}, {}
    for f in sorted(os.listdir(out)):
        if f.endswith(".html"):
            with open(os.path.join(out, f), encoding="utf-8") as h:
                texts[f] = h.read()
            ids[f] = set(ID.findall(texts[f]))
    broken, count = [], 0
    for f, text in texts.items():
        for kind, ref in REF.findall(text):
            ref = html.unescape(ref)
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref):
                continue  # http:, https:, mailto:: not ours to check
            count += 1
            target, _, frag = ref.partition("#")
            page = target or f
            if not target and kind == "src":
                broken.append("%s: empty %s" % (f, kind))
            elif not os.path.exists(os.path.join(out, page)):
                broken.append("%s: %s=\"%s\": no file %s" % (f, kind, ref, page))
            elif frag and page.endswith(".html") and frag not in ids.get(page, ()):
                broken.append("%s: %s=\"%s\": no id \"%s\" in %s" % (f, kind, ref, frag, page))
    if broken:
        raise BookError("%d broken link%s in %s:\n  %s" % (
            len(broken), "" if len(broken) == 1 else "s", out, "\n  ".join(broken)))
    return count


def self_test():
    """The checks must be able to fail: a broken link, a missing id, a
    missing page and a missing image in a made-up book are each reported,
    and a link out of the book is not; heading ids and one-page links are
    made as the build needs them."""
    tmp = tempfile.mkdtemp(prefix="sidecar-book-test-")
    try:
        write(os.path.join(tmp, "index.html"),
              '<a href="a.html#x">ok</a> <a href="a.html#gone">no id</a> '
              '<a href="missing.html">no page</a> <img src="figures/none.svg"> '
              '<a href="https://example.com/">out</a> <a href="#top">ok</a><p id="top"></p>')
        write(os.path.join(tmp, "a.html"), '<h2 id="x">x</h2>')
        try:
            check_links(tmp)
            raise BookError("self-test: the link check found nothing wrong in a broken book")
        except BookError as e:
            found = str(e)
        for want in ('no id "gone"', "no file missing.html", "no file figures/none.svg",
                     "3 broken links"):
            if want not in found:
                raise BookError("self-test: the link check did not report %r:\n%s" % (want, found))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    md = "## Lab 1, part 2: `ap_send_init_sipi`\n```\n## not a heading\n```\n## Lab 1\n## Lab 1\n" \
         "See [this](#lab-1) and [that](02-x.html#y), ![a [b] c](figures/f.svg).\n"
    labelled = label_headings(md, "ch-01--")
    for want in ("{#ch-01--lab-1-part-2-ap_send_init_sipi}", "{#ch-01--lab-1}", "{#ch-01--lab-1-1}",
                 "## not a heading\n"):
        if want not in labelled:
            raise BookError("self-test: heading ids: %r missing in:\n%s" % (want, labelled))
    linked = one_page_links(md, "ch-01", {"02-x.html": "ch-02-x"})
    for want in ("(#ch-01--lab-1)", "(#ch-02-x--y)", "(figures/f.svg)"):
        if want not in linked:
            raise BookError("self-test: one-page links: %r missing in:\n%s" % (want, linked))
    if images_of(md) != ["figures/f.svg"]:
        raise BookError("self-test: images found: %r" % images_of(md))
    if not check_chapter_number("01-x.md", "# Chapter 2 — x\n") or \
            check_chapter_number("02-x.md", "# Chapter 2 — x\n"):
        raise BookError("self-test: a chapter number that is not its file's was not caught")
    # A test table: made from LABS, and a stale one in a handout is found.
    lab = min(lab_tests())
    table = tests_table(lab)
    if not all(("| %s |" % cell(t.name)) in "\n".join(table) for t in tests_of(lab)):
        raise BookError("self-test: lab %d's test table misses a test:\n%s" % (lab, "\n".join(table)))
    stale = "x\n<!-- tests %d: made by tools/book.py --update-handouts from tests/lab_tests.py -->\n" \
        "| old |\n%s\ny\n" % (lab, HANDOUT_END % lab)
    fresh, errs = handout_tables(os.path.join(ROOT, "labs", "x.md"), stale)
    if errs or fresh == stale or "| old |" in fresh or "\n".join(table) not in fresh:
        raise BookError("self-test: a stale handout table was not remade: %r %s" % (fresh, errs))
    t0 = tests_of(lab)[0]
    block = "```\n$ make grade LAB=%d\n%d     %s    %d/%d   pass\n%d     no such test    1/1   pass\n```\n"
    found = check_grade_blocks("x.md", block % (lab, lab, t0.name, t0.points + 1, t0.points + 1,
                                                lab))
    if len(found) != 2 or "worth" not in found[0] or "no test" not in found[1]:
        raise BookError("self-test: a grade block's wrong points and test were not caught: %s"
                        % found)
    # A questions file: the instructor's copy is the student's plus '>' answers.
    asked = "## 1. Why?\n\nSay why.\n\n## 2. How?\n"
    answered = "## 1. Why?\n\nSay why.\n\n> **Answer.** Because.\n> Really.\n\n## 2. How?\n\n> So.\n"
    if without_answers(answered) != without_answers(asked) or \
            without_answers(answered.replace("Say why", "Say how")) == without_answers(asked):
        raise BookError("self-test: a questions file's answers were not told from its questions")
    figure = expand_figures("x.md", '{{test %d "%s" points}} points\n' % (lab, tests_of(lab)[0].name))
    if figure != ("%d points\n" % tests_of(lab)[0].points, []):
        raise BookError("self-test: a test figure: %r" % (figure,))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", help="write the HTML book into this directory")
    g.add_argument("--check", action="store_true",
                   help="check the chapters' excerpt directives and images only (no pandoc)")
    g.add_argument("--check-links", metavar="DIR",
                   help="check every link and image of the book built in DIR")
    g.add_argument("--self-test", action="store_true",
                   help="show that the checks find what they must (no pandoc)")
    g.add_argument("--update-handouts", action="store_true",
                   help="rewrite the handouts' test tables from tests/lab_tests.py, and each "
                   "instructor's copy below its line from the student's")
    a = p.parse_args()
    try:
        if a.check:
            chapters, count = load_chapters()
            images = len({i for _, _, md in chapters for i in images_of(md)})
            print("book: %d chapters, %d excerpts, %d figures, all found" %
                  (len(chapters), count, images))
        elif a.update_handouts:
            n, errors = check_handouts(update=True)
            if errors:
                raise BookError("\n  ".join(errors))
            print("book: %d handouts made up to date" % n)
        elif a.self_test:
            self_test()
            print("book: self-test passed: broken links, ids, pages and images, chapter numbers, "
                  "stale test tables, grade outputs and questions without their answers are caught")
        elif a.check_links:
            print("book: %d links and images in %s, none broken" %
                  (check_links(a.check_links), a.check_links))
        else:
            out = a.out if os.path.isabs(a.out) else os.path.join(os.getcwd(), a.out)
            n, count, figures, links = build(out)
            print("book: %d chapters, %d excerpts, %d figures, %d links checked -> %s (one page: %s)" %
                  (n, count, figures, links, os.path.relpath(os.path.join(out, "index.html")),
                   os.path.relpath(os.path.join(out, ONE_PAGE))))
    except BookError as e:
        sys.exit("book: %s" % e)


if __name__ == "__main__":
    main()
