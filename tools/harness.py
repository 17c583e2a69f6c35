"""harness.py - running the tests that grade.py and make test (tests/test_all.py) share.

Two kinds of test:
  Unit   a Check suite of build/<tree>/unit-tests (the host unit tests);
  Boot   a QEMU boot of build/<tree>/ images with monitor commands, whose
         serial output is checked line by line.
Each test's run(tree) returns (passed, detail); detail says why it failed.
The tests themselves are listed in tests/lab_tests.py.
"""
import difflib
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGDIR = os.path.join(ROOT, "build", "test-logs")

LINUX_ARGS = "console=ttyS0 maxcpus=1 panic=-1 quiet"  # as the Makefile's LINUX_ARGS
STATUS_LINE = re.compile(r"^cpu (\d+) apic (\d+) node (\d+) (\w+)\s*$")
CHECK_SUMMARY = re.compile(r"(\d+)%: Checks: (\d+), Failures: (\d+), Errors: (\d+)")
CHECK_RESULT = re.compile(r"^[^:\s]+:\d+:([PFE]):([^:]*):([^:]*):")  # file:line:P|F|E:tcase:test:
# lab_todo()'s line (include/lab.h): a boot that reached an unwritten function.
# lab_fallback()'s "lab N: f() is not implemented yet; <instead>" is a notice,
# never the cause.
STOPS_HERE = re.compile(r"^lab (\d+): (\w+)\(\) is not implemented yet \(.* stops here")


class Failure(str):
    """A failed test's detail (a str, for whoever only prints it) with what
    helps to look closer: the serial log, the command that reproduces the
    boot as a user would type it, and a partial score (a Check suite's
    passing cases)."""

    def __new__(cls, text, log=None, reproduce=None, score=0):
        self = str.__new__(cls, text)
        self.log, self.reproduce, self.score = log, reproduce, score
        return self


def log_of(detail):
    """The serial log a failure names: its .log, or the '(log: PATH)' in its
    text (a hidden test may return a plain string)."""
    path = getattr(detail, "log", None)
    if not path:
        m = re.search(r"\(log: ([^)]+)\)", detail)
        path = m.group(1) if m else None
    return path


# Contracts the framework checks where it can see them, failing every boot:
# include/halt.h, a halt whose condition was checked with interrupts on;
# linux-stub/sidecar_client.c, a CPU taken from the sidecar before it parked.
CONTRACT_BROKEN = re.compile(r"^\S+: safe_halt\(\) with interrupts on|"
                             r"^linux-stub: cpu \d+ forgotten while it is ")


def first_stop(lines):
    """The first line saying the boot stopped: an unwritten function's
    "stops here" or a panic, or None."""
    return next((l for l in lines if STOPS_HERE.match(l) or l.startswith("panic:")), None)


def stop_line(lines):
    """The line where a boot stopped: first_stop(), else the last line the
    guest printed (qemu.py's summary aside)."""
    stop = first_stop(lines)
    if stop:
        return stop
    guest = [l for l in lines if l.strip() and not l.startswith("qemu: ")]
    return guest[-1] if guest else None


def closest_line(pattern, lines):
    """The line most like what a regular expression asks for (difflib)."""
    plain = re.sub(r"\\[dSsw][+*]?|\[[^]]*\][+*]?|\.[+*]|[()?^$]", "", pattern)
    plain = re.sub(r"\\(.)", r"\1", plain)
    best, ratio = None, 0.0
    for line in lines:
        if line.startswith("qemu: "):
            continue
        m = difflib.SequenceMatcher(None, plain, line, autojunk=False)
        if m.real_quick_ratio() > ratio and m.quick_ratio() > ratio and m.ratio() > ratio:
            best, ratio = line, m.ratio()
    return best if ratio >= 0.5 else None


