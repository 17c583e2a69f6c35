#!/usr/bin/env python3
"""benchplot.py - draw make bench's charts as SVG, with nothing but Python.

Reads results.csv and timeline.csv (written by tools/bench.py; the book
keeps one real run's copies in book/data/) and writes:
  bringup.svg     bring-up time per CPU count, sidecar against Linux (log scale)
  timeline.svg    one row per CPU: started, came up, idle/online - both systems
  roundtrips.svg  round trips, median with a min-max whisker (log scale)
  memory.svg      memory per CPU
  boot.svg        time until Linux's /init runs

  python3 tools/benchplot.py <dir with the CSVs> <output dir>

SVG is text: each chart is a list of <rect>, <line> and <text> elements,
which is all a bar chart needs. A chart whose figures are missing is not
drawn.
"""
import csv
import math
import os
import sys
from xml.sax.saxutils import escape

COLORS = {"sidecar": "#1b7837", "linux": "#b2182b", "other": "#5e3c99"}
FONT = 'font-family="sans-serif" font-size="12"'


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("value", "init_ms", "up_ms", "idle_ms"):
            if k in r and r[k] not in (None, ""):
                r[k] = float(r[k])
        for k in ("cpus", "cpu", "node", "starter"):
            if k in r and r[k] not in (None, ""):
                r[k] = int(r[k])
    return rows


class Svg:
    def __init__(self, width, height, title):
        self.w, self.h = width, height
        self.items = ['<rect width="%d" height="%d" fill="white"/>' % (width, height)]
        self.text(width / 2, 20, title, anchor="middle", size=14, bold=True)

    def rect(self, x, y, w, h, color, title=None):
        t = "<title>%s</title>" % escape(title) if title else ""
        self.items.append('<rect x="%.1f" y="%.2f" width="%.1f" height="%.2f" fill="%s">%s'
                          '</rect>' % (x, y, max(w, 0.5), h, color, t))

    def line(self, x1, y1, x2, y2, color="#444", width=1, dash=None):
        d = ' stroke-dasharray="%s"' % dash if dash else ""
        self.items.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" '
                          'stroke-width="%s"%s/>' % (x1, y1, x2, y2, color, width, d))

    def text(self, x, y, s, anchor="start", size=12, bold=False, color="#000"):
        self.items.append('<text x="%.1f" y="%.1f" text-anchor="%s" font-family="sans-serif" '
                          'font-size="%d"%s fill="%s">%s</text>' %
                          (x, y, anchor, size, ' font-weight="bold"' if bold else "", color,
                           escape(str(s))))

    def write(self, path):
        with open(path, "w") as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                    'viewBox="0 0 %d %d">\n' % (self.w, self.h, self.w, self.h))
            f.write("\n".join(self.items))
            f.write("\n</svg>\n")


def label_number(v):
    if v == int(v) and v < 1e6:
        return "%d" % v
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.3g" % v


def hbars(path, title, unit, bars, log=False):
    """bars: (label, value, color, lo, hi) - lo/hi draw a whisker (or None)."""
    bars = [b for b in bars if b[1] is not None and b[1] > 0]
    if not bars:
        return None
    left, right, top, row = 330, 90, 40, 26
    width = 900
    height = top + row * len(bars) + 56
    svg = Svg(width, height, title)
    top_value = max(max(b[1], b[4] or 0) for b in bars)
    low_value = min(min(b[1], b[3] or b[1]) for b in bars)
    if log:
        lo_exp = math.floor(math.log10(low_value)) - 1  # every bar visibly long
        hi_exp = math.ceil(math.log10(top_value))
        if hi_exp == lo_exp:
            hi_exp += 1

        def x(v):
            return left + (math.log10(max(v, 10 ** lo_exp)) - lo_exp) / (hi_exp - lo_exp) * \
                (width - left - right)
        ticks = [10 ** e for e in range(lo_exp, hi_exp + 1)]
    else:
        scale = 10 ** math.floor(math.log10(top_value))
        top_tick = math.ceil(top_value / scale) * scale

        def x(v):
            return left + v / top_tick * (width - left - right)
        ticks = [top_tick * i / 5 for i in range(6)]
    axis_y = top + row * len(bars) + 4
    for t in ticks:
        svg.line(x(t), top - 4, x(t), axis_y, color="#ddd")
        svg.text(x(t), axis_y + 16, label_number(t), anchor="middle", size=11)
    svg.text(left + (width - left - right) / 2, axis_y + 34, unit, anchor="middle", size=11)
    for i, (label, value, color, lo, hi) in enumerate(bars):
        y = top + i * row
        svg.text(left - 8, y + row * 0.65, label, anchor="end", size=12)
        svg.rect(left, y + 4, x(value) - left, row - 8, color,
                 "%s: %s %s" % (label, label_number(value), unit))
        if lo is not None and hi is not None:
            mid = y + row / 2
            svg.line(x(lo), mid, x(hi), mid, color="#000")
            svg.line(x(lo), mid - 5, x(lo), mid + 5, color="#000")
            svg.line(x(hi), mid - 5, x(hi), mid + 5, color="#000")
        svg.text(max(x(value), x(hi) if hi else 0) + 6, y + row * 0.65,
                 "%s %s" % (label_number(value), unit), size=11)
    svg.line(left, top - 4, left, axis_y)
    svg.write(path)
    return path


