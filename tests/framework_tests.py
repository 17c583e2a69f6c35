"""framework_tests.py - tests of the framework itself (not graded).

They run against the solutions in `make test`: the framework's own parsers
and builders (unit suites), the monitor's behaviour, the shim's options.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from harness import ROOT, Boot, Unit, expect_line  # noqa: E402
from bench_tests import BENCH  # noqa: E402  (make bench: tests/bench_tests.py)

class TypedRun:
    """`make qemu SOLUTION=1 RUN=...` as a user types it (here without a
    shell: the argument is make's as is), with quotes, $, backquotes,
    $(...) for the shell and for make, a backslash and semicolons: each
    command must reach the guest exactly - linux-stub's monitor echoes
    "stub> <cmd>", lab 7's /init "linux# <cmd>" and runs it with sh -c - and
    nothing of it may run on the host (it would create files)."""
    points = 0

    def __init__(self, linux=False):
        self.linux = linux
        self.name = "make %s: RUN reaches the guest as typed, nothing runs on the host" % (
            "qemu-linux" if linux else "qemu")

    def run(self, tree):
        if tree != "solution":
            return False, "runs make with SOLUTION=1: only on the solution tree"
        d = tempfile.mkdtemp(prefix="sidecar-typed-run-")
        if self.linux:
            cmds = ["sh -c 'echo typed $0 `echo bq`'", "echo $(touch %s/sh) `touch %s/bq` "
                    "$(shell touch %s/make) done" % (d, d, d)]
            target, echo, extra = "qemu-linux", "linux# ", ["TIMEOUT=240"]
        else:
            cmds = ["help 'it''s' \\back $HOME $$x", "help `touch %s/bq`" % d,
                    "help $(touch %s/sh) $(shell touch %s/make)" % (d, d), "status"]
            target, echo, extra = "qemu", "stub> ", ["SMP=1", "TIMEOUT=60"]
        run = ";".join(cmds)
        r = subprocess.run(["make", "--no-print-directory", "-C", ROOT, target, "SOLUTION=1",
                            "RUN=" + run] + extra,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ran = os.listdir(d)
        if ran:
            return False, "the host ran part of RUN: it created %s in %s" % (", ".join(ran), d)
        os.rmdir(d)
        echoed = re.findall(r"^%s(.*)$" % re.escape(echo), r.stdout, re.M)
        if echoed != cmds:
            return False, "the guest got %r for RUN=%r" % (echoed, run)
        if self.linux and not re.search(r"^typed sh bq$", r.stdout, re.M):
            return False, "the guest's sh -c did not print 'typed sh bq': %s" % (
                r.stdout[-400:])
        if r.returncode != 0:
            return False, "make %s failed (%d): %s" % (target, r.returncode, r.stdout[-400:])
        return True, ""


FRAMEWORK = [
    TypedRun(),
    TypedRun(linux=True),  # lab 7's Debian kernel: needs `make linux` (test.py builds it)
    Unit("acpi tables", "acpi"),
    Unit("machine from ACPI", "machine"),
    Unit("e820 map builder", "e820"),
    Unit("zero page and command line for a bzImage", "bootproto"),
    Unit("command lines", "cmdline"),
    Unit("physical memory allocator", "physmem"),
    Unit("formatting and numbers", "fmt"),
    Unit("skeleton generator", "mklab"),
    Boot("monitor: a failing command fails the run", "status; frobnicate", smp=1,
         expect_exit=1,
         checks=[expect_line(r"^error: unknown command 'frobnicate'"),
                 expect_line(r"^run: 2 commands, 1 failed$")]),
    Boot("monitor: help and sleep", "help; sleep 100", smp=1,
         checks=[expect_line(r"^  status "), expect_line(r"^run: 2 commands, 0 failed$")]),
    Boot("monitor: bad arguments are errors", "sleep; sleep x", smp=1, expect_exit=1,
         checks=[expect_line(r"^error: usage: sleep <milliseconds>"),
                 expect_line(r"^run: 2 commands, 2 failed$")]),
    Boot("shim: unknown options are reported", "status", smp=1, shim_args="frobnicate=1",
         checks=[expect_line(r"^shim: warning: unknown option 'frobnicate' ignored")]),
    Boot("shim: sidecar=off keeps every CPU from the sidecar", "status", smp=4,
         shim_args="sidecar=off",
         checks=[expect_line(r"^shim: the policy gives the sidecar no CPU: booting without it$"),
                 expect_line(r"^cpu 0 apic 0 node 0 linux$"),
                 expect_line(r"^cpu 3 apic 3 node 0 offline$")]),
    # Bring-up (kernel/start.c, lab 1's fan-out): node 1's only sidecar CPU
    # is a phantom among the first CPUs started together: it fails in time
    # and node 0 comes up regardless.
    Boot("bring-up: a node whose first CPU never answers", "status", smp=4, nodes=2,
         shim_args="phantom_cpu=9 ap_timeout_ms=300 main_cpus=0,2,3",
         checks=[expect_line(r"^shim: fault injection: phantom CPU with APIC ID 9 in node 1$"),
                 expect_line(r"^sidecar: cpu 4 apic 9 did not start \(no answer in time\)"),
                 expect_line(r"^shim: sidecar: 1 CPUs idle, 1 failed"),
                 expect_line(r"^cpu 1 apic 1 node 0 idle$"),
                 expect_line(r"^cpu 4 apic 9 node 1 failed$")]),
    # Node 1 has one sidecar CPU (15), node 0 seven: once 15 is up its own
    # node is done, and it helps start node 0's.
    Boot("bring-up: a finished node's CPU helps the others", "timeline", smp=16, nodes=2,
         shim_args="main_cpus=0,8,9,10,11,12,13,14",
         checks=[expect_line(r"^timeline: cpu [1-7] apic [1-7] node 0 starter 15 ",
                             "CPU 15 (node 1) started a CPU of node 0"),
                 expect_line(r"^shim: sidecar: 8 CPUs idle, 0 failed")]),
    Boot("VP: a guest gets no floating point (#NM), then runs on", "run 1 fpu; run 1 hello",
         smp=4,
         checks=[expect_line(r"^exit: cpu 1 exception #NM device not available \(vector 7\)"),
                 expect_line(r"^\[cpu 1\] fpu: no floating point here, as it should be$"),
                 expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$")]),
    Boot("VP: every guest program runs to its end", "run 1 ports; run 1 hypercall; run 2 fault",
         smp=4,
         checks=[expect_line(r"^run: cpu 1 guest ports: halted"),
                 expect_line(r"^run: cpu 1 guest hypercall: halted"),
                 expect_line(r"^run: cpu 2 guest fault: ended by mmio")]),
]
FRAMEWORK += BENCH
