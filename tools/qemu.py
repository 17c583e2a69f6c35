#!/usr/bin/env python3
"""qemu.py - boot a Sidecar OS build in QEMU: make a GRUB ISO, run, report.

Used by `make qemu`, `make run`, the boot tests and the grader. It writes a
grub.cfg that loads the shim (multiboot2) with the main kernel and optional
initrd as modules, builds a BIOS ISO with grub-mkrescue, and runs QEMU with
the serial port on stdout and an isa-debug-exit device, through which the
guest ends QEMU with a status: 33 means the guest reported success, 35 that
it reported a failure. This script maps those to 0 and 1; a triple fault
(QEMU exits 0 because of -no-reboot), a timeout or a QEMU error map to 2+.

Which QEMU: Debian 12's (7.2) has no x2APIC under TCG and refuses APIC IDs
above 254. A shape that needs x2APIC (--smp above 255, or --x2apic on) runs
on a QEMU of version 9 or later: the system's if it is that new, else the
one tools/fetch-qemu.sh unpacks into build/qemu10 (`make qemu10`), with
its own firmware directory and then the system's SeaBIOS (-L twice).
--qemu names a binary outright.
"""
import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

GUEST_SUCCESS = (0x10 << 1) | 1
GUEST_FAILURE = (0x11 << 1) | 1
EXIT_TIMEOUT = 124

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FETCHED_QEMU = os.path.join(ROOT, "build", "qemu10", "qemu-system-x86_64")
SYSTEM_QEMU = "qemu-system-x86_64"
XAPIC_MAX_CPUS = 255   # xAPIC IDs are 8 bits and 0xff is the broadcast ID
X2APIC_MAX_CPUS = 2048  # include/sidecar.h SIDECAR_MAX_CPUS (OpenHCL's limit)
X2APIC_MIN_VERSION = 9  # QEMU's TCG emulates x2APIC from 9.0 on


def grub_quote(s):
    """A word for grub.cfg, kept literal: GRUB's double quotes keep every
    character but $, " and \\, which a backslash escapes there (GRUB manual,
    "Quoting")."""
    return '"' + re.sub(r'([$"\\])', r"\\\1", s) + '"'


# make hands the free-text knobs over in the environment (--from-env), never
# through a shell line, so what a user types reaches the guest as typed.
FROM_ENV = (("run", "SIDECAR_RUN"), ("shim_args", "SIDECAR_SHIM_ARGS"),
            ("kernel_args", "SIDECAR_KERNEL_ARGS"), ("kernel", "SIDECAR_KERNEL"),
            ("cpu", "SIDECAR_CPU"), ("qemu", "SIDECAR_QEMU"), ("topology", "SIDECAR_TOPOLOGY"))


