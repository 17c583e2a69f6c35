"""bench_tests.py - `make bench` runs and says something well-formed.

Two tests for `make test` (listed in framework_tests.py's FRAMEWORK):
  - the charts (tools/benchplot.py) drawn from a canned CSV: every chart is
    written, parses as XML, and carries the bars and labels of its figures;
  - the benchmark's quick mode against the solutions: it finishes, its CSVs
    have the columns bench.py promises and numbers in them, its charts parse.
Neither asserts a figure: timing under emulation on a shared host is noise.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import benchplot  # noqa: E402
from harness import Boot, expect_line  # noqa: E402
from bench import RESULT_COLUMNS, TIMELINE_COLUMNS  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"

CANNED_RESULTS = """section,measure,cpus,system,stat,value,unit
bringup,first INIT to every AP idle,64,sidecar,value,6.5,ms
bringup,"first INIT to every AP idle, SDM delays",64,sidecar,value,61,ms
bringup,SMP bring-up (dmesg),64,linux,value,7340,ms
boot,time to /init,64,"linux, every CPU",value,19.9,s
boot,time to /init,64,linux + sidecar,value,5.1,s
memory,reserved per CPU,64,sidecar,value,20,KiB
memory,per online CPU,64,linux,value,1090,KiB
roundtrip,"no-op command, from Linux",64,sidecar,min,12.5,us
roundtrip,"no-op command, from Linux",64,sidecar,median,12.8,us
roundtrip,"no-op command, from Linux",64,sidecar,max,9220,us
roundtrip,smp_call_function_single,64,linux,min,13.9,us
roundtrip,smp_call_function_single,64,linux,median,14.2,us
roundtrip,smp_call_function_single,64,linux,max,2231,us
"""
CANNED_TIMELINE = """system,cpus,cpu,starter,init_ms,up_ms,idle_ms
sidecar,64,1,0,0,0.6,4.5
sidecar,64,2,1,0.9,1.4,5.0
sidecar,64,3,2,1.6,1.9,4.7
linux,64,1,0,0,55,110
linux,64,2,0,110,170,230
"""
EXPECTED_CHARTS = {"bringup.svg", "timeline.svg", "roundtrips.svg", "memory.svg", "boot.svg"}


def parse_svg(path):
    """The root element, or an error string."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return "%s is not XML: %s" % (path, e)
    if root.tag != SVG + "svg":
        return "%s: root element %s, not svg" % (path, root.tag)
    return root


def texts(root):
    return [t.text or "" for t in root.iter(SVG + "text")]


class PlotTest:
    name = "bench: charts from a canned CSV are well-formed SVG"
    kind = "unit"

    def run(self, tree):
        tmp = tempfile.mkdtemp(prefix="sidecar-benchplot-")
        try:
            with open(os.path.join(tmp, "results.csv"), "w") as f:
                f.write(CANNED_RESULTS)
            with open(os.path.join(tmp, "timeline.csv"), "w") as f:
                f.write(CANNED_TIMELINE)
            drawn = {os.path.basename(p) for p in benchplot.draw_all(tmp, tmp)}
            if drawn != EXPECTED_CHARTS:
                return False, "drew %s, expected %s" % (sorted(drawn), sorted(EXPECTED_CHARTS))
            roots = {}
            for name in drawn:
                root = parse_svg(os.path.join(tmp, name))
                if isinstance(root, str):
                    return False, root
                roots[name] = root
            bring = texts(roots["bringup.svg"])
            if not any("sidecar, 63 APs" in t for t in bring) or \
                    not any("Linux, 63 APs" in t for t in bring):
                return False, "bringup.svg lacks a bar label: %s" % bring
            # benchplot names each timeline bar <system>-cpu<N>-<started|up>
            # and the round trips' whiskers "whiskers" (matplotlib's gid).
            bars = [g for g in roots["timeline.svg"].iter(SVG + "g")
                    if re.fullmatch(r"(sidecar|linux)-cpu\d+-(started|up)", g.get("id", ""))]
            if len(bars) != 2 * 5:  # two bars per CPU row, five rows
                return False, "timeline.svg has %d bars, expected 10" % len(bars)
            whiskers = [g for g in roots["roundtrips.svg"].iter(SVG + "g")
                        if g.get("id") == "whiskers"]
            if not whiskers or len(whiskers[0].findall(SVG + "path")) != 2:
                return False, "roundtrips.svg lacks its two min-max whiskers"
            # Nothing to draw is not an error: no charts, no crash.
            empty = tempfile.mkdtemp(dir=tmp)
            with open(os.path.join(empty, "results.csv"), "w") as f:
                f.write(",".join(RESULT_COLUMNS) + "\n")
            if benchplot.draw_all(empty, empty):
                return False, "charts drawn from an empty CSV"
            return True, "%d charts" % len(drawn)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class QuickBenchTest:
    name = "bench: make bench QUICK=1 writes well-formed CSV and SVG"
    kind = "boot"

    def run(self, tree):
        out = os.path.join(ROOT, "build", "test-logs", "bench-quick")
        shutil.rmtree(out, ignore_errors=True)
        try:
            r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--quick",
                                "--no-build", "--out", out], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return False, "bench --quick took more than 900 s"
        if r.returncode != 0:
            return False, "bench --quick failed: %s" % r.stdout.strip()[-400:]
        if "\ntargets\n" not in r.stdout:
            return False, "no targets section in the table"
        for name, columns in (("results.csv", RESULT_COLUMNS),
                              ("timeline.csv", TIMELINE_COLUMNS)):
            with open(os.path.join(out, name), newline="") as f:
                reader = csv.DictReader(f)
                rows = list(reader)
            if reader.fieldnames != columns:
                return False, "%s columns %s, expected %s" % (name, reader.fieldnames, columns)
            if not rows:
                return False, "%s has no rows" % name
            numeric = ["value"] if name == "results.csv" else ["init_ms", "up_ms", "idle_ms"]
            for row in rows:
                for k in numeric:
                    try:
                        float(row[k])
                    except ValueError:
                        return False, "%s: %s=%r is not a number" % (name, k, row[k])
        with open(os.path.join(out, "results.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        sections = {row["section"] for row in rows}
        want = {"bringup", "boot", "memory", "roundtrip", "convert", "idle"}
        if not want <= sections:
            return False, "results.csv lacks sections %s" % sorted(want - sections)
        for name in EXPECTED_CHARTS:
            root = parse_svg(os.path.join(out, name))
            if isinstance(root, str):
                return False, root
        return True, "%d result rows" % len(rows)


# What bench.py reads from linux-stub, in the form it reads it.
TIMELINE = Boot("monitor: timeline and the exit round trip, as make bench reads them",
                "timeline; run 1 exits", smp=4, nodes=2, shim_args="modern_delays",
                checks=[expect_line(r"^timeline: cpu 3 apic 3 node 1 starter \d+ init \d+ "
                                    r"up \d+ idle \d+ us$"),
                        expect_line(r"^timeline: 2 CPUs, first INIT to last idle [0-9.]+ ms$"),
                        expect_line(r"^timeline: sidecar_start\(\) ran \d+ us before the "
                                    r"first INIT and \d+ us after the last idle$"),
                        expect_line(r"^\[cpu 1\] exits: 1000 round trips done$"),
                        expect_line(r"^run: cpu 1 exit round trip min \d+ median \d+ max \d+ "
                                    r"ns$")])

BENCH = [PlotTest(), TIMELINE, QuickBenchTest()]
