#!/usr/bin/env python3
"""book.py - build the Sidecar OS book (book/*.md) into HTML: `make book`.

The chapters are book/NN-name.md, in the order of their numeric prefix (or
in the order book/SUMMARY lists them, one file name per line, when that file
exists). Each becomes one HTML page made by pandoc; index.html holds the
table of contents and book/style.css is copied beside them.

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

usage: book.py --out DIR     build the HTML book into DIR
       book.py --check       only check every chapter's directives (no pandoc)
"""
import argparse
import atexit
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
        names = sorted((f for f in os.listdir(BOOK) if CHAPTER_NAME.match(f)),
                       key=lambda f: (int(CHAPTER_NAME.match(f).group(1)), f))
    if not names:
        raise BookError("book/: no chapters (expected files named like 00-introduction.md)")
    return names


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
        d = DIRECTIVE.match(line)
        if not d:
            if LOOKS_LIKE_DIRECTIVE.match(line) and "}}" in line:
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


def load_chapters():
    """[(file, title, expanded markdown)], or BookError listing every problem."""
    chapters, errors, count = [], [], 0
    for name in chapter_files():
        with open(os.path.join(BOOK, name), encoding="utf-8") as f:
            text = f.read()
        md, n, errs = expand(name, text)
        count += n
        errors += errs
        try:
            title, md = chapter_title(name, md)
        except BookError as e:
            errors.append(str(e))
            title = name
        chapters.append((name, title, md))
    if not os.path.isfile(os.path.join(BOOK, "style.css")):
        errors.append("book/style.css is missing")
    if errors:
        raise BookError("%d problem%s in the book:\n  %s" % (
            len(errors), "" if len(errors) == 1 else "s", "\n  ".join(errors)))
    return chapters, count


# --- HTML ---------------------------------------------------------------------

def page_name(chapter):
    return os.path.splitext(chapter)[0] + ".html"


def pandoc(src_md, out_html, title, pagetitle, before, after, toc):
    # --preserve-tabs: the code is indented with tabs (8 columns, the CSS
    # says); --columns: long table rows must not get fixed column widths.
    cmd = ["pandoc", "--from", "markdown", "--to", "html5", "--standalone",
           "--preserve-tabs", "--columns", "400",
           "--highlight-style", "tango", "--css", "style.css",
           "--metadata", "title=" + title, "--metadata", "pagetitle=" + pagetitle,
           "--metadata", "lang=en", "--include-before-body", before,
           "--include-after-body", after, "--output", out_html, src_md]
    if toc:
        cmd[1:1] = ["--toc", "--toc-depth", "2"]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError:
        raise BookError("pandoc is not installed (Debian package pandoc; `make deps`)")
    if r.returncode != 0:
        raise BookError("pandoc failed on %s:\n%s" % (os.path.basename(src_md), r.stdout))
    if r.stdout.strip():
        sys.stderr.write(r.stdout)


def nav(chapters, i):
    links = ['<a href="index.html">Contents</a>']
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


def build(out):
    chapters, count = load_chapters()
    os.makedirs(out, exist_ok=True)
    pages = {page_name(name) for name, _, _ in chapters} | {"index.html"}
    for old in os.listdir(out):
        if old.endswith(".html") and old not in pages:
            os.remove(os.path.join(out, old))  # a chapter renamed or removed
    shutil.copy(os.path.join(BOOK, "style.css"), os.path.join(out, "style.css"))
    # Chapter 9's charts (bench/*.svg), drawn from a real run's CSV in book/data.
    if os.path.exists(os.path.join(BOOK, "data", "results.csv")):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import benchplot
        benchplot.draw_all(os.path.join(BOOK, "data"), os.path.join(out, "bench"))
    tmp = tempfile.mkdtemp(prefix="sidecar-book-")
    try:
        for i, (name, title, md) in enumerate(chapters):
            src = os.path.join(tmp, name)
            before, after = src + ".before.html", src + ".after.html"
            with open(src, "w", encoding="utf-8") as f:
                f.write(md)
            with open(before, "w") as f:
                f.write(nav(chapters, i))
            with open(after, "w") as f:
                f.write(nav(chapters, i))
            pandoc(src, os.path.join(out, page_name(name)), title,
                   "%s: %s" % (TITLE, title), before, after, toc=True)

        lines = ["This book goes with the code in the same tree: every listing in it",
                 "is taken from the source when the book is built. Build it with",
                 "`make book`; read the chapters in order.", ""]
        for name, title, _ in chapters:
            page = page_name(name)
            lines.append("- [%s](%s)" % (md_escape(title), page))
            for sid, stitle in sections(os.path.join(out, page)):
                lines.append("    - [%s](%s#%s)" % (md_escape(html.unescape(stitle)), page, sid))
        src = os.path.join(tmp, "index.md")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        empty = os.path.join(tmp, "empty.html")
        open(empty, "w").close()
        pandoc(src, os.path.join(out, "index.html"), TITLE + ": the book",
               TITLE, empty, empty, toc=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(chapters), count


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", help="write the HTML book into this directory")
    g.add_argument("--check", action="store_true",
                   help="check the chapters' excerpt directives only (no pandoc)")
    a = p.parse_args()
    try:
        if a.check:
            chapters, count = load_chapters()
            print("book: %d chapters, %d excerpts, all found" % (len(chapters), count))
        else:
            out = a.out if os.path.isabs(a.out) else os.path.join(os.getcwd(), a.out)
            n, count = build(out)
            print("book: %d chapters, %d excerpts -> %s" %
                  (n, count, os.path.relpath(os.path.join(out, "index.html"))))
    except BookError as e:
        sys.exit("book: %s" % e)


if __name__ == "__main__":
    main()
