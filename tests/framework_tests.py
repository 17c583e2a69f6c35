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
from harness import (ROOT, Boot, Unit, expect_line, expect_no_line, expect_status,  # noqa: E402
                     node_of, status_lines)
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



BIG_SMP, BIG_NODES, PHANTOM_APIC = 1024, 8, 5000


def expect_count(pattern, n):
    """Exactly n lines match pattern."""
    rx = re.compile(pattern)

    def check(lines, t):
        got = sum(1 for l in lines if rx.search(l))
        return None if got == n else "%d lines match /%s/, expected %d" % (got, pattern, n)
    return check


def big_machine_status(lines, t):
    """`status` on the 1024-CPU machine: every CPU listed with APIC ID =
    index, the first CPU of each node linux-stub's and every other one idle,
    and the phantom CPU (an x2APIC ID no processor has) failed."""
    rows = status_lines(lines)
    phantom = [r for r in rows if r[1] == PHANTOM_APIC]
    if not phantom or phantom[-1][3] != "failed":
        return "the phantom CPU (APIC ID %d) is not reported failed: %s" % (PHANTOM_APIC, phantom)
    real = [r for r in rows if r[1] != PHANTOM_APIC][-BIG_SMP:]
    if len(real) != BIG_SMP:
        return "expected %d status lines besides the phantom's, found %d" % (BIG_SMP, len(real))
    for i, (cpu, apic, node, state) in enumerate(real):
        first = i == 0 or node_of(i, BIG_SMP, BIG_NODES) != node_of(i - 1, BIG_SMP, BIG_NODES)
        want = "linux" if first else "idle"
        if (cpu, apic, node, state) != (i, i, node_of(i, BIG_SMP, BIG_NODES), want):
            return "status line %d says cpu %d apic %d node %d %s, expected cpu %d apic %d node " \
                "%d %s" % (i, cpu, apic, node, state, i, i, node_of(i, BIG_SMP, BIG_NODES), want)
    return None


# One boot checks both the scale (1024 CPUs, 8 nodes, x2APIC IDs above 255,
# the ABI's multi-page parameter and output blocks) and that a CPU which
# never answers is still marked FAILED among them. Under TCG on two host
# cores SeaBIOS alone walks 1024 CPUs for about a minute, with 1024 host
# threads competing for the two cores: it runs alone (exclusive), so that
# it neither starves nor is starved by the other boots' timeouts. (Its
# host memory is about 450 MB since tools/qemu.py turned SMM off; with SMM
# QEMU 10 grew past 20 GB here.)
BIG = Boot("scale: 1024 CPUs, 8 nodes, x2APIC: every AP idle, a phantom CPU failed",
            "status", smp=BIG_SMP, nodes=BIG_NODES, mem=4096, timeout=400, x2apic=True,
            shim_args="phantom_cpu=%d ap_timeout_ms=5000" % PHANTOM_APIC,
            checks=[expect_line(r"^shim: apic mode x2apic "),
                    expect_line(r"^shim: sidecar: %d CPUs idle, 1 failed, .*, x2apic$" %
                                (BIG_SMP - BIG_NODES)),
                    expect_line(r"^sidecar: cpu \d+ apic %d did not start" % PHANTOM_APIC),
                    expect_line(r"^apic mode x2apic$"), big_machine_status,
                    expect_line(r"^run: 1 commands?, 0 failed$")])
BIG.exclusive = True