def numa_args(smp, nodes, mem_mib, memoryless=None, node_cpus=None):
    """Spread CPUs and memory over the nodes: node n gets a contiguous block of
    CPUs (an equal share, or node_cpus[n] of them) and an equal share of
    memory (QEMU emits the SRAT from this). A memoryless node gets CPUs and
    no memdev: a node without memory."""
    if nodes <= 1:
        return []
    if nodes > smp:
        sys.exit("qemu.py: NODES=%d is more than SMP=%d" % (nodes, smp))
    if node_cpus and (len(node_cpus) != nodes or sum(node_cpus) != smp or min(node_cpus) < 1):
        sys.exit("qemu.py: --node-cpus %s: one count per node (%d), each at least 1, "
                 "%d in all" % (",".join(map(str, node_cpus)), nodes, smp))
    starts = [sum(node_cpus[:n]) for n in range(nodes + 1)] if node_cpus else \
        [n * smp // nodes for n in range(nodes + 1)]
    if memoryless is not None and not 0 < memoryless < nodes:
        sys.exit("qemu.py: the memoryless node must be 1..%d (node 0 holds the boot)" %
                 (nodes - 1))
    args = []
    with_memory = [n for n in range(nodes) if n != memoryless]
    share = (mem_mib // len(with_memory)) // 2 * 2  # whole, even MiB per node
    for n in range(nodes):
        first, last = starts[n], starts[n + 1] - 1
        if n == memoryless:
            args += ["-numa", "node,nodeid=%d,cpus=%d-%d" % (n, first, last)]
            continue
        size = share if n != with_memory[-1] else mem_mib - share * (len(with_memory) - 1)
        args += ["-object", "memory-backend-ram,id=m%d,size=%dM" % (n, size),
                 "-numa", "node,nodeid=%d,cpus=%d-%d,memdev=m%d" % (n, first, last, n)]
    return args


def make_iso(workdir, shim, sidecar, kernel, initrd, shim_args, kernel_args):
    root = os.path.join(workdir, "iso")
    boot = os.path.join(root, "boot")
    os.makedirs(os.path.join(boot, "grub"))
    shutil.copy(shim, os.path.join(boot, "shim.elf"))
    lines = [
        "set timeout=0",
        "set default=0",
        'menuentry "Sidecar OS" {',
        "  multiboot2 /boot/shim.elf " + " ".join(grub_quote(a) for a in shim_args),
    ]
    if kernel != "none":  # --kernel none: no main kernel module (a bad-input test)
        shutil.copy(kernel, os.path.join(boot, "kernel"))
        lines.append("  module2 --nounzip /boot/kernel kernel " +
                     " ".join(grub_quote(a) for a in kernel_args))
    if sidecar:
        shutil.copy(sidecar, os.path.join(boot, "sidecar"))
        lines.append("  module2 --nounzip /boot/sidecar sidecar")
    if initrd:
        shutil.copy(initrd, os.path.join(boot, "initrd"))
        lines.append("  module2 --nounzip /boot/initrd initrd")
    lines.append("}")
    with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
        f.write("\n".join(lines) + "\n")
    iso = os.path.join(workdir, "sidecar.iso")
    r = subprocess.run(["grub-mkrescue", "-o", iso, root], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0 or not os.path.exists(iso):
        sys.exit("qemu.py: grub-mkrescue failed:\n" + r.stdout)
    return iso


def smp_arg(smp, nodes, topology=None):
    """One socket per node when the CPUs divide evenly: Linux then sees a
    topology that agrees with the NUMA nodes (no "llc-sibling ... not on the
    same node" warning when it onlines a CPU). --topology gives QEMU's own
    sockets=,cores=,threads=: QEMU then numbers APIC IDs by field, each
    field as wide as its count rounded up to a power of two (cores=3 takes
    2 bits), so the IDs have holes."""
    if topology:
        return "%d,%s" % (smp, topology)
    if nodes > 1 and smp % nodes == 0:
        return "%d,sockets=%d,cores=%d,threads=1" % (smp, nodes, smp // nodes)
    return str(smp)


def qemu_version(binary):
    """(major, minor) of `binary --version`, or None if it does not run."""
    try:
        out = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def firmware_args(binary):
    """A QEMU unpacked by tools/fetch-qemu.sh finds its own data files in
    <root>/usr/share/qemu and SeaBIOS in the system's /usr/share/seabios."""
    real = os.path.realpath(binary)
    share = os.path.join(os.path.dirname(os.path.dirname(real)), "share", "qemu")
    if real.startswith("/usr/") or not os.path.isdir(share):
        return []
    return ["-L", share, "-L", "/usr/share/seabios"]


def qemu_env(binary):
    """A fetched QEMU loads its own modules (QEMU_MODULE_DIR), not the
    system's 7.2 ones, which it refuses with a warning each."""
    env = dict(os.environ)
    real = os.path.realpath(binary)
    modules = os.path.join(os.path.dirname(os.path.dirname(real)), "lib",
                           "x86_64-linux-gnu", "qemu")
    if not real.startswith("/usr/") and os.path.isdir(modules):
        env["QEMU_MODULE_DIR"] = modules
    return env


def choose_qemu(a):
    """The QEMU binary for this shape: --qemu if given; for x2APIC one of
    version 9 or later (the system's if new enough, else the fetched one);
    else the system's."""
    if a.qemu:
        binary = a.qemu if os.sep in a.qemu else shutil.which(a.qemu)
        if not binary or not os.access(binary, os.X_OK):
            sys.exit("qemu.py: QEMU=%s is not an executable" % a.qemu)
        if a.x2apic_on:
            v = qemu_version(binary)
            if v is None or v[0] < X2APIC_MIN_VERSION:
                sys.exit("qemu.py: QEMU=%s is version %s; x2APIC under TCG needs %d or later"
                         % (a.qemu, "%d.%d" % v if v else "unknown", X2APIC_MIN_VERSION))
        return binary
    if not a.x2apic_on:
        return SYSTEM_QEMU
    v = qemu_version(SYSTEM_QEMU)
    if v and v[0] >= X2APIC_MIN_VERSION:
        return SYSTEM_QEMU
    if not os.access(FETCHED_QEMU, os.X_OK):
        sys.exit("qemu.py: x2APIC needs QEMU %d or later; the system's is %s and %s is "
                 "missing: run make qemu10" % (X2APIC_MIN_VERSION,
                                               "%d.%d" % v if v else "missing",
                                               os.path.relpath(FETCHED_QEMU)))
    return FETCHED_QEMU


def cpu_model(a):
    """-cpu under TCG: the model asked for (QEMU's qemu64 by default), with
    x2apic=on when the shape runs in x2APIC mode."""
    if a.accel == "kvm":
        return "host"
    if a.x2apic_on:
        return (a.cpu or "qemu64") + ",x2apic=on"
    return a.cpu


def qemu_command(a, iso, interactive):
    binary = choose_qemu(a)
    # smm=off: with System Management Mode, QEMU's x86 TCG gives every
    # virtual CPU a second address space of its own, "cpu-smm"
    # (target/i386/tcg/system/tcg-cpu.c), each with its own flattened memory
    # map. Measured with QEMU 10, 1024 CPUs, paused before the first
    # instruction: 7.8 GB of heap with SMM, 0.39 GB without; a 1024-CPU
    # Linux boot ran the host (24 GB) out of memory. Nothing here uses SMM.
    cmd = [binary] + firmware_args(binary) + [
           "-machine", "q35,smm=off", "-accel", a.accel,
           "-smp", smp_arg(a.smp, 1 if a.node_cpus else a.nodes, a.topology), "-m", "%dM" % a.mem,
           "-cdrom", iso, "-boot", "d", "-display", "none", "-no-reboot", "-nic", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           # Threads named "CPU <n>/TCG": --cpu-mark can then tell each
           # virtual CPU's host CPU time apart.
           "-name", "sidecar-os,debug-threads=on"]
    if a.iommu:
        cmd += ["-device", "intel-iommu,intremap=on,eim=%s" % ("on" if a.x2apic_on else "off")]
    cmd += numa_args(a.smp, a.nodes, a.mem, a.memoryless_node, a.node_cpus)
    if cpu_model(a):
        cmd += ["-cpu", cpu_model(a)]
    if interactive:
        cmd += ["-serial", "mon:stdio"]  # Ctrl-A X quits, Ctrl-A C is QEMU's monitor
    else:
        cmd += ["-serial", "stdio", "-monitor", "none"]
    if a.gdb:
        cmd += ["-s", "-S"]
    return cmd


def write_gdbinit(path, symbols):
    with open(path, "w") as f:
        f.write("# written by tools/qemu.py for make qemu-gdb\n")
        f.write("set confirm off\nset architecture i386:x86-64\n")
        for elf in symbols:
            # The shim's image ends in a 2 MiB hole (.sidecar_hole) where the
            # sidecar kernel runs; moved out of the way, so that gdb names
            # the sidecar's functions there and not "sidecar_hole + N".
            hole = " -s .sidecar_hole 0x7f0000000000" if os.path.basename(elf) == "shim.elf" else ""
            f.write("add-symbol-file %s%s\n" % (os.path.abspath(elf), hole))
        f.write("target remote localhost:1234\n")
    print("qemu.py: QEMU waits for gdb; in another terminal run: gdb -x %s" % path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smp", type=int, default=4)
    p.add_argument("--nodes", type=int, default=1)
    p.add_argument("--mem", type=int, default=512, help="MiB")
    p.add_argument("--memoryless-node", type=int, help="this node gets CPUs but no memory")
    p.add_argument("--node-cpus", type=lambda s: [int(x) for x in s.split(",")],
                   help="CPUs per node, e.g. 13,3 (default: equal shares)")
    p.add_argument("--accel", default="tcg")
    p.add_argument("--shim", required=True)
    p.add_argument("--kernel")
    p.add_argument("--sidecar", help="the sidecar kernel image (omit: no sidecar)")
    p.add_argument("--initrd")
    # QEMU's default model (qemu64) unless asked: "qemu64,+smep,+smap" gives
    # the sidecar SMEP and SMAP to turn on (kernel/protect.c); TCG emulates
    # both. Not the default: with them, 31 sidecar CPUs polling with
    # interrupts off (lab 2's skeleton) slowed linux-stub's BSP to a timeout
    # on a loaded host, where qemu64 did not (book/09-hardening.md).
    p.add_argument("--cpu", help="QEMU's -cpu under TCG (default: QEMU's own, qemu64)")
    p.add_argument("--x2apic", choices=("auto", "on", "off"), default="auto",
                   help="-cpu ...,x2apic=on on a QEMU >= 9 (auto: when --smp is above 255)")
    p.add_argument("--qemu", help="the QEMU binary (default: chosen by --x2apic)")
    p.add_argument("--iommu", action="store_true",
                   help="an Intel IOMMU with interrupt remapping and x2APIC (eim): Linux keeps "
                        "x2APIC with APIC IDs above 255 only with it")
    p.add_argument("--topology", help="QEMU's -smp topology, e.g. sockets=2,cores=3,threads=2")
    p.add_argument("--shim-args", default="")
    p.add_argument("--kernel-args", default="console=ttyS0")
    p.add_argument("--run", help="monitor commands to run, then power off")
    p.add_argument("--run-param", default="stub.run",
                   help="the kernel parameter that carries --run")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--log", help="also write the serial output here")
    p.add_argument("--quiet", action="store_true", help="do not echo the serial output")
    p.add_argument("--cpu-mark", help="note QEMU's host CPU time at serial lines matching this")
    p.add_argument("--gdb", action="store_true")
    p.add_argument("--symbols", nargs="*", default=[])
    p.add_argument("--from-env", action="store_true",
                   help="take RUN, SHIM_ARGS, the kernel's arguments, KERNEL, CPU, QEMU and TOPOLOGY from "
                        + ", ".join("$" + v for _, v in FROM_ENV) + " where set and not empty")
    a = p.parse_args()
    if a.from_env:
        for attr, var in FROM_ENV:
            if os.environ.get(var):
                setattr(a, attr, os.environ[var])
    if not a.kernel:
        sys.exit("qemu.py: no main kernel (--kernel)")

    a.x2apic_on = a.x2apic == "on" or (a.x2apic == "auto" and a.smp > XAPIC_MAX_CPUS)
    if a.smp > XAPIC_MAX_CPUS and not a.x2apic_on:
        sys.exit("qemu.py: SMP=%d with X2APIC=0: xAPIC IDs are 8 bits, so at most %d CPUs "
                 "(leave X2APIC unset or 1 for up to %d)" % (a.smp, XAPIC_MAX_CPUS,
                                                            X2APIC_MAX_CPUS))
    if not 1 <= a.smp <= X2APIC_MAX_CPUS:
        sys.exit("qemu.py: SMP=%d: between 1 and %d (%d without x2APIC)" % (
            a.smp, X2APIC_MAX_CPUS, XAPIC_MAX_CPUS))
    if a.x2apic_on and a.accel == "kvm":
        sys.exit("qemu.py: X2APIC=1 chooses QEMU's TCG model; with ACCEL=kvm the host's "
                 "CPU decides")
    if a.nodes < 1:
        sys.exit("qemu.py: NODES=%d: at least 1" % a.nodes)
    for what, path in (("shim", a.shim), ("KERNEL", a.kernel), ("initrd", a.initrd),
                       ("sidecar", a.sidecar)):
        if path and path != "none" and not os.path.isfile(path):
            sys.exit("qemu.py: %s image %s does not exist" % (what, path))

    kernel_args = a.kernel_args.split()
    if a.run is not None and '"' in a.run:
        # The kernel command line quotes a parameter with spaces in double
        # quotes and has no escape for one inside (Linux's next_arg(),
        # lib/portable/cmdline.c here): it would end the commands there.
        sys.exit("qemu.py: RUN holds a double quote, which a kernel command line cannot "
                 "carry inside %s=\"...\": use single quotes: %s" % (a.run_param, a.run))
    if a.run is not None:
        kernel_args.append("%s=%s" % (a.run_param, a.run))
    interactive = a.run is None and not a.log

    workdir = tempfile.mkdtemp(prefix="sidecar-qemu-")
    try:
        iso = make_iso(workdir, a.shim, a.sidecar, a.kernel, a.initrd, a.shim_args.split(), kernel_args)
        cmd = qemu_command(a, iso, interactive)
        if a.gdb:
            write_gdbinit(os.path.join("build", "gdbinit"), a.symbols)
        if interactive:
            print("qemu.py: %s (Ctrl-A X quits)" % " ".join(cmd[:16]), file=sys.stderr)
            status = subprocess.call(cmd, env=qemu_env(cmd[0]))
            # poweroff ends QEMU through isa-debug-exit: that is success.
            return 0 if status in (GUEST_SUCCESS, 0) else 1
        return run_captured(a, cmd)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def process_cpu_seconds(pid):
    """Host CPU time (user + system, all threads) of a running process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def vcpu_cpu_seconds(pid):
    """{virtual CPU index: host CPU seconds} of each "CPU <n>/TCG" thread."""
    times = {}
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return times
    for tid in tasks:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        m = re.match(r"\d+ \(CPU (\d+)/\w+\) (.*)", stat)
        if m:
            fields = m.group(2).split()
            times[int(m.group(1))] = (int(fields[11]) + int(fields[12])) / \
                os.sysconf("SC_CLK_TCK")
    return times


def children_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_captured(a, cmd):
    cpu_before = children_cpu_seconds()
    start = time.monotonic()
    log = open(a.log, "w") if a.log else None
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            env=qemu_env(cmd[0]))
    os.set_blocking(proc.stdout.fileno(), False)
    timed_out = False

    pending = ""

    def drain():
        """Copy what QEMU printed since the last call to stdout and the log;
        note QEMU's CPU time when a line matches --cpu-mark."""
        nonlocal pending
        chunk = proc.stdout.read()
        if not chunk:
            return
        text = chunk.decode("utf-8", "replace").replace("\r", "")
        if not a.quiet:
            sys.stdout.write(text)
            sys.stdout.flush()
        if log:
            log.write(text)
        if a.cpu_mark:
            pending += text
            *lines, pending = pending.split("\n")
            for line in lines:
                if re.search(a.cpu_mark, line):
                    mark = "qemu: cpu mark %.3f s, wall %.3f s at: %s" % (
                        process_cpu_seconds(proc.pid), time.monotonic() - start, line)
                    vcpus = vcpu_cpu_seconds(proc.pid)
                    mark += "\nqemu: vcpu marks %s" % " ".join(
                        "%d=%.2f" % (c, vcpus[c]) for c in sorted(vcpus))
                    print(mark, file=sys.stderr)
                    if log:
                        log.write(mark + "\n")

    while True:
        drain()
        if proc.poll() is not None:
            drain()
            break
        if time.monotonic() - start > a.timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    cpu = children_cpu_seconds() - cpu_before  # QEMU's host CPU time, all its threads
    status = proc.returncode
    if timed_out:
        verdict, code = "timed out after %.0f s: the guest hung" % a.timeout, EXIT_TIMEOUT
    elif status == GUEST_SUCCESS:
        verdict, code = "the guest reported success", 0
    elif status == GUEST_FAILURE:
        verdict, code = "the guest reported failure", 1
    elif status == 0:
        verdict, code = "the guest reset or triple-faulted (QEMU ran with -no-reboot)", 3
    else:
        verdict, code = "QEMU failed with status %d" % status, 4
    summary = "qemu: %s (%.2f s wall, %.2f s CPU)" % (verdict, elapsed, cpu)
    if code != 0 and "/build/" not in os.path.abspath(a.kernel):
        summary += "; main kernel was %s" % a.kernel
    print(summary, file=sys.stderr)
    if log:
        log.write(summary + "\n")
        log.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