def tree_dir(tree):
    return os.path.join(ROOT, "build", tree)


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Unit:
    """A Check suite; its points are split evenly across its test cases, so a
    suite with one failing case still scores the others."""
    kind = "unit"

    def __init__(self, name, suite, points=0):
        self.name, self.suite, self.points = name, suite, points

    def run(self, tree):
        binary = os.path.join(tree_dir(tree), "unit-tests")
        if not os.path.exists(binary):
            return False, "%s was not built" % binary
        again = "%s %s" % (os.path.relpath(binary, ROOT), self.suite)
        try:
            r = subprocess.run([binary, self.suite], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=120,
                               env=dict(os.environ, CK_DEFAULT_TIMEOUT="10",
                                        CK_VERBOSITY="verbose"))
        except subprocess.TimeoutExpired:
            return False, Failure("suite %s timed out" % self.suite, reproduce=again)
        m = CHECK_SUMMARY.search(r.stdout)
        results = [(c.group(1), l.strip()) for c, l in
                   ((CHECK_RESULT.match(l), l) for l in r.stdout.splitlines()) if c]
        failed = [l for kind, l in results if kind != "P"]
        if r.returncode == 0 and m and m.group(3) == "0" and m.group(4) == "0" and not failed:
            return True, "%s checks" % m.group(2)
        if not results:
            return False, Failure("no Check results from suite %s (exit %d): %s" % (
                self.suite, r.returncode, r.stdout.strip()[-300:]), reproduce=again)
        passed = len(results) - len(failed)
        score = round(self.points * passed / len(results), 2)
        return False, Failure("%d of %d test cases failed (%g of %d points):\n%s" % (
            len(failed), len(results), score, self.points, "\n".join(failed)),
            reproduce=again, score=score)


