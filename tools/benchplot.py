#!/usr/bin/env python3
"""benchplot.py - draw make bench's charts as SVG, with matplotlib.

Reads results.csv and timeline.csv (written by tools/bench.py; the book
keeps one real run's copies in book/data/) and writes:
  bringup.svg     bring-up time per CPU count, sidecar against Linux (log scale)
  timeline.svg    one row per CPU: started, came up, idle/online - both systems
  roundtrips.svg  round trips, median with a min-max whisker (log scale)
  memory.svg      memory per CPU
  boot.svg        time until Linux's /init runs

  /usr/bin/python3 tools/benchplot.py <dir with the CSVs> <output dir>

matplotlib is Debian's python3-matplotlib (`make deps`), drawing without a
display (Agg). The SVG keeps its text as text, and is the same file every
time from the same CSVs: no date in it, and its element ids come from a
fixed salt, so rebuilding the book changes nothing. A chart whose figures
are missing is not drawn.
"""
import csv
import math
import os
import sys

import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

COLORS = {"sidecar": "#1b7837", "linux": "#b2182b", "other": "#5e3c99", "alone": "#999999"}
STYLE = {"svg.fonttype": "none",          # <text> elements, not glyph outlines
         "svg.hashsalt": "sidecar-bench",  # the same clip-path ids every time
         "font.family": "sans-serif", "font.size": 10,
         "axes.spines.top": False, "axes.spines.right": False}


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


def label_number(v, _pos=None):
    if v == int(v) and v < 1e6:
        return "%d" % v
    return "%.0f" % v if v >= 100 else "%.1f" % v if v >= 10 else "%.3g" % v


def save(fig, path):
    fig.savefig(path, format="svg", metadata={"Date": None})
    return path


def hbars(path, title, unit, bars, log=False):
    """bars: (label, value, color, lo, hi) - lo/hi draw a whisker (or None)."""
    bars = [b for b in bars if b[1] is not None and b[1] > 0]
    if not bars:
        return None
    labels, values, colors, lo, hi = zip(*bars)
    fig = Figure(figsize=(9, 0.8 + 0.3 * len(bars)), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, fontweight="bold")
    y = range(len(bars))
    left = 0
    if log:
        ax.set_xscale("log")
        low = min(min(v, l or v) for v, l in zip(values, lo))
        high = max(max(v, h or 0) for v, h in zip(values, hi))
        left = 10.0 ** (math.floor(math.log10(low)) - 1)  # every bar visibly long
        ax.set_xlim(left, 10.0 ** max(math.ceil(math.log10(high)), math.log10(left) + 1))
        ax.xaxis.set_major_formatter(FuncFormatter(label_number))
    ax.barh(y, [v - left for v in values], left=left, height=0.7, color=colors)
    w = [i for i in y if lo[i] is not None and hi[i] is not None]
    if w:
        ax.errorbar([values[i] for i in w], w, fmt="none", ecolor="black", capsize=4,
                    xerr=[[values[i] - lo[i] for i in w], [hi[i] - values[i] for i in w]]
                    ).lines[2][0].set_gid("whiskers")
    for i, end in enumerate(max(v, h or 0) for v, h in zip(values, hi)):
        ax.annotate("%s %s" % (label_number(values[i]), unit), (end, i), xytext=(5, 0),
                    textcoords="offset points", va="center", fontsize=9, annotation_clip=False)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(unit + (" (log scale)" if log else ""))
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    return save(fig, path)


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
                             COLORS["alone"] if "alone" in name else COLORS["other"]
                             if "SDM" in name else color_of(system), None, None))
    return hbars(os.path.join(out, "bringup.svg"), "Starting the APs", "ms", bars, log=True)


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
                 "Round trips: median, whisker min to max", "us", bars, log=True)


def draw_memory(rows, out):
    bars = []
    for r in rows:
        if r["section"] == "memory" and r["measure"] in ("reserved per CPU", "per online CPU"):
            name = "sidecar: reserved per CPU" if r["system"] == "sidecar" else \
                "Linux: per online CPU"
            bars.append(("%s (%d CPUs)" % (name, r["cpus"]), r["value"], color_of(r["system"]),
                         None, None))
    return hbars(os.path.join(out, "memory.svg"), "Memory per CPU", "KiB", bars, log=True)


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
    n = max(r["cpu"] for r in timeline if r["cpus"] == cpus and r["system"] in panels)
    fig = Figure(figsize=(4.5 * len(panels) + 0.5, 1.6 + min(6.5, 0.1 * n)), layout="constrained")
    fig.suptitle("Bring-up timeline, %d CPUs: one row per AP" % cpus, fontweight="bold")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, system in zip(axes, panels):
        rs = sorted((r for r in timeline if r["cpus"] == cpus and r["system"] == system),
                    key=lambda r: r["cpu"])
        cpu = [r["cpu"] for r in rs]
        for bars, kind in ((ax.barh(cpu, [r["up_ms"] - r["init_ms"] for r in rs], height=0.3,
                                    left=[r["init_ms"] for r in rs], color=COLORS["alone"]),
                            "started"),
                           (ax.barh(cpu, [r["idle_ms"] - r["up_ms"] for r in rs], height=0.8,
                                    left=[r["up_ms"] for r in rs], color=COLORS[system]), "up")):
            for c, bar in zip(cpu, bars):
                bar.set_gid("%s-cpu%d-%s" % (system, c, kind))
        # Where a node's rows begin (timeline.csv's node column, if there is
        # one): the nodes' first CPUs should start together.
        for i, r in enumerate(rs):
            if isinstance(r.get("node"), int) and (i == 0 or rs[i - 1].get("node") != r["node"]):
                ax.axhline(r["cpu"] - 0.5, color="#bbbbbb", linestyle=":", linewidth=0.8)
                ax.annotate("node %d" % r["node"], (0, r["cpu"] - 0.5), xytext=(-3, -2),
                            textcoords="offset points", xycoords=("axes fraction", "data"),
                            ha="right", va="top", fontsize=7)
        ax.set_title("sidecar (fan-out)" if system == "sidecar" else
                     "Linux (one CPU after another)", color=COLORS[system], fontweight="bold")
        ax.set_xlim(0, max(r["idle_ms"] for r in rs) or 1.0)
        ax.set_xlabel("ms after the first INIT")
        ax.grid(axis="x", color="#dddddd")
        ax.set_axisbelow(True)
    axes[0].set_ylabel("CPU")
    axes[0].set_ylim(n + 0.5, 0.5)
    fig.supxlabel("grey: INIT-SIPI-SIPI sent until the CPU runs kernel code\n"
                  "colour: until idle (sidecar) or online (Linux)", fontsize=9)
    return save(fig, os.path.join(out, name + ".svg"))


def draw_all(data_dir, out_dir):
    """Every chart the CSVs in data_dir have figures for; returns the paths."""
    os.makedirs(out_dir, exist_ok=True)
    rows = read_csv(os.path.join(data_dir, "results.csv"))
    timeline = read_csv(os.path.join(data_dir, "timeline.csv"))
    with matplotlib.rc_context(STYLE):
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