FRAMEWORK = [
    TypedRun(),
    TypedRun(linux=True),  # lab 7's Debian kernel: needs `make linux` (test.py builds it)
    BIG,
    # Debian's kernel beside CPUs whose APIC IDs do not fit 8 bits: it keeps
    # x2APIC only with interrupt remapping (book chapter 7), hence the IOMMU.
    Boot("Linux beside x2APIC IDs above 255: run on APIC 299, online APIC 298",
         "dmesg | grep remapping; sidecarctl run 299 hello; sidecarctl online 298; "
         "nproc", smp=300, nodes=4, mem=2048,
         linux=True, timeout=400, x2apic=True, qemu_args=("--iommu",),
         checks=[expect_line(r"DMAR-IR: Enabled IRQ remapping in x2apic mode"),
                 expect_line(r"^\[cpu 299\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^online: cpu 298 \(linux cpu \d+\) is online in Linux$"),
                 expect_line(r"^5$", "nproc: the 4 nodes' CPUs and CPU 298"),
                 expect_line(r"^run: 4 commands, 0 failed$")]),
    Unit("acpi tables", "acpi"),
    Unit("machine from ACPI", "machine"),
    Unit("e820 map builder", "e820"),
    Unit("zero page and command line for a bzImage", "bootproto"),
    Unit("command lines", "cmdline"),
    Unit("physical memory allocator", "physmem"),
    Unit("parameter page checks, sums that wrap included", "params"),
    Unit("VP registers iretq can return to: canonical RIP, the guest's RFLAGS", "vpregs"),
    Unit("formatting and numbers", "fmt"),
    Unit("skeleton generator", "mklab"),
    # QEMU numbers APIC IDs by topology field: with 3 cores per socket the
    # second socket starts at 8, not 6. Everything that finds a CPU by its
    # APIC ID (the trampoline's slots, IPIs, the node's response CPU) must
    # cope, in x2APIC mode too.
    Boot("sparse APIC IDs: 2 sockets x 3 cores x 2 threads, x2APIC",
         "status; wake all 20; run 9 hello", smp=12, nodes=2, x2apic=True, topology=(2, 3, 2),
         checks=[expect_status(lambda i, t: "linux" if i in (0, 6) else "idle"),
                 expect_line(r"^cpu 6 apic 8 node 1 linux$"),
                 expect_line(r"^wake: 10 CPUs x 20 rounds: 200 wake-ups, 0 lost, 0 doubled, "
                             r"0 refused$"),
                 expect_line(r"^\[cpu 9\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^apic mode x2apic$"),
                 expect_line(r"^run: 3 commands, 0 failed$")]),
    Boot("shim: xapic keeps xAPIC mode where CPUID offers x2APIC", "status; wake all 10",
         smp=8, nodes=2, x2apic=True, shim_args="xapic",
         checks=[expect_line(r"^shim: apic mode xapic \(CPUID offers x2APIC; xapic asked\)$"),
                 expect_line(r"^shim: sidecar: 6 CPUs idle, 0 failed, .*, xapic$"),
                 expect_line(r"^apic mode xapic$"),
                 expect_line(r"^run: 2 commands, 0 failed$")]),
    # One APIC mode per image, fixed by its BSP (lib/runtime/lapic.c): an AP of
    # linux-stub's made to come up in x2APIC mode (stub.test_ap_x2apic) while
    # linux-stub runs in xAPIC mode only checks it, says so and stays
    # offline; the rest of the machine works.
    Boot("linux-stub: an AP in another APIC mode than its BSP's is that CPU's error only",
         "status; run 1 hello; wake all 10", smp=8, nodes=2, x2apic=True, shim_args="xapic",
         qemu_args=("--kernel-args", "console=ttyS0 stub.test_ap_x2apic"),
         checks=[expect_line(r"^linux-stub: cpu 4 apic 4: local APIC in x2apic mode, but "
                             r"linux-stub runs in xapic mode \(one mode per image\): this CPU "
                             r"stays offline$"),
                 expect_line(r"^error: cpu 4 \(apic 4\) did not start$"),
                 expect_line(r"^apic mode xapic$"),
                 expect_line(r"^cpu 4 apic 4 node 1 offline$"),
                 expect_line(r"^\[cpu 1\] Hello from a VP on a sidecar CPU!$"),
                 expect_line(r"^wake: 6 CPUs x 10 rounds: 60 wake-ups, 0 lost, 0 doubled"),
                 expect_line(r"^run: 3 commands, 0 failed$")]),
    Boot("monitor: a failing command fails the run", "status; frobnicate", smp=1,
         expect_exit=1,
         checks=[expect_line(r"^error: unknown command 'frobnicate'"),
                 expect_line(r"^run: 2 commands, 1 failed$")]),
    Boot("monitor: help and sleep", "help; sleep 100", smp=1,
         checks=[expect_line(r"^  status "), expect_line(r"^run: 2 commands, 0 failed$")]),
    # The SVR names vector 0xff; its gate must exist on every CPU of
    # linux-stub's and end no interrupt (nothing is in service after it),
    # and the CPUs must go on taking interrupts (the wake responses).
    Boot("linux-stub: the spurious vector 0xff has a gate that sends no EOI",
         "spurious; on 4 spurious; wake all 20", smp=8, nodes=2,
         checks=[expect_line(r"^spurious: cpu 0 took vector 0xff through its gate \(1 so far\); "
                             r"in service at 0xe0-0xff: 0x0$"),
                 expect_line(r"^spurious: cpu 4 took vector 0xff through its gate \(2 so far\); "
                             r"in service at 0xe0-0xff: 0x0$"),
                 expect_line(r"^wake: 6 CPUs x 20 rounds: 120 wake-ups, 0 lost, 0 doubled"),
                 expect_line(r"^run: 3 commands, 0 failed$")]),
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
    # Node memory anywhere: with 8 GiB QEMU puts nodes 1-3 above 4 GiB; each
    # node's sidecar block is still its own (lab 5), and the sidecar and
    # linux-stub reach it (kernel/paging.c, linux-stub/paging.c).
    Boot("NUMA: 4 nodes in 8 GiB, node memory above 4 GiB, every node local",
         "nodes; run 7 hello", smp=8, nodes=4, mem=8192,
         checks=[expect_line(r"^node 2 cpus 4-5 mem \S+ control 0x[1-9a-f][0-9a-f]{8} local yes$",
                             "node 2's control page above 4 GiB"),
                 expect_line(r"^node 3 cpus 6-7 mem \S+ control 0x[1-9a-f][0-9a-f]{8} local yes$",
                             "node 3's control page above 4 GiB"),
                 expect_line(r"^node 0 .* local yes$"),
                 expect_line(r"^node 1 .* local yes$"),
                 expect_no_line(r"local no"),
                 expect_line(r"^\[cpu 7\] Hello from a VP on a sidecar CPU!$")]),
    # The VP's FPU/SSE state (kernel/fpu.c): the second run finds the state
    # the VMM set (SET_VP_REGISTERS reached the save area and RUN_VP loaded
    # it), not the first run's; regs reads the guest's own values back.
    Boot("VP: FPU/SSE state is the VP's: set by the VMM, kept across exits, read back (FXSAVE)",
         "run 1 fpu; run 1 fpu; regs 1", smp=4,
         checks=[expect_count(r"^\[cpu 1\] fpu: a fresh VP: MXCSR 0x1f80, FCW 0x37f, XMM0-15 "
                              r"zero, as the VMM set them$", 2),
                 expect_count(r"^\[cpu 1\] fpu: XMM0-15, MXCSR and FCW kept across 60 exits$", 2),
                 expect_line(r"^regs: cpu 1 fcw 0x000000000000027f mxcsr 0x0000000000007f80$"),
                 expect_line(r"^regs: cpu 1 xmm0 0x201f1e1d1c1b1a191817161514131211 "),
                 expect_line(r" xmm15 0x100f0e0d0c0b0a090807060504030201$")]),
    Boot("VP: FPU/SSE state with XSAVE (-cpu max: x87, SSE, AVX), and a C guest on it",
         "run 1 fpu; run 1 fpu; regs 1; run 2 primes", smp=4, shim_args="verbose",
         qemu_args=("--cpu", "max"),
         checks=[expect_line(r"^sidecar: VP FPU state by XSAVE(OPT)?, 832 bytes, XCR0 0x7$"),
                 expect_count(r"^\[cpu 1\] fpu: a fresh VP: MXCSR 0x1f80, FCW 0x37f, XMM0-15 "
                              r"zero, as the VMM set them$", 2),
                 expect_count(r"^\[cpu 1\] fpu: XMM0-15, MXCSR and FCW kept across 60 exits$", 2),
                 expect_line(r"^regs: cpu 1 xmm0 0x201f1e1d1c1b1a191817161514131211 "),
                 expect_line(r"^\[cpu 2\] primes: 9592 primes below 100000 .*as expected$"),
                 expect_line(r"^vmm: cpu 2 guest reports success$")]),
    # A guest in C (linux-stub/guests/primes.c, built by the Makefile).
    Boot("VP: the C guest primes counts the primes below 100000 and reports success",
         "run 5 primes; run 6 primes", smp=8, nodes=2,
         checks=[expect_line(r"^\[cpu 5\] primes: 9592 primes below 100000 \(sieved up to sqrt "
                             r"316\.22\), as expected$"),
                 expect_line(r"^exit: cpu 5 hypercall rax 0x100 at rip 0x"),
                 expect_line(r"^vmm: cpu 5 guest reports success$"),
                 expect_line(r"^run: cpu 5 guest primes: halted after"),
                 expect_line(r"^vmm: cpu 6 guest reports success$"),
                 expect_no_line(r"reports failure")]),
    Boot("VP: every guest program runs to its end", "run 1 ports; run 1 hypercall; run 2 fault",
         smp=4,
         checks=[expect_line(r"^run: cpu 1 guest ports: halted"),
                 expect_line(r"^run: cpu 1 guest hypercall: halted"),
                 expect_line(r"^run: cpu 2 guest fault: ended by mmio")]),
]
FRAMEWORK += BENCH