class Boot:
    """A boot in QEMU: run monitor commands, then check the output.

    expect_exit: 0 when the guest must report success, 1 for reported failure.
    checks: functions (lines, test) -> error string or None.
    """
    kind = "boot"

    exclusive = False  # True: run alone, not beside another QEMU

    def __init__(self, name, run, points=0, smp=1, nodes=1, mem=256, shim_args="",
                 kernel=None, expect_exit=0, checks=(), timeout=60, sidecar=True,
                 memoryless_node=None, cpu_mark=None, linux=False, qemu_args=(), x2apic=False,
                 topology=None):
        # x2apic: boot with -cpu ...,x2apic=on on a QEMU that has it (tools/qemu.py)
        self.x2apic = x2apic
        # topology: (sockets, cores, threads), QEMU's -smp fields: sparse APIC IDs
        self.topology = topology
        self.qemu_args = tuple(qemu_args) + (("--x2apic", "on") if x2apic else ())
        if topology:
            self.qemu_args += ("--topology", "sockets=%d,cores=%d,threads=%d" % topology)
        self.cpu_mark = cpu_mark
        self.linux = linux  # lab 7: Debian's kernel with the tree's initrd
        self.sidecar = sidecar
        self.memoryless_node = memoryless_node
        self.name, self.run_cmds, self.points = name, run, points
        self.smp, self.nodes, self.mem, self.shim_args = smp, nodes, mem, shim_args
        self.kernel, self.expect_exit, self.checks = kernel, expect_exit, checks
        self.timeout = timeout

    def run(self, tree):
        os.makedirs(LOGDIR, exist_ok=True)
        log = os.path.join(LOGDIR, "%s-%s.log" % (tree, slug(self.name)))
        kernel = self.kernel() if callable(self.kernel) else self.kernel
        cmd = [sys.executable, os.path.join(ROOT, "tools", "qemu.py"),
               "--smp", str(self.smp), "--nodes", str(self.nodes), "--mem", str(self.mem),
               "--shim", os.path.join(tree_dir(tree), "shim.elf"),
               "--kernel", kernel or (os.path.join(ROOT, "build", "linux", "vmlinuz") if self.linux
                                      else os.path.join(tree_dir(tree), "linux-stub.bzImage")),
               "--shim-args", self.shim_args, "--run", self.run_cmds,
               "--timeout", str(self.timeout), "--log", log, "--quiet"]
        if self.sidecar:  # True: the tree's image; a path (or a function giving one): that file
            sidecar = self.sidecar() if callable(self.sidecar) else self.sidecar
            cmd += ["--sidecar", sidecar if isinstance(sidecar, str)
                    else os.path.join(tree_dir(tree), "sidecar.bin")]
        cmd += list(self.qemu_args)
        if self.cpu_mark:
            cmd += ["--cpu-mark", self.cpu_mark]
        if self.linux:
            cmd += ["--initrd", os.path.join(tree_dir(tree), "linux", "initrd.gz"),
                    "--kernel-args", LINUX_ARGS, "--run-param", "sidecar.run"]
        if self.memoryless_node is not None:
            cmd += ["--memoryless-node", str(self.memoryless_node)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        again = self.reproduce(tree, cmd)
        rel = os.path.relpath(log, ROOT)
        try:
            with open(log, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return False, Failure("no log: " + r.stdout.strip()[-300:], reproduce=again)
        if r.returncode != self.expect_exit:
            verdict = next((l[len("qemu: "):] for l in reversed(lines)
                            if l.startswith("qemu: ") and "(" in l), r.stdout.strip()[-200:])
            verdict = re.sub(r" \([0-9.]+ s wall.*", "", verdict)
            stop = stop_line(lines)
            where = ("the last line was" if r.returncode == 124 else "it stopped at") \
                if stop else "it printed nothing"
            return False, Failure("exit %d, expected %d (%s); %s%s (log: %s)" % (
                r.returncode, self.expect_exit, verdict, where, ": " + stop if stop else "", rel),
                log=rel, reproduce=again)
        m = next((re.search(r"([0-9.]+) s CPU\)", l) for l in reversed(lines)
                  if l.startswith("qemu: ")), None)
        self.cpu_seconds = float(m.group(1)) if m else float("nan")
        self.cpu_marks = [float(re.match(r"qemu: cpu mark ([0-9.]+) s", l).group(1))
                          for l in lines if l.startswith("qemu: cpu mark ")]
        broken = next((l for l in lines if CONTRACT_BROKEN.search(l)), None)
        if broken:  # a lost wake-up, or two kernels on one CPU, waiting to happen
            return False, Failure("%s (log: %s)" % (broken, rel), log=rel, reproduce=again)
        for check in self.checks:
            problem = check(lines, self)
            if problem:
                stop = first_stop(lines)
                return False, Failure("%s%s (log: %s)" % (
                    problem, "; it stopped at: " + stop if stop else "", rel),
                    log=rel, reproduce=again)
        return True, ""

    def reproduce(self, tree, cmd):
        """This boot as a user would type it: `make qemu` (lab 7: `make
        qemu-linux`) with the knobs, or tools/qemu.py's own command line for
        what make has no knob for."""
        kernel = self.kernel() if callable(self.kernel) else self.kernel
        extra = list(self.qemu_args)
        x2apic = self.x2apic
        if x2apic:  # the X2APIC=1 knob
            extra = [a for a in extra if a not in ("--x2apic", "on")]
        cpu = None
        if extra[:1] == ["--cpu"] and len(extra) == 2:
            cpu, extra = extra[1], []
        if extra or not isinstance(self.sidecar, bool):
            return " ".join(shlex.quote(os.path.relpath(c, ROOT) if os.path.isabs(c) and
                                        c.startswith(ROOT) else c)
                            for c in cmd if c not in ("--quiet",))
        words = ["make", "qemu-linux" if self.linux else "qemu"]
        if tree == "solution":
            words.append("SOLUTION=1")
        elif tree != "student":
            words.append("TREE=" + tree)
            labs = os.path.join("build", tree, "labs")
            if os.path.isdir(os.path.join(ROOT, labs)):
                words.append("LABSRC=" + labs)
        knobs = [("SMP", self.smp), ("NODES", self.nodes), ("MEM", self.mem)]
        if self.memoryless_node is not None:
            knobs.append(("MEMORYLESS_NODE", self.memoryless_node))
        if not self.sidecar:
            knobs.append(("SIDECAR", 0))
        if kernel:
            knobs.append(("KERNEL", os.path.relpath(kernel, ROOT)))
        if cpu:
            knobs.append(("CPU", cpu))
        if self.shim_args:
            knobs.append(("SHIM_ARGS", self.shim_args))
        if x2apic:
            knobs.append(("X2APIC", 1))
        knobs += [("TIMEOUT", self.timeout), ("RUN", self.run_cmds)]
        return " ".join(words + ["%s=%s" % (k, shlex.quote(str(v))) for k, v in knobs])


class CpuCompare:
    """Host CPU time of QEMU for the same commands on two machine shapes.

    Passes when the big machine costs at most `slack` seconds more than the
    small one and, with `limit`, at most `limit` seconds in all (on a host
    with few cores a spinning small machine already fills them, so the
    difference alone can hide a big machine that spins too). Used to show that idle CPUs sleep: a vCPU that spins burns a
    host core for the whole run, one that halts costs almost nothing. Only
    the window between the first and the last line matching `mark` counts
    (QEMU's CPU time read from /proc at those lines), so boot time - which
    grows when the host is busy - does not blur the figure.
    """
    kind = "boot"
    exclusive = True  # host CPU time is only comparable on an otherwise quiet host

    def __init__(self, name, run, small, big, slack, points=0, timeout=120, limit=None,
                 mark=r"^stub> |^run: "):
        self.name, self.points, self.slack, self.limit = name, points, slack, limit
        self.small = Boot(name + " (small)", run, smp=small, timeout=timeout, cpu_mark=mark)
        self.big = Boot(name + " (big)", run, smp=big, timeout=timeout, cpu_mark=mark)

    def run(self, tree):
        seconds = []
        for boot in (self.small, self.big):
            ok, detail = boot.run(tree)
            if not ok:
                return False, detail
            if len(boot.cpu_marks) < 2:
                return False, "no CPU time marks in the output of %s" % boot.name
            seconds.append(boot.cpu_marks[-1] - boot.cpu_marks[0])
        extra = seconds[1] - seconds[0]
        verdict = "while the command ran, %d CPUs used %.2f s of host CPU, %d CPUs %.2f s: " \
                  "%+.2f s (bound %.1f s)" % (
            self.small.smp, seconds[0], self.big.smp, seconds[1], extra, self.slack)
        if self.limit is not None and seconds[1] > self.limit:
            return False, verdict + "; %d CPUs used more than %.1f s" % (self.big.smp, self.limit)
        return extra <= self.slack, verdict


# --- checks used by boot tests ------------------------------------------------

def node_of(cpu, smp, nodes):
    """tools/qemu.py gives node n the CPUs [n*smp/nodes, (n+1)*smp/nodes)."""
    for n in range(nodes):
        if n * smp // nodes <= cpu < (n + 1) * smp // nodes:
            return n
    return 0


def status_lines(lines):
    return [tuple(int(x) if x.isdigit() else x for x in m.groups())
            for m in map(STATUS_LINE.match, lines) if m]


def topology_apic_ids(sockets, cores, threads):
    """The APIC IDs QEMU gives CPU 0, 1, 2, ... for -smp sockets=,cores=,threads=
    (hw/i386/topology.h, x86_apicid_from_topo_ids()): thread, core and socket
    fields, each as wide as its count rounded up to a power of two, so
    cores=3 leaves a hole after every third core."""
    def bits(n):
        return (n - 1).bit_length()
    return [(s << (bits(cores) + bits(threads))) | (c << bits(threads)) | th
            for s in range(sockets) for c in range(cores) for th in range(threads)]


def apic_of(i, t):
    """CPU i's APIC ID on test t's machine: i itself, unless t has a topology."""
    topology = getattr(t, "topology", None)
    return topology_apic_ids(*topology)[i] if topology else i


def expect_status(states):
    """The last `status` output lists every CPU with its APIC ID (= index on
    QEMU, unless the test gives a topology: apic_of), its node, and the state
    states(index, test) says."""
    def check(lines, t):
        rows = status_lines(lines)[-t.smp:]
        if len(rows) != t.smp:
            return "expected %d 'cpu ...' status lines, found %d" % (t.smp, len(rows))
        for i, (cpu, apic, node, state) in enumerate(rows):
            want = states(i, t)
            if isinstance(want, str):
                want = (want,)
            if cpu != i or apic != apic_of(i, t):
                return "status line %d says cpu %d apic %d, expected cpu %d apic %d" % (
                    i, cpu, apic, i, apic_of(i, t))
            if node != node_of(i, t.smp, t.nodes):
                return "cpu %d is in node %d, expected %d" % (i, node, node_of(i, t.smp, t.nodes))
            if state not in want:
                return "cpu %d is '%s', expected '%s'" % (i, state, "' or '".join(want))
        return None
    return check


def expect_line(pattern, what=None):
    rx = re.compile(pattern)

    def check(lines, t):
        if any(rx.search(l) for l in lines):
            return None
        near = closest_line(pattern, lines)
        return "no line matching /%s/%s%s" % (pattern, " (" + what + ")" if what else "",
                                              "; the closest was: " + near if near else "")
    return check


def expect_no_line(pattern):
    rx = re.compile(pattern)

    def check(lines, t):
        bad = next((l for l in lines if rx.search(l)), None)
        return "unexpected line: %s" % bad if bad else None
    return check