def find(rows, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r["value"]
    return None


def color_of(system):
    return COLORS["linux"] if system.startswith("linux") else COLORS["sidecar"]


def draw_bringup(rows, out):
    bars = []
    for cpus in sorted({r["cpus"] for r in rows if r["section"] == "bringup"}):
        for measure, system, name in (
                ("first INIT to every AP idle", "sidecar", "sidecar"),
                ("first INIT to every AP idle, SDM delays", "sidecar", "sidecar, SDM delays"),
                ("BSP starts every AP itself (serial_start), SDM delays", "sidecar",
                 "sidecar, BSP alone, SDM delays"),
                ("SMP bring-up (dmesg)", "linux", "Linux")):
            v = find(rows, section="bringup", measure=measure, cpus=cpus, system=system)
            if v is not None:
                bars.append(("%s, %d APs" % (name, cpus - 1), v,
                             "#999" if "alone" in name else COLORS["other"] if "SDM" in name
                             else color_of(system), None, None))
    return hbars(os.path.join(out, "bringup.svg"), "Starting the APs (log scale)", "ms", bars,
                 log=True)


def draw_roundtrips(rows, out):
    bars = []
    seen = []
    for r in rows:
        if r["section"] == "roundtrip" and (r["measure"], r["system"]) not in seen:
            seen.append((r["measure"], r["system"]))
    for measure, system in seen:
        stat = {s: find(rows, section="roundtrip", measure=measure, system=system, stat=s)
                for s in ("min", "median", "max")}
        bars.append((measure, stat["median"], color_of(system), stat["min"], stat["max"]))
    return hbars(os.path.join(out, "roundtrips.svg"),
                 "Round trips: median, whisker min to max (log scale)", "us", bars, log=True)


def draw_memory(rows, out):
    bars = []
    for r in rows:
        if r["section"] == "memory" and r["measure"] in ("reserved per CPU", "per online CPU"):
            name = "sidecar: reserved per CPU" if r["system"] == "sidecar" else \
                "Linux: per online CPU"
            bars.append(("%s (%d CPUs)" % (name, r["cpus"]), r["value"], color_of(r["system"]),
                         None, None))
    return hbars(os.path.join(out, "memory.svg"), "Memory per CPU (log scale)", "KiB", bars,
                 log=True)


def draw_boot(rows, out):
    bars = [("%s, %d CPUs" % (r["system"], r["cpus"]), r["value"], color_of(r["system"]),
             None, None) for r in rows if r["section"] == "boot" and r["measure"] == "time to /init"]
    return hbars(os.path.join(out, "boot.svg"), "Linux: time until /init runs", "s", bars)


def timeline_shapes(timeline):
    """The machine sizes a timeline chart is drawn for: the one nearest 64
    CPUs (timeline.svg), preferring one both systems ran, and the largest
    (timeline-big.svg) when it is another."""
    by_cpus = {}
    for r in timeline:
        by_cpus.setdefault(r["cpus"], set()).add(r["system"])
    if not by_cpus:
        return {}
    both = [c for c, s in by_cpus.items() if len(s) == 2]
    middle = min(both or by_cpus, key=lambda c: abs(c - 64))
    shapes = {"timeline": (middle, by_cpus[middle])}
    if max(by_cpus) != middle:
        shapes["timeline-big"] = (max(by_cpus), by_cpus[max(by_cpus)])
    return shapes


def draw_timeline(timeline, out, cpus, systems, name):
    """One panel per system, one row per CPU: a thin bar from the moment its
    starter began INIT-SIPI-SIPI to the moment it ran kernel code, a thick
    one from then until it was idle (sidecar) or online (Linux)."""
    panels = [s for s in ("sidecar", "linux") if s in systems]
    rows_of = {s: sorted((r for r in timeline if r["cpus"] == cpus and r["system"] == s),
                         key=lambda r: r["cpu"]) for s in panels}
    n = max(len(v) for v in rows_of.values())
    # Rows of 3 to 10 pixels; a thousand CPUs share 600 pixels (fractions of one).
    row = max(3, min(10, 600 // max(n, 1))) if n <= 200 else 600 / n
    panel_w, left, top = 430, 50, 50
    width = left + len(panels) * (panel_w + 40)
    height = top + n * row + 60
    svg = Svg(width, height, "Bring-up timeline, %d CPUs: one row per AP" % cpus)
    for p, system in enumerate(panels):
        rs = rows_of[system]
        x0 = left + p * (panel_w + 40)
        end = max(r["idle_ms"] for r in rs) or 1.0
        scale = 10 ** math.floor(math.log10(end))
        top_tick = math.ceil(end / scale) * scale

        def x(v):
            return x0 + v / top_tick * panel_w
        label = "sidecar (fan-out)" if system == "sidecar" else "Linux (one CPU after another)"
        svg.text(x0 + panel_w / 2, top - 14, label, anchor="middle", bold=True,
                 color=COLORS[system])
        axis_y = top + n * row + 4
        for i in range(6):
            t = top_tick * i / 5
            svg.line(x(t), top - 4, x(t), axis_y, color="#ddd")
            svg.text(x(t), axis_y + 16, label_number(t), anchor="middle", size=11)
        svg.text(x0 + panel_w / 2, axis_y + 34, "ms after the first INIT", anchor="middle",
                 size=11)
        for i, r in enumerate(rs):
            y = top + i * row
            # Where a node's rows begin (timeline.csv's node column, if
            # there is one): the nodes' first CPUs should start together.
            if isinstance(r.get("node"), int) and (i == 0 or rs[i - 1].get("node") != r["node"]):
                svg.line(x0, y, x0 + panel_w, y, color="#bbb", dash="2,2")
                svg.text(x0 - 4, y + 10, "node %d" % r["node"], anchor="end", size=9)
            svg.rect(x(r["init_ms"]), y + row * 0.35, x(r["up_ms"]) - x(r["init_ms"]), row * 0.3,
                     "#999", "cpu %d: started %.3f ms" % (r["cpu"], r["init_ms"]))
            svg.rect(x(r["up_ms"]), y + 1, x(r["idle_ms"]) - x(r["up_ms"]), max(row - 2, 1),
                     COLORS[system], "cpu %d: up %.3f ms, %s %.3f ms" %
                     (r["cpu"], r["up_ms"], "idle" if system == "sidecar" else "online",
                      r["idle_ms"]))
        svg.line(x0, top - 4, x0, axis_y)
    svg.text(left, height - 8, "grey: INIT-SIPI-SIPI sent until the CPU runs kernel code; "
             "colour: until idle (sidecar) or online (Linux)", size=11)
    path = os.path.join(out, name + ".svg")
    svg.write(path)
    return path


def draw_all(data_dir, out_dir):
    """Every chart the CSVs in data_dir have figures for; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    rows = read_csv(os.path.join(data_dir, "results.csv"))
    timeline = read_csv(os.path.join(data_dir, "timeline.csv"))
    drawn = [draw_bringup(rows, out_dir)]
    drawn += [draw_timeline(timeline, out_dir, cpus, systems, name)
              for name, (cpus, systems) in timeline_shapes(timeline).items()]
    drawn += [draw_roundtrips(rows, out_dir), draw_memory(rows, out_dir),
              draw_boot(rows, out_dir)]
    return [p for p in drawn if p]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: benchplot.py <dir with results.csv and timeline.csv> <output dir>")
    if not os.path.exists(os.path.join(sys.argv[1], "results.csv")):
        sys.exit("benchplot: no results.csv in %s" % sys.argv[1])
    for p in draw_all(sys.argv[1], sys.argv[2]):
        print(p)


if __name__ == "__main__":
    main()
